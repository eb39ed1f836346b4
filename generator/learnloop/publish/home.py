"""The home page: where a responder starts during an incident.

Search by what they see first, then the runbooks by the alerts that fired, the patterns with
prevention work still open, what recurred lately, the documents due for review and the
latest incidents. Figures count the incidents every other page counts (restricted ones left
out) and the page says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from learnloop.analyze.patterns import Pattern
from learnloop.analyze.text import incident_alerts
from learnloop.model import Incident
from learnloop.publish import display
from learnloop.publish.generated import ONBOARDING_INDEX, Page
from learnloop.publish.plan import BY_SERVICE, DASHBOARDS, HOME, INCIDENTS_INDEX, Entry, href
from learnloop.publish.render import render
from learnloop.write import escape
from learnloop.write.indexes import BY_ALERT

ALERTS = 8  # alerts listed; runbooks/alerts.md has them all
PATTERNS = 8  # patterns with open work listed
RECENT_DAYS = 90  # "lately": the window compared with the one before it
REVIEWS = 8  # documents due for review listed
LATEST = 5  # latest incidents listed
ONBOARDING = ONBOARDING_INDEX  # where someone new to on-call starts
INTRO = (
    "Every post-mortem this team has written, and what they taught: runbooks, articles and "
    "decisions, rebuilt from `incidents/` on every change."
)


@dataclass(frozen=True)
class Inputs:
    """What the home page is made from; every mapping keyed by id or site path."""

    entries: Sequence[Entry]  # every incident on the site, newest first
    counted: Sequence[Incident]  # the incidents figures count (restricted ones left out)
    patterns: Sequence[Pattern]  # recurring patterns over the counted incidents
    pattern_pages: Mapping[str, str]  # pattern id -> its runbook, else its article
    documents: Sequence[Page]  # the generated pages, with their review state
    today: date
    site_name: str
    note: str = ""  # how restricted incidents are counted, when there are any


def render_home(inputs: Inputs) -> str:
    """index.md: search first, then what a responder or a reviewer opens next."""
    entries = inputs.entries
    counted = inputs.counted
    services = {s for i in counted for s in i.services}
    context: dict[str, object] = {
        "site_name": inputs.site_name,
        "intro": INTRO,
        "note": inputs.note,
        "any": bool(entries),
        "figures": _figures(counted, len(services), len(inputs.patterns)),
        "alerts": alert_rows(inputs),
        "all_alerts": href(HOME, BY_ALERT),
        "has_alert_index": any(p.path == BY_ALERT for p in inputs.documents),
        "open": open_patterns(inputs),
        "recent": recent_patterns(inputs),
        "recent_days": RECENT_DAYS,
        "reviews": review_rows(inputs.documents),
        "review_total": sum(p.state in ("stale", "due") for p in inputs.documents),
        "latest": [
            {
                "date": display.day(e.timings.started_at),
                "link": f"[{escape.cell(e.incident.title)}]({href(HOME, e.page)})",
                "severity": e.incident.severity,
                "services": escape.cell(", ".join(e.incident.services)),
            }
            for e in entries[:LATEST]
        ],
        "all": href(HOME, INCIDENTS_INDEX),
        "by_service": href(HOME, BY_SERVICE),
        "dashboards": href(HOME, DASHBOARDS),
        "runbooks": href(HOME, "runbooks/index.md"),
        "onboarding": (
            href(HOME, ONBOARDING)
            if any(p.path == ONBOARDING and p.source for p in inputs.documents)
            else ""
        ),
    }
    return render("home.md.j2", **context)


def _figures(counted: Sequence[Incident], services: int, patterns: int) -> str:
    if not counted:
        return ""
    first = min(i.started_at for i in counted)
    last = max(i.started_at for i in counted)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    return (
        f"**{plural(len(counted), 'incident')}** across **{plural(services, 'service')}** "
        f"over **{plural(months, 'month')}** ({first:%Y-%m} to {last:%Y-%m}); "
        f"**{plural(patterns, 'recurring pattern')}**."
    )


def alert_rows(inputs: Inputs) -> list[dict[str, str]]:
    """The alerts that fired most recently, each with the runbook to open."""
    pattern_of = {i: p for p in inputs.patterns for i in p.incidents}
    fired: dict[str, list[Incident]] = defaultdict(list)
    for incident in inputs.counted:
        for name in incident_alerts(incident):
            fired[name].append(incident)
    rows = []
    for name, seen in fired.items():
        books = sorted(
            {
                pattern_of[i.id].id
                for i in seen
                if i.id in pattern_of
                and inputs.pattern_pages.get(pattern_of[i.id].id, "").startswith("runbooks/")
            }
        )
        if not books:
            continue
        titles = {pattern_of[i.id].id: pattern_of[i.id].title for i in seen if i.id in pattern_of}
        last = max(i.started_at for i in seen)
        rows.append(
            (
                last,
                name,
                {
                    "alert": escape.cell(f"`{name}`"),
                    "runbooks": ", ".join(
                        f"[{escape.cell(titles[b])}]({href(HOME, inputs.pattern_pages[b])})"
                        for b in books
                    ),
                    "count": str(len(seen)),
                    "last": display.day(last),
                },
            )
        )
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return [row for _, _, row in rows[:ALERTS]]


def _pattern_link(pattern: Pattern, pages: Mapping[str, str]) -> str:
    target = pages.get(pattern.id)
    name = escape.cell(pattern.title)
    return f"[{name}]({href(HOME, target)})" if target else name


def open_patterns(inputs: Inputs) -> list[dict[str, str]]:
    """Patterns whose prevention work is still open, most recently seen first."""
    by_id = {i.id: i for i in inputs.counted}
    rows = []
    for pattern in inputs.patterns:
        members = [by_id[i] for i in pattern.incidents if i in by_id]
        items = [a for m in members for a in m.action_items if a.status == "open"]
        if not members or not items:
            continue
        last = max(m.started_at for m in members)
        rows.append(
            (
                last,
                pattern.id,
                {
                    "pattern": _pattern_link(pattern, inputs.pattern_pages),
                    "count": str(len(members)),
                    "last": display.day(last),
                    "open": str(len(items)),
                },
            )
        )
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return [row for _, _, row in rows[:PATTERNS]]


def recent_patterns(inputs: Inputs) -> list[dict[str, str]]:
    """Patterns seen in the last RECENT_DAYS, with the same span before for comparison."""
    by_id = {i.id: i for i in inputs.counted}
    start = inputs.today - timedelta(days=RECENT_DAYS)
    before = start - timedelta(days=RECENT_DAYS)
    rows = []
    for pattern in inputs.patterns:
        days = [by_id[i].started_at.date() for i in pattern.incidents if i in by_id]
        now = sum(start < d <= inputs.today for d in days)
        earlier = sum(before < d <= start for d in days)
        if now:
            rows.append(
                (
                    -now,
                    pattern.id,
                    {
                        "pattern": _pattern_link(pattern, inputs.pattern_pages),
                        "now": str(now),
                        "before": str(earlier),
                    },
                )
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    return [row for _, _, row in rows]


def review_rows(documents: Sequence[Page]) -> list[dict[str, str]]:
    """Documents that are stale or due, runbooks first, then by path."""
    waiting = [p for p in documents if p.state in ("stale", "due")]
    waiting.sort(key=lambda p: (not p.path.startswith("runbooks/"), p.path))
    return [
        {
            "document": f"[{escape.cell(p.title or p.path)}]({href(HOME, p.path)})",
            "state": "stale" if p.state == "stale" else "review due",
            "reason": escape.cell(p.reason),
        }
        for p in waiting[:REVIEWS]
    ]


def plural(n: int, noun: str) -> str:
    """ "1 incident", "2,000 incidents"."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
