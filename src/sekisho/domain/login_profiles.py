"""Login profiles: an IAM user's console password, under the account password policy.

Setting a password runs in three steps so that no database transaction is
held open while argon2 works (tens of milliseconds per hash, and up to 24
verifications for PasswordReusePrevention):

1. `prepare_*` (in a read transaction) finds the user and profile, checks the
   password against the account password policy and the user's last
   PasswordReusePrevention passwords, and for ChangePassword verifies the
   old password;
2. the caller hashes the new password (`passwords.hash_password`);
3. the matching write function stores the hash in a write transaction and
   re-checks what may have changed meanwhile (the profile deleted or, for
   ChangePassword, the password changed by another request).

Messages follow the IAM API (quoted by AWS and reproduced in LocalStack's
recorded AWS responses): "Login Profile for user X already exists.",
"Login Profile for User X cannot be found.", "Cannot delete entity, must
delete login profile first.". No message or record here ever holds a
password.

MaxPasswordAge gives a password an expiry date (`next_rotation`): past it
the user must choose a new password at the next sign-in, which
GetLoginProfile reports as PasswordResetRequired; with HardExpiry the user
can no longer change an expired password and an administrator must
(IAM User Guide, "Set an account password policy for IAM users").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sekisho.domain import passwords, users
from sekisho.domain.account_settings import PasswordPolicy, find_password_policy, next_rotation
from sekisho.errors import (
    AccessDenied,
    EntityAlreadyExists,
    EntityTemporarilyUnmodifiable,
    InvalidUserType,
    NoSuchEntity,
    PasswordPolicyViolation,
)
from sekisho.store import login_profiles as stored
from sekisho.store.errors import Conflict
from sekisho.store.login_profiles import LoginProfileRecord
from sekisho.store.records import UserRecord
from sekisho.store.sql import Tx

# ChangePassword's answers that AWS documents by code only (API reference, Errors).
WRONG_OLD_PASSWORD_MESSAGE = "The old password is incorrect."
EXPIRED_MESSAGE = ("Your password has expired and can only be reset by an administrator "
                   "(the account password policy sets HardExpiry).")


@dataclass(frozen=True)
class LoginProfile:
    """What CreateLoginProfile and GetLoginProfile report."""

    user_name: str
    created_at: datetime
    password_reset_required: bool


@dataclass(frozen=True)
class PasswordInfo:
    """A user's console password as the credential report and the console see it."""

    created_at: datetime
    changed_at: datetime
    last_used_at: datetime | None
    next_rotation: datetime | None
    reset_required: bool


def not_found(user_name: str) -> NoSuchEntity:
    return NoSuchEntity(f"Login Profile for User {user_name} cannot be found.")


def already_exists(user_name: str) -> EntityAlreadyExists:
    return EntityAlreadyExists(f"Login Profile for user {user_name} already exists.")


def is_expired(policy: PasswordPolicy | None, profile: LoginProfileRecord, now: datetime) -> bool:
    """True once MaxPasswordAge days have passed since the password was set."""
    rotation = next_rotation(policy, profile.password_changed_at)
    return rotation is not None and now >= rotation


def check_new_password(tx: Tx, account_id: str, user: UserRecord, password: str) -> None:
    """Raises PasswordPolicyViolation, naming the rule, unless `password` conforms to the
    account's password policy (IAM's default one without a custom policy) and is none of
    the user's last PasswordReusePrevention passwords."""
    policy = find_password_policy(tx, account_id)
    message = passwords.violation(policy, password, user.name)
    if message is not None:
        raise PasswordPolicyViolation(message)
    remembered = policy.password_reuse_prevention if policy else None
    if not remembered:
        return
    for old in stored.recent_hashes(tx, user.user_id, remembered):
        if passwords.verify_password(old, password):
            raise PasswordPolicyViolation(passwords.reuse_message(remembered))


def _profile(tx: Tx, user: UserRecord) -> LoginProfileRecord:
    profile = stored.profile_of(tx, user.user_id)
    if profile is None:
        raise not_found(user.name)
    return profile


def _remember(tx: Tx, user_id: str, password_hash: str, at: datetime) -> None:
    stored.remember(tx, user_id, password_hash, at, passwords.MAX_REMEMBERED)


def _user_by_id(tx: Tx, user_id: str, name: str) -> UserRecord:
    user = tx.user_by_id(user_id)
    if user is None:
        raise users.not_found(name)
    return user


# --- CreateLoginProfile


def prepare_create(tx: Tx, account_id: str, user_name: str, password: str) -> UserRecord:
    """The user to create a login profile for. Raises NoSuchEntity (no such user),
    EntityAlreadyExists, PasswordPolicyViolation."""
    user = users.get_user(tx, account_id, user_name)
    if stored.has_login_profile(tx, user.user_id):
        raise already_exists(user.name)
    check_new_password(tx, account_id, user, password)
    return user


def create_login_profile(tx: Tx, account_id: str, user: UserRecord, password_hash: str,
                         reset_required: bool, now: datetime) -> LoginProfile:
    """Stores the profile prepared by `prepare_create`. Raises NoSuchEntity if the user
    was deleted meanwhile, EntityAlreadyExists if another request created a profile."""
    current = _user_by_id(tx, user.user_id, user.name)
    record = LoginProfileRecord(user.user_id, account_id, password_hash, now, now,
                                reset_required)
    try:
        stored.insert_profile(tx, record)
    except Conflict:
        raise already_exists(current.name) from None
    _remember(tx, user.user_id, password_hash, now)
    tx.bump_generation(account_id)
    return LoginProfile(current.name, now, reset_required)


# --- GetLoginProfile, DeleteLoginProfile


