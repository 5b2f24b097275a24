"""The XML serializer: AWS's shapes of responses, escaping, timestamps, quirks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from xml.etree import ElementTree

import pytest
from botocore.parsers import QueryParser

from sekisho import errors
from sekisho.protocol.serialize import escape, serialize_error, serialize_result
from sekisho.protocol.service import load_service

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"


def _user(**extra: object) -> dict[str, object]:
    user: dict[str, object] = {
        "UserName": "bob",
        "UserId": "AIDAEXAMPLE",
        "Path": "/",
        "Arn": "arn:aws:iam::123456789012:user/bob",
        "CreateDate": datetime(2026, 11, 27, 21, 0, tzinfo=UTC),
    }
    user.update(extra)
    return user


def test_result_is_wrapped_in_response_and_result_elements() -> None:
    body = serialize_result(load_service("iam").operation("GetUser"), {"User": _user()}, "rid")
    root = ElementTree.fromstring(body)
    assert root.tag == f"{{{IAM_NS}}}GetUserResponse"
    assert [child.tag.split("}")[1] for child in root] == ["GetUserResult", "ResponseMetadata"]
    assert root.findtext(f"{{{IAM_NS}}}ResponseMetadata/{{{IAM_NS}}}RequestId") == "rid"


def test_operation_without_output_carries_only_metadata() -> None:
    body = serialize_result(load_service("iam").operation("DeleteUser"), None, "rid")
    assert (
        body
        == (
            f'<DeleteUserResponse xmlns="{IAM_NS}"><ResponseMetadata><RequestId>rid</RequestId>'
            "</ResponseMetadata></DeleteUserResponse>"
        ).encode()
    )


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 27, 21, 0, tzinfo=UTC), "2026-11-27T21:00:00Z"),
        (
            datetime(2026, 11, 27, 22, 0, tzinfo=timezone(timedelta(hours=1))),
            "2026-11-27T21:00:00Z",
        ),
        (datetime(2026, 11, 27, 21, 0, 0, 123000, tzinfo=UTC), "2026-11-27T21:00:00.123Z"),
        (datetime(2026, 11, 27, 21, 0), "2026-11-27T21:00:00Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
        (datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC), "0999-12-31T23:59:59Z"),
    ],
)
def test_timestamps_are_iso8601_utc(moment: datetime, text: str) -> None:
    body = serialize_result(
        load_service("iam").operation("GetUser"), {"User": _user(CreateDate=moment)}, "r"
    )
    assert f"<CreateDate>{text}</CreateDate>".encode() in body


def test_lists_use_member_elements_and_booleans_are_lowercase() -> None:
    op = load_service("iam").operation("ListUsers")
    body = serialize_result(
        op, {"Users": [_user(), _user(UserName="al")], "IsTruncated": False}, "r"
    )
    assert body.count(b"<member>") == 2
    assert b"<IsTruncated>false</IsTruncated>" in body


def test_maps_use_entry_key_value() -> None:
    op = load_service("iam").operation("GetAccountSummary")
    body = serialize_result(op, {"SummaryMap": {"Users": 3}}, "r")
    assert b"<SummaryMap><entry><key>Users</key><value>3</value></entry></SummaryMap>" in body


def test_absent_and_none_members_are_omitted() -> None:
    body = serialize_result(
        load_service("iam").operation("GetUser"), {"User": _user(PasswordLastUsed=None)}, "r"
    )
    assert b"PasswordLastUsed" not in body and b"Tags" not in body


def test_text_is_escaped() -> None:
    assert escape('a<b>&"c"\r') == "a&lt;b&gt;&amp;&quot;c&quot;&#13;"
    assert escape("nul\x00") == "nul\ufffd"


def test_escaped_text_reads_back_unchanged_in_botocore() -> None:
    op = load_service("iam").operation("GetUser")
    model = load_service("iam").model.operation_model("GetUser")
    tricky = "<&>\"'\r\n\t]]>\u65e5"
    body = serialize_result(op, {"User": _user(Path=tricky)}, "r")
    parsed = QueryParser().parse(
        {"body": body, "status_code": 200, "headers": {}}, model.output_shape
    )
    assert parsed["User"]["Path"] == tricky


def test_policy_documents_are_url_encoded() -> None:
    op = load_service("iam").operation("GetUserPolicy")
    document = '{"Version": "2012-10-17", "Statement": []}'
    body = serialize_result(
        op, {"UserName": "bob", "PolicyName": "p", "PolicyDocument": document}, "r"
    )
    assert (
        b"<PolicyDocument>%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A"
        b"%20%5B%5D%7D</PolicyDocument>"
    ) in body


def test_role_trust_policy_is_url_encoded_inside_nested_structures() -> None:
    op = load_service("iam").operation("GetRole")
    role = {
        "RoleName": "r",
        "RoleId": "AROA",
        "Arn": "a",
        "Path": "/",
        "CreateDate": datetime(2026, 1, 1, tzinfo=UTC),
        "AssumeRolePolicyDocument": "{ }",
    }
    assert b"<AssumeRolePolicyDocument>%7B%20%7D</AssumeRolePolicyDocument>" in serialize_result(
        op, {"Role": role}, "r"
    )


def test_list_users_leaves_out_tags_and_boundary() -> None:
    op = load_service("iam").operation("ListUsers")
    user = _user(
        Tags=[{"Key": "k", "Value": "v"}],
        PermissionsBoundary={
            "PermissionsBoundaryArn": "arn:x",
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        },
    )
    body = serialize_result(op, {"Users": [user], "IsTruncated": False}, "r")
    assert b"<Tags>" not in body and b"PermissionsBoundary" not in body
    assert b"<Tags>" in serialize_result(
        load_service("iam").operation("GetUser"), {"User": user}, "r"
    )


def test_error_response_shape() -> None:
    body = serialize_error(
        errors.NoSuchEntity("The user with name <bob> cannot be found."), "rid", IAM_NS
    )
    assert (
        body
        == (
            f'<ErrorResponse xmlns="{IAM_NS}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>'
            "<Message>The user with name &lt;bob&gt; cannot be found.</Message></Error>"
            "<RequestId>rid</RequestId></ErrorResponse>"
        ).encode()
    )


def test_receiver_faults_are_typed_receiver() -> None:
    assert b"<Type>Receiver</Type>" in serialize_error(errors.ServiceFailure("x"), "r", IAM_NS)


def test_errors_read_back_in_botocore() -> None:
    err = errors.EntityAlreadyExists("User with name bob already exists.")
    body = serialize_error(err, "rid", IAM_NS)
    parsed = QueryParser().parse({"body": body, "status_code": err.status, "headers": {}}, None)
    assert parsed["Error"] == {
        "Type": "Sender",
        "Code": "EntityAlreadyExists",
        "Message": "User with name bob already exists.",
    }
