"""Properties: whatever botocore signs verifies, and no single changed byte does."""

from __future__ import annotations

from datetime import UTC, datetime

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st
from sigv4_support import RawRequest, from_prepared

from sekisho.auth.sigv4 import verify_signature
from sekisho.errors import SignatureDoesNotMatch

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREDENTIALS = Credentials("AKIAIOSFODNN7EXAMPLE", SECRET)

# Surrogates cannot be sent; everything else may appear in names and values.
query_text = st.text(st.characters(codec="utf-8"), max_size=12)
queries = st.dictionaries(query_text, query_text, max_size=6)
bodies = st.binary(max_size=300)
# Header values as HTTP allows them: visible ASCII, spaces and tabs inside.
header_values = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.just("\t"), max_size=40
).map(lambda value: value.strip(" \t"))


def signed(body: bytes, params: dict[str, str], header: str, service: str = "iam") -> RawRequest:
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8080/",
        data=body,
        params=params,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Amz-Meta-Note": header},
    )
    original = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *_a, **_k: SIGNED_AT.replace(tzinfo=None)
    try:
        botocore.auth.SigV4Auth(CREDENTIALS, service, "eu-central-1").add_auth(request)
    finally:
        botocore.auth.get_current_datetime = original
    return from_prepared(request.prepare())


def verifies(request: RawRequest) -> bool:
    try:
        verify_signature(request.parse(), SECRET, SIGNED_AT)
    except SignatureDoesNotMatch:
        return False
    return True


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@settings(max_examples=150, deadline=None)
@given(bodies, queries, header_values)
def test_botocore_signed_requests_verify(body: bytes, params: dict[str, str], header: str) -> None:
    assert verifies(signed(body, params, header))


@settings(max_examples=150, deadline=None)
@given(bodies.filter(bool), st.data())
def test_any_changed_body_byte_fails(body: bytes, data: st.DataObject) -> None:
    request = signed(body, {}, "note")
    index = data.draw(st.integers(0, len(body) - 1))
    changed = RawRequest(
        request.method, request.path, request.query, request.headers, flip(body, index)
    )
    assert not verifies(changed)


@settings(max_examples=150, deadline=None)
@given(queries.filter(bool), st.data())
def test_any_changed_query_byte_fails(params: dict[str, str], data: st.DataObject) -> None:
    request = signed(b"", params, "note")
    index = data.draw(st.integers(0, len(request.query) - 1))
    changed = RawRequest(
        request.method, request.path, flip(request.query, index), request.headers, request.body
    )
    assert not verifies(changed)


@settings(max_examples=150, deadline=None)
@given(header_values.filter(bool), st.data())
def test_any_changed_signed_header_byte_fails(header: str, data: st.DataObject) -> None:
    request = signed(b"Action=GetUser", {}, header)
    index = next(i for i, (name, _) in enumerate(request.headers) if name == b"x-amz-meta-note")
    value = request.headers[index][1]
    position = data.draw(st.integers(0, len(value) - 1))
    changed = flip(value, position)
    # A tab flipped to a backspace or a space to "!" changes the value; only
    # whitespace-for-whitespace changes collapse the same way, and XOR 1 never
    # maps one HTTP whitespace byte (space, tab) onto another.
    assert not verifies(request.with_header(index, changed))
