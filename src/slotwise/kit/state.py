"""Typed slots in the application state.

The module that owns a long-lived object (the sessionmaker, the verifier, the slot cache…)
declares its key next to its type; `app.build_state` fills every key once per lifespan, and
readers get the declared type back instead of an untyped attribute looked up by string.
"""

from typing import Any, Generic, TypeVar

from litestar.datastructures import State

T = TypeVar("T")


class StateKey(Generic[T]):
    def __init__(self, name: str, kind: type[T]) -> None:
        self.name = name
        self.kind = kind

    def of(self, state: State) -> T:
        value: Any = state.get(self.name)
        if not isinstance(value, self.kind):  # pragma: no cover - build_state fills every key
            raise TypeError(f"app state {self.name!r} is not a {self.kind.__name__}")
        return value

    def find(self, state: State) -> T | None:
        """The value, or None when this app has none (tools that build only part of it)."""
        value: Any = state.get(self.name)
        return value if isinstance(value, self.kind) else None

    def put(self, state: State, value: T) -> None:
        state[self.name] = value
