"""IAM policy simulator operations: SimulatePrincipalPolicy, SimulateCustomPolicy,
GetContextKeysForPrincipalPolicy and GetContextKeysForCustomPolicy.

The rules live in `sekisho.domain.simulator`; this module authorizes the call,
turns the parameters into a `Scenario` and the `Outcome`s into the
`EvaluationResult` structures of the model. Nothing the caller sends is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sekisho import policy
from sekisho.api.context import Call, Handler, Params, Result
from sekisho.domain import simulator
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS, decode_marker, page_of
from sekisho.domain.simulator import Outcome, Scenario, SourcePolicy
from sekisho.errors import InvalidInput

_RANK = {simulator.ALLOWED: 0, simulator.IMPLICIT_DENY: 1, simulator.EXPLICIT_DENY: 2}


def _inputs(texts: Sequence[str], kind: policy.PolicyKind, label: str) -> list[SourcePolicy]:
    return [simulator.input_policy(t, kind, f"{label}.{n}", f"{label}.{n}")
            for n, t in enumerate(texts, 1)]


def _boundary_input(p: Params) -> SourcePolicy | None:
    texts = p.get("PermissionsBoundaryPolicyInputList") or []
    if len(texts) > 1:
        # "You can input only one permissions boundary when you pass a policy to this
        # operation" (SimulatePrincipalPolicy, IAM API reference).
        raise InvalidInput("Only one permissions boundary policy can be simulated at a time.")
    found = _inputs(texts, policy.PolicyKind.BOUNDARY, "PermissionsBoundaryPolicyInputList")
    return found[0] if found else None


def _resource_policy(p: Params) -> SourcePolicy | None:
    text = p.get("ResourcePolicy")
    if text is None:
        return None
    return simulator.input_policy(text, policy.PolicyKind.RESOURCE, "ResourcePolicy",
                                  "ResourcePolicy", "resource")


def _statement(m: simulator.Matched) -> dict[str, Any]:
    out: dict[str, Any] = {"SourcePolicyId": m.source_id, "SourcePolicyType": m.source_type}
    if m.span is not None:
        (sl, sc), (el, ec) = m.span
        out["StartPosition"] = {"Line": sl, "Column": sc}
        out["EndPosition"] = {"Line": el, "Column": ec}
    return out


def _resource_result(o: Outcome) -> dict[str, Any]:
    out: dict[str, Any] = {
        "EvalResourceName": o.resource,
        "EvalResourceDecision": o.decision,
        "MatchedStatements": [_statement(m) for m in o.matched],
        "MissingContextValues": list(o.missing),
        # Present but empty in the principal's own account (EvaluationResult).
        "EvalDecisionDetails": dict(o.details),
    }
    if o.boundary_allowed is not None:
        out["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": o.boundary_allowed}
    return out


def _result(action: str, outcomes: Sequence[Outcome], resource_name: str,
            specific: bool) -> dict[str, Any]:
    """One EvaluationResult over `outcomes` (one, or a scenario's resources together).

    With ResourceArns the missing context values are reported per resource under
    ResourceSpecificResults; with `*` at the top (EvaluationResult, MissingContextValues).
    """
    decision = max((o.decision for o in outcomes), key=_RANK.__getitem__)
    matched: list[dict[str, Any]] = []
    for o in outcomes:
        if o.decision == decision:
            matched += [s for s in map(_statement, o.matched) if s not in matched]
    missing = list(dict.fromkeys(k for o in outcomes for k in o.missing))
    out: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": resource_name,
        "EvalDecision": decision,
        "MatchedStatements": matched,
        "MissingContextValues": [] if specific else missing,
        "OrganizationsDecisionDetail": {"AllowedByOrganizations": True},
    }
    details: dict[str, str] = {}
    for o in outcomes:
        for kind, value in o.details.items():
            if _RANK[value] >= _RANK.get(details.get(kind, simulator.ALLOWED), 0):
                details[kind] = value
    if specific or any(o.cross_account for o in outcomes):
        out["EvalDecisionDetails"] = details
    bounded = [o.boundary_allowed for o in outcomes if o.boundary_allowed is not None]
    if bounded:
        out["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": all(bounded)}
    if specific:
        out["ResourceSpecificResults"] = [_resource_result(o) for o in outcomes]
    return out


def _run(call: Call, p: Params, scenario: Scenario) -> Result:
    actions: list[str] = list(p.get("ActionNames") or [])
    resources: list[str] = list(p.get("ResourceArns") or [])
    option = p.get("ResourceHandlingOption")
    if option is not None:
        simulator.check_scenario(option, resources)
    outcomes = simulator.simulate(scenario, actions, resources)
    if option is not None:
        per = len(resources)
        results = [_result(a, outcomes[n * per:(n + 1) * per], "*", True)
                   for n, a in enumerate(actions)]
    else:
        results = [_result(o.action, [o], o.resource, bool(resources)) for o in outcomes]
    return _page(results, p)


def _page(results: list[dict[str, Any]], p: Params) -> Result:
    after = decode_marker(p.get("Marker"))
    start = int(after) + 1 if after is not None and after.isdigit() else 0
    indexed = list(enumerate(results))[start:]
    limit = p.get("MaxItems", DEFAULT_MAX_ITEMS)
    page = page_of(indexed[:limit + 1], limit, lambda item: f"{item[0]:08d}")
    out: dict[str, Any] = {"EvaluationResults": [r for _, r in page.items],
                           "IsTruncated": page.is_truncated}
    if page.next_marker:
        out["Marker"] = page.next_marker
    return out


def _caller_principal(caller_arn: str, account: str, kind: str = "user",
                      role_arn: str | None = None,
                      user_id: str | None = None) -> policy.Principal:
    return policy.Principal(caller_arn, account, kind, role_arn=role_arn, user_id=user_id)


def simulate_principal_policy(call: Call, p: Params) -> Result:
    source_arn: str = p["PolicySourceArn"]
    call.authorize("iam:SimulatePrincipalPolicy", source_arn)
    extra = _inputs(p.get("PolicyInputList") or [], policy.PolicyKind.IDENTITY,
                    "PolicyInputList")
    boundary = _boundary_input(p)
    resource_policy = _resource_policy(p)
    with call.services.store.read() as tx:
        subject = simulator.principal_subject(tx, call.account_id, source_arn)
    caller_arn = p.get("CallerArn")
    if resource_policy is not None and subject.kind == "role":
        # "Simulation of resource-based policies isn't supported for IAM roles."
        raise InvalidInput("Simulation of resource-based policies isn't supported for IAM "
                           "roles.")
    if caller_arn is not None:
        principal = _caller_principal(caller_arn, simulator.account_of(caller_arn,
                                                                       call.account_id))
    elif subject.kind == "role":
        principal = _caller_principal(subject.arn, subject.account_id, "role-session",
                                      role_arn=subject.arn, user_id=subject.entity_id)
    else:
        principal = _caller_principal(subject.arn, subject.account_id,
                                      user_id=subject.entity_id if subject.kind == "user"
                                      else None)
    # Engine ids differ: stored policies are `identity.N`, inputs `PolicyInputList.N`.
    identity = (*subject.identity, *extra)
    owner = p.get("ResourceOwner")
    scenario = Scenario(principal, identity, boundary or subject.boundary, resource_policy,
                        simulator.account_of(owner, principal.account) if owner
                        else principal.account,
                        simulator.context_of(p.get("ContextEntries") or []))
    return _run(call, p, scenario)


def simulate_custom_policy(call: Call, p: Params) -> Result:
    call.authorize("iam:SimulateCustomPolicy", "*")
    identity = _inputs(p.get("PolicyInputList") or [], policy.PolicyKind.IDENTITY,
                       "PolicyInputList")
    boundary = _boundary_input(p)
    resource_policy = _resource_policy(p)
    caller_arn = p.get("CallerArn")
    if resource_policy is not None and caller_arn is None:
        # "CallerArn is required if you include a ResourcePolicy so that the policy's
        # Principal element has a value to use" (SimulateCustomPolicy, CallerArn).
        raise InvalidInput("CallerArn is required when a ResourcePolicy is included.")
    account = simulator.account_of(caller_arn, call.account_id) if caller_arn \
        else call.account_id
    principal = _caller_principal(caller_arn or call.caller.arn, account)
    owner = p.get("ResourceOwner")
    scenario = Scenario(principal, tuple(identity), boundary, resource_policy,
                        simulator.account_of(owner, account) if owner else account,
                        simulator.context_of(p.get("ContextEntries") or []))
    return _run(call, p, scenario)


def get_context_keys_for_principal_policy(call: Call, p: Params) -> Result:
    source_arn: str = p["PolicySourceArn"]
    call.authorize("iam:GetContextKeysForPrincipalPolicy", source_arn)
    extra: list[str] = list(p.get("PolicyInputList") or [])
    simulator.check_texts(extra, policy.PolicyKind.IDENTITY)
    with call.services.store.read() as tx:
        texts = simulator.principal_texts(tx, call.account_id, source_arn)
    return {"ContextKeyNames": simulator.context_keys([*texts, *extra])}


def get_context_keys_for_custom_policy(call: Call, p: Params) -> Result:
    call.authorize("iam:GetContextKeysForCustomPolicy", "*")
    texts: list[str] = list(p["PolicyInputList"])
    simulator.check_texts(texts, policy.PolicyKind.IDENTITY)
    return {"ContextKeyNames": simulator.context_keys(texts)}


OPERATIONS: dict[str, Handler] = {
    "SimulatePrincipalPolicy": simulate_principal_policy,
    "SimulateCustomPolicy": simulate_custom_policy,
    "GetContextKeysForPrincipalPolicy": get_context_keys_for_principal_policy,
    "GetContextKeysForCustomPolicy": get_context_keys_for_custom_policy,
}
