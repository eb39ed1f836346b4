"""One import: find the inputs, read each with its format's reader, plan the files, write.

Everything is planned before anything is written, so a dry run reports exactly what a real
run does; writes are atomic, one file at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from learnloop import privacy
from learnloop.importers import (
    alertmanager,
    attach,
    cstate,
    detect,
    docx,
    gcp,
    html,
    jira,
    links,
    markdown,
    opsgenie,
    pagerduty,
    slack,
    statuspage,
    table,
)
from learnloop.importers.plan import Existing, Planned, Planner
from learnloop.importers.records import Document, Imported, Record, Skipped
from learnloop.load import INCIDENTS_DIR
from learnloop.model import Problem
from learnloop.settings import Settings
from learnloop.write import atomic_write

log = logging.getLogger(__name__)

# Readers of one document each; PagerDuty, Opsgenie and Jira read all their documents
# together, as one incident's events, log entries and webhooks arrive in several files.
_SINGLE: dict[str, Callable[[Document], list[Record]]] = {
    "markdown": markdown.records,
    "html": html.records,
    "cstate": cstate.records,
    "statuspage": statuspage.records,
    "gcp": gcp.records,
    "table": table.records,
    "docx": docx.records,
}
_GROUPED: dict[str, Callable[[Sequence[Document]], list[Record]]] = {
    "pagerduty": pagerduty.records,
    "opsgenie": opsgenie.records,
    "jira": jira.records,
}


@dataclass
class Report:
    """What an import did (or, in a dry run, would do)."""

    imported: list[Planned] = field(default_factory=list)
    updated: list[Planned] = field(default_factory=list)
    unchanged: list[Planned] = field(default_factory=list)
    skipped: list[Planned | Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # privacy findings, reading notes
    candidates: int = 0  # alerts kept as candidate precursors
    candidates_path: str | None = None

    @property
    def failed(self) -> bool:
        """Whether an input was broken or a written file holds a secret: exit status 1."""
        return any(s.error for s in self.skipped) or any(p.level == "error" for p in self.problems)

    def to_json(self) -> dict[str, Any]:
        """The `import --json` contract (DESIGN §4), with the warnings beside it."""

        def entry(p: Planned) -> dict[str, Any]:
            out: dict[str, Any] = {"source": p.source, "path": p.path, "id": p.ident}
            if p.reason:
                out["note"] = p.reason
            return out

        return {
            "imported": [entry(p) for p in self.imported],
            "updated": [entry(p) for p in self.updated],
            "unchanged": [entry(p) for p in self.unchanged],
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "candidate_alerts": {"count": self.candidates, "path": self.candidates_path},
            "problems": [p.as_json() for p in self.problems],
        }


def read_records(docs: Sequence[Document], settings: Settings) -> list[Record]:
    """Every document read by its format's reader; a reader that fails skips its document."""
    out: list[Record] = []
    grouped: dict[str, list[Document]] = {}
    channels = settings.importing.slack_channels
    for doc in docs:
        if doc.fmt in _GROUPED:
            grouped.setdefault(doc.fmt, []).append(doc)
        elif doc.fmt == "slack":
            out.extend(_guard(doc.shown, partial(slack.records, doc, channels)))
        elif doc.fmt in _SINGLE:
            out.extend(_guard(doc.shown, partial(_SINGLE[doc.fmt], doc)))
    for fmt, group in sorted(grouped.items()):
        out.extend(_guard(group[0].shown, partial(_GROUPED[fmt], group)))
    read_as = {doc.shown: doc.notes for doc in docs if doc.notes}
    return [_with_notes(r, read_as) for r in out] if read_as else out


def _with_notes(record: Record, read_as: dict[str, tuple[str, ...]]) -> Record:
    # How a file was decoded is said on every incident read from it.
    notes = read_as.get(record.source.split("#", 1)[0], ())
    if not notes or not isinstance(record, Imported):
        return record
    return replace(record, notes=(*notes, *record.notes))


def _guard(source: str, read: Callable[[], list[Record]]) -> list[Record]:
    # A reader meeting a shape it was not written for must not end the whole import: the
    # input is reported, the rest still imports.
    try:
        return read()
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as exc:
        log.debug("reader failed on %s", source, exc_info=True)
        return [Skipped(source, f"could not be read ({type(exc).__name__}: {exc})")]


def run(
    root: Path,
    paths: Sequence[Path],
    fmt: str,
    settings: Settings,
    *,
    dry_run: bool = False,
    cwd: Path | None = None,
) -> Report:
    """Import incidents from the paths into root's incidents/; write nothing when dry_run."""
    report = Report()
    own = (root / INCIDENTS_DIR).resolve()
    found = detect.gather([p.resolve() for p in paths], fmt, cwd or Path.cwd(), own)
    docs = [d for d in found if isinstance(d, Document)]
    report.skipped.extend(s for s in found if isinstance(s, Skipped))
    alert_docs = [d for d in docs if d.fmt == "alertmanager"]
    records = read_records([d for d in docs if d.fmt != "alertmanager"], settings)
    report.skipped.extend(r for r in records if isinstance(r, Skipped))
    imported = sorted(
        (r for r in records if isinstance(r, Imported)), key=lambda r: (r.origin, r.source_id)
    )
    planner = Planner(root, settings, Existing.scan(root))
    placed = [(record, *planner.place(record)) for record in imported]
    # Where each source file's incident now lives, for the links between post-mortems.
    targets = dict(planner.existing.by_origin)
    targets.update({r.origin: rel for r, _, rel in placed if "#" not in r.origin})
    texts: dict[str, str] = {}
    for record, ident, rel in placed:
        if record.format in _TEXT_FORMATS:
            record = _relinked(record, rel, targets)
        planned = planner.plan(record, ident, rel)
        _file(report, planned)
        if planned.text is not None:
            texts[planned.path] = planned.text
    if alert_docs:
        refs, skipped = alertmanager.records(alert_docs)
        report.skipped.extend(skipped)
        outcome = attach.attach_all(root, refs, texts, planner.existing)
        for planned in outcome.planned:
            _file(report, planned)
            if planned.text is not None:
                texts[planned.path] = planned.text
        report.candidates = len(outcome.candidates)
        if outcome.candidates_text is not None:
            report.candidates_path = attach.CANDIDATES
            texts[attach.CANDIDATES] = outcome.candidates_text
    for rel, text in sorted(texts.items()):
        for finding in privacy.scan(text, allow=settings.privacy_allow):
            report.problems.append(
                Problem(rel, finding.line, finding.level, finding.message, code=finding.kind)
            )
    if not dry_run:
        for rel, text in sorted(texts.items()):
            atomic_write(root / rel, text)
    for skip in report.skipped:  # broken input, in the form every command reports errors
        if skip.error:
            report.problems.append(Problem(skip.source, 0, "error", skip.reason, code="import"))
    report.problems.sort()
    return report


_TEXT_FORMATS = ("markdown", "html", "cstate")


def _relinked(record: Imported, rel: str, targets: dict[str, str]) -> Imported:
    body, dropped = links.rewrite(record.body, record.origin, rel, targets)
    if not dropped:
        return replace(record, body=body)
    note = f"{dropped} link(s) to files that were not imported were unlinked; their words kept"
    return replace(record, body=body, notes=(*record.notes, note))


def _file(report: Report, planned: Planned) -> None:
    for note in planned.notes:
        report.problems.append(
            Problem(planned.path or planned.source, 0, "warning", note, code="import")
        )
    target = {
        "imported": report.imported,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }.get(planned.action)
    if target is not None:
        target.append(planned)
    else:
        report.skipped.append(planned)
