"""HTML responses of the invitee pages: Jinja2 templates, one CSP nonce per response.

The policy allows nothing from other hosts: every script, style and image is the app's own.
Inline `<style>` (the brand colour) and the module script carry the response's nonce; inline
event handlers and `style=` attributes are never used.
"""

import secrets
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from litestar import MediaType, Response

from slotwise.companies.look import DEFAULT_BRAND, Brand
from slotwise.pages.i18n import translator

ASSETS_DIR = Path(__file__).parent / "assets"
#: shorter than any user slug, so it never shadows a booking URL
ASSETS_PATH = "/ui"

ENV = Environment(
    loader=PackageLoader("slotwise.pages", "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def policy(nonce: str, frame_ancestors: str = "*") -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "object-src 'none'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


def page(
    template: str,
    *,
    language: str,
    brand: Brand = DEFAULT_BRAND,
    status_code: int = 200,
    **context: Any,
) -> Response[str]:
    """Render `template` in `language` and `brand`; the response carries its CSP (framing
    limited to the brand's embed origins) and privacy headers."""
    nonce = secrets.token_urlsafe(16)
    defaults: dict[str, Any] = {"assets": ASSETS_PATH, "embed": False}
    body = ENV.get_template(template).render(
        defaults | context, lang=language, _=translator(language), nonce=nonce, brand=brand
    )
    return Response(
        body,
        status_code=status_code,
        media_type=MediaType.HTML,
        headers={
            "Content-Security-Policy": policy(nonce, brand.frame_ancestors),
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
