"""`learnloop stale`: generated documents whose sources changed since review, or are due.

Freshness is computed from evidence, not stored: a document is stale when its sources'
digest differs from the digest a reviewer signed off, and a runbook also when a newer
incident of its pattern did not use it or rated it unhelpful; it is due when its review date
has passed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import click

from learnloop.commands import Repo
from learnloop.load.fields import as_date
from learnloop.model import Incident
from learnloop.read import load_corpus
from learnloop.settings import load_settings
from learnloop.write import document, front_matter

GENERATED_DIRS = ("runbooks", "kb", "adr")


@dataclass(frozen=True)
class Freshness:
    path: str
    kind: str
    state: str  # fresh | stale | due
    reasons: tuple[str, ...]


def assess(
    path: str, text: str, incidents: dict[str, Incident], today: date, period_days: int = 90
) -> Freshness | None:
    """The freshness of one generated document, with every reason; None if it is not generated
    or asks for no review (an index, a report)."""
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
    if front.get("status") == "retired":
        reasons.append("retired: its pattern no longer exists")
    return Freshness(path, str(front.get("kind")), state, tuple(reasons))


def names(used: str | None, pattern: str) -> bool:
    """Whether a `runbook_used` value names this pattern's runbook: its slug, or its file
    (`db-pool.md`), as `check` accepts it."""
    return used is not None and used.strip().removesuffix(".md") == pattern


def stale(root: Path, today: date | None = None) -> list[Freshness]:
    """Every generated document that is stale or due, sorted by path."""
    corpus = load_corpus(root)
    incidents = corpus.by_id()
    period = load_settings(root).review_period_days
    if today is None:
        today = max((i.started_at.date() for i in corpus.incidents), default=date(1970, 1, 1))
    out = []
    for folder in GENERATED_DIRS:
        for path in sorted((root / folder).rglob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            found = assess(path.relative_to(root).as_posix(), text, incidents, today, period)
            if found is not None and found.state != "fresh":
                out.append(found)
    return out


def to_text(found: list[Freshness]) -> str:
    """One line per document: state, path, reasons."""
    if not found:
        return "every generated document is fresh\n"
    lines = [f"{f.state:5s}  {f.path}: {'; '.join(f.reasons)}" for f in found]
    counts = {s: sum(1 for f in found if f.state == s) for s in ("stale", "due")}
    lines.append(f"{counts['stale']} stale, {counts['due']} due for review")
    return "\n".join(lines) + "\n"


def to_json(found: list[Freshness]) -> str:
    """`{"documents": [{path, kind, state, reasons}]}`."""
    return json.dumps({"documents": [asdict(f) for f in found]}, indent=2) + "\n"


@click.command("stale")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), help="Judge review dates as of this day."
)
@click.pass_obj
def command(obj: Repo, as_json: bool, today: datetime | None) -> None:
    """Generated documents whose sources changed since review, or whose review is due."""
    found = stale(obj.root, today.date() if today else None)
    click.echo(to_json(found) if as_json else to_text(found), nl=False)
