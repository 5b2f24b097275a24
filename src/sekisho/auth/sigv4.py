"""AWS Signature Version 4 verification, pure: no I/O and no clock of its own.

Two steps, so that the caller can look the access key up in between:

    parse_signed_request(method, raw_path, raw_query, headers, body) -> SignedRequest
        finds the credentials in the `Authorization` header or in a presigned
        query string, and rebuilds the canonical request (the body is hashed
        here, once).
        raises MissingAuthenticationToken, IncompleteSignature,
               SignatureDoesNotMatch (both header and query credentials)
    verify_signature(req, secret_access_key, now, keys=..., max_skew=...) -> None
        checks the clock skew, the presigned expiry, the credential scope and
        the signature (in constant time).
        raises SignatureDoesNotMatch

The canonical request follows the SigV4 specification and AWS's test suite
(https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):

- path: dot segments and empty segments removed (RFC 3986 5.2.4, as every
  service but S3 does), then each byte outside the unreserved set
  percent-encoded. The path is encoded *as received*, so an already-encoded
  `%41` becomes `%2541`: the "double encoding" the SDKs (botocore, Go) sign
  for non-S3 services. IAM and STS are always called on `/`.
- query: pairs split on `&` and `=`, decoded (`+` is a space, as the SDKs
  send it) and re-encoded strictly, sorted by name then value; in a presigned
  request `X-Amz-Signature` is left out.
- headers: exactly those named in SignedHeaders, in that order; each value
  trimmed with runs of whitespace collapsed, repeated headers joined with
  commas in arrival order; a listed header that is absent contributes no line.
- payload: SHA-256 of the raw body. `UNSIGNED-PAYLOAD` is accepted only when
  the body is empty, so it can never leave request parameters unsigned.

Messages are AWS's own wording (Coral services' `IncompleteSignature` and
`SignatureDoesNotMatch` texts). The service in the credential scope is only
reported: the dispatcher decides which services it answers
(`scope_service_error` builds AWS's message for a wrong one), and any signing
region is accepted because clients sign IAM calls with their own region.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote_to_bytes

from sekisho.auth.signing_keys import SigningKeyCache, derive_signing_key
from sekisho.errors import IncompleteSignature, MissingAuthenticationToken, SignatureDoesNotMatch

__all__ = [
    "ALGORITHM",
    "MAX_SKEW",
    "SignedRequest",
    "SigningKeyCache",
    "parse_signed_request",
    "scope_service_error",
    "verify_signature",
]

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = timedelta(minutes=15)
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

MSG_MISSING_TOKEN = "Request is missing Authentication Token"
MSG_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
MSG_HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
MSG_BOTH_AUTH = (
    "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
)

_BASIC_FORMAT = "%Y%m%dT%H%M%SZ"
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# RFC 3986 unreserved characters: the only ones SigV4 leaves unencoded.
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_ENCODED = tuple(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in range(256))
_ENCODED_PATH = tuple("/" if b == 0x2F else _ENCODED[b] for b in range(256))
# A query already in canonical form holds only unreserved characters, `=`,
# `&` and upper-case escapes of other bytes. SDKs send exactly that, so the
# common case skips decoding and re-encoding every pair.
_QUERY_SYNTAX = _UNRESERVED + b"=&%"
_NON_CANONICAL_ESCAPE = re.compile(
    rb"%(?![0-9A-F]{2})|%(?:[46][1-9A-F]|[57][0-9A]|3[0-9]|2[DE]|5F|7E)"
)
# The Authorization header every SDK sends; anything else takes the general parser.
_PLAIN_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^\s,=]+), ?SignedHeaders=([^\s,=]*), ?Signature=([^\s,=]+)"
)


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What a SigV4-signed request claims, plus its canonical form.

    `request_time` is aware (UTC). `session_token` is the caller's
    `X-Amz-Security-Token`, signed or not: its own seal must be checked by
    whoever resolves it. `expires_seconds` is a presigned URL's
    `X-Amz-Expires` when it is a number (None otherwise, and for header
    authentication); it is reported, not enforced (see `verify_signature`).
    Fields starting with `_` are for `verify_signature` only.
    """

    access_key_id: str
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    request_time: datetime
    session_token: str | None = field(repr=False)
    presigned: bool
    expires_seconds: int | None
    _terminator: str = field(repr=False)
    _amz_date: str = field(repr=False)
    _canonical_prefix: bytes = field(repr=False)
    _payload_hashes: tuple[str, ...] = field(repr=False)

    @property
    def credential_scope(self) -> str:
        """`date/region/service/terminator`, as the caller sent it."""
        return f"{self.scope_date}/{self.region}/{self.service}/{self._terminator}"

    def canonical_request(self) -> bytes:
        """The canonical request with the body's own hash (for diagnostics and tests)."""
        return self._canonical_prefix + self._payload_hashes[0].encode()

    def string_to_sign(self) -> bytes:
        """The string to sign for `canonical_request()`."""
        return _string_to_sign(self, self._payload_hashes[0])


