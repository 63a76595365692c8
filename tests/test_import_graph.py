"""The packages of slotwise import each other without cycles, so each can be read, tested and
moved on its own. Imports inside functions and under `if TYPE_CHECKING:` count too: they only
defer a cycle, they do not remove it."""

import ast
from collections import deque
from collections.abc import Iterator, Mapping
from itertools import pairwise
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "slotwise"

# node -> imported node -> (a file that creates the edge, the module it imports)
Graph = dict[str, dict[str, tuple[str, str]]]


def node_of(module: str) -> str | None:
    """`slotwise.a.b` -> `slotwise.a`: packages and top-level modules are the nodes."""
    parts = module.split(".")
    return f"slotwise.{parts[1]}" if len(parts) > 1 and parts[0] == "slotwise" else None


def file_node(path: str) -> str:
    """`a/x.py` -> `slotwise.a`, `app.py` -> `slotwise.app` (paths relative to src/slotwise)."""
    first = path.split("/", maxsplit=1)[0]
    return f"slotwise.{first.removesuffix('.py')}"


def imported_modules(source: str) -> Iterator[str]:
    """Every absolute slotwise import, wherever it sits in the file."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "slotwise":
            yield from (f"slotwise.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def build_graph(sources: Mapping[str, str]) -> Graph:
    """Edges between nodes, each with one witness; `from slotwise import x` counts only if x is
    a node (not, say, `__version__`)."""
    graph: Graph = {file_node(path): {} for path in sources if path != "__init__.py"}
    for path in sorted(sources):
        source_node = file_node(path)
        for module in imported_modules(sources[path]):
            target = node_of(module)
            if target in graph and target != source_node and source_node in graph:
                graph[source_node].setdefault(target, (path, module))
    return graph


def components(graph: Graph) -> list[list[str]]:
    """Strongly connected components (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            members = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            found.append(sorted(members))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def shortest_cycle(graph: Graph, start: str) -> list[str]:
    """The shortest path from `start` back to itself (breadth first)."""
    parents: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in sorted(graph[node]):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                return [*reversed(path), start]
            if target not in parents:
                parents[target] = node
                queue.append(target)
    raise AssertionError(f"{start} is on no cycle")


def import_cycles(sources: Mapping[str, str]) -> list[str]:
    """One message per cyclic component: a shortest cycle, with the import behind each edge."""
    graph = build_graph(sources)
    messages = []
    for members in components(graph):
        if len(members) < 2:
            continue
        cycle = shortest_cycle(graph, members[0])
        witnesses = (graph[a][b] for a, b in pairwise(cycle))
        why = "; ".join(f"{path} imports {module}" for path, module in witnesses)
        rest = f" [whole component: {', '.join(members)}]" if len(members) > len(cycle) - 1 else ""
        messages.append(f"import cycle: {' -> '.join(cycle)} ({why}){rest}")
    return messages


def real_sources() -> dict[str, str]:
    """Every module of src/slotwise but the static assets, keyed by path relative to it."""
    return {
        path.relative_to(SRC).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).parts[0] != "static"
    }


def test_slotwise_packages_have_no_import_cycles() -> None:
    cycles = import_cycles(real_sources())
    assert not cycles, "\n".join(cycles)


def test_a_cycle_is_reported_with_its_imports() -> None:
    sources = {
        "a/__init__.py": "",
        "a/x.py": "def f() -> None:\n    from slotwise.b.y import z\n",
        "b/y.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import slotwise.a.x\n",
        "c.py": "from slotwise import a, __version__",
    }
    assert import_cycles(sources) == [
        "import cycle: slotwise.a -> slotwise.b -> slotwise.a"
        " (a/x.py imports slotwise.b.y; b/y.py imports slotwise.a.x)"
    ]


def test_an_acyclic_graph_reports_nothing() -> None:
    sources = {
        "a/x.py": "from slotwise.b.y import z\nimport slotwise.a.w",
        "b/y.py": "from slotwise import c",
        "c.py": "import os",
    }
    assert import_cycles(sources) == []
    assert build_graph(sources)["slotwise.a"].keys() == {"slotwise.b"}
