"""The `sekisho` command."""

from __future__ import annotations

import os
from pathlib import Path

import click

from sekisho.app import open_state
from sekisho.cli import bootstrap
from sekisho.cli.policy_cmd import policy
from sekisho.domain.clock import system_clock
from sekisho.seed import cli as seeding
from sekisho.settings import (
    ENFORCEMENT_MODES,
    Settings,
    SettingsError,
    settings_from_env,
    settings_to_env,
)


def _settings(**overrides: object) -> Settings:
    try:
        return settings_from_env().with_overrides(**overrides)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None


@click.group()
def main() -> None:
    """Sekisho: the AWS IAM and STS APIs, as a server you run yourself."""


@main.command()
@click.option("--host", help="Address to listen on (SEKISHO_HOST, default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (SEKISHO_PORT, default 4599).")
@click.option("--data-dir", type=click.Path(path_type=Path),
              help="Data directory (SEKISHO_DATA_DIR, default ./.sekisho).")
@click.option("--database-url", help="postgresql://... instead of SQLite (SEKISHO_DATABASE_URL).")
@click.option("--workers", type=int, help="Worker processes (SEKISHO_WORKERS, default 1).")
@click.option("--enforcement", type=click.Choice(ENFORCEMENT_MODES),
              help="enforce: deny as AWS does; audit: log would-be denials and allow; off: "
                   "authenticate only (SEKISHO_ENFORCEMENT, default enforce).")
@click.option("--emulator", is_flag=True, default=None,
              help="For test suites: unknown access keys act as an account's root user and "
                   "POST /moto-api/reset wipes all state (SEKISHO_EMULATOR).")
@click.option("--emulator-account",
              help="The account unknown keys belong to in emulator mode "
                   "(SEKISHO_EMULATOR_ACCOUNT, default 123456789012).")
@click.option("--seed", "seed_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="YAML or JSON file of accounts, users, groups, roles and policies to create "
                   "(idempotently) before serving; see docs/seeding.md.")
def serve(host: str | None, port: int | None, data_dir: Path | None, database_url: str | None,
          workers: int | None, enforcement: str | None, emulator: bool | None,
          emulator_account: str | None, seed_file: Path | None) -> None:
    """Start the IAM and STS endpoint."""
    import uvicorn

    settings = _settings(host=host, port=port, data_dir=data_dir, database_url=database_url,
                         workers=workers, enforcement=enforcement, emulator=emulator,
                         emulator_account=emulator_account)
    seed = seeding.read_seed_option(seed_file, settings)
    opened = open_state(settings)
    # An emulator's accounts appear on first use (and vanish on reset): no first account.
    first = (None if settings.emulator else
             bootstrap.ensure_first_account(settings, opened.store, opened.box, system_clock))
    seeding.apply_seed_option(seed, settings, opened)
    with opened.store.read() as tx:
        account_count = len(tx.list_accounts())
    opened.store.dispose()
    if first is not None:
        click.echo(f"Created account {first.account_id}; its root access key is in "
                   f"{bootstrap.credentials_file(settings)} (profile {bootstrap.ROOT_PROFILE}, "
                   f"endpoint in {bootstrap.config_file(settings)}).")
    where = (f"data directory {settings.data_dir.resolve()}" if settings.uses_sqlite
             else "database " + _redacted(settings.effective_database_url))
    click.echo(f"Sekisho listening on {bootstrap.endpoint_url(settings)} | {where} | "
               f"accounts: {account_count} | enforcement: {settings.enforcement} | "
               f"workers: {settings.workers}", err=False)
    if settings.emulator:
        click.echo(f"Emulator mode: unknown access keys act as the root user of account "
                   f"{settings.emulator_account} (a 12-digit key id names its account); "
                   f"POST /moto-api/reset wipes all state.")
    os.environ.update(settings_to_env(settings))
    # proxy_headers=False: uvicorn would otherwise take X-Forwarded-For from any local
    # peer as the client address; aws:SourceIp trusts only SEKISHO_TRUSTED_PROXIES.
    uvicorn.run("sekisho.app:create_app_from_env", factory=True, host=settings.host,
                port=settings.port, workers=settings.workers, log_level="warning",
                access_log=False, loop="auto", http="auto", lifespan="on",
                proxy_headers=False)


