"""Applying seeds: every feature lands through the domain rules, idempotently, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sekisho.app import Opened
from sekisho.domain import access_keys, passwords, totp
from sekisho.seed.credentials import open_mfa_seed
from sekisho.seed.load import SeedResult, apply_seed
from sekisho.seed.schema import SeedError, parse_text, validate_seed
from sekisho.store import instance_profiles as stored_profiles
from sekisho.store import login_profiles as stored_login_profiles
from sekisho.store import mfa as stored_mfa
from sekisho.store import policies as stored_policies
from sekisho.store import roles as stored_roles
from sekisho.store.records import Tag
from tests.seed.seeds import (
    ACCOUNT,
    MFA_SEED,
    OTHER_ACCOUNT,
    PASSWORD,
    clone,
    document,
    full_seed,
    key_id,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)


def apply(state: Opened, raw: dict[str, Any], now: datetime = NOW) -> SeedResult:
    return apply_seed(state.store, state.box, validate_seed(raw, "seed.yaml"), now)


def _secret(state: Opened, access_key_id: str) -> str:
    with state.store.read() as tx:
        key = tx.access_key(access_key_id)
        assert key is not None
        return access_keys.open_secret(state.box, key)


def test_account_is_created_with_alias_and_only_the_declared_root_keys(state: Opened) -> None:
    raw = full_seed()
    result = apply(state, raw)
    declared = raw["accounts"][0]["root_access_keys"][0]
    with state.store.read() as tx:
        account = tx.get_account(ACCOUNT)
        root_keys = tx.access_keys_of(ACCOUNT, None)
    assert account is not None and account.alias == "seeded-dev"
    assert [k.access_key_id for k in root_keys] == [declared["id"]]
    assert _secret(state, declared["id"]) == declared["secret"]
    assert result.new_root_keys == ()


def test_account_without_declared_root_keys_gets_a_reported_random_one(state: Opened) -> None:
    result = apply(state, {"accounts": [{"id": OTHER_ACCOUNT}]})
    assert [k.record.account_id for k in result.new_root_keys] == [OTHER_ACCOUNT]
    with state.store.read() as tx:
        keys = tx.access_keys_of(OTHER_ACCOUNT, None)
    assert [k.access_key_id for k in keys] == [result.new_root_keys[0].record.access_key_id]


def test_user_gets_path_tags_groups_policies_and_boundary(state: Opened) -> None:
    apply(state, full_seed())
    with state.store.read() as tx:
        alice = tx.user_by_name(ACCOUNT, "alice")
        assert alice is not None
        assert alice.path == "/people/"
        assert alice.permissions_boundary_arn == f"arn:aws:iam::{ACCOUNT}:policy/Boundary"
        assert {(t.key, t.value) for t in tx.tags_of(alice.user_id)} == {("team", "blue"),
                                                                         ("Env", "dev")}
        assert [g.name for g in tx.all_groups_of_user(alice.user_id)] == ["developers"]
        assert [n for n, _ in stored_policies.inline_of(tx, alice.user_id)] == ["GetSelf"]
        assert stored_policies.attached_to(tx, alice.user_id) == [
            "arn:aws:iam::aws:policy/ReadOnlyAccess"]


def test_access_keys_keep_their_given_ids_secrets_and_status(state: Opened) -> None:
    raw = full_seed()
    apply(state, raw)
    active, inactive = raw["accounts"][0]["users"][0]["access_keys"]
    with state.store.read() as tx:
        stored_keys = {k.access_key_id: k for k in tx.access_keys_of(
            ACCOUNT, tx.user_by_name(ACCOUNT, "alice").user_id)}  # type: ignore[union-attr]
    assert stored_keys[active["id"]].status == "Active"
    assert stored_keys[inactive["id"]].status == "Inactive"
    # Sealed, not stored in clear.
    assert active["secret"].encode() not in stored_keys[active["id"]].secret_sealed
    assert _secret(state, active["id"]) == active["secret"]


def test_login_profile_password_is_hashed_and_verifies(state: Opened) -> None:
    apply(state, full_seed())
    with state.store.read() as tx:
        alice = tx.user_by_name(ACCOUNT, "alice")
        assert alice is not None
        profile = stored_login_profiles.profile_of(tx, alice.user_id)
    assert profile is not None and profile.password_reset_required
    assert profile.password_hash.startswith("$argon2id$")
    assert passwords.verify_password(profile.password_hash, PASSWORD)


def test_login_profile_from_a_hash_is_stored_as_given(state: Opened) -> None:
    hashed = passwords.hash_password("An0ther-Passw0rd")
    raw = {"accounts": [{"id": ACCOUNT, "users": [
        {"name": "carol", "login_profile": {"password_hash": hashed}}]}]}
    apply(state, raw)
    with state.store.read() as tx:
        carol = tx.user_by_name(ACCOUNT, "carol")
        assert carol is not None
        profile = stored_login_profiles.profile_of(tx, carol.user_id)
    assert profile is not None and profile.password_hash == hashed
    assert not profile.password_reset_required


def test_mfa_device_is_enabled_with_the_given_seed_and_current_codes_work(
        state: Opened) -> None:
    apply(state, full_seed())
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/alice-phone"
    with state.store.read() as tx:
        device = stored_mfa.device_by_serial(tx, ACCOUNT, serial)
        alice = tx.user_by_name(ACCOUNT, "alice")
    assert device is not None and alice is not None
    assert device.user_id == alice.user_id
    assert open_mfa_seed(state.box, device) == MFA_SEED
    with state.store.write() as tx:
        assert stored_mfa.claim_steps(tx, device.device_id, alice.user_id,
                                      totp.step_of(NOW), totp.step_of(NOW))


def test_group_gets_path_and_policies(state: Opened) -> None:
    apply(state, full_seed())
    with state.store.read() as tx:
        group = tx.group_by_name(ACCOUNT, "developers")
        assert group is not None and group.path == "/eng/"
        assert [n for n, _ in stored_policies.inline_of(tx, group.group_id)] == ["ListUsers"]
        assert stored_policies.attached_to(tx, group.group_id) == [
            f"arn:aws:iam::{ACCOUNT}:policy/team/ReadBuckets"]


def test_role_gets_every_declared_attribute_and_its_instance_profiles(state: Opened) -> None:
    apply(state, full_seed())
    with state.store.read() as tx:
        role = stored_roles.role_by_name(tx, ACCOUNT, "app")
        assert role is not None
        assert (role.path, role.description, role.max_session_duration) == (
            "/service/", "the application", 7200)
        assert role.permissions_boundary_arn == f"arn:aws:iam::{ACCOUNT}:policy/Boundary"
        assert tx.tags_of(role.role_id) == [Tag("app", "web")]
        assert '"sts:AssumeRole"' in role.trust_policy
        assert [n for n, _ in stored_policies.inline_of(tx, role.role_id)] == ["Logs"]
        assert stored_policies.attached_to(tx, role.role_id) == [
            f"arn:aws:iam::{ACCOUNT}:policy/team/ReadBuckets"]
        profiles = stored_profiles.profiles_of_role(tx, role.role_id, None, 10)
        assert [(p.name, p.path) for p in profiles] == [("app-profile", "/"),
                                                        ("app-tagged", "/ec2/")]
        assert tx.tags_of(profiles[1].instance_profile_id) == [Tag("tier", "front")]


def test_customer_managed_policy_gets_path_description_document_and_tags(
        state: Opened) -> None:
    apply(state, full_seed())
    arn = f"arn:aws:iam::{ACCOUNT}:policy/team/ReadBuckets"
    with state.store.read() as tx:
        record = stored_policies.policy_by_arn(tx, arn)
        assert record is not None and record.description == "read buckets"
        version = stored_policies.version(tx, record.policy_id, record.default_version_id)
        assert tx.tags_of(record.policy_id) == [Tag("owner", "platform")]
    assert version is not None and "s3:GetObject" in version.document


def test_applying_the_same_seed_twice_changes_nothing(state: Opened) -> None:
    raw = full_seed()
    first = apply(state, raw)
    with state.store.read() as tx:
        generation = tx.generation(ACCOUNT)
    second = apply(state, raw, LATER)
    assert first.changes and second.changes == ()
    with state.store.read() as tx:
        assert tx.generation(ACCOUNT) == generation


def test_changed_values_converge_and_unmentioned_state_stays(state: Opened) -> None:
    raw = full_seed()
    apply(state, raw)
    changed = clone(raw)
    account = changed["accounts"][0]
    account["policies"][0]["document"] = document("s3:ListBucket")
    alice = account["users"][0]
    alice["path"] = "/moved/"
    alice["tags"] = {"team": "red"}
    alice["access_keys"][0]["secret"] = "a-brand-new-secret-0123"
    alice["login_profile"] = {"password": "N3w-Passw0rd!x", "password_reset_required": False}
    alice["groups"] = []
    account["roles"][0]["description"] = "renamed"
    result = apply(state, changed, LATER)
    assert len(result.changes) == 6
    with state.store.read() as tx:
        user = tx.user_by_name(ACCOUNT, "alice")
        assert user is not None and user.path == "/moved/"
        assert {(t.key, t.value) for t in tx.tags_of(user.user_id)} == {("team", "red"),
                                                                        ("Env", "dev")}
        assert [g.name for g in tx.all_groups_of_user(user.user_id)] == ["developers"]
        record = stored_policies.policy_by_arn(tx, f"arn:aws:iam::{ACCOUNT}:policy/team/"
                                                   "ReadBuckets")
        assert record is not None and record.default_version_id == "v2"
        profile = stored_login_profiles.profile_of(tx, user.user_id)
        role = stored_roles.role_by_name(tx, ACCOUNT, "app")
    assert profile is not None and passwords.verify_password(profile.password_hash,
                                                             "N3w-Passw0rd!x")
    assert role is not None and role.description == "renamed"
    assert _secret(state, alice["access_keys"][0]["id"]) == "a-brand-new-secret-0123"


def test_a_failure_in_a_later_account_writes_nothing_at_all(state: Opened) -> None:
    raw = full_seed()
    raw["accounts"].append({"id": OTHER_ACCOUNT, "users": [
        {"name": "eve", "managed_policies": ["arn:aws:iam::aws:policy/NoSuchPolicy"]}]})
    with pytest.raises(SeedError) as caught:
        apply(state, raw)
    assert caught.value.path == "accounts[1].users[0].managed_policies[0]"
    assert caught.value.reason.startswith("NoSuchEntity: ")
    with state.store.read() as tx:
        assert tx.list_accounts() == []


# (case, seed of a second application after full_seed(), path, reason fragment)
def _conflicts() -> list[tuple[str, Any, str, str]]:
    other_key = {"accounts": [{"id": ACCOUNT, "users": [{"name": "bob", "access_keys": []}]}]}
    return [
        ("unknown group", {"accounts": [{"id": ACCOUNT, "users": [
            {"name": "dave", "groups": ["nobody"]}]}]},
         "accounts[0].users[0].groups[0]", "NoSuchEntity: The group with name nobody"),
        ("role path cannot change", {"accounts": [{"id": ACCOUNT, "roles": [
            {"name": "app", "path": "/elsewhere/", "trust_policy": full_seed()["accounts"][0]
             ["roles"][0]["trust_policy"]}]}]},
         "accounts[0].roles[0].path", "path cannot change"),
        ("policy path cannot change", {"accounts": [{"id": ACCOUNT, "policies": [
            {"name": "Boundary", "path": "/x/", "document": document("*")}]}]},
         "accounts[0].policies[0].path", "path cannot change"),
        ("weak password", {"accounts": [{"id": ACCOUNT, "users": [
            {"name": "bob", "login_profile": {"password": "short"}}]}]},
         "accounts[0].users[0].login_profile.password", "PasswordPolicyViolation"),
        ("key of another user", other_key, "accounts[0].users[0].access_keys[0].id",
         "belongs to another user"),
        ("unknown boundary ARN", {"accounts": [{"id": ACCOUNT, "users": [
            {"name": "bob", "permissions_boundary": f"arn:aws:iam::{ACCOUNT}:policy/Nope"}]}]},
         "accounts[0].users[0].permissions_boundary", "NoSuchEntity"),
    ]


@pytest.mark.parametrize(("case", "raw", "path", "reason"), _conflicts(),
                         ids=[c[0] for c in _conflicts()])
def test_refused_values_name_their_path_and_write_nothing(state: Opened, case: str,
                                                          raw: dict[str, Any], path: str,
                                                          reason: str) -> None:
    first = full_seed()
    apply(state, first)
    if case == "key of another user":
        raw["accounts"][0]["users"][0]["access_keys"] = [
            dict(first["accounts"][0]["users"][0]["access_keys"][0])]
    with state.store.read() as tx:
        generation = tx.generation(ACCOUNT)
    with pytest.raises(SeedError) as caught:
        apply(state, raw, LATER)
    assert caught.value.path == path
    assert reason in caught.value.reason
    with state.store.read() as tx:
        assert tx.generation(ACCOUNT) == generation


def test_seed_error_never_shows_a_secret(state: Opened) -> None:
    apply(state, full_seed())
    raw = {"accounts": [{"id": ACCOUNT, "users": [
        {"name": "bob", "login_profile": {"password": "weakpassword"}}]}]}
    with pytest.raises(SeedError) as caught:
        apply(state, raw, LATER)
    assert "weakpassword" not in str(caught.value)


def test_existing_unmentioned_users_are_left_alone(state: Opened) -> None:
    apply(state, full_seed())
    apply(state, {"accounts": [{"id": ACCOUNT, "users": [{"name": "zed"}]}]}, LATER)
    with state.store.read() as tx:
        names = [u.name for u in tx.list_users(ACCOUNT, "/", None, 10)]
    assert names == ["alice", "bob", "zed"]


def test_key_id_taken_by_another_account_is_refused(state: Opened) -> None:
    taken = key_id(ACCOUNT)
    apply(state, {"accounts": [{"id": ACCOUNT, "users": [
        {"name": "u", "access_keys": [{"id": taken, "secret": "s" * 20}]}]}]})
    with pytest.raises(SeedError) as caught:
        apply(state, {"accounts": [{"id": ACCOUNT, "root_access_keys": [
            {"id": taken, "secret": "s" * 20}]}]}, LATER)
    assert caught.value.path == "accounts[0].root_access_keys[0].id"


def test_the_documented_example_applies(state: Opened) -> None:
    docs = Path(__file__).parents[2] / "docs" / "seeding.md"
    example = next(b.split("```")[0] for b in docs.read_text().split("```yaml\n")[1:]
                   if b.startswith("accounts:"))
    seed = validate_seed(parse_text(example, "docs/seeding.md", "yaml"), "docs/seeding.md")
    assert apply_seed(state.store, state.box, seed, NOW).changes
