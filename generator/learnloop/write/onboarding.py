"""Your first on-call: the recurring failures most likely to page someone new, and what to read.

`kb/onboarding/index.md` is for everyone; `kb/onboarding/<team>.md` is for each owner in the
service catalog whose services appear in a recurring failure of the last twelve months. Each
lists at most eight failures, ranked as analyze/onboarding.py says (the page states the rule),
each with its runbook, the case study to read and three questions whose answers are facts the
linked pages state: which alert fired and how soon, which mitigation was used most and how
soon it eased the impact, what caused it most often. Restricted incidents never appear: the
writer is given the analysis without them.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from learnloop.analyze import onboarding, rootcause
from learnloop.analyze.gamedays import ALERT_NAME
from learnloop.analyze.metrics import default_today, p90
from learnloop.analyze.onboarding import HALF_LIFE_DAYS, WINDOW_DAYS, Ranked
from learnloop.analyze.patterns import Pattern
from learnloop.analyze.steps import Playbook
from learnloop.enrich import timings
from learnloop.model import Incident
from learnloop.slugs import slug
from learnloop.write import codeowners, document, runbook
from learnloop.write.cache import RenderCache
from learnloop.write.document import Region
from learnloop.write.kb.common import synthesis_of
from learnloop.write.kb.paths import case_path, pattern_path
from learnloop.write.markdown import (
    cite,
    duration,
    eased,
    from_start,
    heading_text,
    href,
    link,
    one_line,
    table_cell,
)

if TYPE_CHECKING:
    from learnloop.analyze.analysis import Analysis

FOLDER = "kb/onboarding"
INDEX = f"{FOLDER}/index.md"
FOOTER = (
    "## Notes\n\n_What a new on-call should know that the incidents do not say (who to ask, "
    "where the dashboards are): write it here. This part is never overwritten._"
)
QUESTIONS = 3
Existing = Callable[[str], str | None]


@dataclass(frozen=True)
class Question:
    """Something to be able to answer after reading, and where the answer is written."""

    text: str
    answer: str  # Markdown: the facts, cited
    page: str  # the repository path of the page that states the answer
    section: str  # its heading's anchor on that page, "" for the top
    facts: tuple[str, ...]  # each written word for word on that page


@dataclass(frozen=True)
class Failure:
    """A ranked failure with what to read about it and what to be able to answer."""

    ranked: Ranked
    members: tuple[Incident, ...]  # every incident of the pattern
    case: Incident | None
    questions: tuple[Question, ...]


def team_path(team: str, taken: set[str]) -> str:
    """Where a team's page lives; names that slug alike get a numbered suffix."""
    base = slug(team, default="team")
    name, n = base, 2
    while name in taken or name == "index":
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return f"{FOLDER}/{name}.md"


def team_pages(analysis: Analysis) -> dict[str, tuple[str, tuple[str, ...]]]:
    """team -> (its page's path, its services), for every owner in the service catalog."""
    settings = analysis.settings
    owners = sorted({s.owner for s in settings.services.values() if s.owner})
    taken: set[str] = set()
    return {t: (team_path(t, taken), codeowners.team_services(t, settings)) for t in owners}


# --- questions ----------------------------------------------------------------------------


def _single(text: str) -> bool:
    return "\n" not in text.strip()


def detection_question(
    book: Playbook, members: Sequence[Incident], by_id: Mapping[str, Incident], at: str, pid: str
) -> Question | None:
    """Which alert fired in most incidents and how soon; else how long detection took."""
    n = len(members)
    book_path = runbook.path_of(pid)
    where = f"the runbook's [Detection]({href(at, book_path)}#detection)"
    # As the runbook lists them (five at most); an exception's class name is a log line the
    # incidents quote, not an alert that pages.
    alerts = [s for s in book.alerts[:5] if ALERT_NAME.fullmatch(s.name)]
    if alerts:
        signal = alerts[0]
        fact = f"Alert `{signal.name}` in {len(signal.incidents)} of {n}"
        text = "Which alert fired most often"
        if signal.median_minutes is not None:
            fact += f", median {from_start(signal.median_minutes)}"
            text += ", and how soon after the start"
        fired = [by_id[i] for i in signal.incidents if i in by_id]
        return Question(
            text + "?", f"{fact} ({cite(fired, at, 2)}); in {where}.", book_path, "detection",
            (fact,),
        )  # fmt: skip
    measured = [(m, t) for m in members if (t := timings(m).ttd) is not None]
    if not measured:
        return None
    ttds = [t for _, t in measured]
    fact = (
        f"Median time to detect {duration(statistics.median(ttds))} "
        f"(p90 {duration(p90(ttds))}, n={len(ttds)})"
    )
    cited = cite([m for m, _ in measured], at, 2)
    return Question(
        "No alert is named in its incidents: how long did it take to notice them?",
        f"{fact} ({cited}); in {where}.",
        book_path,
        "detection",
        (fact,),
    )


