"""The compiled, immutable form of a policy and the index over its statements.

A ``CompiledStatement`` holds precompiled matchers for its action, resource
and principal elements and its condition clauses. A ``StatementIndex`` (one
per policy, or one merged over several policies of the same type) finds the
statements whose ``Action``/``NotAction`` covers an action: statements are
bucketed by service prefix, and the answer for each action is memoized, so
a decision never looks at statements written for other services.

Everything here is immutable after construction except the memo, a plain
dict filled idempotently (safe to share between threads under the GIL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from sekisho.policy.conditions import Clause
from sekisho.policy.model import PolicyKind
from sekisho.policy.variables import Context, Template
from sekisho.policy.wildcard import ALWAYS, Matcher, Part, any_of, compile_parts

DIRECT, ANYONE, VIA_IDENTITY, VIA_ACCOUNT = 4, 3, 2, 1
"""How a resource-based policy named the principal (strongest first): the
principal itself (user, role or federated session ARN, unique id; the account
for the root user), everyone (``"*"``, or a ``NotPrincipal`` that spares it),
the IAM identity behind a session (role or user ARN), or its whole account.
``ANYONE`` differs from ``DIRECT`` only for sessions: AWS lifts the
session-policy limit only for a policy that "specifically references" the
session (STS API reference, GetFederationToken; IAM User Guide, Session
policies)."""

ResourceCheck = Callable[[str, Context], bool]
ConditionCheck = Callable[[Context, "list[str] | None"], bool]

_MEMO_LIMIT = 8192


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    """A ``Resource``/``NotResource`` list: static matchers and templates."""

    matchers: tuple[Matcher, ...]
    templates: tuple[Template, ...]

    def matches(self, resource: str, context: Context) -> bool:
        for m in self.matchers:
            if m(resource):
                return True
        for t in self.templates:
            parts = t.resolve(context)
            if parts is not None and _resolved_matcher(parts)(resource):
                return True
        return False


@lru_cache(maxsize=4096)
def _resolved_matcher(parts: tuple[Part, ...]) -> Matcher:
    return compile_parts(parts, arn=True)


def _negated(check: ResourceCheck) -> ResourceCheck:
    def negated(resource: str, context: Context) -> bool:
        return not check(resource, context)

    return negated


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A ``Principal``/``NotPrincipal`` element as normalized tokens.

    Tokens: ``account:<id>`` (an account id or its ``:root`` ARN), an ARN or a
    unique id for other AWS principals, ``service:<name>``,
    ``federated:<provider>``, ``canonical:<id>``. ``star`` is ``"*"``.
    """

    star: bool
    tokens: frozenset[str]


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    """One statement, ready to evaluate."""

    index: int
    sid: str
    allow: bool
    action_patterns: tuple[str, ...]
    action_matchers: tuple[Matcher, ...]
    not_action: bool
    resource: ResourceSpec | None
    not_resource: bool
    principal: PrincipalSpec | None
    not_principal: bool
    conditions: tuple[Clause, ...]
    # Derived in __post_init__ for the evaluation loop (see ``probe``).
    resource_match: Matcher | None = field(init=False, default=None, compare=False)
    resource_check: ResourceCheck | None = field(init=False, default=None, compare=False)
    condition_checks: tuple[ConditionCheck, ...] = field(init=False, default=(), compare=False)

    def __post_init__(self) -> None:
        spec = self.resource
        match: Matcher | None = None
        check: ResourceCheck | None = None
        # Neither is set when the statement covers every resource (no element, or "*").
        if spec is not None and (
            self.not_resource or not any(m is ALWAYS for m in spec.matchers)
        ):
            if not spec.templates and not self.not_resource:
                match = any_of(spec.matchers)
            elif self.not_resource:
                check = _negated(spec.matches)
            else:
                check = spec.matches
        object.__setattr__(self, "resource_match", match)
        object.__setattr__(self, "resource_check", check)
        object.__setattr__(self, "condition_checks", tuple(c.evaluate for c in self.conditions))

    @property
    def effect(self) -> str:
        return "Allow" if self.allow else "Deny"

    def matches_action(self, action: str) -> bool:
        """``action`` must be lower-cased (actions are case-insensitive)."""
        hit = False
        for m in self.action_matchers:
            if m(action):
                hit = True
                break
        return hit != self.not_action

    def matches_resource(self, resource: str, context: Context) -> bool:
        if self.resource is None:
            return True
        return self.resource.matches(resource, context) != self.not_resource

    def principal_grant(self, identities: Sequence[tuple[str, int]]) -> int:
        """How the statement names the principal: 0 (not at all) or a grant level.

        ``identities`` lists the principal's tokens with the grant level each
        gives. With ``NotPrincipal`` the statement applies unless every one of
        the principal's identities is listed (IAM User Guide, NotPrincipal).
        """
        spec = self.principal
        if spec is None:
            return DIRECT
        if self.not_principal:
            if spec.star:
                return 0
            for token, _level in identities:
                if token not in spec.tokens:
                    return ANYONE
            return 0 if identities else ANYONE
        if spec.star:
            return ANYONE
        best = 0
        for token, level in identities:
            if level > best and token in spec.tokens:
                best = level
        return best

    def conditions_hold(self, context: Context, missing: list[str] | None) -> bool:
        return all(clause.evaluate(context, missing) for clause in self.conditions)


