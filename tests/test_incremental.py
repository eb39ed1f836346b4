"""Incremental analysis: a recorded fit, new incidents placed into it, caches that never lie."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from datetime import tzinfo
from pathlib import Path

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist

from learnloop.analyze.clusters import cluster, place
from learnloop.analyze.engine import REFIT_FLOOR, split_basis
from learnloop.load import load_bytes, read_files
from learnloop.load.cache import parse_cached, read_changed
from learnloop.state import PatternRecord, State, read_state
from tests.test_patterns import FAILURES, ONE_OFFS, corpus, invoke, patterns_json, text


def partition(labels: list[int] | np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for row, label in enumerate(labels):
        groups.setdefault(int(label), set()).add(row)
    return {frozenset(g) for g in groups.values()}


def blobs(seed: int, centres: int, per: int, spread: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    middle = rng.normal(size=(centres, 24))
    rows = np.vstack([c + spread * rng.normal(size=(per, 24)) for c in middle])
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.mark.parametrize("seed", range(6))
def test_placing_new_rows_agrees_with_clustering_everything(seed: int):
    vectors = blobs(seed, centres=5, per=8, spread=0.25)
    rng = np.random.default_rng(100 + seed)
    new = sorted(rng.choice(len(vectors), size=4, replace=False).tolist())
    old = [r for r in range(len(vectors)) if r not in new]
    basis_labels = cluster(vectors[old], 0.5)
    placed = place(vectors[old], basis_labels, vectors[new], 0.5)
    by_row = dict(zip([*old, *new], placed, strict=True))
    everything = cluster(vectors, 0.5)
    assert partition([by_row[r] for r in range(len(vectors))]) == partition(everything)


def test_a_new_row_joins_a_cluster_by_its_exact_average_distance():
    # Two basis rows at 90 degrees form one cluster at threshold 1.0; a row between them
    # averages 1 - cos(45) = 0.29 from them; one opposite to them averages 2.0.
    basis = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    labels = cluster(basis, 1.0)
    assert labels == [0, 0]
    between = np.array([[np.sqrt(0.5), np.sqrt(0.5), 0.0]])
    assert place(basis, labels, between, 0.3)[2] == place(basis, labels, between, 0.3)[0]
    assert place(basis, labels, between, 0.28)[2] != place(basis, labels, between, 0.28)[0]
    opposite = np.array([[-np.sqrt(0.5), -np.sqrt(0.5), 0.0]])
    assert place(basis, labels, opposite, 1.5)[2] != 0


def test_new_rows_can_join_each_other_and_a_one_off():
    basis = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    labels = cluster(basis, 0.3)
    assert labels == [0, 1]  # two one-offs
    near_second = np.array([[0.0, 0.99, 0.141], [0.0, 0.98, -0.199]])
    near_second /= np.linalg.norm(near_second, axis=1, keepdims=True)
    groups = place(basis, labels, near_second, 0.3)
    assert groups[1] == groups[2] == groups[3] != groups[0]


def test_placement_matches_scipy_average_linkage_distances():
    vectors = blobs(7, centres=3, per=5, spread=0.6)
    distances = pdist(vectors, metric="cosine")
    tree = linkage(distances, method="average")
    for threshold in (0.3, 0.6, 0.9):
        full = fcluster(tree, t=threshold, criterion="distance")
        labels = cluster(vectors[:-1], threshold)
        placed = place(vectors[:-1], labels, vectors[-1:], threshold)
        assert partition(placed) == partition(full)


def test_the_basis_is_the_recorded_incidents_less_those_placed_since_the_refit():
    present = [f"I-{n:03d}" for n in range(200)]
    state = State(
        patterns=(PatternRecord("p", "P", tuple(present[:50])),),
        unclustered=tuple(present[50:195]),
        since_refit=("I-194",),
    )
    basis, placed = split_basis(present, state)
    assert placed == ("I-194", *present[195:])
    assert basis == tuple(present[:194])
    # Asked for, or with no basis yet, every incident is learned from.
    assert split_basis(present, state, refit=True) == (tuple(present), ())
    assert split_basis(present, State()) == (tuple(present), ())
    # Too many placed since the last fit: refit.
    few = State(unclustered=tuple(present[:20]))
    assert len(present) - 20 > REFIT_FLOOR
    assert split_basis(present, few) == (tuple(present), ())


def add(repo: Path, ident: str, body: str) -> None:
    (repo / "incidents" / f"{ident}.md").write_text(body)


def test_a_new_incident_is_placed_and_recorded_and_cold_equals_warm(make_repo):
    repo = make_repo(corpus())
    assert invoke(repo, "generate").exit_code == 0
    add(repo, "INC-2025-050", text("INC-2025-050", FAILURES["cert"], 60, 3))
    warm = invoke(repo, "patterns", "--json").output
    shutil.rmtree(repo / ".learnloop-cache")
    assert invoke(repo, "patterns", "--json").output == warm
    grown = [p for p in json.loads(warm)["patterns"] if "INC-2025-050" in p["incidents"]]
    assert len(grown) == 1
    assert len(grown[0]["incidents"]) == 4

    assert invoke(repo, "generate").exit_code == 0
    assert read_state(repo).since_refit == ("INC-2025-050",)
    assert invoke(repo, "generate", "--check").exit_code == 0
    shutil.rmtree(repo / ".learnloop-cache")
    assert invoke(repo, "generate", "--check").exit_code == 0

    assert invoke(repo, "generate", "--refit").exit_code == 0
    assert read_state(repo).since_refit == ()
    assert "\nsince_refit:" not in (repo / "patterns.members.yml").read_text()
    assert patterns_json(repo)["patterns"] == json.loads(warm)["patterns"]


def test_a_second_occurrence_of_a_one_off_forms_a_new_pattern_without_a_refit(make_repo):
    repo = make_repo(corpus())
    assert invoke(repo, "generate").exit_code == 0
    before = patterns_json(repo)
    again = text("INC-2025-095", ONE_OFFS["INC-2025-090"], 70, 2)
    add(repo, "INC-2025-095", again)
    after = patterns_json(repo)
    assert after["unclustered"] == ["INC-2025-091"]
    new = [p for p in after["patterns"] if p["id"] not in {q["id"] for q in before["patterns"]}]
    assert [p["incidents"] for p in new] == [["INC-2025-090", "INC-2025-095"]]
    assert invoke(repo, "generate").exit_code == 0
    assert read_state(repo).since_refit == ("INC-2025-095",)


@pytest.mark.parametrize("zone", [None, "Europe/Paris"])
def test_an_edited_incident_is_parsed_again_and_others_come_from_the_cache(
    make_repo, monkeypatch, zone
):
    import learnloop.load.cache as parse_cache

    files = corpus()
    if zone:  # times without a zone are then read in the repo's, a ZoneInfo the cache keeps
        files = {
            name: re.sub(r"(_at: \S+?)Z$", r"\1", text, flags=re.M) for name, text in files.items()
        }
    repo = make_repo(files)
    if zone:
        (repo / "learnloop.yml").write_text(f"timezone: {zone}\n")
    parsed: list[str] = []

    def counting(raw: bytes, shown: str, zone: tzinfo):
        parsed.append(shown)
        return load_bytes(raw, shown, zone)

    monkeypatch.setattr(parse_cache, "load_bytes", counting)

    def parse():
        parsed.clear()
        files = read_files(repo)
        digests = tuple(
            (p.relative_to(repo).as_posix(), hashlib.sha256(raw).digest())
            for p, raw in files
            if isinstance(raw, bytes)
        )
        return parse_cached(repo, files, digests)

    first = parse()
    assert len(parsed) == len(first.incidents)
    if zone:
        assert {str(i.started_at.tzinfo) for i in first.incidents} == {zone}
    path = repo / "incidents" / "INC-2025-001.md"
    path.write_text(path.read_text().replace("severity: P2", "severity: P1"))
    second = parse()
    assert parsed == ["incidents/INC-2025-001.md"]
    changed = {i.id: i for i in second.incidents}
    assert changed["INC-2025-001"].severity == "P1"
    assert [i for i in first.incidents if i.id != "INC-2025-001"] == [
        i for i in second.incidents if i.id != "INC-2025-001"
    ]
    # The edited file's result was kept too: the next run parses nothing.
    assert parse().incidents == second.incidents
    assert parsed == []
    added = repo / "incidents" / "added.md"
    added.write_text(path.read_text().replace("id: INC-2025-001", "id: INC-2025-900"))
    assert "INC-2025-900" in {i.id for i in parse().incidents}
    assert parsed == ["incidents/added.md"]
    assert parse().incidents
    assert parsed == []  # a new file's result is kept as well
    added.unlink()
    assert parse().incidents == second.incidents
    for stale in (repo / ".learnloop-cache").glob("parsed-*.pickle"):
        stale.write_bytes(b"not a pickle")
    assert parse().incidents == second.incidents
    assert len(parsed) == len(first.incidents)


def _age(root, seconds: float = 60) -> None:
    """Set every incident file's time in the past: no longer racily clean."""
    past = time.time_ns() - int(seconds * 1e9)
    for path in (root / "incidents").rglob("*.md"):
        os.utime(path, ns=(past, past))


