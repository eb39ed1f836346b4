"""How incidents were noticed: as recorded, else read from the detection source or the first
timeline entry that says something was noticed (the `detecting` words of analyze/data/
themes.yml), and what a group of incidents says about it taken together."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from learnloop.analyze.text import alerts
from learnloop.enrich import timings
from learnloop.memo import PerIncident
from learnloop.model import Incident
from learnloop.read.themes import shipped

NOT_RECORDED = "not recorded"
CUSTOMER = "customer-report"
_DETECTING = shipped().detecting  # a timeline entry that says something was noticed
# Who noticed, in a detection source or the entry that noticed: whole words, so that "the
# checkout page" is no pager and "users reported" is the people the service is for.
_BY_PEOPLE = re.compile(
    r"\b(?:customers?|support|tickets?|complain\w*|abuse)\b|\b(?:end-)?users?\b(?: \w+)? "
    r"(?:reported|reports|noticed|complained|contacted|told|alerted|opened|reached out)\b"
    r"|\breported by (?:an? |the )?(?:end-)?users?\b"
)
_BY_PROBE = re.compile(r"\b(?:synthetic\w*|probes?|uptime checks?)\b")
_BY_ALERT = re.compile(
    r"\b(?:alert\w*|alarm\w*|pager\w*|paged|pages|fired|fires|firing|grafana|opsgenie)\b"
)


@dataclass(frozen=True)
class DetectionSummary:
    """How a group of incidents was noticed."""

    methods: tuple[tuple[str, int], ...]  # how it was detected, most first
    first_signals: tuple[tuple[str, int], ...]  # alert or source that fired first
    median_ttd: float | None
    ttd_known: int
    by_customers: tuple[str, ...]  # incidents customers noticed first
    customer_share: float | None  # of incidents whose detection is known
    slowest: tuple[tuple[str, float], ...]  # (incident, minutes to detect), slowest first


def counts(values: Iterable[str | None]) -> tuple[tuple[str, int], ...]:
    """(value, count), most first, then by value; a missing value counts as not recorded."""
    counter = Counter(v or NOT_RECORDED for v in values)
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def detection_method(incident: Incident) -> str:
    """How the incident was noticed: as recorded, else read from the source or the timeline."""
    if incident.detection.method:
        return incident.detection.method
    return _method_read(incident)


def _read_method(incident: Incident) -> str:
    texts = [incident.detection.source or ""]
    texts += [e.text for e in incident.timeline if _DETECTING.search(e.text)][:1]
    for text in texts:
        low = text.lower()
        if _BY_PEOPLE.search(low):
            return CUSTOMER
        if _BY_PROBE.search(low):
            return "synthetic-check"
        if _BY_ALERT.search(low):
            return "alert"
        if low:
            return "internal-report"
    return NOT_RECORDED


def first_signal(incident: Incident) -> str | None:
    """The alert or source that noticed first, as a short name."""
    source = (incident.detection.source or "").strip()
    if source:
        system, _, name = source.partition(":")
        return name.strip() if name.strip() and " " not in system.strip() else source.lower()
    texts = [incident.section("detection")]
    texts += [e.text for e in incident.timeline if _DETECTING.search(e.text)][:1]
    for text in texts:
        found = alerts([text])
        if found:
            return found[0]
    return None


def _by_customers(methods: Mapping[str, str]) -> tuple[tuple[str, ...], float | None]:
    """(incidents customers noticed first, their share of those whose detection is known)."""
    known = [i for i, method in methods.items() if method not in (NOT_RECORDED,)]
    by_customers = tuple(sorted(i for i in known if methods[i] == CUSTOMER))
    return by_customers, round(len(by_customers) / len(known), 3) if known else None


def detection_summary(members: Sequence[Incident]) -> DetectionSummary:
    """How a group of incidents was detected, how fast, and by whom first."""
    methods = {m.id: detection_method(m) for m in members}
    ttds = {m.id: t for m in members if (t := timings(m).ttd) is not None}
    by_customers, share = _by_customers(methods)
    return DetectionSummary(
        methods=counts(methods[m.id] for m in members),
        first_signals=counts(first_signal(m) for m in members),
        median_ttd=statistics.median(ttds.values()) if ttds else None,
        ttd_known=len(ttds),
        by_customers=by_customers,
        customer_share=share,
        slowest=tuple(sorted(ttds.items(), key=lambda kv: (-kv[1], kv[0]))[:3]),
    )


@dataclass(frozen=True)
class Tallies:
    """The counts of a synthesis alone: what a whole corpus is summed up by."""

    categories: tuple[tuple[str, int], ...]
    triggers: tuple[tuple[str, int], ...]
    methods: tuple[tuple[str, int], ...]  # how it was detected, most first
    customer_share: float | None  # of incidents whose detection is known


def tallies(members: Sequence[Incident]) -> Tallies:
    """Root-cause categories, triggers and detection methods of a group, as its synthesis
    counts them, without merging its statements (the costly part of a synthesis)."""
    methods = {m.id: detection_method(m) for m in members}
    return Tallies(
        categories=counts(m.root_cause.category for m in members),
        triggers=counts(m.trigger for m in members),
        methods=counts(methods[m.id] for m in members),
        customer_share=_by_customers(methods)[1],
    )


# How an incident was detected is asked by every report, tally and systemic issue: it is
# worked out once per incident.
_method_read = PerIncident(_read_method)
