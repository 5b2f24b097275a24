"""Output structures shared by several IAM operations (`User`, `Group`, ...)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sekisho.domain import arns
from sekisho.domain.tags import as_output
from sekisho.store.records import GroupRecord, Tag, UserRecord


def user(partition: str, rec: UserRecord, tags: list[Tag] | None = None,
         password_last_used: datetime | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Path": rec.path,
        "UserName": rec.name,
        "UserId": rec.user_id,
        "Arn": arns.user(partition, rec.account_id, rec.path, rec.name),
        "CreateDate": rec.created_at,
    }
    if password_last_used is not None:
        # Absent while the user never signed in with a password (GetUser, IAM API reference).
        out["PasswordLastUsed"] = password_last_used
    if rec.permissions_boundary_arn:
        out["PermissionsBoundary"] = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                      "PermissionsBoundaryArn": rec.permissions_boundary_arn}
    if tags:
        out["Tags"] = as_output(tags)
    return out


def group(partition: str, rec: GroupRecord) -> dict[str, Any]:
    return {
        "Path": rec.path,
        "GroupName": rec.name,
        "GroupId": rec.group_id,
        "Arn": arns.group(partition, rec.account_id, rec.path, rec.name),
        "CreateDate": rec.created_at,
    }
