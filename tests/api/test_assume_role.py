"""AssumeRole: trust policies, the caller's own permissions, durations, chaining, tags."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_access_keys import make_user_key
from tests.api.test_sts_sessions import session_client
from tests.api.test_users import error_of
from tests.support.server import RunningServer


def trust(principal: dict[str, Any], condition: dict[str, Any] | None = None,
          actions: list[str] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal,
                                 "Action": actions or ["sts:AssumeRole"]}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def allow(action: str, resource: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": resource}]})


@pytest.fixture
def account(sts: Any) -> str:
    return str(sts.get_caller_identity()["Account"])


def make_role(iam: Any, name: str, document: str, **extra: Any) -> str:
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=document,
                               **extra)["Role"]["Arn"])


def user_allowed_to_assume(iam: Any, name: str) -> tuple[str, str]:
    key = make_user_key(iam, name)
    iam.put_user_policy(UserName=name, PolicyName="assume",
                        PolicyDocument=allow("sts:AssumeRole"))
    return key


def test_user_named_in_trust_policy_assumes_role(server: RunningServer, iam: Any, account: str,
                                                 unique: str) -> None:
    key = user_allowed_to_assume(iam, f"a-{unique}")
    role_arn = make_role(iam, f"r-{unique}",
                         trust({"AWS": f"arn:aws:iam::{account}:user/a-{unique}"}))
    response = server.client("sts", key).assume_role(RoleArn=role_arn, RoleSessionName="s1")
    assumed = response["AssumedRoleUser"]
    assert assumed["Arn"] == f"arn:aws:sts::{account}:assumed-role/r-{unique}/s1"
    assert assumed["AssumedRoleId"].startswith("AROA") and assumed["AssumedRoleId"].endswith(":s1")
    identity = session_client(server, "sts", response["Credentials"]).get_caller_identity()
    assert identity["Arn"] == assumed["Arn"]
    assert identity["UserId"] == assumed["AssumedRoleId"]


def test_role_not_trusting_the_caller_is_access_denied(server: RunningServer, iam: Any,
                                                      account: str, unique: str) -> None:
    key = user_allowed_to_assume(iam, f"b-{unique}")
    role_arn = make_role(iam, f"nt-{unique}", trust({"Service": "ec2.amazonaws.com"}))
    with pytest.raises(ClientError) as exc:
        server.client("sts", key).assume_role(RoleArn=role_arn, RoleSessionName="s0")
    code, status, message = error_of(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: arn:aws:iam::{account}:user/b-{unique} is not authorized "
                              f"to perform: sts:AssumeRole on resource: {role_arn}")


def test_missing_role_looks_like_access_denied(server: RunningServer, iam: Any, account: str,
                                               unique: str) -> None:
    key = user_allowed_to_assume(iam, f"m-{unique}")
    with pytest.raises(ClientError) as exc:
        server.client("sts", key).assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/none-{unique}", RoleSessionName="s0")
    assert error_of(exc)[0] == "AccessDenied"


def test_root_cannot_assume_roles(sts: Any, iam: Any, account: str, unique: str) -> None:
    role_arn = make_role(iam, f"root-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}))
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="s0")
    assert error_of(exc) == ("AccessDenied", 403, "Roles may not be assumed by root accounts.")


def test_account_principal_trusts_users_allowed_by_their_policies(
        server: RunningServer, iam: Any, account: str, unique: str) -> None:
    role_arn = make_role(iam, f"acct-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}))
    allowed = user_allowed_to_assume(iam, f"yes-{unique}")
    server.client("sts", allowed).assume_role(RoleArn=role_arn, RoleSessionName="s0")
    bare = make_user_key(iam, f"no-{unique}")
    with pytest.raises(ClientError) as exc:
        server.client("sts", bare).assume_role(RoleArn=role_arn, RoleSessionName="s0")
    assert error_of(exc)[0] == "AccessDenied"


def test_external_id_condition(server: RunningServer, iam: Any, account: str, unique: str
                               ) -> None:
    key = user_allowed_to_assume(iam, f"x-{unique}")
    role_arn = make_role(iam, f"ext-{unique}", trust(
        {"AWS": f"arn:aws:iam::{account}:root"},
        {"StringEquals": {"sts:ExternalId": "secret-handshake"}}))
    sts = server.client("sts", key)
    sts.assume_role(RoleArn=role_arn, RoleSessionName="s0", ExternalId="secret-handshake")
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=role_arn, RoleSessionName="s0", ExternalId="wrong-one")
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=role_arn, RoleSessionName="s0")


def test_duration_beyond_max_session_duration_is_validation_error(
        server: RunningServer, iam: Any, account: str, unique: str) -> None:
    key = user_allowed_to_assume(iam, f"d-{unique}")
    role_arn = make_role(iam, f"dur-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}),
                         MaxSessionDuration=7200)
    sts = server.client("sts", key)
    sts.assume_role(RoleArn=role_arn, RoleSessionName="s0", DurationSeconds=7200)
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="s0", DurationSeconds=7201)
    assert error_of(exc) == ("ValidationError", 400, "The requested DurationSeconds exceeds the "
                             "MaxSessionDuration set for this role.")


def test_role_chaining_is_capped_at_one_hour_and_keeps_permissions_of_the_new_role(
        server: RunningServer, iam: Any, account: str, unique: str) -> None:
    key = user_allowed_to_assume(iam, f"c-{unique}")
    first = make_role(iam, f"first-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}))
    iam.put_role_policy(RoleName=f"first-{unique}", PolicyName="chain",
                        PolicyDocument=allow("sts:AssumeRole"))
    second = make_role(iam, f"second-{unique}", trust({"AWS": first}), MaxSessionDuration=43200)
    creds = server.client("sts", key).assume_role(RoleArn=first,
                                                  RoleSessionName="one")["Credentials"]
    chained_sts = session_client(server, "sts", creds)
    with pytest.raises(ClientError) as exc:
        chained_sts.assume_role(RoleArn=second, RoleSessionName="two", DurationSeconds=7200)
    assert "1 hour session limit" in error_of(exc)[2]
    chained = chained_sts.assume_role(RoleArn=second, RoleSessionName="two")
    assert chained["AssumedRoleUser"]["Arn"].endswith(f":assumed-role/second-{unique}/two")


def test_role_session_permissions_come_from_the_role(server: RunningServer, iam: Any,
                                                     account: str, unique: str) -> None:
    key = user_allowed_to_assume(iam, f"p-{unique}")
    role_arn = make_role(iam, f"perm-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}))
    iam.put_role_policy(RoleName=f"perm-{unique}", PolicyName="read",
                        PolicyDocument=allow("iam:GetUser"))
    creds = server.client("sts", key).assume_role(RoleArn=role_arn,
                                                  RoleSessionName="s0")["Credentials"]
    role_iam = session_client(server, "iam", creds)
    role_iam.get_user(UserName=f"p-{unique}")
    with pytest.raises(ClientError) as exc:
        role_iam.list_users()
    assert error_of(exc)[2].startswith(
        f"User: arn:aws:sts::{account}:assumed-role/perm-{unique}/s0 is not authorized")


def test_session_policy_narrows_the_role(server: RunningServer, iam: Any, account: str,
                                         unique: str) -> None:
    key = user_allowed_to_assume(iam, f"sp-{unique}")
    role_arn = make_role(iam, f"narrow-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}))
    iam.put_role_policy(RoleName=f"narrow-{unique}", PolicyName="all",
                        PolicyDocument=allow("iam:*"))
    response = server.client("sts", key).assume_role(
        RoleArn=role_arn, RoleSessionName="s0", Policy=allow("iam:GetUser"))
    assert 0 < response["PackedPolicySize"] <= 100
    role_iam = session_client(server, "iam", response["Credentials"])
    role_iam.get_user(UserName=f"sp-{unique}")
    with pytest.raises(ClientError) as exc:
        role_iam.list_users()
    assert "because no session policy allows the iam:ListUsers action" in error_of(exc)[2]


def test_deleting_the_role_policy_takes_effect_at_once(server: RunningServer, iam: Any,
                                                       account: str, unique: str) -> None:
    key = user_allowed_to_assume(iam, f"del-{unique}")
    role_arn = make_role(iam, f"gone-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}))
    iam.put_role_policy(RoleName=f"gone-{unique}", PolicyName="p",
                        PolicyDocument=allow("iam:GetUser"))
    creds = server.client("sts", key).assume_role(RoleArn=role_arn,
                                                  RoleSessionName="s0")["Credentials"]
    role_iam = session_client(server, "iam", creds)
    role_iam.get_user(UserName=f"del-{unique}")
    iam.delete_role_policy(RoleName=f"gone-{unique}", PolicyName="p")
    with pytest.raises(ClientError):
        role_iam.get_user(UserName=f"del-{unique}")


def test_session_tags_need_tag_session_and_become_principal_tags(
        server: RunningServer, iam: Any, account: str, unique: str) -> None:
    key = user_allowed_to_assume(iam, f"t-{unique}")
    plain = make_role(iam, f"notag-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}))
    tagging = make_role(iam, f"tag-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"},
                                                    actions=["sts:AssumeRole", "sts:TagSession"]))
    iam.put_user_policy(UserName=f"t-{unique}", PolicyName="tag",
                        PolicyDocument=allow("sts:TagSession"))
    sts = server.client("sts", key)
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=plain, RoleSessionName="s0", Tags=[{"Key": "team", "Value": "a"}])
    iam.put_role_policy(RoleName=f"tag-{unique}", PolicyName="own-team", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}}}]}))
    creds = sts.assume_role(RoleArn=tagging, RoleSessionName="s0",
                            Tags=[{"Key": "team", "Value": "a"}])["Credentials"]
    session_client(server, "iam", creds).get_user(UserName=f"t-{unique}")


def test_role_last_used_is_recorded(server: RunningServer, iam: Any, account: str,
                                    unique: str) -> None:
    key = user_allowed_to_assume(iam, f"lu-{unique}")
    role_arn = make_role(iam, f"used-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}))
    server.client("sts", key, region="eu-central-1").assume_role(RoleArn=role_arn,
                                                                 RoleSessionName="s0")
    last = iam.get_role(RoleName=f"used-{unique}")["Role"]["RoleLastUsed"]
    assert last["Region"] == "eu-central-1" and last["LastUsedDate"].tzinfo is not None


# --- a trust policy names the principal it named when saved (IAM User Guide, Principal)


def trusted_principal(iam: Any, role: str) -> Any:
    document = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    return document["Statement"][0]["Principal"]["AWS"]


def delete_user_and_key(iam: Any, name: str, key: tuple[str, str]) -> None:
    iam.delete_access_key(UserName=name, AccessKeyId=key[0])
    iam.delete_user_policy(UserName=name, PolicyName="assume")
    iam.delete_user(UserName=name)


def test_deleted_trusted_user_shows_as_its_unique_id(iam: Any, account: str,
                                                    unique: str) -> None:
    name = f"gone-{unique}"
    key = user_allowed_to_assume(iam, name)
    user_id = iam.get_user(UserName=name)["User"]["UserId"]
    make_role(iam, f"r-{unique}", trust({"AWS": f"arn:aws:iam::{account}:user/{name}"}))
    delete_user_and_key(iam, name, key)
    assert trusted_principal(iam, f"r-{unique}") == user_id


def test_deleted_trusted_user_written_with_json_escapes_shows_as_its_unique_id(
        iam: Any, account: str, unique: str) -> None:
    name = f"esc-{unique}"
    key = user_allowed_to_assume(iam, name)
    user_id = iam.get_user(UserName=name)["User"]["UserId"]
    escaped = trust({"AWS": f"arn:aws:iam::{account}:user/{name}"}).replace("/", "\\/")
    make_role(iam, f"r-{unique}", escaped)
    delete_user_and_key(iam, name, key)
    assert trusted_principal(iam, f"r-{unique}") == user_id


def test_user_recreated_with_a_trusted_name_is_not_trusted(server: RunningServer, iam: Any,
                                                           account: str, unique: str) -> None:
    name = f"again-{unique}"
    key = user_allowed_to_assume(iam, name)
    role_arn = make_role(iam, f"r-{unique}",
                         trust({"AWS": f"arn:aws:iam::{account}:user/{name}"}))
    server.client("sts", key).assume_role(RoleArn=role_arn, RoleSessionName="before")
    delete_user_and_key(iam, name, key)
    impostor = user_allowed_to_assume(iam, name)
    with pytest.raises(ClientError) as exc:
        server.client("sts", impostor).assume_role(RoleArn=role_arn, RoleSessionName="after")
    assert error_of(exc)[0] == "AccessDenied"


def test_renamed_trusted_user_stays_trusted_under_its_new_arn(server: RunningServer, iam: Any,
                                                              account: str, unique: str) -> None:
    key = user_allowed_to_assume(iam, f"old-{unique}")
    role_arn = make_role(iam, f"r-{unique}",
                         trust({"AWS": [f"arn:aws:iam::{account}:user/old-{unique}"]}))
    iam.update_user(UserName=f"old-{unique}", NewUserName=f"new-{unique}", NewPath="/moved/")
    assert trusted_principal(iam, f"r-{unique}") == [
        f"arn:aws:iam::{account}:user/moved/new-{unique}"]
    server.client("sts", key).assume_role(RoleArn=role_arn, RoleSessionName="renamed")


def test_deleted_trusted_role_shows_as_its_unique_id(iam: Any, account: str,
                                                    unique: str) -> None:
    trusted = iam.create_role(RoleName=f"t-{unique}",
                              AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    make_role(iam, f"r-{unique}", trust({"AWS": trusted["Role"]["Arn"]}))
    iam.delete_role(RoleName=f"t-{unique}")
    assert trusted_principal(iam, f"r-{unique}") == trusted["Role"]["RoleId"]
