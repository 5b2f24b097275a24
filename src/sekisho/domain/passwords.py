"""Console passwords: argon2id hashing and the account password policy's rules, worded
as AWS words them.

Hashes are PHC strings (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`): the
parameters travel with each hash, so raising the cost later only needs
`needs_rehash` on the next successful verification. Verification is
argon2's own, which compares in constant time. Nothing here logs, and no
message built here ever contains a password.

The rules themselves (length, character classes, IAM's default policy) are
the account-settings family's (`sekisho.domain.account_settings`). That
module answers any violation with one generic message; `violation` below
names the first unmet rule instead, as the IAM API does in its
PasswordPolicyViolation errors ("Password should have at least one
uppercase letter", ...). `tests/domain/test_passwords.py` checks that the
two never disagree on whether a password conforms.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sekisho.domain.account_settings import (
    DEFAULT_POLICY_MINIMUM_LENGTH,
    MAX_PASSWORD_LENGTH,
    SYMBOLS,
    PasswordPolicy,
)

# OWASP's Password Storage Cheat Sheet, first argon2id configuration: 19 MiB, two
# passes, one lane (~20-45 ms here). Reuse prevention verifies up to 24 stored
# hashes, so a costlier setting would make UpdateLoginProfile slow.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32,
                         salt_len=16, type=Type.ID)

# UpdateAccountPasswordPolicy: PasswordReusePrevention is 1-24; keeping this many of a
# user's last hashes answers any policy the account may set later.
MAX_REMEMBERED = 24


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string) of `password`, with a fresh random salt."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if `password` matches `password_hash` (constant-time); False for a
    mismatch or a malformed hash, never an exception."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when `password_hash` was made with other parameters than today's."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def _has_upper(password: str) -> bool:
    return any("A" <= c <= "Z" for c in password)


def _has_lower(password: str) -> bool:
    return any("a" <= c <= "z" for c in password)


def _has_number(password: str) -> bool:
    return any("0" <= c <= "9" for c in password)


def _has_symbol(password: str) -> bool:
    return any(c in SYMBOLS for c in password)


# The custom policy's character rules in the order IAM lists them
# (UpdateAccountPasswordPolicy), each with the sentence its violation is reported by.
_CHARACTER_RULES = (
    ("require_uppercase_characters", _has_upper,
     "Password should have at least one uppercase letter"),
    ("require_lowercase_characters", _has_lower,
     "Password should have at least one lowercase letter"),
    ("require_numbers", _has_number, "Password should have at least one number"),
    ("require_symbols", _has_symbol, "Password should have at least one symbol"),
)

DEFAULT_TYPES_MESSAGE = ("Password should have at least three of the following character types: "
                         "uppercase letters, lowercase letters, numbers and symbols")
NOT_USER_NAME_MESSAGE = "Password should not be the same as the user name"


def _length_message(minimum: int) -> str:
    return f"Password should have a minimum length of {minimum}"


def violation(policy: PasswordPolicy | None, password: str, user_name: str) -> str | None:
    """The PasswordPolicyViolation message for the first rule `password` breaks, or None.

    `policy` None is IAM's default password policy (at least 8 characters, three
    of the four character types, not the user's name). The message names the
    rule, never the password.
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password should have a maximum length of {MAX_PASSWORD_LENGTH}"
    if policy is None:
        if len(password) < DEFAULT_POLICY_MINIMUM_LENGTH:
            return _length_message(DEFAULT_POLICY_MINIMUM_LENGTH)
        kinds = (_has_upper(password), _has_lower(password), _has_number(password),
                 _has_symbol(password))
        if sum(kinds) < 3:
            return DEFAULT_TYPES_MESSAGE
        if password == user_name:
            return NOT_USER_NAME_MESSAGE
        return None
    if len(password) < policy.minimum_password_length:
        return _length_message(policy.minimum_password_length)
    for field, present, message in _CHARACTER_RULES:
        if getattr(policy, field) and not present(password):
            return message
    return None


def reuse_message(count: int) -> str:
    """The PasswordPolicyViolation message for a password among the last `count` ones."""
    noun = "password" if count == 1 else f"{count} passwords"
    return f"Password should not be the same as your previous {noun}"
