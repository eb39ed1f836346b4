"""Times as people write them: the zone they live in, and the form their fingers know."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

# (zone, weight): most teams write UTC; the rest write their office's local time.
ZONES = (
    ("UTC", 8.0),
    ("Europe/Berlin", 3.0),
    ("Europe/London", 1.5),
    ("America/Los_Angeles", 2.0),
    ("America/New_York", 1.5),
    ("Asia/Tokyo", 1.0),
    ("Asia/Kolkata", 0.8),
    ("Australia/Sydney", 0.5),
)
FORMATS = ("hm", "hm_zone", "ampm_zone", "date_hm_zone", "h_m", "hms", "iso")
_HOURS = ("midnight", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
          "ten", "eleven", "twelve")  # fmt: skip


@dataclass(frozen=True)
class Clock:
    """One writer's way of stating times: a zone and a form."""

    zone: str
    form: str

    def local(self, at: datetime) -> datetime:
        """The time on the writer's clock."""
        return at.astimezone(ZoneInfo(self.zone))

    def abbr(self, at: datetime) -> str:
        """The zone's name as written after a time: UTC, CEST, PDT, JST …"""
        return self.local(at).tzname() or "UTC"

    def time(self, at: datetime, form: str | None = None) -> str:
        """A time in this writer's form (or the one asked for)."""
        t = self.local(at)
        form = form or self.form
        zone = self.abbr(at)
        if form == "hm":
            return f"{t:%H:%M}"
        if form == "hm_zone":
            return f"{t:%H:%M} {zone}"
        if form == "ampm_zone":
            return f"{t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'} {zone}"
        if form == "date_hm_zone":
            return f"{t:%Y-%m-%d} {t:%H:%M} {zone}"
        if form == "h_m":
            return f"{t:%H}h{t:%M}"
        if form == "hms":
            return f"{t:%H:%M:%S}"
        if form == "iso":
            if self.zone == "UTC":
                return f"{t:%Y-%m-%dT%H:%MZ}"
            return t.isoformat(timespec="minutes")
        raise ValueError(form)

    def day(self, at: datetime, form: int = 0) -> str:
        """The date, in one of the ways people write it."""
        t = self.local(at)
        if form == 1:
            return f"{t.day} {t:%B %Y}"
        if form == 2:
            return f"{t:%A}, {t.day} {t:%B}"
        if form == 3:
            return f"{t:%d %b %Y}"
        if form == 4:
            return f"{t:%B} {t.day}, {t.year}"
        return f"{t:%Y-%m-%d}"

    def spoken(self, at: datetime, rng: random.Random, lead: bool = True) -> str:
        """A time as said aloud. With `lead`, a phrase that can open a sentence ('at about
        ten past nine', 'shortly after 14:00'); without, one that follows 'by' or 'until'."""
        t = self.local(at)
        hour12 = t.hour % 12 or 12
        nxt = (t.hour + 1) % 12 or 12
        part = (
            " in the morning" if 5 <= t.hour < 12 else
            " in the afternoon" if 12 <= t.hour < 18 else
            " that evening" if 18 <= t.hour < 23 else " late that night"
        )  # fmt: skip
        part = part if rng.random() < 0.3 and t.hour not in (0, 12) else ""
        m = t.minute
        if rng.random() < 0.35:
            about = rng.choice(("", "about ", "around "))
            words = f"{about}{t:%H:%M}"
            return f"{'at ' if about != 'around ' else ''}{words}" if lead else words
        if m < 5:
            words, at_word = f"{_HOURS[hour12]}", rng.choice(("just after ", "shortly after "))
        elif m < 13:
            words, at_word = f"ten past {_HOURS[hour12]}", rng.choice(("at about ", "around "))
        elif m < 20:
            words, at_word = f"quarter past {_HOURS[hour12]}", rng.choice(("at about ", "around "))
        elif m < 40:
            words, at_word = f"half past {_HOURS[hour12]}", rng.choice(("at about ", "around "))
        elif m < 52:
            words, at_word = f"quarter to {_HOURS[nxt]}", rng.choice(("at about ", "around "))
        else:
            words, at_word = f"{_HOURS[nxt]}", "just before "
        if lead:
            return at_word + words + part
        return ("about " if at_word in ("at about ", "around ") else at_word) + words + part


def pick(rng: random.Random, forms: tuple[str, ...] = FORMATS) -> Clock:
    """A writer's clock: a zone by how common it is, a form among those given."""
    zone = rng.choices([z for z, _ in ZONES], [w for _, w in ZONES])[0]
    form = rng.choice(forms)
    if form == "iso" and zone != "UTC" and rng.random() < 0.5:
        form = "hm_zone"
    return Clock(zone, form)
