"""Trust policies keep naming the user or role they named when it was saved.

IAM stores a trust policy's user and role principals by their unique ids and
shows them as ARNs (IAM User Guide, "AWS JSON policy elements: Principal"): a
renamed user is shown under its new ARN, and once the user or role is deleted the
policy shows its unique id (`AIDA...`, `AROA...`), which nobody matches, so a new
user or role made with the same name is not trusted. Sekisho stores the ARNs as
sent and applies the same changes when they happen:

    renamed(tx, account_id, "user/team/alice", "user/bob")     # UpdateUser
    deleted(tx, account_id, "role/deploy", "AROAEXAMPLEID123456")   # DeleteRole
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sekisho.domain import arns
from sekisho.store import roles as stored
from sekisho.store.sql import Tx


def renamed(tx: Tx, account_id: str, old_resource: str, new_resource: str) -> None:
    """A user was renamed or moved: its principal ARNs follow it (partition kept)."""
    _retarget(tx, account_id, old_resource,
              lambda arn: arn[:len(arn) - len(old_resource)] + new_resource)


def deleted(tx: Tx, account_id: str, resource: str, unique_id: str) -> None:
    """A user or role was deleted: its principal ARNs become its unique id."""
    _retarget(tx, account_id, resource, lambda _arn: unique_id)


def _retarget(tx: Tx, account_id: str, resource: str, new: Callable[[str], str]) -> None:
    """Rewrites, in every trust policy of every account, each principal ARN of
    `account_id`'s `resource` (`user/PATH/NAME` or `role/PATH/NAME`) as `new(arn)`."""
    for role in stored.roles_mentioning(tx, f":iam::{account_id}:{resource}"):
        document = json.loads(role.trust_policy)
        if _replace(document, account_id, resource, new):
            stored.update_role(tx, role.role_id, trust_policy=json.dumps(document))
            tx.bump_generation(role.account_id)


def _replace(document: Any, account_id: str, resource: str,
             new: Callable[[str], str]) -> bool:
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    changed = False
    for statement in statements if isinstance(statements, list) else ():
        for element in ("Principal", "NotPrincipal"):
            principal = statement.get(element) if isinstance(statement, dict) else None
            if not isinstance(principal, dict) or "AWS" not in principal:
                continue
            values = principal["AWS"]
            listed = values if isinstance(values, list) else [values]
            rewritten = [new(v) if _names(v, account_id, resource) else v for v in listed]
            if rewritten != listed:
                principal["AWS"] = rewritten if isinstance(values, list) else rewritten[0]
                changed = True
    return changed


def _names(value: Any, account_id: str, resource: str) -> bool:
    kind, _, _ = resource.partition("/")
    parsed = arns.parse_iam(value, kind) if isinstance(value, str) else None
    return parsed is not None and (parsed[0], f"{kind}{parsed[1]}{parsed[2]}") == (
        account_id, resource)
