"""IAM operations on inline policies: Put/Get/Delete/List{User,Group,Role}Policy.

As in `policies`, the user, group or role is read before authorizing so that
the real ARN and its condition keys are checked ("forbidden" before "not
found"). GetUserPolicy and its siblings return the document URL-encoded (the
serializer's quirks table does it).
"""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam.policies import KINDS, paged
from sekisho.domain import inline_policies, policies
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS, decode_marker, page_of


def _put(kind: str) -> Handler:
    member, target, resolve, suffix = KINDS[kind]

    def handler(call: Call, p: Params) -> Result:
        name = p[member]
        resource, context = target(call, name)
        call.authorize(f"iam:Put{suffix}Policy", resource, context=context)
        with call.services.store.write() as tx:
            entity = (policies.role_entity(tx, call.account_id, name, modifying=True)
                      if kind == "role" else resolve(tx, call.account_id, name))
            inline_policies.put(tx, call.account_id, entity, p["PolicyName"],
                                p["PolicyDocument"], call.quotas)
        return None

    handler.__name__ = f"put_{kind}_policy"
    return handler


def _get(kind: str) -> Handler:
    member, target, resolve, suffix = KINDS[kind]

    def handler(call: Call, p: Params) -> Result:
        name = p[member]
        resource, context = target(call, name)
        call.authorize(f"iam:Get{suffix}Policy", resource, context=context)
        with call.services.store.read() as tx:
            entity = resolve(tx, call.account_id, name)
            document = inline_policies.get(tx, entity, p["PolicyName"])
        return {member: entity.name, "PolicyName": p["PolicyName"], "PolicyDocument": document}

    handler.__name__ = f"get_{kind}_policy"
    return handler


def _delete(kind: str) -> Handler:
    member, target, resolve, suffix = KINDS[kind]

    def handler(call: Call, p: Params) -> Result:
        name = p[member]
        resource, context = target(call, name)
        call.authorize(f"iam:Delete{suffix}Policy", resource, context=context)
        with call.services.store.write() as tx:
            entity = (policies.role_entity(tx, call.account_id, name, modifying=True)
                      if kind == "role" else resolve(tx, call.account_id, name))
            inline_policies.delete(tx, call.account_id, entity, p["PolicyName"])
        return None

    handler.__name__ = f"delete_{kind}_policy"
    return handler


def _list(kind: str) -> Handler:
    member, target, resolve, suffix = KINDS[kind]

    def handler(call: Call, p: Params) -> Result:
        name = p[member]
        resource, context = target(call, name)
        call.authorize(f"iam:List{suffix}Policies", resource, context=context)
        with call.services.store.read() as tx:
            entity = resolve(tx, call.account_id, name)
            names = inline_policies.names(tx, entity)
        after = decode_marker(p.get("Marker"))
        rows = [n for n in names if after is None or n > after]
        page = page_of(rows, p.get("MaxItems", DEFAULT_MAX_ITEMS), lambda n: n)
        return paged({"PolicyNames": list(page.items)}, page)

    handler.__name__ = f"list_{kind}_policies"
    return handler


put_user_policy = _put("user")
put_group_policy = _put("group")
put_role_policy = _put("role")
get_user_policy = _get("user")
get_group_policy = _get("group")
get_role_policy = _get("role")
delete_user_policy = _delete("user")
delete_group_policy = _delete("group")
delete_role_policy = _delete("role")
list_user_policies = _list("user")
list_group_policies = _list("group")
list_role_policies = _list("role")

OPERATIONS: dict[str, Handler] = {
    "PutUserPolicy": put_user_policy,
    "PutGroupPolicy": put_group_policy,
    "PutRolePolicy": put_role_policy,
    "GetUserPolicy": get_user_policy,
    "GetGroupPolicy": get_group_policy,
    "GetRolePolicy": get_role_policy,
    "DeleteUserPolicy": delete_user_policy,
    "DeleteGroupPolicy": delete_group_policy,
    "DeleteRolePolicy": delete_role_policy,
    "ListUserPolicies": list_user_policies,
    "ListGroupPolicies": list_group_policies,
    "ListRolePolicies": list_role_policies,
}
