"""The policy half of the differential-testing grammar: statements, conditions and documents.

Everything here draws from a `random.Random` handed in by `corpus.py` and from a `Scene` (the
request being generated), so that patterns are about the request often enough to decide it:
a grammar that only produced unrelated statements would test nothing but implicit deny.

The grammar covers what issue 3 item 8 asks for: `Action`/`NotAction` with `*` and `?` and odd
letter case, `Resource`/`NotResource` with wildcards and policy variables, every condition operator
family with `...IfExists`, `ForAllValues:`/`ForAnyValue:` and `Null`, condition keys in any case,
`Principal`/`NotPrincipal` in all their shapes, and the document shapes AWS accepts (`Version`
2012-10-17, 2008-10-17 or absent; `Statement` as object or list; strings or lists).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

JsonDoc = dict[str, Any]

ACCOUNT_A = "111122223333"
ACCOUNT_B = "444455556666"
ACCOUNTS = (ACCOUNT_A, ACCOUNT_B)
ORG_ID = "o-a1b2c3d4e5"
REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1")

# Actions per service, as the Service Authorization Reference spells them; the request side
# (corpus.py) picks from the same names so that the simulator accepts every request.
SERVICE_ACTIONS: dict[str, tuple[str, ...]] = {
    "s3": ("GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketPolicy",
           "ListAllMyBuckets"),
    "iam": ("GetUser", "CreateAccessKey", "ListUsers", "PassRole", "GetRole", "DeleteRole",
            "ChangePassword"),
    "sts": ("AssumeRole", "TagSession", "GetSessionToken"),
    "ec2": ("DescribeInstances", "StartInstances", "TerminateInstances", "CreateTags"),
    "dynamodb": ("GetItem", "PutItem", "Query", "ListTables"),
    "kms": ("Decrypt", "Encrypt", "DescribeKey", "GenerateDataKey", "ListKeys"),
}


@dataclass(frozen=True)
class Scene:
    """What the statements are generated about: one request and the accounts around it."""

    action: str
    resource: str
    principal_arn: str
    principal_type: str
    principal_account: str
    resource_account: str
    user_name: str
    role_arn: str


def recase(rng: random.Random, text: str) -> str:
    """Return `text` with letter case shuffled now and then (for case-insensitive names)."""
    roll = rng.random()
    if roll < 0.08:
        return text.upper()
    if roll < 0.16:
        return text.lower()
    return text


def _question_mark(rng: random.Random, text: str) -> str:
    """Replace one letter of the part after the last separator by `?`."""
    cut = max(text.rfind(":"), text.rfind("/")) + 1
    if len(text) - cut < 2:
        return text
    i = rng.randrange(cut, len(text))
    return text[:i] + "?" + text[i + 1:]


def action_pattern(rng: random.Random, scene: Scene) -> str:
    """One action pattern, matching the request's action about two times in three."""
    service, name = scene.action.split(":")
    roll = rng.random()
    if roll < 0.30:
        pattern = scene.action
    elif roll < 0.42:
        pattern = f"{service}:*"
    elif roll < 0.52:
        pattern = f"{service}:{name[:3]}*"
    elif roll < 0.60:
        pattern = f"{service}:*{name[-4:]}"
    elif roll < 0.68:
        pattern = _question_mark(rng, scene.action)
    elif roll < 0.72:
        pattern = "*"
    elif roll < 0.88:
        pattern = f"{service}:{rng.choice(SERVICE_ACTIONS[service])}"
    else:
        other = rng.choice(sorted(SERVICE_ACTIONS))
        pattern = f"{other}:{rng.choice(SERVICE_ACTIONS[other])}"
    return recase(rng, pattern)


def resource_pattern(rng: random.Random, scene: Scene) -> str:
    """One resource pattern: exact, wildcarded, with `?`, with a policy variable, or unrelated."""
    resource = scene.resource
    roll = rng.random()
    if resource == "*":
        return "*" if roll < 0.7 else _unrelated_resource(rng, scene)
    if roll < 0.11:
        return "*"
    if roll < 0.22:
        return resource
    if roll < 0.40:
        return resource.rsplit("/", 1)[0] + "/*" if "/" in resource else resource + "*"
    if roll < 0.50:
        return _question_mark(rng, resource)
    if roll < 0.58:
        parts = resource.split(":")
        if len(parts) >= 6 and parts[4]:
            parts[4] = "*"
        if len(parts) >= 6 and parts[3]:
            parts[3] = rng.choice(["*", "us-*", parts[3]])
        return ":".join(parts)
    if roll < 0.70:
        return _variable_resource(rng, scene)
    if roll < 0.78:
        # Case matters in resources: a wrongly cased ARN must not match.
        head, _, tail = resource.rpartition(":")
        cased = tail.upper() if rng.random() < 0.5 else tail[:-1] + tail[-1].swapcase()
        return f"{head}:{cased}"
    return _unrelated_resource(rng, scene)


