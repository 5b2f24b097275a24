"""Inline policies, as the IAM API reference describes Put/Get/Delete/List{User,Group,Role}Policy,
with the size quotas of "IAM and AWS STS quotas" (user 2,048, group 5,120, role 10,240
characters for all of an entity's inline policies together, white space not counted)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

TRUST = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}


def doc(resource: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                      "Resource": resource}]})


def sized(total: int) -> str:
    """A valid identity policy of exactly `total` characters once white space is dropped."""
    compact = len(json.dumps(json.loads(doc("arn:aws:s3:::")), separators=(",", ":")))
    return doc("arn:aws:s3:::" + "x" * (total - compact))


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = exc.value.response
    return (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
            err["Error"]["Message"])


def make(iam: Any, kind: str, name: str) -> None:
    if kind == "User":
        iam.create_user(UserName=name)
    elif kind == "Group":
        iam.create_group(GroupName=name)
    else:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))


def call(iam: Any, verb: str, kind: str, name: str, **params: Any) -> Any:
    method = {"put": f"put_{kind.lower()}_policy", "get": f"get_{kind.lower()}_policy",
              "delete": f"delete_{kind.lower()}_policy",
              "list": f"list_{kind.lower()}_policies"}[verb]
    return getattr(iam, method)(**{f"{kind}Name": name}, **params)


KINDS = ["User", "Group", "Role"]


@pytest.mark.parametrize("kind", KINDS)
def test_put_then_get_returns_the_document(iam: Any, kind: str, unique: str) -> None:
    name = f"ip-{kind}-{unique}"
    make(iam, kind, name)
    call(iam, "put", kind, name, PolicyName="read", PolicyDocument=doc("arn:aws:s3:::a b"))
    got = call(iam, "get", kind, name, PolicyName="read")
    assert (got[f"{kind}Name"], got["PolicyName"]) == (name, "read")
    assert got["PolicyDocument"]["Statement"][0]["Resource"] == "arn:aws:s3:::a b"


@pytest.mark.parametrize("kind", KINDS)
def test_put_replaces_a_policy_of_the_same_name(iam: Any, kind: str, unique: str) -> None:
    name = f"rp-{kind}-{unique}"
    make(iam, kind, name)
    call(iam, "put", kind, name, PolicyName="p", PolicyDocument=doc("arn:aws:s3:::one"))
    call(iam, "put", kind, name, PolicyName="p", PolicyDocument=doc("arn:aws:s3:::two"))
    got = call(iam, "get", kind, name, PolicyName="p")["PolicyDocument"]
    assert got["Statement"][0]["Resource"] == "arn:aws:s3:::two"
    assert call(iam, "list", kind, name)["PolicyNames"] == ["p"]


@pytest.mark.parametrize("kind", KINDS)
def test_list_paginates_policy_names(iam: Any, kind: str, unique: str) -> None:
    name = f"lp-{kind}-{unique}"
    make(iam, kind, name)
    for policy in ("c", "a", "b"):
        call(iam, "put", kind, name, PolicyName=policy, PolicyDocument=doc())
    first = call(iam, "list", kind, name, MaxItems=2)
    rest = call(iam, "list", kind, name, Marker=first["Marker"])
    assert (first["PolicyNames"], first["IsTruncated"]) == (["a", "b"], True)
    assert (rest["PolicyNames"], rest["IsTruncated"]) == (["c"], False)


@pytest.mark.parametrize("kind", KINDS)
def test_delete_removes_the_policy(iam: Any, kind: str, unique: str) -> None:
    name = f"dp-{kind}-{unique}"
    make(iam, kind, name)
    call(iam, "put", kind, name, PolicyName="gone", PolicyDocument=doc())
    call(iam, "delete", kind, name, PolicyName="gone")
    assert call(iam, "list", kind, name)["PolicyNames"] == []


@pytest.mark.parametrize("kind", KINDS)
def test_get_missing_policy_is_no_such_entity(iam: Any, kind: str, unique: str) -> None:
    name = f"mp-{kind}-{unique}"
    make(iam, kind, name)
    with pytest.raises(ClientError) as exc:
        call(iam, "get", kind, name, PolicyName="nope")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The {kind.lower()} policy with name nope cannot be found.")


@pytest.mark.parametrize("kind", KINDS)
def test_put_on_missing_entity_is_no_such_entity(iam: Any, kind: str, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        call(iam, "put", kind, f"ghost-{unique}", PolicyName="p", PolicyDocument=doc())
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The {kind.lower()} with name ghost-{unique} cannot be found.")


@pytest.mark.parametrize("kind", KINDS)
def test_malformed_document_is_rejected(iam: Any, kind: str, unique: str) -> None:
    name = f"mf-{kind}-{unique}"
    make(iam, kind, name)
    with pytest.raises(ClientError) as exc:
        call(iam, "put", kind, name, PolicyName="p", PolicyDocument=json.dumps(TRUST))
    assert error_of(exc)[:2] == ("MalformedPolicyDocument", 400)


@pytest.mark.parametrize(("kind", "quota"), [("User", 2048), ("Group", 5120), ("Role", 10240)])
def test_aggregate_size_quota(iam: Any, kind: str, quota: int, unique: str) -> None:
    name = f"sq-{kind}-{unique}"
    make(iam, kind, name)
    half = quota // 2
    call(iam, "put", kind, name, PolicyName="one", PolicyDocument=sized(half))
    # Exactly at the quota (white space not counted) is accepted ...
    spaced = json.dumps(json.loads(sized(quota - half)), indent=6)
    call(iam, "put", kind, name, PolicyName="two", PolicyDocument=spaced)
    # ... and one character more, across the entity's policies, is not.
    with pytest.raises(ClientError) as exc:
        call(iam, "put", kind, name, PolicyName="two", PolicyDocument=sized(quota - half + 1))
    assert error_of(exc) == ("LimitExceeded", 409,
                             f"Maximum policy size of {quota} bytes exceeded for "
                             f"{kind.lower()} {name}")


def test_delete_user_with_inline_policy_is_delete_conflict(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"dui-{unique}")
    iam.put_user_policy(UserName=f"dui-{unique}", PolicyName="p", PolicyDocument=doc())
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=f"dui-{unique}")
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete entity, must delete policies first.")


def test_delete_group_with_inline_policy_is_delete_conflict(iam: Any, unique: str) -> None:
    iam.create_group(GroupName=f"dgi-{unique}")
    iam.put_group_policy(GroupName=f"dgi-{unique}", PolicyName="p", PolicyDocument=doc())
    with pytest.raises(ClientError) as exc:
        iam.delete_group(GroupName=f"dgi-{unique}")
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete entity, must delete policies first.")


def test_inline_policy_of_service_linked_role_is_unmodifiable(iam: Any, unique: str) -> None:
    # A suffix of its own: the suffix-less autoscaling role belongs to the SLR tests.
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                          CustomSuffix=f"inline{unique}")["Role"]
    with pytest.raises(ClientError) as exc:
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p", PolicyDocument=doc())
    assert error_of(exc)[0] == "UnmodifiableEntity"
