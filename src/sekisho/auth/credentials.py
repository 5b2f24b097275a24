"""From an access key id to the secret that signs with it and the caller it stands for.

Lookups are cached in the process and the whole cache is dropped whenever the
store's change token moves, so deactivating or deleting a key takes effect on
the next request, in every worker, without a table read on the warm path.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sekisho.domain import arns, sessions
from sekisho.domain.access_keys import open_secret
from sekisho.domain.authorization import invalid_token
from sekisho.domain.principal import Caller
from sekisho.domain.secretbox import SecretBox
from sekisho.errors import ExpiredToken
from sekisho.store.changes import ChangeWatch
from sekisho.store.sql import Store


@dataclass(frozen=True)
class KeyEntry:
    caller: Caller
    active: bool
    secret: str = field(repr=False)
    # An unknown key accepted in emulator mode (sekisho.domain.emulator): no key row exists.
    emulated: bool = False


def expired_token() -> ExpiredToken:
    return ExpiredToken("The security token included in the request is expired")


def caller_of_session(claims: sessions.SessionClaims) -> Caller:
    if claims.kind == sessions.ROLE_SESSION:
        return Caller("role-session", claims.account_id, claims.arn, claims.user_id,
                      claims.access_key_id, session=claims)
    if claims.kind == sessions.FEDERATED:
        return Caller("federated", claims.account_id, claims.arn, claims.user_id,
                      claims.access_key_id, session=claims)
    if claims.kind == sessions.ROOT_SESSION:
        return Caller("root", claims.account_id, claims.arn, claims.user_id,
                      claims.access_key_id, session=claims)
    name = claims.arn.rsplit("/", 1)[-1]
    return Caller("user", claims.account_id, claims.arn, claims.user_id, claims.access_key_id,
                  name, session=claims)


class CredentialResolver:
    def __init__(self, store: Store, box: SecretBox, changes: ChangeWatch, partition: str,
                 ring: sessions.KeyRing) -> None:
        self._ring = ring
        self._store = store
        self._box = box
        self._changes = changes
        self._partition = partition
        self._cache: dict[str, KeyEntry | None] = {}
        self._token: object = None
        self._lock = threading.Lock()

    def lookup(self, access_key_id: str) -> KeyEntry | None:
        """The key's entry, or None if no such key exists."""
        token = self._changes.token()
        with self._lock:
            if token != self._token:
                self._cache.clear()
                self._token = token
            if access_key_id in self._cache:
                return self._cache[access_key_id]
        entry = self._load(access_key_id)
        with self._lock:
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[access_key_id] = entry
        return entry

    def temporary(self, access_key_id: str, token: str | None, now: datetime,
                  service: str) -> KeyEntry:
        """The session behind temporary credentials; reads no row for the session itself."""
        if not token or not access_key_id.startswith("ASIA"):
            raise invalid_token(service)
        try:
            claims = self._ring.open(token, access_key_id)
        except sessions.TokenInvalid:
            raise invalid_token(service) from None
        if now.timestamp() >= claims.expires_at:
            raise expired_token()
        return KeyEntry(caller_of_session(claims), True, claims.secret)

    def _load(self, access_key_id: str) -> KeyEntry | None:
        with self._store.read() as tx:
            key = tx.access_key(access_key_id)
            if key is None:
                return None
            if key.user_id is None:
                caller = Caller("root", key.account_id, arns.root(self._partition, key.account_id),
                                key.account_id, access_key_id)
            else:
                user = tx.user_by_id(key.user_id)
                if user is None:
                    return None
                caller = Caller("user", key.account_id,
                                arns.user(self._partition, key.account_id, user.path, user.name),
                                user.user_id, access_key_id, user.name, user.path)
        return KeyEntry(caller, key.status == "Active", open_secret(self._box, key))


class LastUsedRecorder:
    """Decides when a key's last use must be written: at most once per interval per key,
    and at once when the service or region changes (AWS reports last use with a delay too)."""

    def __init__(self, interval: timedelta) -> None:
        self._interval = interval
        self._seen: dict[str, tuple[datetime, str, str]] = {}
        self._lock = threading.Lock()

    def due(self, access_key_id: str, at: datetime, service: str, region: str) -> bool:
        with self._lock:
            last = self._seen.get(access_key_id)
            if (last is not None and last[1] == service and last[2] == region
                    and at - last[0] < self._interval):
                return False
            self._seen[access_key_id] = (at, service, region)
            return True
