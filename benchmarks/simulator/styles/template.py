"""A team that fills in the learnloop template, mostly as intended, sometimes not all of it."""

from __future__ import annotations

import random

from benchmarks.simulator.clock import Clock, pick
from benchmarks.simulator.doc import Doc
from benchmarks.simulator.language import capfirst, sentence
from benchmarks.simulator.story import Story
from benchmarks.simulator.styles.kit import (
    Event,
    Headings,
    code_block,
    events,
    keep,
    section,
)

EXTRAS = 0.6


def _event(e: Event, rng: random.Random, who: str) -> tuple[str, tuple[str, str] | None]:
    if e.kind == "action":
        said = capfirst(e.text) if rng.random() < 0.6 else f"{who} {e.text}"
        return f"{said}.", ("mitigation", said)
    if e.kind in ("diag", "comms"):
        return (capfirst(e.text) if rng.random() < 0.6 else f"{who} {e.text}") + ".", None
    if e.kind == "trigger":
        return sentence(e.text), None
    return sentence(e.text), None


def render(story: Story, rng: random.Random) -> tuple[Doc, Clock, float]:
    """The learnloop template's headings, filled in by someone who mostly follows it."""
    clock = pick(rng, ("hm", "hm_zone", "hm_zone", "date_hm_zone"))
    h = Headings(level=2, numbered=rng.random() < 0.1)
    doc = Doc()
    sep = rng.choice((" - ", " — ", ": ", " "))
    names = {
        "summary": rng.choice(("Summary", "Summary", "Overview")),
        "timeline": rng.choice(("Timeline", "Timeline", "Sequence of events")),
        "cause": rng.choice(("Root cause", "Root Cause", "Root cause")),
        "actions": rng.choice(("Action items", "Action Items", "Follow-ups")),
    }
    section(doc, h, names["summary"], "summary")
    summary = [sentence(story.symptoms[0])]
    if rng.random() < 0.5:
        summary.append(sentence(story.impact))
    doc.add(" ".join(summary))
    if keep(rng, 0.8):
        section(doc, h, "Impact", "impact")
        doc.add(sentence(story.impact))
        if rng.random() < 0.4 and len(story.symptoms) > 1:
            doc.add()
            for symptom in story.symptoms[1:]:
                doc.add(f"- {capfirst(symptom)}")
    if keep(rng, 0.9):
        section(doc, h, names["timeline"], "timeline")
        if clock.form == "hm" or rng.random() < 0.3:
            doc.add(f"All times {clock.abbr(story.start)}.")
            doc.add()
        who = rng.choice(("we", story.person, "the on-call engineer"))
        for e in events(story, rng):
            text, mark = _event(e, rng, who)
            line = f"- {clock.time(e.at)}{sep}{text}"
            doc.add(line, *([mark] if mark else []))
    if story.signatures and keep(rng, 0.6):
        doc.gap()
        doc.add(rng.choice(("What the logs said:", "Errors seen:", "Sample errors:")))
        code_block(doc, story.signatures, rng)
    if keep(rng, 0.7):
        section(doc, h, rng.choice(("Detection", "How we noticed")), "detection")
        doc.add(f"{sentence(story.detection)[:-1]} at {clock.time(story.detected)}.")
    if keep(rng, 0.92):
        section(doc, h, names["cause"], "cause")
        cause = sentence(story.root_cause)
        doc.add(cause, ("root_cause", cause))
        if story.trigger and rng.random() < 0.5:
            doc.add()
            doc.add(f"Trigger: {story.trigger}.")
    if story.contributing and keep(rng, 0.75):
        section(doc, h, "Contributing factors", "contributing")
        for factor in story.contributing:
            doc.add(f"- {capfirst(factor)}")
    if story.diagnosis and keep(rng, 0.35):
        section(doc, h, rng.choice(("Investigation", "Diagnosis")), "diagnosis")
        for step in story.diagnosis:
            doc.add(f"- {capfirst(step.text)}.")
    if keep(rng, 0.85):
        section(doc, h, "Mitigation", "mitigation")
        for action in story.actions:
            said = capfirst(action.do)
            doc.add(f"- {said}; {action.effect}.", ("mitigation", said))
    if keep(rng, 0.8):
        section(doc, h, "Resolution", "resolution")
        text = f"We {story.resolution}."
        if story.verification and rng.random() < 0.6:
            text += f" {sentence(story.verification)}"
        doc.add(text)
    if story.noise and keep(rng, 0.5):
        section(doc, h, rng.choice(("Notes", "Other notes")), "notes")
        for note in story.noise:
            doc.add(f"- {note}")
    if keep(rng, 0.4):
        section(doc, h, "Lessons learned", "lessons")
        good = rng.choice(
            ("the alert fired quickly", "the rollback was fast", "people joined fast")
        )
        doc.add(f"- What went well: {good}.")
        if story.contributing:
            doc.add(f"- What went badly: {story.contributing[0]}.")
    if keep(rng, 0.85):
        section(doc, h, names["actions"], "actions")
        for item in story.follow_ups:
            box = rng.choice(("[ ] ", "[ ] ", "[x] ", ""))
            doc.add(f"- {box}{capfirst(item)}")
    return doc, clock, EXTRAS
