"""The seed format: what `read_seed` accepts, and the file, path and reason of what it refuses."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sekisho.seed.schema import SeedError, parse_text, read_seed, validate_seed
from tests.seed.seeds import ACCOUNT, OTHER_ACCOUNT, clone, document, full_seed, key_id

Mutation = Callable[[dict[str, Any]], None]


def _account(seed: dict[str, Any]) -> dict[str, Any]:
    return seed["accounts"][0]  # type: ignore[no-any-return]


def _alice(seed: dict[str, Any]) -> dict[str, Any]:
    return _account(seed)["users"][0]  # type: ignore[no-any-return]


def _set(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Mutation:
    def mutate(seed: dict[str, Any]) -> None:
        getter(seed)[key] = value
    return mutate


def _dup_key(seed: dict[str, Any]) -> None:
    _account(seed)["users"][1]["access_keys"] = [dict(_alice(seed)["access_keys"][0])]


def _dup_user(seed: dict[str, Any]) -> None:
    _account(seed)["users"][1]["name"] = "ALICE"


def _third_key(seed: dict[str, Any]) -> None:
    _alice(seed)["access_keys"].append({"id": key_id(), "secret": "x" * 20})


def _second_account_alias(seed: dict[str, Any]) -> None:
    seed["accounts"].append({"id": OTHER_ACCOUNT, "alias": "seeded-dev"})


def _role(seed: dict[str, Any]) -> dict[str, Any]:
    return _account(seed)["roles"][0]  # type: ignore[no-any-return]


def _key(seed: dict[str, Any]) -> dict[str, Any]:
    return _alice(seed)["access_keys"][0]  # type: ignore[no-any-return]


# (case, mutation, path inside the file, a fragment of the reason)
INVALID: list[tuple[str, Mutation, str, str]] = [
    ("no accounts", lambda s: s.pop("accounts"), "accounts", "is required"),
    ("unknown top-level key", _set(lambda s: s, "users", []), "users", "unknown key"),
    ("account id not 12 digits", _set(_account, "id", "12345"), "accounts[0].id",
     "12-digit account id"),
    ("octal-looking account id", _set(_account, "id", 0o1234), "accounts[0].id",
     "12-digit account id"),
    ("duplicate account", lambda s: s["accounts"].append({"id": ACCOUNT}), "accounts[1].id",
     "declared twice"),
    ("bad alias", _set(_account, "alias", "Not_An_Alias"), "accounts[0].alias", "pattern"),
    ("alias used twice", _second_account_alias, "accounts[1].alias", "also the alias"),
    ("unknown user key", _set(_alice, "nmae", "x"), "accounts[0].users[0].nmae",
     "unknown key"),
    ("user name pattern", _set(_alice, "name", "al ice"), "accounts[0].users[0].name",
     "pattern"),
    ("user name too long", _set(_alice, "name", "a" * 65), "accounts[0].users[0].name",
     "at most 64"),
    ("user path", _set(_alice, "path", "people"), "accounts[0].users[0].path", "pattern"),
    ("users not a list", _set(_account, "users", {"alice": {}}), "accounts[0].users",
     "must be a list"),
    ("user twice, other case", _dup_user, "accounts[0].users[1].name", "declared twice"),
    ("tag key reserved", _set(_alice, "tags", {"aws:x": "y"}), "accounts[0].users[0].tags.aws:x",
     "aws:"),
    ("tag value not a string", _set(_alice, "tags", {"n": 1}), "accounts[0].users[0].tags.n",
     "must be a string"),
    ("key id of another account", _set(_key, "id", key_id(OTHER_ACCOUNT)),
     "accounts[0].users[0].access_keys[0].id", f"encodes account {OTHER_ACCOUNT}"),
    ("key id not AKIA", _set(_key, "id", "ASIA" + key_id()[4:]),
     "accounts[0].users[0].access_keys[0].id", "not a long-term access key id"),
    ("key id not base32", _set(_key, "id", "AKIA0000000000000000"),
     "accounts[0].users[0].access_keys[0].id", "not a long-term access key id"),
    ("key secret with a space", _set(_key, "secret", "has space"),
     "accounts[0].users[0].access_keys[0].secret", "printable ASCII"),
    ("key secret missing", lambda s: _key(s).pop("secret"),
     "accounts[0].users[0].access_keys[0].secret", "is required"),
    ("key status", _set(_key, "status", "Expired"),
     "accounts[0].users[0].access_keys[0].status", "Active or Inactive"),
    ("key declared twice", _dup_key, "accounts[0].users[1].access_keys[0].id",
     "declared twice"),
    ("three keys", _third_key, "accounts[0].users[0].access_keys", "at most 2"),
    ("password and hash", _set(lambda s: _alice(s)["login_profile"], "password_hash",
                               "$argon2id$x"), "accounts[0].users[0].login_profile",
     "exactly one"),
    ("hash not argon2id", lambda s: _alice(s).update(login_profile={"password_hash": "md5"}),
     "accounts[0].users[0].login_profile.password_hash", "argon2id"),
    ("reset flag not boolean", _set(lambda s: _alice(s)["login_profile"],
                                    "password_reset_required", "yes"),
     "accounts[0].users[0].login_profile.password_reset_required", "true or false"),
    ("mfa seed not base32", _set(lambda s: _alice(s)["mfa_devices"][0], "seed", "0189" * 8),
     "accounts[0].users[0].mfa_devices[0].seed", "not base32"),
    ("mfa seed too short", _set(lambda s: _alice(s)["mfa_devices"][0], "seed", "JBSWY3DP"),
     "accounts[0].users[0].mfa_devices[0].seed", "at least 16"),
    ("malformed policy", _set(lambda s: _account(s)["policies"][0], "document",
                              {"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}),
     "accounts[0].policies[0].document", "MalformedPolicyDocument"),
    ("policy document not JSON", _set(lambda s: _account(s)["policies"][0], "document", "{"),
     "accounts[0].policies[0].document", "MalformedPolicyDocument"),
    ("inline policy with a principal",
     _set(_alice, "inline_policies", {"P": {"Version": "2012-10-17", "Statement": [
         {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}}),
     "accounts[0].users[0].inline_policies.P", "MalformedPolicyDocument"),
    ("trust policy without principal", _set(_role, "trust_policy", document("sts:AssumeRole")),
     "accounts[0].roles[0].trust_policy", "MalformedPolicyDocument"),
    ("unknown managed policy name", _set(_alice, "managed_policies", ["Nope"]),
     "accounts[0].users[0].managed_policies[0]", "no policy named 'Nope'"),
    ("not a policy ARN", _set(_alice, "managed_policies", ["arn:aws:iam::aws:role/x"]),
     "accounts[0].users[0].managed_policies[0]", "not a policy ARN"),
    ("boundary unknown", _set(_alice, "permissions_boundary", "Missing"),
     "accounts[0].users[0].permissions_boundary", "no policy named"),
    ("session duration", _set(_role, "max_session_duration", 60),
     "accounts[0].roles[0].max_session_duration", "3600 to 43200"),
    ("role without trust policy", lambda s: _role(s).pop("trust_policy"),
     "accounts[0].roles[0].trust_policy", "is required"),
    ("instance profile name", _set(_role, "instance_profiles", ["bad name"]),
     "accounts[0].roles[0].instance_profiles[0].name", "pattern"),
    ("policy path", _set(lambda s: _account(s)["policies"][0], "path", "/a b/"),
     "accounts[0].policies[0].path", "pattern"),
]


@pytest.mark.parametrize(("case", "mutate", "path", "reason"), INVALID,
                         ids=[case for case, *_ in INVALID])
def test_invalid_seed_names_file_path_and_reason(case: str, mutate: Mutation, path: str,
                                                 reason: str) -> None:
    seed = clone(full_seed())
    mutate(seed)
    with pytest.raises(SeedError) as caught:
        validate_seed(seed, "dev.yaml")
    assert caught.value.source == "dev.yaml"
    assert caught.value.path == path
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"dev.yaml: {path}: ")


def test_full_seed_is_valid_and_normalised() -> None:
    seed = validate_seed(full_seed(), "dev.yaml")
    account = seed.accounts[0]
    assert account.account_id == ACCOUNT and account.alias == "seeded-dev"
    alice = account.users[0]
    assert alice.managed_policies == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)
    assert alice.permissions_boundary == f"arn:aws:iam::{ACCOUNT}:policy/Boundary"
    assert account.groups[0].managed_policies == (f"arn:aws:iam::{ACCOUNT}:policy/team/"
                                                  "ReadBuckets",)
    assert json.loads(alice.inline_policies[0][1]) == document("iam:GetUser")
    assert [p.name for p in account.roles[0].instance_profiles] == ["app-profile", "app-tagged"]


def test_secrets_are_not_in_reprs() -> None:
    seed = validate_seed(full_seed(), "dev.yaml")
    text = repr(seed)
    assert "alice-secret" not in text and "Corr3ct" not in text and "JBSWY3DP" not in text


def test_yaml_keeps_dates_and_unquoted_account_ids_as_text(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text("accounts:\n  - id: 123456789012\n    policies:\n      - name: P\n"
                    "        document:\n          Version: 2012-10-17\n          Statement:\n"
                    "            - {Effect: Allow, Action: 's3:*', Resource: '*'}\n")
    seed = read_seed(path)
    assert seed.accounts[0].account_id == "123456789012"
    assert json.loads(seed.accounts[0].policies[0].document)["Version"] == "2012-10-17"


def test_policy_document_may_be_json_text(tmp_path: Path) -> None:
    text = json.dumps(document("s3:*"))
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"accounts": [{"id": ACCOUNT, "policies": [
        {"name": "P", "document": text}]}]}))
    assert read_seed(path).accounts[0].policies[0].document == text


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("seed.yaml", "accounts: [\n", "not valid YAML"),
    ("seed.yaml", "accounts: []\naccounts: []\n", "duplicate key 'accounts'"),
    ("seed.json", '{"accounts": [], "accounts": []}', "duplicate key 'accounts'"),
    ("seed.json", "accounts: []", "not valid JSON"),
    ("seed.yaml", "", "the file is empty"),
    ("seed.yaml", "- 1\n", "must be a mapping"),
])
def test_unreadable_documents_name_the_file(tmp_path: Path, name: str, text: str,
                                            reason: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SeedError) as caught:
        read_seed(path)
    assert caught.value.source == str(path)
    assert reason in caught.value.reason


def test_missing_file_is_a_seed_error(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read the file"):
        read_seed(tmp_path / "absent.yaml")


def test_the_example_in_the_documentation_is_a_valid_seed() -> None:
    docs = Path(__file__).parents[2] / "docs" / "seeding.md"
    blocks = docs.read_text().split("```yaml\n")[1:]
    example = next(b.split("```")[0] for b in blocks if b.startswith("accounts:"))
    seed = validate_seed(parse_text(example, "docs/seeding.md", "yaml"), "docs/seeding.md")
    account = seed.accounts[0]
    assert [u.name for u in account.users] == ["alice"]
    assert account.users[0].mfa_devices[0].name == "alice-phone"
