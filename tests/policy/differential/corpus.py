"""A seeded, deterministic generator of realistic policy-evaluation cases.

`generate_corpus(seed, count)` returns `count` cases in the format of `sekisho policy evaluate`
(issue 3, item 7). The same seed always gives the same cases (only `random.Random` methods whose
output is fixed across Python versions are used), so a disagreement found once can be found again
from its case id, and nothing large needs to be committed.

The request half lives here (principals of every type in two accounts, actions of six services
with resources of the right type, the request context); the policy half lives in `statements.py`.
The grammar stays inside what both AWS and the oracle model; the few restrictions are listed in
`docs/differential-testing.md` ("What the grammar leaves out").
"""

from __future__ import annotations

import random
from typing import Any

from .statements import (
    ACCOUNT_A,
    ACCOUNT_B,
    ORG_ID,
    REGIONS,
    JsonDoc,
    Scene,
    action_pattern,
    condition_block,
    document,
    identity_statement,
    resource_statement,
)

DEFAULT_SEED = 20240601
DEFAULT_COUNT = 2400

# (action, resource kind); a kind of "*" marks an action that takes no resource ARN.
REQUESTS: tuple[tuple[str, str], ...] = (
    ("s3:GetObject", "s3-object"), ("s3:GetObject", "s3-object"), ("s3:PutObject", "s3-object"),
    ("s3:DeleteObject", "s3-object"), ("s3:ListBucket", "s3-bucket"),
    ("s3:ListBucket", "s3-bucket"), ("s3:GetBucketPolicy", "s3-bucket"),
    ("s3:ListAllMyBuckets", "*"),
    ("iam:GetUser", "iam-user"), ("iam:CreateAccessKey", "iam-user"),
    ("iam:ChangePassword", "iam-user"), ("iam:ListUsers", "*"), ("iam:PassRole", "iam-role"),
    ("iam:GetRole", "iam-role"), ("iam:DeleteRole", "iam-role"),
    ("sts:AssumeRole", "iam-role"), ("sts:AssumeRole", "iam-role"), ("sts:TagSession", "iam-role"),
    ("sts:GetSessionToken", "*"),
    ("ec2:DescribeInstances", "*"), ("ec2:StartInstances", "ec2-instance"),
    ("ec2:TerminateInstances", "ec2-instance"), ("ec2:CreateTags", "ec2-instance"),
    ("dynamodb:GetItem", "dynamodb-table"), ("dynamodb:PutItem", "dynamodb-table"),
    ("dynamodb:Query", "dynamodb-table"), ("dynamodb:ListTables", "*"),
    ("kms:Decrypt", "kms-key"), ("kms:Encrypt", "kms-key"), ("kms:DescribeKey", "kms-key"),
    ("kms:GenerateDataKey", "kms-key"), ("kms:ListKeys", "*"),
)
# Requests that a resource-based policy can govern (the only ones that make sense for anonymous
# callers and service principals).
RESOURCE_POLICY_KINDS = ("s3-object", "s3-bucket", "kms-key", "dynamodb-table")
PRINCIPAL_TYPES = ("user", "user", "user", "role-session", "role-session", "role-session",
                   "federated", "root", "anonymous", "service")
USERS = ("alice", "bob", "carol")
ROLES = ("Admin", "dev-deployer", "ops-reader")
SERVICES = ("cloudtrail.amazonaws.com", "s3.amazonaws.com", "ec2.amazonaws.com")
KMS_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
RCP_SERVICES = ("s3", "sts", "kms")

FULL_ACCESS: JsonDoc = {"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL_ACCESS: JsonDoc = {"Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
                                           "Resource": "*"}]}


def generate_corpus(seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT) -> list[dict[str, Any]]:
    """Return `count` cases generated from `seed`; ids are `gen-<seed>-<index>`."""
    rng = random.Random(seed)
    return [generate_case(rng, f"gen-{seed}-{index:05d}") for index in range(count)]


