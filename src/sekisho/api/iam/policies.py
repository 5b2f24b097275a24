"""IAM operations on managed policies: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
versions, policy tags, Attach/Detach{User,Group,Role}Policy,
ListAttached{User,Group,Role}Policies, ListEntitiesForPolicy and the user
permissions boundary operations.

Operations on an existing user, group or role read its path, tags and
boundary first, so that authorization sees its real ARN and condition keys
(`aws:ResourceTag/...`, `iam:PermissionsBoundary`); a missing one is
authorized under path `/` and only then reported as NoSuchEntity, so that
"forbidden" comes before "not found". Condition keys follow the Service
Authorization Reference for IAM: `iam:PolicyARN` on attach and detach,
`iam:PermissionsBoundary` where a user's or role's boundary is read or set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam.tagging import (
    Context,
    request_tag_context,
    resource_tag_context,
    tag_page,
)
from sekisho.domain import arns, boundaries, policies, roles, users
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS, Page
from sekisho.domain.policies import Entity, PolicyInfo, VersionInfo
from sekisho.domain.tags import as_output, tags_from_params
from sekisho.errors import NoSuchEntity
from sekisho.store.records import Tag
from sekisho.store.sql import Tx


def paged(out: dict[str, Any], page: Page[Any]) -> dict[str, Any]:
    out["IsTruncated"] = page.is_truncated
    if page.next_marker:
        out["Marker"] = page.next_marker
    return out


# --- the entity an operation acts on, read before authorizing


def user_target(call: Call, name: str) -> tuple[str, Context]:
    """(ARN, condition keys) of the user `name` as it is now (path `/` if missing)."""
    with call.services.store.read() as tx:
        rec = tx.user_by_name(call.account_id, name)
        tags = tx.tags_of(rec.user_id) if rec else []
    context = resource_tag_context(tags)
    if rec and rec.permissions_boundary_arn:
        context["iam:PermissionsBoundary"] = rec.permissions_boundary_arn
    return arns.user(call.partition, call.account_id, rec.path if rec else "/", name), context


def group_target(call: Call, name: str) -> tuple[str, Context]:
    with call.services.store.read() as tx:
        rec = tx.group_by_name(call.account_id, name)
    return arns.group(call.partition, call.account_id, rec.path if rec else "/", name), {}


def role_target(call: Call, name: str) -> tuple[str, Context]:
    with call.services.store.read() as tx:
        rec = roles.find_role(tx, call.account_id, name)
        tags = tx.tags_of(rec.role_id) if rec else []
    context = resource_tag_context(tags)
    if rec and rec.permissions_boundary_arn:
        context["iam:PermissionsBoundary"] = rec.permissions_boundary_arn
    return arns.role(call.partition, call.account_id, rec.path if rec else "/", name), context


Target = Callable[[Call, str], tuple[str, Context]]
Resolver = Callable[[Tx, str, str], Entity]

# Entity kind -> (request member naming it, target reader, resolver, action suffix).
KINDS: dict[str, tuple[str, Target, Resolver, str]] = {
    "user": ("UserName", user_target, policies.user_entity, "User"),
    "group": ("GroupName", group_target, policies.group_entity, "Group"),
    "role": ("RoleName", role_target, policies.role_entity, "Role"),
}


def _policy_context(call: Call, arn: str) -> Context:
    """`aws:ResourceTag/...` of an existing customer managed policy."""
    with call.services.store.read() as tx:
        try:
            tags = policies.policy_tags(tx, call.account_id, arn)
        except NoSuchEntity:
            tags = []
    return resource_tag_context(tags)


def _authorize_policy(call: Call, action: str, arn: str, extra: Context | None = None) -> None:
    context = _policy_context(call, arn)
    context.update(extra or {})
    call.authorize(action, arn, context=context)


# --- shapes


def policy_shape(info: PolicyInfo, tags: list[Tag] | None = None) -> dict[str, Any]:
    """The `Policy` structure; ListPolicies leaves out Description and Tags."""
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
    }
    if info.description:
        out["Description"] = info.description
    if tags:
        out["Tags"] = as_output(tags)
    return out


def version_shape(v: VersionInfo, with_document: bool) -> dict[str, Any]:
    """The `PolicyVersion` structure; the serializer URL-encodes Document."""
    out: dict[str, Any] = {"VersionId": v.version_id, "IsDefaultVersion": v.is_default,
                           "CreateDate": v.created_at}
    if with_document:
        out["Document"] = v.document
    return out


# --- managed policies


def create_policy(call: Call, p: Params) -> Result:
    name, path = p["PolicyName"], p.get("Path", "/")
    tags = tags_from_params(p.get("Tags"))
    arn = arns.policy(call.partition, call.account_id, path, name)
    call.authorize("iam:CreatePolicy", arn, context=request_tag_context(tags))
    with call.services.store.write() as tx:
        rec = policies.create_policy(tx, call.partition, call.account_id, name, path,
                                     p["PolicyDocument"], p.get("Description"), tags, call.now,
                                     call.quotas)
        info = policies.get_policy(tx, call.account_id, rec.arn)
    return {"Policy": policy_shape(info, tags)}


def get_policy(call: Call, p: Params) -> Result:
    arn = p["PolicyArn"]
    _authorize_policy(call, "iam:GetPolicy", arn)
    with call.services.store.read() as tx:
        info = policies.get_policy(tx, call.account_id, arn)
        tags = policies.policy_tags(tx, call.account_id, arn)
    return {"Policy": policy_shape(info, tags)}


def list_policies(call: Call, p: Params) -> Result:
    call.authorize("iam:ListPolicies", arns.iam(call.partition, call.account_id, "policy/"))
    with call.services.store.read() as tx:
        page = policies.list_policies(tx, call.account_id, p.get("Scope", "All"),
                                      bool(p.get("OnlyAttached", False)),
                                      p.get("PathPrefix", "/"), p.get("PolicyUsageFilter"),
                                      p.get("Marker"), p.get("MaxItems", DEFAULT_MAX_ITEMS))
    # "This operation does not return ... tags" (ListPolicies); nor the description.
    items = [{k: v for k, v in policy_shape(i).items() if k != "Description"}
             for i in page.items]
    return paged({"Policies": items}, page)


def delete_policy(call: Call, p: Params) -> Result:
    arn = p["PolicyArn"]
    _authorize_policy(call, "iam:DeletePolicy", arn)
    with call.services.store.write() as tx:
        policies.delete_policy(tx, call.account_id, arn, call.caller.arn)
    return None


def tag_policy(call: Call, p: Params) -> Result:
    arn = p["PolicyArn"]
    tags = tags_from_params(p["Tags"])
    _authorize_policy(call, "iam:TagPolicy", arn, request_tag_context(tags))
    with call.services.store.write() as tx:
        policies.tag_policy(tx, call.account_id, arn, tags, call.caller.arn)
    return None


def untag_policy(call: Call, p: Params) -> Result:
    arn = p["PolicyArn"]
    keys: list[str] = list(p["TagKeys"])
    _authorize_policy(call, "iam:UntagPolicy", arn, {"aws:TagKeys": tuple(keys)})
    with call.services.store.write() as tx:
        policies.untag_policy(tx, call.account_id, arn, keys, call.caller.arn)
    return None


def list_policy_tags(call: Call, p: Params) -> Result:
    arn = p["PolicyArn"]
    _authorize_policy(call, "iam:ListPolicyTags", arn)
    with call.services.store.read() as tx:
        tags = policies.policy_tags(tx, call.account_id, arn)
    return tag_page(tags, p)


# --- versions


def create_policy_version(call: Call, p: Params) -> Result:
    arn = p["PolicyArn"]
    _authorize_policy(call, "iam:CreatePolicyVersion", arn)
    with call.services.store.write() as tx:
        version = policies.create_version(tx, call.account_id, arn, p["PolicyDocument"],
                                          bool(p.get("SetAsDefault", False)), call.now,
                                          call.caller.arn, call.quotas)
    return {"PolicyVersion": version_shape(version, with_document=False)}


def get_policy_version(call: Call, p: Params) -> Result:
    arn = p["PolicyArn"]
    _authorize_policy(call, "iam:GetPolicyVersion", arn)
    with call.services.store.read() as tx:
        version = policies.get_version(tx, call.account_id, arn, p["VersionId"])
    return {"PolicyVersion": version_shape(version, with_document=True)}


def list_policy_versions(call: Call, p: Params) -> Result:
    arn = p["PolicyArn"]
    _authorize_policy(call, "iam:ListPolicyVersions", arn)
    with call.services.store.read() as tx:
        page = policies.list_versions(tx, call.account_id, arn, p.get("Marker"),
                                      p.get("MaxItems", DEFAULT_MAX_ITEMS))
    return paged({"Versions": [version_shape(v, with_document=False) for v in page.items]},
                 page)


def delete_policy_version(call: Call, p: Params) -> Result:
    arn = p["PolicyArn"]
    _authorize_policy(call, "iam:DeletePolicyVersion", arn)
    with call.services.store.write() as tx:
        policies.delete_version(tx, call.account_id, arn, p["VersionId"], call.caller.arn)
    return None


def set_default_policy_version(call: Call, p: Params) -> Result:
    arn = p["PolicyArn"]
    _authorize_policy(call, "iam:SetDefaultPolicyVersion", arn)
    with call.services.store.write() as tx:
        policies.set_default_version(tx, call.account_id, arn, p["VersionId"],
                                     call.caller.arn)
    return None


# --- attachments


def _attach(kind: str) -> Handler:
    member, target, resolve, suffix = KINDS[kind]

    def handler(call: Call, p: Params) -> Result:
        name, arn = p[member], p["PolicyArn"]
        resource, context = target(call, name)
        context["iam:PolicyARN"] = arn
        call.authorize(f"iam:Attach{suffix}Policy", resource, context=context)
        with call.services.store.write() as tx:
            entity = (policies.role_entity(tx, call.account_id, name, modifying=True)
                      if kind == "role" else resolve(tx, call.account_id, name))
            policies.attach(tx, call.account_id, entity, arn, call.now, call.quotas)
        return None

    handler.__name__ = f"attach_{kind}_policy"
    return handler


def _detach(kind: str) -> Handler:
    member, target, resolve, suffix = KINDS[kind]

    def handler(call: Call, p: Params) -> Result:
        name, arn = p[member], p["PolicyArn"]
        resource, context = target(call, name)
        context["iam:PolicyARN"] = arn
        call.authorize(f"iam:Detach{suffix}Policy", resource, context=context)
        with call.services.store.write() as tx:
            entity = (policies.role_entity(tx, call.account_id, name, modifying=True)
                      if kind == "role" else resolve(tx, call.account_id, name))
            policies.detach(tx, call.account_id, entity, arn)
        return None

    handler.__name__ = f"detach_{kind}_policy"
    return handler


def _list_attached(kind: str) -> Handler:
    member, target, resolve, suffix = KINDS[kind]

    def handler(call: Call, p: Params) -> Result:
        name = p[member]
        resource, context = target(call, name)
        call.authorize(f"iam:ListAttached{suffix}Policies", resource, context=context)
        with call.services.store.read() as tx:
            entity = resolve(tx, call.account_id, name)
            page = policies.attached_policies(tx, entity, p.get("PathPrefix", "/"),
                                              p.get("Marker"),
                                              p.get("MaxItems", DEFAULT_MAX_ITEMS))
        items = [{"PolicyName": n, "PolicyArn": a} for n, a in page.items]
        return paged({"AttachedPolicies": items}, page)

    handler.__name__ = f"list_attached_{kind}_policies"
    return handler


attach_user_policy = _attach("user")
attach_group_policy = _attach("group")
attach_role_policy = _attach("role")
detach_user_policy = _detach("user")
detach_group_policy = _detach("group")
detach_role_policy = _detach("role")
list_attached_user_policies = _list_attached("user")
list_attached_group_policies = _list_attached("group")
list_attached_role_policies = _list_attached("role")


def list_entities_for_policy(call: Call, p: Params) -> Result:
    arn = p["PolicyArn"]
    _authorize_policy(call, "iam:ListEntitiesForPolicy", arn)
    with call.services.store.read() as tx:
        page = policies.entities_for_policy(tx, call.account_id, arn, p.get("EntityFilter"),
                                            p.get("PathPrefix", "/"),
                                            p.get("PolicyUsageFilter"), p.get("Marker"),
                                            p.get("MaxItems", DEFAULT_MAX_ITEMS))
    out: dict[str, Any] = {
        "PolicyUsers": [{"UserName": e.name, "UserId": e.entity_id}
                        for e in page.items if e.kind == "user"],
        "PolicyGroups": [{"GroupName": e.name, "GroupId": e.entity_id}
                         for e in page.items if e.kind == "group"],
        "PolicyRoles": [{"RoleName": e.name, "RoleId": e.entity_id}
                        for e in page.items if e.kind == "role"],
    }
    return paged(out, page)


# --- user permissions boundaries (the role ones live with roles)


def put_user_permissions_boundary(call: Call, p: Params) -> Result:
    name, boundary = p["UserName"], p["PermissionsBoundary"]
    resource, context = user_target(call, name)
    context["iam:PermissionsBoundary"] = boundary
    call.authorize("iam:PutUserPermissionsBoundary", resource, context=context)
    with call.services.store.write() as tx:
        user = users.get_user(tx, call.account_id, name)
        boundaries.put_user_boundary(tx, call.account_id, user.user_id, boundary)
    return None


def delete_user_permissions_boundary(call: Call, p: Params) -> Result:
    name = p["UserName"]
    resource, context = user_target(call, name)
    call.authorize("iam:DeleteUserPermissionsBoundary", resource, context=context)
    with call.services.store.write() as tx:
        user = users.get_user(tx, call.account_id, name)
        boundaries.delete_user_boundary(tx, call.account_id, user.user_id)
    return None


OPERATIONS: dict[str, Handler] = {
    "CreatePolicy": create_policy,
    "GetPolicy": get_policy,
    "ListPolicies": list_policies,
    "DeletePolicy": delete_policy,
    "TagPolicy": tag_policy,
    "UntagPolicy": untag_policy,
    "ListPolicyTags": list_policy_tags,
    "CreatePolicyVersion": create_policy_version,
    "GetPolicyVersion": get_policy_version,
    "ListPolicyVersions": list_policy_versions,
    "DeletePolicyVersion": delete_policy_version,
    "SetDefaultPolicyVersion": set_default_policy_version,
    "AttachUserPolicy": attach_user_policy,
    "AttachGroupPolicy": attach_group_policy,
    "AttachRolePolicy": attach_role_policy,
    "DetachUserPolicy": detach_user_policy,
    "DetachGroupPolicy": detach_group_policy,
    "DetachRolePolicy": detach_role_policy,
    "ListAttachedUserPolicies": list_attached_user_policies,
    "ListAttachedGroupPolicies": list_attached_group_policies,
    "ListAttachedRolePolicies": list_attached_role_policies,
    "ListEntitiesForPolicy": list_entities_for_policy,
    "PutUserPermissionsBoundary": put_user_permissions_boundary,
    "DeleteUserPermissionsBoundary": delete_user_permissions_boundary,
}
