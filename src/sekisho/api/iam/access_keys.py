"""IAM operations on access keys, for a named user or (without UserName) the caller."""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam.policies import user_target
from sekisho.domain import access_keys, arns, users
from sekisho.store.sql import Tx


def _owner(call: Call, tx: Tx, user_name: str | None) -> tuple[str | None, str | None]:
    """(user id or None for root, user name as AWS reports it) of the keys' owner."""
    if user_name is None:
        if call.caller.is_root:
            return None, None
        user_name = call.caller.user_name or ""
    rec = users.get_user(tx, call.account_id, user_name)
    return rec.user_id, rec.name


def _authorize(call: Call, action: str, user_name: str | None) -> None:
    """Authorizes `action` on the named user as it is now (its path and tags), or on the
    caller itself when the request names no user."""
    if user_name is None:
        call.authorize(action, call.caller.arn)
        return
    resource, context = user_target(call, user_name)
    call.authorize(action, resource, context=context)


def create_access_key(call: Call, p: Params) -> Result:
    _authorize(call, "iam:CreateAccessKey", p.get("UserName"))
    with call.services.store.write() as tx:
        user_id, user_name = _owner(call, tx, p.get("UserName"))
        new = access_keys.create_access_key(tx, call.services.box, call.account_id, user_id,
                                            call.now)
    out = {"AccessKeyId": new.record.access_key_id, "Status": new.record.status,
           "SecretAccessKey": new.secret, "CreateDate": new.record.created_at}
    if user_name:
        out["UserName"] = user_name
    return {"AccessKey": out}


def list_access_keys(call: Call, p: Params) -> Result:
    _authorize(call, "iam:ListAccessKeys", p.get("UserName"))
    with call.services.store.read() as tx:
        user_id, user_name = _owner(call, tx, p.get("UserName"))
        keys = tx.access_keys_of(call.account_id, user_id)
    metadata = []
    for key in keys:
        item = {"AccessKeyId": key.access_key_id, "Status": key.status,
                "CreateDate": key.created_at}
        if user_name:
            item["UserName"] = user_name
        metadata.append(item)
    return {"AccessKeyMetadata": metadata, "IsTruncated": False}


def update_access_key(call: Call, p: Params) -> Result:
    _authorize(call, "iam:UpdateAccessKey", p.get("UserName"))
    with call.services.store.write() as tx:
        user_id, _ = _owner(call, tx, p.get("UserName"))
        access_keys.update_access_key(tx, call.account_id, user_id, p["AccessKeyId"],
                                      p["Status"])
    return None


def delete_access_key(call: Call, p: Params) -> Result:
    _authorize(call, "iam:DeleteAccessKey", p.get("UserName"))
    with call.services.store.write() as tx:
        user_id, _ = _owner(call, tx, p.get("UserName"))
        access_keys.delete_access_key(tx, call.account_id, user_id, p["AccessKeyId"])
    return None


def get_access_key_last_used(call: Call, p: Params) -> Result:
    key_id = p["AccessKeyId"]
    with call.services.store.read() as tx:
        key = tx.access_key(key_id)
        owner = tx.user_by_id(key.user_id) if key and key.user_id else None
    if key is None or key.account_id != call.account_id:
        call.authorize("iam:GetAccessKeyLastUsed", arns.iam(call.partition, call.account_id,
                                                            "user/*"))
        raise access_keys.not_found(key_id)
    resource = (arns.user(call.partition, key.account_id, owner.path, owner.name) if owner
                else arns.root(call.partition, key.account_id))
    call.authorize("iam:GetAccessKeyLastUsed", resource)
    # AWS reports N/A for the service and region of a key never used.
    last = {"ServiceName": key.last_used_service or "N/A",
            "Region": key.last_used_region or "N/A"}
    if key.last_used_at:
        last["LastUsedDate"] = key.last_used_at  # type: ignore[assignment]
    out: dict[str, object] = {"AccessKeyLastUsed": last}
    out["UserName"] = owner.name if owner else "root"
    return out


OPERATIONS: dict[str, Handler] = {
    "CreateAccessKey": create_access_key,
    "ListAccessKeys": list_access_keys,
    "UpdateAccessKey": update_access_key,
    "DeleteAccessKey": delete_access_key,
    "GetAccessKeyLastUsed": get_access_key_last_used,
}
