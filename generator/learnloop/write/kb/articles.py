"""Articles per pattern, service and systemic issue: how it fails, why, how it is caught and
what was done, every statement cited."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from learnloop.analyze import rootcause
from learnloop.analyze.patterns import Pattern
from learnloop.analyze.rootcause import PatternSynthesis, SystemicIssue
from learnloop.analyze.similar import first_sentences
from learnloop.model import Incident
from learnloop.write.cache import RenderCache
from learnloop.write.document import Region
from learnloop.write.kb.common import (
    LISTED,
    Context,
    count,
    figures,
    findings,
    follow_ups,
    incidents_table,
    median,
    signal_text,
    synthesis_of,
    systemic_links,
    table,
    tally,
)
from learnloop.write.kb.paths import pattern_path
from learnloop.write.markdown import cite, duration, href, link, one_line, table_cell

if TYPE_CHECKING:
    from learnloop.analyze.analysis import Analysis


# A statement of a limit, as post-mortems give one: a figure with its unit ("32GB of memory",
# "~6500 active volumes", "5.5 billion"), a share of a resource ("near 100% IP address
# utilization", "raised from 85% to 90%"), or a limit named with its figure ("this limit is
# currently set to 100.000", "a maximum capacity of 10", "the hard limit of 4 billion OIDs").
_LIMIT = re.compile(
    r"\b\d[\d,.]*\s?(?:[kmgtp]i?b|ms|s|seconds|minutes|pods|replicas|connections|sessions|"
    r"requests|nodes|partitions|instances|volumes|cores|vcpus?|cpus?|qps|rps|iops|oids|threads|"
    r"workers|files|million|billion)\b"
    r"|\b(?:at|exceeds?|exceeded|exceeding|above|over|near|to) ~?\d+(?:\.\d+)?\s?%"
    r"|\b(?:limit|limits|quota|threshold|maximum|capacity|ceiling)\b[^.;]{0,40}?"
    r"\b(?:of|to|at|is|was)\s+~?\d",
    re.IGNORECASE,
)


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
            f"**How it fails.** {one_line(cause.text)} — "
            f"the cause in {len(cause.incidents)} of {n} "
            f"({cite(ctx.get(cause.incidents), at, 3)})."
        )
    runbook = f"Runbook: [{one_line(pattern.title)}]({href(at, f'runbooks/{pattern.id}.md')})."
    overview = f"{head}\n\n**How often, how long, how costly.** {figures(members).line()} "
    overview += f"Services: {where}.\n\n{runbook}"
    rows = [(table_cell(f.text), f"{len(f.incidents)}: {cite(ctx.get(f.incidents), at, 3)}")
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
        f"{n}. {one_line(w.text)} ({len(w.incidents)}: {cite(ctx.get(w.incidents), at, 3)})"
        for n, w in enumerate(syn.whys, start=1)
    ]
    return "\n".join(["## Why it keeps happening", "", intro, "", *steps])


def detection_text(syn: PatternSynthesis, ctx: Context, at: str) -> str:
    """How it was noticed, how fast, and by whom first."""
    d = syn.detection
    n = len(syn.incidents)
    signals = ", ".join(f"{signal_text(s)} {c}" for s, c in d.first_signals[:5])
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
            f"- **{one_line(f.text)}** — {len(f.incidents)} of {len(syn.incidents)} "
            f"({cite(ctx.get(f.incidents), at, 3)}); e.g. “{one_line(f.origin)}” "
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
    overview = f"**{one_line(service)}** was involved in {figures(members).line()}"
    if catalog is not None and (catalog.owner or catalog.tier is not None):
        overview += f" Owner: {one_line(catalog.owner or 'unknown')}; tier {catalog.tier or '—'}."
    by_pattern: dict[str, list[Incident]] = defaultdict(list)
    for m in members:
        by_pattern[ctx.of.get(m.id, "")].append(m)
    rows = [
        (f"[{table_cell(ctx.patterns[pid].title)}]({href(at, pattern_path(pid))})", len(group),
         max(g.started_at for g in group).date().isoformat(), duration(median(figures(group).ttr)))
        for pid, group in sorted(by_pattern.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        if pid
    ]  # fmt: skip
    modes = "## Failure modes\n\n" + table("Pattern|Incidents here|Last seen|Median TTR", rows)
    for m in sorted(by_pattern.get("", []), key=lambda i: i.id):
        modes += f"\n\nOne-off: {link(m, at)} {one_line(m.title)}"
    together = Counter(s for m in members for s in m.services if s != service)
    pairs = sorted(together.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    near = ", ".join(f"[{one_line(s)}]({href(at, ctx.services[s])}) ({c})" for s, c in pairs)
    deps = ["## Dependencies", ""]
    if catalog is not None and catalog.depends_on:
        deps.append(f"- Declared in learnloop.yml: {one_line(', '.join(catalog.depends_on))}.")
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
        f"[{one_line(ctx.patterns[p].title)}]({href(at, pattern_path(p))})" for p in issue.patterns
    )
    kind = "an architecture change" if issue.architectural else "a practice or process change"
    overview = (
        f"**What recurs.** {one_line(issue.title)}: {count(len(members), 'incident')} across "
        f"{count(len(issue.patterns), 'pattern')} ({pats or 'none'}) and "
        f"{count(len(issue.one_offs), 'one-off incident')}, on "
        f"{count(len(issue.services), 'service')}. {figures(members).line()}\n\n"
        f"**Score {issue.score:g}** = {len(members)} incidents × mean impact {mean:.1f}; impact = "
        "severity weight (P0 8, P1 4, P2 2, P3 1, P4 0.5) × (1 + log10(1 + customers / 1000) + "
        f"log10(1 + revenue / 10000)).\n\n**Direction of the fix** ({kind}): {one_line(issue.fix)}"
    )
    chosen = set(issue.actions)
    acts = follow_ups(members, ctx, at, keep=lambda m, item: (m.id, item.id) in chosen)
    return [
        Region("overview", overview),
        Region("evidence", "## Evidence\n\n" + findings(issue.evidence, ctx, at, len(members), 12)),
        Region("follow-ups", "## Follow-ups that address it\n\n" + acts),
        Region("incidents", incidents_table(members, at, LISTED)),
    ]


def pattern_article(
    pattern: Pattern,
    given: PatternSynthesis | None,
    ctx: Context,
    at: str,
    cache: RenderCache,
) -> list[Region]:
    """A pattern's regions, from the synthesis given or its own (kept in the cache)."""
    syn = given or synthesis_of(pattern.id, ctx.get(pattern.incidents), cache, ctx.themes)
    return pattern_regions(pattern, syn, ctx, at)
