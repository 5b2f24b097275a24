"""SigV4 at the server: every failure has AWS's code, status and message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.raw import post, presign, send, sign
from tests.support.server import RunningServer

GCI = b"Action=GetCallerIdentity&Version=2011-06-15"


def test_signed_request_succeeds(server: RunningServer) -> None:
    assert send(sign(server.endpoint, server.root_key, GCI, "sts")).status == 200


def test_any_signing_region_is_accepted(server: RunningServer) -> None:
    reply = send(sign(server.endpoint, server.root_key, GCI, "sts", region="ap-northeast-1"))
    assert reply.status == 200


@pytest.mark.parametrize("region", ["r" * 65, "us_east_1", "us east 1", ""])
def test_scope_that_names_no_region_is_signature_does_not_match(server: RunningServer,
                                                                 region: str) -> None:
    reply = send(sign(server.endpoint, server.root_key, GCI, "sts", region=region))
    assert (reply.status, *reply.error()[1:]) == (
        403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region. ")


def test_unsigned_request_is_missing_authentication_token(server: RunningServer) -> None:
    reply = post(server.endpoint, GCI)
    assert reply.status == 403
    assert reply.error()[1] == "MissingAuthenticationToken"


def test_unknown_key_is_invalid_client_token_id(server: RunningServer) -> None:
    reply = send(sign(server.endpoint, ("AKIAIOSFODNN7EXAMPLE", "x" * 40), GCI, "sts"))
    assert reply.status == 403
    assert reply.error()[1:] == ("InvalidClientTokenId",
                                 "The security token included in the request is invalid.")


def test_wrong_secret_is_signature_does_not_match(server: RunningServer) -> None:
    reply = send(sign(server.endpoint, (server.root_key[0], "y" * 40), GCI, "sts"))
    assert reply.status == 403
    code, message = reply.error()[1:]
    assert code == "SignatureDoesNotMatch"
    assert message.startswith("The request signature we calculated does not match")


def test_body_changed_after_signing_is_signature_does_not_match(server: RunningServer) -> None:
    request = sign(server.endpoint, server.root_key, GCI, "sts")
    request.data = GCI.replace(b"GetCallerIdentity", b"GetCallerIdentitx")
    assert send(request).error()[1] == "SignatureDoesNotMatch"


def test_request_signed_16_minutes_ago_is_signature_expired(server: RunningServer) -> None:
    at = datetime.now(UTC) - timedelta(minutes=16)
    reply = send(sign(server.endpoint, server.root_key, GCI, "sts", at=at))
    assert reply.status == 403
    code, message = reply.error()[1:]
    assert code == "SignatureDoesNotMatch"
    assert message.startswith(f"Signature expired: {at:%Y%m%dT%H%M%SZ} is now earlier than ")
    assert message.endswith(" - 15 min.)")


def test_request_signed_14_minutes_ago_is_accepted(server: RunningServer) -> None:
    at = datetime.now(UTC) - timedelta(minutes=14)
    assert send(sign(server.endpoint, server.root_key, GCI, "sts", at=at)).status == 200


def test_request_signed_16_minutes_ahead_is_not_yet_current(server: RunningServer) -> None:
    at = datetime.now(UTC) + timedelta(minutes=16)
    code, message = send(sign(server.endpoint, server.root_key, GCI, "sts", at=at)).error()[1:]
    assert code == "SignatureDoesNotMatch"
    assert message.startswith(f"Signature not yet current: {at:%Y%m%dT%H%M%SZ} is still later")


def test_malformed_authorization_header_is_incomplete_signature(server: RunningServer) -> None:
    reply = post(server.endpoint, GCI, {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIA/x",
                                        "X-Amz-Date": "20260101T000000Z"})
    assert reply.status in (400, 403)
    assert reply.error()[1] == "IncompleteSignature"


def test_credential_scoped_to_another_service_is_rejected(server: RunningServer) -> None:
    reply = send(sign(server.endpoint, server.root_key, GCI, "s3"))
    assert reply.status == 403
    assert reply.error()[1:] == ("SignatureDoesNotMatch",
                                 "Credential should be scoped to correct service: 'sts'. ")


def test_presigned_get_caller_identity_url_verifies(server: RunningServer) -> None:
    # The way aws-iam-authenticator and Vault's AWS auth method prove an identity.
    request = presign(server.endpoint, server.root_key,
                      {"Action": "GetCallerIdentity", "Version": "2011-06-15"}, "sts",
                      headers={"x-k8s-aws-id": "my-cluster"})
    reply = send(request)
    assert reply.status == 200, reply.body
    assert "<Arn>arn:aws:iam::" in reply.body


def test_presigned_url_with_tampered_query_fails(server: RunningServer) -> None:
    request = presign(server.endpoint, server.root_key,
                      {"Action": "GetCallerIdentity", "Version": "2011-06-15"}, "sts")
    request.url = request.url.replace("Version=2011-06-15", "Version=2011-06-16")
    assert send(request).error()[1] == "SignatureDoesNotMatch"


def test_iam_call_signed_for_iam_service_with_iam_action(server: RunningServer) -> None:
    reply = send(sign(server.endpoint, server.root_key,
                      b"Action=ListUsers&Version=2010-05-08", "iam"))
    assert reply.status == 200
    assert "<ListUsersResult>" in reply.body


def test_unsigned_federation_call_says_it_is_not_implemented(server: RunningServer) -> None:
    reply = post(server.endpoint, b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
                                  b"&RoleArn=arn:aws:iam::123456789012:role/r"
                                  b"&RoleSessionName=s1&WebIdentityToken=x")
    assert reply.status == 501
    assert reply.error()[1] == "NotImplemented"
