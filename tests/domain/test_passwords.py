"""Console passwords: argon2id hashing, the password policy's rules as AWS words their
violations, and (against a real SQLite store with a given clock) what the login profile
rules do with time: MaxPasswordAge, HardExpiry, last use and the credential report's dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sekisho.domain import accounts, login_profiles, passwords, users
from sekisho.domain.account_settings import (
    PasswordPolicy,
    password_problems,
    update_password_policy,
)
from sekisho.domain.secretbox import MasterKey, SecretBox
from sekisho.errors import AccessDenied, PasswordPolicyViolation
from sekisho.store.database import migrate, open_engine
from sekisho.store.records import UserRecord
from sekisho.store.sql import Store

SECRET = "Tr0ub4dor&3-horse"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

# --- hashing


def test_hash_is_an_argon2id_phc_string_without_the_password() -> None:
    digest = passwords.hash_password(SECRET)
    assert digest.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert SECRET not in digest


def test_each_hash_has_its_own_salt() -> None:
    assert passwords.hash_password(SECRET) != passwords.hash_password(SECRET)


def test_verify_accepts_the_password_and_rejects_another() -> None:
    digest = passwords.hash_password(SECRET)
    assert passwords.verify_password(digest, SECRET) is True
    assert passwords.verify_password(digest, SECRET + "x") is False


def test_verify_of_a_malformed_hash_is_false_not_an_error() -> None:
    assert passwords.verify_password("not-a-hash", SECRET) is False


def test_fresh_hash_needs_no_rehash_but_other_parameters_do() -> None:
    assert passwords.needs_rehash(passwords.hash_password(SECRET)) is False
    from argon2 import PasswordHasher

    assert passwords.needs_rehash(PasswordHasher(time_cost=1).hash(SECRET)) is True


# --- the rules, one message per unmet rule

STRICT = PasswordPolicy(minimum_password_length=12, require_symbols=True, require_numbers=True,
                        require_uppercase_characters=True, require_lowercase_characters=True)


@pytest.mark.parametrize(("password", "message"), [
    ("Aa1!short", "Password should have a minimum length of 12"),
    ("lowercase-only-1!", "Password should have at least one uppercase letter"),
    ("UPPERCASE-ONLY-1!", "Password should have at least one lowercase letter"),
    ("No-Numbers-Here!", "Password should have at least one number"),
    ("NoSymbolsHere123", "Password should have at least one symbol"),
    ("Conforms-To-All-1", None),
])
def test_custom_policy_names_the_first_unmet_rule(password: str, message: str | None) -> None:
    assert passwords.violation(STRICT, password, "alice") == message


@pytest.mark.parametrize(("password", "message"), [
    ("Ab1!", "Password should have a minimum length of 8"),
    ("abcdefgh1", passwords.DEFAULT_TYPES_MESSAGE),
    ("Alice-2026", None),
])
def test_default_policy_applies_without_a_custom_one(password: str,
                                                     message: str | None) -> None:
    assert passwords.violation(None, password, "bob") == message


def test_default_policy_refuses_the_user_name() -> None:
    assert passwords.violation(None, "Alice-2026", "Alice-2026") == \
        passwords.NOT_USER_NAME_MESSAGE


def test_custom_policy_defaults_need_six_characters() -> None:
    assert passwords.violation(PasswordPolicy(), "abcde", "u") == \
        "Password should have a minimum length of 6"
    assert passwords.violation(PasswordPolicy(), "abcdef", "u") is None


def test_over_128_characters_is_a_violation() -> None:
    assert passwords.violation(PasswordPolicy(), "a" * 129, "u") == \
        "Password should have a maximum length of 128"


def test_only_the_documented_symbols_count_as_symbols() -> None:
    policy = PasswordPolicy(require_symbols=True)
    assert passwords.violation(policy, "abcdef~", "u") == \
        "Password should have at least one symbol"
    assert passwords.violation(policy, "abcdef|", "u") is None


@pytest.mark.parametrize(("count", "message"), [
    (1, "Password should not be the same as your previous password"),
    (5, "Password should not be the same as your previous 5 passwords"),
])
def test_reuse_message_names_how_many_passwords(count: int, message: str) -> None:
    assert passwords.reuse_message(count) == message


policies = st.builds(PasswordPolicy, minimum_password_length=st.integers(6, 20),
                     require_symbols=st.booleans(), require_numbers=st.booleans(),
                     require_uppercase_characters=st.booleans(),
                     require_lowercase_characters=st.booleans())
candidates = st.text(alphabet=st.sampled_from("aZ9!~ é|-"), max_size=24)


@given(st.one_of(st.none(), policies), candidates)
def test_violation_agrees_with_the_account_settings_rules(policy: PasswordPolicy | None,
                                                          password: str) -> None:
    named = passwords.violation(policy, password, "someone")
    assert (named is None) == (not password_problems(policy, password, "someone"))


# --- login profile rules with a given clock


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


@pytest.fixture
def alice(store: Store) -> UserRecord:
    with store.write() as tx:
        account, _ = accounts.create_account(tx, SecretBox([MasterKey(b"k" * 32)]), NOW)
        return users.create_user(tx, account.account_id, "alice", "/", [], None, NOW)


def set_policy(store: Store, user: UserRecord, policy: PasswordPolicy) -> None:
    with store.write() as tx:
        update_password_policy(tx, user.account_id, policy)


def create(store: Store, user: UserRecord, password: str, at: datetime = NOW) -> None:
    with store.read() as tx:
        prepared = login_profiles.prepare_create(tx, user.account_id, user.name, password)
    with store.write() as tx:
        login_profiles.create_login_profile(tx, user.account_id, prepared,
                                            passwords.hash_password(password), False, at)


def change(store: Store, user: UserRecord, old: str, new: str, at: datetime) -> None:
    with store.read() as tx:
        prepared = login_profiles.prepare_change(tx, user.account_id, user.user_id, user.name,
                                                old, new, at)
    with store.write() as tx:
        login_profiles.change_password(tx, user.account_id, prepared,
                                       passwords.hash_password(new), at)


def reset_required(store: Store, user: UserRecord, at: datetime) -> bool:
    with store.read() as tx:
        return login_profiles.get_login_profile(tx, user.account_id, user.name,
                                                at).password_reset_required


def test_password_expires_after_max_password_age(store: Store, alice: UserRecord) -> None:
    set_policy(store, alice, PasswordPolicy(max_password_age=30))
    create(store, alice, SECRET)
    assert reset_required(store, alice, NOW + timedelta(days=29, hours=23)) is False
    assert reset_required(store, alice, NOW + timedelta(days=30)) is True


def test_expired_password_can_be_changed_without_hard_expiry(store: Store,
                                                             alice: UserRecord) -> None:
    set_policy(store, alice, PasswordPolicy(max_password_age=1))
    create(store, alice, SECRET)
    later = NOW + timedelta(days=2)
    change(store, alice, SECRET, "Another-Secret-2", later)
    assert reset_required(store, alice, later) is False


def test_hard_expiry_refuses_the_users_own_change(store: Store, alice: UserRecord) -> None:
    set_policy(store, alice, PasswordPolicy(max_password_age=1, hard_expiry=True))
    create(store, alice, SECRET)
    with pytest.raises(AccessDenied) as exc:
        change(store, alice, SECRET, "Another-Secret-2", NOW + timedelta(days=1))
    assert SECRET not in exc.value.message


def test_hard_expiry_allows_a_change_before_expiry(store: Store, alice: UserRecord) -> None:
    set_policy(store, alice, PasswordPolicy(max_password_age=10, hard_expiry=True))
    create(store, alice, SECRET)
    change(store, alice, SECRET, "Another-Secret-2", NOW + timedelta(days=9))


def test_password_info_reports_dates_and_next_rotation(store: Store, alice: UserRecord) -> None:
    set_policy(store, alice, PasswordPolicy(max_password_age=90))
    create(store, alice, SECRET)
    changed = NOW + timedelta(days=5)
    change(store, alice, SECRET, "Another-Secret-2", changed)
    with store.read() as tx:
        info = login_profiles.password_info(tx, alice.user_id)
    assert info is not None
    assert (info.created_at, info.changed_at, info.last_used_at) == (NOW, changed, None)
    assert info.next_rotation == changed + timedelta(days=90)


def test_password_info_without_max_age_has_no_next_rotation(store: Store,
                                                             alice: UserRecord) -> None:
    create(store, alice, SECRET)
    with store.read() as tx:
        info = login_profiles.password_info(tx, alice.user_id)
        by_user = login_profiles.account_password_info(tx, alice.account_id)
    assert info is not None and info.next_rotation is None
    assert by_user == {alice.user_id: info}


def test_password_info_without_login_profile_is_none(store: Store, alice: UserRecord) -> None:
    with store.read() as tx:
        assert login_profiles.password_info(tx, alice.user_id) is None


def test_record_password_use_is_reported_as_last_used(store: Store, alice: UserRecord) -> None:
    create(store, alice, SECRET)
    used = NOW + timedelta(hours=3)
    with store.write() as tx:
        assert login_profiles.record_password_use(tx, alice.user_id, used) is True
    with store.read() as tx:
        assert login_profiles.password_last_used(tx, alice.user_id) == used


def test_record_password_use_without_login_profile_is_false(store: Store,
                                                            alice: UserRecord) -> None:
    with store.write() as tx:
        assert login_profiles.record_password_use(tx, alice.user_id, NOW) is False


def test_history_keeps_at_most_24_hashes(store: Store, alice: UserRecord) -> None:
    from sekisho.store import login_profiles as stored

    create(store, alice, SECRET)
    with store.write() as tx:
        for i in range(30):
            stored.remember(tx, alice.user_id, f"hash-{i}", NOW, passwords.MAX_REMEMBERED)
        kept = stored.recent_hashes(tx, alice.user_id, 100)
    assert kept == [f"hash-{i}" for i in range(29, 5, -1)]


def test_reuse_is_checked_against_the_last_n_only(store: Store, alice: UserRecord) -> None:
    set_policy(store, alice, PasswordPolicy(password_reuse_prevention=2))
    create(store, alice, "First-Secret-1")
    change(store, alice, "First-Secret-1", "Second-Secret-2", NOW)
    with pytest.raises(PasswordPolicyViolation):
        change(store, alice, "Second-Secret-2", "First-Secret-1", NOW)
    change(store, alice, "Second-Secret-2", "Third-Secret-3", NOW)
    change(store, alice, "Third-Secret-3", "First-Secret-1", NOW)
