# ruff: noqa: E501  (data tables: one case per line)
"""Evaluation-logic cases in the ``sekisho policy evaluate`` case format.

Each entry: (rule, case, expected decision, expected deciding policy type).
Rules cite the IAM User Guide: "Policy evaluation logic" (EV), "How AWS
enforcement code logic evaluates requests" (EN), "Cross-account policy
evaluation logic" (XA), "Permissions boundaries for IAM entities" (PB),
"Session policies" (SP), "Service control policies" (SCP), "Resource control
policies" (RCP), "AWS JSON policy elements: Principal / NotPrincipal" (PR).
"""

from typing import Any

A, B = "111122223333", "444455556666"
ALICE = {"arn": f"arn:aws:iam::{A}:user/alice", "account": A, "type": "user"}
BOB = {"arn": f"arn:aws:iam::{B}:user/bob", "account": B, "type": "user"}
ROLE_ARN = f"arn:aws:iam::{A}:role/app"
SESSION = {"arn": f"arn:aws:sts::{A}:assumed-role/app/s1", "account": A, "type": "role-session", "role_arn": ROLE_ARN}
B_ROLE_ARN = f"arn:aws:iam::{B}:role/ci"
B_SESSION = {"arn": f"arn:aws:sts::{B}:assumed-role/ci/run", "account": B, "type": "role-session", "role_arn": B_ROLE_ARN}
FED = {"arn": f"arn:aws:sts::{A}:federated-user/fed", "account": A, "type": "federated", "source_user_arn": ALICE["arn"]}
ROOT = {"arn": f"arn:aws:iam::{A}:root", "account": A, "type": "root"}
B_ROOT = {"arn": f"arn:aws:iam::{B}:root", "account": B, "type": "root"}
ANON = {"arn": "anonymous", "account": "", "type": "anonymous"}
LAMBDA = {"arn": "lambda.amazonaws.com", "account": "", "type": "service"}
SLR = {**SESSION, "service_linked_role": True}
MGMT = {**ALICE, "org_management_account": True}
OBJ = "arn:aws:s3:::reports/q1.csv"
GET = "s3:GetObject"


