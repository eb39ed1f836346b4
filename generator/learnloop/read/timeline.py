"""A post-mortem's timeline as dated events, however it is written.

Bullets (`- 19:08 alert fired`), table rows (`| 2021-06-22 08:21 | VPC CNI replaced |`),
paragraphs (`7:32 PM - The chain stalled`), headings that give the time for the text under
them (`### 08:52 PM`), lines that give the day for the entries after them (`01-10-2024`),
and prose ("at about ten past nine we saw …"). A clock time takes its day from the last day
given, else from the incident's start; a time earlier than the one before it means the clock
passed midnight.

A post-mortem with no timeline still tells times: the span of its impact ("Between 08:21 UTC
and 10:35 UTC on 02 Sep 2021, customers …") and moments in passing ("we were alerted at
08:29", "rolled back at 09:50"). `impact_window` and `told` read those.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise

from learnloop.model import TimelineEvent
from learnloop.read import times
from learnloop.read.markdown import Block, line_at, plain, unquoted_lines


@dataclass
class _Clock:
    """What the entries read so far say about the day, the zone and the last time."""

    zone: tzinfo
    day: date | None
    year: int | None
    previous: datetime | None = None
    said: bool = False  # the zone was stated for the whole timeline ("All times in CET")
    order: str | None = None  # how its days in numbers are written (see `day_order`)
    restarted: bool = False  # a new list begins: it may go back to earlier that day

    def state(self, zone: str) -> None:
        """A zone stated for the entries below it ("All times in CET", "| Time (PST) |")."""
        self.zone, self.said = times.zone_named(zone, self.zone), True

    def read(self, day: date, text: str) -> date:
        """A day `text` gives in numbers, read as this timeline writes its days (`nearer`)."""
        return nearer(day, text, self.day, self.order)

    def on(self, day: date) -> None:
        """A day stated for the entries below it: their times are on it, whatever time the
        entries above it reached (a list of steps may come before the timeline it repeats)."""
        self.day, self.previous = day, None

    def place(self, stamp: times.Stamp) -> datetime | None:
        zone = times.zone_named(stamp.zone, self.zone)
        if not self.said:
            # With no zone stated for the timeline, one written on an entry ("09:02 PDT:
            # alert fired", then "09:10: rolled back") holds for the entries after it.
            self.zone = zone
        if stamp.day is not None:
            self.day = stamp.day
        day = self.day
        if day is None:
            return None
        hour = stamp.hour
        if stamp.twelve_hour and self.previous is not None:
            # "ten past nine": morning or evening, whichever follows the entry before it.
            morning = datetime.combine(day, time(hour % 12, stamp.minute), zone)
            if morning < self.previous - timedelta(minutes=1):
                hour = hour % 12 + 12
        try:
            at = datetime.combine(day, time(hour, stamp.minute, stamp.second), zone)
        except ValueError:
            return None
        if (
            stamp.day is None
            and self.previous is not None
            and at < self.previous - timedelta(minutes=1)
            # A new list that opens earlier the same day ("Key timestamps" to 10:48, then a
            # timeline from 10:14) goes back; past midnight ("23:50", then "00:10") it does not.
            and not (self.restarted and self.previous - at < timedelta(hours=12))
        ):
            day = day + timedelta(days=1)
            at = datetime.combine(day, at.timetz())
            self.day = day
        self.previous, self.restarted = at, False
        return at


def story_zone(blocks: Iterable[Block]) -> str | None:
    """The one zone a story's times name, said on them ("3:05pm ET"), where they name one."""
    return _one_zone(s for b in blocks if b.kind != "code" for s in times.within(b.text))


def _one_zone(stamps: Iterable[times.Stamp]) -> str | None:
    """The zone the stamps name, where they name exactly one."""
    zones = {s.zone for s in stamps if s.zone}
    return zones.pop() if len(zones) == 1 else None


