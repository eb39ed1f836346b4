"""What a post-mortem says without naming it.

The timeline's entries are read for what each does (noticed, acknowledged, looked, acted,
eased), and the sentences of the story for a cause, an action, a look or a plan: a sentence
that explains why is a root cause where the author gave none, an entry that rolled something
back is a mitigation wherever it is written. Runs on what read/record placed by headings and
labels, and adds to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import partial

from learnloop.model import FACTOR, Incident, Statement, TimelineEvent, whole_days
from learnloop.read import says, times
from learnloop.read import timeline as timeline_mod
from learnloop.read.lexicon import ASIDE, Lexicon, shipped, words
from learnloop.read.markdown import INLINE_CODE, Block, blocks, plain, sentences
from learnloop.read.record import (
    CODE_LINE,
    COMMITMENT,
    FIX,
    IMPACT,
    NOT_ACTIONS,
    STORY,
    Reading,
    assign,
    columns,
    leads_in,
    only_the_day,
    row_said,
    sentences_of,
    states_a_duration,
)


def read_timeline(
    incident: Incident,
    reading: Reading,
    lexicon: Lexicon,
    span: tuple[datetime, datetime, int] | None = None,
) -> list[TimelineEvent]:
    """The timeline's events, each marked with what it does (see lexicon.CUES)."""
    zone = incident.started_at.tzinfo or UTC
    day = only_the_day(incident)
    found = timeline_mod.events(
        reading.timeline_blocks,
        incident.started_at,
        zone,
        reading.stated_zone,
        day,
        (b for _, b in reading.prose),
    )
    entry_blocks = list(reading.timeline_blocks)
    if not found:
        # No timeline part: entries anywhere that open with a time are the timeline.
        # A paragraph that tells more than one moment ("At 13:46 we were paged. At 14:01 we
        # rolled back.") is prose that happens to open with one, read for all it tells.
        timed = [b for b in reading.unassigned if b.kind in ("item", "row", "paragraph")
                 and times.leading(b.text) is not None
                 and (b.kind != "paragraph" or len(times.within(b.text)) <= 1)]  # fmt: skip
        if len(timed) >= 2:
            found = timeline_mod.events(timed, incident.started_at, zone, reading.stated_zone, day)
            entry_blocks = timed
            # A list entry is read as an entry only; a paragraph is also prose to be read.
            read_as_entries = {b for b in timed if b.kind in ("item", "row")}
            reading.entries |= {
                n for n, (_, _, block) in enumerate(reading.assigned) if block in read_as_entries
            }
    if not found:
        # Updates headed by the time they were written ("### Update 2 (08:10 UTC)", as an
        # incident tracked in an issue is): what each says is an entry of that time.
        updates = _dated_sections(reading.assigned)
        if updates:
            found = timeline_mod.events(
                updates, incident.started_at, zone, reading.stated_zone, day
            )
            entry_blocks = [b for b in updates if b.kind != "heading"]
    if not found:
        # Nor entries: the moments its sentences give ("we rolled back at 09:50").
        after = span[0] if span else incident.started_at
        blocks_ = [block for _, block in reading.prose]
        told = timeline_mod.told(blocks_, after, zone, reading.stated_zone, None if span else day)
        # A moment told under what set it off or why is no action, whatever its verb ("At
        # 13:58 a change was introduced to reduce memory" under "Leadup").
        causal = [b for part, b in reading.prose if part in NOT_ACTIONS]
        read = _done_unbegun([_kinds(event, lexicon) for event in told], lexicon)
        read = [_not_acted(event) if _told_in(event, causal) else event for event in read]
        return _noticed_where_told(read, _noticing(reading))
    events = [_kinds(event, lexicon) for event in found]
    quoted = set(map(id, entry_blocks))
    more: list[TimelineEvent] | None = None  # events to add, in time order with the rest
    if not reading.written_timeline or all(_only_a_moment(e.text) for e in events):
        # Only lines that open with a time, under another part (a chat quoted in the story),
        # or only key moments named ("Detected: 09:40"): the moments the story's sentences
        # tell are the timeline too, in time order.
        prose = [b for _, b in reading.prose if id(b) not in quoted]
        more = timeline_mod.told(prose, incident.started_at, zone, reading.stated_zone, day)
    # Key moments a table of the incident's fields gives beside the timeline ("| Resolved |
    # 2024-11-19 09:30 UTC |", as an incident tool exports them): the author's own times of
    # those moments, entries of the timeline too.
    named = [
        b
        for _, _, b in reading.assigned
        if b.kind == "row" and id(b) not in quoted and timeline_mod.named_moment(b.cells)
    ]
    if named:
        stated = timeline_mod.events(named, incident.started_at, zone, reading.stated_zone, day)
        more = [*(more or []), *stated]
    if more is not None:
        events = sorted(
            [*events, *(_kinds(e, lexicon) for e in more)],
            key=lambda e: (e.at is None, e.at or incident.started_at, e.line),
        )
    events = _done_unbegun(events, lexicon)
    noticing = _noticing(reading)
    if noticing and not any("detection" in e.kinds for e in events):
        # The timeline lists what was done; when it was noticed is told under Detection
        # ("The alert was firing at 08:46 and the on-call got the page"). Only the first
        # moment told there can be when it was noticed.
        told = timeline_mod.told(noticing, incident.started_at, zone, reading.stated_zone, day)
        # A moment named otherwise ("Start time of incident: 13:02") is not when it was noticed.
        told = [
            e
            for e in map(partial(_kinds, lexicon=lexicon), told)
            if "detection" in e.kinds or not _only_a_moment(e.text)
        ]
        signal = _noticed_where_told(told[:1], noticing)[0] if told else None
        if signal is not None and signal.at is not None and "detection" in signal.kinds:
            at = signal.at
            later = (n for n, e in enumerate(events) if e.at is not None and e.at > at)
            events.insert(next(later, len(events)), signal)
    return events


