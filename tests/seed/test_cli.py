"""`sekisho serve --seed` and `sekisho export`, run as users run them, driven with boto3."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pyotp
import pytest
import yaml  # type: ignore[import-untyped]
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.seed.seeds import ACCOUNT, MFA_SEED, document, full_seed, key_id
from tests.support.server import free_port


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SEKISHO_")}


def sekisho(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sekisho", *args], capture_output=True,
                          text=True, env=_env(), timeout=120, check=False)


@contextmanager
def serve_with_seed(data_dir: Path, seed: Path) -> Iterator[tuple[str, Path]]:
    """A server started with `--seed`; yields its endpoint and its log file."""
    port = free_port()
    log_path = data_dir.parent / f"server-{port}.log"
    args = [sys.executable, "-m", "sekisho", "serve", "--port", str(port), "--data-dir",
            str(data_dir), "--seed", str(seed)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=_env())
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(endpoint + "/_sekisho/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start:\n{log_path.read_text()}") from None
                time.sleep(0.05)
        yield endpoint, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def client(service: str, endpoint: str, key: dict[str, str]) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key["id"], aws_secret_access_key=key["secret"],
                        config=Config(retries={"total_max_attempts": 1}))


def _write(path: Path, raw: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def test_seeded_server_accepts_the_seeded_keys_and_enforces_seeded_policies(
        tmp_path: Path) -> None:
    reader_key = {"id": key_id(), "secret": "reader-secret-0123456789"}
    raw = full_seed()
    raw["accounts"][0]["users"].append({
        "name": "reader", "access_keys": [reader_key],
        "inline_policies": {"OnlyGetUser": document("iam:GetUser")},
        "mfa_devices": [{"name": "reader-mfa", "seed": MFA_SEED}]})
    root_key = raw["accounts"][0]["root_access_keys"][0]
    seed = _write(tmp_path / "seed.yaml", raw)
    with serve_with_seed(tmp_path / "data", seed) as (endpoint, log):
        iam = client("iam", endpoint, reader_key)
        assert iam.get_user()["User"]["UserName"] == "reader"
        with pytest.raises(ClientError) as denied:
            iam.list_roles()
        assert denied.value.response["Error"]["Code"] == "AccessDenied"
        root_iam = client("iam", endpoint, root_key)
        names = [u["UserName"] for u in root_iam.list_users()["Users"]]
        assert names == ["alice", "bob", "reader"]
        assert root_iam.list_account_aliases()["AccountAliases"] == ["seeded-dev"]
        sts = client("sts", endpoint, reader_key)
        assert sts.get_caller_identity()["Account"] == ACCOUNT
        session = sts.get_session_token(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/reader-mfa",
                                        TokenCode=pyotp.TOTP(MFA_SEED).now())
        assert session["Credentials"]["AccessKeyId"].startswith("ASIA")
        assert "Seed " in log.read_text() and reader_key["secret"] not in log.read_text()


def test_invalid_seed_stops_serve_before_anything_is_written(tmp_path: Path) -> None:
    raw = full_seed()
    raw["accounts"][0]["users"][0]["access_keys"][0]["id"] = key_id("210987654321")
    seed = _write(tmp_path / "bad.yaml", raw)
    data = tmp_path / "data"
    result = sekisho("serve", "--port", str(free_port()), "--data-dir", str(data),
                     "--seed", str(seed))
    assert result.returncode == 1
    assert f"{seed}: accounts[0].users[0].access_keys[0].id: encodes account 210987654321" \
        in result.stderr
    assert not data.exists()


def test_export_then_seed_an_empty_data_dir_then_export_gives_the_same_document(
        tmp_path: Path) -> None:
    seed = _write(tmp_path / "seed.yaml", full_seed())
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    with serve_with_seed(first_dir, seed):
        pass
    first = sekisho("export", "--account", ACCOUNT, "--include-secrets", "--data-dir",
                    str(first_dir))
    assert first.returncode == 0, first.stderr
    exported = tmp_path / "export.yaml"
    exported.write_text(first.stdout)
    with serve_with_seed(second_dir, exported):
        pass
    with serve_with_seed(second_dir, exported) as (_, log):
        assert f"Seed {exported}: nothing to change." in log.read_text()
    second = sekisho("export", "--account", ACCOUNT, "--include-secrets", "--data-dir",
                     str(second_dir))
    assert second.stdout == first.stdout


def test_json_export_writes_its_notes_to_stderr(tmp_path: Path) -> None:
    seed = _write(tmp_path / "seed.yaml", full_seed())
    with serve_with_seed(tmp_path / "data", seed):
        pass
    result = sekisho("export", "--format", "json", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.lstrip().startswith("{")
    assert "note: " in result.stderr and "--include-secrets" in result.stderr
    assert "alice-secret" not in result.stdout


def test_export_of_an_unknown_account_fails(tmp_path: Path) -> None:
    result = sekisho("export", "--account", "999999999999", "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 1 and "No account 999999999999" in result.stderr
