"""The render cache: a warm run writes what a cold one writes, and renders only what changed."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from learnloop import cachefile
from learnloop.analyze.analysis import analyze_repo
from learnloop.cli import cli
from learnloop.model import Incident
from learnloop.write import front_matter, kb, runbook
from learnloop.write.cache import PREFIX, RenderCache, fingerprint
from learnloop.write.cache import _encode_other as encode_slowly
from learnloop.write.documents import render
from tests.conftest import REPO

# Forty post-mortems of the bundled corpus: a dozen patterns, severe ones, one-offs, and
# generated in about a second.
SUBSET = sorted((REPO / "incidents" / "2025").glob("*.md"))[:40]
SEVERE = re.compile(r"(?m)^severity: P[01]\b")


def invoke(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def generated(root: Path) -> dict[str, bytes]:
    """Every file generate writes: all but the inputs, the caches and git."""
    inputs = ("incidents", ".learnloop-cache", ".git", "learnloop.yml")
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] not in inputs
    }


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repo of the subset, generated once: its render cache is warm."""
    root = tmp_path_factory.mktemp("warm") / "repo"
    (root / "incidents").mkdir(parents=True)
    for path in SUBSET:
        shutil.copy(path, root / "incidents" / path.name)
    invoke(root, "generate")
    assert list((root / ".learnloop-cache").glob(f"{PREFIX}*.pickle"))
    return root


