"""Reading post-mortems however they are written: their parts, moments and failure modes.

The stage between load and analyze: `load` turns a file into an Incident (front matter and
body); `read` says what the body tells (summary, impact, root cause, what responders looked at
and did, when each moment happened, the ways it failed) and what it could not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from learnloop.load import load_bytes, parse_files, read_each, repo_zone, survey
from learnloop.load.yamlsafe import YamlError, parse
from learnloop.model import (
    Corpus,
    FailureMode,
    Incident,
    Milestone,
    Problem,
    Statement,
    TimelineEvent,
    said_once,
)
from learnloop.read import failure_modes as modes_mod
from learnloop.read import lexicon as lexicon_mod
from learnloop.read.infer import infer, read_timeline
from learnloop.read.markdown import blocks
from learnloop.read.record import (
    frozen,
    impact_window,
    labels_apart,
    read_blocks,
    stated_durations,
)
from learnloop.read.timeline import entries_apart

# How far a timeline may run from the start before its dates are more likely wrong (a year
# or month mistyped, a template's dates left in) than a long incident: a warning, not an error.
FAR_AFTER = timedelta(days=30)
FAR_BEFORE = timedelta(days=2)
MILESTONES = ("detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
_KIND_OF = {
    "detected_at": "detection",
    "acknowledged_at": "acknowledgement",
    "mitigated_at": "recovery",
    "resolved_at": "resolved",
}
_FIGURES = {
    "detected_at": "time to detect",
    "acknowledged_at": "time to acknowledge",
    "mitigated_at": "time to mitigate",
    "resolved_at": "time to resolve",
}
# Section names the analysis has always read; the reader's `follow_ups` were `action_items`.
_SECTION_NAME = {"follow_ups": "action_items"}


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """What the reader knows: part names and cues, and the failure-mode catalogue."""

    lexicon: lexicon_mod.Lexicon
    catalogue: modes_mod.Catalogue


def shipped() -> Vocabulary:
    """The vocabulary learnloop ships, with no team's additions."""
    return Vocabulary(lexicon_mod.shipped(), modes_mod.load_catalogue())


def vocabulary(root: Path) -> Vocabulary:
    """The repository's vocabulary: the shipped one, with learnloop.yml's `reader:` and
    `failure_modes:` added. A bad extension is reported by the settings; here it is left out."""
    try:
        text = (root / "learnloop.yml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return shipped()
    if "reader" not in text and "failure_modes" not in text:
        return shipped()
    try:
        parsed = parse(text)
    except YamlError:
        return shipped()
    data: Any = parsed.data if isinstance(parsed.data, dict) else {}
    try:
        lexicon = lexicon_mod.extended(data.get("reader"))
    except Exception:
        lexicon = lexicon_mod.shipped()
    try:
        catalogue = modes_mod.load_catalogue(data.get("failure_modes"), lines=parsed.lines)
    except Exception:
        catalogue = modes_mod.load_catalogue()
    return Vocabulary(lexicon, catalogue)


def read_incident(
    incident: Incident, words: Vocabulary | None = None
) -> tuple[Incident, list[Problem]]:
    """The incident with what its text says (parts, timeline, moments, failure modes), and
    what could not be read (warnings: a warning never drops anything)."""
    words = words or shipped()
    body_blocks = labels_apart(
        entries_apart(blocks(incident.body, incident.body_line)), words.lexicon
    )
    reading = read_blocks(incident, words.lexicon, body_blocks)
    span = impact_window(incident, reading)
    events = read_timeline(incident, reading, words.lexicon, span)
    infer(incident, reading, events, words.lexicon)
    milestones = _milestones(incident, events, span, stated_durations(incident, reading))
    # The story's other sentences, for a post-mortem whose why no cue picks out.
    rest = " \n".join(b.text for part, b in reading.prose if part not in _NOT_THE_STORY)
    found = _failure_modes(replace(incident, timeline=tuple(events)), reading.parts, words, rest)
    sections = tuple(
        sorted(
            (_SECTION_NAME.get(part, part), text)
            for part, texts in reading.sections.items()
            if (text := _joined(texts))
        )
    )
    read = replace(
        incident,
        sections=sections,
        timeline=tuple(events),
        parts=frozen(reading.parts, events),
        failure_modes=found,
        milestones=milestones,
    )
    return read, _problems(read, events, words, reading.unknown)


_LISTED = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)]|\|)\s")


