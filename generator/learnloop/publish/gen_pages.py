"""The site's mkdocs-gen-files script: every page of a learning repo, written at build time.

mkdocs.yml names a two-line `docs/gen_pages.py` that calls `main()`, so the code lives in the
package and every learning repo (also one made by `learnloop init`) runs the same version.
Nothing written here touches the disk: the files are virtual, part of this build only.
"""

from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from learnloop.analyze import rootcause
from learnloop.analyze.analysis import Analysis, analyze_repo
from learnloop.analyze.patterns import Pattern
from learnloop.analyze.rootcause import SystemicIssue
from learnloop.errors import SettingsError
from learnloop.load import INCIDENTS_DIR, discover
from learnloop.model import Incident
from learnloop.publish import dashboards, generated, incident_context, indexes
from learnloop.publish.home import Inputs as HomeInputs
from learnloop.publish.home import render_home
from learnloop.publish.pages import render_incident_page
from learnloop.publish.plan import (
    BY_SERVICE,
    BY_SEVERITY,
    HOME,
    INCIDENTS_INDEX,
    Entry,
    Links,
    local_file,
    plan,
)
from learnloop.read import load_corpus
from learnloop.settings import Settings, load_settings
from learnloop.site import PUBLIC_ENV

# Under "mkdocs" so that `mkdocs build --strict` counts our warnings as its own.
log = logging.getLogger("mkdocs.plugins.learnloop")

ASSETS = "assets/learnloop"
# Files next to incidents that their pages may show or link to. Not SVG or HTML: opened on
# their own, those run scripts.
ATTACHMENTS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".txt", ".log", ".csv"})
# Where a Markdown link or image names its target; a file named in a code block too is
# published, which shows nothing that the page does not.
_LINK_TARGET = re.compile(r"\]\(\s*<?([^()\s<>]+)")
WATCHED = ("incidents", "runbooks", "kb", "adr", "learnloop.yml")
# The systemic issues of some incidents and patterns: (incident ids, patterns, issues).
Systemic = tuple[set[str], tuple[Pattern, ...], list[SystemicIssue]]
# An incident page ranks below the runbooks and articles built from it: search for a symptom
# should answer with what to do, then with the history.
# Its tag says what it is under each search result.
INCIDENT_FRONT = generated.page_front_matter(
    {"search": {"boost": generated.CASE_BOOST}, "tags": ["Incident"]}
)


@dataclass
class Site:
    """Everything one build publishes: Markdown pages and files copied as they are."""

    pages: dict[str, str] = field(default_factory=dict)  # site path -> Markdown
    edit_paths: dict[str, str | None] = field(default_factory=dict)  # site path -> repo file
    files: dict[str, Path] = field(default_factory=dict)  # site path -> file to copy


def main() -> None:
    """Run by mkdocs-gen-files during `mkdocs build` or `serve`: publish the learning repo."""
    import mkdocs_gen_files

    editor = mkdocs_gen_files.FilesEditor.current()
    config = editor.config
    root = Path(config.config_file_path or ".").resolve().parent
    settings = _settings(root)
    configure(config, settings, root)
    has_home = (Path(config.docs_dir) / HOME).is_file()
    site = collect(root, settings, public=os.environ.get(PUBLIC_ENV) == "1", home=not has_home)
    for path, text in sorted(site.pages.items()):
        with editor.open(path, "w") as handle:
            handle.write(text)
        edit = site.edit_paths.get(path)
        # The theme puts the edit URL in an attribute as it is: a file name must not close it.
        editor.set_edit_path(path, quote(edit) if edit else None)
    for path, source in sorted(site.files.items()):
        with editor.open(path, "wb") as handle:
            handle.write(source.read_bytes())
    for name in sorted(_asset_names()):
        if not (Path(config.docs_dir) / ASSETS / name).is_file():  # a repo may override one
            with editor.open(f"{ASSETS}/{name}", "wb") as handle:
                handle.write(
                    resources.files("learnloop.publish").joinpath("assets", name).read_bytes()
                )


