"""IAM operations on virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice,
ResyncMFADevice, DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices,
ListVirtualMFADevices, GetMFADevice, and MFA device tags.

Operations on a user's devices are authorized on the user's ARN (with its real
path and tags, read first), operations on a device itself on the device's ARN,
its serial number (Service Authorization Reference: resource types `user` and
`mfa`). A missing user or device is reported only after the authorization.
"""

from __future__ import annotations

from typing import Any

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam import shapes
from sekisho.api.iam.tagging import request_tag_context, resource_tag_context, tag_page
from sekisho.domain import arns, mfa
from sekisho.domain.authorization import ContextValue
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS
from sekisho.domain.tags import as_output, tags_from_params
from sekisho.errors import ValidationError
from sekisho.store import mfa as stored
from sekisho.store.mfa import MFADeviceRecord

NO_USER_NAME = "Must specify userName when calling with non-User credentials"


def _user_name(call: Call, given: str | None) -> str:
    if given:
        return given
    if call.caller.type == "user" and call.caller.user_name:
        return call.caller.user_name
    raise ValidationError(NO_USER_NAME)


def _authorize_on_user(call: Call, action: str, name: str) -> None:
    """Authorizes `action` on the user's real ARN, its tags as `aws:ResourceTag/...`."""
    with call.services.store.read() as tx:
        rec = tx.user_by_name(call.account_id, name)
        tags = tx.tags_of(rec.user_id) if rec else []
    arn = arns.user(call.partition, call.account_id, rec.path if rec else "/", name)
    context: dict[str, ContextValue] = {f"aws:ResourceTag/{t.key}": t.value for t in tags}
    call.authorize(action, arn, context=context)


def _authorize_on_device(call: Call, action: str, serial: str,
                         extra: dict[str, ContextValue] | None = None) -> None:
    with call.services.store.read() as tx:
        rec = stored.device_by_serial(tx, call.account_id, serial)
        tags = tx.tags_of(rec.device_id) if rec else []
    context = resource_tag_context(tags)
    context.update(extra or {})
    call.authorize(action, rec.serial if rec else serial, context=context)


def _mfa_device(rec: MFADeviceRecord, user_name: str) -> dict[str, Any]:
    return {"UserName": user_name, "SerialNumber": rec.serial, "EnableDate": rec.enabled_at}


def create_virtual_mfa_device(call: Call, p: Params) -> Result:
    name, path = p["VirtualMFADeviceName"], p.get("Path", "/")
    serial = mfa.serial_number(call.partition, call.account_id, path, name)
    tags = tags_from_params(p.get("Tags"))
    call.authorize("iam:CreateVirtualMFADevice", serial, context=request_tag_context(tags))
    label = call.caller.user_name if call.caller.type == "user" else None
    with call.services.store.write() as tx:
        created = mfa.create_virtual_device(tx, call.services.box, call.account_id, serial,
                                            name, label or call.account_id, tags, call.now)
    device: dict[str, Any] = {"SerialNumber": serial,
                              "Base32StringSeed": created.seed.encode("ascii"),
                              "QRCodePNG": created.qr_png}
    if tags:
        device["Tags"] = as_output(tags)
    return {"VirtualMFADevice": device}


def enable_mfa_device(call: Call, p: Params) -> Result:
    name = p["UserName"]
    _authorize_on_user(call, "iam:EnableMFADevice", name)
    mfa.enable_device(call.services.store, call.services.box, call.account_id, name,
                      p["SerialNumber"], p["AuthenticationCode1"], p["AuthenticationCode2"],
                      call.now, quotas=call.quotas)
    return None


def resync_mfa_device(call: Call, p: Params) -> Result:
    name = p["UserName"]
    _authorize_on_user(call, "iam:ResyncMFADevice", name)
    mfa.resync_device(call.services.store, call.services.box, call.account_id, name,
                      p["SerialNumber"], p["AuthenticationCode1"], p["AuthenticationCode2"],
                      call.now)
    return None


def deactivate_mfa_device(call: Call, p: Params) -> Result:
    name = _user_name(call, p.get("UserName"))
    _authorize_on_user(call, "iam:DeactivateMFADevice", name)
    with call.services.store.write() as tx:
        mfa.deactivate_device(tx, call.account_id, name, p["SerialNumber"])
    return None


