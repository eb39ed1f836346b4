"""The post-mortem simulator (benchmarks.simulator): deterministic, varied, loadable, and never
leaking its ground truth into the files it writes."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from benchmarks.simulator import STYLES, SimulatedCorpus, failure_kinds, simulate, write_corpus
from benchmarks.simulator import catalog as sim_catalog
from benchmarks.simulator.__main__ import main
from benchmarks.simulator.fill import fill
from benchmarks.simulator.plan import Planned
from benchmarks.simulator.story import tell
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnloop.load import load_bytes
from learnloop.privacy import scan

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_TRUTH = ROOT / "tests" / "data" / "corpus-truth.json"
BUNDLED_INCIDENTS = ROOT / "incidents"
SEED, COUNT = 7, 170
START = datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
REQUIRED = {"id", "title", "started_at", "severity", "services"}
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])")
# What gives each style away; a style's marker is common in its own files and rare elsewhere.
MARKERS = {
    "tables": r"(?m)^\|.*\|.*\|$",
    "vendor-rca": r"Tracking ID",
    "narrative": r"\bI (was|acknowledged)|\bwe (started|closed)",
    "labels": r"(?m)^(\*\*|_)?(Root cause|Cause|Root Cause|Why|RCA|Underlying cause|Mitigation|"
    r"Workaround|Immediate fix|What we did|Mitigation steps)(:\*\*|\*\*:|:_|:| -) ",
    "non-native": r"did \w+ of|made \w+ of|reason of|was happened|As per|informations|"
    r"Please find below|Error was following|Reason|Chronology|Problem description|"
    r"Description of problem|Actions for future",
    "terse": r"(?m)^[-*+] [^A-Z]*(->|\bw/|~\d|\bconns\b|\bdb\b|\bb/c\b|\breqs\b|\bk8s\b|"
    r"\bprod\b|\bcert\b|\bconfig\b|^[-*+] \d\d:\d\d(:\d\d)? [a-z])",
    "template": r"(?m)^##+ (\d+\. )?(Summary|Overview)$",
}
# A vendor's RCA opens its paragraphs with labels too: that is what it shares with `labels`.
ALIKE = {"labels": ("vendor-rca",)}


@pytest.fixture(scope="module")
def corpus() -> SimulatedCorpus:
    return simulate(SEED, COUNT)


@pytest.fixture(scope="module")
def wide() -> SimulatedCorpus:
    """Enough incidents for statistics per style."""
    return simulate(5, 1400)


def front(text: str) -> dict[str, Any]:
    head, sep, _ = text[4:].partition("\n---\n")
    assert text.startswith("---\n")
    assert sep
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    return data


def body(text: str) -> str:
    return text[4:].partition("\n---\n")[2]


def test_same_arguments_give_identical_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        corpus = simulate(SEED, COUNT, ["terse", "tables", "narrative"])
        write_corpus(corpus, tmp_path / name, tmp_path / f"{name}.json")
    first = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.md")}
    second = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.md")}
    assert first == second
    assert len(first) == COUNT
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    other = simulate(SEED + 1, COUNT, ["terse", "tables", "narrative"])
    assert {f.text for f in other.files}.isdisjoint(f.text for f in corpus.files)


def test_every_file_loads_without_errors(wide: SimulatedCorpus) -> None:
    for item in wide.files:
        incident, problems = load_bytes(item.text.encode(), f"incidents/{item.path}")
        errors = [p.format() for p in problems if p.level == "error"]
        assert incident is not None, errors
        assert not errors, errors
        assert incident.id == item.id
        # Warnings only for what real teams do: a key the schema does not know (the
        # simulator writes `author:`).
        assert all("'author'" in p.message for p in problems), problems


def test_truth_is_consistent_with_the_files(corpus: SimulatedCorpus) -> None:
    truth = json.loads(corpus.truth_json())
    keys = {"seed", "pattern_seed", "styles", "incidents", "one_off", "patterns", "details"}
    assert set(truth) == keys
    assert truth["seed"] == SEED
    assert truth["styles"] == list(STYLES)
    ids = {front(f.text)["id"] for f in corpus.files}
    assert set(truth["incidents"]) == ids == set(truth["details"])
    members = sorted(i for group in truth["patterns"].values() for i in group)
    assert members == sorted(i for i, p in truth["incidents"].items() if p)
    assert truth["one_off"] == sorted(i for i, p in truth["incidents"].items() if p is None)
    for pattern, group in truth["patterns"].items():
        assert len(group) >= 2, pattern  # a pattern recurs
        failure, system = pattern.split("@")
        assert {truth["details"][i]["failure"] for i in group} == {failure}
        assert {truth["details"][i]["system"] for i in group} == {system}
    pairs = Counter((d["failure"], d["system"]) for d in truth["details"].values())
    for ident in truth["one_off"]:
        detail = truth["details"][ident]
        assert pairs[detail["failure"], detail["system"]] == 1, ident  # happens once


def test_ground_truth_never_leaks(wide: SimulatedCorpus) -> None:
    kinds = set(failure_kinds())
    for item in wide.files:
        data = front(item.text)
        assert set(data) >= REQUIRED, item.path
        assert not {"pattern", "failure_mode", "failure", "not_pattern"} & set(data), item.path
        assert item.pattern is None or item.pattern not in item.text
        assert not kinds & {str(t) for t in data.get("tags") or ()}, item.path
        assert not re.search(r"^\s*(pattern|failure_mode):", item.text, re.M), item.path
        for word in ("simulat", "synthetic data", "generated by", "ground truth"):
            assert word not in item.text.lower(), item.path


def test_front_matter_is_mostly_the_required_keys(wide: SimulatedCorpus) -> None:
    keys = [set(front(f.text)) for f in wide.files]
    bare = sum(k == REQUIRED for k in keys) / len(keys)
    assert 0.5 <= bare <= 0.9, bare
    optional = Counter(key for k in keys for key in k - REQUIRED)
    assert {"resolved_at", "root_cause", "trigger", "action_items"} <= set(optional)


def test_reader_truth_points_at_the_stated_text(wide: SimulatedCorpus) -> None:
    with_cause = with_actions = 0
    for item in wide.files:
        lines = item.text.split("\n")
        for stated in (*item.root_cause, *item.mitigation):
            assert stated.text.strip(), (item.path, stated)
            assert stated.text in lines[stated.line - 1], (item.path, stated)
        with_cause += bool(item.root_cause)
        with_actions += bool(item.mitigation)
        # The lines are the body's unless the frontmatter's root_cause.summary says it.
        head = len(item.text[4:].partition("\n---\n")[0].split("\n")) + 2
        for stated in item.root_cause:
            if stated.line <= head:
                assert lines[stated.line - 1].lstrip().startswith("summary:"), item.path
    # Some post-mortems never say why, or what responders did: the truth says so with no lines.
    assert 0.7 * len(wide.files) < with_cause < len(wide.files)
    assert 0.85 * len(wide.files) < with_actions < len(wide.files)


def test_styles_differ(wide: SimulatedCorpus) -> None:
    full = [f for f in wide.files if not f.stub]
    by_style = {s: [f.text for f in full if f.style == s] for s in STYLES}
    assert all(len(texts) > 100 for texts in by_style.values())
    for style, marker in MARKERS.items():
        share = {
            s: sum(bool(re.search(marker, t)) for t in ts) / len(ts) for s, ts in by_style.items()
        }
        others = max(v for s, v in share.items() if s != style and s not in ALIKE.get(style, ()))
        assert share[style] >= 0.8, (style, share)
        assert share[style] - others >= 0.5, (style, share)


def test_one_incident_in_two_styles_is_the_same_incident_in_other_words() -> None:
    terse = simulate(SEED, 60, ["terse"])
    narrative = simulate(SEED, 60, ["narrative"])
    assert terse.truth()["incidents"] == narrative.truth()["incidents"]
    titles = {f.id: front(f.text)["title"] for f in terse.files}
    assert titles == {f.id: front(f.text)["title"] for f in narrative.files}
    assert all(
        body(a.text) != body(b.text)
        for a, b in zip(
            sorted(terse.files, key=lambda f: f.id),
            sorted(narrative.files, key=lambda f: f.id),
            strict=True,
        )
    )


def test_a_pattern_seed_brings_the_same_failures_back_in_new_words(corpus: SimulatedCorpus) -> None:
    again = simulate(23, 120, ["narrative", "tables"], pattern_seed=SEED)
    assert again.truth()["pattern_seed"] == SEED
    patterns = set(again.truth()["patterns"])
    assert patterns
    assert patterns <= set(corpus.truth()["patterns"])
    causes = {s.text for f in corpus.files for s in f.root_cause}
    told = [s.text for f in again.files for s in f.root_cause if f.pattern]
    assert sum(text in causes for text in told) < 0.5 * len(told)  # mostly other words
    assert {f.text for f in again.files}.isdisjoint(f.text for f in corpus.files)


def test_a_recurring_failure_is_told_differently_each_time(wide: SimulatedCorpus) -> None:
    truth = wide.truth()
    by_id = {f.id: f for f in wide.files}
    for pattern, group in truth["patterns"].items():
        if len(group) < 4:
            continue
        titles = {front(by_id[i].text)["title"] for i in group}
        causes = {by_id[i].root_cause[-1].text for i in group if by_id[i].root_cause}
        assert len(titles) >= min(6, len(group) // 2), pattern
        assert len(causes) >= min(3, len(group) // 2), pattern


def test_hard_cases_are_there(corpus: SimulatedCorpus, wide: SimulatedCorpus) -> None:
    truth = corpus.truth()
    pattern_systems = {p.split("@")[1] for p in truth["patterns"]}
    details = truth["details"]
    near = [i for i in truth["one_off"] if details[i]["system"] in pattern_systems]
    assert len(near) >= 0.3 * len(truth["one_off"])  # same place, another failure
    kinds = Counter(p.split("@")[0] for p in wide.truth()["patterns"])
    assert any(n >= 2 for n in kinds.values())  # same failure, other place: two patterns
    stubs = [f for f in wide.files if f.stub]
    assert len(stubs) >= 30
    assert all(len([x for x in body(f.text).split("\n") if x.strip()]) <= 4 for f in stubs)


def test_times_come_in_many_forms(wide: SimulatedCorpus) -> None:
    text = "\n".join(f.text for f in wide.files)
    forms = {
        "24h": r"\b\d\d:\d\d\b",
        "am/pm": r"\b\d{1,2}:\d\d (AM|PM)\b",
        "with date": r"\b\d{4}-\d\d-\d\d \d\d:\d\d [A-Z]{3,4}\b",
        "h": r"\b\d\dh\d\d\b",
        "spoken": r"\b(half past|quarter to|ten past) [a-z]+",
    }
    assert all(re.search(p, text) for p in forms.values())
    zones = set(re.findall(r"\b\d\d:\d\d (UTC|CES?T|BST|P[SD]T|E[SD]T|JST|IST|AE[SD]T)\b", text))
    assert len(zones) >= 5, zones


def test_no_personal_data_or_secrets(wide: SimulatedCorpus) -> None:
    for item in wide.files:
        assert not EMAIL.search(item.text), item.path
        assert not IPV4.search(item.text), item.path
        # `learnloop check` passes on a simulated corpus: nothing it would call a secret.
        assert not [f for f in scan(item.text) if f.level == "error"], item.path


def test_catalog_has_the_failure_families() -> None:
    cat = sim_catalog.load()
    assert len(cat.failures) >= 20
    assert len({f.family for f in cat.failures}) >= 7
    for failure in cat.failures:
        assert any(failure.fits(s) for s in cat.services), failure.id


def test_every_wording_fills_on_every_system_it_fits() -> None:
    cat = sim_catalog.load()
    rng = random.Random(0)
    for failure in cat.failures:
        for system in (s for s in cat.services if failure.fits(s)):
            planned = Planned("INC-2024-001", failure.id, system["name"], None, START, "x", False)
            values = tell(planned, cat, 1).values
            texts = [w.text for ws in failure.parts.values() for w in ws]
            texts += [w.text for a in failure.mitigations for w in (*a.do, *a.effect)]
            for text in texts:
                assert not re.search(r"\{(int:\d+-\d+|\w+)\}", fill(text, values, rng)), text


@pytest.mark.slow
def test_large_corpus_scales() -> None:
    # How long it takes is a benchmark's figure (benchmarks/speed.py), not a test's.
    big = simulate(3, 5000)
    assert len({f.id for f in big.files}) == len({f.path for f in big.files}) == 5000
    assert len(big.truth()["patterns"]) >= 50


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, truth = tmp_path / "incidents", tmp_path / "truth.json"
    args = ["--seed", "5", "--count", "40", "--out", str(out), "--truth", str(truth)]
    assert main([*args, "--style", "terse", "--style", "labels", "--start", "2025-01-01"]) == 0
    files = sorted(out.glob("*/*.md"))
    assert len(files) == 40
    assert all(f.parent.name >= "2025" for f in files)
    written = json.loads(truth.read_text())
    assert written["seed"] == 5
    assert written["styles"] == ["terse", "labels"]
    assert {d["style"] for d in written["details"].values()} <= {"terse", "labels"}
    assert "wrote 40 incidents" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--style", "nope", "--out", str(out)])
    with pytest.raises(ValueError, match="unknown style"):
        simulate(1, 5, ["nope"])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    count=st.integers(1, 25),
    styles=st.lists(st.sampled_from(STYLES), min_size=1, max_size=3, unique=True),
)
def test_any_small_corpus_loads_and_points_right(seed: int, count: int, styles: list[str]) -> None:
    corpus = simulate(seed, count, styles)
    assert len(corpus.files) == count
    for item in corpus.files:
        incident, problems = load_bytes(item.text.encode(), f"incidents/{item.path}")
        assert incident is not None
        assert not [p for p in problems if p.level == "error"]
        assert item.style in styles
        lines = item.text.split("\n")
        assert all(s.text in lines[s.line - 1] for s in (*item.root_cause, *item.mitigation))


@pytest.mark.skipif(not BUNDLED_TRUTH.exists(), reason="no bundled corpus")
def test_bundled_corpus_matches_its_truth() -> None:
    # The example corpus under incidents/ is data now, kept with the truth it was made with.
    truth = json.loads(BUNDLED_TRUTH.read_text())
    ids = set()
    for path in sorted(BUNDLED_INCIDENTS.rglob("*")):
        if path.suffix == ".md":
            ids.add(front(path.read_text(encoding="utf-8"))["id"])
        elif path.suffix == ".yaml":
            ids.add(yaml.safe_load(path.read_text(encoding="utf-8"))["id"])
    assert ids == set(truth["incidents"])
    members = sorted(i for group in truth["patterns"].values() for i in group)
    assert members == sorted(i for i, p in truth["incidents"].items() if p)
