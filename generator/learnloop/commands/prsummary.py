"""`learnloop pr-summary`: Markdown for a pull request that adds or changes post-mortems.

It names the incidents the pull request adds or changes, with their check results; for each
new one the three most similar past incidents and the runbook of its pattern (or "possible
new pattern"); and the generated documents that change, each with a short reason. The diff
is a real git diff from the merge base of `--base` to the working tree, so it works on a
branch before anything is committed as well as on the merge commit a workflow checks out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from learnloop import check as check_mod
from learnloop import gitfacts, write
from learnloop.analyze.analysis import Analysis, analyze_repo
from learnloop.analyze.lookup import from_analysis
from learnloop.analyze.similar import Match
from learnloop.commands import generate as generate_cmd
from learnloop.commands import similar as similar_cmd
from learnloop.errors import LearnloopError
from learnloop.load import INCIDENTS_DIR, SUFFIXES, discover, display_path
from learnloop.model import Incident, Problem
from learnloop.state import FILENAME as STATE_FILE
from learnloop.state import MEMBERS, parse_state
from learnloop.write import document, front_matter
from learnloop.write import runbook as runbook_mod

MARKER = "<!-- learnloop:pr-summary -->"  # finds the comment to update instead of adding one
SIMILAR = 3
DETAILED = 20  # new incidents shown in full; a bulk import lists the rest in the table only
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_ROW = re.compile(r"^\|(?!\s*:?-{3,})")


def _is_incident_path(rel: str) -> bool:
    parts = rel.split("/")
    return (
        len(parts) > 1
        and parts[0] == INCIDENTS_DIR
        and Path(rel).suffix in SUFFIXES
        and not any(p.startswith(("_", ".")) for p in parts[1:])
        and parts[-1].lower() not in ("readme.md", "index.md")
    )


@dataclass(frozen=True)
class IncidentChange:
    change: gitfacts.FileChange
    incident: Incident | None  # None when the file does not load
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class NewIncident:
    incident: Incident
    similar: tuple[Match, ...]
    verdict: str  # Markdown: the pattern and its runbook, or "possible new pattern"


@dataclass(frozen=True)
class Summary:
    ref: str
    base: str
    incidents: tuple[IncidentChange, ...]
    deleted: tuple[str, ...]
    new: tuple[NewIncident, ...]
    generated: tuple[tuple[str, str], ...]  # (path, reason)
    not_regenerated: tuple[str, ...]  # generated files the branch has not updated yet


def summarize(root: Path, ref: str) -> Summary:
    """Everything the pull-request summary says, from a git diff and one analysis."""
    diff = gitfacts.git_diff(root, ref)
    analysis = analyze_repo(root)
    current = {display_path(p, root) for p in discover(root)}
    changed = [f for f in diff.files if f.status != "deleted" and f.path in current]
    deleted = tuple(
        f.path for f in diff.files if f.status == "deleted" and _is_incident_path(f.path)
    )
    by_path = {i.path: i for i in analysis.corpus.incidents}
    problems = check_mod.check(analysis.corpus, analysis.settings, root)
    incidents = tuple(
        IncidentChange(f, by_path.get(f.path), tuple(p for p in problems if p.path == f.path))
        for f in changed
    )
    new_ids = {
        i.incident.id for i in incidents if i.change.status == "added" and i.incident is not None
    }
    rendered = generate_cmd.render(analysis)
    # "Known" means recorded at the base: a pattern this branch creates is a new one.
    # A base from before patterns.members.yml kept the members in patterns.yml.
    base_members = diff.read_base(MEMBERS) or diff.read_base(STATE_FILE)
    known = set(recorded(base_members)[0])
    new = tuple(
        _new_incident(analysis, i.incident, new_ids, known, rendered)
        for i in incidents
        if i.incident is not None and i.incident.id in new_ids
    )
    before = {rel: diff.read_base(rel) for rel in rendered}
    before[MEMBERS] = base_members
    hidden = frozenset(i.id for i in analysis.corpus.incidents if i.visibility == "restricted")
    generated = tuple(
        (rel, describe(rel, before[rel], text, hidden))
        for rel, text in rendered.items()
        if before[rel] != text
    )
    return Summary(
        ref=ref,
        base=diff.base,
        incidents=incidents,
        deleted=deleted,
        new=new,
        generated=generated,
        not_regenerated=tuple(write.changes(rendered, root)),
    )


def past_view(analysis: Analysis, new_ids: set[str], known: set[str]) -> Analysis:
    """The analysis as the base saw it: its recorded patterns, without the new incidents."""
    patterns = []
    for pattern in analysis.patterns.patterns:
        members = tuple(i for i in pattern.incidents if i not in new_ids)
        if pattern.id in known and members:
            patterns.append(dataclasses.replace(pattern, incidents=members))
    found = dataclasses.replace(analysis.patterns, patterns=tuple(patterns))
    return dataclasses.replace(analysis, patterns=found)


def _new_incident(
    analysis: Analysis,
    incident: Incident,
    new_ids: set[str],
    known: set[str],
    rendered: dict[str, str],
) -> NewIncident:
    past = past_view(analysis, new_ids, known)
    query = similar_cmd.query_from_file(analysis.root / incident.path, analysis.root)
    answer = similar_cmd.run(from_analysis(past), query, SIMILAR + len(new_ids), past.root)
    results: list[Match] = answer["results"]  # type: ignore[assignment]
    # A pull-request comment is read more widely than the repo: restricted incidents are
    # never named in it, only counted.
    restricted = {i.id for i in analysis.corpus.incidents if i.visibility == "restricted"}
    similar = tuple(m for m in results if m.id not in new_ids and m.id not in restricted)[:SIMILAR]
    before = {p.id: p for p in past.patterns.patterns}
    engine = analysis.patterns.of().get(incident.id)

    def runbook(pid: str) -> str:
        rel = runbook_mod.path_of(pid)
        exists = rel in rendered or (analysis.root / rel).is_file()
        return f"runbook `{rel}`" if exists else "no runbook yet"

    if engine and engine in before:
        title = _md(before[engine].title)
        verdict = f"**Pattern:** `{engine}` ({title}), {runbook(engine)}."
    elif engine:
        group = next(p for p in analysis.patterns.patterns if p.id == engine)
        hidden = sum(i in restricted for i in group.incidents if i != incident.id)
        named = [i for i in group.incidents if i != incident.id and i not in restricted]
        others = ", ".join(
            [
                *named,
                *([f"{hidden} restricted incident{'s' if hidden > 1 else ''}"] if hidden else []),
            ]
        )
        rel = runbook_mod.path_of(engine)
        made = f"; its runbook `{rel}` is new in this pull request" if rel in rendered else ""
        verdict = (
            f"**Possible new pattern:** with {others} it forms the new pattern `{engine}`{made}."
        )
    elif not answer["novel"] and answer["pattern"]:
        pid = str(answer["pattern"])
        verdict = f"**Pattern:** closest to `{pid}`, {runbook(pid)}."
    else:
        nearest: dict[str, Any] | None = answer.get("nearest_pattern")  # type: ignore[assignment]
        near = (
            f"the nearest, `{nearest['id']}`, is at distance {nearest['distance']:.2f} "
            f"(patterns hold within {float(answer['threshold']):.2f})"  # type: ignore[arg-type]
            if nearest
            else "there are no patterns yet"
        )
        verdict = f"**Possible new pattern:** it fits none of the known patterns; {near}."
    return NewIncident(incident, similar, verdict)


def _regions(text: str) -> dict[str, str]:
    return {span.name: span.text for span in document.scan(text).spans}


def _count(text: str, pattern: re.Pattern[str]) -> int:
    return sum(1 for line in text.splitlines() if pattern.match(line))


def describe(rel: str, old: str | None, new: str, hidden: frozenset[str] = frozenset()) -> str:
    """Why a generated file changes, in a few words: sources, regions, patterns.

    Restricted incidents (`hidden`) are counted, never named.
    """
    if rel == MEMBERS:
        return _describe_state(old, new, hidden)
    if rel == STATE_FILE:
        return _describe_corrections(old, new)
    new_front, _ = front_matter.split_existing(new)
    kind = str(new_front.get("kind") or "file")
    sources = [str(s) for s in new_front.get("sources") or []]
    if old is None:
        cited = f" from {len(sources)} source{'s' if len(sources) != 1 else ''}"
        return f"new {kind}" + (f"{cited} ({', '.join(sources)})" if sources else "")
    old_front, _ = front_matter.split_existing(old)
    before = {str(s) for s in old_front.get("sources") or []}
    parts = []
    added = sorted(set(sources) - before)
    removed = sorted(before - set(sources))
    if added:
        parts.append(f"+{len(added)} source{'s' if len(added) > 1 else ''} ({', '.join(added)})")
    if removed:
        parts.append(
            f"−{len(removed)} source{'s' if len(removed) > 1 else ''} ({', '.join(removed)})"
        )
    if old_front.get("title") != new_front.get("title"):
        parts.append("title changed")
    if old_front.get("status") != new_front.get("status") and new_front.get("status"):
        parts.append(f"status {new_front.get('status')}")
    old_regions, new_regions = _regions(old), _regions(new)
    changed = []
    for name, body in new_regions.items():
        if old_regions.get(name) == body:
            continue
        if name not in old_regions:
            changed.append(f"{name} (new)")
            continue
        noun = "step" if kind == "runbook" and name in runbook_mod.SECTIONS else "item"
        note = _delta(old_regions[name], body, _ITEM, noun) or _delta(
            old_regions[name], body, _ROW, "row"
        )
        changed.append(f"{name} ({note})" if note else name)
    if changed:
        parts.append("changed: " + ", ".join(changed))
    return "; ".join(parts) or "figures updated"


def _delta(old: str, new: str, pattern: re.Pattern[str], noun: str) -> str:
    diff = _count(new, pattern) - _count(old, pattern)
    if diff == 0:
        return ""
    word = noun if abs(diff) == 1 else noun + "s"
    return f"{diff} {word} added" if diff > 0 else f"{-diff} {word} removed"


def recorded(text: str | None) -> tuple[dict[str, set[str]], set[str]]:
    """The active patterns (id -> members) and the one-offs a members text records.

    A patterns.yml from before the members moved out has the same keys, and reads the same.
    """
    try:
        state = parse_state("", text or "")
    except LearnloopError:
        return {}, set()
    patterns = {r.id: set(r.incidents) for r in state.patterns if r.incidents and not r.retired}
    return patterns, set(state.unclustered)


def _describe_corrections(old: str | None, new: str) -> str:
    """What changed in patterns.yml: entries added, titles, reviewers' corrections."""
    try:
        before = {r.id: r for r in parse_state(old or "", "").patterns}
        after = parse_state(new, "").patterns
    except LearnloopError:
        return "pattern record updated"
    added = [f"`{r.id}`" for r in after if r.id not in before]
    retitled = [f"`{r.id}`" for r in after if r.id in before and r.title != before[r.id].title]
    parts = [f"new: {', '.join(added)}"] if added else []
    if retitled:
        parts.append(f"title changed: {', '.join(retitled)}")
    if not parts and any(recorded(old)):  # an old patterns.yml held the members too
        return "members moved to patterns.members.yml"
    return "; ".join(parts) or "pattern record updated"