def generate_case(rng: random.Random, case_id: str) -> dict[str, Any]:
    """Draw one case: a principal, a request it makes, its context and every applicable policy."""
    principal_type = rng.choice(PRINCIPAL_TYPES)
    principal_account = ACCOUNT_A if rng.random() < 0.8 else ACCOUNT_B
    principal, user_name, role_arn = _principal(rng, principal_type, principal_account)
    action, kind = _request_action(rng, principal_type)
    resource_account = _resource_account(rng, principal_account, principal_type)
    region = rng.choice(REGIONS)
    resource = _resource(rng, kind, resource_account, region)
    scene = Scene(action=action, resource=resource, principal_arn=principal["arn"],
                  principal_type=principal_type, principal_account=principal["account"],
                  resource_account=resource_account, user_name=user_name, role_arn=role_arn)
    context = _context(rng, principal, scene, region, user_name, role_arn)
    policies = {
        "identity": _identity_policies(rng, scene),
        "resource": _resource_policy(rng, scene, kind),
        "resource_account": resource_account,
        "boundary": _boundary(rng, scene),
        "session": _session_policies(rng, scene),
        "scp": _scp_levels(rng, scene),
        "rcp": _rcp_levels(rng, scene, principal),
    }
    return {"id": case_id,
            "request": {"principal": principal, "action": action, "resource": resource,
                        "context": context},
            "policies": policies}


# --- the request --------------------------------------------------------------------------------

def _principal(rng: random.Random, kind: str, acct: str) -> tuple[dict[str, Any], str, str]:
    """Return (principal object, user name or "", role ARN or "")."""
    if kind == "user":
        name = rng.choice(USERS)
        path = "division/" if rng.random() < 0.2 else ""
        return ({"arn": f"arn:aws:iam::{acct}:user/{path}{name}", "account": acct,
                 "type": "user", **_org_flag(rng)}, name, "")
    if kind == "role-session":
        if rng.random() < 0.07:
            role = "AWSServiceRoleForCloudTrail"
            role_arn = f"arn:aws:iam::{acct}:role/aws-service-role/cloudtrail.amazonaws.com/{role}"
            flags: dict[str, Any] = {"service_linked_role": True}
        else:
            role = rng.choice(ROLES)
            role_arn = f"arn:aws:iam::{acct}:role/{role}"
            flags = _org_flag(rng)
        session = rng.choice(["alice", "ci-build-42", "botocore-session-1700000000"])
        return ({"arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}", "account": acct,
                 "type": "role-session", "role_arn": role_arn, **flags}, "", role_arn)
    if kind == "federated":
        # The session is named after the IAM user that called GetFederationToken: the oracle
        # derives the source user from the session name (docs: "What the grammar leaves out").
        name = rng.choice(USERS)
        return ({"arn": f"arn:aws:sts::{acct}:federated-user/{name}", "account": acct,
                 "type": "federated", "source_user_arn": f"arn:aws:iam::{acct}:user/{name}"},
                name, "")
    if kind == "root":
        return ({"arn": f"arn:aws:iam::{acct}:root", "account": acct, "type": "root",
                 **_org_flag(rng)}, "", "")
    if kind == "anonymous":
        return {"arn": "*", "account": "", "type": "anonymous"}, "", ""
    service = rng.choice(SERVICES)
    return {"arn": service, "account": "", "type": "service"}, "", ""


def _org_flag(rng: random.Random) -> dict[str, Any]:
    return {"org_management_account": True} if rng.random() < 0.06 else {}


def _request_action(rng: random.Random, principal_type: str) -> tuple[str, str]:
    while True:
        action, kind = rng.choice(REQUESTS)
        if principal_type not in ("anonymous", "service"):
            return action, kind
        if kind in RESOURCE_POLICY_KINDS or (principal_type == "service"
                                             and action == "sts:AssumeRole"):
            return action, kind


def _resource_account(rng: random.Random, principal_account: str, principal_type: str) -> str:
    if principal_type in ("anonymous", "service"):
        return rng.choice((ACCOUNT_A, ACCOUNT_B))
    if rng.random() < 0.3:
        return ACCOUNT_B if principal_account == ACCOUNT_A else ACCOUNT_A
    return principal_account


