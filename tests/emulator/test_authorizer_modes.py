"""Enforcement modes at the authorization seam: enforce raises, audit logs, off decides nothing.

The Authorizer runs against a real SQLite store (no server), as in
tests/domain/test_authorization.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sekisho.domain import accounts, arns, users
from sekisho.domain.authorization import Authorizer
from sekisho.domain.principal import Caller
from sekisho.domain.secretbox import MasterKey, SecretBox
from sekisho.errors import AccessDenied
from sekisho.store import policies as stored
from sekisho.store.changes import change_watch_for
from sekisho.store.database import migrate, open_engine
from sekisho.store.sql import Store

NOW = datetime(2026, 11, 27, tzinfo=UTC)
ACCOUNT = "123456789012"
RESOURCE = f"arn:aws:iam::{ACCOUNT}:user/bob"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


@pytest.fixture
def alice(store: Store) -> tuple[Caller, str]:
    box = SecretBox([MasterKey(b"k" * 32)])
    with store.write() as tx:
        accounts.create_account(tx, box, NOW, ACCOUNT)
        user = users.create_user(tx, ACCOUNT, "alice", "/", [], None, NOW)
    caller = Caller("user", ACCOUNT, arns.user("aws", ACCOUNT, "/", "alice"), user.user_id,
                    "AKIAEXAMPLE", "alice")
    return caller, user.user_id


def authorizer(store: Store, mode: str) -> Authorizer:
    return Authorizer(store, change_watch_for(store.engine), "aws", mode)


def deny_statement(store: Store, user_id: str) -> None:
    with store.write() as tx:
        stored.put_inline(tx, ACCOUNT, user_id, "guard", json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Sid": "NoDeletes", "Effect": "Deny", "Action": "iam:DeleteUser",
                 "Resource": "*"}]}))
        tx.bump_generation(ACCOUNT)


def audit_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    lines = [r.getMessage() for r in caplog.records if r.name == "sekisho.audit"]
    assert all(line.startswith("would deny ") for line in lines)
    return [json.loads(line.removeprefix("would deny ")) for line in lines]


def test_enforce_raises_access_denied(store: Store, alice: tuple[Caller, str]) -> None:
    with pytest.raises(AccessDenied):
        authorizer(store, "enforce").authorize(alice[0], "iam:GetUser", [RESOURCE], {}, NOW)


def test_audit_lets_an_implicit_deny_through_and_logs_it(
        store: Store, alice: tuple[Caller, str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sekisho.audit")
    authorizer(store, "audit").authorize(alice[0], "iam:GetUser", [RESOURCE], {}, NOW)
    [record] = audit_records(caplog)
    assert record["principal"] == alice[0].arn
    assert (record["action"], record["resource"]) == ("iam:GetUser", RESOURCE)
    assert (record["decision"], record["deciding_policy_type"]) == ("implicit-deny", "identity")
    assert "because no identity-based policy allows" in str(record["message"])


def test_audit_names_the_denying_statement(
        store: Store, alice: tuple[Caller, str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sekisho.audit")
    deny_statement(store, alice[1])
    authorizer(store, "audit").authorize(alice[0], "iam:DeleteUser", [RESOURCE], {}, NOW)
    [record] = audit_records(caplog)
    assert record["decision"] == "explicit-deny"
    statements = record["matched_statements"]
    assert isinstance(statements, list)
    assert {"sid": "NoDeletes", "effect": "Deny", "policy_type": "identity"}.items() <= \
        next(s for s in statements if s["effect"] == "Deny").items()


def test_audit_logs_nothing_for_an_allowed_request(
        store: Store, alice: tuple[Caller, str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sekisho.audit")
    deny_statement(store, alice[1])
    authorizer(store, "audit").authorize(alice[0], "iam:GetUser", [RESOURCE], {}, NOW)
    assert audit_records(caplog) == []


def test_off_decides_nothing_and_logs_nothing(
        store: Store, alice: tuple[Caller, str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sekisho.audit")
    deny_statement(store, alice[1])
    authorizer(store, "off").authorize(alice[0], "iam:DeleteUser", [RESOURCE], {}, NOW)
    assert audit_records(caplog) == []


def test_an_unknown_mode_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown enforcement mode"):
        authorizer(store, "lenient")