def _named(ids: Iterable[str], hidden: frozenset[str], sign: str = "") -> list[str]:
    """The ids as shown in a comment: restricted ones only counted, after the others."""
    ordered = sorted(ids)
    secret = sum(i in hidden for i in ordered)
    shown = [f"{sign}{i}" for i in ordered if i not in hidden]
    if secret:
        shown.append(f"{sign}{secret} restricted incident{'s' if secret > 1 else ''}")
    return shown


def _describe_state(old: str | None, new: str, hidden: frozenset[str] = frozenset()) -> str:
    before, loose_before = recorded(old)
    after, loose_after = recorded(new)
    parts = []
    for pid in sorted(after):
        if pid not in before:
            parts.append(f"new pattern `{pid}` ({', '.join(_named(after[pid], hidden))})")
            continue
        gained = after[pid] - before[pid]
        lost = before[pid] - after[pid]
        if gained or lost:
            moves = _named(gained, hidden, "+") + _named(lost, hidden, "−")
            parts.append(f"`{pid}`: {', '.join(moves)}")
    gone = sorted(set(before) - set(after))
    if gone:
        parts.append("retired: " + ", ".join(f"`{p}`" for p in gone))
    joined = _named(loose_after - loose_before, hidden)
    if joined:
        parts.append(f"one-offs: +{', '.join(joined)}")
    return "; ".join(parts) or "pattern state updated"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def _md(text: str) -> str:
    """Untrusted text (titles, messages) as inert Markdown: no links, mentions or HTML."""
    flat = " ".join(text.split())
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    return flat.replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;")


