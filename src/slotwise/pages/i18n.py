"""Message catalogs of the invitee pages.

English strings are the message ids; every other language is one `.po` file under `locale/`
(read with Babel at first use, so adding a language needs no build step).
"""

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("en", "de")
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"

Translate = Callable[[str], str]


@cache
def catalog(language: str) -> dict[str, str]:
    """msgid → translation for `language`; empty for English (the ids are English)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return {}
    with path.open("rb") as handle:
        found = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in found if m.id and m.string and not m.fuzzy}


def translator(language: str) -> Translate:
    messages = catalog(language)
    return lambda text: messages.get(text, text)


def pick_language(asked: str | None, accept_language: str | None, fallback: str) -> str:
    """`lang` from the link first, then the browser's preference, then the company default."""
    if asked in LANGUAGES:
        return asked
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return fallback if fallback in LANGUAGES else DEFAULT_LANGUAGE
