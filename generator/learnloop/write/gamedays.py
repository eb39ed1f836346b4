"""Game-day pages and Chaos Toolkit experiments: one of each per recurring pattern.

`kb/gamedays/<pattern>.md` is a generated document like any article (front matter, regions,
the review block); `kb/gamedays/<pattern>.chaos.json` is the same game day as a Chaos Toolkit
experiment (write/chaos.py). Both come from the pattern's plan (analyze/gamedays.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from learnloop.analyze import gamedays
from learnloop.analyze.gamedays import GameDay
from learnloop.enrich import timings
from learnloop.model import Incident
from learnloop.write import document
from learnloop.write.cache import RenderCache
from learnloop.write.chaos import (
    SUFFIX,
    edited,
    env,
    experiment,
    serving,
    to_text,
    url_key,
    wait_seconds,
)
from learnloop.write.document import Region
from learnloop.write.markdown import (
    cite,
    duration,
    eased,
    heading_text,
    href,
    link,
    one_line,
    table_cell,
)

if TYPE_CHECKING:
    from learnloop.analyze.analysis import Analysis

FOLDER = "kb/gamedays"
INDEX = f"{FOLDER}/index.md"
FOOTER = (
    "## Notes from game days\n\n"
    "_When it was run, what held, what fired, what surprised: write it here. This part is never "
    "overwritten._"
)
Existing = Callable[[str], str | None]


def page_path(pattern: str) -> str:
    """Where a pattern's game-day page lives."""
    return f"{FOLDER}/{pattern}.md"


def experiment_path(pattern: str) -> str:
    """Where a pattern's Chaos Toolkit experiment lives."""
    return f"{FOLDER}/{pattern}{SUFFIX}"


def _minutes(value: float | None) -> str:
    return duration(value)


def _within(value: float | None) -> str:
    """How soon, as a bound: under a minute is "in under a minute", not "within 0 min"."""
    return "in under a minute" if value is not None and value < 1 else f"within {duration(value)}"


# --- the page -----------------------------------------------------------------------------


def regions(day: GameDay, members: Sequence[Incident], at: str) -> list[Region]:
    """The regions of a game-day page."""
    by_id = {m.id: m for m in members}
    return [
        Region("overview", _overview(day, members, at)),
        Region("hypothesis", _hypothesis(day, members, at)),
        Region("injection", _injection(day)),
        Region("blast-radius", _blast_radius(day)),
        Region("detection", _detection(day, by_id, at)),
        Region("practise", _practise(day, by_id, at)),
        Region("experiment", _experiment_text(day)),
        Region("incidents", _incidents(members, at)),
    ]


def _overview(day: GameDay, members: Sequence[Incident], at: str) -> str:
    starts = sorted(m.started_at for m in members)
    seen = (
        f"{day.title} happened {len(members)} times from {starts[0]:%Y-%m} to "
        f"{starts[-1]:%Y-%m} ({cite(members, at, 3)})"
    )
    modes = dict(day.modes)
    if day.mode:
        shown = one_line(day.mode_title or day.mode)
        how = f"most often as **{shown}** ({modes.get(day.mode, 0)} of {len(members)})"
        others = [f"{m} ({n})" for m, n in day.modes if m != day.mode][:3]
        how += f"; also {', '.join(others)}" if others else ""
    else:
        how = "with no failure mode the reader could name"
    cost = f"Median time to resolve {_minutes(day.ttr_median)}"
    if day.customers_median is not None:
        cost += f"; median {day.customers_median:,.0f} customers affected"
    runbook = f"[{one_line(day.title)}]({href(at, f'runbooks/{day.pattern}.md')})"
    return (
        f"**Why this game day.** {seen}, {how}. {cost}. A game day makes it happen on purpose, "
        f"small and reversible, to check that detection fires and to practise the runbook "
        f"({runbook}) before the next real one."
    )


