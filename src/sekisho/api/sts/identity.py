"""STS operations that tell who a caller or a key is."""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.domain import ids
from sekisho.errors import InvalidParameterValue


def get_caller_identity(call: Call, p: Params) -> Result:
    call.authorize("sts:GetCallerIdentity", "*")
    return {"UserId": call.caller.user_id, "Account": call.account_id, "Arn": call.caller.arn}


def get_access_key_info(call: Call, p: Params) -> Result:
    call.authorize("sts:GetAccessKeyInfo", "*")
    account = ids.account_of_key_id(p["AccessKeyId"])
    if account is None:
        raise InvalidParameterValue("Invalid AccessKeyId")
    return {"Account": account}


OPERATIONS: dict[str, Handler] = {
    "GetCallerIdentity": get_caller_identity,
    "GetAccessKeyInfo": get_access_key_info,
}
