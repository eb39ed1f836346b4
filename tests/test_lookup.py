"""The cached lookup behind `similar`: same answers as the engine, current or not used."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from learnloop.analyze import lookup
from learnloop.analyze.analysis import analyze_repo
from learnloop.analyze.documents import document, text_document
from learnloop.analyze.encoder import char_ngrams, encoder_of
from learnloop.analyze.vectors import IncidentVectorizer
from tests.test_patterns import corpus, invoke

QUERIES = [
    "too many clients already",
    "x509 certificate has expired",
    "consumer group lag on the orders topic",
    "nothing anyone has ever written",
    "",
]


@pytest.fixture
def repo(make_repo) -> Path:
    return make_repo(corpus())


def test_the_encoder_encodes_as_the_fitted_vectorizer_does(repo: Path):
    incidents = analyze_repo(repo).corpus.incidents
    vectorizer = IncidentVectorizer()
    vectorizer.fit_transform([document(i) for i in incidents])
    encoder = encoder_of(vectorizer)
    docs = [text_document(q) for q in QUERIES] + [document(i) for i in incidents]
    for doc in docs:
        np.testing.assert_allclose(encoder.latent(doc), vectorizer.transform([doc])[0], atol=1e-5)
        columns, values = encoder.words_of(doc)
        dense = np.zeros(vectorizer.terms([doc]).shape[1], dtype=np.float32)
        dense[columns] = values
        np.testing.assert_allclose(dense, vectorizer.terms([doc]).toarray()[0], atol=1e-6)


def test_the_lookup_scores_as_the_index_does(repo: Path):
    analysis = analyze_repo(repo)
    space = lookup.from_analysis(analysis)
    assert space.ids == analysis.index.ids
    np.testing.assert_array_equal(space.vectors, analysis.index.vectors)
    # Literal scores: column sums over plain arrays against scipy's sparse product.
    for doc in [text_document(q) for q in QUERIES]:
        scores = space.literal(doc)
        np.testing.assert_allclose(scores, analysis.index.literal(doc), atol=1e-6)
    assert space.literal(text_document("x509 certificate has expired")).max() > 0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab xy\t\n-_.Z"), max_size=40))
def test_character_ngrams_are_scikit_learns(text: str):
    fitted = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5))
    assert char_ngrams(text) == fitted.build_analyzer()(text)


def similar(root: Path, *args: str) -> str:
    result = invoke(root, "similar", *args)
    assert result.exit_code == 0, result.output
    return result.output


def test_cold_and_warm_answers_are_identical(repo: Path):
    invoke(repo, "generate")
    for text in QUERIES[:3]:
        shutil.rmtree(repo / ".learnloop-cache", ignore_errors=True)
        cold = similar(repo, "--text", text, "--json")
        assert (repo / ".learnloop-cache" / lookup.FILE).is_file()
        assert similar(repo, "--text", text, "--json") == cold
    draft = repo / "draft.md"
    draft.write_text((repo / "incidents" / "INC-2025-001.md").read_text().replace("001", "077"))
    cold = similar(repo, str(draft))
    assert similar(repo, str(draft)) == cold
    assert "INC-2025-002" in cold


def test_an_edited_incident_is_seen_at_once(repo: Path):
    similar(repo, "--text", "x509 certificate has expired")
    path = repo / "incidents" / "INC-2025-090.md"
    path.write_text(
        path.read_text().replace("The office access points", "x509 certificate has expired; the")
    )
    answer = similar(repo, "--text", "x509 certificate has expired", "--json")
    assert "INC-2025-090" in answer


def test_an_old_file_rewritten_with_the_same_size_and_time_is_caught_when_racy(repo: Path):
    similar(repo, "--text", "wifi")
    path = repo / "incidents" / "INC-2025-090.md"
    before = path.stat()
    path.write_text(path.read_text().replace("wifi", "WIFI"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    # The file changed within two seconds of the lookup: it is hashed, not trusted.
    space = lookup.read(repo)
    assert space is None


def test_settings_and_state_changes_invalidate_the_lookup(repo: Path):
    similar(repo, "--text", "wifi")
    cached = lookup.read(repo)
    assert cached is not None
    assert cached.signature is not None
    cached.signature.written_ns = 0  # as if written long ago: stat alone decides
    assert lookup.current(repo, cached.signature)
    (repo / "patterns.yml").write_text("patterns: []\n")
    assert not lookup.current(repo, cached.signature)
    similar(repo, "--text", "wifi")
    cached = lookup.read(repo)
    assert cached is not None
    assert cached.signature is not None
    cached.signature.written_ns = 0
    assert lookup.current(repo, cached.signature)
    (repo / "patterns.members.yml").write_text("patterns: []\n")
    assert not lookup.current(repo, cached.signature)


def test_a_warm_query_imports_neither_scikit_learn_nor_the_analysis(repo: Path):
    similar(repo, "--text", "too many clients")
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from learnloop.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['--root', {str(repo)!r}, 'similar', '--text', 'pool'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sklearn', 'learnloop.commands.p'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
