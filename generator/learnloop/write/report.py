"""Executive, technical and monthly learning reports: figures first, then words around them.

`report_data` gathers every figure of a report into plain JSON-ready data (pure: the same
incidents, settings, filters and `today` give the same data); `sections` turns that data
into headed blocks of text and tables, which render to Markdown, a self-contained HTML page,
or the site's generated documents (`render_reports`).

The period, services and severity filters choose the incidents a report is about. Rates,
recommendations, the feedback loop and the action-item backlog need history, so they look at
every incident within the service and severity filters up to the period's end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

import markdown
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from learnloop.analyze import actions, cost, feedback, metrics, prevention
from learnloop.analyze.metrics import Filters
from learnloop.analyze.patterns import Patterns
from learnloop.analyze.prevention import SystemicLike
from learnloop.model import ACTION_STATUSES, SEVERITIES, Corpus, Incident
from learnloop.publish import escape
from learnloop.settings import Settings
from learnloop.write.document import Region, render

KINDS = ("executive", "technical")
FORMATS = ("md", "json", "html")
REPORTS_DIR = "kb/reports"
SITE_WINDOW_DAYS = 90  # the site's executive and technical reports cover the last quarter
TITLES = {
    "executive": "Executive incident report",
    "technical": "Technical incident report",
    "monthly": "Monthly learning report",
}


@dataclass(frozen=True)
class Inputs:
    """What every report is computed from: all incidents, their patterns, the settings."""

    incidents: tuple[Incident, ...]
    pattern_of: Mapping[str, str]
    titles: Mapping[str, str]  # pattern id -> title
    settings: Settings = field(default_factory=Settings)


class AnalysisLike(Protocol):
    """What reports need of `commands.patterns.Analysis`."""

    @property
    def corpus(self) -> Corpus: ...
    @property
    def patterns(self) -> Patterns: ...
    @property
    def settings(self) -> Settings: ...


def inputs_of(analysis: AnalysisLike) -> Inputs:
    """Inputs from a `commands.patterns.Analysis`."""
    return Inputs(
        incidents=tuple(analysis.corpus.incidents),
        pattern_of=analysis.patterns.of(),
        titles={p.id: p.title for p in analysis.patterns.patterns},
        settings=analysis.settings,
    )


def _first(incidents: Sequence[Incident]) -> date | None:
    return min((i.started_at.date() for i in incidents), default=None)


def _trends(inputs: Inputs, filters: Filters, today: date) -> dict[str, Any] | None:
    first = _first(inputs.incidents)
    pair = metrics.previous_period(filters, first, today)
    if pair is None or first is None:
        return None
    earlier, later = pair
    start = max(first, earlier.start or first)  # nothing was observed before the first incident
    e_end, l_start, l_end = earlier.end, later.start, later.end
    if e_end is None or start > e_end or l_start is None or l_end is None:
        return None
    before = metrics.select(
        inputs.incidents, Filters(start, e_end, filters.services, filters.severities)
    )
    after = metrics.select(inputs.incidents, later)
    months_b = metrics.months_between(start, e_end)
    months_a = metrics.months_between(l_start, l_end)
    verdict, p = metrics.rate_verdict(len(before), months_b, len(after), months_a)
    out: dict[str, Any] = {
        "earlier": {"from": start.isoformat(), "to": e_end.isoformat(), "count": len(before)},
        "later": {"from": l_start.isoformat(), "to": l_end.isoformat(), "count": len(after)},
        "incidents": {"verdict": verdict, "p_value": p},
    }
    for metric in ("ttr", "ttd", "ttm"):
        change = metrics.compare(
            metric,
            metrics.summarize(getattr(metrics.timed(i), metric) for i in before),
            metrics.summarize(getattr(metrics.timed(i), metric) for i in after),
        )
        out[metric] = {
            "verdict": change.verdict,
            "statement": change.statement,
            "earlier": change.before.as_dict(),
            "later": change.after.as_dict(),
        }
    return out


def report_data(
    kind: str,
    inputs: Inputs,
    filters: Filters,
    today: date | None,
    systemic: Sequence[SystemicLike] = (),
) -> dict[str, Any]:
    """Every figure of a report as plain data; `today` defaults to the newest incident's day."""
    today = today or metrics.default_today(inputs.incidents)
    settings = inputs.settings
    end = filters.end or today
    filters = Filters(filters.start, end, filters.services, filters.severities)
    selected = metrics.select(inputs.incidents, filters)
    frame = metrics.incident_frame(selected, settings, inputs.pattern_of)
    ttr = metrics.summarize(frame["ttr"].tolist()).as_dict()
    data: dict[str, Any] = {
        "kind": kind,
        "title": TITLES.get(kind, kind),
        "today": today.isoformat() if today else None,
        "period": {
            "from": filters.start.isoformat() if filters.start else None,
            "to": end.isoformat() if end else None,
        },
        "filters": {"services": list(filters.services), "severities": list(filters.severities)},
        "incident_count": len(selected),
        "ttr_minutes": ttr,
        "incidents_by_severity": {
            s: n for s in SEVERITIES if (n := sum(i.severity == s for i in selected))
        },
        "incident_ids": [i.id for i in selected],
        "overview": metrics.overview(frame),
    }
    first = _first(inputs.incidents)
    if end is None or first is None:
        return data
    hist = metrics.history(inputs.incidents, filters)
    costs = cost.costs(selected if kind == "monthly" else hist, settings)
    data["cost"] = {**cost.summary(selected, costs), "assumptions": cost.assumptions(settings)}
    data["trends"] = _trends(inputs, filters, end)
    if kind == "monthly":
        return data
    items = actions.rows(hist, settings, end)
    found = feedback.recurrences(hist, inputs.pattern_of, items, end)
    fixed = feedback.fixes(found)
    recs = prevention.recommend(
        hist,
        inputs.pattern_of,
        inputs.titles,
        costs,
        items,
        fixed,
        settings,
        first,
        end,
        systemic,
    )
    top = recs[: prevention.TOP]
    data["recommendations"] = [r.as_dict() | {"assumptions": r.assumptions()} for r in top]
    data["matrix"] = prevention.matrix(top)
    data["prevention_total_usd"] = round(sum(r.annual_saving_usd for r in top), 2)
    risks = prevention.risks(hist, inputs.pattern_of, inputs.titles, costs, fixed, first, end)
    backlog = actions.backlog(items, end)
    data["feedback"] = {
        "fixes": [fixed[p].as_dict() for p in sorted(fixed)],
        "accuracy": feedback.accuracy(fixed),
        "maturity": feedback.maturity(hist, inputs.pattern_of, items, fixed, end),
        "runbooks": feedback.runbooks(hist, inputs.pattern_of),
    }
    start = filters.start or first
    completed = [r for r in items if r.done_at is not None and start <= r.done_at <= end]
    data["completed_in_period"] = len(completed)
    if kind == "executive":
        data["risks"] = [r for r in risks if not r["fix_worked"]][:5]
        data["severe_incidents"] = [
            {"id": i.id, "title": i.title, "severity": i.severity, "ttr": metrics.timed(i).ttr}
            for i in reversed(selected)
            if i.severity in ("P0", "P1")
        ]
        data["actions"] = {k: v for k, v in backlog.items() if not k.endswith("_items")}
        data["actions"]["per_owner"] = backlog["per_owner"][:10]
        return data
    data["breakdowns"] = {
        by: metrics.breakdown(frame, by, ("ttr", "ttd") if by == "service" else ("ttr",))
        for by in metrics.GROUPINGS
    }
    data["patterns"] = _patterns(risks, hist, selected, inputs.pattern_of, data["feedback"])
    data["systemic"] = prevention.systemic_summary(systemic, hist, costs)
    data["actions"] = backlog
    data["feedback"]["recurrences"] = [r.as_dict() for r in found]
    data["detection"] = metrics.detection(selected, data["breakdowns"]["service"])
    return data


