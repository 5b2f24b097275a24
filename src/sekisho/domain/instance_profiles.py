"""Instance profiles: create, find, list, delete, hold one role, tag.

Every function runs inside the caller's transaction (`tx`), raises the AWS
error AWS raises for the same rule, and bumps the account's generation on
every write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sekisho.domain import ids, roles
from sekisho.domain.pagination import Page, decode_marker, page_of
from sekisho.domain.quotas import DEFAULT_QUOTAS, Quotas, check_count, exceeded
from sekisho.domain.tags import check_tag_count
from sekisho.errors import DeleteConflict, EntityAlreadyExists, NoSuchEntity
from sekisho.store import instance_profiles as stored
from sekisho.store.errors import Conflict
from sekisho.store.instance_profiles import InstanceProfileRecord
from sekisho.store.records import Tag
from sekisho.store.sql import Tx

__all__ = [
    "InstanceProfileRecord",
    "add_role",
    "create_instance_profile",
    "delete_instance_profile",
    "find_instance_profile",
    "get_instance_profile",
    "list_instance_profiles",
    "not_found",
    "profiles_for_role",
    "remove_role",
    "tag_instance_profile",
    "untag_instance_profile",
]


def not_found(name: str) -> NoSuchEntity:
    return NoSuchEntity(f"Instance Profile {name} cannot be found.")


def create_instance_profile(tx: Tx, account_id: str, name: str, path: str,
                            tags: Sequence[Tag], now: datetime,
                            limits: Quotas = DEFAULT_QUOTAS) -> InstanceProfileRecord:
    check_tag_count((), tags, "InstanceProfile")
    check_count(stored.count_profiles(tx, account_id), limits.instance_profiles,
                "InstanceProfiles")
    profile = InstanceProfileRecord(ids.unique_id(ids.INSTANCE_PROFILE), account_id, name,
                                    path, None, now)
    try:
        stored.insert_profile(tx, profile)
    except Conflict:
        raise EntityAlreadyExists(f"Instance Profile {name} already exists.") from None
    tx.put_tags(profile.instance_profile_id, tags)
    tx.bump_generation(account_id)
    return profile


def find_instance_profile(tx: Tx, account_id: str, name: str) -> InstanceProfileRecord | None:
    """The profile of that name (any case), or None."""
    return stored.profile_by_name(tx, account_id, name)


def get_instance_profile(tx: Tx, account_id: str, name: str) -> InstanceProfileRecord:
    profile = stored.profile_by_name(tx, account_id, name)
    if profile is None:
        raise not_found(name)
    return profile


def list_instance_profiles(tx: Tx, account_id: str, path_prefix: str, marker: str | None,
                           max_items: int) -> Page[InstanceProfileRecord]:
    rows = stored.list_profiles(tx, account_id, path_prefix, decode_marker(marker),
                                max_items + 1)
    return page_of(rows, max_items, lambda p: p.name.lower())


def profiles_for_role(tx: Tx, account_id: str, role_name: str, marker: str | None,
                      max_items: int) -> Page[InstanceProfileRecord]:
    """ListInstanceProfilesForRole; NoSuchEntity for an unknown role."""
    role = roles.get_role(tx, account_id, role_name)
    rows = stored.profiles_of_role(tx, role.role_id, decode_marker(marker), max_items + 1)
    return page_of(rows, max_items, lambda p: p.name.lower())


def delete_instance_profile(tx: Tx, account_id: str, name: str) -> None:
    profile = get_instance_profile(tx, account_id, name)
    if profile.role_id is not None:
        raise DeleteConflict("Cannot delete entity, must remove roles from instance profile "
                             "first.")
    stored.delete_profile(tx, profile.instance_profile_id)
    tx.bump_generation(account_id)


def add_role(tx: Tx, account_id: str, profile_name: str, role_name: str,
             limits: Quotas = DEFAULT_QUOTAS) -> None:
    """Puts the role in the profile; a profile holds one role at most.

    LimitExceeded `Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1`
    (AWS's wording) when it holds one already, even the same role.
    """
    profile = get_instance_profile(tx, account_id, profile_name)
    role = roles.get_role(tx, account_id, role_name)
    if limits.roles_per_instance_profile < 1 or \
            not stored.set_role_if_empty(tx, profile.instance_profile_id, role.role_id):
        raise exceeded("InstanceSessionsPerInstanceProfile", 1)
    tx.bump_generation(account_id)


def remove_role(tx: Tx, account_id: str, profile_name: str, role_name: str) -> None:
    """Takes the role out of the profile; NoSuchEntity if the profile does not hold it."""
    profile = get_instance_profile(tx, account_id, profile_name)
    role = roles.get_role(tx, account_id, role_name)
    if not stored.clear_role(tx, profile.instance_profile_id, role.role_id):
        # Not confirmed against AWS: the wording when the profile holds another role.
        raise NoSuchEntity(f"The role with name {role_name} cannot be found in instance "
                           f"profile {profile.name}.")
    tx.bump_generation(account_id)


def tag_instance_profile(tx: Tx, account_id: str, name: str, tags: Sequence[Tag]) -> None:
    profile = get_instance_profile(tx, account_id, name)
    check_tag_count(tx.tags_of(profile.instance_profile_id), tags, "InstanceProfile")
    tx.put_tags(profile.instance_profile_id, tags)
    tx.bump_generation(account_id)


def untag_instance_profile(tx: Tx, account_id: str, name: str, keys: Sequence[str]) -> None:
    profile = get_instance_profile(tx, account_id, name)
    tx.remove_tags(profile.instance_profile_id, keys)
    tx.bump_generation(account_id)
