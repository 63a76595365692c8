"""OAuth 2.0 against a real running server, driven by authlib's client (RFC 6749 with PKCE):
the whole dance, tokens acting like PATs on /v4 and /api/v1, and the failure cases."""

import asyncio
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, quote, urlsplit

import asyncpg
import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from axe_playwright_python.sync_playwright import Axe
from litestar import Litestar
from playwright.sync_api import expect

from slotwise.app import create_app
from slotwise.oauth.pkce import digest
from slotwise.settings import Settings, load_settings
from tests.conftest import TEST_REDIS_DB, TEST_SECRET_KEYS, _truncate_all, with_redis_db
from tests.support.browser import chromium, offline_context, require_chromium, serving
from tests.support.factories import Tenant, make_tenant
from tests.support.webhook_receiver import running_receiver

CALLBACK = "http://127.0.0.1:8999/callback"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@dataclass(frozen=True)
class Server:
    base: str
    tenant: Tenant
    database_url: str

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture(scope="module")
def server(database_url: str, service_urls: tuple[str, str]) -> Iterator[Server]:
    def settings_for(base: str) -> Settings:
        return load_settings(
            {},
            database_url=database_url,
            redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
            argon2_profile="cheapest",
            public_url=base,
            db_pool_size=5,
            secret_keys=TEST_SECRET_KEYS,
        )

    def build(base: str) -> Litestar:
        return create_app(settings_for(base))

    with serving(build) as base:
        tenant = asyncio.run(make_tenant(settings_for(base), "Oauth"))
        yield Server(base, tenant, database_url)
    asyncio.run(_truncate_all(database_url))


def register(server: Server, scopes: list[str], uris: list[str] | None = None) -> dict[str, str]:
    response = httpx.post(
        server.url("/v4/oauth/clients"),
        json={"name": "Zap Connect", "redirectUris": uris or [CALLBACK], "scopes": scopes},
        headers=server.tenant.headers(),
    )
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


def session_of(server: Server, client: dict[str, str], scope: str) -> OAuth2Session:
    return OAuth2Session(
        client["clientId"],
        client["clientSecret"],
        scope=scope,
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    )


@contextmanager
def signed_in_browser(
    server: Server, user_id: uuid.UUID, authorize_url: str
) -> Iterator[httpx.Client]:
    """A browser the partner signed in (its backend minted the sign-in), now at the consent
    page the app sent it to."""
    minted = httpx.post(
        server.url("/v4/oauth/sign-ins"),
        json={"userId": str(user_id)},
        headers=server.tenant.headers(),
    )
    assert minted.status_code == 201, minted.text
    parts = urlsplit(authorize_url)
    with httpx.Client(base_url=server.base) as browser:
        landed = browser.get(
            f"{minted.json()['url']}&next={quote(f'{parts.path}?{parts.query}', safe='')}"
        )
        assert landed.status_code == 303
        assert landed.headers["location"].startswith("/oauth/authorize?")
        yield browser


def consent(browser: httpx.Client, authorize_url: str, decision: str = "approve") -> str:
    page = browser.get(authorize_url)
    assert page.status_code == 200, page.text
    assert "Zap Connect" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    fields = {name: unescape(value) for name, value in _HIDDEN.findall(page.text)}
    answer = browser.post("/oauth/authorize", data={**fields, "decision": decision})
    assert answer.status_code == 303, answer.text
    location: str = answer.headers["location"]
    assert location.startswith(CALLBACK)
    return location


def authorize(
    server: Server, oauth: OAuth2Session, user_id: uuid.UUID | None = None
) -> tuple[str, str]:
    """The app's authorization URL, the user's consent; the callback URL and the verifier."""
    verifier = generate_token(48)
    url, _ = oauth.create_authorization_url(server.url("/oauth/authorize"), code_verifier=verifier)
    with signed_in_browser(server, user_id or server.tenant.owner_id, url) as browser:
        return consent(browser, url), verifier


