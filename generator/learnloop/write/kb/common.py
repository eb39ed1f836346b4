"""What every knowledge-base article reads: the lookup context, the figures of a group of
incidents, and the tables and lines they are shown in."""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TYPE_CHECKING

from learnloop.analyze import detection, rootcause
from learnloop.analyze.cost import usd
from learnloop.analyze.metrics import p90
from learnloop.analyze.patterns import Pattern
from learnloop.analyze.rootcause import Finding, PatternSynthesis, SystemicIssue
from learnloop.enrich import timings
from learnloop.model import ActionItem, Incident
from learnloop.read.themes import Lexicon, shipped
from learnloop.write.cache import RenderCache, fingerprint
from learnloop.write.kb.paths import pattern_path, systemic_path
from learnloop.write.markdown import cite, duration, href, link, one_line, table_cell

if TYPE_CHECKING:
    pass


SEVERE = ("P0", "P1")


Existing = Callable[[str], str | None]


def count(n: int, noun: str) -> str:
    """'1 incident', '3 incidents'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def cause_lines(
    issues: Sequence[rootcause.SystemicIssue],
    of: Mapping[str, str],
    patterns: Mapping[str, Pattern],
    at: str,
) -> list[str]:
    """One line per systemic cause: the patterns it shows up as, most incidents first."""
    out = []
    for issue in issues:
        per = Counter(of[i] for i in issue.incidents if i in of)
        if not per:
            continue
        shown = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))
        names = ", ".join(
            f"[{one_line(patterns[pid].title)}]({href(at, pattern_path(pid))}) ({n})"
            for pid, n in shown
            if pid in patterns
        )
        one_offs = len(issue.incidents) - sum(per.values())
        tail = f"; {count(one_offs, 'one-off incident')}" if one_offs > 0 else ""
        out.append(f"- {one_line(issue.title)}: {names}{tail}.")
    return out


def tally(pairs: Iterable[tuple[str, int]], limit: int = 6) -> str:
    """'alert 9, customer-report 3'."""
    return ", ".join(f"{name} {count}" for name, count in list(pairs)[:limit])


def table(head: str, rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table from a 'A|B|C' header and rows of already safe cells; 'None.' if empty."""
    rows = list(rows)
    if not rows:
        return "None."
    names = head.split("|")
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return statistics.median(values) if values else None


def signal_text(name: str) -> str:
    plain = re.fullmatch(r"[A-Za-z0-9_.:-]+", name) and name != detection.NOT_RECORDED
    return f"`{name}`" if plain else one_line(name)


@dataclass(frozen=True)
class Figures:
    """Counts, durations and recorded cost of a group of incidents."""

    n: int
    first: str
    last: str
    months: float
    ttr: tuple[float, ...]
    ttd: tuple[float, ...]
    customers: int
    revenue: float
    severe: int
    sla: int

    def line(self) -> str:
        """How often, how long, how costly."""
        rate = f" ({self.n / self.months:.1f} a month)" if self.n > 1 else ""
        text = f"{count(self.n, 'incident')} from {self.first} to {self.last}{rate}; "
        text += f"{self.severe} at P0/P1."
        if self.ttr:
            text += f" Median time to resolve {duration(median(self.ttr))} "
            text += f"(p90 {duration(p90(self.ttr))}, n={len(self.ttr)})"
            if self.ttd:
                text += f"; median time to detect {duration(median(self.ttd))}"
            text += "."
        return text + (
            f" Cost: {self.customers:,} customers affected and {usd(self.revenue)} of revenue "
            f"lost or delayed (recorded figures, summed); SLA breached in {self.sla}."
        )


def figures(members: Sequence[Incident]) -> Figures:
    """Counts, durations and recorded cost of a group of incidents."""
    starts = sorted(m.started_at for m in members)
    times = [timings(m) for m in members]
    return Figures(
        n=len(members),
        first=starts[0].strftime("%Y-%m") if starts else "—",
        last=starts[-1].strftime("%Y-%m") if starts else "—",
        months=max((starts[-1] - starts[0]).days / 30.44, 1.0) if starts else 1.0,
        ttr=tuple(v for t in times if (v := t.ttr) is not None),
        ttd=tuple(v for t in times if (v := t.ttd) is not None),
        customers=sum(max(m.impact.customers_affected or 0, 0) for m in members),
        revenue=sum(max(m.impact.revenue_usd or 0.0, 0.0) for m in members),
        severe=sum(1 for m in members if m.severity in SEVERE),
        sla=sum(1 for m in members if m.impact.sla_breached),
    )


