"""Virtual MFA devices and MFA authentication.

Devices: create (the seed sealed under the master key, bound to the serial),
enable for a user with two consecutive codes, resync, deactivate, delete,
list, tag. Authentication: `authenticate` checks the SerialNumber and
TokenCode of GetSessionToken / AssumeRole and answers with the time the
session counts as MFA-authenticated.

Every code is accepted once per device, across all server nodes: accepting a
code moves the device's `last_step` forward with one conditional UPDATE
(`store.mfa.claim_steps`), and only a step newer than the last one used can
move it. A genuine device's steps only grow, so this never refuses a fresh code.

Throttling: after `MAX_FAILURES` wrong codes for a device, each less than
`FAILURE_WINDOW` after the previous one, the device accepts no code at all
(right or wrong, answered like a wrong one) until `FAILURE_WINDOW` has passed
since the last counted failure; refused attempts during the lockout are not
counted, so the lockout ends on time. The counters live in the device's row,
so every node sees them. Only failures against a device assigned to the caller
(or, for EnableMFADevice, an unassigned one) are counted, so nobody can lock
another user's device by naming its serial.

Code-checking operations take the `Store` rather than a transaction: a wrong
code must be counted (committed) even though the call then fails.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sekisho.domain import ids, totp, users
from sekisho.domain.pagination import Page, decode_marker, page_of
from sekisho.domain.principal import Caller
from sekisho.domain.quotas import DEFAULT_QUOTAS, Quotas, check_count
from sekisho.domain.secretbox import SecretBox
from sekisho.domain.tags import check_tag_count
from sekisho.errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    NoSuchEntity,
    ValidationError,
)
from sekisho.store import mfa as stored
from sekisho.store.errors import Conflict
from sekisho.store.mfa import MFADeviceRecord
from sekisho.store.records import Tag, UserRecord
from sekisho.store.sql import Store, Tx

log = logging.getLogger("sekisho.mfa")

DEVICE_PREFIX = "AMFA"  # internal ids only: AWS exposes no unique id for MFA devices
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
MAX_SERIAL = 256  # serialNumberType, IAM API reference

# AWS's wording (GetSessionToken / AssumeRole answers, as quoted in AWS CLI and SDK issues).
MUST_PROVIDE_BOTH = ("MultiFactorAuthentication failed, must provide both MFA serial number "
                     "and one time pass code.")
UNABLE_TO_VALIDATE = ("MultiFactorAuthentication failed, unable to validate MFA code.  Please "
                      "verify your MFA serial number is valid and associated with this user.")
INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
CODE_NOT_VALID = "Authentication code for device is not valid."


def no_such_device(serial: str) -> NoSuchEntity:
    return NoSuchEntity(f"VirtualMFADevice with serial number {serial} doesn't exist.")


def _invalid_for_user() -> NoSuchEntity:
    return NoSuchEntity("MFA Device invalid for user.")


@dataclass(frozen=True)
class NewDevice:
    """What CreateVirtualMFADevice hands back once: the seed and its QR code."""

    record: MFADeviceRecord
    seed: str = field(repr=False)
    qr_png: bytes = field(repr=False)


def serial_number(partition: str, account_id: str, path: str, name: str) -> str:
    """The serial of a virtual device: its ARN, `arn:aws:iam::ACCOUNT:mfa/PATH/NAME`."""
    return f"arn:{partition}:iam::{account_id}:mfa{path}{name}"


def _seed(box: SecretBox, device: MFADeviceRecord) -> str:
    return box.open(device.seed_sealed, device.serial.encode("utf-8")).decode("ascii")


def _locked(device: MFADeviceRecord, now: datetime) -> bool:
    return (device.failures >= MAX_FAILURES and device.last_failure_at is not None
            and device.last_failure_at >= now - FAILURE_WINDOW)


def get_device(tx: Tx, account_id: str, serial: str) -> MFADeviceRecord:
    device = stored.device_by_serial(tx, account_id, serial)
    if device is None:
        raise no_such_device(serial)
    return device


def create_virtual_device(tx: Tx, box: SecretBox, account_id: str, serial: str,
                          device_name: str, account_label: str, tags: Sequence[Tag],
                          now: datetime) -> NewDevice:
    """Creates an unassigned device with a fresh seed; EntityAlreadyExists when a device of
    the same path and name exists. `account_label` names the account in the QR code.
    Raises ValidationError when path and name make a serial longer than AWS's 256."""
    if len(serial) > MAX_SERIAL:
        raise ValidationError(
            f"1 validation error detected: Value '{serial}' at 'serialNumber' failed to "
            f"satisfy constraint: Member must have length less than or equal to {MAX_SERIAL}")
    check_tag_count((), tags, "MFADevice")
    seed = totp.new_seed()
    record = MFADeviceRecord(ids.unique_id(DEVICE_PREFIX), account_id, serial,
                             box.seal(seed.encode("ascii"), serial.encode("utf-8")), now)
    try:
        stored.insert_device(tx, record)
    except Conflict:
        raise EntityAlreadyExists(
            "MFADevice entity at the same path and name already exists.") from None
    tx.put_tags(record.device_id, tags)
    tx.bump_generation(account_id)
    uri = totp.provisioning_uri(seed, device_name, account_label)
    return NewDevice(record, seed, totp.qr_png(uri))


