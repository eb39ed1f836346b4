"""Times and dates as post-mortems write them, in any common form and zone.

`19:08`, `19:08:33`, `7:30 PM`, `7:30pm JST`, `2021-06-22 08:21 CET`, `2021-06-22T08:21Z`,
`at 14h05`, `01-10-2024 7:32 PM`, `June 22, 2021 08:21 UTC`, `Tuesday 22nd June 2021`, and in
prose: "at about ten past nine", "around half past two". Each is read to what it says and no
more: a clock time alone takes its day from the timeline around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Zone abbreviations post-mortems use: (the region's zone, the abbreviation's own offset). A
# standard-time name is often written all year for the local time, so it means the region's
# zone where the system knows it; a daylight-time name is exact. IST is read as India's (the
# common use in incident reports); CST is left out: its readings are a day apart.
NAMED_ZONES: dict[str, tuple[str | None, str]] = {
    "CET": ("Europe/Paris", "+01:00"),
    "CEST": (None, "+02:00"),
    "BST": (None, "+01:00"),
    "WET": ("Europe/Lisbon", "+00:00"),
    "EET": ("Europe/Helsinki", "+02:00"),
    "EST": ("America/New_York", "-05:00"),
    "EDT": (None, "-04:00"),
    "ET": ("America/New_York", "-05:00"),
    "CST": ("America/Chicago", "-06:00"),
    "CDT": (None, "-05:00"),
    "CT": ("America/Chicago", "-06:00"),
    "MST": ("America/Denver", "-07:00"),
    "MDT": (None, "-06:00"),
    "PST": ("America/Los_Angeles", "-08:00"),
    "PDT": (None, "-07:00"),
    "PT": ("America/Los_Angeles", "-08:00"),
    "JST": (None, "+09:00"),
    "KST": (None, "+09:00"),
    "IST": (None, "+05:30"),
    "SGT": (None, "+08:00"),
    "AEST": ("Australia/Sydney", "+10:00"),
    "AEDT": (None, "+11:00"),
    # North America's zones by their names, as US teams write them: "(all times Eastern)".
    "Eastern": ("America/New_York", "-05:00"),
    "Central": ("America/Chicago", "-06:00"),
    "Mountain": ("America/Denver", "-07:00"),
    "Pacific": ("America/Los_Angeles", "-08:00"),
}
_NAMED_UPPER = {name.upper(): said for name, said in NAMED_ZONES.items()}
# A zone's full name is a word of other names too ("14:00 Central Station"): only alone, or
# with "Time" after it.
_ZONE_NAMES = "|".join(
    name + (r"(?!\s+(?!Time\b|Standard\b|Daylight\b)[A-Z][a-z])" if not name.isupper() else "")
    for name in sorted(NAMED_ZONES, key=lambda z: (-len(z), z))
)
# A zone is a whole word: "10:00 Zookeeper restarted" names no zone.
# Written in capitals: "10:00 z restarted" names no zone, whatever the case of the rest.
# An offset from UTC said with it ("UTC+2", "GMT-05:00") is that offset (see `zone_named`).
FROM_UTC = r"(?:UTC|GMT)[+-]\d{1,2}(?::?[0-5]\d)?(?!\d)"
# The time-zone database's areas of cities; "US/Pacific" and "Canada/Eastern" are its names
# for zones too.
_AREAS = ("Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
# A zone as the time-zone database names it: "15:52 US/Pacific", as Google's reports write it.
_DATABASE_ZONE = (
    r"(?:" + "|".join((*_AREAS, "US", "Canada")) + r")/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?"
)
ZONE = (
    r"(?P<zone>(?-i:"
    + FROM_UTC
    + r"|"
    + _DATABASE_ZONE  # before the names: "Pacific/Auckland" is more than "Pacific"
    + r"|(?:Z|UTC|GMT|"
    + _ZONE_NAMES
    + r")(?![A-Za-z/]))|[+-]\d{2}:?\d{2}(?!\d))"
)

# Month names and their numbers; the importers read dates with the same table.
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?,?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"
DATE = (
    r"(?P<date>"
    r"(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})"
    # "4/21/23": a year in two digits only between slashes ("1.2.11" is a version).
    r"|(?P<a4>\d{1,2})/(?P<b4>\d{1,2})/(?P<y4>\d{2})(?!\d)"
    r"|"
    + _WEEKDAY
    + r"(?P<d1>\d{1,2})"
    + _ORDINAL
    + r"\s+(?:of\s+)?"
    + MONTH.replace("month", "m1")
    + r"(?:,?\s+(?P<y1>\d{4}))?"
    r"|"
    + _WEEKDAY
    + MONTH.replace("month", "m2")
    + r"\s+(?P<d2>\d{1,2})"
    + _ORDINAL
    + r"(?:,?\s+(?P<y2>\d{4}))?"
    r")"
)
CLOCK = (
    r"(?P<clock>(?P<h>[01]?\d|2[0-3])(?:[:.h](?P<m>[0-5]\d)(?::(?P<s>[0-5]\d|60)(?:\.\d+)?)?"
    r"(?:\s*(?P<ampm>[ap]\.?m\.?(?![a-z])))?|\s*(?P<ampm2>[ap]\.?m\.?(?![a-z]))))"
)
_STAMP = re.compile(
    r"(?:(?:"
    + DATE
    # A day and month with no year, only with a clock after it: "06/18 10:40pm".
    + r"|(?P<a3>\d{1,2})/(?P<b3>\d{1,2}))(?:[T\s]+|,\s*|:\s+|\s+at\s+|\s+[-–]\s+)"
    # A clock known only roughly, after its day: "2018-01-20 ~1:00 UTC", "May 3 about 14:05".
    r"(?:~\s*|(?:ca\.|approx\.|approximately|about|around)\s+)?)?"
    + CLOCK
    # The zone may stand in brackets: "14:05 (CEST)", "11:20 (Europe/Berlin)".
    + r"(?!\d)(?:\s*(?P<paren>\()?"
    + ZONE
    + r"(?(paren)\)))?",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"^\s*(?:[-*+•](?=\s)|\d+[.)](?=\s))?\s*(?:\*\*|__)?\s*"
    r"(?:at\s+(?:about\s+|around\s+)?|around\s+|~\s*)?(?:\*\*|__)?"
    # A chat log's "[14:02]"; a weekday before the clock: "Mon 14:02", "Tuesday, 09:30".
    r"\[?(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,?\s+)?",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")  # as CLOCK's \d: any script's digits
# The words that place a clock told in prose: "at 09:12", "at approximately 10:55", "~09:12",
# "alert fired (18:09)".
_PLACED = re.compile(
    r"(?:\b(?:at|around|by|from|until|till|after|before|since|between)|~|\()"
    r"(?:\s+(?:about|around|approximately|roughly|exactly|precisely|approx\.|ca\.))?\s*$"
)
_RANGE_TO = re.compile(r"\s*(?:[-–—]|to|until|till)\s*", re.IGNORECASE)
# A clock whose minutes were not known when it was written: "14:??", "14:xx".
_UNKNOWN_MINUTES = re.compile(r"(?:^|\s)(?:[01]?\d|2[0-3])[:.h](?:\?\?|xx|XX)\s*$")
_AFTER = re.compile(
    r"^\]?\s*(?:\*\*|__)?\s*(?:\([^)]{0,20}\)\s*)?(?:\*\*|__)?\s*[—–:|>=-]*\s*:*\s*"
)
# After a time that was not in bold: a "**" there opens the entry's own bold label.
_AFTER_PLAIN = re.compile(r"^\]?\s*(?:\([^)]{0,20}\)\s*)?[—–:|>=-]*\s*:*\s*")
_DATE_ONLY = re.compile(r"^\s*[*_]{0,2}" + DATE + r"(?!\s*\d)", re.IGNORECASE)
# The day after the clock, as vendors write it: "15:58 UTC on 07 February 2024".
_ON_DATE = re.compile(r"\s*,?\s*(?:on\s+)?" + DATE + r"(?!\s*\d)", re.IGNORECASE)
_STATED = re.compile(
    r"\b(?:times?|timestamps?|timezone|time zone)\b[^\n]{0,30}?(?:\bin\b|\bare\b|:|\()?\s*"
    r"(?P<zone>\b"
    + FROM_UTC
    + r"|\b"
    + _DATABASE_ZONE  # "All times in Europe/Berlin"
    + r"|\b(?:UTC|GMT|"
    + _ZONE_NAMES
    + r")\b|[+-]\d{2}:?\d{2})"
    r"|\((?:all\s+)?(?P<zone2>"
    + FROM_UTC
    + r"|"
    + _DATABASE_ZONE
    + r"|UTC|GMT|"
    + _ZONE_NAMES
    + r")\)",
    re.IGNORECASE,
)
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "noon": 12, "midnight": 0,
}  # fmt: skip
_PAST = {"five": 5, "ten": 10, "quarter": 15, "twenty": 20, "twenty-five": 25, "half": 30}
_WORDS = "|".join(sorted(_NUMBERS, key=len, reverse=True))
_PROSE = re.compile(
    r"\b(?:at|around|by|until|till|from|about|approximately|roughly|shortly after)\s+"
    r"(?:about\s+|around\s+|roughly\s+|approximately\s+)?"
    r"(?:(?P<past>five|ten|quarter|twenty-five|twenty|half)\s+(?P<rel>past|to|after|before)\s+"
    r"(?P<hour>" + _WORDS + r")|(?P<oclock>" + _WORDS + r")\s+o'?clock|(?P<bare>noon|midnight))"
    r"(?:\s+(?P<part>in the morning|in the afternoon|in the evening|at night|am|pm))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Stamp:
    """A time read from text: a clock (24 h when `pm` is None), maybe a day and a zone."""

    hour: int
    minute: int
    second: int
    day: date | None
    zone: str | None
    start: int  # where it is in the text
    end: int
    pm: bool | None = None  # said am (False) or pm (True); None: not said, or 24-hour
    twelve_hour: bool = False  # a word time ("ten past nine"): morning or evening unknown


_FROM_UTC = re.compile(r"^(?:UTC|GMT)(?P<sign>[+-])(?P<hours>\d{1,2}):?(?P<minutes>[0-5]\d)?$")


def zone_named(text: str | None, default: tzinfo) -> tzinfo:
    """The zone an abbreviation or offset names; `default` when none is given."""
    if not text:
        return default
    upper = text.upper()
    if upper in ("Z", "UTC", "GMT"):
        return UTC
    said = _FROM_UTC.match(upper)
    if said is not None:  # "UTC+2", "GMT-05:00"
        sign = 1 if said["sign"] == "+" else -1
        span = timedelta(hours=int(said["hours"]), minutes=int(said["minutes"] or 0))
        return timezone(sign * span)
    if "/" in text:  # "America/Denver", as `city_zone` names it
        try:
            return ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            return default
    region, offset = _NAMED_UPPER.get(upper, (None, text))
    if region is not None:
        try:
            return ZoneInfo(region)
        except ZoneInfoNotFoundError:  # a system without the time-zone database
            pass
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def stated_zone(text: str) -> str | None:
    """The zone a line like "All times in UTC" or "Timeline (all times PST)" states."""
    match = _STATED.search(text)
    if match is None:
        return None
    return match.group("zone") or match.group("zone2")


def _day(match: re.Match[str], year: int | None) -> date | None:
    if (a3 := match.groupdict().get("a3")) is not None:
        a, b = int(a3), int(match.group("b3"))
        try:  # month first, as US teams write it, unless the first cannot be a month
            return None if year is None else date(year, b, a) if a > 12 else date(year, a, b)
        except ValueError:
            return None
    if not match.group("date"):
        return None
    try:
        if match.group("iso"):
            return date.fromisoformat(match.group("iso"))
        if match.group("y") or match.group("y4"):
            a = int(match.group("a") or match.group("a4"))
            b = int(match.group("b") or match.group("b4"))
            y = int(match.group("y")) if match.group("y") else 2000 + int(match.group("y4"))
            # Month first, as US teams write it, unless the first number cannot be a month or
            # the numbers are joined by dots, which every locale that writes them puts day first.
            day_first = a > 12 or ("." in match.group("date") and b <= 12)
            return date(y, b, a) if day_first else date(y, a, b)
        for d, m, y_name in (("d1", "m1", "y1"), ("d2", "m2", "y2")):
            if match.group(d):
                given = match.group(y_name)
                chosen = int(given) if given else year
                if chosen is None:
                    return None
                return date(chosen, MONTHS[match.group(m).lower()], int(match.group(d)))
    except ValueError:
        return None
    return None


def _stamp(match: re.Match[str], year: int | None) -> Stamp | None:
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    second = min(int(match.group("s") or 0), 59)  # a leap second (23:59:60): the minute's end
    ampm = match.group("ampm") or match.group("ampm2")
    pm: bool | None = None
    if ampm:
        pm = ampm.lower().startswith("p")
        if pm and 13 <= hour <= 23 and match.group("m") is not None:
            pass  # "13:52 PM": a 24-hour clock with its half of the day said again
        elif not 1 <= hour <= 12:
            return None
        else:
            hour = hour % 12 + (12 if pm else 0)
    elif match.group("m") is None:
        return None  # a bare number is not a time
    day, end, zone = _day(match, year), match.end(), match.group("zone")
    attached = match.string[match.end("clock") : match.end("clock") + 1] == "-"
    if zone and attached and not (match.group("date") or match.groupdict().get("a3")):
        # "14:02-14:10": the end of a span, not an offset from UTC, which a clock with no day
        # is not written against ("09:12 +02:00" is one).
        end, zone = match.end("clock"), None
    after = _ON_DATE.match(match.string, end) if day is None else None
    if after is not None and (day := _day(after, year)) is not None:
        end = after.end()
    return Stamp(hour, minute, second, day, zone, match.start(), end, pm)


def leading(text: str, year: int | None = None) -> tuple[Stamp, str] | None:
    """A time (with its day and zone, if given) that opens an entry, and the rest of it."""
    lead = _LEAD.match(text)
    at = lead.end() if lead else 0
    match = _STAMP.match(text, at)
    if match is None:
        return None
    found = _stamp(match, year)
    if found is None:
        return None
    bold = "**" in text[: match.start()] or "__" in text[: match.start()]
    end = found.end
    # A span ("09:00 - 11:00", "09:00 to 11:00 UTC") opens at its first time; the second is
    # no part of what the entry says.
    if (to := _RANGE_TO.match(text, end)) and (until := _STAMP.match(text, to.end())):
        end = until.end()
    rest = _rest(text, end, _AFTER if bold else _AFTER_PLAIN)
    # "16:37 Denver - Mark updated plugins": the zone named by its city, as the time-zone
    # database names it, and only with a separator after it ("16:37 Paris datacenter down"
    # names a place, not a zone).
    city = _CITY_AFTER.match(rest) if found.zone is None else None
    if city is not None and (zone := city_zone(city["city"])) is not None:
        found = replace(found, zone=zone)
        rest = rest[city.end() :].strip()
    said = text.rstrip()
    for mark in ("**", "__"):
        if rest.startswith(mark) and said[: len(said) - len(rest)].count(mark) % 2:
            # "**June 14th, 2022, 10:00 AM:** Trail of Bits reported …": the bold that opened
            # on the time closes after its colon.
            rest = rest[len(mark) :].lstrip()
    return found, rest


_CITY_AFTER = re.compile(r"^(?P<city>[A-Z][a-z]+(?:[ _][A-Z][a-z]+){0,2})\s*(?:[—–:|-]+\s+|$)")


def city_zone(name: str) -> str | None:
    """The time-zone database's zone a city names ("Denver": "America/Denver"), if any."""
    return _cities().get(name.lower().replace(" ", "_"))


