"""OAuth routes: app and grant management on /v4, and the protocol endpoints under /oauth.

The protocol endpoints speak RFC 6749 (form bodies, `{"error": ...}` answers) rather than the
API's JSON envelope, and are left out of the API document; `/.well-known/...` describes them.
"""

import re
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect

from slotwise.auth.access import access
from slotwise.db.session import WRITES
from slotwise.oauth import schemas as s
from slotwise.oauth.pkce import csrf_for
from slotwise.oauth.server import (
    AuthorizeRequest,
    OAuthError,
    OAuthFlow,
    PageError,
    RedirectError,
    SignedIn,
    metadata,
    provide_oauth_flow,
)
from slotwise.oauth.service import OAuthService, provide_oauth_service
from slotwise.oauth.views import (
    CANNOT_CONTINUE,
    EXPIRED_FORM,
    LINK_INVALID,
    OTHER_COMPANY,
    SIGN_IN_HOW,
    SIGN_IN_NEEDED,
    SIGNED_IN,
    SIGNED_IN_TEXT,
    scope_lines,
)
from slotwise.pages.i18n import DEFAULT_LANGUAGE, pick_language, translator
from slotwise.pages.render import page
from slotwise.settings import Settings

COOKIE = "slotwise_oauth"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
Param = Annotated[str | None, QueryParameter(max_length=2000)]


class OAuthClientController(Controller):
    path = "/v4/oauth/clients"
    tags = ["oauth"]
    opt = access(company=True, pat_scope="account", admin=True)
    dependencies = {"oauth": Provide(provide_oauth_service)}

    @post("/", status_code=201)
    async def create_oauth_client(
        self, data: JSONBody[s.OAuthClientCreate], oauth: NamedDependency[OAuthService]
    ) -> s.OAuthClientCreated:
        """Register a third-party app; its client secret is in this response only."""
        return await oauth.create_client(data)

    @get("/")
    async def list_oauth_clients(self, oauth: NamedDependency[OAuthService]) -> list[s.OAuthClient]:
        """The company's registered apps, oldest first (never their secrets)."""
        return await oauth.list_clients()

    @get("/{oauth_client_id:uuid}")
    async def get_oauth_client(
        self, oauth_client_id: FromPath[UUID], oauth: NamedDependency[OAuthService]
    ) -> s.OAuthClient:
        """One registered app."""
        return await oauth.get_client(oauth_client_id)

    @patch("/{oauth_client_id:uuid}")
    async def update_oauth_client(
        self,
        oauth_client_id: FromPath[UUID],
        data: JSONBody[s.OAuthClientUpdate],
        oauth: NamedDependency[OAuthService],
    ) -> s.OAuthClient:
        """Change an app's name, redirect URIs or scopes."""
        return await oauth.update_client(oauth_client_id, data)

    @delete("/{oauth_client_id:uuid}")
    async def delete_oauth_client(
        self, oauth_client_id: FromPath[UUID], oauth: NamedDependency[OAuthService]
    ) -> None:
        """Delete an app: every grant and token of it stops at once."""
        await oauth.delete_client(oauth_client_id)


class OAuthGrantController(Controller):
    path = "/v4/oauth/grants"
    tags = ["oauth"]
    opt = access(pat_scope="account")
    dependencies = {"oauth": Provide(provide_oauth_service)}

    @get("/")
    async def list_oauth_grants(self, oauth: NamedDependency[OAuthService]) -> list[s.OAuthGrant]:
        """The apps the acting user allowed to act for them."""
        return await oauth.list_grants()

    @delete("/{grant_id:uuid}")
    async def revoke_oauth_grant(
        self, grant_id: FromPath[UUID], oauth: NamedDependency[OAuthService]
    ) -> None:
        """End a grant: its access and refresh tokens stop at once (a user's own; admins any)."""
        await oauth.revoke_grant(grant_id)


