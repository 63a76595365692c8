"""The SMTP server and sender address settings, read and checked (pure: no I/O)."""

from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

SCHEMES = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None
    password: str | None
    #: smtps://: TLS from the first byte
    implicit_tls: bool
    #: smtp://…?starttls=true: upgrade the plain connection before logging in
    starttls: bool


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp://user:pass@host:port`, `smtps://…` (implicit TLS) or `…?starttls=true`; ValueError
    saying what is wrong."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError("is not a valid URL") from exc
    if parts.scheme not in SCHEMES:
        raise ValueError("expected a URL starting with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("must name a host")
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls"}
    if unknown:
        raise ValueError(f"unknown parameter {sorted(unknown)[0]!r}")
    starttls = query.get("starttls", "false")
    if starttls not in ("true", "false"):
        raise ValueError("starttls must be true or false")
    if parts.scheme == "smtps" and starttls == "true":
        raise ValueError("smtps:// is TLS already; starttls applies to smtp:// only")
    return SmtpServer(
        host=parts.hostname,
        port=port or SCHEMES[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=parts.scheme == "smtps",
        starttls=starttls == "true",
    )


def parse_mailbox(text: str) -> Address:
    """`Name <address@domain>` or a bare address; ValueError when it is not one address."""
    if any(ch in text for ch in "\r\n"):
        raise ValueError("must be one line")
    name, address = parseaddr(text)
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain:
        raise ValueError("expected an address like Bookings <no-reply@example.com>")
    return Address(display_name=name, addr_spec=address)