def _done_unbegun(events: Sequence[TimelineEvent], lexicon: Lexicon) -> list[TimelineEvent]:
    """The events, with an action said done ("Node rollover completed") a step where no step
    before it began that action: a terse log tells only the end of what was done."""
    out: list[TimelineEvent] = []
    for n, event in enumerate(events):
        done = lexicon.cue("done", event.text)
        # The action's word as its beginning would say it: "rollb" of "rolled back".
        word = _as_nouns(done.group(0))[:_ACTION_STEM] if done is not None else ""
        if done is not None and lexicon.cue("ineffective", event.text[done.end() :]):
            # "Rollback complete, processors still crashing": the rollback begun before it
            # eased nothing, an attempt like one said to fail in its own entry.
            for k in reversed(range(len(out))):
                if "mitigation" in out[k].kinds and word in _as_nouns(out[k].text):
                    left = tuple(kind for kind in out[k].kinds if kind != "mitigation")
                    out[k] = replace(out[k], kinds=left)
                    break
        elif (
            done is not None
            and "mitigation" not in event.kinds
            and not any("mitigation" in e.kinds and word in _as_nouns(e.text) for e in events[:n])
        ):
            kinds = {*event.kinds, "mitigation"}
            event = replace(event, kinds=tuple(k for k in _KIND_ORDER if k in kinds))
        out.append(event)
    return out


_ACTION_STEM = 5  # "rollb" and "rollo", "resta" and "resto" stay apart
_PHRASAL = re.compile(r"\b(roll|fail)(?:ed|ing|s)?\s+(back|over)\b")


def _as_nouns(text: str) -> str:
    """The text in lower case, its phrasal verbs one word: "rolled back" as "rollback"."""
    return _PHRASAL.sub(r"\1\2", text.lower())


_KIND_ORDER = (
    "detection",
    "acknowledgement",
    "diagnosis",
    "mitigation",
    "recovery",
    "resolved",
    "milestone",
)


def _dated_sections(assigned: Sequence[tuple[str | None, str, Block]]) -> list[Block]:
    """The headings that tell one moment each, with the paragraphs and items under them, where
    two or more do; else none."""
    out: list[Block] = []
    level = 0  # the level of the dated heading whose text is being taken, or 0
    headings = 0
    for part, _, block in assigned:
        if block.kind == "heading":
            if level and block.level > level:
                continue  # a sub-heading of the update: its text is the update's
            dated = part is None and len(times.within(block.text)) == 1
            level = block.level if dated else 0
            if dated:
                out.append(block)
                headings += 1
        elif level and block.kind in ("paragraph", "item") and part is None:
            out.append(block)  # not what a label gives another part ("Follow-up issues: …")
    return out if headings >= 2 else []


def _noticing(reading: Reading) -> list[Block]:
    """The blocks under Detection: where a moment told in passing is when it was noticed."""
    return [b for part, b in reading.prose if part == "detection"]


def _noticed_where_told(
    events: list[TimelineEvent], noticing: Sequence[Block]
) -> list[TimelineEvent]:
    """Moments told in passing, with the first one told under "Detection" (`noticing`: "A
    customer ticket at 09:02") taken as when it was noticed, unless it tells an action."""
    told = [n for n, event in enumerate(events) if _told_in(event, noticing)]
    if told:
        # The first as written, not the earliest: "On 2 April at 16:31 UTC, AWS sent a support
        # case … The key had been committed to a public repository at 16:20 UTC."
        index = min(told, key=lambda n: (events[n].line, _where_told(events[n], noticing)))
        event = events[index]
        if not {"detection", "mitigation", "recovery", "resolved"} & set(event.kinds):
            events[index] = replace(event, kinds=("detection", *event.kinds))
    return events


def _where_told(event: TimelineEvent, where: Sequence[Block]) -> int:
    """Where in its block a moment told in passing is told."""
    block = next(b for b in where if b.line <= event.line <= b.end)
    return _where(event.text, plain(block.text))


def _told_in(event: TimelineEvent, where: Sequence[Block]) -> bool:
    """Whether a moment told in passing is told in one of these blocks: on its lines and in
    its words (one line may hold several parts, run together)."""
    return any(b.line <= event.line <= b.end and event.text in plain(b.text) for b in where)


def _not_acted(event: TimelineEvent) -> TimelineEvent:
    return replace(event, kinds=tuple(k for k in event.kinds if k != "mitigation"))


def timeline_of(
    body: str,
    started_at: datetime,
    zone: tzinfo,
    lexicon: Lexicon | None = None,
    day: date | None = None,
) -> list[TimelineEvent]:
    """The dated events of a Markdown text's timeline (for a text not yet an incident); `day`
    where only the day it started on is known (`started_at` its midnight)."""
    lexicon = lexicon or shipped()
    entries: list[Block] = []
    stated = None
    for part, _, block in assign(blocks(body), lexicon):
        if part != "timeline":
            continue
        if block.kind == "heading" and lexicon.heading(block.text) == "timeline":
            stated = times.stated_zone(block.text) or stated
            continue
        entries.append(block)
    return timeline_mod.events(entries, started_at, zone, stated, day)


# A command or query quoted, then what it showed: a look at the system, whatever the words.
_LOOKED = re.compile(
    r"`[^`]{3,}`\s*(?:[,:;]\s*)?(?:shows?|showed|shown|confirms?|confirmed|reveals?|revealed|"
    r"returns?|returned|lists?|listed|reports?|reported|gives?|gave)\b",
    re.IGNORECASE,
)


