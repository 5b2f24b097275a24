"""IAM roles: create, find, list, update, delete, tag, boundaries, service-linked roles.

Every function runs inside the caller's transaction (`tx`) and raises the
AWS error AWS raises for the same rule; every write bumps the account's
generation so that cached policy decisions see it.

For the other families: `get_role(tx, account_id, name) -> RoleRecord`
(NoSuchEntity with AWS's message), `check_modifiable(role)` (UnmodifiableEntity
for a service-linked role, which PutRolePolicy, AttachRolePolicy, ... must
call), `role_by_arn(tx, arn)` and `record_role_use(tx, role_id, at, region)`
for STS.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sekisho import policy
from sekisho.domain import arns, ids, service_linked, trust_principals
from sekisho.domain.boundaries import check_boundary
from sekisho.domain.pagination import Page, decode_marker, page_of
from sekisho.domain.quotas import DEFAULT_QUOTAS, Quotas, check_count, exceeded
from sekisho.domain.tags import check_tag_count
from sekisho.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    MalformedPolicyDocument,
    NoSuchEntity,
    UnmodifiableEntity,
)
from sekisho.policy.errors import bad_principal
from sekisho.store import instance_profiles as stored_profiles
from sekisho.store import policies as stored_policies
from sekisho.store import roles as stored
from sekisho.store.errors import Conflict
from sekisho.store.records import Tag
from sekisho.store.roles import RoleRecord
from sekisho.store.sql import Tx

__all__ = [
    "DEFAULT_MAX_SESSION_DURATION",
    "RoleRecord",
    "check_modifiable",
    "create_role",
    "create_service_linked_role",
    "delete_permissions_boundary",
    "delete_role",
    "delete_service_linked_role",
    "deletion_status",
    "find_role",
    "get_role",
    "list_roles",
    "not_found",
    "put_permissions_boundary",
    "record_role_use",
    "role_by_arn",
    "role_by_id",
    "tag_role",
    "untag_role",
    "update_description",
    "update_role",
    "update_trust_policy",
]

# "If you do not specify a value for this setting, the default value of one hour is
# applied" (CreateRole, MaxSessionDuration; the model bounds it to 3600-43200).
DEFAULT_MAX_SESSION_DURATION = 3600

_TASK_PREFIX = "task" + service_linked.PATH_PREFIX
SUCCEEDED = "SUCCEEDED"


def not_found(name: str) -> NoSuchEntity:
    return NoSuchEntity(f"The role with name {name} cannot be found.")


def check_modifiable(role: RoleRecord) -> None:
    """Raises UnmodifiableEntity for a service-linked role: only its service changes it.

    The wording is AWS's, as quoted in many public bug reports of tools that
    tried to delete or edit such roles.
    """
    if role.linked_service is not None:
        raise UnmodifiableEntity(f"Cannot perform the operation on the protected role "
                                 f"'{role.name}' - this role is only modifiable by AWS")


def check_trust_policy(tx: Tx, document: str, limits: Quotas = DEFAULT_QUOTAS) -> None:
    """Validates a role trust policy; MalformedPolicyDocument or LimitExceeded.

    The size quota ("Role trust policy length", 2,048 characters by default,
    white space not counted) is reported as AWS reports it:
    `Cannot exceed quota for ACLSizePerRole: 2048`. A principal that names an IAM
    user or role which does not exist is `Invalid principal in policy` (IAM User
    Guide, troubleshooting "Invalid principal in policy"); that check covers the
    accounts this server holds, since it cannot know any other account's users.
    """
    try:
        compiled = policy.parse_policy(document, policy.PolicyKind.TRUST)
    except policy.PolicyParseError as exc:
        raise MalformedPolicyDocument(exc.message) from None
    if compiled.size > limits.assume_role_policy_size:
        raise exceeded("ACLSizePerRole", limits.assume_role_policy_size)
    for statement in compiled.statements:
        for token in sorted(statement.principal.tokens if statement.principal else ()):
            if _names_missing_identity(tx, token):
                raise MalformedPolicyDocument(bad_principal("AWS", token))


def _names_missing_identity(tx: Tx, arn: str) -> bool:
    """True when `arn` is a user or role ARN of an account held here that names nobody.

    Role session and federated user ARNs name sessions, which AWS never checks. Names
    are unique ignoring case, but a principal ARN is compared as written: one that
    differs in case would name nobody when the policy is evaluated."""
    role = arns.parse_iam(arn, "role")
    parsed = role or arns.parse_iam(arn, "user")
    if parsed is None or tx.get_account(parsed[0]) is None:
        return False
    account, path, name = parsed
    found = (stored.role_by_name(tx, account, name) if role
             else tx.user_by_name(account, name))
    return found is None or (found.path, found.name) != (path, name)


def create_role(tx: Tx, account_id: str, name: str, path: str, trust_policy: str,
                description: str | None, max_session_duration: int | None,
                boundary_arn: str | None, tags: Sequence[Tag], now: datetime,
                limits: Quotas = DEFAULT_QUOTAS) -> RoleRecord:
    check_trust_policy(tx, trust_policy, limits)
    check_tag_count((), tags, "Role")
    if boundary_arn is not None:
        check_boundary(tx, account_id, boundary_arn)
    check_count(stored.count_roles(tx, account_id), limits.roles, "Roles")
    role = RoleRecord(ids.unique_id(ids.ROLE), account_id, name, path, trust_policy,
                      max_session_duration or DEFAULT_MAX_SESSION_DURATION, boundary_arn,
                      description, now)
    try:
        stored.insert_role(tx, role)
    except Conflict:
        raise EntityAlreadyExists(f"Role with name {name} already exists.") from None
    tx.put_tags(role.role_id, tags)
    tx.bump_generation(account_id)
    return role


def find_role(tx: Tx, account_id: str, name: str) -> RoleRecord | None:
    """The role of that name (any case), or None."""
    return stored.role_by_name(tx, account_id, name)


def role_by_id(tx: Tx, role_id: str) -> RoleRecord | None:
    return stored.role_by_id(tx, role_id)


def get_role(tx: Tx, account_id: str, name: str) -> RoleRecord:
    """The role of that name (any case); NoSuchEntity `The role with name X cannot be found.`"""
    role = stored.role_by_name(tx, account_id, name)
    if role is None:
        raise not_found(name)
    return role


def role_by_arn(tx: Tx, arn: str) -> RoleRecord | None:
    """The role an ARN (`arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`) names, or None.

    The path in the ARN must be the role's path; the partition is not checked.
    """
    parsed = arns.parse_iam(arn, "role")
    if parsed is None:
        return None
    account, path, name = parsed
    role = stored.role_by_name(tx, account, name)
    if role is None or role.path != path:
        return None
    return role


def list_roles(tx: Tx, account_id: str, path_prefix: str, marker: str | None,
               max_items: int) -> Page[RoleRecord]:
    rows = stored.list_roles(tx, account_id, path_prefix, decode_marker(marker), max_items + 1)
    return page_of(rows, max_items, lambda r: r.name.lower())


def update_role(tx: Tx, account_id: str, name: str, description: str | None,
                max_session_duration: int | None) -> RoleRecord:
    """UpdateRole: either value may be absent; a service-linked role takes neither."""
    role = get_role(tx, account_id, name)
    check_modifiable(role)
    values: dict[str, object] = {}
    if description is not None:
        values["description"] = description
    if max_session_duration is not None:
        values["max_session_duration"] = max_session_duration
    if values:
        stored.update_role(tx, role.role_id, **values)
        tx.bump_generation(account_id)
    return get_role(tx, account_id, name)


def update_description(tx: Tx, account_id: str, name: str, description: str) -> RoleRecord:
    """UpdateRoleDescription; allowed on a service-linked role too (IAM User Guide,
    "Editing a service-linked role description")."""
    role = get_role(tx, account_id, name)
    stored.update_role(tx, role.role_id, description=description)
    tx.bump_generation(account_id)
    return get_role(tx, account_id, name)


def update_trust_policy(tx: Tx, account_id: str, name: str, document: str,
                        limits: Quotas = DEFAULT_QUOTAS) -> None:
    role = get_role(tx, account_id, name)
    check_modifiable(role)
    check_trust_policy(tx, document, limits)
    stored.update_role(tx, role.role_id, trust_policy=document)
    tx.bump_generation(account_id)


def delete_role(tx: Tx, account_id: str, name: str) -> None:
    """Deletes a role that owns nothing more; DeleteConflict with AWS's messages otherwise."""
    role = get_role(tx, account_id, name)
    check_modifiable(role)
    if stored_policies.attached_to(tx, role.role_id):
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    if stored_policies.inline_of(tx, role.role_id):
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    if stored_profiles.profiles_of_role(tx, role.role_id, None, 1):
        raise DeleteConflict("Cannot delete entity, must remove roles from instance profile "
                             "first.")
    stored.delete_role(tx, role.role_id)
    trust_principals.deleted(tx, account_id, f"role{role.path}{role.name}", role.role_id)
    tx.bump_generation(account_id)


