"""Tenancy lint: tenant-owned rows are read and written only through `TenantRepository`, which
puts `company_id = :cid` into every statement, so no code path can forget the tenant filter.

Flagged outside a `TenantRepository` subclass: `select`/`update`/`delete`/`insert` (and
`.select_from`) given a tenant model or one of its columns, `session.add(...)`/`.add_all(...)` of
a tenant model built in place, and `session.add` handed on uncalled (what it adds is unseen).
The declared cross-tenant modules are not scanned, nor are migrations (outside src/slotwise).
A `# unscoped: <reason>` comment on the line or on its statement's first line exempts it.
Raw SQL (`text(...)`, driver connections) is out of scope: its tables are only strings here.
"""

import ast
import re
from pathlib import Path
from textwrap import indent

import slotwise.models
from slotwise.models.base import TenantModel

SRC = Path(__file__).resolve().parents[2] / "src"
CROSS_TENANT = frozenset(
    {
        "slotwise/db/unscoped.py",
        "slotwise/db/tenancy.py",
        "slotwise/webhooks/queue.py",
        "slotwise/db/leases.py",
        "slotwise/notifications/queue.py",
        "slotwise/companies/logo_queue.py",
        "slotwise/bookings/completion_queue.py",
        "slotwise/db/retention.py",
        "slotwise/calendars/queue.py",
    }
)
STATEMENTS = {verb: verb for verb in ("select", "update", "delete", "insert")}
STATEMENTS["select_from"] = "select"
ESCAPE = re.compile(r"#\s*unscoped:\s*\S")


def tenant_models() -> frozenset[str]:
    """Every tenant-owned model exported by slotwise.models, so a new one is covered at once."""
    return frozenset(
        name
        for name, obj in vars(slotwise.models).items()
        if isinstance(obj, type) and issubclass(obj, TenantModel) and obj is not TenantModel
    )


def _tail(node: ast.expr) -> str:
    """The last name of `a.b.C[X]`: `C`."""
    if isinstance(node, ast.Subscript):
        return _tail(node.value)
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _root(node: ast.expr) -> str:
    """The first name of `Model.column.attr`: `Model`."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _is_session_add(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in {"add", "add_all"}
        and _tail(node.value).endswith("session")
    )


def _problem(node: ast.AST, models: frozenset[str], called: set[int]) -> str | None:
    """What is wrong with this one node, if anything."""
    if isinstance(node, ast.Call) and _tail(node.func) in STATEMENTS:
        args = [*node.args, *(keyword.value for keyword in node.keywords)]
        hit = next((_root(arg) for arg in args if _root(arg) in models), None)
        return hit and f"{STATEMENTS[_tail(node.func)]} on {hit}"
    if isinstance(node, ast.Call) and _is_session_add(node.func):
        built = [_tail(sub.func) for sub in ast.walk(node) if isinstance(sub, ast.Call)]
        hit = next((name for name in built if name in models), None)
        return hit and f"session.add of {hit}"
    if isinstance(node, ast.Attribute) and _is_session_add(node) and id(node) not in called:
        return "session.add handed on"
    return None


def lint(filename: str, source: str, models: frozenset[str]) -> list[str]:
    """Findings as `path:line: what outside a TenantRepository`."""
    if filename in CROSS_TENANT:
        return []
    tree = ast.parse(source)
    lines = source.splitlines()
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    findings: list[str] = []

    def walk(node: ast.AST, first: int) -> None:
        if isinstance(node, ast.ClassDef) and any(
            _tail(base).endswith("TenantRepository") for base in node.bases
        ):
            return
        first = node.lineno if isinstance(node, ast.stmt) else first
        problem = _problem(node, models, called)
        line = getattr(node, "lineno", first)
        if problem and not any(ESCAPE.search(lines[n - 1]) for n in {first, line}):
            findings.append(f"{filename}:{line}: {problem} outside a TenantRepository")
        for child in ast.iter_child_nodes(node):
            walk(child, first)

    walk(tree, 1)
    return findings


def test_slotwise_queries_tenant_tables_only_through_repositories() -> None:
    models = tenant_models()
    findings = [
        finding
        for path in sorted((SRC / "slotwise").rglob("*.py"))
        if path.relative_to(SRC).parts[1] != "static"
        for finding in lint(path.relative_to(SRC).as_posix(), path.read_text("utf-8"), models)
    ]
    assert not findings, "\n".join(findings)


def test_tenant_models_are_discovered() -> None:
    assert {"Appointment", "Credential", "User"} <= tenant_models()
    assert "Company" not in tenant_models()


SNIPPET = "def f(session):\n    return select(Appointment){}\n"
MODELS = frozenset({"Appointment"})


def test_a_bare_select_is_reported() -> None:
    assert lint("x.py", SNIPPET.format(""), MODELS) == [
        "x.py:2: select on Appointment outside a TenantRepository"
    ]


def test_a_repository_may_select() -> None:
    source = "class R(TenantRepository[Appointment]):\n" + indent(SNIPPET.format(""), "    ")
    assert lint("x.py", source, MODELS) == []


def test_the_escape_hatch_needs_a_reason() -> None:
    assert lint("x.py", SNIPPET.format("  # unscoped: reason"), MODELS) == []
    assert len(lint("x.py", SNIPPET.format("  # unscoped:"), MODELS)) == 1


def test_session_add_of_a_tenant_model_is_reported() -> None:
    source = (
        "def f(session):\n    session.add(Appointment(id=1))\n    repo.add(Appointment(id=2))\n"
    )
    assert lint("x.py", source, MODELS) == [
        "x.py:2: session.add of Appointment outside a TenantRepository"
    ]


def test_columns_select_from_and_handing_on_add_are_reported() -> None:
    source = (
        "a = select(Appointment.id)\n"
        "b = select(func.count()).select_from(Appointment)\n"
        "c = (  # unscoped: a worker sweep over every company\n    update(Appointment)\n)\n"
        "d = insert_with_slug(self.session.add, row)\n"
    )
    assert [finding.split(": ", 1)[1] for finding in lint("x.py", source, MODELS)] == [
        "select on Appointment outside a TenantRepository",
        "select on Appointment outside a TenantRepository",
        "session.add handed on outside a TenantRepository",
    ]
