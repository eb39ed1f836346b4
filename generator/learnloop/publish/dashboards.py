"""The dashboards: pages of charts drawn at build time, each with the numbers behind it.

Everything is computed from the incidents this build publishes (a public build's dashboards
know nothing of restricted incidents) as of the newest incident's start, so the same
repository always gives the same pages. Nothing is written to the repository.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from learnloop.analyze import actions, cost, feedback, prevention, rootcause
from learnloop.analyze.patterns import MIN_SIZE, Pattern
from learnloop.model import Incident
from learnloop.publish import dashboard_panels, display
from learnloop.publish.dashboard_panels import Chart
from learnloop.publish.plan import DASHBOARDS, href
from learnloop.settings import Settings

FOLDER = "dashboards"
INDEX = DASHBOARDS
FIGURE = '<figure class="ll-chart" id="chart-{slug}" data-search-exclude>'
# A board is charts and wide tables, with one heading per chart: the page's table of contents
# would only narrow them.
FRONT = "---\nhide: [toc]\ntags: [Dashboard]\n---\n\n"


@dataclass(frozen=True)
class Board:
    """One dashboard page: a group of charts about one question."""

    path: str
    title: str
    question: str
    charts: tuple[Chart, ...]


@dataclass(frozen=True)
class Inputs:
    """What the dashboards are drawn from: the published incidents and their patterns."""

    incidents: tuple[Incident, ...]
    patterns: tuple[Pattern, ...]  # only published members, patterns left with none dropped
    settings: Settings
    today: date
    pattern_pages: Mapping[str, str]  # pattern id -> site page (runbook) when there is one
    incident_pages: Mapping[str, str]  # incident id -> site page
    systemic: Sequence[rootcause.SystemicIssue] | None = None  # computed here when None
    note: str = ""  # how restricted incidents are counted, when there are any


def shown_patterns(patterns: Sequence[Pattern], counted: set[str]) -> tuple[Pattern, ...]:
    """The patterns as the figures count them: counted members only, and only patterns that
    still recur with them (as the knowledge base counts them)."""
    out = []
    for pattern in patterns:
        members = tuple(i for i in pattern.incidents if i in counted)
        if len(members) >= MIN_SIZE:
            out.append(replace(pattern, incidents=members))
    return tuple(out)


def render(inputs: Inputs) -> dict[str, str]:
    """Every dashboard page (path -> Markdown), the index included."""
    built = boards(inputs)
    pages = {board.path: render_board(board, inputs.note) for board in built}
    pages[INDEX] = render_index(built, inputs)
    return dict(sorted(pages.items()))


def boards(inputs: Inputs) -> list[Board]:
    """The dashboard pages with their charts, in reading order."""
    incidents = sorted(inputs.incidents, key=lambda i: (i.started_at, i.id))
    pattern_of = {i: p.id for p in inputs.patterns for i in p.incidents}
    titles = {p.id: p.title for p in inputs.patterns}
    costs = cost.costs(incidents, inputs.settings)
    items = actions.rows(incidents, inputs.settings, inputs.today) if incidents else []
    found = feedback.recurrences(incidents, pattern_of, items, inputs.today) if incidents else []
    fixed = feedback.fixes(found)
    systemic = list(inputs.systemic) if inputs.systemic is not None else []
    if inputs.systemic is None and incidents:
        systemic = rootcause.systemic_issues(
            incidents, inputs.patterns, lexicon=inputs.settings.themes
        )
    recs = (
        prevention.recommend(
            incidents,
            pattern_of,
            titles,
            costs,
            items,
            fixed,
            inputs.settings,
            incidents[0].started_at.date(),
            inputs.today,
            systemic,
        )
        if incidents
        else []
    )
    targets = dashboard_panels.Targets(inputs.pattern_pages, inputs.incident_pages)
    return [
        Board(
            f"{FOLDER}/incidents.md",
            "Incidents over time",
            "How many incidents, how severe, and when in the week they start.",
            (
                dashboard_panels.severity_by_month(incidents),
                dashboard_panels.hour_of_week(incidents),
            ),
        ),
        Board(
            f"{FOLDER}/time-to-resolve.md",
            "Time to resolve",
            "How long incidents take to resolve, service by service: the spread, not a mean.",
            (dashboard_panels.ttr_by_service(incidents),),
        ),
        Board(
            f"{FOLDER}/patterns.md",
            "Patterns",
            "Which failures recur, what they cost, and the causes behind them.",
            (
                dashboard_panels.patterns_by_impact(
                    incidents, inputs.patterns, costs, targets, f"{FOLDER}/patterns.md"
                ),
                dashboard_panels.cause_symptom_map(incidents, inputs.patterns, systemic),
            ),
        ),
        Board(
            f"{FOLDER}/follow-up.md",
            "Follow-up",
            "Whether action items get done, and whether fixes made patterns recur less.",
            (
                dashboard_panels.action_backlog(items, inputs.today),
                dashboard_panels.recurrence(fixed, titles, targets, f"{FOLDER}/follow-up.md"),
            ),
        ),
        Board(
            f"{FOLDER}/prevention.md",
            "Prevention",
            "Where prevention work pays: expected saving against effort.",
            (dashboard_panels.prevention_matrix(recs, inputs.settings),),
        ),
    ]


def render_board(board: Board, note: str = "") -> str:
    """A dashboard page: per chart a heading, how to read it, the figure, then its table."""
    parts = [
        f"{FRONT}# {board.title}",
        "",
        '<p class="ll-kind">Dashboard</p>',
        "",
        board.question,
        "",
    ]
    if note:
        parts += [f'<p class="ll-note">{html.escape(note, quote=False)}</p>', ""]
    for chart in board.charts:
        parts += [f"## {chart.title}", "", chart.note, ""]
        if chart.figure.startswith("```"):
            parts += [chart.figure, ""]
        elif chart.figure:
            # Kept out of search: the table below says the same in words.
            parts += [FIGURE.format(slug=chart.slug), chart.figure, "</figure>", ""]
        else:
            parts += ["*Not enough data to draw this yet.*", ""]
        parts += [chart.table, ""]
    return "\n".join(parts).rstrip("\n") + "\n"


def render_index(built: Sequence[Board], inputs: Inputs) -> str:
    """dashboards/index.md: what the dashboards cover and a line per dashboard."""
    incidents = inputs.incidents
    lines = ["# Dashboards", ""]
    if incidents:
        first = min(i.started_at for i in incidents)
        last = max(i.started_at for i in incidents)
        lines += [
            f"Drawn from {dashboard_panels.plural(len(incidents), 'incident')} "
            f"({display.day(first)} to {display.day(last)}) and "
            f"{dashboard_panels.plural(len(inputs.patterns), 'recurring pattern')}, "
            f"as of {inputs.today}. "
            "Every chart has the numbers behind it in a table below it.",
            "",
        ]
    else:
        lines += ["No incidents yet: the dashboards fill in as post-mortems arrive.", ""]
    if inputs.note:
        lines += [f'<p class="ll-note">{html.escape(inputs.note, quote=False)}</p>', ""]
    rows = [
        [f"[{b.title}]({href(INDEX, b.path)})", b.question, ", ".join(c.title for c in b.charts)]
        for b in built
    ]
    lines.append(dashboard_panels.table(["Dashboard", "Question", "Charts"], rows))
    return "\n".join(lines).rstrip("\n") + "\n"
