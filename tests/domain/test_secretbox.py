"""Secrets at rest: sealed under the master key, bound to their row, rotatable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from sekisho.domain.secretbox import (
    MasterKey,
    SecretBox,
    SecretBoxError,
    load_or_create_master_keys,
)


def test_seal_then_open_roundtrips() -> None:
    box = SecretBox([MasterKey(b"k" * 32)])
    assert box.open(box.seal(b"secret", b"AKIA1"), b"AKIA1") == b"secret"


def test_ciphertext_moved_to_another_row_does_not_open() -> None:
    box = SecretBox([MasterKey(b"k" * 32)])
    with pytest.raises(SecretBoxError):
        box.open(box.seal(b"secret", b"AKIA1"), b"AKIA2")


def test_tampered_ciphertext_does_not_open() -> None:
    box = SecretBox([MasterKey(b"k" * 32)])
    sealed = bytearray(box.seal(b"secret", b"row"))
    sealed[-1] ^= 1
    with pytest.raises(SecretBoxError):
        box.open(bytes(sealed), b"row")


def test_values_sealed_under_an_old_key_open_after_rotation() -> None:
    old = SecretBox([MasterKey(b"a" * 32)])
    sealed = old.seal(b"secret", b"row")
    rotated = SecretBox([MasterKey(b"a" * 32), MasterKey(b"b" * 32)])
    assert rotated.open(sealed, b"row") == b"secret"
    assert rotated.seal(b"x", b"r")[1:5] == MasterKey(b"b" * 32).key_id


def test_sealed_value_never_contains_the_plaintext() -> None:
    box = SecretBox([MasterKey(b"k" * 32)])
    assert b"wJalrXUtnFEMI" not in box.seal(b"wJalrXUtnFEMI/K7MDENG", b"row")


def test_master_key_file_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    keys = load_or_create_master_keys(path)
    assert len(keys) == 1 and len(keys[0].material) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_master_keys(path) == keys


def test_master_key_repr_hides_the_material() -> None:
    assert "kkkk" not in repr(MasterKey(b"k" * 32))
