"""Runbooks: one per recurring pattern, every step cited, every figure computed."""

from __future__ import annotations

import re
import statistics
import textwrap
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache, partial

from learnloop.analyze.engine import mode_titles
from learnloop.analyze.metrics import p90
from learnloop.analyze.patterns import Pattern
from learnloop.analyze.similar import first_sentences
from learnloop.analyze.steps import Cause, Playbook, Signal, Step, playbook
from learnloop.enrich import timings
from learnloop.model import FACTOR, SEVERITIES, Incident
from learnloop.read import lexicon
from learnloop.read.lexicon import Lexicon
from learnloop.read.markdown import sentences
from learnloop.read.says import recovered, tells_how
from learnloop.read.themes import compile_phrases
from learnloop.settings import Settings
from learnloop.write import document, markdown
from learnloop.write.cache import RenderCache
from learnloop.write.document import Region
from learnloop.write.markdown import duration, eased, from_start

RUNBOOKS = "runbooks"
SECTIONS = ("detection", "diagnosis", "mitigation", "resolution", "communication", "escalation")
FOOTER = (
    "## Notes from responders\n\n"
    "_Anything the incidents do not say: add it here. This section is never overwritten._"
)


def path_of(pattern_id: str) -> str:
    """Where a pattern's runbook lives."""
    return f"{RUNBOOKS}/{pattern_id}.md"


def cite(incidents: Sequence[Incident], limit: int = 4) -> str:
    """Links to incidents from a runbook, newest first; '…' past the limit."""
    return markdown.cite(incidents, f"{RUNBOOKS}/index.md", limit)


def meaning(pattern: Pattern, members: Sequence[Incident], causes: str, complete: str) -> str:
    """What the pattern is, how often, where and how bad."""
    services = Counter(s for m in members for s in m.services)
    where = ", ".join(
        f"{s} ({n})" for s, n in sorted(services.items(), key=lambda x: (-x[1], x[0]))[:4]
    )
    ttrs = [t for t in (timings(m).ttr for m in members) if t is not None]
    severe = sum(1 for m in members if m.severity in ("P0", "P1"))
    first = min(m.started_at for m in members).strftime("%Y-%m")
    lines = [f"**Meaning.** {causes}" if causes else "**Meaning.**"]
    figure = f"Seen {len(members)} times since {first} on {where}"
    if ttrs:
        figure += (
            f", median time to resolve {duration(statistics.median(ttrs))} "
            f"(p90 {duration(p90(ttrs))}, n={len(ttrs)})"
        )
    lines.append(f"{figure}; {severe} of {len(members)} at P0/P1.")
    lines.append("")
    lines.append(f"_Completeness: {complete}._")
    return "\n".join(lines)


def primary_cause(members: Sequence[Incident], seen: Sequence[Cause], named: str = "") -> str:
    """The root cause as most often written, in the newest words: of the incidents of the
    category seen most; else of those that show the failure mode the pattern is `named` for;
    else of the failure mode seen most (`seen`, as `steps.causes` gives them). Words that
    say the named mode go first: what the pattern is, not what set one incident off."""
    categories = Counter(m.root_cause.category for m in members if m.root_cause.category)
    top = categories.most_common(1)[0][0] if categories else None
    candidates = [m for m in members if top is not None and m.root_cause.category == top]
    # A pattern named for a mode another pattern was named for first carries a number
    # ("dependency-upgrade-2").
    mode = re.sub(r"-\d+$", "", named)
    shown = next((c for c in seen if c.mode == mode), seen[0] if seen else None)
    if not candidates and shown is not None:
        candidates = [m for m in members if m.id in shown.incidents]
    newest = sorted(candidates or members, key=lambda m: (m.started_at, m.id), reverse=True)
    fallback = ""  # the newest words, where none says the named mode
    for member in newest:
        says = _says_mode(member, mode)
        # A sentence that leans on the one before ("However, it turned out …", "In addition
        # …") or leads in to a list ("… were the root cause:") says little alone, and a
        # contributing factor is part of the cause, not the whole of it: another goes first
        # when there is one.
        told = sorted(
            (st for st in member.part("root_cause") if st.how != "timeline"),
            key=lambda st: (
                not says(st.text),
                bool(_LEANS_ON.match(st.text)) or st.text.rstrip().endswith(":"),
                st.how == FACTOR,
            ),
        )
        text = member.root_cause.summary or (told[0].text if told else member.section("root_cause"))
        if text and told and says(told[0].text):
            return first_sentences(text, 240)
        fallback = fallback or text
    return first_sentences(fallback, 240) if fallback else ""


