"""TOTP (RFC 6238): codes, the drift window, consecutive codes, seeds, the QR code."""

from __future__ import annotations

import base64
import struct
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sekisho.domain import totp

# RFC 6238, appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
RFC_SEED = base64.b32encode(b"12345678901234567890").decode("ascii")
SEED = totp.new_seed()


@pytest.mark.parametrize(("unix_time", "eight_digits"), [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
])
def test_codes_match_the_rfc_6238_vectors(unix_time: int, eight_digits: str) -> None:
    # Six-digit codes are the low six digits of the RFC's eight-digit ones.
    now = datetime.fromtimestamp(unix_time, UTC)
    assert totp.code_at(RFC_SEED, totp.step_of(now)) == eight_digits[-6:]


@pytest.mark.parametrize(("unix_time", "step"), [(0, 0), (29, 0), (30, 1), (59, 1),
                                                  (1111111111, 37037037)])
def test_steps_are_thirty_seconds(unix_time: int, step: int) -> None:
    assert totp.step_of(datetime.fromtimestamp(unix_time, UTC)) == step


@pytest.mark.parametrize(("offset", "accepted"), [(-2, False), (-1, True), (0, True),
                                                  (1, True), (2, False)])
def test_drift_window_is_one_step_each_way(offset: int, accepted: bool) -> None:
    center = 55_000_000
    code = totp.code_at(SEED, center + offset)
    assert (totp.matching_step(SEED, code, center) == center + offset) is accepted


def test_wrong_code_matches_no_step() -> None:
    center = 55_000_000
    codes = {totp.code_at(SEED, center + i) for i in (-1, 0, 1)}
    wrong = next(c for c in (f"{n:06d}" for n in range(1000)) if c not in codes)
    assert totp.matching_step(SEED, wrong, center) is None


def test_consecutive_codes_give_the_step_of_the_second() -> None:
    center = 55_000_000
    code1, code2 = totp.code_at(SEED, center - 1), totp.code_at(SEED, center)
    assert totp.consecutive_step(SEED, code1, code2, center) == center


@pytest.mark.parametrize("steps", [(0, -1), (-1, 1), (0, 0), (-3, -2), (2, 3)])
def test_codes_that_are_not_consecutive_near_now_are_refused(steps: tuple[int, int]) -> None:
    center = 55_000_000
    code1, code2 = (totp.code_at(SEED, center + s) for s in steps)
    assert totp.consecutive_step(SEED, code1, code2, center) is None


def test_resync_window_finds_codes_of_a_drifted_clock() -> None:
    center = 55_000_000
    code1, code2 = totp.code_at(SEED, center + 14), totp.code_at(SEED, center + 15)
    assert totp.consecutive_step(SEED, code1, code2, center) is None
    assert totp.consecutive_step(SEED, code1, code2, center, totp.RESYNC_STEPS) == center + 15


def test_seeds_are_64_random_base32_characters() -> None:
    seeds = {totp.new_seed() for _ in range(20)}
    assert len(seeds) == 20
    for seed in seeds:
        assert len(seed) == 64 and len(base64.b32decode(seed)) == totp.SEED_BYTES


def test_provisioning_uri_has_the_documented_form() -> None:
    uri = totp.provisioning_uri("ABC234", "my device", "alice")
    assert uri == "otpauth://totp/my%20device@alice?secret=ABC234"


def test_qr_code_is_a_png_image() -> None:
    png = totp.qr_png(totp.provisioning_uri(SEED, "dev", "123456789012"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height and width > 100


@given(st.integers(min_value=2, max_value=10**10))
def test_every_current_code_is_accepted_at_its_own_step(step: int) -> None:
    assert totp.matching_step(RFC_SEED, totp.code_at(RFC_SEED, step), step, window=0) == step
