"""GetAccountSummary: usage counted from the store against the quotas of the IAM quotas page,
and quotas changed per server with SEKISHO_QUOTA_OVERRIDES."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sekisho.protocol import service
from tests.support.server import RunningServer, run_server

# The defaults of the IAM quotas page ("IAM and AWS STS quotas", IAM User Guide).
DEFAULT_QUOTAS = {
    "UsersQuota": 5000,
    "GroupsQuota": 300,
    "RolesQuota": 1000,
    "PoliciesQuota": 1500,
    "InstanceProfilesQuota": 1000,
    "ServerCertificatesQuota": 20,
    "GroupsPerUserQuota": 10,
    "AccessKeysPerUserQuota": 2,
    "SigningCertificatesPerUserQuota": 2,
    "AttachedPoliciesPerUserQuota": 10,
    "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 10,
    "VersionsPerPolicyQuota": 5,
    "PolicyVersionsInUseQuota": 10000,
    "UserPolicySizeQuota": 2048,
    "GroupPolicySizeQuota": 5120,
    "RolePolicySizeQuota": 10240,
    "PolicySizeQuota": 6144,
    "AssumeRolePolicySizeQuota": 2048,
}


def _model_summary_keys() -> set[str]:
    model = json.loads((Path(service.__file__).parent / "models" /
                        "iam-2010-05-08.json").read_text())
    return set(model["shapes"]["summaryKeyType"]["enum"])


def test_summary_has_every_key_of_the_model(iam: Any) -> None:
    summary = iam.get_account_summary()["SummaryMap"]
    assert set(summary) == _model_summary_keys()
    assert all(isinstance(v, int) for v in summary.values())


@pytest.mark.parametrize(("key", "value"), sorted(DEFAULT_QUOTAS.items()))
def test_summary_reports_the_default_quota(iam: Any, key: str, value: int) -> None:
    assert iam.get_account_summary()["SummaryMap"][key] == value


def test_summary_counts_users_and_groups(iam: Any, unique: str) -> None:
    before = iam.get_account_summary()["SummaryMap"]
    iam.create_user(UserName=f"sum-{unique}")
    iam.create_group(GroupName=f"sum-{unique}")
    after = iam.get_account_summary()["SummaryMap"]
    assert (after["Users"] - before["Users"], after["Groups"] - before["Groups"]) == (1, 1)


def test_summary_users_count_matches_list_users(iam: Any) -> None:
    listed = [u for page in iam.get_paginator("list_users").paginate() for u in page["Users"]]
    assert iam.get_account_summary()["SummaryMap"]["Users"] == len(listed)


def test_summary_says_root_has_access_keys(iam: Any) -> None:
    # The server's first start gives the root user an access key (the one signing this call).
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountAccessKeysPresent"] == 1
    assert summary["GlobalEndpointTokenVersion"] == 1


def test_summary_does_not_count_an_iam_users_key_as_roots(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"sumkey-{unique}")
    iam.create_access_key(UserName=f"sumkey-{unique}")
    assert iam.get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"] == 1


@pytest.fixture(scope="module")
def overridden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("quota-overrides") / "data"
    env = {"SEKISHO_QUOTA_OVERRIDES": "Users=7,Roles=2000,AccessKeysPerUser=3"}
    with run_server(data_dir, extra_env=env) as running:
        yield running


def test_quota_overrides_change_the_reported_quotas(overridden: RunningServer) -> None:
    summary = overridden.client("iam").get_account_summary()["SummaryMap"]
    assert (summary["UsersQuota"], summary["RolesQuota"],
            summary["AccessKeysPerUserQuota"]) == (7, 2000, 3)
    assert summary["GroupsQuota"] == 300


def test_overridden_users_quota_is_enforced_by_create_user(overridden: RunningServer) -> None:
    iam = overridden.client("iam")
    for i in range(7):
        iam.create_user(UserName=f"quota-{i}")
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName="quota-7")
    assert exc.value.response["Error"]["Code"] == "LimitExceeded"
    assert exc.value.response["Error"]["Message"] == (
        "Cannot exceed quota for UsersPerAccount: 7")


def test_unknown_quota_override_stops_the_server(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="unknown quota 'Userz'"), \
            run_server(tmp_path / "data", extra_env={"SEKISHO_QUOTA_OVERRIDES": "Userz=1"}):
        pass


TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
READ_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]})


def test_summary_counts_roles_policies_profiles_and_attachments(iam: Any, unique: str) -> None:
    before = iam.get_account_summary()["SummaryMap"]
    iam.create_role(RoleName=f"sum-{unique}", AssumeRolePolicyDocument=TRUST)
    arn = iam.create_policy(PolicyName=f"sum-{unique}", PolicyDocument=READ_ONLY)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=f"sum-{unique}", PolicyArn=arn)
    iam.create_instance_profile(InstanceProfileName=f"sum-{unique}")
    after = iam.get_account_summary()["SummaryMap"]
    assert {k: after[k] - before[k] for k in ("Roles", "Policies", "InstanceProfiles",
                                              "PolicyVersionsInUse")} == {
        "Roles": 1, "Policies": 1, "InstanceProfiles": 1, "PolicyVersionsInUse": 1}


def test_summary_counts_identity_providers(iam: Any, unique: str) -> None:
    before = iam.get_account_summary()["SummaryMap"]["Providers"]
    iam.create_open_id_connect_provider(Url=f"https://idp-{unique}.example.com",
                                        ThumbprintList=["a" * 40], ClientIDList=["app"])
    assert iam.get_account_summary()["SummaryMap"]["Providers"] == before + 1


def test_summary_counts_virtual_mfa_devices(iam: Any, unique: str) -> None:
    before = iam.get_account_summary()["SummaryMap"]
    iam.create_virtual_mfa_device(VirtualMFADeviceName=f"summary-{unique}")
    after = iam.get_account_summary()["SummaryMap"]
    assert after["MFADevices"] == before["MFADevices"] + 1
    assert after["MFADevicesInUse"] == before["MFADevicesInUse"]