def _joined(texts: Sequence[str]) -> str:
    """A section's blocks as one text: list items and table rows stay one list, one table."""
    out = ""
    for text in texts:
        if out:
            out += "\n" if _LISTED.match(text) and _LISTED.match(out.split("\n")[-1]) else "\n\n"
        out += text
    return out.strip()


def _milestones(
    incident: Incident,
    events: Sequence[TimelineEvent],
    span: tuple[datetime, datetime, int] | None = None,
    lasted: Mapping[str, tuple[timedelta, int]] | None = None,
) -> tuple[Milestone, ...]:
    """Each moment from the front matter, else from the timeline (the first entry that says
    it, at or after the moment before; the last one for the resolution), else from the span
    of the impact the text states (its start, when the front matter gives only the day; its
    end, for when impact eased and ended)."""
    dated = [e for e in events if e.at is not None]
    out: list[Milestone] = []
    start = incident.started_at
    if incident.started_date_only and span and span[0].date() == start.date():
        start = span[0]
        out.append(Milestone("started_at", start, _SPAN, span[2]))
    elif incident.started_date_only:
        same_day = [e for e in dated if e.at and e.at.date() == start.date()]
        if same_day:
            first = min(same_day, key=lambda e: (e.at, e.line))
            start = first.at  # type: ignore[assignment]
            out.append(Milestone("started_at", start, "timeline", first.line, first.day_only))
        else:
            out.append(
                Milestone("started_at", start, "front matter", incident.line_of("started_at"))
            )
    else:
        out.append(Milestone("started_at", start, "front matter", incident.line_of("started_at")))
    if span and abs(span[0] - start) > _SAME_SPAN:
        # A span told of another day than the incident's ("from 19:30 US/Pacific on 14 July
        # 2022" in a post-mortem dated 2020): not its impact, or not its date; neither is read.
        span = None
    floor = start
    for name in MILESTONES:
        given: datetime | None = getattr(incident, name)
        if given is not None:
            out.append(Milestone(name, given, "front matter", incident.line_of(name)))
            floor = given
            continue
        kind = _KIND_OF[name]
        hits = [e for e in dated if e.at is not None and e.at >= floor and kind in e.kinds]
        if name == "mitigated_at":
            # "Resolved." says the incident was over, not when impact first eased.
            hits = [e for e in hits if "resolved" not in e.kinds or "mitigation" in e.kinds]
        if not hits and name == "resolved_at":
            hits = [
                e for e in dated if e.at is not None and e.at >= floor and "recovery" in e.kinds
            ]
        ended = incident.resolved_at if name == "mitigated_at" else None
        eased = hits[0].at if hits else None
        if eased is not None and ended is not None and eased > ended:
            # Impact eased no later than the author says it was resolved: an update posted
            # after it ("back to normal since 11:08"), or a later outage told in the same file.
            out.append(Milestone(name, ended, "front matter", incident.line_of("resolved_at")))
            floor = ended
        elif hits:
            chosen = hits[-1] if name == "resolved_at" else hits[0]
            out.append(
                Milestone(name, chosen.at, "timeline", chosen.line, chosen.day_only)  # type: ignore[arg-type]
            )
            floor = chosen.at  # type: ignore[assignment]
        elif name in ("mitigated_at", "resolved_at") and span and span[1] >= floor:
            out.append(Milestone(name, span[1], _SPAN, span[2]))
            floor = span[1]
        elif (said := _lasted(name, lasted or {})) and start + said[0] >= floor:
            # Computed, not written: start plus the duration the text states.
            out.append(Milestone(name, start + said[0], _LASTED, said[1]))
            floor = start + said[0]
    return tuple(out)


def _lasted(name: str, lasted: Mapping[str, tuple[timedelta, int]]) -> tuple[timedelta, int] | None:
    """The stated time from the start to a moment; the incident's duration stands for when
    impact eased where no time to mitigate is stated."""
    if name == "mitigated_at":
        return lasted.get(name) or lasted.get("resolved_at")
    return lasted.get(name)


_SPAN = "impact statement"
_SAME_SPAN = timedelta(days=1)  # how far the span's start may be from the incident's
_LASTED = "stated duration"


