"""The credential report over the wire: GenerateCredentialReport's states, GetCredentialReport's
errors and content (AWS's CSV columns, base64 on the wire, decoded by botocore).

The report is one per account and may be generated once every four hours, so each
test gets a fresh account (`sekisho account create`) on the shared server. Expiry
after four hours is tested against the domain with a given clock
(tests/domain/test_credential_report.py).
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import secrets
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sekisho.domain.credential_report import REPORT_COLUMNS
from tests.api.test_aws_cli import aws
from tests.data.certs import material
from tests.support.server import RunningServer, postgres_database, read_root_key, run_server


@dataclass(frozen=True)
class Account:
    """A fresh account on the shared server, driven with its root key."""

    server: RunningServer
    root_key: tuple[str, str]

    def client(self, service: str, key: tuple[str, str] | None = None,
               region: str = "us-east-1") -> Any:
        return self.server.client(service, key or self.root_key, region)


@pytest.fixture
def fresh(server: RunningServer) -> Account:
    """A new account (with no report yet) on the session's server."""
    profile = f"report-{secrets.token_hex(4)}"
    args = [sys.executable, "-m", "sekisho", "account", "create",
            "--data-dir", str(server.data_dir), "--profile", profile]
    if server.database_url:
        args += ["--database-url", server.database_url]
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    return Account(server, read_root_key(server.data_dir, profile))


def rows_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]


def test_get_before_generate_is_report_not_present(fresh: Account) -> None:
    with pytest.raises(ClientError) as exc:
        fresh.client("iam").get_credential_report()
    assert error_of(exc) == ("ReportNotPresent", 410)


def test_first_generate_is_started_with_description_then_complete(
        fresh: Account) -> None:
    iam = fresh.client("iam")
    first = iam.generate_credential_report()
    assert (first["State"], first["Description"]) == (
        "STARTED", "No report exists. Starting a new report generation task")
    second = iam.generate_credential_report()
    assert second["State"] == "COMPLETE" and "Description" not in second


def test_report_is_text_csv_with_aws_columns_in_order(fresh: Account) -> None:
    iam = fresh.client("iam")
    iam.generate_credential_report()
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    header = report["Content"].decode("utf-8").split("\n")[0]
    assert header.split(",") == list(REPORT_COLUMNS)
    assert len(REPORT_COLUMNS) == 22


def test_generated_time_is_now_in_utc(fresh: Account) -> None:
    iam = fresh.client("iam")
    iam.generate_credential_report()
    generated = iam.get_credential_report()["GeneratedTime"]
    assert abs(datetime.now(UTC) - generated) < timedelta(minutes=5)


def test_root_row_comes_first_with_not_supported_password_fields(
        fresh: Account) -> None:
    iam, sts = fresh.client("iam"), fresh.client("sts")
    account = sts.get_caller_identity()["Account"]  # a use of root's key, recorded after it
    iam.generate_credential_report()
    root = rows_of(iam.get_credential_report()["Content"])[0]
    assert root["user"] == "<root_account>"
    assert root["arn"] == f"arn:aws:iam::{account}:root"
    assert [root[c] for c in ("password_enabled", "password_last_changed",
                              "password_next_rotation")] == ["not_supported"] * 3
    assert root["password_last_used"] == "no_information"
    # The root access key written at first start signs these calls.
    assert root["access_key_1_active"] == "true"
    assert root["access_key_1_last_used_date"].endswith("+00:00")
    assert (root["access_key_1_last_used_region"],
            root["access_key_1_last_used_service"]) == ("us-east-1", "sts")


def test_user_without_credentials_has_false_and_na(fresh: Account) -> None:
    iam = fresh.client("iam")
    created = iam.create_user(UserName="plain", Path="/team/")["User"]
    iam.generate_credential_report()
    row = rows_of(iam.get_credential_report()["Content"])[1]
    assert (row["user"], row["arn"]) == ("plain", created["Arn"])
    assert row["user_creation_time"] == created["CreateDate"].replace(microsecond=0).isoformat()
    expected = {c: "N/A" for c in REPORT_COLUMNS[3:]}
    expected.update({c: "false" for c in REPORT_COLUMNS if c.endswith("_active")})
    expected["password_enabled"] = "false"
    assert {c: row[c] for c in REPORT_COLUMNS[3:]} == expected