@dataclass(frozen=True)
class Context:
    """What every article needs to look up."""

    by_id: dict[str, Incident]
    of: dict[str, str]
    patterns: dict[str, Pattern]
    systemic: tuple[SystemicIssue, ...]
    services: dict[str, str]
    themes: Lexicon = field(default_factory=shipped)  # what a pattern's synthesis looks for

    def get(self, ids: Iterable[str]) -> list[Incident]:
        """The incidents with these ids that exist."""
        return [self.by_id[i] for i in ids if i in self.by_id]

    def group(self, incident_id: str) -> list[Incident]:
        """The incident's pattern members, or the incident alone (not to be changed)."""
        pid = self.of.get(incident_id)
        if not pid:
            return self.get((incident_id,))
        # Every case study and follow-up table of a pattern asks for the same members: looked
        # up once per pattern rather than once per incident of it.
        found = self._groups.get(pid)
        if found is None:
            found = self._groups[pid] = self.get(self.patterns[pid].incidents)
        return found

    def before(self, incident: Incident) -> list[Incident]:
        """The members of the incident's pattern that started before it, oldest first.

        What a case study compares its incident with: later incidents of the pattern never
        change it, so a recurrence does not rewrite (and send back to review) every case
        study of its pattern. How the pattern fared afterwards is the pattern article's.
        """
        if incident.id not in self.of:
            return []
        members = self.chronicle(incident.id)
        return members[: self._places[incident.id]]

    def chronicle(self, incident_id: str) -> list[Incident]:
        """The incident's pattern members by start time, sorted once per pattern."""
        pid = self.of.get(incident_id)
        found = self._chronicles.get(pid) if pid else None
        if found is None:
            found = sorted(self.group(incident_id), key=lambda m: (m.started_at, m.id))
            if pid:  # an incident outside every pattern is its own chronicle: not kept
                self._chronicles[pid] = found
                self._places.update((m.id, n) for n, m in enumerate(found))
        return found

    # Memos of the lookups above, outside the dataclass fields: a Context is part of the kb
    # index's key, and what was looked up before must not change it.
    @cached_property
    def _groups(self) -> dict[str, list[Incident]]:
        return {}

    @cached_property
    def _chronicles(self) -> dict[str, list[Incident]]:
        return {}

    @cached_property
    def _places(self) -> dict[str, int]:  # incident id -> its index in its chronicle
        return {}


# Incidents listed one by one on a systemic issue's article or a decision: the most recent.
# Those span many patterns and can gather thousands, which nobody reads as a table; each
# pattern's article lists all of its own.
LISTED = 100


def incidents_table(members: Sequence[Incident], at: str, limit: int | None = None) -> str:
    """One row per incident, newest first; with `limit`, the most recent that many."""
    ordered = sorted(members, key=lambda i: (i.started_at, i.id), reverse=True)
    rows = []
    for m in ordered if limit is None else ordered[:limit]:
        customers = f"{m.impact.customers_affected:,}" if m.impact.customers_affected else "—"
        revenue = usd(m.impact.revenue_usd) if m.impact.revenue_usd else "—"
        rows.append(
            (m.started_at.date().isoformat(), f"{link(m, at)} {table_cell(m.title)}", m.severity,
             table_cell(", ".join(m.services)), duration(timings(m).ttr), customers, revenue)
        )  # fmt: skip
    text = "## Incidents\n\n" + table("Date|Incident|Severity|Services|TTR|Customers|Revenue", rows)
    if len(rows) < len(ordered):
        text += (
            f"\n\nThe {len(rows)} most recent of {len(ordered):,} incidents; each pattern's "
            "article lists all of its own."
        )
    return text


def findings(items: Sequence[Finding], ctx: Context, at: str, total: int, limit: int = 8) -> str:
    """A list of merged statements with how many incidents made them, and which."""
    lines = []
    for f in items[:limit]:
        words = f" _({f.variants} wordings)_" if f.variants > 1 else ""
        where = cite(ctx.get(f.incidents), at, 3)
        lines.append(f"- {one_line(f.text)} — {len(f.incidents)} of {total} ({where}){words}")
    return "\n".join(lines)