def events(
    entries: Sequence[Block],
    started_at: datetime | None,
    default_zone: tzinfo,
    stated: str | None,
    on_day: date | None = None,
    story: Iterable[Block] = (),
) -> list[TimelineEvent]:
    """The events of a timeline's blocks (in order), dated where they can be. `on_day` is the
    day the incident started on where only its day is known: the entries' times are on it
    in their own zone (its midnight in UTC is the day before, in a zone west of it). `story`
    is the rest of the text, read for its zone only where neither is stated."""
    # A timeline that names one zone, on one of its times ("… and we closed the incident at
    # 01:32 JST"), tells its other times in it, those above that one too; a zone stated for
    # the whole timeline ("All times in CET") holds throughout. One that names none is in the
    # zone the story tells its times in ("From 2:15pm to 3:05pm ET, the payment page …").
    zone_name = stated if stated is not None else story_zone(entries) or story_zone(story)
    zone = times.zone_named(zone_name, default_zone)
    clock = _Clock(
        zone,
        on_day or (started_at.astimezone(zone).date() if started_at else None),
        started_at.year if started_at else None,
        said=stated is not None,
    )
    clock.order = day_order(block.text for block in entries)
    out: list[TimelineEvent] = []
    base = started_at  # the moment "T+0" is
    pending: datetime | None = None  # a heading's time, for the text under it
    who: frozenset[int] = frozenset()  # the columns of a table that name who acted
    columns = 0  # how many the table's header names
    if all(block.kind in ("code", "heading") for block in entries):
        entries = [entry for block in entries for entry in _fenced(block)]
    # The list each event is told in: lists apart in the file (the steps taken, then the
    # timeline that repeats them) are merged by time, each kept in its author's order.
    told_in: list[int] = []
    current, last = 0, None
    for block in entries:
        told_in.extend([current] * (len(out) - len(told_in)))
        if last is not None and block.line > last + 2:
            current += 1
            clock.restarted = True
        last = block.end if last is None else max(last, block.end)
        if block.kind == "code":
            continue
        if block.kind == "heading":
            found = times.leading(block.text, clock.year)
            if found is not None and not found[1]:
                pending = clock.place(found[0])
                continue
            if len(told := times.within(block.text, clock.year)) == 1:
                # "### Update 2 (08:10 UTC)": the text under it was written then.
                pending = clock.place(told[0])
                continue
            day = times.leading_date(block.text, clock.year)
            if day is not None and not day[1]:
                clock.on(day[0])
                pending = None
                continue
            pending = None
            current += 1  # a heading of no time ends a list
            clock.restarted = True
            if day is not None:  # "### October 24, 2025 - Rate limiting": its entries' day
                clock.on(day[0])
            if stated_here := times.stated_zone(block.text):
                clock.state(stated_here)
            continue
        text = block.text
        if block.kind == "row" and block.header and times.leading(text, clock.year) is None:
            # "| Time (PST) | What happened | Who |": the columns' names, and perhaps the zone.
            if stated_here := times.stated_zone(text):
                clock.state(stated_here)
            who = frozenset(n for n, c in enumerate(block.cells) if _WHO.fullmatch(c.strip()))
            columns = len(block.cells)
            continue
        if block.kind == "row":
            if who and len(block.cells) == columns:  # a row whose cells line up with the names
                # Who did it is no word of what was done.
                block = replace(block, cells=tuple(c for n, c in enumerate(block.cells)
                                                   if n not in who))  # fmt: skip
            event = _row(block, clock)
            if event is not None:
                out.append(event)
            continue
        relative = _RELATIVE.match(text)
        offset = _offset(relative) if relative is not None else None
        if relative is not None and offset is not None:
            # "T+4m: error rate alert fires": minutes from the start, as some teams count; from
            # the clock an entry gives with it ("T+0 (13:02) — …"), where one does.
            rest = text[relative.end() :]
            given = _GIVEN_CLOCK.match(text, relative.start("amount") + len(relative["amount"]))
            found = times.leading(given["clock"], clock.year) if given else None
            if (
                given is not None
                and found is not None
                and not found[1]
                and (at := clock.place(found[0])) is not None
            ):
                base, rest = at - offset, text[given.end() :]
            if base is not None:
                out.append(TimelineEvent(base + offset, plain(rest), block.line))
                continue
        found = times.leading(text, clock.year)
        if found is not None:
            stamp, rest = found
            if stamp.day is not None:
                stamp = replace(stamp, day=clock.read(stamp.day, text))
            # Its words may start on the line after a time that stands alone ("5:20 AM").
            line = line_at(block, len(text) - len(rest)) if rest else block.line
            at = clock.place(stamp)
            later = _later_clauses(block, len(text) - len(rest), at)
            notes = [] if later or line == block.line else _notes(block, line)
            if len(notes) > 1:
                out.extend(TimelineEvent(at, plain(said), n, end=last) for n, last, said in notes)
                continue
            head = later[0][2] if later else rest
            out.append(TimelineEvent(at, plain(head), line, end=block.end))
            out.extend(
                TimelineEvent(when, plain(piece), line_at(block, len(text) - len(rest) + start))
                for start, when, piece in later[1:]
            )
            continue
        day = times.leading_date(text, clock.year)
        if day is not None:
            day = (clock.read(day[0], text), day[1])
            clock.on(day[0])
            if (zone_said := times.stated_zone(plain(text))) and _only_zone(day[1]):
                # "(all times PST)"
                clock.state(zone_said)
            elif day[1]:
                out.append(
                    TimelineEvent(
                        _midday(day[0], clock.zone), plain(day[1]), block.line, day_only=True
                    )
                )
            continue
        if stated_here := _zone_note(text):
            clock.state(stated_here)
            continue
        if pending is not None:
            out.append(TimelineEvent(pending, plain(text), block.line, end=block.end))
            continue
        prose = times.within(text, clock.year)
        if prose:
            out.extend(_prose(block, prose, clock.place))
            continue
        out.append(TimelineEvent(None, plain(text), block.line, end=block.end))
    told_in.extend([current] * (len(out) - len(told_in)))
    return _oldest_first(out, told_in)