def severe_member(root: Path) -> Path:
    """A P0/P1 post-mortem in a recurring pattern: a new copy touches a pattern and a case."""
    of = analyze_repo(root).patterns.of()
    for path in sorted((root / "incidents").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        found = re.search(r"(?m)^id: (\S+)$", text)
        if found and found.group(1) in of and SEVERE.search(text):
            return path
    raise AssertionError("the subset has no severe incident in a pattern")


def add_incident(root: Path) -> str:
    """A copy of a severe incident of a pattern, under a new id: its pattern recurs."""
    source = severe_member(root)
    text = source.read_text(encoding="utf-8")
    old = re.search(r"(?m)^id: (\S+)$", text)
    assert old
    text = text.replace(old.group(0), "id: INC-2025-900", 1)
    text = re.sub(r"(?m)^title: (.*)$", r"title: \1, again", text, count=1)
    (root / "incidents" / "2025-12-30-recurred-again.md").write_text(text, encoding="utf-8")
    return "INC-2025-900"


def edit_incident(root: Path) -> None:
    path = severe_member(root)
    text = path.read_text(encoding="utf-8")
    edited = text.replace("## Summary\n", "## Summary\nA second look found it twice.\n", 1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")


def delete_incident(root: Path) -> None:
    severe_member(root).unlink()


def edit_runbook(root: Path) -> None:
    """A responder's note outside the markers and a reviewer's sign-off in the front matter."""
    path = sorted(p for p in (root / "runbooks").glob("*.md") if "-" in p.stem)[0]
    text = path.read_text(encoding="utf-8")
    edited = text.replace(
        "## Notes from responders\n", "## Notes from responders\nCall the DBA first.\n", 1
    ).replace(
        "review: {status: draft, by: null, at: null, digest: null}",
        "review: {status: reviewed, by: priya, at: 2025-11-01, digest: sha256:abc}",
        1,
    )
    assert edited.count("Call the DBA first.") == 1
    assert "by: priya" in edited
    path.write_text(edited, encoding="utf-8")


def change_review_period(root: Path) -> None:
    (root / "learnloop.yml").write_text("review_period_days: 30\n", encoding="utf-8")


def reused(log: str) -> int:
    """Documents the last run took from the render cache, from its log line."""
    found = re.findall(r"render cache: (\d+) of \d+ documents reused", log)
    assert found, log
    return int(found[-1])


@pytest.mark.parametrize(
    "change",
    [add_incident, edit_incident, delete_incident, edit_runbook, change_review_period],
)
def test_a_warm_run_writes_what_a_cold_run_writes(
    warm: Path,
    tmp_path: Path,
    change: Callable[[Path], object],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hot = tmp_path / "hot"
    shutil.copytree(warm, hot)
    change(hot)
    cold = tmp_path / "cold"
    shutil.copytree(hot, cold)
    for path in (cold / ".learnloop-cache").glob(f"{PREFIX}*"):
        path.unlink()
    with caplog.at_level(logging.INFO, logger="learnloop.write.documents"):
        invoke(hot, "generate")
        hits = reused(caplog.text)
        caplog.clear()
        invoke(cold, "generate")
        assert reused(caplog.text) == 0
    assert generated(hot) == generated(cold)
    # Every document reads the review period: only that change leaves nothing to reuse.
    assert (hits == 0) == (change is change_review_period)
    # And the run after, over the files just written, is served whole from the cache.
    with caplog.at_level(logging.INFO, logger="learnloop.write.documents"):
        caplog.clear()
        invoke(hot, "generate", "--check")
        assert re.search(r"render cache: (\d+) of \1 documents reused", caplog.text)


def test_one_new_incident_renders_only_what_it_touches(warm: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(warm, root)
    new = add_incident(root)
    analysis = analyze_repo(root)
    # `verify` renders every document taken from the cache again and fails on a difference.
    cache = RenderCache.load(root, verify=True)
    out = render(analysis, cache)
    total = cache.hit_count + cache.miss_count
    assert cache.hit_count >= 0.6 * total, cache.summary()
    incident = analysis.incidents()[new]
    pid = analysis.patterns.of()[new]
    services = kb.service_paths(s for i in analysis.corpus.incidents for s in i.services)
    touched = {
        runbook.path_of(pid),
        kb.pattern_path(pid),
        kb.case_path(new),
        *(services[s] for s in incident.services),
    }
    assert touched <= set(cache.rendered)
    # The other patterns' runbooks read nothing of it.
    others = {runbook.path_of(p.id) for p in analysis.patterns.patterns if p.id != pid} & set(out)
    assert others
    assert not others & set(cache.rendered)


def test_a_damaged_cache_is_ignored_and_replaced(warm: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(warm, root)
    (stored,) = (root / ".learnloop-cache").glob(f"{PREFIX}*.pickle")
    stored.write_bytes(b"\x80\x05not a pickle at all")
    before = generated(root)
    assert invoke(root, "generate").splitlines()[-1].startswith("0 of ")
    assert generated(root) == before
    assert isinstance(cachefile.read(stored), dict)


def test_the_cache_keeps_only_what_the_last_run_used(warm: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(warm, root)
    (stored,) = (root / ".learnloop-cache").glob(f"{PREFIX}*.pickle")
    entries = cachefile.read(stored)
    entries["doc:left-over"] = "from a run long ago"
    cachefile.write(stored, entries)
    (root / ".learnloop-cache" / f"{PREFIX}0000000000000000.pickle").write_bytes(b"old code")
    add_incident(root)
    invoke(root, "generate")
    assert list((root / ".learnloop-cache").glob(f"{PREFIX}*.pickle")) == [stored]
    assert "doc:left-over" not in cachefile.read(stored)
    # A run that takes every article from the cache still keeps the patterns' syntheses:
    # the next change to an article's other inputs reuses its pattern's.
    invoke(root, "generate")
    kept = cachefile.read(stored)
    assert sum(k.startswith("synthesis:") for k in kept) == len(list(root.glob("kb/patterns/*")))


def test_fingerprints_are_canonical() -> None:
    assert fingerprint(("a", 1)) == fingerprint(("a", 1))
    assert fingerprint(("a", 1)) != fingerprint(["a", 1])  # a list is not a tuple
    assert fingerprint("ab", "c") != fingerprint("a", "bc")
    assert fingerprint(1) != fingerprint(1.0) != fingerprint("1") != fingerprint(True)
    assert fingerprint({"a": 1, "b": 2}) != fingerprint({"b": 2, "a": 1})  # order is read
    assert fingerprint({"x", "y", "z"}) == fingerprint({"z", "y", "x"})
    with pytest.raises(TypeError):
        fingerprint(object())  # never a key that could match wrongly


_FILES = [
    Incident(id=f"INC-{n}", title="t", path=f"incidents/{n}.md", severity="P2", services=("a",),
             started_at=datetime(2025, 1, 1, tzinfo=UTC), digest=f"sha256:{n}")
    for n in range(3)
]  # fmt: skip
_LEAVES = st.one_of(
    st.text(max_size=4), st.none(), st.integers(-3, 3), st.sampled_from(_FILES), st.booleans()
)
_NESTED = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
    ),
    max_leaves=12,
)


@given(_NESTED)
def test_the_inline_encodings_are_the_general_ones(value: object) -> None:
    # `_encode` spells out lists, pairs and maps of ids and incidents inline for speed; the
    # general branch must give the very same text, or keys would change with the shape.
    import hashlib

    def slowly(v: object, out: list[str]) -> None:
        if isinstance(v, tuple | list):
            out.append("(" if isinstance(v, tuple) else "[")
            for item in v:
                slowly(item, out)
            out.append(")")
        elif isinstance(v, dict):
            out.append("{")
            for key, item in v.items():
                slowly(key, out)
                slowly(item, out)
            out.append("}")
        else:
            encode_slowly(v, out)

    out: list[str] = []
    slowly(value, out)
    expected = hashlib.sha256("".join(out).encode("utf-8", "surrogatepass")).hexdigest()
    assert fingerprint(value) == expected


FRONT = "generated_by: learnloop\nkind: runbook\ntitle: Pool\nsources: [INC-1, INC-2]\n"


@pytest.mark.parametrize(
    "front",
    [
        FRONT + "updated: 2025-01-01\nreview: {status: draft}\nowner: ana",
        FRONT.replace("title: Pool", 'title: "Pool\n  continued"'),  # not alone on its line
        FRONT.replace("title: Pool\n", "notes: |\n  mine\n") + "  indented after\n",
        "  kind: runbook\n" + FRONT[24:],  # indented: not the top-level mapping
        FRONT.replace("sources: [INC-1, INC-2]", "sources: [INC-1, yes]"),
        FRONT + "- stray item",
        FRONT + "sources: [INC-3]",
        FRONT.rstrip("\n"),
    ],
)
def test_front_matter_without_sources_reads_the_same(front: str) -> None:
    text = f"---\n{front}\n---\n# Pool\n"
    full, body = front_matter.split_existing(text)
    lean, lean_body = front_matter.split_existing(text, sources=False)
    full.pop("sources", None)
    lean.pop("sources", None)
    assert (lean, lean_body) == (full, body)


def test_per_incident_values_are_kept_per_file_and_recomputed_when_it_changes(
    tmp_path: Path,
) -> None:
    from dataclasses import replace

    from tests.test_rootcause import make_incident

    one, two = (
        replace(make_incident(f"INC-{n}", "2025-01-10T10:00:00Z"), digest=f"d{n}") for n in (1, 2)
    )
    calls: list[str] = []

    def title(incident: object) -> str:
        calls.append(incident.id)  # type: ignore[attr-defined]
        return incident.title  # type: ignore[attr-defined]

    path = tmp_path / "render.pickle"
    first = RenderCache(path)
    each = first.per_incident("titles", ("settings",), title)
    assert [each(one), each(two), each(one)] == [one.title, two.title, one.title]
    assert calls == ["INC-1", "INC-2"]  # once each within a run
    first.save()
    calls.clear()
    edited = replace(two, title="Edited", digest="d2-edited")
    second = RenderCache(path, cachefile.read(path), verify=True)
    each = second.per_incident("titles", ("settings",), title)
    assert [each(one), each(edited)] == [one.title, "Edited"]
    assert calls == ["INC-1", "INC-2"]  # verify recomputes the hit; the edit is computed anew
    # Other inputs are another table: nothing reused.
    calls.clear()
    third = RenderCache(path, cachefile.read(path))
    third.per_incident("titles", ("other",), title)(one)
    assert calls == ["INC-1"]
    # A run that asks for what the last one kept writes nothing: each bucket of the table is
    # kept as the bytes it was read as.
    second.save()
    written = path.stat().st_mtime_ns
    fourth = RenderCache(path, cachefile.read(path))
    each = fourth.per_incident("titles", ("settings",), title)
    assert [each(one), each(edited)] == [one.title, "Edited"]
    fourth.save()
    assert path.stat().st_mtime_ns == written


def test_a_written_document_leaves_only_a_marker_in_the_cache(warm: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(warm, root)
    add_incident(root)
    invoke(root, "generate")
    (stored,) = (root / ".learnloop-cache").glob(f"{PREFIX}*.pickle")
    docs = {k: v for k, v in cachefile.read(stored).items() if k.startswith("doc:")}
    # Every text is on disk now: the cache holds none, only which inputs gave it.
    assert docs
    assert all(text is None for text, _ in docs.values())
    out = invoke(root, "generate", "--check")
    assert "generated files are current" in out


def test_a_table_repickles_only_the_buckets_that_changed() -> None:
    from learnloop.cachefile import Buckets

    names = [(f"INC-{n}", f"incidents/{n}.md", f"d{n}") for n in range(200)]
    first = Buckets(None)
    for name in names:
        first.bucket(name[0]).used[name] = name[0]
    stored = first.pack()
    second = Buckets(stored)
    changed = ("INC-7", "incidents/7.md", "d7-edited")
    for name in [*names[:7], changed, *names[8:]]:
        bucket = second.bucket(name[0])
        bucket.used[name] = bucket.before.get(name, name[0])
    packed = second.pack()
    assert packed.keys() == stored.keys()
    touched = second.bucket(changed[0])
    assert packed[next(n for n, b in second._buckets.items() if b is touched)] != touched.stored
    untouched = [n for n, b in second._buckets.items() if b is not touched]
    assert all(packed[n] is stored[n] for n in untouched)


def test_what_a_text_says_of_its_regions_is_kept_under_its_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from learnloop.write import document, documents

    path = (REPO / "runbooks" / "kafka-consumer-lag.md").read_text()
    edited = path.replace(
        "<!-- learnloop:begin diagnosis -->\n",
        "<!-- learnloop:begin diagnosis -->\nAsk the data team first.\n",
    )
    rendered = {"runbooks/a.md": edited, "runbooks/b.md": path}
    stored = tmp_path / "render.pickle"
    first = RenderCache(stored)
    found = documents.hand_edits(rendered, first)
    assert [(p.path, p.code) for p in found] == [("runbooks/a.md", "edited-region")]
    first.save()
    # The next run reads no front matter for texts it has seen; a new text is read.
    read: list[str] = []
    inspect = document.inspect
    monkeypatch.setattr(
        document, "inspect", lambda rel, text: read.append(rel) or inspect(rel, text)
    )
    second = RenderCache(stored, cachefile.read(stored))
    assert documents.hand_edits(rendered, second) == found
    assert read == []
    changed = {**rendered, "runbooks/b.md": edited}
    assert [p.path for p in documents.hand_edits(changed, second)] == [
        "runbooks/a.md",
        "runbooks/b.md",
    ]
    assert read == ["runbooks/b.md"]
