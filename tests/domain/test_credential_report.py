"""The credential report's rules with a given clock (four-hour lifetime), and its rows for
credentials the wire tests cannot create yet (passwords, MFA, signing certificates)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sekisho.domain import accounts, credential_report, users
from sekisho.domain.account_settings import PasswordPolicy
from sekisho.domain.credential_report import Certificate, Credentials, Password
from sekisho.domain.secretbox import MasterKey, SecretBox
from sekisho.errors import ReportExpired, ReportNotPresent
from sekisho.store.database import migrate, open_engine
from sekisho.store.records import UserRecord
from sekisho.store.sql import Store

NOW = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=UTC)
ALICE = UserRecord("AIDAEXAMPLE0000000001", "123456789012", "alice", "/eng/",
                   datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


@pytest.fixture
def account_id(store: Store) -> str:
    with store.write() as tx:
        account, _ = accounts.create_account(tx, SecretBox([MasterKey(b"k" * 32)]), NOW)
        users.create_user(tx, account.account_id, "bob", "/", [], None, NOW)
    return account.account_id


def generate(store: Store, account_id: str, at: datetime) -> credential_report.Generation:
    with store.write() as tx:
        return credential_report.generate(tx, account_id, "aws", at)


def get(store: Store, account_id: str, at: datetime) -> bytes:
    with store.read() as tx:
        return credential_report.get(tx, account_id, at).content


def test_get_before_any_report_is_not_present(store: Store, account_id: str) -> None:
    with pytest.raises(ReportNotPresent) as exc:
        get(store, account_id, NOW)
    assert exc.value.status == 410


def test_report_is_served_until_four_hours_have_passed(store: Store, account_id: str) -> None:
    generate(store, account_id, NOW)
    assert get(store, account_id, NOW + timedelta(hours=4, seconds=-1))
    with pytest.raises(ReportExpired) as exc:
        get(store, account_id, NOW + timedelta(hours=4))
    assert exc.value.status == 410


def test_generate_within_four_hours_keeps_the_report(store: Store, account_id: str) -> None:
    generate(store, account_id, NOW)
    assert generate(store, account_id, NOW + timedelta(hours=3, minutes=59)).state == "COMPLETE"
    with store.read() as tx:
        report = credential_report.get(tx, account_id, NOW + timedelta(hours=3, minutes=59))
    assert report.generated_at == NOW


def test_generate_after_four_hours_starts_a_new_report(store: Store, account_id: str) -> None:
    generate(store, account_id, NOW)
    later = NOW + timedelta(hours=5)
    assert generate(store, account_id, later) == credential_report.Generation("STARTED")
    with store.read() as tx:
        assert credential_report.get(tx, account_id, later).generated_at == later


def test_reports_are_per_account(store: Store, account_id: str) -> None:
    generate(store, account_id, NOW)
    with store.write() as tx:
        other, _ = accounts.create_account(tx, SecretBox([MasterKey(b"k" * 32)]), NOW)
    with pytest.raises(ReportNotPresent):
        get(store, other.account_id, NOW)


def test_report_has_no_line_break_after_the_last_row(store: Store, account_id: str) -> None:
    generate(store, account_id, NOW)
    content = get(store, account_id, NOW)
    assert not content.endswith(b"\n") and content.count(b"\n") == 2


def test_times_are_iso8601_seconds_with_utc_offset() -> None:
    assert credential_report.timestamp(NOW) == "2026-11-27T09:30:15+00:00"


def _as_dict(row: list[str]) -> dict[str, str]:
    return dict(zip(credential_report.REPORT_COLUMNS, row, strict=True))


def test_user_with_password_reports_its_use_change_and_rotation() -> None:
    password = Password(last_changed=datetime(2026, 3, 1, tzinfo=UTC),
                        last_used=datetime(2026, 3, 5, 8, tzinfo=UTC))
    row = _as_dict(credential_report.user_row(
        "aws", ALICE, Credentials(password=password, mfa_active=True),
        PasswordPolicy(max_password_age=30)))
    assert row["arn"] == "arn:aws:iam::123456789012:user/eng/alice"
    assert (row["password_enabled"], row["password_last_used"], row["password_last_changed"],
            row["password_next_rotation"], row["mfa_active"]) == (
        "true", "2026-03-05T08:00:00+00:00", "2026-03-01T00:00:00+00:00",
        "2026-03-31T00:00:00+00:00", "true")


def test_password_never_used_is_no_information_and_no_max_age_is_na() -> None:
    password = Password(last_changed=datetime(2026, 3, 1, tzinfo=UTC))
    row = _as_dict(credential_report.user_row("aws", ALICE, Credentials(password=password),
                                              None))
    assert (row["password_last_used"], row["password_next_rotation"]) == ("no_information",
                                                                          "N/A")


def test_certificates_fill_cert_columns_oldest_first() -> None:
    certs = [Certificate(True, datetime(2026, 2, 1, tzinfo=UTC)),
             Certificate(False, datetime(2026, 2, 2, tzinfo=UTC))]
    row = _as_dict(credential_report.user_row("aws", ALICE, Credentials(certificates=certs),
                                              None))
    assert [row[c] for c in ("cert_1_active", "cert_1_last_rotated", "cert_2_active",
                             "cert_2_last_rotated")] == [
        "true", "2026-02-01T00:00:00+00:00", "false", "2026-02-02T00:00:00+00:00"]


def test_root_row_reports_mfa_and_not_supported_password_fields() -> None:
    row = _as_dict(credential_report.root_row("aws-cn", "123456789012", NOW,
                                              Credentials(mfa_active=True)))
    assert row["user"] == "<root_account>" and row["arn"] == "arn:aws-cn:iam::123456789012:root"
    assert (row["password_enabled"], row["password_last_used"], row["mfa_active"]) == (
        "not_supported", "no_information", "true")


def test_rendered_report_parses_as_csv_with_the_header_first() -> None:
    rows = [credential_report.user_row("aws", ALICE, Credentials(), None)]
    parsed = list(csv.reader(io.StringIO(credential_report.render(rows).decode())))
    assert parsed[0] == list(credential_report.REPORT_COLUMNS) and parsed[1] == rows[0]
