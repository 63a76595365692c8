"""Every writing route has an audit action, and every action a route: a new route cannot go
unrecorded, and each one's resource id comes from something the route has."""

from litestar import Litestar
from litestar.routes import HTTPRoute

from slotwise.audit.actions import ACTIONS, ACTOR, COMPANY
from slotwise.db.session import WRITING_METHODS
from tests.support.routes import _PARAM


def _writing_routes(app: Litestar) -> dict[str, set[str]]:
    """Handler name → the paths it serves, for every route that writes."""
    found: dict[str, set[str]] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.http_methods & WRITING_METHODS:
                found.setdefault(handler.handler_name, set()).add(route.path)
    return found


def test_every_writing_route_has_an_action(app: Litestar) -> None:
    routes = _writing_routes(app)
    assert set(routes) - set(ACTIONS) == set(), "add the route to slotwise.audit.actions"
    assert set(ACTIONS) - set(routes) == set(), "an action names no route"


def test_each_action_takes_its_id_from_its_route(app: Litestar) -> None:
    for name, paths in _writing_routes(app).items():
        action = ACTIONS[name]
        for path in paths:
            if isinstance(action.id_from, str) and action.id_from not in (COMPANY, ACTOR):
                assert action.id_from in _PARAM.findall(path), f"{name}: {path}"
            public = path.startswith("/v4/public/")
            assert (action.link is not None) == public, name


def test_action_names_are_resource_dot_verb() -> None:
    for action in ACTIONS.values():
        resource, _, verb = action.name.partition(".")
        assert resource, action.name
        assert verb.replace("_", "").isalpha(), action.name