def mitigation_question(
    book: Playbook, n: int, by_id: Mapping[str, Incident], at: str, pid: str
) -> Question | None:
    """The mitigation used most (a one-line step, as the runbook lists it) and how soon it
    eased the impact."""
    step = next((s for s in book.mitigation[:6] if _single(s.text)), None)
    if step is None:
        return None
    book_path = runbook.path_of(pid)
    if step.minutes_to_effect is None:
        speed, text = "", "Which mitigation was used most often?"
    else:
        speed = f"{eased(step.minutes_to_effect)}; "
        text = "Which mitigation was used most often, and how soon did the impact ease after it?"
    fact = f"{step.text.strip()} — {speed}used in {len(step.incidents)}"
    used = [by_id[i] for i in step.incidents if i in by_id]
    where = f"the runbook's [Mitigation]({href(at, book_path)}#mitigation)"
    answer = f"{fact} of {n} ({cite(used, at, 2)}); in {where}."
    return Question(text, answer, book_path, "mitigation", (fact,))


def diagnosis_question(
    book: Playbook, n: int, by_id: Mapping[str, Incident], at: str, pid: str
) -> Question | None:
    """The check that was last before acting most often: what showed the cause."""
    step = next((s for s in book.diagnosis[:6] if _single(s.text) and s.led_to_cause), None)
    if step is None:
        return None
    book_path = runbook.path_of(pid)
    fact = f"{step.text.strip()} — led to the cause in {step.led_to_cause} of {n}"
    used = [by_id[i] for i in step.incidents if i in by_id]
    where = f"the runbook's [Diagnosis]({href(at, book_path)}#diagnosis)"
    return Question(
        "Which check showed the cause most often?",
        f"{fact} ({cite(used, at, 2)}); in {where}.",
        book_path,
        "diagnosis",
        (fact,),
    )


def cause_question(
    cause: rootcause.Finding | None, n: int, by_id: Mapping[str, Incident], at: str, pid: str
) -> Question | None:
    """What caused it most often, as its pattern article says."""
    if cause is None:
        return None
    article = pattern_path(pid)
    fact = f"{one_line(cause.text)} — the cause in {len(cause.incidents)} of {n}"
    made = [by_id[i] for i in cause.incidents if i in by_id]
    return Question(
        "What caused it most often?",
        f"{fact} ({cite(made, at, 2)}); in its [pattern article]({href(at, article)}).",
        article,
        "",
        (fact,),
    )


def case_question(case: Incident | None, at: str) -> Question | None:
    """Why the case study's incident happened, as the case study says."""
    if case is None or not (said := one_line(rootcause.cause_text(case))):
        return None
    page = case_path(case.id)
    return Question(
        f"Why did {case.id} happen?",
        f"{said} ({link(case, at)}); in the case study's "
        f"[Why it happened]({href(at, page)}#why-it-happened).",
        page,
        "why-it-happened",
        (said,),
    )


def questions(
    pid: str,
    members: Sequence[Incident],
    book: Playbook,
    cause: rootcause.Finding | None,
    case: Incident | None,
    at: str,
) -> tuple[Question, ...]:
    """Three questions, each answered by a fact its page states: detection, mitigation and
    cause first; the decisive check and the case study's cause where one of those is missing."""
    by_id = {m.id: m for m in members}
    n = len(members)
    candidates = [
        detection_question(book, members, by_id, at, pid),
        mitigation_question(book, n, by_id, at, pid),
        cause_question(cause, n, by_id, at, pid) or case_question(case, at),
        diagnosis_question(book, n, by_id, at, pid),
        case_question(case, at) if cause is not None else None,
    ]
    return tuple(q for q in candidates if q is not None)[:QUESTIONS]


# --- the pages ----------------------------------------------------------------------------


