"""IAM users: create, find, list, rename and move, delete, tag.

Every function runs inside the caller's transaction (`tx`) and raises the
AWS error that AWS raises for the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sekisho.domain import boundaries, ids, trust_principals
from sekisho.domain.pagination import Page, decode_marker, page_of
from sekisho.domain.quotas import DEFAULT_QUOTAS, Quotas, check_count
from sekisho.domain.tags import check_tag_count
from sekisho.errors import DeleteConflict, EntityAlreadyExists, NoSuchEntity
from sekisho.store import policies as stored_policies
from sekisho.store.errors import Conflict
from sekisho.store.records import Tag, UserRecord
from sekisho.store.sql import Tx


def not_found(name: str) -> NoSuchEntity:
    return NoSuchEntity(f"The user with name {name} cannot be found.")


def create_user(tx: Tx, account_id: str, name: str, path: str, tags: Sequence[Tag],
                boundary_arn: str | None, now: datetime, *,
                quotas: Quotas = DEFAULT_QUOTAS) -> UserRecord:
    """Raises LimitExceeded at the account's Users quota (a count, so concurrent creates
    may pass it by a few, as AWS's eventually consistent quotas may)."""
    check_tag_count((), tags, "User")
    check_count(tx.count_users(account_id), quotas.users, "Users")
    if boundary_arn is not None:
        boundaries.check_boundary(tx, account_id, boundary_arn)
    user = UserRecord(ids.unique_id(ids.USER), account_id, name, path, now, boundary_arn)
    try:
        tx.insert_user(user)
    except Conflict:
        raise EntityAlreadyExists(f"User with name {name} already exists.") from None
    tx.put_tags(user.user_id, tags)
    tx.bump_generation(account_id)
    return user


def get_user(tx: Tx, account_id: str, name: str) -> UserRecord:
    user = tx.user_by_name(account_id, name)
    if user is None:
        raise not_found(name)
    return user


def list_users(tx: Tx, account_id: str, path_prefix: str, marker: str | None,
               max_items: int) -> Page[UserRecord]:
    rows = tx.list_users(account_id, path_prefix, decode_marker(marker), max_items + 1)
    return page_of(rows, max_items, lambda u: u.name.lower())


def update_user(tx: Tx, account_id: str, name: str, new_name: str | None,
                new_path: str | None) -> UserRecord:
    user = get_user(tx, account_id, name)
    target_name = new_name or user.name
    target_path = new_path or user.path
    try:
        tx.update_user(user.user_id, target_name, target_path)
    except Conflict:
        raise EntityAlreadyExists(f"User with name {target_name} already exists.") from None
    if (target_name, target_path) != (user.name, user.path):
        trust_principals.renamed(tx, account_id, f"user{user.path}{user.name}",
                                 f"user{target_path}{target_name}")
    tx.bump_generation(account_id)
    return get_user(tx, account_id, target_name)


def delete_user(tx: Tx, account_id: str, name: str) -> None:
    """Deletes a user that owns nothing more; AWS refuses while anything is attached."""
    user = get_user(tx, account_id, name)
    from sekisho.store.login_profiles import has_login_profile  # its own family's store module

    if has_login_profile(tx, user.user_id):
        raise DeleteConflict("Cannot delete entity, must delete login profile first.")
    if tx.access_keys_of(account_id, user.user_id):
        raise DeleteConflict("Cannot delete entity, must delete access keys first.")
    from sekisho.store.credentials import has_credentials  # its own family's store module

    certificates, ssh_keys, service_credentials = has_credentials(tx, user.user_id)
    if certificates:
        raise DeleteConflict("Cannot delete entity, must delete signing certificates first.")
    if ssh_keys:
        raise DeleteConflict("Cannot delete entity, must delete SSH public keys first.")
    if service_credentials:
        raise DeleteConflict("Cannot delete entity, must delete service specific "
                             "credentials first.")
    from sekisho.store.mfa import has_devices  # its own family's store module

    if has_devices(tx, user.user_id):
        raise DeleteConflict("Cannot delete entity, must delete MFA device first.")
    if tx.groups_of_user(user.user_id, None, 1):
        raise DeleteConflict("Cannot delete entity, must remove users from group first.")
    if stored_policies.attached_to(tx, user.user_id):
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    if stored_policies.inline_of(tx, user.user_id):
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    tx.delete_user(user.user_id)
    trust_principals.deleted(tx, account_id, f"user{user.path}{user.name}", user.user_id)
    tx.bump_generation(account_id)


def tag_user(tx: Tx, account_id: str, name: str, tags: Sequence[Tag]) -> None:
    user = get_user(tx, account_id, name)
    check_tag_count(tx.tags_of(user.user_id), tags, "User")
    tx.put_tags(user.user_id, tags)
    tx.bump_generation(account_id)


def untag_user(tx: Tx, account_id: str, name: str, keys: Sequence[str]) -> None:
    user = get_user(tx, account_id, name)
    tx.remove_tags(user.user_id, keys)
    tx.bump_generation(account_id)
