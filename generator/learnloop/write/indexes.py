"""Runbook indexes: by pattern, by service, by alert (stable URLs for runbook_url), by symptom."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence

from learnloop.analyze.patterns import Pattern
from learnloop.analyze.text import incident_alerts
from learnloop.model import Incident
from learnloop.settings import Settings
from learnloop.write import document
from learnloop.write.cache import RenderCache
from learnloop.write.document import Region
from learnloop.write.runbook import RUNBOOKS, completeness, path_of, steps_of

INDEX = f"{RUNBOOKS}/index.md"
BY_SERVICE = f"{RUNBOOKS}/services.md"
BY_ALERT = f"{RUNBOOKS}/alerts.md"
BY_SYMPTOM = f"{RUNBOOKS}/symptoms.md"
RUNBOOK_INDEXES = (INDEX, BY_SERVICE, BY_ALERT, BY_SYMPTOM)


def anchor(name: str) -> str:
    """The heading anchor MkDocs gives an alert name: lower case, word characters only."""
    return re.sub(r"[^a-z0-9_-]+", "", name.lower().replace(" ", "-"))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_runbook_indexes(
    patterns: Sequence[Pattern],
    incidents: Mapping[str, Incident],
    rendered: Mapping[str, str],
    settings: Settings,
    existing: Callable[[str], str | None],
    cache: RenderCache | None = None,
) -> dict[str, str]:
    """The four runbook indexes as generated documents.

    Each reads every runbook or every incident, so its text is worked out on every run; only
    the costly parts (each incident's alerts, each pattern's steps) and the final merge with
    the file on disk are reused from the cache.
    """
    cache = cache or RenderCache()
    shared = {i: inc for i, inc in incidents.items() if inc.visibility != "restricted"}
    with_runbook = [p for p in patterns if path_of(p.id) in rendered]
    members = {p.id: [shared[i] for i in p.incidents if i in shared] for p in with_runbook}
    # By id rather than in a set: hashing an incident hashes every field of it.
    unique = {i.id: i for ms in members.values() for i in ms}
    sources = [unique[i] for i in sorted(unique)]
    out: dict[str, str] = {}

    def emit(path: str, title: str, text: str) -> None:
        out[path] = document.render_cached(
            cache,
            path,
            existing(path),
            kind="article",
            title=title,
            regions=[Region("index", text)],
            sources=sources,
            review_period_days=settings.review_period_days,
        )

    rows = ["| Runbook | Incidents | Last seen | Completeness |", "|---|---|---|---|"]
    if not with_runbook:
        rows = ["No runbooks yet: one is written once a failure recurs (two incidents)."]
    for p in sorted(with_runbook, key=lambda p: (-len(members[p.id]), p.id)):
        last = max(m.started_at for m in members[p.id]).date().isoformat()
        done = completeness(rendered[path_of(p.id)]) or "—"
        rows.append(f"| [{_cell(p.title)}]({p.id}.md) | {len(members[p.id])} | {last} | {done} |")
    intro = (
        "One runbook per recurring failure pattern, built from the incidents that showed it. "
        "Also by [service](services.md), by [alert](alerts.md) and by [symptom](symptoms.md)."
    )
    emit(INDEX, "Runbooks", intro + "\n\n" + "\n".join(rows))

    by_service: dict[str, list[Pattern]] = defaultdict(list)
    # (service, pattern) -> incidents of the pattern involving the service, counted in the
    # same pass rather than by a scan of the pattern's incidents per service.
    involved: Counter[tuple[str, str]] = Counter()
    for p in with_runbook:
        for m in members[p.id]:
            for service in set(m.services):
                involved[service, p.id] += 1
        for service in sorted({s for m in members[p.id] for s in m.services}):
            by_service[service].append(p)
    lines = []
    for service in sorted(by_service):
        lines.append(f"## {service}\n")
        for p in sorted(by_service[service], key=lambda p: p.id):
            hits = involved[service, p.id]
            lines.append(f"- [{p.title}]({p.id}.md) — {hits} incident{'s' if hits != 1 else ''}")
        lines.append("")
    emit(BY_SERVICE, "Runbooks by service", "\n".join(lines).strip() or "No runbooks yet.")

    pattern_of = {i: p.id for p in with_runbook for i in p.incidents}
    titles = {p.id: p.title for p in with_runbook}
    alert_map: dict[str, set[str | None]] = defaultdict(set)
    alerts = cache.per_incident("alerts", (), incident_alerts)
    for incident in shared.values():
        for name in alerts(incident):
            alert_map[name].add(pattern_of.get(incident.id))
    lines = [
        "Each alert named in an incident, with the runbook to open when it fires. Point an "
        "alert rule's `runbook_url` annotation at `runbooks/alerts/#<alert name in lower "
        "case>`; the anchor never changes.",
        "",
    ]
    for name in sorted(alert_map):
        lines.append(f"## {name}\n")
        found = sorted(p for p in alert_map[name] if p)
        for pid in found:
            lines.append(f"- [{titles[pid]}]({pid}.md)")
        if not found:
            lines.append("- No runbook yet: the incidents that fired it are one-offs.")
        lines.append("")
    emit(BY_ALERT, "Runbooks by alert", "\n".join(lines).strip())

    services = sorted({s for i in incidents.values() for s in i.services})
    lines = ["What responders saw first, and the runbook that explains it.", ""]
    lines += ["| Seeing this | Check | Incidents |", "|---|---|---|"]
    symptom_rows = []
    for p in with_runbook:
        book = steps_of(members[p.id], services, cache, settings.commands)
        for signal in book.symptoms[:5]:
            symptom_rows.append(
                (signal.name, f"[{_cell(p.title)}]({p.id}.md)", len(signal.incidents))
            )
    for name, link, count in sorted(symptom_rows, key=lambda r: (r[0].lower(), r[1])):
        lines.append(f"| `{_cell(name)}` | {link} | {count} |")
    if not symptom_rows:  # a header with no rows says nothing: a sentence does
        lines[2:] = ["No symptoms yet: they come with the first runbook's alerts and log lines."]
    emit(BY_SYMPTOM, "Runbooks by symptom", "\n".join(lines))
    return out
