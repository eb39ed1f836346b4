"""The text an incident or a query contributes to the engine, as each view weighs it.

Kept apart from the vectorizer so that answering a query does not import scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

from learnloop.analyze.text import facets, fields, without_places
from learnloop.model import Incident

# How much each field counts (repetitions in the word document).
#
# The combined view reads everything the author wrote (places and tickets taken out), then
# why it failed once more (the root cause, trigger, contributing factors and whys the reader
# found), and the failure modes the reader found three times: the vocabulary of why, in
# words every incident shares. Where the reader misses a cause, the whole text still holds it.
# The simulator cannot tell these weights apart (every setting from "cause 0-2, modes 1-4"
# scores within 0.003 ARI on its tuning seed), so they were chosen on the hand-labelled
# groupings of DFDS, Chia and GitHub's status incidents, with Taskcluster's held out
# (benchmarks/quality.py): why it failed, said more, groups incidents by why rather than by
# the product or region they name.
FIELD_WEIGHTS = {"title": 1, "written": 1, "cause": 1, "modes": 3}
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
