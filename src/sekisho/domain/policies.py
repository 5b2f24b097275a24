"""Managed policies: customer managed policies and their versions, AWS managed policies,
and their attachment to users, groups and roles.

Every function runs inside the caller's transaction (`tx`) and raises the AWS
error AWS raises for the same rule; every write bumps the account's generation
so that cached policy decisions see it. A policy is named by its ARN: a
customer managed policy of the caller's account (`arn:aws:iam::ACCOUNT:policy/
PATH/NAME`, a row) or an AWS managed policy (`arn:aws:iam::aws:policy/...`,
data from `sekisho.domain.aws_managed`, read-only to accounts).

For the enforcement code: `document_of(tx, policy_arn)` gives the default
version's document of either kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sekisho import policy
from sekisho.domain import arns, aws_managed, groups, ids, roles, users
from sekisho.domain.pagination import Page, decode_marker, page_of
from sekisho.domain.quotas import DEFAULT_QUOTAS, Quotas, exceeded
from sekisho.domain.tags import check_tag_count
from sekisho.errors import (
    AccessDenied,
    ConcurrentModification,
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    PolicyNotAttachable,
)
from sekisho.store import policies as stored
from sekisho.store.errors import Conflict
from sekisho.store.policies import EntityRef, ManagedPolicyRecord, PolicyVersionRecord
from sekisho.store.records import Tag
from sekisho.store.sql import Tx

T = TypeVar("T")

# "PoliciesPerUser" etc.: the names AWS's LimitExceeded message gives the quota of
# managed policies attached to one entity.
_ATTACH_QUOTA_NAMES = {"user": "PoliciesPerUser", "group": "PoliciesPerGroup",
                       "role": "PoliciesPerRole"}

CONCURRENT_MESSAGE = ("The request was rejected because multiple requests to change this "
                      "object were submitted simultaneously. Wait a few minutes and submit "
                      "your request again.")


# --- errors with AWS's wording


def not_found(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"Policy {arn} was not found.")


def not_attachable(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")


def version_not_found(arn: str, version_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"Policy {arn} version {version_id} does not exist or is not "
                        "attachable.")


# --- the entities policies are attached to


@dataclass(frozen=True)
class Entity:
    kind: str  # user | group | role
    entity_id: str
    name: str
    path: str
    service_linked: bool = False


def user_entity(tx: Tx, account_id: str, name: str) -> Entity:
    user = users.get_user(tx, account_id, name)
    return Entity("user", user.user_id, user.name, user.path)


def group_entity(tx: Tx, account_id: str, name: str) -> Entity:
    group = groups.get_group(tx, account_id, name)
    return Entity("group", group.group_id, group.name, group.path)


def role_entity(tx: Tx, account_id: str, name: str, *, modifying: bool = False) -> Entity:
    """The role; with `modifying`, UnmodifiableEntity for a service-linked role."""
    role = roles.get_role(tx, account_id, name)
    if modifying:
        roles.check_modifiable(role)
    return Entity("role", role.role_id, role.name, role.path, role.linked_service is not None)


# --- documents


def check_document(document: str) -> int:
    """Validates an identity policy; returns its size as IAM counts it (MalformedPolicyDocument)."""
    try:
        compiled = policy.parse_policy(document, policy.PolicyKind.IDENTITY)
    except policy.PolicyParseError as exc:
        raise MalformedPolicyDocument(exc.message) from None
    return compiled.size


def _check_managed_document(document: str, limits: Quotas) -> None:
    if check_document(document) > limits.policy_size:
        raise exceeded("PolicySize", limits.policy_size)


def document_of(tx: Tx, policy_arn: str) -> str | None:
    """The default version's document of a customer managed or AWS managed policy, or None."""
    managed = aws_managed.get(policy_arn)
    if managed is not None:
        return managed.document
    record = stored.policy_by_arn(tx, policy_arn)
    if record is None:
        return None
    version = stored.version(tx, record.policy_id, record.default_version_id)
    return None if version is None else version.document


# --- what GetPolicy and ListPolicies describe


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    path: str
    arn: str
    policy_id: str
    default_version_id: str
    description: str | None
    created_at: datetime
    updated_at: datetime
    aws_managed: bool
    attachment_count: int
    boundary_usage_count: int


def _local_info(rec: ManagedPolicyRecord, attached: dict[str, int],
                bounded: dict[str, int]) -> PolicyInfo:
    return PolicyInfo(rec.name, rec.path, rec.arn, rec.policy_id, rec.default_version_id,
                      rec.description, rec.created_at, rec.updated_at, False,
                      attached.get(rec.arn, 0), bounded.get(rec.arn, 0))


