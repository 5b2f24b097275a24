"""The cost of one SigV4 verification, in microseconds.

Signs a typical IAM `GetUser` POST and a presigned STS `GetCallerIdentity`
GET with botocore, then times `parse_signed_request` + `verify_signature`
with a warm signing-key cache and with a cold one (the key derived anew each
time), and the two steps apart. Prints the best of several short rounds, in
CPU time of the measuring thread.

    .venv/bin/python bench/sigv4_bench.py [--rounds 5] [--iterations 5000]
"""

from __future__ import annotations

import argparse
import hmac
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sekisho.auth.sigv4 import SigningKeyCache, parse_signed_request, verify_signature

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREDENTIALS = Credentials("AKIAIOSFODNN7EXAMPLE", SECRET)

Request = tuple[str, bytes, bytes, list[tuple[bytes, bytes]], bytes]


def _as_received(request: AWSRequest) -> Request:
    prepared = request.prepare()
    url = urlsplit(prepared.url)
    headers = [(b"host", url.netloc.encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in prepared.headers.items()]
    headers += [(b"user-agent", b"Boto3/1.34 md/Botocore#1.34 ua/2.0 os/linux lang/python#3.11")]
    body = prepared.body or b""
    body = body.encode() if isinstance(body, str) else body
    return prepared.method, url.path.encode(), url.query.encode(), headers, body


def _signed_requests() -> dict[str, Request]:
    botocore.auth.get_current_datetime = lambda *_a, **_k: SIGNED_AT.replace(tzinfo=None)
    post = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8080/",
        data=b"Action=GetUser&Version=2010-05-08",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    botocore.auth.SigV4Auth(CREDENTIALS, "iam", "us-east-1").add_auth(post)
    presign = AWSRequest(
        method="GET",
        url="http://127.0.0.1:8080/",
        params={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        headers={"x-k8s-aws-id": "my-cluster"},
    )
    botocore.auth.SigV4QueryAuth(CREDENTIALS, "sts", "us-east-1", expires=60).add_auth(presign)
    return {"header GetUser POST": _as_received(post), "presigned GET": _as_received(presign)}


def _time(operation: Callable[[], None], iterations: int, rounds: int) -> float:
    """Best over `rounds` of the mean CPU cost of one call, in microseconds.

    CPU time of this thread rather than wall time, and the best round rather
    than the median: the machine is shared, and time spent descheduled is not
    a cost of the verifier.
    """
    results = []
    for _ in range(rounds):
        start = time.thread_time_ns()
        for _ in range(iterations):
            operation()
        results.append((time.thread_time_ns() - start) / iterations / 1000)
    return min(results)


def _measure(request: Request, iterations: int, rounds: int) -> dict[str, float]:
    method, path, query, headers, body = request
    warm = SigningKeyCache()
    parsed = parse_signed_request(method, path, query, headers, body)
    verify_signature(parsed, SECRET, SIGNED_AT, keys=warm)

    def parse_only() -> None:
        parse_signed_request(method, path, query, headers, body)

    def verify_warm() -> None:
        verify_signature(parsed, SECRET, SIGNED_AT, keys=warm)

    def both_warm() -> None:
        signed = parse_signed_request(method, path, query, headers, body)
        verify_signature(signed, SECRET, SIGNED_AT, keys=warm)

    def both_cold() -> None:
        signed = parse_signed_request(method, path, query, headers, body)
        verify_signature(signed, SECRET, SIGNED_AT)

    return {
        "parse only": _time(parse_only, iterations, rounds),
        "verify only, warm key cache": _time(verify_warm, iterations, rounds),
        "parse + verify, warm key cache": _time(both_warm, iterations, rounds),
        "parse + verify, cold (key derived)": _time(both_cold, iterations, rounds),
    }


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rounds", type=int, default=5)
    options.add_argument("--iterations", type=int, default=5000)
    args = options.parse_args()
    key, message = b"k" * 32, b"m" * 120

    def one_hmac() -> None:
        hmac.digest(key, message, "sha256")

    # A yardstick for the machine's current speed: one HMAC-SHA256 of 120 bytes.
    print(f"reference: one HMAC-SHA256 {_time(one_hmac, args.iterations, args.rounds):7.2f} us")
    for name, request in _signed_requests().items():
        print(f"{name}:")
        for label, micros in _measure(request, args.iterations, args.rounds).items():
            print(f"  {label:<36} {micros:7.2f} us")


if __name__ == "__main__":
    main()