def _hypothesis(day: GameDay, members: Sequence[Incident], at: str) -> str:
    what = f" ({one_line(day.mode_title).lower()})" if day.mode_title else ""
    lines = ["## Hypothesis", ""]
    lines.append(
        f"While one instance of `{day.target or 'the service'}` is made to fail as the incidents "
        f"did{what}, {serving(day.services, code=True)}: the steady state the experiment "
        "checks before and after the injection."
    )
    wait = wait_seconds(day)
    if wait is not None:
        mitigated = (
            f", and the runbook's mitigation restores the steady state "
            f"{_within(day.ttm_p90)} (the incidents' p90 time to mitigate)"
            if day.ttm_p90 is not None
            else ""
        )
        lines.append("")
        lines.append(
            f"Where it does not hold, detection fires {_within(wait / 60)}{mitigated}: "
            "that is what the game day practises."
        )
    latest = next(
        (m for m in sorted(members, key=lambda m: (m.started_at, m.id), reverse=True)
         if m.impact.summary),
        None,
    )  # fmt: skip
    if latest is not None:
        said = one_line(latest.impact.summary or "")
        lines += ["", f"When it happened for real: “{said}” ({link(latest, at)})."]
    return "\n".join(lines)


def _values_table(day: GameDay) -> str:
    rows = [f"| `${{{name}}}` | `{env(name)}` | {table_cell(what)} |" for name, what in day.needs()]
    rows += [
        f"| `${{{url_key(s)}}}` | `{env(url_key(s))}` | a health-check URL of `{s}` in the "
        "environment under test (answers 200 when it serves) |"
        for s in day.services
    ]
    if day.detection.alerts:
        rows.append(
            f"| `${{alertmanager_url}}` | `{env('alertmanager_url')}` | the Alertmanager that "
            "receives this environment's alerts |"
        )
    head = "| Value | Environment variable | What to give |\n|---|---|---|"
    return head + "\n" + "\n".join(rows)


def _injection(day: GameDay) -> str:
    lines = ["## Injection", ""]
    recipe = day.recipe
    mode = f"**{one_line(day.mode_title or day.mode or 'this failure')}**"
    if recipe is None:
        lines.append(
            f"No safe injection is known for {mode}: learnloop has no recipe that causes it on "
            "purpose without risk. Run this game day as a tabletop exercise: take the newest "
            "incident's timeline, stop at each entry, and have the on-call say what they would "
            "look at and do, with the runbook open."
        )
        return "\n".join(lines)
    if not recipe.safe:
        lines.append(f"{mode} is not to be caused on purpose: {one_line(recipe.unsafe or '')}.")
        lines += ["", f"Instead: {one_line(gamedays.fill(recipe.instead, day.target))}"]
        return "\n".join(lines)
    lines.append(one_line(gamedays.fill(recipe.inject, day.target)))
    if recipe.command:
        lines += ["", "An example of the technique, as the experiment runs it (`sh -c`):", ""]
        lines += ["```sh", recipe.command, "```"]
        if recipe.rollback:
            lines += ["", "Undone by:", "", "```sh", recipe.rollback, "```"]
        else:
            lines += ["", "It stops by itself; the experiment runs it in the background."]
    else:
        lines += [
            "",
            "The injection is a manual step: make it when the experiment has checked the "
            "steady state; the experiment then waits and records whether detection fired.",
        ]
    lines += [
        "",
        "Values to give when it runs (learnloop names only the services the incidents name):",
        "",
        _values_table(day),
    ]
    return "\n".join(lines)


def _blast_radius(day: GameDay) -> str:
    recipe = day.recipe
    lines = ["## Blast radius and abort conditions", ""]
    if recipe is not None and recipe.safe:
        lines.append(f"Start with {one_line(gamedays.fill(recipe.blast_radius, day.target))}.")
    else:
        lines.append("Nothing is injected: the exercise touches no system.")
        return "\n".join(lines)
    lines += ["", "Stop at once and undo the injection when:", ""]
    aborts = [
        "a health check of a service outside the blast radius fails",
        "a real incident starts anywhere in the environment",
    ]
    if day.ttm_p90 is not None:
        aborts.append(
            f"the injection has lasted longer than {_minutes(day.ttm_p90)} (the incidents' p90 "
            "time to mitigate) without the steady state coming back"
        )
    aborts += [gamedays.fill(a, day.target) for a in recipe.abort]
    lines += [f"- {one_line(a)}" for a in aborts]
    return "\n".join(lines)