def delete_virtual_mfa_device(call: Call, p: Params) -> Result:
    serial = p["SerialNumber"]
    _authorize_on_device(call, "iam:DeleteVirtualMFADevice", serial)
    with call.services.store.write() as tx:
        mfa.delete_virtual_device(tx, call.account_id, serial)
    return None


def list_mfa_devices(call: Call, p: Params) -> Result:
    given = p.get("UserName")
    if given is None and call.caller.is_root:
        # The root user's own devices (hardware or FIDO, set up in the console) do not
        # exist in Sekisho: its list is empty.
        call.authorize("iam:ListMFADevices", call.caller.arn)
        return {"MFADevices": [], "IsTruncated": False}
    name = _user_name(call, given)
    _authorize_on_user(call, "iam:ListMFADevices", name)
    with call.services.store.read() as tx:
        user, page = mfa.user_devices(tx, call.account_id, name, p.get("Marker"),
                                      p.get("MaxItems", DEFAULT_MAX_ITEMS))
    out: dict[str, Any] = {"MFADevices": [_mfa_device(d, user.name) for d in page.items],
                           "IsTruncated": page.is_truncated}
    if page.next_marker:
        out["Marker"] = page.next_marker
    return out


def list_virtual_mfa_devices(call: Call, p: Params) -> Result:
    call.authorize("iam:ListVirtualMFADevices", "*")
    with call.services.store.read() as tx:
        page = mfa.virtual_devices(tx, call.account_id, p.get("AssignmentStatus", "Any"),
                                   p.get("Marker"), p.get("MaxItems", DEFAULT_MAX_ITEMS))
    devices = []
    for rec, user in page.items:
        device: dict[str, Any] = {"SerialNumber": rec.serial}
        if user is not None:
            device["User"] = shapes.user(call.partition, user)
            device["EnableDate"] = rec.enabled_at
        devices.append(device)
    out: dict[str, Any] = {"VirtualMFADevices": devices, "IsTruncated": page.is_truncated}
    if page.next_marker:
        out["Marker"] = page.next_marker
    return out


def get_mfa_device(call: Call, p: Params) -> Result:
    # AWS answers this for FIDO security keys only; Sekisho has virtual devices only and
    # answers for those, with the same members (no Certifications: a virtual device has none).
    name = _user_name(call, p.get("UserName"))
    _authorize_on_user(call, "iam:GetMFADevice", name)
    serial = p["SerialNumber"]
    with call.services.store.read() as tx:
        user, page = mfa.user_devices(tx, call.account_id, name, None, 1000)
    for rec in page.items:
        if rec.serial.lower() == serial.lower():
            return _mfa_device(rec, user.name)
    raise mfa.no_such_device(serial)


def tag_mfa_device(call: Call, p: Params) -> Result:
    serial = p["SerialNumber"]
    tags = tags_from_params(p["Tags"])
    _authorize_on_device(call, "iam:TagMFADevice", serial, request_tag_context(tags))
    with call.services.store.write() as tx:
        mfa.tag_device(tx, call.account_id, serial, tags)
    return None


def untag_mfa_device(call: Call, p: Params) -> Result:
    serial = p["SerialNumber"]
    keys: list[str] = list(p["TagKeys"])
    _authorize_on_device(call, "iam:UntagMFADevice", serial, {"aws:TagKeys": tuple(keys)})
    with call.services.store.write() as tx:
        mfa.untag_device(tx, call.account_id, serial, keys)
    return None


def list_mfa_device_tags(call: Call, p: Params) -> Result:
    serial = p["SerialNumber"]
    _authorize_on_device(call, "iam:ListMFADeviceTags", serial)
    with call.services.store.read() as tx:
        rec = mfa.get_device(tx, call.account_id, serial)
        tags = tx.tags_of(rec.device_id)
    return tag_page(tags, p)


OPERATIONS: dict[str, Handler] = {
    "CreateVirtualMFADevice": create_virtual_mfa_device,
    "EnableMFADevice": enable_mfa_device,
    "ResyncMFADevice": resync_mfa_device,
    "DeactivateMFADevice": deactivate_mfa_device,
    "DeleteVirtualMFADevice": delete_virtual_mfa_device,
    "ListMFADevices": list_mfa_devices,
    "ListVirtualMFADevices": list_virtual_mfa_devices,
    "GetMFADevice": get_mfa_device,
    "TagMFADevice": tag_mfa_device,
    "UntagMFADevice": untag_mfa_device,
    "ListMFADeviceTags": list_mfa_device_tags,
}
