# ruff: noqa: E501, E741  (data tables: one case per line)
"""Action/resource matching and policy variable cases.

Each case: (rule, statement, action, resource, context, version, decision).
The statement is the only statement of the user's identity policy (``Effect``
defaults to ``Allow``). Rules cite the IAM User Guide pages "IAM JSON policy
elements: Action / NotAction / Resource / NotResource" (EL) and "IAM policy
elements: Variables and tags" (VAR).
"""

from typing import Any

V12, V08, NOV = "2012-10-17", "2008-10-17", None
A, I, D = "allow", "implicit-deny", "explicit-deny"
B = "arn:aws:s3:::bucket"
OBJ = "arn:aws:s3:::bucket/key"
U = {"aws:username": "alice"}

CASES: list[tuple[str, dict[str, Any], str, str, dict[str, Any], str | None, str]] = [
    # Action (EL Action)
    ("EL action: exact action", {"Action": "s3:GetObject", "Resource": "*"}, "s3:GetObject", OBJ, {}, V12, A),
    ("EL action: other action is not matched", {"Action": "s3:GetObject", "Resource": "*"}, "s3:PutObject", OBJ, {}, V12, I),
    ("EL action: action names are case-insensitive", {"Action": "S3:getobject", "Resource": "*"}, "s3:GetObject", OBJ, {}, V12, A),
    ("EL action: request action case-insensitive", {"Action": "s3:GetObject", "Resource": "*"}, "S3:GETOBJECT", OBJ, {}, V12, A),
    ("EL action: trailing wildcard", {"Action": "s3:Get*", "Resource": "*"}, "s3:GetObjectAcl", OBJ, {}, V12, A),
    ("EL action: leading wildcard", {"Action": "s3:*Object", "Resource": "*"}, "s3:DeleteObject", OBJ, {}, V12, A),
    ("EL action: ? matches one character", {"Action": "s3:Get?bject", "Resource": "*"}, "s3:GetObject", OBJ, {}, V12, A),
    ("EL action: ? needs exactly one character", {"Action": "s3:Get?bject", "Resource": "*"}, "s3:Getbject", OBJ, {}, V12, I),
    ("EL action: * matches every action", {"Action": "*", "Resource": "*"}, "ec2:RunInstances", "*", {}, V12, A),
    ("EL action: service:* matches the service", {"Action": "iam:*", "Resource": "*"}, "iam:CreateUser", "*", {}, V12, A),
    ("EL action: service:* does not match a longer prefix", {"Action": "s3:*", "Resource": "*"}, "s3express:CreateSession", "*", {}, V12, I),
    ("EL action: service wildcard does not match other services", {"Action": "s3:*", "Resource": "*"}, "sqs:SendMessage", "*", {}, V12, I),
    ("EL action: a list of actions is ORed", {"Action": ["sqs:SendMessage", "s3:GetObject"], "Resource": "*"}, "s3:GetObject", OBJ, {}, V12, A),
    ("EL action: wildcard in the middle", {"Action": "iam:*AccessKey*", "Resource": "*"}, "iam:CreateAccessKey", "*", {}, V12, A),
    ("EL action: wildcard in the middle, no match", {"Action": "iam:*AccessKey*", "Resource": "*"}, "iam:CreateUser", "*", {}, V12, I),
    ("EL action: wildcard vendor", {"Action": "*:GetObject", "Resource": "*"}, "s3:GetObject", OBJ, {}, V12, A),
    # NotAction (EL NotAction)
    ("EL notaction: Allow covers actions not listed", {"NotAction": "iam:*", "Resource": "*"}, "s3:GetObject", OBJ, {}, V12, A),
    ("EL notaction: Allow does not cover listed actions", {"NotAction": "iam:*", "Resource": "*"}, "iam:CreateUser", "*", {}, V12, I),
    ("EL notaction: NotAction is case-insensitive", {"NotAction": "IAM:*", "Resource": "*"}, "iam:CreateUser", "*", {}, V12, I),
    ("EL notaction: list of NotAction", {"NotAction": ["iam:*", "sts:*"], "Resource": "*"}, "sts:GetCallerIdentity", "*", {}, V12, I),
    # Resource (EL Resource)
    ("EL resource: exact ARN", {"Action": "s3:*", "Resource": OBJ}, "s3:GetObject", OBJ, {}, V12, A),
    ("EL resource: ARNs are case-sensitive", {"Action": "s3:*", "Resource": "arn:aws:s3:::Bucket/key"}, "s3:GetObject", OBJ, {}, V12, I),
    ("EL resource: wildcard in the resource id", {"Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"}, "s3:GetObject", OBJ, {}, V12, A),
    ("EL resource: bucket/* does not match the bucket", {"Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"}, "s3:ListBucket", B, {}, V12, I),
    ("EL resource: ? in the resource id", {"Action": "s3:*", "Resource": "arn:aws:s3:::bucket/ke?"}, "s3:GetObject", OBJ, {}, V12, A),
    ("EL resource: * matches every resource", {"Action": "s3:*", "Resource": "*"}, "s3:ListAllMyBuckets", "*", {}, V12, A),
    ("EL resource: region wildcard segment", {"Action": "ec2:*", "Resource": "arn:aws:ec2:*:111122223333:instance/*"}, "ec2:StopInstances", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", {}, V12, A),
    ("EL resource: account segment must match", {"Action": "ec2:*", "Resource": "arn:aws:ec2:*:111122223333:instance/*"}, "ec2:StopInstances", "arn:aws:ec2:eu-west-1:444455556666:instance/i-1", {}, V12, I),
    ("EL resource: segment wildcard does not span colons", {"Action": "ec2:*", "Resource": "arn:aws:ec2:*:instance/*"}, "ec2:StopInstances", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", {}, V12, I),
    ("EL resource: resource id may contain colons", {"Action": "logs:*", "Resource": "arn:aws:logs:*:*:log-group:app:*"}, "logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1", {}, V12, A),
    ("EL resource: all-wildcard segments", {"Action": "logs:*", "Resource": "arn:aws:logs:*:*:*"}, "logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1", {}, V12, A),
    ("EL resource: list of resources is ORed", {"Action": "s3:*", "Resource": ["arn:aws:s3:::other/*", OBJ]}, "s3:GetObject", OBJ, {}, V12, A),
    ("EL resource: service segment must match", {"Action": "*", "Resource": "arn:aws:sqs:*:*:*"}, "s3:GetObject", OBJ, {}, V12, I),
    ("EL resource: wildcard does not match a bare *", {"Action": "s3:*", "Resource": "arn:aws:s3:::*"}, "s3:ListAllMyBuckets", "*", {}, V12, I),
    ("EL resource: arn:aws:s3:::* matches every bucket", {"Action": "s3:*", "Resource": "arn:aws:s3:::*"}, "s3:ListBucket", B, {}, V12, A),
    # NotResource (EL NotResource)
    ("EL notresource: Allow covers other resources", {"Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}, "s3:GetObject", OBJ, {}, V12, A),
    ("EL notresource: Allow does not cover the listed resource", {"Action": "s3:*", "NotResource": "arn:aws:s3:::bucket/*"}, "s3:GetObject", OBJ, {}, V12, I),
    ("EL notresource: Deny applies to other resources", {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}, "s3:GetObject", OBJ, {}, V12, D),
    ("EL notresource: Deny skips the listed resource", {"Effect": "Deny", "Action": "s3:*", "NotResource": OBJ}, "s3:GetObject", OBJ, {}, V12, I),
    ("EL notaction: Deny applies to other actions", {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}, "s3:GetObject", OBJ, {}, V12, D),
    ("EL notaction: Deny skips the listed actions", {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}, "s3:GetObject", OBJ, {}, V12, I),
    # Policy variables (VAR)
    ("VAR: ${aws:username} in Resource", {"Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}, "s3:GetObject", "arn:aws:s3:::home/alice/f", U, V12, A),
    ("VAR: substituted value must match", {"Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}, "s3:GetObject", "arn:aws:s3:::home/bob/f", U, V12, I),
    ("VAR: an absent key makes the value match nothing", {"Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}, "s3:GetObject", "arn:aws:s3:::home//f", {}, V12, I),
    ("VAR: default value when the key is absent", {"Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username, 'guest'}/*"}, "s3:GetObject", "arn:aws:s3:::home/guest/f", {}, V12, A),
    ("VAR: default ignored when the key is present", {"Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username, 'guest'}/*"}, "s3:GetObject", "arn:aws:s3:::home/guest/f", U, V12, I),
    ("VAR: variable names are case-insensitive", {"Action": "s3:*", "Resource": "arn:aws:s3:::home/${AWS:UserName}/*"}, "s3:GetObject", "arn:aws:s3:::home/alice/f", U, V12, A),
    ("VAR: 2008-10-17 takes variables literally", {"Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}, "s3:GetObject", "arn:aws:s3:::home/alice/f", U, V08, I),
    ("VAR: 2008-10-17 literal text matches itself", {"Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}, "s3:GetObject", "arn:aws:s3:::home/${aws:username}/f", U, V08, A),
    ("VAR: no Version means 2008-10-17", {"Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}, "s3:GetObject", "arn:aws:s3:::home/alice/f", U, NOV, I),
    ("VAR: ${*} is a literal asterisk", {"Action": "s3:*", "Resource": "arn:aws:s3:::b/${*}"}, "s3:GetObject", "arn:aws:s3:::b/*", {}, V12, A),
    ("VAR: ${*} is not a wildcard", {"Action": "s3:*", "Resource": "arn:aws:s3:::b/${*}"}, "s3:GetObject", "arn:aws:s3:::b/x", {}, V12, I),
    ("VAR: ${?} is a literal question mark", {"Action": "s3:*", "Resource": "arn:aws:s3:::b/a${?}"}, "s3:GetObject", "arn:aws:s3:::b/ax", {}, V12, I),
    ("VAR: ${$} is a literal dollar", {"Action": "s3:*", "Resource": "arn:aws:s3:::b/${$}x"}, "s3:GetObject", "arn:aws:s3:::b/$x", {}, V12, A),
    ("VAR: a substituted value is literal text", {"Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}"}, "s3:GetObject", "arn:aws:s3:::home/abc", {"aws:username": "a*"}, V12, I),
    ("VAR: principal tag variable", {"Action": "s3:*", "Resource": "arn:aws:s3:::teams/${aws:PrincipalTag/team}/*"}, "s3:GetObject", "arn:aws:s3:::teams/red/x", {"aws:PrincipalTag/team": "red"}, V12, A),
    ("VAR: ${aws:userid} in Resource", {"Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:userid}/*"}, "s3:GetObject", "arn:aws:s3:::home/AIDAEXAMPLE/x", {"aws:userid": "AIDAEXAMPLE"}, V12, A),
    ("VAR: multivalued key cannot be a variable", {"Action": "s3:*", "Resource": "arn:aws:s3:::t/${aws:TagKeys}"}, "s3:GetObject", "arn:aws:s3:::t/a", {"aws:TagKeys": ["a"]}, V12, I),
    ("VAR: variable in a StringEquals value", {"Action": "s3:ListBucket", "Resource": B, "Condition": {"StringEquals": {"s3:prefix": "home/${aws:username}"}}}, "s3:ListBucket", B, {"aws:username": "alice", "s3:prefix": "home/alice"}, V12, A),
    ("VAR: variable in a StringLike value keeps wildcards", {"Action": "s3:ListBucket", "Resource": B, "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}}, "s3:ListBucket", B, {"aws:username": "alice", "s3:prefix": "home/alice/docs"}, V12, A),
    ("VAR: condition variable with absent key matches nothing", {"Action": "s3:ListBucket", "Resource": B, "Condition": {"StringEquals": {"s3:prefix": "home/${aws:username}"}}}, "s3:ListBucket", B, {"s3:prefix": "home/"}, V12, I),
    ("VAR: other values still match when one is undefined", {"Action": "s3:ListBucket", "Resource": B, "Condition": {"StringEquals": {"s3:prefix": ["home/${aws:username}", "public"]}}}, "s3:ListBucket", B, {"s3:prefix": "public"}, V12, A),
    ("VAR: 2008 condition values are literal", {"Action": "s3:ListBucket", "Resource": B, "Condition": {"StringEquals": {"s3:prefix": "home/${aws:username}"}}}, "s3:ListBucket", B, {"aws:username": "alice", "s3:prefix": "home/alice"}, V08, I),
    ("VAR: variable in ArnLike value", {"Action": "sns:Publish", "Resource": "*", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::${aws:PrincipalTag/bucket}"}}}, "sns:Publish", "*", {"aws:PrincipalTag/bucket": "logs", "aws:SourceArn": "arn:aws:s3:::logs"}, V12, A),
    ("VAR: variable with default in a condition", {"Action": "s3:ListBucket", "Resource": B, "Condition": {"StringEquals": {"s3:prefix": "${aws:PrincipalTag/dir, 'shared'}"}}}, "s3:ListBucket", B, {"s3:prefix": "shared"}, V12, A),
    ("VAR: variable in NotResource", {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::home/${aws:username}/*"}, "s3:GetObject", "arn:aws:s3:::home/bob/x", U, V12, D),
    ("VAR where: a variable before the fifth colon of a Resource ARN is literal text", {"Action": "ec2:*", "Resource": "arn:aws:ec2:${aws:RequestedRegion}:111122223333:instance/*"}, "ec2:TerminateInstances", "arn:aws:ec2:ap-northeast-1:111122223333:instance/i-1", {"aws:RequestedRegion": "ap-northeast-1"}, V12, I),
    ("VAR where: a variable in the account field of a Resource ARN is literal text", {"Effect": "Deny", "Action": "kms:*", "Resource": "arn:aws:kms:*:${aws:PrincipalAccount}:key/*"}, "kms:DescribeKey", "arn:aws:kms:us-east-1:111122223333:key/k", {"aws:PrincipalAccount": "111122223333"}, V12, I),
    ("VAR where: the literal text before the fifth colon matches itself", {"Action": "ec2:*", "Resource": "arn:aws:ec2:${aws:RequestedRegion}:111122223333:instance/*"}, "ec2:TerminateInstances", "arn:aws:ec2:${aws:RequestedRegion}:111122223333:instance/i-1", {"aws:RequestedRegion": "ap-northeast-1"}, V12, A),
    ("VAR where: a variable after the fifth colon is substituted", {"Action": "ec2:*", "Resource": "arn:aws:ec2:*:111122223333:instance/${aws:PrincipalTag/instance}"}, "ec2:TerminateInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", {"aws:PrincipalTag/instance": "i-1"}, V12, A),
    ("VAR where: variables in condition values may stand anywhere in an ARN", {"Action": "sns:Publish", "Resource": "*", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sqs:${aws:RequestedRegion}:*:q"}}}, "sns:Publish", "*", {"aws:RequestedRegion": "eu-west-1", "aws:SourceArn": "arn:aws:sqs:eu-west-1:111122223333:q"}, V12, A),
    ("VAR: ${aws:SourceIp} substitutes the address", {"Action": "s3:ListBucket", "Resource": B, "Condition": {"StringEquals": {"s3:prefix": "${aws:SourceIp}"}}}, "s3:ListBucket", B, {"aws:SourceIp": "203.0.113.7", "s3:prefix": "203.0.113.7"}, V12, A),
]
