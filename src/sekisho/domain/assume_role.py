"""AssumeRole: who may assume which role, for how long, with which session policies and tags.

The trust policy and the caller's own policies are evaluated together by the
policy engine (the trust policy must allow; across accounts the caller's
policies must allow too). Role chaining (a role session assuming a role) caps
the session at one hour and carries transitive session tags and the source
identity forward (IAM User Guide, "Role chaining", "Passing session tags").
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sekisho import policy
from sekisho.domain import sessions
from sekisho.domain.principal import Caller
from sekisho.errors import AccessDenied, InvalidParameterValue, ValidationError
from sekisho.store.roles import RoleRecord

DEFAULT_DURATION = 3_600
CHAINED_MAX = 3_600
SESSION_POLICY_PLAINTEXT_MAX = 2_048
_ROLE_ARN = re.compile(r"^arn:[\w-]+:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]+)$")


def parse_role_arn(arn: str) -> tuple[str, str] | None:
    """(account, role name) of a role ARN, or None if it is not one."""
    match = _ROLE_ARN.match(arn)
    return (match.group(1), match.group(2)) if match else None


def check_caller(caller: Caller) -> None:
    if caller.is_root:
        raise AccessDenied("Roles may not be assumed by root accounts.")


def session_duration(requested: int | None, role: RoleRecord, chained: bool) -> int:
    seconds = DEFAULT_DURATION if requested is None else requested
    if chained and seconds > CHAINED_MAX:
        raise ValidationError("The requested DurationSeconds exceeds the 1 hour session limit "
                              "for roles assumed by role chaining.")
    if seconds > role.max_session_duration:
        raise ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set "
                              "for this role.")
    return seconds


def check_policy_plaintext(document: str | None) -> None:
    if document is not None and len(document) > SESSION_POLICY_PLAINTEXT_MAX:
        raise ValidationError(
            "1 validation error detected: Value at 'policy' failed to satisfy constraint: "
            f"Member must have length less than or equal to {SESSION_POLICY_PLAINTEXT_MAX}")


@dataclass(frozen=True)
class Inherited:
    """What a chained session keeps from the session that assumed the role."""

    tags: dict[str, str]
    transitive_keys: tuple[str, ...]
    source_identity: str | None


def inherited(caller: Caller) -> Inherited:
    claims = caller.session
    if claims is None or claims.kind != sessions.ROLE_SESSION:
        source = claims.source_identity if claims else None
        return Inherited({}, (), source)
    keys = {k.lower() for k in claims.transitive_tag_keys}
    tags = {k: v for k, v in claims.tags if k.lower() in keys}
    return Inherited(tags, claims.transitive_tag_keys, claims.source_identity)


def merge_tags(inherited_tags: Mapping[str, str], requested: Mapping[str, str]) -> dict[str, str]:
    """Session tags of the new session: transitive ones from the chain plus the requested.

    Raises InvalidParameterValue when a requested key matches, ignoring case, a
    transitive tag of the calling session ("Chaining roles with session tags").
    """
    lowered = {k.lower() for k in inherited_tags}
    if any(key.lower() in lowered for key in requested):
        raise InvalidParameterValue(
            "One of the specified transitive tag keys can't be set because it conflicts with "
            "a transitive tag key from the calling session.")
    return {**inherited_tags, **requested}


def check_transitive_keys(requested_tags: Mapping[str, str],
                          transitive_keys: Sequence[str]) -> None:
    """Each TransitiveTagKeys entry must name, ignoring case, a tag of this request.

    Raises InvalidParameterValue otherwise.
    """
    lowered = {k.lower() for k in requested_tags}
    if any(key.lower() not in lowered for key in transitive_keys):
        raise InvalidParameterValue(
            "The specified transitive tag key must be included in the requested tags.")


def source_identity(previous: str | None, requested: str | None) -> str | None:
    """A source identity is set once and then kept through every chained session."""
    if previous is not None and requested is not None and requested != previous:
        raise AccessDenied("The source identity can't be changed once it has been set "
                           "for a role session.")
    return previous if previous is not None else requested


class TrustPolicies:
    """Compiled trust policies, keyed by role and the text's digest."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], policy.CompiledPolicy] = {}
        self._lock = threading.Lock()

    def compiled(self, role: RoleRecord, role_arn: str) -> policy.CompiledPolicy:
        key = (role.role_id, hashlib.sha256(role.trust_policy.encode("utf-8")).hexdigest())
        with self._lock:
            found = self._cache.get(key)
        if found is not None:
            return found
        compiled = policy.parse_policy(role.trust_policy, policy.PolicyKind.TRUST, role_arn)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = compiled
        return compiled
