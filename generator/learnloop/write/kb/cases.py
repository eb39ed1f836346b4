"""Case studies of severe incidents, and the knowledge base's index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from learnloop.analyze import detection, rootcause
from learnloop.analyze.cost import usd
from learnloop.analyze.similar import first_sentences
from learnloop.enrich import timings
from learnloop.model import Incident
from learnloop.write.document import Region
from learnloop.write.kb.common import (
    SEVERE,
    Context,
    cause_lines,
    count,
    figures,
    incidents_by_service,
    median,
    signal_text,
    table,
    tally,
)
from learnloop.write.kb.paths import INDEX, case_path, pattern_path, systemic_path
from learnloop.write.markdown import duration, href, link, one_line, table_cell

if TYPE_CHECKING:
    pass


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
    overview = f"**What happened.** {one_line(summary)} ({link(incident, at)}: "
    overview += f"{one_line(' · '.join(facts))})\n\n**Impact.** "
    overview += one_line(imp.summary or "; ".join(cost) or "not recorded")
    if pid := ctx.of.get(incident.id):
        before = len(ctx.before(incident))
        pattern = f"[{one_line(ctx.patterns[pid].title)}]({href(at, pattern_path(pid))})"
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
            f"- {e.at.strftime('%H:%M') if e.at else '—'} — {one_line(e.text)}"
            for e in events[:limit]
        ]
        if len(events) > limit:
            lines.append(f"- … {len(events) - limit} more in the post-mortem.")
    return "\n".join(lines)


def case_cause(incident: Incident) -> str:
    """Root cause, category, trigger, the whys and the contributing factors."""
    lines = ["## Why it happened", "", one_line(rootcause.cause_text(incident) or "Not recorded.")]
    category = incident.root_cause.category or detection.NOT_RECORDED
    trigger = incident.trigger or detection.NOT_RECORDED
    lines += ["", f"Category: {one_line(category)}. Trigger: {one_line(trigger)}."]
    if whys := rootcause.whys(incident):
        lines += ["", "**Five whys.**", ""]
        lines += [f"{n}. {one_line(w)}" for n, w in enumerate(whys, start=1)]
    if factors := rootcause.factors(incident):
        lines += ["", "**Contributing factors.**", "", *(f"- {one_line(f)}" for f in factors)]
    return "\n".join(lines)


def response_text(incident: Incident, ctx: Context) -> str:
    """How it was detected and resolved, with which runbook, by whom, and what was learned."""
    t = timings(incident)
    signal = detection.first_signal(incident)
    detected = f"- Detection: {one_line(detection.detection_method(incident))}"
    detected += f" ({signal_text(signal)})" if signal else ""
    if t.ttd is not None:
        detected += f" after {duration(t.ttd)}"
        earlier = [v for m in ctx.before(incident) if (v := timings(m).ttd) is not None]
        if earlier:
            detected += f"; the pattern's median before it was {duration(median(earlier))}"
    fix = rootcause.prose(incident.section("resolution") or incident.section("mitigation"))
    fix = first_sentences(fix, 400) if fix.strip() else "not recorded"
    lines = ["## Response", "", detected + ".", f"- Resolution: {one_line(fix)}"]
    if incident.runbook_used:
        verdict = {True: "it helped", False: "it did not help", None: "no verdict"}
        helped = verdict[incident.runbook_helpful]
        lines.append(f"- Runbook used: {one_line(incident.runbook_used)} ({helped}).")
    people = ", ".join(f"{r.name} ({r.role})" if r.role else r.name for r in incident.responders)
    if people:
        lines.append(f"- Responders: {one_line(people)}.")
    if lessons := rootcause.items(incident.section("lessons")):
        lines += ["", "**Lessons.**", "", *(f"- {one_line(x)}" for x in lessons)]
    return "\n".join(lines)


def followup_text(incident: Incident, ctx: Context, at: str) -> str:
    """Its action items, and whether the pattern came back afterwards."""
    rows = []
    for a in incident.action_items:
        state = a.status + (f" {a.done_at.isoformat()}" if a.done_at else "")
        if a.due and a.status == "open":
            state += f", due {a.due.isoformat()}"
        rows.append(
            (
                table_cell(a.id),
                table_cell(a.title),
                a.kind or "—",
                table_cell(a.owner or "—"),
                state,
            )
        )
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
    overall = detection.tallies(everything)
    known = overall.customer_share
    share = f"{known:.0%}" if known is not None else "an unknown share"
    overview = (
        f"{fig.line()}\n\n{count(len(ctx.patterns), 'recurring pattern')} "
        f"{'covers' if len(ctx.patterns) == 1 else 'cover'} {len(ctx.of)} of "
        f"{count(fig.n, 'incident')}; one-offs: {fig.n - len(ctx.of)}.\n\nAcross all incidents — "
        f"root-cause categories: {tally(overall.categories, 8)}. Triggers: "
        f"{tally(overall.triggers, 8)}. Detected by: {tally(overall.methods)}; customers noticed "
        f"first in {share} of those whose detection is known."
    )
    rows: list[Sequence[object]] = []
    for p in sorted(ctx.patterns.values(), key=lambda p: (-len(p.incidents), p.id)):
        f = figures(ctx.get(p.incidents))
        rows.append((f"[{table_cell(p.title)}]({href(at, pattern_path(p.id))})", f.n, f.last,
                     duration(median(f.ttr)), f"{f.customers:,}", usd(f.revenue)))  # fmt: skip
    pats = "## Patterns\n\n" + table(
        "Pattern|Incidents|Last seen|Median TTR|Customers|Revenue", rows
    )
    if rows:
        pats += f"\n\nPractise them: [a game day per pattern]({href(at, 'kb/gamedays/index.md')})."
        pats += (
            f" New to on-call? [Your first on-call]({href(at, 'kb/onboarding/index.md')}) ranks "
            "the failures most likely to page you, with what to read and what to be able to answer."
        )
    rows = [
        (n, f"[{table_cell(s.title)}]({href(at, systemic_path(s.id))})", f"{s.score:g}",
         len(s.incidents), len(s.patterns), "yes" if s.architectural else "no")
        for n, s in enumerate(ctx.systemic, start=1)
    ]  # fmt: skip
    systemic = (
        "## Systemic issues\n\nRanked by score = frequency × mean impact (each article states "
        f"the formula).\n\n{table('#|Issue|Score|Incidents|Patterns|Architectural', rows)}"
    )
    produced = cause_lines(ctx.systemic, ctx.of, ctx.patterns, at)
    if produced:
        systemic += "\n\n**Causes and the patterns they produce** (incidents of each pattern "
        systemic += "the cause contributed to):\n\n" + "\n".join(produced)
    rows = []
    involved = incidents_by_service(everything)
    for name, path in sorted(ctx.services.items()):
        members = involved.get(name, [])
        severe = sum(1 for m in members if m.severity in SEVERE)
        pcount = len({ctx.of[m.id] for m in members if m.id in ctx.of})
        rows.append((f"[{table_cell(name)}]({href(at, path)})", len(members), severe, pcount))
    services = "## Services\n\n" + table("Service|Incidents|P0/P1|Patterns", rows)
    lines = [
        f"- [{m.id}]({href(at, case_path(m.id))}) {one_line(m.title)} — {m.severity}, "
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
