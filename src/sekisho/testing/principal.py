"""Principals for tests: an IAM user with given policies, and clients signed as it.

    reader = create_principal(admin_iam, endpoint_url, policies=[READ_ONLY])
    with pytest.raises(ClientError, match="AccessDenied"):
        reader.client("iam").delete_user(UserName="someone")

A policy is a document (a dict, or its JSON text), put on the user as an
inline policy, or an ARN (`arn:...`), attached as a managed policy. A
boundary is the same: a document becomes a customer managed policy used as
the user's permissions boundary; an ARN is used as it is.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PolicyLike = Mapping[str, Any] | str


@dataclass(frozen=True)
class Principal:
    """An IAM user and one of its access keys, at one endpoint."""

    user_name: str
    arn: str
    account_id: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    endpoint_url: str = ""
    region: str = "us-east-1"

    @property
    def credentials(self) -> tuple[str, str]:
        return self.access_key_id, self.secret_access_key

    def client(self, service: str, region: str | None = None, **kwargs: Any) -> Any:
        """A boto3 client for `service` signed with this principal's key."""
        import boto3

        return boto3.client(service, endpoint_url=self.endpoint_url,
                            region_name=region or self.region,
                            aws_access_key_id=self.access_key_id,
                            aws_secret_access_key=self.secret_access_key, **kwargs)


def _is_arn(policy: PolicyLike) -> bool:
    return isinstance(policy, str) and policy.startswith("arn:")


def _document(policy: PolicyLike) -> str:
    return policy if isinstance(policy, str) else json.dumps(policy)


def create_principal(admin_iam: Any, endpoint_url: str,
                     policies: Sequence[PolicyLike] = (), boundary: PolicyLike | None = None,
                     name: str | None = None, region: str = "us-east-1") -> Principal:
    """Creates a user (named `name`, else `principal-<random>`) with `policies` and
    `boundary`, and an access key for it, through `admin_iam` (a boto3 IAM client allowed
    to do so, such as an account's root user).

    Raises botocore's ClientError when the server refuses any step (an invalid policy
    document is a MalformedPolicyDocument); nothing is rolled back then.
    """
    if isinstance(policies, str | Mapping):
        raise TypeError("policies is a list of documents or ARNs, not one policy")
    user_name = name or f"principal-{secrets.token_hex(4)}"
    user = admin_iam.create_user(UserName=user_name)["User"]
    for index, policy in enumerate(policies, start=1):
        if _is_arn(policy):
            admin_iam.attach_user_policy(UserName=user_name, PolicyArn=policy)
        else:
            admin_iam.put_user_policy(UserName=user_name, PolicyName=f"policy-{index}",
                                      PolicyDocument=_document(policy))
    if boundary is not None:
        boundary_arn = boundary if _is_arn(boundary) else admin_iam.create_policy(
            PolicyName=f"{user_name}-boundary", PolicyDocument=_document(boundary),
        )["Policy"]["Arn"]
        admin_iam.put_user_permissions_boundary(UserName=user_name,
                                                PermissionsBoundary=boundary_arn)
    key = admin_iam.create_access_key(UserName=user_name)["AccessKey"]
    account_id = user["Arn"].split(":")[4]
    return Principal(user_name, user["Arn"], account_id, key["AccessKeyId"],
                     key["SecretAccessKey"], endpoint_url, region)