def _kinds(event: TimelineEvent, lexicon: Lexicon) -> TimelineEvent:
    text = event.text
    kinds = []
    # A status page's "Investigating — …" is the state the incident is in (taken up), not a
    # look at anything: what follows it says what was seen or done.
    taken_up = _INVESTIGATING.match(text)
    if taken_up is not None:
        text = says.blanked(text, taken_up)
    # An incident tool's "Status changed from Triage to Investigating": the state it moved
    # to is all it says, and a state is no look ("Investigating") nor step ("Fixing").
    if _CLOSED.match(text):  # "15:00 Closed": the incident's state, said alone
        return replace(event, kinds=("recovery", "resolved"))
    moved = _STATUS_CHANGE.match(text)
    if moved is not None:
        state = text[moved.end() :]
        if lexicon.cue("resolved", state):
            return replace(event, kinds=("recovery", "resolved"))
        if lexicon.cue("diagnosis", state) or lexicon.cue("acknowledgement", state):
            return replace(event, kinds=("acknowledgement",))
        return replace(event, kinds=())
    stood = lexicon.cue("milestone", text)  # where the incident stood: it eased, but not how
    if stood is not None and lexicon.cue("ineffective", text[stood.end() :]):
        stood = None  # "Rollback complete, processors still crashing": done, and eased nothing
    # An action counts only as done and of use, a look not when it only took the incident
    # up; every other kind as said.
    # "…, which mitigated the issue by 12:10": what the action before it did, no action.
    # "Mitigated: May 14, 2025 10:35 UTC", a key moment named: when, not what was done.
    done = (
        says.done(text, lexicon) if not _OUTCOME.match(text) and not _only_a_moment(text) else None
    )
    acted = done is not None
    # A look that found all well ("Community confirms the workshop is running smoothly")
    # led nowhere: no step of diagnosis.
    look = says.looked(text, lexicon)
    looked = look is not None and not (done is not None and _runs_it(text, done, look))
    # Nor did a look that confirmed the impact had eased ("we confirmed that login success
    # rates had returned to normal"): that is the verification.
    verified = bool(lexicon.cue("verification", text)) and says.recovered(text, lexicon)
    said = {
        "mitigation": acted,
        "diagnosis": looked and not verified and not says.all_well(text, lexicon),
    }
    # "Issue is looked into": someone took it up, though nothing named was looked at.
    said["acknowledgement"] = (
        taken_up is not None
        or bool(lexicon.cue("acknowledgement", text))
        or (not looked and bool(lexicon.cue("diagnosis", text)))
    )
    said["detection"] = says.first_signal(text, lexicon)
    for kind in ("detection", "acknowledgement", "diagnosis", "mitigation", "recovery", "resolved"):
        if (said[kind] if kind in said else lexicon.cue(kind, text)) or (
            kind == "recovery" and stood
        ):
            kinds.append(kind)
    if stood:
        kinds.append("milestone")
    if "diagnosis" not in kinds and "mitigation" not in kinds and _LOOKED.search(text):
        kinds.append("diagnosis")
    return replace(event, kinds=tuple(kinds))


def _runs_it(text: str, done: re.Match[str], look: re.Match[str]) -> bool:
    """Whether a look is only the command an action runs: within the action's words ("Raised
    maxmemory: `redis-cli -h cache config set …`"), or in the command the action is told
    with ("Restored the eviction policy: `redis-cli -h cache config set maxmemory-policy …`"),
    not a look said apart ("Rolled back after `kubectl logs` showed panics")."""
    if done.start() <= look.start() and look.end() <= done.end():
        return True
    code = next((c for c in INLINE_CODE.finditer(text) if c.start() < look.start() < c.end()), None)
    return (
        code is not None
        and code.start() >= done.end()
        and _TOLD_WITH.fullmatch(text, done.end(), code.start()) is not None
    )


# What lies between an action and the command it ran: "Restored the policy: `…`", "… with `…`".
_TOLD_WITH = re.compile(r"[^.;!?`]*(?::|\b(?:with|using|via|by running|running|by))\s*")


_STATUS_CHANGE = re.compile(
    r"^\W*(?:incident\s+)?status\s+(?:was\s+|has\s+been\s+)?(?:changed|set|updated|moved)\s+"
    r"(?:from\s+[\w -]+?\s+)?to\s+(?=\S)",
    re.IGNORECASE,
)
_CLOSED = re.compile(r"^\W*closed\W*$", re.IGNORECASE)
# A status page's update label for the state of being looked into: "Investigating — We are …".
_INVESTIGATING = re.compile(r"^\W*investigating\s*(?::|\s[—–-])\s+(?=\S)", re.IGNORECASE)
# A clause that opens on what the one before did: "which mitigated the issue by 12:10".
_OUTCOME = re.compile(r"^\W*(?:which|this|that|these|it)\s+(?:\w+ly\s+)?\w+ed\b", re.IGNORECASE)


def _what_was_seen(event: TimelineEvent, lexicon: Lexicon) -> bool:
    """Whether an entry's action words are what its signal saw ("Monitoring alerted on
    elevated proxy restarts"), not a step taken after it ("Paged on-call and rolled back")."""
    if "detection" not in event.kinds:
        return False
    signal = lexicon.cue("detection", event.text)
    action = says.action(event.text, lexicon)
    return (
        signal is not None
        and (action is None or action.start() > signal.start())
        and not says.then_acted(event.text, signal, lexicon)
    )