def _variable_resource(rng: random.Random, scene: Scene) -> str:
    service = scene.action.split(":")[0]
    acct = scene.resource_account
    choices = {
        "s3": ["arn:aws:s3:::reports/home/${aws:username}/*",
               "arn:aws:s3:::${aws:PrincipalTag/team}-data/*",
               "arn:aws:s3:::reports/home/${aws:username, 'shared'}/*",
               "arn:aws:s3:::logs-${aws:PrincipalAccount}*"],
        "iam": [f"arn:aws:iam::{acct}:user/${{aws:username}}",
                f"arn:aws:iam::{acct}:user/*/${{aws:username}}",
                f"arn:aws:iam::{acct}:role/${{aws:PrincipalTag/team}}-*"],
        "dynamodb": [f"arn:aws:dynamodb:${{aws:RequestedRegion}}:{acct}:table/*"],
        "ec2": [f"arn:aws:ec2:${{aws:RequestedRegion}}:{acct}:instance/*"],
        "kms": ["arn:aws:kms:*:${aws:PrincipalAccount}:key/*"],
        "sts": [f"arn:aws:iam::{acct}:role/${{aws:PrincipalTag/team}}-*"],
    }
    return rng.choice(choices[service])


def _unrelated_resource(rng: random.Random, scene: Scene) -> str:
    return rng.choice([
        "arn:aws:s3:::public-assets/*",
        "arn:aws:s3:::reports",
        f"arn:aws:iam::{scene.resource_account}:user/admin",
        f"arn:aws:dynamodb:us-east-1:{scene.resource_account}:table/Audit",
        f"arn:aws:kms:eu-west-1:{scene.resource_account}:key/*",
        f"arn:aws:ec2:*:{ACCOUNT_B}:instance/*",
    ])


def one_or_list(rng: random.Random, values: list[str]) -> str | list[str]:
    """AWS accepts a lone string or a list; use both."""
    if len(values) == 1 and rng.random() < 0.6:
        return values[0]
    return values


# --- conditions -------------------------------------------------------------------------------

_STRING_OPS = ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
               "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike")
_NUMERIC_OPS = ("NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
                "NumericGreaterThan", "NumericGreaterThanEquals")
_DATE_OPS = ("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
             "DateGreaterThan", "DateGreaterThanEquals")
_ARN_OPS = ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")


def _string_values(rng: random.Random, key: str, scene: Scene) -> list[str]:
    pools: dict[str, list[str]] = {
        "aws:RequestedRegion": [*REGIONS, "us-*", "eu-west-?", "US-EAST-1"],
        "aws:PrincipalTag/team": ["dev", "DEV", "ops", "fin*", "${aws:username}"],
        "aws:username": ["alice", "bob", "Alice", "a*", "${aws:PrincipalTag/team}"],
        "aws:userid": ["AIDA*", "*:alice", "AROA*:*", f"{ACCOUNT_A}:*", "${aws:userid}"],
        "aws:PrincipalAccount": [*ACCOUNTS, "${aws:PrincipalAccount}", "1111*"],
        "aws:PrincipalType": ["User", "AssumedRole", "FederatedUser", "Account", "Anonymous"],
        "aws:PrincipalOrgID": [ORG_ID, "o-other00000"],
        "s3:prefix": ["home/${aws:username}/*", "home/", "", "home/${aws:username}/",
                      "data/*", "home/${aws:username, 'nobody'}/*"],
        "aws:PrincipalServiceName": ["s3.amazonaws.com", "*.amazonaws.com"],
    }
    count = 1 if rng.random() < 0.65 else 2
    return [rng.choice(pools[key]) for _ in range(count)]


def _string_keys(scene: Scene) -> list[str]:
    keys = ["aws:RequestedRegion", "aws:PrincipalTag/team", "aws:username", "aws:userid",
            "aws:PrincipalAccount", "aws:PrincipalType", "aws:PrincipalOrgID"]
    if scene.action == "s3:ListBucket":
        keys += ["s3:prefix", "s3:prefix"]
    if scene.principal_type == "service":
        keys.append("aws:PrincipalServiceName")
    return keys


