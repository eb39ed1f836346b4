"""The text an incident or a query contributes to the engine, as each view weighs it.

Kept apart from the vectorizer so that answering a query does not import scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

from learnloop.analyze.text import facets, fields, without_places
from learnloop.model import Incident

# How much each field counts (repetitions in the word document).
#
# The combined view reads everything the author wrote (places and tickets taken out), with
# the failure modes the reader found named twice: the vocabulary of why, in words every
# incident shares. It does not count the reader's parts again: they are the author's words
# already, and where the reader misses a cause the whole text still holds it. (Weighting the
# parts instead scored no better on simulated corpora and worse on real collections, whose
# causes the reader finds about half of: benchmarks/quality.py.)
FIELD_WEIGHTS = {"title": 1, "written": 1, "modes": 2}
# Views of the same engine: what the incidents looked like, or why they happened.
VIEWS: dict[str, dict[str, int]] = {
    "combined": FIELD_WEIGHTS,
    "symptom": {"title": 2, "symptoms": 3, "timeline": 2},
    "cause": {"title": 1, "cause": 4, "modes": 2, "fix": 1},
}


@dataclass(frozen=True)
class Document:
    """The text an incident (or a query) contributes, ready for vectorizing."""

    words: str
    chars: str
    facts: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()  # the failure modes the reader found, strongest first


def document(incident: Incident, view: str = "combined") -> Document:
    """An incident's weighted text and facts, as one of the VIEWS sees it."""
    parts = fields(incident)
    if "written" in VIEWS[view]:
        parts["written"] = written(incident, parts)
    weights = VIEWS[view]
    words = " \n ".join(text for name, weight in weights.items() for text in [parts[name]] * weight)
    chars = " ".join(parts[name] for name in ("title", "cause"))
    facts = [f for f in facets(incident) if view != "symptom" or not f.startswith("category=")]
    modes = tuple(m.id for m in incident.failure_modes)
    return Document(words=words, chars=chars.lower(), facts=tuple(facts), modes=modes)


def written(incident: Incident, parts: dict[str, str]) -> str:
    """All the author wrote: the body (places taken out), or, for an incident told in its
    front matter, the parts the reader found there."""
    if incident.body.strip():
        return without_places(incident.body, incident)
    return " \n ".join(
        parts[name] for name in ("cause", "symptoms", "timeline", "fix", "followup") if parts[name]
    )


def text_document(text: str) -> Document:
    """A free-text query (a symptom typed by a responder) as a document."""
    return Document(words=" \n ".join([text] * 3), chars=text.lower())
