"""Time-based one-time passwords (RFC 6238): 30-second steps, 6 digits, HMAC-SHA-1.

Pure functions: no store, no clock of their own (callers pass `now`, the
injected clock's time). Codes are computed with `pyotp`; matching is done
here so that it compares every candidate step in constant time and reports
*which* step matched, because replay protection stores the last step used.

    seed = new_seed()                             # 64 base32 characters (320 bits)
    code_at(seed, step_of(now))                   # "492039"
    matching_step(seed, "492039", step_of(now))   # that step, or None
    consecutive_step(seed, c1, c2, step_of(now))  # the step of c2 when c1 is the one before

The drift window is one step either way, so a code is good for about 90
seconds around its own 30 (RFC 6238, section 5.2 recommends at most one step
of network delay).
"""

from __future__ import annotations

import base64
import hmac
import io
import secrets
from datetime import datetime
from urllib.parse import quote

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
# ResyncMFADevice looks this far either way for two consecutive codes; the
# drift it finds is stored and centres later checks.
RESYNC_STEPS = 20
SEED_BYTES = 40  # 64 base32 characters without padding, as long as AWS's seeds


def new_seed() -> str:
    """A fresh random seed, base32 (RFC 4648) without padding."""
    return base64.b32encode(secrets.token_bytes(SEED_BYTES)).decode("ascii")


def step_of(now: datetime) -> int:
    """The RFC 6238 time step (T) of an aware datetime."""
    return int(now.timestamp()) // STEP_SECONDS


def code_at(seed: str, step: int) -> str:
    """The code the device shows during time step `step`."""
    # Imported on first use (as segno below): a server start should not pay for them.
    import pyotp

    return pyotp.TOTP(seed, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def _matches(seed: str, code: str, steps: range) -> list[int]:
    # Every candidate is computed and compared, matching or not, so the time
    # taken does not tell how close a guess came (hmac.compare_digest).
    found = []
    for step in steps:
        if hmac.compare_digest(code_at(seed, step).encode(), code.encode()):
            found.append(step)
    return found


def matching_step(seed: str, code: str, center: int, window: int = DRIFT_STEPS) -> int | None:
    """The newest step within `center` +- `window` whose code is `code`, else None."""
    found = _matches(seed, code, range(center - window, center + window + 1))
    return max(found) if found else None


def consecutive_step(seed: str, code1: str, code2: str, center: int,
                     window: int = DRIFT_STEPS) -> int | None:
    """The step of `code2`, when `code1` is the code of the step just before it and
    `code2`'s step lies within `center` +- `window`; else None.

    EnableMFADevice and ResyncMFADevice take two consecutive codes: the user
    reads one, waits for the next, and sends both, so the second is current.
    """
    steps = range(center - window, center + window + 1)
    seconds = set(_matches(seed, code2, steps))
    firsts = set(_matches(seed, code1, range(steps.start - 1, steps.stop - 1)))
    pairs = [step for step in seconds if step - 1 in firsts]
    return max(pairs) if pairs else None


def provisioning_uri(seed: str, device_name: str, account_name: str) -> str:
    """`otpauth://totp/NAME@ACCOUNT?secret=SEED`, the form the VirtualMFADevice
    reference documents (AccountName: the user name if set, else the account id)."""
    label = quote(f"{device_name}@{account_name}", safe="@")
    return f"otpauth://totp/{label}?secret={seed}"


def qr_png(uri: str) -> bytes:
    """A PNG image of a QR code holding `uri`."""
    import segno

    out = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(out, kind="png", scale=4, border=4)
    return out.getvalue()
