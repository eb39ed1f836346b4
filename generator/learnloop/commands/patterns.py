"""`learnloop patterns`: the recurring patterns of a learning repo, as a table or JSON."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from typing import Any

import click

from learnloop.analyze import temporal
from learnloop.analyze.analysis import Analysis, analyze_repo, with_view
from learnloop.analyze.steps import causes
from learnloop.commands import Repo
from learnloop.commands.similar import runbook_path
from learnloop.enrich import timings
from learnloop.write.markdown import duration


def rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Per pattern: members, services, first and last seen, median TTR, impact, burst."""
    incidents = analysis.incidents()
    span = (
        min((i.started_at for i in incidents.values()), default=None),
        max((i.started_at for i in incidents.values()), default=None),
    )
    out = []
    for pattern in analysis.patterns.patterns:
        members = [incidents[i] for i in pattern.incidents]
        ttrs = [t for t in (timings(m).ttr for m in members) if t is not None]
        found_burst = (
            temporal.burst([m.started_at for m in members], (span[0], span[1]))
            if span[0] and span[1]
            else None
        )
        out.append(
            {
                "id": pattern.id,
                "title": pattern.title,
                "incidents": list(pattern.incidents),
                "runbook": runbook_path(analysis.root, pattern.id),
                "services": sorted({s for m in members for s in m.services}),
                "first_seen": min(m.started_at for m in members).date().isoformat(),
                "last_seen": max(m.started_at for m in members).date().isoformat(),
                "median_ttr_minutes": statistics.median(ttrs) if ttrs else None,
                "customers_affected": sum(m.impact.customers_affected or 0 for m in members),
                "revenue_usd": sum(m.impact.revenue_usd or 0 for m in members),
                # The ways its incidents failed, most common first (then by id).
                "failure_modes": [cause.mode for cause in causes(members)],
                "terms": list(pattern.terms),
                "burst": found_burst.__dict__ if found_burst else None,
            }
        )
    return out


def by_service(analysis: Analysis) -> dict[str, list[str]]:
    """Service -> ids of the patterns that hit it."""
    incidents = analysis.incidents()
    out: dict[str, set[str]] = {}
    for pattern in analysis.patterns.patterns:
        for ident in pattern.incidents:
            for service in incidents[ident].services:
                out.setdefault(service, set()).add(pattern.id)
    return {s: sorted(ids) for s, ids in sorted(out.items())}


def temporal_json(analysis: Analysis) -> dict[str, Any]:
    """Hour-of-week (UTC) and month counts, overall and per pattern."""
    incidents = analysis.incidents()
    overall = temporal.temporal(list(incidents.values()))
    per = {}
    for pattern in analysis.patterns.patterns:
        t = temporal.temporal([incidents[i] for i in pattern.incidents])
        per[pattern.id] = {
            "hour_of_week": [list(r) for r in t.hour_of_week],
            "months": dict(t.months),
        }
    return {
        "days": list(temporal.DAYS),
        "hour_of_week": [list(r) for r in overall.hour_of_week],
        "months": dict(overall.months),
        "patterns": per,
    }


def to_json(analysis: Analysis, view: str = "combined") -> str:
    """The DESIGN §4 contract, extended with figures, corrections, time, and the view used."""
    payload: dict[str, Any] = {
        "patterns": rows(analysis),
        "unclustered": list(analysis.patterns.unclustered),
        "corrections": list(analysis.patterns.notes),
        "view": view,
        "temporal": temporal_json(analysis),
    }
    if view == "service":
        payload["services"] = by_service(analysis)
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def to_table(analysis: Analysis) -> str:
    """A plain-text table for people, one pattern a line, then the unclustered count."""
    data = rows(analysis)
    header = (
        "pattern",
        "incidents",
        "services",
        "first seen",
        "last seen",
        "median TTR",
        "customers",
        "title",
    )
    lines: list[Sequence[str]] = [header]
    for row in data:
        services = list(row["services"])
        lines.append(
            (
                str(row["id"]) + (" *burst" if row["burst"] else ""),
                str(len(row["incidents"])),
                ", ".join(services[:3]) + (f" +{len(services) - 3}" if len(services) > 3 else ""),
                str(row["first_seen"]),
                str(row["last_seen"]),
                duration(row["median_ttr_minutes"], "—"),
                f"{row['customers_affected']:,}",
                str(row["title"]),
            )
        )
    widths = [max(len(line[c]) for line in lines) for c in range(len(header) - 1)]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False))
        + "  "
        + line[-1]
        for line in lines
    ]
    total = len(analysis.corpus.incidents)
    clustered = sum(len(r["incidents"]) for r in data)
    text.append("")
    text.append(
        f"{_counted(len(data), 'recurring pattern')} "
        f"{'covers' if len(data) == 1 else 'cover'} {clustered} of "
        f"{_counted(total, 'incident')}; {_one_offs(len(analysis.patterns.unclustered))}."
    )
    if any(r["burst"] for r in data):
        text.append("*burst: incidents bunched in a 30-day window far beyond the pattern's rate.")
    for note in analysis.patterns.notes:
        text.append(f"correction: {note}")
    return "\n".join(text) + "\n"


def services_table(analysis: Analysis) -> str:
    """The service view for people: each service and the patterns that hit it."""
    lines = [f"{service}: {', '.join(ids)}" for service, ids in by_service(analysis).items()]
    return "\n".join(lines or ["No recurring patterns yet."]) + "\n"


def _counted(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _one_offs(n: int) -> str:
    return "none is a one-off" if n == 0 else "1 is a one-off" if n == 1 else f"{n:,} are one-offs"


@click.command("patterns")
@click.option("--json", "as_json", is_flag=True, help="The JSON contract instead of a table.")
@click.option(
    "--view",
    type=click.Choice(["combined", "symptom", "cause", "service"]),
    default="combined",
    show_default=True,
    help="Group by everything, by what was seen, by why it happened, or list per service.",
)
@click.pass_obj
def command(obj: Repo, as_json: bool, view: str) -> None:
    """Recurring patterns with their member incidents."""
    analysis = with_view(analyze_repo(obj.root), view)
    if as_json:
        click.echo(to_json(analysis, view), nl=False)
    elif view == "service":
        click.echo(services_table(analysis), nl=False)
    else:
        click.echo(to_table(analysis), nl=False)
