"""The knowledge base: articles per pattern, service and systemic issue, case studies, an index.

Every figure is computed from the incidents and every statement cites the incidents it came
from. Text quoted from post-mortems is kept on one line and table-safe; the site escapes it
when it publishes the article. Cost here is the plain recorded figure: customers affected and
revenue lost, summed.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING

from learnloop.analyze import rootcause
from learnloop.analyze.metrics import p90
from learnloop.analyze.patterns import Pattern
from learnloop.analyze.rootcause import Finding, PatternSynthesis, SystemicIssue
from learnloop.analyze.similar import first_sentences
from learnloop.enrich import timings
from learnloop.model import ActionItem, Incident
from learnloop.write import document
from learnloop.write.cache import RenderCache, fingerprint
from learnloop.write.document import Region
from learnloop.write.plain import cell, cite, duration, heading, href, inline, link

if TYPE_CHECKING:
    from learnloop.commands.patterns import Analysis

KB = "kb"
INDEX = f"{KB}/index.md"
FOOTER = "## Notes\n\n_What the incidents do not say belongs here; this part is never overwritten._"
SEVERE = ("P0", "P1")
Existing = Callable[[str], str | None]
# A statement of a limit: a figure with a unit, or a named limit.
_LIMIT = re.compile(
    r"\b\d[\d,.]*\s?(gi|gb|mb|ms|s|seconds|pods|replicas|connections|sessions|requests|nodes|"
    r"partitions|instances)\b|\b(at|exceeds?|above|over) \d+%|max_connections|maxmemory|"
    r"pool of \d|allows \d",
    re.IGNORECASE,
)


def pattern_path(pattern_id: str) -> str:
    """Where a pattern's article lives."""
    return f"{KB}/patterns/{pattern_id}.md"


def systemic_path(issue_id: str) -> str:
    """Where a systemic issue's article lives."""
    return f"{KB}/systemic/{issue_id}.md"


def case_path(incident_id: str) -> str:
    """Where an incident's case study lives."""
    return f"{KB}/cases/{incident_id}.md"


def service_paths(services: Iterable[str]) -> dict[str, str]:
    """service -> article path; names that slug alike get a numbered suffix."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(services)):
        base = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-.") or "service"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        out[name] = f"{KB}/services/{slug}.md"
    return out


def count(n: int, noun: str) -> str:
    """'1 incident', '3 incidents'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def usd(value: float) -> str:
    """Dollars, whole."""
    return f"${value:,.0f}"


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


def _signal(name: str) -> str:
    plain = re.fullmatch(r"[A-Za-z0-9_.:-]+", name) and name != rootcause.NOT_RECORDED
    return f"`{name}`" if plain else inline(name)


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
            (m.started_at.date().isoformat(), f"{link(m, at)} {cell(m.title)}", m.severity,
             cell(", ".join(m.services)), duration(timings(m).ttr), customers, revenue)
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
        lines.append(f"- {inline(f.text)} — {len(f.incidents)} of {total} ({where}){words}")
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
            (cell(first.title), first.kind or "—", tally(sorted(status.items())), froms, after)
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
            f"- [{inline(title)}]({href(at, systemic_path(issue_id))}) — {here} "
            f"of {len(ids)} here; score {score:g} over {size} incidents."
        )
    if len(lines) == 2:
        lines.append("None of the systemic issues found reaches these incidents.")
    return "\n".join(lines)


