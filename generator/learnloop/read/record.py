"""Reading a post-mortem: which part of the story each piece of it tells, with its line.

The parts are found however they are marked (read/lexicon): headings, bold lines, labels that
open a paragraph or an item, two-column field tables. A paragraph under what was done is read
sentence by sentence, so a look told among the actions goes to the diagnosis and each action
is a step of its own. What no heading names is found by what it says (read/infer). Each
statement keeps its file lines, so `check --explain` can show an author what was understood,
and a runbook can cite it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from learnloop.model import Incident, Statement, TimelineEvent
from learnloop.read import says, times
from learnloop.read import timeline as timeline_mod
from learnloop.read.lexicon import ASIDE, PARTS, Lexicon, words
from learnloop.read.markdown import Block, Kind, blocks, line_at, plain, sentences, unquoted_lines

# Parts whose statements say what happened (as opposed to plans and lessons): where a cause,
# an action or a check is looked for when no heading names it.
STORY = ("summary", "impact", "symptoms", "trigger", "detection", "diagnosis", None)
# Why it failed and what set it off; with what is planned or learnt, where an action named is
# no mitigation ("a change was introduced to reduce memory" under an Atlassian "Leadup").
_WHY = ("root_cause", "contributing_factors", "trigger", "whys")
NOT_ACTIONS = (*_WHY, "follow_ups", "lessons")
FIX = ("mitigation", "resolution", "verification")
CODE_LINE = re.compile(r"^\s*(?:\$\s+)?[a-z][\w.-]*(?:\s|$)")
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
IMPACT = re.compile(
    r"\b((?:customers?|users?)(?!\s+(?:accounts?|ids?|names?|data|records?|tables?|roles?"
    r"|groups?|permissions?|keys?|profiles?|settings?)\b)"
    # A pull request is a change, not traffic that failed.
    # Nor are requests a route carries ("updated to route requests to the new proxy").
    r"|(?<!pull )(?<!merge )(?<!change )(?<!feature )(?<!route )(?<!forward )(?<!send )"
    r"(?<!proxy )requests?|unavailable|degraded"
    r"|affected|impact(?:ed)?|outage|down(?:time)?"
    r"|errors?|failed|failing|failures|could not|couldn't|unable|stall(?:ed|s)?|halt(?:ed|s)?"
    r"|offline"
    # "5xx rate on api-gateway starts climbing": failed responses, however many.
    r"|5xx(?:s|\s+(?:rate|errors?|responses?))"
    # Work done twice to someone: "1,842 customers were charged twice", "duplicate charges".
    r"|(?:charged|billed|debited)\s+twice|double[- ](?:charged|billed)"
    r"|duplicate\s+(?:charges?|payments?|orders?|transactions?|emails?|notifications?)"
    r"|unresponsive|plateau(?:ed|s)?|stop(?:s|ped)\s+\w+ing"
    # "Registry starts returning 503": an HTTP status of failure, however it is told.
    r"|(?:return(?:s|ed|ing)?|serv(?:es|ed|ing)|respond(?:s|ed|ing)\s+with)\s+(?:HTTP\s+)?"
    r"(?:[45]\d\d|[45]xx)s?)\b",
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
    # Statements under why it failed that say only that the cause is not known ("TBD").
    unknown: list[Statement] = field(default_factory=list)

    def add(self, part: str, statement: Statement) -> None:
        if _NOTHING_SAID.match(statement.text):
            return  # "_No response_", as an issue form leaves a field no one filled in
        if part == "impact" and times.only_duration(statement.text):
            return  # "**Duration:** 3 hours 17 minutes": how long, which the times tell
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


# What stands in a part that says nothing: a form's empty answer, a dash.
_NOTHING_SAID = re.compile(
    r"^\W*(?:no response|n/?a|not applicable|none|nothing|-+|—|–|\.\.\.|…)\W*$", re.IGNORECASE
)


def labels_apart(body_blocks: Sequence[Block], lexicon: Lexicon) -> list[Block]:
    """The blocks, with a paragraph whose later sentences open with labels of their own
    ("Summary of impact: … Root cause: … Mitigation: … Next steps: …", as providers' older
    reviews run them together) made a paragraph per label, each then read as its part."""
    out: list[Block] = []
    for block in _listed_lines_apart(_named_lines_apart(_field_lines_apart(body_blocks), lexicon)):
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


def _named_lines_apart(body_blocks: Iterable[Block], lexicon: Lexicon) -> Iterable[Block]:
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


def _field_lines_apart(body_blocks: Sequence[Block]) -> Iterable[Block]:
    """The blocks, with a paragraph whose every line is a label and its value ("**Date:**
    2025-05-20" / "**Status:** …" / "**Summary:** A planned failover …", as a document's head
    lists its fields) made an item per line: each label holds for its own line only, but the
    last, which holds on as a paragraph's does."""
    for index, block in enumerate(body_blocks):
        lines = block.raw.split("\n") if block.kind == "paragraph" else []
        if len(lines) < 2 or not all(_BOLD_FIELD_LINE.match(line) for line in lines):
            yield block
            continue
        following = body_blocks[index + 1].kind if index + 1 < len(body_blocks) else None
        for n, line in enumerate(lines):
            at = block.line + n
            # The last label goes on holding for the paragraphs after it, as a paragraph's does
            # (not for a table of figures: its rows name their own fields).
            kind: Kind = "paragraph" if n == len(lines) - 1 and following == "paragraph" else "item"
            yield replace(block, kind=kind, text=plain(line.strip()), line=at, end=at, raw=line)


