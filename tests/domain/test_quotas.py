"""IAM quotas: AWS's defaults, overrides per server, and LimitExceeded at the entity counts.

The enforcement tests run the rules against a real SQLite store with small quotas,
since reaching AWS's 5,000 users over HTTP would take a while.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sekisho.domain import accounts, groups, quotas, users
from sekisho.domain.secretbox import MasterKey, SecretBox
from sekisho.errors import LimitExceeded
from sekisho.settings import Settings, SettingsError, settings_from_env, settings_to_env
from sekisho.store.database import migrate, open_engine
from sekisho.store.sql import Store

NOW = datetime(2026, 11, 27, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


@pytest.fixture
def account_id(store: Store) -> str:
    with store.write() as tx:
        account, _ = accounts.create_account(tx, SecretBox([MasterKey(b"k" * 32)]), NOW)
    return account.account_id


# The IAM quotas page ("IAM and AWS STS quotas", IAM User Guide) and the IAM FAQ's sizes.
@pytest.mark.parametrize(("field", "value"), [
    ("users", 5000), ("groups", 300), ("roles", 1000), ("policies", 1500),
    ("instance_profiles", 1000), ("server_certificates", 20), ("saml_providers", 100),
    ("open_id_connect_providers", 100), ("groups_per_user", 10),
    ("attached_policies_per_user", 10), ("attached_policies_per_group", 10),
    ("attached_policies_per_role", 10), ("access_keys_per_user", 2),
    ("signing_certificates_per_user", 2), ("ssh_public_keys_per_user", 5),
    ("mfa_devices_per_user", 8), ("versions_per_policy", 5), ("roles_per_instance_profile", 1),
    ("tags_per_entity", 50), ("user_policy_size", 2048), ("group_policy_size", 5120),
    ("role_policy_size", 10240), ("policy_size", 6144), ("assume_role_policy_size", 2048),
])
def test_default_is_the_aws_quota(field: str, value: int) -> None:
    assert getattr(quotas.DEFAULT_QUOTAS, field) == value


def test_every_quota_has_exactly_one_override_name() -> None:
    assert sorted(quotas.OVERRIDE_NAMES.values()) == sorted(f.name for f in fields(quotas.Quotas))


def test_parse_overrides_reads_name_value_pairs() -> None:
    assert quotas.parse_overrides(" Users=10000, Roles=2000 ,") == (("Users", 10000),
                                                                     ("Roles", 2000))


def test_parse_overrides_of_empty_text_is_no_overrides() -> None:
    assert quotas.parse_overrides("") == ()


@pytest.mark.parametrize(("raw", "problem"), [
    ("Userz=1", "unknown quota 'Userz'"),
    ("users=1", "unknown quota 'users'"),
    ("Users", "not of the form Name=value"),
    ("Users=-1", "whole number"),
    ("Users=ten", "whole number"),
    ("Users=1,Users=2", "overridden twice"),
])
def test_parse_overrides_refuses_what_cannot_be_right(raw: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        quotas.parse_overrides(raw)


def test_configured_applies_overrides_to_the_defaults() -> None:
    configured = quotas.configured((("Users", 10), ("PolicySize", 10240)))
    assert (configured.users, configured.policy_size, configured.groups) == (10, 10240, 300)


def test_format_overrides_is_the_inverse_of_parse() -> None:
    raw = "Users=10,SSHPublicKeysPerUser=7"
    assert quotas.format_overrides(quotas.parse_overrides(raw)) == raw


def test_setting_is_read_from_its_variable_and_roundtrips() -> None:
    s = settings_from_env({"SEKISHO_QUOTA_OVERRIDES": "Users=10000,Roles=2000"})
    assert s.quota_overrides == (("Users", 10000), ("Roles", 2000))
    assert settings_from_env(settings_to_env(s)) == s
    assert settings_from_env(settings_to_env(Settings())) == Settings()


def test_setting_with_unknown_name_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="SEKISHO_QUOTA_OVERRIDES: unknown quota 'Rolez'"):
        settings_from_env({"SEKISHO_QUOTA_OVERRIDES": "Rolez=5"})


@pytest.mark.parametrize(("name", "limit", "message"), [
    ("Users", 5000, "Cannot exceed quota for UsersPerAccount: 5000"),
    ("Groups", 300, "Cannot exceed quota for GroupsPerAccount: 300"),
    ("AccessKeysPerUser", 2, "Cannot exceed quota for AccessKeysPerUser: 2"),
])
def test_check_count_raises_aws_message_at_the_limit(name: str, limit: int,
                                                     message: str) -> None:
    quotas.check_count(limit - 1, limit, name)
    with pytest.raises(LimitExceeded) as exc:
        quotas.check_count(limit, limit, name)
    assert (exc.value.message, exc.value.status) == (message, 409)


def test_create_user_stops_at_the_users_quota(store: Store, account_id: str) -> None:
    small = quotas.configured((("Users", 2),))
    with store.write() as tx:
        for name in ("u1", "u2"):
            users.create_user(tx, account_id, name, "/", [], None, NOW, quotas=small)
    with pytest.raises(LimitExceeded, match="Cannot exceed quota for UsersPerAccount: 2"), \
            store.write() as tx:
        users.create_user(tx, account_id, "u3", "/", [], None, NOW, quotas=small)
    with store.read() as tx:
        assert tx.count_users(account_id) == 2


def test_create_user_has_room_again_after_a_delete(store: Store, account_id: str) -> None:
    small = quotas.configured((("Users", 1),))
    with store.write() as tx:
        users.create_user(tx, account_id, "first", "/", [], None, NOW, quotas=small)
        users.delete_user(tx, account_id, "first")
        users.create_user(tx, account_id, "second", "/", [], None, NOW, quotas=small)


def test_create_group_stops_at_the_groups_quota(store: Store, account_id: str) -> None:
    small = quotas.configured((("Groups", 1),))
    with store.write() as tx:
        groups.create_group(tx, account_id, "g1", "/", NOW, quotas=small)
    with pytest.raises(LimitExceeded, match="Cannot exceed quota for GroupsPerAccount: 1"), \
            store.write() as tx:
        groups.create_group(tx, account_id, "g2", "/", NOW, quotas=small)


def test_quotas_count_per_account(store: Store, account_id: str) -> None:
    small = quotas.configured((("Users", 1),))
    with store.write() as tx:
        other, _ = accounts.create_account(tx, SecretBox([MasterKey(b"k" * 32)]), NOW)
        users.create_user(tx, account_id, "mine", "/", [], None, NOW, quotas=small)
        users.create_user(tx, other.account_id, "theirs", "/", [], None, NOW, quotas=small)
