"""Architecture Decision Record drafts (MADR) for the architecture changes incidents called for.

A decision comes from
- a follow-up marked `adr: true`, or a `prevent` follow-up whose title names an architecture
  change (`rootcause.ARCHITECTURE`, the `architecture` words of read/data/themes.yml:
  circuit breaker, failover, redundancy, a separate or dedicated pool, cluster or node group,
  isolation, migrating away from a system, replacing one with another, a staging environment,
  a staged rollout …); `adr: false` opts out. Follow-ups with the same title in several
  incidents are one decision;
- a systemic issue whose fix is an architecture change.

Numbers are stable: each decision has a key (`ai:<incident>:<action>` of the first incident
that asked for it, or `systemic:<issue>`), recorded with its number in patterns.yml; a new
decision gets the next number, oldest evidence first. An existing `adr/NNNN-*.md` keeps its
file name. The status is the reviewers': `proposed` is only the default, and once a decision
is `accepted` (date in `accepted_at` or MADR's `date`), any later incident of the same pattern
is flagged on it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from functools import partial
from typing import TYPE_CHECKING, Any

from learnloop.analyze.cost import usd
from learnloop.analyze.rootcause import ARCHITECTURE, SystemicIssue, cause_text, dedupe, factors
from learnloop.load.fields import as_date
from learnloop.model import ActionItem, Incident
from learnloop.slugs import slug
from learnloop.write import document, front_matter
from learnloop.write.cache import RenderCache
from learnloop.write.document import Region
from learnloop.write.kb.common import LISTED, Existing, count, figures, incidents_table, median
from learnloop.write.kb.paths import pattern_path, systemic_path
from learnloop.write.markdown import cite, duration, heading_text, href, link, one_line

if TYPE_CHECKING:
    from learnloop.analyze.analysis import Analysis

ADR = "adr"
PROPOSED = "proposed"
# Decision titles for the architectural systemic themes: the solution, not the problem.
SYSTEMIC_TITLES = {
    "no-canary": "Test every change where it matches production, then roll it out in stages",
    "no-circuit-breaker": "Bounded retries, deadlines and circuit breakers on every remote call",
    "single-point-of-failure": "Remove single points of failure in nodes, providers and people",
    "shared-without-isolation": "Isolate workloads that share infrastructure",
    "slow-work-in-hot-path": "Move slow and blocking work off the request path",
}


@dataclass(frozen=True)
class Decision:
    """One architecture change the incidents call for, and the incidents behind it."""

    key: str
    title: str
    incidents: tuple[str, ...]  # the incidents behind it
    patterns: tuple[str, ...]
    actions: tuple[tuple[str, str], ...] = ()  # (incident, action id)
    systemic: SystemicIssue | None = None


def is_architectural(item: ActionItem) -> bool:
    """A follow-up that is an architecture decision: marked so, or a prevention named like one."""
    marked = dict(item.extra).get("adr")
    if isinstance(marked, bool):
        return marked
    return item.kind == "prevent" and bool(ARCHITECTURE.search(item.title))


def decisions(
    analysis: Analysis, systemic: Sequence[SystemicIssue], recorded: Mapping[str, int]
) -> list[Decision]:
    """Every decision the incidents call for, keyed so that its number never changes."""
    of = analysis.patterns.of()
    ordered = sorted(analysis.corpus.incidents, key=lambda i: (i.started_at, i.id))
    groups: dict[str, list[tuple[Incident, ActionItem]]] = {}
    for incident in ordered:
        for item in sorted(incident.action_items, key=lambda a: a.id):
            if is_architectural(item):
                groups.setdefault(" ".join(item.title.lower().split()), []).append((incident, item))
    out = []
    for uses in groups.values():
        keys = [f"ai:{i.id}:{a.id}" for i, a in uses]
        known = sorted((recorded[k], k) for k in keys if k in recorded)
        ids = tuple(sorted({i.id for i, _ in uses}))
        out.append(
            Decision(
                key=known[0][1] if known else keys[0],
                title=" ".join(uses[0][1].title.split()),
                incidents=ids,
                patterns=tuple(sorted({of[i] for i in ids if i in of})),
                actions=tuple(sorted((i.id, a.id) for i, a in uses)),
            )
        )
    for issue in systemic:
        if issue.architectural:
            title = SYSTEMIC_TITLES.get(issue.id, f"Fix across services: {issue.title}")
            out.append(
                Decision(f"systemic:{issue.id}", title, issue.incidents, issue.patterns, (), issue)
            )
    return sorted(out, key=lambda d: d.key)


def numbering(
    found: Sequence[Decision], recorded: Mapping[str, int], by_id: Mapping[str, Incident]
) -> dict[str, int]:
    """Recorded numbers kept; new decisions numbered after them, oldest evidence first."""
    out = dict(recorded)
    following = max(out.values(), default=0) + 1

    def first_seen(d: Decision) -> tuple[str, str]:
        starts = [by_id[i].started_at.isoformat() for i in d.incidents if i in by_id]
        return (min(starts, default=""), d.key)

    for d in sorted((d for d in found if d.key not in out), key=first_seen):
        out[d.key] = following
        following += 1
    return dict(sorted(out.items()))


def file_slug(title: str) -> str:
    """A decision's file-name slug: the first words of its title."""
    return slug(title, words=8, default="decision")