# Bold, as a document's head writes its fields ("Root cause: …" lines run on as a paragraph
# are each read by `labels_apart`).
_BOLD_FIELD_LINE = re.compile(
    r"^\s*(?:\*\*|__)[A-Z][\w /()&-]{0,40}?(?::(?:\*\*|__)|(?:\*\*|__):)\s+\S"
)


def _listed_lines_apart(body_blocks: Iterable[Block]) -> Iterable[Block]:
    """The blocks, with the lines of a paragraph after one that ends on a colon made items of
    its list where each opens as a sentence does ("… addressed in 1.6.1 by:" / "Validating
    the proof-of-space …" / "Introducing limits on the stack depth …"), as plain text writes
    a list with no marks. Two lines at least: one line after a colon is the rest of a
    sentence as often as an item."""
    for block in body_blocks:
        # Read without a quote's markers ("> Validating …", a list quoted from a chat).
        lines = unquoted_lines(block) if block.kind == "paragraph" else []
        lead = next((n for n, line in enumerate(lines[:-2]) if line.rstrip().endswith(":")), None)
        if lead is None or not all(_OPENS_AS_A_SENTENCE.match(line) for line in lines[lead + 1 :]):
            yield block
            continue
        raw = block.raw.split("\n")
        text = " ".join(line.strip() for line in lines[: lead + 1] if line.strip())
        yield replace(block, text=text, end=block.line + lead, raw="\n".join(raw[: lead + 1]))
        for n in range(lead + 1, len(lines)):
            at = block.line + n
            yield replace(block, kind="item", text=lines[n].strip(), line=at, end=at, raw=raw[n])


# A line that opens as a sentence does: a capital or a number first, no list mark.
_OPENS_AS_A_SENTENCE = re.compile(r"^\s*(?:[A-Z]|\d+\s)")


# A name standing alone: a few words, no sentence's end or a label's colon after them (a
# comma ends an e-mail's sign-off: "Thanks,").
_NAME_LINE = re.compile(r"^[^\W\d_][^.:;!?|*#,]{0,58},?$")


def _line_a_sentence(block: Block, said: Sequence[tuple[int, str]]) -> bool:
    """Whether each line of a paragraph is one sentence of its own."""
    lines = [line_at(block, at) for at, _ in said]
    return lines == list(range(block.line, block.line + len(said))) and lines[-1] == block.end


# A question of the five whys, however it is numbered or marked: "4. Why? …", "**Why?** …".
_ASKS_WHY = re.compile(r"^\W*(?:\d{1,2}[.)]\s*)?\W*why\b", re.IGNORECASE)


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
        if found is not None and _current(stack) == "whys" and _ASKS_WHY.match(block.text):
            found = None  # "4. Why? A refactor …" in a five-whys list is one of the whys
        if found is None and block.kind == "row" and len(block.cells) >= 2 and not columns(block):
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