def collect(root: Path, settings: Settings, *, public: bool, home: bool = True) -> Site:
    """Load the repo's incidents and render every page of the site (no MkDocs needed)."""
    # The analysis holds the corpus it was made from: the files are parsed once per build.
    analysis = _analysis(root) if discover(root) else None
    corpus = analysis.corpus if analysis else load_corpus(root)
    for problem in corpus.problems:
        # A file that fails to load is missing from the site: that must fail a strict build.
        level = logging.WARNING if problem.level == "error" else logging.INFO
        log.log(level, "learnloop: %s", problem.format())
    entries, hidden = plan(corpus.incidents, public=public)
    if hidden:
        log.info("learnloop: public build, %d restricted incident(s) left out", len(hidden))
    links = Links(entries, hidden)
    site = Site()
    shown = [e.incident for e in entries]
    # Figures count what generated documents count: restricted incidents are left out of
    # them in every build, so the internal and the public site show the same numbers.
    counted = [i for i in shown if i.visibility != "restricted"]
    note = restricted_note(len(shown) - len(counted), len(hidden), public=public)
    today = max((i.started_at.date() for i in corpus.incidents), default=date(1970, 1, 1))
    hidden_ids = frozenset(i.id for i in hidden)
    documents = generated.collect(
        root,
        shown,
        links,
        hidden_ids,
        today,
        settings.review_period_days,
        note,
        settings.repo_url,
    )
    for page in documents:
        site.pages[page.path] = page.text
        site.edit_paths[page.path] = page.source
    # Game-day experiments sit beside their pages, which link to them: published as files.
    for experiment in sorted((root / "kb" / "gamedays").glob("*.chaos.json")):
        site.files[experiment.relative_to(root).as_posix()] = experiment
    patterns = analysis.patterns.patterns if analysis else ()
    counted_ids = {i.id for i in counted}
    board_patterns = dashboards.shown_patterns(patterns, counted_ids)
    furnished: dict[str, incident_context.IncidentContext] = {}
    systemic: Systemic | None = None
    if analysis:
        furnished, systemic = _furnish(analysis, shown, set(site.pages))
    for entry in entries:
        text = render_incident_page(
            entry.incident,
            entry.timings,
            page=entry.page,
            links=links,
            context=furnished.get(entry.incident.id),
        )
        site.pages[entry.page] = INCIDENT_FRONT + text
        site.edit_paths[entry.page] = entry.incident.path
        for path in sorted(_attachments(root, entry)):
            site.files[path] = root / path
    if systemic is not None and (systemic[0] != counted_ids or systemic[1] != board_patterns):
        systemic = None  # the dashboards look at other incidents: they find their own
    pattern_pages = {
        p.id: target
        for p in patterns
        if (target := incident_context.pattern_page(p.id, site.pages)) is not None
    }
    board_inputs = dashboards.Inputs(
        incidents=tuple(counted),
        patterns=board_patterns,
        settings=settings,
        today=today,
        pattern_pages=pattern_pages,
        incident_pages=links.by_id,
        systemic=systemic[2] if systemic else None,
        note=note,
    )
    for path, text in dashboards.render(board_inputs).items():
        site.pages[path] = text
        site.edit_paths[path] = None
    site.pages[INCIDENTS_INDEX] = indexes.render_incidents_index(entries)
    site.pages[BY_SEVERITY] = indexes.render_by_severity(entries)
    site.pages[BY_SERVICE] = indexes.render_by_service(entries)
    if home:
        site.pages[HOME] = render_home(
            HomeInputs(
                entries=entries,
                counted=counted,
                patterns=board_patterns,
                pattern_pages=pattern_pages,
                documents=documents,
                today=today,
                site_name=settings.site_name,
                note=note,
            )
        )
    return site


def restricted_note(shown: int, hidden: int, *, public: bool) -> str:
    """How figures treat restricted incidents, for the pages that show figures; "" if none."""
    if public:
        return (
            "Restricted incidents are not published here, and no figure counts them."
            if hidden
            else ""
        )
    if not shown:
        return ""
    one = shown == 1
    return (
        f"{shown} restricted incident{'' if one else 's'} {'has its' if one else 'have their'} "
        "own page here but no figure, pattern or generated document counts "
        f"{'it' if one else 'them'}: they are left out of the public site."
    )


