"""The credential report: one CSV row per IAM user, and one for the root user.

What AWS documents ("Getting credential reports for your AWS account", IAM
User Guide) and what its reports show:

- A report can be generated at most once every four hours: while the last one
  is younger than that, `GenerateCredentialReport` answers `COMPLETE` and
  keeps it; otherwise it starts a new one (`STARTED`, with the description
  "No report exists. Starting a new report generation task" when there was
  none). Sekisho builds the report at once, so it is ready when that answer
  is sent.
- `GetCredentialReport` answers `ReportNotPresent` before the first report
  and `ReportExpired` once the last one is four hours old.
- Columns in AWS's order (REPORT_COLUMNS); the root user's row comes first,
  named `<root_account>`, with `not_supported` for the password fields AWS
  does not report for root. Booleans are written `true`/`false`, times as
  ISO 8601 with `+00:00`, and `N/A` where a credential does not exist or was
  never used (`no_information` for a password never used).

Keys and certificates fill `access_key_1_*`/`access_key_2_*` and
`cert_1_*`/`cert_2_*` oldest first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sekisho.domain import arns
from sekisho.domain.account_settings import PasswordPolicy, find_password_policy, next_rotation
from sekisho.domain.login_profiles import account_password_info
from sekisho.errors import ReportExpired, ReportNotPresent
from sekisho.store import account_settings as stored
from sekisho.store import mfa as mfa_store
from sekisho.store.account_settings import CredentialReportRecord
from sekisho.store.records import AccessKeyRecord, UserRecord
from sekisho.store.sql import Tx

REPORT_COLUMNS: tuple[str, ...] = (
    "user", "arn", "user_creation_time",
    "password_enabled", "password_last_used", "password_last_changed",
    "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
)

REPORT_FORMAT = "text/csv"
# "You can generate a credential report as often as once every four hours."
REPORT_LIFETIME = timedelta(hours=4)
ROOT_NAME = "<root_account>"
NOT_APPLICABLE = "N/A"
NOT_SUPPORTED = "not_supported"
NO_INFORMATION = "no_information"

STARTED_DESCRIPTION = "No report exists. Starting a new report generation task"
NOT_PRESENT_MESSAGE = ("The credential report does not exist. "
                       "Use GenerateCredentialReport to generate one.")
EXPIRED_MESSAGE = ("The credential report has expired. "
                   "Use GenerateCredentialReport to generate a new one.")


@dataclass(frozen=True)
class Password:
    """A user's console password (login profile), as the report needs it."""

    last_changed: datetime
    last_used: datetime | None = None


@dataclass(frozen=True)
class Certificate:
    """A user's X.509 signing certificate, as the report needs it."""

    active: bool
    uploaded_at: datetime


@dataclass(frozen=True)
class Credentials:
    """Everything the report says about one user (or root)."""

    password: Password | None = None
    mfa_active: bool = False
    keys: Sequence[AccessKeyRecord] = ()
    certificates: Sequence[Certificate] = ()


@dataclass(frozen=True)
class Generation:
    """GenerateCredentialReport's answer."""

    state: str
    description: str | None = None


def timestamp(value: datetime) -> str:
    """ISO 8601 to the second with an explicit UTC offset, as AWS writes report times."""
    return value.replace(microsecond=0).isoformat()


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _key_columns(key: AccessKeyRecord | None) -> list[str]:
    if key is None:
        return ["false", NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE]
    used = key.last_used_at is not None
    return [
        _flag(key.status == "Active"),
        timestamp(key.created_at),
        timestamp(key.last_used_at) if key.last_used_at else NOT_APPLICABLE,
        (key.last_used_region or NOT_APPLICABLE) if used else NOT_APPLICABLE,
        (key.last_used_service or NOT_APPLICABLE) if used else NOT_APPLICABLE,
    ]


def _cert_columns(cert: Certificate | None) -> list[str]:
    if cert is None:
        return ["false", NOT_APPLICABLE]
    return [_flag(cert.active), timestamp(cert.uploaded_at)]


def _credential_columns(creds: Credentials) -> list[str]:
    keys: list[AccessKeyRecord | None] = [*creds.keys[:2], None, None]
    certs: list[Certificate | None] = [*creds.certificates[:2], None, None]
    return (_key_columns(keys[0]) + _key_columns(keys[1])
            + _cert_columns(certs[0]) + _cert_columns(certs[1]))


