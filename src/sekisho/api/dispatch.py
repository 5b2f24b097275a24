"""The request path: one lean ASGI app for the IAM and STS Query APIs.

    HTTP body (capped) -> form pairs -> SigV4 (header or presigned) -> caller
      -> operation from the model of the signed service -> typed, validated
         params -> handler (in a worker thread when it touches the store)
      -> XML from the output shape; any AwsError -> <ErrorResponse>

No framework sits on this path: a framework's per-request overhead rivals a
SigV4 check plus a policy decision (DESIGN.md, "Dependencies chosen").
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime, timedelta
from typing import Any

from sekisho import errors
from sekisho.api.context import Call, Handler, Params, Result, Services
from sekisho.api.registry import HANDLERS, INLINE
from sekisho.auth import sigv4
from sekisho.auth.credentials import KeyEntry
from sekisho.auth.signing_keys import SigningKeyCache
from sekisho.domain import ids
from sekisho.domain.authorization import invalid_token
from sekisho.domain.emulator import RESET_PATHS, Emulator
from sekisho.protocol.query import params_from_pairs, parse_pairs
from sekisho.protocol.serialize import serialize_error, serialize_result
from sekisho.protocol.service import Operation, Service, load_service
from sekisho.protocol.validate import validate
from sekisho.store.errors import Contention

log = logging.getLogger("sekisho.api")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_XML_HEADERS = [(b"content-type", b"text/xml")]
# STS operations that clients send unsigned (STS API reference).
UNSIGNED_STS_ACTIONS = frozenset({"AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"})
# Operations that only read (IAM and STS name them so).
READ_PREFIXES = ("Get", "List")
SERVICES = ("iam", "sts")
# A write that lost a race with a concurrent one (PostgreSQL) runs again, this often at
# most, after a short random pause that grows with each attempt.
CONTENTION_ATTEMPTS = 8
CONTENTION_PAUSE_SECONDS = 0.002


class _Request:
    """What the dispatcher learned about the request so far (for error rendering)."""

    __slots__ = ("request_id", "service")

    def __init__(self) -> None:
        self.request_id = ids.request_id()
        self.service = "iam"


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise errors.InvalidHttpRequest("The client closed the connection.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise errors.RequestEntityTooLarge(
                f"Request body must be at most {limit} bytes.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def source_ip(scope: Scope, trusted: tuple[Any, ...]) -> str:
    """`aws:SourceIp`: the peer, or the nearest untrusted hop of X-Forwarded-For when the
    peer is a trusted proxy (anyone else could write that header)."""
    client = scope.get("client")
    peer = client[0] if client else "0.0.0.0"
    if not trusted:
        return str(peer)
    hops = [str(peer)]
    forwarded = _header(scope, b"x-forwarded-for")
    if forwarded:
        hops = [h.strip() for h in forwarded.decode("latin-1").split(",") if h.strip()] + hops
    for hop in reversed(hops):
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return str(peer)
        if not any(address in net for net in trusted):
            return hop
    return hops[0]


def _single(pairs: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in pairs if k == name]
    if len(values) > 1:
        raise errors.InvalidQueryParameter(f"The parameter {name} is given more than once.")
    return values[0] if values else None


def run_handler(handler: Handler, call: Call, params: Params) -> Result:
    """The handler's result; a handler whose write lost a race runs again from the start.

    Handlers write in one transaction, so a refused one left nothing behind and a rerun
    sees the winner's write (an EntityAlreadyExists, a quota now reached). After
    CONTENTION_ATTEMPTS losses the client hears AWS's ConcurrentModification.
    """
    for attempt in range(CONTENTION_ATTEMPTS):
        try:
            return handler(call, params)
        except Contention:
            time.sleep(random.uniform(0, CONTENTION_PAUSE_SECONDS * 2 ** attempt))
    raise errors.ConcurrentModification(
        "The request was rejected because multiple requests to change this object were "
        "submitted simultaneously. Wait a few minutes and submit your request again.")


def _emulated(emulator: Emulator, access_key_id: str, now: datetime) -> KeyEntry:
    """Emulator mode: an unknown key is an account's root user; nothing is verified."""
    return KeyEntry(emulator.root_caller(access_key_id, now), True, "", emulated=True)


