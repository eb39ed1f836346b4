"""Notes written for the people who were there: bullets, fragments, abbreviations."""

from __future__ import annotations

import random

from benchmarks.simulator.clock import Clock, pick
from benchmarks.simulator.doc import Doc
from benchmarks.simulator.language import terse
from benchmarks.simulator.story import Story
from benchmarks.simulator.styles.kit import (
    Event,
    bullet,
    code_block,
    events,
    headings,
    keep,
    section,
    title_line,
)

EXTRAS = 0.12


def _event(e: Event, story: Story, rng: random.Random) -> tuple[str, tuple[str, str] | None]:
    if e.kind == "action":
        said = terse(e.text, rng)
        if rng.random() < 0.5:
            return f"{said} -> {terse(e.effect, rng)}", ("mitigation", said)
        return said, ("mitigation", said)
    if e.kind == "detect" and rng.random() < 0.5:
        return f"{rng.choice(('alert', 'paged', 'page'))}: {story.values['alert']}", None
    if e.kind == "ack" and rng.random() < 0.6:
        return rng.choice(
            (f"ack {story.person}", f"{story.person} on it", f"{story.person} ack")
        ), None
    if e.kind == "resolved" and rng.random() < 0.6:
        return rng.choice(("resolved", "closed", "all clear", "done")), None
    if e.kind == "mitigated" and rng.random() < 0.5:
        return rng.choice(("recovered", "errors gone", "back to normal", "ok again")), None
    return terse(e.text, rng), None


def render(story: Story, rng: random.Random) -> tuple[Doc, Clock, float]:
    """Fragments under short headings; whole sections skipped when there was no time."""
    clock = pick(rng, ("hm", "hm", "hm_zone", "hms", "iso"))
    h = headings(rng, bold=0.15, emoji=0.05)
    h.level = rng.choice((2, 2, 3))
    b = bullet(rng)
    doc = Doc()
    title_line(doc, story.title, rng, 0.4)
    if keep(rng, 0.7):
        section(
            doc, h, rng.choice(("TL;DR", "tldr", "Summary", "What", "Short version")), "summary"
        )
        doc.add(f"{b}{terse(story.symptoms[0], rng)}")
        if rng.random() < 0.6:
            doc.add(f"{b}impact: {terse(story.impact, rng)}")
        if rng.random() < 0.5:
            said = terse(story.root_cause, rng)
            doc.add(f"{b}{rng.choice(('cause', 'why', 'rc'))}: {said}", ("root_cause", said))
        if rng.random() < 0.5:
            said = terse(story.actions[-1].do, rng)
            doc.add(
                f"{b}{rng.choice(('fix', 'fixed by', 'mitigated by'))}: {said}",
                ("mitigation", said),
            )
    if keep(rng, 0.9):
        zone = f" ({clock.abbr(story.start)})" if clock.form in ("hm", "hms") else ""
        name = rng.choice(("Timeline", "Timeline", "Log", "Events", "What happened"))
        section(doc, h, name + zone, "timeline")
        for e in events(story, rng):
            text, mark = _event(e, story, rng)
            doc.add(f"{b}{clock.time(e.at)} {text}", *([mark] if mark else []))
            if e.kind == "start" and story.signatures and rng.random() < 0.4:
                doc.add(f"  {b}`{story.signatures[0]}`")
    if keep(rng, 0.8):
        section(doc, h, rng.choice(("Cause", "Root cause", "RC", "Why", "Cause(s)")), "cause")
        said = terse(story.root_cause, rng)
        doc.add(f"{b}{said}", ("root_cause", said))
        for factor in story.contributing:
            doc.add(f"{b}{terse(factor, rng)}")
        if story.trigger and rng.random() < 0.5:
            doc.add(f"{b}trigger: {terse(story.trigger, rng)}")
    if keep(rng, 0.65):
        section(
            doc, h, rng.choice(("Fix", "Mitigation", "What we did", "Actions taken")), "mitigation"
        )
        for action in story.actions:
            said = terse(action.do, rng)
            effect = f" ({terse(action.effect, rng)})" if rng.random() < 0.5 else ""
            doc.add(f"{b}{said}{effect}", ("mitigation", said))
        if rng.random() < 0.4:
            doc.add(f"{b}perm fix: {terse(story.resolution, rng)}")
    if story.signatures and keep(rng, 0.5):
        section(doc, h, rng.choice(("Errors", "Logs", "Sample")), "notes")
        code_block(doc, story.signatures, rng)
    if story.noise and keep(rng, 0.5):
        doc.gap()
        for note in story.noise:
            doc.add(f"{b}{rng.choice(('fyi', 'note', 'nb', 'misc'))}: {terse(note, rng)}")
    if keep(rng, 0.8):
        section(doc, h, rng.choice(("Todo", "TODO", "Follow-ups", "AIs", "Next")), "actions")
        for item in story.follow_ups:
            owner = rng.choice((f" ({story.values['team']})", f" @{story.person.lower()}", "", ""))
            box = rng.choice(("[ ] ", "[ ] ", ""))
            doc.add(f"{b}{box}{terse(item, rng)}{owner}")
    return doc, clock, EXTRAS