# Markdown extensions the pages rely on, added when mkdocs.yml does not name them (a repo made
# by an older `init` has a mkdocs.yml without them): the boxes under titles are HTML blocks
# with Markdown inside, and "- [x] done" in a post-mortem is a ticked box, as GitHub shows it.
EXTENSIONS = {"md_in_html": {}, "pymdownx.tasklist": {"custom_checkbox": True}}


def configure(config: Any, settings: Settings, root: Path) -> None:
    """Apply learnloop.yml's site settings where mkdocs.yml does not set them itself."""
    for name, options in EXTENSIONS.items():
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
            config.mdx_configs.setdefault(name, dict(options))
    if settings.site_name != Settings().site_name:
        # The theme prints the name as HTML; learnloop.yml holds text.
        config.site_name = html.escape(settings.site_name, quote=False)
    # Read as written: learnloop.yml does not check the types of these two.
    repo_url = str(settings.repo_url) if settings.repo_url else None
    edit_uri = str(settings.edit_uri) if settings.edit_uri else None
    if repo_url and not config.repo_url:
        config.repo_url = repo_url
        config.edit_uri = edit_uri or "edit/main/"
        config.repo_name = config.repo_name or repo_url.rstrip("/").rsplit("/", 1)[-1]
    elif edit_uri:
        config.edit_uri = edit_uri
    # `mkdocs serve` registers these after the first build: rebuild when any of them changes.
    for name in WATCHED:
        path = str(root / name)
        if (root / name).exists() and path not in config.watch:
            config.watch.append(path)


def _analysis(root: Path) -> Analysis | None:
    """The repo's patterns and similarity index (cached by `learnloop generate`)."""
    try:
        return analyze_repo(root)
    except SettingsError:
        return None  # already reported by _settings; the pages still build


def _furnish(
    analysis: Analysis, shown: list[Incident], pages: set[str]
) -> tuple[dict[str, incident_context.IncidentContext], Systemic | None]:
    """Each shown incident's context, and the systemic issues it was drawn from.

    Decisions come from the incidents generated documents may quote (restricted ones left
    out); the systemic issues found for those are returned with their inputs, so that the
    dashboards reuse them when they look at the same incidents and patterns.
    """
    seen = incident_context.visible(analysis)
    systemic: Systemic | None = None
    adrs = {}
    if seen is not None:
        found = rootcause.systemic_issues(
            seen.corpus.incidents, seen.patterns.patterns, lexicon=seen.settings.themes
        )
        systemic = ({i.id for i in seen.corpus.incidents}, seen.patterns.patterns, found)
        adrs = incident_context.adrs_by_incident(seen, found)
    ids = [i.id for i in shown]
    furnished = incident_context.contexts_of(
        analysis.index, analysis.incidents(), analysis.patterns.patterns, ids, pages, adrs
    )
    return furnished, systemic


def _settings(root: Path) -> Settings:
    try:
        return load_settings(root)
    except SettingsError as exc:
        for problem in exc.problems:
            log.warning("learnloop: %s", problem)
        return Settings()


def _attachments(root: Path, entry: Entry) -> set[str]:
    """Files under incidents/ that the incident's text links to, to publish beside its page."""
    found: set[str] = set()
    texts = [entry.incident.body, *(text for _, text in entry.incident.sections)]
    folder = (root / INCIDENTS_DIR).resolve()
    for target in (m.group(1) for text in texts for m in _LINK_TARGET.finditer(text)):
        path = local_file(entry.incident.path, target)
        if (
            path
            and path.startswith(f"{INCIDENTS_DIR}/")
            and Path(path).suffix.lower() in ATTACHMENTS
            and (root / path).is_file()
            # A symlink committed under incidents/ must not publish a file from elsewhere.
            and (root / path).resolve().is_relative_to(folder)
        ):
            found.add(path)
    return found


def _asset_names() -> list[str]:
    folder = resources.files("learnloop.publish").joinpath("assets")
    return [item.name for item in folder.iterdir() if item.is_file()]