def _says_mode(member: Incident, mode: str) -> Callable[[str], bool]:
    """Whether a text says the failure mode in the words that found it in this incident."""
    matched = next((f.matched for f in member.failure_modes if f.id == mode), ())
    if not matched:
        return lambda _: False
    found = _phrases(matched)
    return lambda text: found.search(text) is not None


@cache
def _phrases(matched: tuple[str, ...]) -> re.Pattern[str]:
    # The same few phrases found a mode in most of a pattern's members: compiled once.
    return compile_phrases(matched)


def _standing(texts: Sequence[str]) -> str:
    """The first text that does not lean on the one before it, else the first, else ""."""
    return next((t for t in texts if not _LEANS_ON.match(t)), texts[0] if texts else "")


_LEANS_ON = re.compile(
    r"^\W*(?:however|in addition|additionally|furthermore|moreover|also|but|and|so|then|"
    r"this|that|these|those|it|as a result|consequently)\b",
    re.IGNORECASE,
)


def _with_its_lead(text: str, incident: Incident) -> str:
    """A sentence that leans on the one before it ("This, in turn, meant that all inbound
    traffic failed"), with that one, where the summary tells both; else as it is."""
    if not text or not _LEANS_ON.match(text):
        return text
    for statement in incident.part("summary"):
        told = [said for _, said in sentences(statement.text)]
        if text in told[1:]:
            return f"{told[told.index(text) - 1]} {text}"
    return text


def impact(members: Sequence[Incident]) -> str:
    """Customers, revenue and SLA breaches across the pattern."""
    customers = [m.impact.customers_affected for m in members if m.impact.customers_affected]
    revenue = sum(m.impact.revenue_usd or 0 for m in members)
    breaches = [m for m in members if m.impact.sla_breached]
    lines = ["## Impact"]
    if customers:
        lines.append(
            f"- {sum(customers):,} customers affected across {len(customers)} incidents "
            f"(median {statistics.median(customers):,.0f} per incident)."
        )
    if revenue:
        lines.append(f"- ${revenue:,.0f} of revenue recorded as lost or delayed.")
    if breaches:
        lines.append(f"- SLA breached in {len(breaches)} of {len(members)}: {cite(breaches)}.")
    # The impact as the latest post-mortem that says it puts it: its front matter's summary,
    # else what its text says of the impact (an RCA's "Summary of Impact:"), in a sentence
    # that stands alone where there is one ("This, in turn, meant …" leans on the one before).
    said = (
        (m, m.impact.summary or _with_its_lead(_standing([s.text for s in m.part("impact")]), m))
        for m in sorted(members, key=lambda m: (m.started_at, m.id), reverse=True)
    )
    latest = next(((m, text) for m, text in said if text), None)
    if latest is not None:
        member, text = latest
        quoted = textwrap.shorten(text, 400, placeholder=" …")  # at most 400 characters
        lines.append(f"- Most recently: {quoted} ([{member.id}](../{member.path}))")
    if len(lines) == 1:
        lines.append("- None of these post-mortems records its impact.")
    return "\n".join(lines)


