"""`learnloop new`: start a post-mortem from the template, with a fresh id."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from learnloop import scaffold
from learnloop.commands import Repo
from learnloop.load.fields import normalize_severity


def _severity(ctx: click.Context, param: click.Parameter, value: str) -> str:
    normal = normalize_severity(value)
    if normal is None:
        raise click.BadParameter(f"expected one of P0–P4 (or SEV0–SEV4), got {value!r}")
    return normal


@click.command("new")
@click.argument("title")
@click.option("--service", "services", multiple=True, help="An affected service (repeatable).")
@click.option(
    "--severity", default="P3", show_default=True, callback=_severity, help="P0 (worst) … P4."
)
@click.option(
    "--started",
    metavar="WHEN",
    help="When the impact began: 2025-03-14 or 2025-03-14T09:12 (default: now). "
    "Names and numbers the file.",
)
@click.pass_obj
def command(
    obj: Repo, title: str, services: tuple[str, ...], severity: str, started: str | None
) -> None:
    """Start a post-mortem from incidents/_template.md, with a fresh id."""
    start = scaffold.parse_start(started, obj.settings().timezone) if started else None
    path = scaffold.new_incident(
        obj.root, title, services, severity, datetime.now(UTC), started=start
    )
    click.echo(path.relative_to(obj.root).as_posix())