class _AuthParts(NamedTuple):
    credential: str
    signed_headers: str
    signature: str
    timestamp: str
    from_date_header: bool
    session_token: str | None
    expires: int | None


# --- parsing


def parse_signed_request(
    method: str,
    raw_path: str | bytes,
    raw_query: bytes,
    headers: Sequence[tuple[bytes, bytes]],
    body: bytes,
) -> SignedRequest:
    """Find a request's SigV4 credentials and rebuild its canonical request.

    `raw_path` is the path exactly as received, not percent-decoded: bytes
    are used as they are, a str is taken as those bytes decoded as Latin-1
    (as UTF-8 only if it holds characters Latin-1 lacks). `raw_query` is the
    raw query string, `headers` ASGI raw headers (names in any case, possibly
    repeated), `body` the raw body.

    Raises `MissingAuthenticationToken` when the request carries no SigV4
    credentials, `IncompleteSignature` when they are malformed or incomplete
    (each with AWS's message), and `SignatureDoesNotMatch` when both the
    `Authorization` header and `X-Amz-Algorithm` in the query are present.
    """
    header_map = _header_map(headers)
    query = _parse_query(raw_query)
    authorization = header_map.get(b"authorization")
    algorithm = _first(query, b"X-Amz-Algorithm")
    if authorization is not None and algorithm is not None:
        raise SignatureDoesNotMatch(MSG_BOTH_AUTH)
    if authorization is not None:
        parts = _from_authorization(authorization[0].decode("latin-1"), header_map)
        presigned = False
    elif algorithm is not None:
        parts = _from_query(algorithm, query)
        presigned = True
    else:
        raise MissingAuthenticationToken(MSG_MISSING_TOKEN)

    request_time, amz_date = _parse_timestamp(parts.timestamp, parts.from_date_header)
    credential = parts.credential.split("/")
    if len(credential) != 5:
        raise IncompleteSignature(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{parts.credential}'"
        )
    signed_names = tuple(parts.signed_headers.split(";")) if parts.signed_headers else ()
    prefix = b"".join(
        (
            method.encode("latin-1", "replace"),
            b"\n",
            _canonical_path(raw_path),
            b"\n",
            _canonical_query(query, skip_signature=presigned),
            b"\n",
            _canonical_headers(signed_names, header_map),
            b"\n",
            parts.signed_headers.encode("latin-1"),
            b"\n",
        )
    )
    payload_hashes: tuple[str, ...] = (hashlib.sha256(body).hexdigest(),)
    if not body:
        payload_hashes = (_EMPTY_SHA256, UNSIGNED_PAYLOAD)
    return SignedRequest(
        access_key_id=credential[0],
        scope_date=credential[1],
        region=credential[2],
        service=credential[3],
        signed_headers=signed_names,
        signature=parts.signature,
        request_time=request_time,
        session_token=parts.session_token,
        presigned=presigned,
        expires_seconds=parts.expires,
        _terminator=credential[4],
        _amz_date=amz_date,
        _canonical_prefix=prefix,
        _payload_hashes=payload_hashes,
    )


def _header_map(headers: Sequence[tuple[bytes, bytes]]) -> dict[bytes, list[bytes]]:
    mapped: dict[bytes, list[bytes]] = {}
    for name, value in headers:
        mapped.setdefault(name.lower(), []).append(value)
    return mapped