def tag_role(tx: Tx, account_id: str, name: str, tags: Sequence[Tag]) -> None:
    role = get_role(tx, account_id, name)
    check_tag_count(tx.tags_of(role.role_id), tags, "Role")
    tx.put_tags(role.role_id, tags)
    tx.bump_generation(account_id)


def untag_role(tx: Tx, account_id: str, name: str, keys: Sequence[str]) -> None:
    role = get_role(tx, account_id, name)
    tx.remove_tags(role.role_id, keys)
    tx.bump_generation(account_id)


def put_permissions_boundary(tx: Tx, account_id: str, name: str, boundary_arn: str) -> None:
    """"You cannot set the boundary for a service-linked role" (PutRolePermissionsBoundary)."""
    role = get_role(tx, account_id, name)
    check_modifiable(role)
    check_boundary(tx, account_id, boundary_arn)
    stored.update_role(tx, role.role_id, permissions_boundary_arn=boundary_arn)
    tx.bump_generation(account_id)


def delete_permissions_boundary(tx: Tx, account_id: str, name: str) -> None:
    role = get_role(tx, account_id, name)
    check_modifiable(role)
    stored.update_role(tx, role.role_id, permissions_boundary_arn=None)
    tx.bump_generation(account_id)


def record_role_use(tx: Tx, role_id: str, at: datetime, region: str) -> None:
    """Notes that the role was assumed (GetRole's RoleLastUsed).

    Not a change to what anyone may do, so the generation is left alone:
    bumping it on every AssumeRole would empty the policy caches for nothing.
    """
    stored.update_role(tx, role_id, last_used_at=at, last_used_region=region)


