"""What an incident page shows beside the post-mortem: its pattern, similar incidents and why,
the runbook used, and the decisions it led to.

All of it comes from one analysis per build. Similar incidents are ranked for every incident
at once, by the score `learnloop similar` uses (half latent, half literal word similarity)
taken from the index's own vectors, so no incident is embedded again per page.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from learnloop.analyze import rootcause
from learnloop.analyze.engine import Index
from learnloop.analyze.patterns import MIN_SIZE, Pattern
from learnloop.analyze.similar import distinctive_text, explain, match_alerts
from learnloop.analyze.text import alerts, analyzer, fields
from learnloop.model import Incident
from learnloop.write.words import readable

if TYPE_CHECKING:
    from learnloop.analyze.analysis import Analysis

SIMILAR = 3  # similar incidents shown on a page
MIN_SCORE = 0.05  # below this an incident shares nothing worth pointing at
_BLOCK = 512  # rows of the score matrix computed at a time, so memory stays flat


@dataclass(frozen=True)
class Neighbour:
    """A similar incident and why it matched."""

    id: str
    title: str
    why: tuple[str, ...]


@dataclass(frozen=True)
class IncidentContext:
    """Everything an incident page links to beyond its own text; pages are site paths."""

    pattern: Pattern | None = None
    pattern_page: str | None = None  # its runbook, else its knowledge-base article
    runbook_page: str | None = None  # the runbook the responders used, when published
    similar: tuple[Neighbour, ...] = ()
    adrs: tuple[tuple[int, str, str], ...] = ()  # (number, title, page)


def contexts_of(
    index: Index,
    incidents: Mapping[str, Incident],
    patterns: Sequence[Pattern],
    shown: Collection[str],
    pages: Collection[str],
    adrs: Mapping[str, Sequence[tuple[int, str, str]]] | None = None,
) -> dict[str, IncidentContext]:
    """IncidentContext for each shown incident; hidden incidents are never pointed at.

    `pages` are the site's pages: a runbook or decision is linked only when it is published.
    """
    shown_set = set(shown)
    of = {i: p for p in patterns for i in p.incidents}
    similar = neighbours(index, incidents, of, shown_set)
    # A pattern is counted as the generated documents count it: restricted incidents left
    # out, and no pattern at all below MIN_SIZE, so its page and this one agree.
    counted = {i for i in shown_set if incidents[i].visibility != "restricted"}
    out = {}
    for ident in sorted(shown_set):
        incident = incidents[ident]
        pattern = of.get(ident)
        if pattern is not None:
            members = tuple(i for i in pattern.incidents if i in counted)
            pattern = replace(pattern, incidents=members) if len(members) >= MIN_SIZE else None
        out[ident] = IncidentContext(
            pattern=pattern,
            pattern_page=pattern_page(pattern.id, pages) if pattern else None,
            runbook_page=_runbook_page(incident.runbook_used, pages),
            similar=tuple(similar.get(ident, ())),
            adrs=tuple(a for a in (adrs or {}).get(ident, ()) if a[2] in pages),
        )
    return out


def neighbours(
    index: Index,
    incidents: Mapping[str, Incident],
    pattern_of: Mapping[str, Pattern],
    shown: set[str],
    top: int = SIMILAR,
) -> dict[str, list[Neighbour]]:
    """The `top` most similar shown incidents of every shown incident, best first.

    Ties break on the id, as in `learnloop similar`; an incident never lists itself or a
    second file of itself.
    """
    ids = index.ids
    if len(ids) < 2:
        return {}
    allowed = np.array([i in shown for i in ids])
    order_ids = np.array(ids)
    terms = index.terms
    terms_of = TermCache()
    out: dict[str, list[Neighbour]] = {}
    rows = [n for n, i in enumerate(ids) if i in shown]
    for start in range(0, len(rows), _BLOCK):
        block = rows[start : start + _BLOCK]
        latent = index.vectors[block] @ index.vectors.T
        literal = (terms[block] @ terms.T).toarray()
        scores = (0.5 * latent + 0.5 * literal).astype(np.float32)
        for offset, row in enumerate(block):
            ident = ids[row]
            incident = incidents[ident]
            score = scores[offset]
            candidates = np.flatnonzero(allowed & (score >= MIN_SCORE))
            order = candidates[np.lexsort((order_ids[candidates], -score[candidates]))]
            found: list[Neighbour] = []
            mine = _pattern_id(pattern_of, ident)
            for position in order:
                other = incidents[ids[int(position)]]
                if other.id == ident or other.path == incident.path:
                    continue
                why = list(
                    readable(reasons(incident, other, terms_of), terms_of.texts(incident, other))
                )
                if mine is not None and mine == _pattern_id(pattern_of, other.id):
                    why.insert(0, "same pattern")
                found.append(Neighbour(other.id, other.title, tuple(why)))
                if len(found) == top:
                    break
            if found:
                out[ident] = found
    return out


class TermCache(dict[str, tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]]):
    """Per incident, computed once: its words as a query, its distinctive words, the alerts in
    its text, and the alerts it names anywhere."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: dict[str, str] = {}  # per incident, every text it has

    def texts(self, incident: Incident, other: Incident) -> tuple[str, str]:
        """What both say, to show a shared term as one of them writes it."""
        for one in (incident, other):
            if one.id not in self.shown:
                self.shown[one.id] = query_text(one)
        return self.shown[incident.id], self.shown[other.id]

    def get_for(
        self, incident: Incident
    ) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
        found = self.get(incident.id)
        if found is None:
            text = query_text(incident)
            found = (
                frozenset(analyzer(text)),
                frozenset(analyzer(distinctive_text(incident))),
                frozenset(alerts([text])),
                frozenset(match_alerts(incident)),
            )
            self[incident.id] = found
        return found


