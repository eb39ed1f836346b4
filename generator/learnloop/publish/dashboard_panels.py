"""The dashboards' panels: one chart each, with the table of the numbers behind it.

A chart is for seeing the shape; its table is for reading values, for screen readers and for
search. Each function takes plain data and returns its panel; nothing here reads files.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from learnloop.analyze import actions, cost, feedback, prevention, rootcause, temporal
from learnloop.analyze.patterns import Pattern
from learnloop.enrich import timings
from learnloop.model import SEVERITIES, Incident
from learnloop.publish import charts, display, svg
from learnloop.publish.plan import href
from learnloop.settings import Settings
from learnloop.write import escape

MAX_SERVICES = 20  # boxes in the time-to-resolve chart; the table lists every service
TOP_RECOMMENDATIONS = prevention.TOP
VERDICT_COLOURS = {
    "fell": svg.PALETTE[4],
    "rose": svg.PALETTE[2],
    "no detectable change": svg.PALETTE[0],
    "not enough data": svg.PALETTE[9],
}
# Quick wins green, big bets blue, fill-ins grey, money pits red.
QUADRANT_COLOURS = dict(
    zip(prevention.QUADRANTS, [svg.PALETTE[n] for n in (4, 0, 9, 2)], strict=True)
)


@dataclass(frozen=True)
class Targets:
    """What the tables link to: the site pages of patterns (runbooks) and of incidents."""

    patterns: Mapping[str, str]
    incidents: Mapping[str, str]

    def pattern(self, pid: str, title: str, page: str) -> str:
        """The pattern's title, linked to its page when it has one."""
        target = self.patterns.get(pid)
        name = escape.cell(title)
        return f"[{name}]({href(page, target)})" if target else name

    def incident(self, ident: str, page: str) -> str:
        """The incident's id, linked to its page when it is published."""
        target = self.incidents.get(ident)
        name = escape.cell(ident)
        return f"[{name}]({href(page, target)})" if target else name


@dataclass(frozen=True)
class Chart:
    """One chart: its heading, how to read it, the figure and the numbers as a table."""

    slug: str
    title: str
    note: str
    figure: str  # inline SVG, a Mermaid fence, or "" when there is nothing to draw
    table: str  # Markdown


def severity_by_month(incidents: Sequence[Incident]) -> Chart:
    """Incidents per month, stacked by severity; months without incidents kept."""
    months = [m for m, _ in temporal.month_counts(incidents)]
    counts = Counter((i.started_at.strftime("%Y-%m"), i.severity) for i in incidents)
    levels = [s for s in SEVERITIES if any(i.severity == s for i in incidents)]
    series = [
        charts.Series(s, tuple(float(counts[m, s]) for m in months), svg.SEVERITY_COLOURS[s])
        for s in levels
    ]
    rows = [
        [m, *(str(counts[m, s]) for s in levels), str(sum(counts[m, s] for s in levels))]
        for m in months
    ]
    slug = "incidents-per-month"
    title = "Incidents per month by severity"
    figure = charts.stacked_bars(slug, title, months, series, "Incidents") if incidents else ""
    return Chart(
        slug,
        title,
        "Each bar is a month (by start, UTC); colours are severities, P0 the most severe.",
        figure,
        table(["Month", *levels, "Total"], rows),
    )


def hour_of_week(incidents: Sequence[Incident]) -> Chart:
    """A weekday × hour heatmap of start times (UTC); date-only starts are left out."""
    grid = temporal.temporal(incidents).hour_of_week
    hours = [f"{h:02d}" for h in range(24)]
    known = sum(sum(row) for row in grid)
    slug = "hour-of-week"
    title = "When incidents start: hour of the week"
    figure = charts.heatmap(slug, title, grid, temporal.DAYS, hours) if known else ""
    rows = [
        [day, *(str(v) for v in row), str(sum(row))]
        for day, row in zip(temporal.DAYS, grid, strict=True)
    ]
    skipped = len(incidents) - known
    note = "Darker cells had more incidents start in that hour (UTC)."
    if skipped:
        note += f" {plural(skipped, 'incident')} with only a start date are not counted."
    return Chart(slug, title, note, figure, table(["Day", *hours, "Total"], rows))


