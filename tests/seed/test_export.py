"""Export: the seed format back out, secrets only on request, and the round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from sekisho.app import Opened
from sekisho.domain import instance_profiles, mfa, roles
from sekisho.seed.export import UnknownAccount, export_accounts, render
from sekisho.seed.load import apply_seed
from sekisho.seed.schema import parse_text, validate_seed
from tests.seed.seeds import ACCOUNT, MFA_SEED, full_seed

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _seeded(state: Opened) -> None:
    apply_seed(state.store, state.box, validate_seed(full_seed(), "seed.yaml"), NOW)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_seed_export_round_trips(state: Opened, other_state: Opened, fmt: str) -> None:
    _seeded(state)
    first = render(export_accounts(state.store, state.box, [ACCOUNT], include_secrets=True),
                   fmt)
    again = validate_seed(parse_text(first, "export", fmt), "export")
    apply_seed(other_state.store, other_state.box, again, NOW)
    second = render(export_accounts(other_state.store, other_state.box, [ACCOUNT],
                                    include_secrets=True), fmt)
    assert second == first


def test_export_of_a_seed_matches_what_the_seed_declared(state: Opened) -> None:
    raw = full_seed()
    apply_seed(state.store, state.box, validate_seed(raw, "seed.yaml"), NOW)
    account = export_accounts(state.store, state.box, [ACCOUNT],
                              include_secrets=True).document["accounts"][0]
    alice = account["users"][0]
    assert alice["access_keys"] == sorted(raw["accounts"][0]["users"][0]["access_keys"],
                                          key=lambda k: k["id"])
    assert alice["mfa_devices"] == [{"name": "alice-phone", "seed": MFA_SEED}]
    assert alice["login_profile"]["password_hash"].startswith("$argon2id$")
    assert alice["login_profile"]["password_reset_required"] is True
    assert alice["managed_policies"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert account["roles"][0]["instance_profiles"] == [
        "app-profile", {"name": "app-tagged", "path": "/ec2/", "tags": {"tier": "front"}}]
    assert account["policies"][1]["document"] == raw["accounts"][0]["policies"][0]["document"]
    assert account["users"][1] == {"name": "bob"}


def test_without_secrets_nothing_secret_is_written(state: Opened) -> None:
    _seeded(state)
    result = export_accounts(state.store, state.box, [ACCOUNT], include_secrets=False)
    text = render(result, "yaml")
    for secret in ("alice-secret", "root-secret", MFA_SEED, "$argon2id$"):
        assert secret not in text
    alice = result.document["accounts"][0]["users"][0]
    assert not {"access_keys", "login_profile", "mfa_devices"} & set(alice)
    assert "root_access_keys" not in result.document["accounts"][0]
    assert text.startswith("# ") and "--include-secrets" in text
    # Still a valid seed.
    validate_seed(parse_text(text, "export", "yaml"), "export")


def test_json_export_is_plain_json(state: Opened) -> None:
    _seeded(state)
    text = render(export_accounts(state.store, state.box, None, include_secrets=False), "json")
    assert json.loads(text)["accounts"][0]["id"] == ACCOUNT


def test_unknown_account_is_refused(state: Opened) -> None:
    with pytest.raises(UnknownAccount):
        export_accounts(state.store, state.box, ["999999999999"], include_secrets=False)


def test_what_the_format_cannot_hold_is_noted_not_exported(state: Opened) -> None:
    _seeded(state)
    with state.store.write() as tx:
        roles.create_service_linked_role(tx, ACCOUNT, "autoscaling.amazonaws.com", None, None,
                                         "aws", NOW)
        instance_profiles.create_instance_profile(tx, ACCOUNT, "empty", "/", (), NOW)
        mfa.create_virtual_device(tx, state.box, ACCOUNT, f"arn:aws:iam::{ACCOUNT}:mfa/spare",
                                  "spare", ACCOUNT, (), NOW)
    result = export_accounts(state.store, state.box, [ACCOUNT], include_secrets=True)
    assert [r["name"] for r in result.document["accounts"][0]["roles"]] == ["app"]
    notes = "\n".join(result.notes)
    assert "service-linked role AWSServiceRoleForAutoScaling" in notes
    assert "instance profiles without a role are not exported: empty" in notes
    assert f"arn:aws:iam::{ACCOUNT}:mfa/spare" in notes
