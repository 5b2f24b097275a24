"""Canonical request pieces for inputs the AWS suite does not cover.

Each row gives two requests that must canonicalize alike (or not), checked
through `SignedRequest.canonical_request()`.
"""

from __future__ import annotations

import pytest

from sekisho.auth.sigv4 import parse_signed_request

AUTHORIZATION = (
    b"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, "
    b"SignedHeaders=host;x-amz-date, Signature=00"
)
HEADERS = [
    (b"host", b"example.amazonaws.com"),
    (b"x-amz-date", b"20150830T123600Z"),
    (b"authorization", AUTHORIZATION),
]


def canonical_lines(path: str | bytes = "/", query: bytes = b"") -> tuple[bytes, bytes]:
    request = parse_signed_request("GET", path, query, HEADERS, b"")
    lines = request.canonical_request().split(b"\n")
    return lines[1], lines[2]


QUERY_EQUIVALENTS = [
    ("escaped unreserved", b"a=%7E%41", b"a=~A"),
    ("lower-case escapes", b"a=%2f%e1%88%b4", b"a=%2F%E1%88%B4"),
    ("plus is a space", b"a=b+c", b"a=b%20c"),
    ("literal reserved", b"a=b/c:d", b"a=b%2Fc%3Ad"),
    ("name without value", b"a", b"a="),
    ("empty pieces", b"&a=1&&b=2&", b"a=1&b=2"),
    ("second equals sign", b"a=b=c", b"a=b%3Dc"),
    ("order", b"b=2&a=2&a=1", b"a=1&a=2&b=2"),
    ("raw UTF-8", "a=é".encode(), b"a=%C3%A9"),
]


@pytest.mark.parametrize(
    ("sent", "canonical"),
    [(sent, canonical) for _, sent, canonical in QUERY_EQUIVALENTS],
    ids=[name for name, _, _ in QUERY_EQUIVALENTS],
)
def test_query_canonicalizes_to_encoded_sorted_pairs(sent: bytes, canonical: bytes) -> None:
    assert canonical_lines(query=sent)[1] == canonical


def test_literal_plus_sign_must_be_escaped() -> None:
    assert canonical_lines(query=b"a=%2B")[1] == b"a=%2B"
    assert canonical_lines(query=b"a=+")[1] == b"a=%20"


def test_incomplete_escape_is_kept_literally() -> None:
    assert canonical_lines(query=b"a=%4")[1] == b"a=%254"


PATH_CANONICAL = [
    ("root", "/", b"/"),
    ("empty", "", b"/"),
    ("dot segments", "/a/./b/../c", b"/a/c"),
    ("parent above root", "/../a", b"/a"),
    ("double slashes", "//a//b//", b"/a/b/"),
    ("encoded again", "/a%2Fb", b"/a%252Fb"),
    ("reserved", "/a:b@c", b"/a%3Ab%40c"),
    ("raw bytes", b"/\xe1\x88\xb4", b"/%E1%88%B4"),
    ("latin-1 str is those bytes", "/\xe1\x88\xb4", b"/%E1%88%B4"),
    ("text beyond latin-1", "/ሴ", b"/%E1%88%B4"),
]


@pytest.mark.parametrize(
    ("path", "canonical"),
    [(path, canonical) for _, path, canonical in PATH_CANONICAL],
    ids=[name for name, _, _ in PATH_CANONICAL],
)
def test_path_is_normalized_then_encoded(path: str | bytes, canonical: bytes) -> None:
    assert canonical_lines(path=path)[0] == canonical
