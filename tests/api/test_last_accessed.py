"""Last accessed data over the wire: GenerateServiceLastAccessedDetails,
GetServiceLastAccessedDetails, GetServiceLastAccessedDetailsWithEntities and
ListPoliciesGrantingServiceAccess (IAM API reference), with the uses the server
records as it authorizes requests; and the in-memory recorder behind them.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sekisho.store.database import migrate, open_engine
from sekisho.store.last_accessed import Use, UseRecorder, record_uses, uses_of
from sekisho.store.sql import Store
from tests.support.server import RunningServer, read_root_key

Statement = dict[str, Any]


def allow(*actions: str) -> Statement:
    return {"Effect": "Allow", "Action": list(actions), "Resource": "*"}


def document(*statements: Statement) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = exc.value.response
    return (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
            err["Error"]["Message"])


class User:
    """An IAM user made for one test, with an inline policy and its own clients."""

    def __init__(self, server: RunningServer, iam: Any, name: str, *statements: Statement,
                 region: str = "us-east-1") -> None:
        self.name = name
        self.arn = iam.create_user(UserName=name)["User"]["Arn"]
        if statements:
            iam.put_user_policy(UserName=name, PolicyName="inline",
                                PolicyDocument=document(*statements))
        created = iam.create_access_key(UserName=name)["AccessKey"]
        self.key = (created["AccessKeyId"], created["SecretAccessKey"])
        self.iam = server.client("iam", self.key, region)
        self.sts = server.client("sts", self.key, region)


@pytest.fixture
def account(sts: Any) -> str:
    return str(sts.get_caller_identity()["Account"])


def report(iam: Any, arn: str, granularity: str = "SERVICE_LEVEL") -> dict[str, Any]:
    job_id = iam.generate_service_last_accessed_details(Arn=arn, Granularity=granularity)["JobId"]
    return iam.get_service_last_accessed_details(JobId=job_id)  # type: ignore[no-any-return]


def services(got: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["ServiceNamespace"]: s for s in got["ServicesLastAccessed"]}


# --- GenerateServiceLastAccessedDetails and GetServiceLastAccessedDetails


def test_generate_returns_a_job_id_of_36_characters(server: RunningServer, iam: Any,
                                                     unique: str) -> None:
    user = User(server, iam, f"la-job-{unique}", allow("iam:GetUser"))
    job_id = iam.generate_service_last_accessed_details(Arn=user.arn)["JobId"]
    assert len(job_id) == 36


def test_report_is_completed_and_lists_the_allowed_services_by_namespace(
        server: RunningServer, iam: Any, unique: str) -> None:
    user = User(server, iam, f"la-list-{unique}", allow("s3:GetObject", "iam:GetUser"))
    got = report(iam, user.arn)
    assert (got["JobStatus"], got["JobType"], got["IsTruncated"]) == (
        "COMPLETED", "SERVICE_LEVEL", False)
    assert got["JobCompletionDate"] >= got["JobCreationDate"]
    assert [(s["ServiceNamespace"], s["ServiceName"]) for s in got["ServicesLastAccessed"]] == [
        ("iam", "AWS Identity and Access Management"), ("s3", "Amazon Simple Storage Service")]


def test_unused_service_has_no_last_authenticated_and_no_entities(
        server: RunningServer, iam: Any, unique: str) -> None:
    user = User(server, iam, f"la-unused-{unique}", allow("s3:GetObject"))
    s3 = services(report(iam, user.arn))["s3"]
    assert s3["TotalAuthenticatedEntities"] == 0
    assert "LastAuthenticated" not in s3 and "LastAuthenticatedEntity" not in s3


def test_used_service_reports_when_who_and_where(server: RunningServer, iam: Any,
                                                  unique: str) -> None:
    user = User(server, iam, f"la-used-{unique}", allow("iam:GetUser"), region="eu-west-1")
    before = datetime.now(UTC) - timedelta(seconds=2)
    user.iam.get_user()
    used = services(report(iam, user.arn))["iam"]
    assert before <= used["LastAuthenticated"] <= datetime.now(UTC) + timedelta(seconds=2)
    assert (used["LastAuthenticatedEntity"], used["LastAuthenticatedRegion"],
            used["TotalAuthenticatedEntities"]) == (user.arn, "eu-west-1", 1)


def test_denied_attempt_counts_as_access(server: RunningServer, iam: Any, unique: str) -> None:
    user = User(server, iam, f"la-denied-{unique}", allow("iam:GetUser"))
    with pytest.raises(ClientError):
        user.iam.list_users()
    assert "LastAuthenticated" in services(report(iam, user.arn))["iam"]


def test_service_the_policies_do_not_allow_is_not_listed_even_when_attempted(
        server: RunningServer, iam: Any, unique: str) -> None:
    user = User(server, iam, f"la-notallowed-{unique}", allow("s3:GetObject"))
    with pytest.raises(ClientError):
        user.iam.list_users()
    assert list(services(report(iam, user.arn))) == ["s3"]


def test_action_level_lists_the_management_actions_allowed(server: RunningServer, iam: Any,
                                                           unique: str) -> None:
    user = User(server, iam, f"la-action-{unique}",
                allow("iam:CreateUser", "iam:DeleteUser", "iam:GetUser"))
    user.iam.create_user(UserName=f"la-made-{unique}")
    got = report(iam, user.arn, "ACTION_LEVEL")
    tracked = {a["ActionName"]: a for a in services(got)["iam"]["TrackedActionsLastAccessed"]}
    assert got["JobType"] == "ACTION_LEVEL"
    assert sorted(tracked) == ["CreateUser", "DeleteUser"]  # GetUser is a Read action
    assert (tracked["CreateUser"]["LastAccessedEntity"],
            tracked["CreateUser"]["LastAccessedRegion"]) == (user.arn, "us-east-1")
    assert "LastAccessedTime" not in tracked["DeleteUser"]


def test_service_level_report_has_no_tracked_actions(server: RunningServer, iam: Any,
                                                     unique: str) -> None:
    user = User(server, iam, f"la-svc-{unique}", allow("iam:CreateUser"))
    assert "TrackedActionsLastAccessed" not in services(report(iam, user.arn))["iam"]


def test_role_report_counts_its_sessions(server: RunningServer, iam: Any, account: str,
                                         unique: str) -> None:
    trust = document({"Effect": "Allow", "Action": "sts:AssumeRole",
                      "Principal": {"AWS": f"arn:aws:iam::{account}:root"}})
    role = iam.create_role(RoleName=f"la-role-{unique}", AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p",
                        PolicyDocument=document(allow("iam:ListRoles")))
    user = User(server, iam, f"la-assumer-{unique}", allow("sts:AssumeRole"))
    creds = user.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="report")["Credentials"]
    role_iam = boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                            aws_access_key_id=creds["AccessKeyId"],
                            aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"],
                            config=Config(retries={"total_max_attempts": 1}))
    role_iam.list_roles()
    used = services(report(iam, role["Arn"]))["iam"]
    assert (used["LastAuthenticatedEntity"], used["TotalAuthenticatedEntities"]) == (
        role["Arn"], 1)


def test_group_report_counts_members_and_names_the_latest(server: RunningServer, iam: Any,
                                                          unique: str) -> None:
    group = iam.create_group(GroupName=f"la-group-{unique}")["Group"]
    iam.put_group_policy(GroupName=group["GroupName"], PolicyName="p",
                         PolicyDocument=document(allow("iam:GetUser")))
    first, second = (User(server, iam, f"la-member{n}-{unique}") for n in (1, 2))
    for member in (first, second):
        iam.add_user_to_group(GroupName=group["GroupName"], UserName=member.name)
    first.iam.get_user()
    second.iam.get_user()
    used = services(report(iam, group["Arn"]))["iam"]
    assert (used["TotalAuthenticatedEntities"], used["LastAuthenticatedEntity"]) == (
        2, second.arn)


def test_with_entities_lists_group_members_most_recent_first(server: RunningServer, iam: Any,
                                                             unique: str) -> None:
    group = iam.create_group(GroupName=f"la-wgroup-{unique}")["Group"]
    iam.put_group_policy(GroupName=group["GroupName"], PolicyName="p",
                         PolicyDocument=document(allow("iam:GetUser")))
    early, late, idle = (User(server, iam, f"la-w{n}-{unique}") for n in (1, 2, 3))
    for member in (early, late, idle):
        iam.add_user_to_group(GroupName=group["GroupName"], UserName=member.name)
    early.iam.get_user()
    late.iam.get_user()
    job_id = iam.generate_service_last_accessed_details(Arn=group["Arn"])["JobId"]
    got = iam.get_service_last_accessed_details_with_entities(JobId=job_id,
                                                              ServiceNamespace="iam")
    assert got["JobStatus"] == "COMPLETED" and got["IsTruncated"] is False
    listed = got["EntityDetailsList"]
    assert [e["EntityInfo"]["Name"] for e in listed] == [late.name, early.name, idle.name]
    assert listed[0]["EntityInfo"]["Type"] == "USER" and listed[0]["EntityInfo"]["Path"] == "/"
    assert listed[0]["LastAuthenticated"] >= listed[1]["LastAuthenticated"]
    assert "LastAuthenticated" not in listed[2]


def test_policy_report_covers_users_and_roles_it_is_attached_to(
        server: RunningServer, iam: Any, account: str, unique: str) -> None:
    arn = iam.create_policy(PolicyName=f"la-pol-{unique}",
                            PolicyDocument=document(allow("iam:GetUser")))["Policy"]["Arn"]
    user = User(server, iam, f"la-poluser-{unique}")
    iam.attach_user_policy(UserName=user.name, PolicyArn=arn)
    trust = document({"Effect": "Allow", "Action": "sts:AssumeRole",
                      "Principal": {"Service": "ec2.amazonaws.com"}})
    role = iam.create_role(RoleName=f"la-polrole-{unique}", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName=role["Role"]["RoleName"], PolicyArn=arn)
    user.iam.get_user()
    job_id = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    assert services(iam.get_service_last_accessed_details(JobId=job_id))["iam"][
        "LastAuthenticatedEntity"] == user.arn
    listed = iam.get_service_last_accessed_details_with_entities(
        JobId=job_id, ServiceNamespace="iam")["EntityDetailsList"]
    assert [(e["EntityInfo"]["Type"], "LastAuthenticated" in e) for e in listed] == [
        ("USER", True), ("ROLE", False)]


def test_services_page_through_in_namespace_order(server: RunningServer, iam: Any,
                                                  unique: str) -> None:
    user = User(server, iam, f"la-all-{unique}", allow("*"))
    job_id = iam.generate_service_last_accessed_details(Arn=user.arn)["JobId"]
    seen: list[str] = []
    marker: dict[str, str] = {}
    while True:
        page = iam.get_service_last_accessed_details(JobId=job_id, MaxItems=100, **marker)
        seen += [s["ServiceNamespace"] for s in page["ServicesLastAccessed"]]
        if not page["IsTruncated"]:
            break
        assert len(page["ServicesLastAccessed"]) == 100
        marker = {"Marker": page["Marker"]}
    assert len(seen) > 300 and seen == sorted(set(seen))
    assert {"iam", "sts", "s3", "ec2"} <= set(seen)


def test_paginator_reads_every_service(server: RunningServer, iam: Any, unique: str) -> None:
    user = User(server, iam, f"la-pag-{unique}", allow("ec2:Describe*", "lambda:*", "iam:Get*"))
    job_id = iam.generate_service_last_accessed_details(Arn=user.arn)["JobId"]
    first = iam.get_service_last_accessed_details(JobId=job_id, MaxItems=1)
    second = iam.get_service_last_accessed_details(JobId=job_id, MaxItems=2,
                                                   Marker=first["Marker"])
    assert [s["ServiceNamespace"] for s in first["ServicesLastAccessed"]] == ["ec2"]
    assert [s["ServiceNamespace"] for s in second["ServicesLastAccessed"]] == ["iam", "lambda"]
    assert second["IsTruncated"] is False


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_generate_for_a_missing_entity_is_no_such_entity(iam: Any, account: str, unique: str,
                                                         kind: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.generate_service_last_accessed_details(
            Arn=f"arn:aws:iam::{account}:{kind}/la-none-{unique}")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The {kind} with name la-none-{unique} cannot be found.")


def test_generate_for_a_missing_policy_is_no_such_entity(iam: Any, account: str,
                                                          unique: str) -> None:
    arn = f"arn:aws:iam::{account}:policy/la-none-{unique}"
    with pytest.raises(ClientError) as exc:
        iam.generate_service_last_accessed_details(Arn=arn)
    assert error_of(exc)[:2] == ("NoSuchEntity", 404)
    assert arn in error_of(exc)[2]


def test_generate_for_an_aws_managed_policy_lists_its_services(iam: Any) -> None:
    got = report(iam, "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    assert list(services(got)) == ["iam"]


def test_generate_for_an_arn_of_no_entity_is_invalid_input(iam: Any, account: str) -> None:
    arn = f"arn:aws:iam::{account}:instance-profile/x"
    with pytest.raises(ClientError) as exc:
        iam.generate_service_last_accessed_details(Arn=arn)
    assert error_of(exc) == ("InvalidInput", 400, f"Invalid Entity Arn: {arn} does not clearly "
                             "define entity type and name.")


@pytest.mark.parametrize(("operation", "extra"), [
    ("get_service_last_accessed_details", {}),
    ("get_service_last_accessed_details_with_entities", {"ServiceNamespace": "iam"}),
])
def test_unknown_job_id_is_no_such_entity(iam: Any, operation: str,
                                          extra: dict[str, str]) -> None:
    job_id = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(ClientError) as exc:
        getattr(iam, operation)(JobId=job_id, **extra)
    assert error_of(exc) == ("NoSuchEntity", 404, f"The job with ID {job_id} cannot be found.")


def other_account_iam(server: RunningServer) -> Any:
    """The root IAM client of a new account on the shared server."""
    profile = f"la-other-{secrets.token_hex(4)}"
    args = [sys.executable, "-m", "sekisho", "account", "create",
            "--data-dir", str(server.data_dir), "--profile", profile]
    if server.database_url:
        args += ["--database-url", server.database_url]
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    return server.client("iam", read_root_key(server.data_dir, profile))


def test_another_accounts_job_is_no_such_entity(server: RunningServer, iam: Any,
                                                unique: str) -> None:
    user = User(server, iam, f"la-mine-{unique}", allow("iam:GetUser"))
    job_id = iam.generate_service_last_accessed_details(Arn=user.arn)["JobId"]
    with pytest.raises(ClientError) as exc:
        other_account_iam(server).get_service_last_accessed_details(JobId=job_id)
    assert error_of(exc)[:2] == ("NoSuchEntity", 404)


def test_another_accounts_user_is_denied(server: RunningServer, iam: Any, unique: str) -> None:
    user = User(server, iam, f"la-theirs-{unique}", allow("iam:GetUser"))
    with pytest.raises(ClientError) as exc:
        other_account_iam(server).generate_service_last_accessed_details(Arn=user.arn)
    assert error_of(exc)[:2] == ("AccessDenied", 403)


def test_with_entities_for_a_service_not_in_the_report_is_empty(
        server: RunningServer, iam: Any, unique: str) -> None:
    user = User(server, iam, f"la-notin-{unique}", allow("iam:GetUser"))
    job_id = iam.generate_service_last_accessed_details(Arn=user.arn)["JobId"]
    got = iam.get_service_last_accessed_details_with_entities(JobId=job_id,
                                                              ServiceNamespace="s3")
    assert got["EntityDetailsList"] == [] and got["IsTruncated"] is False


def test_job_id_of_another_length_is_a_validation_error(iam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        iam.get_service_last_accessed_details(JobId="short")
    assert error_of(exc)[:2] == ("ValidationError", 400)


def test_user_without_permission_is_denied_before_not_found(server: RunningServer, iam: Any,
                                                           account: str, unique: str) -> None:
    user = User(server, iam, f"la-nobody-{unique}", allow("iam:GetUser"))
    with pytest.raises(ClientError) as exc:
        user.iam.generate_service_last_accessed_details(
            Arn=f"arn:aws:iam::{account}:user/la-missing-{unique}")
    assert error_of(exc)[:2] == ("AccessDenied", 403)


def test_user_allowed_on_its_own_arn_may_report_on_itself(server: RunningServer, iam: Any,
                                                         account: str, unique: str) -> None:
    name = f"la-self-{unique}"
    own = {"Effect": "Allow", "Action": "iam:GenerateServiceLastAccessedDetails",
           "Resource": f"arn:aws:iam::{account}:user/{name}"}
    user = User(server, iam, name, own, allow("iam:GetServiceLastAccessedDetails"))
    got = report(user.iam, user.arn)
    assert services(got)["iam"]["LastAuthenticatedEntity"] == user.arn
    with pytest.raises(ClientError) as exc:
        user.iam.generate_service_last_accessed_details(
            Arn=f"arn:aws:iam::{account}:user/someone-else-{unique}")
    assert error_of(exc)[:2] == ("AccessDenied", 403)


# --- ListPoliciesGrantingServiceAccess


def test_lists_inline_managed_and_group_policies_per_service(server: RunningServer, iam: Any,
                                                             unique: str) -> None:
    user = User(server, iam, f"la-grant-{unique}", allow("iam:*"))
    iam.attach_user_policy(UserName=user.name,
                           PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    group = f"la-grantgroup-{unique}"
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="ec2-read",
                         PolicyDocument=document(allow("ec2:Describe*")))
    iam.add_user_to_group(GroupName=group, UserName=user.name)
    got = iam.list_policies_granting_service_access(
        Arn=user.arn, ServiceNamespaces=["iam", "s3", "ec2", "lambda"])
    by_service = {e["ServiceNamespace"]: e["Policies"]
                  for e in got["PoliciesGrantingServiceAccess"]}
    assert got["IsTruncated"] is False
    assert by_service == {
        "iam": [{"PolicyName": "inline", "PolicyType": "INLINE", "EntityType": "USER",
                 "EntityName": user.name}],
        "s3": [{"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyType": "MANAGED",
                "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}],
        "ec2": [{"PolicyName": "ec2-read", "PolicyType": "INLINE", "EntityType": "GROUP",
                 "EntityName": group}],
        "lambda": [],
    }


def test_group_listing_leaves_out_its_members_policies(server: RunningServer, iam: Any,
                                                       unique: str) -> None:
    group = iam.create_group(GroupName=f"la-onlygroup-{unique}")["Group"]
    user = User(server, iam, f"la-onlymember-{unique}", allow("iam:*"))
    iam.add_user_to_group(GroupName=group["GroupName"], UserName=user.name)
    got = iam.list_policies_granting_service_access(Arn=group["Arn"], ServiceNamespaces=["iam"])
    assert got["PoliciesGrantingServiceAccess"] == [{"ServiceNamespace": "iam", "Policies": []}]


@pytest.mark.parametrize(("statement", "namespace", "granted"), [
    ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "iam", False),
    ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "s3", True),
    ({"Effect": "Allow", "NotAction": "iam:Get*", "Resource": "*"}, "iam", True),
    ({"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}, "ec2", True),
    ({"Effect": "Allow", "Action": "ec2:NoSuchAction*", "Resource": "*"}, "ec2", False),
    ({"Effect": "Allow", "Action": "sts:Get*", "Resource": "*"}, "sts", True),
    ({"Effect": "Allow", "Action": "sts:Get*", "Resource": "*"}, "s3", False),
    ({"Effect": "Allow", "Action": "*", "Resource": "*"}, "lambda", True),
    ({"Effect": "Deny", "Action": "*", "Resource": "*"}, "iam", False),
])
def test_a_statement_grants_a_service_when_it_allows_some_action_of_it(
        server: RunningServer, iam: Any, unique: str, statement: Statement, namespace: str,
        granted: bool) -> None:
    user = User(server, iam, f"la-stmt-{unique}", statement)
    got = iam.list_policies_granting_service_access(Arn=user.arn, ServiceNamespaces=[namespace])
    assert bool(got["PoliciesGrantingServiceAccess"][0]["Policies"]) is granted


def test_listing_for_a_policy_arn_is_invalid_input(iam: Any) -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    with pytest.raises(ClientError) as exc:
        iam.list_policies_granting_service_access(Arn=arn, ServiceNamespaces=["iam"])
    assert error_of(exc)[:2] == ("InvalidInput", 400)


def test_listing_for_a_missing_role_is_no_such_entity(iam: Any, account: str,
                                                       unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.list_policies_granting_service_access(
            Arn=f"arn:aws:iam::{account}:role/la-none-{unique}", ServiceNamespaces=["iam"])
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The role with name la-none-{unique} cannot be found.")


def test_cli_generates_and_reads_a_report(server: RunningServer, iam: Any, unique: str) -> None:
    user = User(server, iam, f"la-cli-{unique}", allow("iam:GetUser"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_SHARED_CREDENTIALS_FILE": str(server.data_dir / "root-credentials"),
                "AWS_CONFIG_FILE": str(server.data_dir / "config"),
                "AWS_PROFILE": "sekisho-root", "AWS_ENDPOINT_URL_IAM": server.endpoint,
                "AWS_MAX_ATTEMPTS": "1"})
    cli = [str(Path(sys.executable).parent / "aws"), "iam"]

    def run(*args: str) -> dict[str, Any]:
        done = subprocess.run([*cli, *args, "--output", "json"], env=env, capture_output=True,
                              text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    job_id = run("generate-service-last-accessed-details", "--arn", user.arn)["JobId"]
    got = run("get-service-last-accessed-details", "--job-id", job_id)
    assert [s["ServiceNamespace"] for s in got["ServicesLastAccessed"]] == ["iam"]


# --- the recorder: uses are buffered in memory and written at most once per interval


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = open_engine(f"sqlite:///{tmp_path / 'la.db'}")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
KEY = ("AIDAEXAMPLE000000001", "iam", "GetUser")


def use(minutes: int = 0, region: str = "us-east-1") -> Use:
    return Use("123456789012", "arn:aws:iam::123456789012:user/u", region,
               AT + timedelta(minutes=minutes))


def stored_uses(store: Store) -> list[tuple[str, datetime]]:
    with store.read() as tx:
        return [(u.region, u.last_at) for u in uses_of(tx, [KEY[0]])]


def test_recorder_writes_nothing_when_noting(store: Store) -> None:
    recorder = UseRecorder(store, 60, monotonic=Clock(), background=False)
    recorder.note(KEY, use())
    assert stored_uses(store) == [] and recorder.pending() == 1


def test_recorder_writes_a_new_key_at_the_next_flush(store: Store) -> None:
    recorder = UseRecorder(store, 60, monotonic=Clock(), background=False)
    recorder.note(KEY, use())
    assert recorder.flush() == 1
    assert stored_uses(store) == [("us-east-1", AT)]


def test_recorder_holds_a_key_written_within_the_interval(store: Store) -> None:
    clock = Clock()
    recorder = UseRecorder(store, 60, monotonic=clock, background=False)
    recorder.note(KEY, use())
    recorder.flush()
    clock.now += 30
    recorder.note(KEY, use(minutes=1, region="eu-west-1"))
    assert recorder.flush() == 0
    assert stored_uses(store) == [("us-east-1", AT)]


def test_recorder_writes_the_latest_use_once_the_interval_has_passed(store: Store) -> None:
    clock = Clock()
    recorder = UseRecorder(store, 60, monotonic=clock, background=False)
    recorder.note(KEY, use())
    recorder.flush()
    clock.now += 30
    recorder.note(KEY, use(minutes=1, region="eu-west-1"))
    recorder.note(KEY, use(minutes=2, region="ap-south-1"))
    clock.now += 30
    assert recorder.flush() == 1
    assert stored_uses(store) == [("ap-south-1", AT + timedelta(minutes=2))]


def test_recorder_flushes_everything_when_asked(store: Store) -> None:
    clock = Clock()
    recorder = UseRecorder(store, 60, monotonic=clock, background=False)
    recorder.note(KEY, use())
    recorder.flush()
    recorder.note(KEY, use(minutes=1))
    assert recorder.flush(everything=True) == 1
    assert stored_uses(store) == [("us-east-1", AT + timedelta(minutes=1))]


def test_an_older_use_never_replaces_a_newer_stored_one(store: Store) -> None:
    with store.write() as tx:
        record_uses(tx, [(KEY, use(minutes=5, region="eu-west-1"))])
    with store.write() as tx:
        record_uses(tx, [(KEY, use(minutes=1))])
    assert stored_uses(store) == [("eu-west-1", AT + timedelta(minutes=5))]


class BrokenStore(Store):
    def write(self) -> Any:
        raise RuntimeError("database down")


def test_a_failed_write_never_raises_and_keeps_the_use(store: Store) -> None:
    broken = BrokenStore(store.engine)
    recorder = UseRecorder(broken, 60, monotonic=Clock(), background=False)
    recorder.note(KEY, use())
    assert recorder.flush(everything=True) == 0
    assert recorder.pending() == 1


def test_the_background_writer_writes_a_new_key(store: Store) -> None:
    recorder = UseRecorder(store, 60)
    recorder.note(KEY, use())
    for _ in range(200):  # woken at once; wait for the write, not for a duration
        if stored_uses(store):
            break
        time.sleep(0.05)
    assert stored_uses(store) == [("us-east-1", AT)]
