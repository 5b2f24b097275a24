"""The request model and the decision: small frozen dataclasses.

``Principal`` and ``Request`` describe one authorization question;
``PolicySet`` holds the compiled policies that apply to it; ``Decision`` is
the answer with its explanation.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sekisho.policy.compiled import CompiledPolicy, StatementIndex

PRINCIPAL_TYPES = frozenset({"user", "role-session", "federated", "root", "anonymous", "service"})


class PolicyKind(enum.Enum):
    """The policy types of the IAM User Guide's "Policies and permissions"."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    BOUNDARY = "boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"

    @property
    def label(self) -> str:
        """The name AWS uses in AccessDenied messages."""
        return _LABELS[self]


_LABELS = {
    PolicyKind.IDENTITY: "identity-based policy",
    PolicyKind.RESOURCE: "resource-based policy",
    PolicyKind.TRUST: "resource-based policy",
    PolicyKind.BOUNDARY: "permissions boundary",
    PolicyKind.SESSION: "session policy",
    PolicyKind.SCP: "service control policy",
    PolicyKind.RCP: "resource control policy",
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who makes the request.

    ``type`` is one of ``user``, ``role-session`` (``role_arn`` is the role),
    ``federated`` (a GetFederationToken session; ``source_user_arn`` is the
    IAM user), ``root``, ``anonymous`` or ``service`` (``arn`` is the service
    principal name, such as ``lambda.amazonaws.com``).
    """

    arn: str
    account: str
    type: str
    role_arn: str | None = None
    source_user_arn: str | None = None
    user_id: str | None = None
    service_linked_role: bool = False
    org_management_account: bool = False

    def __post_init__(self) -> None:
        if self.type not in PRINCIPAL_TYPES:
            raise ValueError(f"unknown principal type {self.type!r}")


ContextValue = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Request:
    """One request: who, what action, on which resource, with what context.

    ``context`` holds exactly the condition keys present in the request (key
    names in any case; multivalued keys as tuples). ``resource_account`` is the
    account that owns the resource; empty means the principal's own account.
    """

    principal: Principal
    action: str
    resource: str
    resource_account: str = ""
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicySet:
    """The compiled policies that apply to one request.

    ``identity``: the principal's identity-based policies (for a federated
    session, those of its IAM user); ``resource``: the resource-based policy
    (a role's trust policy for ``sts:AssumeRole*``); ``boundary``: the
    permissions boundary; ``session``: session policies; ``scp``/``rcp``:
    levels from the organization root down to the account, each a tuple of
    policies of which at least one must allow. ``resource_required`` marks
    resources whose policy must grant access even within the account (role
    trust policies, KMS key policies).
    """

    identity: tuple[CompiledPolicy, ...] = ()
    resource: CompiledPolicy | None = None
    boundary: CompiledPolicy | None = None
    session: tuple[CompiledPolicy, ...] = ()
    scp: tuple[tuple[CompiledPolicy, ...], ...] = ()
    rcp: tuple[tuple[CompiledPolicy, ...], ...] = ()
    resource_required: bool = False

    # Merged indexes, built on first use and kept with the (immutable) set.
    @cached_property
    def identity_index(self) -> StatementIndex:
        return _merged(self.identity)

    @cached_property
    def session_index(self) -> StatementIndex:
        return _merged(self.session)

    @cached_property
    def scp_indexes(self) -> tuple[StatementIndex, ...]:
        return tuple(_merged(level) for level in self.scp)

    @cached_property
    def rcp_indexes(self) -> tuple[StatementIndex, ...]:
        return tuple(_merged(level) for level in self.rcp)

    @cached_property
    def plans(self) -> dict[str, object]:
        """Memo of ``authorize``: per lower-case action, the candidate statements
        of every policy type (filled idempotently; safe to share between threads)."""
        return {}


def _merged(policies: tuple[CompiledPolicy, ...]) -> StatementIndex:
    from sekisho.policy.compiled import merge_index  # compiled imports this module

    return merge_index(policies)


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that applied to the request."""

    kind: PolicyKind
    policy_id: str
    index: int
    sid: str
    effect: str

    def as_dict(self) -> dict[str, object]:
        return {
            "policy_type": self.kind.value,
            "policy_id": self.policy_id,
            "statement_index": self.index,
            "sid": self.sid,
            "effect": self.effect,
        }


ALLOW, EXPLICIT_DENY, IMPLICIT_DENY = "allow", "explicit-deny", "implicit-deny"


Explainer = Callable[["Request", "PolicySet"], tuple[tuple[MatchedStatement, ...], tuple[str, ...]]]


class Decision(tuple):  # type: ignore[type-arg]
    """The answer to a request, with what decided it (immutable).

    ``decision`` is ``allow``, ``explicit-deny`` or ``implicit-deny``;
    ``deciding_kind`` is the policy type that caused a deny (``None`` for an
    allow); ``reason`` says which rule decided. ``matched`` lists every
    statement that applied and ``missing_context_values`` the condition keys
    the request lacked; for a decision made by ``authorize`` these two are
    worked out on first access (see ``lazy_decision``), which keeps them off the
    hot path.

    A tuple subclass because building one is the cheapest immutable object in
    CPython (``authorize`` builds one per request); its last item is a private
    cell holding either the way to compute the details or the details.
    """

    __slots__ = ()

    def __new__(
        cls,
        decision: str,
        request: Request,
        matched: tuple[MatchedStatement, ...] = (),
        deciding_kind: PolicyKind | None = None,
        missing_context_values: tuple[str, ...] = (),
        reason: str = "",
    ) -> Decision:
        cell: list[object] = [True, matched, missing_context_values]
        return tuple.__new__(cls, (decision, request, deciding_kind, reason, cell))

    @property
    def decision(self) -> str:
        return self[0]  # type: ignore[no-any-return]

    @property
    def request(self) -> Request:
        return self[1]  # type: ignore[no-any-return]

    @property
    def deciding_kind(self) -> PolicyKind | None:
        return self[2]  # type: ignore[no-any-return]

    @property
    def reason(self) -> str:
        return self[3]  # type: ignore[no-any-return]

    def _details(self) -> list[object]:
        cell: list[object] = self[4]
        if not cell[0]:
            explain, policies = cell[1], cell[2]
            matched, missing = explain(self[1], policies)  # type: ignore[operator]
            cell[:] = [True, matched, missing]
        return cell

    @property
    def matched(self) -> tuple[MatchedStatement, ...]:
        return self._details()[1]  # type: ignore[return-value]

    @property
    def missing_context_values(self) -> tuple[str, ...]:
        return self._details()[2]  # type: ignore[return-value]

    def _key(self) -> tuple[object, ...]:
        return (
            self.decision,
            self.request,
            self.matched,
            self.deciding_kind,
            self.missing_context_values,
            self.reason,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash((self.decision, self.deciding_kind, self.reason))

    def __repr__(self) -> str:
        return (
            f"Decision(decision={self.decision!r}, deciding_kind={self.deciding_kind!r}, "
            f"reason={self.reason!r}, matched={self.matched!r}, "
            f"missing_context_values={self.missing_context_values!r})"
        )

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOW

    def access_denied_message(self) -> str:
        """AWS's AccessDenied wording for this decision ("" for an allow).

        Follows the IAM User Guide's "Troubleshoot access denied error
        messages": ``with an explicit deny in a <type>`` or
        ``because no <type> allows the <action> action``.
        """
        if self.decision == ALLOW:
            return ""
        req = self.request
        who = req.principal.arn if req.principal.type != "anonymous" else "anonymous"
        head = f"User: {who} is not authorized to perform: {req.action}"
        if req.resource:
            head += f" on resource: {req.resource}"
        kind = self.deciding_kind or PolicyKind.IDENTITY
        label = kind.label
        if self.decision == EXPLICIT_DENY:
            article = "an" if label[0] in "aeiou" else "a"
            return f"{head} with an explicit deny in {article} {label}"
        return f"{head} because no {label} allows the {req.action} action"

    def explanation(self) -> dict[str, object]:
        """A JSON-ready account of the decision."""
        return {
            "reason": self.reason,
            "deciding_policy_type": self.deciding_kind.value if self.deciding_kind else None,
            "matched_statements": [m.as_dict() for m in self.matched],
            "missing_context_values": list(self.missing_context_values),
            "message": self.access_denied_message(),
        }


_tuple_new = tuple.__new__


def lazy_decision(
    decision: str,
    request: Request,
    deciding_kind: PolicyKind | None,
    reason: str,
    explain: Explainer,
    policies: PolicySet,
) -> Decision:
    """A ``Decision`` whose ``matched`` and ``missing_context_values`` are
    computed by ``explain(request, policies)`` on first access."""
    return _tuple_new(  # type: ignore[no-any-return]
        Decision, (decision, request, deciding_kind, reason, [False, explain, policies])
    )