def enable_device(store: Store, box: SecretBox, account_id: str, user_name: str, serial: str,
                  code1: str, code2: str, now: datetime, *,
                  quotas: Quotas = DEFAULT_QUOTAS) -> None:
    """Assigns the device to the user when `code1` and `code2` are two consecutive, unused
    codes. Raises NoSuchEntity (user or device), EntityAlreadyExists (the device is
    assigned), LimitExceeded (MFADevicesPerUser), InvalidAuthenticationCode."""
    with store.write() as tx:
        user = users.get_user(tx, account_id, user_name)
        device = get_device(tx, account_id, serial)
        if device.user_id is not None:
            raise EntityAlreadyExists("MFA Device is already in use.")
        check_count(stored.count_user_devices(tx, user.user_id), quotas.mfa_devices_per_user,
                    "MFADevicesPerUser")
        if not _locked(device, now):
            step = totp.consecutive_step(_seed(box, device), code1, code2, totp.step_of(now))
            if step is not None and stored.assign(tx, device.device_id, user.user_id, now,
                                                  step - 1, step):
                tx.bump_generation(account_id)
                return
            current = stored.device_by_serial(tx, account_id, serial)
            if current is not None and current.user_id is not None:
                raise EntityAlreadyExists("MFA Device is already in use.")
            stored.record_failure(tx, device.device_id, now, FAILURE_WINDOW)
        else:
            log.warning("MFA device %s is locked after repeated wrong codes", device.serial)
    raise InvalidAuthenticationCode(CODE_NOT_VALID)


def resync_device(store: Store, box: SecretBox, account_id: str, user_name: str, serial: str,
                  code1: str, code2: str, now: datetime) -> None:
    """Re-centres the drift window on two consecutive codes found within
    `totp.RESYNC_STEPS` steps of now. Raises NoSuchEntity, InvalidAuthenticationCode."""
    with store.write() as tx:
        user = users.get_user(tx, account_id, user_name)
        device = get_device(tx, account_id, serial)
        if device.user_id != user.user_id:
            raise _invalid_for_user()
        if not _locked(device, now):
            center = totp.step_of(now)
            step = totp.consecutive_step(_seed(box, device), code1, code2, center,
                                         totp.RESYNC_STEPS)
            if step is not None and stored.claim_steps(tx, device.device_id, user.user_id,
                                                       step - 1, step, step - center):
                return
            stored.record_failure(tx, device.device_id, now, FAILURE_WINDOW)
        else:
            log.warning("MFA device %s is locked after repeated wrong codes", device.serial)
    raise InvalidAuthenticationCode(CODE_NOT_VALID)


def deactivate_device(tx: Tx, account_id: str, user_name: str, serial: str) -> None:
    """Detaches the device from the user (it stays, unassigned). Raises NoSuchEntity."""
    user = users.get_user(tx, account_id, user_name)
    device = get_device(tx, account_id, serial)
    if not stored.unassign(tx, device.device_id, user.user_id):
        raise _invalid_for_user()
    tx.bump_generation(account_id)


def delete_virtual_device(tx: Tx, account_id: str, serial: str) -> None:
    """Raises NoSuchEntity, or DeleteConflict while the device is assigned."""
    device = get_device(tx, account_id, serial)
    if not stored.delete_unassigned(tx, device.device_id):
        raise DeleteConflict("MFA VirtualDevice in use. Must deactivate first.")
    tx.bump_generation(account_id)


