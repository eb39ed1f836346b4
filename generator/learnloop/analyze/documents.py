"""The text an incident or a query contributes to the engine, as each view weighs it.

Kept apart from the vectorizer so that answering a query does not import scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

from learnloop.analyze.text import facets, fields
from learnloop.model import Incident

# How much each field counts (repetitions in the word document).
# Why it failed counts most; what it looked like, what was done and said after, once each.
# The failure modes the reader found are words here too, twice: the vocabulary of why.
FIELD_WEIGHTS = {
    "title": 2,
    "cause": 2,
    "modes": 2,
    "symptoms": 1,
    "fix": 1,
    "timeline": 1,
    "followup": 1,
}
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


def document(incident: Incident, view: str = "combined") -> Document:
    """An incident's weighted text and facts, as one of the VIEWS sees it."""
    parts = fields(incident)
    weights = VIEWS[view]
    words = " \n ".join(text for name, weight in weights.items() for text in [parts[name]] * weight)
    chars = " ".join(parts[name] for name in ("title", "cause", "symptoms") if name in weights)
    facts = [f for f in facets(incident) if view != "symptom" or not f.startswith("category=")]
    return Document(words=words, chars=chars.lower(), facts=tuple(facts))


def text_document(text: str) -> Document:
    """A free-text query (a symptom typed by a responder) as a document."""
    return Document(words=" \n ".join([text] * 3), chars=text.lower())
