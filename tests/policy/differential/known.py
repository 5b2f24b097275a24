"""Known disagreements with iam-simulate where AWS's documentation shows the oracle is wrong.

Each rule names one narrow behaviour of iam-simulate that contradicts the IAM User Guide, and is
written up under the same name in `docs/differential-testing.md` with the documentation that
shows which side is right. A rule is never a blanket filter: it comes with a *neutralizer*, a
rewrite of the case that AWS decides the same way (the docs say the rewritten case means the
same) but that steps around the oracle's mistake. A disagreement counts as explained by a rule
only if

1. the rule applies (its neutralizer changes the case),
2. Sekisho decides the rewritten case as it decided the original (the rewrite really is neutral),
3. iam-simulate, on the rewritten case, now agrees with Sekisho.

So a rule cannot hide an engine bug in the same case: if anything besides the documented oracle
mistake differs, the rewritten case still disagrees and the test reports it. Rules are tried one
at a time, then all applicable ones together (some cases hit two oracle mistakes at once).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Case = dict[str, Any]

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DATE_KEYS = ("aws:currenttime", "aws:epochtime", "aws:tokenissuetime")
# A literal no ARN or context value can equal or be like (no wildcards, no variables).
UNRESOLVED = "unresolved-policy-variable-sentinel"
NOTHING_ALLOWED = {"Version": "2012-10-17",
                   "Statement": [{"Effect": "Allow", "NotAction": "*", "Resource": "*"}]}


@dataclass(frozen=True)
class KnownRule:
    """One documented oracle mistake: its doc section name and a neutralizing rewrite."""

    name: str
    neutralize: Callable[[Case], Case]

    def applies(self, case: Case) -> bool:
        """True when the rule's rewrite changes the case."""
        return self.neutralize(case) != case


# --- walking policy documents -------------------------------------------------------------------

def _documents(case: Case) -> Iterator[dict[str, Any]]:
    policies = case["policies"]
    yield from policies.get("identity") or []
    yield from policies.get("session") or []
    for slot in ("resource", "boundary"):
        if policies.get(slot) is not None:
            yield policies[slot]
    for levels in (policies.get("scp") or [], policies.get("rcp") or []):
        for level in levels:
            yield from level if isinstance(level, list) else [level]


def _statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    statements = doc.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, list):
        return [fn(v) for v in value]
    return fn(value) if isinstance(value, str) else value


# --- the rules -------------------------------------------------------------------------------

def _epoch_to_iso(value: str) -> str:
    if value.isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def neutralize_epoch_dates(case: Case) -> Case:
    """Write every epoch-seconds date (in Date* conditions and date context keys) as ISO 8601."""
    out = copy.deepcopy(case)
    for doc in _documents(out):
        for statement in _statements(doc):
            for op, entries in (statement.get("Condition") or {}).items():
                if op.lower().split(":")[-1].startswith("date"):
                    for key in entries:
                        entries[key] = _map_strings(entries[key], _epoch_to_iso)
    context = out["request"].get("context") or {}
    for key in context:
        if key.lower() in _DATE_KEYS:
            context[key] = _map_strings(context[key], _epoch_to_iso)
    return out


def neutralize_zero_prefix_cidr(case: Case) -> Case:
    """Write the /0 CIDR blocks as the two halves of the address space (same set of addresses)."""
    halves = {"0.0.0.0/0": ["0.0.0.0/1", "128.0.0.0/1"], "::/0": ["::/1", "8000::/1"]}
    out = copy.deepcopy(case)
    for doc in _documents(out):
        for statement in _statements(doc):
            for op, entries in (statement.get("Condition") or {}).items():
                if "ipaddress" not in op.lower():
                    continue
                for key, values in entries.items():
                    listed = _as_list(values)
                    if any(v in halves for v in listed):
                        entries[key] = [h for v in listed for h in halves.get(v, [v])]
    return out


def _unresolved(text: str, context_keys: set[str]) -> bool:
    for inner in _VARIABLE.findall(text):
        name = inner.split(",")[0].strip().lower()
        if name in ("*", "?", "$") or "," in inner:
            continue
        if name not in context_keys:
            return True
    return False


def neutralize_unresolved_variables(case: Case) -> Case:
    """Replace each policy string that uses a variable absent from the context by a sentinel.

    AWS: a value or resource with a no-value variable matches nothing, so negated operators and
    NotResource treat it as "not equal" / "not listed"; a sentinel literal behaves the same.
    Only 2012-10-17 documents substitute variables, so others are left alone.
    """
    keys = {k.lower() for k in (case["request"].get("context") or {})}
    out = copy.deepcopy(case)

    def fix(text: str) -> str:
        if not _unresolved(text, keys):
            return text
        return "arn:aws:none:::" + UNRESOLVED if text.startswith("arn:") else UNRESOLVED

    for doc in _documents(out):
        if doc.get("Version") != "2012-10-17":
            continue
        for statement in _statements(doc):
            for element in ("Resource", "NotResource"):
                if element in statement:
                    statement[element] = _map_strings(statement[element], fix)
            for op, entries in (statement.get("Condition") or {}).items():
                base = op.lower().split(":")[-1]
                if base.startswith(("string", "arn")):
                    for key in entries:
                        entries[key] = _map_strings(entries[key], fix)
    return out