def infer(
    incident: Incident,
    reading: Reading,
    events: Sequence[TimelineEvent],
    lexicon: Lexicon,
) -> None:
    """What no heading says, found by what the text says: causes, actions, checks, signals.

    A cause is said wherever the author says it (summaries restate it); an action that eased
    the impact is one wherever it is written, most often in the timeline, with how soon
    impact eased after it. Entries before the incident was noticed tell what set it off.
    """
    # The first entry where someone noticed or did something: the dated entries just before
    # it set it off (a long run of them means the notice was missed, not a long trigger).
    # An action told before anything else of the response, with the first signal after it
    # ("kafka-2 restarted by the patching job", then "lag alert fires"), is what set it off.
    looked_or_noticed = next(
        (n for n, e in enumerate(events) if set(e.kinds) & (_RESPONDED - {"mitigation"})), None
    )
    noticed = next((n for n, e in enumerate(events) if set(e.kinds) & _RESPONDED), None)
    if looked_or_noticed is not None and any(
        "detection" in e.kinds for e in events[looked_or_noticed:]
    ):
        noticed = looked_or_noticed
    # An action its author calls a fix ("Pushed potential fix (AMI update, …)") was taken by
    # responders already at work: the response had begun, whatever it later set off.
    fixed = next(
        (n for n, e in enumerate(events) if "mitigation" in e.kinds and _A_FIX.search(e.text)),
        None,
    )
    if fixed is not None and (noticed is None or fixed < noticed):
        noticed = fixed
    lead = [n for n, e in enumerate(events[:noticed]) if e.at is not None] if noticed else []
    # Of those, what the users saw is a symptom however early; what set it off is among the
    # last entries that say something else ("Fluentd was upgraded", then five entries of
    # "node stops shipping logs").
    # A moment told under the impact ("from 10:12 to 11:59, 38% of instances rejected new
    # connections") is when users were hurt, whatever its words.
    hurt = [b for part, b in reading.prose if part == "impact"]
    seen = {
        n
        for n in lead
        if (
            (IMPACT.search(events[n].text) or says.CONSEQUENCE.match(events[n].text))
            and not lexicon.cue("fault", events[n].text)
        )
        or _told_in(events[n], hurt)
    }
    # A check that all was well ("Checked everything seemed ok") set nothing off.
    # Nor does a key moment's name and time alone ("Started: May 14, 2025 08:12 UTC").
    set_off = [
        n
        for n in lead
        if n not in seen
        and not lexicon.cue("verification", events[n].text)
        and not lexicon.cue("well", events[n].text)
        and not _only_a_moment(events[n].text)
    ][-_TRIGGER_ENTRIES:]
    acted = False  # a response entry came before: a check now verifies what it did
    # Among dated entries, one with no time ("Fixed at — 2 May 2024 10:48 BST" in a table of
    # key moments) says nothing of what came before what.
    undated_order = not any(e.at is not None for e in events)
    for index, event in enumerate(events):
        statement = Statement(event.text, event.line, event.line, "timeline", event.at)
        if acted and lexicon.cue("verification", event.text):
            reading.add("verification", statement)
        acted = acted or (
            bool({"mitigation", "recovery"} & set(event.kinds))
            and (event.at is not None or undated_order)
        )
        if _only_a_moment(event.text):
            continue  # "Detected: 2024-11-19 08:12 UTC" dates a moment and tells nothing of it
        if index in seen:
            reading.add("symptoms", statement)  # "all services returning 404"
            continue
        if index in set_off:
            reading.add("trigger", statement)
            if says.cause(event.text, lexicon) or says.tells_change(event.text, lexicon):
                reading.add("root_cause", statement)
            continue
        # Once responders are at work, an entry's "due to" explains a step, not the incident:
        # only a fault, or the cause named as such, is a cause there.
        # A fault in an action's object ("the buggy release was reverted") is no cause.
        named = (
            (lexicon.cue("fault", event.text) and "mitigation" not in event.kinds)
            or lexicon.cue("named_cause", event.text)
            or lexicon.cue("conclusion", event.text)
        )
        found = lexicon.cue("finding", event.text)
        if _told_in(event, hurt):
            # "… may have experienced data gaps and incorrect alert activations": the impact,
            # told with its times, whatever its words.
            named = found = None
        if (named and not found) or (found and says.found_told(event.text, found, lexicon)):
            reading.add("root_cause", statement)
            if "diagnosis" in event.kinds and lexicon.cue("conclusion", event.text):
                reading.add("diagnosis", statement)  # how they found it, and what they found
            continue
        looked = says.looked(event.text, lexicon) if "diagnosis" in event.kinds else None
        if (
            "mitigation" in event.kinds
            and (
                looked is None
                or says.then_acted(event.text, looked, lexicon)
                or says.acted_apart(event.text, looked, lexicon)
            )
            and not _what_was_seen(event, lexicon)
        ):
            reading.add("mitigation", _effect(statement, event, events))
        if "diagnosis" in event.kinds:
            reading.add("diagnosis", statement)
        if "detection" in event.kinds:
            reading.add("detection", statement)
        elif noticed is not None and index > noticed and _changed(event, lexicon):
            # "Upgraded the exporter", "The account was enabled": once responders are at
            # work, a change told and nothing else is what they did about it.
            reading.add("mitigation", _effect(statement, event, events))
    whys = reading.parts["whys"]
    if whys and not any(s.how not in ("inferred", "timeline") for s in reading.parts["root_cause"]):
        # Where no part names the root cause, the last of the whys is where the asking stopped:
        # its answer, after the question ("Why …? We never moved CI to OIDC.").
        last = whys[-1]
        answer = last.text.rsplit("?", 1)[-1].strip(" —–-:|")  # a table's "… — Because"
        reading.add("root_cause", replace(last, text=answer) if answer else last)
    for factor in reading.parts["contributing_factors"]:
        # A factor is a condition of the system that let it fail ("Priority-classes not
        # implemented", "API key used by the exporter belongs to a personal account"), part of
        # its cause whether or not it says why; or one of how it was caught and handled (the
        # alerts, the people, what they knew), which is not. A question or a wish is neither.
        # A fault told before the response's word is the system's ("a rule that would
        # incorrectly direct traffic … to the Traefik dashboard").
        # Nor is a word of the response that names a part of the system ("our monitoring
        # stack").
        response = next(
            (
                m
                for m in lexicon.every("response", factor.text)
                if not _A_PART.match(factor.text, m.end())
            ),
            None,
        )
        fault = lexicon.cue("fault", factor.text)
        if response is not None and fault is not None and fault.start() < response.start():
            response = None
        if not (
            response
            or lexicon.cue("intent", factor.text)
            or lexicon.cue("apology", factor.text)
            or factor.text.rstrip().endswith("?")
        ):
            reading.add("root_cause", replace(factor, how=FACTOR))
    assigned = reading.assigned
    planned_apart = not reading.parts["follow_ups"]  # no part of plans: commitments are them
    told: tuple[str | None, Statement] | None = None  # the story's sentence before, and its part
    went_well = False  # under a heading of what went well: no sentence there is a cause
    # The first heading under the title: what comes before it is the post's lead.
    first_section = next(
        (n for n, (_, _, b) in enumerate(assigned) if b.kind == "heading" and b.level >= 2), None
    )
    causes_listed = False  # in the list a lead-in of the cause opens
    for index, (part, how, block) in enumerate(assigned):
        if block.kind == "heading" and (block.level < 7 or part is not None):
            went_well = part == "lessons" and _WENT_WELL.search(block.text) is not None
        causes_listed = causes_listed and block.kind == "item"
        if block.kind not in ("paragraph", "item", "row") or part in ("timeline", "follow_ups"):
            continue
        if index in reading.entries or index in reading.leads or part == ASIDE:
            continue  # read as the timeline, as the list it opens, or not at all
        if causes_listed:
            # "The root cause was a combination of:" / "- a cache TTL set to zero": each entry
            # is the cause, whatever its words ("set to zero" is no action taken). It is also
            # what a sentence after the list ("As a result, …") follows from.
            listed_cause = Statement(plain(block.text), block.line, block.end, how)
            reading.add("root_cause", listed_cause)
            told = (part, listed_cause)
            continue
        following = assigned[index + 1][2] if index + 1 < len(assigned) else None
        causes_listed = part in STORY and _leads_to_causes(block, following, lexicon)
        if block.kind == "row" and columns(block):
            continue  # "# | Why? | Because": a table's column names say nothing
        if block.kind == "row" and how == "label":
            # "| Resolution | Upgraded the client |": the label cell is no part of a sentence.
            block = replace(block, text=row_said(block))
        preventing = False  # the paragraph has said what follows is done to prevent it
        told_here = list(sentences_of(block, lexicon))
        for n, (sentence, line, end) in enumerate(told_here):
            if _ABOUT_ITSELF.match(sentence):
                continue  # "This post explains what failed and how we found it": no part of it
            if part is None and _OWNED.search(sentence):
                # "- Add a circuit breaker around PaymentClient (owner: Anh)" under a heading
                # that names no part ("Actions"): work someone owns is work planned.
                reading.add("follow_ups", Statement(sentence, line, end, "inferred"))
                continue
            action = says.action(sentence, lexicon)
            intent = says.intended(sentence, lexicon, action)
            said = Statement(sentence, line, end, "inferred")
            before, told = told, (part, said) if part in STORY else None
            if (
                before is not None
                and before[0] == part
                and _follows_from(before[1].text, sentence, lexicon)
            ):
                # "… would stop looking for more transactions. This resulted in blocks with
                # only a few": what a sentence opens as the result of, the one before told.
                reading.add("root_cause", before[1])
            if causes_listed and n == len(told_here) - 1 and _FAULTS_COUNTED.search(sentence):
                # "With these 3 bugs, a client would:": the lead-in begins what its list ends.
                reading.add("root_cause", said)
                continue
            if preventing and lexicon.cue("responders", sentence[: says.NEAR]):
                # "We have taken several actions to prevent a recurrence. We have raised the
                # thread limit on all hosts, and we are adding an alarm …": the work to
                # prevent it, done since or under way, as a provider's summary tells it.
                reading.add("follow_ups", said)
                continue
            preventing = preventing or (
                part in STORY and planned_apart and _leads_to_prevention(sentence, lexicon)
            )
            if (
                part not in ("root_cause", "contributing_factors", "trigger")
                and not went_well
                and says.cause(sentence, lexicon)
                and not says.acted_first(sentence, lexicon, action)
                and not says.fault_acted_on(sentence, lexicon, action)
                and (part not in FIX or says.names_cause(sentence, lexicon))
            ):
                reading.add("root_cause", said)
                # "Our investigation found that …", "Grafana showed the pool wait time
                # climbing": how they found it, and what they found.
                looked = says.looked(sentence, lexicon)
                if (
                    part in STORY
                    and part != "diagnosis"
                    and looked is not None
                    and (
                        lexicon.cue("conclusion", sentence)
                        or says.looked_first(sentence, looked, lexicon)
                    )
                ):
                    reading.add("diagnosis", said)
                continue
            # Before the plans are passed over: "customers may have seen errors" is hedged, and
            # still the impact.
            # Where no heading parts the text, nor names its summary, its first such sentence is
            # the impact too (a status page's "still in outage" is no summary's); so is that of
            # a lead before the summary ("On 14 August, requests failed for half of our
            # customers. This post explains …", then "## Background").
            opening = (
                part == "summary"
                or (part is None and not reading.parts["summary"])
                or (part is None and first_section is not None and index < first_section)
            )
            if (
                opening
                and not reading.parts["impact"]
                and IMPACT.search(sentence)
                and not _UNHURT.search(sentence)
                and not says.looked(sentence, lexicon)  # "… looked at the dashboards, which showed"
            ):
                reading.add("impact", said)
            if (
                part in STORY
                and planned_apart
                and COMMITMENT.match(sentence)
                and not lexicon.cue("pending", sentence)  # "We'll keep you posted."
            ):
                # "We will move the fleet to larger servers": where no part lists the plans, the
                # commitments in the text are the follow-ups.
                reading.add("follow_ups", said)
                continue
            if intent or part in NOT_ACTIONS or lexicon.cue("fault", sentence):
                continue
            if _only_a_moment(sentence) or states_a_duration(sentence):
                # "| Mitigated | 2024-11-19 08:57 UTC |", "| Time to mitigate | 1 h 40 min |":
                # when, not what was done.
                continue
            # Past `intent` above: an action named here is one done, unless it did not help.
            done = (
                action is not None
                and says.helped(sentence, lexicon)
                and not _CHANGE_DID.match(sentence[: action.start()])
            ) or (
                # "Lowered the MTU on the tunnel interfaces.": a note of what was done, as
                # terse post-mortems write it, with no subject.
                action is None and part in STORY and says.change_opens(sentence, lexicon)
            )
            looked = says.looked(sentence, lexicon)
            if done and (not looked or says.then_acted(sentence, looked, lexicon)):
                if part != "mitigation":
                    reading.add("mitigation", said)
            elif part in STORY and looked and part not in ("diagnosis", "impact"):
                # (Under the impact, "Internal finance dashboards showed stale data" is what
                # users saw, not where responders looked.)
                reading.add("diagnosis", said)
            if (
                part in ("resolution", "mitigation")
                and lexicon.cue("verification", sentence)
                and (_fixed_before(reading, line) or lexicon.cue("recovery", sentence))
            ):
                # A check verifies a fix once there is one: "checked the dashboard and saw the
                # pool saturated" before any action is a look.
                reading.add("verification", said)
    # A mitigation written in its section whose sentence is also a dated entry (a time told
    # in passing, or the timeline's entry in the same words, as a summary table repeats it)
    # takes that entry's time, and how soon impact eased after it.
    kept = reading.parts["mitigation"]
    dated = [e for e in events if e.at is not None]
    for index, statement in enumerate(kept):
        if statement.at is not None:
            continue
        # Of the entries it tells, the first as written ("at 10:27 we pushed the last good
        # table from 09:55" was done at 10:27).
        same = min(
            (
                e
                for e in dated
                if _within(e.line, e.text, statement) or words(e.text) == words(statement.text)
            ),
            key=lambda e: (e.line, _where(e.text, statement.text)),
            default=None,
        )
        if same is not None:
            kept[index] = _effect(replace(statement, at=same.at), same, events)
    # A sentence elsewhere that tells an action at the time of a timeline's action ("**Resolution:**
    # The alias was pointed back at 09:38 …" beside "09:38 Maria pointed the alias back") tells the
    # same action: one statement, the sentence as written, with the entry's time and effect.
    told_again: set[int] = set()
    for index, statement in enumerate(kept):
        if statement.how == "timeline" or statement.at is not None:
            continue
        when = _first_told(statement, incident.started_at)
        entries = [n for n, t in enumerate(kept) if t.how == "timeline" and when and t.at == when]
        if len(entries) == 1:
            dated_entry = kept[entries[0]]
            kept[index] = replace(
                statement, at=dated_entry.at, effect_minutes=dated_entry.effect_minutes
            )
            told_again.add(entries[0])
    kept[:] = [s for n, s in enumerate(kept) if n not in told_again]
    # An entry of several sentences (an update under its time) and the sentence of it that
    # tells the action are one action too: the sentence takes the entry's time.
    for index, statement in enumerate(kept):
        if statement.how == "timeline" or statement.at is not None:
            continue
        entry = next(
            (t for t in kept if t.how == "timeline" and _within(statement.line, statement.text, t)),
            None,
        )
        if entry is not None:
            kept[index] = replace(statement, at=entry.at, effect_minutes=entry.effect_minutes)
    # A moment told in passing and the sentence it is told in are one action, or one look:
    # the sentence, as written, is kept ("Rolled back the deploy at 14:31; errors stopped by
    # 14:40.").
    kept[:] = _once(kept)
    reading.parts["diagnosis"][:] = _once(reading.parts["diagnosis"])
    # Found by its words and dated before the first signal ("During routine patching, kafka-2
    # was restarted at 02:05 UTC", then the lag alert at 02:24): what set it off, no response.
    signal = next((e.at for e in dated if "detection" in e.kinds), None)
    if signal is not None:
        kept[:] = [s for s in kept if not (s.how == "inferred" and _told_before(s, signal))]
    for part, _, block in assigned:
        commands = block.kind == "code" and CODE_LINE.match(block.text)
        if commands and part in ("timeline", "diagnosis", None):
            reading.add("diagnosis", Statement(block.text, block.line, block.end, "inferred"))


