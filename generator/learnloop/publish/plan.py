"""What the site publishes and where: one page per incident, at a path that never collides."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from learnloop.enrich import Timings, timings
from learnloop.model import Incident

INCIDENTS = "incidents"
HOME = "index.md"
INCIDENTS_INDEX = f"{INCIDENTS}/index.md"
BY_SEVERITY = f"{INCIDENTS}/by-severity.md"
BY_SERVICE = f"{INCIDENTS}/by-service.md"
DASHBOARDS = "dashboards/index.md"
INDEX_PAGES = (HOME, INCIDENTS_INDEX, BY_SEVERITY, BY_SERVICE)

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Entry:
    """One published incident: the post-mortem, its timings and its page in the site."""

    incident: Incident
    timings: Timings
    page: str  # path of its page among the site's documents, e.g. incidents/2025/x.md

    @property
    def started(self) -> str:
        """Sort key, newest first when reversed: the start in UTC, ISO formatted."""
        return self.timings.started_at.isoformat()


def newest_first(entries: Iterable[Entry]) -> list[Entry]:
    """Entries by start time, newest first; the id breaks ties."""
    ordered = sorted(entries, key=lambda e: e.incident.id)
    return sorted(ordered, key=lambda e: e.timings.started_at, reverse=True)


def plan(incidents: Iterable[Incident], *, public: bool) -> tuple[list[Entry], list[Incident]]:
    """The incidents to publish with their pages (newest first), and those left out."""
    shown: list[Incident] = []
    hidden: list[Incident] = []
    for incident in sorted(incidents, key=lambda i: (i.path, i.id)):
        (hidden if public and incident.visibility == "restricted" else shown).append(incident)
    taken = set(INDEX_PAGES)
    entries = []
    for incident in shown:
        page = _page_for(incident, taken)
        taken.add(page)
        entries.append(Entry(incident, timings(incident), page))
    return newest_first(entries), hidden


def _page_for(incident: Incident, taken: set[str]) -> str:
    """The incident's file with a .md suffix, so relative links between files keep working."""
    path = incident.path
    if not path.startswith(f"{INCIDENTS}/") or ".." in path.split("/"):
        path = f"{INCIDENTS}/{incident.id}.md"
    stem = posixpath.splitext(path)[0]
    # x.md and x.yaml side by side, or a file named like an index page: the first keeps the
    # plain name (files are taken in path order), the others get a longer one.
    candidates = [f"{stem}.md", f"{path}.md", f"{posixpath.dirname(path)}/{incident.id}.md"]
    candidates += [f"{stem}-{n}.md" for n in range(2, len(taken) + 3)]
    return next(c for c in candidates if c not in taken)


def href(from_page: str, to_page: str) -> str:
    """A relative link from one site document to another, as written in Markdown."""
    return quote(posixpath.relpath(to_page, posixpath.dirname(from_page) or "."))


class Links:
    """Where every published incident lives, so pages can link to each other."""

    def __init__(self, entries: Iterable[Entry], hidden: Iterable[Incident] = ()) -> None:
        entries = list(entries)
        self.by_id = {e.incident.id: e.page for e in entries}
        self.by_source = {e.incident.path: e.page for e in entries}
        self.hidden_ids = frozenset(i.id for i in hidden)
        self.hidden_sources = frozenset(i.path for i in hidden)

    def resolve(self, source: str, page: str, target: str) -> str | None:
        """A link target written in `source`, as seen from `page`; None to drop the link.

        Links to another incident's file point at its page (a YAML file has a .md page);
        links to an incident left out of this build are dropped, leaving their text.
        """
        if _SCHEME.match(target) or target.startswith(("/", "#")):
            return target
        parts = urlsplit(target)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(parts.path)))
        if path in self.hidden_sources:
            return None
        if path in self.by_source:
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            return href(page, self.by_source[path]) + fragment
        return target


def local_file(source: str, target: str) -> str | None:
    """The repository file a relative link in `source` points at, or None for a URL."""
    if _SCHEME.match(target) or target.startswith(("/", "#")):
        return None
    path = posixpath.normpath(
        posixpath.join(posixpath.dirname(source), unquote(urlsplit(target).path))
    )
    return None if path.startswith("..") else path
