"""A team's own digest (`report --team NAME`): its patterns, its overdue actions, its stale docs.

A team is an owner in learnloop.yml's service catalog; its services are those it owns. Its
patterns and documents are those CODEOWNERS routes to it (write/codeowners.py), so the digest
and the review requests of a pull request agree. Its action items are those it owns (by its
name or its handle), and those of its services' incidents that no one owns.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from learnloop.analyze import actions, feedback, metrics
from learnloop.analyze.gamedays import principal_services
from learnloop.analyze.metrics import Filters
from learnloop.analyze.rootcause import SystemicIssue
from learnloop.enrich import timings
from learnloop.errors import UsageError
from learnloop.write import codeowners, gamedays, onboarding, runbook

if TYPE_CHECKING:
    from learnloop.analyze.analysis import Analysis

Freshness = Mapping[str, tuple[str, tuple[str, ...]]]  # path -> (state, reasons)


def teams(analysis: Analysis) -> list[str]:
    """Every owner the service catalog names."""
    return sorted({s.owner for s in analysis.settings.services.values() if s.owner})


def team_data(
    team: str,
    analysis: Analysis,
    filters: Filters,
    today: date,
    freshness: Freshness,
    systemic: Sequence[SystemicIssue] = (),
) -> dict[str, Any]:
    """Every figure of a team's digest as plain data (the JSON of `report --team`)."""
    settings = analysis.settings
    services = codeowners.team_services(team, settings)
    if not services:
        known = ", ".join(teams(analysis)) or "none: learnloop.yml has no service owners"
        raise UsageError(
            f"--team: no service in learnloop.yml is owned by {team!r}; owners: {known}"
        )
    own = set(services)
    end = filters.end or today
    scope = Filters(filters.start, end, services, filters.severities)
    incidents = analysis.corpus.incidents
    selected = metrics.select(incidents, scope)
    by_id = analysis.incidents()
    patterns: list[dict[str, Any]] = []
    routed = {}
    for pattern in analysis.patterns.patterns:
        members = [by_id[i] for i in pattern.incidents if i in by_id]
        if members and own & set(principal_services(members)):
            routed[pattern.id] = members
    hist = metrics.history(incidents, Filters(None, end))
    items = actions.rows(hist, settings, end)
    pattern_of = {m.id: pid for pid, ms in routed.items() for m in ms}
    fixed = feedback.fixes(feedback.recurrences(hist, pattern_of, items, end))
    in_period = {i.id for i in selected}
    for pid, members in sorted(routed.items()):
        title = next(p.title for p in analysis.patterns.patterns if p.id == pid)
        ttr = [t for m in members if (t := timings(m).ttr) is not None]
        path = runbook.path_of(pid)
        state, reasons = freshness.get(path, ("fresh", ()))
        fix = fixed.get(pid)
        patterns.append(
            {
                "pattern": pid,
                "title": title,
                "incidents": len(members),
                "in_period": sum(m.id in in_period for m in members),
                "last_seen": max(m.started_at.date() for m in members).isoformat(),
                "median_ttr_minutes": statistics.median(ttr) if ttr else None,
                "runbook": path,
                "runbook_state": state,
                "runbook_reasons": list(reasons),
                "gameday": gamedays.page_path(pid),
                "fix": fix.as_dict() if fix else None,
            }
        )
    patterns.sort(key=lambda p: (-p["in_period"], -p["incidents"], p["pattern"]))
    handle = settings.codeowners.handle(team) or team
    touched = {i.id for i in hist if own & set(i.services)}

    def belongs(row: actions.ItemRow) -> bool:
        if row.owner == team or settings.codeowners.handle(row.owner) == handle:
            return True
        return row.incident in touched and row.owner == actions.UNOWNED

    overdue = sorted(
        (r for r in items if r.overdue_days is not None and belongs(r)),
        key=lambda r: (-(r.overdue_days or 0), r.incident, r.id),
    )
    # The documents on disk (freshness holds every one) that are routed to the team.
    # A team's own onboarding page is routed to it too.
    to_team = set(codeowners.documents_of(team, analysis, systemic))
    to_team |= {path for t, (path, _) in onboarding.team_pages(analysis).items() if t == team}
    documents = to_team & set(freshness)
    stale = [
        {"path": path, "state": state, "reasons": list(reasons)}
        for path, (state, reasons) in sorted(freshness.items())
        if path in documents and state != "fresh"
    ]
    return {
        "kind": "team",
        "title": f"Team digest: {team}",
        "team": team,
        "handle": settings.codeowners.handle(team),
        "services": list(services),
        "today": today.isoformat(),
        "period": {
            "from": scope.start.isoformat() if scope.start else None,
            "to": end.isoformat(),
        },
        "filters": {"services": list(services), "severities": list(scope.severities)},
        "incident_count": len(selected),
        "ttr_minutes": metrics.summarize(timings(i).ttr for i in selected).as_dict(),
        "incidents": [
            {"id": i.id, "title": i.title, "severity": i.severity, "services": list(i.services)}
            for i in reversed(selected)
        ],
        "patterns": patterns,
        "overdue_items": [r.as_dict() for r in overdue],
        "stale_documents": stale,
        "documents": len(documents),
    }