# --- service-linked roles


def create_service_linked_role(tx: Tx, account_id: str, service: str,
                               custom_suffix: str | None, description: str | None,
                               partition: str, now: datetime,
                               limits: Quotas = DEFAULT_QUOTAS) -> RoleRecord:
    """Creates the service's role with its trust policy and its AWS managed policy attached.

    InvalidInput when the name is taken ("Service role name ... has been taken in this
    account, please try a different suffix.") or the suffix is not allowed.
    """
    linked = service_linked.linked_role(service, custom_suffix, partition)
    check_count(stored.count_roles(tx, account_id), limits.roles, "Roles")
    role = RoleRecord(ids.unique_id(ids.ROLE), account_id, linked.name, linked.path,
                      linked.trust_policy, DEFAULT_MAX_SESSION_DURATION, None, description,
                      now, linked_service=service)
    try:
        stored.insert_role(tx, role)
    except Conflict:
        raise service_linked.taken(linked.name) from None
    for arn in linked.policy_arns:
        stored_policies.attach(tx, account_id, "role", role.role_id, arn, now)
    tx.bump_generation(account_id)
    return role


def delete_service_linked_role(tx: Tx, account_id: str, name: str, now: datetime) -> str:
    """Deletes a service-linked role with its policies; returns the deletion task id,
    `task/aws-service-role/SERVICE/ROLE/UUID` (DeleteServiceLinkedRole).

    The deletion is immediate (no AWS resource can be using the role here), so
    the task is recorded as SUCCEEDED.
    """
    role = get_role(tx, account_id, name)
    if role.linked_service is None:
        # Not confirmed against AWS: the operation's documented errors leave NoSuchEntity.
        raise NoSuchEntity(f"The role with name {name} is not a service-linked role.")
    stored_policies.delete_all_attachments(tx, role.role_id)
    stored_policies.delete_all_inline(tx, role.role_id)
    stored_profiles.clear_role_everywhere(tx, role.role_id)
    stored.delete_role(tx, role.role_id)
    trust_principals.deleted(tx, account_id, f"role{role.path}{role.name}", role.role_id)
    task_id = f"task{role.path}{role.name}/{uuid.uuid4()}"
    stored.insert_deletion_task(tx, account_id, task_id, SUCCEEDED, now)
    tx.bump_generation(account_id)
    return task_id


def deletion_status(tx: Tx, account_id: str, task_id: str) -> str:
    """The status of a deletion task of this account.

    InvalidInput for an id not of the documented form, NoSuchEntity for an
    unknown one (the messages are not confirmed against AWS).
    """
    if not task_id.startswith(_TASK_PREFIX) or task_id.count("/") < 4:
        raise InvalidInput(f"Invalid deletion task id: {task_id}")
    status = stored.deletion_task_status(tx, account_id, task_id)
    if status is None:
        raise NoSuchEntity(f"Deletion task {task_id} cannot be found.")
    return status