def _resource(rng: random.Random, kind: str, acct: str, region: str) -> str:
    bucket = rng.choice(["reports", f"logs-{acct}", "dev-data"])
    if kind == "s3-object":
        key = rng.choice(["q1.csv", "home/alice/notes.txt", "home/bob/todo.md", "data/2024/a.json"])
        return f"arn:aws:s3:::{bucket}/{key}"
    if kind == "s3-bucket":
        return f"arn:aws:s3:::{bucket}"
    if kind == "iam-user":
        return f"arn:aws:iam::{acct}:user/{rng.choice(USERS)}"
    if kind == "iam-role":
        return f"arn:aws:iam::{acct}:role/{rng.choice(ROLES)}"
    if kind == "ec2-instance":
        return f"arn:aws:ec2:{region}:{acct}:instance/i-0{rng.randrange(16**8):08x}abcdef0"
    if kind == "dynamodb-table":
        return f"arn:aws:dynamodb:{region}:{acct}:table/{rng.choice(['Orders', 'Customers'])}"
    if kind == "kms-key":
        return f"arn:aws:kms:{region}:{acct}:key/{KMS_KEY}"
    return "*"


def _context(rng: random.Random, principal: dict[str, Any], scene: Scene, region: str,
             user_name: str, role_arn: str) -> dict[str, str | list[str]]:
    """The request context: keys about the caller (as AWS would set them) and the request."""
    ctx: dict[str, str | list[str]] = {}
    kind, acct = principal["type"], principal["account"]

    def maybe(key: str, value: str | list[str], rate: float = 0.85) -> None:
        if rng.random() < rate:
            ctx[key] = value

    if kind == "user":
        maybe("aws:username", user_name)
        maybe("aws:userid", "AIDAEXAMPLEUSERID0" + user_name.upper())
        maybe("aws:PrincipalArn", principal["arn"])
        maybe("aws:PrincipalType", "User")
    elif kind == "role-session":
        maybe("aws:userid", "AROAEXAMPLEROLEID0:" + principal["arn"].rsplit("/", 1)[1])
        maybe("aws:PrincipalArn", role_arn)
        maybe("aws:PrincipalType", "AssumedRole")
        maybe("aws:TokenIssueTime", "2024-06-01T11:00:00Z", 0.4)
    elif kind == "federated":
        maybe("aws:userid", f"{acct}:{user_name}")
        maybe("aws:PrincipalArn", principal["arn"])
        maybe("aws:PrincipalType", "FederatedUser")
    elif kind == "root":
        maybe("aws:userid", acct)
        maybe("aws:PrincipalArn", principal["arn"])
        maybe("aws:PrincipalType", "Account")
    elif kind == "service":
        maybe("aws:PrincipalServiceName", principal["arn"])
        maybe("aws:PrincipalIsAWSService", "true")
        maybe("aws:SourceArn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/main", 0.5)
        maybe("aws:SourceAccount", ACCOUNT_A, 0.5)
    if kind in ("user", "role-session", "federated", "root"):
        maybe("aws:PrincipalAccount", acct)
        maybe("aws:PrincipalIsAWSService", "false", 0.5)
        maybe("aws:PrincipalTag/team", rng.choice(["dev", "ops", "finance"]), 0.5)
        maybe("aws:PrincipalOrgID", ORG_ID, 0.5)
        maybe("aws:PrincipalOrgPaths", [f"{ORG_ID}/r-ab12/ou-ab12-11111111/"], 0.3)
        mfa = rng.random() < 0.5
        maybe("aws:MultiFactorAuthPresent", "true" if mfa else "false", 0.7)
        if mfa:
            maybe("aws:MultiFactorAuthAge", rng.choice(["120", "3599", "7200"]), 0.6)
    if kind != "service":
        maybe("aws:SourceIp", rng.choice(["203.0.113.7", "198.51.100.20", "10.1.2.3",
                                          "192.0.2.200", "2001:db8::1"]), 0.75)
    maybe("aws:RequestedRegion", region if rng.random() < 0.8 else rng.choice(REGIONS), 0.75)
    maybe("aws:CurrentTime", rng.choice(["2024-06-01T12:00:00Z", "2023-12-31T23:59:59Z"]), 0.6)
    maybe("aws:EpochTime", rng.choice(["1717243200", "1704067199"]), 0.4)
    maybe("aws:SecureTransport", rng.choice(["true", "false"]), 0.6)
    maybe("aws:TagKeys", rng.choice([["env"], ["env", "team"], ["cost-center"], []]), 0.3)
    maybe("aws:CalledVia", ["cloudformation.amazonaws.com"], 0.15)
    if scene.action == "s3:ListBucket":
        maybe("s3:prefix", rng.choice([f"home/{user_name or 'alice'}/", "home/", "data/", ""]),
              0.7)
        maybe("s3:max-keys", rng.choice(["100", "1000", "5000"]), 0.4)
    return ctx