def dance(
    server: Server, scopes: str = "scheduling account"
) -> tuple[OAuth2Session, dict[str, object]]:
    client = register(server, scopes.split())
    oauth = session_of(server, client, scopes)
    callback, verifier = authorize(server, oauth)
    token = oauth.fetch_token(
        server.url("/oauth/token"), authorization_response=callback, code_verifier=verifier
    )
    return oauth, token


def bearer(token: object) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def me(server: Server, access_token: object) -> httpx.Response:
    return httpx.get(server.url("/v4/user/me"), headers=bearer(access_token))


def test_metadata_names_the_endpoints(server: Server) -> None:
    found = httpx.get(server.url("/.well-known/oauth-authorization-server")).json()
    assert found["issuer"] == server.base
    assert found["token_endpoint"] == server.url("/oauth/token")
    assert found["code_challenge_methods_supported"] == ["S256"]
    assert "refresh_token" in found["grant_types_supported"]


def test_the_whole_dance_and_the_token_acts_like_a_pat(server: Server) -> None:
    oauth, token = dance(server, "scheduling account")
    assert str(token["access_token"]).startswith("oat_")
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "scheduling account"
    # authlib's session sends the token itself
    mine = oauth.get(server.url("/v4/user/me"))
    assert mine.status_code == 200, mine.text
    assert str(server.tenant.owner_id) in mine.text
    assert "X-RateLimit-Limit" in mine.headers  # counted like any credential
    # a user outside its company is 404, as for every credential
    assert oauth.get(server.url(f"/v4/user/{uuid.uuid4()}")).status_code == 404
    assert oauth.get(server.url("/api/v1/users/me")).status_code == 200
    # acting for another user is refused, as with a PAT
    other = oauth.get(
        server.url("/v4/user/me"), headers={"x-meetergo-api-user-id": str(uuid.uuid4())}
    )
    assert other.status_code == 403
    # the stored token is a hash: the database holds no access or refresh token text
    rows = asyncio.run(_fetch(server, "SELECT secret_hash, lookup_id FROM credential"))
    assert all(str(token["access_token"]) not in str(row) for row in rows)
    # refresh rotates both tokens; the old access token stops at once
    old_access = token["access_token"]
    renewed = oauth.refresh_token(server.url("/oauth/token"))
    assert renewed["access_token"] != old_access
    assert renewed["refresh_token"] != token["refresh_token"]
    assert me(server, old_access).status_code == 401
    assert me(server, renewed["access_token"]).status_code == 200
    # RFC 7009: the app revokes; the grant ends
    oauth.revoke_token(server.url("/oauth/revoke"), token=str(renewed["refresh_token"]))
    assert me(server, renewed["access_token"]).status_code == 401


def test_granted_scopes_are_checked_like_pat_scopes(server: Server) -> None:
    oauth, _ = dance(server, "events:read")
    assert oauth.get(server.url("/api/v1/events")).status_code == 200
    refused = oauth.post(server.url("/api/v1/event_types"), json={"name": "x", "duration": 30})
    assert refused.status_code == 403
    assert "Missing scope" in refused.text
    # a token is refused where a PAT is (platform-key-only routes)
    assert oauth.get(server.url("/v4/api-key")).status_code == 403


def test_denying_sends_access_denied_and_issues_nothing(server: Server) -> None:
    client = register(server, ["scheduling"])
    oauth = session_of(server, client, "scheduling")
    url, state = oauth.create_authorization_url(
        server.url("/oauth/authorize"), code_verifier=generate_token(48)
    )
    with signed_in_browser(server, server.tenant.owner_id, url) as browser:
        location = consent(browser, url, "deny")
        query = parse_qs(urlsplit(location).query)
        assert query["error"] == ["access_denied"]
        assert query["state"] == [state]
        # the sign-in ended with the answer: the consent page asks to sign in again
        assert browser.get(url).status_code == 401


def test_a_wrong_redirect_uri_is_never_followed(server: Server) -> None:
    client = register(server, ["scheduling"])
    oauth = OAuth2Session(
        client["clientId"],
        client["clientSecret"],
        scope="scheduling",
        redirect_uri="https://evil.example/callback",
        code_challenge_method="S256",
    )
    url, _ = oauth.create_authorization_url(
        server.url("/oauth/authorize"), code_verifier=generate_token(48)
    )
    with signed_in_browser(server, server.tenant.owner_id, url) as browser:
        page = browser.get(url)
        assert page.status_code == 400
        assert "location" not in page.headers
        assert "did not register" in page.text


