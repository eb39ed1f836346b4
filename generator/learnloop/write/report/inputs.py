"""What reports read (the incidents, their patterns, the settings), and the figures of the
executive and technical reports."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, Protocol

from learnloop.analyze import actions, cost, feedback, metrics, prevention
from learnloop.analyze.metrics import Filters
from learnloop.analyze.patterns import Patterns
from learnloop.analyze.prevention import SystemicLike
from learnloop.enrich import timings
from learnloop.model import SEVERITIES, Corpus, Incident
from learnloop.settings import Settings
from learnloop.write.cache import RenderCache, fingerprint

KINDS = ("executive", "technical")


FORMATS = ("md", "json", "html")


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
    # The corpus's first day when `incidents` are only the part of it a report reads (see
    # `Month`); None: the first day of `incidents`.
    first: date | None = None


class AnalysisLike(Protocol):
    """What reports need of `analyze.analysis.Analysis`."""

    @property
    def corpus(self) -> Corpus: ...
    @property
    def patterns(self) -> Patterns: ...
    @property
    def settings(self) -> Settings: ...


def inputs_of(analysis: AnalysisLike) -> Inputs:
    """Inputs from a `analyze.analysis.Analysis`."""
    return Inputs(
        incidents=tuple(analysis.corpus.incidents),
        pattern_of=analysis.patterns.of(),
        titles={p.id: p.title for p in analysis.patterns.patterns},
        settings=analysis.settings,
    )


def first_day(inputs: Inputs) -> date | None:
    if inputs.first is not None:
        return inputs.first
    return min((i.started_at.date() for i in inputs.incidents), default=None)


def _trends(inputs: Inputs, filters: Filters, today: date) -> dict[str, Any] | None:
    first = first_day(inputs)
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
            metrics.summarize(getattr(timings(i), metric) for i in before),
            metrics.summarize(getattr(timings(i), metric) for i in after),
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
    cache: RenderCache | None = None,
    shared: dict[tuple[Filters, date], Whole] | None = None,
) -> dict[str, Any]:
    """Every figure of a report as plain data; `today` defaults to the newest incident's day.

    `cache` keeps per-pattern figures between runs (see `_PerPattern`); without one they are
    computed afresh: the data is the same either way. Reports of one run over the same inputs
    pass one `shared` dict so the whole history's figures are worked out once.
    """
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
    first = first_day(inputs)
    if end is None or first is None:
        return data
    if kind == "monthly":
        costs = cost.costs(selected, settings)
        data["cost"] = {**cost.summary(selected, costs), "assumptions": cost.assumptions(settings)}
        data["trends"] = _trends(inputs, filters, end)
        return data
    if shared is None or (filters, first) not in shared:
        whole = _whole(inputs, filters, first, systemic, cache)
        if shared is not None:
            shared[filters, first] = whole
    else:
        whole = shared[filters, first]
    hist, costs, items = whole.hist, whole.costs, whole.items
    risks, backlog = whole.risks, whole.backlog
    data["cost"] = {**cost.summary(selected, costs), "assumptions": cost.assumptions(settings)}
    data["trends"] = whole.trends
    top = whole.recs[: prevention.TOP]
    data["recommendations"] = [r.as_dict() | {"assumptions": r.assumptions()} for r in top]
    data["matrix"] = prevention.matrix(top)
    data["prevention_total_usd"] = round(sum(r.annual_saving_usd for r in top), 2)
    data["feedback"] = dict(whole.feedback)  # technical reports add to it: a copy
    start = filters.start or first
    completed = [r for r in items if r.done_at is not None and start <= r.done_at <= end]
    data["completed_in_period"] = len(completed)
    if kind == "executive":
        data["risks"] = [r for r in risks if not r["fix_worked"]][:5]
        data["severe_incidents"] = [
            {"id": i.id, "title": i.title, "severity": i.severity, "ttr": timings(i).ttr}
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
    data["patterns"] = _patterns(risks, whole.per, selected, data["feedback"])
    data["systemic"] = prevention.systemic_summary(systemic, hist, costs)
    data["actions"] = backlog
    data["feedback"]["recurrences"] = [r.as_dict() for r in whole.found]
    data["feedback"]["judged"] = _judged(whole.found)
    data["detection"] = metrics.detection(selected, data["breakdowns"]["service"])
    return data


def _judged(found: Sequence[feedback.Recurrence]) -> list[dict[str, Any]]:
    """Per pattern with a completed item: how many, and the fix its recurrence is judged by.

    The report's table: one row per pattern. Every item's own before and after counts stay in
    the JSON and in each pattern's article ("What was tried"): at thousands of items, a table
    of them all would be most of the report and read by nobody.
    """
    done = Counter(r.pattern for r in found)
    fixed = feedback.fixes(found)
    return [
        {"pattern": p, "completed": done[p], "fix": fixed[p].as_dict() if p in fixed else None}
        for p in sorted(done)
    ]


@dataclass(frozen=True)
class Whole:
    """The figures of the whole history up to a report's end, which both latest reports read."""

    hist: list[Incident]
    costs: dict[str, cost.IncidentCost]
    items: list[actions.ItemRow]
    per: _PerPattern
    found: list[feedback.Recurrence]
    recs: list[prevention.Recommendation]
    risks: list[dict[str, Any]]
    backlog: dict[str, Any]
    feedback: dict[str, Any]
    trends: dict[str, Any] | None  # the period against the one before it


