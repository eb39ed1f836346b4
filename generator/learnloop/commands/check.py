"""`learnloop check`: validate incident files, or explain what was read of one."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from learnloop import check as checks
from learnloop.commands import Repo
from learnloop.errors import UsageError
from learnloop.read import explain as explain_mod
from learnloop.read import load_corpus


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(checks.FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations.",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("--alerts", is_flag=True, help="Also warn about alerts that no runbook covers yet.")
@click.option(
    "--explain",
    is_flag=True,
    help="For one FILE: what was understood of it (parts with their lines, times, failure modes).",
)
@click.option(
    "--public",
    is_flag=True,
    help="Fail on what `build --public` refuses: secrets and personal data are errors.",
)
@click.pass_obj
def command(
    obj: Repo,
    paths: tuple[Path, ...],
    fmt: str,
    as_json: bool,
    alerts: bool,
    explain: bool,
    public: bool,
) -> None:
    """Validate incident files (default: all of incidents/)."""
    settings = obj.settings()
    corpus = load_corpus(obj.root, [p.resolve() for p in paths])
    problems = checks.check(corpus, settings, obj.root)
    if public:
        problems = checks.for_public(problems)
    fmt = "json" if as_json else fmt
    if explain:
        if len(paths) != 1:
            raise UsageError("--explain reads one FILE: `learnloop check --explain FILE`")
        if not corpus.incidents:
            click.echo(checks.render(corpus, problems, "text"), nl=False)
            sys.exit(1)
        (incident,) = corpus.incidents
        render = explain_mod.to_json if fmt == "json" else explain_mod.to_text
        click.echo(render(incident, problems), nl=False)
        sys.exit(1 if any(p.level == "error" for p in problems) else 0)
    if alerts:
        index = obj.root / "runbooks" / "alerts.md"
        text = index.read_text(encoding="utf-8") if index.is_file() else None
        problems = sorted([*problems, *checks.alerts_without_runbook(corpus, text)])
    click.echo(checks.render(corpus, problems, fmt), nl=False)
    if any(p.level == "error" for p in problems):
        sys.exit(1)
