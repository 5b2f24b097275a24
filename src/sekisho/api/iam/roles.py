"""IAM operations on roles: CreateRole, GetRole, ListRoles, UpdateRole,
UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole, role tags, role
permissions boundaries, and service-linked roles.

Operations on an existing role read its path and tags first, so that the
authorization sees the role's real ARN and `aws:ResourceTag/...`; a missing
role is authorized as `role/NAME` and only then reported as NoSuchEntity, so
that "forbidden" comes before "not found".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam.tagging import request_tag_context, resource_tag_context, tag_page
from sekisho.domain import arns, roles, service_linked
from sekisho.domain.authorization import ContextValue
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS
from sekisho.domain.roles import RoleRecord
from sekisho.domain.tags import as_output, tags_from_params
from sekisho.errors import InvalidInput
from sekisho.store.records import Tag


def role_shape(partition: str, rec: RoleRecord, tags: Sequence[Tag] | None = None, *,
               last_used: bool = False) -> dict[str, Any]:
    """The `Role` structure; the serializer URL-encodes the trust policy."""
    out: dict[str, Any] = {
        "Path": rec.path,
        "RoleName": rec.name,
        "RoleId": rec.role_id,
        "Arn": arns.role(partition, rec.account_id, rec.path, rec.name),
        "CreateDate": rec.created_at,
        "AssumeRolePolicyDocument": rec.trust_policy,
        "MaxSessionDuration": rec.max_session_duration,
    }
    if rec.description is not None:
        out["Description"] = rec.description
    if rec.permissions_boundary_arn:
        out["PermissionsBoundary"] = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                      "PermissionsBoundaryArn": rec.permissions_boundary_arn}
    if tags:
        out["Tags"] = as_output(tags)
    if last_used:
        # A role never used has an empty RoleLastUsed (GetRole in the IAM API reference).
        used: dict[str, Any] = {}
        if rec.last_used_at is not None:
            used["LastUsedDate"] = rec.last_used_at
            if rec.last_used_region:
                used["Region"] = rec.last_used_region
        out["RoleLastUsed"] = used
    return out








def existing_role(call: Call, name: str) -> tuple[str, RoleRecord | None, list[Tag]]:
    """(ARN to authorize, the role or None, its tags): read before authorizing."""
    with call.services.store.read() as tx:
        rec = roles.find_role(tx, call.account_id, name)
        tags = tx.tags_of(rec.role_id) if rec else []
    path = rec.path if rec else "/"
    return arns.role(call.partition, call.account_id, path, name), rec, tags


def _authorize_existing(call: Call, action: str, name: str,
                        extra: Mapping[str, ContextValue] | None = None) -> RoleRecord | None:
    arn, rec, tags = existing_role(call, name)
    context = resource_tag_context(tags)
    context.update(extra or {})
    call.authorize(action, arn, context=context)
    return rec


def create_role(call: Call, p: Params) -> Result:
    name, path = p["RoleName"], p.get("Path", "/")
    tags = tags_from_params(p.get("Tags"))
    boundary = p.get("PermissionsBoundary")
    context = request_tag_context(tags)
    if boundary:
        context["iam:PermissionsBoundary"] = boundary
    call.authorize("iam:CreateRole", arns.role(call.partition, call.account_id, path, name),
                   context=context)
    with call.services.store.write() as tx:
        rec = roles.create_role(tx, call.account_id, name, path, p["AssumeRolePolicyDocument"],
                                p.get("Description"), p.get("MaxSessionDuration"), boundary,
                                tags, call.now, call.quotas)
    return {"Role": role_shape(call.partition, rec, tags)}


def get_role(call: Call, p: Params) -> Result:
    name = p["RoleName"]
    _authorize_existing(call, "iam:GetRole", name)
    with call.services.store.read() as tx:
        rec = roles.get_role(tx, call.account_id, name)
        tags = tx.tags_of(rec.role_id)
    return {"Role": role_shape(call.partition, rec, tags, last_used=True)}


def list_roles(call: Call, p: Params) -> Result:
    # ListRoles has no resource type in the Service Authorization Reference.
    call.authorize("iam:ListRoles", "*")
    with call.services.store.read() as tx:
        page = roles.list_roles(tx, call.account_id, p.get("PathPrefix", "/"), p.get("Marker"),
                                p.get("MaxItems", DEFAULT_MAX_ITEMS))
    # The serializer's quirks table leaves out PermissionsBoundary, RoleLastUsed and Tags.
    out: dict[str, Any] = {"Roles": [role_shape(call.partition, r) for r in page.items],
                           "IsTruncated": page.is_truncated}
    if page.next_marker:
        out["Marker"] = page.next_marker
    return out


def update_role(call: Call, p: Params) -> Result:
    name = p["RoleName"]
    _authorize_existing(call, "iam:UpdateRole", name)
    with call.services.store.write() as tx:
        roles.update_role(tx, call.account_id, name, p.get("Description"),
                          p.get("MaxSessionDuration"))
    return {}


def update_role_description(call: Call, p: Params) -> Result:
    name = p["RoleName"]
    _authorize_existing(call, "iam:UpdateRoleDescription", name)
    with call.services.store.write() as tx:
        rec = roles.update_description(tx, call.account_id, name, p["Description"])
        tags = tx.tags_of(rec.role_id)
    return {"Role": role_shape(call.partition, rec, tags, last_used=True)}


def update_assume_role_policy(call: Call, p: Params) -> Result:
    name = p["RoleName"]
    _authorize_existing(call, "iam:UpdateAssumeRolePolicy", name)
    with call.services.store.write() as tx:
        roles.update_trust_policy(tx, call.account_id, name, p["PolicyDocument"], call.quotas)
    return None


def delete_role(call: Call, p: Params) -> Result:
    name = p["RoleName"]
    _authorize_existing(call, "iam:DeleteRole", name)
    with call.services.store.write() as tx:
        roles.delete_role(tx, call.account_id, name)
    return None


def tag_role(call: Call, p: Params) -> Result:
    name = p["RoleName"]
    tags = tags_from_params(p["Tags"])
    _authorize_existing(call, "iam:TagRole", name, request_tag_context(tags))
    with call.services.store.write() as tx:
        roles.tag_role(tx, call.account_id, name, tags)
    return None


def untag_role(call: Call, p: Params) -> Result:
    name = p["RoleName"]
    keys: list[str] = list(p["TagKeys"])
    _authorize_existing(call, "iam:UntagRole", name, {"aws:TagKeys": tuple(keys)})
    with call.services.store.write() as tx:
        roles.untag_role(tx, call.account_id, name, keys)
    return None


def list_role_tags(call: Call, p: Params) -> Result:
    name = p["RoleName"]
    _authorize_existing(call, "iam:ListRoleTags", name)
    with call.services.store.read() as tx:
        rec = roles.get_role(tx, call.account_id, name)
        tags = tx.tags_of(rec.role_id)
    return tag_page(tags, p)


def put_role_permissions_boundary(call: Call, p: Params) -> Result:
    name, boundary = p["RoleName"], p["PermissionsBoundary"]
    _authorize_existing(call, "iam:PutRolePermissionsBoundary", name,
                        {"iam:PermissionsBoundary": boundary})
    with call.services.store.write() as tx:
        roles.put_permissions_boundary(tx, call.account_id, name, boundary)
    return None


def delete_role_permissions_boundary(call: Call, p: Params) -> Result:
    name = p["RoleName"]
    arn, rec, tags = existing_role(call, name)
    context = resource_tag_context(tags)
    if rec is not None and rec.permissions_boundary_arn:
        context["iam:PermissionsBoundary"] = rec.permissions_boundary_arn
    call.authorize("iam:DeleteRolePermissionsBoundary", arn, context=context)
    with call.services.store.write() as tx:
        roles.delete_permissions_boundary(tx, call.account_id, name)
    return None


# --- service-linked roles


def _linked_role_arn(call: Call, service: str, suffix: str | None) -> str:
    path = f"{service_linked.PATH_PREFIX}{service}/"
    try:
        name = service_linked.service_role(service).name
    except InvalidInput:
        name = service_linked.NAME_PREFIX + "*"
    if suffix is not None:
        name = f"{name}_{suffix}"
    return arns.role(call.partition, call.account_id, path, name)


def create_service_linked_role(call: Call, p: Params) -> Result:
    service, suffix = p["AWSServiceName"], p.get("CustomSuffix")
    call.authorize("iam:CreateServiceLinkedRole", _linked_role_arn(call, service, suffix),
                   context={"iam:AWSServiceName": service})
    with call.services.store.write() as tx:
        rec = roles.create_service_linked_role(tx, call.account_id, service, suffix,
                                               p.get("Description"), call.partition, call.now,
                                               call.quotas)
    return {"Role": role_shape(call.partition, rec)}


def delete_service_linked_role(call: Call, p: Params) -> Result:
    name = p["RoleName"]
    _authorize_existing(call, "iam:DeleteServiceLinkedRole", name)
    with call.services.store.write() as tx:
        task_id = roles.delete_service_linked_role(tx, call.account_id, name, call.now)
    return {"DeletionTaskId": task_id}


def get_service_linked_role_deletion_status(call: Call, p: Params) -> Result:
    task_id: str = p["DeletionTaskId"]
    # task/aws-service-role/SERVICE/ROLE/UUID names the role it deleted.
    parts = task_id.split("/")
    resource = "*"
    if len(parts) >= 5 and parts[0] == "task":
        path = "/" + "/".join(parts[1:-2]) + "/"
        resource = arns.role(call.partition, call.account_id, path, parts[-2])
    call.authorize("iam:GetServiceLinkedRoleDeletionStatus", resource)
    with call.services.store.read() as tx:
        status = roles.deletion_status(tx, call.account_id, task_id)
    return {"Status": status}


OPERATIONS: dict[str, Handler] = {
    "CreateRole": create_role,
    "GetRole": get_role,
    "ListRoles": list_roles,
    "UpdateRole": update_role,
    "UpdateRoleDescription": update_role_description,
    "UpdateAssumeRolePolicy": update_assume_role_policy,
    "DeleteRole": delete_role,
    "TagRole": tag_role,
    "UntagRole": untag_role,
    "ListRoleTags": list_role_tags,
    "PutRolePermissionsBoundary": put_role_permissions_boundary,
    "DeleteRolePermissionsBoundary": delete_role_permissions_boundary,
    "CreateServiceLinkedRole": create_service_linked_role,
    "DeleteServiceLinkedRole": delete_service_linked_role,
    "GetServiceLinkedRoleDeletionStatus": get_service_linked_role_deletion_status,
}
