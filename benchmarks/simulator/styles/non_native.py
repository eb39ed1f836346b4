"""English as a second language: articles dropped, the present perfect for the past, literal
phrasings, headings from another language's report template."""

from __future__ import annotations

import random
from datetime import datetime

from benchmarks.simulator.clock import Clock, pick
from benchmarks.simulator.doc import Doc
from benchmarks.simulator.language import capfirst, non_native, non_native_act, sentence
from benchmarks.simulator.story import Story
from benchmarks.simulator.styles.kit import code_block, events, headings, keep, section, title_line

EXTRAS = 0.2

_NAMES = {
    "summary": (
        "Problem description",
        "Description of problem",
        "Short description",
        "Incident description",
    ),
    "impact": ("Impact on clients", "Impact", "Consequences", "Affected users"),
    "timeline": ("Chronology", "Timeline of events", "Sequence of actions", "Timeline"),
    "cause": ("Reason", "Root reason", "Cause of incident", "Reason of problem", "Root cause"),
    "mitigation": ("What was done", "Solution", "Actions done", "Temporary solution"),
    "resolution": ("Final solution", "Permanent solution", "Resolution"),
    "actions": ("Actions for future", "Prevention actions", "Preventive measures", "Next actions"),
    "notes": ("Remarks", "Additional informations", "Other remarks"),
}
_OPENERS = (
    "On {d} at {t} we have noticed that {s}.",
    "In {d} around {t} {s}.",
    "Yesterday ({d}) at {t} there was problem: {s}.",
    "Please find below the report about incident from {d}. At {t} {s}.",
)
_CLOSINGS = (
    "In case of questions please contact us.",
    "Thank you for understanding.",
    "Best regards,",
)
_CAUSE_LEADS = (
    "Reason of problem was that {c}.",
    "Problem was happened because {c}.",
    "After investigation we have found that {c}.",
    "Root reason is: {c}.",
    "As per our analysis, {c}.",
    "{C}.",
)


def _dot(clock: Clock, at: datetime) -> str:
    t = clock.local(at)
    return f"{t:%H}.{t:%M}"


def render(story: Story, rng: random.Random) -> tuple[Doc, Clock, float]:
    """A report in careful, not quite native English."""
    clock = pick(rng, ("h_m", "h_m", "hm", "hm_zone", "date_hm_zone"))
    dotted = rng.random() < 0.25
    h = headings(rng, bold=0.15, emoji=0.03)
    h.numbered = rng.random() < 0.45
    doc = Doc()
    nn = lambda text: non_native(text, rng)  # noqa: E731
    name = {key: rng.choice(options) for key, options in _NAMES.items()}
    title_line(
        doc,
        rng.choice((story.title, f"Incident report: {story.title}", f"Report about {story.title}")),
        rng,
        0.5,
    )

    def at(moment: datetime) -> str:
        return _dot(clock, moment) if dotted else clock.time(moment)

    section(doc, h, name["summary"], "summary")
    day = clock.day(story.start, rng.choice((0, 1, 3)))
    opener = rng.choice(_OPENERS)
    doc.add(opener.format(d=day, t=at(story.start), s=nn(story.symptoms[0])))
    if story.signatures and rng.random() < 0.5:
        doc.add()
        doc.add("Error was following:")
        code_block(doc, story.signatures[:1], rng)
    if keep(rng, 0.7):
        section(doc, h, name["impact"], "impact")
        doc.add(sentence(nn(story.impact)))
    if keep(rng, 0.75):
        section(doc, h, name["timeline"], "timeline")
        for e in events(story, rng):
            if e.kind in ("action", "diag", "comms"):
                said = non_native_act(e.text, rng)
                line = f"- {at(e.at)} {rng.choice(('we', 'We', capfirst(story.person)))} {said}"
                doc.add(line, *([("mitigation", said)] if e.kind == "action" else []))
            else:
                doc.add(f"- {at(e.at)} {sentence(nn(e.text))}")
    if keep(rng, 0.85):
        section(doc, h, name["cause"], "cause")
        lead = rng.choice(_CAUSE_LEADS)
        cause = nn(story.root_cause)
        cause = capfirst(cause) if "{C}" in lead else cause
        doc.add(lead.replace("{c}", cause).replace("{C}", cause), ("root_cause", cause))
        if story.contributing:
            doc.add()
            doc.add(rng.choice(("Also following things were contributing:", "Additional factors:",
                                "Other reasons which made situation worse:")))  # fmt: skip
            for factor in story.contributing:
                doc.add(f"- {nn(factor)}")
    if keep(rng, 0.8):
        section(doc, h, name["mitigation"], "mitigation")
        for action in story.actions:
            said = non_native_act(action.do, rng)
            effect = nn(action.effect)
            doc.add(f"- We {said}, after this {effect}.", ("mitigation", said))
    if keep(rng, 0.6):
        section(doc, h, name["resolution"], "resolution")
        doc.add(f"We {non_native_act(story.resolution, rng)}.")
        if story.verification and rng.random() < 0.5:
            doc.add(sentence(nn(story.verification)))
    if story.noise and keep(rng, 0.4):
        section(doc, h, name["notes"], "notes")
        for note in story.noise:
            doc.add(nn(note))
    if keep(rng, 0.85):
        section(doc, h, name["actions"], "actions")
        for n, item in enumerate(story.follow_ups, 1):
            marker = rng.choice((f"{n}) ", f"{n}. ", "- "))
            doc.add(f"{marker}{capfirst(nn(item))}")
    if rng.random() < 0.3:
        doc.gap()
        doc.add(rng.choice((*_CLOSINGS, f"Prepared by {story.person}.")))
    return doc, clock, EXTRAS
