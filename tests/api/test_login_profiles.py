"""Console passwords over the wire, as the IAM API reference describes CreateLoginProfile,
GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile and ChangePassword, under the
account password policy.

The password policy is one per account, so this module runs in an account of its own
(`sekisho account create` on the shared server) and every test starts without a custom
policy (IAM's default policy applies) and sets the one it needs.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_aws_cli import aws
from tests.support.server import RunningServer, read_root_key

GOOD = "Correct-Horse-7"
OTHER = "Battery-Staple-8"


@dataclass(frozen=True)
class Account:
    server: RunningServer
    root_key: tuple[str, str]
    profile: str

    def client(self, service: str, key: tuple[str, str] | None = None) -> Any:
        return self.server.client(service, key or self.root_key)


@pytest.fixture(scope="module")
def account(server: RunningServer) -> Account:
    profile = f"passwords-{secrets.token_hex(4)}"
    args = [sys.executable, "-m", "sekisho", "account", "create",
            "--data-dir", str(server.data_dir), "--profile", profile]
    if server.database_url:
        args += ["--database-url", server.database_url]
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    return Account(server, read_root_key(server.data_dir, profile), profile)


@pytest.fixture
def iam(account: Account) -> Iterator[Any]:
    client = account.client("iam")
    _no_policy(client)
    yield client


def _no_policy(iam: Any) -> None:
    try:
        iam.delete_account_password_policy()
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchEntity":
            raise


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = exc.value.response
    return (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
            err["Error"]["Message"])


def user_with_profile(iam: Any, unique: str, password: str = GOOD, **kw: Any) -> str:
    name = f"pw-{unique}"
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password=password, **kw)
    return name


def user_client(account: Account, iam: Any, name: str, *policy_statements: dict[str, Any]
                ) -> Any:
    """An IAM client signed with a new access key of `name`, after giving it the policy."""
    if policy_statements:
        iam.put_user_policy(UserName=name, PolicyName="passwords", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": list(policy_statements)}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return account.client("iam", (key["AccessKeyId"], key["SecretAccessKey"]))


def own_password_statement(effect: str = "Allow") -> dict[str, Any]:
    # The statement of the IAMUserChangePassword managed policy.
    return {"Effect": effect, "Action": "iam:ChangePassword",
            "Resource": ["arn:aws:iam::*:user/${aws:username}",
                         "arn:aws:iam::*:user/*/${aws:username}"]}


# --- CreateLoginProfile


def test_create_returns_the_profile_and_never_the_password(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"c-{unique}")
    created = iam.create_login_profile(UserName=f"c-{unique}", Password=GOOD)
    profile = created["LoginProfile"]
    assert (profile["UserName"], profile["PasswordResetRequired"]) == (f"c-{unique}", False)
    assert profile["CreateDate"].tzinfo is not None
    assert GOOD not in json.dumps(created, default=str)


def test_create_with_reset_required_is_reported_by_get(iam: Any, unique: str) -> None:
    name = user_with_profile(iam, unique, PasswordResetRequired=True)
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is True


def test_create_twice_is_entity_already_exists(iam: Any, unique: str) -> None:
    name = user_with_profile(iam, unique)
    with pytest.raises(ClientError) as exc:
        iam.create_login_profile(UserName=name, Password=OTHER)
    assert error_of(exc) == ("EntityAlreadyExists", 409,
                             f"Login Profile for user {name} already exists.")


def test_create_for_missing_user_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_login_profile(UserName=f"ghost-{unique}", Password=GOOD)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The user with name ghost-{unique} cannot be found.")


# --- GetLoginProfile


def test_get_shows_create_date_and_reset_flag(iam: Any, unique: str) -> None:
    name = user_with_profile(iam, unique)
    created = iam.get_login_profile(UserName=name)
    assert created["LoginProfile"]["UserName"] == name
    assert created["LoginProfile"]["PasswordResetRequired"] is False
    assert GOOD not in json.dumps(created, default=str)


def test_get_without_profile_is_no_such_entity(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"np-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.get_login_profile(UserName=f"np-{unique}")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"Login Profile for User np-{unique} cannot be found.")


def test_get_without_user_name_by_root_is_validation_error(iam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        iam.get_login_profile()
    assert error_of(exc) == ("ValidationError", 400,
                             "Must specify userName when calling with non-User credentials")


def test_get_without_user_name_is_the_calling_users_own(account: Account, iam: Any,
                                                        unique: str) -> None:
    name = user_with_profile(iam, unique)
    me = user_client(account, iam, name, {"Effect": "Allow", "Action": "iam:GetLoginProfile",
                                          "Resource": "*"})
    assert me.get_login_profile()["LoginProfile"]["UserName"] == name


def test_forbidden_comes_before_not_found(account: Account, iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"nobody-{unique}")
    outsider = user_client(account, iam, f"nobody-{unique}")
    with pytest.raises(ClientError) as exc:
        outsider.get_login_profile(UserName=f"missing-{unique}")
    assert error_of(exc)[:2] == ("AccessDenied", 403)


# --- UpdateLoginProfile, DeleteLoginProfile


def test_update_sets_the_reset_flag(iam: Any, unique: str) -> None:
    name = user_with_profile(iam, unique)
    iam.update_login_profile(UserName=name, PasswordResetRequired=True)
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is True


def test_update_replaces_the_password(account: Account, iam: Any, unique: str) -> None:
    name = user_with_profile(iam, unique)
    iam.update_login_profile(UserName=name, Password=OTHER)
    me = user_client(account, iam, name, own_password_statement())
    with pytest.raises(ClientError) as exc:
        me.change_password(OldPassword=GOOD, NewPassword="Third-Secret-9")
    assert error_of(exc)[0] == "InvalidUserType"
    me.change_password(OldPassword=OTHER, NewPassword="Third-Secret-9")


def test_update_without_profile_is_no_such_entity(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"up-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.update_login_profile(UserName=f"up-{unique}", PasswordResetRequired=True)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"Login Profile for User up-{unique} cannot be found.")


def test_delete_removes_the_profile(iam: Any, unique: str) -> None:
    name = user_with_profile(iam, unique)
    iam.delete_login_profile(UserName=name)
    with pytest.raises(ClientError) as exc:
        iam.get_login_profile(UserName=name)
    assert error_of(exc)[0] == "NoSuchEntity"


def test_delete_without_profile_is_no_such_entity(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"dl-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.delete_login_profile(UserName=f"dl-{unique}")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"Login Profile for User dl-{unique} cannot be found.")


def test_delete_user_is_refused_while_a_login_profile_exists(iam: Any, unique: str) -> None:
    name = user_with_profile(iam, unique)
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=name)
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete entity, must delete login profile first.")
    iam.delete_login_profile(UserName=name)
    iam.delete_user(UserName=name)


def test_get_user_has_no_password_last_used_before_any_sign_in(iam: Any, unique: str) -> None:
    name = user_with_profile(iam, unique)
    assert "PasswordLastUsed" not in iam.get_user(UserName=name)["User"]


# --- the password policy, everywhere a password is set

STRICT = {"MinimumPasswordLength": 12, "RequireSymbols": True, "RequireNumbers": True,
          "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True}


@pytest.mark.parametrize(("password", "message"), [
    ("Aa1!short", "Password should have a minimum length of 12"),
    ("lowercase-only-1!", "Password should have at least one uppercase letter"),
    ("UPPERCASE-ONLY-1!", "Password should have at least one lowercase letter"),
    ("No-Numbers-Here!", "Password should have at least one number"),
    ("NoSymbolsHere123", "Password should have at least one symbol"),
])
def test_create_names_the_unmet_policy_rule(iam: Any, unique: str, password: str,
                                            message: str) -> None:
    iam.update_account_password_policy(**STRICT)
    iam.create_user(UserName=f"r-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.create_login_profile(UserName=f"r-{unique}", Password=password)
    assert error_of(exc) == ("PasswordPolicyViolation", 400, message)
    assert password not in error_of(exc)[2]


def test_default_policy_applies_without_a_custom_one(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"d-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.create_login_profile(UserName=f"d-{unique}", Password="Ab1!")
    assert error_of(exc) == ("PasswordPolicyViolation", 400,
                             "Password should have a minimum length of 8")


def test_update_enforces_the_policy(iam: Any, unique: str) -> None:
    name = user_with_profile(iam, unique)
    iam.update_account_password_policy(MinimumPasswordLength=20)
    with pytest.raises(ClientError) as exc:
        iam.update_login_profile(UserName=name, Password=OTHER)
    assert error_of(exc) == ("PasswordPolicyViolation", 400,
                             "Password should have a minimum length of 20")


def test_change_password_enforces_the_policy(account: Account, iam: Any, unique: str) -> None:
    name = user_with_profile(iam, unique)
    iam.update_account_password_policy(RequireSymbols=True)
    me = user_client(account, iam, name, own_password_statement())
    with pytest.raises(ClientError) as exc:
        me.change_password(OldPassword=GOOD, NewPassword="NoSymbols123")
    assert error_of(exc) == ("PasswordPolicyViolation", 400,
                             "Password should have at least one symbol")


def test_reuse_prevention_refuses_recent_passwords_on_update(iam: Any, unique: str) -> None:
    iam.update_account_password_policy(PasswordReusePrevention=2)
    name = user_with_profile(iam, unique)
    iam.update_login_profile(UserName=name, Password=OTHER)
    for reused in (GOOD, OTHER):
        with pytest.raises(ClientError) as exc:
            iam.update_login_profile(UserName=name, Password=reused)
        assert error_of(exc) == ("PasswordPolicyViolation", 400,
                                 "Password should not be the same as your previous 2 passwords")
    iam.update_login_profile(UserName=name, Password="Third-Secret-9")
    iam.update_login_profile(UserName=name, Password=GOOD)  # no longer among the last two


def test_reuse_prevention_refuses_the_current_password_on_change(account: Account, iam: Any,
                                                                 unique: str) -> None:
    iam.update_account_password_policy(PasswordReusePrevention=1,
                                       AllowUsersToChangePassword=True)
    name = user_with_profile(iam, unique)
    me = user_client(account, iam, name)
    with pytest.raises(ClientError) as exc:
        me.change_password(OldPassword=GOOD, NewPassword=GOOD)
    assert error_of(exc) == ("PasswordPolicyViolation", 400,
                             "Password should not be the same as your previous password")


# --- ChangePassword


def test_change_password_with_permission_replaces_it_and_clears_reset(
        account: Account, iam: Any, unique: str) -> None:
    name = user_with_profile(iam, unique, PasswordResetRequired=True)
    me = user_client(account, iam, name, own_password_statement())
    me.change_password(OldPassword=GOOD, NewPassword=OTHER)
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is False
    with pytest.raises(ClientError) as exc:
        me.change_password(OldPassword=GOOD, NewPassword="Third-Secret-9")
    assert error_of(exc)[0] == "InvalidUserType"


def test_change_password_with_wrong_old_password_is_refused(account: Account, iam: Any,
                                                            unique: str) -> None:
    name = user_with_profile(iam, unique)
    me = user_client(account, iam, name, own_password_statement())
    with pytest.raises(ClientError) as exc:
        me.change_password(OldPassword="Not-The-Password-1", NewPassword=OTHER)
    code, status, message = error_of(exc)
    assert (code, status) == ("InvalidUserType", 400)
    assert "Not-The-Password-1" not in message and OTHER not in message


def test_change_password_by_root_is_invalid_user_type(iam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        iam.change_password(OldPassword=GOOD, NewPassword=OTHER)
    assert error_of(exc)[:2] == ("InvalidUserType", 400)


def test_change_password_without_login_profile_is_no_such_entity(account: Account, iam: Any,
                                                                 unique: str) -> None:
    iam.create_user(UserName=f"nolp-{unique}")
    me = user_client(account, iam, f"nolp-{unique}", own_password_statement())
    with pytest.raises(ClientError) as exc:
        me.change_password(OldPassword=GOOD, NewPassword=OTHER)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"Login Profile for User nolp-{unique} cannot be found.")


def test_change_password_needs_permission_when_users_may_not_change(
        account: Account, iam: Any, unique: str) -> None:
    iam.update_account_password_policy(AllowUsersToChangePassword=False)
    name = user_with_profile(iam, unique)
    me = user_client(account, iam, name)
    with pytest.raises(ClientError) as exc:
        me.change_password(OldPassword=GOOD, NewPassword=OTHER)
    code, status, message = error_of(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert "iam:ChangePassword" in message


def test_allow_users_to_change_password_grants_it_without_a_policy(
        account: Account, iam: Any, unique: str) -> None:
    iam.update_account_password_policy(AllowUsersToChangePassword=True)
    name = user_with_profile(iam, unique)
    me = user_client(account, iam, name)
    me.change_password(OldPassword=GOOD, NewPassword=OTHER)


def test_explicit_deny_wins_over_allow_users_to_change_password(
        account: Account, iam: Any, unique: str) -> None:
    iam.update_account_password_policy(AllowUsersToChangePassword=True)
    name = user_with_profile(iam, unique)
    me = user_client(account, iam, name, own_password_statement("Deny"))
    with pytest.raises(ClientError) as exc:
        me.change_password(OldPassword=GOOD, NewPassword=OTHER)
    assert error_of(exc)[:2] == ("AccessDenied", 403)
    assert "explicit deny" in error_of(exc)[2]


# --- secrecy


def test_oversized_password_error_does_not_echo_it(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"big-{unique}")
    long_secret = "Zq9!" * 40
    with pytest.raises(ClientError) as exc:
        iam.create_login_profile(UserName=f"big-{unique}", Password=long_secret)
    code, status, message = error_of(exc)
    assert (code, status) == ("ValidationError", 400)
    assert long_secret not in message and "Zq9!" not in message


def test_no_password_reaches_the_server_log(account: Account, iam: Any, unique: str) -> None:
    marker = f"Marker-{unique}-Pw1!"
    name = user_with_profile(iam, unique, password=marker)
    iam.update_login_profile(UserName=name, Password=marker + "2")
    me = user_client(account, iam, name, own_password_statement())
    me.change_password(OldPassword=marker + "2", NewPassword=marker + "3")
    for wrong in (marker + "x", marker + "y"):
        with pytest.raises(ClientError):
            me.change_password(OldPassword=wrong, NewPassword=marker + "4")
    assert marker not in account.server.log()


# --- the AWS CLI


def cli(account: Account, *args: str) -> subprocess.CompletedProcess[str]:
    result = aws(account.server, "--profile", account.profile, *args)
    return result


def test_cli_creates_and_gets_a_login_profile(account: Account, iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"cli-{unique}")
    created = cli(account, "iam", "create-login-profile", "--user-name", f"cli-{unique}",
                  "--password", GOOD, "--password-reset-required")
    assert created.returncode == 0, created.stderr
    assert GOOD not in created.stdout
    got = cli(account, "iam", "get-login-profile", "--user-name", f"cli-{unique}")
    assert got.returncode == 0, got.stderr
    profile = json.loads(got.stdout)["LoginProfile"]
    assert (profile["UserName"], profile["PasswordResetRequired"]) == (f"cli-{unique}", True)


def test_cli_reports_the_policy_violation(account: Account, iam: Any, unique: str) -> None:
    iam.update_account_password_policy(RequireNumbers=True)
    iam.create_user(UserName=f"clv-{unique}")
    result = cli(account, "iam", "create-login-profile", "--user-name", f"clv-{unique}",
                 "--password", "No-Numbers-Here")
    assert result.returncode != 0
    assert "(PasswordPolicyViolation)" in result.stderr
    assert "Password should have at least one number" in result.stderr