@dataclass(frozen=True, slots=True)
class _Query:
    """Query pairs: as sent when the query is `canonical`, decoded otherwise.

    `first` maps each name to its first value, as sent.
    """

    pairs: list[tuple[bytes, bytes]]
    canonical: bool
    first: dict[bytes, bytes]


def _parse_query(raw_query: bytes) -> _Query:
    """Split a query string; empty pieces are dropped, `+` means a space."""
    pieces = [piece.partition(b"=") for piece in raw_query.split(b"&") if piece]
    if _is_canonical_query(raw_query) and all(b"=" not in v for _, _, v in pieces):
        pairs = [(name, value) for name, _, value in pieces]
        canonical = True
    else:
        pairs = [(_unquote(name), _unquote(value)) for name, _, value in pieces]
        canonical = False
    first: dict[bytes, bytes] = {}
    for name, value in reversed(pairs):
        first[name] = value
    return _Query(pairs, canonical, first)


def _is_canonical_query(raw_query: bytes) -> bool:
    if raw_query.translate(None, _QUERY_SYNTAX):
        return False
    return b"%" not in raw_query or _NON_CANONICAL_ESCAPE.search(raw_query) is None


def _unquote(raw: bytes) -> bytes:
    if b"+" in raw:
        raw = raw.replace(b"+", b" ")
    return unquote_to_bytes(raw) if b"%" in raw else raw


def _first(query: _Query, name: bytes) -> str | None:
    # Names looked up are all unreserved, so in a canonical query the name as
    # sent equals the decoded name.
    value = query.first.get(name)
    if value is None:
        return None
    return (_unquote(value) if query.canonical else value).decode("latin-1")


def _from_authorization(header: str, header_map: dict[bytes, list[bytes]]) -> _AuthParts:
    header = header.strip()
    amz_date = header_map.get(b"x-amz-date")
    date = amz_date or header_map.get(b"date")
    plain = _PLAIN_AUTHORIZATION.fullmatch(header)
    if plain is not None and date is not None:
        return _header_parts(plain[1], plain[2], plain[3], date[0], amz_date is None, header_map)
    scheme, _, rest = header.partition(" ")
    if not scheme.startswith("AWS4-"):
        # Coral services answer a non-SigV4 scheme as if no credentials were sent.
        raise MissingAuthenticationToken(MSG_MISSING_TOKEN)
    params: dict[str, str] = {}
    for piece in rest.split(","):
        piece = piece.strip()
        if not piece:
            continue
        name, equals, value = piece.partition("=")
        if not equals:
            raise IncompleteSignature(
                f"'{piece}' not a valid key=value pair (missing equal-sign) "
                f"in Authorization header: '{header}'"
            )
        params[name] = value
    missing: list[str] = []
    missing += [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature")
        if not params.get(name)
    ]
    if "SignedHeaders" not in params:
        missing.append("Authorization header requires 'SignedHeaders' parameter.")
    if date is None:
        missing.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if missing or date is None:
        raise IncompleteSignature(" ".join(missing) + f" Authorization={scheme}")
    if scheme != ALGORITHM:
        raise IncompleteSignature(
            f"Unsupported AWS 'algorithm': '{scheme}' (only {ALGORITHM} for now). "
        )
    return _header_parts(
        params["Credential"],
        params["SignedHeaders"],
        params["Signature"],
        date[0],
        amz_date is None,
        header_map,
    )


def _header_parts(
    credential: str,
    signed_headers: str,
    signature: str,
    date: bytes,
    from_date_header: bool,
    header_map: dict[bytes, list[bytes]],
) -> _AuthParts:
    token = header_map.get(b"x-amz-security-token")
    return _AuthParts(
        credential=credential,
        signed_headers=signed_headers,
        signature=signature,
        timestamp=date.decode("latin-1").strip(),
        from_date_header=from_date_header,
        session_token=token[0].decode("latin-1") if token else None,
        expires=None,
    )


_QUERY_REQUIRED = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-SignedHeaders",
    "X-Amz-Date",
)


