"""`learnloop report executive|technical|monthly` and `report --team NAME`: the reports, as
Markdown, JSON or HTML."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from learnloop.analyze import page_feedback, rootcause
from learnloop.analyze.analysis import Analysis, analyze_repo
from learnloop.analyze.metrics import Filters, default_today
from learnloop.commands import stale as stale_cmd
from learnloop.errors import LearnloopError, UsageError
from learnloop.load import discover
from learnloop.load.fields import normalize_severity
from learnloop.settings import Settings, load_settings
from learnloop.write import atomic_write, codeowners, review, team
from learnloop.write import report as report_mod

KINDS = (*report_mod.KINDS, "monthly")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_SINCE = re.compile(r"\s*([0-9]{1,6})\s*([dwmy])\s*", re.IGNORECASE)


def parse_since(text: str, today: date) -> date:
    """The first day of `--since N{d,w,m,y}`: N days, weeks, calendar months or years back."""
    match = _SINCE.fullmatch(text)
    if not match:
        raise UsageError(
            f"--since: expected a number and a unit (d, w, m or y), like 30d or 6m; got {text!r}"
        )
    count, unit = int(match.group(1)), match.group(2).lower()
    try:
        if unit == "d":
            return today - timedelta(days=count)
        if unit == "w":
            return today - timedelta(weeks=count)
        months = count * (12 if unit == "y" else 1)
        year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
        month += 1
        last_day = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
        return date(year, month, min(today.day, last_day))
    except (OverflowError, ValueError):
        raise UsageError(f"--since: {text!r} reaches back before the year 1") from None


def parse_day(option: str, text: str | None) -> date | None:
    """A YYYY-MM-DD option value, or None."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option}: expected a date as YYYY-MM-DD, got {text!r}") from None


def parse_list(text: str | None) -> tuple[str, ...]:
    """`a,b, c` -> ('a', 'b', 'c'), without blanks or repeats, sorted."""
    if not text:
        return ()
    return tuple(sorted({part.strip() for part in text.split(",") if part.strip()}))


def parse_severities(text: str | None) -> tuple[str, ...]:
    """`sev1,P2` -> ('P1', 'P2'): aliases normalized, every bad value reported."""
    values = parse_list(text)
    normal = {v: normalize_severity(v) for v in values}
    bad = [v for v, n in normal.items() if n is None]
    if bad:
        raise UsageError(
            f"--severity: expected P0–P4 (or SEV0–SEV4), got {', '.join(repr(b) for b in bad)}"
        )
    return tuple(sorted({n for n in normal.values() if n}))


def filters_from(
    today: date | None,
    since: str | None,
    start: str | None,
    end: str | None,
    services: str | None,
    severity: str | None,
) -> Filters:
    """The report's filters from the command-line options; usage errors for bad ones."""
    if since is not None and (start is not None or end is not None):
        raise UsageError("give either --since or --from/--to, not both")
    first, last = parse_day("--from", start), parse_day("--to", end)
    if since is not None:
        if today is None:
            raise UsageError("--since needs --today when there are no incidents")
        first, last = parse_since(since, today), today
    if first and last is None and today and first > today:
        last = first  # a period that starts after the newest incident: empty, not reversed
    if first and last and first > last:
        raise UsageError(f"--from {first.isoformat()} is after --to {last.isoformat()}")
    return Filters(first, last, parse_list(services), parse_severities(severity))


def load_inputs(root: Path) -> tuple[report_mod.Inputs, list[rootcause.SystemicIssue]]:
    """The incidents, their patterns, the settings and the systemic issues of a learning repo."""
    analysis, systemic = load_analysis(root)
    if analysis is None:
        return report_mod.Inputs((), {}, {}, load_settings(root)), []
    return report_mod.inputs_of(analysis), systemic


def load_analysis(root: Path) -> tuple[Analysis | None, list[rootcause.SystemicIssue]]:
    """The repo's analysis (None with no incidents) and its systemic issues."""
    if not discover(root):  # nothing to cluster: the pattern engine needs at least one incident
        return None, []
    analysis = analyze_repo(root)
    # The same systemic issues the knowledge base and the site's reports are built from.
    systemic = rootcause.systemic_issues(
        analysis.corpus.incidents, analysis.patterns.patterns, lexicon=analysis.settings.themes
    )
    return analysis, systemic


def readers_ratings(root: Path, settings: Settings) -> dict[str, Any] | None:
    """The runbooks' ratings in the feedback export learnloop.yml names; None without one.
    What is wrong with the export is `learnloop stale`'s to report: here it only counts less."""
    export = stale_cmd.feedback_export(root, settings)
    if export is None:
        return None
    rows = page_feedback.runbook_ratings(export.issues)
    return {"export": settings.feedback_issues, "rows": rows}