def test_a_reused_code_fails_and_revokes_its_grant(server: Server) -> None:
    client = register(server, ["scheduling"])
    oauth = session_of(server, client, "scheduling")
    callback, verifier = authorize(server, oauth)
    token = oauth.fetch_token(
        server.url("/oauth/token"), authorization_response=callback, code_verifier=verifier
    )
    assert me(server, token["access_token"]).status_code == 200
    again = session_of(server, client, "scheduling")
    with pytest.raises(OAuthError) as failed:
        again.fetch_token(
            server.url("/oauth/token"), authorization_response=callback, code_verifier=verifier
        )
    assert failed.value.error == "invalid_grant"
    assert me(server, token["access_token"]).status_code == 401


@pytest.mark.parametrize("verifier", [None, "wrong" * 10])
def test_a_missing_or_wrong_verifier_fails(server: Server, verifier: str | None) -> None:
    client = register(server, ["scheduling"])
    oauth = session_of(server, client, "scheduling")
    callback, right = authorize(server, oauth)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    if verifier is not None:
        form["code_verifier"] = verifier
    auth = (client["clientId"], client["clientSecret"])
    refused = httpx.post(server.url("/oauth/token"), data=form, auth=auth)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    # the code is not spent by a failed attempt: the right verifier still gets the token
    form["code_verifier"] = right
    assert httpx.post(server.url("/oauth/token"), data=form, auth=auth).status_code == 200


def test_an_expired_code_fails(server: Server) -> None:
    client = register(server, ["scheduling"])
    oauth = session_of(server, client, "scheduling")
    callback, verifier = authorize(server, oauth)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    past = datetime.now(UTC) - timedelta(seconds=1)
    asyncio.run(
        _fetch(
            server, "UPDATE oauth_code SET expires_at = $1 WHERE digest = $2", past, digest(code)
        )
    )
    with pytest.raises(OAuthError) as failed:
        oauth.fetch_token(
            server.url("/oauth/token"), authorization_response=callback, code_verifier=verifier
        )
    assert failed.value.error == "invalid_grant"


def test_a_reused_refresh_token_revokes_the_chain(server: Server) -> None:
    oauth, first = dance(server, "scheduling")
    second = oauth.refresh_token(server.url("/oauth/token"))
    assert me(server, second["access_token"]).status_code == 200
    thief = OAuth2Session(oauth.client_id, oauth.client_secret)
    with pytest.raises(OAuthError) as failed:
        thief.refresh_token(server.url("/oauth/token"), refresh_token=first["refresh_token"])
    assert failed.value.error == "invalid_grant"
    # every token of the chain is dead: the current access token and the current refresh token
    assert me(server, second["access_token"]).status_code == 401
    with pytest.raises(OAuthError):
        oauth.refresh_token(server.url("/oauth/token"))


