"""SLOTWISE_SMTP_URL and SLOTWISE_MAIL_FROM: read once, a bad value names its variable."""

import pytest

from slotwise.kit.smtp import SmtpServer, parse_smtp_url
from slotwise.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://mail.example.com", SmtpServer("mail.example.com", 25, None, None, False, False)),
        (
            "smtp://u%40x:p%3Aw@mail.example.com:587?starttls=true",
            SmtpServer("mail.example.com", 587, "u@x", "p:w", False, True),
        ),
        ("smtps://mail.example.com", SmtpServer("mail.example.com", 465, None, None, True, False)),
    ],
)
def test_smtp_urls_are_read(url: str, server: SmtpServer) -> None:
    assert parse_smtp_url(url) == server


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("SLOTWISE_SMTP_URL", "http://mail.example.com", "smtp://"),
        ("SLOTWISE_SMTP_URL", "smtp://", "host"),
        ("SLOTWISE_SMTP_URL", "smtp://mail.example.com?starttls=maybe", "true or false"),
        ("SLOTWISE_SMTP_URL", "smtps://mail.example.com?starttls=true", "smtp:// only"),
        ("SLOTWISE_SMTP_URL", "smtp://mail.example.com?tls=1", "unknown parameter"),
        ("SLOTWISE_SMTP_URL", "smtp://mail.example.com:99999", "valid URL"),
        ("SLOTWISE_MAIL_FROM", "Bookings", "address like"),
        ("SLOTWISE_MAIL_FROM", "Bookings <a@b.example>\nBcc: x@y.example", "one line"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str, words: str) -> None:
    with pytest.raises(SettingsError, match=f"^{variable}: .*{words}"):
        load_settings({variable: value})


def test_mail_is_off_by_default() -> None:
    settings = load_settings({})
    assert settings.smtp_url is None
    assert "@" in settings.mail_from