# A part of the system named by what it does for the response: "monitoring stack".
_A_PART = re.compile(
    r"\s+(?:stack|system|systems|pipeline|cluster|server|servers|node|nodes|agent|agents|"
    r"component|components|service|services|database|namespace)\b",
    re.IGNORECASE,
)


def _leads_to_causes(block: Block, following: Block | None, lexicon: Lexicon) -> bool:
    """Whether a paragraph of the story opens a list of what caused it: it ends on a colon
    after the cause named ("The root cause was a combination of:") or the faults counted
    ("With these 3 bugs, a client submitting a spend would:"), and tells no action or plan."""
    if not leads_in(block, following):
        return False
    last = sentences(block.text.rstrip())[-1][1]
    if says.action(last, lexicon) is not None or lexicon.cue("intent", last):
        return False
    return (
        bool(lexicon.cue("named_cause", last))
        or _FAULTS_COUNTED.search(last) is not None
        or _WHAT_LED_TO_IT.search(last) is not None
    )


# The faults a lead-in counts before the list of what they did: "With these 3 bugs, …:".
_FAULTS_COUNTED = re.compile(
    r"\b(?:these|those|the|both|all)\s+(?:\w+\s+)?(?:bugs|defects|flaws|faults|vulnerabilities)\b",
    re.IGNORECASE,
)
# What the list tells, said of it as what led there: "The following sequence of events led to
# the outage:", "The following factors contributed to it:", "The following situation occurred:".
_WHAT_LED_TO_IT = re.compile(
    r"\bthe following\s+(?:[\w-]+\s+){1,3}?(?:led to|caused|contributed to|resulted in|occurred|"
    r"happened|arose|combined)\b",
    re.IGNORECASE,
)


