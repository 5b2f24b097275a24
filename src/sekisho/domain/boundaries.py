"""Permissions boundaries: which managed policies may cap a user's or role's permissions.

A boundary is a customer managed policy of the caller's account or an AWS
managed policy (IAM User Guide, "Permissions boundaries for IAM entities");
it is a column of the user or role, not an attachment, so it does not count
against the managed policies quota. Kept apart from `domain.policies` so that
`domain.users` (CreateUser) and the roles family can use it without a cycle.
"""

from __future__ import annotations

from sekisho.domain import aws_managed
from sekisho.errors import NoSuchEntity, PolicyNotAttachable
from sekisho.store import policies as stored
from sekisho.store.sql import Tx


def check_boundary(tx: Tx, account_id: str, policy_arn: str) -> None:
    """Raises unless `policy_arn` can be set as a permissions boundary in the account.

    NoSuchEntity when no such policy is visible to the account (AWS names the
    boundary the "Scope ARN" in this message); PolicyNotAttachable for the
    policies of service-linked roles, which AWS keeps to those roles.
    """
    managed = aws_managed.get(policy_arn)
    if managed is not None:
        if managed.for_service_linked_roles:
            raise PolicyNotAttachable(
                f"Scope ARN: {policy_arn} is a service role policy and cannot be used as a "
                "permissions boundary.")
        return
    record = stored.policy_by_arn(tx, policy_arn)
    if record is None or record.account_id != account_id:
        raise NoSuchEntity(f"Scope ARN: {policy_arn} does not exist or is not attachable.")


def put_user_boundary(tx: Tx, account_id: str, user_id: str, policy_arn: str) -> None:
    check_boundary(tx, account_id, policy_arn)
    stored.set_user_boundary(tx, user_id, policy_arn)
    tx.bump_generation(account_id)


def delete_user_boundary(tx: Tx, account_id: str, user_id: str) -> None:
    # AWS answers success whether or not a boundary was set (DeleteUserPermissionsBoundary
    # lists no error for a user without one).
    stored.set_user_boundary(tx, user_id, None)
    tx.bump_generation(account_id)
