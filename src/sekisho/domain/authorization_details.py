"""GetAccountAuthorizationDetails: a snapshot of the account's users, groups, roles and
managed policies with their relationships (IAM API reference).

The four lists are paginated together: one ordered sequence of users, then
groups, then roles, then policies (each by name), cut by MaxItems and resumed
by Marker, so that a page may end inside any list. Only the entities on the
page are read in detail.

Policies are the account's customer managed policies and, as AWS returns
them, the AWS managed policies the account uses (attached to an entity or
set as a permissions boundary). `Filter` keeps the kinds it names (`User`,
`Group`, `Role`, `LocalManagedPolicy`, `AWSManagedPolicy`); none keeps all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sekisho.domain import policies
from sekisho.domain.pagination import Page, decode_marker, page_of
from sekisho.domain.policies import PolicyInfo, VersionInfo, split_arn
from sekisho.store import instance_profiles as stored_profiles
from sekisho.store import policies as stored
from sekisho.store import roles as stored_roles
from sekisho.store.instance_profiles import InstanceProfileRecord
from sekisho.store.records import GroupRecord, Tag, UserRecord
from sekisho.store.roles import RoleRecord
from sekisho.store.sql import Tx

FILTERS = ("User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy")
_ALL = 10**7  # more than any account quota: "all of them" for the store's listing calls

Attached = tuple[str, str]  # (policy name, policy ARN)


@dataclass(frozen=True)
class UserDetail:
    user: UserRecord
    inline: tuple[tuple[str, str], ...]  # (name, document)
    groups: tuple[str, ...]
    attached: tuple[Attached, ...]
    tags: tuple[Tag, ...]


@dataclass(frozen=True)
class GroupDetail:
    group: GroupRecord
    inline: tuple[tuple[str, str], ...]
    attached: tuple[Attached, ...]


@dataclass(frozen=True)
class RoleDetail:
    role: RoleRecord
    inline: tuple[tuple[str, str], ...]
    attached: tuple[Attached, ...]
    tags: tuple[Tag, ...]
    instance_profiles: tuple[tuple[InstanceProfileRecord, RoleRecord | None], ...]


@dataclass(frozen=True)
class PolicyDetail:
    info: PolicyInfo
    versions: tuple[VersionInfo, ...]


Detail = UserDetail | GroupDetail | RoleDetail | PolicyDetail

# An entry of the combined sequence before it is read in detail: (sort key, kind, item).
_Entry = tuple[str, str, object]


def _attached(tx: Tx, entity_id: str) -> tuple[Attached, ...]:
    return tuple((split_arn(arn)[1], arn) for arn in stored.attached_to(tx, entity_id))


def _entries(tx: Tx, account_id: str, wanted: set[str]) -> list[_Entry]:
    """Every entity the filter keeps, in page order (cheap rows only)."""
    entries: list[_Entry] = []
    if "User" in wanted:
        entries += [(f"1 {u.name.lower()}", "user", u)
                    for u in tx.list_users(account_id, "/", None, _ALL)]
    if "Group" in wanted:
        entries += [(f"2 {g.name.lower()}", "group", g)
                    for g in tx.list_groups(account_id, "/", None, _ALL)]
    if "Role" in wanted:
        entries += [(f"3 {r.name.lower()}", "role", r)
                    for r in stored_roles.list_roles(tx, account_id, "/", None, _ALL)]
    found: list[PolicyInfo] = []
    if "LocalManagedPolicy" in wanted:
        found += policies.list_policies(tx, account_id, "Local", False, "/", None, None,
                                        _ALL).items
    if "AWSManagedPolicy" in wanted:
        found += [p for p in policies.list_policies(tx, account_id, "AWS", False, "/", None,
                                                    None, _ALL).items
                  if p.attachment_count or p.boundary_usage_count]
    entries += [(f"4 {p.name.lower()} {p.arn}", "policy", p) for p in found]
    return sorted(entries, key=lambda e: e[0])


def _detail(tx: Tx, account_id: str, kind: str, item: object) -> Detail:
    if isinstance(item, UserRecord):
        return UserDetail(item, tuple(stored.inline_of(tx, item.user_id)),
                          tuple(g.name for g in tx.all_groups_of_user(item.user_id)),
                          _attached(tx, item.user_id), tuple(tx.tags_of(item.user_id)))
    if isinstance(item, GroupRecord):
        return GroupDetail(item, tuple(stored.inline_of(tx, item.group_id)),
                           _attached(tx, item.group_id))
    if isinstance(item, RoleRecord):
        profiles = stored_profiles.profiles_of_role(tx, item.role_id, None, _ALL)
        return RoleDetail(item, tuple(stored.inline_of(tx, item.role_id)),
                          _attached(tx, item.role_id), tuple(tx.tags_of(item.role_id)),
                          tuple((p, item) for p in profiles))
    if not isinstance(item, PolicyInfo):
        raise TypeError(f"no detail for {kind} {item!r}")
    versions = policies.list_versions(tx, account_id, item.arn, None, _ALL).items
    return PolicyDetail(item, tuple(versions))


def authorization_details(tx: Tx, account_id: str, filters: Sequence[str] | None,
                          marker: str | None, max_items: int) -> Page[Detail]:
    """One page of the account's authorization details (see the module docstring).

    InvalidInput for a Marker this operation did not hand out.
    """
    wanted = set(filters) if filters else set(FILTERS)
    after = decode_marker(marker)
    entries = [e for e in _entries(tx, account_id, wanted) if after is None or e[0] > after]
    page = page_of(entries[:max_items + 1], max_items, lambda e: e[0])
    details = [_detail(tx, account_id, kind, item) for _, kind, item in page.items]
    return Page(details, page.next_marker)
