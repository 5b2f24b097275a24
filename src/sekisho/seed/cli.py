"""The command-line side of seeding: `sekisho serve --seed FILE` and `sekisho export`.

`serve` reads and validates the seed before it opens the database (so a bad
file changes nothing, not even the first-account bootstrap), then applies it
after the migrations and the bootstrap, before the server starts.
"""

from __future__ import annotations

from pathlib import Path

import click

from sekisho.app import Opened, open_state
from sekisho.cli import bootstrap
from sekisho.domain import quotas
from sekisho.domain.clock import system_clock
from sekisho.seed.export import UnknownAccount, export_accounts, render
from sekisho.seed.load import apply_seed
from sekisho.seed.schema import Seed, SeedError, read_seed
from sekisho.settings import Settings, SettingsError, settings_from_env


def read_seed_option(path: Path | None, settings: Settings) -> Seed | None:
    """The validated seed of `--seed`, or None; a ClickException (exit 1) naming the file,
    the path inside it and the reason for an invalid one."""
    if path is None:
        return None
    try:
        return read_seed(path, settings.partition)
    except SeedError as exc:
        raise click.ClickException(f"invalid seed: {exc}") from None


def apply_seed_option(seed: Seed | None, settings: Settings, opened: Opened) -> None:
    """Applies the seed; the random root keys of accounts it creates go to the
    root-credentials file, one profile per account, as `sekisho account create` does."""
    if seed is None:
        return
    try:
        result = apply_seed(opened.store, opened.box, seed, system_clock(),
                            partition=settings.partition,
                            quotas=quotas.configured(settings.quota_overrides))
    except SeedError as exc:
        raise click.ClickException(f"seed not applied (nothing was written): {exc}") from None
    for key in result.new_root_keys:
        profile = f"sekisho-{key.record.account_id}"
        bootstrap.write_profile(settings, profile, key)
        click.echo(f"Seeded account {key.record.account_id}: its root access key is in "
                   f"{bootstrap.credentials_file(settings)} (profile {profile}).")
    count = len(result.changes)
    click.echo(f"Seed {seed.source}: " + (f"{count} change{'s' if count != 1 else ''}."
                                          if count else "nothing to change."))


@click.command("export")
@click.option("--account", "account_ids", multiple=True,
              help="Account id to export (repeatable; default: every account).")
@click.option("--include-secrets", is_flag=True,
              help="Also write access key secrets, MFA seeds and password hashes.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              show_default=True)
@click.option("--data-dir", type=click.Path(path_type=Path))
@click.option("--database-url")
def export(account_ids: tuple[str, ...], include_secrets: bool, fmt: str,
           data_dir: Path | None, database_url: str | None) -> None:
    """Write accounts to stdout in the seed format (`serve --seed` reads it back)."""
    try:
        settings = settings_from_env().with_overrides(data_dir=data_dir,
                                                      database_url=database_url)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    opened = open_state(settings)
    try:
        result = export_accounts(opened.store, opened.box, account_ids or None,
                                 include_secrets=include_secrets)
    except UnknownAccount as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        opened.store.dispose()
    click.echo(render(result, fmt), nl=False)
    if fmt == "json":
        # JSON has no comments: the notes go to stderr.
        for note in result.notes:
            click.echo(f"note: {note}", err=True)
