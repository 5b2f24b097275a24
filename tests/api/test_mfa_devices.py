"""Virtual MFA devices through boto3 and the AWS CLI: create, enable, resync,
deactivate, delete, list, tags, and the errors the IAM API reference lists."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sekisho.domain import totp
from tests.api.test_access_keys import make_user_key
from tests.api.test_aws_cli import aws
from tests.api.test_sts_sessions import session_client
from tests.api.test_users import error_of
from tests.support.server import RunningServer


def settle() -> int:
    """The current TOTP step, after waiting out the last seconds of a step so that the
    server sees the same step as the codes a test computes (a wait, not a timing check)."""
    into = time.time() % totp.STEP_SECONDS
    if into > totp.STEP_SECONDS - 6:
        time.sleep(totp.STEP_SECONDS - into + 0.2)
    return int(time.time()) // totp.STEP_SECONDS


def code(seed: str, step: int) -> str:
    return totp.code_at(seed, step)


def create_device(iam: Any, name: str, **extra: Any) -> tuple[str, str]:
    """(serial, seed) of a new virtual device."""
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name, **extra)
    device = device["VirtualMFADevice"]
    return device["SerialNumber"], device["Base32StringSeed"].decode("ascii")


def enable(iam: Any, user: str, serial: str, seed: str) -> int:
    """Enables the device with the codes of the two steps before the current one, leaving
    the current and the next code unused; returns the current step."""
    step = settle()
    iam.enable_mfa_device(UserName=user, SerialNumber=serial,
                          AuthenticationCode1=code(seed, step - 2),
                          AuthenticationCode2=code(seed, step - 1))
    return step


def user_with_device(iam: Any, name: str) -> tuple[str, str]:
    """A new user with an enabled device named after it: (serial, seed)."""
    iam.create_user(UserName=name)
    serial, seed = create_device(iam, name)
    enable(iam, name, serial, seed)
    return serial, seed


def account_of(sts: Any) -> str:
    return str(sts.get_caller_identity()["Account"])


def test_create_returns_serial_seed_and_qr_code_png(iam: Any, sts: Any, unique: str) -> None:
    account = account_of(sts)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"d-{unique}",
                                           Path="/team/")["VirtualMFADevice"]
    assert device["SerialNumber"] == f"arn:aws:iam::{account}:mfa/team/d-{unique}"
    seed = device["Base32StringSeed"].decode("ascii")
    assert len(base64.b32decode(seed)) == totp.SEED_BYTES
    # The QR code holds otpauth://totp/NAME@ACCOUNT?secret=SEED (root: the account id).
    uri = totp.provisioning_uri(seed, f"d-{unique}", account)
    assert device["QRCodePNG"] == totp.qr_png(uri)


def test_create_twice_is_entity_already_exists(iam: Any, unique: str) -> None:
    iam.create_virtual_mfa_device(VirtualMFADeviceName=f"dup-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.create_virtual_mfa_device(VirtualMFADeviceName=f"DUP-{unique}")
    assert error_of(exc) == ("EntityAlreadyExists", 409,
                             "MFADevice entity at the same path and name already exists.")


def test_same_name_on_another_path_is_another_device(iam: Any, unique: str) -> None:
    first, _ = create_device(iam, f"p-{unique}")
    second, _ = create_device(iam, f"p-{unique}", Path="/other/")
    assert first != second


def test_path_and_name_longer_than_a_serial_is_validation_error(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_virtual_mfa_device(VirtualMFADeviceName=f"long-{unique}",
                                      Path="/" + "p" * 250 + "/")
    code_, status, message = error_of(exc)
    assert (code_, status) == ("ValidationError", 400)
    assert message.endswith("Member must have length less than or equal to 256")


def test_create_with_tags_and_list_them(iam: Any, unique: str) -> None:
    serial, _ = create_device(iam, f"t-{unique}", Tags=[{"Key": "team", "Value": "red"}])
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "env", "Value": "dev"}])
    tags = iam.list_mfa_device_tags(SerialNumber=serial)["Tags"]
    assert tags == [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "red"}]
    iam.untag_mfa_device(SerialNumber=serial, TagKeys=["team"])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [
        {"Key": "env", "Value": "dev"}]


def test_tags_of_unknown_device_is_no_such_entity(iam: Any, sts: Any, unique: str) -> None:
    serial = f"arn:aws:iam::{account_of(sts)}:mfa/none-{unique}"
    with pytest.raises(ClientError) as exc:
        iam.list_mfa_device_tags(SerialNumber=serial)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"VirtualMFADevice with serial number {serial} doesn't exist.")


def test_enable_assigns_the_device_to_the_user(iam: Any, unique: str) -> None:
    iam.create_user(UserName=f"u-{unique}")
    serial, seed = create_device(iam, f"u-{unique}")
    enable(iam, f"u-{unique}", serial, seed)
    devices = iam.list_mfa_devices(UserName=f"u-{unique}")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in devices] == [(f"u-{unique}", serial)]
    assert devices[0]["EnableDate"].tzinfo is not None


@pytest.mark.parametrize("steps", [(-1, -2), (-3, -1), (5, 6)])
def test_enable_with_codes_that_are_not_two_consecutive_current_ones_is_refused(
        iam: Any, unique: str, steps: tuple[int, int]) -> None:
    iam.create_user(UserName=f"w-{unique}")
    serial, seed = create_device(iam, f"w-{unique}")
    step = settle()
    with pytest.raises(ClientError) as exc:
        iam.enable_mfa_device(UserName=f"w-{unique}", SerialNumber=serial,
                              AuthenticationCode1=code(seed, step + steps[0]),
                              AuthenticationCode2=code(seed, step + steps[1]))
    assert error_of(exc) == ("InvalidAuthenticationCode", 403,
                             "Authentication code for device is not valid.")
    assert iam.list_mfa_devices(UserName=f"w-{unique}")["MFADevices"] == []


def test_device_assigned_to_one_user_cannot_be_enabled_for_another(iam: Any,
                                                                   unique: str) -> None:
    serial, seed = user_with_device(iam, f"a-{unique}")
    iam.create_user(UserName=f"b-{unique}")
    step = settle()
    with pytest.raises(ClientError) as exc:
        iam.enable_mfa_device(UserName=f"b-{unique}", SerialNumber=serial,
                              AuthenticationCode1=code(seed, step),
                              AuthenticationCode2=code(seed, step + 1))
    assert error_of(exc) == ("EntityAlreadyExists", 409, "MFA Device is already in use.")


def test_enable_for_a_missing_user_is_no_such_entity(iam: Any, unique: str) -> None:
    serial, seed = create_device(iam, f"nu-{unique}")
    with pytest.raises(ClientError) as exc:
        enable(iam, f"nobody-{unique}", serial, seed)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The user with name nobody-{unique} cannot be found.")


def test_enable_of_a_missing_device_is_no_such_entity(iam: Any, sts: Any, unique: str) -> None:
    iam.create_user(UserName=f"nd-{unique}")
    serial = f"arn:aws:iam::{account_of(sts)}:mfa/none-{unique}"
    with pytest.raises(ClientError) as exc:
        iam.enable_mfa_device(UserName=f"nd-{unique}", SerialNumber=serial,
                              AuthenticationCode1="123456", AuthenticationCode2="654321")
    assert error_of(exc)[:2] == ("NoSuchEntity", 404)


def test_a_user_may_have_eight_devices(iam: Any, unique: str) -> None:
    user = f"eight-{unique}"
    iam.create_user(UserName=user)
    for i in range(8):
        serial, seed = create_device(iam, f"{user}-{i}")
        enable(iam, user, serial, seed)
    serial, seed = create_device(iam, f"{user}-9")
    with pytest.raises(ClientError) as exc:
        enable(iam, user, serial, seed)
    assert error_of(exc) == ("LimitExceeded", 409,
                             "Cannot exceed quota for MFADevicesPerUser: 8")
    assert len(iam.list_mfa_devices(UserName=user)["MFADevices"]) == 8


@pytest.mark.parametrize(("status", "assigned", "unassigned"), [
    ("Assigned", True, False), ("Unassigned", False, True), ("Any", True, True)])
def test_list_virtual_devices_by_assignment_status(iam: Any, unique: str, status: str,
                                                   assigned: bool, unassigned: bool) -> None:
    used, _ = user_with_device(iam, f"ls-{unique}")
    free, _ = create_device(iam, f"free-{unique}")
    listed = {d["SerialNumber"]: d for d in iam.get_paginator("list_virtual_mfa_devices")
              .paginate(AssignmentStatus=status).build_full_result()["VirtualMFADevices"]}
    assert (used in listed, free in listed) == (assigned, unassigned)
    if assigned:
        assert listed[used]["User"]["UserName"] == f"ls-{unique}"
        assert listed[used]["User"]["UserId"].startswith("AIDA")
        assert "EnableDate" in listed[used]
    if unassigned:
        assert "User" not in listed[free] and "EnableDate" not in listed[free]


def test_list_virtual_devices_leaves_out_seed_qr_code_and_tags(iam: Any, unique: str) -> None:
    serial, _ = create_device(iam, f"o-{unique}", Tags=[{"Key": "k", "Value": "v"}])
    devices = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    mine = [d for d in devices if d["SerialNumber"] == serial]
    assert mine == [{"SerialNumber": serial}]


def test_list_virtual_devices_pages_with_max_items(iam: Any, unique: str) -> None:
    for i in range(3):
        create_device(iam, f"pg-{unique}-{i}")
    first = iam.list_virtual_mfa_devices(MaxItems=2)
    assert first["IsTruncated"] and len(first["VirtualMFADevices"]) == 2
    rest = iam.list_virtual_mfa_devices(Marker=first["Marker"], MaxItems=1000)
    serials = [d["SerialNumber"] for d in first["VirtualMFADevices"] + rest["VirtualMFADevices"]]
    assert len(serials) == len(set(serials))
    assert sum(f"pg-{unique}-" in s for s in serials) == 3


def test_assigned_device_cannot_be_deleted_until_deactivated(iam: Any, unique: str) -> None:
    serial, _ = user_with_device(iam, f"del-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert error_of(exc) == ("DeleteConflict", 409,
                             "MFA VirtualDevice in use. Must deactivate first.")
    iam.deactivate_mfa_device(UserName=f"del-{unique}", SerialNumber=serial)
    assert iam.list_mfa_devices(UserName=f"del-{unique}")["MFADevices"] == []
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    with pytest.raises(ClientError) as missing:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert error_of(missing)[:2] == ("NoSuchEntity", 404)


def test_deactivating_another_users_device_is_no_such_entity(iam: Any, unique: str) -> None:
    serial, _ = user_with_device(iam, f"own-{unique}")
    iam.create_user(UserName=f"other-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.deactivate_mfa_device(UserName=f"other-{unique}", SerialNumber=serial)
    assert error_of(exc) == ("NoSuchEntity", 404, "MFA Device invalid for user.")


def test_user_with_an_mfa_device_cannot_be_deleted(iam: Any, unique: str) -> None:
    serial, _ = user_with_device(iam, f"keep-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=f"keep-{unique}")
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete entity, must delete MFA device first.")
    iam.deactivate_mfa_device(UserName=f"keep-{unique}", SerialNumber=serial)
    iam.delete_user(UserName=f"keep-{unique}")


def test_resync_accepts_two_consecutive_codes_and_refuses_others(iam: Any,
                                                                 unique: str) -> None:
    serial, seed = user_with_device(iam, f"rs-{unique}")
    step = settle()
    with pytest.raises(ClientError) as exc:
        iam.resync_mfa_device(UserName=f"rs-{unique}", SerialNumber=serial,
                              AuthenticationCode1=code(seed, step),
                              AuthenticationCode2=code(seed, step + 2))
    assert error_of(exc) == ("InvalidAuthenticationCode", 403,
                             "Authentication code for device is not valid.")
    # A phone whose clock runs three minutes fast is brought back in sync.
    iam.resync_mfa_device(UserName=f"rs-{unique}", SerialNumber=serial,
                          AuthenticationCode1=code(seed, step + 5),
                          AuthenticationCode2=code(seed, step + 6))


def test_get_mfa_device_describes_the_users_device(iam: Any, unique: str) -> None:
    serial, _ = user_with_device(iam, f"g-{unique}")
    got = iam.get_mfa_device(UserName=f"g-{unique}", SerialNumber=serial)
    assert (got["UserName"], got["SerialNumber"]) == (f"g-{unique}", serial)
    assert "EnableDate" in got


def test_user_lists_own_devices_without_naming_itself(server: RunningServer, iam: Any,
                                                      unique: str) -> None:
    name = f"self-{unique}"
    key = make_user_key(iam, name)
    iam.put_user_policy(UserName=name, PolicyName="list", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:ListMFADevices",
            "Resource": "arn:aws:iam::*:user/${aws:username}"}]}))
    serial, seed = create_device(iam, name)
    enable(iam, name, serial, seed)
    devices = server.client("iam", key).list_mfa_devices()["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [serial]


def test_users_self_manage_their_device_under_the_documented_policy(
        server: RunningServer, iam: Any, unique: str) -> None:
    # "IAM: Allows IAM users to self-manage an MFA device" (IAM User Guide), trimmed to
    # what the API calls below need, with its deny for non-MFA requests.
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowUserToCreateVirtualMFADevice", "Effect": "Allow",
         "Action": "iam:CreateVirtualMFADevice", "Resource": "arn:aws:iam::*:mfa/*"},
        {"Sid": "AllowUserToManageTheirOwnMFA", "Effect": "Allow",
         "Action": ["iam:EnableMFADevice", "iam:GetMFADevice", "iam:ListMFADevices",
                    "iam:ResyncMFADevice"],
         "Resource": "arn:aws:iam::*:user/${aws:username}"},
        {"Sid": "AllowUserToDeactivateTheirOwnMFAOnlyWhenUsingMFA", "Effect": "Allow",
         "Action": "iam:DeactivateMFADevice",
         "Resource": "arn:aws:iam::*:user/${aws:username}",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Sid": "BlockMostAccessUnlessSignedInWithMFA", "Effect": "Deny",
         "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice",
                       "iam:ListMFADevices", "iam:ListUsers", "iam:ListVirtualMFADevices",
                       "iam:ResyncMFADevice", "sts:GetSessionToken"],
         "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}
    name, other = f"sm-{unique}", f"smo-{unique}"
    key = make_user_key(iam, name)
    iam.create_user(UserName=other)
    iam.put_user_policy(UserName=name, PolicyName="self-mfa", PolicyDocument=json.dumps(policy))
    user_iam = server.client("iam", key)
    serial, seed = create_device(user_iam, name)
    step = enable(user_iam, name, serial, seed)
    assert [d["SerialNumber"] for d in user_iam.list_mfa_devices()["MFADevices"]] == [serial]
    spare, spare_seed = create_device(user_iam, f"spare-{unique}")
    with pytest.raises(ClientError) as exc:
        enable(user_iam, other, spare, spare_seed)
    assert error_of(exc)[:2] == ("AccessDenied", 403)
    with pytest.raises(ClientError) as denied:  # not MFA-authenticated: denied
        user_iam.deactivate_mfa_device(UserName=name, SerialNumber=serial)
    assert error_of(denied)[:2] == ("AccessDenied", 403)
    creds = server.client("sts", key).get_session_token(
        SerialNumber=serial, TokenCode=code(seed, step))["Credentials"]
    session_client(server, "iam", creds).deactivate_mfa_device(UserName=name,
                                                               SerialNumber=serial)
    assert user_iam.list_mfa_devices()["MFADevices"] == []


def test_cli_writes_the_qr_code_png_to_a_file(server: RunningServer, unique: str,
                                             tmp_path: Path) -> None:
    outfile = tmp_path / "qr.png"
    result = aws(server, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name",
                 f"cli-{unique}", "--outfile", str(outfile), "--bootstrap-method", "QRCodePNG")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["VirtualMFADevice"]["SerialNumber"].endswith(
        f":mfa/cli-{unique}")
    assert outfile.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_enables_and_lists_a_device(server: RunningServer, iam: Any, unique: str,
                                        tmp_path: Path) -> None:
    iam.create_user(UserName=f"cli-u-{unique}")
    seed_file = tmp_path / "seed.txt"
    created = aws(server, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name",
                  f"cli-e-{unique}", "--outfile", str(seed_file),
                  "--bootstrap-method", "Base32StringSeed")
    assert created.returncode == 0, created.stderr
    serial = json.loads(created.stdout)["VirtualMFADevice"]["SerialNumber"]
    seed = seed_file.read_text().strip()
    step = settle()
    enabled = aws(server, "iam", "enable-mfa-device", "--user-name", f"cli-u-{unique}",
                  "--serial-number", serial, "--authentication-code1", code(seed, step - 2),
                  "--authentication-code2", code(seed, step - 1))
    assert enabled.returncode == 0, enabled.stderr
    listed = aws(server, "iam", "list-mfa-devices", "--user-name", f"cli-u-{unique}")
    assert [d["SerialNumber"] for d in json.loads(listed.stdout)["MFADevices"]] == [serial]
