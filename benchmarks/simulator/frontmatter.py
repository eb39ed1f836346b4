"""The YAML keys at the top of each file: the required five always, the rest as teams vary.

Never the ground truth: no pattern, no failure kind, nothing a benchmark is scored on.
"""

from __future__ import annotations

import json
import random
import re
from datetime import datetime

from benchmarks.simulator.clock import Clock
from benchmarks.simulator.story import Story

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._/()+-]*")
_RESERVED = {"yes", "no", "true", "false", "null", "on", "off", "y", "n", "~"}
_SEVERITY_FORMS = ("P{n}", "P{n}", "P{n}", "SEV{n}", "sev{n}", "Sev-{n}", "S{n}")
_STATUS = ("resolved", "closed", "Resolved", "done", "postmortem-complete")


def scalar(text: str) -> str:
    """Text as a YAML scalar: plain when that reads back the same, else double-quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


def _stamp(at: datetime, clock: Clock, rng: random.Random) -> str:
    if clock.zone == "UTC" or rng.random() < 0.5:
        return f"{at:%Y-%m-%dT%H:%M:%SZ}" if rng.random() < 0.8 else f"{at:%Y-%m-%d} {at:%H:%M:%SZ}"
    return clock.local(at).isoformat(timespec="seconds")


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(scalar(i) for i in items) + "]"


def front_matter(
    story: Story, clock: Clock, rng: random.Random, extras: float
) -> tuple[list[str], list[tuple[str, int, str]]]:
    """The front-matter lines (without the '---' fences) and any facts they state.

    `extras` is the chance of each optional key: a template-following team fills many,
    others few or none.
    """
    p = story.planned
    lines = [f"id: {p.id}", f"title: {scalar(story.title)}"]
    date_only = rng.random() < 0.03
    if date_only:
        lines.append(f"started_at: {story.start:%Y-%m-%d}")
    else:
        lines.append(f"started_at: {_stamp(story.start, clock, rng)}")
    severity = rng.choice(_SEVERITY_FORMS).format(n=story.severity[1])
    lines.append(f"severity: {severity}")
    if rng.random() < 0.7:
        lines.append(f"services: {_flow(story.services)}")
    else:
        lines.append("services:")
        lines += [f"  - {scalar(s)}" for s in story.services]
    marks: list[tuple[str, int, str]] = []
    if rng.random() >= extras * 2:
        return lines, marks

    def maybe() -> bool:
        return rng.random() < extras

    if not date_only:
        if maybe():
            lines.append(f"detected_at: {_stamp(story.detected, clock, rng)}")
        if maybe():
            lines.append(f"mitigated_at: {_stamp(story.mitigated, clock, rng)}")
        if maybe():
            lines.append(f"resolved_at: {_stamp(story.resolved, clock, rng)}")
    if maybe():
        lines.append(f"status: {rng.choice(_STATUS)}")
    if maybe():
        lines.append(f"trigger: {story.trigger_kind}")
    if maybe():
        lines.append("impact:")
        lines.append(f"  customers_affected: {story.customers}")
        if rng.random() < 0.5:
            lines.append(f"  summary: {scalar(story.impact)}")
    if maybe():
        text = story.root_cause
        lines.append("root_cause:")
        if rng.random() < 0.5:
            lines.append(f"  category: {story.category}")
        if '"' not in text and "\\" not in text:
            lines.append(f"  summary: {json.dumps(text, ensure_ascii=False)}")
            marks.append(("root_cause", len(lines) - 1, text))
    if maybe():
        method = {"synthetic": "synthetic-check", "customer": "customer-report",
                  "internal": "internal-report"}.get(story.method, story.method)  # fmt: skip
        lines.append(f"detection: {{method: {method}}}")
    if maybe():
        lines.append(f"responders: {_flow(story.people)}")
    if maybe():
        lines.append(f"tags: {_flow(sorted({story.values['team'], rng.choice(_TAGS)}))}")
    if maybe() and story.follow_ups:
        lines.append("action_items:")
        for n, item in enumerate(story.follow_ups, 1):
            status = rng.choice(("open", "open", "done"))
            title = scalar(item[0].upper() + item[1:])
            lines.append(f"  - {{id: AI-{n}, title: {title}, status: {status}}}")
    if rng.random() < extras / 4:
        lines.append(f"author: {story.person}")  # not a known key: kept, with a warning
    return lines, marks


_TAGS = ("customer-impact", "postmortem", "production", "on-call", "outage", "degradation")