# --- the policies -------------------------------------------------------------------------------

def _count(rng: random.Random, weights: tuple[int, ...]) -> int:
    return rng.choices(range(len(weights)), weights=weights)[0]


def _identity_policies(rng: random.Random, scene: Scene) -> list[JsonDoc]:
    # The root user, anonymous callers and service principals have no identity policies.
    if scene.principal_type not in ("user", "role-session", "federated"):
        return []
    return [document(rng, [identity_statement(rng, scene) for _ in range(rng.randint(1, 3))])
            for _ in range(_count(rng, (10, 45, 30, 15)))]


def _boundary(rng: random.Random, scene: Scene) -> JsonDoc | None:
    if scene.principal_type not in ("user", "role-session") or rng.random() > 0.25:
        return None
    return document(rng, [identity_statement(rng, scene, allow_bias=0.85)
                          for _ in range(rng.randint(1, 2))])


def _session_policies(rng: random.Random, scene: Scene) -> list[JsonDoc]:
    if scene.principal_type not in ("role-session", "federated") or rng.random() > 0.35:
        return []
    return [document(rng, [identity_statement(rng, scene, allow_bias=0.85)
                           for _ in range(rng.randint(1, 2))], versioned=False)
            for _ in range(1 if rng.random() < 0.8 else 2)]


def _scp_levels(rng: random.Random, scene: Scene) -> list[JsonDoc | list[JsonDoc]]:
    if rng.random() > 0.35:
        return []
    levels: list[JsonDoc | list[JsonDoc]] = []
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.5:
            levels.append(FULL_ACCESS)
        elif roll < 0.8:
            deny = identity_statement(rng, scene, allow_bias=0.0, condition_rate=0.7)
            levels.append([FULL_ACCESS, document(rng, [deny], versioned=False)])
        else:
            allow = identity_statement(rng, scene, allow_bias=1.0, condition_rate=0.3)
            levels.append(document(rng, [allow], versioned=False))
    return levels


def _rcp_levels(rng: random.Random, scene: Scene,
                principal: dict[str, Any]) -> list[JsonDoc | list[JsonDoc]]:
    # RCPs cover only some services and never the management account (docs: grammar limits).
    if (scene.action.split(":")[0] not in RCP_SERVICES or principal.get("org_management_account")
            or rng.random() > 0.3):
        return []
    levels: list[JsonDoc | list[JsonDoc]] = []
    for _ in range(rng.randint(1, 2)):
        if rng.random() < 0.5:
            levels.append(RCP_FULL_ACCESS)
            continue
        actions = [a for a in (action_pattern(rng, scene) for _ in range(2)) if a != "*"]
        deny: JsonDoc = {"Effect": "Deny", "Principal": "*",
                         "Action": actions or [scene.action], "Resource": "*"}
        if rng.random() < 0.5:
            deny["Condition"] = {
                "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}
        else:
            deny["Condition"] = condition_block(rng, scene)
        levels.append([RCP_FULL_ACCESS, {"Version": "2012-10-17", "Statement": [deny]}])
    return levels


def _resource_policy(rng: random.Random, scene: Scene, kind: str) -> JsonDoc | None:
    trust = scene.action in ("sts:AssumeRole", "sts:TagSession")
    rates = {"s3-object": 0.7, "s3-bucket": 0.7, "kms-key": 0.95, "dynamodb-table": 0.4}
    if not trust and rng.random() > rates.get(kind, 0.0):
        return None
    if trust and rng.random() > 0.95:
        return None
    statements = [resource_statement(rng, scene, with_resource=not trust)
                  for _ in range(rng.randint(1, 3))]
    if kind == "kms-key" and rng.random() < 0.5:
        # The default key policy: it lets the key's account delegate access with IAM policies.
        statements.insert(0, {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                              "Principal": {"AWS": f"arn:aws:iam::{scene.resource_account}:root"},
                              "Action": "kms:*", "Resource": "*"})
    return document(rng, statements)
