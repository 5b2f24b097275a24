"""STS GetCallerIdentity / GetAccessKeyInfo and the account alias."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_users import error_of


def test_get_caller_identity_as_root(sts: Any, server: Any) -> None:
    identity = sts.get_caller_identity()
    assert len(identity["Account"]) == 12 and identity["Account"].isdigit()
    assert identity["Arn"] == f"arn:aws:iam::{identity['Account']}:root"
    assert identity["UserId"] == identity["Account"]


def test_get_access_key_info_decodes_the_account_without_lookup(sts: Any, iam: Any) -> None:
    account = sts.get_caller_identity()["Account"]
    own = iam.list_access_keys()["AccessKeyMetadata"][0]["AccessKeyId"]
    assert sts.get_access_key_info(AccessKeyId=own)["Account"] == account


def test_get_access_key_info_of_aws_documented_example_key(sts: Any) -> None:
    # The key id AWS's documentation decodes: AKIAQ... -> an account, no lookup needed.
    info = sts.get_access_key_info(AccessKeyId="ASIAQNZGKIQY56JQ7WML")
    assert info["Account"] == "029608264753"


def test_account_alias_lifecycle(iam: Any, unique: str) -> None:
    alias = f"acme-{unique}"
    iam.create_account_alias(AccountAlias=alias)
    assert iam.list_account_aliases()["AccountAliases"] == [alias]
    iam.create_account_alias(AccountAlias=alias + "-2")
    assert iam.list_account_aliases()["AccountAliases"] == [alias + "-2"]
    iam.delete_account_alias(AccountAlias=alias + "-2")
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_delete_unknown_alias_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.delete_account_alias(AccountAlias=f"never-{unique}")
    assert error_of(exc)[0] == "NoSuchEntity"


@pytest.mark.parametrize("alias", ["UPPER", "-lead", "trail-", "a", "double--dash"])
def test_invalid_alias_is_validation_error(iam: Any, alias: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_account_alias(AccountAlias=alias)
    assert error_of(exc)[:2] == ("ValidationError", 400)