def _from_query(algorithm: str, query: _Query) -> _AuthParts:
    found = {name: _first(query, name.encode()) for name in _QUERY_REQUIRED}
    absent = [name for name, value in found.items() if not value]
    missing = [f"AWS query-string parameters must include '{name}'." for name in absent]
    if missing:
        raise IncompleteSignature(" ".join(missing) + " Re-examine the query-string parameters.")
    if algorithm != ALGORITHM:
        raise MissingAuthenticationToken(MSG_MISSING_TOKEN)
    return _AuthParts(
        credential=found["X-Amz-Credential"] or "",
        signed_headers=found["X-Amz-SignedHeaders"] or "",
        signature=found["X-Amz-Signature"] or "",
        timestamp=found["X-Amz-Date"] or "",
        from_date_header=False,
        session_token=_first(query, b"X-Amz-Security-Token"),
        expires=_parse_expires(_first(query, b"X-Amz-Expires")),
    )


def _parse_expires(value: str | None) -> int | None:
    # Reported only. STS ignores X-Amz-Expires: a presigned request lives for
    # the fixed skew window after X-Amz-Date (aws-iam-authenticator relies on
    # it, signing with X-Amz-Expires=60 tokens that are used for 15 minutes).
    # A value too long for an int (Python refuses over 4,300 digits) is no duration either.
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None
    return int(value)