def freshness_of(
    root: Path, analysis: Analysis, today: date
) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every generated document on disk: path -> (fresh | stale | due, reasons), readers'
    feedback counted as `learnloop stale` counts it (which reports what is wrong with it)."""
    incidents = analysis.incidents()
    period = analysis.settings.review_period_days
    export = stale_cmd.feedback_export(root, analysis.settings)
    issues = page_feedback.by_page(export.issues) if export else {}
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for folder in stale_cmd.GENERATED_DIRS:
        for path in sorted((root / folder).rglob("*.md")):
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            found = stale_cmd.assess(rel, text, incidents, today, period, issues.get(rel, ()))
            if found is not None:
                out[rel] = (found.state, found.reasons)
    return out


def check_options(
    kind: str | None, team_name: str | None, month: str | None, **given: str | None
) -> None:
    """Usage errors for options that do not go with the report asked for."""
    if kind is None and team_name is None:
        raise UsageError("give a report (executive, technical, monthly) or --team NAME")
    if month is not None and kind != "monthly":
        raise UsageError("--month goes with `report monthly`")
    if month is not None and not _MONTH.fullmatch(month):
        raise UsageError(f"--month: expected YYYY-MM, got {month!r}")
    if team_name is not None and given.get("services") is not None:
        raise UsageError("give either --team or --services, not both")
    if kind == "monthly":
        for option in ("since", "from", "to", "services", "severity"):
            if given.get(option) is not None:
                raise UsageError(f"--{option} does not go with `report monthly`; use --month")


@click.command("report")
@click.argument("kind", required=False, type=click.Choice(KINDS))
@click.option("--since", metavar="N{d,w,m,y}", help="The last N days, weeks, months or years.")
@click.option("--from", "start", metavar="YYYY-MM-DD", help="First day of the period.")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Last day of the period.")
@click.option("--services", metavar="A,B", help="Only incidents touching one of these services.")
@click.option("--severity", metavar="P0,P1", help="Only these severities (SEV1, sev2… accepted).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(report_mod.FORMATS),
    default="md",
    show_default=True,
    help="Markdown, JSON or a self-contained HTML page.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    help="The date to report as of (default: the newest incident's start date).",
)
@click.option(
    "--team",
    "--owner",
    "team_name",
    metavar="NAME",
    help="A team's own digest (alone), or a report on its services (with KIND).",
)
@click.option(
    "--month",
    metavar="YYYY-MM",
    help="The month of `report monthly` (default: the newest incident's month).",
)
@click.pass_obj
def command(
    obj: Any,
    kind: str | None,
    since: str | None,
    start: str | None,
    end: str | None,
    services: str | None,
    severity: str | None,
    fmt: str,
    output: Path | None,
    today: str | None,
    team_name: str | None,
    month: str | None,
) -> None:
    """Reports: executive or technical over a period and filters; monthly for the learning
    review meeting; --team NAME for a team's digest (its patterns, overdue actions, stale docs)."""
    given = parse_day("--today", today)
    check_options(kind, team_name, month, since=since, services=services, severity=severity,
                  **{"from": start, "to": end})  # fmt: skip
    # Usage errors first, before a large repo takes seconds to load; date.max only stands in.
    filters_from(given or date.max, since, start, end, services, severity)
    analysis, systemic = load_analysis(obj.root)
    inputs = (
        report_mod.inputs_of(analysis)
        if analysis is not None
        else report_mod.Inputs((), {}, {}, load_settings(obj.root))
    )
    day = given or default_today(inputs.incidents)
    if team_name is not None and kind in report_mod.KINDS and analysis is not None:
        owned = codeowners.team_services(team_name, analysis.settings)
        if not owned:
            raise UsageError(f"--team: no service in learnloop.yml is owned by {team_name!r}")
        services = ",".join(owned)
    filters = filters_from(day, since, start, end, services, severity)
    if kind == "monthly":
        if not inputs.incidents:
            raise LearnloopError("no incidents: a monthly review needs at least one")
        if team_name is not None:
            mine = set(codeowners.team_services(team_name, inputs.settings))
            if not mine:
                raise UsageError(f"--team: no service in learnloop.yml is owned by {team_name!r}")
            inputs = replace(
                inputs, incidents=tuple(i for i in inputs.incidents if mine & set(i.services))
            )
        chosen = month or (day.isoformat()[:7] if day else None)
        data = review.review_data(inputs, str(chosen))
    elif kind is None:
        if analysis is None or day is None:
            raise LearnloopError("no incidents: a team digest needs at least one")
        fresh = freshness_of(obj.root, analysis, day)
        data = team.team_data(str(team_name), analysis, filters, day, fresh, systemic)
    else:
        data = report_mod.report_data(kind, inputs, filters, day, systemic)
        if kind == "technical" and (found := readers_ratings(obj.root, inputs.settings)):
            data["feedback"]["runbooks"]["readers"] = found
    text = report_mod.render_format(data, fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        atomic_write(output, text)
    except OSError as exc:
        raise LearnloopError(f"{output}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"wrote {output}", err=True)
