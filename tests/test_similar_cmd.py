"""`learnloop similar` as a responder reads it: reasons in the texts' own words, no match
that shares nothing, the template never counted, drafts after finished post-mortems."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from learnloop.cli import cli
from learnloop.commands import init
from tests.conftest import incident_text


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


REDIS = """
## Summary
Redis memory full; mass evictions emptied the catalog cache after the eviction policy was
changed to allkeys-random.

## Timeline
- 10:00 — Alert RedisMemoryHighUsage fires.
- 11:00 — Restored allkeys-lru; resolved.
"""
DISK = """
## Summary
The log volume on search nodes filled up; writes failed with "no space left on device".
"""


def repo_with(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    init.init(root, install="")
    for name, text in files.items():
        (root / "incidents" / name).write_text(text)
    return root


def post_mortem(ident: str, title: str, body: str, **keys: object) -> str:
    head = incident_text(id=ident, title=title, **keys).split("\n---\n", 1)[0]
    return f"{head}\n---\n{body}"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return repo_with(
        tmp_path,
        {
            "a.md": post_mortem("INC-1", "Redis eviction storm emptied the cache", REDIS),
            "b.md": post_mortem(
                "INC-2", "Redis evictions after a policy change", REDIS, services="[catalog]"
            ),
            "c.md": post_mortem("INC-3", "Disk full on the search nodes", DISK),
        },
    )


def test_shared_terms_are_words_the_texts_use(repo: Path):
    result = run(repo, "similar", "--text", "redis evictions allkeys policy", "--json")
    answer = json.loads(result.output)["results"]
    texts = " ".join((repo / r["path"]).read_text().lower() for r in answer)
    texts += " redis evictions allkeys policy"
    terms = [
        term
        for r in answer
        for reason in r["why"]
        if reason.startswith("shared terms: ")
        for term in reason.removeprefix("shared terms: ").split(", ")
    ]
    assert terms
    for term in terms:
        assert re.search(rf"\b{re.escape(term.lower())}\b", texts), term  # never "redi", "allkey"


def test_a_match_that_shares_nothing_is_not_listed(repo: Path):
    result = run(repo, "similar", "--text", "zanzibar quokka")
    assert result.exit_code == 0
    assert result.output.startswith("No past incident shares enough with it to show.\n")
    scores = json.loads(run(repo, "similar", "--text", "redis evictions", "--json").output)
    assert all(r["score"] >= 0.05 for r in scores["results"])


def test_the_template_is_never_compared(repo: Path):
    result = CliRunner().invoke(
        cli, ["--root", str(repo), "similar", str(repo / "incidents" / "_template.md")]
    )
    assert result.exit_code == 1
    assert "nothing to compare yet: the file holds only the template" in result.output
    draft = repo / run(repo, "new", "Search outage", "--service", "checkout-api").output.strip()
    answer = json.loads(run(repo, "similar", str(draft), "--json").output)
    for r in answer["results"]:
        for reason in r["why"]:
            if reason.startswith("shared terms: "):
                for term in reason.removeprefix("shared terms: ").split(", "):
                    assert term.lower() in ("search", "outage", "search outage"), term


def test_a_draft_comes_after_finished_post_mortems(repo: Path):
    query = "redis eviction storm emptied the catalog cache"
    (repo / "incidents" / "d.md").write_text(
        post_mortem("INC-0", query.capitalize(), REDIS + f"\n{query}.\n", status="draft")
    )
    scores = json.loads(run(repo, "similar", "--text", query, "--json").output)["results"]
    assert scores[-1]["id"] == "INC-0"
    assert scores[-1]["score"] > scores[0]["score"]  # the best match, and still listed last
    result = run(repo, "similar", "--text", query)
    listed = [line for line in result.output.splitlines() if re.match(r"\d+\. ", line)]
    assert listed[0].startswith("1. INC-1 ")
    assert listed[-1].startswith(f"{len(listed)}. INC-0 ")
    assert listed[-1].endswith("(draft)")


def test_a_fix_written_as_commands_is_shown_one_command_a_line(tmp_path: Path):
    fixed = REDIS + (
        "\n## Resolution\nRestored the eviction policy on every node:\n\n"
        "```\nredis-cli CONFIG SET maxmemory-policy allkeys-lru\n"
        "redis-cli CONFIG GET maxmemory-policy\n```\n"
    )
    root = repo_with(
        tmp_path,
        {
            "a.md": post_mortem("INC-1", "Redis eviction storm emptied the cache", fixed),
            "c.md": post_mortem("INC-3", "Disk full on the search nodes", DISK),
        },
    )
    result = run(root, "similar", "--text", "redis evictions emptied the cache")
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert "redis-cli CONFIG SET maxmemory-policy allkeys-lru" in lines
    assert "redis-cli CONFIG GET maxmemory-policy" in lines


def test_what_was_done_is_what_the_reader_found_not_the_section_as_written(tmp_path: Path):
    rca = (
        "Root Cause: The gateway nodes exhausted their outbound SNAT ports after a pooling"
        " change was deployed.\n\nMitigation: Our internal monitoring detected the failures at"
        " 08:11 UTC. Engineers rolled back the change and restarted the gateway nodes.\n"
    )
    root = repo_with(
        tmp_path,
        {
            "a.md": post_mortem("INC-1", "Gateway connectivity failures", rca),
            "c.md": post_mortem("INC-3", "Disk full on the search nodes", DISK),
        },
    )
    result = run(root, "similar", "--json", "--text", "gateway SNAT ports exhausted")
    assert result.exit_code == 0, result.output
    (done,) = [m["what_was_done"] for m in json.loads(result.output)["results"]]
    assert done == (
        "Cause: The gateway nodes exhausted their outbound SNAT ports after a pooling change was"
        " deployed. Fix: Engineers rolled back the change and restarted the gateway nodes."
    )