def failure_text(number: int, failure: Failure, today: date, at: str, team: bool) -> str:
    """One ranked failure: why it is listed, what to read, what to be able to answer."""
    r = failure.ranked
    by_id = {m.id: m for m in failure.members}
    counted = [by_id[i] for i in r.incidents if i in by_id]
    book = runbook.path_of(r.pattern)
    scope = " on the team's services" if team else ""
    many = "incident" if len(counted) == 1 else "incidents"
    lines = [
        f"### {number}. {heading_text(r.title)}",
        "",
        f"**Why it is here.** Score {r.score:.2f}: {len(counted)} {many}{scope} in the 12 months "
        f"to {today.isoformat()}, the latest on {r.last.isoformat()} ({cite(counted, at, 4)}).",
        "",
    ]
    read = f"**Read.** The runbook, [{one_line(r.title)}]({href(at, book)})"
    case = failure.case
    if case is not None:
        t = timings(case)
        facts = [case.severity, case.started_at.date().isoformat()]
        facts += [f"resolved after {duration(t.ttr)}"] if t.ttr is not None else []
        read += (
            f"; then the case study of [{case.id}]({href(at, case_path(case.id))}), "
            f"{one_line(case.title)} ({', '.join(facts)})."
        )
    else:
        read += "; no incident of it was P0 or P1, so there is no case study: its runbook's "
        read += "Related incidents lists every one."
    lines += [read, ""]
    if failure.questions:
        lines += ["**Be able to answer.**", ""]
        for n, q in enumerate(failure.questions, start=1):
            lines.append(f"{n}. {q.text} _{q.answer}_")
    else:
        lines.append("Its incidents record too little to ask about: read them through the runbook.")
    return "\n".join(lines)


def rule_text(today: date, team: bool) -> str:
    """How the failures are ranked, in words a reader can check against the figures."""
    first = onboarding.window_start(today) + timedelta(days=1)
    scope = " (only those that name one of the team's services)" if team else ""
    case_scope = " (one on the team's services first)" if team else ""
    return (
        f"**How they are ranked.** A failure's score is the sum, over its incidents from "
        f"{first.isoformat()} to {today.isoformat()}{scope}, of ½ to the power (age in days ÷ "
        f"{HALF_LIFE_DAYS}): an incident from this week counts about 1, one {HALF_LIFE_DAYS} "
        f"days old ½, one {2 * HALF_LIFE_DAYS} days old ¼, one older than {WINDOW_DAYS} days "
        "nothing. Higher scores first; ties go to more incidents, then the most recent, then the "
        f"pattern's id. At most {onboarding.LIMIT} are listed. Failures seen only once have no "
        "runbook yet and are left out; restricted incidents are never counted. The case study is "
        f"the P0 or P1 incident{case_scope} whose post-mortem records the most (timeline "
        "entries, whys, contributing factors, action items), then the most severe, then the "
        "newest."
    )


def page_regions(
    failures: Sequence[Failure],
    today: date,
    at: str,
    team: str | None,
    services: Sequence[str],
    teams: Sequence[tuple[str, str, tuple[str, ...], int]] = (),
) -> list[Region]:
    """The regions of an onboarding page; `teams` (for everyone's page) lists the team pages."""
    if team is not None:
        own = ", ".join(f"`{s}`" for s in services)
        who = f"someone joining the on-call of **{one_line(team)}** (its services: {own})"
    else:
        who = "anyone joining on-call"
    intro = (
        f"For {who}: the recurring failures that paged most in the 12 months to "
        f"{today.isoformat()}, in the order to learn them. For each, read the runbook, then the "
        "case study, and check that you can answer its questions: every answer is written on "
        "the page it links, with the incidents it comes from."
    )
    overview = f"{intro}\n\n{rule_text(today, team is not None)}"
    if failures:
        body = "\n\n".join(
            failure_text(n, f, today, at, team is not None) for n, f in enumerate(failures, 1)
        )
    else:
        body = f"No recurring failure was seen in the {WINDOW_DAYS} days to {today.isoformat()}."
    regions = [
        Region("overview", overview),
        Region("failures", "## The failures most likely to page you\n\n" + body),
    ]
    if team is None:
        regions.append(Region("teams", teams_text(teams, at)))
    return regions


def teams_text(teams: Sequence[tuple[str, str, tuple[str, ...], int]], at: str) -> str:
    """Everyone's page: each team's own page, or why it has none."""
    lines = ["## Per team", ""]
    if not teams:
        lines.append(
            "With owners in the service catalog (`services:` in learnloop.yml, each with an "
            "`owner`), each team gets a page of its own, ranked over its services' incidents."
        )
        return "\n".join(lines)
    rows = []
    quiet = []
    for name, path, services, listed in teams:
        if listed:
            rows.append(
                f"| [{table_cell(name)}]({href(at, path)}) | "
                f"{table_cell(', '.join(services))} | {listed} |"
            )
        else:
            quiet.append(one_line(name))
    if rows:
        lines += ["| Team | Services | Failures listed |", "|---|---|---|", *rows]
    if quiet:
        lines += [
            "",
            f"No page for {', '.join(quiet)}: none of {'its' if len(quiet) == 1 else 'their'} "
            f"services appears in a recurring failure of the last {WINDOW_DAYS} days.",
        ]
    return "\n".join(lines)


