"""Paragraphs that open with a label ("Root cause: …", "Mitigation: …"), few or no headings."""

from __future__ import annotations

import random
from collections.abc import Callable

from benchmarks.simulator.clock import Clock, pick
from benchmarks.simulator.doc import Doc
from benchmarks.simulator.language import capfirst, join, sentence
from benchmarks.simulator.story import Story
from benchmarks.simulator.styles.kit import bullet, events, keep, title_line

EXTRAS = 0.25

LABELS = {
    "summary": ("Summary", "What happened", "Description", "Overview", "Incident"),
    "impact": ("Impact", "Customer impact", "Who was affected", "Blast radius"),
    "detection": ("Detection", "Detected by", "How it was found", "Detected"),
    "trigger": ("Trigger", "Triggered by", "What set it off"),
    "cause": ("Root cause", "Cause", "Root Cause", "Why", "RCA", "Underlying cause"),
    "contributing": ("Contributing factors", "Contributing", "Also relevant", "Made worse by"),
    "mitigation": ("Mitigation", "Workaround", "Immediate fix", "What we did", "Mitigation steps"),
    "resolution": ("Resolution", "Permanent fix", "Fix", "Final fix"),
    "verification": ("Verification", "Validation", "Confirmed by"),
    "timeline": ("Timeline", "Sequence", "Chronology"),
    "actions": ("Follow-up", "Action items", "Next steps", "To do", "Prevention"),
    "notes": ("Notes", "Other", "FYI"),
    "errors": ("Error", "Errors", "Log excerpt", "Error message", "Signature"),
}


def _labeller(rng: random.Random) -> Callable[[str], str]:
    form = rng.choice(("{l}: ", "**{l}:** ", "**{l}**: ", "{L}: ", "{l} - ", "_{l}:_ "))
    return lambda label: form.replace("{l}", label).replace("{L}", label.upper())


def render(story: Story, rng: random.Random) -> tuple[Doc, Clock, float]:
    """One labelled paragraph per part, in an order the writer found natural."""
    clock = pick(rng, ("hm", "hm_zone", "ampm_zone", "date_hm_zone"))
    label = _labeller(rng)
    name = {key: rng.choice(options) for key, options in LABELS.items()}
    doc = Doc()
    title_line(doc, story.title, rng, 0.55)
    values = story.values
    blocks: list[Callable[[], None]] = []

    def para(key: str, text: str, *marks: tuple[str, str]) -> None:
        doc.gap()
        doc.add(label(name[key]) + text, *marks)

    def summary() -> None:
        text = f"{sentence(story.symptoms[0])} Started {clock.time(story.start)}."
        para("summary", text)

    def impact() -> None:
        para("impact", sentence(story.impact))

    def errors() -> None:
        if not story.signatures:
            return
        if rng.random() < 0.5:
            para("errors", " / ".join(f"`{sig}`" for sig in story.signatures))
        else:
            doc.gap()
            doc.add(label(name["errors"]).rstrip())
            doc.add("```")
            for sig in story.signatures:
                doc.add(sig)
            doc.add("```")

    def detection() -> None:
        para("detection", f"{sentence(story.detection)[:-1]} ({clock.time(story.detected)}).")

    def trigger() -> None:
        if story.trigger:
            para("trigger", sentence(story.trigger))

    def cause() -> None:
        text = sentence(story.root_cause)
        para("cause", text, ("root_cause", text))
        if story.contributing and rng.random() < 0.7:
            para("contributing", sentence(join(story.contributing)))

    def mitigation() -> None:
        marks = []
        parts = []
        for action in story.actions:
            said = capfirst(action.do)
            parts.append(f"{said} at {clock.time(action.at)}; {action.effect}.")
            marks.append(("mitigation", said))
        if rng.random() < 0.6 or len(parts) == 1:
            para("mitigation", " ".join(parts), *marks)
        else:
            doc.gap()
            doc.add(label(name["mitigation"]).rstrip())
            b = bullet(rng)
            for text, mark in zip(parts, marks, strict=True):
                doc.add(f"{b}{text}", mark)

    def resolution() -> None:
        text = f"{capfirst(story.resolution)}."
        if story.verification and rng.random() < 0.5:
            text += f" {sentence(story.verification)}"
        para("resolution", text)

    def timeline() -> None:
        doc.gap()
        doc.add(label(name["timeline"]).rstrip())
        b = bullet(rng)
        for e in events(story, rng):
            if e.kind == "action":
                said = capfirst(e.text)
                doc.add(f"{b}{clock.time(e.at)} {said}", ("mitigation", said))
            elif e.kind in ("diag", "comms"):
                doc.add(f"{b}{clock.time(e.at)} {capfirst(e.text)}")
            else:
                doc.add(f"{b}{clock.time(e.at)} {sentence(e.text)}")

    def actions() -> None:
        if rng.random() < 0.5:
            para("actions", sentence("; ".join(story.follow_ups)))
        else:
            doc.gap()
            doc.add(label(name["actions"]).rstrip())
            b = bullet(rng)
            for item in story.follow_ups:
                doc.add(f"{b}{capfirst(item)} ({values['team']})")

    def notes() -> None:
        if story.noise:
            para("notes", " ".join(story.noise))

    blocks = [summary]
    for block, chance in ((impact, 0.8), (errors, 0.5), (detection, 0.6), (trigger, 0.5)):
        if keep(rng, chance):
            blocks.append(block)
    core = [(cause, 0.9), (mitigation, 0.9), (resolution, 0.7)]
    if rng.random() < 0.3:
        core[0], core[1] = core[1], core[0]  # some write what they did before why
    blocks += [block for block, chance in core if keep(rng, chance)]
    if keep(rng, 0.45):
        blocks.insert(rng.randrange(1, len(blocks) + 1), timeline)
    if keep(rng, 0.4):
        blocks.append(notes)
    if keep(rng, 0.8):
        blocks.append(actions)
    for block in blocks:
        block()
    return doc, clock, EXTRAS
