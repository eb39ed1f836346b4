"""CODEOWNERS: generated documents routed to the owners of their services, checked with a
parser that reads the file as GitHub does, against the paths `generate` really wrote."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from learnloop.cli import cli
from learnloop.errors import LearnloopError, SettingsError
from learnloop.read import load_corpus
from learnloop.settings import from_mapping
from learnloop.write import codeowners, target
from tests.conftest import OURS

parser = pytest.importorskip("codeowners")


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


@pytest.fixture
def generated(owned: Path) -> Path:
    return owned


def expected(services: list[str]) -> list[str]:
    """The handles the catalog above gives some services, worked out here by hand."""
    handle = {
        "payments-team": "@shop/payments-team",
        "dba-team": "@shop/dba-team",
        "@shop/search": "@shop/search",
        "data-platform": "@shop/data-platform",
        "identity": "@shop-identity",
    }
    owner = {
        "checkout-api": "payments-team",
        "payments-gateway": "payments-team",
        "orders-db": "dba-team",
        "inventory-db": "dba-team",
        "cart-db": "dba-team",
        "search-api": "@shop/search",
        "kafka": "data-platform",
        "auth-svc": "identity",
    }
    return list(dict.fromkeys(handle[owner[s]] for s in services if s in owner))


def test_each_runbook_asks_the_owners_of_its_patterns_services(generated: Path):
    text = (generated / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert text.startswith(OURS)  # the lines people wrote are kept, first
    owners = parser.CodeOwners(text)
    corpus = {i.id: i for i in load_corpus(generated).incidents}
    patterns = json.loads(invoke(generated, "patterns", "--json").output)["patterns"]
    checked = 0
    for pattern in patterns:
        if not pattern["runbook"]:
            continue
        members = [corpus[i] for i in pattern["incidents"] if i in corpus]
        counts = Counter(s for m in members for s in set(m.services))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        principal = [s for s, n in ranked if 2 * n >= len(members)] or [ranked[0][0]]
        want = expected(principal) or ["@shop/platform"]  # no owner: the people's line applies
        for path in (pattern["runbook"], f"kb/patterns/{pattern['id']}.md",
                     f"kb/gamedays/{pattern['id']}.md"):  # fmt: skip
            assert (generated / path).is_file(), path
            got = [name for _, name in owners.of(path)]
            assert got == want, (path, got, want)
            checked += 1
    assert checked >= 30
    # What the block does not route keeps the owners people gave it.
    incident = next(iter(corpus.values())).path
    assert [n for _, n in owners.of(incident)] == ["@shop/platform"]
    assert [n for _, n in owners.of("kb/index.md")] == ["@shop/platform"]


def test_service_articles_go_to_their_own_service_owner(generated: Path):
    owners = parser.CodeOwners((generated / ".github" / "CODEOWNERS").read_text())
    assert [n for _, n in owners.of("kb/services/orders-db.md")] == ["@shop/dba-team"]
    assert [n for _, n in owners.of("kb/services/auth-svc.md")] == ["@shop-identity"]
    lines = (generated / ".github" / "CODEOWNERS").read_text().splitlines()
    for line in lines:
        if line.startswith("/"):
            assert (generated / line.split()[0][1:]).is_file(), line  # only real paths


def test_regenerating_changes_nothing_and_keeps_text_around_the_block(
    generated: Path, tmp_path: Path
):
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    path = root / ".github" / "CODEOWNERS"
    before = path.read_text()
    assert invoke(root, "generate", "--check").exit_code == 0
    path.write_text(before + "\n# after\n/docs/ @shop/docs\n")
    assert invoke(root, "generate", "--check").exit_code == 0
    text = path.read_text()
    edited = text.replace("@shop/dba-team", "@someone-else", 1)
    path.write_text(edited)
    result = invoke(root, "generate", "--check")
    assert result.exit_code == 1
    assert "would change: .github/CODEOWNERS" in result.output
    invoke(root, "generate")
    assert path.read_text() == text  # the block restored, the lines after it kept


def test_no_owners_no_file(make_repo):
    from tests.conftest import incident_text

    root = make_repo({"a.md": incident_text(), "b.md": incident_text(id="INC-2025-002")})
    assert invoke(root, "generate").exit_code == 0
    assert not any((root / f).exists() for f in ("CODEOWNERS", ".github/CODEOWNERS"))


def test_owners_without_a_handle_are_named_in_the_block():
    settings = from_mapping({"services": {"api": {"owner": "payments team"}}})
    text = codeowners.block({"runbooks/x.md": ("api",)}, settings)
    assert "/runbooks/x.md" not in text
    assert "# No GitHub handle for payments team:" in text


def test_the_block_goes_at_the_end_of_a_file_and_stays_where_a_person_moved_it():
    block = f"{codeowners.BEGIN}\n/runbooks/x.md @a\n{codeowners.END}\n"
    assert codeowners.merge("* @all", block) == f"* @all\n\n{block}"
    moved = f"top @x\n{codeowners.BEGIN}\nold\n{codeowners.END}\n* @all\n"
    assert codeowners.merge(moved, block) == f"top @x\n{block}* @all\n"


def test_codeowners_is_the_only_file_outside_the_generated_folders(tmp_path: Path):
    assert target(tmp_path, ".github/CODEOWNERS") == tmp_path / ".github" / "CODEOWNERS"
    with pytest.raises(LearnloopError):
        target(tmp_path, ".github/workflows/x.yml")


def test_bad_codeowners_settings_are_reported():
    with pytest.raises(SettingsError) as caught:
        from_mapping(
            {"codeowners": {"file": "OWNERS", "org": "a b", "handles": {"x": "not a handle"}}}
        )
    assert caught.value.problems == [
        "learnloop.yml:1: error: codeowners.file: expected one of .github/CODEOWNERS, "
        "CODEOWNERS, docs/CODEOWNERS, got 'OWNERS'",
        "learnloop.yml:1: error: codeowners.org: expected a GitHub organization name, got 'a b'",
        "learnloop.yml:1: error: codeowners.handles.x: expected @user, @org/team or an e-mail "
        "address, got 'not a handle'",
    ]
