"""`learnloop changes`: change-induced incidents, change failure rate, time to post-mortem.

The deploy log is `deploys.yaml` at the root of the learning repo (or `--deploys FILE`), or the
commits of a deploy repository's branch (`--deploys-repo DIR [--branch B] [--service S]`).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from learnloop import gitfacts
from learnloop.analyze import changes as changes_mod
from learnloop.analyze.changes import Change, ChangeReport, PostMortemDelay
from learnloop.errors import LearnloopError
from learnloop.load import display_path
from learnloop.model import Problem
from learnloop.read import load_corpus


@dataclass(frozen=True)
class Result:
    """Everything the command shows."""

    source: str | None  # where the changes came from; None when there is no deploy log
    changes: tuple[Change, ...]
    report: ChangeReport
    delays: tuple[PostMortemDelay, ...]
    git: bool  # whether the learning repo is a git repository at all
    shallow: bool
    problems: tuple[Problem, ...] = field(default=())


def read_changes(
    root: Path,
    deploys: Path | None = None,
    deploys_repo: Path | None = None,
    branch: str | None = None,
    service: str | None = None,
) -> tuple[str | None, list[Change], list[Problem]]:
    """The deploy log from a file or a repository's commits: (source, changes, problems)."""
    if deploys is not None and deploys_repo is not None:
        raise LearnloopError("give either --deploys or --deploys-repo, not both")
    if deploys_repo is not None:
        if gitfacts.open_repo(deploys_repo) is None:
            raise LearnloopError(f"{deploys_repo} is not a git repository")
        found = gitfacts.changes_from_commits(deploys_repo, branch, service)
        return f"commits of {deploys_repo} ({branch or 'HEAD'})", found, []
    path = deploys if deploys is not None else root / changes_mod.DEPLOYS_FILE
    if not path.is_file():
        if deploys is not None:
            raise LearnloopError(f"{path}: no such file")
        return None, [], []
    shown = display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return shown, [], [Problem(shown, 0, "error", f"cannot read file: {exc}")]
    found, problems = changes_mod.parse_deploys(text, shown)
    return shown, found, problems


def run(
    root: Path,
    window: timedelta = changes_mod.DEFAULT_WINDOW,
    *,
    deploys: Path | None = None,
    deploys_repo: Path | None = None,
    branch: str | None = None,
    service: str | None = None,
) -> Result:
    """Load the incidents, the deploy log and the git facts, and put them together."""
    corpus = load_corpus(root)
    source, found, problems = read_changes(root, deploys, deploys_repo, branch, service)
    report = changes_mod.analyze(found, corpus.incidents, window)
    facts = gitfacts.collect(root, [i.path for i in corpus.incidents])
    files = facts.by_path()
    delays = changes_mod.time_to_postmortem(
        corpus.incidents,
        {p: f.first_commit for p, f in files.items()},
        {p: f.authors for p, f in files.items()},
        {p: f.last_change for p, f in files.items()},
    )
    return Result(
        source,
        tuple(found),
        report,
        tuple(delays),
        facts.available,
        facts.shallow,
        tuple(problems),
    )


def to_json(result: Result) -> str:
    """The report, the changes' source and time to post-mortem per incident."""
    payload: dict[str, Any] = {"deploy_log": result.source, "changes": len(result.changes)}
    payload.update(changes_mod.as_dict(result.report))
    payload["time_to_postmortem"] = [
        {
            "incident": d.incident,
            "path": d.path,
            "hours": d.hours,
            "first_committed": d.first_committed.isoformat() if d.first_committed else None,
            "last_changed": d.last_changed.isoformat() if d.last_changed else None,
            "authors": list(d.authors),
        }
        for d in result.delays
    ]
    payload["median_time_to_postmortem_hours"] = changes_mod.median_hours(result.delays)
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def duration(hours: float) -> str:
    """Hours for people: '45 min', '2 h', '3 h 05 min', '2 d 4 h'."""
    sign = "-" if hours < 0 else ""
    minutes = round(abs(hours) * 60)
    days, rest = divmod(minutes, 24 * 60)
    if days:
        return f"{sign}{days} d {rest // 60} h"
    if rest >= 60:
        tail = f" {rest % 60:02d} min" if rest % 60 else ""
        return f"{sign}{rest // 60} h{tail}"
    return f"{sign}{rest} min"


