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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sekisho.policy.conditions import Clause
from sekisho.policy.model import PolicyKind
from sekisho.policy.variables import Context, Template
from sekisho.policy.wildcard import Matcher, compile_parts

DIRECT, VIA_IDENTITY, VIA_ACCOUNT = 3, 2, 1
"""How a resource-based policy named the principal (strongest first): the
principal itself (user, role session, federated session, or ``*``), the IAM
identity behind a session (role or user ARN), or its whole account."""

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
            if parts is not None and compile_parts(parts, arn=True)(resource):
                return True
        return False


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
                    return DIRECT
            return 0 if identities else DIRECT
        if spec.star:
            return DIRECT
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


@dataclass(frozen=True, eq=False)
class StatementIndex:
    """Statements of one or more policies, found by action."""

    by_service: dict[str, tuple[IndexedStatement, ...]]
    everywhere: tuple[IndexedStatement, ...]
    _memo: dict[str, tuple[IndexedStatement, ...]] = field(default_factory=dict)

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