def _date_value(rng: random.Random) -> str:
    return rng.choice(["2024-01-01T00:00:00Z", "2024-06-01T12:00:00Z", "2025-01-01",
                       "2024-06-01T12:00:00+09:00", "1717243200", "1704067200",
                       "2030-12-31T23:59:59Z"])


def condition_entry(rng: random.Random, scene: Scene) -> tuple[str, str, str | list[str]]:
    """Return one (operator, key, values) triple from a random operator family."""
    family = rng.choice(["string", "string", "string", "numeric", "date", "bool", "ip", "arn",
                         "null", "set", "set"])
    if_exists = rng.random() < 0.2
    if family == "string":
        key = rng.choice(_string_keys(scene))
        op, values = rng.choice(_STRING_OPS), _string_values(rng, key, scene)
    elif family == "numeric":
        key = rng.choice(["aws:MultiFactorAuthAge", "aws:MultiFactorAuthAge", "s3:max-keys"])
        if key == "s3:max-keys" and scene.action != "s3:ListBucket":
            key = "aws:MultiFactorAuthAge"
        op, values = rng.choice(_NUMERIC_OPS), [rng.choice(["300", "3600", "1000", "0", "86400"])]
    elif family == "date":
        key = rng.choice(["aws:CurrentTime", "aws:CurrentTime", "aws:EpochTime",
                          "aws:TokenIssueTime"])
        op, values = rng.choice(_DATE_OPS), [_date_value(rng)]
    elif family == "bool":
        key = rng.choice(["aws:MultiFactorAuthPresent", "aws:MultiFactorAuthPresent",
                          "aws:SecureTransport", "aws:PrincipalIsAWSService"])
        op, values = "Bool", [rng.choice(["true", "false", "True"])]
    elif family == "ip":
        op = rng.choice(["IpAddress", "NotIpAddress"])
        key = "aws:SourceIp"
        pool = ["203.0.113.0/24", "10.0.0.0/8", "198.51.100.20", "2001:db8::/32",
                "192.0.2.0/25", "0.0.0.0/0"]
        values = rng.sample(pool, 1 if rng.random() < 0.6 else 2)
    elif family == "arn":
        op = rng.choice(_ARN_OPS)
        key = rng.choice(["aws:PrincipalArn", "aws:PrincipalArn", "aws:SourceArn"])
        pool = [f"arn:aws:iam::{ACCOUNT_A}:role/*", "arn:aws:iam::*:user/alice",
                scene.role_arn or scene.principal_arn, f"arn:aws:iam::{ACCOUNT_B}:*",
                "arn:aws:s3:::reports", "arn:aws:iam::*:role/Admin?",
                f"arn:aws:iam::{ACCOUNT_A}:user/${{aws:username}}"]
        values = [rng.choice(pool)]
    elif family == "null":
        op, if_exists = "Null", False
        key = rng.choice(["aws:MultiFactorAuthAge", "aws:PrincipalTag/team", "aws:TagKeys",
                          "aws:SourceIp", "aws:username"])
        values = [rng.choice(["true", "false"])]
    else:
        op = rng.choice(["ForAllValues:", "ForAnyValue:"]) + rng.choice(
            ["StringEquals", "StringLike", "StringNotEquals", "StringEqualsIgnoreCase"])
        key = rng.choice(["aws:TagKeys", "aws:TagKeys", "aws:CalledVia",
                          "aws:PrincipalOrgPaths"])
        pools = {
            "aws:TagKeys": ["env", "team", "cost-*", "Env"],
            "aws:CalledVia": ["cloudformation.amazonaws.com", "athena.amazonaws.com"],
            "aws:PrincipalOrgPaths": [f"{ORG_ID}/r-ab12/ou-ab12-11111111/*",
                                      f"{ORG_ID}/r-ab12/*"],
        }
        values = rng.sample(pools[key], 1 if rng.random() < 0.5 else 2)
        if_exists = False
    if if_exists and op != "Null":
        op += "IfExists"
    return op, recase(rng, key), one_or_list(rng, values)


def condition_block(rng: random.Random, scene: Scene) -> JsonDoc:
    """A `Condition` element with one to three (operator, key) entries, ANDed by AWS."""
    block: JsonDoc = {}
    for _ in range(1 if rng.random() < 0.6 else rng.randint(2, 3)):
        op, key, values = condition_entry(rng, scene)
        block.setdefault(op, {})[key] = values
    return block


# --- statements and documents -----------------------------------------------------------------