@cache
def _cities() -> dict[str, str]:
    return {
        key.rsplit("/", 1)[1].lower(): key
        for key in sorted(available_timezones())
        if key.split("/", 1)[0] in _AREAS
    }


def only_when(text: str) -> bool:
    """Whether a text names a day or a time and nothing else ("July 22", "5:20 AM")."""
    said = text.strip()
    # A day alone may open a day and a time ("May 14, 2025 08:12 UTC"): each form is tried.
    return any(
        found is not None and not said[found.end() :].strip(" .:")
        for found in (_DATE_ONLY.match(said), _STAMP.match(said))
    )


def unplaced(text: str, year: int | None = None) -> tuple[date | None] | None:
    """For a time whose minutes are unknown ("2024-03-13 14:??", "14:xx"): its day, if it
    gives one, in a tuple; None for any other text."""
    found = _UNKNOWN_MINUTES.search(text)
    if found is None:
        return None
    before = text[: found.start()].strip()
    day = leading_date(before, year) if before else None
    if before and (day is None or day[1]):
        return None
    return (day[0] if day else None,)


def leading_date(text: str, year: int | None = None) -> tuple[date, str] | None:
    """A day that opens a line ("01-10-2024", "May 3rd", "Tuesday 22nd June 2021"), and the rest."""
    match = _DATE_ONLY.match(text)
    if match is None:
        return None
    day = _day(match, year)
    if day is None:
        return None
    rest = _rest(text, match.end(), _AFTER)
    return day, "" if not rest.strip("*_ ") else rest  # "_4/21/23_": the day, in italics


