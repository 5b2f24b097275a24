"""IAM operations on account settings: the password policy and the account summary."""

from __future__ import annotations

from typing import Any

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.domain import account_settings

# UpdateAccountPasswordPolicy member -> PasswordPolicy field. Members left out of a call
# take the field's default: "This operation does not support partial updates"
# (UpdateAccountPasswordPolicy, IAM API reference).
POLICY_MEMBERS: dict[str, str] = {
    "MinimumPasswordLength": "minimum_password_length",
    "RequireSymbols": "require_symbols",
    "RequireNumbers": "require_numbers",
    "RequireUppercaseCharacters": "require_uppercase_characters",
    "RequireLowercaseCharacters": "require_lowercase_characters",
    "AllowUsersToChangePassword": "allow_users_to_change_password",
    "MaxPasswordAge": "max_password_age",
    "PasswordReusePrevention": "password_reuse_prevention",
    "HardExpiry": "hard_expiry",
}

# Left out of GetAccountPasswordPolicy's answer while unset, as AWS does.
_OPTIONAL_MEMBERS = frozenset({"MaxPasswordAge", "PasswordReusePrevention"})


def password_policy_output(policy: account_settings.PasswordPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for member, field in POLICY_MEMBERS.items():
        value = getattr(policy, field)
        if value is None and member in _OPTIONAL_MEMBERS:
            continue
        out[member] = value
    out["ExpirePasswords"] = account_settings.expire_passwords(policy)
    return out


def update_account_password_policy(call: Call, p: Params) -> Result:
    call.authorize("iam:UpdateAccountPasswordPolicy", "*")
    policy = account_settings.PasswordPolicy(
        **{field: p[member] for member, field in POLICY_MEMBERS.items() if member in p})
    with call.services.store.write() as tx:
        account_settings.update_password_policy(tx, call.account_id, policy)
    return None


def get_account_password_policy(call: Call, p: Params) -> Result:
    call.authorize("iam:GetAccountPasswordPolicy", "*")
    with call.services.store.read() as tx:
        policy = account_settings.get_password_policy(tx, call.account_id)
    return {"PasswordPolicy": password_policy_output(policy)}


def delete_account_password_policy(call: Call, p: Params) -> Result:
    call.authorize("iam:DeleteAccountPasswordPolicy", "*")
    with call.services.store.write() as tx:
        account_settings.delete_password_policy(tx, call.account_id)
    return None


def get_account_summary(call: Call, p: Params) -> Result:
    call.authorize("iam:GetAccountSummary", "*")
    configured = call.quotas
    with call.services.store.read() as tx:
        summary = account_settings.account_summary(tx, call.account_id, configured)
    return {"SummaryMap": summary}


OPERATIONS: dict[str, Handler] = {
    "UpdateAccountPasswordPolicy": update_account_password_policy,
    "GetAccountPasswordPolicy": get_account_password_policy,
    "DeleteAccountPasswordPolicy": delete_account_password_policy,
    "GetAccountSummary": get_account_summary,
}
