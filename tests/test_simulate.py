"""The incident simulator: deterministic, realistic enough, and never leaking its ground truth."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from learnloop.simulate import SimulatedCorpus, simulate, write_corpus
from learnloop.simulate.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_TRUTH = ROOT / "tests" / "data" / "corpus-truth.json"
BUNDLED_INCIDENTS = ROOT / "incidents"
SEED, COUNT = 7, 170

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])")
TIME_KEYS = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")


@pytest.fixture(scope="module")
def corpus() -> SimulatedCorpus:
    return simulate(SEED, COUNT)


@pytest.fixture(scope="module")
def parsed(corpus: SimulatedCorpus) -> dict[str, tuple[dict[str, Any], str]]:
    return {f.path: split(f.text, f.path) for f in corpus.files}


def split(text: str, path: str) -> tuple[dict[str, Any], str]:
    """Front matter (parsed) and body of an incident file."""
    if path.endswith(".yaml"):
        data = yaml.safe_load(text)
        assert isinstance(data, dict)
        return data, ""
    assert text.startswith("---\n"), path
    head, sep, body = text[4:].partition("\n---\n")
    assert sep, f"{path}: front matter is not closed"
    data = yaml.safe_load(head)
    assert isinstance(data, dict), path
    return data, body


def as_datetime(value: object) -> datetime | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return None
    assert isinstance(value, datetime)
    assert value.utcoffset() is not None
    return value


def test_same_arguments_give_identical_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        write_corpus(simulate(SEED, COUNT), tmp_path / name, tmp_path / f"{name}.json")
    first = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.*")}
    second = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.*")}
    assert first == second
    assert len(first) == COUNT
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_corpus_statistics(corpus: SimulatedCorpus, parsed: dict[str, Any]) -> None:
    truth = corpus.truth()
    assert len(corpus.files) >= 150
    months = {str(fm["started_at"])[:7] for fm, _ in parsed.values()}
    assert len(months) >= 18
    services = {s for fm, _ in parsed.values() for s in fm["services"]}
    assert len(services) >= 10
    sizes = {slug: len(ids) for slug, ids in truth["patterns"].items()}
    assert sum(4 <= n <= 15 for n in sizes.values()) >= 10, sizes
    assert len(truth["one_off"]) >= 15
    yaml_share = sum(f.path.endswith(".yaml") for f in corpus.files) / len(corpus.files)
    assert 0.05 <= yaml_share <= 0.15
    severities = Counter(str(fm["severity"]) for fm, _ in parsed.values())
    assert any(s.lower().startswith("sev") for s in severities)
    assert sum(str(fm.get("visibility")) == "restricted" for fm, _ in parsed.values()) in (2, 3)


def test_every_file_parses_with_consistent_times(parsed: dict[str, Any]) -> None:
    date_only = 0
    for path, (fm, body) in parsed.items():
        for key in ("id", "title", "started_at", "severity", "services"):
            assert fm.get(key), f"{path}: {key} missing"
        if not isinstance(fm["started_at"], datetime):
            date_only += 1
            assert not any(k in fm for k in TIME_KEYS[1:]), path
            continue
        times = [t for t in (as_datetime(fm.get(k)) for k in TIME_KEYS) if t is not None]
        assert times == sorted(times), path
        if path.endswith(".md"):
            assert "## " in body, path
            assert re.search(r"^- (\*\*)?(\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}", body, re.M), path
        else:
            for key in ("timeline", "summary", "resolution"):
                assert fm[key], f"{path}: {key} missing"
    assert date_only >= 2


def test_ids_and_paths(corpus: SimulatedCorpus, parsed: dict[str, Any]) -> None:
    ids = [fm["id"] for fm, _ in parsed.values()]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"INC-\d{4}-\d{3}", i) for i in ids)
    for path, (fm, _) in parsed.items():
        assert re.fullmatch(r"\d{4}/\d{4}-\d{2}-\d{2}-[a-z0-9-]+\.(md|yaml)", path), path
        assert path[:4] == fm["id"][4:8] == str(fm["started_at"])[:4]


def test_truth_matches_files(corpus: SimulatedCorpus, parsed: dict[str, Any]) -> None:
    truth = json.loads(corpus.truth_json())
    assert set(truth) == {"seed", "style", "incidents", "patterns", "one_off"}
    assert truth["seed"] == SEED
    assert truth["style"] == "main"
    assert set(truth["incidents"]) == {fm["id"] for fm, _ in parsed.values()}
    members = sorted(i for ids in truth["patterns"].values() for i in ids)
    assert members == sorted(i for i, slug in truth["incidents"].items() if slug)
    assert truth["one_off"] == sorted(i for i, slug in truth["incidents"].items() if not slug)
    for slug, ids in truth["patterns"].items():
        assert ids == sorted(ids)
        assert all(truth["incidents"][i] == slug for i in ids)


def test_ground_truth_never_leaks(corpus: SimulatedCorpus, parsed: dict[str, Any]) -> None:
    slugs = set(corpus.truth()["patterns"])
    for item in corpus.files:
        fm, _ = parsed[item.path]
        assert "pattern" not in fm, item.path
        assert not re.search(r"^\s*pattern:", item.text, re.M), item.path
        assert not slugs & set(fm.get("tags") or ()), item.path
        if fm.get("runbook_used"):
            assert fm["runbook_used"] == item.pattern
        # Naming the runbook that was used is what responders write; nothing else may.
        rest = re.sub(r"^runbook_used:.*$|[\w-]+ runbook", "", item.text, flags=re.M)
        assert not any(slug in rest for slug in slugs), item.path
        for word in ("simulat", "synthetic data", "generated by"):
            assert word not in item.text.lower(), item.path


def test_no_personal_data(corpus: SimulatedCorpus) -> None:
    for item in corpus.files:
        assert not EMAIL.search(item.text), item.path
        assert not IPV4.search(item.text), item.path


def test_runbooks_only_after_a_pattern_recurred(
    corpus: SimulatedCorpus, parsed: dict[str, Any]
) -> None:
    by_id = {fm["id"]: fm for fm, _ in parsed.values()}
    used = 0
    for ids in corpus.truth()["patterns"].values():
        for rank, incident_id in enumerate(ids):  # ids sort by start within a pattern
            if by_id[incident_id].get("runbook_used"):
                used += 1
                assert rank >= 2, incident_id
    assert used > 0


def test_alt_style_tells_the_same_story_differently(corpus: SimulatedCorpus) -> None:
    alt = simulate(SEED, COUNT, style="alt")
    main_truth, alt_truth = corpus.truth(), alt.truth()
    assert alt_truth["style"] == "alt"
    assert alt_truth["incidents"] == main_truth["incidents"]
    titles = {f.id: split(f.text, f.path)[0]["title"] for f in corpus.files}
    alt_titles = {f.id: split(f.text, f.path)[0]["title"] for f in alt.files}
    assert sum(titles[i] != alt_titles[i] for i in titles) > 0.9 * len(titles)


def test_large_corpus_scales(tmp_path: Path) -> None:
    big = simulate(3, 800)
    ids = [f.id for f in big.files]
    assert len(set(ids)) == 800
    assert len({f.path for f in big.files}) == 800
    assert len(big.truth()["patterns"]) >= 10


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, truth = tmp_path / "incidents", tmp_path / "truth.json"
    (out / "2019").mkdir(parents=True)
    (out / "2019" / "2019-01-02-stale.md").write_text("old\n")
    (out / "_template.md").write_text("kept\n")
    args = ["--seed", "5", "--count", "40", "--out", str(out), "--truth", str(truth)]
    assert main([*args, "--months", "6", "--start", "2025-01-01", "--clean"]) == 0
    assert not (out / "2019").exists()
    assert (out / "_template.md").exists()
    assert len(list(out.glob("*/*.*"))) == 40
    assert json.loads(truth.read_text())["seed"] == 5
    assert "wrote 40 incidents" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--style", "nope"])


@pytest.mark.skipif(not BUNDLED_TRUTH.exists(), reason="no bundled corpus")
def test_bundled_corpus_matches_its_truth() -> None:
    truth = json.loads(BUNDLED_TRUTH.read_text())
    ids = {}
    for path in sorted(BUNDLED_INCIDENTS.rglob("*")):
        if path.suffix in (".md", ".yaml"):
            fm, _ = split(path.read_text(encoding="utf-8"), path.name)
            ids[fm["id"]] = path
    assert set(ids) == set(truth["incidents"])
    again = simulate(truth["seed"], len(ids), style=truth["style"])
    assert json.loads(again.truth_json()) == truth