# "T+4m", "T+1:05", "T+1h05m", "T+2h 10m": one to three amounts with their units.
_RELATIVE = re.compile(
    r"^\W*T\s*(?P<sign>[+-])\s*(?P<amount>\d{1,2}:[0-5]\d|"
    r"(?:\d{1,4}\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\s*){1,3}(?!\w)|"
    r"\d{1,4})(?!\w)\W*"
)


# The clock said beside a relative time: "T+0 (13:02) — …".
_GIVEN_CLOCK = re.compile(r"\s*\((?P<clock>[^()]{3,30})\)\W*")


def _offset(relative: re.Match[str]) -> timedelta | None:
    """How far from the start a relative time is ("T+1:05", "T+4m", "T-10 min"); a bare
    number counts minutes."""
    amount = relative["amount"]
    span = times.duration(f"{amount}m" if amount.isdigit() else amount)
    return -span if span is not None and relative["sign"] == "-" else span


def _oldest_first(out: list[TimelineEvent], told_in: list[int]) -> list[TimelineEvent]:
    """The events in the order they happened: a timeline told newest first, as a status page
    lists its updates, is turned over; lists told apart (`told_in`: the steps taken, then the
    timeline that repeats them) are merged by time, each in its author's order (a time
    mistyped in a list stays where its author put it). An entry with no time stays after the
    one before it."""
    placed = [e.at for e in out if e.at is not None]
    if len(placed) >= 2 and placed[0] > placed[-1] and all(a >= b for a, b in pairwise(placed)):
        return out[::-1]
    lists: dict[int, list[tuple[datetime, list[TimelineEvent]]]] = {}
    latest = datetime.min.replace(tzinfo=UTC)  # of the entries told before
    for event, told in zip(out, told_in, strict=True):
        runs = lists.setdefault(told, [])
        if event.at is not None or not runs:
            # Entries with no time at the head of a list stay after those told before them.
            runs.append((event.at or latest, [event]))
        else:
            runs[-1][1].append(event)
        latest = max(latest, event.at or latest)
    if len(lists) < 2:
        return out
    merged = heapq.merge(*lists.values(), key=lambda run: run[0])
    return [event for _, run in merged for event in run]


def entries_apart(body: Sequence[Block]) -> list[Block]:
    """The blocks, with a paragraph of lines that each open with a time (a timeline pasted
    from notes or chat, no blank line or bullet between its entries) made an entry per time.

    Markdown joins such lines into one paragraph; read as one, its first time dated every
    entry and every entry did what any of them said. A line that opens with no time goes on
    the entry before it, as a wrapped line does.
    """
    out: list[Block] = []
    for block in body:
        lines = unquoted_lines(block)
        if block.kind not in ("paragraph", "item") or len(lines) < 2:
            out.append(block)
            continue
        if block.kind == "paragraph" and _only_time(lines[-1]):
            # A status update pasted from its page: its text, then its time on a line below
            # ("**Resolved** - This incident has been resolved." / "Mar 1, 14:20 UTC").
            said = f"{lines[-1].strip()} " + " ".join(line.strip() for line in lines[:-1])
            # One line as read: the entry is where its words begin, the block's first line.
            out.append(replace(block, kind="item", text=said, raw=said))
            continue
        opens = [n for n, line in enumerate(lines) if _opens_with_time(line)]
        head = lines[: opens[0]] if opens else []
        if len(opens) < 2 or not all(_day_or_zone(line) or _A_LABEL.match(line) for line in head):
            out.append(block)
            continue
        # "2015-10-21 (all times UTC)" over the entries: the day and zone they are in; or the
        # label a plain-text report puts over them ("Steps taken:").
        for n, line in enumerate(head):
            out.append(replace(block, text=line.strip(), line=block.line + n,
                               end=block.line + n, raw=line))  # fmt: skip
        for start, stop in zip(opens, [*opens[1:], len(lines)], strict=True):
            raw = lines[start:stop]
            text = " ".join(line.strip() for line in raw if line.strip())
            out.append(
                replace(
                    block,
                    kind="item",
                    text=_MARKER.sub("", text, count=1) if block.kind == "item" else text,
                    line=block.line + start,
                    end=block.line + stop - 1,
                    raw="\n".join(raw),
                )
            )
    return out