def _patterns(
    risks: Sequence[dict[str, Any]],
    hist: Sequence[Incident],
    selected: Sequence[Incident],
    pattern_of: Mapping[str, str],
    fb: dict[str, Any],
) -> list[dict[str, Any]]:
    runbook = {r["pattern"]: r for r in fb["runbooks"]["per_pattern"]}
    in_period = {i.id for i in selected}
    groups: dict[str, list[Incident]] = {}
    for incident in hist:
        if incident.id in pattern_of:
            groups.setdefault(pattern_of[incident.id], []).append(incident)
    out = []
    for risk in sorted(risks, key=lambda r: r["pattern"]):
        members = groups[risk["pattern"]]
        out.append(
            {
                **risk,
                "in_period": sum(m.id in in_period for m in members),
                "services": sorted({s for m in members for s in m.services}),
                "ttr_minutes": metrics.summarize(metrics.timed(m).ttr for m in members).as_dict(),
                "runbook_verdict": runbook[risk["pattern"]]["verdict"],
            }
        )
    return out


def monthly_data(inputs: Inputs, month: str) -> dict[str, Any]:
    """The figures of one month's learning report (YYYY-MM)."""
    year, mon = int(month[:4]), int(month[5:7])
    start = date(year, mon, 1)
    end = date(year + (mon == 12), mon % 12 + 1, 1) - timedelta(days=1)
    filters = Filters(start, end)
    selected = metrics.select(inputs.incidents, filters)
    data = report_data("monthly", inputs, filters, end)
    before = {i.id for i in inputs.incidents if i.started_at.date() < start}
    first_seen = sorted(
        {
            inputs.pattern_of[i.id]
            for i in selected
            if i.id in inputs.pattern_of
            and not any(inputs.pattern_of.get(b) == inputs.pattern_of[i.id] for b in before)
        }
    )
    costs = cost.costs(selected, inputs.settings)
    data["title"] = f"Monthly learning report {month}"
    data["month"] = month
    data["new_patterns"] = [{"pattern": p, "title": inputs.titles.get(p, p)} for p in first_seen]
    data["incidents"] = [
        {
            "id": i.id,
            "title": i.title,
            "severity": i.severity,
            "pattern": inputs.pattern_of.get(i.id),
            "ttr": metrics.timed(i).ttr,
            "cost_usd": costs[i.id].total_usd,
        }
        for i in selected
    ]
    done = [
        {"incident": i.id, "id": a.id, "title": a.title, "kind": a.kind, "done_at": a.done_at}
        for i in sorted(inputs.incidents, key=lambda i: i.id)
        for a in i.action_items
        if a.status == "done" and a.done_at is not None and start <= a.done_at <= end
    ]
    done.sort(key=lambda d: (str(d["done_at"]), str(d["incident"]), str(d["id"])))
    data["completed_items"] = [d | {"done_at": str(d["done_at"])} for d in done]
    raised = [a.status for i in selected for a in i.action_items]
    data["raised"] = {"total": len(raised), **{s: raised.count(s) for s in ACTION_STATUSES}}
    compared: set[str] = set()
    if data.get("trends"):
        earlier = data["trends"]["earlier"]
        window = Filters(date.fromisoformat(earlier["from"]), date.fromisoformat(earlier["to"]))
        compared = {i.id for i in metrics.select(inputs.incidents, window)}
    data["sources"] = sorted({i.id for i in selected} | {d["incident"] for d in done} | compared)
    return data