def reasons(incident: Incident, other: Incident, terms: TermCache) -> list[str]:
    """Why `other` is like `incident`: `analyze.similar.reasons` with the incident as query,
    each incident's words analyzed once per build instead of once per comparison."""
    words, _, text_alerts, _ = terms.get_for(incident)
    _, their_words, _, their_alerts = terms.get_for(other)
    return explain(words, text_alerts, incident, other, their_words, their_alerts)


def visible(analysis: Analysis) -> Analysis | None:
    """The analysis as generated documents see it (restricted incidents left out), or None
    where this install writes no decision records."""
    try:
        from learnloop.write.documents import without_restricted
    except ImportError:
        return None
    return without_restricted(analysis)


def adrs_by_incident(
    seen: Analysis, systemic: Sequence[rootcause.SystemicIssue]
) -> dict[str, list[tuple[int, str, str]]]:
    """incident id -> the decision records it led to, as `learnloop generate` numbers them.

    `seen` is `visible(analysis)` and `systemic` its systemic issues: the same inputs
    generate draws decisions from, with the numbers recorded in patterns.yml.
    """
    try:
        from learnloop.write.adr import adrs_by_incident as by_incident
    except ImportError:  # an install without decision records
        return {}
    return by_incident(seen, systemic, dict(seen.state.adr_numbers))


def _pattern_id(pattern_of: Mapping[str, Pattern], ident: str) -> str | None:
    pattern = pattern_of.get(ident)
    return pattern.id if pattern is not None else None


def query_text(incident: Incident) -> str:
    """An incident's text as `learnloop similar` reads a post-mortem."""
    return " ".join(fields(incident).values())


def pattern_page(pattern_id: str, pages: Collection[str]) -> str | None:
    """The page a pattern links to: its runbook, else its knowledge-base article."""
    for candidate in (f"runbooks/{pattern_id}.md", f"kb/patterns/{pattern_id}.md"):
        if candidate in pages:
            return candidate
    return None


def _runbook_page(name: str | None, pages: Collection[str]) -> str | None:
    """The published runbook a `runbook_used` value names: a slug, or a runbooks/ path."""
    if not name:
        return None
    stem = name.strip().removeprefix("./").removeprefix("runbooks/").removesuffix(".md")
    candidate = f"runbooks/{stem}.md"
    return candidate if candidate in pages else None