# Plans and lessons name no failure of this incident; the parts already read for why it
# failed, or what it looked like, need no second reading.
_NOT_THE_STORY = (
    "follow_ups",
    "lessons",
    "root_cause",
    "trigger",
    "contributing_factors",
    "symptoms",
    "summary",
    "impact",
)


def _failure_modes(
    incident: Incident, parts: dict[str, list[Any]], words: Vocabulary, rest: str = ""
) -> tuple[FailureMode, ...]:
    """The ways it failed: named by its author, else read from why it failed (the root
    cause, trigger, contributing factors and whys), else from what it says it looked like, else
    from its timeline, else from the rest of its story (plans and lessons aside)."""
    known = {m.id: m for m in words.catalogue.modes}
    given = tuple(
        FailureMode(name, known[name].family, (), given=True)
        for name in incident.failure_mode_given
        if name in known
    )
    if given:
        return given
    # A contributing factor read as part of the cause is read once, as a factor: what the
    # cause says first decides which mode comes first.
    why = " \n".join(
        s.text
        for s in said_once(
            parts.__getitem__, ("root_cause", "trigger", "contributing_factors", "whys")
        )
    )
    seen = " \n".join(
        [incident.title, *(s.text for p in ("symptoms", "summary", "impact") for s in parts[p])]
    )
    # A status page's updates are all its text: what it says of why is in the timeline.
    told = " \n".join(e.text for e in incident.timeline)
    # What it says of why decides; what it looked like only where it says none.
    texts = (why, seen, told, rest)
    said = ((n, modes_mod.match(text, words.catalogue)) for n, text in enumerate(texts))
    n, found = next(((n, f) for n, f in said if f), (len(texts), []))
    if not found:
        return ()
    out = {m.id: FailureMode(m.id, m.family, m.matched) for m in found}
    # An error string quoted anywhere after ("OOMKilled (exit 137)" in the timeline) betrays
    # a mode too, named after those.
    signatures = words.catalogue.signatures
    for match in modes_mod.match(" \n".join(texts[n + 1 :]), words.catalogue):
        quoted = tuple(e for e in match.matched if e in signatures[match.id])
        if quoted:
            out.setdefault(match.id, FailureMode(match.id, match.family, quoted))
    return tuple(out.values())


NOTICED_BEFORE = timedelta(hours=12)