def _signal_line(signal: Signal, total: int, by_id: dict[str, Incident], what: str) -> str:
    when = (
        f", median {from_start(signal.median_minutes)}" if signal.median_minutes is not None else ""
    )
    members = [by_id[i] for i in signal.incidents if i in by_id]
    count = f"{len(signal.incidents)} of {total}"
    return f"- {what} `{signal.name}` in {count}{when} ({cite(members, 3)})."


def detection(members: Sequence[Incident], book: Playbook, by_id: dict[str, Incident]) -> str:
    """Alerts and symptoms that showed it, with how early, and what was missing."""
    total = len(members)
    lines = ["## Detection"]
    for signal in book.alerts[:5]:
        lines.append(_signal_line(signal, total, by_id, "Alert"))
    for signal in book.symptoms[:4]:
        lines.append(_signal_line(signal, total, by_id, "Log line or error"))
    ttds = [t for t in (timings(m).ttd for m in members) if t is not None]
    if ttds:
        lines.append(
            f"- Median time to detect {duration(statistics.median(ttds))} "
            f"(p90 {duration(p90(ttds))}, n={len(ttds)})."
        )
    by_customer = [m for m in members if (m.detection.method or "").startswith("customer")]
    if by_customer:
        lines.append(
            f"- Customers noticed first in {len(by_customer)} of {total} — a detection gap "
            f"({cite(by_customer, 3)})."
        )
    return "\n".join(lines) if len(lines) > 1 else ""


def _step_citation(step: Step, by_id: dict[str, Incident]) -> str:
    return cite([by_id[i] for i in step.incidents if i in by_id], 3)


def _step(marker: str, text: str, note: str) -> str:
    """A list item for a step; a command block keeps its lines, fenced, to copy as it is."""
    if "\n" not in text.strip():
        return f"{marker} {text.strip()} — {note}"
    pad = " " * (len(marker) + 1)
    fence = "~~~" if "```" in text else "```"
    code = "\n".join(pad + line if line.strip() else "" for line in text.strip("\n").split("\n"))
    return f"{marker} Run — {note}\n\n{pad}{fence}\n{code}\n{pad}{fence}"


def confirm(book: Playbook, total: int) -> str:
    """How to tell it is this failure, in three lines: what fired, what the logs said, the
    check that showed the cause most often. The details, cited, come further down."""

    def named(signals: Sequence[Signal], limit: int) -> str:
        shown = [f"`{s.name}` ({len(s.incidents)} of {total})" for s in signals[:limit]]
        more = len(signals) - limit
        return ", ".join(shown) + (f", and {more} more" if more > 0 else "")

    lines = ["## Confirm it is this"]
    if book.alerts:
        lines.append(f"- Alerts: {named(book.alerts, 3)}.")
    if book.symptoms:
        lines.append(f"- In the logs: {named(book.symptoms, 2)}.")
    decisive = next((step for step in book.diagnosis if "\n" not in step.text), None)
    if decisive is not None:
        led = (
            f", which showed the cause in {decisive.led_to_cause} of {total}"
            if (decisive.led_to_cause)
            else ""
        )
        lines.append(f"- Check: {decisive.text.rstrip('.')}{led}.")
    return "\n".join(lines) if len(lines) > 1 else ""


def diagnosis(book: Playbook, members: Sequence[Incident], by_id: dict[str, Incident]) -> str:
    """What responders looked at, the checks that led to the cause first; then the causes
    found before, to rule in or out first."""
    total = len(members)
    lines = ["## Diagnosis"]
    for n, step in enumerate(book.diagnosis[:6], start=1):
        decisive = (
            f"led to the cause in {step.led_to_cause} of {total}; " if step.led_to_cause else ""
        )
        note = f"{decisive}used in {len(step.incidents)} ({_step_citation(step, by_id)})"
        lines.append(_step(f"{n}.", step.text, note))
    found = causes_found(book, members, by_id)
    if found:
        lines += ["", "Causes found before, to rule in or out first:", *found]
    return "\n".join(lines) if len(lines) > 1 else ""