def _aws_info(p: aws_managed.AwsManagedPolicy, attached: dict[str, int],
              bounded: dict[str, int]) -> PolicyInfo:
    return PolicyInfo(p.name, p.path, p.arn, p.policy_id, p.default_version_id, None,
                      p.created_at, p.updated_at, True, attached.get(p.arn, 0),
                      bounded.get(p.arn, 0))


def _local(tx: Tx, account_id: str, arn: str) -> ManagedPolicyRecord | None:
    record = stored.policy_by_arn(tx, arn)
    return record if record is not None and record.account_id == account_id else None


def _customer_policy(tx: Tx, account_id: str, arn: str, action: str,
                     caller_arn: str) -> ManagedPolicyRecord:
    """The customer managed policy to change; AWS managed policies are AWS's alone.

    AWS answers a change to one of its policies as any cross-account write with no
    resource-based policy to allow it: AccessDenied.
    """
    if aws_managed.get(arn) is not None:
        raise AccessDenied(f"User: {caller_arn} is not authorized to perform: {action} on "
                           f"resource: policy {arn} because no resource-based policy allows "
                           f"the {action} action")
    record = _local(tx, account_id, arn)
    if record is None:
        raise not_found(arn)
    return record


def _paged(items: Iterable[T], key: Callable[[T], str], marker: str | None,
           max_items: int) -> Page[T]:
    after = decode_marker(marker)
    rows = sorted(items, key=key)
    if after is not None:
        rows = [r for r in rows if key(r) > after]
    return page_of(rows[:max_items + 1], max_items, key)


# --- managed policies


def create_policy(tx: Tx, partition: str, account_id: str, name: str, path: str,
                  document: str, description: str | None, tags: Sequence[Tag], now: datetime,
                  limits: Quotas = DEFAULT_QUOTAS) -> ManagedPolicyRecord:
    """MalformedPolicyDocument, LimitExceeded (size, count, tags), EntityAlreadyExists."""
    _check_managed_document(document, limits)
    check_tag_count((), tags, "Policy")
    if stored.count_policies(tx, account_id) >= limits.policies:
        raise exceeded("Policies", limits.policies)
    record = ManagedPolicyRecord(ids.unique_id(ids.POLICY), account_id, name, path,
                                 arns.policy(partition, account_id, path, name), description,
                                 "v1", "2", now, now)
    try:
        stored.insert_policy(tx, record, document)
    except Conflict:
        raise EntityAlreadyExists(f"A policy called {name} already exists. Duplicate names "
                                  "are not allowed.") from None
    tx.put_tags(record.policy_id, tags)
    tx.bump_generation(account_id)
    return record


def get_policy(tx: Tx, account_id: str, arn: str) -> PolicyInfo:
    attached = {arn: stored.attachment_count(tx, account_id, arn)}
    bounded = stored.boundary_counts(tx, account_id)
    managed = aws_managed.get(arn)
    if managed is not None:
        return _aws_info(managed, attached, bounded)
    record = _local(tx, account_id, arn)
    if record is None:
        raise not_found(arn)
    return _local_info(record, attached, bounded)


def policy_tags(tx: Tx, account_id: str, arn: str) -> list[Tag]:
    """Tags of a customer managed policy; AWS managed policies carry none for accounts."""
    if aws_managed.get(arn) is not None:
        return []
    record = _local(tx, account_id, arn)
    if record is None:
        raise not_found(arn)
    return tx.tags_of(record.policy_id)


def list_policies(tx: Tx, account_id: str, scope: str, only_attached: bool, path_prefix: str,
                  usage: str | None, marker: str | None, max_items: int) -> Page[PolicyInfo]:
    """ListPolicies, sorted by name (ignoring case) across AWS and local policies.

    `usage` keeps the policies the account uses that way: `PermissionsPolicy`
    (attached to a user, group or role) or `PermissionsBoundary` (some user's or
    role's boundary); `only_attached` keeps policies in use.
    """
    attached = stored.attachment_counts(tx, account_id)
    bounded = stored.boundary_counts(tx, account_id)
    found: list[PolicyInfo] = []
    if scope in ("All", "AWS"):
        found += [_aws_info(p, attached, bounded) for p in aws_managed.all()
                  if p.path.startswith(path_prefix)]
    if scope in ("All", "Local"):
        found += [_local_info(r, attached, bounded)
                  for r in stored.list_policies(tx, account_id, path_prefix)]
    if usage == "PermissionsPolicy" or (only_attached and usage is None):
        found = [p for p in found if p.attachment_count]
    elif usage == "PermissionsBoundary":
        found = [p for p in found if p.boundary_usage_count]
    return _paged(found, lambda p: f"{p.name.lower()} {p.arn}", marker, max_items)


