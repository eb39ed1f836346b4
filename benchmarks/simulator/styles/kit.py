"""What every writer does in their own way: headings, code blocks, asides, leaving things out."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from benchmarks.simulator.doc import Doc
from benchmarks.simulator.story import Story

EMOJI = {
    "summary": "📝", "impact": "💥", "timeline": "🕐", "cause": "🔍", "mitigation": "🩹",
    "resolution": "✅", "actions": "📌", "detection": "🚨", "lessons": "💡", "notes": "🗒️",
    "diagnosis": "🔎", "contributing": "🧩", "verification": "🔁",
}  # fmt: skip


@dataclass
class Headings:
    """One writer's way with headings, kept for the whole document."""

    level: int = 2
    numbered: bool = False
    emoji: bool = False
    bold: bool = False  # "**Root cause**" on its own line instead of a heading
    upper: bool = False
    colon: bool = False
    count: int = field(default=0)

    def line(self, name: str, key: str = "") -> str:
        """The heading line for a section called `name` (`key` picks the emoji)."""
        text = name.upper() if self.upper else name
        if self.emoji and key in EMOJI:
            text = f"{EMOJI[key]} {text}"
        if self.numbered:
            self.count += 1
            text = f"{self.count}. {text}"
        if self.colon:
            text += ":"
        if self.bold:
            return f"**{text}**"
        return f"{'#' * self.level} {text}"


def headings(rng: random.Random, bold: float = 0.12, emoji: float = 0.08) -> Headings:
    """A writer's heading manner."""
    return Headings(
        level=rng.choice((2, 2, 2, 3, 1)),
        numbered=rng.random() < 0.15,
        emoji=rng.random() < emoji,
        bold=rng.random() < bold,
        upper=rng.random() < 0.04,
        colon=rng.random() < 0.06,
    )


def section(doc: Doc, h: Headings, name: str, key: str = "") -> None:
    """Start a section: a blank line, the heading, a blank line."""
    doc.gap()
    doc.add(h.line(name, key))
    doc.add()


def code_block(doc: Doc, lines: Sequence[str], rng: random.Random) -> None:
    """Log lines or errors in a fenced block, as people paste them."""
    doc.gap()
    doc.add("```" + rng.choice(("", "", "text", "log", "console")))
    for line in lines:
        doc.add(line)
    doc.add("```")
    doc.add()


def keep(rng: random.Random, chance: float) -> bool:
    """Whether an optional section makes it into this write-up."""
    return rng.random() < chance


def title_line(doc: Doc, title: str, rng: random.Random, chance: float = 0.5) -> None:
    """Many write-ups repeat their title as a top heading; many do not."""
    if rng.random() < chance:
        doc.add(f"# {title}")
        doc.add()


def bullet(rng: random.Random) -> str:
    """The list marker this writer's fingers use."""
    return rng.choice(("- ", "- ", "* ", "+ "))


@dataclass(frozen=True)
class Event:
    """A line of the timeline before it is phrased: when, what kind, the words."""

    at: datetime
    kind: str  # trigger, start, detect, ack, diag, comms, action, mitigated, resolved
    text: str
    effect: str = ""


def events(story: Story, rng: random.Random) -> list[Event]:
    """The incident's events in time order (ties keep the order they happened in)."""
    out = []
    if story.trigger:
        out.append(
            Event(story.start - timedelta(minutes=rng.randint(0, 9)), "trigger", story.trigger)
        )
    out.append(Event(story.start, "start", story.symptoms[0]))
    out.append(Event(story.detected, "detect", story.detection))
    out.append(Event(story.acked, "ack", story.ack))
    out += [Event(step.at, "diag", step.text) for step in story.diagnosis]
    if story.comms:
        out.append(Event(story.comms.at, "comms", story.comms.text))
    out += [Event(a.at, "action", a.do, a.effect) for a in story.actions]
    out.append(Event(story.mitigated, "mitigated", story.mitigated_note))
    out.append(Event(story.resolved, "resolved", story.resolved_note))
    return [e for _, e in sorted(enumerate(out), key=lambda p: (p[1].at, p[0]))]
