"""Temporary credentials: what a session is, and the sealed token that carries it.

A session token is self-contained: it holds everything a request made with it
needs (who, which account, the temporary secret, issue and expiry time, session
policies, tags, source identity, MFA time), sealed with AES-GCM under a key of
the STS key ring. Checking a temporary credential therefore reads no database
row for the session. The token's associated data is its access key id, so a
token only opens for the `ASIA...` key it was issued with.

    token = base64( b"SK1" | key id (8 bytes) | nonce (12) | AES-GCM(zlib(JSON claims)) )

Rotating the ring (`sekisho keys rotate`) adds a newer sealing key; tokens sealed
under older keys keep opening until they expire (keys are never dropped while
a token they sealed could still be valid: the longest session is 36 hours).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sekisho.domain.secretbox import SecretBox
from sekisho.store import sts_keys
from sekisho.store.changes import ChangeWatch
from sekisho.store.sql import Store, Tx

_MAGIC = b"SK1"
_KEY_ID_BYTES = 8
_OPENED_LIMIT = 4096

# Session kinds, as the policy engine names their principals.
ROLE_SESSION = "role-session"
FEDERATED = "federated"
USER_SESSION = "user"  # GetSessionToken: acts as the user (or root) with session context
ROOT_SESSION = "root"


class TokenInvalid(Exception):
    """The token is not one this server issued (foreign, tampered or truncated)."""


@dataclass(frozen=True)
class SessionClaims:
    """Everything a temporary credential stands for."""

    access_key_id: str
    secret: str = field(repr=False)
    kind: str  # ROLE_SESSION | FEDERATED | USER_SESSION | ROOT_SESSION
    account_id: str
    arn: str  # the principal ARN the session acts as (assumed-role / federated-user / user)
    user_id: str  # AROA...:session, ACCOUNT:name, AIDA..., or the account id for root
    issued_at: int  # epoch seconds
    expires_at: int
    source_arn: str = ""  # the role ARN (role sessions) or the IAM user ARN (others)
    source_id: str = ""  # unique id of the role or user behind the session
    session_name: str = ""
    session_policy: str | None = None
    policy_arns: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None
    mfa_authenticated_at: int | None = None
    chained: bool = False

    def to_json(self) -> bytes:
        data = {k: v for k, v in asdict(self).items() if v not in (None, (), "", False)}
        return json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> SessionClaims:
        data = json.loads(raw)
        for name in ("policy_arns", "transitive_tag_keys"):
            data[name] = tuple(data.get(name, ()))
        data["tags"] = tuple((str(k), str(v)) for k, v in data.get("tags", ()))
        return cls(**data)

    @property
    def issued(self) -> datetime:
        return datetime.fromtimestamp(self.issued_at, UTC)

    @property
    def expires(self) -> datetime:
        return datetime.fromtimestamp(self.expires_at, UTC)


def _key_id(raw: bytes) -> str:
    return raw.hex()


class KeyRing:
    """The STS sealing keys, loaded from the store and reloaded when an unknown key id
    shows up (another node rotated)."""

    def __init__(self, store: Store, box: SecretBox, changes: ChangeWatch) -> None:
        self._store = store
        self._box = box
        self._changes = changes
        self._token: object = None
        self._keys: dict[bytes, AESGCM] = {}
        self._current: bytes | None = None
        self._lock = threading.Lock()
        # Tokens already opened: a client signs many requests with one token, and
        # opening (AES-GCM, zlib, JSON) is most of what temporary credentials cost
        # over long-term keys (bench/sts_bench.py). Only authenticated tokens enter.
        self._opened: dict[tuple[str, str], SessionClaims] = {}

    def _load(self) -> None:
        with self._store.read() as tx:
            records = sts_keys.all_keys(tx)
        keys = {}
        for record in records:
            raw_id = bytes.fromhex(record.key_id)
            material = self._box.open(record.material_sealed, b"sts-key:" + raw_id)
            keys[raw_id] = AESGCM(material)
        with self._lock:
            self._keys = keys
            self._current = bytes.fromhex(records[-1].key_id) if records else None

    def _ensure(self) -> bytes:
        # Another process may have rotated the ring: seal with the newest key it holds.
        token = self._changes.token()
        if self._current is None or token != self._token:
            self._token = token
            self._load()
        if self._current is None:
            with self._store.write() as tx:
                add_key(tx, self._box, datetime.now(UTC))
            self._load()
        if self._current is None:
            raise RuntimeError("the STS key ring is empty after adding a key")
        return self._current

    def seal(self, claims: SessionClaims) -> str:
        key_id = self._ensure()
        nonce = secrets.token_bytes(12)
        body = self._keys[key_id].encrypt(nonce, zlib.compress(claims.to_json(), 9),
                                          claims.access_key_id.encode("ascii"))
        return base64.b64encode(_MAGIC + key_id + nonce + body).decode("ascii")

    def open(self, token: str, access_key_id: str) -> SessionClaims:
        """The claims of `token`, issued for `access_key_id`; TokenInvalid otherwise."""
        opened = self._opened.get((token, access_key_id))
        if opened is not None:
            return opened
        claims = self._open(token, access_key_id)
        if len(self._opened) >= _OPENED_LIMIT:
            self._opened.clear()
        self._opened[(token, access_key_id)] = claims
        return claims

    def _open(self, token: str, access_key_id: str) -> SessionClaims:
        try:
            raw = base64.b64decode(token.encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeError):
            raise TokenInvalid("not base64") from None
        head = len(_MAGIC) + _KEY_ID_BYTES
        if len(raw) < head + 12 + 16 or not raw.startswith(_MAGIC):
            raise TokenInvalid("not a Sekisho session token")
        key_id = raw[len(_MAGIC):head]
        aead = self._keys.get(key_id)
        if aead is None:
            self._load()
            aead = self._keys.get(key_id)
        if aead is None:
            raise TokenInvalid("sealed under an unknown key")
        try:
            packed = aead.decrypt(raw[head:head + 12], raw[head + 12:],
                                  access_key_id.encode("ascii"))
            claims = SessionClaims.from_json(zlib.decompress(packed))
        except (InvalidTag, zlib.error, ValueError, TypeError, KeyError):
            raise TokenInvalid("token failed authentication") from None
        if claims.access_key_id != access_key_id:
            raise TokenInvalid("token belongs to another key")
        return claims


def add_key(tx: Tx, box: SecretBox, now: datetime) -> str:
    """Adds a new sealing key (it becomes the one that seals); returns its id."""
    raw_id = secrets.token_bytes(_KEY_ID_BYTES)
    material = AESGCM.generate_key(bit_length=256)
    sts_keys.insert_key(tx, sts_keys.StsKeyRecord(
        _key_id(raw_id), box.seal(material, b"sts-key:" + raw_id), now))
    return _key_id(raw_id)


# How big the packed session policies and tags may be, as a share of what AWS allows.
# AWS does not publish its packing; this compresses policy, ARNs and tags together and
# allows 2,048 bytes of the result (the size of an unpacked session policy).
PACKED_LIMIT = 2048


def packed_policy_size(policy: str | None, policy_arns: tuple[str, ...],
                       tags: Mapping[str, str]) -> int:
    """The percentage of the packed limit used (over 100: PackedPolicyTooLarge)."""
    if not policy and not policy_arns and not tags:
        return 0
    minified = json.dumps(json.loads(policy), separators=(",", ":")) if policy else ""
    blob = json.dumps([minified, list(policy_arns), sorted(tags.items())],
                      separators=(",", ":")).encode("utf-8")
    size = len(zlib.compress(blob, 9))
    return max(1, -(-size * 100 // PACKED_LIMIT))