def ttr_by_service(incidents: Sequence[Incident]) -> Chart:
    """Time to resolve per service as boxes (quartiles, p10–p90), busiest services first."""
    values: dict[str, list[float]] = {}
    for incident in incidents:
        ttr = timings(incident).ttr
        if ttr is None:
            continue
        for service in incident.services:
            values.setdefault(service, []).append(ttr)
    ordered = sorted(values.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    rows = []
    for service, minutes in ordered:
        q = np.quantile(np.asarray(minutes, dtype=float), [0.1, 0.25, 0.5, 0.75, 0.9])
        rows.append(
            [
                escape.cell(service),
                str(len(minutes)),
                *(display.duration(float(v)) for v in q),
                display.duration(max(minutes)),
            ]
        )
    slug = "ttr-by-service"
    title = "Time to resolve by service"
    shown = ordered[:MAX_SERVICES]
    figure = (
        charts.duration_boxes(slug, title, shown, "Time to resolve (log scale)") if shown else ""
    )
    note = (
        "Each box spans the middle half of a service's incidents, the line in it is the median "
        "and the whiskers reach the 10th and 90th percentiles; dots are the rest. An incident "
        "counts under each service it hit."
    )
    if len(ordered) > len(shown):
        note += f" The chart shows the {len(shown)} services with most incidents; the table all."
    return Chart(
        slug,
        title,
        note,
        figure,
        table(["Service", "Incidents", "p10", "p25", "Median", "p75", "p90", "Longest"], rows),
    )


def patterns_by_impact(
    incidents: Sequence[Incident],
    patterns: Sequence[Pattern],
    costs: Mapping[str, cost.IncidentCost],
    targets: Targets,
    page: str,
) -> Chart:
    """Each pattern placed by how often it happened and what it cost in all."""
    by_id = {i.id: i for i in incidents}
    stats = []
    for pattern in patterns:
        members = [by_id[i] for i in pattern.incidents if i in by_id]
        total = sum(costs[m.id].total_usd for m in members)
        ttrs = [t for t in (timings(m).ttr for m in members) if t is not None]
        stats.append((pattern, len(members), total, statistics.median(ttrs) if ttrs else None))
    stats.sort(key=lambda s: (-(s[1] * s[2]), s[0].id))
    # Every point carries its row number in the table, which names the pattern.
    points = [
        (str(n), float(count), total, svg.ACCENT)
        for n, (_, count, total, _) in enumerate(stats, start=1)
    ]
    slug = "patterns-frequency-impact"
    title = "Patterns by frequency and impact"
    figure = (
        charts.scatter(slug, title, points, "Incidents", "Total cost (log scale)", log_y=True)
        if points
        else ""
    )
    rows = [
        [
            str(n),
            targets.pattern(p.id, p.title, page),
            str(count),
            cost.usd(total),
            cost.usd(total / count if count else 0),
            display.duration(median),
        ]
        for n, (p, count, total, median) in enumerate(stats, start=1)
    ]
    return Chart(
        slug,
        title,
        "Top right is where prevention pays most: frequent and costly. Each point's number is "
        "its row in the table. Cost follows the cost model in learnloop.yml (engineering time, "
        "downtime, recorded revenue, SLA).",
        figure,
        table(["#", "Pattern", "Incidents", "Total cost", "Per incident", "Median TTR"], rows),
    )


def cause_symptom_map(
    incidents: Sequence[Incident],
    patterns: Sequence[Pattern],
    systemic: Sequence[rootcause.SystemicIssue],
) -> Chart:
    """Systemic causes down the side, the patterns they show up as across the top: each cell
    the number of incidents with that cause in that pattern."""
    titles = {p.id: p.title for p in patterns}
    known = {i.id for i in incidents}
    of = {i: p.id for p in patterns for i in p.incidents}
    per_issue = [
        (issue, Counter(of.get(i, "") for i in issue.incidents if i in known)) for issue in systemic
    ]
    per_issue = [(issue, per) for issue, per in per_issue if per]
    totals: Counter[str] = Counter()
    for _, per in per_issue:
        totals.update(per)
    columns = sorted((p for p in totals if p), key=lambda p: (-totals[p], p))
    if totals[""]:
        columns.append("")
    rows = []
    for issue, per in per_issue:
        for pid, n in sorted(per.items(), key=lambda kv: (-kv[1], kv[0])):
            rows.append(
                [
                    escape.cell(issue.title),
                    escape.cell(titles[pid]) if pid else "one-off incidents",
                    str(n),
                ]
            )
    slug = "cause-symptom-map"
    title = "Causes and the patterns they show up as"
    figure = (
        charts.matrix(
            slug,
            title,
            [[per[c] for c in columns] for _, per in per_issue],
            [issue.title for issue, _ in per_issue],
            [titles[c] if c else "one-off incidents" for c in columns],
        )
        if columns and per_issue
        else ""
    )
    return Chart(
        slug,
        title,
        "Each row is a systemic cause, each column a pattern; a cell counts the incidents of "
        "that pattern the cause contributed to (an incident can have several causes). Darker "
        "cells hold more.",
        figure,
        table(["Systemic cause", "Pattern", "Incidents"], rows),
    )


def action_backlog(items: Sequence[actions.ItemRow], today: date) -> Chart:
    """Action items opened and completed per month, and how many were still open."""
    monthly = actions.growth(items, today)["monthly"] if items else []
    labels = [m["month"] for m in monthly]
    opened = charts.Series("Opened", tuple(float(m["opened"]) for m in monthly), svg.PALETTE[1])
    done = charts.Series("Completed", tuple(float(m["completed"]) for m in monthly), svg.PALETTE[4])
    still = charts.Series(
        "Open at month end", tuple(float(m["open_at_end"]) for m in monthly), svg.PALETTE[0]
    )
    slug = "action-backlog"
    title = "Action-item backlog over time"
    figure = (
        charts.bars_and_line(slug, title, labels, [opened, done], still, "Action items")
        if monthly
        else ""
    )
    rows = [
        [m["month"], str(m["opened"]), str(m["completed"]), str(m["open_at_end"])] for m in monthly
    ]
    wontfix = sum(r.status == "wontfix" for r in items)
    note = "A line that keeps climbing means items are raised faster than they are done."
    if wontfix:
        note += f" {plural(wontfix, 'item')} closed as won't-fix are left out (no closing date)."
    return Chart(
        slug, title, note, figure, table(["Month", "Opened", "Completed", "Open at end"], rows)
    )


def recurrence(
    fixed: Mapping[str, feedback.Recurrence],
    titles: Mapping[str, str],
    targets: Targets,
    page: str,
) -> Chart:
    """Per pattern with a completed fix: incidents per month before it and after it."""
    judged = [fixed[p] for p in sorted(fixed)]
    rows_chart = [
        (
            titles.get(r.pattern, r.pattern),
            r.rate_before or 0.0,
            r.rate_after or 0.0,
            VERDICT_COLOURS.get(r.verdict, svg.PALETTE[9]),
        )
        for r in judged
        if r.rate_before is not None and r.rate_after is not None
    ]
    slug = "recurrence-after-fixes"
    title = "Recurrence before and after fixes"
    used = sorted({r.verdict for r in judged}, key=list(VERDICT_COLOURS).index)
    figure = (
        charts.dumbbells(
            slug,
            title,
            rows_chart,
            "Incidents per month (hollow: before the fix, filled: after)",
            [(v, VERDICT_COLOURS[v]) for v in used],
        )
        if rows_chart
        else ""
    )
    rows = []
    for r in judged:
        where = targets.incident(r.incident, page)
        rows.append(
            [
                targets.pattern(r.pattern, titles.get(r.pattern, r.pattern), page),
                f"{escape.cell(r.title)} ({escape.cell(r.item)} in {where})",
                r.done_at.isoformat(),
                _rate(r.before, r.months_before, r.rate_before),
                _rate(r.after, r.months_after, r.rate_after),
                r.verdict + (f" ({_p(r.p_value)})" if r.p_value is not None else ""),
            ]
        )
    return Chart(
        slug,
        title,
        "For each pattern, its first completed prevention item: the rate of the pattern's "
        "incidents before it was done and after. A change is called only when a Poisson test "
        "says chance is an unlikely explanation.",
        figure,
        table(["Pattern", "Fix", "Done", "Before", "After", "Verdict"], rows),
    )


def prevention_matrix(recs: Sequence[prevention.Recommendation], settings: Settings) -> Chart:
    """Recommendations by effort (x) and expected yearly saving (y), split into quadrants."""
    middle = statistics.median(r.annual_saving_usd for r in recs) if recs else 0.0
    top = list(recs[:TOP_RECOMMENDATIONS])
    # The points are the table's rows, each numbered as its row.
    points = [
        (str(n), r.effort_days, max(r.annual_saving_usd, 1.0), QUADRANT_COLOURS[r.quadrant])
        for n, r in enumerate(top, start=1)
    ]
    slug = "prevention-matrix"
    title = "Prevention: impact against effort"
    figure = (
        charts.scatter(
            slug,
            title,
            points,
            "Effort (days)",
            "Expected saving per year (log scale)",
            log_y=True,
            split=(settings.cost.quick_win_effort_days, max(middle, 1.0)),
            corners=("Quick wins", "Big bets", "Fill-ins", "Money pits"),
        )
        if points
        else ""
    )
    rows = [
        [
            str(n),
            escape.cell(r.title),
            r.kind,
            r.quadrant,
            r.priority,
            cost.usd(r.annual_saving_usd),
            display.number(r.effort_days),
            "—" if r.roi is None else f"{r.roi:.1f}",
        ]
        for n, r in enumerate(top, start=1)
    ]
    note = (
        f"Dashed lines: {display.number(settings.cost.quick_win_effort_days)} days of effort "
        f"(learnloop.yml `cost.quick_win_effort_days`) and the median saving, "
        f"{cost.usd(middle)} a year, over all {plural(len(recs), 'recommendation')}. Numbers "
        "on the points are the ranks in the table."
    )
    if len(recs) > len(top):
        note += f" The chart and the table show the top {len(top)} of {len(recs)}."
    return Chart(
        slug,
        title,
        note,
        figure,
        table(
            [
                "#",
                "Recommendation",
                "Kind",
                "Quadrant",
                "Priority",
                "Saving / year",
                "Effort (days)",
                "ROI",
            ],
            rows,
        ),
    )


def table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; cells arrive escaped. With no rows, a line saying so."""
    if not rows:
        return "*No data yet.*"
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _rate(count: int, months: float, rate: float | None) -> str:
    per = "—" if rate is None else f"{rate:.2f}/month"
    return f"{count} in {months:.1f} months ({per})"


def _p(p: float) -> str:
    return "p<0.0001" if p < 0.0001 else f"p={p:.3g}"


def plural(n: int, noun: str) -> str:
    """ "1 incident", "2,000 incidents"."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
