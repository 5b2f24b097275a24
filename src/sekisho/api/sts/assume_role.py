"""STS AssumeRole."""

from __future__ import annotations

from typing import Any

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.domain import arns, assume_role, mfa, roles, sessions, sts
from sekisho.domain.authorization import ContextValue, check_session_may_call
from sekisho.errors import AccessDenied, ValidationError
from sekisho.store import roles as stored_roles

TRUST = assume_role.TrustPolicies()


def _denied(call: Call, action: str, resource: str) -> AccessDenied:
    return AccessDenied(f"User: {call.caller.arn} is not authorized to perform: {action} on "
                        f"resource: {resource}")


def assume_role_(call: Call, p: Params) -> Result:
    caller = call.caller
    role_arn, session_name = p["RoleArn"], p["RoleSessionName"]
    assume_role.check_caller(caller)
    check_session_may_call(caller, "sts:AssumeRole")
    parsed = assume_role.parse_role_arn(role_arn)
    if parsed is None:
        raise ValidationError(f"{role_arn} is invalid")
    with call.services.store.read() as tx:
        role = stored_roles.role_by_name(tx, parsed[0], parsed[1])
    if role is None:
        # AWS does not tell a caller whether a role it may not assume exists.
        raise _denied(call, "sts:AssumeRole", role_arn)
    canonical_arn = arns.role(call.partition, role.account_id, role.path, role.name)
    trust = TRUST.compiled(role, canonical_arn)
    previous = assume_role.inherited(caller)
    requested_tags = sts.session_tags(p.get("Tags"))
    assume_role.check_transitive_keys(requested_tags, p.get("TransitiveTagKeys") or ())
    tags = assume_role.merge_tags(previous.tags, requested_tags)
    policy_arns = sts.session_policy_arns(p.get("PolicyArns"))
    transitive = tuple(dict.fromkeys([*previous.transitive_keys,
                                      *(p.get("TransitiveTagKeys") or ())]))
    source = assume_role.source_identity(previous.source_identity, p.get("SourceIdentity"))
    mfa_at = _mfa(call, p)
    context: dict[str, ContextValue] = {"sts:RoleSessionName": session_name,
                                        **mfa.trust_context(mfa_at, call.now)}
    if p.get("ExternalId") is not None:
        context["sts:ExternalId"] = p["ExternalId"]
    if p.get("SourceIdentity") is not None:
        context["sts:SourceIdentity"] = p["SourceIdentity"]
    if requested_tags:
        context.update({f"aws:RequestTag/{k}": v for k, v in requested_tags.items()})
        context["aws:TagKeys"] = tuple(requested_tags)
    if p.get("TransitiveTagKeys"):
        context["sts:TransitiveTagKeys"] = tuple(p["TransitiveTagKeys"])
    actions = ["sts:AssumeRole"]
    if requested_tags:
        actions.append("sts:TagSession")
    if p.get("SourceIdentity") is not None:
        actions.append("sts:SetSourceIdentity")
    for action in actions:
        _authorize_against_trust(call, action, canonical_arn, context, trust)
    chained = caller.session is not None and caller.session.kind == sessions.ROLE_SESSION
    seconds = assume_role.session_duration(p.get("DurationSeconds"), role, chained)
    document = p.get("Policy")
    assume_role.check_policy_plaintext(document)
    sts.check_session_policy(document)
    size = sts.packed_size(document, policy_arns, tags)
    assumed_arn = f"arn:{call.partition}:sts::{role.account_id}:assumed-role/{role.name}/" \
                  f"{session_name}"
    assumed_id = f"{role.role_id}:{session_name}"
    issued = sts.seal(
        call.services.ring, role.account_id, call.now, seconds, kind=sessions.ROLE_SESSION,
        arn=assumed_arn, user_id=assumed_id, source_arn=canonical_arn, source_id=role.role_id,
        session_name=session_name, session_policy=sts.minified(document),
        policy_arns=policy_arns, tags=tuple(tags.items()), transitive_tag_keys=transitive,
        source_identity=source, mfa_authenticated_at=mfa_at, chained=chained)
    # RoleLastUsed is approximate at AWS too; writing it at most once a minute per role and
    # region keeps a burst of AssumeRole calls from writing (and emptying caches) each time.
    # Best effort, and never a reason to run this handler again: the MFA code above is
    # already spent, so a rerun would refuse it.
    if call.services.last_used.due(role.role_id, call.now, "sts", call.region):
        call.services.store.write_best_effort(
            lambda tx: roles.record_role_use(tx, role.role_id, call.now, call.region),
            f"the last use of role {role.role_id}")
    out: dict[str, Any] = {"Credentials": issued.credentials(),
                           "AssumedRoleUser": {"AssumedRoleId": assumed_id, "Arn": assumed_arn}}
    if document or policy_arns or tags:
        out["PackedPolicySize"] = size
    if source:
        out["SourceIdentity"] = source
    return out


def _authorize_against_trust(call: Call, action: str, role_arn: str,
                             context: dict[str, ContextValue], trust: Any) -> None:
    keys: dict[str, ContextValue] = {
        "aws:SourceIp": call.source_ip, "aws:RequestedRegion": call.region,
        "aws:CurrentTime": call.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(call.now.timestamp())), "aws:SecureTransport": "false",
        **context}
    decision = call.services.authorizer.decide(call.caller, action, role_arn, keys, call.now,
                                               resource_policy=trust)
    call.services.authorizer.settle(call.caller, decision)


def _mfa(call: Call, p: Params) -> int | None:
    claims = call.caller.session
    return mfa.session_mfa_time(call.services.store, call.services.box, call.caller,
                                p.get("SerialNumber"), p.get("TokenCode"), call.now,
                                claims.mfa_authenticated_at if claims else None)


OPERATIONS: dict[str, Handler] = {"AssumeRole": assume_role_}
