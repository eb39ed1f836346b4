"""`learnloop generate`: render everything derived from the incidents, then write or compare."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from learnloop.analyze.analysis import Analysis, analyze_repo
from learnloop.commands import Repo
from learnloop.commands.review import only_review_due
from learnloop.model import Problem
from learnloop.write import changes, remove_leftovers, write_all
from learnloop.write.cache import RenderCache
from learnloop.write.documents import ExistingTexts, hand_edits, render

__all__ = ["generate", "hand_edits", "render"]

log = logging.getLogger(__name__)


def generate(
    root: Path, refit: bool = False, *, write: bool = False, replace_edited: bool = False
) -> tuple[Analysis, dict[str, str], list[str], list[Problem]]:
    """Analyze the repo and render its generated files; with `write`, write those that changed.

    Returns the analysis, every generated file's text, the paths whose text on disk differs
    from it (written now, with `write`, or out of date), and the regions edited by hand.
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
    edits = hand_edits(rendered, cache)
    cache.save(settled=rendered if write else ())
    return analysis, rendered, changed, edits


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


@click.command("generate")
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 on drift.")
@click.option(
    "--refit",
    is_flag=True,
    help="Relearn the pattern engine from every incident instead of placing new ones.",
)
@click.option(
    "--replace-edited",
    is_flag=True,
    help="Regenerate regions a person edited instead of keeping the edits.",
)
@click.pass_obj
def command(obj: Repo, check_only: bool, refit: bool, replace_edited: bool) -> None:
    """Write the generated files (patterns.yml, …) from the incidents."""
    analysis, rendered, changed, edits = generate(
        obj.root, refit, write=not check_only, replace_edited=replace_edited
    )
    for note in analysis.patterns.notes:
        click.echo(f"correction obeyed: {note}", err=True)
    for problem in edits:
        click.echo(problem.format(), err=True)
    if check_only:
        # A review signed by hand is accepted: its due date follows on the next generate.
        signed = [rel for rel in changed if only_review_due(_read(obj.root / rel), rendered[rel])]
        for rel in signed:
            click.echo(f"note: {rel}: review_due follows its new review on the next generate")
        changed = [rel for rel in changed if rel not in signed]
        for rel in changed:
            click.echo(f"would change: {rel}")
        if changed:
            click.echo(f"{len(changed)} generated file(s) out of date; run `learnloop generate`")
        if edits:
            click.echo(
                f"{len(edits)} generated region(s) changed by hand: kept, and no longer "
                "updated; see the hints above"
            )
        if changed or edits:
            sys.exit(1)
        click.echo(f"generated files are current ({len(rendered)} checked)")
        return
    for rel in changed:
        click.echo(f"wrote {rel}")
    click.echo(f"{len(changed)} of {len(rendered)} generated files changed")