def to_text(result: Result) -> str:
    """Per service, the change-induced incidents, then time to post-mortem per incident."""
    report = result.report
    window = duration(report.window.total_seconds() / 3600)
    lines = []
    if result.source is None:
        lines.append(
            f"No deploy log: add {changes_mod.DEPLOYS_FILE} or use --deploys-repo "
            "to see change-induced incidents."
        )
    else:
        lines.append(
            f"Deploy log: {result.source}, {len(result.changes)} changes; window {window}."
        )
        lines.extend(_service_table(report))
        lines.append("")
        if report.induced:
            lines.append(f"Incidents that began within {window} after a change to their service:")
            for item in report.induced:
                change = item.change
                what = change.kind + (f" {change.ref}" if change.ref else "")
                who = f" by {change.by}" if change.by else ""
                lines.append(
                    f"  {item.incident}  {item.service}  "
                    f"{duration(item.minutes_after / 60)} after {what}{who} "
                    f"({change.at.isoformat()})"
                )
        else:
            lines.append(f"No incident began within {window} after a change to its service.")
        if report.declared_unmatched:
            lines.append(
                "Triggered by a deploy or config change, says the post-mortem, but no change "
                f"in the log matches: {', '.join(report.declared_unmatched)}"
            )
        if report.undated:
            lines.append(
                f"Start time unknown (a date alone), not matched: {', '.join(report.undated)}"
            )
    lines.append("")
    lines.extend(_delays(result))
    return "\n".join(lines) + "\n"


def _service_table(report: ChangeReport) -> list[str]:
    header = ("service", "deploys", "config changes", "incidents after a change", "failure rate")
    rows: list[tuple[str, ...]] = [header]
    for s in report.services:
        rate = s.change_failure_rate
        rows.append(
            (
                s.service,
                str(s.deploys),
                str(s.config_changes),
                str(s.incidents_after_change),
                f"{rate:.0%} ({s.failed_changes} of {s.changes})" if rate is not None else "—",
            )
        )
    widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
    return [
        "  ".join(
            cell.ljust(w) if c == 0 else cell.rjust(w)
            for c, (cell, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]


def _delays(result: Result) -> list[str]:
    if not result.git:
        return ["Time to post-mortem: not a git repository, so no commit times are known."]
    lines = ["Time to post-mortem (incident start to the file's first commit):"]
    for d in result.delays:
        if d.hours is None:
            lines.append(f"  {d.incident}  not committed yet")
            continue
        last = d.last_changed.date().isoformat() if d.last_changed else "—"
        lines.append(
            f"  {d.incident}  {duration(d.hours)}  by {', '.join(d.authors)}; last changed {last}"
        )
    committed = [d for d in result.delays if d.hours is not None]
    median = changes_mod.median_hours(result.delays)
    lines.append(
        f"Median {duration(median)} over {len(committed)} committed post-mortems; "
        f"{len(result.delays) - len(committed)} not committed yet."
        if median is not None
        else "No post-mortem is committed yet."
    )
    if result.shallow:
        lines.append("Note: a shallow clone; first commits may be the clone's cut-off.")
    return lines


def _window(ctx: click.Context, param: click.Parameter, value: str) -> timedelta:
    try:
        return changes_mod.parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("changes")
@click.option(
    "--window",
    default="2h",
    show_default=True,
    callback=_window,
    help="How long after a change an incident counts as induced by it (90m, 2h, 1d).",
)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@click.option(
    "--deploys",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The deploy log (default: {changes_mod.DEPLOYS_FILE} in the repo, if any).",
)
@click.option(
    "--deploys-repo",
    type=click.Path(file_okay=False, path_type=Path),
    help="Read changes from this git repository's commits instead.",
)
@click.option("--branch", help="With --deploys-repo: the deployed branch (default: HEAD).")
@click.option(
    "--service",
    help="With --deploys-repo: every commit deploys this service "
    "(default: each top-level folder a commit touches is a service).",
)
@click.pass_obj
def command(
    obj: Any,
    window: timedelta,
    as_json: bool,
    deploys: Path | None,
    deploys_repo: Path | None,
    branch: str | None,
    service: str | None,
) -> None:
    """Change-induced incidents, change failure rate per service, time to post-mortem."""
    result = run(
        obj.root,
        window,
        deploys=deploys.resolve() if deploys else None,
        deploys_repo=deploys_repo.resolve() if deploys_repo else None,
        branch=branch,
        service=service,
    )
    for problem in result.problems:
        click.echo(problem.format(), err=True)
    click.echo(to_json(result) if as_json else to_text(result), nl=False)
    if any(p.level == "error" for p in result.problems):
        sys.exit(1)
