"""Every error uses meetergo's envelope, and every response carries x-request-id."""

from typing import Any

import msgspec
import pytest
from litestar import Litestar, post
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient

from slotwise.kit.wire import InputStruct


class Probe(InputStruct):
    email: str
    count: int = msgspec.field(default=1)
    nested: "ProbeNested | None" = None


class ProbeNested(InputStruct):
    given_name: str


@post("/v4/_probe", exclude_from_auth=True)
async def probe(data: JSONBody[Probe]) -> dict[str, Any]:
    return {"email": data.email}


@post("/v4/_boom", exclude_from_auth=True)
async def boom() -> None:
    raise RuntimeError("secret internal detail")


@pytest.fixture
async def probe_client(
    app: Litestar, client: AsyncTestClient[Litestar]
) -> AsyncTestClient[Litestar]:
    app.register(probe)
    app.register(boom)
    return client


def assert_envelope(body: dict[str, Any], status: int, error: str) -> None:
    assert body["statusCode"] == status
    assert body["error"] == error
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["code"], str)


async def test_validation_error_names_each_field(probe_client: AsyncTestClient[Litestar]) -> None:
    response = await probe_client.post("/v4/_probe", json={"count": "many"})
    assert response.status_code == 400
    body = response.json()
    assert_envelope(body, 400, "Bad Request")
    assert body["message"] == "Validation failed"
    assert {e["field"] for e in body["errors"]} & {"email", "count"}


async def test_wrong_type_names_the_field(probe_client: AsyncTestClient[Litestar]) -> None:
    response = await probe_client.post("/v4/_probe", json={"email": "a@b.c", "count": "x"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "count", "message": "Expected `int`, got `str`"}]


async def test_unknown_field_is_refused_by_name(probe_client: AsyncTestClient[Litestar]) -> None:
    response = await probe_client.post("/v4/_probe", json={"email": "a@b.c", "emial": "x"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "emial", "message": "Unknown field"}]


async def test_nested_unknown_field_has_its_path(probe_client: AsyncTestClient[Litestar]) -> None:
    body = {"email": "a@b.c", "nested": {"givenName": "A", "familyname": "B"}}
    response = await probe_client.post("/v4/_probe", json=body)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "nested.familyname", "message": "Unknown field"}]


async def test_camel_case_on_the_wire(probe_client: AsyncTestClient[Litestar]) -> None:
    ok = await probe_client.post(
        "/v4/_probe", json={"email": "a@b.c", "nested": {"givenName": "A"}}
    )
    assert ok.status_code == 201
    snake = await probe_client.post(
        "/v4/_probe", json={"email": "a@b.c", "nested": {"given_name": "A"}}
    )
    assert snake.status_code == 400


async def test_malformed_json_is_400(probe_client: AsyncTestClient[Litestar]) -> None:
    response = await probe_client.post(
        "/v4/_probe", content=b'{"email": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    body = response.json()
    assert_envelope(body, 400, "Bad Request")
    assert body["code"] == "malformed_json"


async def test_unknown_route_is_404(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v4/does-not-exist")
    assert response.status_code == 404
    assert_envelope(response.json(), 404, "Not Found")
    assert response.headers["x-request-id"]


async def test_wrong_method_is_405(client: AsyncTestClient[Litestar]) -> None:
    response = await client.delete("/health/live")
    assert response.status_code == 405
    assert_envelope(response.json(), 405, "Method Not Allowed")


async def test_oversized_body_is_413(
    probe_client: AsyncTestClient[Litestar], app: Litestar
) -> None:
    big = b'{"email": "' + b"a" * 2_000_000 + b'"}'
    response = await probe_client.post(
        "/v4/_probe", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert_envelope(response.json(), 413, "Request Entity Too Large")


async def test_wrong_content_type_is_415(probe_client: AsyncTestClient[Litestar]) -> None:
    response = await probe_client.post(
        "/v4/_probe", content=b"email=a@b.c", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert_envelope(response.json(), 415, "Unsupported Media Type")


async def test_unexpected_error_is_500_without_detail(
    probe_client: AsyncTestClient[Litestar],
) -> None:
    response = await probe_client.post("/v4/_boom", headers={"x-request-id": "req-123"})
    assert response.status_code == 500
    body = response.json()
    assert_envelope(body, 500, "Internal Server Error")
    assert body["requestId"] == "req-123"
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-request-id"] == "req-123"


async def test_request_id_is_echoed_or_minted(client: AsyncTestClient[Litestar]) -> None:
    echoed = await client.get("/health/live", headers={"x-request-id": "abc-DEF_1.2"})
    assert echoed.headers["x-request-id"] == "abc-DEF_1.2"
    minted = await client.get("/health/live", headers={"x-request-id": "bad id\twith spaces"})
    assert minted.headers["x-request-id"] != "bad id\twith spaces"
    assert len(minted.headers["x-request-id"]) == 32