def follow_ups(
    members: Sequence[Incident],
    ctx: Context,
    at: str,
    keep: Callable[[Incident, ActionItem], bool] | None = None,
    limit: int = 10,
) -> str:
    """Follow-ups grouped by title, with their status and recurrences after they were done."""
    groups: dict[str, list[tuple[Incident, ActionItem]]] = defaultdict(list)
    for m in members:
        for item in m.action_items:
            if keep is None or keep(m, item):
                groups[" ".join(item.title.lower().split())].append((m, item))
    if not groups:
        return "No follow-up actions recorded."
    rows = []
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for _, uses in ordered[:limit]:
        first = uses[0][1]
        status = Counter(item.status for _, item in uses)
        done = sorted(item.done_at for _, item in uses if item.done_at is not None)
        after = "—"
        if done and first.kind in ("prevent", "mitigate"):
            later = [m for m in ctx.group(uses[0][0].id) if m.started_at.date() > done[0]]
            after = f"{len(later)} since {done[0].isoformat()}"
            after += f" ({cite(later, at, 2)})" if later else ""
        froms = cite([m for m, _ in uses], at, 2)
        rows.append(
            (
                table_cell(first.title),
                first.kind or "—",
                tally(sorted(status.items())),
                froms,
                after,
            )
        )
    text = table("Follow-up|Kind|Status|From|Recurred after done", rows)
    more = len(ordered) - limit
    return text + (f"\n\n{more} more follow-ups are in the incidents." if more > 0 else "")


def systemic_reach(ids: Sequence[str], ctx: Context) -> list[tuple[str, str, float, int, int]]:
    """(id, title, score, incidents, of them here) of each systemic issue reaching ids, by rank.

    All that `systemic_links` reads of the corpus-wide ranking: an article's key holds this,
    so an issue growing elsewhere does not touch articles it does not reach.
    """
    out = []
    for issue in ctx.systemic:
        if here := set(ids).intersection(issue.incidents):
            out.append((issue.id, issue.title, issue.score, len(issue.incidents), len(here)))
    return out


def systemic_links(ids: Sequence[str], ctx: Context, at: str) -> str:
    """The systemic issues a group of incidents shares with the rest of the corpus."""
    lines = ["## Systemic issues behind it", ""]
    for issue_id, title, score, size, here in systemic_reach(ids, ctx):
        lines.append(
            f"- [{one_line(title)}]({href(at, systemic_path(issue_id))}) — {here} "
            f"of {len(ids)} here; score {score:g} over {size} incidents."
        )
    if len(lines) == 2:
        lines.append("None of the systemic issues found reaches these incidents.")
    return "\n".join(lines)


def incidents_by_service(incidents: Iterable[Incident]) -> dict[str, list[Incident]]:
    """service -> the incidents that involve it, in the order given; one pass, not one each."""
    out: dict[str, list[Incident]] = defaultdict(list)
    for incident in incidents:
        for service in dict.fromkeys(incident.services):
            out[service].append(incident)
    return out


def themes_in(cache: RenderCache, themes: Lexicon | None = None) -> rootcause.Themes:
    """`rootcause.themes_of` with `themes` (default: the shipped), kept per incident in the
    cache: the systemic issues match every incident against the lexicon on every run, and an
    incident's matches change only with it (or with the lexicon, whose digest keys them).
    """
    themes = themes or shipped()
    return cache.per_incident(
        "themes", (themes.digest,), partial(rootcause.themes_of, lexicon=themes)
    )


def synthesis_of(
    pid: str, members: Sequence[Incident], cache: RenderCache, themes: Lexicon | None = None
) -> PatternSynthesis:
    """`rootcause.synthesize_group(pid, members)`, kept while the pattern's incidents are."""
    themes = themes or shipped()
    return cache.value(
        "synthesis",
        (pid, members, themes.digest),
        lambda: rootcause.synthesize_group(pid, members, themes_in(cache, themes), themes),
    )


def chronicle_digests(ctx: Context) -> dict[str, str | None]:
    """incident id -> a digest of `ctx.before(incident)`: each pattern hashed once, in order.

    A case study's key holds the members before its incident; digesting that prefix for each
    of a pattern's case studies apart would cost the square of its size.
    """
    out: dict[str, str | None] = {i: None for i in ctx.by_id}
    for pid, pattern in ctx.patterns.items():
        if not pattern.incidents:
            continue
        running = hashlib.sha256(pid.encode())
        for m in ctx.chronicle(pattern.incidents[0]):
            out[m.id] = running.hexdigest()
            running.update(
                f"{len(m.id)}:{m.id}{len(m.path)}:{m.path}{m.digest or fingerprint(m)};".encode()
            )
    return out
