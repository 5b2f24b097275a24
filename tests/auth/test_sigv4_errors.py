"""Every SigV4 refusal, with AWS's code, HTTP status and exact message.

Requests are raw HTTP text; the valid baseline is the AWS suite's
`get-vanilla` case, signed at 2015-08-30T12:36:00Z.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sigv4_support import SUITE_DIR, SUITE_SECRET, SUITE_TIME, RawRequest, load_case, parse_http

from sekisho.auth.signing_keys import SigningKeyCache
from sekisho.auth.sigv4 import (
    SignedRequest,
    parse_signed_request,
    scope_service_error,
    verify_signature,
)
from sekisho.errors import (
    AwsError,
    IncompleteSignature,
    MissingAuthenticationToken,
    SignatureDoesNotMatch,
)

VANILLA = SUITE_DIR / "get-vanilla" / "get-vanilla.sreq"
VANILLA_SIGNATURE = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
CREDENTIAL = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


def http(text: str) -> RawRequest:
    return parse_http(text.encode("latin-1"))


def vanilla() -> SignedRequest:
    return load_case(VANILLA).parse()


def header_request(authorization: str, date: str | None = "20150830T123600Z") -> RawRequest:
    lines = ["GET / HTTP/1.1", "Host:example.amazonaws.com"]
    if date is not None:
        lines.append(f"X-Amz-Date:{date}")
    lines.append(f"Authorization:{authorization}")
    return http("\n".join(lines))


def presigned(query: str) -> RawRequest:
    return http(f"GET /?{query} HTTP/1.1\nHost:example.amazonaws.com")


def refusal(error: AwsError) -> tuple[str, int, str]:
    return error.code, error.status, error.message


PARSE_REFUSALS = [
    (
        "no credentials",
        http("GET / HTTP/1.1\nHost:example.amazonaws.com"),
        ("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
    ),
    (
        "another scheme",
        header_request("Bearer abc.def"),
        ("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
    ),
    (
        "scheme only, no date",
        header_request("AWS4-HMAC-SHA256", date=None),
        (
            "IncompleteSignature",
            400,
            "Authorization header requires 'Credential' parameter. "
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. Authorization=AWS4-HMAC-SHA256",
        ),
    ),
    (
        "no signature",
        header_request(f"AWS4-HMAC-SHA256 Credential={CREDENTIAL}, SignedHeaders=host"),
        (
            "IncompleteSignature",
            400,
            "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256",
        ),
    ),
    (
        "pair without equal sign",
        header_request(f"AWS4-HMAC-SHA256 Credential={CREDENTIAL}, SignedHeaders, Signature=ab"),
        (
            "IncompleteSignature",
            400,
            "'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization "
            f"header: 'AWS4-HMAC-SHA256 Credential={CREDENTIAL}, SignedHeaders, Signature=ab'",
        ),
    ),
    (
        "unsupported algorithm",
        header_request(
            f"AWS4-HMAC-SHA512 Credential={CREDENTIAL}, SignedHeaders=host, Signature=ab"
        ),
        (
            "IncompleteSignature",
            400,
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
        ),
    ),
    (
        "credential with four parts",
        header_request(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service, "
            "SignedHeaders=host, Signature=ab"
        ),
        (
            "IncompleteSignature",
            400,
            "Credential must have exactly 5 slash-delimited elements, "
            "e.g. keyid/date/region/service/term, got 'AKID/20150830/us-east-1/service'",
        ),
    ),
    (
        "date not in basic format",
        header_request(
            f"AWS4-HMAC-SHA256 Credential={CREDENTIAL}, SignedHeaders=host, Signature=ab",
            date="2015-08-30T12:36:00Z",
        ),
        (
            "IncompleteSignature",
            400,
            "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. "
            "See http://en.wikipedia.org/wiki/ISO_8601",
        ),
    ),
    (
        "impossible date",
        header_request(
            f"AWS4-HMAC-SHA256 Credential={CREDENTIAL}, SignedHeaders=host, Signature=ab",
            date="20150231T123600Z",
        ),
        (
            "IncompleteSignature",
            400,
            "Date must be in ISO-8601 'basic format'. Got '20150231T123600Z'. "
            "See http://en.wikipedia.org/wiki/ISO_8601",
        ),
    ),
    (
        "Date header past year 9999 once in UTC",
        http("GET / HTTP/1.1\nHost:example.amazonaws.com\n"
             "Date:Fri, 31 Dec 9999 23:59:59 -0100\n"
             f"Authorization:AWS4-HMAC-SHA256 Credential={CREDENTIAL}, SignedHeaders=host;date, "
             "Signature=ab"),
        (
            "IncompleteSignature",
            400,
            "Date must be in ISO-8601 'basic format'. Got 'Fri, 31 Dec 9999 23:59:59 -0100'. "
            "See http://en.wikipedia.org/wiki/ISO_8601",
        ),
    ),
    (
        "presigned without credential and signature",
        presigned("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20150830T123600Z"),
        (
            "IncompleteSignature",
            400,
            "AWS query-string parameters must include 'X-Amz-Credential'. "
            "AWS query-string parameters must include 'X-Amz-Signature'. "
            "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
            "Re-examine the query-string parameters.",
        ),
    ),
    (
        "presigned with another algorithm",
        presigned(
            "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=a%2Fb%2Fc%2Fd%2Fe"
            "&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab"
        ),
        ("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
    ),
    (
        "header and query credentials together",
        http(
            "GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256 HTTP/1.1\nHost:example.amazonaws.com\n"
            f"X-Amz-Date:20150830T123600Z\nAuthorization:AWS4-HMAC-SHA256 Credential={CREDENTIAL}"
        ),
        (
            "SignatureDoesNotMatch",
            403,
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as "
            "HTTP header.",
        ),
    ),
]


@pytest.mark.parametrize(
    ("request_", "expected"),
    [(request, expected) for _, request, expected in PARSE_REFUSALS],
    ids=[name for name, _, _ in PARSE_REFUSALS],
)
def test_parse_refuses_with_aws_error(request_: RawRequest, expected: tuple[str, int, str]) -> None:
    with pytest.raises(AwsError) as caught:
        request_.parse()
    assert refusal(caught.value) == expected


def test_missing_credentials_error_class() -> None:
    with pytest.raises(MissingAuthenticationToken):
        parse_signed_request("GET", "/", b"", [(b"host", b"example.amazonaws.com")], b"")


def test_incomplete_signature_error_class() -> None:
    with pytest.raises(IncompleteSignature):
        header_request("AWS4-HMAC-SHA256").parse()


def test_bad_signature_is_refused() -> None:
    request = load_case(VANILLA)
    index = next(i for i, (name, _) in enumerate(request.headers) if name == b"authorization")
    authorization = request.headers[index][1].replace(VANILLA_SIGNATURE.encode(), b"0" * 64)
    with pytest.raises(SignatureDoesNotMatch) as caught:
        verify_signature(
            request.with_header(index, authorization).parse(), SUITE_SECRET, SUITE_TIME
        )
    assert refusal(caught.value) == ("SignatureDoesNotMatch", 403, MISMATCH)


def test_wrong_secret_is_refused() -> None:
    with pytest.raises(SignatureDoesNotMatch) as caught:
        verify_signature(vanilla(), SUITE_SECRET.lower(), SUITE_TIME)
    assert caught.value.message == MISMATCH


@pytest.mark.parametrize(
    "offset",
    [
        timedelta(0),
        timedelta(minutes=15),
        -timedelta(minutes=15),
        timedelta(minutes=14, seconds=59),
    ],
    ids=["same second", "15 min later", "15 min earlier", "just under 15 min"],
)
def test_clock_skew_within_fifteen_minutes_is_accepted(offset: timedelta) -> None:
    verify_signature(vanilla(), SUITE_SECRET, SUITE_TIME + offset)


def test_request_older_than_fifteen_minutes_is_refused() -> None:
    now = SUITE_TIME + timedelta(minutes=15, seconds=1)
    with pytest.raises(SignatureDoesNotMatch) as caught:
        verify_signature(vanilla(), SUITE_SECRET, now)
    assert refusal(caught.value) == (
        "SignatureDoesNotMatch",
        403,
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z "
        "(20150830T125101Z - 15 min.)",
    )


def test_request_from_more_than_fifteen_minutes_ahead_is_refused() -> None:
    now = SUITE_TIME - timedelta(minutes=15, seconds=1)
    with pytest.raises(SignatureDoesNotMatch) as caught:
        verify_signature(vanilla(), SUITE_SECRET, now)
    assert refusal(caught.value) == (
        "SignatureDoesNotMatch",
        403,
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z "
        "(20150830T122059Z + 15 min.)",
    )


def test_issue_example_of_expired_signature() -> None:
    request = header_request(
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=ab",
        date="20260101T000000Z",
    ).parse()
    with pytest.raises(SignatureDoesNotMatch) as caught:
        verify_signature(request, "secret", datetime(2026, 1, 1, 0, 30, tzinfo=UTC))
    assert caught.value.message == (
        "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z "
        "(20260101T003000Z - 15 min.)"
    )


def test_naive_now_is_taken_as_utc() -> None:
    verify_signature(vanilla(), SUITE_SECRET, SUITE_TIME.replace(tzinfo=None))


def test_unsigned_host_is_refused() -> None:
    request = header_request(
        f"AWS4-HMAC-SHA256 Credential={CREDENTIAL}, SignedHeaders=x-amz-date, Signature=ab"
    ).parse()
    with pytest.raises(SignatureDoesNotMatch) as caught:
        verify_signature(request, SUITE_SECRET, SUITE_TIME)
    assert refusal(caught.value) == (
        "SignatureDoesNotMatch",
        403,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    )


def test_scope_date_other_than_request_date_is_refused() -> None:
    request = header_request(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150829/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=ab"
    ).parse()
    with pytest.raises(SignatureDoesNotMatch) as caught:
        verify_signature(request, SUITE_SECRET, SUITE_TIME)
    assert caught.value.message == (
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '20150829' != '20150830', from '20150830T123600Z'. "
    )


def test_bad_terminator_and_date_are_reported_together() -> None:
    request = header_request(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015/us-east-1/service/aws5_request, "
        "SignedHeaders=host;x-amz-date, Signature=ab"
    ).parse()
    with pytest.raises(SignatureDoesNotMatch) as caught:
        verify_signature(request, SUITE_SECRET, SUITE_TIME)
    assert caught.value.message == (
        "Credential should be scoped with a valid terminator: 'aws4_request', not "
        "'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 "
        "version of date from HTTP: '2015' != '20150830', from '20150830T123600Z'. "
    )


def test_scope_service_error_uses_aws_wording() -> None:
    error = scope_service_error("iam")
    assert refusal(error) == (
        "SignatureDoesNotMatch",
        403,
        "Credential should be scoped to correct service: 'iam'. ",
    )


def test_non_ascii_signature_is_refused_not_crashed() -> None:
    request = header_request(
        f"AWS4-HMAC-SHA256 Credential={CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=é"
    ).parse()
    with pytest.raises(SignatureDoesNotMatch):
        verify_signature(request, SUITE_SECRET, SUITE_TIME)


def test_verification_with_key_cache_matches_without() -> None:
    keys = SigningKeyCache()
    verify_signature(vanilla(), SUITE_SECRET, SUITE_TIME, keys=keys)
    verify_signature(vanilla(), SUITE_SECRET, SUITE_TIME, keys=keys)
    assert len(keys) == 1
    with pytest.raises(SignatureDoesNotMatch):
        verify_signature(vanilla(), "other", SUITE_TIME, keys=keys)


def test_session_token_is_not_in_repr() -> None:
    request = load_case(
        SUITE_DIR / "post-sts-token" / "post-sts-header-before" / "post-sts-header-before.sreq"
    ).parse()
    assert request.session_token is not None
    assert request.session_token not in repr(request)
    assert request.access_key_id in repr(request)


def test_presigned_expires_too_long_for_an_integer_is_not_a_duration() -> None:
    query = ("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + CREDENTIAL.replace("/", "%2F")
             + "&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab"
             + "&X-Amz-Expires=" + "9" * 5000)
    assert presigned(query).parse().expires_seconds is None
