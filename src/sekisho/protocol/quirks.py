"""The wire quirks of IAM and STS, as data; `serialize` applies them.

Each entry cites where AWS documents it. Nothing else in the package knows a
shape or operation by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

__all__ = ["LIST_OMISSIONS", "URL_ENCODED_SHAPES", "encode_url", "omissions_for"]


def encode_url(text: str) -> str:
    """Percent-encode every byte outside RFC 3986's unreserved set (`%20` for a space).

    botocore reverses it with `urllib.parse.unquote`, so `+` must never stand
    for a space here.
    """
    return quote(text, safe="")


# IAM returns every policy document URL-encoded (RFC 3986); the IAM API
# reference says so under GetRole, GetUserPolicy, GetRolePolicy,
# GetGroupPolicy, GetPolicyVersion and GetAccountAuthorizationDetails, and on
# the PolicyVersion data type; botocore's `json_decode_policies` handler decodes the shape
# `policyDocumentType` for that reason. In the IAM model that shape carries
# PolicyDocument, AssumeRolePolicyDocument (Role, RoleDetail) and Document
# (PolicyVersion); input documents are sent plain. STS has no such shape.
URL_ENCODED_SHAPES: Mapping[str, frozenset[str]] = {
    "iam": frozenset({"policyDocumentType"}),
    "sts": frozenset(),
}

# "IAM resource-listing operations return a subset of the available attributes
# for the resource. This operation does not return the following attributes
# ..." (IAM API reference, the note on each operation below). Keyed by
# (service, operation); the value maps the listed element's shape name to the
# members left out of it.
LIST_OMISSIONS: Mapping[tuple[str, str], Mapping[str, frozenset[str]]] = {
    ("iam", "ListUsers"): {"User": frozenset({"PermissionsBoundary", "Tags"})},
    ("iam", "ListRoles"): {"Role": frozenset({"PermissionsBoundary", "RoleLastUsed", "Tags"})},
    ("iam", "ListPolicies"): {"Policy": frozenset({"Tags"})},
    ("iam", "ListInstanceProfiles"): {"InstanceProfile": frozenset({"Tags"})},
    ("iam", "ListVirtualMFADevices"): {"VirtualMFADevice": frozenset({"Tags"})},
}


def omissions_for(service: str, operation: str) -> Mapping[str, frozenset[str]]:
    """Shape name -> members the operation's output leaves out (often empty)."""
    return LIST_OMISSIONS.get((service, operation), {})