def test_unchanged_files_are_not_read_again_and_changed_ones_are(make_repo):
    repo = make_repo(corpus())
    _age(repo)
    first, digests, _ = read_changed(repo)
    assert all(isinstance(raw, bytes) for _, raw in first)
    assert dict(digests) == {
        p.relative_to(repo).as_posix(): hashlib.sha256(raw).digest() for p, raw in first
    }
    again, same, _ = read_changed(repo)
    assert same == digests
    assert [raw for _, raw in again] == [None] * len(again)
    # An edit that keeps the size is seen by its time; one within the racy window by its size
    # or, when both match, by being too recent to trust.
    edited = repo / "incidents" / "INC-2025-001.md"
    edited.write_text(edited.read_text().replace("severity: P2", "severity: P1"))
    third, changed, _ = read_changed(repo)
    read = {p.name for p, raw in third if raw is not None}
    assert read == {"INC-2025-001.md"}
    assert (
        dict(changed)["incidents/INC-2025-001.md"] == hashlib.sha256(edited.read_bytes()).digest()
    )
    # Modified just now: read again until its time is safely before a record.
    assert {p.name for p, raw in read_changed(repo)[0] if raw is not None} == read
    past = edited.stat().st_mtime_ns - 60 * 10**9
    os.utime(edited, ns=(past, past))  # an older time is a change too
    assert {p.name for p, raw in read_changed(repo)[0] if raw is not None} == read
    assert all(raw is None for _, raw in read_changed(repo)[0])