def _follows_from(before: str, sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence opens on what the one before it caused ("This resulted in …", "As a
    result, …", "This led to …"), so that the one before tells a cause. Not where the one
    before tells only the harm ("Search was down for an hour. This resulted in …"): a
    consequence of a consequence."""
    if not _RESULT.match(sentence):
        return False
    return not IMPACT.search(before) or bool(
        lexicon.cue("cause", before) or lexicon.cue("fault", before)
    )


# What opens on the result of the sentence before: "This resulted in", "This in turn caused",
# "As a result". Not "This was caused by …", whose cause is its own.
_RESULT = re.compile(
    r"^\W*(?:as\s+a\s+(?:direct\s+)?result\b|consequently\b|(?:this|that|these|which|it)\s+"
    # "This increase would turn out to push …": the thing the sentence before told, named.
    r"(?:(?!(?:was|is|were|are|has|had)\b)[a-z]+\s+(?=(?:would|eventually|then)\b))?"
    r"(?:(?:\w+ly|in\s+turn|then|also|further|would|eventually|ultimately|soon)\s+)*"
    r"(?:caused|causes|resulted\s+in|results?\s+in|led\s+to|leads?\s+to|triggered|meant|means|"
    r"turn(?:ed|s)?\s+out\s+to)\b"
    r"(?!\s+by\b))",
    re.IGNORECASE,
)


# Work given to someone, as an action list marks it: "(owner: Anh)", "— assignee: @li".
_OWNED = re.compile(
    r"[(\[—–-]\s*(?:owner|owners|owned by|assignee|assigned to|responsible|dri)\b\s*[:=]?\s*"
    r"@?[\w .,'-]+[)\]]?\s*\.?$",
    re.IGNORECASE,
)
# A sentence about the write-up itself: "This post explains …", "In this report we describe …",
# or about what made the incidents worth writing up ("These incidents were notable because of
# how challenging their investigation turned out to be"): why they are told, not why they were.
_ABOUT_ITSELF = re.compile(
    r"^\W*(?:(?:in\s+)?(?:this|the\s+following)\s+(?:blog\s+)?(?:post|document|report|"
    r"write-?up|post-?mortem|retrospective|rca|article)\b|(?:this|these|those)\s+"
    r"(?:incidents?|outages?|events?)\s+(?:was|were|is|are)\s+(?:\w+ly\s+)?(?:notable|"
    r"interesting|unusual|memorable|instructive|remarkable|worth)\b)",
    re.IGNORECASE,
)
_TRIGGER_ENTRIES = 2
_A_FIX = re.compile(r"\b(?:fix|fixes|hotfix|hotfixes|workaround|mitigation)\b", re.IGNORECASE)
_NAME_OF_A_MOMENT = re.compile(r"^\W*[A-Za-z][\w ]{0,30}(?::|\s+[—–]\s+)\s*")
# Or a time said as where something began, the rest of its sentence told elsewhere: "…, for
# 2 hours and 12 minutes, beginning at 09:41 US/Pacific."
_FROM_A_MOMENT = re.compile(
    r"^\W*(?:(?:beginning|starting|started|began|commencing)\s+)?(?:at|on|from|since|around)\s+",
    re.IGNORECASE,
)


# Who was not hurt: "High-priority user-facing traffic was not affected."
_UNHURT = re.compile(
    r"\b(?:not|never)\s+(?:been\s+)?(?:affected|impacted)\b|\bunaffected\b|\bno\s+(?:\w+\s+)?impact\b",
    re.IGNORECASE,
)


def _only_a_moment(text: str) -> bool:
    """Whether an entry is a moment's name and its time, and says nothing else."""
    return times.only_when(_NAME_OF_A_MOMENT.sub("", text, count=1)) or times.only_when(
        _FROM_A_MOMENT.sub("", text, count=1)
    )


_RESPONDED = frozenset(
    {"detection", "acknowledgement", "diagnosis", "mitigation", "recovery", "resolved"}
)


# What a change did, said as its subject's deed: "The deploy lowered the connection limit" is
# how it failed, not what responders did.
_CHANGE_DID = re.compile(
    r"^\W*(?:the|this|that|a|an|our|their|its)\s+(?:[\w-]+\s+){0,2}?(?:deploy|deployment|"
    r"change|changes|release|update|upgrade|migration|commit|patch|rollout|refactor|"
    r"pull request|pr|script|bug|config|configuration)\s*$",
    re.IGNORECASE,
)


def _within(line: int, text: str, statement: Statement) -> bool:
    """Whether a moment (its line and words) is told within a statement: on its lines, in
    its words."""
    return statement.line <= line <= statement.end and text.rstrip(".") in statement.text


def _leads_to_prevention(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence says that what follows is done to prevent it happening again ("We
    have taken several actions to prevent a recurrence."), naming no action itself."""
    if says.action(sentence, lexicon) is not None:
        return False
    plan = lexicon.cue("intent", sentence)
    return (
        plan is not None and any(word in plan.group(0) for word in ("prevent", "avoid"))
    ) or _CHANGES_MADE_SINCE.search(sentence) is not None


# The changes made since, counted before they are told: "We are making several changes as a
# result of this operational event."
_CHANGES_MADE_SINCE = re.compile(
    r"\b(?:are|have|will|were)\s+(?:making|made|make|taking|taken|take)\s+(?:several|a number of|"
    r"some|a few|multiple|the following|these)\s+(?:changes|actions|steps|measures|improvements)\b",
    re.IGNORECASE,
)


def _told_before(statement: Statement, signal: datetime) -> bool:
    """Whether a statement is dated before `signal`: by its own time, else by the first time
    it tells in passing, placed on the signal's day."""
    if statement.at is not None:
        return statement.at < signal
    # Placed nearest the signal: 23:50 before a signal at 00:10 is the evening before.
    first = _first_told(statement, signal)
    if first is not None and first > signal + timedelta(hours=12):
        first -= timedelta(days=1)
    return first is not None and first < signal


def _once(statements: list[Statement]) -> list[Statement]:
    """The statements, less each moment of the timeline that a sentence kept with them tells
    in passing."""
    return [
        s
        for s in statements
        if s.how != "timeline"
        or not any(
            o.how != "timeline"
            and (_within(s.line, s.text, o) or (o.at is not None and _within(o.line, o.text, s)))
            for o in statements
        )
    ]


def _first_told(statement: Statement, start: datetime) -> datetime | None:
    """The first time a statement tells in passing, as written, placed after `start`: not
    the earliest ("at 10:27 we pushed the table from 09:55" was done at 10:27)."""
    said = Block("paragraph", statement.text, statement.line, statement.end)
    told = timeline_mod.told([said], start, start.tzinfo or UTC, None)
    return min(told, key=lambda e: _where(e.text, statement.text)).at if told else None


def _where(clause: str, text: str) -> int:
    """Where a clause is in the text it was read from (its end where it is not found)."""
    found = text.find(clause)
    return found if found >= 0 else len(text)


def _changed(event: TimelineEvent, lexicon: Lexicon) -> bool:
    """Whether an entry tells only a change made to the system, as done: the change verb
    opens it (after who made it: "We migrated the pod") or is said in the passive ("the
    account was enabled"), and nothing else is told of it (no kind but that impact eased
    after it, no plan, fault or outcome)."""
    text, kinds = event.text, set(event.kinds)
    look = says.looked(text, lexicon) if "diagnosis" in kinds else None
    apart = says.CLAUSE_APART.search(text, 0, look.start()) if look is not None else None
    if apart is not None:
        # "Key deactivated in IAM; CloudTrail shows RunInstances calls": the change, then a
        # look of its own.
        text, kinds = text[: apart.start()], kinds - {"diagnosis"}
    if kinds - _EASED or says.tells_more(text, lexicon) or says.to_get_in(text):
        return False
    if says.CONSEQUENCE.match(text):
        return False
    # "CoreDNS upgraded and issue permanently fixed": the change, then what came of it.
    eased = lexicon.cue("recovery", text) if event.kinds else None
    ends = len(text) if eased is None else eased.start()

    def told(kind: str) -> Iterator[re.Match[str]]:
        return (m for m in lexicon.every(kind, text) if m.start() < ends)

    for change in told("change"):
        before = text[: change.start()]
        who = lexicon.cue("responders", before)
        if who is not None and says.BEFORE_SUBJECT.match(before[: who.start()]):
            before = before[who.end() :]
        if says.OPENS.match(before) or _PASSIVE.search(before):
            return True
    for change in told("change_present"):
        # "danielh lands change …": who did it, by name, then the verb.
        before = text[: change.start()]
        who = lexicon.cue("responders", before)
        if (who is not None and says.OPENS.match(before[who.end() :])) or _A_NAME.match(before):
            return True
    # "Manual configuration changes deployed": a few words of what, then the verb.
    return any(_HEADLINE_SUBJECT.match(text[: c.start()]) for c in told("change_headline"))


_EASED = frozenset({"recovery", "resolved"})
# "What went well", "Things that went well", "What we did well", "Where we got lucky".
_WENT_WELL = re.compile(
    r"^(?!.*(?:\b(?:not|poorly|badly|wrong)\b|n't|n’t)).*\b(?:went|go|gone|did|done)\s+well\b"
    r"|\bgot\s+lucky\b",
    re.IGNORECASE,
)
# Who acted, by a name of one word ("danielh", "grenade", "IPS"): the entry opens on it.
_A_NAME = re.compile(r"^\W*[\w.@-]+\s+$")
# What was changed, told before a headline's verb: a few words, none of them a verb of its own
# ("we", "was", "has") that would make the sentence something other than a headline.
_HEADLINE_SUBJECT = re.compile(
    r"^\W*(?:(?!(?:we|i|they|it|this|that|there|was|were|is|are|has|have|had)\b)"
    r"[\w./@`'-]+\s+){1,12}$",
    re.IGNORECASE,
)
_PASSIVE = re.compile(
    r"\b(?:was|were|is|are|has been|have been|had been|got|gets)\s+"
    r"(?:(?:then|also|now|finally|successfully|\w+ly)\s+)*$",
    re.IGNORECASE,
)


def _fixed_before(reading: Reading, line: int) -> bool:
    """Whether the text told an action that eased the impact before `line`."""
    return any(s.line < line and s.how != "timeline" for s in reading.parts["mitigation"])


def _effect(
    statement: Statement, event: TimelineEvent, events: Sequence[TimelineEvent]
) -> Statement:
    """A mitigation with how soon impact eased after it: at once when its own entry says so
    ("rolled back; errors fall"), else at the next entry that says it did."""
    if event.at is None:
        return statement
    if "recovery" in event.kinds:
        # "… and latency recovered within two minutes": at once, unless it says how soon.
        return replace(statement, effect_minutes=times.lapse_within(event.text) or 0.0)
    for later in events:
        if later.at is None or later.at < event.at or later is event:
            continue
        if "recovery" in later.kinds or "resolved" in later.kinds:
            if event.day_only or later.day_only:
                # Told by the day: whole days after, and nothing to say within one.
                return replace(statement, effect_minutes=whole_days(event.at, later.at))
            return replace(
                statement, effect_minutes=round((later.at - event.at).total_seconds() / 60, 1)
            )
    return statement