def test_a_wrong_client_secret_is_401(server: Server) -> None:
    client = register(server, ["scheduling"])
    refused = httpx.post(
        server.url("/oauth/token"),
        data={"grant_type": "refresh_token", "refresh_token": "ort_x"},
        auth=(client["clientId"], "ocs_wrong"),
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"


def test_revoking_the_grant_or_deleting_the_client_stops_tokens_at_once(server: Server) -> None:
    oauth, token = dance(server, "scheduling account")
    grants = httpx.get(server.url("/v4/oauth/grants"), headers=bearer(token["access_token"]))
    assert grants.status_code == 200
    (grant,) = [g for g in grants.json() if g["clientId"] == oauth.client_id]
    assert grant["clientName"] == "Zap Connect"
    revoked = httpx.delete(
        server.url(f"/v4/oauth/grants/{grant['id']}"),
        headers=server.tenant.headers(server.tenant.owner_id),
    )
    assert revoked.status_code == 204
    assert me(server, token["access_token"]).status_code == 401

    oauth, token = dance(server, "scheduling")
    client_id = oauth.client_id
    deleted = httpx.delete(
        server.url(f"/v4/oauth/clients/{client_id}"), headers=server.tenant.headers()
    )
    assert deleted.status_code == 204
    assert me(server, token["access_token"]).status_code == 401
    with pytest.raises(OAuthError):
        oauth.refresh_token(server.url("/oauth/token"))


def test_client_management_shows_the_secret_once(server: Server) -> None:
    client = register(server, ["scheduling"])
    listed = httpx.get(server.url("/v4/oauth/clients"), headers=server.tenant.headers()).json()
    assert client["clientId"] in {c["clientId"] for c in listed}
    assert all("clientSecret" not in c for c in listed)
    changed = httpx.patch(
        server.url(f"/v4/oauth/clients/{client['id']}"),
        json={"name": "Renamed"},
        headers=server.tenant.headers(),
    )
    assert changed.json()["name"] == "Renamed"
    bad = httpx.post(
        server.url("/v4/oauth/clients"),
        json={"name": "x", "redirectUris": ["http://app.example/cb"], "scopes": ["scheduling"]},
        headers=server.tenant.headers(),
    )
    assert bad.status_code == 400
    assert "redirectUris[0]" in bad.text


async def _fetch(server: Server, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(server.database_url)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


@pytest.mark.browser
def test_the_consent_page_in_a_browser_in_german_with_the_keyboard(server: Server) -> None:
    """The consent page in headless Chromium: German from the browser's language, allowed with
    the keyboard alone, no serious axe-core findings, and the app (a local server) gets its
    code."""
    require_chromium()
    with running_receiver() as app_site:
        callback = app_site.url("/callback")
        client = register(server, ["events:read"], [callback])
        oauth = OAuth2Session(
            client["clientId"],
            client["clientSecret"],
            scope="events:read",
            redirect_uri=callback,
            code_challenge_method="S256",
        )
        url, state = oauth.create_authorization_url(
            server.url("/oauth/authorize"), code_verifier=generate_token(48)
        )
        minted = httpx.post(
            server.url("/v4/oauth/sign-ins"),
            json={"userId": str(server.tenant.owner_id)},
            headers=server.tenant.headers(),
        ).json()
        parts = urlsplit(url)
        sign_in = f"{minted['url']}&next={quote(f'{parts.path}?{parts.query}', safe='')}"
        with chromium() as browser, offline_context(browser, locale="de-DE") as (context, foreign):
            page = context.new_page()
            page.goto(sign_in)
            expect(page.get_by_role("heading", level=1)).to_contain_text("Darf Zap Connect")
            expect(page.get_by_text("Ihre Buchungen sehen")).to_be_visible()
            findings = [
                f"{v['id']}: {v['help']}"
                for v in Axe().run(page).response["violations"]
                if v.get("impact") in {"serious", "critical"}
            ]
            assert findings == []
            page.keyboard.press("Tab")
            expect(page.get_by_role("button", name="Erlauben")).to_be_focused()
            page.keyboard.press("Enter")
            page.wait_for_url(f"{callback}*")
            assert not foreign
        (arrived,) = app_site.wait_for(1, None)
    query = parse_qs(urlsplit(arrived.path).query)
    assert query["state"] == [state]
    assert query["code"][0].startswith("oac_")


def test_a_forged_consent_is_refused_and_changes_nothing(server: Server) -> None:
    client = register(server, ["scheduling"])
    oauth = session_of(server, client, "scheduling")
    url, _ = oauth.create_authorization_url(
        server.url("/oauth/authorize"), code_verifier=generate_token(48)
    )
    with signed_in_browser(server, server.tenant.owner_id, url) as browser:
        page = browser.get(url)
        fields = {name: unescape(value) for name, value in _HIDDEN.findall(page.text)}
        forged = browser.post(
            "/oauth/authorize", data={**fields, "csrf": "x" * 43, "decision": "approve"}
        )
        assert forged.status_code == 400
        assert "location" not in forged.headers
        # the refusal changed nothing: the sign-in still holds, and the real answer goes through
        assert consent(browser, url).startswith(CALLBACK)