def _early_hint(dated: Sequence[TimelineEvent], start: datetime) -> str:
    """What to do about a signal before the start: where an entry is whole hours before it
    ("08:44" under a started_at of 12:44Z), the entries are likely local times read as UTC."""
    for event in dated:
        if event.at is None:
            continue
        gap = start - event.at
        if timedelta(hours=1) <= gap <= NOTICED_BEFORE and not gap % timedelta(minutes=30):
            hours, rest = divmod(int(gap.total_seconds()) // 60, 60)
            return (
                f"the entry at {event.at:%H:%M} is {hours} h{f' {rest} min' if rest else ''} "
                'before started_at: if the timeline is in local time, name its zone ("All '
                'times EDT") or set `timezone:` in learnloop.yml; else set started_at to when '
                "the impact began, at or before the first signal"
            )
    return "set started_at to when the impact began, at or before the first signal"


def _far_after(dated: Sequence[TimelineEvent], n: int, start: datetime) -> bool:
    """Whether the n-th dated entry is long after the start and looks mistyped rather than part of
    a long story: no entry is near the start, it breaks the timeline's order (an entry after
    it is dated days before it), or it is the only entry past the first days. A disclosure's
    timeline, running in order from the report over weeks to the fix's release, is neither."""
    at = dated[n].at
    if at is None or at <= start + FAR_AFTER:
        return False
    if not any(e.at is not None and abs(e.at - start) <= FAR_BEFORE for e in dated):
        return True  # no story near the start at all: the start, or every date, is off
    if any(e.at is not None and at - e.at > FAR_BEFORE for e in dated[n + 1 :]):
        return True
    return not any(
        e.at is not None and e.at > start + FAR_BEFORE for i, e in enumerate(dated) if i != n
    )


def _problems(
    incident: Incident,
    events: Sequence[TimelineEvent],
    words: Vocabulary,
    said_unknown: Sequence[Statement] = (),
) -> list[Problem]:
    out: list[Problem] = []
    not_known = words.lexicon.cue("unknown", said_unknown[0].text) if said_unknown else None
    if not_known is not None and not incident.part("root_cause"):
        out.append(
            Problem(
                incident.path,
                said_unknown[0].line,
                "warning",
                f"root cause: said not to be known ({not_known.group(0)!r}); "
                "patterns and runbooks take its cause as not recorded",
                "say what is known or suspected, and update it when the analysis is done",
                code="cause-unknown",
            )
        )
    start = incident.started_at
    dated = [e for e in events if e.at is not None]
    far = next(
        (
            e
            for n, e in enumerate(dated)
            if e.at is not None and (e.at < start - FAR_BEFORE or _far_after(dated, n, start))
        ),
        None,
    )
    if far is not None and far.at is not None:
        days = (far.at - start).days
        out.append(
            Problem(
                incident.path,
                far.line,
                "warning",
                f"timeline: {far.at:%Y-%m-%d} is {abs(days)} days "
                f"{'after' if days >= 0 else 'before'} started_at ({start:%Y-%m-%d}); "
                "durations read from it will be wrong",
                "check the dates of started_at and of the timeline",
                code="timeline-date",
            )
        )
    known = {m.name for m in incident.milestones}
    unknown = [_FIGURES[m] for m in MILESTONES if m not in known]
    undated = [e for e in events if e.at is None]
    # A note among timed entries is a note; a timeline mostly without times is unread.
    if events and len(undated) * 2 > len(events) and unknown:
        out.append(
            Problem(
                incident.path,
                undated[0].line,
                "warning",
                f"timeline: {len(undated)} of {len(events)} entries have no time that can be "
                f"placed, so {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} unknown",
                "start each entry with a time (09:12, 9:12 PM, 2025-03-14 09:12 UTC)",
                code="timeline-undated",
            )
        )
    # A signal just before a start given to the minute: the start is likely late. (A day
    # alone, or a signal long before, is a story that began earlier, as disclosures do.)
    early = next(
        (
            e
            for e in events
            if e.at is not None
            and start - NOTICED_BEFORE <= e.at < start
            and "detection" in e.kinds
        ),
        None,
    )
    if (
        early is not None
        and early.at is not None
        and not incident.started_date_only
        and "detected_at" not in known
    ):
        out.append(
            Problem(
                incident.path,
                early.line,
                "warning",
                f"timeline: it was noticed at {early.at:%H:%M}, before started_at "
                f"({start:%H:%M}), so that is not taken as detected_at and the time to detect "
                "is unknown",
                _early_hint(dated, start),
                code="noticed-before-start",
            )
        )
    if incident.severity in ("P0", "P1") and "resolved_at" not in known:
        out.append(
            Problem(
                incident.path,
                incident.line_of("severity"),
                "warning",
                f"a {incident.severity} with no resolution time: its time to resolve and "
                "cost are unknown",
                "add resolved_at, or a timeline entry that says it was resolved",
                code="no-resolution-time",
            )
        )
    for name in incident.failure_mode_given:
        if name not in {m.id for m in words.catalogue.modes}:
            out.append(
                Problem(
                    incident.path,
                    incident.line_of("failure_mode"),
                    "warning",
                    f"failure_mode: {name!r} is not in the catalogue; kept out",
                    "see `learnloop check --explain` for the ids, or add it under "
                    "failure_modes: in learnloop.yml",
                    code="unknown-failure-mode",
                )
            )
    return out


def incident_from_bytes(
    raw: bytes, shown: str, zone: tzinfo = UTC, words: Vocabulary | None = None
) -> tuple[Incident | None, list[Problem]]:
    """A file's bytes, loaded and read."""
    incident, problems = load_bytes(raw, shown, zone)
    if incident is None:
        return None, problems
    read, found = read_incident(incident, words)
    return read, [*problems, *found]


def load_corpus(root: Path, paths: Iterable[Path] = (), zone: tzinfo | None = None) -> Corpus:
    """Every incident under root (or the given paths), loaded and read, with every problem."""
    found = survey(root, paths)
    zone = zone or repo_zone(root)
    words = vocabulary(root)
    return parse_files(
        root,
        read_each(found.files),
        lambda raw, shown: incident_from_bytes(_bytes(raw, shown), shown, zone, words),
        zone=zone,
        survey=found,
    )


def _bytes(raw: bytes | None, shown: str) -> bytes:
    if raw is None:
        raise ValueError(f"{shown}: not read, and nothing to take its parse from")
    return raw
