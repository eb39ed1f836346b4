"""Where knowledge-base articles live."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


KB = "kb"


INDEX = f"{KB}/index.md"


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
