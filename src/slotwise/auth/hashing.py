"""argon2id hashing of credential secrets, with the cost profile taken from the settings."""

from typing import Literal

from argon2 import PasswordHasher, profiles

Profile = Literal["rfc9106", "cheapest"]


def build_hasher(profile: Profile) -> PasswordHasher:
    """RFC 9106's low-memory profile in production; the cheapest one only for tests."""
    parameters = profiles.CHEAPEST if profile == "cheapest" else profiles.RFC_9106_LOW_MEMORY
    return PasswordHasher.from_parameters(parameters)
