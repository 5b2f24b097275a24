"""``validate_policy``: the parse error, if any, plus warnings (a small linter).

Errors are AWS's ``MalformedPolicyDocument`` messages (the document would be
rejected). Warnings flag documents that AWS accepts but that probably do not
do what their author meant; each cites the IAM User Guide rule behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sekisho.policy import errors
from sekisho.policy.conditions import QUALIFIER_NONE, split_operator
from sekisho.policy.errors import PolicyParseError
from sekisho.policy.model import PolicyKind
from sekisho.policy.parser import CURRENT_VERSION, load_document, parse_policy

_MANAGED_KINDS = frozenset({PolicyKind.IDENTITY, PolicyKind.BOUNDARY})
_MULTIVALUED_KEYS = frozenset({"aws:tagkeys", "aws:calledvia", "aws:principalorgpaths"})


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``severity`` is ``error`` or ``warning``."""

    severity: str
    code: str
    message: str
    statement: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "statement": self.statement,
        }


def validate_policy(document: str | Mapping[str, Any], kind: PolicyKind) -> list[Finding]:
    """Check ``document`` as a policy of type ``kind``; never raises."""
    try:
        policy = parse_policy(document, kind)
    except PolicyParseError as exc:
        return [Finding("error", "MalformedPolicyDocument", exc.message)]
    findings: list[Finding] = []
    doc, _size = load_document(document)
    if policy.version != CURRENT_VERSION:
        # Managed policies must use 2012-10-17 (IAM API: CreatePolicy); older
        # versions take policy variables literally (IAM User Guide, Version).
        findings.append(Finding("warning", "old-version", errors.VERSION_TOO_OLD))
    raw = doc["Statement"]
    statements = [raw] if isinstance(raw, dict) else raw
    for n, statement in enumerate(statements):
        findings.extend(_statement_findings(n, statement, policy.version))
    return findings


def _single_valued_global(key: str) -> bool:
    tags = ("aws:requesttag", "aws:resourcetag", "aws:principaltag")
    return key.startswith("aws:") and key not in _MULTIVALUED_KEYS and not key.startswith(tags)


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _statement_findings(n: int, st: Mapping[str, Any], version: str) -> list[Finding]:
    out: list[Finding] = []
    allow = st.get("Effect") == "Allow"
    if allow and "NotAction" in st:
        out.append(
            Finding(
                "warning", "allow-not-action", "Allow with NotAction grants every other action", n
            )
        )
    if allow and "NotResource" in st:
        out.append(
            Finding(
                "warning",
                "allow-not-resource",
                "Allow with NotResource covers every other resource",
                n,
            )
        )
    if allow and "*" in _as_list(st.get("Action")) and "*" in _as_list(st.get("Resource")):
        out.append(
            Finding("warning", "allow-all", "statement allows every action on every resource", n)
        )
    if version != CURRENT_VERSION:
        texts = _as_list(st.get("Resource")) + _as_list(st.get("NotResource"))
        if any("${" in t for t in texts):
            out.append(
                Finding(
                    "warning", "literal-variable", "policy variables need Version 2012-10-17", n
                )
            )
    for operator, body in (st.get("Condition") or {}).items():
        qualifier, _base, if_exists = split_operator(operator)
        for key in body:
            lowered = str(key).lower()
            if qualifier == QUALIFIER_NONE and lowered in _MULTIVALUED_KEYS:
                out.append(
                    Finding(
                        "warning", "multivalued-key", f"{key} is multivalued: use a set operator", n
                    )
                )
            if qualifier != QUALIFIER_NONE and _single_valued_global(lowered):
                out.append(
                    Finding(
                        "warning",
                        "set-operator-single-valued",
                        f"{key} is single-valued: no set operator needed",
                        n,
                    )
                )
            if (
                if_exists
                and lowered == "aws:multifactorauthpresent"
                and st.get("Effect") == "Allow"
            ):
                out.append(
                    Finding(
                        "warning",
                        "mfa-ifexists",
                        "...IfExists on MFA also allows long-term keys",
                        n,
                    )
                )
    return out
