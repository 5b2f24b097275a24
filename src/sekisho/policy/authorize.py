"""Decide one request across every policy type (IAM policy evaluation logic).

The steps follow the IAM User Guide, "Policy evaluation logic" and "How AWS
enforcement code logic evaluates requests":

1. An applicable ``Deny`` in any policy -> explicit deny.
2. RCPs (resource's account) and SCPs (principal's account): every level from
   the organization root down must allow, or the request is implicitly denied.
   Service-linked roles and the management account are exempt from SCPs; SCPs
   do not apply to service principals or anonymous callers.
3. Same account: a resource-based policy that names the user, the role
   session or the federated session itself (or ``*``) allows on its own,
   whatever the identity policies, boundary and session policies say; one that
   names the role or the IAM user behind a session stands in for the identity
   policies but is still limited by the boundary and session policies; one that
   names only the account delegates to the identity policies. Role trust
   policies and KMS key policies (``resource_required``) must allow in any case.
4. Otherwise the identity policies, then the permissions boundary, then the
   session policies (mandatory for a GetFederationToken session) must allow.
5. Cross-account: both the identity side (step 4) and the resource-based
   policy must allow.
6. The root user needs no identity policy; anonymous and service principals
   are allowed only by a resource-based policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from sekisho.policy.compiled import (
    DIRECT,
    VIA_ACCOUNT,
    VIA_IDENTITY,
    IndexedStatement,
    StatementIndex,
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
)
from sekisho.policy.parser import aws_token
from sekisho.policy.variables import Context

_SESSION_TYPES = frozenset({"role-session", "federated"})
_IAM_TYPES = frozenset({"user", "role-session", "federated"})


class _Outcome:
    """Allow/deny statements found in one policy type (mutable, per request)."""

    __slots__ = ("allow", "deny", "grant")

    def __init__(self) -> None:
        self.allow: list[IndexedStatement] = []
        self.deny: list[IndexedStatement] = []
        self.grant = 0


@lru_cache(maxsize=4096)
def principal_identities(principal: Principal) -> tuple[tuple[str, int], ...]:
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


def normalize_context(context: Mapping[str, ContextValue]) -> dict[str, ContextValue]:
    """Condition key names are case-insensitive: key them in lower case."""
    return {key.lower(): value for key, value in context.items()}


_NOTHING = _Outcome()


def _evaluate(
    index: StatementIndex,
    action: str,
    resource: str,
    context: Context,
    identities: tuple[tuple[str, int], ...] | None,
    missing: list[str],
) -> _Outcome:
    entries = index.for_action(action)
    if not entries:
        return _NOTHING
    outcome = _Outcome()
    for entry in entries:
        stmt = entry.statement
        if stmt.resource is not None and not stmt.matches_resource(resource, context):
            continue
        grant = DIRECT
        if identities is not None:
            grant = stmt.principal_grant(identities)
            if not grant:
                continue
        if stmt.conditions and not stmt.conditions_hold(context, missing):
            continue
        if stmt.allow:
            outcome.allow.append(entry)
            if grant > outcome.grant:
                outcome.grant = grant
        else:
            outcome.deny.append(entry)
    return outcome


def authorize(request: Request, policies: PolicySet) -> Decision:
    """Decide ``request`` against ``policies`` (see the module docstring)."""
    principal = request.principal
    action = request.action.lower()
    resource = request.resource
    context = normalize_context(request.context)
    missing: list[str] = []
    ptype = principal.type
    same_account = ptype not in ("anonymous", "service") and (
        not request.resource_account or request.resource_account == principal.account
    )
    iam = ptype in _IAM_TYPES
    found: list[tuple[PolicyKind, _Outcome]] = []

    scp_levels: list[_Outcome] = []
    if (
        policies.scp
        and ptype not in ("anonymous", "service")
        and not (principal.service_linked_role or principal.org_management_account)
    ):
        for index in policies.scp_indexes:
            scp_levels.append(_evaluate(index, action, resource, context, None, missing))
        found.extend((PolicyKind.SCP, level) for level in scp_levels)
    rcp_levels: list[_Outcome] = []
    rcp_exempt = principal.service_linked_role or (
        principal.org_management_account and same_account
    )
    if policies.rcp and not rcp_exempt:
        ids = principal_identities(principal)
        for index in policies.rcp_indexes:
            rcp_levels.append(_evaluate(index, action, resource, context, ids, missing))
        found.extend((PolicyKind.RCP, level) for level in rcp_levels)
    identity = _NOTHING
    if iam and policies.identity:
        identity = _evaluate(policies.identity_index, action, resource, context, None, missing)
        found.append((PolicyKind.IDENTITY, identity))
    res: _Outcome | None = None
    res_kind = PolicyKind.RESOURCE
    if policies.resource is not None:
        res_kind = policies.resource.kind
        ids = principal_identities(principal)
        res = _evaluate(policies.resource.index, action, resource, context, ids, missing)
        found.append((res_kind, res))
    boundary: _Outcome | None = None
    if iam and policies.boundary is not None:
        boundary = _evaluate(policies.boundary.index, action, resource, context, None, missing)
        found.append((PolicyKind.BOUNDARY, boundary))
    session: _Outcome | None = None
    if ptype in _SESSION_TYPES and (policies.session or ptype == "federated"):
        session = (
            _evaluate(policies.session_index, action, resource, context, None, missing)
            if policies.session
            else _NOTHING
        )
        found.append((PolicyKind.SESSION, session))

    def decide(decision: str, kind: PolicyKind | None, reason: str) -> Decision:
        return _decision(request, found, missing, decision, kind, reason)

    for kind, outcome in found:
        if outcome.deny:
            return decide(EXPLICIT_DENY, kind, f"explicit deny in the {kind.label}")
    if any(not level.allow for level in rcp_levels):
        return decide(IMPLICIT_DENY, PolicyKind.RCP, "an RCP level allows nothing")
    if any(not level.allow for level in scp_levels):
        return decide(IMPLICIT_DENY, PolicyKind.SCP, "an SCP level allows nothing")

    grant = res.grant if res is not None else 0
    if ptype in ("anonymous", "service") or (ptype == "root" and not same_account):
        if grant:
            return decide(ALLOW, None, "allowed by the resource-based policy")
        return decide(IMPLICIT_DENY, res_kind, "no resource-based policy allows the principal")
    if policies.resource_required and not grant:
        return decide(IMPLICIT_DENY, res_kind, "the resource's own policy must allow")
    if ptype == "root":
        return decide(ALLOW, None, "the root user is allowed unless a policy denies")
    if same_account and grant == DIRECT:
        return decide(ALLOW, None, "the resource-based policy names the principal itself")
    if not (identity.allow or (same_account and grant == VIA_IDENTITY)):
        return decide(IMPLICIT_DENY, PolicyKind.IDENTITY, "no identity-based policy allows")
    if boundary is not None and not boundary.allow:
        return decide(IMPLICIT_DENY, PolicyKind.BOUNDARY, "the permissions boundary does not allow")
    if session is not None and not session.allow:
        return decide(IMPLICIT_DENY, PolicyKind.SESSION, "no session policy allows")
    if not same_account and not grant:
        return decide(IMPLICIT_DENY, res_kind, "cross-account: no resource-based policy allows")
    return decide(ALLOW, None, "allowed")


def _decision(
    request: Request,
    found: list[tuple[PolicyKind, _Outcome]],
    missing: list[str],
    decision: str,
    kind: PolicyKind | None,
    reason: str,
) -> Decision:
    matched: list[MatchedStatement] = []
    for found_kind, outcome in found:
        for e in outcome.deny:
            s = e.statement
            matched.append(MatchedStatement(found_kind, e.policy_id, s.index, s.sid, "Deny"))
        for e in outcome.allow:
            s = e.statement
            matched.append(MatchedStatement(found_kind, e.policy_id, s.index, s.sid, "Allow"))
    missing_keys = tuple(dict.fromkeys(missing)) if missing else ()
    return Decision(decision, request, tuple(matched), kind, missing_keys, reason)
