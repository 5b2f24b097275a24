"""The IAM policy simulator, as the IAM API reference describes SimulatePrincipalPolicy,
SimulateCustomPolicy, GetContextKeysForPrincipalPolicy and GetContextKeysForCustomPolicy
(and the AWS CLI examples of simulate-custom-policy and simulate-principal-policy)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.server import RunningServer

# The policy of the AWS CLI's simulate-custom-policy example, byte for byte.
DYNAMO_AFTER_2018 = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":'
                     '"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":'
                     '{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def allow(action: str | list[str], resource: str | list[str] = "*",
          **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*",
         **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = exc.value.response
    return (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
            err["Error"]["Message"])


def account_of(sts: Any) -> str:
    return str(sts.get_caller_identity()["Account"])


def decisions(response: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"])
            for r in response["EvaluationResults"]]


def date_entry(value: str) -> dict[str, Any]:
    return {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [value],
            "ContextKeyType": "date"}


def key_client(server: RunningServer, iam: Any, user: str) -> Any:
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return server.client("iam", (key["AccessKeyId"], key["SecretAccessKey"]))


# --- SimulateCustomPolicy


def test_custom_policy_reports_the_matching_statement_as_the_cli_example(iam: Any) -> None:
    result = iam.simulate_custom_policy(
        PolicyInputList=[DYNAMO_AFTER_2018], ActionNames=["dynamodb:CreateBackup"],
        ContextEntries=[date_entry("2019-04-25T11:00:00Z")])["EvaluationResults"][0]
    assert (result["EvalActionName"], result["EvalResourceName"], result["EvalDecision"]) == (
        "dynamodb:CreateBackup", "*", "allowed")
    statement = result["MatchedStatements"][0]
    assert statement["SourcePolicyId"] == "PolicyInputList.1"
    assert statement["StartPosition"] == {"Line": 1, "Column": 38}
    assert statement["EndPosition"] == {"Line": 1, "Column": 167}
    assert result["MissingContextValues"] == []


def test_custom_policy_with_condition_not_met_is_implicit_deny(iam: Any) -> None:
    result = iam.simulate_custom_policy(
        PolicyInputList=[DYNAMO_AFTER_2018], ActionNames=["dynamodb:CreateBackup"],
        ContextEntries=[date_entry("2014-04-25T11:00:00Z")])["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MatchedStatements"] == []


def test_positions_span_lines_of_an_indented_policy(iam: Any) -> None:
    text = doc(allow("s3:ListBucket"), allow("s3:GetObject"))
    result = iam.simulate_custom_policy(PolicyInputList=[text],
                                        ActionNames=["s3:GetObject"])["EvaluationResults"][0]
    lines = text.splitlines()
    start, end = (result["MatchedStatements"][0][k] for k in ("StartPosition", "EndPosition"))
    # The second statement's braces, reported one column past each brace (1-based).
    assert lines[start["Line"] - 1][start["Column"] - 2] == "{"
    assert lines[end["Line"] - 1][end["Column"] - 2] == "}"
    assert '"s3:GetObject"' in "\n".join(lines[start["Line"] - 1:end["Line"]])


def test_explicit_deny_reports_only_the_deny_statement(iam: Any) -> None:
    result = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("s3:*")), doc(deny("s3:DeleteObject"))],
        ActionNames=["s3:DeleteObject", "s3:GetObject"])
    assert [r["EvalDecision"] for r in result["EvaluationResults"]] == [
        "explicitDeny", "allowed"]
    denied = result["EvaluationResults"][0]["MatchedStatements"]
    assert [s["SourcePolicyId"] for s in denied] == ["PolicyInputList.2"]


def test_action_not_mentioned_is_implicit_deny(iam: Any) -> None:
    result = iam.simulate_custom_policy(PolicyInputList=[doc(allow("s3:GetObject"))],
                                        ActionNames=["iam:CreateUser"])
    assert decisions(result) == [("iam:CreateUser", "*", "implicitDeny")]


def test_every_action_is_evaluated_for_every_resource(iam: Any) -> None:
    bucket = "arn:aws:s3:::reports"
    result = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("s3:GetObject", f"{bucket}/*"))],
        ActionNames=["s3:GetObject", "s3:PutObject"],
        ResourceArns=[f"{bucket}/q1.csv", "arn:aws:s3:::other/q1.csv"])
    assert decisions(result) == [
        ("s3:GetObject", f"{bucket}/q1.csv", "allowed"),
        ("s3:GetObject", "arn:aws:s3:::other/q1.csv", "implicitDeny"),
        ("s3:PutObject", f"{bucket}/q1.csv", "implicitDeny"),
        ("s3:PutObject", "arn:aws:s3:::other/q1.csv", "implicitDeny"),
    ]


def test_resource_arns_give_resource_specific_results(iam: Any) -> None:
    result = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("s3:GetObject", "arn:aws:s3:::b/*"))],
        ActionNames=["s3:GetObject"], ResourceArns=["arn:aws:s3:::b/k"])["EvaluationResults"][0]
    specific = result["ResourceSpecificResults"]
    assert [(r["EvalResourceName"], r["EvalResourceDecision"]) for r in specific] == [
        ("arn:aws:s3:::b/k", "allowed")]
    assert specific[0]["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"
    # Same account with a resource ARN: present but empty (EvaluationResult).
    assert result["EvalDecisionDetails"] == {}


def test_without_resource_arns_there_are_no_resource_specific_results(iam: Any) -> None:
    result = iam.simulate_custom_policy(PolicyInputList=[doc(allow("s3:GetObject"))],
                                        ActionNames=["s3:GetObject"])["EvaluationResults"][0]
    assert "ResourceSpecificResults" not in result
    assert "EvalDecisionDetails" not in result
    assert result["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}


def test_missing_context_values_are_reported_at_the_top_for_all_resources(iam: Any) -> None:
    policy = doc(allow("s3:GetObject", Condition={"StringEquals": {"s3:prefix": "home/"}}))
    result = iam.simulate_custom_policy(PolicyInputList=[policy],
                                        ActionNames=["s3:GetObject"])["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["s3:prefix"]


def test_missing_context_values_move_under_resource_specific_results(iam: Any) -> None:
    policy = doc(allow("s3:GetObject", Condition={"StringEquals": {"s3:prefix": "home/"}}))
    result = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject"],
                                        ResourceArns=["arn:aws:s3:::b/k"])["EvaluationResults"][0]
    assert result["MissingContextValues"] == []
    assert result["ResourceSpecificResults"][0]["MissingContextValues"] == ["s3:prefix"]


@pytest.mark.parametrize(("key_type", "values", "condition", "expected"), [
    ("string", ["eu-west-1"], {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
     "allowed"),
    ("stringList", ["a", "b"], {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
     "allowed"),
    ("stringList", ["a", "z"], {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
     "implicitDeny"),
    ("numeric", ["3600"], {"NumericLessThan": {"aws:MultiFactorAuthAge": "7200"}}, "allowed"),
    ("boolean", ["true"], {"Bool": {"aws:SecureTransport": "true"}}, "allowed"),
    ("boolean", ["false"], {"Bool": {"aws:SecureTransport": "true"}}, "implicitDeny"),
    ("ip", ["203.0.113.9"], {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, "allowed"),
    ("ip", ["198.51.100.1"], {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
     "implicitDeny"),
    ("date", ["2030-01-01T00:00:00Z"], {"DateGreaterThan": {"aws:CurrentTime":
                                                           "2020-01-01T00:00:00Z"}}, "allowed"),
])
def test_context_entries_of_each_type_feed_conditions(iam: Any, key_type: str,
                                                      values: list[str],
                                                      condition: dict[str, Any],
                                                      expected: str) -> None:
    key = next(iter(next(iter(condition.values()))))
    result = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("s3:GetObject", Condition=condition))],
        ActionNames=["s3:GetObject"],
        ContextEntries=[{"ContextKeyName": key, "ContextKeyValues": values,
                         "ContextKeyType": key_type}])
    assert result["EvaluationResults"][0]["EvalDecision"] == expected


def test_policy_variables_take_context_values(iam: Any) -> None:
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))
    entry = {"ContextKeyName": "aws:username", "ContextKeyValues": ["ana"],
             "ContextKeyType": "string"}
    result = iam.simulate_custom_policy(
        PolicyInputList=[policy], ActionNames=["s3:GetObject"], ContextEntries=[entry],
        ResourceArns=["arn:aws:s3:::home/ana/x", "arn:aws:s3:::home/bo/x"])
    assert [r["EvalDecision"] for r in result["EvaluationResults"]] == [
        "allowed", "implicitDeny"]


def test_permissions_boundary_input_limits_the_identity_policies(iam: Any) -> None:
    result = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow(["s3:GetObject", "s3:PutObject"]))],
        PermissionsBoundaryPolicyInputList=[doc(allow("s3:GetObject"))],
        ActionNames=["s3:GetObject", "s3:PutObject"])["EvaluationResults"]
    assert [(r["EvalDecision"], r["PermissionsBoundaryDecisionDetail"]) for r in result] == [
        ("allowed", {"AllowedByPermissionsBoundary": True}),
        ("implicitDeny", {"AllowedByPermissionsBoundary": False}),
    ]


def test_cross_account_resource_needs_its_resource_policy(iam: Any, sts: Any) -> None:
    me = account_of(sts)
    other = "210987654321" if me != "210987654321" else "123456789012"
    caller = f"arn:aws:iam::{me}:user/ana"
    resource_policy = doc({"Effect": "Allow", "Principal": {"AWS": caller},
                           "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"})
    common = {"PolicyInputList": [doc(allow("s3:GetObject"))], "CallerArn": caller,
              "ActionNames": ["s3:GetObject"], "ResourceArns": ["arn:aws:s3:::shared/k"],
              "ResourceOwner": f"arn:aws:iam::{other}:root"}
    without = iam.simulate_custom_policy(
        ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
             "Action": "s3:GetObject", "Resource": "*"}]}), **common)["EvaluationResults"][0]
    granted = iam.simulate_custom_policy(ResourcePolicy=resource_policy,
                                         **common)["EvaluationResults"][0]
    assert without["EvalDecision"] == "implicitDeny"
    assert granted["EvalDecision"] == "allowed"
    assert granted["EvalDecisionDetails"]["IAM Policy"] == "allowed"
    assert granted["EvalDecisionDetails"]["Resource Policy"] == "allowed"
    types = {s["SourcePolicyType"] for s in granted["MatchedStatements"]}
    assert "resource" in types


def test_resource_policy_deny_is_explicit_deny(iam: Any, sts: Any) -> None:
    caller = f"arn:aws:iam::{account_of(sts)}:user/ana"
    resource_policy = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                           "Resource": "*"})
    result = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("s3:*"))], ResourcePolicy=resource_policy,
        CallerArn=caller, ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::b/k"])["EvaluationResults"][0]
    assert result["EvalDecision"] == "explicitDeny"
    assert [s["SourcePolicyType"] for s in result["MatchedStatements"]] == ["resource"]


def test_resource_policy_without_caller_arn_is_invalid_input(iam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        iam.simulate_custom_policy(
            PolicyInputList=[doc(allow("s3:*"))], ActionNames=["s3:GetObject"],
            ResourcePolicy=doc({"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                "Resource": "*"}))
    assert error_of(exc)[:2] == ("InvalidInput", 400)


@pytest.mark.parametrize(("field", "text", "message"), [
    ("PolicyInputList", "{not json", "Syntax errors in policy."),
    ("PolicyInputList", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Resource": "*"}]}), "Policy statement must contain actions."),
    ("PermissionsBoundaryPolicyInputList", "[]", "Syntax errors in policy."),
])
def test_malformed_input_policy_is_invalid_input(iam: Any, field: str, text: str,
                                                 message: str) -> None:
    params: dict[str, Any] = {"PolicyInputList": [doc(allow("s3:*"))],
                              "ActionNames": ["s3:GetObject"]}
    params[field] = [text]
    with pytest.raises(ClientError) as exc:
        iam.simulate_custom_policy(**params)
    assert error_of(exc) == ("InvalidInput", 400, message)


def test_resource_handling_option_needs_its_resources(iam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        iam.simulate_custom_policy(PolicyInputList=[doc(allow("ec2:*"))],
                                   ActionNames=["ec2:RunInstances"],
                                   ResourceHandlingOption="EC2-VPC-InstanceStore",
                                   ResourceArns=["arn:aws:ec2:us-east-1:123456789012:"
                                                 "instance/*"])
    assert error_of(exc)[:2] == ("InvalidInput", 400)
    assert "image" in error_of(exc)[2]


def test_resource_handling_option_evaluates_the_resources_together(iam: Any, sts: Any) -> None:
    prefix = f"arn:aws:ec2:us-east-1:{account_of(sts)}:"
    resources = [f"{prefix}{t}/*" for t in
                 ("instance", "image", "security-group", "network-interface")]
    result = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("ec2:RunInstances", resources[:3]))],
        ActionNames=["ec2:RunInstances"], ResourceHandlingOption="EC2-VPC-InstanceStore",
        ResourceArns=resources)["EvaluationResults"]
    assert len(result) == 1
    assert result[0]["EvalDecision"] == "implicitDeny"
    assert [r["EvalResourceDecision"] for r in result[0]["ResourceSpecificResults"]] == [
        "allowed", "allowed", "allowed", "implicitDeny"]


def test_results_paginate_with_max_items_and_marker(iam: Any) -> None:
    actions = [f"s3:Action{n}" for n in range(5)]
    first = iam.simulate_custom_policy(PolicyInputList=[doc(allow("s3:*"))],
                                       ActionNames=actions, MaxItems=2)
    assert first["IsTruncated"] is True and len(first["EvaluationResults"]) == 2
    seen = [r["EvalActionName"] for r in first["EvaluationResults"]]
    marker = first["Marker"]
    while marker:
        page = iam.simulate_custom_policy(PolicyInputList=[doc(allow("s3:*"))],
                                          ActionNames=actions, MaxItems=2, Marker=marker)
        seen += [r["EvalActionName"] for r in page["EvaluationResults"]]
        marker = page.get("Marker")
    assert seen == actions


def test_simulation_stores_nothing(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"store-{unique}")
    before = iam.list_policies(Scope="Local")["Policies"]
    iam.simulate_principal_policy(
        PolicySourceArn=iam.get_user(UserName=f"store-{unique}")["User"]["Arn"],
        PolicyInputList=[doc(allow("s3:*"))], ActionNames=["s3:GetObject"])
    assert iam.list_policies(Scope="Local")["Policies"] == before
    assert iam.list_user_policies(UserName=f"store-{unique}")["PolicyNames"] == []
    assert iam.list_attached_user_policies(
        UserName=f"store-{unique}")["AttachedPolicies"] == []


# --- SimulatePrincipalPolicy


def test_principal_policy_for_user_includes_its_groups_and_managed_policies(
        iam: Any, unique: str) -> None:
    user, group = f"sp-{unique}", f"spg-{unique}"
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="Grant-CodeCommit",
                        PolicyDocument=doc(allow("codecommit:ListRepositories")))
    iam.put_group_policy(GroupName=group, PolicyName="GroupSqs",
                         PolicyDocument=doc(allow("sqs:ListQueues")))
    local = iam.create_policy(PolicyName=f"sns-{unique}",
                              PolicyDocument=doc(allow("sns:ListTopics")))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=user, PolicyArn=local)
    iam.attach_group_policy(GroupName=group,
                            PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    result = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["codecommit:ListRepositories", "sqs:ListQueues",
                                          "sns:ListTopics", "s3:GetObject", "ec2:RunInstances"])
    found = {r["EvalActionName"]: (r["EvalDecision"],
                                   [(s["SourcePolicyId"], s["SourcePolicyType"])
                                    for s in r["MatchedStatements"]])
             for r in result["EvaluationResults"]}
    assert found == {
        "codecommit:ListRepositories": ("allowed", [("Grant-CodeCommit", "user")]),
        "sqs:ListQueues": ("allowed", [("GroupSqs", "group")]),
        "sns:ListTopics": ("allowed", [(f"sns-{unique}", "user-managed")]),
        "s3:GetObject": ("allowed", [("AmazonS3ReadOnlyAccess", "aws-managed")]),
        "ec2:RunInstances": ("implicitDeny", []),
    }


def test_principal_policy_reports_positions_in_the_stored_text(iam: Any, unique: str) -> None:
    # Shaped so that the statement's braces sit where the AWS CLI's simulate-principal-policy
    # example reports them: (3, 19) and (9, 10).
    text = "\n".join([
        "{",
        '    "Version": "2012-10-17",',
        '    "Statement": {',
        '        "Effect": "Allow",',
        '        "Action": [',
        '            "codecommit:ListRepositories"',
        "        ],",
        '        "Resource": "*"',
        "        }",
        "}"])
    arn = iam.create_user(UserName=f"pos-{unique}")["User"]["Arn"]
    iam.put_user_policy(UserName=f"pos-{unique}", PolicyName="Grant-Access-To-CodeCommit",
                        PolicyDocument=text)
    result = iam.simulate_principal_policy(PolicySourceArn=arn,
                                           ActionNames=["codecommit:ListRepositories"])
    [statement] = result["EvaluationResults"][0]["MatchedStatements"]
    assert statement == {"SourcePolicyId": "Grant-Access-To-CodeCommit",
                         "SourcePolicyType": "user",
                         "StartPosition": {"Line": 3, "Column": 19},
                         "EndPosition": {"Line": 9, "Column": 10}}


def test_principal_policy_adds_policy_input_list(iam: Any, unique: str) -> None:
    arn = iam.create_user(UserName=f"pil-{unique}")["User"]["Arn"]
    result = iam.simulate_principal_policy(PolicySourceArn=arn,
                                           PolicyInputList=[doc(deny("s3:*"))],
                                           ActionNames=["s3:GetObject"])
    statement = result["EvaluationResults"][0]["MatchedStatements"][0]
    assert result["EvaluationResults"][0]["EvalDecision"] == "explicitDeny"
    assert statement["SourcePolicyId"] == "PolicyInputList.1"


def test_principal_policy_for_group_uses_group_policies(iam: Any, unique: str) -> None:
    arn = iam.create_group(GroupName=f"gsrc-{unique}")["Group"]["Arn"]
    iam.put_group_policy(GroupName=f"gsrc-{unique}", PolicyName="p",
                         PolicyDocument=doc(allow("sqs:ListQueues")))
    result = iam.simulate_principal_policy(PolicySourceArn=arn,
                                           ActionNames=["sqs:ListQueues", "sqs:DeleteQueue"])
    assert [r["EvalDecision"] for r in result["EvaluationResults"]] == [
        "allowed", "implicitDeny"]


def test_principal_policy_for_role_applies_its_boundary(iam: Any, unique: str) -> None:
    trust = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                 "Action": "sts:AssumeRole"})
    arn = iam.create_role(
        RoleName=f"rsrc-{unique}", AssumeRolePolicyDocument=trust,
        PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")["Role"]["Arn"]
    iam.put_role_policy(RoleName=f"rsrc-{unique}", PolicyName="all",
                        PolicyDocument=doc(allow(["s3:*", "sqs:*"])))
    result = iam.simulate_principal_policy(PolicySourceArn=arn,
                                           ActionNames=["s3:GetObject", "sqs:ListQueues"])
    assert [(r["EvalDecision"], r["PermissionsBoundaryDecisionDetail"],
             r["MatchedStatements"][0]["SourcePolicyType"] if r["MatchedStatements"] else None)
            for r in result["EvaluationResults"]] == [
        ("allowed", {"AllowedByPermissionsBoundary": True}, "role"),
        ("implicitDeny", {"AllowedByPermissionsBoundary": False}, None),
    ]


def test_boundary_input_replaces_the_entity_boundary(iam: Any, unique: str) -> None:
    arn = iam.create_user(UserName=f"bnd-{unique}",
                          PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
                          )["User"]["Arn"]
    iam.put_user_policy(UserName=f"bnd-{unique}", PolicyName="all",
                        PolicyDocument=doc(allow(["s3:*", "sqs:*"])))
    result = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:GetObject", "sqs:ListQueues"],
        PermissionsBoundaryPolicyInputList=[doc(allow("sqs:*"))])
    assert [r["EvalDecision"] for r in result["EvaluationResults"]] == [
        "implicitDeny", "allowed"]


def test_principal_policy_for_unknown_user_is_no_such_entity(iam: Any, sts: Any,
                                                             unique: str) -> None:
    arn = f"arn:aws:iam::{account_of(sts)}:user/ghost-{unique}"
    with pytest.raises(ClientError) as exc:
        iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject"])
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The user with name ghost-{unique} cannot be found.")


def test_principal_policy_for_unknown_role_is_no_such_entity(iam: Any, sts: Any,
                                                             unique: str) -> None:
    arn = f"arn:aws:iam::{account_of(sts)}:role/ghost-{unique}"
    with pytest.raises(ClientError) as exc:
        iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject"])
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The role with name ghost-{unique} cannot be found.")


def test_principal_policy_source_must_name_a_user_group_or_role(iam: Any, sts: Any) -> None:
    arn = f"arn:aws:sts::{account_of(sts)}:assumed-role/admin/session"
    with pytest.raises(ClientError) as exc:
        iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject"])
    assert error_of(exc) == ("InvalidInput", 400, f"Invalid Entity Arn: {arn} does not "
                             "clearly define entity type and name.")


def test_resource_policy_is_not_simulated_for_roles(iam: Any, unique: str) -> None:
    trust = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                 "Action": "sts:AssumeRole"})
    arn = iam.create_role(RoleName=f"rp-{unique}",
                          AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    with pytest.raises(ClientError) as exc:
        iam.simulate_principal_policy(
            PolicySourceArn=arn, ActionNames=["s3:GetObject"],
            ResourcePolicy=doc({"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                "Resource": "*"}))
    assert error_of(exc)[:2] == ("InvalidInput", 400)


def test_simulation_matches_what_the_server_enforces(server: RunningServer, iam: Any,
                                                     sts: Any, unique: str) -> None:
    """The simulator and the live authorization give the same answer for one principal."""
    account = account_of(sts)
    user, group = f"live-{unique}", f"liveg-{unique}"
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    users = f"arn:aws:iam::{account}:user"
    iam.put_user_policy(UserName=user, PolicyName="read", PolicyDocument=doc(
        allow("iam:GetUser", f"{users}/t-{unique}-*"),
        deny("iam:GetUser", f"{users}/t-{unique}-secret*")))
    iam.put_group_policy(GroupName=group, PolicyName="create", PolicyDocument=doc(
        allow(["iam:CreateUser", "iam:ListUsers", "iam:DeleteUser"],
              [f"{users}/dev/*", f"{users}/"])))
    client = key_client(server, iam, user)
    cases: list[tuple[str, str, Callable[[], object]]] = [
        ("iam:GetUser", f"{users}/t-{unique}-a", lambda: client.get_user(
            UserName=f"t-{unique}-a")),
        ("iam:GetUser", f"{users}/t-{unique}-secret", lambda: client.get_user(
            UserName=f"t-{unique}-secret")),
        ("iam:GetUser", f"{users}/other-{unique}", lambda: client.get_user(
            UserName=f"other-{unique}")),
        ("iam:CreateUser", f"{users}/dev/d-{unique}", lambda: client.create_user(
            UserName=f"d-{unique}", Path="/dev/")),
        ("iam:CreateUser", f"{users}/ops/o-{unique}", lambda: client.create_user(
            UserName=f"o-{unique}", Path="/ops/")),
        ("iam:ListUsers", f"{users}/", lambda: client.list_users()),
        ("iam:DeleteGroup", f"arn:aws:iam::{account}:group/{group}",
         lambda: client.delete_group(GroupName=group)),
    ]
    live: list[str] = []
    for _, _, run in cases:
        try:
            run()
            live.append("allowed")
        except ClientError as exc:
            # NoSuchEntity and the like come after a successful authorization.
            code = exc.response["Error"]["Code"]
            live.append("denied" if code == "AccessDenied" else "allowed")
    simulated = [
        iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=[action],
                                      ResourceArns=[resource])["EvaluationResults"][0]
        ["EvalDecision"] for action, resource, _ in cases]
    assert [d if d == "allowed" else "denied" for d in simulated] == live
    assert live == ["allowed", "denied", "denied", "allowed", "denied", "allowed", "denied"]


def test_simulate_principal_policy_is_authorized_on_the_source_entity(
        server: RunningServer, iam: Any, unique: str) -> None:
    arn = iam.create_user(UserName=f"noperm-{unique}")["User"]["Arn"]
    client = key_client(server, iam, f"noperm-{unique}")
    with pytest.raises(ClientError) as exc:
        client.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject"])
    code, status, message = error_of(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert f"iam:SimulatePrincipalPolicy on resource: {arn}" in message
    with pytest.raises(ClientError) as exc:
        client.simulate_custom_policy(PolicyInputList=[doc(allow("s3:*"))],
                                      ActionNames=["s3:GetObject"])
    assert "iam:SimulateCustomPolicy on resource: *" in error_of(exc)[2]


def test_a_user_allowed_to_simulate_sees_its_own_policies(server: RunningServer, iam: Any,
                                                          unique: str) -> None:
    user = f"self-{unique}"
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.put_user_policy(UserName=user, PolicyName="sim", PolicyDocument=doc(
        allow(["iam:SimulatePrincipalPolicy", "iam:GetContextKeysForPrincipalPolicy"], arn)))
    client = key_client(server, iam, user)
    result = client.simulate_principal_policy(PolicySourceArn=arn,
                                              ActionNames=["iam:SimulatePrincipalPolicy"],
                                              ResourceArns=[arn])
    assert result["EvaluationResults"][0]["EvalDecision"] == "allowed"


# --- GetContextKeysFor*Policy


def test_context_keys_for_custom_policy_lists_condition_keys_and_variables(iam: Any) -> None:
    policy = doc(
        allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*",
              Condition={"StringEquals": {"s3:prefix": "${aws:userid}/"},
                         "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
        deny("s3:*", Condition={"Bool": {"AWS:SecureTransport": "false"}}))
    second = doc(allow("sqs:*", Condition={"StringLike": {"aws:SourceIp": "x"}}))
    keys = iam.get_context_keys_for_custom_policy(
        PolicyInputList=[policy, second])["ContextKeyNames"]
    assert sorted(k.lower() for k in keys) == sorted(
        ["aws:username", "s3:prefix", "aws:userid", "aws:sourceip", "aws:securetransport"])


def test_context_keys_for_custom_policy_without_conditions_is_empty(iam: Any) -> None:
    assert iam.get_context_keys_for_custom_policy(
        PolicyInputList=[doc(allow("s3:*"))]).get("ContextKeyNames", []) == []


def test_context_keys_for_malformed_policy_is_invalid_input(iam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        iam.get_context_keys_for_custom_policy(PolicyInputList=["{"])
    assert error_of(exc) == ("InvalidInput", 400, "Syntax errors in policy.")


def test_context_keys_for_principal_policy_include_group_policies(iam: Any,
                                                                   unique: str) -> None:
    user, group = f"ck-{unique}", f"ckg-{unique}"
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="u", PolicyDocument=doc(
        allow("s3:*", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})))
    iam.put_group_policy(GroupName=group, PolicyName="g", PolicyDocument=doc(
        allow("sqs:*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})))
    keys = iam.get_context_keys_for_principal_policy(
        PolicySourceArn=arn,
        PolicyInputList=[doc(allow("sns:*", Condition={"Null": {"sns:Protocol": "false"}}))]
    )["ContextKeyNames"]
    assert sorted(keys) == ["aws:MultiFactorAuthPresent", "aws:RequestedRegion",
                            "sns:Protocol"]


def test_context_keys_for_unknown_group_is_no_such_entity(iam: Any, sts: Any,
                                                          unique: str) -> None:
    arn = f"arn:aws:iam::{account_of(sts)}:group/ghost-{unique}"
    with pytest.raises(ClientError) as exc:
        iam.get_context_keys_for_principal_policy(PolicySourceArn=arn)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The group with name ghost-{unique} cannot be found.")


# --- AWS CLI


def test_cli_simulate_custom_policy_as_documented(server: RunningServer) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_SHARED_CREDENTIALS_FILE": str(server.data_dir / "root-credentials"),
                "AWS_CONFIG_FILE": str(server.data_dir / "config"),
                "AWS_PROFILE": "sekisho-root", "AWS_ENDPOINT_URL_IAM": server.endpoint,
                "AWS_MAX_ATTEMPTS": "1"})
    cli = Path(sys.executable).parent / "aws"
    result = subprocess.run(
        [str(cli), "iam", "simulate-custom-policy", "--policy-input-list", DYNAMO_AFTER_2018,
         "--action-names", "dynamodb:CreateBackup", "--context-entries",
         "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',"
         "ContextKeyType=date", "--output", "json"],
        env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    evaluation = json.loads(result.stdout)["EvaluationResults"][0]
    assert evaluation["EvalDecision"] == "allowed"
    assert evaluation["MatchedStatements"][0]["StartPosition"] == {"Line": 1, "Column": 38}
