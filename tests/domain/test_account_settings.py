"""The password rules of an account password policy (`check_password`), and of IAM's default
policy when the account has none; password rotation dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sekisho.domain.account_settings import (
    PasswordPolicy,
    check_password,
    expire_passwords,
    next_rotation,
    password_problems,
)
from sekisho.errors import PasswordPolicyViolation

STRICT = PasswordPolicy(minimum_password_length=10, require_symbols=True, require_numbers=True,
                        require_uppercase_characters=True, require_lowercase_characters=True)


@pytest.mark.parametrize(("policy", "password"), [
    (STRICT, "Abcdefgh1!"),
    (STRICT, "ZZZZZZZZz9|"),
    (STRICT, "aaaaaaaA0'"),
    (PasswordPolicy(), "abcdef"),  # the defaults of UpdateAccountPasswordPolicy: length 6
    (PasswordPolicy(require_symbols=True), "abc[]def"),
    (None, "Abcdefg1"),  # IAM's default policy: 8 characters, three character types
    (None, "abcdef1!"),
    (PasswordPolicy(minimum_password_length=128), "a" * 128),
])
def test_conforming_passwords_pass(policy: PasswordPolicy | None, password: str) -> None:
    check_password(policy, password, "alice")


@pytest.mark.parametrize(("policy", "password", "problem"), [
    (STRICT, "Abcdefg1!", "at least 10 characters"),
    (STRICT, "abcdefgh1!", "an uppercase letter"),
    (STRICT, "ABCDEFGH1!", "a lowercase letter"),
    (STRICT, "Abcdefghi!", "a number"),
    (STRICT, "Abcdefghi1", "a symbol"),
    (STRICT, "Abcdefghi1~", "a symbol"),  # ~ is not one of AWS's listed symbols
    (PasswordPolicy(), "abcde", "at least 6 characters"),
    (PasswordPolicy(), "a" * 129, "at most 128 characters"),
    (None, "Abcdef1", "at least 8 characters"),
    (None, "abcdefgh1", "at least three of"),
    (None, "Alice123", "not the same as the user name"),
])
def test_non_conforming_passwords_are_violations(policy: PasswordPolicy | None, password: str,
                                                 problem: str) -> None:
    assert any(problem in p for p in password_problems(policy, password, "Alice123"))
    with pytest.raises(PasswordPolicyViolation) as exc:
        check_password(policy, password, "Alice123")
    assert exc.value.message == "Password does not conform to the account password policy."
    assert (exc.value.code, exc.value.status) == ("PasswordPolicyViolation", 400)


def test_non_ascii_letters_and_digits_do_not_count_as_character_types() -> None:
    policy = PasswordPolicy(require_uppercase_characters=True, require_numbers=True)
    assert len(password_problems(policy, "ÄÖÜéé٣٣٣", "x")) == 2


def test_next_rotation_is_max_password_age_days_after_the_change() -> None:
    changed = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert next_rotation(PasswordPolicy(max_password_age=90), changed) == datetime(
        2026, 4, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("policy", [None, PasswordPolicy()])
def test_passwords_without_max_age_never_rotate(policy: PasswordPolicy | None) -> None:
    assert next_rotation(policy, datetime(2026, 1, 1, tzinfo=UTC)) is None


@pytest.mark.parametrize(("max_age", "expected"), [(None, False), (1, True), (1095, True)])
def test_expire_passwords_is_true_when_max_age_is_set(max_age: int | None,
                                                      expected: bool) -> None:
    assert expire_passwords(PasswordPolicy(max_password_age=max_age)) is expected
