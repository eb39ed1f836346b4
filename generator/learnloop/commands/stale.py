"""`learnloop stale`: generated documents whose sources changed since review, or are due.

Freshness is computed from evidence, not stored: a document is stale when its sources'
digest differs from the digest a reviewer signed off, a runbook also when a newer incident of
its pattern did not use it or rated it unhelpful, and any page when readers reported it wrong
or missing something in an issue still open (`feedback: {issues: …}` in learnloop.yml, an
export of the site's feedback issues); it is due when its review date has passed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import click

from learnloop.analyze.page_feedback import by_page, since_review
from learnloop.commands import Repo
from learnloop.load.feedback import Export, Feedback, read_export, read_file
from learnloop.load.fields import as_date
from learnloop.model import Incident, Problem
from learnloop.read import load_corpus
from learnloop.settings import Settings, load_settings
from learnloop.write import document, front_matter

GENERATED_DIRS = ("runbooks", "kb", "adr")


@dataclass(frozen=True)
class Freshness:
    path: str
    kind: str
    state: str  # fresh | stale | due
    reasons: tuple[str, ...]
    helpful: int = 0  # readers' ratings since the last review (feedback issues)
    needs_fix: int = 0


def assess(
    path: str,
    text: str,
    incidents: dict[str, Incident],
    today: date,
    period_days: int = 90,
    feedback: Sequence[Feedback] = (),
) -> Freshness | None:
    """The freshness of one generated document, with every reason; None if it is not generated
    or asks for no review (an index, a report). `feedback`: the readers' issues about it."""
    front, _ = front_matter.split_existing(text)
    if front.get("generated_by") != document.GENERATED_BY or not front_matter.needs_review(
        path, front
    ):
        return None
    state, reason = front_matter.freshness(front, today, period_days)
    reasons = [reason] if state != "fresh" else []
    raw = front.get("review")
    review: dict[str, object] = raw if isinstance(raw, dict) else {}
    reviewed = as_date(review.get("at"))
    sources = [incidents[i] for i in front.get("sources") or [] if i in incidents]
    if reviewed and state == "stale":
        newer = sorted(i.id for i in sources if i.started_at.date() > reviewed)
        if newer:
            reasons.append(f"incidents since the review on {reviewed}: {', '.join(newer)}")
    pattern = front.get("pattern")
    if front.get("kind") == "runbook" and pattern:
        since = [i for i in sources if reviewed is None or i.started_at.date() > reviewed]
        # A runbook exists once its pattern has two incidents; later ones should have used it.
        first_two = sorted(sources, key=lambda i: (i.started_at, i.id))[:2]
        later = [i for i in since if i not in first_two]
        unused = sorted(i.id for i in later if not names(i.runbook_used, pattern))
        unhelpful = sorted(
            i.id for i in since if names(i.runbook_used, pattern) and i.runbook_helpful is False
        )
        if unhelpful:
            reasons.append(f"rated unhelpful in {', '.join(unhelpful)}")
        mostly_unused = bool(unused) and len(unused) * 2 > len(later)
        if mostly_unused:
            reasons.append(f"not used in {len(unused)} of {len(later)} later incidents")
        # Evidence that the text failed outranks a review date passing: stale, not due.
        if unhelpful or mostly_unused:
            state = "stale"
    rated = since_review(feedback, reviewed)
    if (why := rated.reason(reviewed)) is not None:
        reasons.append(why)
        state = "stale" if state == "fresh" else state
    if front.get("status") == "retired":
        reasons.append("retired: its pattern no longer exists")
    return Freshness(
        path, str(front.get("kind")), state, tuple(reasons), rated.helpful, rated.needs_fix
    )


@dataclass(frozen=True)
class Review:
    """`stale`'s answer: every document judged, and what the feedback export said."""

    documents: tuple[Freshness, ...]  # every generated document that asks for review
    problems: tuple[Problem, ...]  # the feedback export's
    export: str | None  # its path, when one is configured
    issues: int = 0  # feedback issues read from it

    @property
    def stale(self) -> list[Freshness]:
        """The documents that are stale or due."""
        return [f for f in self.documents if f.state != "fresh"]

    @property
    def rated(self) -> list[Freshness]:
        """The documents readers rated since their review."""
        return [f for f in self.documents if f.helpful or f.needs_fix]


