"""Past incidents most like a draft or a typed symptom, with why they matched and what was done."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from learnloop.analyze.clusters import NO_PLACE
from learnloop.analyze.documents import Document
from learnloop.analyze.text import alerts, analyzer, fields
from learnloop.model import FACTOR, Incident


class Searchable(Protocol):
    """What search needs of an index: the engine's own, or a lookup cached for queries."""

    ids: list[str]
    vectors: np.ndarray
    places: tuple[str, ...]  # each incident's first service, in `ids` order
    modes: tuple[frozenset[str], ...]  # each incident's failure modes, in `ids` order

    def latent(self, doc: Document) -> np.ndarray: ...

    def literal(self, doc: Document) -> np.ndarray: ...


@dataclass(frozen=True)
class Query:
    """What is searched for: a draft incident (perhaps invalid) or free text."""

    document: Document
    text: str
    incident: Incident | None = None  # when the draft loaded


@dataclass(frozen=True)
class Match:
    id: str
    score: float
    pattern: str | None
    path: str
    title: str
    why: tuple[str, ...]
    what_was_done: str
    commands: tuple[str, ...] = ()  # the fix's commands, a line each, as written


def search(
    index: Searchable,
    query: Query,
    incidents: Mapping[str, Incident],
    pattern_of: Mapping[str, str],
    top: int = 5,
    semantic: np.ndarray | None = None,
) -> list[Match]:
    """The `top` nearest incidents, best first, never the query itself.

    `semantic`, when given, is a sentence-embedding model's similarity of every indexed
    incident to the query (the optional extra), blended in equal parts with the engine's.
    """
    scores = scores_for(index, query.document)
    if semantic is not None:
        scores = (1 - SEMANTIC_WEIGHT) * scores + SEMANTIC_WEIGHT * semantic
    scores = scores + same_place(index.places, index.modes, query.document)
    skip = set()
    if query.incident is not None:
        skip = {query.incident.id}
    order = np.lexsort((np.array(index.ids), -scores))  # score desc, then id: deterministic
    matches = []
    for position in order:
        ident = index.ids[int(position)]
        if ident in skip or (
            query.incident is not None and incidents[ident].path == query.incident.path
        ):
            continue
        incident = incidents[ident]
        matches.append(
            Match(
                id=ident,
                score=round(float(min(max(scores[position], 0.0), 1.0)), 4),
                pattern=pattern_of.get(ident),
                path=incident.path,
                title=incident.title,
                why=tuple(reasons(query, incident)),
                what_was_done=what_was_done(incident),
                commands=fix_commands(incident),
            )
        )
        if len(matches) == top:
            break
    return matches


# Equal parts: fixed before measuring, never fitted to the labelled post-mortems.
SEMANTIC_WEIGHT = 0.5
# Of two incidents that failed the way the draft did, the one that failed where it did goes
# first: the place narrows why, as it narrows patterns, and never stands in for it. Given to
# any incident of the same place, it ranked a service's other failures above the same failure
# elsewhere, where a corpus's failures cross services (a cloud vendor's). A place tells as
# much as it is rare: one that every incident shares (a team's one platform) tells nothing.
# A draft whose failure mode could not be read ("Email not working") has only its place to
# go on: incidents there count for half as much (PLACE_BLIND), not nothing. Half is where
# neither of the two ways corpora fail pays for the other (benchmarks/quality.py --tune):
# 0.25 left hand-written failures recurring at their own service below an MRR of 0.85, 0.75
# put a cloud vendor's RCAs below plain TF-IDF.
PLACE_BONUS = 0.1
PLACE_BLIND = 0.5


def same_place(places: Sequence[str], modes: Sequence[frozenset[str]], doc: Document) -> np.ndarray:
    """For each indexed incident in one of the query's services that shares a failure mode
    with it, PLACE_BONUS times the share of the corpus elsewhere than its place; where no
    mode of the query was read, PLACE_BLIND of that for every incident of its services."""
    wanted = {f.split("=", 1)[1] for f in doc.facts if f.startswith("service=")} - NO_PLACE
    why = set(doc.modes)
    out = np.zeros(len(places), dtype=np.float32)
    if not wanted or not places:
        return out
    share = Counter(places)
    weight = PLACE_BONUS if why else PLACE_BONUS * PLACE_BLIND
    for row, (place, found) in enumerate(zip(places, modes, strict=True)):
        if place in wanted and (not why or why & found):
            out[row] = weight * (1 - share[place] / len(places))
    return out


LATENT_HALF_WEIGHT_AT = 300  # incidents at which latent and literal scores count equally


def scores_for(index: Searchable, doc: Document) -> np.ndarray:
    """Similarity of every indexed incident to a query: latent and literal, averaged.

    The latent (LSA) score finds incidents that describe the failure in other words; the
    literal word score keeps an exact error message such as "too many clients" on top when
    a responder pastes it.
    """
    latent = index.vectors @ index.latent(doc)
    literal = index.literal(doc)
    # Latent topics are learned from co-occurrence and need many incidents to be trusted;
    # a small corpus leans on the words themselves.
    weight = len(index.ids) / (len(index.ids) + LATENT_HALF_WEIGHT_AT)
    return (weight * latent + (1 - weight) * literal).astype(np.float32)


def shared_terms(mine: Set[str], theirs: Set[str]) -> list[str]:
    """Terms both texts use, phrases first; fragments and stutters ('api fail') left out."""

    def telling(term: str) -> bool:
        words = term.split()
        return all(len(w) > 3 for w in words) and len(set(words)) == len(words)

    return sorted((t for t in mine & theirs if telling(t)), key=lambda t: (-len(t.split()), t))


