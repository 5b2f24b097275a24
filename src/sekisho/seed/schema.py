"""The seed format, and its validation into small frozen records.

A seed is a YAML or JSON document (JSON when the file name ends in `.json`):

    accounts:
      - id: "123456789012"
        alias: dev
        root_access_keys: [{id: AKIA..., secret: ...}]
        policies: [{name, path, description, document, tags}]
        groups:   [{name, path, inline_policies, managed_policies}]
        users:    [{name, path, tags, groups, inline_policies, managed_policies,
                    permissions_boundary, access_keys, login_profile, mfa_devices}]
        roles:    [{name, path, trust_policy, description, max_session_duration,
                    permissions_boundary, tags, inline_policies, managed_policies,
                    instance_profiles}]

(`docs/seeding.md` has every field.) `read_seed` checks everything that can be
checked without the database: the shape of the document, unknown keys, names,
paths and lengths against the constraints of the pinned IAM service model
(the same ones the API enforces), policy documents with `sekisho.policy`
(MalformedPolicyDocument's reasons), access key ids (a valid `AKIA` id whose
encoded account is the account it is declared in), base32 MFA seeds, and
duplicates. Any problem raises `SeedError` naming the file, the path inside it
(`accounts[0].users[2].access_keys[0].id`) and the reason.

Everything is normalised on the way in (policy documents to JSON text, account
ids to strings), so that the loader never sees two spellings of one thing.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml  # type: ignore[import-untyped]

from sekisho import policy
from sekisho.domain import arns, ids
from sekisho.domain.tags import MAX_TAGS
from sekisho.protocol.javaregex import compile_java_pattern
from sekisho.protocol.service import load_service
from sekisho.store.records import Tag

T = TypeVar("T")

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_POLICY_ARN = re.compile(r"^arn:[\w-]+:iam::(aws|\d{12}):policy/.+$")
_SECRET = re.compile(r"^[\x21-\x7e]{1,128}$")
_MIN_SEED_CHARACTERS = 16  # 80 bits; RFC 4226 asks for at least 128 and recommends 160


class SeedError(Exception):
    """A seed that cannot be applied: `source` (the file), `path` inside it, `reason`.

    The reason never contains a secret (access key secret, password, MFA seed).
    """

    def __init__(self, source: str, path: str, reason: str) -> None:
        super().__init__(f"{source}: {path}: {reason}" if path else f"{source}: {reason}")
        self.source = source
        self.path = path
        self.reason = reason


# --- the records


@dataclass(frozen=True)
class SeedAccessKey:
    where: str
    access_key_id: str
    secret: str = field(repr=False)
    status: str = "Active"


@dataclass(frozen=True)
class SeedLoginProfile:
    """Exactly one of `password` (hashed when applied) and `password_hash` (argon2id)."""

    where: str
    password: str | None = field(repr=False)
    password_hash: str | None = field(repr=False)
    reset_required: bool = False


@dataclass(frozen=True)
class SeedMfaDevice:
    where: str
    name: str
    path: str
    seed: str = field(repr=False)  # base32, upper case, no padding


@dataclass(frozen=True)
class SeedPolicy:
    where: str
    name: str
    path: str
    document: str
    description: str | None
    tags: tuple[Tag, ...]


@dataclass(frozen=True)
class SeedGroup:
    where: str
    name: str
    path: str
    inline_policies: tuple[tuple[str, str], ...]
    managed_policies: tuple[str, ...]  # ARNs


@dataclass(frozen=True)
class SeedUser:
    where: str
    name: str
    path: str
    tags: tuple[Tag, ...]
    groups: tuple[str, ...]
    inline_policies: tuple[tuple[str, str], ...]
    managed_policies: tuple[str, ...]
    permissions_boundary: str | None
    access_keys: tuple[SeedAccessKey, ...]
    login_profile: SeedLoginProfile | None
    mfa_devices: tuple[SeedMfaDevice, ...]


@dataclass(frozen=True)
class SeedInstanceProfile:
    where: str
    name: str
    path: str
    tags: tuple[Tag, ...]


@dataclass(frozen=True)
class SeedRole:
    where: str
    name: str
    path: str
    trust_policy: str
    description: str | None
    max_session_duration: int | None
    permissions_boundary: str | None
    tags: tuple[Tag, ...]
    inline_policies: tuple[tuple[str, str], ...]
    managed_policies: tuple[str, ...]
    instance_profiles: tuple[SeedInstanceProfile, ...]


@dataclass(frozen=True)
class SeedAccount:
    """`root_access_keys` None: not declared (a new account gets a random root key)."""

    where: str
    account_id: str
    alias: str | None
    root_access_keys: tuple[SeedAccessKey, ...] | None
    policies: tuple[SeedPolicy, ...]
    groups: tuple[SeedGroup, ...]
    users: tuple[SeedUser, ...]
    roles: tuple[SeedRole, ...]


@dataclass(frozen=True)
class Seed:
    source: str
    accounts: tuple[SeedAccount, ...]


# --- reading the file


class _Loader(yaml.SafeLoader):  # type: ignore[misc]
    """YAML without implicit timestamps (so `Version: 2012-10-17` stays a string) and
    without silently repeated keys."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark)
            seen.add(key)
        return dict(super().construct_mapping(node, deep=deep))


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse_text(text: str, source: str, fmt: str) -> Any:
    """The raw document of a seed in `fmt` (`yaml` or `json`); SeedError if it does not parse."""
    try:
        if fmt == "json":
            return json.loads(text, object_pairs_hook=_no_duplicates)
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: no arbitrary objects
    except (ValueError, yaml.YAMLError) as exc:
        raise SeedError(source, "", f"not valid {fmt.upper()}: {exc}") from None


