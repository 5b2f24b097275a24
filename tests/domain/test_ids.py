"""Ids and keys in AWS's formats."""

from __future__ import annotations

import re

import pytest

from sekisho.domain import ids


@pytest.mark.parametrize("prefix", [ids.USER, ids.ROLE, ids.GROUP, ids.POLICY,
                                    ids.INSTANCE_PROFILE])
def test_unique_ids_are_21_characters_with_their_prefix(prefix: str) -> None:
    value = ids.unique_id(prefix)
    assert re.fullmatch(prefix + r"[A-Z2-7]{17}", value)


@pytest.mark.parametrize("account", ["000000000001", "123456789012", "999999999999"])
def test_access_key_ids_encode_their_account(account: str) -> None:
    for prefix in (ids.LONG_TERM_KEY, ids.TEMPORARY_KEY):
        key = ids.access_key_id(prefix, account)
        assert re.fullmatch(prefix + r"[A-Z2-7]{16}", key)
        assert ids.account_of_key_id(key) == account


def test_account_of_an_aws_issued_key_id() -> None:
    # A key id AWS issued, decoded by the same layout (publicly documented analysis).
    assert ids.account_of_key_id("ASIAQNZGKIQY56JQ7WML") == "029608264753"


@pytest.mark.parametrize("bad", ["", "AKIA", "XKIAQNZGKIQY56JQ7WML", "AKIAqnzgkiqy56jq7wml",
                                 "AKIAQNZGKIQY56JQ7WM1"])
def test_account_of_something_else_is_none(bad: str) -> None:
    assert ids.account_of_key_id(bad) is None


def test_secrets_are_40_characters_of_the_aws_alphabet() -> None:
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", ids.secret_access_key())


def test_account_ids_are_12_digits() -> None:
    assert re.fullmatch(r"[1-9][0-9]{11}", ids.new_account_id())