def test_user_keys_fill_slots_oldest_first_with_status_and_use(fresh: Account) -> None:
    iam = fresh.client("iam")
    iam.create_user(UserName="keyed")
    first = iam.create_access_key(UserName="keyed")["AccessKey"]
    second = iam.create_access_key(UserName="keyed")["AccessKey"]
    iam.update_access_key(UserName="keyed", AccessKeyId=second["AccessKeyId"],
                          Status="Inactive")
    # The first key signs one call, in its own region, so that its last use is recorded.
    fresh.client("sts", (first["AccessKeyId"], first["SecretAccessKey"]),
                 region="eu-west-1").get_caller_identity()
    iam.generate_credential_report()
    row = next(r for r in rows_of(iam.get_credential_report()["Content"])
               if r["user"] == "keyed")
    assert row["access_key_1_active"] == "true"
    assert row["access_key_1_last_rotated"] == (
        first["CreateDate"].replace(microsecond=0).isoformat())
    assert (row["access_key_1_last_used_region"],
            row["access_key_1_last_used_service"]) == ("eu-west-1", "sts")
    assert row["access_key_2_active"] == "false"
    assert row["access_key_2_last_rotated"] == (
        second["CreateDate"].replace(microsecond=0).isoformat())
    assert [row[f"access_key_2_last_used_{f}"] for f in ("date", "region", "service")] == \
        ["N/A"] * 3


def test_report_lists_users_by_name_after_root(fresh: Account) -> None:
    iam = fresh.client("iam")
    for name in ("zed", "Amy", "bob"):
        iam.create_user(UserName=name)
    iam.generate_credential_report()
    names = [r["user"] for r in rows_of(iam.get_credential_report()["Content"])]
    assert names == ["<root_account>", "Amy", "bob", "zed"]


def test_report_is_kept_until_it_is_four_hours_old(fresh: Account) -> None:
    iam = fresh.client("iam")
    iam.generate_credential_report()
    before = iam.get_credential_report()
    iam.create_user(UserName="late")
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    after = iam.get_credential_report()
    assert (after["Content"], after["GeneratedTime"]) == (before["Content"],
                                                          before["GeneratedTime"])
    assert b"late" not in after["Content"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_report_survives_a_restart_and_is_shared_by_workers(tmp_path: Path,
                                                            backend: str) -> None:
    data_dir = tmp_path / "data"
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_database()) if backend == "postgres" else None
        with run_server(data_dir, url) as first:
            first.client("iam").create_user(UserName="durable")
            first.client("iam").generate_credential_report()
            content = first.client("iam").get_credential_report()["Content"]
        with run_server(data_dir, url, workers=2) as second:
            iam = second.client("iam")
            # Several calls, so that both worker processes most likely answer some.
            assert {iam.get_credential_report()["Content"] for _ in range(8)} == {content}
    assert b"durable" in content


def test_iam_user_without_permission_is_denied(fresh: Account) -> None:
    iam = fresh.client("iam")
    iam.create_user(UserName="auditor")
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    user_iam = fresh.client("iam", (key["AccessKeyId"], key["SecretAccessKey"]))
    for call in (user_iam.generate_credential_report, user_iam.get_credential_report):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("AccessDenied", 403)


def test_cli_decodes_the_report(server: RunningServer) -> None:
    assert aws(server, "iam", "generate-credential-report").returncode == 0
    result = aws(server, "iam", "get-credential-report", "--query", "Content")
    assert result.returncode == 0, result.stderr
    # The CLI prints the blob base64-encoded, as it received it.
    content = base64.b64decode(json.loads(result.stdout)).decode("utf-8")
    assert content.startswith("user,arn,user_creation_time,")


def test_signing_certificates_fill_cert_columns(fresh: Account) -> None:
    iam = fresh.client("iam")
    iam.create_user(UserName="signer")
    body = material.pem(material.certificate(material.rsa_key(1), "sekisho-report"))
    cert = iam.upload_signing_certificate(UserName="signer", CertificateBody=body)["Certificate"]
    iam.update_signing_certificate(UserName="signer", CertificateId=cert["CertificateId"],
                                   Status="Inactive")
    iam.generate_credential_report()
    row = next(r for r in rows_of(iam.get_credential_report()["Content"])
               if r["user"] == "signer")
    assert [row[c] for c in ("cert_1_active", "cert_1_last_rotated", "cert_2_active",
                             "cert_2_last_rotated")] == [
        "false", cert["UploadDate"].replace(microsecond=0).isoformat(), "false", "N/A"]


def test_user_with_console_password_has_password_enabled(fresh: Account) -> None:
    iam = fresh.client("iam")
    iam.create_user(UserName="console")
    iam.create_login_profile(UserName="console", Password="Correct-Horse-Battery-9")
    iam.generate_credential_report()
    row = {r["user"]: r for r in rows_of(iam.get_credential_report()["Content"])}["console"]
    assert row["password_enabled"] == "true"
    assert row["password_last_changed"] not in ("N/A", "not_supported")
    assert row["mfa_active"] == "false"
