"""The account password policy, as the IAM API reference describes
UpdateAccountPasswordPolicy, GetAccountPasswordPolicy and DeleteAccountPasswordPolicy.

The policy is one per account and these tests share one server (and account),
so each test sets the policy it reads.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = exc.value.response
    return (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
            err["Error"]["Message"])

def not_found(iam: Any) -> tuple[str, int, str]:
    account = iam.get_user()["User"]["Arn"].split(":")[4]
    return ("NoSuchEntity", 404, f"The Password Policy with domain name {account} cannot be "
            "found.")

# What GetAccountPasswordPolicy shows after an update that sets nothing: every field takes
# the default the API reference gives for it; MaxPasswordAge and PasswordReusePrevention
# are absent while unset, and ExpirePasswords is derived from MaxPasswordAge.
DEFAULTS = {
    "MinimumPasswordLength": 6,
    "RequireSymbols": False,
    "RequireNumbers": False,
    "RequireUppercaseCharacters": False,
    "RequireLowercaseCharacters": False,
    "AllowUsersToChangePassword": False,
    "HardExpiry": False,
    "ExpirePasswords": False,
}


def _delete_if_present(iam: Any) -> None:
    try:
        iam.delete_account_password_policy()
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchEntity":
            raise


def test_update_with_every_field_is_read_back(iam: Any) -> None:
    iam.update_account_password_policy(
        MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
        RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True, MaxPasswordAge=90, PasswordReusePrevention=24,
        HardExpiry=True)
    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
        "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
        "AllowUsersToChangePassword": True, "MaxPasswordAge": 90,
        "PasswordReusePrevention": 24, "HardExpiry": True, "ExpirePasswords": True,
    }


def test_update_without_fields_sets_the_documented_defaults(iam: Any) -> None:
    iam.update_account_password_policy()
    assert iam.get_account_password_policy()["PasswordPolicy"] == DEFAULTS


def test_update_resets_omitted_fields_to_their_defaults(iam: Any) -> None:
    iam.update_account_password_policy(MinimumPasswordLength=20, RequireSymbols=True,
                                       MaxPasswordAge=30, PasswordReusePrevention=5)
    iam.update_account_password_policy(RequireNumbers=True)
    assert iam.get_account_password_policy()["PasswordPolicy"] == {**DEFAULTS,
                                                                  "RequireNumbers": True}


def test_expire_passwords_follows_max_password_age(iam: Any) -> None:
    iam.update_account_password_policy(MaxPasswordAge=1)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert (policy["MaxPasswordAge"], policy["ExpirePasswords"]) == (1, True)


def test_get_without_policy_is_no_such_entity(iam: Any) -> None:
    _delete_if_present(iam)
    with pytest.raises(ClientError) as exc:
        iam.get_account_password_policy()
    assert error_of(exc) == not_found(iam)


def test_delete_removes_the_policy(iam: Any) -> None:
    iam.update_account_password_policy(MinimumPasswordLength=10)
    iam.delete_account_password_policy()
    with pytest.raises(ClientError) as exc:
        iam.get_account_password_policy()
    assert error_of(exc)[0] == "NoSuchEntity"


def test_delete_without_policy_is_no_such_entity(iam: Any) -> None:
    _delete_if_present(iam)
    with pytest.raises(ClientError) as exc:
        iam.delete_account_password_policy()
    assert error_of(exc) == not_found(iam)


@pytest.mark.parametrize(("member", "value", "field", "constraint"), [
    ("MinimumPasswordLength", 5, "minimumPasswordLength", "greater than or equal to 6"),
    ("MinimumPasswordLength", 129, "minimumPasswordLength", "less than or equal to 128"),
    ("MaxPasswordAge", 0, "maxPasswordAge", "greater than or equal to 1"),
    ("MaxPasswordAge", 1096, "maxPasswordAge", "less than or equal to 1095"),
    ("PasswordReusePrevention", 0, "passwordReusePrevention", "greater than or equal to 1"),
    ("PasswordReusePrevention", 25, "passwordReusePrevention", "less than or equal to 24"),
])
def test_out_of_range_values_are_validation_errors(iam: Any, member: str, value: int,
                                                   field: str, constraint: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.update_account_password_policy(**{member: value})
    code, status, message = error_of(exc)
    assert (code, status) == ("ValidationError", 400)
    assert message == (f"1 validation error detected: Value '{value}' at '{field}' failed to "
                       f"satisfy constraint: Member must have value {constraint}")


def test_boundary_values_are_accepted(iam: Any) -> None:
    iam.update_account_password_policy(MinimumPasswordLength=128, MaxPasswordAge=1095,
                                       PasswordReusePrevention=24)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert (policy["MinimumPasswordLength"], policy["MaxPasswordAge"],
            policy["PasswordReusePrevention"]) == (128, 1095, 24)


def test_a_failed_update_keeps_the_previous_policy(iam: Any) -> None:
    iam.update_account_password_policy(MinimumPasswordLength=12)
    with pytest.raises(ClientError):
        iam.update_account_password_policy(MinimumPasswordLength=3)
    assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 12


def test_iam_user_without_permission_is_denied_before_not_found(iam: Any, server: Any,
                                                                unique: str) -> None:
    _delete_if_present(iam)
    iam.create_user(UserName=f"pp-{unique}")
    key = iam.create_access_key(UserName=f"pp-{unique}")["AccessKey"]
    user_iam = server.client("iam", (key["AccessKeyId"], key["SecretAccessKey"]))
    with pytest.raises(ClientError) as exc:
        user_iam.get_account_password_policy()
    code, status, message = error_of(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert "iam:GetAccountPasswordPolicy" in message
