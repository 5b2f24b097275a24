"""Signing-key derivation and the bounded key cache."""

from __future__ import annotations

import pytest

from sekisho.auth.signing_keys import SigningKeyCache, derive_signing_key

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

# The derived keys printed in the AWS documentation's signing-key examples.
DOCUMENTED_KEYS = [
    (
        "20120215",
        "us-east-1",
        "iam",
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d",
    ),
    (
        "20150830",
        "us-east-1",
        "iam",
        "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
    ),
]


@pytest.mark.parametrize(("date", "region", "service", "expected"), DOCUMENTED_KEYS)
def test_derived_key_matches_aws_documentation(
    date: str, region: str, service: str, expected: str
) -> None:
    assert derive_signing_key(SECRET, date, region, service).hex() == expected


def test_cache_returns_the_derived_key() -> None:
    cache = SigningKeyCache()
    assert cache.get(SECRET, "20150830", "us-east-1", "iam") == derive_signing_key(
        SECRET, "20150830", "us-east-1", "iam"
    )


def test_cache_keeps_one_entry_per_scope() -> None:
    cache = SigningKeyCache()
    for _ in range(3):
        cache.get(SECRET, "20150830", "us-east-1", "iam")
    cache.get(SECRET, "20150830", "us-east-1", "sts")
    assert len(cache) == 2


def test_cache_evicts_least_recently_used() -> None:
    cache = SigningKeyCache(maxsize=2)
    cache.get("a", "20150830", "us-east-1", "iam")
    cache.get("b", "20150830", "us-east-1", "iam")
    cache.get("a", "20150830", "us-east-1", "iam")
    cache.get("c", "20150830", "us-east-1", "iam")
    assert len(cache) == 2
    assert ("b", "20150830", "us-east-1", "iam") not in cache._entries
    assert ("a", "20150830", "us-east-1", "iam") in cache._entries


def test_cache_clear_forgets_everything() -> None:
    cache = SigningKeyCache()
    cache.get(SECRET, "20150830", "us-east-1", "iam")
    cache.clear()
    assert len(cache) == 0


def test_cache_repr_never_shows_a_secret_or_key() -> None:
    cache = SigningKeyCache(maxsize=8)
    key = cache.get(SECRET, "20150830", "us-east-1", "iam")
    text = repr(cache) + str(cache)
    assert SECRET not in text
    assert key.hex() not in text
    assert text.startswith("SigningKeyCache(size=1, maxsize=8)")


def test_cache_needs_room_for_one_key() -> None:
    with pytest.raises(ValueError):
        SigningKeyCache(maxsize=0)