def causes_found(
    book: Playbook, members: Sequence[Incident], by_id: dict[str, Incident]
) -> list[str]:
    """The failure modes seen most, with the error strings their text shows; then, as
    written, the causes of incidents that show no mode of the catalogue. Three at most."""
    titles = mode_titles()
    total = len(members)
    out = []
    for cause in book.causes[:3]:
        cited = [by_id[i] for i in cause.incidents if i in by_id]
        title = titles.get(cause.mode, cause.mode.replace("-", " ").capitalize())
        # Only the strings these incidents showed: the catalogue's others may belong to
        # another stack ("NoSuchMethodError" for a Terraform provider upgrade).
        look = f"; their text shows {_either(cause.signatures)}" if cause.signatures else ""
        out.append(f"- {title} — in {len(cited)} of {total} ({cite(cited, 3)}){look}.")
    seen: set[str] = set()
    for m in sorted(members, key=lambda m: (m.started_at, m.id), reverse=True):
        said = "" if m.failure_modes else primary_cause([m], ())
        if said and _gist(said) not in seen and len(out) < 3:
            seen.add(_gist(said))
            out.append(f"- {said.rstrip('.')} — in {cite([m])}.")
    return out


def _either(signatures: Sequence[str]) -> str:
    return " or ".join(f"``{s}``" if "`" in s else f"`{s}`" for s in signatures)


def mitigation(book: Playbook, by_id: dict[str, Incident]) -> str:
    """Actions that eased the impact, with how soon they did."""
    lines = ["## Mitigation"]
    for step in book.mitigation[:6]:
        speed = "" if step.minutes_to_effect is None else f"{eased(step.minutes_to_effect)}; "
        note = f"{speed}used in {len(step.incidents)} ({_step_citation(step, by_id)})"
        lines.append(_step("-", step.text, note))
    return "\n".join(lines) if len(lines) > 1 else ""


def _fix_told(text: str, causes: set[str], cues: Lexicon) -> str:
    """A statement less the sentences of it that the reader took for the cause, and those
    that praise how people responded ("The affected employee did great job of immediately
    reporting …"), which tell no fix."""
    said = [sentence for _, sentence in sentences(text)]
    kept = [s for s in said if s not in causes and not cues.cue("praise", s)]
    return text if len(kept) == len(said) else " ".join(kept)


def resolution(members: Sequence[Incident]) -> str:
    """Root-cause fixes from action items and how each incident was closed."""
    lines = ["## Resolution"]
    fixes: dict[str, list[tuple[Incident, str]]] = {}
    for m in members:
        for item in m.action_items:
            if item.kind == "prevent":
                key = " ".join(sorted(set(item.title.lower().split())))
                state = item.status
                if item.status == "done" and item.done_at:
                    state = f"done {item.done_at.isoformat()}"
                elif item.due and item.status == "open":
                    state = f"open, due {item.due.isoformat()}"
                fixes.setdefault(key, []).append((m, f"{item.title} ({state}, {item.id}"))
    for _, uses in sorted(fixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:5]:
        newest_incident, label = max(uses, key=lambda u: (u[0].started_at, u[0].id))
        lines.append(f"- {label} in [{newest_incident.id}](../{newest_incident.path}))")
    newest_first = sorted(members, key=lambda m: (m.started_at, m.id), reverse=True)
    seen: set[str] = set()
    cues = lexicon.shipped()
    for m in newest_first:
        if len(seen) == 3:
            break  # three told: the older members' words are not read at all
        told = [st.text for st in m.part("resolution") if "\n" not in st.text]
        # The cause the section restates ("The root cause was determined to be …") is no fix.
        causes = {st.text for st in m.part("root_cause")}
        said = " ".join(
            fix for t in told if (fix := _fix_told(t, causes, cues)) and tells_how(fix, cues)
        )
        if not told:
            said = m.section("resolution")  # read from a section of no statements
        text = first_sentences(said, 200)
        key = _gist(text)
        if text and key not in seen:
            seen.add(key)
            lines.append(f"- How [{m.id}](../{m.path}) was fixed: {text}")
    if len(lines) == 1:
        # No fix was tracked or told: the lasting fixes the responders planned afterwards
        # (their follow-ups), which is what this section owes the next on-call.
        planned = [
            (m, first_sentences(_fix_told(st.text, set(), cues), 200))
            for m in newest_first
            for st in m.part("follow_ups")
            if "\n" not in st.text
        ]
        # One from each incident first, newest first, so that three lines speak for three.
        rank: Counter[str] = Counter()
        ranked = []
        for n, (m, text) in enumerate(planned):
            ranked.append((rank[m.id], n, m, text))
            rank[m.id] += 1
        for _, _, m, text in sorted(ranked, key=lambda r: (r[0], r[1])):
            key = _gist(text)
            if text and key not in seen and len(seen) < 3:
                seen.add(key)
                lines.append(f"- Lasting fix planned after [{m.id}](../{m.path}): {text}")
    verify = _verification(members)
    if verify:
        lines.append(f"- Verify: {verify}")
    return "\n".join(lines) if len(lines) > 1 else ""


