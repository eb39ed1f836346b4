"""The write-up nobody had time for: a line or three, in the author's usual voice."""

from __future__ import annotations

import random

from benchmarks.simulator.clock import Clock, pick
from benchmarks.simulator.doc import Doc
from benchmarks.simulator.language import capfirst, non_native, sentence, terse
from benchmarks.simulator.story import Story


def render(story: Story, rng: random.Random, style: str) -> tuple[Doc, Clock, float]:
    """Very little text: what broke, sometimes why, sometimes what was done."""
    clock = pick(rng, ("hm", "hm_zone"))
    doc = Doc()
    action = story.actions[-1].do
    cause = story.root_cause if rng.random() < 0.5 else None
    if style == "terse":
        parts = [terse(story.symptoms[0], rng)]
        marks = []
        if cause:
            said = terse(cause, rng)
            parts.append(f"cause: {said}")
            marks.append(("root_cause", said))
        said_action = terse(action, rng)
        parts.append(said_action)
        marks.append(("mitigation", said_action))
        line = "; ".join(parts)
        doc.add(line, *marks)
        if rng.random() < 0.5:
            doc.add()
            doc.add(f"see {story.values['ticket']}")
        return doc, clock, 0.0
    lines: list[tuple[str, tuple[str, str] | None]] = []
    symptom = sentence(story.symptoms[0])
    if style == "non-native":
        symptom = sentence(non_native(story.symptoms[0], rng))
    lines.append((symptom, None))
    if cause:
        said = sentence(non_native(cause, rng) if style == "non-native" else cause)
        lines.append(
            (f"{rng.choice(('Cause', 'Root cause', 'Why'))}: {said}", ("root_cause", said))
        )
    if rng.random() < 0.8:
        said = capfirst(action)
        lines.append((f"{said} at {clock.time(story.actions[-1].at)}.", ("mitigation", said)))
    if rng.random() < 0.4:
        lines.append((f"Follow-up in {story.values['ticket']}.", None))
    joined = rng.random() < 0.5
    if joined:
        text = " ".join(t for t, _ in lines)
        doc.add(text, *(m for _, m in lines if m))
    else:
        for text, mark in lines:
            doc.add(text, *([mark] if mark else []))
    return doc, clock, 0.1
