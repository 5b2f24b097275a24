"""Hand-made HTTP requests, signed with botocore's own SigV4 signer, for wire-level tests."""

from __future__ import annotations

import http.client
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from unittest import mock

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

NS = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/",
      "sts": "https://sts.amazonaws.com/doc/2011-06-15/"}


@dataclass(frozen=True)
class Reply:
    status: int
    body: str

    def error(self) -> tuple[str, str, str]:
        """(Type, Code, Message) of an ErrorResponse."""
        root = ET.fromstring(self.body)
        err = root.find("{*}Error")
        assert err is not None, self.body
        return (err.findtext("{*}Type") or "", err.findtext("{*}Code") or "",
                err.findtext("{*}Message") or "")


def sign(endpoint: str, key: tuple[str, str], body: bytes, service: str,
         region: str = "us-east-1", at: datetime | None = None,
         headers: dict[str, str] | None = None) -> AWSRequest:
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **(headers or {})})
    signer = SigV4Auth(Credentials(*key), service, region)
    if at is None:
        signer.add_auth(request)
    else:
        # botocore reads the time through this one function: freeze it there.
        with mock.patch("botocore.auth.get_current_datetime",
                        return_value=at.replace(tzinfo=None)):
            signer.add_auth(request)
    return request


def presign(endpoint: str, key: tuple[str, str], params: dict[str, str], service: str,
            expires: int = 60, region: str = "us-east-1",
            headers: dict[str, str] | None = None) -> AWSRequest:
    url = endpoint + "/?" + urllib.parse.urlencode(params)
    request = AWSRequest(method="GET", url=url, headers=headers or {})
    SigV4QueryAuth(Credentials(*key), service, region, expires=expires).add_auth(request)
    return request


def send(request: AWSRequest) -> Reply:
    prepared = request.prepare()
    parts = urllib.parse.urlsplit(prepared.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    body = prepared.body if isinstance(prepared.body, bytes) else (prepared.body or "").encode()
    conn.request(prepared.method, path, body=body, headers=dict(prepared.headers))
    response = conn.getresponse()
    reply = Reply(response.status, response.read().decode("utf-8", errors="replace"))
    conn.close()
    return reply


def post(endpoint: str, body: bytes, headers: dict[str, str] | None = None) -> Reply:
    """An unsigned POST."""
    parts = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    conn.request("POST", "/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    response = conn.getresponse()
    reply = Reply(response.status, response.read().decode("utf-8", errors="replace"))
    conn.close()
    return reply