def user_row(partition: str, user: UserRecord, creds: Credentials,
             policy: PasswordPolicy | None) -> list[str]:
    """The report row of an IAM user."""
    password = creds.password
    if password is None:
        password_columns = ["false", NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE]
    else:
        rotation = next_rotation(policy, password.last_changed)
        password_columns = [
            "true",
            timestamp(password.last_used) if password.last_used else NO_INFORMATION,
            timestamp(password.last_changed),
            timestamp(rotation) if rotation else NOT_APPLICABLE,
        ]
    return [user.name, arns.user(partition, user.account_id, user.path, user.name),
            timestamp(user.created_at), *password_columns, _flag(creds.mfa_active),
            *_credential_columns(creds)]


def root_row(partition: str, account_id: str, created_at: datetime,
             creds: Credentials) -> list[str]:
    """The report row of the account's root user."""
    last_used = creds.password.last_used if creds.password else None
    return [ROOT_NAME, arns.root(partition, account_id), timestamp(created_at),
            NOT_SUPPORTED, timestamp(last_used) if last_used else NO_INFORMATION,
            NOT_SUPPORTED, NOT_SUPPORTED, _flag(creds.mfa_active), *_credential_columns(creds)]


def render(rows: Iterable[Sequence[str]]) -> bytes:
    """The CSV file: the header, then the rows, separated by `\\n`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(rows)
    # AWS's report ends without a line break after the last row.
    return out.getvalue().rstrip("\n").encode("utf-8")


def _users(tx: Tx, account_id: str) -> list[UserRecord]:
    users: list[UserRecord] = []
    after: str | None = None
    while True:
        page = tx.list_users(account_id, "/", after, 1000)
        users += page
        if len(page) < 1000:
            return users
        after = page[-1].name.lower()


def build_report(tx: Tx, account_id: str, partition: str, now: datetime) -> bytes:
    """The report's CSV for the account as stored now."""
    account = tx.get_account(account_id)
    created = account.created_at if account else now
    policy = find_password_policy(tx, account_id)
    keys_by_owner: dict[str | None, list[AccessKeyRecord]] = {}
    for key in stored.account_access_keys(tx, account_id):
        keys_by_owner.setdefault(key.user_id, []).append(key)
    certs_by_owner: dict[str | None, list[Certificate]] = {}
    for cert in stored.account_certificates(tx, account_id):
        certs_by_owner.setdefault(cert.user_id, []).append(
            Certificate(cert.active, cert.uploaded_at))

    passwords = account_password_info(tx, account_id)

    def credentials_of(owner: str | None) -> Credentials:
        # The root user has no console password or MFA device in Sekisho.
        info = passwords.get(owner) if owner else None
        password = Password(info.changed_at, info.last_used_at) if info else None
        return Credentials(password=password,
                           mfa_active=bool(owner) and mfa_store.has_devices(tx, owner or ""),
                           keys=keys_by_owner.get(owner, []),
                           certificates=certs_by_owner.get(owner, []))

    rows = [root_row(partition, account_id, created, credentials_of(None))]
    rows += [user_row(partition, user, credentials_of(user.user_id), policy)
             for user in _users(tx, account_id)]
    return render(rows)


def generate(tx: Tx, account_id: str, partition: str, now: datetime) -> Generation:
    """GenerateCredentialReport: keeps a report younger than four hours, else builds one."""
    current = stored.credential_report(tx, account_id)
    if current is not None and now - current.generated_at < REPORT_LIFETIME:
        return Generation("COMPLETE")
    content = build_report(tx, account_id, partition, now)
    stored.put_credential_report(tx, CredentialReportRecord(account_id, now, content))
    return Generation("STARTED", STARTED_DESCRIPTION if current is None else None)


def get(tx: Tx, account_id: str, now: datetime) -> CredentialReportRecord:
    """GetCredentialReport: the last report; ReportNotPresent or ReportExpired otherwise."""
    report = stored.credential_report(tx, account_id)
    if report is None:
        raise ReportNotPresent(NOT_PRESENT_MESSAGE)
    if now - report.generated_at >= REPORT_LIFETIME:
        raise ReportExpired(EXPIRED_MESSAGE)
    return report
