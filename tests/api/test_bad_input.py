"""Bad input gets AWS's 4xx error, never a 500 or a traceback, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.raw import send, sign
from tests.support.server import RunningServer

V = "Version=2010-05-08"

# (what is wrong, form body, expected code)
BAD_BODIES: list[tuple[str, bytes, str]] = [
    ("bad percent-encoding", b"Action=CreateUser&UserName=%ZZbad&" + V.encode(),
     "MalformedQueryString"),
    ("invalid utf-8", b"Action=CreateUser&UserName=%FF%FEx&" + V.encode(),
     "MalformedQueryString"),
    ("non-ascii name", "Action=CreateUser&UserName=b\u00e9b&".encode() + V.encode(),
     "ValidationError"),
    ("empty name", b"Action=CreateUser&UserName=&" + V.encode(), "ValidationError"),
    ("missing name", b"Action=CreateUser&" + V.encode(), "ValidationError"),
    ("path without slashes", b"Action=CreateUser&UserName=p1&Path=a%2Fb&" + V.encode(),
     "ValidationError"),
    ("path without trailing slash", b"Action=CreateUser&UserName=p2&Path=%2Fa%2Fb&" + V.encode(),
     "ValidationError"),
    ("unknown parameter", b"Action=CreateUser&UserName=u1&Bogus=1&" + V.encode(),
     "InvalidQueryParameter"),
    ("duplicate key", b"Action=CreateUser&UserName=d1&UserName=d2&" + V.encode(), ""),
    ("tag without key", b"Action=CreateUser&UserName=t1&Tags.member.1.Value=v&" + V.encode(),
     "ValidationError"),
    ("list index zero", b"Action=CreateUser&UserName=t2&Tags.member.0.Key=k&Tags.member.0.Value=v&"
     + V.encode(), ""),
    ("MaxItems not a number", b"Action=ListUsers&MaxItems=lots&" + V.encode(), ""),
    ("MaxItems zero", b"Action=ListUsers&MaxItems=0&" + V.encode(), "ValidationError"),
    ("MaxItems too large", b"Action=ListUsers&MaxItems=1001&" + V.encode(), "ValidationError"),
    ("unknown action", b"Action=CreateUnicorn&" + V.encode(), "InvalidAction"),
    ("missing action", V.encode(), "MissingAction"),
    ("action twice", b"Action=CreateUser&Action=DeleteUser&UserName=twice&" + V.encode(),
     "InvalidQueryParameter"),
    ("wrong version", b"Action=CreateUser&UserName=v1&Version=2099-01-01", "InvalidAction"),
    ("missing version", b"Action=CreateUser&UserName=v2", "InvalidAction"),
    ("oversized body", b"Action=CreateUser&UserName=big&" + V.encode() + b"&Path=%2F"
     + b"a" * 2_000_000 + b"%2F", "RequestEntityTooLarge"),
    ("binary garbage", bytes(range(256)) * 4, ""),
    ("bad boolean", b"Action=ListUsers&" + V.encode() + b"&IsTruncated=maybe", ""),
]


def _users(iam: Any) -> list[str]:
    return sorted(u["UserName"] for u in iam.list_users()["Users"])


@pytest.mark.parametrize(("why", "body", "code"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_request_gets_aws_4xx_error(server: RunningServer, why: str, body: bytes,
                                        code: str) -> None:
    reply = send(sign(server.endpoint, server.root_key, body, "iam"))
    assert 400 <= reply.status < 500, (why, reply.status, reply.body)
    kind, got_code, _ = reply.error()
    assert kind == "Sender"
    if code:
        assert got_code == code, (why, reply.body)
    assert "Traceback" not in reply.body and 'File "' not in reply.body


def test_batch_of_bad_requests_leaves_state_unchanged(server: RunningServer, iam: Any) -> None:
    before = _users(iam)
    for _, body, _ in BAD_BODIES:
        send(sign(server.endpoint, server.root_key, body, "iam"))
    assert _users(iam) == before
