"""Exporting accounts in the seed format, so that state round-trips.

`export_accounts` reads accounts in one read transaction and builds the seed
document that recreates them: exporting, seeding the result into an empty
data directory and exporting again gives the same document. Values that equal
the seed's defaults are left out (path `/`, status `Active`, ...), entities
are sorted by name, policy documents are written as mappings, and policy
references as ARNs.

Secrets are written only with `include_secrets`: access key secrets (opened
with the SecretBox), MFA seeds, and the argon2id hashes of console passwords
(passwords themselves are never stored, so they cannot be exported; a hash
seeds the same password). Without secrets, access keys, root access keys,
login profiles and MFA devices are left out, since the seed format needs
their secrets; the notes list what was left out.

Not part of the format, and so never exported: the account password policy,
SSH public keys, signing and server certificates, service-specific
credentials, SAML and OIDC providers, service-linked roles, instance profiles
without a role, unassigned MFA devices, non-default policy versions, and
usage data (last used dates).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml  # type: ignore[import-untyped]

from sekisho.domain import access_keys
from sekisho.domain.roles import DEFAULT_MAX_SESSION_DURATION
from sekisho.domain.secretbox import SecretBox
from sekisho.seed.credentials import open_mfa_seed
from sekisho.store import instance_profiles as stored_profiles
from sekisho.store import login_profiles as stored_login_profiles
from sekisho.store import mfa as stored_mfa
from sekisho.store import policies as stored_policies
from sekisho.store import roles as stored_roles
from sekisho.store.records import Tag, UserRecord
from sekisho.store.sql import Store, Tx

_ALL = 10**9  # "every row" for the paged list reads
NOT_EXPORTED = ("Not part of the seed format, so not exported: the account password policy, "
                "SSH public keys, signing and server certificates, service-specific "
                "credentials, SAML and OIDC providers, and usage data.")


class UnknownAccount(Exception):
    """`export_accounts` was asked for an account that does not exist."""


@dataclass(frozen=True)
class Export:
    """The seed document, and notes on what it leaves out (never secrets)."""

    document: dict[str, Any]
    notes: tuple[str, ...]


def export_accounts(store: Store, box: SecretBox, account_ids: Sequence[str] | None, *,
                    include_secrets: bool) -> Export:
    """The seed that recreates the given accounts (all accounts for None).

    Raises UnknownAccount for an id that names no account.
    """
    notes: list[str] = []
    with store.read() as tx:
        chosen = list(account_ids) if account_ids else [a.account_id
                                                         for a in tx.list_accounts()]
        exported = []
        for account_id in chosen:
            if tx.get_account(account_id) is None:
                raise UnknownAccount(f"No account {account_id}.")
            exported.append(_Exporter(tx, box, account_id, include_secrets, notes).account())
    if not include_secrets:
        notes.append("Secrets were not exported (use --include-secrets): access keys, login "
                     "profiles and MFA devices are left out.")
    notes.append(NOT_EXPORTED)
    return Export({"accounts": exported}, tuple(notes))


def render(export: Export, fmt: str) -> str:
    """The export as YAML (the notes as comments at the top) or JSON (without them)."""
    if fmt == "json":
        return json.dumps(export.document, indent=2, ensure_ascii=False) + "\n"
    header = "".join(f"# {line}\n" for note in export.notes for line in _wrap(note))
    body: str = yaml.safe_dump(export.document, sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=100)
    return header + body


def _wrap(text: str, width: int = 96) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*lines, current] if current else lines


def _document(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _tags(tags: Sequence[Tag]) -> dict[str, str]:
    return {t.key: t.value for t in tags}


def _put(target: dict[str, Any], key: str, value: Any, default: Any = None) -> None:
    """Sets `key` unless `value` is empty or the seed's default."""
    if value is None or value == default or (isinstance(value, (list, dict)) and not value):
        return
    target[key] = value


def _mfa_name(serial: str) -> tuple[str, str]:
    """(path, name) of a virtual device serial, `arn:aws:iam::ACCOUNT:mfa/PATH/NAME`."""
    rest = serial.split(":", 5)[-1][len("mfa"):]
    path, _, name = rest.rpartition("/")
    return path + "/", name