def delete_policy(tx: Tx, account_id: str, arn: str, caller_arn: str) -> None:
    """DeleteConflict while attached or while versions other than the default remain."""
    record = _customer_policy(tx, account_id, arn, "iam:DeletePolicy", caller_arn)
    if stored.attachment_count(tx, account_id, arn):
        raise DeleteConflict("Cannot delete a policy attached to entities.")
    if len(stored.versions(tx, record.policy_id)) > 1:
        raise DeleteConflict("This policy has more than one version. Before you delete a "
                             "policy, you must delete the policy's versions. The default "
                             "version is deleted with the policy.")
    stored.delete_policy(tx, record.policy_id)
    stored.delete_policy_tags(tx, record.policy_id)
    tx.bump_generation(account_id)


def tag_policy(tx: Tx, account_id: str, arn: str, tags: Sequence[Tag], caller_arn: str) -> None:
    record = _customer_policy(tx, account_id, arn, "iam:TagPolicy", caller_arn)
    check_tag_count(tx.tags_of(record.policy_id), tags, "Policy")
    tx.put_tags(record.policy_id, tags)
    tx.bump_generation(account_id)


def untag_policy(tx: Tx, account_id: str, arn: str, keys: Sequence[str],
                 caller_arn: str) -> None:
    record = _customer_policy(tx, account_id, arn, "iam:UntagPolicy", caller_arn)
    tx.remove_tags(record.policy_id, keys)
    tx.bump_generation(account_id)


# --- versions


@dataclass(frozen=True)
class VersionInfo:
    version_id: str
    document: str
    created_at: datetime
    is_default: bool


def _version_number(version_id: str) -> int:
    return int(version_id[1:]) if version_id[1:].isdigit() else 0


def create_version(tx: Tx, account_id: str, arn: str, document: str, set_as_default: bool,
                   now: datetime, caller_arn: str, limits: Quotas = DEFAULT_QUOTAS) -> VersionInfo:
    """Adds version `v{n}` (ids never reused); LimitExceeded at the versions quota."""
    _check_managed_document(document, limits)
    for _ in range(3):
        record = _customer_policy(tx, account_id, arn, "iam:CreatePolicyVersion", caller_arn)
        if len(stored.versions(tx, record.policy_id)) >= limits.versions_per_policy:
            raise LimitExceeded(f"A managed policy can have up to "
                                f"{limits.versions_per_policy} versions. Before you create a "
                                "new version, you must delete an existing version.")
        number = int(record.next_version)
        # Claiming the number first serializes concurrent creates (the loser re-reads).
        if stored.claim_version_number(tx, record.policy_id, record.next_version,
                                       str(number + 1)):
            break
    else:
        raise ConcurrentModification(CONCURRENT_MESSAGE)
    version = PolicyVersionRecord(record.policy_id, f"v{number}", document, now)
    stored.insert_version(tx, version)
    # UpdateDate is when the most recent version was created (Policy data type).
    values: dict[str, object] = {"updated_at": now}
    if set_as_default:
        values["default_version_id"] = version.version_id
    stored.update_policy(tx, record.policy_id, **values)
    tx.bump_generation(account_id)
    return VersionInfo(version.version_id, document, now, set_as_default)


def list_versions(tx: Tx, account_id: str, arn: str, marker: str | None,
                  max_items: int) -> Page[VersionInfo]:
    """Newest first. Of an AWS managed policy only the default version is known here."""
    managed = aws_managed.get(arn)
    if managed is not None:
        found = [VersionInfo(managed.default_version_id, managed.document, managed.updated_at,
                             True)]
    else:
        record = _local(tx, account_id, arn)
        if record is None:
            raise not_found(arn)
        found = [VersionInfo(v.version_id, v.document, v.created_at,
                             v.version_id == record.default_version_id)
                 for v in stored.versions(tx, record.policy_id)]
    return _paged(found, lambda v: f"{10**9 - _version_number(v.version_id):010d}", marker,
                  max_items)


def get_version(tx: Tx, account_id: str, arn: str, version_id: str) -> VersionInfo:
    managed = aws_managed.get(arn)
    if managed is not None:
        if version_id != managed.default_version_id:
            raise version_not_found(arn, version_id)
        return VersionInfo(version_id, managed.document, managed.updated_at, True)
    record = _local(tx, account_id, arn)
    if record is None:
        raise not_found(arn)
    version = stored.version(tx, record.policy_id, version_id)
    if version is None:
        raise version_not_found(arn, version_id)
    return VersionInfo(version_id, version.document, version.created_at,
                       version_id == record.default_version_id)


def delete_version(tx: Tx, account_id: str, arn: str, version_id: str,
                   caller_arn: str) -> None:
    record = _customer_policy(tx, account_id, arn, "iam:DeletePolicyVersion", caller_arn)
    if stored.version(tx, record.policy_id, version_id) is None:
        raise version_not_found(arn, version_id)
    if version_id == record.default_version_id:
        raise DeleteConflict("Cannot delete the default version of a policy.")
    stored.delete_version(tx, record.policy_id, version_id)
    tx.bump_generation(account_id)