def neutralize_version_2008_variables(case: Case) -> Case:
    """In documents without Version 2012-10-17, make `${...}` visibly literal (`$[...]`)."""
    out = copy.deepcopy(case)

    def literal(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("${", "$[")
        if isinstance(value, list):
            return [literal(v) for v in value]
        if isinstance(value, dict):
            return {k: literal(v) for k, v in value.items()}
        return value

    for doc in _documents(out):
        if doc.get("Version") != "2012-10-17" and "${" in repr(doc):
            doc["Statement"] = literal(doc["Statement"])
    return out


def neutralize_federated_without_session_policy(case: Case) -> Case:
    """Give a GetFederationToken session without session policies one that allows nothing."""
    principal = case["request"]["principal"]
    if principal.get("type") != "federated" or case["policies"].get("session"):
        return case
    out = copy.deepcopy(case)
    out["policies"]["session"] = [copy.deepcopy(NOTHING_ALLOWED)]
    return out


def neutralize_rcp_service_linked_role(case: Case) -> Case:
    """RCPs do not restrict service-linked roles: leave them out for such a caller."""
    slr = case["request"]["principal"].get("service_linked_role")
    if not slr or not case["policies"].get("rcp"):
        return case
    out = copy.deepcopy(case)
    out["policies"]["rcp"] = []
    return out


def _names_caller(principal_element: Any, arn: str) -> bool:
    if not isinstance(principal_element, dict):
        return False
    return arn in _as_list(principal_element.get("AWS", []))


def neutralize_session_policy_vs_direct_grant(case: Case) -> Case:
    """Drop the session policies (keeping their Deny statements, as an identity policy).

    Applies only to a role or federated session whose same-account resource-based policy has an
    Allow statement naming the session's own ARN.
    """
    principal = case["request"]["principal"]
    policies = case["policies"]
    resource = policies.get("resource")
    if (principal.get("type") not in ("role-session", "federated") or not policies.get("session")
            or resource is None or policies.get("resource_account") != principal.get("account")
            or not any(s.get("Effect") == "Allow" and _names_caller(s.get("Principal"),
                                                                     principal["arn"])
                       for s in _statements(resource))):
        return case
    out = copy.deepcopy(case)
    denies = [s for doc in out["policies"]["session"] for s in _statements(doc)
              if s.get("Effect") == "Deny"]
    out["policies"]["session"] = []
    if denies:
        out["policies"]["identity"] = [*out["policies"]["identity"],
                                       {"Version": "2012-10-17", "Statement": denies}]
    return out


def _caller_chain(principal: dict[str, Any]) -> list[set[str]] | None:
    """The identities AWS checks a NotPrincipal against, each as the set of names it goes by."""
    kind, acct, arn = principal.get("type"), principal.get("account", ""), principal["arn"]
    account = {acct, f"arn:aws:iam::{acct}:root"}
    if kind == "user" or kind == "federated":
        return [account, {arn}]
    if kind == "role-session":
        return [account, {principal.get("role_arn", "")}, {arn}]
    if kind == "root":
        return [account]
    return None


def neutralize_not_principal_chain(case: Case) -> Case:
    """Rewrite each resource-policy Deny+NotPrincipal statement as it applies to this caller.

    The Deny spares the caller only if every identity of its chain (account; role; session or
    user) is listed, and never spares a principal that has a permissions boundary. So it becomes
    `"Principal": "*"` (it applies) or disappears (it does not).
    """
    principal = case["request"]["principal"]
    resource = case["policies"].get("resource")
    chain = _caller_chain(principal)
    if resource is None or chain is None:
        return case
    has_boundary = case["policies"].get("boundary") is not None
    out = copy.deepcopy(case)
    kept: list[dict[str, Any]] = []
    changed = False
    for statement in _statements(out["policies"]["resource"]):
        if statement.get("Effect") != "Deny" or "NotPrincipal" not in statement:
            kept.append(statement)
            continue
        changed = True
        listed = set(_as_list(statement["NotPrincipal"].get("AWS", [])))
        spared = not has_boundary and all(names & listed for names in chain)
        if not spared:
            rewritten = {k: v for k, v in statement.items() if k != "NotPrincipal"}
            rewritten["Principal"] = "*"
            kept.append(rewritten)
    if not changed:
        return case
    if kept:
        out["policies"]["resource"]["Statement"] = kept
    else:
        out["policies"]["resource"] = None
    return out


KNOWN_RULES: tuple[KnownRule, ...] = (
    KnownRule("epoch-dates", neutralize_epoch_dates),
    KnownRule("zero-prefix-cidr", neutralize_zero_prefix_cidr),
    KnownRule("unresolved-variables", neutralize_unresolved_variables),
    KnownRule("version-2008-variables", neutralize_version_2008_variables),
    KnownRule("federated-session-without-policy", neutralize_federated_without_session_policy),
    KnownRule("session-policy-vs-direct-session-grant", neutralize_session_policy_vs_direct_grant),
    KnownRule("notprincipal-deny-chain", neutralize_not_principal_chain),
    KnownRule("rcp-service-linked-role", neutralize_rcp_service_linked_role),
)


def candidate_rewrites(case: Case) -> list[tuple[tuple[str, ...], Case]]:
    """Every rewrite to try for a disagreeing case: each applicable rule, then all of them."""
    applicable = [rule for rule in KNOWN_RULES if rule.applies(case)]
    rewrites: list[tuple[tuple[str, ...], Case]] = [
        ((rule.name,), rule.neutralize(case)) for rule in applicable]
    if len(applicable) > 1:
        combined = case
        for rule in applicable:
            combined = rule.neutralize(combined)
        rewrites.append((tuple(rule.name for rule in applicable), combined))
    return rewrites