def _rest(text: str, end: int, after: re.Pattern[str]) -> str:
    """What follows a time or day that opens the text (up to `end`), less the separator
    (`after`) after it."""
    rest = text[end:]
    gap = after.match(rest)
    return rest[gap.end() if gap else 0 :].strip()


def within(text: str, year: int | None = None) -> list[Stamp]:
    """Every time a sentence of prose gives: "at 09:12", "at about ten past nine"."""
    found: list[Stamp] = []
    # Every clock has a digit; most sentences have none, and scanning one for a date and a
    # clock at each place costs more than the rest of reading it.
    for match in _STAMP.finditer(text) if _DIGIT.search(text) else ():
        before = text[max(0, match.start() - 30) : match.start()].lower()
        stamp = _stamp(match, year)
        # A time with its day, before or after it ("09:12 UTC on 2 May 2024"), or with its
        # zone ("shortly after 14:00 CEST"), is a moment wherever it stands; a clock alone
        # only after a word that places it ("at 09:12", "just after 09:12") or where it opens
        # a sentence, as notes in prose put it ("… cached rates. 09:36 the config was pushed").
        if (
            stamp is not None
            and (
                stamp.day is not None
                or stamp.zone is not None
                or _PLACED.search(before)
                # The end of a span its start placed: "between 10:12 and 11:20".
                or (
                    found
                    and re.fullmatch(
                        r"\s*(?:and|to|until|till|[-–—])\s*", text[found[-1].end : match.start()]
                    )
                )
                or re.search(r"(?:^|[.!?;]\s+)$", text[: match.start()])
            )
        ):
            found.append(stamp)
    for match in _PROSE.finditer(text):
        found.append(_prose(match))
    return _with_later(text, sorted(found, key=lambda s: s.start))