# --- output --------------------------------------------------------------------------------

SECTIONS = {
    "executive": ("summary", "cost", "risks", "prevention", "wins"),
    "technical": (
        "summary",
        "durations",
        "patterns",
        "systemic",
        "action-items",
        "detection",
        "recommendations",
        "feedback",
        "cost",
    ),
    "monthly": ("summary", "incidents", "new-patterns", "action-items", "cost"),
}


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _interval(pair: Sequence[float] | None) -> str:
    return "—" if not pair else f"{pair[0]:,.1f}–{pair[1]:,.1f}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


_ENV = Environment(
    loader=PackageLoader("learnloop.write", "templates"),
    autoescape=select_autoescape(["html"], default_for_string=False, default=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=StrictUndefined,
)
_ENV.filters.update(
    usd=cost.usd,
    minutes=_minutes,
    interval=_interval,
    share=_share,
    number=_number,
    cell=escape.cell,
    text=escape.inline,
    p=metrics.p_text,
)
_BLANKS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Section:
    """A headed part of a report: a region of the site's generated document."""

    name: str  # the region's name in a generated document
    markdown: str  # starts with its `## ` heading


def sections(data: dict[str, Any]) -> list[Section]:
    """The report's sections as Markdown; an empty period has only its summary."""
    kind = data["kind"]
    own = _ENV.get_template(f"report_{kind}.md.j2").module
    common = _ENV.get_template("report_common.md.j2").module
    names = SECTIONS[kind] if data["incident_count"] else ("summary",)
    out = []
    for name in names:
        macro = getattr(own, name.replace("-", "_"), None) or getattr(
            common, name.replace("-", "_")
        )
        text = _BLANKS.sub("\n\n", str(macro(data))).strip("\n")
        out.append(Section(name, text))
    return out


def to_json(data: dict[str, Any]) -> str:
    """The report's data as JSON (the DESIGN §4 contract and more)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_markdown(data: dict[str, Any]) -> str:
    """The report as one Markdown page."""
    parts = [f"# {data['title']}", *(s.markdown for s in sections(data))]
    return "\n\n".join(parts) + "\n"


def to_html(data: dict[str, Any]) -> str:
    """The report as one self-contained HTML page: inline CSS, nothing fetched, text escaped."""
    body = markdown.markdown("\n\n".join(s.markdown for s in sections(data)), extensions=["tables"])
    page = _ENV.get_template("report.html.j2")
    return page.render(title=data["title"], body=Markup(body))


def render_format(data: dict[str, Any], fmt: str) -> str:
    """The report in md, json or html."""
    if fmt == "json":
        return to_json(data)
    if fmt == "html":
        return to_html(data)
    return to_markdown(data)


def recommendation_table(
    analysis: AnalysisLike, today: date | None = None, systemic: Sequence[SystemicLike] = ()
) -> dict[str, Any]:
    """For the site: the ranked recommendations with their arithmetic, and the matrix."""
    data = report_data("technical", inputs_of(analysis), Filters(), today, systemic)
    return {
        "recommendations": data.get("recommendations", []),
        "matrix": data.get("matrix", {}),
        "total_usd": data.get("prevention_total_usd", 0.0),
    }


def feedback_figures(analysis: AnalysisLike, today: date | None = None) -> dict[str, Any]:
    """For the site: fixes judged, every completed item's recurrence, runbooks, maturity."""
    data = report_data("technical", inputs_of(analysis), Filters(), today)
    return dict(data.get("feedback", {}))


def render_reports(
    analysis: AnalysisLike,
    today: date | None,
    existing: Callable[[str], str | None],
    systemic: Sequence[SystemicLike] = (),
) -> dict[str, str]:
    """kb/reports/: the latest executive and technical reports, and one per month of data."""
    inputs = inputs_of(analysis)
    today = today or metrics.default_today(inputs.incidents)
    if today is None:
        return {}
    period = Filters(today - timedelta(days=SITE_WINDOW_DAYS - 1), today)
    by_id = {i.id: i for i in inputs.incidents}
    review = inputs.settings.review_period_days
    out: dict[str, str] = {}
    for kind in KINDS:
        data = report_data(kind, inputs, period, today, systemic)
        path = f"{REPORTS_DIR}/{kind}.md"
        sources = [i for i in metrics.history(inputs.incidents, period)]
        out[path] = _document(data, sources, existing(path), review)
    months = sorted({i.started_at.date().isoformat()[:7] for i in inputs.incidents})
    for month in months:
        data = monthly_data(inputs, month)
        path = f"{REPORTS_DIR}/{month}.md"
        sources = [by_id[i] for i in data["sources"]]
        out[path] = _document(data, sources, existing(path), review)
    return out


def _document(
    data: dict[str, Any], sources: Sequence[Incident], old: str | None, review: int
) -> str:
    title = data["title"]
    regions = [Region(s.name, s.markdown) for s in sections(data)]
    return render(
        kind="report",
        title=title,
        regions=regions,
        sources=sources,
        existing=old,
        review_period_days=review,
    )
