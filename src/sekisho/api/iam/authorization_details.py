"""GetAccountAuthorizationDetails: the account's users, groups, roles and managed
policies with their inline documents, attachments and versions.

The rules live in `sekisho.domain.authorization_details`; this module shapes
its records into `UserDetail`, `GroupDetail`, `RoleDetail` and
`ManagedPolicyDetail`. Every document (inline policies, trust policies, policy
versions) is of the model's `policyDocumentType`, which the serializer
URL-encodes as AWS does ("Policies returned by this operation are URL-encoded
compliant with RFC 3986", GetAccountAuthorizationDetails in the IAM API reference).
"""

from __future__ import annotations

from typing import Any

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam import shapes
from sekisho.api.iam.roles import role_shape
from sekisho.domain import arns
from sekisho.domain.authorization_details import (
    Attached,
    Detail,
    GroupDetail,
    PolicyDetail,
    RoleDetail,
    UserDetail,
    authorization_details,
)
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS
from sekisho.domain.tags import as_output


def _inline(policies: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"PolicyName": name, "PolicyDocument": doc} for name, doc in policies]


def _attached(found: tuple[Attached, ...]) -> list[dict[str, str]]:
    return [{"PolicyName": name, "PolicyArn": arn} for name, arn in found]


def _boundary(arn: str | None) -> dict[str, str] | None:
    if not arn:
        return None
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


def _user(call: Call, d: UserDetail) -> dict[str, Any]:
    base = shapes.user(call.partition, d.user)
    out: dict[str, Any] = {k: base[k] for k in ("Path", "UserName", "UserId", "Arn",
                                                "CreateDate")}
    out.update(UserPolicyList=_inline(d.inline), GroupList=list(d.groups),
               AttachedManagedPolicies=_attached(d.attached),
               PermissionsBoundary=_boundary(d.user.permissions_boundary_arn))
    if d.tags:
        out["Tags"] = as_output(d.tags)
    return out


def _group(call: Call, d: GroupDetail) -> dict[str, Any]:
    out = shapes.group(call.partition, d.group)
    out.update(GroupPolicyList=_inline(d.inline), AttachedManagedPolicies=_attached(d.attached))
    return out


def _role(call: Call, d: RoleDetail) -> dict[str, Any]:
    base = role_shape(call.partition, d.role, last_used=True)
    out: dict[str, Any] = {k: base[k] for k in ("Path", "RoleName", "RoleId", "Arn",
                                                "CreateDate", "AssumeRolePolicyDocument",
                                                "RoleLastUsed")}
    profiles = []
    for profile, role in d.instance_profiles:
        profiles.append({
            "Path": profile.path,
            "InstanceProfileName": profile.name,
            "InstanceProfileId": profile.instance_profile_id,
            "Arn": arns.iam(call.partition, profile.account_id,
                            f"instance-profile{profile.path}{profile.name}"),
            "CreateDate": profile.created_at,
            "Roles": [role_shape(call.partition, role)] if role else [],
        })
    out.update(InstanceProfileList=profiles, RolePolicyList=_inline(d.inline),
               AttachedManagedPolicies=_attached(d.attached),
               PermissionsBoundary=_boundary(d.role.permissions_boundary_arn))
    if d.tags:
        out["Tags"] = as_output(d.tags)
    return out


def _policy(d: PolicyDetail) -> dict[str, Any]:
    info = d.info
    out: dict[str, Any] = {
        "PolicyName": info.name,
        "PolicyId": info.policy_id,
        "Arn": info.arn,
        "Path": info.path,
        "DefaultVersionId": info.default_version_id,
        "AttachmentCount": info.attachment_count,
        "PermissionsBoundaryUsageCount": info.boundary_usage_count,
        "IsAttachable": True,
        "CreateDate": info.created_at,
        "UpdateDate": info.updated_at,
        "PolicyVersionList": [{"Document": v.document, "VersionId": v.version_id,
                               "IsDefaultVersion": v.is_default, "CreateDate": v.created_at}
                              for v in d.versions],
    }
    if info.description is not None:
        out["Description"] = info.description
    return out


def get_account_authorization_details(call: Call, p: Params) -> Result:
    call.authorize("iam:GetAccountAuthorizationDetails", "*")
    with call.services.store.read() as tx:
        page = authorization_details(tx, call.account_id, p.get("Filter"), p.get("Marker"),
                                     p.get("MaxItems", DEFAULT_MAX_ITEMS))
    lists: dict[str, list[dict[str, Any]]] = {"UserDetailList": [], "GroupDetailList": [],
                                              "RoleDetailList": [], "Policies": []}
    for detail in page.items:
        _add(call, lists, detail)
    out: dict[str, Any] = {**lists, "IsTruncated": page.is_truncated}
    if page.next_marker:
        out["Marker"] = page.next_marker
    return out


def _add(call: Call, lists: dict[str, list[dict[str, Any]]], detail: Detail) -> None:
    if isinstance(detail, UserDetail):
        lists["UserDetailList"].append(_user(call, detail))
    elif isinstance(detail, GroupDetail):
        lists["GroupDetailList"].append(_group(call, detail))
    elif isinstance(detail, RoleDetail):
        lists["RoleDetailList"].append(_role(call, detail))
    else:
        lists["Policies"].append(_policy(detail))


OPERATIONS: dict[str, Handler] = {
    "GetAccountAuthorizationDetails": get_account_authorization_details,
}
