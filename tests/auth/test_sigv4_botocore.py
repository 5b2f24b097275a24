"""Requests signed by botocore's own signers verify; changed ones do not.

Clients are real botocore clients (IAM, STS) with a frozen signing clock; the
request is captured just before it would be sent and handed to the verifier
the way an ASGI server would (Host added from the URL, as the HTTP client does).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import botocore.auth
import botocore.session
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from sigv4_support import RawRequest, from_prepared, parse_http

from sekisho.auth.sigv4 import SignedRequest, verify_signature
from sekisho.errors import SignatureDoesNotMatch

SIGNED_AT = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEJr//////////wEaDM+/tOkEn=="
ENDPOINT = "http://127.0.0.1:8080"
CLUSTER = "my-cluster"


class Captured(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("captured")
        self.request = request


@pytest.fixture(autouse=True)
def frozen_signing_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    naive = SIGNED_AT.replace(tzinfo=None)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *_a, **_k: naive)


def make_client(service: str, region: str = "us-east-1", token: str | None = None) -> Any:
    session = botocore.session.get_session()
    return session.create_client(
        service,
        region_name=region,
        endpoint_url=ENDPOINT,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET,
        aws_session_token=token,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def capture(client: Any, call: Callable[[], object]) -> RawRequest:
    def stop(request: AWSPreparedRequest, **_: object) -> None:
        raise Captured(request)

    client.meta.events.register("before-send", stop)
    with pytest.raises(Captured) as caught:
        call()
    return from_prepared(caught.value.request)


def from_url(url: str, headers: dict[str, str] | None = None) -> RawRequest:
    parts = urlsplit(url)
    raw_headers = [(b"host", parts.netloc.encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return RawRequest("GET", parts.path.encode(), parts.query.encode(), tuple(raw_headers), b"")


def presigned_caller_identity(
    expires: int = 60, token: str | None = None, cluster: str | None = CLUSTER
) -> str:
    """A presigned GetCallerIdentity URL as `aws eks get-token` builds it."""
    client = make_client("sts", token=token)

    def add_cluster_header(request: AWSRequest, **_: object) -> None:
        if cluster is not None:
            request.headers["x-k8s-aws-id"] = cluster

    client.meta.events.register("before-sign.sts.GetCallerIdentity", add_cluster_header)
    url: str = client.generate_presigned_url(
        "get_caller_identity", Params={}, ExpiresIn=expires, HttpMethod="GET"
    )
    return url


def verify(request: RawRequest, at: datetime = SIGNED_AT) -> SignedRequest:
    parsed = request.parse()
    verify_signature(parsed, SECRET, at)
    return parsed


@pytest.fixture
def iam() -> Iterator[Any]:
    yield make_client("iam")


def test_iam_create_user_verifies(iam: Any) -> None:
    request = capture(iam, lambda: iam.create_user(UserName="alice", Path="/eng/"))
    parsed = verify(request)
    assert (parsed.service, parsed.region, parsed.access_key_id) == ("iam", "us-east-1", ACCESS_KEY)
    assert parsed.request_time == SIGNED_AT


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-3", "ap-southeast-2", "cn-north-1"])
def test_any_signing_region_verifies(region: str) -> None:
    client = make_client("iam", region=region)
    parsed = verify(capture(client, lambda: client.list_users(MaxItems=5)))
    assert parsed.region == region


def test_sts_get_caller_identity_verifies() -> None:
    client = make_client("sts")
    parsed = verify(capture(client, client.get_caller_identity))
    assert parsed.service == "sts"
    assert not parsed.presigned
    assert parsed.session_token is None


def test_session_token_is_reported() -> None:
    client = make_client("sts", token=TOKEN)
    parsed = verify(capture(client, client.get_caller_identity))
    assert parsed.session_token == TOKEN
    assert "x-amz-security-token" in parsed.signed_headers


def test_body_with_unicode_and_reserved_characters_verifies(iam: Any) -> None:
    request = capture(
        iam,
        lambda: iam.tag_user(
            UserName="bob+1@example.com",
            Tags=[{"Key": "名前 / &=?", "Value": "a  b\tc ünïcödé %41 +"}],
        ),
    )
    verify(request)


def test_changed_body_fails(iam: Any) -> None:
    request = capture(iam, lambda: iam.create_user(UserName="alice"))
    changed = RawRequest(
        request.method,
        request.path,
        request.query,
        request.headers,
        request.body.replace(b"alice", b"mallory"),
    )
    with pytest.raises(SignatureDoesNotMatch):
        verify(changed)


def test_wrong_secret_fails(iam: Any) -> None:
    parsed = capture(iam, lambda: iam.get_user()).parse()
    with pytest.raises(SignatureDoesNotMatch):
        verify_signature(parsed, SECRET[:-1] + "X", SIGNED_AT)


def test_presigned_get_caller_identity_verifies() -> None:
    url = presigned_caller_identity()
    parsed = verify(from_url(url, {"x-k8s-aws-id": CLUSTER}))
    assert parsed.presigned
    assert parsed.expires_seconds == 60
    assert parsed.service == "sts"
    assert parsed.signed_headers == ("host", "x-k8s-aws-id")


def test_aws_iam_authenticator_token_verifies() -> None:
    # The token is "k8s-aws-v1." + unpadded base64url of the presigned URL;
    # the Kubernetes side decodes it and sends the GET with the cluster header.
    url = presigned_caller_identity()
    token = "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    encoded = token.removeprefix("k8s-aws-v1.")
    decoded = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    verify(from_url(decoded, {"x-k8s-aws-id": CLUSTER}), SIGNED_AT + timedelta(seconds=30))


def test_presigned_with_session_token_verifies() -> None:
    url = presigned_caller_identity(token=TOKEN)
    parsed = verify(from_url(url, {"x-k8s-aws-id": CLUSTER}))
    assert parsed.session_token == TOKEN


@pytest.mark.parametrize("cluster_header", [None, "other-cluster", CLUSTER + " "])
def test_presigned_with_changed_signed_header_fails(cluster_header: str | None) -> None:
    url = presigned_caller_identity()
    headers = {} if cluster_header is None else {"x-k8s-aws-id": cluster_header}
    if cluster_header == CLUSTER + " ":
        # Trailing space is trimmed by canonicalization: the same signed value.
        verify(from_url(url, headers))
        return
    with pytest.raises(SignatureDoesNotMatch):
        verify(from_url(url, headers))


def test_presigned_with_added_query_parameter_fails() -> None:
    url = presigned_caller_identity()
    with pytest.raises(SignatureDoesNotMatch):
        verify(from_url(url + "&Action=GetUser", {"x-k8s-aws-id": CLUSTER}))


def test_presigned_url_lives_fifteen_minutes_whatever_its_expires() -> None:
    # aws-iam-authenticator signs X-Amz-Expires=60 and uses the token for up to
    # 15 minutes, because STS ignores X-Amz-Expires; so must Sekisho.
    url = presigned_caller_identity(expires=60)
    verify(from_url(url, {"x-k8s-aws-id": CLUSTER}), SIGNED_AT + timedelta(minutes=14))


def test_presigned_url_never_outlives_the_skew_window() -> None:
    # AWS ignores X-Amz-Expires outside S3: a presigned STS URL lives 15 minutes.
    url = presigned_caller_identity(expires=3600)
    request = from_url(url, {"x-k8s-aws-id": CLUSTER})
    verify(request, SIGNED_AT + timedelta(minutes=15))
    with pytest.raises(SignatureDoesNotMatch) as caught:
        verify(request, SIGNED_AT + timedelta(minutes=30))
    assert caught.value.message == (
        "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z "
        "(20260101T003000Z - 15 min.)"
    )


def _sign_directly(signer: botocore.auth.SigV4Auth, request: AWSRequest) -> RawRequest:
    signer.add_auth(request)
    return from_prepared(request.prepare())


def test_get_with_query_parameters_verifies() -> None:
    # botocore sends params form-encoded (space as "+") but signs them as %20.
    request = AWSRequest(
        method="GET",
        url=ENDPOINT + "/",
        params={"Action": "ListUsers", "PathPrefix": "/a b+c/", "Marker": "é~*'"},
    )
    signer = botocore.auth.SigV4Auth(Credentials(ACCESS_KEY, SECRET), "iam", "us-east-1")
    raw = _sign_directly(signer, request)
    assert b"+" in raw.query
    verify(raw)


def test_percent_encoded_path_is_signed_encoded_again() -> None:
    request = AWSRequest(method="GET", url=ENDPOINT + "/a%20b/%E1%88%B4/")
    signer = botocore.auth.SigV4Auth(Credentials(ACCESS_KEY, SECRET), "iam", "us-east-1")
    raw = _sign_directly(signer, request)
    assert raw.path == b"/a%20b/%E1%88%B4/"
    verify(raw)


def test_unsigned_payload_is_accepted_for_an_empty_body() -> None:
    request = AWSRequest(method="GET", url=ENDPOINT + "/?Action=GetCallerIdentity")
    signer = botocore.auth.S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET), "sts", "us-east-1")
    signer.add_auth(request)
    verify(from_url(request.url))


def test_unsigned_payload_is_refused_for_a_body() -> None:
    request = AWSRequest(method="GET", url=ENDPOINT + "/?Action=GetCallerIdentity")
    signer = botocore.auth.S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET), "sts", "us-east-1")
    signer.add_auth(request)
    raw = from_url(request.url)
    with_body = RawRequest("POST", raw.path, raw.query, raw.headers, b"Action=CreateUser")
    signed_as_post = RawRequest("POST", raw.path, raw.query, raw.headers, b"")
    with pytest.raises(SignatureDoesNotMatch):
        verify(with_body)
    with pytest.raises(SignatureDoesNotMatch):
        verify(signed_as_post)


def test_date_header_serves_when_x_amz_date_is_absent() -> None:
    # No SDK signs this way any more; the SigV4 spec still allows it. Signed by hand.
    date = "Thu, 01 Jan 2026 00:00:00 GMT"
    canonical = (
        f"GET\n/\nAction=GetCallerIdentity\ndate:{date}\nhost:127.0.0.1:8080\n\ndate;host\n"
        + hashlib.sha256(b"").hexdigest()
    )
    scope = "20260101/us-east-1/sts/aws4_request"
    to_sign = (
        f"AWS4-HMAC-SHA256\n20260101T000000Z\n{scope}\n"
        + hashlib.sha256(canonical.encode()).hexdigest()
    )
    key = b"AWS4" + SECRET.encode()
    for part in ("20260101", "us-east-1", "sts", "aws4_request"):
        key = hmac.digest(key, part.encode(), "sha256")
    signature = hmac.digest(key, to_sign.encode(), "sha256").hex()
    raw = parse_http(
        (
            "GET /?Action=GetCallerIdentity HTTP/1.1\n"
            "Host:127.0.0.1:8080\n"
            f"Date:{date}\n"
            f"Authorization: AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope}, "
            f"SignedHeaders=date;host, Signature={signature}"
        ).encode()
    )
    parsed = verify(raw)
    assert parsed.request_time == SIGNED_AT
