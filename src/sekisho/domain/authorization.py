"""The one authorization seam every operation goes through.

`Authorizer.authorize(caller, action, resources, context)` answers for one
request or raises `AccessDenied` with AWS's message. The caller's effective
policies (an IAM user's inline and managed policies, those of its groups, and
its permissions boundary) are loaded in one read, compiled by `sekisho.policy`
once, and cached per principal. The cache entry remembers its account's
generation counter, which every IAM write bumps: a warm decision reads nothing
when the store's change token has not moved, and one small query when some
other write happened; only the affected account's entries are recompiled.

Some actions need no permission at all (`sts:GetCallerIdentity`: "No
permissions are required to perform this operation", STS API reference).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sekisho import policy
from sekisho.domain.principal import Caller
from sekisho.errors import AccessDenied
from sekisho.store import policies as stored
from sekisho.store.changes import ChangeWatch
from sekisho.store.sql import Store, Tx

log = logging.getLogger("sekisho.authorization")

ALWAYS_ALLOWED = frozenset({"sts:getcalleridentity"})

ContextValue = str | tuple[str, ...]

_ALLOWS_NOTHING = ('{"Version": "2012-10-17", "Statement": '
                   '{"Effect": "Deny", "Action": "*", "Resource": "*"}}')


def resource_account(arn: str, default: str) -> str:
    """The account field of an ARN (the fifth), or `default` for `*` and ARNs without one."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[4].isdigit():
        return parts[4]
    return default


def managed_document(tx: Tx, policy_arn: str) -> str | None:
    """The default version of a customer managed or AWS managed policy, if it exists."""
    record = stored.policy_by_arn(tx, policy_arn)
    if record is not None:
        version = stored.version(tx, record.policy_id, record.default_version_id)
        return version.document if version else None
    try:
        from sekisho.domain import aws_managed  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # pragma: no cover - the data module lands with the policy operations
        return None
    managed = aws_managed.get(policy_arn)
    return str(managed.document) if managed else None


@dataclass(frozen=True)
class _Entry:
    generation: int
    token: object
    policies: policy.PolicySet


def _compile(doc: str, kind: policy.PolicyKind, policy_id: str) -> policy.CompiledPolicy | None:
    try:
        return policy.parse_policy(doc, kind, policy_id)
    except policy.PolicyParseError:
        # Stored documents were validated when written; one that no longer parses
        # (an engine upgrade tightened a rule) grants nothing rather than failing closed
        # for every request of the principal.
        log.warning("stored policy %s no longer parses; ignoring it", policy_id)
        return None


def load_user_policies(tx: Tx, partition: str, caller: Caller) -> policy.PolicySet:
    """The effective policies of an IAM user, compiled."""
    user = tx.user_by_id(caller.user_id)
    if user is None:
        return policy.PolicySet()
    identity: list[policy.CompiledPolicy] = []
    owners: list[tuple[str, str]] = [(user.user_id, f"user/{user.name}")]
    for group in tx.groups_of_user(user.user_id, None, 1000):
        owners.append((group.group_id, f"group/{group.name}"))
    for entity_id, label in owners:
        for name, doc in stored.inline_of(tx, entity_id):
            compiled = _compile(doc, policy.PolicyKind.IDENTITY, f"{label}#{name}")
            if compiled:
                identity.append(compiled)
        for arn in stored.attached_to(tx, entity_id):
            managed = managed_document(tx, arn)
            compiled = _compile(managed, policy.PolicyKind.IDENTITY, arn) if managed else None
            if compiled:
                identity.append(compiled)
    boundary = None
    if user.permissions_boundary_arn:
        arn = user.permissions_boundary_arn
        boundary_doc = managed_document(tx, arn)
        boundary = (_compile(boundary_doc, policy.PolicyKind.BOUNDARY, arn)
                    if boundary_doc else None)
        if boundary is None:
            # A boundary that cannot be loaded allows nothing (fail closed).
            boundary = policy.parse_policy(_ALLOWS_NOTHING, policy.PolicyKind.BOUNDARY, arn)
    return policy.PolicySet(identity=tuple(identity), boundary=boundary)


class Authorizer:
    """Decides requests with the policy engine, caching compiled policies per principal."""

    def __init__(self, store: Store, changes: ChangeWatch, partition: str) -> None:
        self._store = store
        self._changes = changes
        self._partition = partition
        self._cache: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def policies_for(self, caller: Caller) -> policy.PolicySet:
        token = self._changes.token()
        with self._lock:
            entry = self._cache.get(caller.user_id)
        if entry is not None and entry.token == token:
            return entry.policies
        with self._store.read() as tx:
            generation = tx.generation(caller.account_id)
            if entry is not None and entry.generation == generation:
                policies = entry.policies
            else:
                policies = load_user_policies(tx, self._partition, caller)
        with self._lock:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[caller.user_id] = _Entry(generation, token, policies)
        return policies

    def decide(self, caller: Caller, action: str, resource: str,
               context: Mapping[str, ContextValue]) -> policy.Decision:
        principal = policy.Principal(caller.arn, caller.account_id, caller.type,
                                     user_id=caller.user_id)
        request = policy.Request(principal, action, resource,
                                 resource_account(resource, caller.account_id), context)
        policies = policy.PolicySet() if caller.is_root else self.policies_for(caller)
        return policy.authorize(request, policies)

    def authorize(self, caller: Caller, action: str, resources: Sequence[str],
                  context: Mapping[str, ContextValue]) -> None:
        """Raises AccessDenied unless `caller` may perform `action` on every resource."""
        if action.lower() in ALWAYS_ALLOWED:
            return
        for resource in resources or ("*",):
            decision = self.decide(caller, action, resource, context)
            if not decision.allowed:
                raise AccessDenied(decision.access_denied_message())

