"""IAM operations on users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, tags.

Operations on an existing user read its path, tags and boundary first, so that
authorization sees its real ARN, `aws:ResourceTag/...` and `iam:PermissionsBoundary`
(Service Authorization Reference for IAM); a missing user is authorized as
`user/NAME` and only then reported as NoSuchEntity ("forbidden" before "not found").
"""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam import shapes
from sekisho.api.iam.policies import user_target
from sekisho.api.iam.tagging import request_tag_context, resource_tag_context, tag_page
from sekisho.domain import arns, login_profiles, users
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS
from sekisho.domain.tags import tags_from_params


def _arn(call: Call, name: str, path: str = "/") -> str:
    return arns.user(call.partition, call.account_id, path, name)


def create_user(call: Call, p: Params) -> Result:
    name, path = p["UserName"], p.get("Path", "/")
    tags = tags_from_params(p.get("Tags"))
    context = request_tag_context(tags)
    if p.get("PermissionsBoundary"):
        # The delegated-administrator pattern conditions CreateUser on the boundary
        # (IAM User Guide, "Permissions boundaries for IAM entities").
        context["iam:PermissionsBoundary"] = p["PermissionsBoundary"]
    call.authorize("iam:CreateUser", _arn(call, name, path), context=context)
    with call.services.store.write() as tx:
        rec = users.create_user(tx, call.account_id, name, path, tags,
                                p.get("PermissionsBoundary"), call.now, quotas=call.quotas)
    return {"User": shapes.user(call.partition, rec, tags)}


def get_user(call: Call, p: Params) -> Result:
    name = p.get("UserName")
    if name is None and call.caller.is_root:
        call.authorize("iam:GetUser", call.caller.arn)
        with call.services.store.read() as tx:
            account = tx.get_account(call.account_id)
        created = account.created_at if account else call.now
        # AWS describes the root user by its account id and ARN only.
        return {"User": {"UserId": call.account_id, "Arn": call.caller.arn, "CreateDate": created}}
    name = name or call.caller.user_name or ""
    # One read serves both the authorization (path, tags, boundary) and the answer.
    with call.services.store.read() as tx:
        found = tx.user_by_name(call.account_id, name)
        tags = tx.tags_of(found.user_id) if found else []
        last_used = login_profiles.password_last_used(tx, found.user_id) if found else None
    context = resource_tag_context(tags)
    if found and found.permissions_boundary_arn:
        context["iam:PermissionsBoundary"] = found.permissions_boundary_arn
    call.authorize("iam:GetUser", _arn(call, name, found.path if found else "/"),
                   context=context)
    if found is None:
        raise users.not_found(name)
    return {"User": shapes.user(call.partition, found, tags, last_used)}


def list_users(call: Call, p: Params) -> Result:
    call.authorize("iam:ListUsers", arns.iam(call.partition, call.account_id, "user/"))
    with call.services.store.read() as tx:
        page = users.list_users(tx, call.account_id, p.get("PathPrefix", "/"), p.get("Marker"),
                                p.get("MaxItems", DEFAULT_MAX_ITEMS))
    # ListUsers leaves out tags and boundaries (see the ListUsers API reference).
    out: dict[str, object] = {
        "Users": [{k: v for k, v in shapes.user(call.partition, u).items()
                   if k != "PermissionsBoundary"} for u in page.items],
        "IsTruncated": page.is_truncated,
    }
    if page.next_marker:
        out["Marker"] = page.next_marker
    return out


def update_user(call: Call, p: Params) -> Result:
    name = p["UserName"]
    resource, context = user_target(call, name)
    call.authorize("iam:UpdateUser", resource, context=context)
    with call.services.store.write() as tx:
        users.update_user(tx, call.account_id, name, p.get("NewUserName"), p.get("NewPath"))
    return None


def delete_user(call: Call, p: Params) -> Result:
    name = p["UserName"]
    resource, context = user_target(call, name)
    call.authorize("iam:DeleteUser", resource, context=context)
    with call.services.store.write() as tx:
        users.delete_user(tx, call.account_id, name)
    return None


def tag_user(call: Call, p: Params) -> Result:
    name = p["UserName"]
    tags = tags_from_params(p["Tags"])
    resource, context = user_target(call, name)
    context.update(request_tag_context(tags))
    call.authorize("iam:TagUser", resource, context=context)
    with call.services.store.write() as tx:
        users.tag_user(tx, call.account_id, name, tags)
    return None


def untag_user(call: Call, p: Params) -> Result:
    name = p["UserName"]
    resource, context = user_target(call, name)
    context["aws:TagKeys"] = tuple(p["TagKeys"])
    call.authorize("iam:UntagUser", resource, context=context)
    with call.services.store.write() as tx:
        users.untag_user(tx, call.account_id, name, p["TagKeys"])
    return None


def list_user_tags(call: Call, p: Params) -> Result:
    name = p["UserName"]
    resource, context = user_target(call, name)
    call.authorize("iam:ListUserTags", resource, context=context)
    with call.services.store.read() as tx:
        rec = users.get_user(tx, call.account_id, name)
        tags = tx.tags_of(rec.user_id)
    return tag_page(tags, p)


OPERATIONS: dict[str, Handler] = {
    "CreateUser": create_user,
    "GetUser": get_user,
    "ListUsers": list_users,
    "UpdateUser": update_user,
    "DeleteUser": delete_user,
    "TagUser": tag_user,
    "UntagUser": untag_user,
    "ListUserTags": list_user_tags,
}
