"""MFA rules with a frozen clock: one use per code, drift, resync, throttling."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sekisho.domain import mfa, totp, users
from sekisho.domain.principal import Caller
from sekisho.domain.secretbox import MasterKey, SecretBox
from sekisho.errors import AccessDenied, InvalidAuthenticationCode
from sekisho.store import mfa as stored
from sekisho.store.database import migrate, open_engine
from sekisho.store.sql import Store

T0 = datetime(2026, 11, 27, 12, 0, 10, tzinfo=UTC)  # 10 s into a time step
ACCOUNT = "123456789012"
BOX = SecretBox([MasterKey(b"k" * 32)])


class Device:
    """An enabled device of user `alice`, and what a test needs to drive it."""

    def __init__(self, store: Store, serial: str, seed: str, caller: Caller) -> None:
        self.store, self.serial, self.seed, self.caller = store, serial, seed, caller

    def code(self, at: datetime, offset: int = 0) -> str:
        return totp.code_at(self.seed, totp.step_of(at) + offset)

    def authenticate(self, code: str, at: datetime) -> int:
        return mfa.authenticate(self.store, BOX, self.caller, self.serial, code, at)


def _user_device(store: Store, user: str, device: str) -> tuple[str, str, Caller]:
    serial = mfa.serial_number("aws", ACCOUNT, "/", device)
    with store.write() as tx:
        rec = users.create_user(tx, ACCOUNT, user, "/", (), None, T0)
        created = mfa.create_virtual_device(tx, BOX, ACCOUNT, serial, device, user, (), T0)
    caller = Caller("user", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/{user}", rec.user_id,
                    "AKIAEXAMPLE", user)
    return serial, created.seed, caller


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    store = Store(engine)
    with store.write() as tx:
        tx.insert_account(ACCOUNT, T0)
    yield store
    engine.dispose()


@pytest.fixture
def device(store: Store) -> Device:
    serial, seed, caller = _user_device(store, "alice", "alice")
    # Enabled with the codes of the two steps before T0's, as a user would a minute ago.
    step = totp.step_of(T0)
    mfa.enable_device(store, BOX, ACCOUNT, "alice", serial, totp.code_at(seed, step - 2),
                      totp.code_at(seed, step - 1), T0)
    return Device(store, serial, seed, caller)


def test_seed_is_stored_sealed_and_bound_to_the_serial(store: Store) -> None:
    serial, seed, _ = _user_device(store, "bob", "bob")
    with store.read() as tx:
        rec = stored.device_by_serial(tx, ACCOUNT, serial)
    assert rec is not None and seed.encode() not in rec.seed_sealed
    assert BOX.open(rec.seed_sealed, serial.encode()) == seed.encode()


def test_current_code_authenticates_at_the_current_time(device: Device) -> None:
    assert device.authenticate(device.code(T0), T0) == int(T0.timestamp())


def test_code_is_accepted_once(device: Device) -> None:
    code = device.code(T0)
    device.authenticate(code, T0)
    with pytest.raises(AccessDenied) as exc:
        device.authenticate(code, T0 + timedelta(seconds=5))
    assert exc.value.message == mfa.INVALID_CODE


def test_codes_used_to_enable_cannot_authenticate(device: Device) -> None:
    with pytest.raises(AccessDenied):
        device.authenticate(device.code(T0, -1), T0)


def test_older_code_is_refused_after_a_newer_one_was_used(device: Device) -> None:
    device.authenticate(device.code(T0, +1), T0)
    with pytest.raises(AccessDenied):
        device.authenticate(device.code(T0), T0)


def test_code_expires_after_the_drift_window(device: Device) -> None:
    with pytest.raises(AccessDenied):
        device.authenticate(device.code(T0), T0 + timedelta(seconds=70))


def test_five_wrong_codes_lock_the_device_until_the_window_passes(device: Device) -> None:
    wrong = next(c for c in (f"{n:06d}" for n in range(100))
                 if c not in {device.code(T0, i) for i in (-1, 0, 1)})
    for _ in range(mfa.MAX_FAILURES):
        with pytest.raises(AccessDenied):
            device.authenticate(wrong, T0)
    later = T0 + timedelta(minutes=5)
    with pytest.raises(AccessDenied):  # the right code, refused while locked
        device.authenticate(device.code(later), later)
    unlocked = T0 + mfa.FAILURE_WINDOW + timedelta(seconds=30)
    assert device.authenticate(device.code(unlocked), unlocked) == int(unlocked.timestamp())


def test_a_success_resets_the_failure_count(device: Device) -> None:
    wrong = next(c for c in (f"{n:06d}" for n in range(100))
                 if c not in {device.code(T0, i) for i in range(-1, 4)})
    for _ in range(mfa.MAX_FAILURES - 1):
        with pytest.raises(AccessDenied):
            device.authenticate(wrong, T0)
    device.authenticate(device.code(T0), T0)
    for _ in range(mfa.MAX_FAILURES - 1):
        with pytest.raises(AccessDenied):
            device.authenticate(wrong, T0)
    assert device.authenticate(device.code(T0, +1), T0)


def test_naming_another_users_device_is_unable_to_validate(store: Store, device: Device
                                                           ) -> None:
    _, _, mallory = _user_device(store, "mallory", "mallory")
    with pytest.raises(AccessDenied) as exc:
        mfa.authenticate(store, BOX, mallory, device.serial, device.code(T0), T0)
    assert exc.value.message == mfa.UNABLE_TO_VALIDATE
    # Nothing was counted or used: the owner still gets in with that very code.
    device.authenticate(device.code(T0), T0)


def test_resync_recentres_a_drifted_device(device: Device) -> None:
    ahead = 10  # the phone's clock runs five minutes fast
    with pytest.raises(AccessDenied):
        device.authenticate(device.code(T0, ahead), T0)
    mfa.resync_device(device.store, BOX, ACCOUNT, "alice", device.serial,
                      device.code(T0, ahead - 1), device.code(T0, ahead), T0)
    later = T0 + timedelta(seconds=30)
    assert device.authenticate(device.code(later, ahead), later)


def test_enable_refuses_codes_that_are_not_consecutive(store: Store) -> None:
    serial, seed, _ = _user_device(store, "carol", "carol")
    step = totp.step_of(T0)
    with pytest.raises(InvalidAuthenticationCode) as exc:
        mfa.enable_device(store, BOX, ACCOUNT, "carol", serial, totp.code_at(seed, step - 2),
                          totp.code_at(seed, step), T0)
    assert exc.value.message == "Authentication code for device is not valid."
    with store.read() as tx:
        rec = stored.device_by_serial(tx, ACCOUNT, serial)
    assert rec is not None and rec.user_id is None and rec.failures == 1