# A moment told by how long after the one told before it: "caught it four minutes later",
# "Ten minutes after the page, Ana found …", "half an hour later".
_AMOUNTS = {
    **{w: n for w, n in _NUMBERS.items() if w not in ("noon", "midnight")},
    "a": 1, "an": 1, "fifteen": 15, "twenty": 20, "twenty-five": 25, "thirty": 30,
    "forty": 40, "forty-five": 45, "fifty": 50, "ninety": 90,
}  # fmt: skip
# How long, in any of the ways a lapse is said: "4 minutes", "ten mins", "half an hour".
_LAPSE = (
    r"(?:(?P<n>\d{1,3}|"
    + "|".join(sorted(_AMOUNTS, key=len, reverse=True))
    + r")\s+(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?)|(?P<half>half an hour))"
)
_LATER = re.compile(
    r"(?<![\d.,])\b" + _LAPSE + r"\s+(?:later|afterwards?|after\s+(?:that|this|the\s+[a-z-]+))\b",
    re.IGNORECASE,
)
_WITHIN = re.compile(r"(?<![\d.,])\bwithin\s+" + _LAPSE + r"\b", re.IGNORECASE)


def lapse_within(text: str) -> float | None:
    """How many minutes a text says something took, "within" them: "latency recovered within
    two minutes" is 2.0."""
    match = _WITHIN.search(text)
    return None if match is None else _seconds(match) / 60