def get_login_profile(tx: Tx, account_id: str, user_name: str, now: datetime) -> LoginProfile:
    """The user's profile; an expired password (MaxPasswordAge) shows as
    PasswordResetRequired. Raises NoSuchEntity for a missing user or profile."""
    user = users.get_user(tx, account_id, user_name)
    profile = _profile(tx, user)
    expired = is_expired(find_password_policy(tx, account_id), profile, now)
    return LoginProfile(user.name, profile.created_at,
                        profile.password_reset_required or expired)


def delete_login_profile(tx: Tx, account_id: str, user_name: str) -> None:
    """Removes the user's password (and its history). Raises NoSuchEntity."""
    user = users.get_user(tx, account_id, user_name)
    if not stored.delete_profile(tx, user.user_id):
        raise not_found(user.name)
    tx.bump_generation(account_id)


# --- UpdateLoginProfile


def prepare_update(tx: Tx, account_id: str, user_name: str,
                   password: str | None) -> UserRecord:
    """The user whose profile is updated. Raises NoSuchEntity, PasswordPolicyViolation."""
    user = users.get_user(tx, account_id, user_name)
    _profile(tx, user)
    if password is not None:
        check_new_password(tx, account_id, user, password)
    return user


def update_login_profile(tx: Tx, account_id: str, user: UserRecord, password_hash: str | None,
                         reset_required: bool | None, now: datetime) -> None:
    """Sets a new password hash and/or the reset flag; either may be None (unchanged).
    Raises NoSuchEntity if the profile was deleted meanwhile."""
    if password_hash is not None:
        if not stored.set_password(tx, user.user_id, None, password_hash, now, reset_required):
            raise not_found(user.name)
        _remember(tx, user.user_id, password_hash, now)
    else:
        _profile(tx, user)
        if reset_required is not None:
            stored.set_reset_required(tx, user.user_id, reset_required)
    tx.bump_generation(account_id)


# --- ChangePassword


@dataclass(frozen=True)
class PreparedChange:
    """A verified ChangePassword request, waiting for its new hash."""

    user: UserRecord
    expected_hash: str

    def __repr__(self) -> str:
        return f"PreparedChange(user={self.user.name!r})"


def prepare_change(tx: Tx, account_id: str, user_id: str, user_name: str, old_password: str,
                   new_password: str, now: datetime) -> PreparedChange:
    """Checks a user's own password change. Raises NoSuchEntity (no login profile),
    InvalidUserType (wrong old password), AccessDenied (expired under HardExpiry),
    PasswordPolicyViolation."""
    user = _user_by_id(tx, user_id, user_name)
    profile = _profile(tx, user)
    # argon2's verify compares in constant time, and runs even when the
    # password has expired, so the answer's timing says nothing about which.
    if not passwords.verify_password(profile.password_hash, old_password):
        raise InvalidUserType(WRONG_OLD_PASSWORD_MESSAGE)
    policy = find_password_policy(tx, account_id)
    if policy is not None and policy.hard_expiry and is_expired(policy, profile, now):
        raise AccessDenied(EXPIRED_MESSAGE)
    check_new_password(tx, account_id, user, new_password)
    return PreparedChange(user, profile.password_hash)


def change_password(tx: Tx, account_id: str, change: PreparedChange, password_hash: str,
                    now: datetime) -> None:
    """Stores the new hash and clears PasswordResetRequired. Raises
    EntityTemporarilyUnmodifiable when another request changed the password since
    `prepare_change` verified the old one."""
    if not stored.set_password(tx, change.user.user_id, change.expected_hash, password_hash,
                               now, False):
        raise EntityTemporarilyUnmodifiable(
            f"Login Profile for User {change.user.name} was modified by another request; "
            "try again.")
    _remember(tx, change.user.user_id, password_hash, now)
    tx.bump_generation(account_id)


def user_may_change(tx: Tx, account_id: str) -> bool:
    """AllowUsersToChangePassword: every IAM user may change their own password."""
    policy = find_password_policy(tx, account_id)
    return bool(policy and policy.allow_users_to_change_password)


# --- for the credential report, GetUser and the console


def password_info(tx: Tx, user_id: str) -> PasswordInfo | None:
    """The user's password dates (None without a login profile): created, last changed,
    last used, and next rotation under the account's MaxPasswordAge."""
    profile = stored.profile_of(tx, user_id)
    if profile is None:
        return None
    policy = find_password_policy(tx, profile.account_id)
    return _info(profile, policy)


def account_password_info(tx: Tx, account_id: str) -> dict[str, PasswordInfo]:
    """`password_info` for every user of the account with a password, by user id."""
    policy = find_password_policy(tx, account_id)
    return {p.user_id: _info(p, policy) for p in stored.profiles_of_account(tx, account_id)}


def _info(profile: LoginProfileRecord, policy: PasswordPolicy | None) -> PasswordInfo:
    return PasswordInfo(profile.created_at, profile.password_changed_at,
                        profile.password_last_used_at,
                        next_rotation(policy, profile.password_changed_at),
                        profile.password_reset_required)


def password_last_used(tx: Tx, user_id: str) -> datetime | None:
    """When the user last signed in with their password (GetUser's PasswordLastUsed)."""
    return stored.password_last_used(tx, user_id)


def record_password_use(tx: Tx, user_id: str, at: datetime) -> bool:
    """Records a successful sign-in with the password; False without a login profile.

    Like an access key's last use, this changes no permission, so it leaves the
    account's generation (and every cached policy) alone.
    """
    return stored.set_last_used(tx, user_id, at)


def has_login_profile(tx: Tx, user_id: str) -> bool:
    return stored.has_login_profile(tx, user_id)
