"""`learnloop generate`: render everything derived from the incidents, then write or compare."""

from __future__ import annotations

import logging
from pathlib import Path

from learnloop.analyze.analysis import Analysis, analyze_repo
from learnloop.write import changes, remove_leftovers, write_all
from learnloop.write.cache import RenderCache
from learnloop.write.documents import ExistingTexts, hand_edits, render

__all__ = ["generate", "hand_edits", "render"]

log = logging.getLogger(__name__)


def generate(
    root: Path, refit: bool = False, *, write: bool = False, replace_edited: bool = False
) -> tuple[Analysis, dict[str, str], list[str]]:
    """Analyze the repo and render its generated files; with `write`, write those that changed.

    Returns the analysis, every generated file's text and the paths whose text on disk
    differs from it: written now (with `write`), or out of date.
    """
    if write:
        for rel in remove_leftovers(root):
            log.info("removed %s, left by an interrupted run", rel)
    analysis = analyze_repo(root, refit, keep=False)
    cache = RenderCache.load(root)
    existing = ExistingTexts(root, replace_edited=replace_edited)
    rendered = render(analysis, cache, save=False, existing=existing)
    changed = (
        write_all(rendered, root, existing.texts)
        if write
        else changes(rendered, root, existing.texts)
    )
    cache.save(settled=rendered if write else ())
    return analysis, rendered, changed