def pattern_regions(pattern: Pattern, syn: PatternSynthesis, ctx: Context, at: str) -> list[Region]:
    """A pattern's article: how it fails, how often, cost, causes, detection, what was tried."""
    members = ctx.get(pattern.incidents)
    n = len(members)
    services = Counter(s for m in members for s in m.services)
    where = tally(sorted(services.items(), key=lambda kv: (-kv[1], kv[0])), 5)
    cause = syn.primary_cause
    head = "**How it fails.** No root cause is recorded in these post-mortems."
    if cause:
        head = (
            f"**How it fails.** {inline(cause.text)} — the cause in {len(cause.incidents)} of {n} "
            f"({cite(ctx.get(cause.incidents), at, 3)})."
        )
    runbook = f"Runbook: [{inline(pattern.title)}]({href(at, f'runbooks/{pattern.id}.md')})."
    overview = f"{head}\n\n**How often, how long, how costly.** {figures(members).line()} "
    overview += f"Services: {where}.\n\n{runbook}"
    rows = [(cell(f.text), f"{len(f.incidents)}: {cite(ctx.get(f.incidents), at, 3)}")
            for f in syn.causes[:6]]  # fmt: skip
    causes = f"## Root causes\n\n{table('Cause|Incidents', rows)}\n\n"
    causes += f"Categories: {tally(syn.categories)}. Triggers: {tally(syn.triggers)}."
    factors = findings(syn.contributing_factors, ctx, at, n) or "No contributing factors recorded."
    fixes = rootcause.dedupe(
        (m.id, first_sentences(text, 200))
        for m in members
        if (text := rootcause.prose(m.section("resolution") or m.section("mitigation")).strip())
    )
    tried = "## What was tried\n\n**During the incidents.**\n\n"
    tried += findings(fixes, ctx, at, n, 5) or "No resolution recorded."
    tried += "\n\n**Follow-ups.**\n\n" + follow_ups(members, ctx, at)
    return [
        Region("overview", overview),
        Region("causes", causes),
        Region("factors", "## Contributing factors\n\n" + factors),
        Region("whys", whys_text(syn, ctx, at)),
        Region("detection", detection_text(syn, ctx, at)),
        Region("resilience", resilience_text(syn, ctx, at)),
        Region("tried", tried),
        Region("systemic", systemic_links(pattern.incidents, ctx, at)),
        Region("incidents", incidents_table(members, at)),
    ]


def whys_text(syn: PatternSynthesis, ctx: Context, at: str) -> str:
    """The aggregated five-whys chain."""
    if not syn.whys:
        return "## Why it keeps happening\n\nNo root cause or whys recorded."
    if syn.whys[0].origin == "whys":
        asked = len({i for w in syn.whys for i in w.incidents})
        intro = (
            f"Aggregated from the five whys of {count(asked, 'incident')}, the answer most given:"
        )
    else:
        intro = (
            "No post-mortem here asked why five times; the root cause and the contributing "
            "factor most often behind it stand in:"
        )
    steps = [
        f"{n}. {inline(w.text)} ({len(w.incidents)}: {cite(ctx.get(w.incidents), at, 3)})"
        for n, w in enumerate(syn.whys, start=1)
    ]
    return "\n".join(["## Why it keeps happening", "", intro, "", *steps])


def detection_text(syn: PatternSynthesis, ctx: Context, at: str) -> str:
    """How it was noticed, how fast, and by whom first."""
    d = syn.detection
    n = len(syn.incidents)
    signals = ", ".join(f"{_signal(s)} {c}" for s, c in d.first_signals[:5])
    lines = ["## Detection", "", f"- How it was detected: {tally(d.methods)}."]
    lines.append(f"- First signal: {signals}.")
    if d.median_ttd is not None:
        slow = ", ".join(f"{link(ctx.by_id[i], at)} {duration(t)}" for i, t in d.slowest)
        lines.append(
            f"- Median time to detect {duration(d.median_ttd)} (n={d.ttd_known}); slowest: {slow}."
        )
    if d.by_customers:
        lines.append(
            f"- Customers noticed first in {len(d.by_customers)} of {n} — a detection gap "
            f"({cite(ctx.get(d.by_customers), at, 3)})."
        )
    else:
        lines.append(f"- Customers noticed first in none of the {n}.")
    return "\n".join(lines)


def resilience_text(syn: PatternSynthesis, ctx: Context, at: str) -> str:
    """Resilience failures the incidents mention, each with an example in its own words."""
    lines = ["## Resilience failures", ""]
    for f in syn.resilience_failures:
        lines.append(
            f"- **{inline(f.text)}** — {len(f.incidents)} of {len(syn.incidents)} "
            f"({cite(ctx.get(f.incidents), at, 3)}); e.g. “{inline(f.origin)}” "
            f"({link(ctx.by_id[f.source], at)})."
        )
    if len(lines) == 2:
        lines.append("None of the resilience failures we look for is mentioned.")
    return "\n".join(lines)