def _parse_timestamp(value: str, from_date_header: bool) -> tuple[datetime, str]:
    """Return the aware request time and its `YYYYMMDDTHHMMSSZ` form."""
    if from_date_header:
        parsed = _parse_http_date(value)
        if parsed is not None:
            return parsed, parsed.strftime(_BASIC_FORMAT)
    else:
        parsed = _parse_basic(value)
        if parsed is not None:
            return parsed, value
    raise IncompleteSignature(
        f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


# Requests signed in the same second share their timestamp; parse it once.
@lru_cache(maxsize=1024)
def _parse_basic(value: str) -> datetime | None:
    if len(value) != 16 or value[8] != "T" or value[15] != "Z":
        return None
    digits = value[:8] + value[9:15]
    if not (digits.isascii() and digits.isdigit()):
        return None
    try:
        return datetime(
            int(value[0:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[9:11]),
            int(value[11:13]),
            int(value[13:15]),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def _parse_http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):  # Overflow: past year 9999
        return None


# --- canonical request pieces


def _canonical_path(raw_path: str | bytes) -> bytes:
    path = _path_bytes(raw_path) if isinstance(raw_path, str) else raw_path
    if path == b"/":
        return path
    return _encode(_remove_dot_segments(path), _ENCODED_PATH).encode("ascii")


def _encode(data: bytes, table: tuple[str, ...] = _ENCODED) -> str:
    """Percent-encode every byte outside the unreserved set (and `/` for paths)."""
    if not data.translate(None, _UNRESERVED):
        return data.decode("ascii")
    return "".join([table[byte] for byte in data])


def _path_bytes(raw_path: str) -> bytes:
    # A raw path held in a str is its bytes decoded as Latin-1 (byte for byte,
    # as ASGI's raw_path bytes decode); only a str that cannot have come from
    # there is taken as UTF-8 text.
    try:
        return raw_path.encode("latin-1")
    except UnicodeEncodeError:
        return raw_path.encode("utf-8")


def _remove_dot_segments(path: bytes) -> bytes:
    """RFC 3986 5.2.4 plus collapsing of empty segments, as AWS services expect."""
    if not path:
        return b"/"
    kept: list[bytes] = []
    for segment in path.split(b"/"):
        if not segment or segment == b".":
            continue
        if segment == b"..":
            if kept:
                kept.pop()
        else:
            kept.append(segment)
    first = b"/" if path.startswith(b"/") else b""
    last = b"/" if path.endswith(b"/") and kept else b""
    return first + b"/".join(kept) + last


def _canonical_query(query: _Query, *, skip_signature: bool) -> bytes:
    pairs = query.pairs
    if skip_signature:
        pairs = [pair for pair in pairs if pair[0] != b"X-Amz-Signature"]
    if not pairs:
        return b""
    if query.canonical:
        return b"&".join(name + b"=" + value for name, value in sorted(pairs))
    encoded = sorted((_encode(name), _encode(value)) for name, value in pairs)
    return "&".join(f"{name}={value}" for name, value in encoded).encode("ascii")


def _canonical_headers(names: tuple[str, ...], header_map: dict[bytes, list[bytes]]) -> bytes:
    lines: list[bytes] = []
    for name in names:
        encoded = name.encode("latin-1")
        values = header_map.get(encoded.lower())
        if values is None:
            continue
        joined = b",".join(b" ".join(value.split()) for value in values)
        lines.append(encoded + b":" + joined + b"\n")
    return b"".join(lines)


# --- verification


def verify_signature(
    req: SignedRequest,
    secret_access_key: str,
    now: datetime,
    *,
    keys: SigningKeyCache | None = None,
    max_skew: timedelta = MAX_SKEW,
) -> None:
    """Check that `req` was signed with `secret_access_key` and is still fresh.

    `now` is the server's clock (aware; a naive value is taken as UTC). The
    request time must lie within `max_skew` of it either way. That is also a
    presigned URL's whole life: outside S3, AWS ignores `X-Amz-Expires` and
    gives presigned requests the same fixed window as any signed request.
    Raises `SignatureDoesNotMatch` with AWS's message for a stale or future
    request (an expired presigned URL among them), an unsigned `host`, a bad
    scope terminator or date, and a wrong signature.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    _check_freshness(req, now, max_skew)
    if not any(name.lower() in ("host", ":authority") for name in req.signed_headers):
        raise SignatureDoesNotMatch(MSG_HOST_NOT_SIGNED)
    _check_scope(req)
    signing_key = (
        keys.get(secret_access_key, req.scope_date, req.region, req.service)
        if keys is not None
        else derive_signing_key(secret_access_key, req.scope_date, req.region, req.service)
    )
    provided = req.signature.encode("latin-1")
    for payload_hash in req._payload_hashes:
        expected = hmac.digest(signing_key, _string_to_sign(req, payload_hash), "sha256")
        if hmac.compare_digest(expected.hex().encode(), provided):
            return
    raise SignatureDoesNotMatch(MSG_MISMATCH)


def _string_to_sign(req: SignedRequest, payload_hash: str) -> bytes:
    canonical_hash = hashlib.sha256(req._canonical_prefix + payload_hash.encode()).hexdigest()
    text = f"{ALGORITHM}\n{req._amz_date}\n{req.credential_scope}\n{canonical_hash}"
    return text.encode("latin-1")


def scope_service_error(expected_service: str) -> SignatureDoesNotMatch:
    """The error AWS sends when the credential scope names another service."""
    return SignatureDoesNotMatch(
        f"Credential should be scoped to correct service: '{expected_service}'. "
    )


# Region names as AWS forms them (us-east-1, us-gov-west-1, cn-north-1); any such name is
# accepted, since clients sign IAM calls with their own region when given an endpoint.
_REGION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_REGION_LENGTH = 64


def check_scope_region(region: str) -> None:
    """SignatureDoesNotMatch unless the credential scope's region is shaped like one."""
    if len(region) > MAX_REGION_LENGTH or not _REGION.fullmatch(region):
        raise SignatureDoesNotMatch("Credential should be scoped to a valid region. ")


def _check_freshness(req: SignedRequest, now: datetime, max_skew: timedelta) -> None:
    signed_at = req.request_time
    if signed_at < now - max_skew:
        raise SignatureDoesNotMatch(
            f"Signature expired: {req._amz_date} is now earlier than "
            f"{_basic(now - max_skew)} ({_basic(now)} - {_duration(max_skew)}.)"
        )
    if signed_at > now + max_skew:
        raise SignatureDoesNotMatch(
            f"Signature not yet current: {req._amz_date} is still later than "
            f"{_basic(now + max_skew)} ({_basic(now)} + {_duration(max_skew)}.)"
        )


def _check_scope(req: SignedRequest) -> None:
    problems: list[str] = []
    if req._terminator != "aws4_request":
        problems.append(
            "Credential should be scoped with a valid terminator: "
            f"'aws4_request', not '{req._terminator}'. "
        )
    if req.scope_date != req._amz_date[:8]:
        problems.append(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{req.scope_date}' != '{req._amz_date[:8]}', from '{req._amz_date}'. "
        )
    if problems:
        raise SignatureDoesNotMatch("".join(problems))


def _basic(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_BASIC_FORMAT)


def _duration(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} sec"
