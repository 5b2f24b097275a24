# ruff: noqa: E501  (data tables: one case per line)
"""Parsing cases: (rule, kind, document, expected MalformedPolicyDocument message or None).

Rules cite the IAM User Guide "Grammar of the IAM JSON policy language" (GR),
the policy element pages (EL) and the IAM API's MalformedPolicyDocument
messages (API). ``document`` is JSON text or a mapping.
"""

from typing import Any

OK = None
SYN = "Syntax errors in policy."
S = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
T = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}
RP = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


def doc(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    out: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        out["Version"] = version
    return out


def st(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = {**base, **changes}
    return {k: v for k, v in out.items() if v is not ...}


CASES: list[tuple[str, str, Any, str | None]] = [
    ("GR: a minimal identity policy", "identity", doc(S), OK),
    ("GR: Statement may be a single object", "identity", {"Version": "2012-10-17", "Statement": S}, OK),
    ("EL version: Version may be absent", "identity", doc(S, version=None), OK),
    ("EL version: 2008-10-17 is accepted", "identity", doc(S, version="2008-10-17"), OK),
    ("EL version: other dates are rejected", "identity", doc(S, version="2010-01-01"), SYN),
    ("EL id: Id is allowed", "identity", {"Version": "2012-10-17", "Id": "x", "Statement": [S]}, OK),
    ("EL id: Id must be a string", "identity", {"Version": "2012-10-17", "Id": 3, "Statement": [S]}, SYN),
    ("EL sid: Sid is allowed", "identity", doc(st(S, Sid="Read")), OK),
    ("EL sid: Sid must be a string", "identity", doc(st(S, Sid=1)), SYN),
    ("API: duplicate Sid values are rejected", "identity", doc(st(S, Sid="A"), st(S, Sid="A")), "Statement IDs (SID) in a single policy must be unique."),
    ("API: empty Sid values may repeat", "identity", doc(st(S, Sid=""), st(S, Sid="")), OK),
    ("API: invalid JSON", "identity", '{"Version": "2012-10-17", "Statement": [', SYN),
    ("API: the document must be a JSON object", "identity", "[]", SYN),
    ("API: unknown top-level element", "identity", {"Version": "2012-10-17", "Statement": [S], "Extra": 1}, SYN),
    ("API: missing Statement", "identity", {"Version": "2012-10-17"}, SYN),
    ("API: empty Statement list", "identity", {"Version": "2012-10-17", "Statement": []}, SYN),
    ("API: Statement must hold objects", "identity", {"Version": "2012-10-17", "Statement": ["x"]}, SYN),
    ("API: unknown statement element", "identity", doc(st(S, Actions="s3:*")), SYN),
    ("EL effect: Effect is required", "identity", doc(st(S, Effect=...)), SYN),
    ("EL effect: misspelled Effect", "identity", doc(st(S, Effect="Alow")), SYN),
    ("EL effect: Effect is case-sensitive", "identity", doc(st(S, Effect="allow")), "The policy failed legacy parsing"),
    ("EL effect: IAM rejects an unknown Effect value with the generic syntax message (not S3's 'Invalid effect')", "identity", doc(st(S, Effect="invalid")), SYN),
    ("EL effect: a non-string Effect is a syntax error", "identity", doc(st(S, Effect=True)), SYN),
    ("EL effect: an upper-case DENY fails legacy parsing", "identity", doc(st(S, Effect="DENY")), "The policy failed legacy parsing"),
    ("EL effect: Deny is valid", "identity", doc(st(S, Effect="Deny")), OK),
    ("EL action: Action and NotAction are exclusive", "identity", doc(st(S, NotAction="s3:*")), SYN),
    ("EL resource: Resource and NotResource are exclusive", "identity", doc(st(S, NotResource="*")), SYN),
    ("API: a statement must contain actions", "identity", doc(st(S, Action=...)), "Policy statement must contain actions."),
    ("API: an empty action list is no action", "identity", doc(st(S, Action=[])), "Policy statement must contain actions."),
    ("API: a statement must contain resources", "identity", doc(st(S, Resource=...)), "Policy statement must contain resources."),
    ("API: an empty resource list is no resource", "identity", doc(st(S, Resource=[])), "Policy statement must contain resources."),
    ("EL notaction: NotAction alone is enough", "identity", doc(st(S, Action=..., NotAction="iam:*")), OK),
    ("EL notresource: NotResource alone is enough", "identity", doc(st(S, Resource=..., NotResource="arn:aws:s3:::b")), OK),
    ("EL action: Action must be a string or list of strings", "identity", doc(st(S, Action=3)), SYN),
    ("EL action: list with a non-string", "identity", doc(st(S, Action=["s3:GetObject", 1])), SYN),
    ("EL resource: Resource must be a string or list", "identity", doc(st(S, Resource={"a": 1})), SYN),
    ("API: action without a service prefix", "identity", doc(st(S, Action="GetObject")), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    ("API: action with two colons", "identity", doc(st(S, Action="s3:Get:Object")), "Actions/Condition can contain only one colon."),
    ("API: invalid characters in the service prefix", "identity", doc(st(S, Action="s 3:GetObject")), "Vendor s 3 is not valid"),
    ("API: resource must be an ARN or *", "identity", doc(st(S, Resource="bucket")), 'Resource bucket must be in ARN format or "*".'),
    ("API: empty resource string", "identity", doc(st(S, Resource="")), 'Resource  must be in ARN format or "*".'),
    ("EL resource: a list of ARNs", "identity", doc(st(S, Resource=["arn:aws:s3:::a", "arn:aws:s3:::b/*"])), OK),
    ("API: identity policies cannot name a principal", "identity", doc(st(S, Principal="*")), "Policy document should not specify a principal."),
    ("API: identity policies cannot use NotPrincipal", "identity", doc(st(S, NotPrincipal={"AWS": "111122223333"})), "Policy document should not specify a principal."),
    ("API: boundaries cannot name a principal", "boundary", doc(st(S, Principal="*")), "Policy document should not specify a principal."),
    ("API: session policies cannot name a principal", "session", doc(st(S, Principal="*")), "Policy document should not specify a principal."),
    ("API: SCPs cannot name a principal", "scp", doc(st(S, Principal="*")), "Policy document should not specify a principal."),
    ("API: a resource policy needs a principal", "resource", doc(S), "Missing required field Principal"),
    ("API: a trust policy needs a principal", "trust", doc(st(T, Principal=...)), "Missing required field Principal"),
    ("API: an RCP needs a principal", "rcp", doc(S), "Missing required field Principal"),
    ("API: a trust policy has no Resource", "trust", doc(st(T, Resource="*")), "Has prohibited field Resource"),
    ("API: a trust policy has no NotResource", "trust", doc(st(T, NotResource="*")), "Has prohibited field NotResource"),
    ("GR: a valid trust policy", "trust", doc(T), OK),
    ("GR: a valid resource policy", "resource", doc(RP), OK),
    ("EL principal: Principal and NotPrincipal are exclusive", "resource", doc(st(RP, NotPrincipal={"AWS": "111122223333"})), SYN),
    ("EL principal: AWS account id", "resource", doc(st(RP, Principal={"AWS": "111122223333"})), OK),
    ("EL principal: list of ARNs", "resource", doc(st(RP, Principal={"AWS": ["arn:aws:iam::111122223333:user/a", "arn:aws:iam::111122223333:role/r"]})), OK),
    ("EL principal: service principal", "trust", doc(st(T, Principal={"Service": "lambda.amazonaws.com"})), OK),
    ("EL principal: federated principal", "trust", doc(st(T, Principal={"Federated": "cognito-identity.amazonaws.com"}, Action="sts:AssumeRoleWithWebIdentity")), OK),
    ("EL principal: canonical user", "resource", doc(st(RP, Principal={"CanonicalUser": "79a59df900b949e55d96a1e698fbaced"})), OK),
    ("EL principal: unknown principal type", "resource", doc(st(RP, Principal={"User": "x"})), SYN),
    ("EL principal: a bare ARN string is not a principal", "resource", doc(st(RP, Principal="arn:aws:iam::111122223333:root")), SYN),
    ("EL principal: empty principal object", "resource", doc(st(RP, Principal={})), SYN),
    ("API: invalid AWS principal value", "resource", doc(st(RP, Principal={"AWS": "alice"})), 'Invalid principal in policy: "AWS":"alice"'),
    ("EL principal: AWS * is everyone", "resource", doc(st(RP, Principal={"AWS": "*"})), OK),
    ("EL condition: a condition block", "identity", doc(st(S, Condition={"Bool": {"aws:SecureTransport": "true"}})), OK),
    ("EL condition: unknown operator", "identity", doc(st(S, Condition={"StringEqual": {"aws:username": "a"}})), SYN),
    ("EL condition: unknown set qualifier", "identity", doc(st(S, Condition={"ForSomeValues:StringEquals": {"aws:TagKeys": "a"}})), SYN),
    ("EL condition: Condition must be an object", "identity", doc(st(S, Condition=["x"])), SYN),
    ("EL condition: operator body must be an object", "identity", doc(st(S, Condition={"StringEquals": "x"})), SYN),
    ("EL condition: nested objects are not values", "identity", doc(st(S, Condition={"StringEquals": {"k:k": {"a": 1}}})), SYN),
    ("EL condition: JSON booleans and numbers are values", "identity", doc(st(S, Condition={"Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"s3:max-keys": 5}})), OK),
    ("EL condition: IfExists suffix", "identity", doc(st(S, Condition={"StringLikeIfExists": {"ec2:InstanceType": "t3.*"}})), OK),
    ("EL condition: Null has no IfExists form", "identity", doc(st(S, Condition={"NullIfExists": {"aws:TokenIssueTime": "true"}})), SYN),
    ("EL condition: qualifier with IfExists", "identity", doc(st(S, Condition={"ForAllValues:StringEqualsIfExists": {"aws:TagKeys": ["a"]}})), OK),
    ("API: an invalid date value", "identity", doc(st(S, Condition={"DateLessThan": {"aws:CurrentTime": "next tuesday"}})), "The policy failed legacy parsing"),
    ("API: a date value of dashes and digits", "identity", doc(st(S, Condition={"DateLessThan": {"aws:CurrentTime": "--5"}})), "The policy failed legacy parsing"),
    ("API: a date value of Arabic-Indic digits", "identity", doc(st(S, Condition={"DateLessThan": {"aws:CurrentTime": "\u0661\u0662"}})), "The policy failed legacy parsing"),
    ("API: a date value of superscript digits", "identity", doc(st(S, Condition={"DateLessThan": {"aws:CurrentTime": "\u00b2"}})), "The policy failed legacy parsing"),
    ("EL condition: epoch date value", "identity", doc(st(S, Condition={"DateLessThan": {"aws:EpochTime": "1700000000"}})), OK),
    ("EL condition: every operator family parses", "identity", doc(st(S, Condition={"StringEqualsIgnoreCase": {"a:b": "x"}, "NumericGreaterThanEquals": {"a:c": "1"}, "DateGreaterThan": {"a:d": "2020-01-01"}, "BinaryEquals": {"a:e": "QQ=="}, "IpAddress": {"a:f": "10.0.0.0/8"}, "NotIpAddress": {"a:g": "::1"}, "ArnNotLike": {"a:h": "arn:*"}, "Null": {"a:i": "true"}})), OK),
    ("GR: variables in a 2012-10-17 resource", "identity", doc(st(S, Resource="arn:aws:s3:::home/${aws:username}/*")), OK),
    ("GR: statements are checked in order", "identity", doc(S, st(S, Effect="Maybe")), SYN),
]
