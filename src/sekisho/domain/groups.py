"""IAM groups and their members."""

from __future__ import annotations

from datetime import datetime

from sekisho.domain import ids
from sekisho.domain.pagination import Page, decode_marker, page_of
from sekisho.domain.quotas import DEFAULT_QUOTAS, Quotas, check_count
from sekisho.domain.users import get_user
from sekisho.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from sekisho.store import policies as stored_policies
from sekisho.store.errors import Conflict
from sekisho.store.records import GroupRecord, UserRecord
from sekisho.store.sql import Tx

# IAM quotas: a user can be a member of at most 10 groups.
MAX_GROUPS_PER_USER = 10


def not_found(name: str) -> NoSuchEntity:
    return NoSuchEntity(f"The group with name {name} cannot be found.")


def create_group(tx: Tx, account_id: str, name: str, path: str, now: datetime, *,
                 quotas: Quotas = DEFAULT_QUOTAS) -> GroupRecord:
    """Raises LimitExceeded at the account's Groups quota."""
    check_count(tx.count_groups(account_id), quotas.groups, "Groups")
    group = GroupRecord(ids.unique_id(ids.GROUP), account_id, name, path, now)
    try:
        tx.insert_group(group)
    except Conflict:
        raise EntityAlreadyExists(f"Group with name {name} already exists.") from None
    tx.bump_generation(account_id)
    return group


def get_group(tx: Tx, account_id: str, name: str) -> GroupRecord:
    group = tx.group_by_name(account_id, name)
    if group is None:
        raise not_found(name)
    return group


def list_groups(tx: Tx, account_id: str, path_prefix: str, marker: str | None,
                max_items: int) -> Page[GroupRecord]:
    rows = tx.list_groups(account_id, path_prefix, decode_marker(marker), max_items + 1)
    return page_of(rows, max_items, lambda g: g.name.lower())


def members(tx: Tx, group: GroupRecord, marker: str | None, max_items: int) -> Page[UserRecord]:
    rows = tx.group_members(group.group_id, decode_marker(marker), max_items + 1)
    return page_of(rows, max_items, lambda u: u.name.lower())


def groups_for_user(tx: Tx, account_id: str, user_name: str, marker: str | None,
                    max_items: int) -> Page[GroupRecord]:
    user = get_user(tx, account_id, user_name)
    rows = tx.groups_of_user(user.user_id, decode_marker(marker), max_items + 1)
    return page_of(rows, max_items, lambda g: g.name.lower())


def update_group(tx: Tx, account_id: str, name: str, new_name: str | None,
                 new_path: str | None) -> None:
    group = get_group(tx, account_id, name)
    target = new_name or group.name
    try:
        tx.update_group(group.group_id, target, new_path or group.path)
    except Conflict:
        raise EntityAlreadyExists(f"Group with name {target} already exists.") from None
    tx.bump_generation(account_id)


def delete_group(tx: Tx, account_id: str, name: str) -> None:
    group = get_group(tx, account_id, name)
    if tx.count_members(group.group_id):
        raise DeleteConflict("Cannot delete entity, must remove users from group first.")
    if stored_policies.attached_to(tx, group.group_id):
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    if stored_policies.inline_of(tx, group.group_id):
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    tx.delete_group(group.group_id)
    tx.bump_generation(account_id)


def add_user_to_group(tx: Tx, account_id: str, group_name: str, user_name: str,
                      now: datetime) -> None:
    group = get_group(tx, account_id, group_name)
    user = get_user(tx, account_id, user_name)
    if len(tx.groups_of_user(user.user_id, None, MAX_GROUPS_PER_USER + 1)) >= MAX_GROUPS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}")
    if tx.add_member(group.group_id, user.user_id, now):
        tx.bump_generation(account_id)


def remove_user_from_group(tx: Tx, account_id: str, group_name: str, user_name: str) -> None:
    group = get_group(tx, account_id, group_name)
    user = get_user(tx, account_id, user_name)
    if not tx.remove_member(group.group_id, user.user_id):
        raise NoSuchEntity(f"The user with name {user_name} cannot be found.")
    tx.bump_generation(account_id)