_MARKER = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?")


def _fenced(block: Block) -> list[Block]:
    """A timeline written only in a code block (pasted from a terminal or a chat log): an entry
    per timed line. Beside entries written as text, a code block is evidence, never entries."""
    if block.kind != "code":
        return [block]
    lines = [(n, line) for n, line in enumerate(block.text.split("\n")) if line.strip()]
    if not lines:
        return []
    first = block.line + 1 + lines[0][0]
    raw = "\n".join(block.text.split("\n")[lines[0][0] : lines[-1][0] + 1])
    text = " ".join(line.strip() for _, line in lines)
    found = entries_apart([Block("paragraph", text, first, block.end - 1, raw=raw)])
    return found if len(found) >= 2 else []


def _only_zone(rest: str) -> bool:
    """Whether what follows a day only states the zone of the times under it."""
    return len(plain(rest).strip("()[]_*.,: ")) <= 30


def _zone_note(text: str) -> str | None:
    """The zone a short line only notes ("All times UTC.", "_All times in UTC_"): a note
    about the times under it, not an event."""
    return times.stated_zone(plain(text)) if len(text) < 80 else None


_A_LABEL = re.compile(r"^\s*[A-Za-z][\w /'-]{0,40}:\s*$")


def _day_or_zone(line: str) -> bool:
    said = line.strip()
    return times.leading_date(said) is not None or _zone_note(said) is not None


def _only_time(line: str) -> bool:
    found = times.leading(line.strip())
    return found is not None and not found[1]


def _opens_with_time(line: str) -> bool:
    return times.leading(line.strip()) is not None or _RELATIVE.match(line.strip()) is not None


def _midday(day: date, zone: tzinfo) -> datetime:
    # A day without a time ("01-31-2024 - The fix was added"): placed at noon, so that it
    # sorts after a night's events of the day before and counts in days, not minutes.
    return datetime.combine(day, time(12, 0), zone)


# A day written in numbers either way round: "12-02-2025", "03/04/2025".
# (Dotted, "01.03.2024", is read day first already.)
_EITHER_WAY = re.compile(r"^\W*(?:[01]?\d)[-/](?:[01]?\d)[-/](?:\d{4}|\d\d)(?!\d)")
# Days in numbers that read one way only: "16-01-2024" is day first, "01-16-2024" month first.
_DAY_FIRST = re.compile(r"(?<![\d/.-])(?:1[3-9]|2\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.]\d{2,4}\b")
_MONTH_FIRST = re.compile(r"(?<![\d/.-])(?:0?[1-9]|1[0-2])[-/](?:1[3-9]|2\d|3[01])[-/]\d{2,4}\b")
NEAR_DAYS = 7  # how near a day read the other way round must be to the incident's own


def nearer(day: date, text: str, near: date | None, order: str | None = None) -> date:
    """A day read month first from numbers that read either way ("12-02-2025"), or day first
    where the text writes its days so (`order` "dmy", from a day only that way can be), or,
    where nothing says, where day first is the incident's own week and month first is not
    (12 February, in a report of an incident that began on 2025-02-12)."""
    if order == "mdy" or day.day > 12 or day.day == day.month or not _EITHER_WAY.match(text):
        return day
    other = date(day.year, day.day, day.month)
    if order == "dmy":
        return other
    if near is None:
        return day
    week = timedelta(days=NEAR_DAYS)
    return other if abs(other - near) <= week < abs(day - near) else day


