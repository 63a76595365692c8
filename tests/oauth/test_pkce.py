"""The pure OAuth rules: PKCE S256 (RFC 7636's own example) and redirect URIs."""

import pytest

from slotwise.oauth.pkce import redirect_uri_problem, s256, verifier_matches


def test_s256_matches_rfc_7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert verifier_matches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert not verifier_matches("short", s256("short"))
    assert not verifier_matches(None, s256(verifier))


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("https://app.example/cb", None),
        ("http://127.0.0.1:8999/cb", None),
        ("http://[::1]/cb", None),
        ("http://app.example/cb", "Must be https (http only on a loopback address)"),
        ("https://app.example/cb#x", "Must not have a fragment"),
        ("https://>]E`ea?TIF", "Must be a valid URL"),
        ("https://x:99999/", "Must be a valid URL"),
        ("https:///cb", "Must be an absolute URL"),
    ],
)
def test_redirect_uris(uri: str, problem: str | None) -> None:
    assert redirect_uri_problem(uri) == problem