def adr_files(analysis: Analysis) -> list[str]:
    """The names in adr/, sorted, read once for every decision's path."""
    folder = analysis.root / ADR
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def adr_path(
    analysis: Analysis, number: int, title: str, names: Sequence[str] | None = None
) -> str:
    """adr/NNNN-slug.md; an existing file with that number keeps its name.

    `names` is `adr_files(analysis)` when the caller has it, to list the folder only once.
    """
    names = adr_files(analysis) if names is None else names
    taken = [n for n in names if fnmatchcase(n, f"{number:04d}-*.md")]
    if taken:
        return f"{ADR}/{taken[0]}"
    return f"{ADR}/{number:04d}-{file_slug(title)}.md"


def accepted_on(front: Mapping[str, Any]) -> date | None:
    """When the decision was accepted, from `accepted_at` or MADR's `date`."""
    for key in ("accepted_at", "date"):
        if (day := as_date(front.get(key))) is not None:
            return day
    return None


def _context(
    d: Decision, members: list[Incident], by_id: Mapping[str, Incident], at: str, names: str
) -> str:
    behind = [by_id[i] for i in d.incidents if i in by_id]
    fig = figures(behind)
    lines = ["## Context and Problem Statement", ""]
    if d.systemic is not None:
        s = d.systemic
        lines.append(
            f"[{one_line(s.title)}]({href(at, systemic_path(s.id))}) recurs in "
            f"{count(len(behind), 'incident')} across {count(len(s.patterns), 'pattern')} "
            f"(score {s.score:g}). {fig.line()}"
        )
        lines += ["", "In the incidents' own words:", ""]
        lines += [
            f"- {one_line(f.text)} ({cite([by_id[i] for i in f.incidents if i in by_id], at, 3)})"
            for f in s.evidence[:5]
        ]
    else:
        asked = count(len(behind), "incident")
        lines.append(f"{asked} asked for this change ({cite(behind, at)}).")
        if members:
            pfig = figures(members)
            lines += ["", f"The pattern, {names}: {pfig.line()}"]
        newest = max(behind, key=lambda i: (i.started_at, i.id))
        if said := cause_text(newest):
            lines += ["", f"Root cause, as {link(newest, at)} put it: “{one_line(said)}”"]
    return "\n".join(lines)


def _drivers(d: Decision, members: list[Incident], by_id: Mapping[str, Incident], at: str) -> str:
    group = members or [by_id[i] for i in d.incidents if i in by_id]
    fig = figures(group)
    spread = d.systemic
    lines = ["## Decision Drivers", ""]
    lines.append(f"- Recurrence: {count(fig.n, 'incident')} from {fig.first} to {fig.last}.")
    lines.append(
        f"- Recorded cost: {fig.customers:,} customers affected, {usd(fig.revenue)} of revenue; "
        f"{fig.severe} at P0/P1."
    )
    if fig.ttr:
        lines.append(f"- Median time to resolve {duration(median(fig.ttr))} each time.")
    if spread is not None:
        lines.append(
            f"- Spread: {count(len(spread.patterns), 'pattern')}, "
            f"{count(len(spread.one_offs), 'one-off incident')}, "
            f"{count(len(spread.services), 'service')}."
        )
        return "\n".join(lines)
    for f in dedupe((m.id, text) for m in group for text in factors(m))[:3]:
        lines.append(f"- Contributing factor in {len(f.incidents)} of {fig.n}: {one_line(f.text)}")
    return "\n".join(lines)


