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

The enforcement mode (`Settings.enforcement`) decides what a denial does:
`enforce` raises it; `audit` evaluates every request as `enforce` would and
logs each would-be denial as one JSON line on the `sekisho.audit` logger
(principal, action, resource, deciding policy type and statements; never a
secret), then lets the request through; `off` decides nothing.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sekisho import policy
from sekisho.domain import sessions
from sekisho.domain.policies import document_of
from sekisho.domain.principal import Caller
from sekisho.domain.sessions import SessionClaims
from sekisho.errors import AccessDenied, InvalidClientTokenId
from sekisho.store import policies as stored
from sekisho.store import roles as stored_roles
from sekisho.store.changes import ChangeWatch
from sekisho.store.sql import Store, Tx

log = logging.getLogger("sekisho.authorization")
audit_log = logging.getLogger("sekisho.audit")

ENFORCE, AUDIT, OFF = "enforce", "audit", "off"

# Actions no policy governs: "No permissions are required" (STS API reference for
# GetCallerIdentity; IAM User Guide, "Permissions for GetSessionToken").
ALWAYS_ALLOWED = frozenset({"sts:getcalleridentity", "sts:getsessiontoken"})

ContextValue = str | tuple[str, ...]

_ALLOWS_NOTHING = ('{"Version": "2012-10-17", "Statement": '
                   '{"Effect": "Deny", "Action": "*", "Resource": "*"}}')


def invalid_token(service: str) -> InvalidClientTokenId:
    # AWS's two services word this differently: STS ends the sentence, IAM does not.
    stop = "." if service == "sts" else ""
    return InvalidClientTokenId(f"The security token included in the request is invalid{stop}")