@dataclass(frozen=True, slots=True)
class IndexedStatement:
    """A statement with the policy it came from."""

    kind: PolicyKind
    policy_id: str
    statement: CompiledStatement


Probe = tuple[
    bool,
    "Matcher | None",
    "ResourceCheck | None",
    "Callable[[Sequence[tuple[str, int]]], int] | None",
    tuple[ConditionCheck, ...],
    IndexedStatement,
]
"""A statement flattened for the evaluation loop: ``(allow, resource_match,
resource_check, principal_grant, condition_checks, entry)``; ``resource_match``
and ``resource_check`` are ``None`` when the statement covers every resource,
``principal_grant`` is ``None`` when the statement has no principal element."""


def probe(entry: IndexedStatement) -> Probe:
    """The ``Probe`` of one indexed statement."""
    stmt = entry.statement
    return (
        stmt.allow,
        stmt.resource_match,
        stmt.resource_check,
        stmt.principal_grant if stmt.principal is not None else None,
        stmt.condition_checks,
        entry,
    )


@dataclass(frozen=True, eq=False)
class StatementIndex:
    """Statements of one or more policies, found by action."""

    by_service: dict[str, tuple[IndexedStatement, ...]]
    everywhere: tuple[IndexedStatement, ...]
    _memo: dict[str, tuple[IndexedStatement, ...]] = field(default_factory=dict)
    _probes: dict[str, tuple[Probe, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: Iterable[IndexedStatement]) -> StatementIndex:
        by_service: dict[str, list[IndexedStatement]] = {}
        everywhere: list[IndexedStatement] = []
        for entry in entries:
            stmt = entry.statement
            services = {p.split(":", 1)[0] for p in stmt.action_patterns}
            if stmt.not_action or any("*" in s or "?" in s for s in services):
                everywhere.append(entry)
                continue
            for service in services:
                by_service.setdefault(service, []).append(entry)
        return cls({k: tuple(v) for k, v in by_service.items()}, tuple(everywhere))

    def for_action(self, action: str) -> tuple[IndexedStatement, ...]:
        """The statements whose action element covers ``action`` (lower-case)."""
        found = self._memo.get(action)
        if found is not None:
            return found
        service = action.split(":", 1)[0]
        candidates = self.by_service.get(service, ()) + self.everywhere
        order = {id(e): n for n, e in enumerate(candidates)}
        found = tuple(
            sorted(
                (e for e in candidates if e.statement.matches_action(action)),
                key=lambda e: (e.policy_id, e.statement.index, order[id(e)]),
            )
        )
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[action] = found
        return found

    def probes_for_action(self, action: str) -> tuple[Probe, ...]:
        """``for_action`` as ``Probe`` tuples (memoized the same way)."""
        found = self._probes.get(action)
        if found is None:
            found = tuple(probe(e) for e in self.for_action(action))
            if len(self._probes) >= _MEMO_LIMIT:
                self._probes.clear()
            self._probes[action] = found
        return found


@dataclass(frozen=True, eq=False)
class CompiledPolicy:
    """A parsed, validated, compiled policy document (immutable).

    Build it with ``parse_policy``. ``size`` is the document size as IAM
    counts it (see ``policy_size``).
    """

    policy_id: str
    kind: PolicyKind
    version: str
    statements: tuple[CompiledStatement, ...]
    size: int
    index: StatementIndex

    def entries(self) -> tuple[IndexedStatement, ...]:
        return tuple(IndexedStatement(self.kind, self.policy_id, s) for s in self.statements)


def merge_index(policies: Iterable[CompiledPolicy]) -> StatementIndex:
    """One index over the statements of several policies."""
    entries: list[IndexedStatement] = []
    for policy in policies:
        entries.extend(policy.entries())
    return StatementIndex.build(entries)
