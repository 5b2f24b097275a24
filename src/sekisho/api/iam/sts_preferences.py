"""IAM operation on the account's STS preferences: SetSecurityTokenServicePreferences."""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.domain import sts_preferences


def set_security_token_service_preferences(call: Call, p: Params) -> Result:
    # The Service Authorization Reference lists no resource type for this action.
    call.authorize("iam:SetSecurityTokenServicePreferences", "*")
    with call.services.store.write() as tx:
        sts_preferences.set_token_version(tx, call.account_id, p["GlobalEndpointTokenVersion"])
    return None


OPERATIONS: dict[str, Handler] = {
    "SetSecurityTokenServicePreferences": set_security_token_service_preferences,
}
