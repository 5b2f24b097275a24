"""IAM operations on groups and membership."""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam import shapes
from sekisho.api.iam.policies import user_target
from sekisho.domain import arns, groups
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS


def _arn(call: Call, name: str, path: str = "/") -> str:
    return arns.group(call.partition, call.account_id, path, name)


def _existing(call: Call, name: str) -> str:
    """The ARN of group `name` as it is now, for authorizing before any NoSuchEntity
    (path `/` when it does not exist: "forbidden" comes before "not found")."""
    with call.services.store.read() as tx:
        rec = tx.group_by_name(call.account_id, name)
    return _arn(call, name, rec.path if rec else "/")


def _paged(out: dict[str, object], marker: str | None) -> dict[str, object]:
    out["IsTruncated"] = marker is not None
    if marker:
        out["Marker"] = marker
    return out


def create_group(call: Call, p: Params) -> Result:
    name, path = p["GroupName"], p.get("Path", "/")
    call.authorize("iam:CreateGroup", _arn(call, name, path))
    with call.services.store.write() as tx:
        rec = groups.create_group(tx, call.account_id, name, path, call.now,
                                  quotas=call.quotas)
    return {"Group": shapes.group(call.partition, rec)}


def get_group(call: Call, p: Params) -> Result:
    name = p["GroupName"]
    call.authorize("iam:GetGroup", _existing(call, name))
    with call.services.store.read() as tx:
        rec = groups.get_group(tx, call.account_id, name)
        page = groups.members(tx, rec, p.get("Marker"), p.get("MaxItems", DEFAULT_MAX_ITEMS))
    return _paged({"Group": shapes.group(call.partition, rec),
                   "Users": [shapes.user(call.partition, u) for u in page.items]},
                  page.next_marker)


def list_groups(call: Call, p: Params) -> Result:
    call.authorize("iam:ListGroups", arns.iam(call.partition, call.account_id, "group/"))
    with call.services.store.read() as tx:
        page = groups.list_groups(tx, call.account_id, p.get("PathPrefix", "/"), p.get("Marker"),
                                  p.get("MaxItems", DEFAULT_MAX_ITEMS))
    return _paged({"Groups": [shapes.group(call.partition, g) for g in page.items]},
                  page.next_marker)


def list_groups_for_user(call: Call, p: Params) -> Result:
    user_name = p["UserName"]
    resource, context = user_target(call, user_name)
    call.authorize("iam:ListGroupsForUser", resource, context=context)
    with call.services.store.read() as tx:
        page = groups.groups_for_user(tx, call.account_id, user_name, p.get("Marker"),
                                      p.get("MaxItems", DEFAULT_MAX_ITEMS))
    return _paged({"Groups": [shapes.group(call.partition, g) for g in page.items]},
                  page.next_marker)


def update_group(call: Call, p: Params) -> Result:
    name = p["GroupName"]
    call.authorize("iam:UpdateGroup", _existing(call, name))
    with call.services.store.write() as tx:
        groups.update_group(tx, call.account_id, name, p.get("NewGroupName"), p.get("NewPath"))
    return None


def delete_group(call: Call, p: Params) -> Result:
    name = p["GroupName"]
    call.authorize("iam:DeleteGroup", _existing(call, name))
    with call.services.store.write() as tx:
        groups.delete_group(tx, call.account_id, name)
    return None


def add_user_to_group(call: Call, p: Params) -> Result:
    name = p["GroupName"]
    call.authorize("iam:AddUserToGroup", _existing(call, name))
    with call.services.store.write() as tx:
        groups.add_user_to_group(tx, call.account_id, name, p["UserName"], call.now)
    return None


def remove_user_from_group(call: Call, p: Params) -> Result:
    name = p["GroupName"]
    call.authorize("iam:RemoveUserFromGroup", _existing(call, name))
    with call.services.store.write() as tx:
        groups.remove_user_from_group(tx, call.account_id, name, p["UserName"])
    return None


OPERATIONS: dict[str, Handler] = {
    "CreateGroup": create_group,
    "GetGroup": get_group,
    "ListGroups": list_groups,
    "UpdateGroup": update_group,
    "DeleteGroup": delete_group,
    "AddUserToGroup": add_user_to_group,
    "RemoveUserFromGroup": remove_user_from_group,
    "ListGroupsForUser": list_groups_for_user,
}
