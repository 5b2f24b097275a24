"""IAM operations on groups and membership."""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam import shapes
from sekisho.domain import arns, groups
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS


def _arn(call: Call, name: str, path: str = "/") -> str:
    return arns.group(call.partition, call.account_id, path, name)


def _paged(out: dict[str, object], marker: str | None) -> dict[str, object]:
    out["IsTruncated"] = marker is not None
    if marker:
        out["Marker"] = marker
    return out


def create_group(call: Call, p: Params) -> Result:
    name, path = p["GroupName"], p.get("Path", "/")
    call.authorize("iam:CreateGroup", _arn(call, name, path))
    with call.services.store.write() as tx:
        rec = groups.create_group(tx, call.account_id, name, path, call.now)
    return {"Group": shapes.group(call.partition, rec)}


def get_group(call: Call, p: Params) -> Result:
    name = p["GroupName"]
    call.authorize("iam:GetGroup", _arn(call, name))
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
    call.authorize("iam:ListGroupsForUser",
                   arns.user(call.partition, call.account_id, "/", user_name))
    with call.services.store.read() as tx:
        page = groups.groups_for_user(tx, call.account_id, user_name, p.get("Marker"),
                                      p.get("MaxItems", DEFAULT_MAX_ITEMS))
    return _paged({"Groups": [shapes.group(call.partition, g) for g in page.items]},
                  page.next_marker)


def update_group(call: Call, p: Params) -> Result:
    name = p["GroupName"]
    call.authorize("iam:UpdateGroup", _arn(call, name))
    with call.services.store.write() as tx:
        groups.update_group(tx, call.account_id, name, p.get("NewGroupName"), p.get("NewPath"))
    return None


def delete_group(call: Call, p: Params) -> Result:
    name = p["GroupName"]
    call.authorize("iam:DeleteGroup", _arn(call, name))
    with call.services.store.write() as tx:
        groups.delete_group(tx, call.account_id, name)
    return None


def add_user_to_group(call: Call, p: Params) -> Result:
    name = p["GroupName"]
    call.authorize("iam:AddUserToGroup", _arn(call, name))
    with call.services.store.write() as tx:
        groups.add_user_to_group(tx, call.account_id, name, p["UserName"], call.now)
    return None


def remove_user_from_group(call: Call, p: Params) -> Result:
    name = p["GroupName"]
    call.authorize("iam:RemoveUserFromGroup", _arn(call, name))
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
