"""PURE slug rules: lower case ASCII with hyphens, at least 5 characters."""

import re
import secrets
import string
import unicodedata

MIN_LENGTH = 5
MAX_LENGTH = 60
_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_VALID = re.compile(PATTERN)
#: first path segments the app serves itself (`/oauth/...`): a user slug must not take one,
#: or the app's routes would shadow that user's booking URLs
RESERVED = frozenset({"oauth"})
_TRANSLITERATE = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d"})


def slugify(text: str, *, pad: str = "user") -> str:
    """`"Jürgen Groß"` → `"jurgen-gross"`; too short results are padded with `pad` (if any)."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATE))
    ascii_text = folded.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:MAX_LENGTH].strip("-")
    if not pad:
        return slug
    if len(slug) < MIN_LENGTH or slug in RESERVED:
        slug = f"{slug}-{pad}".strip("-") if slug else pad
    while len(slug) < MIN_LENGTH:
        slug += secrets.choice(_SUFFIX_ALPHABET)
    return slug


def with_suffix(slug: str) -> str:
    """A collision-avoiding variant: `john-smith` → `john-smith-k3x9`."""
    suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(4))
    return f"{slug[: MAX_LENGTH - 5]}-{suffix}"


def is_valid(slug: str) -> bool:
    return (
        MIN_LENGTH <= len(slug) <= MAX_LENGTH
        and _VALID.match(slug) is not None
        and slug not in RESERVED
    )
