"""The IAM policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy and the
GetContextKeysFor*Policy operations (IAM API reference).

Nothing here is stored: the policies the caller passes in, and the principal's
stored policies read in the caller's transaction, are compiled by
`sekisho.policy` and evaluated exactly as the enforcement code evaluates a live
request (`sekisho.domain.authorization`), with the request context the caller
supplies instead of the one a live request carries.

    SourcePolicy     one policy with where it came from and its text
    Subject          the principal's policies (loaded by `principal_subject`)
    Scenario         what is simulated: subject, caller, resource policy, context
    Outcome          the decision for one (action, resource) with its explanation

`simulate(scenario, actions, resources)` answers one `Outcome` per action and
resource; `context_keys(texts)` lists the condition keys policies use.
Raises InvalidInput (malformed input policy, bad ARN or option) and
NoSuchEntity (unknown PolicySourceArn) with AWS's wording where it is known.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sekisho import policy
from sekisho.domain import aws_managed, groups, roles, users
from sekisho.domain.authorization import ContextValue, resource_account
from sekisho.domain.policies import document_of, split_arn
from sekisho.errors import InvalidInput
from sekisho.store import policies as stored
from sekisho.store.sql import Tx

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitDeny", "implicitDeny"
_WIRE = {"allow": ALLOWED, "explicit-deny": EXPLICIT_DENY, "implicit-deny": IMPLICIT_DENY}

# Keys of EvalDecisionDetails, one per policy type that took part (cross-account only).
IDENTITY_DETAIL, RESOURCE_DETAIL, BOUNDARY_DETAIL = (
    "IAM Policy", "Resource Policy", "Permissions Boundary Policy")

_ALLOWS_NOTHING = ('{"Version": "2012-10-17", "Statement": '
                   '{"Effect": "Deny", "Action": "*", "Resource": "*"}}')
_ACCOUNT = re.compile(r"^\d{12}$")

# ResourceHandlingOption scenarios and the EC2 resource types each must be given
# (SimulatePrincipalPolicy, ResourceHandlingOption, IAM API reference).
_BASE = ("instance", "image", "security-group", "network-interface")
SCENARIOS: Mapping[str, tuple[str, ...]] = {
    "EC2-VPC-InstanceStore": _BASE,
    "EC2-VPC-InstanceStore-Subnet": (*_BASE, "subnet"),
    "EC2-VPC-EBS": (*_BASE, "volume"),
    "EC2-VPC-EBS-Subnet": (*_BASE, "subnet", "volume"),
}

Position = tuple[int, int]
"""(line, column) as AWS reports them: 1-based lines; the column just past the brace."""


# --- where each statement sits in the policy text


class _Scanner:
    """Finds the braces of each statement in (already valid) JSON text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def ws(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n and text[self.pos] in " \t\r\n":
            self.pos += 1

    def string(self) -> str:
        start = self.pos + 1
        pos = start
        while self.text[pos] != '"':
            pos += 2 if self.text[pos] == "\\" else 1
        self.pos = pos + 1
        return str(json.loads(self.text[start - 1:self.pos]))

    def value(self) -> tuple[int, int]:
        """Skips one value; returns the offsets of its first and last character."""
        self.ws()
        start = self.pos
        ch = self.text[start]
        if ch == '"':
            self.string()
        elif ch in "{[":
            close = "}" if ch == "{" else "]"
            self.pos += 1
            self.ws()
            while self.text[self.pos] != close:
                if ch == "{":
                    self.string()
                    self.ws()
                    self.pos += 1  # the colon
                self.value()
                self.ws()
                if self.text[self.pos] == ",":
                    self.pos += 1
                    self.ws()
            self.pos += 1
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in ",}] \t\r\n":
                self.pos += 1
        return start, self.pos - 1

    def statement_spans(self) -> list[tuple[int, int]]:
        self.ws()
        self.pos += 1  # the document's opening brace
        found: tuple[int, int] | None = None
        self.ws()
        while self.text[self.pos] != "}":
            key = self.string()
            self.ws()
            self.pos += 1
            self.ws()
            span = self.value()
            if key == "Statement":
                found = span
            self.ws()
            if self.text[self.pos] == ",":
                self.pos += 1
                self.ws()
        if found is None:
            return []
        self.pos = found[0]
        if self.text[self.pos] == "{":
            return [self.value()]
        spans: list[tuple[int, int]] = []
        self.pos += 1
        self.ws()
        while self.text[self.pos] != "]":
            spans.append(self.value())
            self.ws()
            if self.text[self.pos] == ",":
                self.pos += 1
                self.ws()
        return spans


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for m in re.finditer(r"\r\n|\r|\n", text):
        starts.append(m.end())
    return starts


def statement_positions(text: str) -> tuple[tuple[Position, Position], ...]:
    """The start and end position of each statement of a policy text, in order.

    AWS reports the position just past the statement's opening and closing braces,
    1-based: `{"Version":"2012-10-17","Statement":{...}}` with the statement's
    braces at offsets 36 and 165 gives columns 38 and 167 (AWS CLI examples,
    simulate-custom-policy). Empty for text this scanner cannot follow.
    """
    try:
        spans = _Scanner(text).statement_spans()
    except (IndexError, ValueError):
        return ()
    starts = _line_starts(text)

    def at(offset: int) -> Position:
        line = max(n for n, s in enumerate(starts) if s <= offset)
        return line + 1, offset - starts[line] + 2

    return tuple((at(a), at(b)) for a, b in spans)


# --- policies with their origin


@dataclass(frozen=True)
class SourcePolicy:
    """A policy taking part in a simulation: `source_id` and `source_type` are what
    `MatchedStatements` report (`SourcePolicyId`, `SourcePolicyType`)."""

    source_id: str
    source_type: str
    compiled: policy.CompiledPolicy
    positions: tuple[tuple[Position, Position], ...]

    def span(self, index: int) -> tuple[Position, Position] | None:
        return self.positions[index] if index < len(self.positions) else None


def _source(text: str, kind: policy.PolicyKind, source_id: str, source_type: str,
            key: str) -> SourcePolicy:
    compiled = policy.parse_policy(text, kind, key)
    return SourcePolicy(source_id, source_type, compiled, statement_positions(text))


def input_policy(text: str, kind: policy.PolicyKind, source_id: str, key: str,
                 source_type: str = "none") -> SourcePolicy:
    """A policy given to the simulator; InvalidInput when it does not parse."""
    try:
        return _source(text, kind, source_id, source_type, key)
    except policy.PolicyParseError as exc:
        raise InvalidInput(exc.message) from None


def _stored(text: str | None, kind: policy.PolicyKind, source_id: str, source_type: str,
            key: str) -> SourcePolicy | None:
    if text is None:
        return None
    try:
        return _source(text, kind, source_id, source_type, key)
    except policy.PolicyParseError:
        return None  # as the enforcement code: a stored policy that no longer parses grants nothing


def _managed_type(arn: str) -> str:
    return "aws-managed" if aws_managed.is_aws_managed_arn(arn) else "user-managed"


# --- the principal of SimulatePrincipalPolicy


@dataclass(frozen=True)
class Subject:
    """The entity named by PolicySourceArn: its kind, ARN, id and policies."""

    kind: str  # user | group | role
    arn: str
    account_id: str
    entity_id: str
    identity: tuple[SourcePolicy, ...]
    boundary: SourcePolicy | None = None


def _entity_parts(arn: str) -> tuple[str, str, str, str]:
    """(account, kind, path, name) of a user, group or role ARN; InvalidInput otherwise."""
    parts = arn.split(":", 5)
    kind, _, rest = parts[5].partition("/") if len(parts) == 6 else ("", "", "")
    if (len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam"
            or kind not in ("user", "group", "role") or not rest or rest.endswith("/")):
        raise InvalidInput(f"Invalid Entity Arn: {arn} does not clearly define entity type "
                           "and name.")
    head, _, name = rest.rpartition("/")
    return parts[4], kind, f"/{head}/" if head else "/", name


def check_source_account(arn: str, account_id: str) -> None:
    """InvalidInput for an entity ARN of another account, or one that names no entity."""
    owner, _, _, _ = _entity_parts(arn)
    if owner != account_id:
        raise InvalidInput(f"Invalid Policy Source Arn: caller's account {account_id} does "
                           f"not have access to policies in account {owner}")


class _Collector:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.found: list[SourcePolicy] = []

    def owner(self, entity_id: str, source_type: str) -> None:
        for name, doc in stored.inline_of(self.tx, entity_id):
            self.add(doc, name, source_type)
        for arn in stored.attached_to(self.tx, entity_id):
            self.add(document_of(self.tx, arn), split_arn(arn)[1], _managed_type(arn))

    def add(self, doc: str | None, source_id: str, source_type: str) -> None:
        key = f"identity.{len(self.found)}"
        found = _stored(doc, policy.PolicyKind.IDENTITY, source_id, source_type, key)
        if found is not None:
            self.found.append(found)


def _boundary(tx: Tx, arn: str | None) -> SourcePolicy | None:
    if not arn:
        return None
    name, kind = split_arn(arn)[1], policy.PolicyKind.BOUNDARY
    found = _stored(document_of(tx, arn), kind, name, _managed_type(arn), "boundary")
    # A boundary that cannot be loaded allows nothing, as in the enforcement code.
    return found or _source(_ALLOWS_NOTHING, kind, name, _managed_type(arn), "boundary")


def principal_subject(tx: Tx, account_id: str, arn: str) -> Subject:
    """The policies of the user (with its groups'), group or role named by `arn`.

    InvalidInput for an ARN that names no user, group or role of the account;
    NoSuchEntity (`The user with name X cannot be found.`, ...) when it does not exist.
    """
    check_source_account(arn, account_id)
    _, kind, path, name = _entity_parts(arn)
    collect = _Collector(tx)
    if kind == "user":
        user = tx.user_by_name(account_id, name)
        if user is None or user.path != path:
            raise users.not_found(name)
        collect.owner(user.user_id, "user")
        for group in tx.all_groups_of_user(user.user_id):
            collect.owner(group.group_id, "group")
        return Subject(kind, arn, account_id, user.user_id, tuple(collect.found),
                       _boundary(tx, user.permissions_boundary_arn))
    if kind == "group":
        group_rec = tx.group_by_name(account_id, name)
        if group_rec is None or group_rec.path != path:
            raise groups.not_found(name)
        collect.owner(group_rec.group_id, "group")
        return Subject(kind, arn, account_id, group_rec.group_id, tuple(collect.found))
    role = roles.find_role(tx, account_id, name)
    if role is None or role.path != path:
        raise roles.not_found(name)
    collect.owner(role.role_id, "role")
    return Subject(kind, arn, account_id, role.role_id, tuple(collect.found),
                   _boundary(tx, role.permissions_boundary_arn))


# --- a simulation


@dataclass(frozen=True)
class Scenario:
    """Everything one simulation evaluates.

    `principal` is who makes the simulated requests; `resource_owner` the account
    of resources whose ARN names none; `context` the ContextEntries.
    """

    principal: policy.Principal
    identity: tuple[SourcePolicy, ...]
    boundary: SourcePolicy | None
    resource_policy: SourcePolicy | None
    resource_owner: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    def policy_set(self) -> policy.PolicySet:
        return policy.PolicySet(
            identity=tuple(p.compiled for p in self.identity),
            resource=self.resource_policy.compiled if self.resource_policy else None,
            boundary=self.boundary.compiled if self.boundary else None)

    def sources(self) -> dict[str, SourcePolicy]:
        found = {p.compiled.policy_id: p for p in self.identity}
        for extra in (self.boundary, self.resource_policy):
            if extra is not None:
                found[extra.compiled.policy_id] = extra
        return found


@dataclass(frozen=True)
class Matched:
    """A statement that decided the result (`Statement` on the wire)."""

    source_id: str
    source_type: str
    span: tuple[Position, Position] | None


@dataclass(frozen=True)
class Outcome:
    """The simulated decision for one action on one resource."""

    action: str
    resource: str
    decision: str  # allowed | explicitDeny | implicitDeny
    matched: tuple[Matched, ...]
    missing: tuple[str, ...]
    details: Mapping[str, str]  # per policy type; empty in the principal's own account
    cross_account: bool
    boundary_allowed: bool | None  # None when no permissions boundary applies


def _kind_decision(matched: Sequence[policy.MatchedStatement], kinds: set[policy.PolicyKind]
                   ) -> str:
    effects = {m.effect for m in matched if m.kind in kinds}
    if "Deny" in effects:
        return EXPLICIT_DENY
    return ALLOWED if "Allow" in effects else IMPLICIT_DENY


def _deciding(decision: str, matched: Sequence[policy.MatchedStatement]
              ) -> list[policy.MatchedStatement]:
    """The statements that determine the result: the denies for an explicit deny, the
    allows of identity and resource policies for an allow, none for an implicit deny
    (EvaluationResult, MatchedStatements)."""
    if decision == EXPLICIT_DENY:
        return [m for m in matched if m.effect == "Deny" and m.kind is not policy.PolicyKind.SCP]
    if decision == ALLOWED:
        kinds = {policy.PolicyKind.IDENTITY, policy.PolicyKind.RESOURCE}
        return [m for m in matched if m.effect == "Allow" and m.kind in kinds]
    return []


def evaluate(scenario: Scenario, policies: policy.PolicySet, sources: Mapping[str, SourcePolicy],
             action: str, resource: str) -> Outcome:
    """Decides one action on one resource."""
    principal = scenario.principal
    owner = resource_account(resource, scenario.resource_owner)
    request = policy.Request(principal, action, resource, owner, scenario.context)
    decision = policy.authorize(request, policies)
    wire = _WIRE[decision.decision]
    matched = decision.matched
    found: list[Matched] = []
    for m in _deciding(wire, matched):
        source = sources.get(m.policy_id)
        if source is not None:
            found.append(Matched(source.source_id, source.source_type, source.span(m.index)))
    cross = owner != principal.account
    details: dict[str, str] = {}
    if cross:
        details[IDENTITY_DETAIL] = _kind_decision(matched, {policy.PolicyKind.IDENTITY})
        details[RESOURCE_DETAIL] = _kind_decision(matched, {policy.PolicyKind.RESOURCE})
        if scenario.boundary is not None:
            details[BOUNDARY_DETAIL] = _kind_decision(matched, {policy.PolicyKind.BOUNDARY})
    bounded = None
    if scenario.boundary is not None:
        bounded = _kind_decision(matched, {policy.PolicyKind.BOUNDARY}) == ALLOWED
    return Outcome(action, resource, wire, tuple(found), decision.missing_context_values,
                   details, cross, bounded)


def simulate(scenario: Scenario, actions: Sequence[str],
             resources: Sequence[str]) -> list[Outcome]:
    """One `Outcome` per action (outer) and resource (inner, `*` when none is given)."""
    policies = scenario.policy_set()
    sources = scenario.sources()
    return [evaluate(scenario, policies, sources, action, resource)
            for action in actions for resource in (resources or ("*",))]


def check_scenario(option: str, resources: Sequence[str]) -> None:
    """InvalidInput unless `option` is a known scenario given every resource it needs."""
    needed = SCENARIOS.get(option)
    if needed is None:
        raise InvalidInput(f"Invalid ResourceHandlingOption: {option}. Valid values are: "
                           f"{', '.join(SCENARIOS)}")
    types = {r.split(":", 5)[-1].split("/", 1)[0] for r in resources
             if r.startswith("arn:") and r.split(":")[2:3] == ["ec2"]}
    lacking = [t for t in needed if t not in types]
    if lacking:
        raise InvalidInput(f"ResourceHandlingOption {option} requires resources of type: "
                           f"{', '.join(lacking)}")


def account_of(value: str, default: str) -> str:
    """The account an account id, an `arn:...:iam::ACCOUNT:root` or any ARN names."""
    if _ACCOUNT.match(value):
        return value
    return resource_account(value, default)


# --- context

_TYPES_WITH_LISTS = frozenset({"stringList", "numericList", "booleanList", "ipList",
                               "binaryList", "dateList"})


def context_of(entries: Iterable[Mapping[str, object]]) -> dict[str, ContextValue]:
    """ContextEntries as the engine's context: one value, or a tuple for a *List type or
    several values. A later entry for the same key replaces an earlier one."""
    out: dict[str, ContextValue] = {}
    for entry in entries:
        name = str(entry.get("ContextKeyName") or "")
        if not name:
            continue
        raw = entry.get("ContextKeyValues") or []
        values = tuple(str(v) for v in raw) if isinstance(raw, list | tuple) else (str(raw),)
        if str(entry.get("ContextKeyType", "")) in _TYPES_WITH_LISTS or len(values) != 1:
            out[name] = values
        else:
            out[name] = values[0]
    return out


# --- context keys

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL_VARIABLES = frozenset({"*", "?", "$"})


def _variables(value: object) -> list[str]:
    found: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            for m in _VARIABLE.finditer(item):
                body = m.group(1).split(",", 1)[0].strip()
                if body and body not in _SPECIAL_VARIABLES:
                    found.append(body)
    return found


def _keys_of(doc: Mapping[str, object]) -> list[str]:
    raw = doc.get("Statement")
    statements = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
    keys: list[str] = []
    variables = doc.get("Version") == "2012-10-17"
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        if variables:
            for element in ("Resource", "NotResource"):
                keys += _variables(statement.get(element))
        condition = statement.get("Condition")
        if not isinstance(condition, dict):
            continue
        for block in condition.values():
            if not isinstance(block, dict):
                continue
            for key, values in block.items():
                keys.append(key)
                if variables:
                    keys += _variables(values)
    return keys


def context_keys(texts: Iterable[str]) -> list[str]:
    """The condition keys the policies use, from `Condition` blocks and policy variables
    (`${aws:username}`), each once ignoring case (key names are case-insensitive),
    in order of first use. The texts must be valid policies (see `check_texts`)."""
    seen: dict[str, str] = {}
    for text in texts:
        doc = json.loads(text)
        for key in _keys_of(doc if isinstance(doc, dict) else {}):
            seen.setdefault(key.lower(), key)
    return list(seen.values())


def check_texts(texts: Iterable[str], kind: policy.PolicyKind) -> None:
    """InvalidInput for the first text that is not a valid policy of `kind`."""
    for n, text in enumerate(texts, 1):
        input_policy(text, kind, f"PolicyInputList.{n}", f"check.{n}")


def principal_texts(tx: Tx, account_id: str, arn: str) -> list[str]:
    """The identity policy texts of the user (and its groups), group or role; the
    errors of `principal_subject`."""
    check_source_account(arn, account_id)
    _, kind, path, name = _entity_parts(arn)
    owners: list[str] = []
    if kind == "user":
        user = tx.user_by_name(account_id, name)
        if user is None or user.path != path:
            raise users.not_found(name)
        owners = [user.user_id, *(g.group_id for g in tx.all_groups_of_user(user.user_id))]
    elif kind == "group":
        group = tx.group_by_name(account_id, name)
        if group is None or group.path != path:
            raise groups.not_found(name)
        owners = [group.group_id]
    else:
        role = roles.find_role(tx, account_id, name)
        if role is None or role.path != path:
            raise roles.not_found(name)
        owners = [role.role_id]
    texts: list[str] = []
    for owner in owners:
        texts += [doc for _, doc in stored.inline_of(tx, owner)]
        texts += [doc for arn_ in stored.attached_to(tx, owner)
                  if (doc := document_of(tx, arn_)) is not None]
    return [t for t in texts if _is_json_object(t)]


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


__all__ = [
    "ALLOWED",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "Matched",
    "Outcome",
    "Scenario",
    "SourcePolicy",
    "Subject",
    "account_of",
    "check_scenario",
    "check_source_account",
    "check_texts",
    "context_keys",
    "context_of",
    "evaluate",
    "input_policy",
    "principal_subject",
    "principal_texts",
    "simulate",
    "statement_positions",
]