def set_default_version(tx: Tx, account_id: str, arn: str, version_id: str,
                        caller_arn: str) -> None:
    record = _customer_policy(tx, account_id, arn, "iam:SetDefaultPolicyVersion", caller_arn)
    if stored.version(tx, record.policy_id, version_id) is None:
        raise version_not_found(arn, version_id)
    stored.update_policy(tx, record.policy_id, default_version_id=version_id)
    tx.bump_generation(account_id)


# --- attachments


def _attach_limit(kind: str, limits: Quotas) -> int:
    return {"user": limits.attached_policies_per_user,
            "group": limits.attached_policies_per_group,
            "role": limits.attached_policies_per_role}[kind]


def attach(tx: Tx, account_id: str, entity: Entity, arn: str, now: datetime,
           limits: Quotas = DEFAULT_QUOTAS) -> None:
    """Attaches a managed policy; attaching it again is a success that changes nothing.

    NoSuchEntity for a policy the account cannot see; PolicyNotAttachable for a
    service-linked role's policy anywhere but on a service-linked role;
    LimitExceeded at the per-entity quota (`PoliciesPerUser: 10`, raisable).
    """
    managed = aws_managed.get(arn)
    if managed is None and _local(tx, account_id, arn) is None:
        raise not_attachable(arn)
    if managed is not None and managed.for_service_linked_roles and not entity.service_linked:
        raise PolicyNotAttachable("Cannot attach a Service Role Policy to a Customer Role.")
    current = stored.attached_to(tx, entity.entity_id)
    if arn in current:
        return
    limit = _attach_limit(entity.kind, limits)
    if len(current) >= limit:
        raise LimitExceeded(f"Cannot exceed quota for {_ATTACH_QUOTA_NAMES[entity.kind]}: "
                            f"{limit}")
    stored.attach(tx, account_id, entity.kind, entity.entity_id, arn, now)
    tx.bump_generation(account_id)


def detach(tx: Tx, account_id: str, entity: Entity, arn: str) -> None:
    """NoSuchEntity when the policy is not attached to the entity."""
    if not stored.detach(tx, entity.entity_id, arn):
        raise not_found(arn)
    tx.bump_generation(account_id)


def split_arn(arn: str) -> tuple[str, str]:
    """(path, name) of a policy ARN.

    `arn:aws:iam::aws:policy/job-function/X` -> (`/job-function/`, `X`).
    """
    resource = arn.split(":", 5)[-1]
    rest = resource[len("policy"):] if resource.startswith("policy/") else "/" + resource
    path, _, name = rest.rpartition("/")
    return path + "/", name


def attached_policies(tx: Tx, entity: Entity, path_prefix: str, marker: str | None,
                      max_items: int) -> Page[tuple[str, str]]:
    """(name, arn) of the managed policies attached to the entity, by name."""
    found = [(split_arn(a)[1], a) for a in stored.attached_to(tx, entity.entity_id)
             if split_arn(a)[0].startswith(path_prefix)]
    return _paged(found, lambda p: f"{p[0].lower()} {p[1]}", marker, max_items)


def entities_for_policy(tx: Tx, account_id: str, arn: str, entity_filter: str | None,
                        path_prefix: str, usage: str | None, marker: str | None,
                        max_items: int) -> Page[EntityRef]:
    """Users, groups and roles using the policy, as permissions policy or boundary or both.

    `entity_filter` keeps one kind (`User`, `Group`, `Role`); `LocalManagedPolicy`
    and `AWSManagedPolicy` keep everything when the policy is of that kind and
    nothing otherwise.
    """
    managed = aws_managed.get(arn)
    if managed is None and _local(tx, account_id, arn) is None:
        raise not_found(arn)
    found: dict[tuple[str, str], EntityRef] = {}
    if usage in (None, "PermissionsPolicy"):
        found.update(((e.kind, e.entity_id), e)
                     for e in stored.attached_entities(tx, account_id, arn))
    if usage in (None, "PermissionsBoundary"):
        found.update(((e.kind, e.entity_id), e)
                     for e in stored.boundary_entities(tx, account_id, arn))
    kinds = {"User": {"user"}, "Group": {"group"}, "Role": {"role"},
             "LocalManagedPolicy": set() if managed else {"user", "group", "role"},
             "AWSManagedPolicy": {"user", "group", "role"} if managed else set()}
    wanted = kinds.get(entity_filter or "", {"user", "group", "role"})
    chosen = [e for e in found.values() if e.kind in wanted and e.path.startswith(path_prefix)]
    return _paged(chosen, lambda e: f"{e.kind} {e.name.lower()}", marker, max_items)