class _Exporter:
    """One account's export: reads in the caller's transaction, appends to `notes`."""

    def __init__(self, tx: Tx, box: SecretBox, account_id: str, include_secrets: bool,
                 notes: list[str]) -> None:
        self.tx = tx
        self.box = box
        self.account_id = account_id
        self.secrets = include_secrets
        self.notes = notes

    def note(self, text: str) -> None:
        self.notes.append(f"Account {self.account_id}: {text}")

    def account(self) -> dict[str, Any]:
        record = self.tx.get_account(self.account_id)
        result: dict[str, Any] = {"id": self.account_id}
        _put(result, "alias", record.alias if record else None)
        if self.secrets:
            # Written even when empty: a seed that declares no root keys would make one.
            result["root_access_keys"] = self._keys(None)
        _put(result, "policies", self._policies())
        _put(result, "groups", [self._group(g.name, g.path, g.group_id)
                                for g in self.tx.list_groups(self.account_id, "/", None, _ALL)])
        _put(result, "users", [self._user(u)
                               for u in self.tx.list_users(self.account_id, "/", None, _ALL)])
        _put(result, "roles", self._roles())
        self._note_unassigned_devices()
        return result

    def _keys(self, user_id: str | None) -> list[dict[str, str]]:
        result = []
        for key in sorted(self.tx.access_keys_of(self.account_id, user_id),
                          key=lambda k: k.access_key_id):
            item = {"id": key.access_key_id, "secret": access_keys.open_secret(self.box, key)}
            _put(item, "status", key.status, "Active")
            result.append(item)
        return result

    def _policies(self) -> list[dict[str, Any]]:
        result = []
        for record in stored_policies.list_policies(self.tx, self.account_id, "/"):
            version = stored_policies.version(self.tx, record.policy_id,
                                              record.default_version_id)
            item: dict[str, Any] = {"name": record.name}
            _put(item, "path", record.path, "/")
            _put(item, "description", record.description)
            item["document"] = _document(version.document if version else "")
            _put(item, "tags", _tags(self.tx.tags_of(record.policy_id)))
            result.append(item)
            if len(stored_policies.versions(self.tx, record.policy_id)) > 1:
                self.note(f"policy {record.name}: only its default version is exported.")
        return sorted(result, key=lambda p: str(p["name"]).lower())

    def _attached(self, entity_id: str, into: dict[str, Any]) -> None:
        inline = {name: _document(doc)
                  for name, doc in stored_policies.inline_of(self.tx, entity_id)}
        _put(into, "inline_policies", inline)
        _put(into, "managed_policies", sorted(stored_policies.attached_to(self.tx, entity_id)))

    def _group(self, name: str, path: str, group_id: str) -> dict[str, Any]:
        item: dict[str, Any] = {"name": name}
        _put(item, "path", path, "/")
        self._attached(group_id, item)
        return item

    def _user(self, user: UserRecord) -> dict[str, Any]:
        tx = self.tx
        item: dict[str, Any] = {"name": user.name}
        _put(item, "path", user.path, "/")
        _put(item, "tags", _tags(tx.tags_of(user.user_id)))
        _put(item, "groups", [g.name for g in tx.all_groups_of_user(user.user_id)])
        self._attached(user.user_id, item)
        _put(item, "permissions_boundary", user.permissions_boundary_arn)
        profile = stored_login_profiles.profile_of(tx, user.user_id)
        devices = stored_mfa.devices_of_user(tx, user.user_id, None, _ALL)
        if self.secrets:
            _put(item, "access_keys", self._keys(user.user_id))
            if profile is not None:
                login: dict[str, Any] = {"password_hash": profile.password_hash}
                _put(login, "password_reset_required", profile.password_reset_required, False)
                item["login_profile"] = login
            _put(item, "mfa_devices", [self._device(d.serial, open_mfa_seed(self.box, d))
                                       for d in devices])
        return item

    def _device(self, serial: str, seed: str) -> dict[str, str]:
        path, name = _mfa_name(serial)
        item = {"name": name}
        _put(item, "path", path, "/")
        item["seed"] = seed
        return item

    def _roles(self) -> list[dict[str, Any]]:
        result = []
        for role in stored_roles.list_roles(self.tx, self.account_id, "/", None, _ALL):
            if role.linked_service is not None:
                self.note(f"service-linked role {role.name} is not exported (its service "
                          "creates it).")
                continue
            item: dict[str, Any] = {"name": role.name}
            _put(item, "path", role.path, "/")
            item["trust_policy"] = _document(role.trust_policy)
            _put(item, "description", role.description)
            _put(item, "max_session_duration", role.max_session_duration,
                 DEFAULT_MAX_SESSION_DURATION)
            _put(item, "permissions_boundary", role.permissions_boundary_arn)
            _put(item, "tags", _tags(self.tx.tags_of(role.role_id)))
            self._attached(role.role_id, item)
            _put(item, "instance_profiles", self._profiles(role.role_id))
            result.append(item)
        self._note_empty_profiles()
        return result

    def _profiles(self, role_id: str) -> list[Any]:
        result: list[Any] = []
        for profile in stored_profiles.profiles_of_role(self.tx, role_id, None, _ALL):
            tags = _tags(self.tx.tags_of(profile.instance_profile_id))
            if profile.path == "/" and not tags:
                result.append(profile.name)
                continue
            item: dict[str, Any] = {"name": profile.name}
            _put(item, "path", profile.path, "/")
            _put(item, "tags", tags)
            result.append(item)
        return result

    def _note_empty_profiles(self) -> None:
        empty = [p.name for p in stored_profiles.list_profiles(self.tx, self.account_id, "/",
                                                               None, _ALL) if p.role_id is None]
        if empty:
            self.note("instance profiles without a role are not exported: "
                      + ", ".join(empty) + ".")

    def _note_unassigned_devices(self) -> None:
        unassigned = stored_mfa.list_devices(self.tx, self.account_id, False, None, _ALL)
        if unassigned:
            self.note("unassigned MFA devices are not exported: "
                      + ", ".join(d.serial for d in unassigned) + ".")
