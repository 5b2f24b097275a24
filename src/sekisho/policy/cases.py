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

where each SCP/RCP level is one document or a list of documents. The
resource-based policy is parsed as a trust policy for ``sts:AssumeRole*``
actions; trust policies and KMS key policies (``kms:`` actions) must allow the
principal even within one account.
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
    is_trust = lowered.startswith("sts:assumerole")
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
        resource_required=is_trust or lowered.startswith("kms:"),
    )
    return request, policies


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


__all__ = ["CaseError", "PolicyParseError", "build_case", "decide_case", "evaluate_case"]