def _failure(
    ranked: Ranked,
    pattern: Pattern,
    members: list[Incident],
    all_services: list[str],
    cache: RenderCache,
    analysis: Analysis,
    at: str,
    own: Sequence[str] = (),
) -> Failure:
    """A ranked failure with its case study (one on the team's services where there is one)
    and questions, from the same figures its runbook and its pattern article are rendered from
    (shared through the cache)."""
    book = runbook.steps_of(members, all_services, cache, analysis.settings.commands)
    syn = synthesis_of(pattern.id, members, cache, analysis.settings.themes)
    case = onboarding.case_to_read(members, own)
    found = questions(pattern.id, members, book, syn.primary_cause, case, at)
    return Failure(ranked, tuple(members), case, found)


def failures_of(
    ranked: Sequence[Ranked],
    patterns: Mapping[str, Pattern],
    by_id: Mapping[str, Incident],
    all_services: list[str],
    cache: RenderCache,
    analysis: Analysis,
    at: str,
    own: Sequence[str] = (),
) -> list[Failure]:
    """Each ranked failure worked out for the page at `at` (of the team owning `own`)."""
    out = []
    for r in ranked:
        pattern = patterns[r.pattern]
        members = [by_id[i] for i in pattern.incidents if i in by_id]
        out.append(_failure(r, pattern, members, all_services, cache, analysis, at, own))
    return out


@dataclass(frozen=True)
class Plan:
    """One onboarding page: whose it is and the failures it ranks (none: no page for a team)."""

    path: str
    title: str
    team: str | None  # None: everyone's page
    services: tuple[str, ...]
    ranked: tuple[Ranked, ...]


def pages(analysis: Analysis) -> list[Plan]:
    """Each team's page (in team order), then everyone's; `analysis` without restricted
    incidents. A team whose services appear in no recurring failure of the window ranks none."""
    by_id = analysis.incidents()
    today = default_today(by_id.values()) or date(1970, 1, 1)
    ordered = sorted(analysis.patterns.patterns, key=lambda p: p.id)
    out = []
    for team, (path, own) in team_pages(analysis).items():
        ranked = onboarding.rank(ordered, by_id, today, own) if own else []
        out.append(Plan(path, f"Your first on-call: {team}", team, own, tuple(ranked)))
    everyone = onboarding.rank(ordered, by_id, today)
    out.append(Plan(INDEX, "Your first on-call", None, (), tuple(everyone)))
    return out


def render_onboarding(
    analysis: Analysis,
    all_services: Sequence[str],
    existing: Existing,
    cache: RenderCache | None = None,
) -> dict[str, str]:
    """Everyone's onboarding page and each team's: path -> text.

    `analysis` holds no restricted incident; `all_services` is what runbooks blank out of
    commands (every service named), so the steps quoted are the runbooks' own.
    """
    cache = cache or RenderCache()
    by_id = analysis.incidents()
    today = default_today(by_id.values()) or date(1970, 1, 1)
    patterns = {p.id: p for p in analysis.patterns.patterns}
    services = sorted(all_services)
    review = analysis.settings.review_period_days
    themes = analysis.settings.themes.digest
    out: dict[str, str] = {}

    def emit(
        path: str,
        title: str,
        ranked: list[Ranked],
        team: str | None,
        own: tuple[str, ...],
        teams: tuple[tuple[str, str, tuple[str, ...], int], ...] = (),
    ) -> None:
        groups = [(r, [by_id[i] for i in patterns[r.pattern].incidents]) for r in ranked]
        sources = sorted({m.id: m for _, ms in groups for m in ms}.values(), key=lambda m: m.id)

        def regions() -> list[Region]:
            found = failures_of(ranked, patterns, by_id, services, cache, analysis, path, own)
            return page_regions(found, today, path, team, own, teams)

        merge = document.merger("article", heading_text(title), sources, review, FOOTER)
        # What the regions read: the ranking, each listed pattern with its incidents, the
        # service names (the runbook's steps), the themes (the cause), the day and the teams.
        inputs = (title, ranked, groups, [patterns[r.pattern] for r in ranked], services,
                  themes, today, review, team, own, teams)  # fmt: skip
        out[path] = cache.document(path, inputs, existing(path), regions, merge)

    planned = pages(analysis)
    listed = tuple((p.team, p.path, p.services, len(p.ranked)) for p in planned if p.team)
    for page in planned:
        if page.team is None:
            emit(page.path, page.title, list(page.ranked), None, (), listed)
        elif page.ranked:
            emit(page.path, page.title, list(page.ranked), page.team, page.services)
    return dict(sorted(out.items()))


def routes(analysis: Analysis, rendered: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Each team page written -> the team's services, for CODEOWNERS: a team reviews its own."""
    return {path: own for path, own in team_pages(analysis).values() if own and path in rendered}
