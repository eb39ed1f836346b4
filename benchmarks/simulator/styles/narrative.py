"""A story told in the first person: paragraphs, times in words, few or no headings."""

from __future__ import annotations

import random
from datetime import datetime

from benchmarks.simulator.clock import Clock, pick
from benchmarks.simulator.doc import Doc
from benchmarks.simulator.language import (
    capfirst,
    imperative,
    join,
    lowerfirst,
    perfect,
    sentence,
)
from benchmarks.simulator.story import Story
from benchmarks.simulator.styles.kit import code_block, headings, keep, section, title_line

EXTRAS = 0.1

_OPENERS = (
    "On {day}, {symptom}.",
    "This is the write-up for the {product} incident on {day}.",
    "On {day} we had a rough {part} with {svc}.",
    "I was on call on {day}, and this is what happened.",
    "Short version: {symptom}, for {duration}.",
    "{day} was not a good day for {product}.",
)
_LOG_INTROS = (
    "The logs were full of lines like this:",
    "The error we kept seeing:",
    "Every request failed with:",
)
_CAUSE_LEADS = (
    "It turned out that {cause}.",
    "In the end the explanation was simple: {cause}.",
    "Looking back, {cause}.",
    "So what actually happened? {Cause}.",
    "After a lot of digging we understood the real problem: {cause}.",
    "As far as we can tell, the cause is that {cause}.",
    "{Cause}.",
)


def _part_of_day(story: Story, clock: Clock) -> str:
    hour = clock.local(story.start).hour
    return "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"


def render(story: Story, rng: random.Random) -> tuple[Doc, Clock, float]:
    """Paragraphs in the first person, with the timeline told as prose."""
    clock = pick(rng, ("hm", "hm_zone"))
    use_headings = rng.random() < 0.55
    h = headings(rng, bold=0.2, emoji=0.05)
    doc = Doc()
    title_line(doc, story.title, rng, 0.6)
    values = story.values
    day = clock.day(story.start, rng.choice((1, 2, 4)))
    opener = rng.choice(_OPENERS).format(
        day=day,
        symptom=story.symptoms[0],
        product=values["product"],
        svc=values["svc"],
        part=_part_of_day(story, clock),
        duration=values["duration"],
    )
    intro = [capfirst(opener)]
    if rng.random() < 0.6:
        intro.append(sentence(story.impact))
    if story.noise and rng.random() < 0.3:
        intro.append(story.noise[0])
    doc.add(" ".join(intro))
    if use_headings:
        section(
            doc,
            h,
            rng.choice(("What happened", "The story", "How it unfolded", "Timeline")),
            "timeline",
        )
    else:
        doc.gap()

    def say(at: datetime) -> str:
        return clock.spoken(at, rng)

    def by(at: datetime) -> str:
        return clock.spoken(at, rng, lead=False)

    who = story.person
    first = [f"{capfirst(say(story.detected))} {lowerfirst(story.detection)}."]
    if story.trigger and rng.random() < 0.5:
        first.insert(0, f"A little earlier, {story.trigger}.")
    first.append(
        rng.choice(
            (
                f"{who} was on call and picked it up a few minutes later.",
                f"{capfirst(story.ack)} shortly after.",
                "I acknowledged the page and opened an incident channel.",
                f"{who} and I got on a call.",
            )
        )
    )
    if len(story.symptoms) > 1:
        first.append(f"By then {story.symptoms[1]}.")
    doc.add(" ".join(first))
    doc.gap()
    if story.diagnosis:
        steps = [s.text for s in story.diagnosis]
        para = [f"We started by looking at the obvious things. We {steps[0]}."]
        if len(steps) > 1:
            para.append(f"Then {rng.choice(('we', who, 'I'))} {join(steps[1:])}.")
        doc.add(" ".join(para))
        if story.signatures and rng.random() < 0.6:
            doc.gap()
            doc.add(rng.choice(_LOG_INTROS))
            code_block(doc, story.signatures[:1], rng)
        doc.gap()
    for n, action in enumerate(story.actions):
        subject = rng.choice(("we", "we", who, "I"))
        said = f"{subject} {action.do}"
        if n == 0:
            line = f"{capfirst(say(action.at))} {said}, and {action.effect}."
        elif rng.random() < 0.5:
            line = f"{capfirst(say(action.at))}, {said}. {sentence(action.effect)}"
        else:
            line = f"{capfirst(rng.choice(('next', 'after that', 'so')))} {said}; {action.effect}."
        doc.add(line, ("mitigation", action.do))
    doc.add()
    doc.add(
        f"By {by(story.mitigated)} {lowerfirst(story.mitigated_note)}, "
        f"and we closed the incident at {clock.time(story.resolved, 'hm_zone')}."
    )
    if keep(rng, 0.9):
        if use_headings:
            section(
                doc,
                h,
                rng.choice(
                    ("Why it happened", "Why did this happen?", "Root cause", "What went wrong")
                ),
                "cause",
            )
        else:
            doc.gap()
        lead = rng.choice(_CAUSE_LEADS)
        cause = story.root_cause if "{cause}" in lead else capfirst(story.root_cause)
        text = lead.replace("{cause}", cause).replace("{Cause}", cause)
        para = [text]
        if story.contributing:
            lead = rng.choice(("A few things made it worse: ", "Contributing: ", "Other factors: "))
            para.append(lead + "; ".join(story.contributing) + ".")
        doc.add(" ".join(para), ("root_cause", cause))
    if keep(rng, 0.6):
        doc.gap()
        if rng.random() < 0.5:
            doc.add(f"The permanent fix: we {story.resolution}.")
        else:
            doc.add(f"Since then we {perfect(story.resolution)}.")
    if keep(rng, 0.85):
        if use_headings:
            section(
                doc,
                h,
                rng.choice(("What we are changing", "What's next", "Follow-up", "Lessons")),
                "actions",
            )
        else:
            doc.gap()
        if all(imperative(f) for f in story.follow_ups) and rng.random() < 0.6:
            doc.add(f"We are going to {join(story.follow_ups)}.")
        else:
            doc.add("What we are going to do about it:")
            doc.add()
            for item in story.follow_ups:
                doc.add(f"- {capfirst(item)}")
    for note in story.noise[1:]:
        doc.gap()
        doc.add(note)
    return doc, clock, EXTRAS