class OAuthSignInController(Controller):
    path = "/v4/oauth/sign-ins"
    tags = ["oauth"]
    opt = access(company=True, pat=False)
    dependencies = {"oauth": Provide(provide_oauth_service)}

    @post("/", status_code=201)
    async def create_oauth_sign_in(
        self, data: JSONBody[s.OAuthSignInCreate], oauth: NamedDependency[OAuthService]
    ) -> s.OAuthSignInCreated:
        """Sign one of the company's users in to the consent page: the partner, who knows the
        user, sends their browser to `url` with `next` set to the `/oauth/authorize` address
        the app opened. Single use, valid for ten minutes."""
        return await oauth.create_sign_in(data)


class Answered(Exception):
    """A finished answer raised out of a handler, so the request's transaction rolls back."""

    def __init__(self, response: Response[Any]) -> None:
        super().__init__("answered")
        self.response = response


def _answered(_: Request[Any, Any, Any], exc: Answered) -> Response[Any]:
    return exc.response


def _oauth_error(_: Request[Any, Any, Any], exc: OAuthError) -> Response[dict[str, str]]:
    return Response(exc.body(), status_code=exc.status, headers={**NO_STORE, **exc.headers})


async def _form(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The form body's fields (the first of each name); a body of another type is an error."""
    if request.content_type[0] != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "Send application/x-www-form-urlencoded")
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _language(request: Request[Any, Any, Any]) -> str:
    return pick_language(
        request.query_params.get("lang"), request.headers.get("accept-language"), DEFAULT_LANGUAGE
    )


def _message(language: str, title: str, text: str, status: int) -> Response[str]:
    _ = translator(language)
    return page("oauth_message.html", language=language, status_code=status, title=_(title),
                message=_(text))  # fmt: skip


def _consent(language: str, found: AuthorizeRequest, who: SignedIn, cookie: str) -> Response[str]:
    _ = translator(language)
    target = urlsplit(found.redirect_uri)
    response = page(
        "consent.html",
        language=language,
        client_name=found.client.name,
        user_name=f"{who.user.given_name} {who.user.family_name}".strip(),
        user_email=who.user.email,
        scopes=scope_lines(found.scopes, _),
        redirect_host=target.netloc,
        fields=found.form(),
        csrf=csrf_for(cookie),
    )
    # the answer redirects to the app: the form may lead there (browsers hold redirects after
    # a form to form-action)
    origin = f"{target.scheme}://{target.netloc}"
    policy = response.headers["Content-Security-Policy"]
    policy = policy.replace("form-action 'self'", f"form-action 'self' {origin}")
    # never inside another site's frame: a framed consent page could be clicked unseen
    policy = re.sub(r"frame-ancestors [^;]*", "frame-ancestors 'none'", policy)
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Frame-Options"] = "DENY"
    return response