def day_order(texts: Iterable[str]) -> str | None:
    """How a text writes its days in numbers: "dmy" or "mdy" where a day shows it and none
    says otherwise, else None."""
    said = " ".join(texts)
    first, second = bool(_DAY_FIRST.search(said)), bool(_MONTH_FIRST.search(said))
    return "dmy" if first and not second else "mdy" if second and not first else None


def _row(block: Block, clock: _Clock) -> TimelineEvent | None:
    """A table row: its time in the first short cells (a weekday, a date and a time may each
    have a cell of their own), its text the rest. A moment's name may come before its time,
    as incident tools export their milestones ("| Detected | Nov 12, 2024 at 3:07 PM EST |")."""
    cells = list(block.cells)
    if not cells:
        return None
    if cells[0].lower() in ("time", "date", "when", "timestamp", "date/time", "time (utc)", "day"):
        return None  # the header row
    named = named_moment(cells, clock.year)
    if named is not None:
        # Said as the key moment it is ("Detected: Nov 12, 2024 at 3:07 PM EST"): a moment
        # named, not a step taken.
        return TimelineEvent(clock.place(named), plain(f"{cells[0]}: {cells[1]}"), block.line)
    stamp: times.Stamp | None = None
    rest_at = 0
    dated: date | None = None  # the row's own date cell
    for index, cell in enumerate(cells[:4]):
        if len(cell) > 32:
            break
        found = times.leading(cell, clock.year)
        if found is not None:
            stamp, after = found
            if stamp.day is not None:
                stamp = replace(stamp, day=clock.read(stamp.day, cell))
            if stamp.day is None and dated is not None:
                # The row says its day: an earlier time than the row above is that day's,
                # never the next day's (rows out of order, as people fill tables in).
                stamp = replace(stamp, day=dated)
            if after:
                cells[index] = after
                rest_at = index
            else:
                rest_at = index + 1
            break
        if (unknown := times.unplaced(cell, clock.year)) is not None:
            # "2024-03-13 14:??": the time is not known; the entry keeps its place and says
            # what it says, with no time of its own.
            clock.day = unknown[0] or clock.day
            rest = plain(" — ".join(c for c in cells[index + 1 :] if c))
            return TimelineEvent(None, rest, block.line)
        day = times.leading_date(cell, clock.year)
        if day is not None and not day[1]:
            clock.day = dated = clock.read(day[0], cell)
        elif not _WEEKDAY.fullmatch(cell.strip()):
            break
    said = [c for c in cells[rest_at:] if c]
    if len(said) >= 2 and _NAME_CELL.fullmatch(said[0]):
        # "| 10:06 | Detected | PagerDuty alert |": a cell that names the moment is its label.
        said = [f"{said[0]}: {said[1]}", *said[2:]]
    text = plain(" — ".join(said))
    if stamp is None:
        return TimelineEvent(None, plain(" — ".join(c for c in cells if c)), block.line)
    return TimelineEvent(clock.place(stamp), text, block.line)


def named_moment(cells: Sequence[str], year: int | None = None) -> times.Stamp | None:
    """The time of a row that names a moment and gives its time, and nothing else, as incident
    tools export their milestones ("| Detected | Nov 12, 2024 at 3:07 PM EST |"); else None."""
    if len(cells) < 2 or any(cells[2:]):
        return None
    named = times.leading(cells[1], year)
    if named is None or named[1] or not _MOMENT_CELL.fullmatch(cells[0]):
        return None
    return None if _WEEKDAY.fullmatch(cells[0].strip()) else named[0]


_NAME_CELL = re.compile(r"[A-Za-z][\w-]{0,30}")
_MOMENT_CELL = re.compile(r"[A-Za-z][\w-]*(?: [\w-]+){0,3}")  # "Detected", "Impact started"
# A column of who acted: "Who", "Owner", "By", "Person", "Responder".
_WHO = re.compile(r"who|owner|by|person|people|responders?|actor|author|done by", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?", re.I
)


def _prose(
    block: Block, stamps: list[times.Stamp], place: Callable[[times.Stamp], datetime | None]
) -> list[TimelineEvent]:
    """A paragraph that tells the story with times in its sentences: an event per time, its
    text the clause the time is in, up to the clause of the next time."""
    text = block.text
    starts = [_clause_start(text, stamp.start) for stamp in stamps]
    out = []
    for index, stamp in enumerate(stamps):
        end = starts[index + 1] if index + 1 < len(stamps) else len(text)
        piece = _clause(text[starts[index] : end])
        out.append(TimelineEvent(place(stamp), plain(piece), line_at(block, stamp.start)))
    return out