def feedback_export(root: Path, settings: Settings, given: Path | None = None) -> Export | None:
    """The feedback issues in `given` (a file named on the command line), else in the export
    learnloop.yml points at; None when there is neither."""
    if given is not None:
        return read_file(given, str(given))
    if settings.feedback_issues is None:
        return None
    return read_export(root, settings.feedback_issues)


def review(root: Path, today: date | None = None, issues_file: Path | None = None) -> Review:
    """Every generated document that asks for review, judged; with the feedback export read
    (`issues_file`, else learnloop.yml's `feedback: {issues: …}`)."""
    corpus = load_corpus(root)
    incidents = corpus.by_id()
    settings = load_settings(root)
    period = settings.review_period_days
    if today is None:
        today = max((i.started_at.date() for i in corpus.incidents), default=date(1970, 1, 1))
    export = feedback_export(root, settings, issues_file)
    named = str(issues_file) if issues_file is not None else settings.feedback_issues
    issues = by_page(export.issues) if export else {}
    problems = list(export.problems) if export else []
    out = []
    for folder in GENERATED_DIRS:
        for path in sorted((root / folder).rglob("*.md")):
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            found = assess(rel, text, incidents, today, period, issues.get(rel, ()))
            if found is not None:
                out.append(found)
    judged = {f.path for f in out}
    for page, about in sorted(issues.items()):
        if page not in judged:
            numbers = ", ".join(f"#{i.number}" for i in about)
            problems.append(
                Problem(
                    named or "",
                    about[0].line,
                    "warning",
                    f"{numbers}: {page} is not a generated page that asks for review; not counted",
                )
            )
    return Review(
        tuple(out),
        tuple(sorted(problems)),
        named,
        len(export.issues) if export else 0,
    )


def names(used: str | None, pattern: str) -> bool:
    """Whether a `runbook_used` value names this pattern's runbook: its slug, or its file
    (`db-pool.md`), as `check` accepts it."""
    return used is not None and used.strip().removesuffix(".md") == pattern


def stale(root: Path, today: date | None = None) -> list[Freshness]:
    """Every generated document that is stale or due, sorted by path."""
    return review(root, today).stale


def to_text(
    found: list[Freshness], rated: Sequence[Freshness] = (), export: str | None = None
) -> str:
    """One line per document: state, path, reasons; then the readers' ratings, if any."""
    if not found:
        lines = ["every generated document is fresh"]
    else:
        lines = [f"{f.state:5s}  {f.path}: {'; '.join(f.reasons)}" for f in found]
        counts = {s: sum(1 for f in found if f.state == s) for s in ("stale", "due")}
        lines.append(f"{counts['stale']} stale, {counts['due']} due for review")
    if export is not None:
        lines.append(f"readers' feedback since each page's review ({export}):")
        lines += [f"  {f.path}: {f.helpful} helpful, {f.needs_fix} needs fix" for f in rated] or [
            "  none"
        ]
    return "\n".join(lines) + "\n"


def to_json(found: list[Freshness], rated: Sequence[Freshness] = ()) -> str:
    """`{"documents": [{path, kind, state, reasons, helpful, needs_fix}], "feedback": [{path,
    helpful, needs_fix}]}`: the stale or due documents, and every page readers rated since
    its review."""
    ratings = [{"path": f.path, "helpful": f.helpful, "needs_fix": f.needs_fix} for f in rated]
    return (
        json.dumps({"documents": [asdict(f) for f in found], "feedback": ratings}, indent=2) + "\n"
    )


@click.command("stale")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), help="Judge review dates as of this day."
)
@click.option(
    "--issues",
    "issues_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An export of the site's feedback issues (GitHub issues JSON); overrides "
    "`feedback: {issues: …}` in learnloop.yml.",
)
@click.pass_obj
def command(obj: Repo, as_json: bool, today: datetime | None, issues_file: Path | None) -> None:
    """Generated documents whose sources changed since review, or whose review is due.

    With `--issues FILE` (or `feedback: {issues: FILE}` in learnloop.yml), also those readers
    reported wrong or missing something in an issue still open, and how each page was rated
    since its review.
    A broken export is reported line by line (exit 1); the rest is still judged.
    """
    found = review(obj.root, today.date() if today else None, issues_file)
    for problem in found.problems:
        click.echo(problem.format(), err=True)
    if as_json:
        click.echo(to_json(found.stale, found.rated), nl=False)
    else:
        click.echo(to_text(found.stale, found.rated, found.export), nl=False)
    if any(p.level == "error" for p in found.problems):
        sys.exit(1)
