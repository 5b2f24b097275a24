"""Secrets at rest: AES-GCM under a master key kept outside the database.

The master key file holds 32 random bytes, hex-encoded. Each sealed value is
`version(1) || key id(4) || nonce(12) || ciphertext+tag`; the key id lets a
rotated master key ring open values sealed under older keys. The associated
data binds a ciphertext to the row it belongs to (for example the access key
id), so a ciphertext copied onto another row does not open.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"


class SecretBoxError(Exception):
    """A sealed value could not be opened (wrong key, tampered, or unknown key id)."""


@dataclass(frozen=True)
class MasterKey:
    material: bytes = field(repr=False)

    @property
    def key_id(self) -> bytes:
        return hashlib.sha256(b"sekisho-master-key-id" + self.material).digest()[:4]


class SecretBox:
    """Seals with the newest master key; opens with any key of the ring."""

    def __init__(self, keys: list[MasterKey]) -> None:
        if not keys:
            raise ValueError("a secret box needs at least one master key")
        self._current = keys[-1]
        self._by_id = {k.key_id: AESGCM(k.material) for k in keys}

    def seal(self, plaintext: bytes, associated: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        sealed = self._by_id[self._current.key_id].encrypt(nonce, plaintext, associated)
        return _VERSION + self._current.key_id + nonce + sealed

    def open(self, sealed: bytes, associated: bytes) -> bytes:
        if len(sealed) < 1 + 4 + 12 + 16 or sealed[:1] != _VERSION:
            raise SecretBoxError("unknown sealed format")
        aead = self._by_id.get(sealed[1:5])
        if aead is None:
            raise SecretBoxError("sealed under an unknown master key")
        try:
            return aead.decrypt(sealed[5:17], sealed[17:], associated)
        except InvalidTag:
            raise SecretBoxError("sealed value failed authentication") from None


def load_or_create_master_keys(path: Path) -> list[MasterKey]:
    """The key ring in `path` (one hex key a line, newest last), created 0600 if absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    keys = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            material = bytes.fromhex(line)
            if len(material) != 32:
                raise ValueError(f"{path}: master keys are 32 bytes (64 hex digits)")
            keys.append(MasterKey(material))
    if not keys:
        raise ValueError(f"{path}: no master key")
    return keys