def _detection(day: GameDay, by_id: dict[str, Incident], at: str) -> str:
    d = day.detection
    lines = ["## Detection to expect", ""]
    for signal in d.alerts:
        when = (
            f"{_within(signal.median_minutes)} (its median after the start)"
            if signal.median_minutes is not None
            else "(no time measured)"
        )
        members = [by_id[i] for i in signal.incidents if i in by_id]
        lines.append(
            f"- Alert `{signal.name}` should fire {when}; it did in {len(signal.incidents)} of "
            f"{len(by_id)} incidents ({cite(members, at, 3)})."
        )
    if not d.alerts:
        lines.append("- The incidents name no alert: note what notices the failure, and when.")
    if d.ttd_median is not None:
        lines.append(
            f"- The incidents were detected in a median of {_minutes(d.ttd_median)} (p90 "
            f"{_minutes(d.ttd_p90)}, n={d.ttd_n}): detection later than "
            f"{_minutes(d.ttd_p90)} is a finding."
        )
    else:
        lines.append("- No time to detect was measured in these incidents.")
    if d.customers_first:
        first = [by_id[i] for i in d.customers_first if i in by_id]
        lines.append(
            f"- Customers noticed first in {len(first)} of {len(by_id)} ({cite(first, at, 3)}): "
            "check that monitoring notices this time."
        )
    return "\n".join(lines)


def _practise(day: GameDay, by_id: dict[str, Incident], at: str) -> str:
    runbook = href(at, f"runbooks/{day.pattern}.md")
    lines = ["## Runbook steps to practise", ""]
    if day.diagnosis:
        lines += ["**Diagnosis**, in the order that led to the cause:", ""]
        for n, step in enumerate(day.diagnosis, start=1):
            used = [by_id[i] for i in step.incidents if i in by_id]
            lines.append(f"{n}. {one_line(step.text)} ({cite(used, at, 2)})")
        lines.append("")
    if day.mitigation:
        lines += ["**Mitigation**, what eased the impact:", ""]
        for n, step in enumerate(day.mitigation, start=1):
            used = [by_id[i] for i in step.incidents if i in by_id]
            speed = "" if step.minutes_to_effect is None else f" — {eased(step.minutes_to_effect)}"
            lines.append(f"{n}. {one_line(step.text)}{speed} ({cite(used, at, 2)})")
        lines.append("")
    if not day.diagnosis and not day.mitigation:
        lines += ["The incidents record no diagnosis or mitigation steps to practise.", ""]
    lines.append(f"The whole runbook: [{one_line(day.title)}]({runbook}).")
    return "\n".join(lines)


def _experiment_text(day: GameDay) -> str:
    name = experiment_path(day.pattern).rsplit("/", 1)[1]
    steps = ["checks the steady state"]
    recipe = day.recipe
    if recipe is not None and recipe.safe and recipe.command:
        steps.append("injects the failure")
    if day.detection.alerts and wait_seconds(day) is not None:
        steps.append(
            f"waits {_minutes((wait_seconds(day) or 0) / 60)} and records whether "
            f"`{day.detection.alerts[0].name}` fired"
        )
    if recipe is not None and recipe.safe and recipe.rollback:
        steps.append("undoes the injection")
    steps.append("checks the steady state again")
    exports = [f"export {env(n)}=…" for n, _ in day.needs()]
    exports += [f"export {env(url_key(s))}=…" for s in day.services]
    if day.detection.alerts:
        exports.append(f"export {env('alertmanager_url')}=…")
    return "\n".join(
        [
            "## Chaos Toolkit experiment",
            "",
            f"[`{name}`]({name}) runs this game day with the Chaos Toolkit: it "
            f"{', '.join(steps[:-1])} and {steps[-1]}.",
            "",
            "```sh",
            "pip install chaostoolkit",
            *exports,
            f"chaos run --rollback-strategy=always {experiment_path(day.pattern)}",
            "```",
            "",
            "Edit the experiment to fit your tooling: a file changed by hand is kept as it is, "
            "and no longer updated.",
        ]
    )


