"""The authorization seam: effective policies of a user, the cache, AWS's denial wording.

These run the Authorizer against a real SQLite store (no server), so each rule
of "which policies apply to an IAM user" is checked on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sekisho.domain import accounts, arns, groups, users
from sekisho.domain.authorization import Authorizer, resource_account
from sekisho.domain.principal import Caller
from sekisho.domain.secretbox import MasterKey, SecretBox
from sekisho.errors import AccessDenied
from sekisho.store import policies as stored
from sekisho.store.changes import change_watch_for
from sekisho.store.database import migrate, open_engine
from sekisho.store.sql import Store

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def allow(action: str, resource: str = "*", effect: str = "Allow") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": action, "Resource": resource}]})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


@pytest.fixture
def world(store: Store) -> tuple[Authorizer, Caller, str]:
    box = SecretBox([MasterKey(b"k" * 32)])
    with store.write() as tx:
        account, _ = accounts.create_account(tx, box, NOW, "123456789012")
        user = users.create_user(tx, account.account_id, "alice", "/", [], None, NOW)
    caller = Caller("user", "123456789012", arns.user("aws", "123456789012", "/", "alice"),
                    user.user_id, "AKIAEXAMPLE", "alice")
    return Authorizer(store, change_watch_for(store.engine), "aws"), caller, user.user_id


def test_user_without_policies_is_denied_with_aws_wording(world: tuple[Authorizer, Caller, str]
                                                           ) -> None:
    authorizer, caller, _ = world
    with pytest.raises(AccessDenied) as exc:
        authorizer.authorize(caller, "iam:ListUsers", ["arn:aws:iam::123456789012:user/"], {}, NOW)
    assert exc.value.message == (
        "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
        "iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no "
        "identity-based policy allows the iam:ListUsers action")


def test_inline_user_policy_allows(store: Store, world: tuple[Authorizer, Caller, str]) -> None:
    authorizer, caller, user_id = world
    with store.write() as tx:
        stored.put_inline(tx, "123456789012", user_id, "list", allow("iam:List*"))
        tx.bump_generation("123456789012")
    authorizer.authorize(caller, "iam:ListUsers", ["arn:aws:iam::123456789012:user/"], {}, NOW)


def test_group_policies_apply_to_members(store: Store, world: tuple[Authorizer, Caller, str]
                                         ) -> None:
    authorizer, caller, _ = world
    with store.write() as tx:
        group = groups.create_group(tx, "123456789012", "devs", "/", NOW)
        groups.add_user_to_group(tx, "123456789012", "devs", "alice", NOW)
        stored.put_inline(tx, "123456789012", group.group_id, "g", allow("iam:GetUser"))
    authorizer.authorize(caller, "iam:GetUser", ["arn:aws:iam::123456789012:user/bob"], {}, NOW)


def test_explicit_deny_in_any_policy_wins(store: Store, world: tuple[Authorizer, Caller, str]
                                          ) -> None:
    authorizer, caller, user_id = world
    with store.write() as tx:
        stored.put_inline(tx, "123456789012", user_id, "all", allow("*"))
        stored.put_inline(tx, "123456789012", user_id, "no", allow("iam:DeleteUser", "*", "Deny"))
        tx.bump_generation("123456789012")
    with pytest.raises(AccessDenied) as exc:
        authorizer.authorize(caller, "iam:DeleteUser", ["arn:aws:iam::123456789012:user/x"], {},
                             NOW)
    assert "with an explicit deny in an identity-based policy" in exc.value.message


def test_policy_change_takes_effect_on_the_next_decision(
        store: Store, world: tuple[Authorizer, Caller, str]) -> None:
    authorizer, caller, user_id = world
    resource = ["arn:aws:iam::123456789012:user/x"]
    with pytest.raises(AccessDenied):
        authorizer.authorize(caller, "iam:GetUser", resource, {}, NOW)
    with store.write() as tx:
        stored.put_inline(tx, "123456789012", user_id, "p", allow("iam:GetUser"))
        tx.bump_generation("123456789012")
    authorizer.authorize(caller, "iam:GetUser", resource, {}, NOW)
    with store.write() as tx:
        stored.delete_inline(tx, user_id, "p")
        tx.bump_generation("123456789012")
    with pytest.raises(AccessDenied):
        authorizer.authorize(caller, "iam:GetUser", resource, {}, NOW)


def test_customer_managed_policy_attached_to_user_allows(
        store: Store, world: tuple[Authorizer, Caller, str]) -> None:
    authorizer, caller, user_id = world
    arn = "arn:aws:iam::123456789012:policy/p"
    with store.write() as tx:
        stored.insert_policy(tx, stored.ManagedPolicyRecord(
            "ANPAEXAMPLE", "123456789012", "p", "/", arn, None, "v1", "v2", NOW, NOW),
            allow("iam:CreateUser", "arn:aws:iam::123456789012:user/dev/*"))
        stored.attach(tx, "123456789012", "user", user_id, arn, NOW)
        tx.bump_generation("123456789012")
    authorizer.authorize(caller, "iam:CreateUser", ["arn:aws:iam::123456789012:user/dev/bob"], {},
                         NOW)
    with pytest.raises(AccessDenied):
        authorizer.authorize(caller, "iam:CreateUser",
                             ["arn:aws:iam::123456789012:user/ops/bob"], {}, NOW)


def test_boundary_limits_what_identity_policies_allow(
        store: Store, world: tuple[Authorizer, Caller, str]) -> None:
    authorizer, caller, user_id = world
    arn = "arn:aws:iam::123456789012:policy/boundary"
    with store.write() as tx:
        stored.insert_policy(tx, stored.ManagedPolicyRecord(
            "ANPABOUNDARY", "123456789012", "boundary", "/", arn, None, "v1", "v2", NOW, NOW),
            allow("iam:Get*"))
        stored.put_inline(tx, "123456789012", user_id, "all", allow("iam:*"))
        tx.conn.execute(users_boundary_update(user_id, arn))
        tx.bump_generation("123456789012")
    authorizer.authorize(caller, "iam:GetUser", ["arn:aws:iam::123456789012:user/x"], {}, NOW)
    with pytest.raises(AccessDenied) as exc:
        authorizer.authorize(caller, "iam:ListUsers", ["arn:aws:iam::123456789012:user/"], {}, NOW)
    assert "because no permissions boundary allows the iam:ListUsers action" in exc.value.message


def test_missing_boundary_policy_allows_nothing(
        store: Store, world: tuple[Authorizer, Caller, str]) -> None:
    authorizer, caller, user_id = world
    with store.write() as tx:
        stored.put_inline(tx, "123456789012", user_id, "all", allow("iam:*"))
        tx.conn.execute(users_boundary_update(user_id, "arn:aws:iam::123456789012:policy/gone"))
        tx.bump_generation("123456789012")
    with pytest.raises(AccessDenied):
        authorizer.authorize(caller, "iam:GetUser", ["arn:aws:iam::123456789012:user/x"], {}, NOW)


def test_get_caller_identity_needs_no_permission(world: tuple[Authorizer, Caller, str]) -> None:
    authorizer, caller, _ = world
    authorizer.authorize(caller, "sts:GetCallerIdentity", ["*"], {}, NOW)


def test_root_is_allowed_everything(world: tuple[Authorizer, Caller, str]) -> None:
    authorizer, _, _ = world
    root = Caller("root", "123456789012", "arn:aws:iam::123456789012:root", "123456789012",
                  "AKIAROOT")
    authorizer.authorize(root, "iam:DeleteUser", ["arn:aws:iam::123456789012:user/x"], {}, NOW)


@pytest.mark.parametrize(("arn", "account"), [
    ("arn:aws:iam::111122223333:user/x", "111122223333"),
    ("arn:aws:s3:::bucket/key", "999999999999"),
    ("*", "999999999999"),
])
def test_resource_account_is_the_fifth_field(arn: str, account: str) -> None:
    assert resource_account(arn, "999999999999") == account


def users_boundary_update(user_id: str, arn: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from sekisho.store.schema import users as users_table

    return update(users_table).where(users_table.c.user_id == user_id).values(
        permissions_boundary_arn=arn)
