"""Encoded authorization failure messages, and decoding them (STS DecodeAuthorizationMessage).

Some AWS services (EC2 is the best known) answer a denied request with
"Encoded authorization failure message: <blob>"; the blob says why the
request was denied, and only a principal allowed `sts:DecodeAuthorizationMessage`
may read it ("the details of the authorization status can contain privileged
information that the user who requested the operation should not see", STS API
reference, DecodeAuthorizationMessage). The IAM and STS operations themselves
never encode their AccessDenied messages (their own wording names the action
and the missing policy type), so no Sekisho operation sends one: `encode_denial`
is for services built on Sekisho's authorizer, and for tests.

The decoded document is the JSON AWS returns (every list wrapped in `items`):

    {"allowed": false, "explicitDeny": true,
     "matchedStatements": {"items": [{"statementId", "effect": "DENY"|"ALLOW",
         "principals": {"items": [{"value": id}]}, "principalGroups": {"items": []},
         "actions": {"items": [...]}, "resources": {"items": [...]},
         "conditions": {"items": [{"key", "values": {"items": [{"value"}]}}]}}]},
     "failures": {"items": []},
     "context": {"principal": {"id", "name"?, "arn"}, "action", "resource",
                 "conditions": {"items": [{"key", "values": {"items": [{"value"}]}}]}}}

The blob is the document, compressed and sealed with the server's SecretBox
(AES-GCM; the associated data binds it to this use and to the account the
request was made in), in URL-safe base64 without padding, as AWS's blobs look.
Sealing needs no table: every node holding the master keys opens every blob.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sekisho import policy
from sekisho.domain.authorization import Authorizer, ContextValue
from sekisho.domain.policies import document_of
from sekisho.domain.principal import Caller
from sekisho.domain.secretbox import SecretBox, SecretBoxError
from sekisho.errors import InvalidAuthorizationMessageException
from sekisho.store import policies as stored
from sekisho.store import roles as stored_roles
from sekisho.store.sql import Store, Tx

MAX_ENCODED = 10_240  # encodedMessageType: "Maximum length of 10240" (STS API reference)
_AAD = b"sekisho-authorization-message:"
# The wording AWS answers an undecodable message with, as seen on the wire (the API
# reference only describes the cause: "invalid characters, such as line breaks").
INVALID_MESSAGE = "Message is not valid"

_BLOB = re.compile(r"[A-Za-z0-9_-]+")

SourceOf = Callable[[str], str | None]


def _items(values: list[Any]) -> dict[str, list[Any]]:
    return {"items": values}


def _values(values: list[str]) -> dict[str, list[dict[str, str]]]:
    return _items([{"value": v} for v in values])


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _conditions(block: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for _operator, pairs in block.items():
        if isinstance(pairs, Mapping):
            out += [{"key": key, "values": _values(_listed(v))} for key, v in pairs.items()]
    return out


def _statement_source(document: str | None, index: int) -> Mapping[str, Any] | None:
    if not document:
        return None
    try:
        statements = json.loads(document).get("Statement")
    except (ValueError, AttributeError):
        return None
    if isinstance(statements, Mapping):
        statements = [statements]
    if isinstance(statements, list) and 0 <= index < len(statements):
        found = statements[index]
        return found if isinstance(found, Mapping) else None
    return None


def _matched(decision: policy.Decision, principal_id: str, source_of: SourceOf
             ) -> list[dict[str, Any]]:
    out = []
    for m in decision.matched:
        source = _statement_source(source_of(m.policy_id), m.index) or {}
        actions = _listed(source.get("Action", source.get("NotAction")))
        resources = _listed(source.get("Resource", source.get("NotResource")))
        condition = source.get("Condition")
        out.append({
            "statementId": m.sid, "effect": m.effect.upper(),
            "principals": _values([principal_id]), "principalGroups": _items([]),
            "actions": _values(actions), "resources": _values(resources),
            "conditions": _items(_conditions(condition) if isinstance(condition, Mapping)
                                 else [])})
    return out


def _resource_keys(resource: str, action: str) -> dict[str, ContextValue]:
    """The keys AWS adds about the resource itself (seen in decoded messages)."""
    keys: dict[str, ContextValue] = {"aws:Service": action.partition(":")[0]}
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        keys.update({"aws:ARN": resource, "aws:Resource": parts[5],
                     "aws:Type": parts[5].split("/", 1)[0].split(":", 1)[0]})
        if parts[3]:
            keys["aws:Region"] = parts[3]
        if parts[4]:
            keys["aws:Account"] = parts[4]
    return keys


def denial_document(caller: Caller, decision: policy.Decision, source_of: SourceOf,
                    *, with_details: bool = True) -> dict[str, Any]:
    """The decoded form of `decision` (see the module docstring).

    `source_of(policy_id)` returns the text of a policy the engine evaluated (None when
    unknown) so matched statements can list their actions, resources and conditions.
    Without `with_details` the statements' and the context's condition lists are left
    empty (used to keep a blob under AWS's 10,240-character limit).
    """
    request = decision.request
    principal: dict[str, str] = {"id": caller.user_id}
    if caller.type == "user" and caller.user_name and caller.session is None:
        principal["name"] = caller.user_name
    principal["arn"] = caller.arn
    context_keys = {**_resource_keys(request.resource, request.action), **request.context}
    conditions = [{"key": key, "values": _values(list(value) if isinstance(value, tuple)
                                                 else [value])}
                  for key, value in context_keys.items()] if with_details else []
    matched = _matched(decision, caller.user_id, source_of if with_details else _no_source)
    if not with_details:
        for statement in matched:
            statement["conditions"] = _items([])
    return {"allowed": decision.allowed, "explicitDeny": decision.decision == "explicit-deny",
            "matchedStatements": _items(matched), "failures": _items([]),
            "context": {"principal": principal, "action": request.action,
                        "resource": request.resource, "conditions": _items(conditions)}}


def _no_source(_policy_id: str) -> str | None:
    return None


def seal(box: SecretBox, account_id: str, document: Mapping[str, Any]) -> str:
    """The encoded (sealed) form of a decoded-message document."""
    raw = json.dumps(document, separators=(",", ":")).encode("utf-8")
    sealed = box.seal(zlib.compress(raw, 9), _AAD + account_id.encode("ascii"))
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")


def decode(box: SecretBox, account_id: str, encoded: str) -> str:
    """The decoded message (a JSON string) of `encoded`, sealed for `account_id`.

    Raises InvalidAuthorizationMessageException for anything this server did not
    encode for that account: other text, a truncated or altered blob, or a blob of
    another account (it may name that account's principals and policies).
    """
    # A blob is URL-safe base64 only: Python's decoder would skip other characters
    # (such as line breaks, which AWS names as a cause of this error).
    if not _BLOB.fullmatch(encoded):
        raise InvalidAuthorizationMessageException(INVALID_MESSAGE)
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        packed = box.open(raw, _AAD + account_id.encode("ascii"))
        text = zlib.decompress(packed).decode("utf-8")
        json.loads(text)
    except (binascii.Error, ValueError, UnicodeError, SecretBoxError, zlib.error):
        raise InvalidAuthorizationMessageException(INVALID_MESSAGE) from None
    return text


def encode_denial(box: SecretBox, caller: Caller, decision: policy.Decision,
                  source_of: SourceOf) -> str:
    """The encoded authorization failure message of a denied `decision`.

    Falls back to a document without condition details when the full one would
    pass the 10,240 characters that DecodeAuthorizationMessage accepts.
    """
    encoded = seal(box, caller.account_id, denial_document(caller, decision, source_of))
    if len(encoded) > MAX_ENCODED:
        encoded = seal(box, caller.account_id,
                       denial_document(caller, decision, source_of, with_details=False))
    return encoded


def failure_message(encoded: str) -> str:
    """The error text services that encode put in their denial (EC2's wording)."""
    return ("You are not authorized to perform this operation. Encoded authorization failure "
            f"message: {encoded}")


def policy_source(tx: Tx, caller: Caller, policy_id: str) -> str | None:
    """The text of a policy the authorizer evaluated for `caller`, by the id it gave it:
    a managed policy's ARN, `session-policy`, or `user|group|role/NAME#POLICY` (inline)."""
    if policy_id.startswith("arn:"):
        return document_of(tx, policy_id)
    if policy_id == "session-policy":
        return caller.session.session_policy if caller.session else None
    label, _, name = policy_id.partition("#")
    kind, _, entity_name = label.partition("/")
    entity_id: str | None = None
    if kind == "user":
        user = tx.user_by_name(caller.account_id, entity_name)
        entity_id = user.user_id if user else None
    elif kind == "group":
        group = tx.group_by_name(caller.account_id, entity_name)
        entity_id = group.group_id if group else None
    elif kind == "role":
        role = stored_roles.role_by_name(tx, caller.account_id, entity_name)
        entity_id = role.role_id if role else None
    return stored.inline(tx, entity_id, name) if entity_id else None


def explain_denial(authorizer: Authorizer, store: Store, box: SecretBox, caller: Caller,
                   action: str, resource: str, context: Mapping[str, ContextValue],
                   now: datetime) -> str | None:
    """Decides the request; None if it is allowed, else its encoded failure message.

    For services that answer denials AWS's encoded way: they call this instead of
    `Authorizer.authorize` and put `failure_message(encoded)` in their error.
    """
    decision = authorizer.decide(caller, action, resource, context, now)
    if decision.allowed:
        return None
    with store.read() as tx:
        sources = {m.policy_id: policy_source(tx, caller, m.policy_id) for m in decision.matched}
    return encode_denial(box, caller, decision, sources.get)