def _incidents(members: Sequence[Incident], at: str) -> str:
    rows = []
    for m in sorted(members, key=lambda i: (i.started_at, i.id), reverse=True):
        t = timings(m)
        rows.append(
            f"| {m.started_at.date().isoformat()} | {link(m, at)} {table_cell(m.title)} "
            f"| {m.severity} "
            f"| {_minutes(t.ttd)} | {_minutes(t.ttr)} |"
        )
    return "\n".join(
        [
            "## Incidents",
            "",
            "| Date | Incident | Severity | TTD | TTR |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )


# --- all of them --------------------------------------------------------------------------


def _index(days: Sequence[tuple[GameDay, Sequence[Incident]]]) -> list[Region]:
    rows = []
    for day, _ in days:
        recipe = day.recipe
        injection = (
            "a command" if recipe and recipe.safe and recipe.command
            else "a manual step" if recipe and recipe.safe
            else "none: not to be caused on purpose" if recipe
            else "none known: tabletop"
        )  # fmt: skip
        first = day.detection.alerts[0].name if day.detection.alerts else "—"
        name = page_path(day.pattern).rsplit("/", 1)[1]
        rows.append(
            f"| [{table_cell(day.title)}]({name}) "
            f"| {table_cell(day.mode_title or day.mode or '—')} | "
            f"{injection} | `{first}` {_within(day.detection.ttd_p90)} | "
            f"{len(day.incidents)} |"
        )
    table = "\n".join(
        [
            "| Game day | Failure mode | Injection | Detection to expect (p90) | Incidents |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )
    intro = (
        "One game day per recurring pattern, drawn from its incidents: what should hold, how to "
        "cause the failure safely, what should notice it and how fast, and which runbook steps "
        "to practise. Each has a Chaos Toolkit experiment beside it."
    )
    return [
        Region("overview", intro),
        Region("gamedays", "## Game days\n\n" + (table if rows else "None yet.")),
    ]


def render_gamedays(
    analysis: Analysis, existing: Existing, cache: RenderCache | None = None
) -> dict[str, str]:
    """Every game-day page and experiment, and their index: path -> text."""
    cache = cache or RenderCache()
    by_id = analysis.incidents()
    services = sorted({s for i in by_id.values() for s in i.services})
    review = analysis.settings.review_period_days
    programs = analysis.settings.commands
    out: dict[str, str] = {}
    days: list[tuple[GameDay, list[Incident]]] = []
    for pattern in sorted(analysis.patterns.patterns, key=lambda p: p.id):
        members = [by_id[i] for i in pattern.incidents if i in by_id]
        if len(members) < 2:
            continue
        day = cache.value(
            "gameday",
            (pattern.id, pattern.title, members, services, gamedays.recipes_digest(), programs),
            partial(gamedays.plan, pattern.id, pattern.title, members, services, programs),
        )
        days.append((day, members))
        at = page_path(pattern.id)

        title = heading_text(f"Game day: {day.title}")
        merge = document.merger("gameday", title, members, review, FOOTER, day.pattern)
        out[at] = cache.document(
            at, (day, members, review), existing(at), partial(regions, day, members, at), merge
        )
        json_path = experiment_path(pattern.id)
        current = existing(json_path)
        out[json_path] = (
            current
            if current is not None and edited(current)
            else to_text(experiment(day, members, at))
        )
    everyone = sorted({m.id: m for _, ms in days for m in ms}.values(), key=lambda m: m.id)
    out[INDEX] = document.render(
        kind="gameday",
        title="Game days",
        regions=_index(days),
        sources=everyone,
        existing=existing(INDEX),
        review_period_days=review,
    )
    return dict(sorted(out.items()))
