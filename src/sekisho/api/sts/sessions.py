"""STS GetSessionToken and GetFederationToken."""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.domain import mfa, sessions, sts


def _mfa(call: Call, p: Params) -> int | None:
    """The MFA time of a request that carries SerialNumber and TokenCode (else None)."""
    return mfa.session_mfa_time(call.services.store, call.services.box, call.caller,
                                p.get("SerialNumber"), p.get("TokenCode"), call.now)


def get_session_token(call: Call, p: Params) -> Result:
    caller = call.caller
    call.authorize("sts:GetSessionToken", "*")
    mfa_at = _mfa(call, p)
    seconds = sts.duration(p.get("DurationSeconds"), sts.DEFAULT_DURATION, 129_600,
                           caller.is_root)
    issued = sts.seal(
        call.services.ring, caller.account_id, call.now, seconds,
        kind=sessions.ROOT_SESSION if caller.is_root else sessions.USER_SESSION,
        arn=caller.arn, user_id=caller.user_id, source_arn=caller.arn,
        source_id=caller.user_id, mfa_authenticated_at=mfa_at)
    return {"Credentials": issued.credentials()}


def get_federation_token(call: Call, p: Params) -> Result:
    caller = call.caller
    name = p["Name"]
    arn = f"arn:{call.partition}:sts::{call.account_id}:federated-user/{name}"
    call.authorize("sts:GetFederationToken", arn)
    tags = sts.session_tags(p.get("Tags"))
    if tags:
        call.authorize("sts:TagSession", arn, context={
            **{f"aws:RequestTag/{k}": v for k, v in tags.items()},
            "aws:TagKeys": tuple(tags)})
    document = p.get("Policy")
    sts.check_session_policy(document)
    policy_arns = sts.session_policy_arns(p.get("PolicyArns"))
    size = sts.packed_size(document, policy_arns, tags)
    seconds = sts.duration(p.get("DurationSeconds"), sts.DEFAULT_DURATION, 129_600,
                           caller.is_root)
    issued = sts.seal(
        call.services.ring, caller.account_id, call.now, seconds, kind=sessions.FEDERATED, arn=arn,
        user_id=f"{call.account_id}:{name}", source_arn=caller.arn, source_id=caller.user_id,
        session_name=name, session_policy=sts.minified(document), policy_arns=policy_arns,
        tags=tuple(tags.items()))
    return {"Credentials": issued.credentials(),
            "FederatedUser": {"FederatedUserId": f"{call.account_id}:{name}", "Arn": arn},
            "PackedPolicySize": size}


OPERATIONS: dict[str, Handler] = {
    "GetSessionToken": get_session_token,
    "GetFederationToken": get_federation_token,
}
