"""`learnloop generate`: render everything derived from the incidents, then write or compare."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from learnloop.commands.patterns import Analysis, analyze_repo
from learnloop.state import FILENAME as STATE_FILE
from learnloop.state import State, render_state
from learnloop.write import document, indexes, runbook

Existing = Callable[[str], str | None]


def reader(root: Path) -> Existing:
    """Reads a generated file's current text (None when absent), for merging human edits."""

    def existing(rel: str) -> str | None:
        path = root / rel
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return existing


def retire(text: str) -> str:
    """Mark a generated document whose pattern disappeared as retired; change nothing else."""
    front, body = document.split_existing(text)
    if not front or front.get("status") == "retired":
        return text
    head = text[: len(text) - len(body)]
    if re.search(r"(?m)^status: .*$", head):
        head = re.sub(r"(?m)^status: .*$", "status: retired", head, count=1)
    else:
        head = head.replace("\ntitle:", "\nstatus: retired\ntitle:", 1)
    return head + body


def render(analysis: Analysis) -> dict[str, str]:
    """Every generated file as text, keyed by path relative to the repo."""
    existing = reader(analysis.root)
    incidents = analysis.incidents()
    patterns = analysis.patterns.patterns
    out = runbook.render_runbooks(patterns, incidents, analysis.settings, existing)
    current = {runbook.path_of(p.id) for p in patterns}
    for path in sorted((analysis.root / runbook.RUNBOOKS).glob("*.md")):
        rel = path.relative_to(analysis.root).as_posix()
        text = existing(rel)
        if rel in current or rel in indexes.RUNBOOK_INDEXES or text is None:
            continue
        front, _ = document.split_existing(text)
        if front.get("kind") == "runbook":
            out[rel] = retire(text)
    out.update(
        indexes.render_runbook_indexes(patterns, incidents, out, analysis.settings, existing)
    )
    state = State(
        patterns=analysis.patterns.records,
        unclustered=analysis.patterns.unclustered,
        adr_numbers=analysis.state.adr_numbers,
    )
    out[STATE_FILE] = render_state(state, existing(STATE_FILE))
    return dict(sorted(out.items()))


def generate(root: Path) -> tuple[Analysis, dict[str, str]]:
    """Analyze the repo and render its generated files (nothing written yet)."""
    analysis = analyze_repo(root)
    return analysis, render(analysis)
