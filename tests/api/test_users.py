"""IAM users, as the IAM API reference describes CreateUser, GetUser, ListUsers,
UpdateUser, DeleteUser and the user tagging operations."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = exc.value.response
    return (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
            err["Error"]["Message"])


def test_create_user_returns_user_with_aws_formats(iam: Any, sts: Any, unique: str) -> None:
    user = iam.create_user(UserName=f"alice-{unique}", Path="/eng/")["User"]
    account = sts.get_caller_identity()["Account"]
    assert user["UserName"] == f"alice-{unique}"
    assert user["Path"] == "/eng/"
    assert user["Arn"] == f"arn:aws:iam::{account}:user/eng/alice-{unique}"
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert user["CreateDate"].tzinfo is not None


def test_create_user_twice_is_entity_already_exists(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"bob-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName=f"bob-{unique}")
    assert error_of(exc) == ("EntityAlreadyExists", 409,
                             f"User with name bob-{unique} already exists.")


def test_user_names_are_unique_ignoring_case(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"Carol-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName=f"carol-{unique}")
    assert error_of(exc)[0] == "EntityAlreadyExists"


def test_get_user_finds_user_ignoring_case(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"Dave-{unique}")
    assert iam.get_user(UserName=f"dave-{unique}")["User"]["UserName"] == f"Dave-{unique}"


def test_get_missing_user_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.get_user(UserName=f"nobody-{unique}")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The user with name nobody-{unique} cannot be found.")


def test_get_user_without_name_describes_the_root_caller(iam: Any, sts: Any) -> None:
    identity = sts.get_caller_identity()
    user = iam.get_user()["User"]
    assert user["Arn"] == identity["Arn"] == f"arn:aws:iam::{identity['Account']}:root"
    assert user["UserId"] == identity["Account"]


def test_create_user_with_tags_returns_them_and_get_user_shows_them(iam: Any,
                                                                   unique: str) -> None:
    tags = [{"Key": "team", "Value": "red"}, {"Key": "cost", "Value": ""}]
    created = iam.create_user(UserName=f"tagged-{unique}", Tags=tags)["User"]
    assert sorted(t["Key"] for t in created["Tags"]) == ["cost", "team"]
    got = iam.get_user(UserName=f"tagged-{unique}")["User"]
    assert {t["Key"]: t["Value"] for t in got["Tags"]} == {"team": "red", "cost": ""}


def test_list_users_filters_by_path_prefix(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"p1-{unique}", Path=f"/{unique}/a/")
    iam.create_user(UserName=f"p2-{unique}", Path=f"/{unique}/b/")
    names = [u["UserName"] for u in iam.list_users(PathPrefix=f"/{unique}/a/")["Users"]]
    assert names == [f"p1-{unique}"]


def test_list_users_paginates_with_marker(iam: Any, unique: str) -> None:
    for i in range(5):
        iam.create_user(UserName=f"page{i}-{unique}", Path=f"/pg{unique}/")
    first = iam.list_users(PathPrefix=f"/pg{unique}/", MaxItems=2)
    assert first["IsTruncated"] is True and len(first["Users"]) == 2
    seen = [u["UserName"] for u in first["Users"]]
    marker = first["Marker"]
    while marker:
        page = iam.list_users(PathPrefix=f"/pg{unique}/", MaxItems=2, Marker=marker)
        seen += [u["UserName"] for u in page["Users"]]
        marker = page.get("Marker")
    assert seen == [f"page{i}-{unique}" for i in range(5)]


def test_list_users_paginator_walks_every_page(iam: Any, unique: str) -> None:
    for i in range(3):
        iam.create_user(UserName=f"pgr{i}-{unique}", Path=f"/pgr{unique}/")
    pages = iam.get_paginator("list_users").paginate(PathPrefix=f"/pgr{unique}/",
                                                     PaginationConfig={"PageSize": 1})
    assert [u["UserName"] for p in pages for u in p["Users"]] == [
        f"pgr{i}-{unique}" for i in range(3)]


def test_update_user_renames_and_moves(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"old-{unique}")
    iam.update_user(UserName=f"old-{unique}", NewUserName=f"new-{unique}", NewPath="/moved/")
    user = iam.get_user(UserName=f"new-{unique}")["User"]
    assert user["Path"] == "/moved/"
    with pytest.raises(ClientError) as exc:
        iam.get_user(UserName=f"old-{unique}")
    assert error_of(exc)[0] == "NoSuchEntity"


def test_update_user_to_taken_name_is_entity_already_exists(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"u1-{unique}")
    iam.create_user(UserName=f"u2-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.update_user(UserName=f"u1-{unique}", NewUserName=f"u2-{unique}")
    assert error_of(exc)[0] == "EntityAlreadyExists"


def test_delete_user_removes_it(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"gone-{unique}")
    iam.delete_user(UserName=f"gone-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.get_user(UserName=f"gone-{unique}")
    assert error_of(exc)[0] == "NoSuchEntity"


def test_delete_user_with_access_key_is_delete_conflict(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"keyed-{unique}")
    iam.create_access_key(UserName=f"keyed-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=f"keyed-{unique}")
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete entity, must delete access keys first.")


def test_delete_user_in_a_group_is_delete_conflict(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"member-{unique}")
    iam.create_group(GroupName=f"grp-{unique}")
    iam.add_user_to_group(GroupName=f"grp-{unique}", UserName=f"member-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=f"member-{unique}")
    assert error_of(exc)[0] == "DeleteConflict"


def test_tag_untag_and_list_user_tags(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"t-{unique}")
    iam.tag_user(UserName=f"t-{unique}", Tags=[{"Key": "a", "Value": "1"},
                                               {"Key": "b", "Value": "2"}])
    iam.untag_user(UserName=f"t-{unique}", TagKeys=["a"])
    assert iam.list_user_tags(UserName=f"t-{unique}")["Tags"] == [{"Key": "b", "Value": "2"}]


def test_tag_keys_are_case_insensitive_and_replace(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"tc-{unique}", Tags=[{"Key": "Team", "Value": "red"}])
    iam.tag_user(UserName=f"tc-{unique}", Tags=[{"Key": "team", "Value": "blue"}])
    assert iam.list_user_tags(UserName=f"tc-{unique}")["Tags"] == [
        {"Key": "team", "Value": "blue"}]


def test_longest_tag_key_whose_lower_case_is_longer_is_stored(iam: Any, unique: str) -> None:
    key = "\u0130" * 128  # a valid key; "İ".lower() is two characters
    iam.create_user(UserName=f"dotted-{unique}")
    iam.tag_user(UserName=f"dotted-{unique}", Tags=[{"Key": key, "Value": "v"}])
    assert iam.list_user_tags(UserName=f"dotted-{unique}")["Tags"] == [{"Key": key, "Value": "v"}]


def test_more_than_50_tags_is_limit_exceeded(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"many-{unique}",
                    Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(40)])
    with pytest.raises(ClientError) as exc:
        iam.tag_user(UserName=f"many-{unique}",
                     Tags=[{"Key": f"x{i}", "Value": "v"} for i in range(11)])
    assert error_of(exc)[0] == "LimitExceeded"


def test_tag_key_with_aws_prefix_is_invalid_input(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName=f"awstag-{unique}", Tags=[{"Key": "aws:x", "Value": "1"}])
    assert error_of(exc)[0] == "InvalidInput"


@pytest.mark.parametrize("name", ["has space", "slash/name", "", "x" * 65, "naïve"])
def test_invalid_user_names_are_validation_errors(iam: Any, name: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName=name)
    code, status, message = error_of(exc)
    assert (code, status) == ("ValidationError", 400)
    assert "at 'userName' failed to satisfy constraint" in message


@pytest.mark.parametrize("path", ["noslash", "/no-trailing", "//", "/a b/"])
def test_invalid_paths_are_validation_errors(iam: Any, path: str, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName=f"badpath-{unique}", Path=path)
    assert error_of(exc)[:2] == ("ValidationError", 400)
