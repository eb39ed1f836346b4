"""Values as people read them on the site: "1 h 05 min", "2025-03-14 09:12 UTC", "$18,300"."""

from __future__ import annotations

from datetime import UTC, datetime

from learnloop.analyze import cost
from learnloop.write import markdown

DASH = "—"  # shown for every value that is not known


def duration(minutes: float | None) -> str:
    """Minutes as "7 min", "1 h 05 min" or "2 d 03 h 10 min"; a dash when unknown."""
    return markdown.duration(minutes, DASH)


def when(moment: datetime | None, *, date_only: bool = False) -> str:
    """A timestamp in UTC, "2025-03-14 09:12 UTC", or only its date; a dash when unknown."""
    if moment is None:
        return DASH
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%d}" if date_only else f"{utc:%Y-%m-%d %H:%M} UTC"


def day(moment: datetime) -> str:
    """The UTC date of a timestamp, as sorted in the index tables."""
    return f"{moment.astimezone(UTC):%Y-%m-%d}"


def count(value: float | None) -> str:
    """A whole number with thousands separators; a dash when unknown."""
    return DASH if value is None else f"{int(value):,}"


def money(usd: float | None) -> str:
    """US dollars, whole when whole: "$18,300", "$12.50"; a dash when unknown."""
    if usd is None:
        return DASH
    return cost.usd(usd) if float(usd).is_integer() else f"${usd:,.2f}"


def yes_no(value: bool | None) -> str:
    """Yes, no, or a dash when unknown."""
    return DASH if value is None else ("yes" if value else "no")


def number(value: float | None) -> str:
    """A plain number without a needless ".0"; a dash when unknown."""
    if value is None:
        return DASH
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
