"""`learnloop import`: incidents from other templates and tools, as files under incidents/."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from learnloop.importers import FORMATS
from learnloop.importers.run import Report, run
from learnloop.settings import load_settings

_FORMATS_HELP = """\b
Formats (auto tells them apart by name and content):
  markdown      post-mortems in any template, any front matter (.md, .txt, .html.md.erb);
                MediaWiki (.wiki), AsciiDoc (.adoc) and reStructuredText (.rst) too
  html          Confluence and Google Docs exports
  docx          Word and Google Docs documents (.docx)
  statuspage    Atlassian Statuspage incidents (one, a list, or incidents.json)
  gcp           Google Cloud status incidents (status.cloud.google.com incidents.json)
  cstate        cState/Hugo status entries (maintenance notices skipped)
  pagerduty     REST v2 incidents with log entries, notes, alerts; V2/V3 webhooks
  opsgenie      alerts and incidents with their logs and notes; webhooks
  jira          REST issues with expand=changelog (ADF or wiki markup); webhooks
  slack         a workspace export (folder or zip): incident channels as drafts
  alertmanager  webhook payloads or /api/v2/alerts: attached to incidents they overlap
  table         an incident log, a row each: CSV or TSV, JSON Lines, a JSON list of records;
                ServiceNow incident exports
"""


@click.command(name="import", epilog=_FORMATS_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", *FORMATS]),
    default="auto",
    show_default=True,
    help="The tool the files come from.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be written; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="The JSON contract instead of text.")
@click.pass_obj
def command(obj: object, paths: tuple[Path, ...], fmt: str, dry_run: bool, as_json: bool) -> None:
    """Import incidents from files or folders (read recursively) into incidents/YYYY/.

    Idempotent: importing the same source again changes nothing, a changed source updates
    its file, and a file a person edited since its import is never written over.
    """
    root: Path = obj.root  # type: ignore[attr-defined]
    report = run(root, [p.resolve() for p in paths], fmt, load_settings(root), dry_run=dry_run)
    for problem in report.problems:
        click.echo(problem.format(), err=True)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(to_text(report, dry_run), nl=False)
    if report.failed:
        sys.exit(1)


def to_text(report: Report, dry_run: bool) -> str:
    """One line per input, then the counts."""
    lines = []
    verb = "would import" if dry_run else "imported"
    for p in report.imported:
        lines.append(f"{verb} {p.path} ({p.ident}) from {p.source}")
    for p in report.updated:
        lines.append(
            f"{'would update' if dry_run else 'updated'} {p.path} ({p.ident}) from {p.source}"
        )
    for p in report.unchanged:
        note = f" ({p.reason})" if p.reason else ""
        lines.append(f"unchanged {p.path} ({p.ident}){note}")
    for s in report.skipped:
        lines.append(f"skipped {s.source}: {s.reason}")
    if report.candidates:
        lines.append(
            f"kept {report.candidates} alert(s) that overlap no incident in "
            f"{report.candidates_path}"
        )
    lines.append(
        f"{len(report.imported)} imported, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped"
        + (" (dry run: nothing written)" if dry_run else "")
    )
    return "\n".join(lines) + "\n"