def _gist(text: str) -> str:
    """Sentences that say the same in other order or punctuation share their gist."""
    return " ".join(sorted(set(re.findall(r"[a-z]{4,}", text.lower())))[:12])


_WHEN_SAID = re.compile(
    r"\s+(?:by|at|around|until|from)\s+(?:about\s+)?\d{1,2}[:.]\d\d(?:\s*(?:[AaPp][Mm]))?"
    r"(?:\s*(?:UTC|GMT|[A-Z]{2,4}T))?(?=[\s.,;]|$)"
)
# An entry's label: "Recovery:", a status page's "Resolved — ".
_LABEL = re.compile(r"^[A-Z][a-z]+(?::|\s[—–])\s+")
_STATUS_LABEL = re.compile(r"^[A-Z][a-z]+\s[—–]\s+")
_OUTCOME_CLAUSE = re.compile(r"^\W*(?:which|this|that|it)\b", re.IGNORECASE)


def _verification(members: Sequence[Incident]) -> str:
    """How the fix was known to hold: the check the incidents name most often (the reader's
    verification statements, else the timeline entry that says impact was over), citing
    the incidents that name it."""
    texts: dict[str, list[Incident]] = {}
    cues = lexicon.shipped()
    for m in members:
        said = [st.text for st in m.part("verification")]
        if not said:
            # An entry that says what it saw recover ("Error rates returned to normal"), not
            # a clause of what the action before it did ("which mitigated the issue"), in
            # its own words: a status page labels its last update "Resolved — " whatever it
            # says ("We are investigating reports of degraded performance").
            said = [
                _STATUS_LABEL.sub("", e.text)
                for e in m.timeline
                if "recovery" in e.kinds
                and "milestone" not in e.kinds
                and not _OUTCOME_CLAUSE.match(e.text)
            ]
            said = [text for text in said if recovered(text, cues)]
        for text in said:
            text = re.sub(r"(?:^|[;,.]\s*)(incident )?resolved\.?$", "", text, flags=re.I).strip()
            text = _LABEL.sub("", text)
            text = _WHEN_SAID.sub("", text)  # "… back to normal by 17:55 UTC": that day's time
            if re.search(r"[A-Za-z]{3,}", text) and "\n" not in text:
                named = texts.setdefault(text, [])  # "Resolved." alone says how to verify nothing
                if not named or named[-1] is not m:
                    named.append(m)
    if not texts:
        return ""
    text, named = max(texts.items(), key=lambda kv: (len(kv[1]), kv[0]))
    newest = sorted(named, key=lambda m: (m.started_at, m.id), reverse=True)[:3]
    cited = ", ".join(f"[{m.id}](../{m.path})" for m in newest)
    return f"{text.rstrip('.')} (as in {len(named)} of {len(members)} incidents: {cited})."