def _redacted(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.group()
def account() -> None:
    """Manage accounts."""


@account.command("create")
@click.option("--data-dir", type=click.Path(path_type=Path))
@click.option("--database-url")
@click.option("--profile", help="Profile name for the root key (default sekisho-ACCOUNT).")
def account_create(data_dir: Path | None, database_url: str | None, profile: str | None) -> None:
    """Create an account; its root key is added to the root-credentials file."""
    settings = _settings(data_dir=data_dir, database_url=database_url)
    opened = open_state(settings)
    record, chosen = bootstrap.create_account(settings, opened.store, opened.box, system_clock,
                                              profile)
    click.echo(f"Created account {record.account_id}; its root access key is in "
               f"{bootstrap.credentials_file(settings)} (profile {chosen}).")


@account.command("list")
@click.option("--data-dir", type=click.Path(path_type=Path))
@click.option("--database-url")
def account_list(data_dir: Path | None, database_url: str | None) -> None:
    """List accounts: id, alias, creation time."""
    settings = _settings(data_dir=data_dir, database_url=database_url)
    opened = open_state(settings)
    with opened.store.read() as tx:
        for record in tx.list_accounts():
            click.echo(f"{record.account_id}\t{record.alias or '-'}\t"
                       f"{record.created_at.isoformat()}")


@main.group()
def keys() -> None:
    """Manage the STS sealing key ring."""


@keys.command("rotate")
@click.option("--data-dir", type=click.Path(path_type=Path))
@click.option("--database-url")
def keys_rotate(data_dir: Path | None, database_url: str | None) -> None:
    """Add a new sealing key; tokens sealed under older keys keep working until they expire."""
    from sekisho.domain.sessions import add_key

    settings = _settings(data_dir=data_dir, database_url=database_url)
    opened = open_state(settings)
    with opened.store.write() as tx:
        key_id = add_key(tx, opened.box, system_clock())
    click.echo(f"Added STS sealing key {key_id}; new session tokens are sealed with it.")



@main.group()
def sessions() -> None:
    """Manage temporary credentials."""


@sessions.command("revoke")
@click.option("--role", "role_name", required=True, help="Name of the role.")
@click.option("--account", "account_id", help="Account of the role (needed when there are "
              "several).")
@click.option("--data-dir", type=click.Path(path_type=Path))
@click.option("--database-url")
def sessions_revoke(role_name: str, account_id: str | None, data_dir: Path | None,
                    database_url: str | None) -> None:
    """Revoke the role's active sessions, as the IAM console does: puts the inline policy
    AWSRevokeOlderSessions (deny all to sessions issued before now) on the role."""
    from sekisho.domain.revocation import POLICY_NAME, revoke_older_sessions
    from sekisho.errors import AwsError

    settings = _settings(data_dir=data_dir, database_url=database_url)
    opened = open_state(settings)
    with opened.store.read() as tx:
        accounts = [a.account_id for a in tx.list_accounts()]
    if account_id is None and len(accounts) != 1:
        raise click.UsageError(f"there are {len(accounts)} accounts: name one with --account")
    chosen = account_id or accounts[0]
    try:
        with opened.store.write() as tx:
            revoke_older_sessions(tx, chosen, role_name, system_clock())
    except AwsError as exc:
        raise click.ClickException(f"{exc.code}: {exc}") from None
    click.echo(f"Put {POLICY_NAME} on role {role_name} of account {chosen}: sessions issued "
               "before now are denied on their next request.")


main.add_command(policy)
main.add_command(seeding.export)