def _options(d: Decision, members: list[Incident], by_id: Mapping[str, Incident]) -> str:
    mine = {d.title.lower()}
    mine |= {a.title.lower() for i, aid in d.actions for a in by_id[i].action_items if a.id == aid}
    # The alternatives: other fixes tried for the same pattern, or for the same systemic issue.
    chosen = set(d.systemic.actions) if d.systemic else None
    others = Counter(
        " ".join(a.title.split())
        for m in members
        for a in m.action_items
        if a.kind in ("prevent", "mitigate")
        and a.title.lower() not in mine
        and (chosen is None or (m.id, a.id) in chosen)
    )
    options = [d.title, *(t for t, _ in sorted(others.items(), key=lambda kv: (-kv[1], kv[0]))[:3])]
    options.append("Keep the current design; rely on detection, the runbook and mitigation")
    lines = ["## Considered Options", ""]
    lines += [f"{n}. {one_line(o)}" for n, o in enumerate(options, start=1)]
    return "\n".join(lines)


def _outcome(d: Decision, members: list[Incident], by_id: Mapping[str, Incident], at: str) -> str:
    items = [(by_id[i], a) for i, aid in d.actions for a in by_id[i].action_items if a.id == aid]
    lines = ["## Decision Outcome", ""]
    lines.append(
        f"Proposed option: “{one_line(d.title)}”, because it removes a cause shared by "
        f"{count(len(d.incidents), 'incident')} instead of mitigating each occurrence."
    )
    lines += ["", "### Consequences", ""]
    fig = figures(members or [by_id[i] for i in d.incidents if i in by_id])
    lines.append(
        f"- Good, because it targets failures that cost {fig.customers:,} customers and "
        f"{usd(fig.revenue)} over {count(fig.n, 'incident')} so far."
    )
    efforts = [a.effort for _, a in items if a.effort]
    effort = f"about {max(efforts):g} days of work (as estimated)" if efforts else "design work"
    lines.append(
        f"- Bad, because it is an architecture change: {effort}, and a new component to run."
    )
    for incident, item in items:
        state = item.status + (f" {item.done_at.isoformat()}" if item.done_at else "")
        owner = f", owner {one_line(item.owner)}" if item.owner else ""
        lines.append(f"- Follow-up {link(incident, at)} {item.id}: {state}{owner}.")
    return "\n".join(lines)


def _recurrence(
    d: Decision,
    front: Mapping[str, Any],
    members: list[Incident],
    by_id: Mapping[str, Incident],
    at: str,
) -> str:
    status = str(front.get("status") or PROPOSED)
    watched = [by_id[i] for i in d.incidents if i in by_id] if d.systemic else members
    lines = ["### Confirmation", ""]
    if status != "accepted":
        lines.append(
            f"Status {one_line(status)}: recurrences are tracked from the day it is accepted "
            "(set `status: accepted` and `accepted_at: YYYY-MM-DD` in the front matter)."
        )
        done = sorted(
            a.done_at for i, aid in d.actions for a in by_id[i].action_items
            if a.id == aid and a.done_at is not None
        )  # fmt: skip
        if done:
            later = [m for m in watched if m.started_at.date() > done[0]]
            lines.append(
                f"\nThe follow-up was first done on {done[0].isoformat()}; "
                f"{count(len(later), 'incident')} of the pattern since"
                + (f": {cite(later, at)}." if later else ".")
            )
        return "\n".join(lines)
    since = accepted_on(front)
    if since is None:
        lines.append("Accepted, but without `accepted_at`: add the date to track recurrences.")
        return "\n".join(lines)
    later = [m for m in watched if m.started_at.date() > since]
    if not later:
        lines.append(f"No incident of this pattern since it was accepted on {since.isoformat()}.")
        return "\n".join(lines)
    lines.append('!!! warning "Recurred after this decision"')
    lines.append(
        f"    {count(len(later), 'incident')} of the same pattern started after it was accepted on "
        f"{since.isoformat()}: {cite(later, at, 6)}."
    )
    return "\n".join(lines)