def identity_statement(rng: random.Random, scene: Scene, *, allow_bias: float = 0.75,
                       condition_rate: float = 0.45) -> JsonDoc:
    """A statement for an identity, boundary, session or service control policy."""
    statement: JsonDoc = {}
    if rng.random() < 0.3:
        statement["Sid"] = f"S{rng.randrange(1000)}"
    statement["Effect"] = "Allow" if rng.random() < allow_bias else "Deny"
    actions = [action_pattern(rng, scene) for _ in range(rng.randint(1, 3))]
    statement["NotAction" if rng.random() < 0.15 else "Action"] = one_or_list(rng, actions)
    resources = [resource_pattern(rng, scene) for _ in range(rng.randint(1, 2))]
    statement["NotResource" if rng.random() < 0.12 else "Resource"] = one_or_list(rng, resources)
    if rng.random() < condition_rate:
        statement["Condition"] = condition_block(rng, scene)
    return statement


def document(rng: random.Random, statements: list[JsonDoc], *, versioned: bool = True) -> JsonDoc:
    """Wrap statements in a policy document, sometimes as 2008-10-17 or without a Version."""
    doc: JsonDoc = {}
    roll = rng.random()
    if not versioned or roll < 0.86:
        doc["Version"] = "2012-10-17"
    elif roll < 0.94:
        doc["Version"] = "2008-10-17"
    if rng.random() < 0.1:
        doc["Id"] = f"policy-{rng.randrange(100)}"
    doc["Statement"] = statements[0] if len(statements) == 1 and rng.random() < 0.3 else statements
    return doc


def principal_element(rng: random.Random, scene: Scene) -> str | JsonDoc:
    """A `Principal` value naming the caller, its account, its role, someone else, or anyone."""
    acct = scene.principal_account or ACCOUNT_A
    other = ACCOUNT_B if acct == ACCOUNT_A else ACCOUNT_A
    candidates: list[str | JsonDoc] = [
        "*",
        {"AWS": "*"},
        {"AWS": f"arn:aws:iam::{acct}:root"},
        {"AWS": acct},
        {"AWS": f"arn:aws:iam::{other}:root"},
        {"AWS": f"arn:aws:iam::{scene.resource_account}:root"},
        {"Service": rng.choice(["s3.amazonaws.com", "cloudtrail.amazonaws.com"])},
        {"AWS": f"arn:aws:iam::{acct}:user/alice"},
        {"AWS": f"arn:aws:iam::{other}:role/Admin"},
    ]
    if scene.principal_type in ("user", "federated", "role-session", "root"):
        candidates += [{"AWS": scene.principal_arn}] * 3
    if scene.role_arn:
        candidates += [{"AWS": scene.role_arn}] * 3
    if scene.principal_type == "federated":
        candidates += [{"AWS": f"arn:aws:iam::{acct}:user/{scene.user_name}"}] * 2
    chosen = rng.choice(candidates)
    if isinstance(chosen, dict) and rng.random() < 0.25:
        extra = rng.choice(candidates)
        if isinstance(extra, dict) and "AWS" in extra and "AWS" in chosen:
            merged = sorted({chosen["AWS"], extra["AWS"]})
            return {"AWS": merged}
    return chosen


def resource_statement(rng: random.Random, scene: Scene, *, with_resource: bool) -> JsonDoc:
    """A statement of a resource-based policy (bucket, key, table or trust policy)."""
    statement: JsonDoc = {"Effect": "Allow" if rng.random() < 0.75 else "Deny"}
    # NotPrincipal is supported only with Deny, and never in a role trust policy
    # (IAM User Guide, "AWS JSON policy elements: NotPrincipal").
    if statement["Effect"] == "Deny" and with_resource and rng.random() < 0.4:
        statement["NotPrincipal"] = principal_element(rng, scene)
        if statement["NotPrincipal"] in ("*", {"AWS": "*"}):
            statement["NotPrincipal"] = {"AWS": f"arn:aws:iam::{ACCOUNT_B}:root"}
    else:
        statement["Principal"] = principal_element(rng, scene)
    actions = [action_pattern(rng, scene) for _ in range(rng.randint(1, 2))]
    statement["NotAction" if rng.random() < 0.08 else "Action"] = one_or_list(rng, actions)
    if with_resource:
        resources = [resource_pattern(rng, scene) for _ in range(rng.randint(1, 2))]
        statement["NotResource" if rng.random() < 0.08 else "Resource"] = one_or_list(
            rng, resources)
    if rng.random() < 0.35:
        statement["Condition"] = condition_block(rng, scene)
    return statement
