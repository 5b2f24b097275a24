"""The rows Sekisho stores, as small frozen records (no behaviour)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AccountRecord:
    account_id: str
    alias: str | None
    created_at: datetime


@dataclass(frozen=True)
class UserRecord:
    user_id: str
    account_id: str
    name: str
    path: str
    created_at: datetime
    permissions_boundary_arn: str | None = None


@dataclass(frozen=True)
class GroupRecord:
    group_id: str
    account_id: str
    name: str
    path: str
    created_at: datetime


@dataclass(frozen=True)
class AccessKeyRecord:
    access_key_id: str
    account_id: str
    user_id: str | None  # None: the account's root user
    status: str
    secret_sealed: bytes
    created_at: datetime
    last_used_at: datetime | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None


@dataclass(frozen=True)
class Tag:
    key: str
    value: str