def resource_account(arn: str, default: str) -> str:
    """The account field of an ARN (the fifth), or `default` for `*` and ARNs without one."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[4].isdigit():
        return parts[4]
    return default


@dataclass(frozen=True)
class _Entry:
    generation: int
    token: object
    effective: Effective


def _compile(doc: str, kind: policy.PolicyKind, policy_id: str) -> policy.CompiledPolicy | None:
    try:
        return policy.parse_policy(doc, kind, policy_id)
    except policy.PolicyParseError:
        # Stored documents were validated when written; one that no longer parses
        # (an engine upgrade tightened a rule) grants nothing rather than failing closed
        # for every request of the principal.
        log.warning("stored policy %s no longer parses; ignoring it", policy_id)
        return None


def _attached_and_inline(tx: Tx, owners: list[tuple[str, str]]) -> list[policy.CompiledPolicy]:
    """The inline and managed policies of each (entity id, label) owner, compiled."""
    compiled_all: list[policy.CompiledPolicy] = []
    for entity_id, label in owners:
        for name, doc in stored.inline_of(tx, entity_id):
            compiled = _compile(doc, policy.PolicyKind.IDENTITY, f"{label}#{name}")
            if compiled:
                compiled_all.append(compiled)
        for arn in stored.attached_to(tx, entity_id):
            managed = document_of(tx, arn)
            compiled = _compile(managed, policy.PolicyKind.IDENTITY, arn) if managed else None
            if compiled:
                compiled_all.append(compiled)
    return compiled_all


def _boundary(tx: Tx, arn: str | None) -> policy.CompiledPolicy | None:
    if not arn:
        return None
    doc = document_of(tx, arn)
    boundary = _compile(doc, policy.PolicyKind.BOUNDARY, arn) if doc else None
    # A boundary that cannot be loaded allows nothing (fail closed).
    return boundary or policy.parse_policy(_ALLOWS_NOTHING, policy.PolicyKind.BOUNDARY, arn)


def _session_policies(tx: Tx, claims: SessionClaims) -> tuple[policy.CompiledPolicy, ...]:
    out: list[policy.CompiledPolicy] = []
    if claims.session_policy:
        compiled = _compile(claims.session_policy, policy.PolicyKind.SESSION, "session-policy")
        if compiled:
            out.append(compiled)
    for arn in claims.policy_arns:
        doc = document_of(tx, arn)
        compiled = _compile(doc, policy.PolicyKind.SESSION, arn) if doc else None
        if compiled:
            out.append(compiled)
    return tuple(out)


@dataclass(frozen=True)
class Effective:
    """What the engine needs about a principal: its policies and its tags."""

    policies: policy.PolicySet
    principal_tags: tuple[tuple[str, str], ...] = ()


def _user_effective(tx: Tx, user_id: str) -> Effective:
    user = tx.user_by_id(user_id)
    if user is None:
        return Effective(policy.PolicySet())
    owners = [(user.user_id, f"user/{user.name}")]
    owners += [(g.group_id, f"group/{g.name}") for g in tx.all_groups_of_user(user.user_id)]
    tags = tuple((t.key, t.value) for t in tx.tags_of(user.user_id))
    return Effective(policy.PolicySet(identity=tuple(_attached_and_inline(tx, owners)),
                                      boundary=_boundary(tx, user.permissions_boundary_arn)),
                     tags)


def _role_effective(tx: Tx, claims: SessionClaims) -> Effective:
    role = stored_roles.role_by_id(tx, claims.source_id)
    if role is None:  # the role was deleted: the session keeps no permissions
        return Effective(policy.PolicySet())
    identity = _attached_and_inline(tx, [(role.role_id, f"role/{role.name}")])
    role_tags = {t.key.lower(): (t.key, t.value) for t in tx.tags_of(role.role_id)}
    role_tags.update({k.lower(): (k, v) for k, v in claims.tags})
    return Effective(policy.PolicySet(identity=tuple(identity),
                                      boundary=_boundary(tx, role.permissions_boundary_arn),
                                      session=_session_policies(tx, claims)),
                     tuple(role_tags.values()))


def load_effective(tx: Tx, caller: Caller) -> Effective:
    """The effective policies of any caller but root, compiled."""
    claims = caller.session
    if claims is None:
        return _user_effective(tx, caller.user_id)
    if claims.kind == sessions.ROLE_SESSION:
        return _role_effective(tx, claims)
    base = _user_effective(tx, claims.source_id)
    if claims.kind == sessions.FEDERATED:
        return Effective(replace(base.policies, session=_session_policies(tx, claims)),
                         claims.tags)
    return base


def principal_context(caller: Caller, tags: tuple[tuple[str, str], ...],
                      now: datetime) -> dict[str, ContextValue]:
    """The condition keys that describe the principal (IAM User Guide, global keys)."""
    claims = caller.session
    keys: dict[str, ContextValue] = {
        "aws:PrincipalAccount": caller.account_id,
        "aws:PrincipalArn": claims.source_arn if claims and claims.kind == sessions.ROLE_SESSION
        else caller.arn,
        "aws:PrincipalType": caller.principal_type,
        "aws:userid": caller.user_id,
    }
    if caller.type == "user" and caller.user_name:
        keys["aws:username"] = caller.user_name
    for key, value in tags:
        keys[f"aws:PrincipalTag/{key}"] = value
    if claims is not None:
        keys["aws:TokenIssueTime"] = claims.issued.strftime("%Y-%m-%dT%H:%M:%SZ")
        # Present for every temporary credential; absent for long-term keys.
        keys["aws:MultiFactorAuthPresent"] = "true" if claims.mfa_authenticated_at else "false"
        if claims.mfa_authenticated_at:
            keys["aws:MultiFactorAuthAge"] = str(int(now.timestamp()) - claims.mfa_authenticated_at)
        if claims.source_identity:
            keys["aws:SourceIdentity"] = claims.source_identity
    return keys


def _engine_principal(caller: Caller) -> policy.Principal:
    claims = caller.session
    if claims is not None and claims.kind == sessions.ROLE_SESSION:
        return policy.Principal(caller.arn, caller.account_id, "role-session",
                                role_arn=claims.source_arn, user_id=caller.user_id)
    if claims is not None and claims.kind == sessions.FEDERATED:
        return policy.Principal(caller.arn, caller.account_id, "federated",
                                source_user_arn=claims.source_arn, user_id=caller.user_id)
    return policy.Principal(caller.arn, caller.account_id, caller.type, user_id=caller.user_id)


def would_deny_line(caller: Caller, action: str, resource: str,
                    decision: policy.Decision | None, message: str = "") -> str:
    """The audit-mode line for one would-be denial: JSON, without any secret.

    `decision` is None for what no policy decides (a session that may not call `action`);
    `message` is then the error the caller would have had.
    """
    record: dict[str, object] = {"principal": caller.arn, "action": action,
                                 "resource": resource}
    if decision is None:
        record.update(decision="session-restriction", deciding_policy_type=None,
                      matched_statements=[], message=message)
    else:
        record["decision"] = decision.decision
        record.update(decision.explanation())
        # An implicit deny is the identity-based policies' silence (AccessDenied says so).
        kind = decision.deciding_kind or policy.PolicyKind.IDENTITY
        record["deciding_policy_type"] = kind.value
    return "would deny " + json.dumps(record)


class Authorizer:
    """Decides requests with the policy engine, caching compiled policies per principal."""

    def __init__(self, store: Store, changes: ChangeWatch, partition: str,
                 enforcement: str = ENFORCE) -> None:
        if enforcement not in (ENFORCE, AUDIT, OFF):
            raise ValueError(f"unknown enforcement mode {enforcement!r}")
        self._store = store
        self._changes = changes
        self._partition = partition
        self.enforcement = enforcement
        self._cache: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def effective(self, caller: Caller) -> Effective:
        if caller.is_root:
            return Effective(policy.PolicySet())
        token = self._changes.token()
        with self._lock:
            entry = self._cache.get(caller.cache_key)
        if entry is not None and entry.token == token:
            return entry.effective
        with self._store.read() as tx:
            generation = tx.generation(caller.account_id)
            if entry is not None and entry.generation == generation:
                effective = entry.effective
            else:
                effective = load_effective(tx, caller)
        with self._lock:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[caller.cache_key] = _Entry(generation, token, effective)
        return effective

    def decide(self, caller: Caller, action: str, resource: str,
               context: Mapping[str, ContextValue], now: datetime,
               resource_policy: policy.CompiledPolicy | None = None) -> policy.Decision:
        """The engine's decision. A `resource_policy` (a role's trust policy) joins the
        caller's policies, and then must allow too (AWS: a trust policy always must)."""
        effective = self.effective(caller)
        # The operation's own keys win: AssumeRole with a code, for one, states the MFA
        # the new session will have, which the trust policy must see.
        keys = principal_context(caller, effective.principal_tags, now)
        keys.update(context)
        request = policy.Request(_engine_principal(caller), action, resource,
                                 resource_account(resource, caller.account_id), keys)
        policies = effective.policies
        if resource_policy is not None:
            policies = replace(policies, resource=resource_policy, resource_required=True)
        return policy.authorize(request, policies)

    def needs_no_decision(self, caller: Caller, action: str) -> bool:
        """True when `action` is allowed to this caller whatever its policies say (the
        hot path skips building the request context), and always in `off` mode; raises
        what a session may not call (in `enforce` mode)."""
        if self.enforcement == OFF:
            return True
        try:
            check_session_may_call(caller, action)
        except (AccessDenied, InvalidClientTokenId) as exc:
            if self.enforcement == ENFORCE:
                raise
            # One line tells the whole story: no policy could have allowed this call.
            audit_log.warning("%s", would_deny_line(caller, action, "*", None, exc.message))
            return True
        return action.lower() in ALWAYS_ALLOWED

    def settle(self, caller: Caller, decision: policy.Decision) -> None:
        """Acts on a decision as the enforcement mode says: a denial raises AccessDenied
        (`enforce`), is logged to `sekisho.audit` (`audit`), or is ignored (`off`)."""
        if decision.allowed or self.enforcement == OFF:
            return
        message = decision.access_denied_message()
        if self.enforcement == ENFORCE:
            raise AccessDenied(message)
        request = decision.request
        audit_log.warning("%s", would_deny_line(caller, request.action, request.resource,
                                                decision))

    def authorize(self, caller: Caller, action: str, resources: Sequence[str],
                  context: Mapping[str, ContextValue], now: datetime) -> None:
        """Raises AccessDenied (or what AWS raises for the credential) unless `caller` may
        perform `action` on every resource; in `audit` mode logs instead of raising, in
        `off` mode decides nothing."""
        if self.needs_no_decision(caller, action):
            return
        for resource in resources or ("*",):
            self.settle(caller, self.decide(caller, action, resource, context, now))


def check_session_may_call(caller: Caller, action: str) -> None:
    """What temporary credentials may not call at all, whatever the policies say
    (STS API reference, GetSessionToken and GetFederationToken)."""
    claims = caller.session
    if claims is None:
        return
    service, _, operation = action.partition(":")
    lowered = action.lower()
    if claims.kind == sessions.FEDERATED:
        if service == "iam":
            raise invalid_token("iam")
        if service == "sts" and lowered != "sts:getcalleridentity":
            raise AccessDenied(f"Cannot call {operation} with session credentials")
    elif claims.kind in (sessions.USER_SESSION, sessions.ROOT_SESSION):
        if service == "iam" and not claims.mfa_authenticated_at:
            raise invalid_token("iam")
        if service == "sts" and lowered not in ("sts:assumerole", "sts:getcalleridentity"):
            raise AccessDenied(f"Cannot call {operation} with session credentials")
