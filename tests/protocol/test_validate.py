"""The validator writes AWS's ValidationError messages."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from sekisho import errors
from sekisho.protocol.service import load_service
from sekisho.protocol.validate import validate

PREFIX = "1 validation error detected: "


def _message(action: str, params: dict[str, Any], service: str = "iam") -> str:
    with pytest.raises(errors.ValidationError) as caught:
        validate(params, load_service(service).operation(action))
    return caught.value.message


@pytest.mark.parametrize(
    ("action", "params", "message"),
    [
        (
            "CreateUser",
            {},
            "Value null at 'userName' failed to satisfy constraint: Member must not be null",
        ),
        (
            "CreateUser",
            {"UserName": "a b"},
            "Value 'a b' at 'userName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        ),
        (
            "CreateUser",
            {"UserName": "a" * 65},
            f"Value '{'a' * 65}' at 'userName' failed to satisfy "
            "constraint: Member must have length less than or equal to 64",
        ),
        (
            "UpdateAccessKey",
            {"AccessKeyId": "AKIAAAAAAAAAAAAAAAAA", "Status": "On"},
            "Value 'On' at 'status' failed to satisfy constraint: "
            "Member must satisfy enum value set: [Active, Inactive, Expired]",
        ),
        (
            "ListUsers",
            {"MaxItems": 1001},
            "Value '1001' at 'maxItems' failed to satisfy constraint: "
            "Member must have value less than or equal to 1000",
        ),
        (
            "ListUsers",
            {"MaxItems": 0},
            "Value '0' at 'maxItems' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1",
        ),
        (
            "TagUser",
            {"UserName": "bob", "Tags": [{"Key": "k", "Value": "v" * 257}]},
            f"Value '{'v' * 257}' at 'tags.1.member.value' failed to satisfy constraint: "
            "Member must have length less than or equal to 256",
        ),
        (
            "UntagUser",
            {"UserName": "bob", "TagKeys": ["ok", "bad!"]},
            "Value 'bad!' at 'tagKeys.2.member' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
        ),
    ],
)
def test_single_violation_message(action: str, params: dict[str, Any], message: str) -> None:
    assert _message(action, params) == PREFIX + message


def test_pattern_comes_before_length_for_one_member() -> None:
    assert _message("CreateUser", {"UserName": ""}) == (
        "2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+; Value '' at 'userName' "
        "failed to satisfy constraint: Member must have length greater than or equal to 1"
    )


def test_errors_of_several_members_are_joined_in_model_order() -> None:
    message = _message("CreateUser", {"Path": "x"})
    assert message.startswith("2 validation errors detected: Value 'x' at 'path'")
    assert message.endswith(
        "; Value null at 'userName' failed to satisfy constraint: Member must not be null"
    )


def test_sensitive_values_are_not_echoed() -> None:
    message = _message("CreateLoginProfile", {"UserName": "bob", "Password": "\x01"})
    assert message == PREFIX + (
        "Value at 'password' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"
    )


def test_pattern_must_match_the_whole_value() -> None:
    assert "regular expression" in _message("CreateUser", {"UserName": "bob\n"})


def test_word_class_is_ascii_as_in_java() -> None:
    assert "regular expression" in _message("CreateUser", {"UserName": "b\u00f6b"})


def test_unicode_letters_satisfy_tag_pattern() -> None:
    validate(
        {"UserName": "bob", "Tags": [{"Key": "\u65e5\u672c \u00e9", "Value": ""}]},
        load_service("iam").operation("TagUser"),
    )


def test_length_counts_code_points() -> None:
    validate(
        {"RoleArn": "a" * 20, "RoleSessionName": "ab"}, load_service("sts").operation("AssumeRole")
    )
    message = _message("AssumeRole", {"RoleArn": "a" * 20, "RoleSessionName": "\U0001f600"}, "sts")
    assert message.endswith("Member must have length greater than or equal to 2")


def test_valid_params_pass() -> None:
    validate(
        {"UserName": "bob", "Path": "/dev/", "Tags": [{"Key": "k", "Value": "v"}]},
        load_service("iam").operation("CreateUser"),
    )


def test_every_model_pattern_compiles() -> None:
    for name in ("iam", "sts"):
        service = load_service(name)
        for action in service.operation_names:
            _validate_quietly(service.operation(action))


def _validate_quietly(op: Any) -> None:
    with contextlib.suppress(errors.ValidationError):
        validate({}, op)
