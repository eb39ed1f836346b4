"""A cloud provider's root cause analysis: formal paragraphs, regions, a tracking id."""

from __future__ import annotations

import random
import string

from benchmarks.simulator.clock import Clock
from benchmarks.simulator.doc import Doc
from benchmarks.simulator.language import capfirst, lowerfirst, sentence
from benchmarks.simulator.story import Story
from benchmarks.simulator.styles.kit import bullet, keep

EXTRAS = 0.08

_WHAT = (
    "experienced errors or timeouts when using",
    "may have experienced degraded performance of",
    "may have been unable to access",
    "experienced intermittent failures with",
    "may have seen increased latency and failed requests in",
)
_PROBLEMS = (
    "Service availability issues",
    "Degraded performance",
    "Intermittent errors",
    "Connectivity issues",
    "Service disruption",
)
_NEXT = ("Next steps", "Next Steps", "How are we making incidents like this less likely")
_WHO = ("a subset of customers", "customers", "some customers", "a limited number of customers")
_CAUSE_LEADS = ("We determined that {c}.", "Our investigation found that {c}.",
                "The issue was traced to the following: {c}.", "Engineers determined that {c}.",
                "{C}.")  # fmt: skip
_ACTORS = ("engineers", "our engineering team", "the on-call team", "Engineering")
_STEPS_INTRO = (
    "We sincerely apologize for the impact to affected customers. We are continuously taking "
    "steps to improve {product} and our processes to help ensure such incidents do not occur "
    "in the future. In this case, this includes (but is not limited to):",
    "We apologize for any inconvenience this may have caused. To prevent a recurrence we are:",
    "We are taking the following steps to reduce the likelihood and impact of a recurrence:",
)
_STATUS = ("[Completed]", "[In progress]", "[Planned]", "(completed)", "(in progress)", "")


def _tracking(rng: random.Random) -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(rng.choices(alphabet, k=4)) + "-" + "".join(rng.choices(alphabet, k=3))


def render(story: Story, rng: random.Random) -> tuple[Doc, Clock, float]:
    """Summary of impact, root cause, mitigation, next steps, as a provider writes them."""
    clock = Clock("UTC", "hm_zone")
    common_regions = ["West Europe", "North Europe", "East US 2", "UK South", "Japan East",
                      "Central US", "France Central", "Southeast Asia"]  # fmt: skip
    regions = rng.sample(common_regions, rng.choice((1, 1, 2, 3)))
    region_text = " and ".join(
        [", ".join(regions[:-1]), regions[-1]] if len(regions) > 1 else regions
    )
    product = story.values["product"]
    tracking = _tracking(rng)
    doc = Doc()
    # Bold labels opening paragraphs; else headings; else the whole review run together in
    # one paragraph, as a status feed gives it with its markup gone (half of those with no
    # space after each stop: "in this region.Root cause: …").
    layout = rng.random()
    labelled, feed, glued = layout < 0.6, layout >= 0.8, layout >= 0.9
    run: list[tuple[str, str, tuple[tuple[str, str], ...]]] = []  # (label, text, marks)
    problem = rng.choice(_PROBLEMS)
    if rng.random() < 0.7:
        doc.add(f"## RCA - {problem} - {product} ({region_text}) (Tracking ID {tracking})")
    else:
        doc.add(f"# Post Incident Review (PIR) - {product} - {problem}")
        doc.add()
        doc.add(f"Tracking ID: {tracking}")
    doc.add()

    def part(name: str, text: str, *marks: tuple[str, str]) -> None:
        if feed:
            run.append((name, text, marks))
            return
        doc.gap()
        if labelled:
            doc.add(f"**{name}:** {text}", *marks)
        else:
            doc.add(f"### {name}")
            doc.add()
            doc.add(text, *marks)

    start, end = clock.time(story.start, "hm"), clock.time(story.mitigated, "hm")
    day = clock.day(story.start, 3)
    impact = (
        f"Between {start} and {end} UTC on {day}, {rng.choice(_WHO)} using {product} in "
        f"{region_text} {rng.choice(_WHAT)} {product}. "
    )
    others = f"Customers not using {story.values['svc']} were not impacted."
    impact += rng.choice(
        (
            "Retries may have succeeded during this time.",
            "Other regions were not affected.",
            others,
            f"{capfirst(story.symptoms[0])}.",
        )
    )
    part(rng.choice(("Summary of impact", "Summary of Impact", "What happened?")), impact)
    if keep(rng, 0.9):
        lead = rng.choice(_CAUSE_LEADS)
        cause = lowerfirst(story.root_cause) if "{c}" in lead else capfirst(story.root_cause)
        text = lead.replace("{c}", cause).replace("{C}", cause)
        if story.trigger and rng.random() < 0.5:
            text = f"{sentence(story.trigger)} {text}"
        if story.contributing and rng.random() < 0.6:
            text += f" Additionally, {story.contributing[0]}."
        part(
            rng.choice(("Root cause", "Root Cause", "What went wrong and why?")),
            text,
            ("root_cause", cause),
        )
    if keep(rng, 0.9):
        marks, sentences = [], []
        for action in story.actions:
            actor = rng.choice(_ACTORS)
            said = action.do
            sentences.append(f"{capfirst(actor)} {said}. {sentence(action.effect)}")
            marks.append(("mitigation", said))
        sentences.append(f"Mitigation was complete by {clock.time(story.mitigated, 'hm')} UTC.")
        if story.detection and rng.random() < 0.5:
            sentences.insert(
                0, f"We became aware of this issue when {lowerfirst(story.detection)}."
            )
        part(
            rng.choice(("Mitigation", "How did we respond?", "Mitigation")),
            " ".join(sentences),
            *marks,
        )
    if keep(rng, 0.85):
        doc.gap()
        intro = rng.choice(_STEPS_INTRO).replace("{product}", product)
        label = rng.choice(_NEXT) if labelled or feed else "Next steps"
        b = bullet(rng)
        listed = [f"{capfirst(item)} {rng.choice(_STATUS)}".rstrip() for item in story.follow_ups]
        if feed:
            items = " ".join(f"{n}. {sentence(item)}" for n, item in enumerate(listed, 1))
            run.append((label, f"{intro} {items}", ()))
        else:
            if labelled:
                end = "?**" if label.startswith("How") else ":**"
                doc.add(f"**{label}{end} {intro}")
            else:
                doc.add("### Next steps")
                doc.add()
                doc.add(intro)
            doc.add()
            for item in listed:
                doc.add(f"{b}{item}")
    if story.noise and keep(rng, 0.3):
        part("Additional information", " ".join(story.noise[:1]))
    if keep(rng, 0.6):
        feedback = (
            f"Please help us improve the {product} customer communications experience by "
            f"taking our survey: https://aka.example.com/{tracking}"
        )
        if feed:
            run.append(("Provide feedback", feedback, ()))
        else:
            doc.gap()
            doc.add(f"**Provide feedback:** {feedback}")
    if run:
        doc.gap()
        said = [
            f"{name} {text}" if name.endswith("?") else f"{name}: {text}" for name, text, _ in run
        ]
        doc.add(("" if glued else " ").join(said), *(m for _, _, marks in run for m in marks))
    return doc, clock, EXTRAS