def _service_for(signed_service: str, action: str) -> Service:
    if signed_service in SERVICES:
        return load_service(signed_service)
    expected = "sts" if action in load_service("sts").operation_names else "iam"
    raise sigv4.scope_service_error(expected)


class SekishoApp:
    """The ASGI application. Built by `app.create_app`; holds no global state.

    With an `emulator` (emulator mode only) unknown access keys are accepted as an
    account's root user and the reset paths exist; without one they answer 404.
    """

    def __init__(self, services: Services, emulator: Emulator | None = None) -> None:
        self.services = services
        self.emulator = emulator
        self.signing_keys = SigningKeyCache()
        # Reads from a local SQLite file take microseconds: running them on the event loop
        # costs less than handing them to a worker thread. Network databases keep the hop.
        self._reads_inline = services.settings.uses_sqlite

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == "/_sekisho/health":
            await self._respond(send, 200, b"ok", [(b"content-type", b"text/plain")])
            return
        if scope["path"] in RESET_PATHS:
            await self._reset(scope, send)
            return
        request = _Request()
        try:
            body = await self._handle(scope, receive, request)
            await self._respond(send, 200, body, _XML_HEADERS, request.request_id)
        except errors.AwsError as exc:
            await self._error(send, exc, request)
        except Exception:
            log.exception("internal failure serving request %s", request.request_id)
            await self._error(send, errors.InternalFailure(
                "The request processing has failed because of an unknown error, exception "
                "or failure."), request)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.services.store.dispose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _reset(self, scope: Scope, send: Send) -> None:
        if self.emulator is None:
            await self._respond(send, 404, b"Not Found", [(b"content-type", b"text/plain")])
        elif scope["method"] != "POST":
            await self._respond(send, 405, b"Method Not Allowed",
                                [(b"content-type", b"text/plain"), (b"allow", b"POST")])
        else:
            if self._reads_inline:
                self.emulator.reset()
            else:
                await asyncio.to_thread(self.emulator.reset)
            log.info("emulator reset: all state wiped")
            # moto's server answers its reset with this JSON; suites may check it.
            await self._respond(send, 200, b'{"status": "ok"}',
                                [(b"content-type", b"application/json")])

    async def _respond(self, send: Send, status: int, body: bytes,
                       headers: list[tuple[bytes, bytes]], request_id: str = "") -> None:
        all_headers = [*headers, (b"content-length", str(len(body)).encode())]
        if request_id:
            all_headers.append((b"x-amzn-requestid", request_id.encode()))
        await send({"type": "http.response.start", "status": status, "headers": all_headers})
        await send({"type": "http.response.body", "body": body})

    async def _error(self, send: Send, exc: errors.AwsError, request: _Request) -> None:
        namespace = load_service(request.service).xml_namespace
        body = serialize_error(exc, request.request_id, namespace)
        await self._respond(send, exc.status, body, _XML_HEADERS, request.request_id)

    async def _handle(self, scope: Scope, receive: Receive, request: _Request) -> bytes:
        settings = self.services.settings
        method = scope["method"]
        if method not in ("GET", "POST"):
            raise errors.InvalidHttpRequest(f"Method {method} is not supported.")
        body = await _read_body(receive, settings.max_body_bytes)
        raw_query: bytes = scope.get("query_string", b"")
        pairs = parse_pairs(raw_query) if raw_query else []
        if body:
            pairs.extend(parse_pairs(body))
        action = _single(pairs, "Action")
        version = _single(pairs, "Version")
        if action is not None and action in load_service("sts").operation_names:
            request.service = "sts"

        # The raw path as received: the decoded `path` would sign wrongly for encoded bytes.
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        try:
            signed = sigv4.parse_signed_request(method, raw_path, raw_query, scope["headers"],
                                                body)
        except errors.MissingAuthenticationToken:
            if action in UNSIGNED_STS_ACTIONS and ("sts", action) not in HANDLERS:
                # Unsigned by design (the identity provider's assertion is the credential):
                # say that the operation is missing, not that a signature is.
                raise errors.NotImplementedOperation(
                    f"The operation {action} is not implemented by Sekisho.") from None
            raise
        sigv4.check_scope_region(signed.region)
        now = self.services.clock()
        entry = self._authenticate(signed, now)
        try:
            return await self._call(scope, request, signed, entry, pairs, action, version, now)
        finally:
            # The key made this request, whatever its outcome: GetAccessKeyLastUsed reports
            # "the last request made with that key" (IAM API reference), denied ones included.
            if signed.service in SERVICES:
                await self._note_key_use(entry, now, signed.service, signed.region)

    async def _call(self, scope: Scope, request: _Request, signed: sigv4.SignedRequest,
                    entry: KeyEntry, pairs: list[tuple[str, str]], action: str | None,
                    version: str | None, now: datetime) -> bytes:
        """The authenticated request's operation: looked up, validated, run, serialized."""
        settings = self.services.settings
        if action is None:
            raise errors.MissingAction("Could not find operation for version "
                                       f"{version or 'NO_VERSION_SPECIFIED'}")
        service = _service_for(signed.service, action)
        request.service = service.name
        op = self._operation(service, action, version)
        params = params_from_pairs([(k, v) for k, v in pairs if k not in ("Action", "Version")],
                                   op)
        validate(params, op)
        handler = HANDLERS.get((service.name, op.name))
        if handler is None:
            raise errors.NotImplementedOperation(
                f"The operation {op.name} is not implemented by Sekisho.")
        call = Call(self.services, entry.caller, request.request_id, service.name,
                    signed.region, source_ip(scope, settings.trusted_proxies), now)
        if (service.name, op.name) in INLINE or (self._reads_inline and op.name.startswith(
                READ_PREFIXES)):
            result = run_handler(handler, call, params)
        else:
            result = await asyncio.to_thread(run_handler, handler, call, params)
        return serialize_result(op, result, request.request_id)

    def _authenticate(self, signed: sigv4.SignedRequest, now: datetime) -> KeyEntry:
        credentials = self.services.credentials
        emulator = self.emulator
        if signed.session_token is not None or signed.access_key_id.startswith("ASIA"):
            try:
                entry = credentials.temporary(signed.access_key_id, signed.session_token, now,
                                              signed.service)
            except errors.InvalidClientTokenId:
                # A token the server did not issue is an unknown key; a known long-term
                # key sent with a token is still refused.
                if emulator is None or credentials.lookup(signed.access_key_id):
                    raise
                return _emulated(emulator, signed.access_key_id, now)
        else:
            found = credentials.lookup(signed.access_key_id)
            if found is None and emulator is not None:
                return _emulated(emulator, signed.access_key_id, now)
            if found is None or not found.active:
                raise invalid_token(signed.service)
            entry = found
        sigv4.verify_signature(signed, entry.secret, now, keys=self.signing_keys,
                               max_skew=timedelta(
                                   seconds=self.services.settings.max_clock_skew_seconds))
        return entry

    @staticmethod
    def _operation(service: Service, action: str, version: str | None) -> Operation:
        # AWS looks the operation up by (Action, Version); without a Version it
        # reports the lookup failure under the placeholder NO_VERSION_SPECIFIED.
        if version != service.api_version:
            raise errors.InvalidAction(
                f"Could not find operation {action} for version "
                f"{version or 'NO_VERSION_SPECIFIED'}")
        return service.operation(action)

    async def _note_key_use(self, entry: KeyEntry, now: datetime, service: str,
                            region: str) -> None:
        key_id = entry.caller.access_key_id
        if entry.emulated or not self.services.last_used.due(key_id, now, service, region):
            return

        await asyncio.to_thread(
            self.services.store.write_best_effort,
            lambda tx: tx.record_key_use(key_id, now, service, region),
            "the last use of an access key")