def pol(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str = "s3:*", resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str = "s3:*", resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def rallow(principal: Any, action: str = "s3:*", resource: str = "arn:aws:s3:::reports/*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource, **extra}


def rdeny(principal: Any, action: str = "s3:*", resource: str = "arn:aws:s3:::reports/*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": principal, "Action": action, "Resource": resource, **extra}


def tallow(principal: Any, action: str = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


def case(principal: dict[str, Any], action: str = GET, res: str = OBJ, context: dict[str, Any] | None = None, account: str = A, **policies: Any) -> dict[str, Any]:
    pols: dict[str, Any] = {"identity": [], "resource": None, "resource_account": account, "boundary": None, "session": [], "scp": [], "rcp": []}
    pols.update(policies)
    return {"request": {"principal": principal, "action": action, "resource": res, "context": context or {}}, "policies": pols}


AL, IM, EX = "allow", "implicit-deny", "explicit-deny"
ALLOW_ALL = pol(allow("*"))
FULL = pol(allow("*"))  # FullAWSAccess / RCPFullAWSAccess
ALICE_P = {"AWS": ALICE["arn"]}
ROLE_P = {"AWS": ROLE_ARN}
SESSION_P = {"AWS": SESSION["arn"]}
ACCT_A = {"AWS": f"arn:aws:iam::{A}:root"}
ACCT_B = {"AWS": B}
ROLE_ARN_B = f"arn:aws:iam::{A}:role/target"

CASES: list[tuple[str, dict[str, Any], str, str | None]] = [
    # Default deny and explicit deny (EN)
    ("EN: requests are implicitly denied by default", case(ALICE), IM, "identity"),
    ("EN: an identity-based allow allows", case(ALICE, identity=[pol(allow())]), AL, None),
    ("EN: allow must match the action", case(ALICE, identity=[pol(allow("s3:PutObject"))]), IM, "identity"),
    ("EN: allow must match the resource", case(ALICE, identity=[pol(allow(resource="arn:aws:s3:::other/*"))]), IM, "identity"),
    ("EN: an explicit deny overrides an allow", case(ALICE, identity=[pol(allow(), deny(GET))]), EX, "identity"),
    ("EN: a deny in another identity policy still wins", case(ALICE, identity=[pol(allow()), pol(deny())]), EX, "identity"),
    ("EN: allows from several identity policies combine", case(ALICE, identity=[pol(allow("s3:PutObject")), pol(allow(GET))]), AL, None),
    ("EN: a deny whose condition fails does not apply", case(ALICE, context={"aws:SecureTransport": "true"}, identity=[pol(allow(), deny(Condition={"Bool": {"aws:SecureTransport": "false"}}))]), AL, None),
    ("EN: a deny whose condition holds applies", case(ALICE, context={"aws:SecureTransport": "false"}, identity=[pol(allow(), deny(Condition={"Bool": {"aws:SecureTransport": "false"}}))]), EX, "identity"),
    ("EN: an allow whose condition fails does not allow", case(ALICE, context={"aws:SourceIp": "198.51.100.1"}, identity=[pol(allow(Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))]), IM, "identity"),
    ("EN: MFA deny with absent key does not apply (Bool false)", case(ALICE, identity=[pol(allow(), deny("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))]), AL, None),
    ("EN: MFA deny with BoolIfExists applies to absent key", case(ALICE, identity=[pol(allow(), deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))]), EX, "identity"),
    ("EN: IP deny with NotIpAddress applies when outside", case(ALICE, context={"aws:SourceIp": "198.51.100.1"}, identity=[pol(allow(), deny("*", Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))]), EX, "identity"),
    # Resource-based policies in one account (EV, EN)
    ("EV: same account, a resource policy naming the user allows without identity policy", case(ALICE, resource=pol(rallow(ALICE_P))), AL, None),
    ("EV: same account, identity allow alone is enough", case(ALICE, identity=[pol(allow())], resource=pol(rallow({"AWS": BOB["arn"]}))), AL, None),
    ("EV: same account, a resource policy not naming the user does not allow", case(ALICE, resource=pol(rallow({"AWS": f"arn:aws:iam::{A}:user/carol"}))), IM, "identity"),
    ("EV: a resource policy naming the account delegates to identity policies", case(ALICE, resource=pol(rallow(ACCT_A))), IM, "identity"),
    ("EV: account principal plus identity allow", case(ALICE, identity=[pol(allow())], resource=pol(rallow(ACCT_A))), AL, None),
    ("EV: a 12-digit account id equals the account root ARN", case(ALICE, identity=[pol(allow())], resource=pol(rallow({"AWS": A}))), AL, None),
    ("EV: Principal * allows everyone in the account", case(ALICE, resource=pol(rallow("*"))), AL, None),
    ("EV: explicit deny in a resource policy wins over identity allow", case(ALICE, identity=[pol(allow())], resource=pol(rdeny(ALICE_P))), EX, "resource"),
    ("EV: resource policy deny for Principal * applies to everyone", case(ALICE, identity=[pol(allow())], resource=pol(rdeny("*"))), EX, "resource"),
    ("EV: resource policy deny for another principal does not apply", case(ALICE, identity=[pol(allow())], resource=pol(rdeny({"AWS": BOB["arn"]}))), AL, None),
    ("EV: resource policy deny beats resource policy allow", case(ALICE, resource=pol(rallow(ALICE_P), rdeny(ALICE_P, GET))), EX, "resource"),
    ("EV: resource policy conditions apply", case(ALICE, context={"aws:SecureTransport": "false"}, resource=pol(rallow(ALICE_P, Condition={"Bool": {"aws:SecureTransport": "true"}}))), IM, "identity"),
    ("EV: identity deny beats a resource policy allow", case(ALICE, identity=[pol(deny())], resource=pol(rallow(ALICE_P))), EX, "identity"),
    ("EV: a role session named by its session ARN is allowed", case(SESSION, resource=pol(rallow(SESSION_P))), AL, None),
    ("EV: a resource policy naming the role stands in for identity policies", case(SESSION, resource=pol(rallow(ROLE_P))), AL, None),
    ("EV: a role session with identity allow", case(SESSION, identity=[pol(allow())]), AL, None),
    ("EV: a role session with nothing is denied", case(SESSION), IM, "identity"),
    ("EV: a role session is in its account", case(SESSION, identity=[pol(allow())], resource=pol(rallow(ACCT_A))), AL, None),
    ("EV: a resource deny naming the role applies to its sessions", case(SESSION, identity=[pol(allow())], resource=pol(rdeny(ROLE_P))), EX, "resource"),
    ("EV: a resource policy naming another role does not apply", case(SESSION, resource=pol(rallow({"AWS": f"arn:aws:iam::{A}:role/other"}))), IM, "identity"),
    ("EV: a unique id names the user", case({**ALICE, "user_id": "AIDAJQABLZS4A3QDU576Q"}, resource=pol(rallow({"AWS": "AIDAJQABLZS4A3QDU576Q"}))), AL, None),
    # Permissions boundaries (PB)
    ("PB: identity allow and boundary allow", case(ALICE, identity=[pol(allow())], boundary=pol(allow(GET))), AL, None),
    ("PB: identity allow but boundary does not allow", case(ALICE, identity=[pol(allow())], boundary=pol(allow("s3:PutObject"))), IM, "boundary"),
    ("PB: boundary alone grants nothing", case(ALICE, boundary=pol(allow())), IM, "identity"),
    ("PB: explicit deny in the boundary", case(ALICE, identity=[pol(allow())], boundary=pol(allow(), deny(GET))), EX, "boundary"),
    ("PB: a resource policy naming the user is not limited by the boundary", case(ALICE, boundary=pol(allow("ec2:*")), resource=pol(rallow(ALICE_P))), AL, None),
    ("PB: a resource policy naming the role session is not limited by the boundary", case(SESSION, boundary=pol(allow("ec2:*")), resource=pol(rallow(SESSION_P))), AL, None),
    ("PB: a resource policy naming the role is limited by the boundary", case(SESSION, boundary=pol(allow("ec2:*")), resource=pol(rallow(ROLE_P))), IM, "boundary"),
    ("PB: a resource policy naming the role with a boundary that allows", case(SESSION, boundary=pol(allow(GET)), resource=pol(rallow(ROLE_P))), AL, None),
    ("PB: a boundary deny limits even a resource policy grant", case(ALICE, boundary=pol(deny()), resource=pol(rallow(ALICE_P))), EX, "boundary"),
    ("PB: boundary conditions apply", case(ALICE, context={"aws:RequestedRegion": "eu-west-1"}, identity=[pol(allow())], boundary=pol(allow(Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}))), IM, "boundary"),
    # Session policies (SP)
    ("SP: role session policy and role policy both allow", case(SESSION, identity=[pol(allow())], session=[pol(allow(GET))]), AL, None),
    ("SP: session policy does not allow", case(SESSION, identity=[pol(allow())], session=[pol(allow("s3:PutObject"))]), IM, "session"),
    ("SP: session policy cannot grant more than the role", case(SESSION, identity=[pol(allow("s3:PutObject"))], session=[pol(allow())]), IM, "identity"),
    ("SP: explicit deny in a session policy", case(SESSION, identity=[pol(allow())], session=[pol(deny())]), EX, "session"),
    ("SP: one of several session policies allowing is enough", case(SESSION, identity=[pol(allow())], session=[pol(allow("ec2:*")), pol(allow(GET))]), AL, None),
    ("SP: no session policy passed means role permissions", case(SESSION, identity=[pol(allow())], session=[]), AL, None),
    ("SP: a resource policy naming the session is not limited by the session policy", case(SESSION, session=[pol(allow("ec2:*"))], resource=pol(rallow(SESSION_P))), AL, None),
    ("SP: a resource policy naming the role is limited by the session policy", case(SESSION, session=[pol(allow("ec2:*"))], resource=pol(rallow(ROLE_P))), IM, "session"),
    ("SP: federated user needs a session policy", case(FED, identity=[pol(allow())]), IM, "session"),
    ("SP: federated user: user policy and session policy allow", case(FED, identity=[pol(allow())], session=[pol(allow(GET))]), AL, None),
    ("SP: federated user: session policy cannot exceed the user policy", case(FED, identity=[pol(allow("ec2:*"))], session=[pol(allow())]), IM, "identity"),
    ("SP: federated user named directly by a resource policy", case(FED, resource=pol(rallow({"AWS": FED["arn"]}))), AL, None),
    ("SP: resource policy naming the federated user's IAM user is limited by the session policy", case(FED, session=[pol(allow("ec2:*"))], resource=pol(rallow(ALICE_P))), IM, "session"),
    ("SP: Principal * does not specifically reference the session: the session policy still limits it", case(SESSION, session=[pol(allow("ec2:*"))], resource=pol(rallow("*"))), IM, "session"),
    ("SP: Principal * with a session policy that allows", case(SESSION, session=[pol(allow(GET))], resource=pol(rallow("*"))), AL, None),
    ("SP: Principal * needs no identity policy for a role session without session policies", case(SESSION, resource=pol(rallow("*"))), AL, None),
    ("SP: a federated session without session policy gets nothing from Principal *", case(FED, "sts:AssumeRole", ROLE_ARN_B, identity=[pol(allow("*"))], resource=pol(tallow({"AWS": "*"}))), IM, "session"),
    ("SP: federated session with AWS * trust and a session policy that only denies other actions", case(FED, "sts:AssumeRole", ROLE_ARN_B, session=[pol(deny("s3:*"))], resource=pol(tallow({"AWS": "*"}))), IM, "session"),
    ("SP: session policy deny beats a resource policy grant", case(SESSION, session=[pol(deny())], resource=pol(rallow(SESSION_P))), EX, "session"),
    # SCPs (SCP)
    ("SCP: FullAWSAccess keeps identity permissions", case(ALICE, identity=[pol(allow())], scp=[FULL, FULL]), AL, None),
    ("SCP: an SCP that does not allow the action denies", case(ALICE, identity=[pol(allow())], scp=[FULL, pol(allow("ec2:*"))]), IM, "scp"),
    ("SCP: every level must allow", case(ALICE, identity=[pol(allow())], scp=[pol(allow("ec2:*")), FULL]), IM, "scp"),
    ("SCP: one policy of a level allowing is enough", case(ALICE, identity=[pol(allow())], scp=[FULL, [pol(allow("ec2:*")), pol(allow(GET))]]), AL, None),
    ("SCP: SCPs grant nothing by themselves", case(ALICE, scp=[FULL]), IM, "identity"),
    ("SCP: explicit deny in an SCP", case(ALICE, identity=[pol(allow())], scp=[pol(allow("*"), deny(GET))]), EX, "scp"),
    ("SCP: SCP deny applies to the root user", case(ROOT, scp=[pol(allow("*"), deny(GET))]), EX, "scp"),
    ("SCP: SCP must allow for the root user", case(ROOT, scp=[pol(allow("ec2:*"))]), IM, "scp"),
    ("SCP: service-linked roles are exempt", case(SLR, identity=[pol(allow())], scp=[pol(deny("*"))]), AL, None),
    ("SCP: the management account is exempt", case(MGMT, identity=[pol(allow())], scp=[pol(deny("*"))]), AL, None),
    ("SCP: SCPs limit role sessions", case(SESSION, identity=[pol(allow())], scp=[pol(allow("ec2:*"))]), IM, "scp"),
    ("SCP: SCP deny beats a resource policy grant", case(ALICE, resource=pol(rallow(ALICE_P)), scp=[pol(allow("*"), deny())]), EX, "scp"),
    ("SCP: SCPs do not apply to service principals", case(LAMBDA, resource=pol(rallow({"Service": "lambda.amazonaws.com"})), scp=[pol(deny("*"))]), AL, None),
    ("SCP: SCP conditions apply", case(ALICE, context={"aws:RequestedRegion": "ap-south-1"}, identity=[pol(allow())], scp=[pol(allow("*"), deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}))]), EX, "scp"),
    ("SCP: region deny with allowed region", case(ALICE, context={"aws:RequestedRegion": "eu-west-1"}, identity=[pol(allow())], scp=[pol(allow("*"), deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}))]), AL, None),
    # RCPs (RCP)
    ("RCP: RCPFullAWSAccess keeps permissions", case(ALICE, identity=[pol(allow())], rcp=[pol(rallow("*", "*", "*"))]), AL, None),
    ("RCP: explicit deny in an RCP", case(ALICE, identity=[pol(allow())], rcp=[pol(rallow("*", "*", "*"), rdeny("*", GET, "*"))]), EX, "rcp"),
    ("RCP: an RCP that allows nothing for the action denies", case(ALICE, identity=[pol(allow())], rcp=[pol(rallow("*", "ec2:*", "*"))]), IM, "rcp"),
    ("RCP: RCP deny applies to the root user", case(ROOT, rcp=[pol(rallow("*", "*", "*"), rdeny("*", "s3:*", "*"))]), EX, "rcp"),
    ("RCP: RCP deny applies to other accounts' principals", case(BOB, account=A, identity=[pol(allow())], resource=pol(rallow(ACCT_B)), rcp=[pol(rallow("*", "*", "*"), rdeny("*", "s3:*", "*", Condition={"StringNotEquals": {"aws:PrincipalAccount": A}}))], context={"aws:PrincipalAccount": B}), EX, "rcp"),
    ("RCP: RCPs do not impact the effective permissions of any service-linked role", case(SLR, identity=[pol(allow())], rcp=[pol(rdeny("*", "*", "*"))]), AL, None),
    ("RCP: a service-linked role named by a key policy is not limited by an RCP deny", case(SLR, "kms:DescribeKey", f"arn:aws:kms:ap-northeast-1:{A}:key/k", resource=pol(rallow(SESSION_P, "kms:DescribeKey", f"arn:aws:kms:ap-northeast-1:{A}:key/*")), rcp=[[pol(rallow("*", "*", "*")), pol(rdeny("*", "kms:DescribeK?y", "*"))]]), AL, None),
    # Cross-account (XA)
    ("XA: both identity and resource policy allow", case(BOB, account=A, identity=[pol(allow())], resource=pol(rallow(ACCT_B))), AL, None),
    ("XA: identity allow without resource policy", case(BOB, account=A, identity=[pol(allow())]), IM, "resource"),
    ("XA: resource policy allow without identity allow", case(BOB, account=A, resource=pol(rallow({"AWS": BOB["arn"]}))), IM, "identity"),
    ("XA: resource policy naming the principal directly still needs identity allow", case(B_SESSION, account=A, resource=pol(rallow({"AWS": B_SESSION["arn"]}))), IM, "identity"),
    ("XA: resource policy naming another account", case(BOB, account=A, identity=[pol(allow())], resource=pol(rallow({"AWS": "999988887777"}))), IM, "resource"),
    ("XA: role session of another account via its role ARN", case(B_SESSION, account=A, identity=[pol(allow())], resource=pol(rallow({"AWS": B_ROLE_ARN}))), AL, None),
    ("XA: resource deny applies across accounts", case(BOB, account=A, identity=[pol(allow())], resource=pol(rallow(ACCT_B), rdeny(ACCT_B, GET))), EX, "resource"),
    ("XA: boundary still limits the caller", case(BOB, account=A, identity=[pol(allow())], boundary=pol(allow("ec2:*")), resource=pol(rallow(ACCT_B))), IM, "boundary"),
    ("XA: the caller's SCP applies", case(BOB, account=A, identity=[pol(allow())], resource=pol(rallow(ACCT_B)), scp=[pol(allow("ec2:*"))]), IM, "scp"),
    ("XA: Principal * with identity allow", case(BOB, account=A, identity=[pol(allow())], resource=pol(rallow("*"))), AL, None),
    ("XA: another account's root user needs the resource policy", case(B_ROOT, account=A), IM, "resource"),
    ("XA: another account's root user allowed by the resource policy", case(B_ROOT, account=A, resource=pol(rallow(ACCT_B))), AL, None),
    # Root user (EN)
    ("EN: the root user has full access in its account", case(ROOT), AL, None),
    ("EN: resource policy deny applies to the root user", case(ROOT, resource=pol(rdeny("*"))), EX, "resource"),
    ("EN: identity policies do not apply to the root user", case(ROOT, identity=[pol(deny())]), AL, None),
    ("EN: the root user is named by the account principal", case(ROOT, resource=pol(rdeny(ACCT_A))), EX, "resource"),
    # Anonymous and service principals (PR)
    ("PR: anonymous requests need Principal *", case(ANON, resource=pol(rallow("*"))), AL, None),
    ("PR: anonymous requests are denied without a resource policy", case(ANON), IM, "resource"),
    ("PR: an account principal does not match anonymous callers", case(ANON, resource=pol(rallow(ACCT_A))), IM, "resource"),
    ("PR: AWS * also matches anonymous callers", case(ANON, resource=pol(rallow({"AWS": "*"}))), AL, None),
    ("PR: a service principal allowed by the resource policy", case(LAMBDA, resource=pol(rallow({"Service": "lambda.amazonaws.com"}))), AL, None),
    ("PR: another service principal does not match", case(LAMBDA, resource=pol(rallow({"Service": "sns.amazonaws.com"}))), IM, "resource"),
    ("PR: an AWS principal does not match a service", case(LAMBDA, resource=pol(rallow(ACCT_A))), IM, "resource"),
    # NotPrincipal (PR NotPrincipal)
    ("PR notprincipal: Deny with NotPrincipal applies to unlisted principals", case(ALICE, identity=[pol(allow())], resource=pol({"Effect": "Deny", "NotPrincipal": {"AWS": BOB["arn"]}, "Action": "s3:*", "Resource": "*"})), EX, "resource"),
    ("PR notprincipal: listing the user and its account exempts it", case(ALICE, identity=[pol(allow())], resource=pol({"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE["arn"], A]}, "Action": "s3:*", "Resource": "*"})), AL, None),
    ("PR notprincipal: listing the user without its account does not exempt it", case(ALICE, identity=[pol(allow())], resource=pol({"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE["arn"]]}, "Action": "s3:*", "Resource": "*"})), EX, "resource"),
    ("PR notprincipal: a role session needs session, role and account listed", case(SESSION, identity=[pol(allow())], resource=pol({"Effect": "Deny", "NotPrincipal": {"AWS": [SESSION["arn"], ROLE_ARN, A]}, "Action": "s3:*", "Resource": "*"})), AL, None),
    ("PR notprincipal: listing only the role does not exempt its sessions", case(SESSION, identity=[pol(allow())], resource=pol({"Effect": "Deny", "NotPrincipal": {"AWS": [ROLE_ARN, A]}, "Action": "s3:*", "Resource": "*"})), EX, "resource"),
    ("PR notprincipal: Allow with NotPrincipal grants unlisted principals", case(ALICE, resource=pol({"Effect": "Allow", "NotPrincipal": {"AWS": BOB["arn"]}, "Action": "s3:*", "Resource": "*"})), AL, None),
    ("PR notprincipal: Allow with NotPrincipal excludes listed principals", case(ALICE, resource=pol({"Effect": "Allow", "NotPrincipal": {"AWS": [ALICE["arn"], A]}, "Action": "s3:*", "Resource": "*"})), IM, "identity"),
    # Trust policies and KMS key policies (EN: resources that must allow)
    ("EN: same account, the trust policy must allow AssumeRole", case(ALICE, "sts:AssumeRole", ROLE_ARN_B, identity=[pol(allow("sts:AssumeRole"))]), IM, "resource"),
    ("EN: trust policy naming the account plus identity allow", case(ALICE, "sts:AssumeRole", ROLE_ARN_B, identity=[pol(allow("sts:AssumeRole"))], resource=pol(tallow(ACCT_A))), AL, None),
    ("EN: trust policy naming the account without identity allow", case(ALICE, "sts:AssumeRole", ROLE_ARN_B, resource=pol(tallow(ACCT_A))), IM, "identity"),
    ("EN: trust policy naming the user allows without identity policy", case(ALICE, "sts:AssumeRole", ROLE_ARN_B, resource=pol(tallow(ALICE_P))), AL, None),
    ("XA: cross-account AssumeRole needs identity allow", case(BOB, "sts:AssumeRole", ROLE_ARN_B, account=A, resource=pol(tallow(ACCT_B))), IM, "identity"),
    ("XA: cross-account AssumeRole with both sides", case(BOB, "sts:AssumeRole", ROLE_ARN_B, account=A, identity=[pol(allow("sts:AssumeRole"))], resource=pol(tallow(ACCT_B))), AL, None),
    ("EN: a service assumes a role through the trust policy", case(LAMBDA, "sts:AssumeRole", ROLE_ARN_B, resource=pol(tallow({"Service": "lambda.amazonaws.com"}))), AL, None),
    ("EN: trust policy deny", case(ALICE, "sts:AssumeRole", ROLE_ARN_B, identity=[pol(allow("sts:*"))], resource=pol(tallow(ACCT_A), {"Effect": "Deny", "Principal": ALICE_P, "Action": "sts:AssumeRole"})), EX, "trust"),
    ("EN: AssumeRole is not allowed by an identity policy alone", case(SESSION, "sts:AssumeRole", ROLE_ARN_B, identity=[pol(allow("*"))], resource=pol(tallow({"Service": "ec2.amazonaws.com"}))), IM, "trust"),
    ("EN: a KMS key policy must allow even in the same account", case(ALICE, "kms:Decrypt", f"arn:aws:kms:us-east-1:{A}:key/k", identity=[pol(allow("kms:*"))]), IM, "resource"),
    ("EN kms: kms:ListKeys on * is governed by IAM policies alone", case(ALICE, "kms:ListKeys", "*", identity=[pol(allow("kms:ListKeys"))]), AL, None),
    ("EN kms: kms:CreateKey needs no key policy", case(ALICE, "kms:CreateKey", "*", identity=[pol(allow("kms:*"))]), AL, None),
    ("EN kms: an alias resource is governed by IAM policies", case(ALICE, "kms:CreateAlias", f"arn:aws:kms:us-east-1:{A}:alias/app", identity=[pol(allow("kms:*"))]), AL, None),
    ("EN kms: kms:ListKeys still needs an identity allow", case(ALICE, "kms:ListKeys", "*"), IM, "identity"),
    ("EN trust: sts:TagSession is checked against the role's trust policy", case(ALICE, "sts:TagSession", ROLE_ARN_B, identity=[pol(allow("sts:*"))], resource=pol(tallow(ACCT_A, "sts:TagSession"))), AL, None),
    ("EN trust: a trust policy without sts:TagSession denies tagging the session", case(ALICE, "sts:TagSession", ROLE_ARN_B, identity=[pol(allow("sts:*"))], resource=pol(tallow(ACCT_A))), IM, "trust"),
    ("EN trust: sts:SetSourceIdentity is checked against the trust policy", case(ALICE, "sts:SetSourceIdentity", ROLE_ARN_B, resource=pol(tallow(ALICE_P, "sts:SetSourceIdentity"))), AL, None),
    ("EN: KMS key policy delegating to the account plus identity allow", case(ALICE, "kms:Decrypt", f"arn:aws:kms:us-east-1:{A}:key/k", identity=[pol(allow("kms:*"))], resource=pol(rallow(ACCT_A, "kms:*", "*"))), AL, None),
]