def _later_clauses(
    block: Block, offset: int, at: datetime | None
) -> list[tuple[int, datetime, str]]:
    """The clauses of an entry after its leading time that say a later time of their own
    ("On-call paged; acknowledges at 04:43"): each is a moment of its own. Returned as
    (where in the entry's words it starts, when, its words), the entry's own clause first;
    empty where no clause after the first gives a later time of the same day."""
    rest = block.text[offset:]
    if at is None:
        return []
    told: dict[int, list[times.Stamp]] = {}  # the times each clause gives, by where it starts
    for stamp in times.within(rest, at.year):
        told.setdefault(_clause_start(rest, stamp.start), []).append(stamp)
    # A clause parts only when it gives one clock, of no other day, zone or half of the day,
    # later than the entry's: "errors between 10:05 and 10:20" tells a span.
    later: list[tuple[int, datetime]] = []
    for start, said in told.items():
        when = _later_that_day(at, said[0]) if len(said) == 1 else None
        if when is not None:
            later.append((start, when))
    if not later or later[0][0] == 0:
        return []
    out: list[tuple[int, datetime, str]] = [(0, at, _clause(rest[: later[0][0]]))]
    for index, (start, when) in enumerate(later):
        end = later[index + 1][0] if index + 1 < len(later) else len(rest)
        if piece := _clause(rest[start:end]):
            out.append((start, when, piece))
    return out


def _notes(block: Block, first: int) -> list[tuple[int, int | None, str]]:
    """The notes under a time that stands alone on its line ("5:05" / "Incident declared." /
    "Georgiana redeploys the hub"): each line that opens a sentence (the line before ended
    one, or it opens on a capital) is a note of its own, cited on its own lines; a line that
    goes on with a sentence, or follows a note that leads on to it, stays with it. As (first
    line, last line or None, words)."""
    notes: list[tuple[int, int | None, str]] = []
    listed = False  # a note has led on to what follows ("with the following results")
    for n, raw in enumerate(unquoted_lines(block)[first - block.line :], first):
        said = raw.strip()
        if not said:
            continue
        before = notes[-1][2] if notes else ""
        listed = listed or bool(notes and _LEADS_ON.search(before))
        capital = said[0].isupper() and not _NEEDS_MORE.search(before)
        opens = _ENDS_SENTENCE.search(before) or capital
        if notes and (listed or not opens):
            notes[-1] = (notes[-1][0], n, f"{notes[-1][2]} {said}")
        else:
            notes.append((n, None, said))
    return notes


# "… with the following results" / "Logs indicated …": what comes next is what it leads to.
_LEADS_ON = re.compile(r"(?::|\bfollowing(?:\s+\w+)?)$", re.IGNORECASE)
# A line that ends on a word that needs the next ("failed over to" / "US-East") goes on.
_NEEDS_MORE = re.compile(
    r"\b(?:a|an|the|to|of|in|on|at|by|for|from|into|onto|with|and|or|but|as|than|that)$",
    re.IGNORECASE,
)
_ENDS_SENTENCE = re.compile(r"[.!?][)\]\"'”’]*$")


def _later_that_day(at: datetime, stamp: times.Stamp) -> datetime | None:
    """The clock a clause gives, on the entry's day, where it is a plain clock after the
    entry's own time and within `_SAME_ENTRY` of it."""
    if stamp.day is not None or stamp.zone is not None or stamp.twelve_hour:
        return None
    try:
        when = datetime.combine(at.date(), time(stamp.hour, stamp.minute), at.tzinfo)
    except ValueError:
        return None
    return when if at < when < at + _SAME_ENTRY else None


def _clause(text: str) -> str:
    """A clause's words without the joiner that led on to the next ("…; ", "… and")."""
    return re.sub(r"(?:,|;|\band|\bthen)\s*$", "", text.strip()).strip()


_SAME_ENTRY = timedelta(hours=6)  # later times an entry tells of what followed it that day


# A comma before a year ("08 April, 2020") is inside a date, not between clauses.
_CLAUSE = re.compile(
    r"[.!?;]\s+|,\s+(?!(?:19|20)\d\d\b)|\s+(?:and|then)\s+(?=(?:by|at|around|until|from)\b)"
)


