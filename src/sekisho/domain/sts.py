"""Issuing temporary credentials: durations, session policies, tags, the sealed token.

The rules of GetSessionToken and GetFederationToken live here; the token
format lives in `sessions`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sekisho import policy
from sekisho.domain import ids, sessions
from sekisho.errors import (
    InvalidParameterValue,
    MalformedPolicyDocument,
    PackedPolicyTooLarge,
    ValidationError,
)

DEFAULT_DURATION = 43_200  # 12 hours (GetSessionToken, GetFederationToken)
ROOT_MAX_DURATION = 3_600  # sessions of the root user last at most one hour
MAX_POLICY_ARNS = 10  # STS API reference, AssumeRole/GetFederationToken "PolicyArns"
RESERVED_TAG_PREFIX = "aws:"
_POLICY_ARN = re.compile(r"^arn:[\w-]+:iam::(?:aws|\d{12}):policy/(?:[\x21-\x7e]*/)?"
                         r"[\w+=,.@-]+$")


@dataclass(frozen=True)
class Issued:
    claims: sessions.SessionClaims
    token: str = field(repr=False)

    def credentials(self) -> dict[str, Any]:
        return {"AccessKeyId": self.claims.access_key_id,
                "SecretAccessKey": self.claims.secret,
                "SessionToken": self.token,
                "Expiration": self.claims.expires}


def duration(requested: int | None, default: int, maximum: int, root: bool) -> int:
    """The session length: the default, capped for root (AWS silently caps root at 1 h)."""
    chosen = default if requested is None else requested
    if root:
        chosen = min(chosen, ROOT_MAX_DURATION)
    return min(chosen, maximum)


def check_session_policy(document: str | None) -> None:
    if document is None:
        return
    try:
        policy.parse_policy(document, policy.PolicyKind.SESSION)
    except policy.PolicyParseError as exc:
        raise MalformedPolicyDocument(exc.message) from None


def session_tags(raw: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    """The requested session tags as a dict, in request order.

    Raises InvalidParameterValue for a key starting with the reserved `aws:` prefix
    (IAM User Guide, "Rules for tagging in IAM and AWS STS") and for two keys that
    differ only in case (session tag keys are case-insensitive).
    """
    tags: dict[str, str] = {}
    seen: set[str] = set()
    for tag in raw or ():
        key = str(tag["Key"])
        lowered = key.lower()
        if lowered.startswith(RESERVED_TAG_PREFIX):
            raise InvalidParameterValue("User-defined tag keys can't start with 'aws:'.")
        if lowered in seen:
            raise InvalidParameterValue("Duplicate tag keys found. Please note that Tag keys "
                                        "are case insensitive.")
        seen.add(lowered)
        tags[key] = str(tag.get("Value", ""))
    return tags


def session_policy_arns(raw: Sequence[Mapping[str, Any]] | None) -> tuple[str, ...]:
    """The managed session policy ARNs of a request (`PolicyArns.member.N.arn`).

    Raises ValidationError for more than ten entries (the documented maximum) or for
    an entry that is not an IAM policy ARN. Whether the policies exist is not checked.
    """
    arns = tuple(str(d["arn"]) for d in raw or () if d.get("arn"))
    if len(arns) > MAX_POLICY_ARNS:
        raise ValidationError(
            "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_POLICY_ARNS}")
    for arn in arns:
        if not _POLICY_ARN.match(arn):
            # Worded as AWS words an unparsable RoleArn.
            raise ValidationError(f"{arn} is invalid")
    return arns


def packed_size(document: str | None, policy_arns: tuple[str, ...],
                tags: Mapping[str, str]) -> int:
    size = sessions.packed_policy_size(document, policy_arns, tags)
    if size > 100:
        raise PackedPolicyTooLarge(
            f"Packed size of consumed session policies and session tags exceeds 100%. "
            f"Packed size: {size}%.")
    return size


def seal(ring: sessions.KeyRing, account_id: str, now: datetime, seconds: int, **claims: Any
         ) -> Issued:
    """New temporary credentials of `account_id` (the account the session acts in)."""
    key_id = ids.access_key_id(ids.TEMPORARY_KEY, account_id)
    full = sessions.SessionClaims(
        access_key_id=key_id, secret=ids.secret_access_key(), account_id=account_id,
        issued_at=int(now.timestamp()),
        expires_at=int((now + timedelta(seconds=seconds)).timestamp()), **claims)
    return Issued(full, ring.seal(full))


def minified(document: str | None) -> str | None:
    return None if document is None else json.dumps(json.loads(document),
                                                    separators=(",", ":"))
