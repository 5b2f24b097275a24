"""The Query parser: strict bytes -> pairs, and pairs -> typed params."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sekisho import errors
from sekisho.protocol.query import params_from_pairs, parse_pairs
from sekisho.protocol.service import load_service


def _params(action: str, body: bytes, service: str = "iam") -> dict[str, object]:
    return params_from_pairs(parse_pairs(body), load_service(service).operation(action))


def test_pairs_keep_order_duplicates_and_blank_values() -> None:
    assert parse_pairs(b"a=1&b=&c&a=2") == [("a", "1"), ("b", ""), ("c", ""), ("a", "2")]


def test_pairs_decode_percent_escapes_plus_and_utf8() -> None:
    assert parse_pairs(b"k=a+b%20c%2B%E6%97%A5") == [("k", "a b c+\u65e5")]


def test_pairs_skip_empty_fields() -> None:
    assert parse_pairs(b"&a=1&&") == [("a", "1")]


@pytest.mark.parametrize("raw", [b"a=%", b"a=%4", b"a=%zz", b"a%g1=1"])
def test_bad_percent_encoding_is_malformed_query_string(raw: bytes) -> None:
    with pytest.raises(errors.MalformedQueryString):
        parse_pairs(raw)


@pytest.mark.parametrize("raw", [b"a=%FF", b"a=\xff", b"a=%C3%28", b"a=%ED%A0%80"])
def test_invalid_utf8_is_malformed_query_string(raw: bytes) -> None:
    with pytest.raises(errors.MalformedQueryString):
        parse_pairs(raw)


@pytest.mark.parametrize("raw", [b"a=%00", b"a=x%00y", b"a%00=1", b"a=\x00"])
def test_nul_character_is_malformed_query_string(raw: bytes) -> None:
    with pytest.raises(errors.MalformedQueryString):
        parse_pairs(raw)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_never_crash_the_parser(raw: bytes) -> None:
    op = load_service("iam").operation("CreateUser")
    try:
        params_from_pairs(parse_pairs(raw), op)
    except errors.AwsError as err:
        assert 400 <= err.status < 500


def test_action_version_and_sigv4_query_parameters_are_ignored() -> None:
    body = b"Action=GetUser&Version=2010-05-08&X-Amz-Signature=ab&x-amz-date=1&UserName=bob"
    assert _params("GetUser", body) == {"UserName": "bob"}


def test_nested_list_of_structures() -> None:
    body = (
        b"UserName=bob&Tags.member.1.Key=a&Tags.member.1.Value=1"
        b"&Tags.member.2.Key=b&Tags.member.2.Value="
    )
    assert _params("CreateUser", body) == {
        "UserName": "bob",
        "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": ""}],
    }


def test_empty_list_arrives_as_blank_value() -> None:
    assert _params("UntagUser", b"UserName=bob&TagKeys=") == {"UserName": "bob", "TagKeys": []}


def test_integers_booleans_are_typed() -> None:
    params = _params("ListUsers", b"MaxItems=10&PathPrefix=/")
    assert params == {"MaxItems": 10, "PathPrefix": "/"}
    assert _params("UpdateLoginProfile", b"UserName=a&PasswordResetRequired=true") == {
        "UserName": "a",
        "PasswordResetRequired": True,
    }


@pytest.mark.parametrize("value", [b"TRUE", b"1", b"yes", b""])
def test_boolean_other_than_true_or_false_is_a_validation_error(value: bytes) -> None:
    with pytest.raises(errors.ValidationError) as caught:
        _params("UpdateLoginProfile", b"UserName=a&PasswordResetRequired=" + value)
    assert "at 'passwordResetRequired' failed to satisfy constraint" in caught.value.message


@pytest.mark.parametrize("value", [b"abc", b"1.5", b"", b"99999999999"])
def test_malformed_integer_is_a_validation_error(value: bytes) -> None:
    with pytest.raises(errors.ValidationError) as caught:
        _params("ListUsers", b"MaxItems=" + value)
    assert caught.value.message.startswith("1 validation error detected: Value '")


def test_unknown_parameter_is_rejected() -> None:
    with pytest.raises(errors.InvalidQueryParameter) as caught:
        _params("GetUser", b"UserName=bob&Foo=1")
    assert caught.value.message == "The parameter Foo is not recognized."


def test_parameter_to_an_operation_without_input_is_rejected() -> None:
    with pytest.raises(errors.InvalidQueryParameter):
        _params("GetAccountSummary", b"UserName=bob")


def test_duplicate_key_is_rejected() -> None:
    with pytest.raises(errors.InvalidQueryParameter):
        _params("GetUser", b"UserName=a&UserName=b")


@pytest.mark.parametrize(
    "keys",
    [
        b"TagKeys.member.2=a",
        b"TagKeys.member.1=a&TagKeys.member.3=b",
        b"TagKeys.member.0=a",
        b"TagKeys.member.01=a",
        b"TagKeys.member.x=a",
        b"TagKeys.item.1=a",
        b"TagKeys=x",
        b"TagKeys=&TagKeys.member.1=a",
    ],
)
def test_malformed_list_keys_are_rejected(keys: bytes) -> None:
    with pytest.raises(errors.InvalidQueryParameter):
        _params("UntagUser", b"UserName=bob&" + keys)


def test_list_indexes_may_arrive_in_any_order() -> None:
    body = b"UserName=bob&TagKeys.member.2=b&TagKeys.member.1=a"
    assert _params("UntagUser", body)["TagKeys"] == ["a", "b"]


def test_key_below_a_scalar_is_rejected() -> None:
    with pytest.raises(errors.InvalidQueryParameter):
        _params("GetUser", b"UserName.x=bob")


def test_sts_list_of_structures() -> None:
    body = b"RoleArn=arn&RoleSessionName=s&PolicyArns.member.1.arn=arn:aws:iam::aws:policy/A"
    expected = [{"arn": "arn:aws:iam::aws:policy/A"}]
    assert _params("AssumeRole", body, "sts")["PolicyArns"] == expected