def communication(members: Sequence[Incident], settings: Settings) -> str:
    """Who to tell and how: the team's policy from learnloop.yml, each line saying so."""
    owners: Counter[str] = Counter()
    for m in members:
        for service in m.services:
            owner = settings.services.get(service)
            if owner and owner.owner:
                owners[owner.owner] += 1
    teams = Counter(item.owner for m in members for item in m.action_items if item.owner)
    notify = [name for name, _ in (owners or teams).most_common(3)]
    services = Counter(s for m in members for s in m.services).most_common(2)
    lines = ["## Communication"]
    who = ", ".join(notify) if notify else "the owners of the affected services"
    source = (
        "their owners in learnloop.yml `services`"
        if owners
        else "the teams that own this pattern's action items"
        if teams
        else "no owner is recorded"
    )
    lines.append(f"- Who to tell: {who} ({source}).")
    policy = settings.communication
    subject = " and ".join(s for s, _ in services)
    steps = [(s, policy[s]) for s in SEVERITIES if s in policy]
    for group in _same_text(steps):
        text = group[0][1].replace("{owners}", who).replace("{services}", subject)
        lines.append(f"- {'/'.join(s for s, _ in group)}: {text}")
    if "status_page" in policy:
        text = policy["status_page"].replace("{owners}", who).replace("{services}", subject)
        lines.append(f'- Status page: "{text}"')
    if steps or "status_page" in policy:
        lines.append("- (The policy above is `communication` in learnloop.yml.)")
    else:
        lines.append(
            "- No communication policy is set: say when to page, post on the status page and "
            "send updates, per severity, under `communication` in learnloop.yml."
        )
    return "\n".join(lines)


