"""Reading a post-mortem: which part of the story each piece of it tells, with its line.

The parts are found however they are marked (read/lexicon): headings, bold lines, labels that
open a paragraph or an item, two-column field tables. What no heading names is found by what
it says: a sentence that explains why is a root cause where the author gave none, an entry
that rolled something back is a mitigation wherever it is written. Each statement keeps its
file lines, so `check --explain` can show an author what was understood, and a runbook can
cite it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial

from learnloop.model import FACTOR, Incident, Statement, TimelineEvent
from learnloop.read import timeline as timeline_mod
from learnloop.read import times
from learnloop.read.lexicon import ASIDE, PARTS, Lexicon, shipped, words
from learnloop.read.markdown import Block, blocks, line_at, plain, sentences, unquoted_lines

# Parts whose statements say what happened (as opposed to plans and lessons): where a cause,
# an action or a check is looked for when no heading names it.
_STORY = ("summary", "impact", "symptoms", "trigger", "detection", "diagnosis", None)
# Why it failed and what set it off; with what is planned or learnt, where an action named is
# no mitigation ("a change was introduced to reduce memory" under an Atlassian "Leadup").
_WHY = ("root_cause", "contributing_factors", "trigger", "whys")
_NOT_ACTIONS = (*_WHY, "follow_ups", "lessons")
_FIX = ("mitigation", "resolution", "verification")
_CODE_LINE = re.compile(r"^\s*(?:\$\s+)?[a-z][\w.-]*(?:\s|$)")
# Front-matter narrative keys, as parts.
_NARRATIVE_PART = {
    "summary": "summary",
    "resolution": "resolution",
    "mitigation": "mitigation",
    "timeline": "timeline",
    "lessons": "lessons",
    "symptoms": "symptoms",
}
# A sentence of impact: who or what was affected, and how long.
# "Users" are people hit; a user account, a customer record or a user role is a thing.
_IMPACT = re.compile(
    r"\b((?:customers?|users?)(?!\s+(?:accounts?|ids?|names?|data|records?|tables?|roles?"
    r"|groups?|permissions?|keys?|profiles?|settings?)\b)"
    # A pull request is a change, not traffic that failed.
    r"|(?<!pull )(?<!merge )(?<!change )(?<!feature )requests?|unavailable|degraded"
    r"|affected|impact(?:ed)?|outage|down(?:time)?"
    r"|errors?|failed|failing|could not|couldn't|unable|stall(?:ed|s)?|halt(?:ed|s)?|offline"
    r"|unresponsive|plateau(?:ed|s)?|stop(?:s|ped)\s+\w+ing)\b",
    re.IGNORECASE,
)


@dataclass
class Reading:
    """What one post-mortem says, part by part, before it is frozen onto the incident."""

    parts: dict[str, list[Statement]] = field(default_factory=lambda: {p: [] for p in PARTS})
    sections: dict[str, list[str]] = field(default_factory=dict)  # part -> raw texts
    timeline_blocks: list[Block] = field(default_factory=list)
    stated_zone: str | None = None
    unassigned: list[Block] = field(default_factory=list)
    # Paragraphs and items outside the timeline, with their part: where times are told in
    # passing when there is no timeline.
    prose: list[tuple[str | None, Block]] = field(default_factory=list)
    # Every block with its part (see `assign`), and the indexes of those read as timeline
    # entries though listed under another part (see `_dated_runs`).
    assigned: list[tuple[str | None, str, Block]] = field(default_factory=list)
    entries: set[int] = field(default_factory=set)
    leads: set[int] = field(default_factory=set)  # lead-ins of a list, which say none of it
    written_timeline: bool = False  # a part of its own holds entries (not only dated lists)

    def add(self, part: str, statement: Statement) -> None:
        kept = self.parts[part]
        timed = statement.at is not None
        for index, s in enumerate(kept):
            # The same sentence read again, as the dated entry a time in it makes (its line
            # is the time's, within the sentence's lines; its text may be the timed clause),
            # is the same statement: it keeps its lines, and learns when it was done and how
            # soon it worked.
            clause = timed and statement.text.rstrip(".") in s.text
            if s.text != statement.text and not (clause and s.line <= statement.line <= s.end):
                continue
            if timed and s.at is None:
                kept[index] = replace(s, at=statement.at, effect_minutes=statement.effect_minutes)
            return
        kept.append(statement)


def labels_apart(body_blocks: Sequence[Block], lexicon: Lexicon) -> list[Block]:
    """The blocks, with a paragraph whose later sentences open with labels of their own
    ("Summary of impact: … Root cause: … Mitigation: … Next steps: …", as providers' older
    reviews run them together) made a paragraph per label, each then read as its part."""
    out: list[Block] = []
    for block in _named_lines_apart(body_blocks, lexicon):
        if block.kind != "paragraph":
            out.append(block)
            continue
        told = sentences(block.text)
        starts = [at for n, (at, sentence) in enumerate(told) if n > 0 and lexicon.label(sentence)]
        # "… hosted in this region.Preliminary root cause: Engineers …": a status feed's
        # paragraphs run together when its markup is taken away, with no space after the stop.
        # There even a label of no known part ends the one before: its text is none of it.
        glued = [
            m.start(1)
            for m in _GLUED_LABEL.finditer(block.text)
            if lexicon.labelled(block.text[m.start(1) :])
        ]
        if starts and _line_a_sentence(block, told):
            # "…\nWhy: …\nRolled back …", a statement a line as terse notes are written: a
            # label on one line holds for that line.
            starts = [at for n, (at, _) in enumerate(told) if n > 0 and at >= starts[0]]
        starts = sorted({*starts, *glued})
        if not starts:
            out.append(block)
            continue
        for begin, end in zip([0, *starts], [*starts, len(block.text)], strict=True):
            said = block.text[begin:end].strip()
            first, last = line_at(block, begin), line_at(block, max(begin, end - 2))
            # A label inside a paragraph holds for its sentences only, as an item's does:
            # the paragraphs after it stay what the paragraph's own start made them.
            kind = block.kind if begin == 0 else "item"
            out.append(replace(block, kind=kind, text=said, line=first, end=last, raw=said))
    return out


# What customers could do for themselves, as a provider's "Workaround:" tells it: advice,
# not what responders did.
_ADVICE = re.compile(
    r"^\W*(?:customers|users|clients|tenants|you)\b[^.;]{0,120}?\b(?:could|can|may|might|"
    r"should|are advised to|were advised to)\s+(?!have\s+(?:seen|experienced|noticed|"
    r"encountered|received|observed)\b|not\b|no\b|never\b|only\b)",
    re.IGNORECASE,
)
# A sentence's stop with the next sentence's capital right after it ("region.Preliminary").
_GLUED_LABEL = re.compile(r"[.!?](?=[A-Z][a-z])(\S)")


def _named_lines_apart(body_blocks: Sequence[Block], lexicon: Lexicon) -> Iterable[Block]:
    """The blocks, with a paragraph's first line that is a part's name and nothing more
    ("What happened" over its text, as a plain-text e-mail heads its parts) made a heading of
    its own, as a bold line standing alone is one."""
    for block in body_blocks:
        if block.kind != "paragraph":
            yield block
            continue
        first, _, rest = block.raw.partition("\n")
        name = first.strip() if rest else block.text.strip()  # a `<summary>` is its words
        if not _NAME_LINE.match(name) or lexicon.heading(name) is None:
            yield block
            continue
        yield replace(block, kind="heading", text=name, end=block.line, raw=first, level=7)
        if rest.strip():
            text = " ".join(line.strip() for line in rest.split("\n") if line.strip())
            yield replace(block, text=text, line=block.line + 1, raw=rest)


# A name standing alone: a few words, no sentence's end or a label's colon after them (a
# comma ends an e-mail's sign-off: "Thanks,").
_NAME_LINE = re.compile(r"^[^\W\d_][^.:;!?|*#,]{0,58},?$")


def _line_a_sentence(block: Block, said: Sequence[tuple[int, str]]) -> bool:
    """Whether each line of a paragraph is one sentence of its own."""
    lines = [line_at(block, at) for at, _ in said]
    return lines == list(range(block.line, block.line + len(said))) and lines[-1] == block.end


def assign(body_blocks: Sequence[Block], lexicon: Lexicon) -> list[tuple[str | None, str, Block]]:
    """(part, how it was found, block) for every block: the part of the story it tells.

    A heading opens a part until a heading of its level or above; an unknown heading deeper
    than a known one stays inside it. A bold line standing alone opens a part if it names one.
    A label opens a part for its paragraph and those after it (for an item: the item alone),
    until the next label or heading. An aside (lexicon.ASIDE: a FAQ, a feedback survey) is
    a part of its own, which tells none of the story: nothing in it is read.
    """
    stack: list[tuple[int, str | None]] = []
    label: str | None = None
    out: list[tuple[str | None, str, Block]] = []
    title = _title_heading(body_blocks, lexicon)
    for block in body_blocks:
        if block is title:
            out.append((None, "section", block))
            continue
        if block.kind == "heading":
            part = lexicon.heading(block.text)
            outer = _current([(lvl, p) for lvl, p in stack if lvl < block.level])
            if part == "root_cause" and outer == "lessons":
                part = "lessons"  # "What went wrong" under "Lessons learned": a lesson
            if block.level == 7:  # a bold line: only a known name changes the part
                if part is not None:
                    stack = [(lvl, p) for lvl, p in stack if lvl < 7] + [(7, part)]
                    label = None
                # Else it is a line of the part it is in ("**Tuesday 13 February**" heads
                # the entries of its day in a timeline).
                out.append((part or _current(stack), "section", block))
                continue
            if part is None and _current(stack) == "timeline" and times.only_when(block.text):
                part = "timeline"  # "## July 22" after "## Timeline": its next day
            stack = [(lvl, p) for lvl, p in stack if lvl < block.level]
            stack.append((block.level, part))
            label = None
            out.append((part or _current(stack), "section", block))
            continue
        found = lexicon.label(block.text) if block.kind in ("paragraph", "item") else None
        if found is None and block.kind == "row" and len(block.cells) >= 2 and not _columns(block):
            part_of_row = lexicon.named(block.cells[0])
            # "| Detected | Nov 12, 2024 at 3:07 PM EST |": a moment and its time, as incident
            # tools export their milestones, is an entry of the timeline, not a part's words.
            moment = timeline_mod.named_moment(block.cells) is not None
            if part_of_row is not None and part_of_row != "timeline" and not moment:
                out.append((part_of_row, "label", block))
                continue
        if found is not None:
            part, _ = found
            if block.kind == "paragraph":
                label = part
            out.append((part, "label", block))
            continue
        if label is not None and block.kind != "heading":
            out.append((label, "label", block))
            continue
        out.append((_current(stack), "section", block))
    return out


def _columns(block: Block) -> bool:
    """Whether a table's header row names its columns ("Follow-up | Owner | Status"), not a
    part and what it says ("| Detection | A customer ticket at 09:02 |" heads a table too)."""
    return block.header and all(len(cell.split()) <= _COLUMN_WORDS for cell in block.cells[1:])


_COLUMN_WORDS = 2


def _title_heading(body_blocks: Sequence[Block], lexicon: Lexicon) -> Block | None:
    """The document's title, where its first heading is the one heading of level 1 and more
    than a part's name: "# Retrospective: Search indexing stalled" names the incident, and
    the parts are the headings under it."""
    headings = [b for b in body_blocks if b.kind == "heading" and b.level < _BOLD_LEVEL]
    tops = [b for b in headings if b.level == 1]
    if len(tops) != 1 or headings[0] is not tops[0] or lexicon.named(tops[0].text) is not None:
        return None
    return tops[0]


_BOLD_LEVEL = 7


def _current(stack: list[tuple[int, str | None]]) -> str | None:
    # The innermost heading decides: a known part, or an unknown heading deeper than it.
    for _, part in reversed(stack):
        if part is not None:
            return part
    return None


def _labelled_text(block: Block, lexicon: Lexicon) -> str:
    found = lexicon.label(block.text)
    return block.text[found[1] :].strip() if found else block.text


def read_blocks(incident: Incident, lexicon: Lexicon, body_blocks: Sequence[Block]) -> Reading:
    """The explicit parts of a post-mortem: what its headings, labels and tables say."""
    assigned = assign(body_blocks, lexicon)
    reading = Reading(assigned=assigned, entries=_dated_runs(assigned))
    planned: str | None = None  # the part whose list after a lead-in is of plans
    listed: str | None = None  # the part whose list after a lead-in names what it acted on
    fixing: str | None = None  # the part whose list after a lead-in is of the fixes made
    planning = False  # in a table whose columns say who owns each row and where it stands
    for index, (part, how, block) in enumerate(assigned):
        if part == ASIDE:
            continue
        if block.kind == "row" and block.header:
            planning = any(_PLAN_COLUMN.fullmatch(c.strip().lower()) for c in block.cells)
        elif block.kind != "row":
            planning = False
        if part is None and planning and block.kind == "row":
            # "| # | Action | Owner | Status |" under a heading of no known part: its rows are
            # the plans, not what was done.
            part, how = "follow_ups", "section"
            assigned[index] = (part, how, block)
        if planned is not None and block.kind == "item" and part == planned:
            part = "follow_ups"  # "We are taking the following steps to prevent …:" and its list
        else:
            planned = None
        objects = listed is not None and block.kind == "item" and part == listed
        if not objects:
            listed = None
        if fixing is not None and not (part == fixing and _an_item_of(block)):
            fixing = None
        if index in reading.entries:
            # Dated entries listed under another part ("How did we respond?" as a list of
            # times) are its timeline: each entry is then read for what it does.
            reading.timeline_blocks.append(block)
            reading.sections.setdefault("timeline", []).append(block.raw)
            continue
        if block.kind == "heading":
            if part == "timeline":
                reading.stated_zone = times.stated_zone(block.text) or reading.stated_zone
                if block.level == 7 or lexicon.heading(block.text) != "timeline":
                    reading.timeline_blocks.append(block)  # a time heading inside a timeline
                    reading.sections.setdefault("timeline", []).append(block.raw)
            continue
        if part is None and _repeats_title(block, incident.title):
            assigned[index] = (ASIDE, how, block)  # the title, pasted again as a plain line
            continue
        if part is None and block.kind == "paragraph" and _fields_only(block, lexicon):
            # "Start time: 2024-07-09 16:20 EDT" / "Severity: SEV2": the record's fields, as
            # an e-mailed report opens; no sentence of the story.
            assigned[index] = (ASIDE, how, block)
            continue
        if part != "timeline" and block.kind in ("paragraph", "item"):
            reading.prose.append((part, block))
        elif part != "timeline" and block.kind == "row" and how == "label":
            # "| Detection | A customer ticket at 09:02 |": its words are prose of that part.
            said = _row_said(block)
            reading.prose.append((part, replace(block, kind="paragraph", text=said, raw=said)))
        if part is None:
            reading.unassigned.append(block)
            continue
        if part == "timeline":
            reading.timeline_blocks.append(block)
            reading.sections.setdefault("timeline", []).append(block.raw)
            reading.written_timeline = True
            continue
        if block.header and how == "section":
            continue  # "Action item | Type | Owner": a table's column names tell nothing
        text = _labelled_text(block, lexicon) if how == "label" else block.text
        if block.kind == "row" and how == "label":
            text = _row_said(block)
        reading.sections.setdefault(part, []).append(block.raw)
        following = assigned[index + 1][2] if index + 1 < len(assigned) else None
        if objects and _named_only(text, lexicon):
            continue  # "… while monitoring:" / "- Lag per partition": what it acted on or saw
        if part in ("mitigation", "resolution") and _names_its_objects(block, following, lexicon):
            listed = part
        if part == "resolution" and _fixes_follow(block, following, lexicon):
            # "This issue was addressed in 1.8.0 by:" / "Reinstating the verification code …":
            # the entries are the fixes that were made, each an action; the lead-in none.
            fixing = part
            reading.leads.add(index)
            continue
        if fixing is not None and not lexicon.cue("intent", text):
            reading.add("mitigation", Statement(plain(text), block.line, block.end, "inferred"))
        if (
            part in _LISTS
            and _leads_in(block, following)
            and (part == "follow_ups" or _action(block.text, lexicon) is None)
        ):
            # "To prevent a recurrence we are:": the items after it are the part; under the
            # actions taken (Google's "Remediation and prevention"), they are its plans.
            if part in ("mitigation", "resolution") and lexicon.cue("intent", block.text):
                planned = part
            continue
        if part in _FIX and _ADVICE.match(text):
            continue  # "Workaround: Customers could fail out of the region.": no one acted
        if part in _LISTS and (listed_in := _enumerated(text)):
            # "In this case, we will: 1. Roll out a fix … 2. Improve test coverage …": a list
            # run into its paragraph, as a provider's page reads with its markup gone. Each
            # item is read as an item of that list would be; its lead-in says none of it.
            shift = len(block.text) - len(text)
            for begin, end in listed_in:
                first, last = line_at(block, shift + begin), line_at(block, shift + end - 1)
                item = plain(text[begin:end]).strip()
                told = _apart(part, replace(block, kind="paragraph", text=item), how, lexicon)
                for target, statement in told or [(part, Statement(item, first, last, how))]:
                    reading.add(target, replace(statement, line=first, end=last))
            continue
        if part == "follow_ups" and (lexicon.cue("pending", text) or lexicon.cue("apology", text)):
            continue  # "Engineers will continue to investigate", "We are sorry …": no step
        if block.kind == "code":
            # A log excerpt or a data example under why it failed is its evidence, not the
            # cause; under what was done or looked at, it is the command as run.
            if part not in _WHY:
                reading.add(part, Statement(block.text, block.line, block.end, "section"))
        elif (block.kind == "paragraph" or how == "label") and (
            told := _apart(part, block, how, lexicon)
        ):
            for target, statement in told:
                reading.add(target, statement)
        elif text.strip():
            reading.add(part, Statement(plain(text), block.line, block.end, how))
    _front_matter(incident, reading)
    return reading


def _enumerated(text: str) -> list[tuple[int, int]]:
    """Where each item of a numbered list run into a text begins and ends ("… we will: 1. Roll
    out a fix. 2. Improve tests."): two or more, numbered from 1 in order; else none."""
    first = _FIRST_ITEM.search(text)
    if first is None:
        return []
    starts, marks = [first.end()], [first.start(1)]
    for item in _NEXT_ITEM.finditer(text, first.end()):
        if int(item.group(1)) == len(starts) + 1:
            marks.append(item.start())
            starts.append(item.end())
    if len(starts) < 2:
        return []
    return list(zip(starts, [*marks[1:], len(text)], strict=True))


# The first item of a list run into a sentence: "1." after a colon or a sentence's end; then
# each next number.
_FIRST_ITEM = re.compile(r"(?:^|(?<=[:.!?])\s+)(1[.)])\s+(?=\S)")
_NEXT_ITEM = re.compile(r"\s(\d{1,2})[.)]\s+(?=\S)")


# The columns of a table of plans: who owns each and where it stands.
_PLAN_COLUMN = re.compile(
    r"owners?|assignee|assigned to|status|state|due|due date|deadline|ticket|jira|issue|eta|"
    r"priority|target date"
)


def _fields_only(block: Block, lexicon: Lexicon) -> bool:
    """Whether a paragraph is lines of "Label: value" and nothing else, none of them a part's
    label (a block of fields, not of prose)."""
    lines = [ln for ln in unquoted_lines(block) if ln.strip()]
    return len(lines) >= 2 and all(
        _FIELD_LINE.match(ln) and lexicon.label(ln.strip()) is None for ln in lines
    )


_FIELD_LINE = re.compile(r"^\s*(?:[-*]\s+)?(?:\*\*)?[A-Z][\w /()-]{0,30}?(?:\*\*)?:(?:\*\*)?\s+\S")


def _row_said(block: Block) -> str:
    """What a labelled table row says: its cells after the label's."""
    return " — ".join(c for c in block.cells[1:] if c)


def _repeats_title(block: Block, title: str) -> bool:
    """Whether a paragraph is one line, no sentence, that holds every word of the title."""
    text = block.text.strip()
    if block.kind != "paragraph" or block.end != block.line or text.endswith((".", ":")):
        return False
    wanted = set(re.findall(r"\w+", title.lower()))
    return bool(wanted) and wanted <= set(re.findall(r"\w+", text.lower()))


# Parts whose list, when each entry opens with a time, is a timeline (plans and lessons are
# dated by when they are due or were learnt, never by when something happened).
_MAY_BE_TIMELINE = ("summary", "impact", "detection", "diagnosis", "mitigation", "resolution")


def _dated_runs(assigned: Sequence[tuple[str | None, str, Block]]) -> set[int]:
    """Indexes of list entries and table rows that open with a time, two or more in a row,
    under a part that may tell its story as a timeline."""
    runs: list[list[int]] = []
    for index, (part, _, block) in enumerate(assigned):
        if (
            part not in _MAY_BE_TIMELINE
            or block.kind not in ("item", "row")
            or times.leading(block.text) is None
        ):
            continue
        if runs and runs[-1][-1] == index - 1 and assigned[index - 1][0] == part:
            runs[-1].append(index)
        else:
            runs.append([index])
    return {index for run in runs if len(run) >= 2 for index in run}


# Parts told as lists of things done or to do, where a sentence that opens the list says none.
_LISTS = ("mitigation", "resolution", "follow_ups")


def _leads_in(block: Block, following: Block | None) -> bool:
    """Whether a paragraph only opens the list that follows it (it ends with a colon)."""
    return (
        block.kind == "paragraph"
        and block.text.rstrip().endswith(":")
        and following is not None
        and following.kind == "item"
    )


def _fixes_follow(block: Block, following: Block | None, lexicon: Lexicon) -> bool:
    """Whether a paragraph opens a list of the fixes made: it ends on a colon after an action
    done or the fixes named ("This included many fixes, the most important being:"), and what
    follows is an entry of the list."""
    if block.kind != "paragraph" or following is None or not _an_item_of(following):
        return False
    text = block.text.rstrip()
    if not text.endswith(":") or lexicon.cue("intent", text):
        return False
    if following.kind == "paragraph" and not text.endswith(" by:"):
        return False  # a paragraph goes on only what it completes: "addressed … by:"
    last = text.splitlines()[-1]
    return _action(last, lexicon) is not None or _FIXES.search(last) is not None


# The fixes named as such, in a lead-in of what a release changed.
_FIXES = re.compile(r"\b(?:fixes|bug fixes|patches|changes|improvements)\b", re.IGNORECASE)
# A paragraph that goes on a lead-in ending in "by:", one way it was done ("Reinstating …").
_GOES_ON = re.compile(
    r"^\W*(?!(?:During|Following|Regarding|Including|According|Nothing|Something|Everything|"
    r"Morning|Evening)\b)[A-Z][a-z]+ing\b"
)


def _an_item_of(block: Block) -> bool:
    """Whether a block is an entry of the list a lead-in opens: an item, or a paragraph that
    goes on its sentence ("by:" / "Fixing the cost calculation …")."""
    return block.kind == "item" or (
        block.kind == "paragraph" and _GOES_ON.match(block.text) is not None
    )


def _names_its_objects(block: Block, following: Block | None, lexicon: Lexicon) -> bool:
    """Whether a statement that did or looked at something ends on a colon, and the list after
    it names what ("we scaled ingestion workers while monitoring:" / "- Lag per partition")."""
    if block.kind not in ("paragraph", "item") or following is None or following.kind != "item":
        return False
    if not block.text.rstrip().endswith(":"):
        return False
    last = block.text.rstrip().splitlines()[-1]
    if _STEPS_FOLLOW.search(last):
        return False  # "We took the following steps:": the list is of actions
    return _action(last, lexicon) is not None or _looked(last, lexicon) is not None


_STEPS_FOLLOW = re.compile(
    r"\b(?:following|these|below|as follows|steps|actions|measures|changes)\b", re.IGNORECASE
)


# The objects in such a list are a few words: a longer entry says something of its own.
_OBJECT_WORDS = 6


def _named_only(text: str, lexicon: Lexicon) -> bool:
    """Whether a list entry only names a thing: a few words, no action and no look in them."""
    return (
        len(text.split()) <= _OBJECT_WORDS
        and _action(text, lexicon) is None
        and _looked(text, lexicon) is None
    )


def _front_matter(incident: Incident, reading: Reading) -> None:
    """Statements of the front matter: a .yaml incident tells its whole story there."""
    keyed: list[tuple[str, str | None, str]] = [
        ("root_cause", incident.root_cause.summary, "root_cause.summary"),
        ("impact", incident.impact.summary, "impact.summary"),
    ]
    for n, factor in enumerate(incident.contributing_factors):
        keyed.append(("contributing_factors", factor, f"contributing_factors.{n}"))
    for n, why in enumerate(incident.whys):
        keyed.append(("whys", why, f"whys.{n}"))
    for n, item in enumerate(incident.action_items):
        keyed.append(("follow_ups", item.title, f"action_items.{n}"))
    for part, text, key in keyed:
        if text:
            line = incident.line_of(key)
            reading.add(part, Statement(plain(text), line, line, "front matter"))
            if part in ("root_cause", "impact") and part not in reading.sections:
                reading.sections[part] = [text]
    for key, text, line in incident.narrative:
        part = _NARRATIVE_PART[key]
        if part == "timeline":
            written = f"- {text}" if "\n" not in text else text
            reading.timeline_blocks.extend(blocks(written, line))
            reading.sections.setdefault("timeline", []).append(written)
            continue
        for block in blocks(text, line):
            reading.sections.setdefault(part, []).append(block.raw)
            reading.add(part, Statement(plain(block.text), block.line, block.end, "front matter"))


# Where a post-mortem states when its impact began and ended.
SPAN_PARTS = (None, "impact", "summary")


def impact_window(incident: Incident, reading: Reading) -> tuple[datetime, datetime, int] | None:
    """The span of the impact the text states, with its line, or None."""
    entries = [block for part, block in reading.prose if part in SPAN_PARTS]
    zone = incident.started_at.tzinfo or UTC
    return timeline_mod.impact_window(entries, incident.started_at, zone, reading.stated_zone)


def stated_duration(incident: Incident, reading: Reading) -> tuple[timedelta, int] | None:
    """How long it lasted, with its line, where the text says so ("**Duration:** 47 minutes",
    as many templates head a post-mortem); None from a start given as a day alone, which a
    duration cannot date an end from."""
    if incident.started_date_only:
        return None
    for _, block in reading.prose:
        for number, line in enumerate(unquoted_lines(block)):
            said = _DURATION.match(line)
            lasted = times.duration(said["value"]) if said else None
            if lasted:
                return lasted, block.line + number
    return None


# A line that says how long it lasted: "**Duration:** 47 minutes", "- Time to resolve: 1h 12m".
_DURATION = re.compile(
    r"^\s*(?:[-*]\s+)?(?:\*\*|__)?\s*(?:total |incident |outage |impact )?"
    r"(?:duration|time to (?:resolve|resolution|recover|recovery|restore))\s*"
    r"(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<value>[^*_]{1,40}?)\s*(?:\*\*|__)?\s*$",
    re.IGNORECASE,
)


def read_timeline(
    incident: Incident,
    reading: Reading,
    lexicon: Lexicon,
    span: tuple[datetime, datetime, int] | None = None,
) -> list[TimelineEvent]:
    """The timeline's events, each marked with what it does (see lexicon.CUES)."""
    zone = incident.started_at.tzinfo or UTC
    found = timeline_mod.events(
        reading.timeline_blocks, incident.started_at, zone, reading.stated_zone
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
            found = timeline_mod.events(timed, incident.started_at, zone, reading.stated_zone)
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
            found = timeline_mod.events(updates, incident.started_at, zone, reading.stated_zone)
            entry_blocks = [b for b in updates if b.kind != "heading"]
    if not found:
        # Nor entries: the moments its sentences give ("we rolled back at 09:50").
        after = span[0] if span else incident.started_at
        blocks_ = [block for _, block in reading.prose]
        told = timeline_mod.told(blocks_, after, zone, reading.stated_zone)
        # A moment told under what set it off or why is no action, whatever its verb ("At
        # 13:58 a change was introduced to reduce memory" under "Leadup").
        causal = [b for part, b in reading.prose if part in _NOT_ACTIONS]
        read = _done_unbegun([_kinds(event, lexicon) for event in told], lexicon)
        read = [_not_acted(event) if _told_in(event, causal) else event for event in read]
        return _noticed_where_told(read, _noticing(reading))
    events = [_kinds(event, lexicon) for event in found]
    if not reading.written_timeline or all(_only_a_moment(e.text) for e in events):
        # Only lines that open with a time, under another part (a chat quoted in the story),
        # or only key moments named ("Detected: 09:40"): the moments the story's sentences
        # tell are the timeline too, in time order.
        quoted = set(map(id, entry_blocks))
        prose = [b for _, b in reading.prose if id(b) not in quoted]
        told = timeline_mod.told(prose, incident.started_at, zone, reading.stated_zone)
        events = sorted(
            [*events, *(_kinds(t, lexicon) for t in told)],
            key=lambda e: (e.at is None, e.at or incident.started_at, e.line),
        )
    events = _done_unbegun(events, lexicon)
    noticing = _noticing(reading)
    if noticing and not any("detection" in e.kinds for e in events):
        # The timeline lists what was done; when it was noticed is told under Detection
        # ("The alert was firing at 08:46 and the on-call got the page"). Only the first
        # moment told there can be when it was noticed.
        told = timeline_mod.told(noticing, incident.started_at, zone, reading.stated_zone)
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
        if done is not None and "mitigation" not in event.kinds:
            # The action's word as its beginning would say it: "rollb" of "rolled back".
            word = _as_nouns(done.group(0))[:_ACTION_STEM]
            if not any("mitigation" in e.kinds and word in _as_nouns(e.text) for e in events[:n]):
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
    for index, event in enumerate(events):
        if _told_in(event, noticing):
            if not {"detection", "mitigation", "recovery", "resolved"} & set(event.kinds):
                events[index] = replace(event, kinds=("detection", *event.kinds))
            break
    return events


def _told_in(event: TimelineEvent, where: Sequence[Block]) -> bool:
    """Whether a moment told in passing is told in one of these blocks: on its lines and in
    its words (one line may hold several parts, run together)."""
    return any(b.line <= event.line <= b.end and event.text in plain(b.text) for b in where)


def _not_acted(event: TimelineEvent) -> TimelineEvent:
    return replace(event, kinds=tuple(k for k in event.kinds if k != "mitigation"))


def timeline_of(
    body: str, started_at: datetime, zone: tzinfo, lexicon: Lexicon | None = None
) -> list[TimelineEvent]:
    """The dated events of a Markdown text's timeline (for a text not yet an incident)."""
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
    return timeline_mod.events(entries, started_at, zone, stated)


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
        text = _blanked(text, taken_up)
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
    # An action counts only as done and of use, a look not when it only took the incident
    # up; every other kind as said.
    # "…, which mitigated the issue by 12:10": what the action before it did, no action.
    # "Mitigated: May 14, 2025 10:35 UTC", a key moment named: when, not what was done.
    acted = _acted(text, lexicon) and not _OUTCOME.match(text) and not _only_a_moment(text)
    said = {"mitigation": acted, "diagnosis": bool(_looked(text, lexicon))}
    # "Issue is looked into": someone took it up, though nothing named was looked at.
    said["acknowledgement"] = (
        taken_up is not None
        or bool(lexicon.cue("acknowledgement", text))
        or (not said["diagnosis"] and bool(lexicon.cue("diagnosis", text)))
    )
    said["detection"] = _first_signal(text, lexicon)
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


def _first_signal(text: str, lexicon: Lexicon) -> bool:
    """Whether an entry tells how the incident was noticed: not when the same words tell a
    fix confirmed ("First user reports back that it works") or news given to people
    ("Informed the account managers of the larger customers")."""
    noticed = lexicon.cue("detection", text)
    if noticed is None:
        return False
    told = lexicon.cue("informed", text)
    if told is not None and told.start() <= noticed.start() < told.end():
        return False
    return not any(
        check.start() < noticed.end() and noticed.start() < check.end()
        for check in lexicon.every("verification", text)
    )


def _blanked(text: str, span: re.Match[str]) -> str:
    """The text with a match's words made spaces: gone from what is read next, while every
    place after it stays where it was."""
    return text[: span.start()] + " " * (span.end() - span.start()) + text[span.end() :]


_CODE = re.compile(r"`[^`]*`")


def _looked(text: str, lexicon: Lexicon) -> re.Match[str] | None:
    """Where a sentence says responders looked at something: not in the words that only say
    they took the incident up ("began investigating", see the acknowledgement cues)."""
    took = lexicon.cue("acknowledgement", text)
    if took is not None:
        text = _blanked(text, took)
    for later in _LOOK_LATER.finditer(text):
        text = _blanked(text, later)
    for look in lexicon.every("diagnosis", text):
        # A look of three words or more names what it is at ("looked through the logs",
        # "opened the database dashboard"); a shorter one names it after ("looked at …").
        if len(look.group(0).split()) >= _NAMES_WHAT or not _VAGUE.match(text, look.end()):
            return look
    return _LOOKED_AT_CODE.search(text)


# A look named by the command that made it: "She checked `patronictl list`". (Running a
# command may be an action as well; checking one never is.)
_LOOKED_AT_CODE = re.compile(
    r"\b(?:checked|checking|checks|inspected|queried|examined|reviewed|looked at)\s+`[^`]+`",
    re.IGNORECASE,
)


_NAMES_WHAT = 3
# What a look is at when it names nothing to look at: "We started by looking at the obvious
# things", "looked into the issue".
_VAGUE = re.compile(
    r"(?:\s+(?:at\s+|into\s+)?(?:the\s+)?(?:obvious\s+|usual\s+|same\s+)?"
    r"(?:things?|stuff|everything|it|this|that|issue|problem|incident|situation|"
    r"what (?:happened|was (?:going on|happening))))?\s*(?:[.,;!?]|$)",
    re.IGNORECASE,
)
# A look still to come: "… as a precaution until further investigation can be done".
_LOOK_LATER = re.compile(
    r"\b(?:until|pending|awaiting)\s+(?:further|more|a full|a deeper|the)?\s*"
    r"(?:investigation|analysis|review|troubleshooting)s?\b",
    re.IGNORECASE,
)


def _acted_first(text: str, lexicon: Lexicon, action: re.Match[str] | None) -> bool:
    """Whether a sentence tells what was done before any word of cause ("… so I reverted the
    version bump, which was reverted again later"): the cause words are then of its effects."""
    cause = lexicon.cue("cause", text)
    if action is None or cause is None or cause.start() < action.start():
        return False
    # Done by the responders, named just before it ("so I reverted"): not a process that
    # "spawned new nodes" and so caused the incident.
    before = text[: action.start()]
    who = [m.end() for m in (*_I.finditer(before), *lexicon.every("responders", before))]
    return (
        any(action.start() - end <= _NEAR for end in who)
        and not lexicon.cue("named_cause", text)
        and not lexicon.cue("fault", text)
        and _acted(text, lexicon)
    )


def _fault_acted_on(text: str, lexicon: Lexicon, action: re.Match[str] | None) -> bool:
    """Whether the only word of cause is a fault in what an action was done to ("performed
    a hardware replacement of the faulty fiber", "rolled back the buggy release")."""
    fault = lexicon.cue("fault", text)
    if action is None or fault is None:
        return False
    if not action.start() <= fault.start() <= action.end() + _OBJECT:
        return False
    return not (
        lexicon.cue("cause", text)
        or lexicon.cue("named_cause", text)
        or lexicon.cue("conclusion", text)
    )


_OBJECT = 30  # characters between an action and the fault in its object


_I = re.compile(r"\bI\b")
_NEAR = 20  # characters between who and what they did: "we then quickly reverted"


def _what_was_seen(event: TimelineEvent, lexicon: Lexicon) -> bool:
    """Whether an entry's action words are what its signal saw ("Monitoring alerted on
    elevated proxy restarts"), not a step taken after it ("Paged on-call and rolled back")."""
    if "detection" not in event.kinds:
        return False
    signal = lexicon.cue("detection", event.text)
    action = _action(event.text, lexicon)
    return (
        signal is not None
        and (action is None or action.start() > signal.start())
        and not _then_acted(event.text, signal, lexicon)
    )


def _then_acted(text: str, looked: re.Match[str] | None, lexicon: Lexicon) -> bool:
    """Whether a text tells a look and then an action after it ("identified the change as
    the trigger and rolled it back", "Notices that some logs hold credentials. Rolls back the
    deployment."): both, the action last, joined by "and", "then", a comma or a new sentence.
    `looked` is where it looks (`_looked`)."""
    # Words in a quoted command ("RESTARTS:.status…") are no action.
    prose = _CODE.sub(lambda m: " " * len(m.group()), text)
    acted = lexicon.cue("mitigation", prose)
    return (
        looked is not None
        and acted is not None
        and acted.start() >= looked.end()
        and re.search(r"\b(?:and|then)\b|[;,.]\s", prose[looked.end() : acted.start()]) is not None
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
            (_IMPACT.search(events[n].text) or _CONSEQUENCE.match(events[n].text))
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
        if index in seen:
            reading.add("symptoms", statement)  # "all services returning 404"
            continue
        if index in set_off:
            reading.add("trigger", statement)
            if _says_cause(event.text, lexicon) or _tells_change(event.text, lexicon):
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
        if (named and not found) or (found and _found_told(event.text, found, lexicon)):
            reading.add("root_cause", statement)
            if "diagnosis" in event.kinds and lexicon.cue("conclusion", event.text):
                reading.add("diagnosis", statement)  # how they found it, and what they found
            continue
        looked = _looked(event.text, lexicon) if "diagnosis" in event.kinds else None
        if (
            "mitigation" in event.kinds
            and (looked is None or _then_acted(event.text, looked, lexicon))
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
        if not (
            lexicon.cue("response", factor.text)
            or lexicon.cue("intent", factor.text)
            or lexicon.cue("apology", factor.text)
            or factor.text.rstrip().endswith("?")
        ):
            reading.add("root_cause", replace(factor, how=FACTOR))
    assigned = reading.assigned
    planned_apart = not reading.parts["follow_ups"]  # no part of plans: commitments are them
    told: tuple[str | None, Statement] | None = None  # the story's sentence before, and its part
    for index, (part, how, block) in enumerate(assigned):
        if block.kind not in ("paragraph", "item", "row") or part in ("timeline", "follow_ups"):
            continue
        if index in reading.entries or index in reading.leads or part == ASIDE:
            continue  # read as the timeline, as the list it opens, or not at all
        if block.kind == "row" and _columns(block):
            continue  # "# | Why? | Because": a table's column names say nothing
        if block.kind == "row" and how == "label":
            # "| Resolution | Upgraded the client |": the label cell is no part of a sentence.
            block = replace(block, text=_row_said(block))
        preventing = False  # the paragraph has said what follows is done to prevent it
        for sentence, line, end in _sentences(block, lexicon):
            if _ABOUT_ITSELF.match(sentence):
                continue  # "This post explains what failed and how we found it": no part of it
            action = _action(sentence, lexicon)
            intent = _intended(sentence, lexicon, action)
            said = Statement(sentence, line, end, "inferred")
            before, told = told, (part, said) if part in _STORY else None
            if (
                before is not None
                and before[0] == part
                and _follows_from(before[1].text, sentence, lexicon)
            ):
                # "… would stop looking for more transactions. This resulted in blocks with
                # only a few": what a sentence opens as the result of, the one before told.
                reading.add("root_cause", before[1])
            if preventing and lexicon.cue("responders", sentence[:_NEAR]):
                # "We have taken several actions to prevent a recurrence. We have raised the
                # thread limit on all hosts, and we are adding an alarm …": the work to
                # prevent it, done since or under way, as a provider's summary tells it.
                reading.add("follow_ups", said)
                continue
            preventing = preventing or (
                part in _STORY and planned_apart and _leads_to_prevention(sentence, lexicon)
            )
            if (
                part not in ("root_cause", "contributing_factors", "trigger")
                and _says_cause(sentence, lexicon)
                and not _acted_first(sentence, lexicon, action)
                and not _fault_acted_on(sentence, lexicon, action)
                and (part not in _FIX or _names_cause(sentence, lexicon))
            ):
                reading.add("root_cause", said)
                # "Our investigation found that …", "Grafana showed the pool wait time
                # climbing": how they found it, and what they found.
                looked = _looked(sentence, lexicon)
                if (
                    part in _STORY
                    and part != "diagnosis"
                    and looked is not None
                    and (
                        lexicon.cue("conclusion", sentence)
                        or _looked_first(sentence, looked, lexicon)
                    )
                ):
                    reading.add("diagnosis", said)
                continue
            # Before the plans are passed over: "customers may have seen errors" is hedged, and
            # still the impact.
            if part == "summary" and not reading.parts["impact"] and _IMPACT.search(sentence):
                reading.add("impact", said)
            if (
                part in _STORY
                and planned_apart
                and _COMMITMENT.match(sentence)
                and not lexicon.cue("pending", sentence)  # "We'll keep you posted."
            ):
                # "We will move the fleet to larger servers": where no part lists the plans, the
                # commitments in the text are the follow-ups.
                reading.add("follow_ups", said)
                continue
            if intent or part in _NOT_ACTIONS or lexicon.cue("fault", sentence):
                continue
            # Past `intent` above: an action named here is one done, unless it did not help.
            done = (
                action is not None
                and _helped(sentence, lexicon)
                and not _CHANGE_DID.match(sentence[: action.start()])
            ) or (
                # "Lowered the MTU on the tunnel interfaces.": a note of what was done, as
                # terse post-mortems write it, with no subject.
                action is None and part in _STORY and _change_opens(sentence, lexicon)
            )
            looked = _looked(sentence, lexicon)
            if done and (not looked or _then_acted(sentence, looked, lexicon)):
                if part != "mitigation":
                    reading.add("mitigation", said)
            elif part in _STORY and looked and part != "diagnosis":
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
        same = next(
            (
                e
                for e in dated
                if _within(e.line, e.text, statement) or words(e.text) == words(statement.text)
            ),
            None,
        )
        if same is not None:
            kept[index] = _effect(replace(statement, at=same.at), same, events)
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
    # A moment told in passing and the sentence it is told in are one action: the sentence,
    # as written, is kept ("Rolled back the deploy at 14:31; errors stopped by 14:40.").
    kept[:] = [
        s
        for s in kept
        if s.how != "timeline"
        or not any(
            o.how != "timeline"
            and (_within(s.line, s.text, o) or (o.at is not None and _within(o.line, o.text, s)))
            for o in kept
        )
    ]
    # Found by its words and dated before the first signal ("During routine patching, kafka-2
    # was restarted at 02:05 UTC", then the lag alert at 02:24): what set it off, no response.
    signal = next((e.at for e in dated if "detection" in e.kinds), None)
    if signal is not None:
        kept[:] = [s for s in kept if not (s.how == "inferred" and _told_before(s, signal))]
    for part, _, block in assigned:
        commands = block.kind == "code" and _CODE_LINE.match(block.text)
        if commands and part in ("timeline", "diagnosis", None):
            reading.add("diagnosis", Statement(block.text, block.line, block.end, "inferred"))


def _follows_from(before: str, sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence opens on what the one before it caused ("This resulted in …", "As a
    result, …", "This led to …"), so that the one before tells a cause. Not where the one
    before tells only the harm ("Search was down for an hour. This resulted in …"): a
    consequence of a consequence."""
    if not _RESULT.match(sentence):
        return False
    return not _IMPACT.search(before) or bool(
        lexicon.cue("cause", before) or lexicon.cue("fault", before)
    )


# What opens on the result of the sentence before: "This resulted in", "This in turn caused",
# "As a result". Not "This was caused by …", whose cause is its own.
_RESULT = re.compile(
    r"^\W*(?:as\s+a\s+(?:direct\s+)?result\b|consequently\b|(?:this|that|these|which|it)\s+"
    r"(?:(?:\w+ly|in\s+turn|then|also|further|would|eventually|ultimately|soon)\s+)*"
    r"(?:caused|causes|resulted\s+in|results?\s+in|led\s+to|leads?\s+to|triggered|meant)\b"
    r"(?!\s+by\b))",
    re.IGNORECASE,
)


# A sentence about the write-up itself: "This post explains …", "In this report we describe …".
_ABOUT_ITSELF = re.compile(
    r"^\W*(?:in\s+)?(?:this|the\s+following)\s+(?:blog\s+)?(?:post|document|report|"
    r"write-?up|post-?mortem|retrospective|rca|article)\b",
    re.IGNORECASE,
)
_TRIGGER_ENTRIES = 2
_NAME_OF_A_MOMENT = re.compile(r"^\W*[A-Za-z][\w ]{0,30}:\s*")


def _only_a_moment(text: str) -> bool:
    """Whether an entry is a moment's name and its time, and says nothing else."""
    return times.only_when(_NAME_OF_A_MOMENT.sub("", text, count=1))


_RESPONDED = frozenset(
    {"detection", "acknowledgement", "diagnosis", "mitigation", "recovery", "resolved"}
)
# "This caused …", "As a result …": what followed from the cause, not the cause.
_CONSEQUENCE = re.compile(
    r"^\W*(?:(?:this|that|which|these|those)\s+(?:(?:\w+ly|then|also|in\s+turn)\s+)*"
    # "This caused …", "That meant …", "This was a problem": what followed from the sentence
    # before. "This verification code was removed because …" names a thing, and "This was
    # caused by …" its own cause: neither is a consequence.
    r"(?!(?:was|is|were|are)\s+(?:\w+ly\s+)?(?:due|caused|because|the\s+result|a\s+result|"
    r"down\s+to|traced|attributed|rooted)\b)"
    r"(?:\w+ed|led|meant|made|kept|took|broke|brought|put|left|set|cut|hit|sent|went|became|"
    r"got|gave|drove|caus\w*|lead\w*|result\w*|mean\w*|trigger\w*|would|will|could|can|may|"
    r"might|was|were|is|are|has|had|have)\b"
    r"|so|as a (?:direct )?result|consequently|in turn|thus|therefore)\b",
    re.IGNORECASE,
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
    plan = lexicon.cue("intent", sentence)
    return (
        plan is not None
        and _action(sentence, lexicon) is None
        and any(word in plan.group(0) for word in ("prevent", "avoid"))
    )


def _told_before(statement: Statement, signal: datetime) -> bool:
    """Whether a statement is dated before `signal`: by its own time, else by the first time
    it tells in passing, placed on the signal's day."""
    if statement.at is not None:
        return statement.at < signal
    zone = signal.tzinfo or UTC
    said = Block("paragraph", statement.text, statement.line, statement.end)
    told = timeline_mod.told([said], signal - timedelta(hours=12), zone, None)
    return bool(told) and told[0].at is not None and told[0].at < signal


def _changed(event: TimelineEvent, lexicon: Lexicon) -> bool:
    """Whether an entry tells only a change made to the system, as done: the change verb
    opens it (after who made it: "We migrated the pod") or is said in the passive ("the
    account was enabled"), and nothing else is told of it (no kind, plan, fault or outcome)."""
    text = event.text
    if event.kinds or _tells_more(text, lexicon) or _CONSEQUENCE.match(text):
        return False
    for change in lexicon.every("change", text):
        before = text[: change.start()]
        who = lexicon.cue("responders", before)
        if who is not None and _BEFORE_SUBJECT.match(before[: who.start()]):
            before = before[who.end() :]
        if _OPENS.match(before) or _PASSIVE.search(before):
            return True
    for change in lexicon.every("change_present", text):
        # "danielh lands change …": who did it, by name, then the verb.
        before = text[: change.start()]
        who = lexicon.cue("responders", before)
        if (who is not None and _OPENS.match(before[who.end() :])) or _A_NAME.match(before):
            return True
    for change in lexicon.every("change_headline", text):
        # "Manual configuration changes deployed": a few words of what, then the verb.
        if _HEADLINE_SUBJECT.match(text[: change.start()]):
            return True
    return False


def _tells_change(text: str, lexicon: Lexicon) -> bool:
    """Whether a text tells a change made to the system, in any of the ways one is told."""
    return any(lexicon.cue(kind, text) for kind in ("change", "change_present", "change_headline"))


def _change_opens(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence opens on a change verb, with no subject ("Lowered the MTU …") or
    after who made it ("I then fixed the policy name"), and tells nothing that is no action."""
    change = lexicon.cue("change", sentence)
    if change is None or _tells_more(sentence, lexicon):
        return False
    if lexicon.cue("detection", sentence) or lexicon.cue("acknowledgement", sentence):
        return False  # "Support raised a ticket at 08:40": how it was noticed or taken up
    before = sentence[: change.start()]
    who = lexicon.cue("responders", before) or _I.search(before)
    if who is not None and _BEFORE_SUBJECT.match(before[: who.start()]):
        before = before[who.end() :]  # "I then fixed the policy name", "We then upgraded …"
    return _OPENS.match(before) is not None


def _tells_more(text: str, lexicon: Lexicon) -> bool:
    """Whether a text tells of a change something that makes it no action: a plan, an attempt
    that failed, a fault or a cause ("Deployed a config change that broke the login page"), or
    news given to people ("Status page updated")."""
    return any(
        lexicon.cue(kind, text) for kind in ("intent", "ineffective", "fault", "cause", "informed")
    )


# Who acted, by a name of one word ("danielh", "grenade", "IPS"): the entry opens on it.
_A_NAME = re.compile(r"^\W*[\w.@-]+\s+$")
# What was changed, told before a headline's verb: a few words, none of them a verb of its own
# ("we", "was", "has") that would make the sentence something other than a headline.
_HEADLINE_SUBJECT = re.compile(
    r"^\W*(?:(?!(?:we|i|they|it|this|that|there|was|were|is|are|has|have|had)\b)"
    r"[\w./@`'-]+\s+){1,7}$",
    re.IGNORECASE,
)
# What may stand before a change verb that opens an entry ("Then quickly rolled …").
_OPENS = re.compile(r"^\W*(?:(?:then|next|finally|later|also|now|\w+ly)\W+)*$", re.IGNORECASE)
_PASSIVE = re.compile(
    r"\b(?:was|were|is|are|has been|have been|had been|got|gets)\s+"
    r"(?:(?:then|also|now|finally|successfully|\w+ly)\s+)*$",
    re.IGNORECASE,
)


def _fixed_before(reading: Reading, line: int) -> bool:
    """Whether the text told an action that eased the impact before `line`."""
    return any(s.line < line and s.how != "timeline" for s in reading.parts["mitigation"])


def _intended(text: str, lexicon: Lexicon, action: re.Match[str] | None) -> bool:
    """Whether a text (naming `action`, its first mitigation cue, if any) is said as a plan or
    a wish ("we will roll back"), not as done: the words of intent come before the action.
    After it they give its purpose ("we bumped the limit so they will have enough")."""
    intent = lexicon.cue("intent", text)
    if intent is None:
        return False
    if action is None or intent.start() <= action.start():
        return True
    between = text.lower()[action.end() : intent.start()]
    return _PURPOSE.search(between) is None


# An action said not done, just before it: "one node didn't even try to uncordon", "we were
# unable to restart it", "never rolled back"; or what a system is for, not what anyone did
# ("the CI processes are supposed to engage and redeploy the site").
_NOT_DONE = re.compile(
    r"\b(?:did not|didn't|could not|couldn't|cannot|can't|unable to|not able to|never|"
    r"supposed to|meant to|expected to|designed to|"
    r"would not|wouldn't|refused to|despite|in spite of|regardless of|working to|working on|"
    r"work to|work on|in the process of|hard at work on|preparing to|planning to|about to)"
    r"(?:\s+[\w'-]+){0,3}?\s*$",
    re.IGNORECASE,
)
# What a thing kept doing by itself, a symptom: "pods were restarting every few minutes".
_DOING = re.compile(r"(?!being\b)\w+ing\b")
_WAS_DOING = re.compile(r"\b(?:was|were|is|are|kept|keep|keeps)\s+(?:\w+ly\s+)?$", re.I)
_OVER_AND_OVER = re.compile(
    r"\s*(?:every\b|repeatedly|constantly|continuously|in an? (?:crash |restart )?loop|"
    r"on (?:their|its) own|by (?:themselves|itself)|[.,;)]|$)",
    re.IGNORECASE,
)
# What opens a purpose clause: "… so they will have enough", "… so that it would not fail".
_PURPOSE = re.compile(r"\b(?:so|such that|to ensure|ensuring|in order|that way)\b")


def _acted(text: str, lexicon: Lexicon) -> bool:
    """Whether the text names an action that was done and eased the impact: not planned, and
    not an attempt that did not help (see `_helped`)."""
    action = _action(text, lexicon)
    return action is not None and not _intended(text, lexicon, action) and _helped(text, lexicon)


def _action(text: str, lexicon: Lexicon) -> re.Match[str] | None:
    """The first action a text names, where it names one: "mitigation was complete by 10:26"
    tells where the incident stood, and its words are no action."""
    while (stood := lexicon.cue("milestone", text)) is not None:
        text = _blanked(text, stood)
    # The impact easing told with what eased ("Deliveries resumed at 15:12"): its words are
    # no action, though "resumed" may be one.
    eased: list[tuple[int, int]] | None = None  # found once there is an action to weigh
    for action in lexicon.every("mitigation", text):
        if eased is None:
            eased = [m.span() for m in lexicon.every("recovery", text)]
        if any(start < action.start() < end for start, end in eased):
            continue
        before = text[max(0, action.start() - 40) : action.start()]
        if (
            _NOT_DONE.search(before)
            # "… unexpectedly triggers the pipeline, ungracefully reverts changes": done by
            # mistake, how it failed (a "buggy release reverted" is a fault's thing undone)
            or any(f.group(0).endswith("ly") for f in lexicon.every("fault", before))
            or (  # "on a restored copy of production", "a terminating pod"
                _AS_A_WORD_OF_A_THING.search(before) and _DONE_WORD.match(action.group(0))
            )
            # "Root cause discovered by manually deleting the IngressRoute": how it was found
            or _found_by(before, lexicon)
            # "… decided that the AMI rollback had resolved the issue": what one did, told after
            or _had_worked(text[action.end() :], lexicon)
            or _UNDONE.match(text, action.end())  # "the automated rollback was not triggered"
            # "The automated failover to the redundant power path did not complete"
            or _UNDONE_AFTER_OBJECT.match(text, action.end())
            # "INFO replication says role:slave, so sentinel failed over": what a look showed
            or _shown(text[: action.start()], lexicon)
            or _NAMES_A_THING.match(text, action.end())  # "below the rollback threshold"
            or (
                _DOING.match(action.group(0))
                and _WAS_DOING.search(before)
                and _OVER_AND_OVER.match(text, action.end())
            )
        ):
            continue
        return action
    return None


def _shown(before: str, lexicon: Lexicon) -> bool:
    """Whether an action's words are what a look showed the system doing: after "shows" or
    "says" in the same sentence, with a thing just before them ("sentinel failed over"),
    not a responder or a step's joint ("…, then restarted", "so we restarted")."""
    shows = list(_SHOWS.finditer(before))
    if not shows or _SENTENCE_BREAK.search(before, shows[-1].end()):
        return False
    last = before[shows[-1].end() :].rstrip()
    word = last.rsplit(None, 1)[-1].lower() if last else ""
    return (
        bool(word)
        and word.isalnum()
        and not (word in _JOINTS or word.endswith("ly") or lexicon.cue("responders", word))
    )


_SHOWS = re.compile(
    r"\b(?:shows?|showed|shown|says|said|reports?|reported|reveals?|revealed|indicates?|"
    r"indicated)\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.;!?](?:\s|$)")
_JOINTS = frozenset({"and", "then", "so", "to", "also", "but", "we", "i", "they", "who"})


def _found_by(before: str, lexicon: Lexicon) -> bool:
    """Whether the words before an action say it is how the cause was found ("… discovered
    by")."""
    found = [m.end() for m in lexicon.every("finding", before)]
    return bool(found) and _BY.match(before, found[-1]) is not None


def _had_worked(after: str, lexicon: Lexicon) -> bool:
    """Whether the words after an action tell that it had worked: the action named as a thing
    done before ("the rollback had resolved the issue")."""
    had = _HAD.match(after)
    eased = lexicon.cue("recovery", after[had.end() :]) if had else None
    return eased is not None and eased.start() == 0


_BY = re.compile(r"\s+by\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_HAD = re.compile(r"\s+(?:had|has|have)\s+(?:\w+ly\s+)?", re.IGNORECASE)
# A done word right after "a" or "an" describes a thing: "a restored copy of production".
_AS_A_WORD_OF_A_THING = re.compile(r"\b(?:a|an)\s+$", re.IGNORECASE)
_DONE_WORD = re.compile(r"\w+(?:ed|ing)\b")  # "a restored copy", "a terminating pod"
# An action's word naming a thing, not a step: "the rollback threshold", "a restart loop".
_NAMES_A_THING = re.compile(
    r"\s+(?:thresholds?|counts?|rates?|loops?|polic(?:y|ies)|mechanisms?|logic|budgets?|"
    r"storms?)\b",
    re.IGNORECASE,
)
# An action named, then that it did not happen: "the rollback was not triggered".
_UNDONE = re.compile(
    r"\s+(?:(?:was|were|is|are|has|have|had|did)\s+(?:not|never)|wasn't|weren't|isn't|aren't|"
    r"hasn't|haven't|hadn't|didn't|never|failed)\b",
    re.IGNORECASE,
)
# The same, after the action's object, in the same clause ("that did not start" is the
# object's, not the action's).
_UNDONE_AFTER_OBJECT = re.compile(
    r"(?:\s+(?!(?:that|which|who|whose|where|when)\b)[\w-]+){1,6}?\s+(?:(?:was|were|did)\s+"
    r"(?:not|never)|wasn't|weren't|didn't|never|failed\s+to)\s+(?:complete|finish|succeed|start|"
    r"run|trigger|take\s+effect|work|happen)",
    re.IGNORECASE,
)


def _helped(text: str, lexicon: Lexicon) -> bool:
    """Whether the actions a text names eased the impact: not an attempt that did not help
    ("restarting the pods did not help"), unless another action follows the attempt
    ("… did not help; failing over did")."""
    failed = lexicon.cue("ineffective", text)
    return failed is None or _action(text[failed.end() :], lexicon) is not None


def _looked_first(sentence: str, looked: re.Match[str], lexicon: Lexicon) -> bool:
    """Whether a sentence tells the look before the cause it saw ("the logs showed …")."""
    why = lexicon.cue("fault", sentence) or lexicon.cue("cause", sentence)
    return why is None or looked.start() < why.start()


def _says_cause(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence states why it failed (not what followed, not that it was found)."""
    found = lexicon.cue("finding", sentence)
    if found is not None:
        return _found_told(sentence, found, lexicon)
    if lexicon.cue("intent", sentence) or lexicon.cue("apology", sentence):
        return False  # a plan, or an apology ("sorry for the disruption this caused")
    if lexicon.cue("fault", sentence) or lexicon.cue("conclusion", sentence):
        return True
    if _BACKSTORY.match(sentence) and not lexicon.cue("responders", sentence[:_NEAR]):
        return True
    return bool(lexicon.cue("cause", sentence)) and not _CONSEQUENCE.match(sentence)


# What had happened before, told as the story's background: "A producer had started sending
# orders with huge line-item arrays", "A deploy at 09:10 had raised the batch size".
_BACKSTORY = re.compile(
    r"^\W*(?:the|a|an|one|our|its|their)\s+(?:[\w.:-]+\s+){0,5}?had\s+(?:been\s+)?[a-z]+ed\b",
    re.IGNORECASE,
)


def tells_how(text: str, lexicon: Lexicon) -> bool:
    """Whether a statement of how it ended tells more than that it did. A status page's last
    word is often only that ("JIRA is back.", "Outage is finished: back to normal"), which
    gives the next responder nothing to do; a sentence that tells anything else counts."""
    return any(not _only_over(sentence, lexicon) for _, sentence in sentences(text))


def _only_over(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence says only that the incident or the service is over or back: with
    the words that say so taken out, a name or two is left ("JIRA", "The outage seems")."""
    if _action(sentence, lexicon) is not None or _says_cause(sentence, lexicon):
        return False
    left, over = _URL.sub(" ", sentence), False
    for kind in ("recovery", "resolved", "milestone"):
        for said in list(lexicon.every(kind, left)):
            left, over = _blanked(left, said), True
    for said in list(_BACK.finditer(left)):
        left, over = _blanked(left, said), True
    rest = [w for w in re.findall(r"[a-z]{3,}", left.lower()) if w not in _SMALL_WORDS]
    return over and len(rest) <= _NAME_WORDS


# Whatever it was, working again: "VPN is back", "The controller is up again".
_BACK = re.compile(
    r"\b(?:is|are|was|were)\s+(?:now\s+)?(?:back|up again|online again|up and running|over|"
    r"finished)\b",
    re.IGNORECASE,
)
_URL = re.compile(r"<?https?://\S+")
_SMALL_WORDS = frozenset({"the", "and", "has", "have", "been", "our", "all", "its", "now", "with"})
_NAME_WORDS = 2


def _names_cause(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence names the cause as such, concludes it, or tells a fault: what says
    why even in a part that tells the fix ("which solved the issues that led to …" does not)."""
    return bool(
        lexicon.cue("named_cause", sentence)
        or lexicon.cue("conclusion", sentence)
        or lexicon.cue("fault", sentence)
    )


def _found_told(sentence: str, found: re.Match[str], lexicon: Lexicon) -> bool:
    """Whether a sentence that tells the cause was found also tells what it was."""
    if told := _TOLD.match(sentence, found.end()):
        # "We were able to confirm a root cause: the new capacity had caused …": what follows
        # the colon is the cause.
        return _says_cause(sentence[told.end() :], lexicon)
    if shown := _SHOWN.match(sentence, found.end()):
        # "Root cause analysis showed that one capability created …": what it showed is.
        rest = sentence[shown.end() :]
        return len(rest.split()) >= 3 and not lexicon.cue("intent", rest)
    return False


def _sentences(block: Block, lexicon: Lexicon) -> Iterable[tuple[str, int, int]]:
    """(sentence, its first line, its last line) of a block's text, after its label."""
    text = _labelled_text(block, lexicon)
    shift = len(block.text) - len(text)
    for offset, sentence in sentences(text):
        start = offset + shift
        yield plain(sentence), line_at(block, start), line_at(block, start + len(sentence) - 1)


def _apart(part: str, block: Block, how: str, lexicon: Lexicon) -> list[tuple[str, Statement]]:
    """A paragraph of what was done, its sentences each to its part (see `_looks_apart` and
    `_fix_apart`); empty where it stays one statement."""
    if part == "mitigation":
        return _looks_apart(block, how, lexicon)
    if part == "resolution":
        return _fix_apart(block, how, lexicon)
    return []


def _fix_apart(block: Block, how: str, lexicon: Lexicon) -> list[tuple[str, Statement]]:
    """A resolution paragraph that opens with what was looked at ("The on-call checked the
    consumer group, which showed no committed offsets. At 10:20 she reduced …"): the looks
    before the fix are the diagnosis, the rest how it was fixed. Empty when it opens with no
    look."""
    said = list(_sentences(block, lexicon))
    looks = []
    for sentence, line, end in said:
        if _action(sentence, lexicon) is not None or _says_cause(sentence, lexicon):
            break
        if _looked(sentence, lexicon) is None:
            break
        looks.append(("diagnosis", Statement(sentence, line, end, how)))
    # "More training will be conducted in the future.": a plan, told among the fix, is one.
    plans, rest = [], []
    for sentence, line, end in said[len(looks) :]:
        if lexicon.cue("intent", sentence) and _FUTURE.search(sentence):
            plans.append(("follow_ups", Statement(sentence, line, end, how)))
        else:
            rest.append((sentence, line, end))
    if not rest:
        return plans if plans and not looks else []
    if not (looks or plans):
        return []
    fix = " ".join(sentence for sentence, _, _ in rest)
    return [*looks, ("resolution", Statement(fix, rest[0][1], rest[-1][2], how)), *plans]


def _looks_apart(block: Block, how: str, lexicon: Lexicon) -> list[tuple[str, Statement]]:
    """A mitigation paragraph of several sentences, each action a statement of its own, so a
    runbook lists one step per action. As a vendor's RCA writes it, the paragraph also tells
    how the incident was noticed and looked into ("Engineers were alerted at 08:29. They
    reviewed the telemetry … We rolled back …"): those sentences go to their parts, so that a
    look is never listed as a mitigation. What an action did ("Latency improved.", "Mitigation
    was complete by 10:26.") stays with the action before it. Empty for a single sentence that
    is an action."""
    said = list(_sentences(block, lexicon))
    if not said:
        return []
    out: list[tuple[str, Statement]] = []
    actions = [_action(sentence, lexicon) for sentence, _, _ in said]
    for n, (sentence, line, end) in enumerate(said):
        action = actions[n]
        if _ADVICE.match(sentence):
            continue  # what customers could do themselves: no step of the response
        if action is not None and _AFTER_IT.match(sentence) and lexicon.cue("recovery", sentence):
            action = None  # "Once the rollback completed, services recovered": what it did
        part = "mitigation"
        if action is None or _intended(sentence, lexicon, action):
            looked = _looked(sentence, lexicon)
            # Taking the page is how responders came to it, no action on the system.
            noticed = lexicon.cue("detection", sentence) or lexicon.cue("acknowledgement", sentence)
            if _says_cause(sentence, lexicon):
                part = "root_cause"  # "Root cause and mitigation: …" tells both
                if looked is not None and (
                    lexicon.cue("conclusion", sentence) or _looked_first(sentence, looked, lexicon)
                ):
                    # "She looked at the ingress logs and saw x509: certificate has expired":
                    # how they found it, and what they found.
                    out.append(("diagnosis", Statement(sentence, line, end, how)))
            elif noticed and (looked is None or noticed.start() < looked.start()):
                part = "detection"  # "Engineers were alerted … and began investigating"
                if looked is not None:
                    # "… was paged at 13:09 and opened the database dashboard, which showed
                    # CPU at 100%": how it was noticed, and what was looked at after.
                    out.append(("diagnosis", Statement(sentence, line, end, how)))
            elif looked:
                part = "diagnosis"
            elif (
                action is None
                and not lexicon.cue("intent", sentence)
                # "Engineers fenced the old leader": an action, in the words of its field.
                and not _responders_did(sentence, lexicon)
                and out
                and out[-1][0] == "mitigation"
            ):
                # An outcome: said of the action before it, in the same statement. (A plan
                # stays a sentence of its own, as it was written.) One that says it did not
                # help ("It did not change much.") makes it an attempt, as in a timeline: no
                # step to repeat.
                kept = out[-1][1]
                if lexicon.cue("ineffective", sentence):
                    out.pop()
                else:
                    out[-1] = ("mitigation", replace(kept, text=f"{kept.text} {sentence}", end=end))
                continue
            elif not _responders_did(sentence, lexicon) and (
                lexicon.cue("recovery", sentence) or lexicon.cue("milestone", sentence)
            ):
                continue  # the impact eased, and no action before it says how: no step
            elif lexicon.cue("intent", sentence) and not _HEDGE.search(sentence):
                part = "follow_ups"  # "We will automate the failover.": a plan
        if _before_the_steps(part, action, sentence, out, lexicon) and any(actions[n + 1 :]):
            # What happened before the first action, told of no one who responded, as "Root
            # cause and mitigation: …" tells it first: no step. Under a label that names the
            # cause, the cause.
            if _names_the_cause(block, lexicon):
                out.append(("root_cause", Statement(sentence, line, end, how)))
            continue
        out.append((part, Statement(sentence, line, end, how)))
    if len(said) == 1 and out and out[0][0] == "mitigation":
        return []  # one action: the paragraph is the statement, as written
    return out


def _before_the_steps(
    part: str,
    action: re.Match[str] | None,
    sentence: str,
    out: Sequence[tuple[str, Statement]],
    lexicon: Lexicon,
) -> bool:
    """Whether a mitigation paragraph's sentence tells no action and no one who responded,
    and no step came before it (the caller knows whether one comes after)."""
    return (
        part == "mitigation"
        and action is None
        and not lexicon.cue("responders", sentence)
        and not any(p == "mitigation" for p, _ in out)
    )


def _names_the_cause(block: Block, lexicon: Lexicon) -> bool:
    """Whether the label that opens a block names the cause too ("Root cause and mitigation:")."""
    found = lexicon.label(block.text)
    return found is not None and "cause" in words(block.text[: found[1]]).split()


# A commitment, said as one: "We will …", "Going forward, we are going to …".
_COMMITMENT = re.compile(
    r"^\W*(?:(?:in the future|going forward|next|moving forward),?\s+)?"
    r"we(?:'ll|\s+will|\s+are\s+going\s+to|\s+plan\s+to|\s+intend\s+to)\s+"
    r"(?!not\b|be\s+able|(?:do|fix|handle|address)\s+(?:it|this|that)\b)",
    re.IGNORECASE,
)
# What follows a finding to tell it: "… confirm a root cause: the new capacity had …".
_TOLD = re.compile(r"[^.:;]{0,40}?:\s+(?=\S)")
_SHOWN = re.compile(
    r"\s+(?:showed|shows|revealed|reveals|found|determined|established|concluded|indicated)"
    r"\s+that\s+(?=\S)",
    re.IGNORECASE,
)
# "Customers may have seen errors": said of the impact, not a plan, though it reads as one.
_HEDGE = re.compile(r"\b(?:may|might) have\b", re.IGNORECASE)
# A plan said as one, not a purpose ("To prevent this in the future, a new algorithm was
# written" tells what was done).
_FUTURE = re.compile(
    r"\b(?:will|shall|plans?\s+to|planning\s+to|intends?\s+to|going\s+to|should|needs?\s+to)\b"
    r"|'ll\b",
    re.IGNORECASE,
)
# A sentence that opens on the action before it, done, to say what followed.
_AFTER_IT = re.compile(r"^\W*(?:once|after|when|as soon as|following)\b", re.IGNORECASE)
# What may open a sentence before its subject: "Then we …", "At 09:12 UTC, engineers …".
_BEFORE_SUBJECT = re.compile(
    r"^\W*(?:(?:then|next|first|finally|later|subsequently|afterwards|after that|"
    r"at [\w:.]+(?: (?:utc|[ap]m))?)\W*)?$",
    re.IGNORECASE,
)
# A verb of the past: what the subject did ("fenced", "ran", "took").
_DID = re.compile(
    r"\s+(?:\w+ly\s+|then\s+|also\s+)?(?:\w{2,}ed|ran|took|made|put|set|shut|cut|built|rebuilt|"
    r"sent|brought|began|undid|kept|split|spun|rewrote|wrote|drove)\b"
)


def _responders_did(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence opens with the responders doing something ("Engineering fenced the
    old leader", "Then we moved the queue"): in a mitigation section, an action."""
    who = lexicon.cue("responders", sentence)
    return (
        who is not None
        and _BEFORE_SUBJECT.match(sentence[: who.start()]) is not None
        and _DID.match(sentence.lower().replace("`", " "), who.end()) is not None
    )


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
            return replace(
                statement, effect_minutes=round((later.at - event.at).total_seconds() / 60, 1)
            )
    return statement


def frozen(
    parts: dict[str, list[Statement]], events: Sequence[TimelineEvent] = ()
) -> tuple[tuple[str, tuple[Statement, ...]], ...]:
    """The parts as the incident holds them: every part, its statements in file order, an
    entry's statement citing every line its words are on. (While reading, an entry is its
    first line: a sentence of it that a section tells too is one statement with it.)"""
    ends = {(e.line, e.text): e.end for e in events if e.end is not None and e.end > e.line}

    def cited(s: Statement) -> Statement:
        end = ends.get((s.line, s.text)) if s.how == "timeline" else None
        return s if end is None else replace(s, end=end)

    return tuple(
        (part, tuple(sorted(map(cited, statements), key=lambda s: (s.line, s.end))))
        for part, statements in parts.items()
    )


def started(events: Sequence[TimelineEvent]) -> datetime | None:
    """The earliest dated entry of a timeline."""
    dated = [e.at for e in events if e.at is not None]
    return min(dated) if dated else None
