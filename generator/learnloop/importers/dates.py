"""Dates, times and durations as post-mortems write them, and dates in file names."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from learnloop.read.times import FROM_UTC, MONTH, MONTHS, NAMED_ZONES, zone_named

_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_CLOCK = (
    r"(?:[T ,]+(?:at\s+)?(?P<h>[01]?\d|2[0-3])[:.h](?P<m>[0-5]\d)(?::(?P<s>[0-5]\d|60))?"
    r"(?:\.\d+)?(?:\s?(?P<ampm>[AaPp])\.?[Mm]\.?(?![A-Za-z]))?"
    r"(?:\s*(?P<zone>"
    + FROM_UTC
    + r"|Z|UTC|GMT|[+-]\d\d:?\d\d"
    + "".join(f"|{name}" for name in sorted(NAMED_ZONES, key=lambda z: (-len(z), z)))
    + r")(?![A-Za-z]))?)?"
)
_MONTH_YEAR = re.compile(r"\b" + MONTH + r"\s+" + _YEAR + r"\b", re.I)
# Each form, tried in this order at every position; the first found in the text wins.
_FORMS = (
    # ISO 8601 joins the time on with a "T": "2021-06-22T08:21:00Z".
    re.compile(
        r"\b(?P<year>(?:19|20)\d\d)[-/.](?P<month>[01]?\d)[-/.](?P<day>[0-3]?\d)(?:\b|(?=T\d))"
        + _CLOCK
    ),
    # A year typed with a fifth digit (20202-01-16): read as its first four.
    re.compile(r"\b(?P<year>(?:19|20)\d\d)\d-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b" + _CLOCK),
    re.compile(
        r"\b" + _DAY + r"(?:\s+of)?[\s-]+" + MONTH + r",?[\s-]+" + _YEAR + r"\b" + _CLOCK, re.I
    ),
    re.compile(r"\b" + MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r"\b" + _CLOCK, re.I),
    # Jira's export: "05/Mar/24 2:02 PM"
    re.compile(r"\b" + _DAY + r"/" + MONTH + r"/(?P<year>(?:19|20)?\d\d)(?![\d/])" + _CLOCK, re.I),
    _MONTH_YEAR,  # "May 2021": its first day
    # Dotted, day first, as every locale that writes 26.05.2021 means it
    re.compile(
        r"(?<![\d./-])(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>(?:19|20)\d\d)(?!\d)" + _CLOCK
    ),
    # US numeric, as the teams that write 5-26-21 and 4/21/23 mean it (and day first where
    # the first cannot be a month: 21/07/2025)
    re.compile(
        r"(?<![\d./-])(?P<month>[0-3]?\d)[-/](?P<day>[0-3]?\d)[-/](?P<year>(?:19|20)?\d\d)(?!\d|/\d)"
        + _CLOCK
    ),
)
_NO_YEAR = (
    re.compile(r"\b" + _DAY + r"(?:\s+of)?\s+" + MONTH + r"\b", re.I),
    re.compile(r"\b" + MONTH + r"\s+" + _DAY + r"\b(?![:.]\d)", re.I),
)


def _month(text: str) -> int:
    return int(text) if text.isdigit() else MONTHS[text.lower().rstrip(".")]


def _build(match: re.Match[str], zone: tzinfo) -> tuple[date, datetime | None] | None:
    parts = match.groupdict()
    try:
        year = int(parts["year"])
        year = year + 2000 if year < 100 else year
        month = _month(parts["month"])
        day_text = parts.get("day")
        if month > 12 and day_text and int(day_text) <= 12:  # 26/5/21: day first after all
            month, day_text = int(day_text), str(month)
        day = date(year, month, int(day_text) if day_text else 1)
    except (ValueError, KeyError, TypeError):
        return None
    if not parts.get("h"):
        return day, None
    hour = int(parts["h"])
    if parts.get("ampm"):
        hour = hour % 12 + (12 if parts["ampm"] in "Pp" else 0)
    given = parts.get("zone")
    when_zone = zone if not given else _offset(given) or zone_named(given, zone)
    second = min(int(parts.get("s") or 0), 59)  # a leap second (23:59:60) is that minute's end
    at = datetime.combine(day, time(hour, int(parts["m"]), second), when_zone)
    return day, at


def _offset(text: str) -> tzinfo | None:
    from datetime import UTC, timezone

    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    if text[0] not in "+-":
        return None  # a zone's name ("BST") or an offset from UTC: see read.times.zone_named
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    try:
        return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))
    except ValueError:
        return None


def dates_in(
    text: str, zone: tzinfo, months: bool = True
) -> list[tuple[int, date, datetime | None]]:
    """Every full date in text with its position and, where one follows, its time; with
    `months`, a month said with its year ("March 2025") as its first day."""
    claimed: list[tuple[int, int]] = []
    found: list[tuple[int, date, datetime | None]] = []
    for form in _FORMS:  # the more specific forms first: they claim their span
        if form is _MONTH_YEAR and not months:
            continue
        for match in form.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in claimed):
                continue
            built = _build(match, zone)
            if built is not None and 1990 <= built[0].year <= 2100:
                claimed.append((start, end))
                found.append((start, built[0], built[1]))
    return sorted(found, key=lambda f: f[0])


def first_date(text: str, zone: tzinfo) -> tuple[date, datetime | None] | None:
    """The first full date a text gives, with its time when it has one."""
    found = dates_in(text, zone)
    return (found[0][1], found[0][2]) if found else None


def date_without_year(text: str, year: int) -> date | None:
    """'28th February' or 'June 22' in a year known from elsewhere."""
    for form in _NO_YEAR:
        match = form.search(text)
        if match:
            try:
                return date(year, _month(match.group("month")), int(match.group("day")))
            except ValueError:
                continue
    return None


_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?([01]\d)[-_.]?([0-3]\d)(?!\d)")
_MONTH_FOLDER = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_]([01]\d)(?!\d)")
_MONTH_DAY = re.compile(r"^([01]\d)[-_]([0-3]\d)(?!\d)")


def date_from_path(path: str) -> date | None:
    """The date a file's name gives (2021-06-22-…), or its month folder and MM-DD name."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    match = _NAME_DATE.search(name)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    short = _MONTH_DAY.match(name)
    folder = _MONTH_FOLDER.search(parts[-2]) if len(parts) > 1 else None
    if short and folder and short.group(1) == folder.group(2):
        try:
            return date(int(folder.group(1)), int(short.group(1)), int(short.group(2)))
        except ValueError:
            return None
    return None


_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def year_from_path(path: str) -> int | None:
    """A year a file's name gives without a full date (PM2022-006 - …), or None."""
    found = _NAME_YEAR.findall(path.replace("\\", "/").split("/")[-1])
    return int(found[0]) if len(set(found)) == 1 else None
