"""A write-up made of Markdown tables: the facts as rows, the timeline as rows."""

from __future__ import annotations

import random

from benchmarks.simulator.clock import Clock, pick
from benchmarks.simulator.doc import Doc
from benchmarks.simulator.language import capfirst, sentence
from benchmarks.simulator.story import Story
from benchmarks.simulator.styles.kit import events, headings, keep, section, title_line

EXTRAS = 0.3


def cell(text: str) -> str:
    """Text fit for a table cell: a pipe would end the cell early."""
    return text.replace("|", "\\|")


def _row(cells: list[str], padded: bool) -> str:
    return "| " + " | ".join(cells) + " |" if padded else "|" + "|".join(cells) + "|"


def render(story: Story, rng: random.Random) -> tuple[Doc, Clock, float]:
    """A field table, a timeline table, an action table; prose only where a table will not do."""
    clock = pick(rng, ("hm", "hm", "date_hm_zone", "hms"))
    h = headings(rng, bold=0.05, emoji=0.1)
    padded = rng.random() < 0.8
    doc = Doc()
    title_line(doc, story.title, rng, 0.7)
    values = story.values
    if rng.random() < 0.4:
        doc.add(sentence(story.symptoms[0]))
        doc.add()
    field, value = rng.choice((("Field", "Value"), ("", ""), ("Key", "Details"), ("Item", "")))
    doc.add(_row([field, value], padded))
    doc.add(_row(["---", "---"], padded))
    minutes = story.duration_minutes
    rows: list[tuple[str, str, tuple[str, str] | None]] = [
        ("Date", clock.day(story.start, rng.choice((0, 3))), None),
        (
            "Duration",
            rng.choice((f"{minutes} min", f"{minutes // 60}h {minutes % 60}m", values["duration"])),
            None,
        ),
        (
            "Severity",
            rng.choice((story.severity, f"SEV{story.severity[1]}", f"Sev {story.severity[1]}")),
            None,
        ),
        ("Services", ", ".join(story.services), None),
        ("Impact", capfirst(story.impact), None),
        ("Detected by", capfirst(story.detection), None),
    ]
    if story.trigger and rng.random() < 0.5:
        rows.append(("Trigger", capfirst(story.trigger), None))
    if rng.random() < 0.6:
        text = cell(capfirst(story.root_cause))
        rows.append((rng.choice(("Root cause", "Cause", "Root Cause")), text, ("root_cause", text)))
    if rng.random() < 0.4:
        text = cell(capfirst(story.actions[-1].do))
        rows.append(("Mitigation", text, ("mitigation", text)))
    if rng.random() < 0.5:
        rows.append(("Incident commander", story.person, None))
    if rng.random() < 0.4:
        rows.append(("Ticket", values["ticket"], None))
    if rng.random() < 0.3:
        rows.append(("Status", rng.choice(("Resolved", "Closed", "Monitoring")), None))
    bold = rng.random() < 0.5
    for name, text, mark in rows:
        label = f"**{name}**" if bold else name
        doc.add(
            _row([label, cell(text) if mark is None else text], padded), *([mark] if mark else [])
        )
    if keep(rng, 0.95):
        section(
            doc, h, rng.choice(("Timeline", "Timeline", "Sequence of events", "Events")), "timeline"
        )
        zone = clock.abbr(story.start)
        who = rng.random() < 0.35
        header = [f"Time ({zone})" if clock.form != "date_hm_zone" else "Time", "Event"]
        doc.add(_row([*header, "Who"] if who else header, padded))
        doc.add(_row(["---"] * (3 if who else 2), padded))
        for e in events(story, rng):
            text = cell(
                capfirst(e.text) if e.kind in ("action", "diag", "comms") else sentence(e.text)
            )
            actor = story.person if e.kind in ("ack", "action", "diag") else ""
            cells = [clock.time(e.at), text, actor] if who else [clock.time(e.at), text]
            mark = ("mitigation", text) if e.kind == "action" else None
            doc.add(_row(cells, padded), *([mark] if mark else []))
    if not any(r[2] and r[2][0] == "root_cause" for r in rows) and keep(rng, 0.85):
        section(doc, h, rng.choice(("Root cause", "Cause", "Analysis")), "cause")
        text = sentence(story.root_cause)
        doc.add(text, ("root_cause", text))
        if story.contributing:
            doc.add()
            for factor in story.contributing:
                doc.add(f"- {capfirst(factor)}")
    if keep(rng, 0.45):
        section(doc, h, rng.choice(("Mitigation", "What we did", "Response")), "mitigation")
        doc.add(_row(["Action", "Effect"], padded))
        doc.add(_row(["---", "---"], padded))
        for action in story.actions:
            said = cell(capfirst(action.do))
            doc.add(_row([said, cell(capfirst(action.effect))], padded), ("mitigation", said))
    if story.signatures and keep(rng, 0.4):
        section(doc, h, rng.choice(("Errors", "Error messages", "Signals")), "notes")
        doc.add(_row(["Source", "Message"], padded))
        doc.add(_row(["---", "---"], padded))
        for sig in story.signatures:
            doc.add(_row([values["svc"], f"`{cell(sig)}`"], padded))
    if keep(rng, 0.85):
        section(doc, h, rng.choice(("Action items", "Follow-ups", "Actions")), "actions")
        doc.add(_row(["#", "Action", "Owner", "Status"], padded))
        doc.add(_row(["---", "---", "---", "---"], padded))
        for n, item in enumerate(story.follow_ups, 1):
            status = rng.choice(("Open", "Open", "Done", "In progress", "To do"))
            owner = rng.choice((values["team"], story.person, story.people[-1]))
            doc.add(_row([str(n), cell(capfirst(item)), owner, status], padded))
    if story.noise and keep(rng, 0.4):
        section(doc, h, rng.choice(("Notes", "Misc")), "notes")
        doc.add(" ".join(story.noise))
    return doc, clock, EXTRAS