def _fenced(lines: Sequence[str], indent: str = "") -> list[str]:
    """Commands as a code block, a line each: a fence longer than any run of backticks in
    them, so that no line can close it early and be read as Markdown."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{indent}{fence}", *(f"{indent}{line}" for line in lines), f"{indent}{fence}"]


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _check_cell(item: IncidentChange) -> str:
    errors = sum(1 for p in item.problems if p.level == "error")
    warnings = len(item.problems) - errors
    if not item.problems:
        return "✅ no problems"
    mark = "❌" if errors else "⚠️"
    return f"{mark} {errors} error{'s' if errors != 1 else ''}, {warnings} warning" + (
        "s" if warnings != 1 else ""
    )


def to_markdown(summary: Summary) -> str:
    """The summary as a pull-request comment or job summary."""
    out = [MARKER, "## learnloop: what this pull request teaches", ""]
    out.append(f"Compared with {_code(summary.ref)} (merge base {_code(summary.base[:12])}).")
    out.append("")
    out.append("### Incidents added or changed")
    out.append("")
    if not summary.incidents and not summary.deleted:
        out.append("No post-mortem is added or changed.")
    if summary.incidents:
        out.append("| | incident | title | severity | services | check |")
        out.append("|---|---|---|---|---|---|")
        for item in summary.incidents:
            inc = item.incident
            out.append(
                "| "
                + " | ".join(
                    [
                        item.change.status,
                        _code(inc.id) if inc else _code(item.change.path),
                        _md(inc.title) if inc else "_does not load_",
                        inc.severity if inc else "",
                        _md(", ".join(inc.services)) if inc else "",
                        _check_cell(item),
                    ]
                )
                + " |"
            )
    for path in summary.deleted:
        out.append(f"- deleted: {_code(path)}")
    problems = [p for item in summary.incidents for p in item.problems]
    if problems:
        out.append("")
        out.append("<details><summary>Check results</summary>")
        out.append("")
        for p in problems:
            hint = f" Hint: {_md(p.hint)}" if p.hint else ""
            out.append(f"- {_code(f'{p.path}:{p.line}')} {p.level}: {_md(p.message)}{hint}")
        out.append("")
        out.append("</details>")
    for new in summary.new[:DETAILED]:
        out.extend(_new_section(new))
    if len(summary.new) > DETAILED:
        out.append("")
        out.append(f"…and {len(summary.new) - DETAILED} more new incidents, listed above.")
    out.append("")
    out.append("### Generated documents that change")
    out.append("")
    if not summary.generated:
        out.append("None.")
    for rel, reason in summary.generated:
        out.append(f"- {_code(rel)}: {reason}")
    if summary.not_regenerated:
        out.append("")
        listed = ", ".join(_code(r) for r in summary.not_regenerated)
        out.append(
            f"⚠️ Not regenerated in this branch yet: {listed}. "
            "Run `learnloop generate` and commit the result."
        )
    elif summary.generated:
        out.append("")
        out.append("These changes are part of this pull request.")
    signable = [rel for rel, _ in summary.generated if _asks_for_review(rel)]
    if signable:
        files = " ".join(signable)
        out.append("")
        out.append(
            "Once you have read them against their sources, sign them off: "
            f"`learnloop review {files}` and commit, or run the **learnloop review** workflow "
            f"(Actions → learnloop review → Run workflow) on this branch with `{files}`."
        )
    return "\n".join(out) + "\n"


def _asks_for_review(rel: str) -> bool:
    """A changed document a reviewer signs off: in runbooks/, kb/ or adr/, not an index or
    a report."""
    if not rel.startswith(("runbooks/", "kb/", "adr/")) or not rel.endswith(".md"):
        return False
    return front_matter.needs_review(
        rel, {"kind": "report" if rel.startswith("kb/reports/") else ""}
    )


def _new_section(item: NewIncident) -> list[str]:
    inc = item.incident
    lines = ["", f"#### New: {_code(inc.id)} {_md(inc.title)}", ""]
    lines.append(f"{_code(inc.path)} · {inc.severity} · {_md(', '.join(inc.services))}")
    lines.append("")
    if item.similar:
        lines.append("Most similar past incidents:")
        lines.append("")
        for rank, m in enumerate(item.similar, start=1):
            pattern = f", pattern `{m.pattern}`" if m.pattern else ", a one-off"
            lines.append(f"{rank}. {_code(m.id)} {_md(m.title)} (score {m.score:.2f}{pattern})")
            if m.why:
                lines.append(f"   - why: {_md('; '.join(m.why[:2]))}")
            if m.what_was_done:
                lines.append(f"   - what was done: {_md(m.what_was_done)}")
            if m.commands:
                lines.extend(["", *_fenced(m.commands, indent="   ")])
    else:
        lines.append("No past incidents to compare with yet.")
    lines.append("")
    lines.append(item.verdict)
    return lines


@click.command("pr-summary")
@click.option(
    "--base",
    default="main",
    show_default=True,
    help="The branch or commit the pull request goes into (e.g. origin/main in a workflow).",
)
@click.pass_obj
def command(obj: Any, base: str) -> None:
    """Markdown for a pull request: new incidents, similar past ones, generated changes."""
    click.echo(to_markdown(summarize(obj.root, base)), nl=False)
