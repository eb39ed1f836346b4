"""`learnloop generate`: render everything derived from the incidents, then write or compare."""

from __future__ import annotations

from pathlib import Path

from learnloop.commands.patterns import Analysis, analyze_repo
from learnloop.state import FILENAME as STATE_FILE
from learnloop.state import State, render_state


def render(analysis: Analysis) -> dict[str, str]:
    """Every generated file as text, keyed by path relative to the repo."""
    path = analysis.root / STATE_FILE
    previous = path.read_text(encoding="utf-8") if path.is_file() else None
    state = State(
        patterns=analysis.patterns.records,
        unclustered=analysis.patterns.unclustered,
        adr_numbers=analysis.state.adr_numbers,
    )
    return {STATE_FILE: render_state(state, previous)}


def generate(root: Path) -> tuple[Analysis, dict[str, str]]:
    """Analyze the repo and render its generated files (nothing written yet)."""
    analysis = analyze_repo(root)
    return analysis, render(analysis)