def _same_text(steps: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Neighbouring severities with the same policy, grouped: P0/P1 say it once."""
    groups: list[list[tuple[str, str]]] = []
    for step in steps:
        if groups and groups[-1][-1][1] == step[1]:
            groups[-1].append(step)
        else:
            groups.append([step])
    return groups


def escalation(members: Sequence[Incident]) -> str:
    """The responders with most experience of this pattern."""
    people = Counter(r.name for m in members for r in m.responders)
    roles = Counter(r.role for m in members for r in m.responders if r.role)
    if not people:
        return ""
    lines = ["## Escalation"]
    top = sorted(people.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
    lines.append("- Most experience: " + ", ".join(f"{n} ({c})" for n, c in top) + ".")
    if roles:
        common = sorted(roles.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        lines.append(
            "- Roles that joined most: " + ", ".join(f"{r} ({c})" for r, c in common) + "."
        )
    return "\n".join(lines)


def related(members: Sequence[Incident]) -> str:
    """Every incident of the pattern, newest first."""
    lines = [
        "## Related incidents",
        "",
        "| Date | Incident | Severity | TTR | Title |",
        "|---|---|---|---|---|",
    ]
    for m in sorted(members, key=lambda m: (m.started_at, m.id), reverse=True):
        title = m.title.replace("|", "\\|")
        lines.append(
            f"| {m.started_at.date().isoformat()} | [{m.id}](../{m.path}) | {m.severity} | "
            f"{duration(timings(m).ttr)} | {title} |"
        )
    return "\n".join(lines)


def render_runbook(
    pattern: Pattern,
    members: Sequence[Incident],
    all_services: Sequence[str],
    settings: Settings,
    existing: str | None,
    book: Playbook | None = None,
) -> str:
    """A pattern's runbook as the whole file text; `book` is its playbook (`steps_of`)."""
    if book is None:
        book = playbook(members, all_services, settings.commands)
    regions = runbook_regions(pattern, members, book, settings)
    return runbook_document(pattern, members, settings, regions, existing)


def runbook_regions(
    pattern: Pattern, members: Sequence[Incident], book: Playbook, settings: Settings
) -> list[Region]:
    """The generated regions of a pattern's runbook."""
    by_id = {m.id: m for m in members}
    # In the order an on-call needs them: how to confirm it is this (in a few lines), what to
    # do now, whom to call; then the signals and checks in full, how it was fixed for good,
    # what it costs, whom to tell, where it happened.
    body = {
        "confirm": confirm(book, len(members)),
        "mitigation": mitigation(book, by_id),
        "escalation": escalation(members),
        "detection": detection(members, book, by_id),
        "diagnosis": diagnosis(book, members, by_id),
        "resolution": resolution(members),
        "impact": impact(members),
        "communication": communication(members, settings),
        "related": related(members),
    }
    filled = [name for name in SECTIONS if body.get(name)]
    complete = (
        f"{len(filled)} of {len(SECTIONS)} sections have content "
        f"({round(100 * len(filled) / len(SECTIONS))}%)"
        + (
            f"; missing: {', '.join(n for n in SECTIONS if n not in filled)}"
            if len(filled) < len(SECTIONS)
            else ""
        )
    )
    cause = primary_cause(members, book.causes, pattern.id)
    regions = [Region("meaning", meaning(pattern, members, cause, complete))]
    return regions + [Region(name, text) for name, text in body.items() if text]


def runbook_document(
    pattern: Pattern,
    members: Sequence[Incident],
    settings: Settings,
    regions: Sequence[Region],
    existing: str | None,
) -> str:
    """The runbook file: its regions merged into the existing text."""
    return document.render(
        kind="runbook",
        title=pattern.title,
        regions=regions,
        sources=members,
        existing=existing,
        review_period_days=settings.review_period_days,
        pattern=pattern.id,
        footer=FOOTER,
    )


def completeness(text: str) -> str | None:
    """The completeness line of a rendered runbook, for indexes and reports."""
    match = re.search(r"_Completeness: ([^_]+)\._", text)
    return match.group(1) if match else None


def steps_of(
    members: Sequence[Incident],
    all_services: Sequence[str],
    cache: RenderCache,
    programs: tuple[str, ...],
) -> Playbook:
    """The playbook of a pattern's incidents, computed once for the runbook and its index;
    `programs` are the team's tools (learnloop.yml `reader.commands`)."""
    return cache.value(
        "playbook",
        (members, all_services, programs),
        lambda: playbook(members, all_services, programs),
    )


def _regions(
    pattern: Pattern,
    members: Sequence[Incident],
    all_services: Sequence[str],
    settings: Settings,
    cache: RenderCache,
) -> list[Region]:
    book = steps_of(members, all_services, cache, settings.commands)
    return runbook_regions(pattern, members, book, settings)


def render_runbooks(
    patterns: Sequence[Pattern],
    incidents: dict[str, Incident],
    settings: Settings,
    existing: Callable[[str], str | None],
    cache: RenderCache | None = None,
) -> dict[str, str]:
    """A runbook per recurring pattern; restricted incidents are never quoted in them."""
    cache = cache or RenderCache()
    shared = {i.id: i for i in incidents.values() if i.visibility != "restricted"}
    services = sorted({s for i in incidents.values() for s in i.services})
    out = {}
    for pattern in patterns:
        members = [shared[i] for i in pattern.incidents if i in shared]
        if len(members) < 2:
            continue
        path = path_of(pattern.id)
        # A runbook reads exactly these: the pattern, its shared incidents, every service name
        # (blanked out of commands), the settings, and its current text.
        out[path] = cache.document(
            path,
            (pattern, members, services, settings),
            existing(path),
            partial(_regions, pattern, members, services, settings, cache),
            partial(runbook_document, pattern, members, settings),
        )
    return out