def _whole(
    inputs: Inputs,
    filters: Filters,
    first: date,
    systemic: Sequence[SystemicLike],
    cache: RenderCache | None,
) -> Whole:
    """`Whole` of the history within the filters, up to their end (which is set)."""
    end = filters.end
    assert end is not None  # report_data sets it
    settings = inputs.settings
    hist = metrics.history(inputs.incidents, filters)
    cache = cache or RenderCache()
    # Each incident's cost and action items, kept per incident file: one new incident costs
    # one incident's worth of work here, not the whole history's.
    config = fingerprint(settings)
    each_cost = cache.per_incident(
        "report-cost", (config,), partial(cost.incident_cost, settings=settings)
    )
    each_rows = cache.per_incident(
        "report-items", (config, end), partial(actions.incident_rows, settings=settings, as_of=end)
    )
    costs = cost.costs(hist, settings, each_cost)
    items = actions.rows(hist, settings, end, each_rows)
    per = _PerPattern(cache, config, hist, inputs, items, costs, first, end)
    found = per.recurrences()
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
        partial(per.candidates, fixed),
    )
    risks = prevention.risks(hist, inputs.pattern_of, inputs.titles, costs, fixed, first, end)
    fb = {
        "fixes": [fixed[p].as_dict() for p in sorted(fixed)],
        "accuracy": feedback.accuracy(fixed),
        "maturity": feedback.maturity(hist, inputs.pattern_of, items, fixed, end),
        "runbooks": feedback.runbooks(hist, inputs.pattern_of, per.runbooks),
    }
    backlog = actions.backlog(items, end)
    trends = _trends(inputs, filters, end)
    return Whole(hist, costs, items, per, found, recs, risks, backlog, fb, trends)


def _patterns(
    risks: Sequence[dict[str, Any]],
    per: _PerPattern,
    selected: Sequence[Incident],
    fb: dict[str, Any],
) -> list[dict[str, Any]]:
    runbook = {r["pattern"]: r for r in fb["runbooks"]["per_pattern"]}
    in_period = {i.id for i in selected}
    out = []
    for risk in sorted(risks, key=lambda r: r["pattern"]):
        members = per.groups[risk["pattern"]]
        out.append(
            {
                **risk,
                "in_period": sum(m.id in in_period for m in members),
                "services": sorted({s for m in members for s in m.services}),
                "ttr_minutes": per.ttr(risk["pattern"]),
                "runbook_verdict": runbook[risk["pattern"]]["verdict"],
            }
        )
    return out