def render_adrs(
    analysis: Analysis,
    systemic: Sequence[SystemicIssue],
    existing: Existing,
    cache: RenderCache | None = None,
) -> tuple[dict[str, str], dict[str, int]]:
    """ADR drafts (path -> text) and every decision key -> number, for patterns.yml.

    A record is reused from `cache` while its decision, its incidents, its pattern's incidents
    and titles, the review period and its current text are unchanged.
    """
    cache = cache or RenderCache()
    by_id = analysis.incidents()
    recorded = dict(analysis.state.adr_numbers)
    found = decisions(analysis, systemic, recorded)
    numbers = numbering(found, recorded, by_id)
    patterns = {p.id: p for p in analysis.patterns.patterns}
    review = analysis.settings.review_period_days
    files = adr_files(analysis)
    out: dict[str, str] = {}
    for d in sorted(found, key=lambda d: numbers[d.key]):
        path = adr_path(analysis, numbers[d.key], d.title, files)
        behind = [by_id[i] for i in d.incidents if i in by_id]
        # A follow-up is judged against its whole pattern, a systemic fix against its incidents.
        members = behind if d.systemic else [
            by_id[i] for i in sorted({i for p in d.patterns for i in patterns[p].incidents})
            if i in by_id
        ]  # fmt: skip
        titles = {p: patterns[p].title for p in d.patterns}
        # `by_id` is only asked for the decision's own incidents (`behind`): these are all a
        # record reads, with its own text.
        out[path] = cache.document(
            path,
            (d, behind, members, titles, review),
            existing(path),
            partial(_regions, d, behind, members, titles, by_id, path),
            partial(_record, d, behind, members, by_id, path, review),
        )
    return out, numbers


def _regions(
    d: Decision,
    behind: list[Incident],
    members: list[Incident],
    titles: Mapping[str, str],
    by_id: Mapping[str, Incident],
    path: str,
) -> list[Region]:
    """Every region of a record but its confirmation, which reads the record's own status."""
    names = ", ".join(
        f"[{one_line(title)}]({href(path, pattern_path(p))})" for p, title in titles.items()
    )
    table = incidents_table(behind, path, LISTED).replace(
        "## Incidents", "## Incidents behind it", 1
    )
    return [
        Region("context", _context(d, members, by_id, path, names)),
        Region("drivers", _drivers(d, members, by_id, path)),
        Region("options", _options(d, members, by_id)),
        Region("outcome", _outcome(d, members, by_id, path)),
        Region("incidents", table),
    ]


def _record(
    d: Decision,
    behind: list[Incident],
    members: list[Incident],
    by_id: Mapping[str, Incident],
    path: str,
    review: int,
    regions: list[Region],
    old: str | None,
) -> str:
    """The record's file: `_regions` and its confirmation merged into its current text."""
    front, _ = front_matter.split_existing(old, sources=False)  # status and acceptance only
    confirmation = Region("confirmation", _recurrence(d, front, members, by_id, path))
    return document.render(
        kind="adr",
        title=heading_text(d.title),
        regions=[*regions[:-1], confirmation, regions[-1]],
        sources=sorted({*members, *behind}, key=lambda i: i.id),
        existing=old,
        review_period_days=review,
        pattern=d.patterns[0] if len(d.patterns) == 1 else None,
        status=PROPOSED,
    )


def adrs_by_incident(
    analysis: Analysis, systemic: Sequence[SystemicIssue], numbers: Mapping[str, int]
) -> dict[str, list[tuple[int, str, str]]]:
    """incident id -> the ADRs it led to: (number, title, path), by number."""
    out: dict[str, list[tuple[int, str, str]]] = {}
    files = adr_files(analysis)
    for d in decisions(analysis, systemic, numbers):
        if d.key not in numbers:
            continue
        entry = (numbers[d.key], d.title, adr_path(analysis, numbers[d.key], d.title, files))
        for incident in d.incidents:
            out.setdefault(incident, []).append(entry)
    return {i: sorted(entries) for i, entries in sorted(out.items())}
