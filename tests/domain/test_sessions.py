"""Sealed session tokens: self-contained, bound to their key id, expiring on time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sekisho.auth.credentials import CredentialResolver
from sekisho.domain import sessions
from sekisho.domain.secretbox import MasterKey, SecretBox
from sekisho.errors import ExpiredToken, InvalidClientTokenId
from sekisho.store.changes import change_watch_for
from sekisho.store.database import migrate, open_engine
from sekisho.store.sql import Store

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
KEY = "ASIAAAAAAAAAAAAAAAAA"


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[sessions.KeyRing, CredentialResolver]]:
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    store = Store(engine)
    box = SecretBox([MasterKey(b"m" * 32)])
    changes = change_watch_for(engine)
    ring = sessions.KeyRing(store, box, changes)
    yield ring, CredentialResolver(store, box, changes, "aws", ring)
    engine.dispose()


def claims(expires: datetime) -> sessions.SessionClaims:
    return sessions.SessionClaims(
        access_key_id=KEY, secret="s" * 40, kind=sessions.FEDERATED, account_id="123456789012",
        arn="arn:aws:sts::123456789012:federated-user/bob", user_id="123456789012:bob",
        issued_at=int(T0.timestamp()), expires_at=int(expires.timestamp()),
        session_policy='{"Version":"2012-10-17"}', tags=(("team", "red"),))


def test_claims_roundtrip_through_the_token(parts: tuple[sessions.KeyRing, CredentialResolver]
                                            ) -> None:
    ring, _ = parts
    original = claims(T0 + timedelta(hours=1))
    assert ring.open(ring.seal(original), KEY) == original


def test_token_is_valid_until_the_second_before_expiry(
        parts: tuple[sessions.KeyRing, CredentialResolver]) -> None:
    ring, resolver = parts
    token = ring.seal(claims(T0 + timedelta(hours=1)))
    entry = resolver.temporary(KEY, token, T0 + timedelta(minutes=59, seconds=59), "sts")
    assert entry.caller.type == "federated" and entry.secret == "s" * 40
    with pytest.raises(ExpiredToken) as exc:
        resolver.temporary(KEY, token, T0 + timedelta(hours=1), "sts")
    assert exc.value.message == "The security token included in the request is expired"


def test_token_does_not_open_for_another_key_id(
        parts: tuple[sessions.KeyRing, CredentialResolver]) -> None:
    ring, resolver = parts
    token = ring.seal(claims(T0 + timedelta(hours=1)))
    with pytest.raises(InvalidClientTokenId):
        resolver.temporary("ASIABBBBBBBBBBBBBBBB", token, T0, "sts")


@pytest.mark.parametrize("cut", [1, 10, 30, 60])
def test_truncated_token_is_invalid(parts: tuple[sessions.KeyRing, CredentialResolver],
                                    cut: int) -> None:
    ring, resolver = parts
    token = ring.seal(claims(T0 + timedelta(hours=1)))
    with pytest.raises(InvalidClientTokenId):
        resolver.temporary(KEY, token[:-cut], T0, "sts")


def test_token_reveals_nothing_in_clear(parts: tuple[sessions.KeyRing, CredentialResolver]
                                        ) -> None:
    import base64

    ring, _ = parts
    raw = base64.b64decode(ring.seal(claims(T0 + timedelta(hours=1))))
    assert b"federated-user" not in raw and b"s" * 40 not in raw


def test_claims_repr_hides_the_secret() -> None:
    assert "s" * 40 not in repr(claims(T0))
