"""Hands a message to the SMTP server and sorts failures into temporary and permanent ones.

A 4xx reply, a refused or broken connection and a timeout are temporary (tried again later);
a 5xx reply is permanent, except for a refused login, which an operator fixes without the mail
being lost.
"""

from email.message import EmailMessage

import aiosmtplib

from slotwise.kit.smtp import SmtpServer

TIMEOUT_SECONDS = 30.0


class MailNotSent(Exception):
    """The server did not take the message; `permanent` says whether trying again can help."""

    def __init__(self, detail: str, *, permanent: bool) -> None:
        super().__init__(detail)
        self.permanent = permanent


async def send(message: EmailMessage, server: SmtpServer) -> None:
    """Deliver `message` to its recipients through `server`; MailNotSent when it did not."""
    try:
        await aiosmtplib.send(
            message,
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.implicit_tls,
            start_tls=server.starttls,
            timeout=TIMEOUT_SECONDS,
        )
    except aiosmtplib.SMTPAuthenticationError as exc:
        raise MailNotSent(f"login refused: {exc.code} {exc.message}", permanent=False) from exc
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [refused.code for refused in exc.recipients]
        detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        raise MailNotSent(detail, permanent=all(code >= 500 for code in codes)) from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise MailNotSent(f"{exc.code} {exc.message}", permanent=exc.code >= 500) from exc
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise MailNotSent(f"{type(exc).__name__}: {exc}", permanent=False) from exc