def _clause_start(text: str, at: int) -> int:
    """Where the clause holding position `at` begins. A clause that tells more of the one
    before it begins with that one: a relative clause ("…, which cleared the backlog by
    12:10"), or the next thing its subject did ("She deleted the index, which freed the
    disk, and pointed the alias back at 09:12")."""
    starts = [0]
    for match in _CLAUSE.finditer(text):
        if match.end() > at:
            break
        starts.append(match.end())
    while len(starts) > 1 and _GOES_ON.match(text, starts[-1]):
        starts.pop()
    return starts[-1]


# "which …", "who …", "and pointed …", "then restarted …": no subject of its own.
_GOES_ON = re.compile(r"(?:which|who|whereupon|(?:and\s+|then\s+)+[a-z]+ed)\b", re.IGNORECASE)


def _on_its_own(
    stamp: times.Stamp, after: datetime, zone: tzinfo, on: date | None = None
) -> datetime | None:
    """A time told in passing: on the day it gives, else the day of `after` (`on`, where only
    the day is known), or the next day when that would put it more than half a day before
    `after` (told after a start at 22:10, 01:30 is the night after; 08:30 or midnight before a
    start at 09:02 are that morning's)."""
    here = times.zone_named(stamp.zone, zone)
    day = stamp.day or on or after.astimezone(here).date()
    try:
        at = datetime.combine(day, time(stamp.hour, stamp.minute, stamp.second), here)
    except ValueError:
        return None
    if stamp.twelve_hour and stamp.pm is None:
        # "Around half past eight", morning or evening unsaid: whichever is nearer the start
        # (a story that began at 20:36 was alerted at 20:30, not at 08:30 the next day).
        evening = at + timedelta(hours=12) if at.hour < 12 else at - timedelta(hours=12)
        days = (
            (timedelta(0),) if stamp.day else (timedelta(days=-1), timedelta(0), timedelta(days=1))
        )
        return min((c + d for c in (at, evening) for d in days), key=lambda c: abs(c - after))
    if stamp.day is None and at < after - timedelta(hours=12):
        at += timedelta(days=1)
    return at


def impact_window(
    entries: Sequence[Block],
    started_at: datetime,
    default_zone: tzinfo,
    stated: str | None,
    day: date | None = None,
) -> tuple[datetime, datetime, int] | None:
    """When the impact began and ended, and the line, from the first block that gives its
    span ("between 08:21 and 10:35 UTC", "from 14:02 to 15:30 UTC on March 3")."""
    zone = times.zone_named(stated, default_zone)
    for block in entries:
        found = times.window(block.text, started_at.year)
        if found is None:
            continue
        start = _on_its_own(found[0], started_at, zone, day)
        end = _on_its_own(found[1], start, zone) if start else None
        if start is not None and end is not None and end > start:
            return start, end, block.line
    return None


def impact_began(
    entries: Sequence[Block], started_at: datetime, default_zone: tzinfo, stated: str | None
) -> datetime | None:
    """When the impact began, from the first block that says it began at a time but gives no
    span ("On July 18, starting at 14:51 UTC, the resolver failed")."""
    zone = times.zone_named(stated, default_zone)
    for block in entries:
        found = times.began_at(block.text, started_at.year)
        at = _on_its_own(found, started_at, zone) if found is not None else None
        if at is not None:
            return at
    return None


