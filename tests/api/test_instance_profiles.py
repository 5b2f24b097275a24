"""Instance profiles, as the IAM API reference describes Create/Get/List/DeleteInstanceProfile,
Add/RemoveRoleToInstanceProfile, ListInstanceProfilesForRole and the tagging operations."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_roles import TRUST, error_of, make_role


def make_profile(iam: Any, name: str, **extra: Any) -> dict[str, Any]:
    profile: dict[str, Any] = iam.create_instance_profile(InstanceProfileName=name,
                                                          **extra)["InstanceProfile"]
    return profile


def test_create_instance_profile_returns_it_with_aws_formats(iam: Any, sts: Any,
                                                             unique: str) -> None:
    profile = make_profile(iam, f"web-{unique}", Path="/app/")
    account = sts.get_caller_identity()["Account"]
    assert profile["InstanceProfileName"] == f"web-{unique}"
    assert profile["Arn"] == f"arn:aws:iam::{account}:instance-profile/app/web-{unique}"
    assert profile["InstanceProfileId"].startswith("AIPA")
    assert len(profile["InstanceProfileId"]) == 21
    assert profile["Roles"] == []


def test_create_instance_profile_twice_is_entity_already_exists(iam: Any, unique: str) -> None:
    make_profile(iam, f"dup-{unique}")
    with pytest.raises(ClientError) as exc:
        make_profile(iam, f"DUP-{unique}")
    assert error_of(exc) == ("EntityAlreadyExists", 409,
                             f"Instance Profile DUP-{unique} already exists.")


def test_get_missing_instance_profile_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.get_instance_profile(InstanceProfileName=f"none-{unique}")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"Instance Profile none-{unique} cannot be found.")


def test_get_instance_profile_shows_its_role_and_tags(iam: Any, unique: str) -> None:
    make_role(iam, f"r-{unique}")
    make_profile(iam, f"p-{unique}", Tags=[{"Key": "team", "Value": "ops"}])
    iam.add_role_to_instance_profile(InstanceProfileName=f"p-{unique}", RoleName=f"r-{unique}")
    profile = iam.get_instance_profile(InstanceProfileName=f"p-{unique}")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == [f"r-{unique}"]
    assert profile["Roles"][0]["AssumeRolePolicyDocument"] == TRUST
    assert profile["Tags"] == [{"Key": "team", "Value": "ops"}]


def test_a_second_role_in_an_instance_profile_is_limit_exceeded(iam: Any, unique: str) -> None:
    make_role(iam, f"one-{unique}")
    make_role(iam, f"two-{unique}")
    make_profile(iam, f"full-{unique}")
    iam.add_role_to_instance_profile(InstanceProfileName=f"full-{unique}",
                                     RoleName=f"one-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.add_role_to_instance_profile(InstanceProfileName=f"full-{unique}",
                                         RoleName=f"two-{unique}")
    assert error_of(exc) == ("LimitExceeded", 409,
                             "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")


def test_add_missing_role_to_instance_profile_is_no_such_entity(iam: Any, unique: str) -> None:
    make_profile(iam, f"lonely-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.add_role_to_instance_profile(InstanceProfileName=f"lonely-{unique}",
                                         RoleName=f"nobody-{unique}")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The role with name nobody-{unique} cannot be found.")


def test_remove_role_from_instance_profile_frees_it(iam: Any, unique: str) -> None:
    make_role(iam, f"a-{unique}")
    make_role(iam, f"b-{unique}")
    make_profile(iam, f"swap-{unique}")
    iam.add_role_to_instance_profile(InstanceProfileName=f"swap-{unique}", RoleName=f"a-{unique}")
    iam.remove_role_from_instance_profile(InstanceProfileName=f"swap-{unique}",
                                          RoleName=f"a-{unique}")
    iam.add_role_to_instance_profile(InstanceProfileName=f"swap-{unique}", RoleName=f"b-{unique}")
    profile = iam.get_instance_profile(InstanceProfileName=f"swap-{unique}")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == [f"b-{unique}"]


def test_remove_a_role_the_profile_does_not_hold_is_no_such_entity(iam: Any,
                                                                   unique: str) -> None:
    make_role(iam, f"out-{unique}")
    make_profile(iam, f"empty-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.remove_role_from_instance_profile(InstanceProfileName=f"empty-{unique}",
                                              RoleName=f"out-{unique}")
    assert error_of(exc)[:2] == ("NoSuchEntity", 404)


def test_list_instance_profiles_for_role(iam: Any, unique: str) -> None:
    make_role(iam, f"multi-{unique}")
    for name in (f"p2-{unique}", f"p1-{unique}"):
        make_profile(iam, name)
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=f"multi-{unique}")
    make_profile(iam, f"p3-{unique}")
    listed = iam.list_instance_profiles_for_role(RoleName=f"multi-{unique}")
    assert [p["InstanceProfileName"] for p in listed["InstanceProfiles"]] == [
        f"p1-{unique}", f"p2-{unique}"]
    assert listed["IsTruncated"] is False


def test_list_instance_profiles_for_missing_role_is_no_such_entity(iam: Any,
                                                                   unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.list_instance_profiles_for_role(RoleName=f"ghost-{unique}")
    assert error_of(exc)[:2] == ("NoSuchEntity", 404)


def test_list_instance_profiles_filters_by_path_and_paginates(iam: Any, unique: str) -> None:
    for i in range(3):
        make_profile(iam, f"lp{i}-{unique}", Path=f"/{unique}/", Tags=[{"Key": "k",
                                                                        "Value": "v"}])
    make_profile(iam, f"other-{unique}", Path=f"/x{unique}/")
    first = iam.list_instance_profiles(PathPrefix=f"/{unique}/", MaxItems=2)
    rest = iam.list_instance_profiles(PathPrefix=f"/{unique}/", Marker=first["Marker"])
    names = [p["InstanceProfileName"] for p in first["InstanceProfiles"] + rest["InstanceProfiles"]]
    assert names == [f"lp{i}-{unique}" for i in range(3)]
    # "ListInstanceProfiles ... does not return ... Tags" (IAM API reference).
    assert all("Tags" not in p for p in first["InstanceProfiles"])


def test_delete_instance_profile_with_a_role_is_delete_conflict(iam: Any, unique: str) -> None:
    make_role(iam, f"held-{unique}")
    make_profile(iam, f"holder-{unique}")
    iam.add_role_to_instance_profile(InstanceProfileName=f"holder-{unique}",
                                     RoleName=f"held-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.delete_instance_profile(InstanceProfileName=f"holder-{unique}")
    assert error_of(exc) == ("DeleteConflict", 409, "Cannot delete entity, must remove roles "
                             "from instance profile first.")


def test_delete_instance_profile_removes_it(iam: Any, unique: str) -> None:
    make_profile(iam, f"bye-{unique}")
    iam.delete_instance_profile(InstanceProfileName=f"bye-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.get_instance_profile(InstanceProfileName=f"bye-{unique}")
    assert error_of(exc)[0] == "NoSuchEntity"


def test_role_can_be_deleted_once_removed_from_its_profile(iam: Any, unique: str) -> None:
    make_role(iam, f"free-{unique}")
    make_profile(iam, f"fp-{unique}")
    iam.add_role_to_instance_profile(InstanceProfileName=f"fp-{unique}", RoleName=f"free-{unique}")
    iam.remove_role_from_instance_profile(InstanceProfileName=f"fp-{unique}",
                                          RoleName=f"free-{unique}")
    iam.delete_role(RoleName=f"free-{unique}")
    profile = iam.get_instance_profile(InstanceProfileName=f"fp-{unique}")["InstanceProfile"]
    assert profile["Roles"] == []


def test_tag_untag_and_list_instance_profile_tags(iam: Any, unique: str) -> None:
    make_profile(iam, f"tg-{unique}")
    iam.tag_instance_profile(InstanceProfileName=f"tg-{unique}",
                             Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_instance_profile(InstanceProfileName=f"tg-{unique}", TagKeys=["a"])
    tags = iam.list_instance_profile_tags(InstanceProfileName=f"tg-{unique}")["Tags"]
    assert tags == [{"Key": "b", "Value": "2"}]


def test_tag_missing_instance_profile_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.tag_instance_profile(InstanceProfileName=f"nt-{unique}",
                                 Tags=[{"Key": "a", "Value": "1"}])
    assert error_of(exc) == ("NoSuchEntity", 404, f"Instance Profile nt-{unique} cannot be found.")


def test_cli_creates_a_profile_and_adds_a_role(server: Any, iam: Any, unique: str) -> None:
    from tests.api.test_aws_cli import aws

    make_role(iam, f"clir-{unique}")
    assert aws(server, "iam", "create-instance-profile", "--instance-profile-name",
               f"clip-{unique}").returncode == 0
    added = aws(server, "iam", "add-role-to-instance-profile", "--instance-profile-name",
                f"clip-{unique}", "--role-name", f"clir-{unique}")
    assert added.returncode == 0, added.stderr
    got = aws(server, "iam", "get-instance-profile", "--instance-profile-name", f"clip-{unique}")
    roles = json.loads(got.stdout)["InstanceProfile"]["Roles"]
    assert [r["RoleName"] for r in roles] == [f"clir-{unique}"]