def service_inputs(
    service: str, members: Sequence[Incident], ctx: Context, analysis: Analysis
) -> tuple[object, ...]:
    """Everything `service_regions` reads: its incidents, the pattern of each and those
    patterns' titles, the articles of the services it shares incidents with, its catalog entry.
    """
    pids = [ctx.of.get(m.id) for m in members]
    titles = {pid: ctx.patterns[pid].title for pid in sorted({p for p in pids if p})}
    near = sorted({s for m in members for s in m.services if s != service})
    return (
        service,
        members,
        pids,
        titles,
        {s: ctx.services[s] for s in near},
        analysis.settings.services.get(service),
    )


def service_regions(
    service: str, members: Sequence[Incident], ctx: Context, analysis: Analysis, at: str
) -> list[Region]:
    """A service's article: failure modes, dependencies, limits and gotchas."""
    catalog = analysis.settings.services.get(service)
    overview = f"**{inline(service)}** was involved in {figures(members).line()}"
    if catalog is not None and (catalog.owner or catalog.tier is not None):
        overview += f" Owner: {inline(catalog.owner or 'unknown')}; tier {catalog.tier or '—'}."
    by_pattern: dict[str, list[Incident]] = defaultdict(list)
    for m in members:
        by_pattern[ctx.of.get(m.id, "")].append(m)
    rows = [
        (f"[{cell(ctx.patterns[pid].title)}]({href(at, pattern_path(pid))})", len(group),
         max(g.started_at for g in group).date().isoformat(), duration(median(figures(group).ttr)))
        for pid, group in sorted(by_pattern.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        if pid
    ]  # fmt: skip
    modes = "## Failure modes\n\n" + table("Pattern|Incidents here|Last seen|Median TTR", rows)
    for m in sorted(by_pattern.get("", []), key=lambda i: i.id):
        modes += f"\n\nOne-off: {link(m, at)} {inline(m.title)}"
    together = Counter(s for m in members for s in m.services if s != service)
    pairs = sorted(together.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    near = ", ".join(f"[{inline(s)}]({href(at, ctx.services[s])}) ({c})" for s, c in pairs)
    deps = ["## Dependencies", ""]
    if catalog is not None and catalog.depends_on:
        deps.append(f"- Declared in learnloop.yml: {inline(', '.join(catalog.depends_on))}.")
    deps.append(f"- Involved together in incidents: {near or 'none'}.")
    return [
        Region("overview", overview),
        Region("failure-modes", modes),
        Region("dependencies", "\n".join(deps)),
        Region("limits", limits_text(service, members, ctx, at)),
        Region("incidents", incidents_table(members, at)),
    ]


def limits_text(service: str, members: Sequence[Incident], ctx: Context, at: str) -> str:
    """Capacity limits and gotchas the incidents state about a service."""
    limits = []
    for m in members:
        # "Redis evicted hot keys at maxmemory" is about redis-cache: the name's head counts
        # when no other service of the incident shares it.
        head = service.split("-")[0]
        heads = [s.split("-")[0] for s in m.services]
        names = [service] + ([head] if len(head) >= 4 and heads.count(head) == 1 else [])
        said = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b", re.IGNORECASE)
        texts = [t for _, t in rootcause.statements(m)]
        for text in texts + rootcause.sentences(m.section("resolution")):
            if _LIMIT.search(text) and (said.search(text) or m.services == (service,)):
                limits.append((m.id, text))
    gotchas = [(m.id, t) for m in members for t in rootcause.factors(m)]
    gotchas += [(m.id, t) for m in members for t in rootcause.items(m.section("lessons"))]
    n = len(members)
    # Limits are kept word for word (a threshold above 1 merges nothing): the figures differ.
    stated = findings(rootcause.dedupe(limits, 2.0), ctx, at, n) or "None stated with a figure."
    known = findings(rootcause.dedupe(gotchas), ctx, at, n) or "None recorded."
    return (
        f"## Capacity limits and gotchas\n\n**Limits stated in the incidents.**\n\n{stated}\n\n"
        f"**Gotchas** (contributing factors and lessons).\n\n{known}"
    )


def systemic_regions(issue: SystemicIssue, ctx: Context, at: str) -> list[Region]:
    """A systemic issue's article: what recurs, its score, evidence and follow-ups."""
    members = ctx.get(issue.incidents)
    mean = issue.score / len(members) if members else 0.0
    pats = ", ".join(
        f"[{inline(ctx.patterns[p].title)}]({href(at, pattern_path(p))})" for p in issue.patterns
    )
    kind = "an architecture change" if issue.architectural else "a practice or process change"
    overview = (
        f"**What recurs.** {inline(issue.title)}: {count(len(members), 'incident')} across "
        f"{count(len(issue.patterns), 'pattern')} ({pats or 'none'}) and "
        f"{count(len(issue.one_offs), 'one-off incident')}, on "
        f"{count(len(issue.services), 'service')}. {figures(members).line()}\n\n"
        f"**Score {issue.score:g}** = {len(members)} incidents × mean impact {mean:.1f}; impact = "
        "severity weight (P0 8, P1 4, P2 2, P3 1, P4 0.5) × (1 + log10(1 + customers / 1000) + "
        f"log10(1 + revenue / 10000)).\n\n**Direction of the fix** ({kind}): {inline(issue.fix)}"
    )
    chosen = set(issue.actions)
    acts = follow_ups(members, ctx, at, keep=lambda m, item: (m.id, item.id) in chosen)
    return [
        Region("overview", overview),
        Region("evidence", "## Evidence\n\n" + findings(issue.evidence, ctx, at, len(members), 12)),
        Region("follow-ups", "## Follow-ups that address it\n\n" + acts),
        Region("incidents", incidents_table(members, at, LISTED)),
    ]


def case_regions(incident: Incident, ctx: Context, at: str) -> list[Region]:
    """A case study of one severe incident, start to finish."""
    t = timings(incident)
    imp = incident.impact
    facts = [incident.severity, ", ".join(incident.services), t.started_at.date().isoformat()]
    facts += [f"resolved after {duration(t.ttr)}"] if t.ttr is not None else []
    cost = [f"{imp.customers_affected:,} customers affected"] if imp.customers_affected else []
    cost += [f"{usd(imp.revenue_usd)} of revenue lost or delayed"] if imp.revenue_usd else []
    cost += ["SLA breached"] if imp.sla_breached else []
    summary = first_sentences(rootcause.prose(incident.section("summary")) or incident.title, 240)
    overview = f"**What happened.** {inline(summary)} ({link(incident, at)}: "
    overview += f"{inline(' · '.join(facts))})\n\n**Impact.** "
    overview += inline(imp.summary or "; ".join(cost) or "not recorded")
    if pid := ctx.of.get(incident.id):
        before = len(ctx.before(incident))
        pattern = f"[{inline(ctx.patterns[pid].title)}]({href(at, pattern_path(pid))})"
        overview += "\n\n**Pattern.** " + (
            f"A recurrence of {pattern}, which had {count(before, 'incident')} before it"
            if before
            else f"The first incident of {pattern}"
        )
        overview += f"; runbook: [{pid}]({href(at, f'runbooks/{pid}.md')})."
    return [
        Region("overview", overview),
        Region("timeline", timeline_text(incident)),
        Region("cause", case_cause(incident)),
        Region("response", response_text(incident, ctx)),
        Region("follow-up", followup_text(incident, ctx, at)),
    ]


def timeline_text(incident: Incident, limit: int = 15) -> str:
    """Milestones with the time since the start, then the responders' own timeline."""
    t = timings(incident)
    marks = [("Started", t.started_at), ("Detected", t.detected_at),
             ("Acknowledged", t.acknowledged_at), ("Mitigated", t.mitigated_at),
             ("Resolved", t.resolved_at)]  # fmt: skip
    rows = [
        (name, at.strftime("%Y-%m-%d %H:%M"), duration((at - t.started_at).total_seconds() / 60))
        for name, at in marks
        if at is not None
    ]
    lines = ["## Timeline", "", table("Milestone|At (UTC)|Since start", rows)]
    events = [e for e in incident.timeline if e.text.strip()]
    if events:
        lines.append("")
        lines += [
            f"- {e.at.strftime('%H:%M') if e.at else '—'} — {inline(e.text)}"
            for e in events[:limit]
        ]
        if len(events) > limit:
            lines.append(f"- … {len(events) - limit} more in the post-mortem.")
    return "\n".join(lines)


def case_cause(incident: Incident) -> str:
    """Root cause, category, trigger, the whys and the contributing factors."""
    lines = ["## Why it happened", "", inline(rootcause.cause_text(incident) or "Not recorded.")]
    category = incident.root_cause.category or rootcause.NOT_RECORDED
    trigger = incident.trigger or rootcause.NOT_RECORDED
    lines += ["", f"Category: {inline(category)}. Trigger: {inline(trigger)}."]
    if whys := rootcause.whys(incident):
        lines += ["", "**Five whys.**", ""]
        lines += [f"{n}. {inline(w)}" for n, w in enumerate(whys, start=1)]
    if factors := rootcause.factors(incident):
        lines += ["", "**Contributing factors.**", "", *(f"- {inline(f)}" for f in factors)]
    return "\n".join(lines)


def response_text(incident: Incident, ctx: Context) -> str:
    """How it was detected and resolved, with which runbook, by whom, and what was learned."""
    t = timings(incident)
    signal = rootcause.first_signal(incident)
    detected = f"- Detection: {inline(rootcause.detection_method(incident))}"
    detected += f" ({_signal(signal)})" if signal else ""
    if t.ttd is not None:
        detected += f" after {duration(t.ttd)}"
        earlier = [v for m in ctx.before(incident) if (v := timings(m).ttd) is not None]
        if earlier:
            detected += f"; the pattern's median before it was {duration(median(earlier))}"
    fix = rootcause.prose(incident.section("resolution") or incident.section("mitigation"))
    fix = first_sentences(fix, 400) if fix.strip() else "not recorded"
    lines = ["## Response", "", detected + ".", f"- Resolution: {inline(fix)}"]
    if incident.runbook_used:
        verdict = {True: "it helped", False: "it did not help", None: "no verdict"}
        helped = verdict[incident.runbook_helpful]
        lines.append(f"- Runbook used: {inline(incident.runbook_used)} ({helped}).")
    people = ", ".join(f"{r.name} ({r.role})" if r.role else r.name for r in incident.responders)
    if people:
        lines.append(f"- Responders: {inline(people)}.")
    if lessons := rootcause.items(incident.section("lessons")):
        lines += ["", "**Lessons.**", "", *(f"- {inline(x)}" for x in lessons)]
    return "\n".join(lines)


def followup_text(incident: Incident, ctx: Context, at: str) -> str:
    """Its action items, and whether the pattern came back afterwards."""
    rows = []
    for a in incident.action_items:
        state = a.status + (f" {a.done_at.isoformat()}" if a.done_at else "")
        if a.due and a.status == "open":
            state += f", due {a.due.isoformat()}"
        rows.append((cell(a.id), cell(a.title), a.kind or "—", cell(a.owner or "—"), state))
    text = "## Follow-up\n\n"
    text += table("Item|Action|Kind|Owner|Status", rows) if rows else "No action items recorded."
    if pid := ctx.of.get(incident.id):
        text += (
            "\n\nWhether the pattern came back after its follow-ups were done: "
            f"[What was tried]({href(at, pattern_path(pid))}#what-was-tried), in its article."
        )
    return text


def index_regions(ctx: Context, cases: Sequence[Incident]) -> list[Region]:
    """The index: totals, patterns, ranked systemic issues with the map, services, cases."""
    at = INDEX
    everything = sorted(ctx.by_id.values(), key=lambda i: i.id)
    fig = figures(everything)
    # Only the tallies of the corpus: merging every statement of every incident (a whole
    # synthesis) would cost most of the index's time and show nowhere.
    overall = rootcause.tallies(everything)
    known = overall.customer_share
    share = f"{known:.0%}" if known is not None else "an unknown share"
    overview = (
        f"{fig.line()}\n\n{count(len(ctx.patterns), 'recurring pattern')} cover {len(ctx.of)} of "
        f"{fig.n} incidents; one-offs: {fig.n - len(ctx.of)}.\n\nAcross all incidents — "
        f"root-cause categories: {tally(overall.categories, 8)}. Triggers: "
        f"{tally(overall.triggers, 8)}. Detected by: {tally(overall.methods)}; customers noticed "
        f"first in {share} of those whose detection is known."
    )
    rows: list[Sequence[object]] = []
    for p in sorted(ctx.patterns.values(), key=lambda p: (-len(p.incidents), p.id)):
        f = figures(ctx.get(p.incidents))
        rows.append((f"[{cell(p.title)}]({href(at, pattern_path(p.id))})", f.n, f.last,
                     duration(median(f.ttr)), f"{f.customers:,}", usd(f.revenue)))  # fmt: skip
    pats = "## Patterns\n\n" + table(
        "Pattern|Incidents|Last seen|Median TTR|Customers|Revenue", rows
    )
    if rows:
        pats += f"\n\nPractise them: [a game day per pattern]({href(at, 'kb/gamedays/index.md')})."
    rows = [
        (n, f"[{cell(s.title)}]({href(at, systemic_path(s.id))})", f"{s.score:g}",
         len(s.incidents), len(s.patterns), "yes" if s.architectural else "no")
        for n, s in enumerate(ctx.systemic, start=1)
    ]  # fmt: skip
    diagram = rootcause.cause_symptom_map(everything, list(ctx.patterns.values()), ctx.systemic)
    systemic = (
        "## Systemic issues\n\nRanked by score = frequency × mean impact (each article states "
        f"the formula).\n\n{table('#|Issue|Score|Incidents|Patterns|Architectural', rows)}"
    )
    if "-->" in diagram:
        systemic += "\n\n**Causes and the patterns they produce** (edges: incidents).\n\n"
        systemic += f"```mermaid\n{diagram.rstrip()}\n```"
    rows = []
    involved = incidents_by_service(everything)
    for name, path in sorted(ctx.services.items()):
        members = involved.get(name, [])
        severe = sum(1 for m in members if m.severity in SEVERE)
        pcount = len({ctx.of[m.id] for m in members if m.id in ctx.of})
        rows.append((f"[{cell(name)}]({href(at, path)})", len(members), severe, pcount))
    services = "## Services\n\n" + table("Service|Incidents|P0/P1|Patterns", rows)
    lines = [
        f"- [{m.id}]({href(at, case_path(m.id))}) {inline(m.title)} — {m.severity}, "
        f"{m.started_at.date().isoformat()}"
        for m in sorted(cases, key=lambda i: (i.started_at, i.id), reverse=True)
    ]
    studies = "## Case studies\n\n" + ("\n".join(lines) or "No P0 or P1 incident to study yet.")
    return [
        Region("overview", overview),
        Region("patterns", pats),
        Region("systemic", systemic),
        Region("services", services),
        Region("cases", studies),
    ]


def incidents_by_service(incidents: Iterable[Incident]) -> dict[str, list[Incident]]:
    """service -> the incidents that involve it, in the order given; one pass, not one each."""
    out: dict[str, list[Incident]] = defaultdict(list)
    for incident in incidents:
        for service in dict.fromkeys(incident.services):
            out[service].append(incident)
    return out


def themes_in(cache: RenderCache) -> rootcause.Themes:
    """`rootcause.themes_of`, kept per incident in the cache: the systemic issues match every
    incident against the lexicon on every run, and an incident's matches change only with it.
    """
    return cache.per_incident("themes", (), rootcause.themes_of)


def synthesis_of(pid: str, members: Sequence[Incident], cache: RenderCache) -> PatternSynthesis:
    """`rootcause.synthesize_group(pid, members)`, kept while the pattern's incidents are."""
    return cache.value(
        "synthesis",
        (pid, members),
        lambda: rootcause.synthesize_group(pid, members, themes_in(cache)),
    )


def pattern_article(
    pattern: Pattern,
    given: PatternSynthesis | None,
    ctx: Context,
    at: str,
    cache: RenderCache,
) -> list[Region]:
    """A pattern's regions, from the synthesis given or its own (kept in the cache)."""
    syn = given or synthesis_of(pattern.id, ctx.get(pattern.incidents), cache)
    return pattern_regions(pattern, syn, ctx, at)


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


def render_kb(
    analysis: Analysis,
    synthesis: Mapping[str, PatternSynthesis] | None,
    systemic: Sequence[SystemicIssue],
    existing: Existing,
    cache: RenderCache | None = None,
) -> dict[str, str]:
    """Every knowledge-base document: path relative to the repo -> full text.

    `synthesis` (pattern id -> `rootcause.synthesize` of it) may be None: a pattern's is then
    worked out only when its article is rendered. Each article is reused from `cache` while
    the inputs named beside its `emit` below are unchanged.
    """
    cache = cache or RenderCache()
    by_id = analysis.incidents()
    patterns = {p.id: p for p in analysis.patterns.patterns}
    services = service_paths(s for i in by_id.values() for s in i.services)
    ctx = Context(by_id, analysis.patterns.of(), patterns, tuple(systemic), services)
    review = analysis.settings.review_period_days
    out: dict[str, str] = {}
    by_pattern: dict[str, str] = {pattern_path(p): p for p in patterns}
    # Each pattern with its incidents, digested once: what `ctx.group` gives for any of them,
    # which case studies and follow-up tables read.
    groups = {pid: fingerprint(p, ctx.get(p.incidents)) for pid, p in patterns.items()}

    def group_of(ids: Iterable[str]) -> list[tuple[str, str | None]]:
        """Each incident with its pattern's digest (None: its group is itself)."""
        return [(i, groups.get(ctx.of.get(i, ""))) for i in ids]

    def emit(
        path: str,
        title: str,
        regions: Callable[[], list[Region]],
        sources: Sequence[Incident],
        inputs: tuple[object, ...],
    ) -> None:
        """The article at path; `inputs` must hold all that `regions()` and `sources` read."""
        if path in out:  # two documents would overwrite each other
            raise ValueError(f"{path}: generated twice")
        pattern = by_pattern.get(path)

        def merge(parts: list[Region], text: str | None) -> str:
            return document.render(
                kind="article",
                title=heading(title),
                regions=parts,
                sources=sources,
                existing=text,
                review_period_days=review,
                pattern=pattern,
                footer=FOOTER,
            )

        inputs = (*inputs, title, pattern, review)
        out[path] = cache.document(path, inputs, existing(path), regions, merge)

    for pid, pattern in sorted(patterns.items()):
        path = pattern_path(pid)
        members = ctx.get(pattern.incidents)
        given = synthesis.get(pid) if synthesis is not None else None
        article = partial(pattern_article, pattern, given, ctx, path, cache)
        # The pattern and its incidents (the synthesis is theirs), each incident's pattern
        # (follow-ups count recurrences in it) and the systemic issues reaching it.
        reads = (groups[pid], group_of(pattern.incidents), systemic_reach(pattern.incidents, ctx))
        emit(path, pattern.title, article, members, reads)
    involved = incidents_by_service(sorted(by_id.values(), key=lambda i: i.id))
    for name, path in sorted(services.items()):
        members = involved[name]
        emit(
            path,
            name,
            partial(service_regions, name, members, ctx, analysis, path),
            members,
            service_inputs(name, members, ctx, analysis),
        )
    for issue in systemic:
        path = systemic_path(issue.id)
        members = ctx.get(issue.incidents)
        titles = {p: ctx.patterns[p].title for p in issue.patterns}
        emit(
            path,
            issue.title,
            partial(systemic_regions, issue, ctx, path),
            members,
            (issue, members, titles, group_of(issue.incidents)),
        )
    earlier = chronicle_digests(ctx)
    cases = [
        i
        for i in sorted(by_id.values(), key=lambda i: i.id)
        if i.severity in SEVERE and i.visibility != "restricted"
    ]
    for incident in cases:
        path = case_path(incident.id)
        home = ctx.of.get(incident.id)
        if home:
            by_pattern[path] = home
        title = f"{incident.title} ({incident.id})"
        # The incident, its pattern's title and the members before it (what it is compared
        # with); later recurrences do not reach it.
        case = partial(case_regions, incident, ctx, path)
        before = ctx.before(incident)
        named = ctx.patterns[home].title if home else None
        emit(path, title, case, [*before, incident], (incident, home, named, earlier[incident.id]))
    # The index reads everything: the whole context is its key.
    emit(
        INDEX,
        "Knowledge base",
        partial(index_regions, ctx, cases),
        sorted(by_id.values(), key=lambda i: i.id),
        (ctx, cases),
    )
    return dict(sorted(out.items()))
