"""IAM groups and membership, per the IAM API reference."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_users import error_of


def test_create_and_get_group_with_members(iam: Any, unique: str) -> None:
    group = iam.create_group(GroupName=f"devs-{unique}", Path="/eng/")["Group"]
    assert group["GroupId"].startswith("AGPA")
    assert group["Arn"].endswith(f":group/eng/devs-{unique}")
    iam.create_user(UserName=f"m1-{unique}")
    iam.add_user_to_group(GroupName=f"devs-{unique}", UserName=f"m1-{unique}")
    got = iam.get_group(GroupName=f"devs-{unique}")
    assert [u["UserName"] for u in got["Users"]] == [f"m1-{unique}"]


def test_get_group_paginates_members(iam: Any, unique: str) -> None:
    iam.create_group(GroupName=f"big-{unique}")
    for i in range(3):
        iam.create_user(UserName=f"gm{i}-{unique}")
        iam.add_user_to_group(GroupName=f"big-{unique}", UserName=f"gm{i}-{unique}")
    pages = iam.get_paginator("get_group").paginate(GroupName=f"big-{unique}",
                                                    PaginationConfig={"PageSize": 2})
    assert [u["UserName"] for p in pages for u in p["Users"]] == [
        f"gm{i}-{unique}" for i in range(3)]


def test_create_duplicate_group_is_entity_already_exists(iam: Any, unique: str) -> None:
    iam.create_group(GroupName=f"dup-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.create_group(GroupName=f"DUP-{unique}")
    assert error_of(exc) == ("EntityAlreadyExists", 409,
                             f"Group with name DUP-{unique} already exists.")


def test_list_groups_for_user(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"lg-{unique}")
    for g in ("a", "b"):
        iam.create_group(GroupName=f"{g}-{unique}")
        iam.add_user_to_group(GroupName=f"{g}-{unique}", UserName=f"lg-{unique}")
    names = [g["GroupName"] for g in iam.list_groups_for_user(UserName=f"lg-{unique}")["Groups"]]
    assert names == [f"a-{unique}", f"b-{unique}"]


def test_remove_user_from_group(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"rm-{unique}")
    iam.create_group(GroupName=f"rmg-{unique}")
    iam.add_user_to_group(GroupName=f"rmg-{unique}", UserName=f"rm-{unique}")
    iam.remove_user_from_group(GroupName=f"rmg-{unique}", UserName=f"rm-{unique}")
    assert iam.get_group(GroupName=f"rmg-{unique}")["Users"] == []


def test_delete_group_with_members_is_delete_conflict(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"dc-{unique}")
    iam.create_group(GroupName=f"dcg-{unique}")
    iam.add_user_to_group(GroupName=f"dcg-{unique}", UserName=f"dc-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.delete_group(GroupName=f"dcg-{unique}")
    assert error_of(exc)[0] == "DeleteConflict"


def test_update_group_renames(iam: Any, unique: str) -> None:
    iam.create_group(GroupName=f"before-{unique}")
    iam.update_group(GroupName=f"before-{unique}", NewGroupName=f"after-{unique}")
    assert iam.get_group(GroupName=f"after-{unique}")["Group"]["GroupName"] == f"after-{unique}"


def test_add_missing_user_to_group_is_no_such_entity(iam: Any, unique: str) -> None:
    iam.create_group(GroupName=f"nu-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.add_user_to_group(GroupName=f"nu-{unique}", UserName=f"ghost-{unique}")
    assert error_of(exc)[0] == "NoSuchEntity"


def test_list_groups_by_path_prefix(iam: Any, unique: str) -> None:
    iam.create_group(GroupName=f"lp-{unique}", Path=f"/{unique}/")
    groups = iam.list_groups(PathPrefix=f"/{unique}/")["Groups"]
    assert [g["GroupName"] for g in groups] == [f"lp-{unique}"]
