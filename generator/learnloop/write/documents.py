"""Every generated file rendered from an analysis, as text by path: the write stage.

Runbooks, knowledge-base articles, decision records, reports, indexes and the pattern record, each
merged with what people wrote in the file already. Nothing here writes: `generate` (the
command) compares or writes what this returns.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import replace
from functools import partial
from pathlib import Path

from learnloop import enrich
from learnloop.analyze import rootcause
from learnloop.analyze.analysis import Analysis
from learnloop.analyze.patterns import MIN_SIZE
from learnloop.model import Problem
from learnloop.state import FILENAME as STATE_FILE
from learnloop.state import State, render_state
from learnloop.write import (
    adr,
    chaos,
    codeowners,
    document,
    front_matter,
    gamedays,
    indexes,
    kb,
    onboarding,
    report,
    runbook,
)
from learnloop.write.cache import RenderCache

log = logging.getLogger(__name__)


class ExistingTexts:
    """Reads a generated file's current text (None when absent), for merging human edits.

    What it read is kept in `texts`: deciding which files a run changes then compares with
    the text the documents were merged with, rather than reading every file a second time.
    """

    def __init__(self, root: Path, *, replace_edited: bool = False) -> None:
        self.root = root
        self.texts: dict[str, str | None] = {}
        # Regions people edited are kept unless asked otherwise: then each file is read as if
        # no digest of what was generated were recorded, so every region is refreshed.
        self.replace_edited = replace_edited

    def __call__(self, rel: str) -> str | None:
        if rel in self.texts:
            return self.texts[rel]
        try:
            text: str | None = (self.root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = None
        self.texts[rel] = text
        if text is not None and self.replace_edited:
            return document.forget_edits(text)
        return text


def retire(text: str) -> str:
    """Mark a generated document whose pattern disappeared as retired; change nothing else."""
    front, body = front_matter.split_existing(text)
    if not front or front.get("status") == "retired":
        return text
    head = text[: len(text) - len(body)]
    if re.search(r"(?m)^status: .*$", head):
        head = re.sub(r"(?m)^status: .*$", "status: retired", head, count=1)
    else:
        head = head.replace("\ntitle:", "\nstatus: retired\ntitle:", 1)
    return head + body


def without_restricted(analysis: Analysis) -> Analysis:
    """The analysis without restricted incidents: generated documents never quote them."""
    keep = tuple(i for i in analysis.corpus.incidents if i.visibility != "restricted")
    ids = {i.id for i in keep}
    patterns = tuple(
        replace(p, incidents=members)
        for p in analysis.patterns.patterns
        if len(members := tuple(i for i in p.incidents if i in ids)) >= MIN_SIZE
    )
    return replace(
        analysis,
        corpus=replace(analysis.corpus, incidents=keep),
        patterns=replace(analysis.patterns, patterns=patterns),
    )


def render(
    analysis: Analysis,
    cache: RenderCache | None = None,
    *,
    save: bool = True,
    existing: ExistingTexts | None = None,
) -> dict[str, str]:
    """Every generated file as text, keyed by path relative to the repo.

    Documents whose inputs did not change since the last run are taken from the render cache
    (write/cache.py; `cache`, or the repo's own) rather than rendered: the text is the same.
    The cache is saved unless the caller will (`save=False`).
    """
    cache = cache or RenderCache.load(analysis.root)
    # Every writer reads the incidents' milestones; working them out from the timelines is
    # per incident, so they are kept per incident file.
    enrich.preload(analysis.corpus.incidents, cache.per_incident("timings", (), enrich.timings))
    existing = existing or ExistingTexts(analysis.root)
    incidents = analysis.incidents()
    patterns = analysis.patterns.patterns
    out = runbook.render_runbooks(patterns, incidents, analysis.settings, existing, cache)
    visible = without_restricted(analysis)
    themes = analysis.settings.themes
    systemic = rootcause.systemic_issues(
        visible.corpus.incidents,
        visible.patterns.patterns,
        kb.themes_in(cache, themes),
        cache.value,
        themes,
    )
    # Each pattern's synthesis is worked out (or reused) only where its article is rendered.
    out.update(kb.render_kb(visible, None, systemic, existing, cache))
    out.update(gamedays.render_gamedays(visible, existing, cache))
    # The steps it quotes are the runbooks': worked out over every service name, as theirs are.
    named = sorted({s for i in incidents.values() for s in i.services})
    out.update(onboarding.render_onboarding(visible, named, existing, cache))
    adr_files, adr_numbers = adr.render_adrs(visible, systemic, existing, cache)
    out.update(adr_files)
    out.update(report.render_reports(visible, None, existing, systemic, cache))
    # A runbook or article whose subject is gone is marked retired, never deleted (what it
    # quoted of an incident restricted since is withdrawn). Decision records are left alone:
    # their status belongs to the people who decide.
    restricted = {i.id for i in analysis.corpus.incidents if i.visibility == "restricted"}
    for folder in (runbook.RUNBOOKS, kb.KB):
        for path in sorted((analysis.root / folder).rglob("*.md")):
            rel = path.relative_to(analysis.root).as_posix()
            if rel in out or rel in indexes.RUNBOOK_INDEXES:
                continue  # rendered this run: read nothing
            text = existing(rel)
            if text is None:
                continue
            front, _ = front_matter.split_existing(text)
            if front.get("generated_by") == document.GENERATED_BY:
                out[rel] = retire(document.withdraw(text, restricted))
    out.update(
        indexes.render_runbook_indexes(patterns, incidents, out, analysis.settings, existing, cache)
    )
    # Who reviews what: the owners of each document's services, in CODEOWNERS.
    teams = onboarding.routes(visible, out)
    out.update(codeowners.render_codeowners(visible, out, existing, systemic, teams))
    if save:
        cache.save()
    log.info("%s", cache.summary())
    # Numbers of decisions whose evidence is gone stay reserved: a number is never reused.
    numbers = dict(analysis.state.adr_numbers) | adr_numbers
    state = State(
        patterns=analysis.patterns.records,
        unclustered=analysis.patterns.unclustered,
        since_refit=analysis.patterns.since_refit,
        adr_numbers=tuple(sorted(numbers.items())),
    )
    out.update(render_state(state, existing(STATE_FILE)))
    return dict(sorted(out.items()))


def hand_edits(rendered: dict[str, str], cache: RenderCache | None = None) -> list[Problem]:
    """Regions people edited (kept) or left without an end marker, in the generated files.

    What a text says of its regions depends on that text alone: with `cache`, a document's
    answer is kept under its text's digest, so a run that leaves most documents as they were
    does not read the front matter of every one of them again.
    """
    cache = cache or RenderCache()

    def inspected(rel: str, text: str) -> tuple[Problem, ...]:
        return (*document.inspect(rel, text), *chaos.inspect(rel, text))

    found: list[Problem] = []
    for rel, text in rendered.items():
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        found.extend(cache.value("hand-edits", (rel, digest), partial(inspected, rel, text)))
    return sorted(found)
