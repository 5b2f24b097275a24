"""SigV4 signing keys: derivation and a small bounded cache.

A SigV4 signing key is four chained HMAC-SHA256 steps over the secret access
key, the scope date, the region and the service
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
It changes once a day per (secret, region, service), so a server that sees the
same callers again and again derives it once and keeps it.

Nothing here logs or shows a secret: `SigningKeyCache.__repr__` reports only
its size, and keys never leave the process.
"""

from __future__ import annotations

import hmac
import threading
from collections import OrderedDict

__all__ = ["SigningKeyCache", "derive_signing_key"]

_TERMINATOR = b"aws4_request"


def derive_signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """Return the 32-byte signing key for one credential scope.

    `date` is the scope's `YYYYMMDD`. Scope parts are taken byte for byte as
    the caller sent them (Latin-1 round trip), so an odd region or service
    simply derives a key that matches no honest signature. Raises nothing.
    """
    k_date = hmac.digest(
        b"AWS4" + secret_access_key.encode("utf-8"), date.encode("latin-1", "replace"), "sha256"
    )
    k_region = hmac.digest(k_date, region.encode("latin-1", "replace"), "sha256")
    k_service = hmac.digest(k_region, service.encode("latin-1", "replace"), "sha256")
    return hmac.digest(k_service, _TERMINATOR, "sha256")


class SigningKeyCache:
    """A least-recently-used cache of derived signing keys.

    Keyed by (secret, date, region, service) and bounded to `maxsize`
    entries. A lock makes `get` safe from several threads, which is more than
    one event loop needs; it costs well under a microsecond.
    """

    __slots__ = ("_entries", "_lock", "_maxsize")

    def __init__(self, maxsize: int = 4096) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._maxsize = maxsize
        self._entries: OrderedDict[tuple[str, str, str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, secret_access_key: str, date: str, region: str, service: str) -> bytes:
        """Return the signing key for the scope, deriving and keeping it on a miss."""
        cache_key = (secret_access_key, date, region, service)
        with self._lock:
            found = self._entries.get(cache_key)
            if found is not None:
                self._entries.move_to_end(cache_key)
                return found
        derived = derive_signing_key(secret_access_key, date, region, service)
        with self._lock:
            self._entries[cache_key] = derived
            self._entries.move_to_end(cache_key)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
        return derived

    def clear(self) -> None:
        """Forget every key (for example after a secret is rotated or deleted)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"SigningKeyCache(size={len(self._entries)}, maxsize={self._maxsize})"
