"""Decide one request across every policy type (IAM policy evaluation logic).

The steps follow the IAM User Guide, "Policy evaluation logic" and "How AWS
enforcement code logic evaluates requests":

1. An applicable ``Deny`` in any policy -> explicit deny.
2. RCPs (resource's account) and SCPs (principal's account): every level from
   the organization root down must allow, or the request is implicitly denied.
   Service-linked roles and the management account are exempt from SCPs; SCPs
   do not apply to service principals or anonymous callers.
3. Same account: a resource-based policy that names the user, the role
   session or the federated session itself allows on its own, whatever the
   identity policies, boundary and session policies say; one that grants
   ``*`` does too, except that a session's session policies still limit it
   (only a policy that "specifically references" the session lifts them); one
   that names the role or the IAM user behind a session stands in for the
   identity policies but is still limited by the boundary and session
   policies; one that names only the account delegates to the identity
   policies. Role trust policies and KMS key policies (``resource_required``)
   must allow in any case.
4. Otherwise the identity policies, then the permissions boundary, then the
   session policies (mandatory for a GetFederationToken session) must allow.
5. Cross-account: both the identity side (step 4) and the resource-based
   policy must allow.
6. The root user needs no identity policy; anonymous and service principals
   are allowed only by a resource-based policy.

Speed: the statements that can apply to an action are worked out once per
(``PolicySet``, action) and kept in ``PolicySet.plans`` as flat ``Probe``
tuples; a decision walks only those, stops at the first explicit deny, and
builds no explanation. ``Decision.matched`` and ``missing_context_values`` are
computed on first access by running the same procedure in explain mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from sekisho.policy.compiled import (
    ANYONE,
    DIRECT,
    VIA_ACCOUNT,
    VIA_IDENTITY,
    IndexedStatement,
    Probe,
)
from sekisho.policy.model import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    ContextValue,
    Decision,
    MatchedStatement,
    PolicyKind,
    PolicySet,
    Principal,
    Request,
    lazy_decision,
)
from sekisho.policy.parser import aws_token
from sekisho.policy.variables import Context

_SESSION_TYPES = frozenset({"role-session", "federated"})
_IAM_TYPES = frozenset({"user", "role-session", "federated"})
_NO_ACCOUNT = frozenset({"anonymous", "service"})
_MEMO_LIMIT = 8192
_EMPTY: dict[str, ContextValue] = {}

SCP, RCP, IDENTITY, BOUNDARY, SESSION = (
    PolicyKind.SCP,
    PolicyKind.RCP,
    PolicyKind.IDENTITY,
    PolicyKind.BOUNDARY,
    PolicyKind.SESSION,
)

Identities = tuple[tuple[str, int], ...]


@lru_cache(maxsize=4096)
def principal_identities(principal: Principal) -> Identities:
    """The tokens a ``Principal`` element can name this principal by."""
    account = f"account:{principal.account}"
    kind = principal.type
    ids: list[tuple[str, int]] = []
    if kind == "root":
        return ((account, DIRECT),)
    if kind == "anonymous":
        return (("anonymous", DIRECT),)
    if kind == "service":
        return ((f"service:{principal.arn}", DIRECT),)
    ids.append((aws_token(principal.arn), DIRECT))
    if principal.user_id:
        ids.append((principal.user_id, DIRECT))
    if kind == "role-session" and principal.role_arn:
        ids.append((principal.role_arn, VIA_IDENTITY))
    if kind == "federated" and principal.source_user_arn:
        ids.append((principal.source_user_arn, VIA_IDENTITY))
    ids.append((account, VIA_ACCOUNT))
    return tuple(ids)


_LOWER: dict[str, str] = {}


def normalize_context(context: Mapping[str, ContextValue]) -> dict[str, ContextValue]:
    """Condition key names are case-insensitive: key them in lower case.

    The lower-cased form of each key name is memoized: requests carry the same
    few dozen names over and over, and a dict lookup is cheaper than ``lower()``.
    """
    out: dict[str, ContextValue] = {}
    lowered = _LOWER.get
    for key, value in context.items():
        low = lowered(key)
        if low is None:
            low = key.lower()
            if len(_LOWER) >= _MEMO_LIMIT:
                _LOWER.clear()
            _LOWER[key] = low
        out[low] = value
    return out


class _Plan:
    """The candidate statements of every policy type for one action."""

    __slots__ = ("boundary", "identity", "needs_context", "rcp", "resource", "scp", "session")

    def __init__(self, policies: PolicySet, action: str) -> None:
        self.scp = tuple(i.probes_for_action(action) for i in policies.scp_indexes)
        self.rcp = tuple(i.probes_for_action(action) for i in policies.rcp_indexes)
        self.identity = (
            policies.identity_index.probes_for_action(action) if policies.identity else ()
        )
        self.resource = (
            policies.resource.index.probes_for_action(action)
            if policies.resource is not None
            else ()
        )
        self.boundary = (
            policies.boundary.index.probes_for_action(action)
            if policies.boundary is not None
            else ()
        )
        self.session = policies.session_index.probes_for_action(action) if policies.session else ()
        everything = [*self.identity, *self.resource, *self.boundary, *self.session]
        for level in (*self.scp, *self.rcp):
            everything.extend(level)
        # Conditions and resource variables read the context; otherwise skip lowering it.
        self.needs_context = any(p[2] is not None or p[4] for p in everything)


def _plan(policies: PolicySet, action: str) -> _Plan:
    plans = policies.plans
    plan = plans.get(action)
    if plan is None:
        plan = _Plan(policies, action)
        if len(plans) >= _MEMO_LIMIT:
            plans.clear()
        plans[action] = plan
    return plan  # type: ignore[return-value]


class _Explain:
    """Explain mode: the statements that applied, per policy evaluated, and the
    condition keys the request lacked."""

    __slots__ = ("groups", "missing")

    def __init__(self) -> None:
        self.groups: list[tuple[PolicyKind, list[IndexedStatement], list[IndexedStatement]]] = []
        self.missing: list[str] = []


_DENY = -1
_NO_ENTRIES: list[IndexedStatement] = []  # never appended to: only in explain mode


def _scan(
    probes: tuple[Probe, ...],
    resource: str,
    context: Context,
    identities: Identities | None,
    explain: _Explain | None,
    kind: PolicyKind,
) -> int:
    """``-1`` if a ``Deny`` applies, else the best grant of an applicable ``Allow``
    (0 for none; ``DIRECT`` for policies without a principal element).

    In explain mode every statement is looked at and recorded; otherwise the scan
    stops at the first applicable ``Deny``.
    """
    best = 0
    missing: list[str] | None = None
    denies: list[IndexedStatement] = _NO_ENTRIES
    allows: list[IndexedStatement] = _NO_ENTRIES
    if explain is not None:
        missing, denies, allows = explain.missing, [], []
        explain.groups.append((kind, denies, allows))
    for allow, match, check, grant_of, checks, entry in probes:
        if match is not None:
            if not match(resource):
                continue
        elif check is not None and not check(resource, context):
            continue
        grant = DIRECT
        if identities is not None and grant_of is not None:
            grant = grant_of(identities)
            if not grant:
                continue
        if checks:
            holds = True
            for clause in checks:
                if not clause(context, missing):
                    holds = False
                    break
            if not holds:
                continue
        if not allow:
            if explain is None:
                return _DENY
            denies.append(entry)
            best = _DENY
        else:
            if explain is not None:
                allows.append(entry)
            if best >= 0 and grant > best:
                best = grant
    return best


def authorize(request: Request, policies: PolicySet) -> Decision:
    """Decide ``request`` against ``policies`` (see the module docstring)."""
    action = request.action.lower()
    plan = _plan(policies, action)
    decision, kind, reason = _decide(request, policies, plan, None)
    return lazy_decision(decision, request, kind, reason, explain_decision, policies)


def explain_decision(
    request: Request, policies: PolicySet
) -> tuple[tuple[MatchedStatement, ...], tuple[str, ...]]:
    """Every statement that applied to ``request`` (in policy-type order, allows
    after denies within a type) and the condition keys it lacked."""
    explain = _Explain()
    _decide(request, policies, _plan(policies, request.action.lower()), explain)
    matched: list[MatchedStatement] = []
    for kind, denies, allows in explain.groups:
        for entry in (*denies, *allows):
            s = entry.statement
            matched.append(MatchedStatement(kind, entry.policy_id, s.index, s.sid, s.effect))
    return tuple(matched), tuple(dict.fromkeys(explain.missing))


def _decide(
    request: Request, policies: PolicySet, plan: _Plan, explain: _Explain | None
) -> tuple[str, PolicyKind | None, str]:
    principal = request.principal
    resource = request.resource
    context = normalize_context(request.context) if plan.needs_context else _EMPTY
    ptype = principal.type
    has_account = ptype not in _NO_ACCOUNT
    same_account = has_account and (
        not request.resource_account or request.resource_account == principal.account
    )
    iam = ptype in _IAM_TYPES
    denied: PolicyKind | None = None

    scp_ok = True
    if (
        plan.scp
        and has_account
        and not (principal.service_linked_role or principal.org_management_account)
    ):
        for probes in plan.scp:
            got = _scan(probes, resource, context, None, explain, SCP)
            if got < 0:
                if explain is None:
                    return EXPLICIT_DENY, SCP, "explicit deny in the service control policy"
                denied = denied or SCP
            elif not got:
                scp_ok = False
    rcp_ok = True
    rcp_exempt = principal.service_linked_role or (
        principal.org_management_account and same_account
    )
    if plan.rcp and not rcp_exempt:
        ids = principal_identities(principal)
        for probes in plan.rcp:
            got = _scan(probes, resource, context, ids, explain, RCP)
            if got < 0:
                if explain is None:
                    return EXPLICIT_DENY, RCP, "explicit deny in the resource control policy"
                denied = denied or RCP
            elif not got:
                rcp_ok = False
    identity = 0
    if iam and policies.identity:
        identity = _scan(plan.identity, resource, context, None, explain, IDENTITY)
        if identity < 0:
            if explain is None:
                return EXPLICIT_DENY, IDENTITY, "explicit deny in the identity-based policy"
            denied = denied or IDENTITY
    grant = 0
    res_kind = PolicyKind.RESOURCE
    if policies.resource is not None:
        res_kind = policies.resource.kind
        ids = principal_identities(principal)
        grant = _scan(plan.resource, resource, context, ids, explain, res_kind)
        if grant < 0:
            if explain is None:
                return EXPLICIT_DENY, res_kind, f"explicit deny in the {res_kind.label}"
            denied = denied or res_kind
    boundary: int | None = None
    if iam and policies.boundary is not None:
        boundary = _scan(plan.boundary, resource, context, None, explain, BOUNDARY)
        if boundary < 0:
            if explain is None:
                return EXPLICIT_DENY, BOUNDARY, "explicit deny in the permissions boundary"
            denied = denied or BOUNDARY
    session: int | None = None
    if ptype in _SESSION_TYPES and (policies.session or ptype == "federated"):
        session = _scan(plan.session, resource, context, None, explain, SESSION)
        if session < 0:
            if explain is None:
                return EXPLICIT_DENY, SESSION, "explicit deny in the session policy"
            denied = denied or SESSION
    if denied is not None:
        return EXPLICIT_DENY, denied, f"explicit deny in the {denied.label}"

    if not rcp_ok:
        return IMPLICIT_DENY, RCP, "an RCP level allows nothing"
    if not scp_ok:
        return IMPLICIT_DENY, SCP, "an SCP level allows nothing"
    if not has_account or (ptype == "root" and not same_account):
        if grant:
            return ALLOW, None, "allowed by the resource-based policy"
        return IMPLICIT_DENY, res_kind, "no resource-based policy allows the principal"
    if policies.resource_required and not grant:
        return IMPLICIT_DENY, res_kind, "the resource's own policy must allow"
    if ptype == "root":
        return ALLOW, None, "the root user is allowed unless a policy denies"
    if same_account and grant == DIRECT:
        return ALLOW, None, "the resource-based policy names the principal itself"
    if same_account and grant == ANYONE:
        # "*" is not a policy that "specifically references" the session: its
        # session policies still apply (STS API reference, GetFederationToken).
        if session is not None and not session:
            return IMPLICIT_DENY, SESSION, "no session policy allows"
        return ALLOW, None, "the resource-based policy allows everyone"
    if not (identity or (same_account and grant == VIA_IDENTITY)):
        return IMPLICIT_DENY, IDENTITY, "no identity-based policy allows"
    if boundary is not None and not boundary:
        return IMPLICIT_DENY, BOUNDARY, "the permissions boundary does not allow"
    if session is not None and not session:
        return IMPLICIT_DENY, SESSION, "no session policy allows"
    if not same_account and not grant:
        return IMPLICIT_DENY, res_kind, "cross-account: no resource-based policy allows"
    return ALLOW, None, "allowed"