def columns(block: Block) -> bool:
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
    fixing = False  # in a list, after a lead-in, of the fixes made
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
        if fixing and not _an_item_of(block):
            fixing = False
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
            elif reading.stated_zone is None:
                # "## Chat log (times in CEST)": the zone of the times under any heading,
                # unless a timeline's heading says another.
                reading.stated_zone = times.stated_zone(block.text)
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
            said = row_said(block)
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
            text = row_said(block)
        reading.sections.setdefault(part, []).append(block.raw)
        following = assigned[index + 1][2] if index + 1 < len(assigned) else None
        if objects and _named_only(text, lexicon):
            continue  # "… while monitoring:" / "- Lag per partition": what it acted on or saw
        fixes = _fixes_follow(part, block, following, lexicon)
        if (
            part in ("mitigation", "resolution")
            and not fixes
            and _names_its_objects(block, following, lexicon)
        ):
            listed = part
        if fixing and not lexicon.cue("intent", text):
            reading.add("mitigation", Statement(plain(text), block.line, block.end, "inferred"))
        if _names_fixes_listed(part, block, following):
            # "Version 2.5.2 included fixes that invalidated the items" and its list on the
            # next line, no colon between: the list is the fixes it names, and the sentence
            # says its own.
            fixing = True
        if fixes:
            # "This issue was addressed in 1.8.0 by:" / "Reinstating the verification code …":
            # the entries are the fixes that were made, each an action; the lead-in none.
            fixing = True
            lead = sentences(block.text)
            if len(lead) < 2:
                reading.leads.add(index)
                continue
            # "1.2.11 was released, which solved many of the issues. This included many
            # fixes, the most important being:": the sentences before the lead-in say theirs.
            at = lead[-1][0]
            block = replace(block, text=block.text[:at].rstrip(), end=line_at(block, at - 1))
            assigned[index] = (part, how, block)
            text = _labelled_text(block, lexicon) if how == "label" else block.text
        if (
            part in _LISTS
            and leads_in(block, following)
            and (part == "follow_ups" or says.action(block.text, lexicon) is None)
        ):
            # "To prevent a recurrence we are:": the items after it are the part; under the
            # actions taken (Google's "Remediation and prevention"), they are its plans.
            if part in ("mitigation", "resolution") and lexicon.cue("intent", block.text):
                planned = part
            continue
        if part in FIX and _ADVICE.match(text):
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
        if part in _WHY and says.unknown(text, lexicon):
            # "Root cause: TBD", "The cause is still unknown": no cause told.
            reading.unknown.append(Statement(plain(text), block.line, block.end, how))
            continue
        if block.kind == "code":
            # A log excerpt or a data example under why it failed is its evidence, not the
            # cause; under what was done or looked at, it is the command as run.
            if part not in _WHY:
                reading.add(part, Statement(block.text, block.line, block.end, "section"))
        elif (
            block.kind == "paragraph"
            or how == "label"
            # "## Response and recovery" / "- Ben checked `kubectl get cronjob …` and saw …":
            # an entry of what was done is read as its paragraph would be.
            or (block.kind == "item" and part == "mitigation")
        ) and (told := _apart(part, block, how, lexicon)):
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


def row_said(block: Block) -> str:
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


def leads_in(block: Block, following: Block | None) -> bool:
    """Whether a paragraph only opens the list that follows it (it ends with a colon)."""
    return (
        block.kind == "paragraph"
        and block.text.rstrip().endswith(":")
        and following is not None
        and following.kind == "item"
    )


def _fixes_follow(
    part: str | None, block: Block, following: Block | None, lexicon: Lexicon
) -> bool:
    """Whether a paragraph opens a list of the fixes made: under the resolution, it ends on a
    colon after an action done or the fixes named ("This included many fixes, the most
    important being:"); anywhere in the story, after how it was resolved ("This was resolved
    by:"). What follows is an entry of the list."""
    if part in (None, *NOT_ACTIONS) or block.kind not in ("paragraph", "item"):
        return False
    if following is None:
        return False
    if not (_an_item_of(following) and (block.kind == "paragraph" or following.kind == "item")):
        return False
    text = block.text.rstrip()
    if not text.endswith(":") or lexicon.cue("intent", text):
        return False
    if following.kind == "paragraph" and not text.endswith(" by:"):
        return False  # a paragraph goes on only what it completes: "addressed … by:"
    last = sentences(text)[-1][1]
    if _FIXED_BY.search(last):
        return True
    if part != "resolution":
        return False
    return says.action(last, lexicon) is not None or _FIXES.search(last) is not None


def _names_fixes_listed(part: str | None, block: Block, following: Block | None) -> bool:
    """Whether a paragraph of the resolution names the fixes a release made and the list of
    them follows on its next line, with no colon to lead it in."""
    if part != "resolution" or block.kind != "paragraph" or following is None:
        return False
    if following.kind != "item" or following.line != block.end + 1:
        return False
    text = block.text.rstrip()
    return not text.endswith(":") and _FIXES.search(sentences(text)[-1][1]) is not None