def _seconds(match: re.Match[str]) -> int:
    """The lapse a match of `_LATER` or `_WITHIN` names, in seconds."""
    if match.group("half"):
        return 1800
    amount = match.group("n")
    count = int(amount) if amount.isdigit() else _AMOUNTS[amount.lower()]
    unit = match.group("unit").lower()
    return count * (3600 if unit.startswith("h") else 60 if unit.startswith("m") else 1)


def _with_later(text: str, found: list[Stamp]) -> list[Stamp]:
    """The stamps, with each moment told as a lapse after the one before it (in this text)
    placed by it. One with no moment before it in the text is not placed."""
    if not found:
        return found  # (most sentences tell no time: nothing to be told after)
    out = list(found)
    for match in _LATER.finditer(text):
        if any(s.start < match.end() and match.start() < s.end for s in found):
            continue
        before = [s for s in out if s.end <= match.start()]
        if not before:
            continue
        base = max(before, key=lambda s: s.start)
        clock = base.hour * 3600 + base.minute * 60 + base.second + _seconds(match)
        day = base.day
        if clock >= 86400 and day is not None:
            day += timedelta(days=clock // 86400)
        clock %= 86400
        hour, minute, second = clock // 3600, clock % 3600 // 60, clock % 60
        at = (match.start(), match.end())
        out.append(Stamp(hour, minute, second, day, base.zone, *at, twelve_hour=base.twelve_hour))
        out.sort(key=lambda s: s.start)
    return out


def _prose(match: re.Match[str]) -> Stamp:
    if match.group("bare"):
        hour, minute = _NUMBERS[match.group("bare").lower()], 0
        twelve = False
    elif match.group("oclock"):
        hour, minute, twelve = _NUMBERS[match.group("oclock").lower()], 0, True
    else:
        named = match.group("hour").lower()
        hour = _NUMBERS[named]
        minute = _PAST[match.group("past").lower()]
        # "Five to midnight" is 23:55 and "ten past noon" 12:10: noon and midnight say which
        # half of the day.
        twelve = named not in ("noon", "midnight")
        if match.group("rel").lower() in ("to", "before"):
            hour, minute = ((hour - 1) % 12 or 12) if twelve else (hour - 1) % 24, 60 - minute
    part = (match.group("part") or "").lower()
    pm: bool | None = None
    if part:
        pm = part in ("pm", "in the afternoon", "in the evening", "at night")
        hour = hour % 12 + (12 if pm else 0)
        twelve = False
    return Stamp(hour, minute, 0, None, None, match.start(), match.end(), pm, twelve)


_WINDOW_OPEN = re.compile(r"\b(?:between|from|starting at|beginning at)\s+", re.IGNORECASE)
# "… starting at 07:00 UTC and ending at 11:00 UTC": a span said by its two ends.
_WINDOW_JOIN = re.compile(
    r"\s*,?\s*(?:and\s+end(?:ing|ed)\s+at|and|to|until|till|through|thru|[-–—])\s*",
    re.IGNORECASE,
)
_DATE_BEFORE = re.compile(DATE + r"(?!\s*\d)", re.IGNORECASE)


def window(text: str, year: int | None = None) -> tuple[Stamp, Stamp] | None:
    """The first span of time a sentence gives ("Between 08:21 UTC and 10:35 UTC on 02 Sep
    2021", "from 14:02 to 15:30 UTC", "between 22:10 UTC on 1 Sep and 03:00 UTC on 2 Sep"):
    its start and its end, a zone or day given once applying to both."""
    for opening in _WINDOW_OPEN.finditer(text):
        start = _clock_at(text, opening.end(), year)
        if start is None:
            continue
        join = _WINDOW_JOIN.match(text, start.end)
        end = _clock_at(text, join.end(), year) if join else None
        if end is None:
            continue
        if start.zone is None:
            start = replace(start, zone=end.zone)
        if start.day is None:
            before = [m for m in _DATE_BEFORE.finditer(text[: opening.start()])]
            near = before[-1] if before and opening.start() - before[-1].end() < 20 else None
            start = replace(start, day=(_day(near, year) if near else None) or end.day)
        if end.day is None:
            end = replace(end, day=start.day)
        return start, end
    return None


# Where a sentence says when the impact began, with no end to make a span: "starting at 14:51
# UTC, our resolver returned SERVFAIL", "the outage began at 09:12".
_BEGAN_AT = re.compile(
    r"\b(?:starting|beginning|(?:impact|outage|incident|errors?|issues?|problems?|degradation|"
    r"disruption|downtime)\s+(?:started|began|begins|starts))\s+(?:at|around|from)\s+"
    r"(?:about\s+|approximately\s+|roughly\s+)?",
    re.IGNORECASE,
)


def began_at(text: str, year: int | None = None) -> Stamp | None:
    """The time a sentence says the impact began at, where it gives no span."""
    for opening in _BEGAN_AT.finditer(text):
        stamp = _clock_at(text, opening.end(), year)
        if stamp is not None:
            return stamp
    return None


def _clock_at(text: str, at: int, year: int | None) -> Stamp | None:
    """A time at `at` with the day that may follow it ("10:35 UTC on 02 Sep 2021"). A time
    written with a dot (10.15) counts only with a zone or am/pm: "between 1.25 and 1.30" is
    more often versions than times."""
    match = _STAMP.match(text, at)
    stamp = _stamp(match, year) if match else None
    if match is None or stamp is None:
        return None
    if "." in match.group("clock") and stamp.zone is None and stamp.pm is None:
        return None
    return stamp


_UNIT = r"d(?:ays?)?|h(?:ours?|rs?)?|m(?:in(?:ute)?s?)?|s(?:ec(?:ond)?s?)?"
_DURATION_PART = re.compile(
    rf"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>{_UNIT})"
    r"(?![a-z])",  # "1h05m": an amount may follow its unit at once
    re.IGNORECASE,
)
# A text that says how long and nothing more: "3 hours 17 minutes", "45 min", "2 days and 4 h".
_ONLY_DURATION = re.compile(
    rf"^\W*(?:\d+(?:[.,]\d+)?\s*(?:{_UNIT})\b\W*(?:and\s+)?)+$", re.IGNORECASE
)


def only_duration(text: str) -> bool:
    """Whether a text says how long and nothing more ("**Duration:** 3 hours 17 minutes")."""
    return _ONLY_DURATION.match(text) is not None


_HOURS_MINUTES = re.compile(r"^\s*(\d{1,3}):([0-5]\d)\s*$")


def duration(text: str) -> timedelta | None:
    """'0h 07m', '25 minutes', '1 hour and 48 minutes', '1:30'; None for anything else."""
    clock = _HOURS_MINUTES.match(text)
    if clock:
        return timedelta(hours=int(clock.group(1)), minutes=int(clock.group(2)))
    total = timedelta(0)
    found = False
    for match in _DURATION_PART.finditer(text):
        value, unit = float(match.group("n")), match.group("unit")[0].lower()
        seconds = {"d": 86400, "h": 3600, "m": 60, "s": 1}[unit]
        total += timedelta(seconds=value * seconds)
        found = True
    return total if found and total < timedelta(days=366) else None
