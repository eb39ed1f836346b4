"""CODEOWNERS: the owners of a document's services review it when a pull request changes it.

A generated runbook, article or game day belongs to the services its incidents are about (those
in at least half of them, else the one named most: `analyze.gamedays.principal_services`), and
their owners in learnloop.yml's service catalog are asked to review it. The lines sit in one
block between `# learnloop:begin owners` and `# learnloop:end owners`; the rest of the file is
people's and never changed. GitHub takes the last line that matches a path, so a new block goes
at the end of the file, where its exact paths win over broader lines above; once written, the
block stays where it is (a person who moved it meant it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from learnloop.analyze.gamedays import principal_services
from learnloop.analyze.rootcause import SystemicIssue
from learnloop.settings import CODEOWNERS_FILES, Settings
from learnloop.write import gamedays, kb, runbook

if TYPE_CHECKING:
    from learnloop.analyze.analysis import Analysis

BEGIN = "# learnloop:begin owners"
END = "# learnloop:end owners"
_PATH = re.compile(r"[A-Za-z0-9._/-]+")  # a path written as it is, with nothing to escape
Existing = Callable[[str], str | None]


def routes(
    analysis: Analysis, systemic: Sequence[SystemicIssue] = ()
) -> dict[str, tuple[str, ...]]:
    """Each generated document that belongs to services -> those services, most involved first.

    Runbooks, pattern articles and game days follow their pattern's incidents; a service's
    article its service; a case study its incident's services; a systemic issue's article the
    incidents it gathers. Indexes and reports belong to everyone, so to no one here.
    """
    by_id = analysis.incidents()
    out: dict[str, tuple[str, ...]] = {}
    for pattern in analysis.patterns.patterns:
        members = [by_id[i] for i in pattern.incidents if i in by_id]
        if not members:
            continue
        services = principal_services(members)
        for path in (
            runbook.path_of(pattern.id),
            kb.pattern_path(pattern.id),
            gamedays.page_path(pattern.id),
            gamedays.experiment_path(pattern.id),
        ):
            out[path] = services
    for service, path in kb.service_paths(s for i in by_id.values() for s in i.services).items():
        out[path] = (service,)
    for incident in by_id.values():
        out[kb.case_path(incident.id)] = tuple(dict.fromkeys(incident.services))
    for issue in systemic:
        members = [by_id[i] for i in issue.incidents if i in by_id]
        if members:
            out[kb.systemic_path(issue.id)] = principal_services(members)
    return dict(sorted(out.items()))


def owners(services: Sequence[str], settings: Settings) -> tuple[list[str], list[str]]:
    """(handles to ask, owners with no known handle) of some services, in service order."""
    handles: list[str] = []
    unknown: list[str] = []
    for service in services:
        entry = settings.services.get(service)
        if entry is None or not entry.owner:
            continue
        handle = settings.codeowners.handle(entry.owner)
        if handle is None:
            unknown.append(entry.owner)
        elif handle not in handles:
            handles.append(handle)
    return handles, unknown


def block(paths: Mapping[str, Sequence[str]], settings: Settings) -> str:
    """The generated lines, markers included: one line per document with owners to ask."""
    lines = [
        BEGIN,
        "# Written by `learnloop generate` from the service owners in learnloop.yml: each",
        "# generated document is reviewed by the owners of the services its incidents are about.",
        "# Change owners in learnloop.yml, not here; lines outside this block are yours.",
    ]
    missing: set[str] = set()
    for path, services in paths.items():
        handles, unknown = owners(services, settings)
        missing.update(unknown)
        if handles and _PATH.fullmatch(path):
            lines.append(f"/{path} {' '.join(handles)}")
    if missing:
        lines.append(
            f"# No GitHub handle for {', '.join(sorted(missing))}: write owners as @org/team, "
            "or set codeowners.org or codeowners.handles in learnloop.yml."
        )
    lines.append(END)
    return "\n".join(lines) + "\n"


def merge(existing: str | None, generated: str) -> str:
    """The file with its block replaced, or the block added at its end; nothing else changed."""
    if not existing:
        return generated
    lines = existing.splitlines(keepends=True)
    starts = [n for n, line in enumerate(lines) if line.rstrip("\r\n") == BEGIN]
    if starts:
        ends = [n for n, line in enumerate(lines) if line.rstrip("\r\n") == END and n > starts[0]]
        if ends:
            return "".join([*lines[: starts[0]], generated, *lines[ends[0] + 1 :]])
    text = existing if existing.endswith("\n") else existing + "\n"
    return text + ("\n" if text.strip() else "") + generated


def file_of(settings: Settings, existing: Existing) -> str:
    """The CODEOWNERS file to write: the one set, else the one GitHub reads, else .github/."""
    if settings.codeowners.file:
        return settings.codeowners.file
    return next((f for f in CODEOWNERS_FILES if existing(f) is not None), CODEOWNERS_FILES[0])


def render_codeowners(
    analysis: Analysis,
    rendered: Mapping[str, str],
    existing: Existing,
    systemic: Sequence[SystemicIssue] = (),
    extra: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, str]:
    """{CODEOWNERS path: its text} for the generated documents in `rendered`; {} when the
    catalog names no owner and no block was written before (nothing is created for nothing).

    `extra` routes more documents to services (a team's onboarding page to its own).
    """
    settings = analysis.settings
    rel = file_of(settings, existing)
    current = existing(rel)
    has_owners = any(s.owner for s in settings.services.values())
    if not has_owners and (current is None or BEGIN not in current):
        return {}
    found = {**routes(analysis, systemic), **(extra or {})}
    paths = {p: s for p, s in sorted(found.items()) if p in rendered}
    return {rel: merge(current, block(paths, settings))}


def team_services(team: str, settings: Settings) -> tuple[str, ...]:
    """The services a team owns, by its name in the catalog or its GitHub handle."""
    handle = settings.codeowners.handle(team) or team
    return tuple(
        sorted(
            name
            for name, entry in settings.services.items()
            if entry.owner
            and (entry.owner == team or settings.codeowners.handle(entry.owner) == handle)
        )
    )


def documents_of(
    team: str, analysis: Analysis, systemic: Sequence[SystemicIssue] = ()
) -> list[str]:
    """The generated documents whose review is routed to a team."""
    own = set(team_services(team, analysis.settings))
    return [path for path, services in routes(analysis, systemic).items() if own & set(services)]