class _PerPattern:
    """The figures of one pattern that a whole-corpus report needs, each reused while its inputs
    are unchanged.

    The latest reports cover the whole history, so one new incident changes them; yet their
    costly parts (recurrence tests, bootstrap intervals, candidate recommendations) are per
    pattern, and one new incident touches one pattern. Each is a `RenderCache.value` keyed by
    exactly what it reads: the pattern's members (an incident stands for its file's bytes), the
    day the report is as of, and the settings (digested once, as they are the same for all).
    """

    def __init__(
        self,
        cache: RenderCache,
        settings: str,
        hist: Sequence[Incident],
        inputs: Inputs,
        items: Sequence[actions.ItemRow],
        costs: Mapping[str, cost.IncidentCost],
        first: date,
        end: date,
    ) -> None:
        self.cache, self.inputs, self.costs, self.first, self.end = cache, inputs, costs, first, end
        self.settings = settings  # the digest of inputs.settings
        self.groups: dict[str, list[Incident]] = {}
        for incident in hist:
            if incident.id in inputs.pattern_of:
                self.groups.setdefault(inputs.pattern_of[incident.id], []).append(incident)
        self.items: dict[str, list[actions.ItemRow]] = defaultdict(list)
        for row in items:
            self.items[row.incident].append(row)
        # Every key of a pattern holds its members: digested once, not once per figure.
        self.digests = {p: fingerprint(members) for p, members in self.groups.items()}

    def _members(self, pattern: str, members: Sequence[Incident]) -> str:
        """The digest of members, which are usually the pattern's own list."""
        own = self.groups.get(pattern)
        if own is not None and (members is own or list(members) == own):
            return self.digests[pattern]
        return fingerprint(list(members))

    def _key(self, pattern: str, members: Sequence[Incident]) -> tuple[object, ...]:
        return (pattern, self._members(pattern, members), self.end, self.settings)

    def recurrences(self) -> list[feedback.Recurrence]:
        """`feedback.recurrences` of the history, pattern by pattern."""
        found: list[feedback.Recurrence] = []
        for pattern in sorted(self.groups):
            members = self.groups[pattern]

            def compute(pattern: str = pattern, members: list[Incident] = members) -> Any:
                # Items are in incident-id order, as `actions.rows` lists them for all.
                own = [r for m in sorted(members, key=lambda i: i.id) for r in self.items[m.id]]
                return feedback.recurrences(
                    members, {m.id: pattern for m in members}, own, self.end
                )

            found += self.cache.value("report-recurrences", self._key(pattern, members), compute)
        # Stable, like the sort over all items: ties keep their incident-id order.
        return sorted(found, key=lambda r: (r.pattern, r.done_at, r.incident, r.item))

    def runbooks(self, pattern: str, members: Sequence[Incident]) -> dict[str, Any]:
        """`feedback.runbook_figures` of one pattern."""
        key = (pattern, self._members(pattern, members))
        return self.cache.value("report-runbooks", key, partial(feedback.runbook_figures, members))

    def ttr(self, pattern: str) -> dict[str, Any]:
        """A pattern's time to resolve, with its bootstrap intervals."""
        members = self.groups[pattern]

        def compute() -> dict[str, Any]:
            return metrics.summarize(timings(m).ttr for m in members).as_dict()

        return self.cache.value("report-ttr", (pattern, self._members(pattern, members)), compute)

    def candidates(
        self,
        fixed: Mapping[str, feedback.Recurrence],
        pattern: str,
        members: Sequence[Incident],
    ) -> list[prevention.Recommendation]:
        """`prevention.pattern_candidates` of one pattern."""
        title = self.inputs.titles.get(pattern, pattern)
        fix = fixed.get(pattern)

        def compute() -> list[prevention.Recommendation]:
            own = prevention.open_by_incident([r for m in members for r in self.items[m.id]])
            return prevention.pattern_candidates(
                pattern,
                title,
                members,
                self.costs,
                own,
                fix,
                self.inputs.settings,
                self.first,
                self.end,
            )

        key = (*self._key(pattern, members), title, fix, self.first)
        return self.cache.value("report-candidates", key, compute)


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