class OAuthServerController(Controller):
    include_in_schema = False
    dependencies = {"flow": Provide(provide_oauth_flow)}
    exception_handlers = {OAuthError: _oauth_error, Answered: _answered}

    async def _checked(
        self, request: Request[Any, Any, Any], flow: OAuthFlow, params: dict[str, str]
    ) -> AuthorizeRequest | Response[str]:
        language = _language(request)
        try:
            return await flow.authorize_request(params)
        except PageError as exc:
            return _message(language, CANNOT_CONTINUE, str(exc), 400)
        except RedirectError as exc:
            return Redirect(exc.location(), status_code=303)

    # it reads the sign-in with the lookup that redeems one, which locks the row
    @get("/oauth/authorize", exclude_from_auth=True, opt={WRITES: True})
    async def oauth_authorize(
        self, request: Request[Any, Any, Any], flow: NamedDependency[OAuthFlow]
    ) -> Response[str]:
        """The consent page: the signed-in user allows the app or not."""
        params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
        found = await self._checked(request, flow, params)
        if isinstance(found, Response):
            return found
        language = _language(request)
        cookie = request.cookies.get(COOKIE)
        who = await flow.signed_in(cookie)
        if who is None or cookie is None:
            return _message(language, SIGN_IN_NEEDED, SIGN_IN_HOW, 401)
        if who.user.company_id != found.client.company_id:
            return _message(language, CANNOT_CONTINUE, OTHER_COMPANY, 403)
        return _consent(language, found, who, cookie)

    @post("/oauth/authorize", exclude_from_auth=True, status_code=303)
    async def decide_oauth_authorization(
        self, request: Request[Any, Any, Any], flow: NamedDependency[OAuthFlow]
    ) -> Response[str]:
        """The user's answer on the consent page; the browser goes back to the app. A refused
        answer is raised, so its transaction rolls back and it leaves no audit entry."""
        language = _language(request)
        try:
            form = await _form(request)
        except OAuthError:
            raise Answered(_message(language, CANNOT_CONTINUE, EXPIRED_FORM, 400)) from None
        found = await self._checked(request, flow, form)
        if isinstance(found, Response):
            raise Answered(found)
        cookie = request.cookies.get(COOKIE)
        who = await flow.signed_in(cookie)
        if (
            who is None
            or cookie is None
            or who.user.company_id != found.client.company_id
            or form.get("csrf") != csrf_for(cookie)
            or form.get("decision") not in {"approve", "deny"}
        ):
            raise Answered(_message(language, CANNOT_CONTINUE, EXPIRED_FORM, 400))
        location = await flow.decide(found, who, approve=form["decision"] == "approve")
        return Redirect(location, status_code=303)

    # redeeming the sign-in token (once) is a write
    @get("/oauth/sign-in", exclude_from_auth=True, opt={WRITES: True})
    async def oauth_sign_in(
        self,
        request: Request[Any, Any, Any],
        flow: NamedDependency[OAuthFlow],
        settings: NamedDependency[Settings],
        token: Param = None,
        next_: Annotated[str | None, QueryParameter(name="next", max_length=4000)] = None,
    ) -> Response[str]:
        """Redeem a partner-issued sign-in: a session cookie, then on to the consent page."""
        language = _language(request)
        cookie = await flow.redeem(token) if token else None
        if cookie is None:
            return _message(language, CANNOT_CONTINUE, LINK_INVALID, 400)
        if next_ is not None and next_.startswith("/oauth/authorize?"):
            response: Response[str] = Redirect(next_, status_code=303)
        else:
            response = _message(language, SIGNED_IN, SIGNED_IN_TEXT, 200)
        response.set_cookie(
            Cookie(
                key=COOKIE,
                value=cookie,
                path="/oauth",
                httponly=True,
                samesite="lax",
                secure=settings.public_url.startswith("https://"),
                max_age=30 * 60,
            )
        )
        return response

    @post("/oauth/token", exclude_from_auth=True, status_code=200)
    async def issue_oauth_token(
        self, request: Request[Any, Any, Any], flow: NamedDependency[OAuthFlow]
    ) -> Response[dict[str, Any]]:
        """RFC 6749 token endpoint: authorization_code (with PKCE) and refresh_token."""
        form = await _form(request)
        tokens = flow.tokens()
        client = await tokens.authenticate(request.headers.get("authorization"), form)
        issued = await tokens.token(client, form)
        status = 400 if "error" in issued else 200
        return Response(issued, status_code=status, headers=NO_STORE)

    @post("/oauth/revoke", exclude_from_auth=True, status_code=200)
    async def revoke_oauth_token(
        self, request: Request[Any, Any, Any], flow: NamedDependency[OAuthFlow]
    ) -> Response[dict[str, Any]]:
        """RFC 7009: revoke an access or refresh token (and so its grant)."""
        form = await _form(request)
        tokens = flow.tokens()
        client = await tokens.authenticate(request.headers.get("authorization"), form)
        await tokens.revoke(client, form)
        return Response({}, status_code=200, headers=NO_STORE)

    @get(
        "/.well-known/oauth-authorization-server",
        exclude_from_auth=True,
        media_type=MediaType.JSON,
    )
    async def oauth_metadata(self, settings: NamedDependency[Settings]) -> dict[str, Any]:
        """RFC 8414 authorization server metadata."""
        return metadata(settings.public_url.rstrip("/"))
