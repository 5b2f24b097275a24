"""The JSON case format of ``sekisho policy evaluate`` (issue 3, item 7).

A case is::

    {"id": "...",
     "request": {"principal": {"arn", "account", "type", "role_arn"?,
                               "source_user_arn"?, "user_id"?,
                               "service_linked_role"?, "org_management_account"?},
                 "action": "s3:GetObject", "resource": "arn:...",
                 "context": {"aws:SourceIp": "203.0.113.7", "aws:TagKeys": ["a"]}},
     "policies": {"identity": [doc, ...], "resource": doc | null,
                  "resource_account": "111122223333", "boundary": doc | null,
                  "session": [doc, ...], "scp": [level, ...], "rcp": [level, ...]}}

where each SCP/RCP level is one document or a list of documents. For the
actions that go with assuming a role (``sts:AssumeRole*``, ``sts:TagSession``,
``sts:SetSourceIdentity``, ``sts:SetContext``) the resource-based policy is the
role's trust policy and is parsed as one; a trust policy, and a KMS key policy
for a ``kms:`` action on a key, must allow the principal even within one
account (``resource_required``, see ``needs_resource_policy``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sekisho.policy.authorize import authorize
from sekisho.policy.compiled import CompiledPolicy
from sekisho.policy.errors import PolicyParseError
from sekisho.policy.model import Decision, PolicyKind, PolicySet, Principal, Request
from sekisho.policy.parser import parse_policy


class CaseError(ValueError):
    """A case that does not follow the case format."""


def evaluate_case(case: Mapping[str, Any]) -> dict[str, Any]:
    """Decide one case; returns ``{"id", "decision", "explanation"}``.

    Raises ``PolicyParseError`` for an invalid policy document and
    ``CaseError`` for a malformed case.
    """
    request, policies = build_case(case)
    decision = authorize(request, policies)
    return {
        "id": case.get("id", ""),
        "decision": decision.decision,
        "explanation": decision.explanation(),
    }


def decide_case(case: Mapping[str, Any]) -> Decision:
    """Like ``evaluate_case`` but returns the ``Decision`` itself."""
    request, policies = build_case(case)
    return authorize(request, policies)


def build_case(case: Mapping[str, Any]) -> tuple[Request, PolicySet]:
    """Turn a case into a ``Request`` and a ``PolicySet``."""
    try:
        req = case["request"]
        pol = case.get("policies") or {}
        p = req["principal"]
        principal = Principal(
            arn=str(p.get("arn", "")),
            account=str(p.get("account", "")),
            type=str(p.get("type", "user")),
            role_arn=p.get("role_arn"),
            source_user_arn=p.get("source_user_arn"),
            user_id=p.get("user_id"),
            service_linked_role=bool(p.get("service_linked_role", False)),
            org_management_account=bool(p.get("org_management_account", False)),
        )
        action = str(req["action"])
        context = {
            str(k): (v if isinstance(v, str) else tuple(str(x) for x in v))
            for k, v in (req.get("context") or {}).items()
        }
        resource_account = str(pol.get("resource_account") or req.get("resource_account") or "")
        request = Request(
            principal, action, str(req.get("resource", "")), resource_account, context
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise CaseError(f"malformed case: {exc}") from exc
    lowered = action.lower()
    is_trust = is_trust_action(lowered)
    resource_doc = pol.get("resource")
    policies = PolicySet(
        identity=_docs(pol.get("identity"), PolicyKind.IDENTITY, "identity"),
        resource=(
            parse_policy(
                resource_doc, PolicyKind.TRUST if is_trust else PolicyKind.RESOURCE, "resource"
            )
            if resource_doc is not None
            else None
        ),
        boundary=(
            parse_policy(pol["boundary"], PolicyKind.BOUNDARY, "boundary")
            if pol.get("boundary") is not None
            else None
        ),
        session=_docs(pol.get("session"), PolicyKind.SESSION, "session"),
        scp=_levels(pol.get("scp"), PolicyKind.SCP),
        rcp=_levels(pol.get("rcp"), PolicyKind.RCP),
        resource_required=needs_resource_policy(lowered, request.resource),
    )
    return request, policies


# The role's trust policy governs assuming it and the session attributes set while
# doing so: "the role trust policy must allow sts:TagSession" (IAM User Guide, Passing
# session tags in AWS STS), sts:SetSourceIdentity (Monitor and control actions taken
# with assumed roles) and sts:SetContext (trusted identity propagation).
_TRUST_ACTIONS = frozenset({"sts:tagsession", "sts:setsourceidentity", "sts:setcontext"})


def is_trust_action(action: str) -> bool:
    """Whether a role's trust policy is the resource policy for ``action`` (lower-case)."""
    return action.startswith("sts:assumerole") or action in _TRUST_ACTIONS


def needs_resource_policy(action: str, resource: str) -> bool:
    """Whether the resource's own policy must allow ``action`` even in one account.

    True for a role's trust policy, and for a KMS key policy when the request is on
    a key: "No AWS principal ... has any permissions to a KMS key unless that
    permission is explicitly allowed in a key policy" (AWS KMS Developer Guide, Key
    policies). Actions without a key resource (``kms:ListKeys``, ``kms:CreateKey``,
    ``kms:ListAliases`` on ``*``) are governed by IAM policies alone.
    """
    if is_trust_action(action):
        return True
    if action.startswith("kms:"):
        parts = resource.split(":", 5)
        return len(parts) == 6 and parts[2] == "kms" and parts[5].startswith("key/")
    return False


def _docs(value: object, kind: PolicyKind, prefix: str) -> tuple[CompiledPolicy, ...]:
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise CaseError(f"{prefix} must be a list of policy documents")
    return tuple(parse_policy(doc, kind, f"{prefix}[{n}]") for n, doc in enumerate(value))


def _levels(value: object, kind: PolicyKind) -> tuple[tuple[CompiledPolicy, ...], ...]:
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise CaseError(f"{kind.value} must be a list of levels")
    levels: list[tuple[CompiledPolicy, ...]] = []
    for n, level in enumerate(value):
        docs = level if isinstance(level, list) else [level]
        levels.append(
            tuple(parse_policy(d, kind, f"{kind.value}[{n}][{m}]") for m, d in enumerate(docs))
        )
    return tuple(levels)


__all__ = [
    "CaseError",
    "PolicyParseError",
    "build_case",
    "decide_case",
    "evaluate_case",
    "is_trust_action",
    "needs_resource_policy",
]
