"""Which failures happen, to which systems, when, and who writes each one up.

A recurring failure (a pattern) is one failure kind on one system. One-offs happen once:
half of them on a system that also has a pattern, failing some other way, so an engine that
groups by place alone gets them wrong. The plan depends on the seed and the count only; the
writing styles come from their own stream, so asking for other styles describes the same
incidents in other words.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from benchmarks.simulator.catalog import Catalog, load

ONE_OFF_SHARE = 0.16
ONE_OFF_ON_PATTERN_SYSTEM = 0.5
SAME_KIND_ELSEWHERE = 0.2  # a new pattern reuses a kind already chosen, on another system
STUB_SHARE = 0.07  # write-ups of a line or three
# Office hours (UTC) are when most changes ship and most people notice things.
_HOUR_WEIGHTS = tuple(3.0 if 8 <= h <= 17 else (1.4 if 6 <= h <= 21 else 0.5) for h in range(24))


@dataclass(frozen=True)
class Planned:
    """One incident before it is written: what failed where and when, and who writes it."""

    id: str
    failure: str
    system: str
    pattern: str | None
    started: datetime
    style: str
    stub: bool


def default_months(count: int) -> int:
    """Months the corpus covers: a year and a half for a small one, longer as it grows."""
    return max(18, min(120, math.ceil(count / 10)))


def pattern_id(failure: str, system: str) -> str:
    """The ground-truth name of a recurring failure: the failure kind on one system."""
    return f"{failure}@{system}"


def _combos(catalog: Catalog) -> list[tuple[str, str]]:
    return [(f.id, s["name"]) for f in catalog.failures for s in catalog.services if f.fits(s)]


def _sizes(rng: random.Random, patterns: int, members: int) -> list[int]:
    """Members per pattern: at least two each, the rest spread unevenly (largest remainder)."""
    weights = [math.exp(rng.gauss(0.0, 0.7)) for _ in range(patterns)]
    spare = members - 2 * patterns
    total = sum(weights)
    shares = [spare * w / total for w in weights]
    sizes = [2 + int(s) for s in shares]
    order = sorted(range(patterns), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[: members - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _choose_patterns(rng: random.Random, catalog: Catalog, wanted: int) -> list[tuple[str, str]]:
    # Most patterns are a kind not seen yet, so small corpora still see many kinds; some put a
    # kind already chosen on another system (the same why in another where: two patterns).
    by_failure: dict[str, list[str]] = {}
    for failure, system in _combos(catalog):
        by_failure.setdefault(failure, []).append(system)
    unused = sorted(by_failure)
    rng.shuffle(unused)
    chosen: list[tuple[str, str]] = []
    taken: set[tuple[str, str]] = set()
    while len(chosen) < wanted:
        used = sorted({k for k, _ in chosen if any((k, s) not in taken for s in by_failure[k])})
        if unused and (not used or rng.random() >= SAME_KIND_ELSEWHERE):
            kind = unused.pop()
        elif used:
            kind = rng.choice(used)
        else:
            break
        system = rng.choice([s for s in by_failure[kind] if (kind, s) not in taken])
        chosen.append((kind, system))
        taken.add((kind, system))
    return chosen


def _choose_one_offs(
    rng: random.Random, catalog: Catalog, taken: set[tuple[str, str]], wanted: int
) -> list[tuple[str, str]]:
    free = sorted(set(_combos(catalog)) - taken)
    pattern_systems = {s for _, s in taken}
    near = [c for c in free if c[1] in pattern_systems]
    out: list[tuple[str, str]] = []
    used: set[tuple[str, str]] = set()
    for _ in range(wanted):
        pool = near if near and rng.random() < ONE_OFF_ON_PATTERN_SYSTEM else free
        pool = [c for c in pool if c not in used] or [c for c in free if c not in used]
        if not pool:
            break
        combo = rng.choice(pool)
        used.add(combo)
        out.append(combo)
    return out


def _start(rng: random.Random, first: date, days: int) -> datetime:
    day = first + timedelta(days=rng.randrange(days))
    hour = rng.choices(range(24), _HOUR_WEIGHTS)[0]
    return datetime.combine(day, time(hour, rng.randrange(60)), UTC)


def plan(
    seed: int,
    count: int,
    styles: Sequence[str],
    start: date,
    months: int | None = None,
    pattern_seed: int | None = None,
) -> list[Planned]:
    """The incidents of a corpus, sorted by start time, with ids numbered per year.

    The recurring failures come from `pattern_seed` (default: `seed`): two corpora with the
    one pattern seed share their patterns (the smaller one's are a subset of the larger
    one's), while their incidents, dates and words differ with `seed`.
    """
    rng = random.Random(f"plan:{seed if pattern_seed is None else pattern_seed}")
    when = random.Random(f"times:{seed}")
    style_rng = random.Random(f"styles:{seed}:{','.join(styles)}")

    catalog = load()
    months = months or default_months(count)
    end = date(
        start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1, 1
    )
    days = (end - start).days
    combos = len(_combos(catalog))
    one_offs = round(count * ONE_OFF_SHARE) if count >= 4 else count
    members = count - one_offs
    patterns = 0 if members < 2 else max(1, min(round(1.6 * math.sqrt(members)), members // 2))
    chosen = _choose_patterns(rng, catalog, min(patterns, combos))
    singles = _choose_one_offs(rng, catalog, set(chosen), min(one_offs, combos - len(chosen)))
    # Whatever could not be a one-off (too few combinations left) recurs instead.
    members = count - len(singles)
    if members and not chosen:
        chosen = _choose_patterns(rng, catalog, 1)
    cases: list[tuple[str, str, str | None]] = [(f, s, None) for f, s in singles]
    if chosen:
        for (failure, system), size in zip(
            chosen, _sizes(when, len(chosen), max(members, 2 * len(chosen))), strict=True
        ):
            cases += [(failure, system, pattern_id(failure, system))] * size
    cases = cases[:count]
    timed = [(_start(when, start, days), n, case) for n, case in enumerate(cases)]
    timed.sort(key=lambda t: (t[0], t[1]))
    per_year: dict[int, int] = {}
    width = 4 if count > 2000 else 3
    out = []
    for started, _, (failure, system, pattern) in timed:
        per_year[started.year] = per_year.get(started.year, 0) + 1
        ident = f"INC-{started.year}-{per_year[started.year]:0{width}d}"
        out.append(
            Planned(
                id=ident,
                failure=failure,
                system=system,
                pattern=pattern,
                started=started,
                style=style_rng.choice(list(styles)),
                stub=style_rng.random() < STUB_SHARE,
            )
        )
    return out
