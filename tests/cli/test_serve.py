"""`sekisho serve` and `sekisho account`: first start, the banner, files and their modes."""

from __future__ import annotations

import configparser
import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.support.server import read_root_key, run_server


def sekisho(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SEKISHO_")}
    clean.update(env or {})
    return subprocess.run([sys.executable, "-m", "sekisho", *args], capture_output=True,
                          text=True, env=clean, timeout=60, check=False)


def test_first_start_creates_account_key_and_private_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_server(data) as server:
        log = server.log()
    key_id, secret = read_root_key(data)
    assert key_id.startswith("AKIA")
    for name in ("root-credentials", "config", "master.key"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    config = configparser.ConfigParser()
    config.read(data / "config")
    assert config["profile sekisho-root"]["endpoint_url"] == server.endpoint
    assert "Created account" in log and str(data / "root-credentials") in log
    assert secret not in log


def test_banner_names_address_data_accounts_and_mode(tmp_path: Path) -> None:
    with run_server(tmp_path / "data") as server:
        log = server.log()
    banner = [line for line in log.splitlines() if line.startswith("Sekisho listening on")]
    assert len(banner) == 1
    assert server.endpoint in banner[0]
    assert "accounts: 1" in banner[0] and "enforcement: enforce" in banner[0]


def test_restart_does_not_create_a_second_account(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_server(data):
        pass
    first_key = read_root_key(data)
    with run_server(data) as again:
        assert "Created account" not in again.log()
        assert "accounts: 1" in again.log()
    assert read_root_key(data) == first_key


def test_account_create_adds_a_profile_and_list_shows_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_server(data) as server:
        created = sekisho("account", "create", "--data-dir", str(data))
        assert created.returncode == 0, created.stderr
        account_id = created.stdout.split()[2].rstrip(";")
        key = read_root_key(data, f"sekisho-{account_id}")
        assert server.client("sts", key).get_caller_identity()["Account"] == account_id
        assert key[1] not in created.stdout
    listed = sekisho("account", "list", "--data-dir", str(data))
    assert account_id in listed.stdout and len(listed.stdout.strip().splitlines()) == 2


def test_account_alias_is_unique_across_accounts(tmp_path: Path) -> None:
    from botocore.exceptions import ClientError

    data = tmp_path / "data"
    with run_server(data) as server:
        server.client("iam").create_account_alias(AccountAlias="shared-name")
        created = sekisho("account", "create", "--data-dir", str(data))
        other = read_root_key(data, f"sekisho-{created.stdout.split()[2].rstrip(';')}")
        try:
            server.client("iam", other).create_account_alias(AccountAlias="shared-name")
            raise AssertionError("a second account took the same alias")
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "EntityAlreadyExists"


def test_unknown_sekisho_setting_is_an_error(tmp_path: Path) -> None:
    result = sekisho("account", "list", "--data-dir", str(tmp_path),
                     env={"SEKISHO_PROT": "1"})
    assert result.returncode != 0
    assert "unknown setting SEKISHO_PROT" in result.stderr


def test_master_key_file_can_be_given_elsewhere(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "master.key"
    with run_server(tmp_path / "data",
                    extra_env={"SEKISHO_MASTER_KEY_FILE": str(key_file)}):
        pass
    assert key_file.exists() and not (tmp_path / "data" / "master.key").exists()