def distinctive_text(incident: Incident) -> str:
    """What names a failure: title, cause and symptoms (timelines share too many words)."""
    parts = fields(incident)
    return " ".join((parts["title"], parts["cause"], parts["symptoms"]))


def reasons(query: Query, incident: Incident) -> list[str]:
    """Why a match matched: shared distinctive terms, services, trigger, alerts."""
    return explain(
        set(analyzer(query.text)),
        set(alerts([query.text])),
        query.incident,
        incident,
        set(analyzer(distinctive_text(incident))),
        match_alerts(incident),
    )


def match_alerts(incident: Incident) -> set[str]:
    """The alerts an incident names, in its text or as its detection source."""
    return set(alerts([" ".join(fields(incident).values()), incident.detection.source or ""]))


def explain(
    words: Set[str],
    query_alerts: Set[str],
    query_incident: Incident | None,
    other: Incident,
    their_words: Set[str],
    their_alerts: Set[str],
) -> list[str]:
    """The reasons, from analyzed words and alerts (callers that compare many pairs cache them)."""
    out = []
    shared = shared_terms(words, their_words)
    if shared:
        out.append("shared terms: " + ", ".join(shared[:6]))
    if query_incident is not None:
        theirs = {m.id: m for m in other.failure_modes}
        for mode in query_incident.failure_modes:
            if mode.id in theirs:
                said = theirs[mode.id].matched[:2]
                words_said = f" (they wrote {', '.join(repr(w) for w in said)})" if said else ""
                out.append(f"same failure mode: {mode.id}{words_said}")
                break
        services = sorted(set(query_incident.services) & set(other.services))
        if services:
            out.append("same services: " + ", ".join(services))
        if query_incident.trigger and query_incident.trigger == other.trigger:
            out.append(f"same trigger: {other.trigger}")
        category = query_incident.root_cause.category
        if category and category == other.root_cause.category:
            out.append(f"same root-cause category: {category}")
    common = sorted(query_alerts & their_alerts)
    if common:
        out.append("same alert: " + ", ".join(common))
    return out


def first_sentences(text: str, limit: int = 220) -> str:
    """The first sentence or two of a text, within `limit` characters, Markdown flattened."""
    flat = re.sub(r"\s+", " ", re.sub(r"^[#>*\-\d.\s]+", "", text, flags=re.M)).strip()
    sentences = re.split(r"(?<=[.!?])\s+", flat)
    out = ""
    for sentence in sentences:
        if out and len(out) + len(sentence) + 1 > limit:
            break
        out = f"{out} {sentence}".strip()
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"


# A fenced code block: commands, which must keep their lines to be pasted.
_FENCED = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n(?P<code>.*?)^ {0,3}\1[ \t]*$", re.M | re.S)
COMMAND_LINES = 8


def _fix(incident: Incident) -> str:
    """What the post-mortem says was done to fix it, as written (prose and commands)."""
    return incident.section("resolution") or incident.section("mitigation")


def fix_commands(incident: Incident) -> tuple[str, ...]:
    """The commands the fix was made with (its fenced code blocks), a line each."""
    fix = _fix(incident)
    lines = [
        line.rstrip()
        for found in _FENCED.finditer(fix)
        for line in found.group("code").split("\n")
        if line.strip()
    ]
    return tuple(lines[:COMMAND_LINES])


def what_was_done(incident: Incident) -> str:
    """Its root cause and its resolution, in a sentence or two.

    Real post-mortems are uneven: one with no root-cause section often lists contributing
    factors instead, and one with neither cause nor fix still says what happened.
    """
    cause = (
        incident.root_cause.summary
        or _told(incident, "root_cause")
        or incident.section("root_cause")
        or "; ".join(incident.contributing_factors)
        or incident.section("contributing_factors")
    )
    # What the reader found done: a section's label, or the sentence before the action that
    # tells how it was noticed ("Mitigation: Our monitoring detected …"), is not the fix.
    fix = (
        _told(incident, "mitigation")
        or _told(incident, "resolution")
        or _FENCED.sub(" ", _fix(incident))
    )
    parts = []
    if cause:
        parts.append("Cause: " + first_sentences(cause, 160))
    if fix:
        parts.append("Fix: " + first_sentences(fix, 200))
    if not parts and incident.section("summary"):
        parts.append("What happened: " + first_sentences(incident.section("summary"), 200))
    return " ".join(parts)


def _told(incident: Incident, part: str) -> str:
    """The statements the reader found of a part, in file order, as one text (commands,
    which `fix_commands` gives line by line, left out). What the part's own heading or label
    says comes first, then what was found elsewhere in the story (a summary's "triggered by
    a routine rotation" before the Root cause section would otherwise speak for it), then
    contributing factors read as part of the cause."""
    told = sorted(
        incident.part(part), key=lambda s: (s.how == FACTOR, s.how in ("inferred", "timeline"))
    )
    return " ".join(s.text for s in told if "\n" not in s.text)


def nearest_pattern(
    index: Searchable, vector: np.ndarray, members: Mapping[str, Sequence[str]]
) -> tuple[str | None, float]:
    """The pattern whose members are closest on average (the linkage's own measure)."""
    position = {ident: n for n, ident in enumerate(index.ids)}
    best: tuple[str | None, float] = (None, 2.0)
    for pid in sorted(members):
        rows = [position[m] for m in members[pid] if m in position]
        if not rows:
            continue
        distance = float(1.0 - np.mean(index.vectors[rows] @ vector))
        if distance < best[1]:
            best = (pid, distance)
    return best