def test_an_unread_file_still_parses_and_is_checked_from_disk(make_repo):
    from learnloop.check import check
    from learnloop.settings import Settings

    files = corpus()
    name = next(iter(files))
    files[name] = files[name].replace("## Summary", "## Summary\n\naws key AKIAQ7X2P4LMNB8RT3ZD", 1)
    repo = make_repo(files)
    _age(repo)
    read_changed(repo)  # records the files
    unread, digests, _ = read_changed(repo)
    assert all(raw is None for _, raw in unread)
    full = parse_cached(repo, unread, digests)
    for stale in (repo / ".learnloop-cache").glob("parsed-*.pickle"):
        stale.unlink()  # the parses are lost too: the files are read after all
    lost = parse_cached(repo, unread, digests)
    assert lost.incidents == full.incidents
    found = [p for p in check(full, Settings(), repo) if p.code == "aws-access-key"]
    assert [p.path for p in found] == [f"incidents/{name}"]
    assert not [p for p in check(full, Settings()) if p.code == "aws-access-key"]


def test_the_analysis_cache_names_its_fit_rather_than_holding_it(make_repo, monkeypatch):
    import learnloop.analyze.analysis as analysis_mod

    repo = make_repo(corpus())
    cold = patterns_json(repo)
    cache = repo / ".learnloop-cache"
    (fit,) = cache.glob("fit-combined-*.pickle")
    (stored,) = cache.glob("analysis-*.pickle")
    assert stored.stat().st_size < fit.stat().st_size / 2

    def no_build(*args, **kwargs):
        raise AssertionError("analysed again though nothing changed")

    with monkeypatch.context() as patched:
        patched.setattr(analysis_mod, "build_index", no_build)
        assert patterns_json(repo) == cold  # answered from the analysis and its fit
    # Without its fit the analysis is done again, to the same patterns.
    fit.unlink()
    assert patterns_json(repo) == cold
    assert len(list(cache.glob("fit-combined-*.pickle"))) == 1
