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

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from functools import partial
from typing import Any

from learnloop.analyze import metrics
from learnloop.analyze.metrics import Filters
from learnloop.analyze.prevention import SystemicLike
from learnloop.model import Incident
from learnloop.write.cache import RenderCache, fingerprint
from learnloop.write.document import Region, render
from learnloop.write.report.inputs import (
    FORMATS,
    KINDS,
    SITE_WINDOW_DAYS,
    AnalysisLike,
    Inputs,
    Whole,
    feedback_figures,
    first_day,
    inputs_of,
    recommendation_table,
    report_data,
)
from learnloop.write.report.months import Month, bounds, month_data, monthly_data, months_of
from learnloop.write.report.output import render_format, sections, to_html, to_json, to_markdown

__all__ = [
    "FORMATS",
    "KINDS",
    "REPORTS_DIR",
    "Inputs",
    "bounds",
    "feedback_figures",
    "inputs_of",
    "month_data",
    "monthly_data",
    "months_of",
    "recommendation_table",
    "render_format",
    "render_reports",
    "report_data",
    "to_html",
    "to_json",
    "to_markdown",
]

REPORTS_DIR = "kb/reports"


def render_reports(
    analysis: AnalysisLike,
    today: date | None,
    existing: Callable[[str], str | None],
    systemic: Sequence[SystemicLike] = (),
    cache: RenderCache | None = None,
) -> dict[str, str]:
    """kb/reports/: the latest executive and technical reports, and one per month of data.

    The latest reports read the whole corpus; a monthly report reads its `Month`. Each is
    reused from `cache` while what it reads and its current text are unchanged.
    """
    cache = cache or RenderCache()
    inputs = inputs_of(analysis)
    inputs = replace(inputs, first=first_day(inputs))  # every report asks: found once
    today = today or metrics.default_today(inputs.incidents)
    if today is None:
        return {}
    period = Filters(today - timedelta(days=SITE_WINDOW_DAYS - 1), today)
    shared: dict[tuple[Filters, date], Whole] = {}  # the two latest reports share one history
    review = inputs.settings.review_period_days
    out: dict[str, str] = {}
    corpus = fingerprint(inputs, systemic)  # what both latest reports read, digested once
    for kind in KINDS:
        path = f"{REPORTS_DIR}/{kind}.md"
        latest = partial(_latest, kind, inputs, period, today, systemic, cache, shared)
        reads = (kind, corpus, period, today, review)
        out[path] = cache.document(path, reads, existing(path), latest, partial(_document, review))
    for month, part in months_of(inputs).items():
        path = f"{REPORTS_DIR}/{month}.md"
        monthly = partial(_monthly, part)
        out[path] = cache.document(
            path, (part, review), existing(path), monthly, partial(_document, review)
        )
    return out


# A report's title, its sections as regions, and its sources: all but the file's own text.
Parts = tuple[str, list[Region], list[Incident]]


def _latest(
    kind: str,
    inputs: Inputs,
    period: Filters,
    today: date,
    systemic: Sequence[SystemicLike],
    cache: RenderCache,
    shared: dict[tuple[Filters, date], Whole],
) -> Parts:
    data = report_data(kind, inputs, period, today, systemic, cache, shared)
    # The sources are the history both latest reports computed (report_data sets the end).
    whole = shared.get((period, inputs.first)) if inputs.first is not None else None
    return _parts(data, whole.hist if whole else metrics.history(inputs.incidents, period))


def _monthly(part: Month) -> Parts:
    data = month_data(part)
    by_id = {i.id: i for i in (*part.inputs.incidents, *part.done)}
    return _parts(data, [by_id[i] for i in data["sources"]])


def _parts(data: dict[str, Any], sources: list[Incident]) -> Parts:
    return data["title"], [Region(s.name, s.markdown) for s in sections(data)], sources


def _document(review: int, parts: Parts, old: str | None) -> str:
    title, regions, sources = parts
    return render(
        kind="report",
        title=title,
        regions=regions,
        sources=sources,
        existing=old,
        review_period_days=review,
    )