def told(
    entries: Sequence[Block],
    after: datetime,
    default_zone: tzinfo,
    stated: str | None,
    day: date | None = None,
) -> list[TimelineEvent]:
    """The moments sentences give in passing, each placed on its own (they are not told in
    order, so no clock runs through them), in time order: the timeline of a post-mortem
    written without one. `after` is when the impact began."""
    found = [
        (block, [t for t in times.within(block.text, after.year) if not _of_a_thing(block.text, t)])
        for block in entries
    ]
    # A story that names one zone, once ("Around 13:20 CET we deployed …", "(all times in this
    # post are Eastern Time)"), tells its other times in it ("We noticed at 13:45").
    zone = times.zone_named(
        stated or _stated_once(entries) or _one_zone(s for _, st in found for s in st),
        default_zone,
    )
    out: list[TimelineEvent] = []
    for block, stamps in found:
        text = block.text
        begin = 0
        opened: times.Stamp | None = None  # the first time of a span with no words between
        for index, stamp in enumerate(stamps):
            # The clause the time is in: from where the one before ended (or its own clause's
            # start) to the end of its sentence, or to the last "and", comma or semicolon
            # before the next time in that sentence ("rolled back at 09:50 | and errors
            # returned to normal by 10:35").
            start = max(begin, _clause_start(text, stamp.start))
            stop = _SENTENCE_END.search(text, stamp.end)
            end = stop.end() if stop else len(text)
            begin = end
            later = stamps[index + 1] if index + 1 < len(stamps) else None
            if later is not None and later.start < end:
                # A time that opens its clause ("Ten minutes after the page, Ana found …")
                # leads into the words after its comma: that comma ends nothing.
                opens = not _WORDS.search(_TIME_WORDS.sub(" ", text[start : stamp.start]))
                cuts = [
                    c
                    for c in _JOINS.finditer(text, stamp.end, later.start)
                    if not (opens and c.start() == stamp.end)
                ]
                end, begin = (cuts[-1].start(), cuts[-1].end()) if cuts else (later.start,) * 2
            # "From 10:12 to 11:59 US/Pacific, 38% of … rejected": the span's moment is when
            # it began, in the zone said at its end.
            first = stamp if opened is None else replace(opened, zone=opened.zone or stamp.zone)
            at = _on_its_own(first, after, zone, day)
            piece = text[start:end].strip()
            if _WORDS.search(_TIME_WORDS.sub(" ", unlabelled := _LABEL.sub("", piece))):
                piece = unlabelled  # a moment's label is kept where the time is all it names
            if later is not None and not _WORDS.search(_TIME_WORDS.sub(" ", unlabelled)):
                begin = start  # "Between 21:25 UTC on 16 Nov 2020 | and 00:10 …": one clause
                opened = first
                continue
            opened = None
            if at is not None and _WORDS.search(_TIME_WORDS.sub(" ", piece)):
                # (A time left alone, "… had started at | 09:00.", tells no moment.)
                line, last = line_at(block, first.start), line_at(block, max(end - 1, start))
                out.append(TimelineEvent(at, plain(piece), line, end=last if last > line else None))
    return sorted(out, key=lambda e: (e.at, e.line))


def _of_a_thing(text: str, stamp: times.Stamp) -> bool:
    """Whether a time names which copy of a thing was meant, not a moment of the story: "we
    pushed the last known good table from 09:55 to all edge servers", "the backup of 02:00"
    (a span, "from 10:12 to 11:59", is a moment)."""
    return bool(_A_THING_FROM.search(text, 0, stamp.start)) and not _SPAN_ON.match(text, stamp.end)


# A noun, then "from" or "of", then the time.
_A_THING_FROM = re.compile(
    r"\b(?:table|backup|snapshot|config|configuration|copy|version|build|image|state|dump|"
    r"file|files|data|release|revision|commit|index|policy)\s+(?:from|of)\s+$",
    re.IGNORECASE,
)
_SPAN_ON = re.compile(r"\s*(?:to|until|till|through|-|–|—)\s*\d", re.IGNORECASE)


def _stated_once(blocks: Sequence[Block]) -> str | None:
    """The zone the story says its times are in, said in passing ("Around 10:40 (all times in
    this post are Eastern Time), …"), where it says one."""
    said: dict[str, str] = {}  # as written, by its upper case ("Europe/Berlin" is a file name)
    for block in blocks:
        if zone := times.stated_zone(plain(block.text)):
            said.setdefault(zone.upper(), zone)
    return next(iter(said.values())) if len(said) == 1 else None


# A sentence ends on its mark, or on the bracket or quote closing after it where a new
# sentence starts ("… by Zbynek (thanks!) Services logs indicate …").
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[.!?][\"'’”)\]]+(?=\s+[A-Z]|\s*$)")
# The words that only place a moment (times' own month and zone names): a clause of nothing
# else tells no event.
_TIME_WORDS = re.compile(
    r"\b(?:between|from|on|at|around|about|until|till|to|and|the|of|am|pm|utc|gmt|z|"
    + "|".join(
        sorted({*times.MONTHS, *map(str.lower, times.NAMED_ZONES)}, key=lambda w: (-len(w), w))
    )
    + r"|(?:mon|tues?|wednes|thurs?|fri|satur|sun)day|\d[\d:./-]*(?:st|nd|rd|th|h)?)\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[^\W\d_]{2,}")
_JOINS = re.compile(r",\s+(?:and\s+|then\s+)?|;\s+|\s+(?:and|then)\s+")
_LABEL = re.compile(r"^(?:\*\*)?[A-Z][A-Za-z ]{0,30}\??:(?:\*\*)?\s+")
