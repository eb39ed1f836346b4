"""The knowledge base: articles per pattern, service and systemic issue, case studies, an index.

Every figure is computed from the incidents and every statement cites the incidents it came
from. Text quoted from post-mortems is kept on one line and table-safe; the site escapes it
when it publishes the article. Cost here is the plain recorded figure: customers affected and
revenue lost, summed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

from learnloop.analyze.rootcause import PatternSynthesis, SystemicIssue
from learnloop.model import Incident
from learnloop.write import document
from learnloop.write.cache import RenderCache, fingerprint
from learnloop.write.document import Region
from learnloop.write.kb.articles import (
    pattern_article,
    service_inputs,
    service_regions,
    systemic_regions,
)
from learnloop.write.kb.cases import case_regions, index_regions
from learnloop.write.kb.common import (
    SEVERE,
    Context,
    Existing,
    chronicle_digests,
    incidents_by_service,
    systemic_reach,
    themes_in,
)
from learnloop.write.kb.paths import (
    INDEX,
    KB,
    case_path,
    pattern_path,
    service_paths,
    systemic_path,
)
from learnloop.write.markdown import heading_text

if TYPE_CHECKING:
    from learnloop.analyze.analysis import Analysis


__all__ = [
    "INDEX",
    "KB",
    "case_path",
    "pattern_path",
    "render_kb",
    "service_paths",
    "systemic_path",
    "themes_in",
]

FOOTER = "## Notes\n\n_What the incidents do not say belongs here; this part is never overwritten._"


def render_kb(
    analysis: Analysis,
    synthesis: Mapping[str, PatternSynthesis] | None,
    systemic: Sequence[SystemicIssue],
    existing: Existing,
    cache: RenderCache | None = None,
) -> dict[str, str]:
    """Every knowledge-base document: path relative to the repo -> full text.

    `synthesis` (pattern id -> `rootcause.synthesize` of it) may be None: a pattern's is then
    worked out only when its article is rendered. Each article is reused from `cache` while
    the inputs named beside its `emit` below are unchanged.
    """
    cache = cache or RenderCache()
    by_id = analysis.incidents()
    patterns = {p.id: p for p in analysis.patterns.patterns}
    services = service_paths(s for i in by_id.values() for s in i.services)
    themes = analysis.settings.themes
    ctx = Context(by_id, analysis.patterns.of(), patterns, tuple(systemic), services, themes)
    review = analysis.settings.review_period_days
    out: dict[str, str] = {}
    by_pattern: dict[str, str] = {pattern_path(p): p for p in patterns}
    # Each pattern with its incidents, digested once: what `ctx.group` gives for any of them,
    # which case studies and follow-up tables read.
    groups = {pid: fingerprint(p, ctx.get(p.incidents)) for pid, p in patterns.items()}

    def group_of(ids: Iterable[str]) -> list[tuple[str, str | None]]:
        """Each incident with its pattern's digest (None: its group is itself)."""
        return [(i, groups.get(ctx.of.get(i, ""))) for i in ids]

    def emit(
        path: str,
        title: str,
        regions: Callable[[], list[Region]],
        sources: Sequence[Incident],
        inputs: tuple[object, ...],
    ) -> None:
        """The article at path; `inputs` must hold all that `regions()` and `sources` read."""
        if path in out:  # two documents would overwrite each other
            raise ValueError(f"{path}: generated twice")
        pattern = by_pattern.get(path)
        merge = document.merger("article", heading_text(title), sources, review, FOOTER, pattern)
        inputs = (*inputs, title, pattern, review)
        out[path] = cache.document(path, inputs, existing(path), regions, merge)

    for pid, pattern in sorted(patterns.items()):
        path = pattern_path(pid)
        members = ctx.get(pattern.incidents)
        given = synthesis.get(pid) if synthesis is not None else None
        article = partial(pattern_article, pattern, given, ctx, path, cache)
        # The pattern and its incidents (the synthesis is theirs), each incident's pattern
        # (follow-ups count recurrences in it) and the systemic issues reaching it.
        reads = (
            groups[pid],
            group_of(pattern.incidents),
            systemic_reach(pattern.incidents, ctx),
            themes.digest,
        )
        emit(path, pattern.title, article, members, reads)
    involved = incidents_by_service(sorted(by_id.values(), key=lambda i: i.id))
    for name, path in sorted(services.items()):
        members = involved[name]
        emit(
            path,
            name,
            partial(service_regions, name, members, ctx, analysis, path),
            members,
            service_inputs(name, members, ctx, analysis),
        )
    for issue in systemic:
        path = systemic_path(issue.id)
        members = ctx.get(issue.incidents)
        titles = {p: ctx.patterns[p].title for p in issue.patterns}
        emit(
            path,
            issue.title,
            partial(systemic_regions, issue, ctx, path),
            members,
            (issue, members, titles, group_of(issue.incidents)),
        )
    earlier = chronicle_digests(ctx)
    cases = [
        i
        for i in sorted(by_id.values(), key=lambda i: i.id)
        if i.severity in SEVERE and i.visibility != "restricted"
    ]
    for incident in cases:
        path = case_path(incident.id)
        home = ctx.of.get(incident.id)
        if home:
            by_pattern[path] = home
        title = f"{incident.title} ({incident.id})"
        # The incident, its pattern's title and the members before it (what it is compared
        # with); later recurrences do not reach it.
        case = partial(case_regions, incident, ctx, path)
        before = ctx.before(incident)
        named = ctx.patterns[home].title if home else None
        emit(path, title, case, [*before, incident], (incident, home, named, earlier[incident.id]))
    # The index reads everything: the whole context is its key.
    emit(
        INDEX,
        "Knowledge base",
        partial(index_regions, ctx, cases),
        sorted(by_id.values(), key=lambda i: i.id),
        (ctx, cases),
    )
    return dict(sorted(out.items()))
