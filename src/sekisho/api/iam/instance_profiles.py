"""IAM operations on instance profiles: Create/Get/List/DeleteInstanceProfile,
Add/RemoveRoleToInstanceProfile, ListInstanceProfilesForRole, and their tags.

As for roles, an existing profile's path and tags are read before the call
is authorized, and a missing one is authorized as `instance-profile/NAME`.
"""

from __future__ import annotations

from typing import Any

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam.roles import existing_role, role_shape
from sekisho.api.iam.tagging import request_tag_context, resource_tag_context, tag_page
from sekisho.domain import arns, instance_profiles, roles
from sekisho.domain.instance_profiles import InstanceProfileRecord
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS, Page
from sekisho.domain.tags import as_output, tags_from_params
from sekisho.store.records import Tag
from sekisho.store.sql import Tx


def _arn(call: Call, path: str, name: str) -> str:
    return arns.iam(call.partition, call.account_id, f"instance-profile{path}{name}")


def _shape(call: Call, tx: Tx, rec: InstanceProfileRecord,
           tags: list[Tag] | None = None) -> dict[str, Any]:
    role = roles.role_by_id(tx, rec.role_id) if rec.role_id else None
    out: dict[str, Any] = {
        "Path": rec.path,
        "InstanceProfileName": rec.name,
        "InstanceProfileId": rec.instance_profile_id,
        "Arn": _arn(call, rec.path, rec.name),
        "CreateDate": rec.created_at,
        "Roles": [role_shape(call.partition, role)] if role else [],
    }
    if tags:
        out["Tags"] = as_output(tags)
    return out


def _page(call: Call, tx: Tx, page: Page[InstanceProfileRecord]) -> dict[str, Any]:
    out: dict[str, Any] = {"InstanceProfiles": [_shape(call, tx, r) for r in page.items],
                           "IsTruncated": page.is_truncated}
    if page.next_marker:
        out["Marker"] = page.next_marker
    return out


def _authorize_existing(call: Call, action: str, name: str,
                        extra: dict[str, Any] | None = None) -> None:
    with call.services.store.read() as tx:
        rec = instance_profiles.find_instance_profile(tx, call.account_id, name)
        tags = tx.tags_of(rec.instance_profile_id) if rec else []
    context = resource_tag_context(tags)
    context.update(extra or {})
    call.authorize(action, _arn(call, rec.path if rec else "/", name), context=context)


def create_instance_profile(call: Call, p: Params) -> Result:
    name, path = p["InstanceProfileName"], p.get("Path", "/")
    tags = tags_from_params(p.get("Tags"))
    call.authorize("iam:CreateInstanceProfile", _arn(call, path, name),
                   context=request_tag_context(tags))
    with call.services.store.write() as tx:
        rec = instance_profiles.create_instance_profile(tx, call.account_id, name, path, tags,
                                                        call.now, call.quotas)
        return {"InstanceProfile": _shape(call, tx, rec, tags)}


def get_instance_profile(call: Call, p: Params) -> Result:
    name = p["InstanceProfileName"]
    _authorize_existing(call, "iam:GetInstanceProfile", name)
    with call.services.store.read() as tx:
        rec = instance_profiles.get_instance_profile(tx, call.account_id, name)
        return {"InstanceProfile": _shape(call, tx, rec, tx.tags_of(rec.instance_profile_id))}


def list_instance_profiles(call: Call, p: Params) -> Result:
    call.authorize("iam:ListInstanceProfiles", "*")
    with call.services.store.read() as tx:
        page = instance_profiles.list_instance_profiles(
            tx, call.account_id, p.get("PathPrefix", "/"), p.get("Marker"),
            p.get("MaxItems", DEFAULT_MAX_ITEMS))
        return _page(call, tx, page)


def list_instance_profiles_for_role(call: Call, p: Params) -> Result:
    name = p["RoleName"]
    arn, _, tags = existing_role(call, name)
    call.authorize("iam:ListInstanceProfilesForRole", arn, context=resource_tag_context(tags))
    with call.services.store.read() as tx:
        page = instance_profiles.profiles_for_role(tx, call.account_id, name, p.get("Marker"),
                                                   p.get("MaxItems", DEFAULT_MAX_ITEMS))
        return _page(call, tx, page)


def delete_instance_profile(call: Call, p: Params) -> Result:
    name = p["InstanceProfileName"]
    _authorize_existing(call, "iam:DeleteInstanceProfile", name)
    with call.services.store.write() as tx:
        instance_profiles.delete_instance_profile(tx, call.account_id, name)
    return None


def add_role_to_instance_profile(call: Call, p: Params) -> Result:
    name, role_name = p["InstanceProfileName"], p["RoleName"]
    _authorize_existing(call, "iam:AddRoleToInstanceProfile", name)
    # "The caller of this operation must be granted the PassRole permission on the IAM
    # role" (AddRoleToInstanceProfile); the Service Authorization Reference gives the
    # pass to ec2.amazonaws.com.
    role_arn, _, role_tags = existing_role(call, role_name)
    context = resource_tag_context(role_tags)
    context["iam:PassedToService"] = "ec2.amazonaws.com"
    call.authorize("iam:PassRole", role_arn, context=context)
    with call.services.store.write() as tx:
        instance_profiles.add_role(tx, call.account_id, name, role_name, call.quotas)
    return None


def remove_role_from_instance_profile(call: Call, p: Params) -> Result:
    name, role_name = p["InstanceProfileName"], p["RoleName"]
    _authorize_existing(call, "iam:RemoveRoleFromInstanceProfile", name)
    with call.services.store.write() as tx:
        instance_profiles.remove_role(tx, call.account_id, name, role_name)
    return None


def tag_instance_profile(call: Call, p: Params) -> Result:
    name = p["InstanceProfileName"]
    tags = tags_from_params(p["Tags"])
    _authorize_existing(call, "iam:TagInstanceProfile", name, dict(request_tag_context(tags)))
    with call.services.store.write() as tx:
        instance_profiles.tag_instance_profile(tx, call.account_id, name, tags)
    return None


def untag_instance_profile(call: Call, p: Params) -> Result:
    name = p["InstanceProfileName"]
    keys: list[str] = list(p["TagKeys"])
    _authorize_existing(call, "iam:UntagInstanceProfile", name, {"aws:TagKeys": tuple(keys)})
    with call.services.store.write() as tx:
        instance_profiles.untag_instance_profile(tx, call.account_id, name, keys)
    return None


def list_instance_profile_tags(call: Call, p: Params) -> Result:
    name = p["InstanceProfileName"]
    _authorize_existing(call, "iam:ListInstanceProfileTags", name)
    with call.services.store.read() as tx:
        rec = instance_profiles.get_instance_profile(tx, call.account_id, name)
        tags = tx.tags_of(rec.instance_profile_id)
    return tag_page(tags, p)


OPERATIONS: dict[str, Handler] = {
    "CreateInstanceProfile": create_instance_profile,
    "GetInstanceProfile": get_instance_profile,
    "ListInstanceProfiles": list_instance_profiles,
    "ListInstanceProfilesForRole": list_instance_profiles_for_role,
    "DeleteInstanceProfile": delete_instance_profile,
    "AddRoleToInstanceProfile": add_role_to_instance_profile,
    "RemoveRoleFromInstanceProfile": remove_role_from_instance_profile,
    "TagInstanceProfile": tag_instance_profile,
    "UntagInstanceProfile": untag_instance_profile,
    "ListInstanceProfileTags": list_instance_profile_tags,
}