def user_devices(tx: Tx, account_id: str, user_name: str, marker: str | None,
                 max_items: int) -> tuple[UserRecord, Page[MFADeviceRecord]]:
    user = users.get_user(tx, account_id, user_name)
    rows = stored.devices_of_user(tx, user.user_id, decode_marker(marker), max_items + 1)
    return user, page_of(rows, max_items, lambda d: d.serial.lower())


def virtual_devices(tx: Tx, account_id: str, status: str, marker: str | None, max_items: int
                    ) -> Page[tuple[MFADeviceRecord, UserRecord | None]]:
    """The account's devices; `status` is AssignmentStatus (Assigned, Unassigned, Any)."""
    assigned = {"Assigned": True, "Unassigned": False}.get(status)
    rows = stored.list_devices(tx, account_id, assigned, decode_marker(marker), max_items + 1)
    page = page_of(rows, max_items, lambda d: d.serial.lower())
    items = [(d, tx.user_by_id(d.user_id) if d.user_id else None) for d in page.items]
    return Page(items, page.next_marker)


def tag_device(tx: Tx, account_id: str, serial: str, tags: Sequence[Tag]) -> None:
    device = get_device(tx, account_id, serial)
    check_tag_count(tx.tags_of(device.device_id), tags, "MFADevice")
    tx.put_tags(device.device_id, tags)
    tx.bump_generation(account_id)


def untag_device(tx: Tx, account_id: str, serial: str, keys: Sequence[str]) -> None:
    device = get_device(tx, account_id, serial)
    tx.remove_tags(device.device_id, keys)
    tx.bump_generation(account_id)


def _owner(caller: Caller) -> str | None:
    """The unique id of the IAM user whose devices may authenticate `caller`: the user
    itself (long-term keys or a GetSessionToken session); nobody for other callers."""
    return caller.user_id if caller.type == "user" else None


def authenticate(store: Store, box: SecretBox, caller: Caller, serial: str | None,
                 code: str | None, now: datetime) -> int:
    """The epoch second from which a session of `caller` counts as MFA-authenticated.

    `serial` must name an MFA device assigned to the calling IAM user and `code`
    must be a current code of it not used before. Raises AccessDenied with AWS's
    messages: both parameters are needed; the serial is not the caller's device;
    the code is wrong, used already, or the device is throttled.
    """
    if serial is None or code is None:
        raise AccessDenied(MUST_PROVIDE_BOTH)
    owner = _owner(caller)
    with store.write() as tx:
        device = stored.device_by_serial(tx, caller.account_id, serial)
        if device is None or owner is None or device.user_id != owner:
            raise AccessDenied(UNABLE_TO_VALIDATE)
        if _locked(device, now):
            log.warning("MFA device %s is locked after repeated wrong codes", device.serial)
            accepted = False
        else:
            step = totp.matching_step(_seed(box, device), code,
                                      totp.step_of(now) + device.drift_steps)
            accepted = step is not None and stored.claim_steps(tx, device.device_id, owner,
                                                               step, step)
            if not accepted:
                stored.record_failure(tx, device.device_id, now, FAILURE_WINDOW)
    if not accepted:
        raise AccessDenied(INVALID_CODE)
    return int(now.timestamp())


def session_mfa_time(store: Store, box: SecretBox, caller: Caller, serial: str | None,
                     code: str | None, now: datetime, inherited: int | None = None
                     ) -> int | None:
    """The MFA time of a new session: `authenticate`'s answer when the request carries
    SerialNumber or TokenCode, else `inherited` (the calling session's own MFA time,
    which a chained role session keeps)."""
    if serial is None and code is None:
        return inherited
    return authenticate(store, box, caller, serial, code, now)


def trust_context(mfa_at: int | None, now: datetime) -> dict[str, str]:
    """The MFA condition keys a role's trust policy sees for a request authenticated
    with MFA at `mfa_at` (nothing when it was not)."""
    if mfa_at is None:
        return {}
    return {"aws:MultiFactorAuthPresent": "true",
            "aws:MultiFactorAuthAge": str(max(0, int(now.timestamp()) - mfa_at))}
