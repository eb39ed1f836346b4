"""Readers' ratings of a generated page since its last review, from exported feedback issues.

An issue counts when it was filed on or after the day of the page's last review (every issue
counts for a page never reviewed): a reviewer signs off what they read, and feedback filed the
same day may be about the version they signed. A needs-fix issue still open makes the page
stale until someone fixes the page (or says it is fine) and closes the issue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from learnloop.load.feedback import HELPFUL, NEEDS_FIX, Feedback


@dataclass(frozen=True)
class PageFeedback:
    """How a page was rated since its review, and the needs-fix issues still open."""

    helpful: int = 0
    needs_fix: int = 0
    open_needs_fix: tuple[int, ...] = ()  # issue numbers, ascending

    def reason(self, reviewed: date | None) -> str | None:
        """Why the page is stale because of its feedback, or None."""
        if not self.open_needs_fix:
            return None
        since = (
            f"since the review on {reviewed.isoformat()}" if reviewed else "since it was generated"
        )
        numbers = ", ".join(f"#{n}" for n in self.open_needs_fix)
        many = "issue" if len(self.open_needs_fix) == 1 else "issues"
        return f"readers reported it wrong or missing something {since}: open {many} {numbers}"


def by_page(issues: Iterable[Feedback]) -> dict[str, list[Feedback]]:
    """The issues of each page, by issue number."""
    out: dict[str, list[Feedback]] = defaultdict(list)
    for issue in sorted(issues, key=lambda i: (i.page, i.number)):
        out[issue.page].append(issue)
    return dict(out)


def since_review(issues: Iterable[Feedback], reviewed: date | None) -> PageFeedback:
    """A page's ratings filed on or after its review day (all of them if never reviewed)."""
    counted = [i for i in issues if reviewed is None or i.created.date() >= reviewed]
    return PageFeedback(
        helpful=sum(i.rating == HELPFUL for i in counted),
        needs_fix=sum(i.rating == NEEDS_FIX for i in counted),
        open_needs_fix=tuple(sorted(i.number for i in counted if i.rating == NEEDS_FIX and i.open)),
    )


def runbook_ratings(issues: Iterable[Feedback]) -> list[dict[str, object]]:
    """Readers' ratings of each runbook over the whole export, by path: what the site's links
    filed, beside the ratings incidents record (`runbook_helpful`)."""
    rows = []
    for page, about in sorted(by_page(issues).items()):
        if not page.startswith("runbooks/"):
            continue
        rows.append(
            {
                "runbook": page,
                "helpful": sum(i.rating == HELPFUL for i in about),
                "needs_fix": sum(i.rating == NEEDS_FIX for i in about),
                "open_needs_fix": [i.number for i in about if i.rating == NEEDS_FIX and i.open],
            }
        )
    return rows
