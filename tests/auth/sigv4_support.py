"""Helpers for the SigV4 tests: raw HTTP test-suite files, requests, mutations.

The AWS test suite's `.sreq` files are raw HTTP/1.1 requests with LF line
ends. They are parsed the way an HTTP server hands a request to ASGI: header
names lower-cased, optional whitespace around values stripped, obsolete line
folding (a line starting with a space or tab) replaced by one space
(RFC 9112 section 5.2), repeated headers kept in order, and the request target
split at its first `?` with the path left undecoded. The request line is
split at its first and last space because the suite's paths hold spaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest

from sekisho.auth.sigv4 import SignedRequest, parse_signed_request

SUITE_DIR = Path(__file__).resolve().parents[1] / "data" / "sigv4"
SUITE_ACCESS_KEY = "AKIDEXAMPLE"
SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)


@dataclass(frozen=True)
class RawRequest:
    """A request as an ASGI server would hand it over."""

    method: str
    path: bytes
    query: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    def parse(self) -> SignedRequest:
        return parse_signed_request(self.method, self.path, self.query, self.headers, self.body)

    def with_header(self, index: int, value: bytes) -> RawRequest:
        headers = list(self.headers)
        headers[index] = (headers[index][0], value)
        return replace(self, headers=tuple(headers))


def suite_cases() -> list[Path]:
    """Every `.sreq` file of the suite, sorted."""
    return sorted(SUITE_DIR.rglob("*.sreq"))


def parse_http(raw: bytes) -> RawRequest:
    """Parse one raw HTTP/1.1 request (see the module docstring)."""
    head, separator, body = raw.partition(b"\n\n")
    if not separator:
        body = b""
    lines = head.split(b"\n")
    request_line = lines[0]
    method, _, rest = request_line.partition(b" ")
    target, _, _version = rest.rpartition(b" ")
    path, _, query = target.partition(b"?")
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + line.strip(b" \t"))
            continue
        name, _, value = line.partition(b":")
        headers.append((name.strip().lower(), value.strip(b" \t")))
    return RawRequest(method.decode("ascii"), path, query, tuple(headers), body)


def load_case(sreq: Path) -> RawRequest:
    return parse_http(sreq.read_bytes())


def flipped(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Each single-byte change of `data`: the byte XOR 0x01, at every position."""
    for index in range(len(data)):
        yield index, data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def signed_header_indexes(request: RawRequest, signed: tuple[str, ...]) -> list[int]:
    names = {name.encode() for name in signed}
    return [i for i, (name, _) in enumerate(request.headers) if name in names]


def authorization_index(request: RawRequest) -> int:
    for index, (name, _) in enumerate(request.headers):
        if name == b"authorization":
            return index
    raise LookupError("no Authorization header")


def from_prepared(request: AWSPreparedRequest) -> RawRequest:
    """A botocore request as a server receives it: Host comes from the URL."""
    url = urlsplit(request.url)
    headers = [(b"host", url.netloc.encode())]
    for name, value in request.headers.items():
        raw = value if isinstance(value, bytes) else value.encode("utf-8")
        headers.append((name.lower().encode(), raw))
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return RawRequest(request.method, url.path.encode(), url.query.encode(), tuple(headers), body)