# How it ended, told as the list of what did it: "This was resolved by:".
_FIXED_BY = re.compile(
    r"\b(?:resolved|fixed|mitigated|addressed|remedied|solved)\s+(?:\w+\s+){0,3}?by:$",
    re.IGNORECASE,
)
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
    text = block.text.rstrip()  # a paragraph's lines, joined
    if not text.endswith(":"):
        return False
    if _STEPS_FOLLOW.search(text):
        return False  # "We took the following steps:": the list is of actions
    return says.action(text, lexicon) is not None or says.looked(text, lexicon) is not None


_STEPS_FOLLOW = re.compile(
    r"\b(?:following|these|below|as follows|steps|actions|measures|changes)\b", re.IGNORECASE
)


# The objects in such a list are a few words: a longer entry says something of its own.
_OBJECT_WORDS = 6


def _named_only(text: str, lexicon: Lexicon) -> bool:
    """Whether a list entry only names a thing: a few words, no action and no look in them."""
    return (
        len(text.split()) <= _OBJECT_WORDS
        and says.action(text, lexicon) is None
        and says.looked(text, lexicon) is None
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
    return timeline_mod.impact_window(
        entries, incident.started_at, zone, reading.stated_zone, only_the_day(incident)
    )


def only_the_day(incident: Incident) -> date | None:
    """The day an incident started on, where its front matter gives only that: the day its
    text's times fall on, in whatever zone each is told."""
    return incident.started_at.date() if incident.started_date_only else None


def stated_durations(incident: Incident, reading: Reading) -> dict[str, tuple[timedelta, int]]:
    """How long after the start each moment came, with its line, where the text says so
    ("**Duration:** 47 minutes", "- Time to detection: 19 hours 43 minutes", as many templates
    head or close a post-mortem), by the moment's name; the first said of each. Empty from a
    start given as a day alone, which a duration cannot date a moment from."""
    if incident.started_date_only:
        return {}
    said_on: list[tuple[str, int]] = [
        (line, block.line + number)
        for _, block in reading.prose
        for number, line in enumerate(unquoted_lines(block))
    ]
    # A table of the incident's figures: "| Time to mitigate | 1 h 40 min |".
    said_on += [
        (f"{b.cells[0]}: {b.cells[1]}", b.line)
        for _, _, b in reading.assigned
        if b.kind == "row" and len(b.cells) == 2 and b.cells[0] and b.cells[1]
    ]
    found: dict[str, tuple[timedelta, int]] = {}
    for line, at in sorted(said_on, key=lambda said: said[1]):
        for piece in _FIGURES_APART.split(line):
            said = _DURATION.match(piece)
            lasted = times.duration(said["value"]) if said else None
            if said and lasted:
                name = next(n for n in _DURATION_OF if said[n] is not None)
                found.setdefault(name, (lasted, at))
    return found


def states_a_duration(text: str) -> bool:
    """Whether a text only states how long after the start a moment came ("Time to mitigate
    — 1 h 40 min", as a row of figures reads): a figure, no step."""
    said = _DURATION.match(re.sub(r"\s+[—–]\s+", ": ", text, count=1))
    return said is not None and times.duration(said["value"]) is not None


# A line that says how long after the start a moment came: "**Duration:** 47 minutes",
# "- Time to resolve: 1h 12m", "Time to detection: 19 hours 43 minutes", "TTM: 29m".
_DURATION_OF = {
    "resolved_at": r"(?:total |incident |outage |impact )?duration|time to (?:resolve|resolution"
    r"|recover|recovery|restore|repair)|ttr",
    "mitigated_at": r"time to (?:mitigate|mitigation)|ttm",
    "acknowledged_at": r"time to (?:acknowledge|acknowledgement|ack)|tta",
    "detected_at": r"time to (?:detect|detection|discover|discovery)|ttd",
}
_DURATION = re.compile(
    r"^\s*(?:[-*]\s+)?(?:\*\*|__)?\s*(?:"
    + "|".join(f"(?P<{name}>{words})" for name, words in _DURATION_OF.items())
    + r")\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<value>[^*_]{1,40}?)\s*(?:\*\*|__)?\s*$",
    re.IGNORECASE,
)
# Several figures on one line, as a template's stats line puts them
# ("**TTD:** 2m · **TTM:** 29m · **TTR:** 44m"): apart at a dot, bar or semicolon, or at a
# comma before the next figure's name, never inside "1 hour, 12 minutes".
_FIGURES_APART = re.compile(
    r"\s+[·•|;]\s+|;\s+|,\s+(?=(?:\*\*|__)?\s*(?:"
    + "|".join(_DURATION_OF.values())
    + r")\s*(?:\*\*|__)?\s*:)",
    re.IGNORECASE,
)


def sentences_of(block: Block, lexicon: Lexicon) -> Iterable[tuple[str, int, int]]:
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
    if part == "root_cause" and how == "section":
        return _noticed_apart(block, how, lexicon)
    return []


def _noticed_apart(block: Block, how: str, lexicon: Lexicon) -> list[tuple[str, Statement]]:
    """A paragraph under why it failed that tells only how it was noticed and looked into
    ("We noticed at 13:45, when the lag alert paged Jonas. He checked the consumer lag
    dashboard …"), as a story under "What went wrong" goes on: each sentence to its part.
    Empty where any sentence says why, or one says neither, or none tells the notice."""
    said = list(sentences_of(block, lexicon))
    out = []
    for sentence, line, end in said:
        if says.cause(sentence, lexicon):
            return []
        if lexicon.cue("detection", sentence):
            out.append(("detection", Statement(sentence, line, end, how)))
        elif says.looked(sentence, lexicon):
            out.append(("diagnosis", Statement(sentence, line, end, how)))
        else:
            return []
    # Looks alone under why ("we suspect the parser's cache") are about the cause.
    return out if any(part == "detection" for part, _ in out) else []


def _fix_apart(block: Block, how: str, lexicon: Lexicon) -> list[tuple[str, Statement]]:
    """A resolution paragraph that opens with what was looked at ("The on-call checked the
    consumer group, which showed no committed offsets. At 10:20 she reduced …"): the looks
    before the fix are the diagnosis, the rest how it was fixed. Empty when it opens with no
    look."""
    said = list(sentences_of(block, lexicon))
    looks = []
    for sentence, line, end in said:
        if says.action(sentence, lexicon) is not None or says.cause(sentence, lexicon):
            break
        if says.looked(sentence, lexicon) is None:
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
    said = list(sentences_of(block, lexicon))
    if not said:
        return []
    out: list[tuple[str, Statement]] = []
    checked: list[tuple[str, Statement]] = []
    actions = [says.action(sentence, lexicon) for sentence, _, _ in said]
    for n, (sentence, line, end) in enumerate(said):
        action = actions[n]
        if _ADVICE.match(sentence):
            continue  # what customers could do themselves: no step of the response
        if action is not None and _AFTER_IT.match(sentence) and lexicon.cue("recovery", sentence):
            action = None  # "Once the rollback completed, services recovered": what it did
        part = "mitigation"
        if action is None or says.intended(sentence, lexicon, action):
            looked = says.looked(sentence, lexicon)
            # Taking the page is how responders came to it, no action on the system.
            noticed = lexicon.cue("detection", sentence) or lexicon.cue("acknowledgement", sentence)
            if says.cause(sentence, lexicon):
                part = "root_cause"  # "Root cause and mitigation: …" tells both
                if looked is not None and (
                    lexicon.cue("conclusion", sentence)
                    or says.looked_first(sentence, looked, lexicon)
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
            elif (
                looked
                and lexicon.cue("verification", sentence)
                and says.recovered(sentence, lexicon)
            ):
                # "The export finished at 10:58 and finance confirmed the reports were
                # correct": the look made sure it had eased, no step of diagnosis.
                part = "verification"
            elif looked:
                part = "diagnosis"
            elif (
                action is None
                and not lexicon.cue("intent", sentence)
                # "Engineers fenced the old leader": an action, in the words of its field.
                and not says.responders_did(sentence, lexicon)
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
                    if lexicon.cue("verification", sentence):
                        # "… and the team confirmed through synthetic checkouts that orders
                        # were succeeding": how the fix was made certain, too.
                        checked.append(("verification", Statement(sentence, line, end, how)))
                continue
            elif not says.responders_did(sentence, lexicon) and (
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
    return out + checked


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
COMMITMENT = re.compile(
    r"^\W*(?:(?:in the future|going forward|next|moving forward),?\s+)?"
    r"we(?:'ll|\s+will|\s+are\s+going\s+to|\s+plan\s+to|\s+intend\s+to)\s+"
    r"(?!not\b|be\s+able|(?:do|fix|handle|address)\s+(?:it|this|that)\b)",
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
