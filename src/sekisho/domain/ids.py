"""Unique ids, access key ids and secrets in AWS's formats.

Unique ids are 21 characters: a four-letter prefix naming the kind of entity
(`AIDA` user, `AROA` role, `AGPA` group, `ANPA` policy, `AIPA` instance
profile, ...) and 17 characters of base32. Access key ids are `AKIA` (long
term) or `ASIA` (temporary) followed by 16 base32 characters that encode the
owning account, so `GetAccessKeyInfo` needs no lookup: the ten bytes behind
the prefix hold the account id in bits 46..7 of their first six bytes, the
layout AWS uses for its own key ids.
"""

from __future__ import annotations

import base64
import itertools
import re
import secrets
import string
from typing import Final

USER: Final = "AIDA"
ROLE: Final = "AROA"
GROUP: Final = "AGPA"
POLICY: Final = "ANPA"
INSTANCE_PROFILE: Final = "AIPA"
LONG_TERM_KEY: Final = "AKIA"
TEMPORARY_KEY: Final = "ASIA"

_ACCOUNT_MASK: Final = 0x7FFFFFFFFF80
_KEY_ID = re.compile(r"^(AKIA|ASIA)[A-Z2-7]{16}$")
_SECRET_ALPHABET: Final = string.ascii_letters + string.digits + "+/"


def _base32(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def unique_id(prefix: str) -> str:
    return prefix + _base32(secrets.token_bytes(11))[:17]


def new_account_id() -> str:
    # AWS account ids are 12 digits and never start with 0 in practice.
    return str(secrets.randbelow(9 * 10**11) + 10**11)


def access_key_id(prefix: str, account_id: str) -> str:
    account = int(account_id)
    head = (account << 7) | secrets.randbelow(128)
    if secrets.randbelow(2):
        head |= 1 << 47
    raw = head.to_bytes(6, "big") + secrets.token_bytes(4)
    return prefix + _base32(raw)


def account_of_key_id(key_id: str) -> str | None:
    """The 12-digit account encoded in an access key id, or None if it is not one."""
    if not _KEY_ID.match(key_id):
        return None
    raw = base64.b32decode(key_id[4:])
    head = int.from_bytes(raw[:6], "big")
    return f"{(head & _ACCOUNT_MASK) >> 7:012d}"


def secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


# Request ids need to be unique, not secret: a random per-process prefix and a
# counter make them unique across workers without a system call per request.
_REQUEST_PREFIX = secrets.token_hex(10)
_REQUEST_COUNTER = itertools.count()


def request_id() -> str:
    """A UUID-shaped id, unique per request across processes."""
    tail = f"{_REQUEST_PREFIX[8:]}{next(_REQUEST_COUNTER) & 0xFFFFFFFFFFFF:012x}"
    return (f"{_REQUEST_PREFIX[:8]}-{tail[:4]}-{tail[4:8]}-{tail[8:12]}-{tail[12:]}")
