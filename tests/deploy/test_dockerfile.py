"""deploy/Dockerfile and .dockerignore, read as text (no Docker engine in CI)."""

import json
import re
from pathlib import Path

from slotwise.cli import build_parser
from slotwise.web.health import HealthController

ROOT = Path(__file__).resolve().parents[2]
LIVE = f"{HealthController.path}{next(iter(HealthController.live.paths))}"

Instruction = tuple[str, str]


def _instructions() -> list[Instruction]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    text = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            found.append((keyword.upper(), arguments.strip()))
    return found


def _stages() -> list[list[Instruction]]:
    stages: list[list[Instruction]] = []
    for instruction in _instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def _arguments(stage: list[Instruction], keyword: str) -> list[str]:
    return [arguments for key, arguments in stage if key == keyword]


def _default_args() -> dict[str, str]:
    head = _instructions()[: [k for k, _ in _instructions()].index("FROM")]
    return dict(arguments.split("=", 1) for key, arguments in head if key == "ARG")


def test_the_image_is_built_in_stages_on_python_3_11_slim() -> None:
    stages = _stages()
    assert len(stages) >= 2
    defaults = _default_args()
    for stage in stages:
        image = _arguments(stage, "FROM")[0].split()[0]
        image = re.sub(r"\$\{(\w+)\}", lambda m: defaults[m.group(1)], image)
        assert image == "python:3.11-slim"


def test_the_build_stage_installs_the_locked_dependencies_compiled() -> None:
    build = "\n".join(arguments for stage in _stages()[:-1] for _, arguments in stage)
    assert "uv sync --frozen --no-dev" in build
    assert "UV_COMPILE_BYTECODE=1" in build
    assert "compileall" in build, "the project's own modules are compiled as well"


def test_the_final_stage_runs_as_a_numeric_non_root_user() -> None:
    final = _stages()[-1]
    [user] = _arguments(final, "USER")
    uid, _, gid = user.partition(":")
    assert int(uid) > 0
    assert int(gid or uid) > 0
    keywords = [key for key, _ in final]
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k in ("RUN", "COPY"))


def test_the_final_stage_writes_nothing_outside_tmp() -> None:
    env = " ".join(_arguments(_stages()[-1], "ENV"))
    for setting in ("PYTHONDONTWRITEBYTECODE=1", "HOME=/tmp", "TMPDIR=/tmp"):
        assert setting in env
    assert "SLOTWISE_DATA_DIR=/tmp/" in env
    assert "SLOTWISE_HOST=0.0.0.0" in env, "reachable from outside the container"


def test_the_health_check_asks_the_live_route_with_python() -> None:
    [check] = _arguments(_stages()[-1], "HEALTHCHECK")
    options, _, command = check.partition(" CMD ")
    assert "--interval=" in options
    assert "--timeout=" in options
    argv = json.loads(command)
    assert argv[:2] == ["python", "-c"]
    assert LIVE in argv[2]
    assert "urllib.request" in argv[2]


def test_one_image_three_commands() -> None:
    final = _stages()[-1]
    [entrypoint] = _arguments(final, "ENTRYPOINT")
    [default] = _arguments(final, "CMD")
    assert json.loads(entrypoint) == ["slotwise"]
    assert json.loads(default) == ["serve"]
    parser = build_parser()
    for command in ("serve", "worker", "migrate"):
        parser.parse_args([command])
    assert _arguments(final, "EXPOSE") == ["8000"]


def test_everything_the_build_copies_gets_past_dockerignore() -> None:
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    }
    copied = [
        source
        for stage in _stages()
        for arguments in _arguments(stage, "COPY")
        if not arguments.startswith("--from")
        for source in arguments.split()[:-1]
    ]
    assert copied
    for source in copied:
        name = source.rstrip("/")
        assert (ROOT / name).exists(), name
        assert name in allowed, f"{name} is left out of the build context"
    assert "*" in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
