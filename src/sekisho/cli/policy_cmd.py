"""``sekisho policy``: evaluate JSON cases and validate documents offline."""

from __future__ import annotations

import json
from typing import Any, TextIO

import click

from sekisho.policy import PolicyKind, PolicyParseError, evaluate_case, validate_policy
from sekisho.policy.cases import CaseError


@click.group()
def policy() -> None:
    """Work with IAM policy documents offline."""


@policy.command()
@click.argument("file", type=click.File("r"))
def evaluate(file: TextIO) -> None:
    """Decide the case (or list of cases) in FILE; one JSON line per case.

    A case whose policies or shape are invalid prints ``{"id", "error"}`` and
    the command exits with status 1 after printing every case.
    """
    try:
        loaded: Any = json.load(file)
    except ValueError as exc:
        raise click.ClickException(f"{file.name}: not JSON: {exc}") from exc
    cases = loaded if isinstance(loaded, list) else [loaded]
    failed = False
    for case in cases:
        case_id = case.get("id", "") if isinstance(case, dict) else ""
        try:
            if not isinstance(case, dict):
                raise CaseError("a case must be a JSON object")
            result = evaluate_case(case)
        except (PolicyParseError, CaseError) as exc:
            failed = True
            result = {"id": case_id, "error": str(exc)}
        click.echo(json.dumps(result, sort_keys=False))
    if failed:
        raise SystemExit(1)


@policy.command()
@click.argument("file", type=click.File("r"))
@click.option(
    "--kind",
    type=click.Choice([k.value for k in PolicyKind]),
    default=PolicyKind.IDENTITY.value,
    show_default=True,
    help="The policy type to validate the document as.",
)
def validate(file: TextIO, kind: str) -> None:
    """Print the parse errors and warnings for the policy document in FILE.

    Exits with status 1 when the document has an error.
    """
    findings = validate_policy(file.read(), PolicyKind(kind))
    for finding in findings:
        where = "" if finding.statement is None else f" (statement {finding.statement})"
        click.echo(f"{finding.severity}: {finding.code}: {finding.message}{where}")
    if not findings:
        click.echo("ok")
    if any(f.severity == "error" for f in findings):
        raise SystemExit(1)
