"""Parse and validate a policy document into a ``CompiledPolicy``.

Checks follow the IAM policy grammar (IAM User Guide, "Grammar of the IAM JSON
policy language") and the order in which the IAM API reports problems; every
failure raises ``PolicyParseError`` with AWS's ``MalformedPolicyDocument``
message:

1. JSON, element names and types -> ``Syntax errors in policy.``
2. ``Principal`` where the policy type forbids it or lacks it
3. ``Resource`` in a trust policy -> ``Has prohibited field Resource``
4. effect spelled in the wrong case, invalid dates -> legacy parsing
5. duplicate ``Sid`` values, missing actions, missing resources
6. resource ARN format, action prefixes, principal values
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from sekisho.policy import errors
from sekisho.policy.compiled import (
    CompiledPolicy,
    CompiledStatement,
    PrincipalSpec,
    ResourceSpec,
    StatementIndex,
)
from sekisho.policy.conditions import compile_condition_block
from sekisho.policy.errors import PolicyParseError
from sekisho.policy.model import PolicyKind
from sekisho.policy.variables import Template, parse_template
from sekisho.policy.wildcard import Matcher, compile_pattern

VERSIONS = ("2008-10-17", "2012-10-17")
CURRENT_VERSION = "2012-10-17"
_TOP = frozenset({"Version", "Id", "Statement"})
_STATEMENT = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
_PRINCIPAL_KEYS = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_NO_PRINCIPAL = frozenset(
    {PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.SCP}
)
_NEEDS_PRINCIPAL = frozenset({PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP})
_VENDOR = re.compile(r"^[a-zA-Z0-9\-.]+$")
_ACCOUNT = re.compile(r"^\d{12}$")
_ACCOUNT_ROOT = re.compile(r"^arn:[^:]+:iam::(\d{12}):root$")
_UNIQUE_ID = re.compile(r"^A[A-Z0-9]{15,127}$")


def policy_size(text: str) -> int:
    """The size of a policy document as IAM counts it against its quotas.

    IAM does not count white space (IAM User Guide, "IAM and AWS STS quotas");
    white space inside JSON strings is part of the value and is counted.
    """
    size = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            size += 1
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch in " \t\r\n":
            continue
        else:
            size += 1
            if ch == '"':
                in_string = True
    return size


def load_document(document: str | Mapping[str, Any]) -> tuple[Mapping[str, Any], int]:
    """Decode ``document`` (JSON text or an already-decoded mapping).

    Returns the mapping and its size; raises ``PolicyParseError`` for text
    that is not a JSON object.
    """
    if isinstance(document, Mapping):
        return document, policy_size(json.dumps(document))
    if not isinstance(document, str):
        raise PolicyParseError(errors.SYNTAX)
    try:
        decoded = json.loads(document)
    except (ValueError, RecursionError) as exc:
        raise PolicyParseError(errors.SYNTAX) from exc
    if not isinstance(decoded, dict):
        raise PolicyParseError(errors.SYNTAX)
    return decoded, policy_size(document)


def parse_policy(
    document: str | Mapping[str, Any], kind: PolicyKind, policy_id: str = ""
) -> CompiledPolicy:
    """Parse, validate and compile ``document`` as a policy of type ``kind``.

    Raises ``PolicyParseError`` whose ``message`` is AWS's
    ``MalformedPolicyDocument`` message.
    """
    doc, size = load_document(document)
    statements = _check_syntax(doc)
    version = str(doc.get("Version", "2008-10-17"))
    _check_for_kind(statements, kind)
    use_vars = version == CURRENT_VERSION
    compiled = tuple(_compile_statement(n, s, use_vars) for n, s in enumerate(statements))
    _check_semantics(statements, kind)
    policy = CompiledPolicy(
        policy_id=policy_id,
        kind=kind,
        version=version,
        statements=compiled,
        size=size,
        index=StatementIndex.build(()),
    )
    object.__setattr__(policy, "index", StatementIndex.build(policy.entries()))
    return policy


def _check_syntax(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if any(key not in _TOP for key in doc):
        raise PolicyParseError(errors.SYNTAX)
    if "Version" in doc and doc["Version"] not in VERSIONS:
        raise PolicyParseError(errors.SYNTAX)
    if "Id" in doc and not isinstance(doc["Id"], str):
        raise PolicyParseError(errors.SYNTAX)
    raw = doc.get("Statement")
    statements = [raw] if isinstance(raw, dict) else raw
    if not isinstance(statements, list) or not statements:
        raise PolicyParseError(errors.SYNTAX)
    for statement in statements:
        _check_statement_syntax(statement)
    return statements


def _check_statement_syntax(statement: object) -> None:
    if not isinstance(statement, dict) or any(k not in _STATEMENT for k in statement):
        raise PolicyParseError(errors.SYNTAX)
    for a, b in (
        ("Action", "NotAction"),
        ("Resource", "NotResource"),
        ("Principal", "NotPrincipal"),
    ):
        if a in statement and b in statement:
            raise PolicyParseError(errors.SYNTAX)
    effect = statement.get("Effect")
    if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
        raise PolicyParseError(errors.SYNTAX)
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        raise PolicyParseError(errors.SYNTAX)
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in statement:
            _strings(statement[key])
    for key in ("Principal", "NotPrincipal"):
        if key in statement:
            _check_principal_syntax(statement[key])
    if "Condition" in statement:
        # Shape and operator names; values are compiled later.
        compile_condition_block(statement["Condition"], False)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise PolicyParseError(errors.SYNTAX)


def _check_principal_syntax(value: object) -> None:
    if value == "*":
        return
    if not isinstance(value, dict) or not value:
        raise PolicyParseError(errors.SYNTAX)
    for key, item in value.items():
        if key not in _PRINCIPAL_KEYS:
            raise PolicyParseError(errors.SYNTAX)
        _strings(item)


def _check_for_kind(statements: list[Mapping[str, Any]], kind: PolicyKind) -> None:
    for statement in statements:
        has_principal = "Principal" in statement or "NotPrincipal" in statement
        if kind in _NO_PRINCIPAL and has_principal:
            raise PolicyParseError(errors.SHOULD_NOT_SPECIFY_PRINCIPAL)
        if kind in _NEEDS_PRINCIPAL and not has_principal:
            raise PolicyParseError(errors.MISSING_PRINCIPAL)
        if kind is PolicyKind.TRUST:
            for key in ("Resource", "NotResource"):
                if key in statement:
                    raise PolicyParseError(errors.prohibited(key))
        if statement["Effect"] not in ("Allow", "Deny"):
            raise PolicyParseError(errors.LEGACY)


def _check_semantics(statements: list[Mapping[str, Any]], kind: PolicyKind) -> None:
    sids: set[str] = set()
    for statement in statements:
        sid = statement.get("Sid", "")
        if sid:
            if sid in sids:
                raise PolicyParseError(errors.DUPLICATE_SID)
            sids.add(sid)
    for statement in statements:
        actions = statement.get("Action", statement.get("NotAction"))
        if actions is None or actions == []:
            raise PolicyParseError(errors.MUST_CONTAIN_ACTIONS)
    if kind is not PolicyKind.TRUST:
        for statement in statements:
            resources = statement.get("Resource", statement.get("NotResource"))
            if resources is None or resources == []:
                raise PolicyParseError(errors.MUST_CONTAIN_RESOURCES)
    for statement in statements:
        for key in ("Resource", "NotResource"):
            for resource in _strings(statement.get(key, [])):
                if resource != "*" and not resource.startswith("arn:"):
                    raise PolicyParseError(errors.bad_resource(resource))
    for statement in statements:
        for key in ("Action", "NotAction"):
            for action in _strings(statement.get(key, [])):
                _check_action(action)
    for statement in statements:
        for key in ("Principal", "NotPrincipal"):
            value = statement.get(key)
            if isinstance(value, dict):
                for aws in _strings(value.get("AWS", [])):
                    _check_aws_principal(aws)


def _check_action(action: str) -> None:
    if action == "*":
        return
    parts = action.split(":")
    if len(parts) == 1:
        raise PolicyParseError(errors.VENDOR_PREFIX)
    if len(parts) > 2:
        raise PolicyParseError(errors.ONE_COLON)
    vendor = parts[0]
    if vendor != "*" and not _VENDOR.match(vendor):
        raise PolicyParseError(errors.bad_vendor(vendor))


def _check_aws_principal(value: str) -> None:
    ok = (
        value == "*"
        or _ACCOUNT.match(value) is not None
        or (value.startswith("arn:") and value.count(":") >= 5)
        or _UNIQUE_ID.match(value) is not None
    )
    if not ok:
        raise PolicyParseError(errors.bad_principal("AWS", value))


def _compile_statement(
    index: int, statement: Mapping[str, Any], use_vars: bool
) -> CompiledStatement:
    not_action = "NotAction" in statement
    patterns = tuple(
        a.lower() for a in _strings(statement.get("NotAction" if not_action else "Action", []))
    )
    not_resource = "NotResource" in statement
    resource_key = "NotResource" if not_resource else "Resource"
    resource = (
        _resource_spec(_strings(statement[resource_key]), use_vars)
        if resource_key in statement
        else None
    )
    not_principal = "NotPrincipal" in statement
    principal_value = statement.get("NotPrincipal" if not_principal else "Principal")
    principal = None if principal_value is None else principal_spec(principal_value)
    conditions = (
        compile_condition_block(statement["Condition"], use_vars)
        if "Condition" in statement
        else ()
    )
    return CompiledStatement(
        index=index,
        sid=str(statement.get("Sid", "")),
        allow=statement["Effect"] == "Allow",
        action_patterns=patterns,
        action_matchers=tuple(compile_pattern(p) for p in patterns),
        not_action=not_action,
        resource=resource,
        not_resource=not_resource,
        principal=principal,
        not_principal=not_principal,
        conditions=conditions,
    )


def _resource_spec(values: list[str], use_vars: bool) -> ResourceSpec:
    matchers: list[Matcher] = []
    templates: list[Template] = []
    for value in values:
        template = resource_template(value) if use_vars else None
        if template is None:
            matchers.append(compile_pattern(value, arn=True))
        else:
            templates.append(template)
    return ResourceSpec(tuple(matchers), tuple(templates))


def resource_template(value: str) -> Template | None:
    """The template of a ``Resource``/``NotResource`` ARN (``None`` without variables).

    "You can use a policy variable in the Resource element, but only in the
    resource portion of the ARN ... You can't use a variable to replace parts of
    the ARN before the fifth colon" (IAM User Guide, "Where you can use policy
    variables"): the ARN is split at its fifth colon and only the text after it
    is searched for ``${...}``; before it, ``${...}`` is literal policy text.
    """
    head, sep, tail = _split_arn_resource(value)
    if not sep:
        return None
    template = parse_template(tail)
    if template is None:
        return None
    return Template((head + sep, *template.parts))


def _split_arn_resource(value: str) -> tuple[str, str, str]:
    """``(text up to the fifth colon, ":", resource part)``; ``("", "", "")`` if none."""
    pos = -1
    for _ in range(5):
        pos = value.find(":", pos + 1)
        if pos < 0:
            return "", "", ""
    return value[:pos], ":", value[pos + 1 :]


def principal_spec(value: object) -> PrincipalSpec:
    """Normalize a (syntactically valid) ``Principal`` element to tokens."""
    if value == "*":
        return PrincipalSpec(True, frozenset())
    if not isinstance(value, dict):
        raise PolicyParseError(errors.SYNTAX)
    star = False
    tokens: set[str] = set()
    for key, item in value.items():
        for v in _strings(item):
            if v == "*":
                star = True
            elif key == "AWS":
                tokens.add(aws_token(v))
            else:
                tokens.add(f"{key.lower()}:{v}")
    return PrincipalSpec(star, frozenset(tokens))


def aws_token(value: str) -> str:
    """An account id and its ``:root`` ARN both stand for the account."""
    if _ACCOUNT.match(value):
        return f"account:{value}"
    m = _ACCOUNT_ROOT.match(value)
    if m:
        return f"account:{m.group(1)}"
    return value