def read_seed(path: Path, partition: str = "aws") -> Seed:
    """Reads and validates the seed file at `path`; SeedError for any problem."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(source, "", f"cannot read the file: {exc}") from None
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return validate_seed(parse_text(text, source, fmt), source, partition)


# --- validation helpers


class _Ctx:
    """Where errors are reported, and what must be unique across the whole seed."""

    def __init__(self, source: str, partition: str) -> None:
        self.source = source
        self.partition = partition
        self.key_ids: dict[str, str] = {}
        self.aliases: dict[str, str] = {}

    def fail(self, path: str, reason: str) -> SeedError:
        return SeedError(self.source, path, reason)


def _shape_problem(shape_name: str, value: str) -> str | None:
    """Why `value` breaks the IAM model's constraints of `shape_name`, or None."""
    meta = load_service("iam").model.shape_for(shape_name).metadata
    low, high = meta.get("min"), meta.get("max")
    if low is not None and len(value) < low:
        return f"must be at least {low} characters long"
    if high is not None and len(value) > high:
        return f"must be at most {high} characters long"
    pattern = meta.get("pattern")
    if pattern and not compile_java_pattern(pattern).fullmatch(value):
        return f"must match the pattern {pattern}"
    return None


def _mapping(ctx: _Ctx, value: Any, path: str, required: tuple[str, ...],
             optional: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ctx.fail(path, f"must be a mapping, not {_kind(value)}")
    for key in value:
        if key not in required and key not in optional:
            allowed = ", ".join(required + optional)
            raise ctx.fail(f"{path}.{key}" if path else str(key),
                           f"unknown key (allowed: {allowed})")
    for key in required:
        if key not in value or value[key] is None:
            raise ctx.fail(f"{path}.{key}" if path else key, "is required")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _list(ctx: _Ctx, value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ctx.fail(path, f"must be a list, not {_kind(value)}")
    return value


def _items(ctx: _Ctx, raw: Any, path: str,
           read: Callable[[_Ctx, Any, str], T]) -> tuple[T, ...]:
    return tuple(read(ctx, item, f"{path}[{i}]") for i, item in enumerate(_list(ctx, raw, path)))


def _string(ctx: _Ctx, value: Any, path: str, shape: str | None = None) -> str:
    if not isinstance(value, str):
        raise ctx.fail(path, f"must be a string, not {_kind(value)}")
    if shape is not None:
        problem = _shape_problem(shape, value)
        if problem is not None:
            raise ctx.fail(path, problem)
    return value


def _optional_string(ctx: _Ctx, value: Any, path: str, shape: str | None = None) -> str | None:
    return None if value is None else _string(ctx, value, path, shape)


def _boolean(ctx: _Ctx, value: Any, path: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ctx.fail(path, f"must be true or false, not {_kind(value)}")
    return value


def _unique(ctx: _Ctx, items: tuple[T, ...], key: Callable[[T], str],
            where: Callable[[T], str], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        # IAM names are unique ignoring case (CreateUser, CreateRole, ...).
        if key(item).lower() in seen:
            raise ctx.fail(where(item), f"{what} {key(item)!r} is declared twice")
        seen.add(key(item).lower())


def _document(ctx: _Ctx, value: Any, path: str, kind: policy.PolicyKind) -> str:
    """A policy document given as a mapping or as JSON text, as JSON text."""
    if isinstance(value, Mapping):
        text = json.dumps(value)
    elif isinstance(value, str):
        text = value
    else:
        raise ctx.fail(path, f"must be a policy document (a mapping or JSON text), "
                             f"not {_kind(value)}")
    try:
        policy.parse_policy(text, kind)
    except policy.PolicyParseError as exc:
        raise ctx.fail(path, f"MalformedPolicyDocument: {exc.message}") from None
    return text


def _tags(ctx: _Ctx, value: Any, path: str) -> tuple[Tag, ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise ctx.fail(path, f"must be a mapping of tag keys to values, not {_kind(value)}")
    if len(value) > MAX_TAGS:
        raise ctx.fail(path, f"at most {MAX_TAGS} tags")
    tags: list[Tag] = []
    seen: set[str] = set()
    for key, tag_value in value.items():
        where = f"{path}.{key}"
        _string(ctx, key, where, "tagKeyType")
        if key.lower().startswith("aws:"):
            raise ctx.fail(where, "tag keys can't start with 'aws:'")
        if key.lower() in seen:
            raise ctx.fail(where, "tag keys are case insensitive; this key is declared twice")
        seen.add(key.lower())
        tags.append(Tag(key, _string(ctx, tag_value, where, "tagValueType")))
    return tuple(tags)


def _inline(ctx: _Ctx, value: Any, path: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise ctx.fail(path, f"must be a mapping of policy names to documents, not "
                             f"{_kind(value)}")
    result = []
    for name, document in value.items():
        where = f"{path}.{name}"
        _string(ctx, name, where, "policyNameType")
        result.append((name, _document(ctx, document, where, policy.PolicyKind.IDENTITY)))
    return tuple(result)


class _Policies:
    """The ARNs of one account's seeded customer managed policies, by name (lower case)."""

    def __init__(self, ctx: _Ctx, account_id: str, declared: tuple[SeedPolicy, ...]) -> None:
        self.ctx = ctx
        self.by_name = {p.name.lower(): arns.policy(ctx.partition, account_id, p.path, p.name)
                        for p in declared}

    def arn(self, value: Any, path: str) -> str:
        """A policy reference: an ARN, or the name of a policy declared in this account."""
        text = _string(self.ctx, value, path)
        if text.startswith("arn:"):
            if not _POLICY_ARN.match(text):
                raise self.ctx.fail(path, "is not a policy ARN (arn:PARTITION:iam::ACCOUNT:"
                                          "policy/PATH/NAME)")
            return text
        found = self.by_name.get(text.lower())
        if found is None:
            raise self.ctx.fail(path, f"no policy named {text!r} in this account's policies; "
                                      "give an ARN for any other policy")
        return found

    def arns(self, value: Any, path: str) -> tuple[str, ...]:
        result = tuple(self.arn(item, f"{path}[{i}]")
                       for i, item in enumerate(_list(self.ctx, value, path)))
        if len(set(result)) != len(result):
            raise self.ctx.fail(path, "a policy is listed twice")
        return result

    def optional(self, value: Any, path: str) -> str | None:
        return None if value is None else self.arn(value, path)


# --- the records, one reader each


def _access_key(ctx: _Ctx, account_id: str, raw: Any, path: str) -> SeedAccessKey:
    m = _mapping(ctx, raw, path, ("id", "secret"), ("status",))
    key_id = _string(ctx, m["id"], f"{path}.id")
    encoded = ids.account_of_key_id(key_id)
    if encoded is None or not key_id.startswith(ids.LONG_TERM_KEY):
        raise ctx.fail(f"{path}.id", "is not a long-term access key id (AKIA and 16 base32 "
                                     "characters, A-Z and 2-7)")
    if encoded != account_id:
        raise ctx.fail(f"{path}.id", f"encodes account {encoded}, not {account_id} (access key "
                                     "ids carry their account; see docs/seeding.md to make one)")
    if key_id in ctx.key_ids:
        raise ctx.fail(f"{path}.id", f"is declared twice (also at {ctx.key_ids[key_id]})")
    ctx.key_ids[key_id] = f"{path}.id"
    secret = m["secret"]
    if not isinstance(secret, str) or not _SECRET.match(secret):
        raise ctx.fail(f"{path}.secret", "must be 1 to 128 printable ASCII characters without "
                                         "spaces")
    status = m.get("status") or "Active"
    if status not in ("Active", "Inactive"):
        raise ctx.fail(f"{path}.status", "must be Active or Inactive")
    return SeedAccessKey(path, key_id, secret, status)


def _access_keys(ctx: _Ctx, account_id: str, raw: Any, path: str) -> tuple[SeedAccessKey, ...]:
    keys = tuple(_access_key(ctx, account_id, item, f"{path}[{i}]")
                 for i, item in enumerate(_list(ctx, raw, path)))
    # IAM quotas: two access keys per user (and per root user).
    if len(keys) > 2:
        raise ctx.fail(path, "at most 2 access keys (IAM quota AccessKeysPerUser)")
    return keys


def _login_profile(ctx: _Ctx, raw: Any, path: str) -> SeedLoginProfile | None:
    if raw is None:
        return None
    m = _mapping(ctx, raw, path, (), ("password", "password_hash", "password_reset_required"))
    password = m.get("password")
    password_hash = m.get("password_hash")
    if (password is None) == (password_hash is None):
        raise ctx.fail(path, "give exactly one of password and password_hash")
    if password is not None:
        if not isinstance(password, str):
            raise ctx.fail(f"{path}.password", f"must be a string, not {_kind(password)}")
        problem = _shape_problem("passwordType", password)
        if problem is not None:
            raise ctx.fail(f"{path}.password", problem)
    if password_hash is not None and (not isinstance(password_hash, str)
                                      or not password_hash.startswith("$argon2id$")):
        raise ctx.fail(f"{path}.password_hash", "must be an argon2id hash ($argon2id$...), as "
                                                "`sekisho export --include-secrets` writes")
    reset = _boolean(ctx, m.get("password_reset_required"), f"{path}.password_reset_required",
                     False)
    return SeedLoginProfile(path, password, password_hash, reset)


def _base32_seed(ctx: _Ctx, value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise ctx.fail(path, f"must be a base32 string, not {_kind(value)}")
    seed = value.replace(" ", "").rstrip("=").upper()
    try:
        base64.b32decode(seed + "=" * (-len(seed) % 8))
    except (binascii.Error, ValueError):
        raise ctx.fail(path, "is not base32 (RFC 4648: A-Z and 2-7)") from None
    if len(seed) < _MIN_SEED_CHARACTERS:
        raise ctx.fail(path, f"must be at least {_MIN_SEED_CHARACTERS} base32 characters "
                             "(80 bits)")
    return seed


def _mfa_device(ctx: _Ctx, raw: Any, path: str) -> SeedMfaDevice:
    m = _mapping(ctx, raw, path, ("name", "seed"), ("path",))
    name = _string(ctx, m["name"], f"{path}.name", "virtualMFADeviceName")
    device_path = _string(ctx, m.get("path", "/"), f"{path}.path", "pathType")
    return SeedMfaDevice(path, name, device_path, _base32_seed(ctx, m["seed"], f"{path}.seed"))


def _policy(ctx: _Ctx, raw: Any, path: str) -> SeedPolicy:
    m = _mapping(ctx, raw, path, ("name", "document"), ("path", "description", "tags"))
    return SeedPolicy(
        path,
        _string(ctx, m["name"], f"{path}.name", "policyNameType"),
        _string(ctx, m.get("path", "/"), f"{path}.path", "policyPathType"),
        _document(ctx, m["document"], f"{path}.document", policy.PolicyKind.IDENTITY),
        _optional_string(ctx, m.get("description"), f"{path}.description",
                         "policyDescriptionType"),
        _tags(ctx, m.get("tags"), f"{path}.tags"),
    )


def _group(ctx: _Ctx, policies: _Policies, raw: Any, path: str) -> SeedGroup:
    m = _mapping(ctx, raw, path, ("name",), ("path", "inline_policies", "managed_policies"))
    return SeedGroup(
        path,
        _string(ctx, m["name"], f"{path}.name", "groupNameType"),
        _string(ctx, m.get("path", "/"), f"{path}.path", "pathType"),
        _inline(ctx, m.get("inline_policies"), f"{path}.inline_policies"),
        policies.arns(m.get("managed_policies"), f"{path}.managed_policies"),
    )


_USER_KEYS = ("path", "tags", "groups", "inline_policies", "managed_policies",
              "permissions_boundary", "access_keys", "login_profile", "mfa_devices")


def _user(ctx: _Ctx, account_id: str, policies: _Policies, raw: Any, path: str) -> SeedUser:
    m = _mapping(ctx, raw, path, ("name",), _USER_KEYS)
    groups = tuple(_string(ctx, g, f"{path}.groups[{i}]", "groupNameType")
                   for i, g in enumerate(_list(ctx, m.get("groups"), f"{path}.groups")))
    devices = _items(ctx, m.get("mfa_devices"), f"{path}.mfa_devices", _mfa_device)
    return SeedUser(
        path,
        _string(ctx, m["name"], f"{path}.name", "userNameType"),
        _string(ctx, m.get("path", "/"), f"{path}.path", "pathType"),
        _tags(ctx, m.get("tags"), f"{path}.tags"),
        groups,
        _inline(ctx, m.get("inline_policies"), f"{path}.inline_policies"),
        policies.arns(m.get("managed_policies"), f"{path}.managed_policies"),
        policies.optional(m.get("permissions_boundary"), f"{path}.permissions_boundary"),
        _access_keys(ctx, account_id, m.get("access_keys"), f"{path}.access_keys"),
        _login_profile(ctx, m.get("login_profile"), f"{path}.login_profile"),
        devices,
    )


def _instance_profile(ctx: _Ctx, raw: Any, path: str) -> SeedInstanceProfile:
    if isinstance(raw, str):
        raw = {"name": raw}
    m = _mapping(ctx, raw, path, ("name",), ("path", "tags"))
    return SeedInstanceProfile(
        path,
        _string(ctx, m["name"], f"{path}.name", "instanceProfileNameType"),
        _string(ctx, m.get("path", "/"), f"{path}.path", "pathType"),
        _tags(ctx, m.get("tags"), f"{path}.tags"),
    )


_ROLE_KEYS = ("path", "description", "max_session_duration", "permissions_boundary", "tags",
              "inline_policies", "managed_policies", "instance_profiles")


def _role(ctx: _Ctx, policies: _Policies, raw: Any, path: str) -> SeedRole:
    m = _mapping(ctx, raw, path, ("name", "trust_policy"), _ROLE_KEYS)
    duration = m.get("max_session_duration")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int)
                                 or not 3600 <= duration <= 43200):
        raise ctx.fail(f"{path}.max_session_duration",
                       "must be a number of seconds from 3600 to 43200")
    return SeedRole(
        path,
        _string(ctx, m["name"], f"{path}.name", "roleNameType"),
        _string(ctx, m.get("path", "/"), f"{path}.path", "pathType"),
        _document(ctx, m["trust_policy"], f"{path}.trust_policy", policy.PolicyKind.TRUST),
        _optional_string(ctx, m.get("description"), f"{path}.description",
                         "roleDescriptionType"),
        duration,
        policies.optional(m.get("permissions_boundary"), f"{path}.permissions_boundary"),
        _tags(ctx, m.get("tags"), f"{path}.tags"),
        _inline(ctx, m.get("inline_policies"), f"{path}.inline_policies"),
        policies.arns(m.get("managed_policies"), f"{path}.managed_policies"),
        _items(ctx, m.get("instance_profiles"), f"{path}.instance_profiles", _instance_profile),
    )


def _account_id(ctx: _Ctx, value: Any, path: str) -> str:
    # YAML reads an unquoted 123456789012 as a number; that is safe only without a
    # leading zero (YAML 1.1 reads 0-prefixed digits as octal).
    if isinstance(value, int) and not isinstance(value, bool) and 10**11 <= value < 10**12:
        value = str(value)
    if not isinstance(value, str) or not _ACCOUNT_ID.match(value):
        raise ctx.fail(path, "must be a 12-digit account id (quote it in YAML)")
    return value


_ACCOUNT_KEYS = ("alias", "root_access_keys", "policies", "groups", "users", "roles")


def _account(ctx: _Ctx, raw: Any, path: str) -> SeedAccount:
    m = _mapping(ctx, raw, path, ("id",), _ACCOUNT_KEYS)
    account_id = _account_id(ctx, m["id"], f"{path}.id")
    alias = _optional_string(ctx, m.get("alias"), f"{path}.alias", "accountAliasType")
    if alias is not None:
        if alias in ctx.aliases:
            raise ctx.fail(f"{path}.alias", f"is also the alias at {ctx.aliases[alias]}")
        ctx.aliases[alias] = f"{path}.alias"
    root_keys = (None if "root_access_keys" not in m else
                 _access_keys(ctx, account_id, m["root_access_keys"], f"{path}.root_access_keys"))
    declared = _items(ctx, m.get("policies"), f"{path}.policies", _policy)
    _unique(ctx, declared, lambda p: p.name, lambda p: p.where + ".name", "policy")
    policies = _Policies(ctx, account_id, declared)
    groups = _items(ctx, m.get("groups"), f"{path}.groups",
                    lambda c, r, p: _group(c, policies, r, p))
    _unique(ctx, groups, lambda g: g.name, lambda g: g.where + ".name", "group")
    users = _items(ctx, m.get("users"), f"{path}.users",
                   lambda c, r, p: _user(c, account_id, policies, r, p))
    _unique(ctx, users, lambda u: u.name, lambda u: u.where + ".name", "user")
    devices = tuple(d for u in users for d in u.mfa_devices)
    _unique(ctx, devices, lambda d: d.path + d.name, lambda d: d.where + ".name", "MFA device")
    roles = _items(ctx, m.get("roles"), f"{path}.roles", lambda c, r, p: _role(c, policies, r, p))
    _unique(ctx, roles, lambda r: r.name, lambda r: r.where + ".name", "role")
    profiles = tuple(p for r in roles for p in r.instance_profiles)
    _unique(ctx, profiles, lambda p: p.name, lambda p: p.where + ".name", "instance profile")
    return SeedAccount(path, account_id, alias, root_keys, declared, groups, users, roles)


def validate_seed(document: Any, source: str, partition: str = "aws") -> Seed:
    """The seed a parsed document declares; SeedError (file, path, reason) if it is invalid."""
    ctx = _Ctx(source, partition)
    if document is None:
        raise ctx.fail("", "the file is empty")
    m = _mapping(ctx, document, "", ("accounts",), ())
    accounts = _items(ctx, m["accounts"], "accounts", _account)
    _unique(ctx, accounts, lambda a: a.account_id, lambda a: a.where + ".id", "account")
    return Seed(source, accounts)
