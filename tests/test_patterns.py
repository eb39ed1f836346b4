"""The pattern engine: found patterns, stable ids, reviewers' corrections, the JSON contract."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from learnloop.cli import cli
from tests.conftest import incident_text

FAILURES = {
    "pool": (
        "Checkout 5xx: orders-db connection pool exhausted",
        "orders-api could not get a database connection; PostgreSQL said too many clients "
        "already and HikariCP timed out waiting for a connection from the pool.",
        "max_connections was lower than pods times pool size after autoscaling.",
        "[orders-api, orders-db]",
        "capacity",
    ),
    "cert": (
        "TLS certificate expired on the payments edge",
        "Clients failed the TLS handshake: x509 certificate has expired for payments.",
        "cert-manager renewal silently failed; the certificate expiry was not monitored.",
        "[payments-gateway, cdn-edge]",
        "expiry",
    ),
    "lag": (
        "Kafka consumer lag delayed order notifications",
        "notifications-worker consumer group lag grew to millions of messages on the orders "
        "topic; emails went out hours late.",
        "a slow consumer after a rebalance storm; partitions were stuck rebalancing.",
        "[notifications-worker, kafka]",
        "dependency",
    ),
}
ONE_OFFS = {
    "INC-2025-090": (
        "Office wifi outage",
        "The office access points rebooted in a loop.",
        "a firmware bug in the access points",
        "[office-it]",
        "hardware",
    ),
    "INC-2025-091": (
        "Search ranking returned stale prices",
        "Catalog prices were a day old in search results.",
        "the nightly reindex job was paused by mistake",
        "[search-api]",
        "config-change",
    ),
}


def text(ident: str, spec: tuple[str, str, str, str, str], day: int, variant: int = 0) -> str:
    title, summary, cause, services, trigger = spec
    words = ["", " again", " once more", " during the sale", " at night"][variant % 5]
    return (
        f"---\nid: {ident}\ntitle: '{title}{words}'\nstarted_at: 2025-{1 + day // 28:02d}-"
        f"{1 + day % 28:02d}T10:00:00Z\nresolved_at: 2025-{1 + day // 28:02d}-{1 + day % 28:02d}"
        f"T11:{10 + variant:02d}:00Z\nseverity: P2\nservices: {services}\ntrigger: {trigger}\n"
        f"---\n## Summary\n{summary}\n\n## Root cause\n{cause}\n"
    )


def corpus() -> dict[str, str]:
    files = {}
    n = 1
    for _kind, spec in sorted(FAILURES.items()):
        for variant in range(3):
            ident = f"INC-2025-{n:03d}"
            files[f"{ident}.md"] = text(ident, spec, n * 3, variant)
            n += 1
    for ident, spec in ONE_OFFS.items():
        files[f"{ident}.md"] = text(ident, spec, 40)
    return files


def invoke(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)
    return result


def patterns_json(root: Path) -> dict:
    result = invoke(root, "patterns", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def repo(make_repo) -> Path:
    return make_repo(corpus())


def test_finds_the_recurring_patterns_and_leaves_one_offs(repo: Path):
    found = patterns_json(repo)
    groups = sorted(sorted(p["incidents"]) for p in found["patterns"])
    assert groups == [
        ["INC-2025-001", "INC-2025-002", "INC-2025-003"],
        ["INC-2025-004", "INC-2025-005", "INC-2025-006"],
        ["INC-2025-007", "INC-2025-008", "INC-2025-009"],
    ]
    assert found["unclustered"] == ["INC-2025-090", "INC-2025-091"]
    for pattern in found["patterns"]:
        assert set(pattern) >= {"id", "title", "incidents", "runbook"}
        assert pattern["runbook"] is None
        assert pattern["id"] == pattern["id"].lower()
    ids = [p["id"] for p in found["patterns"]]
    assert ids == sorted(ids)  # equal sizes: ordered by id


def test_slugs_come_from_distinguishing_terms(repo: Path):
    ids = {p["id"] for p in patterns_json(repo)["patterns"]}
    assert any("certificate" in i or "tls" in i for i in ids), ids
    assert any("pool" in i or "connection" in i for i in ids), ids
    assert any("kafka" in i or "lag" in i or "consumer" in i for i in ids), ids


def test_two_runs_are_byte_identical(repo: Path):
    first = invoke(repo, "patterns", "--json").output
    assert invoke(repo, "patterns", "--json").output == first


def test_adding_an_incident_changes_no_other_pattern(repo: Path):
    assert invoke(repo, "generate").exit_code == 0
    before = {p["id"]: p["incidents"] for p in patterns_json(repo)["patterns"]}
    new = text("INC-2025-050", FAILURES["cert"], 60, 3)
    (repo / "incidents" / "INC-2025-050.md").write_text(new)
    after = {p["id"]: p["incidents"] for p in patterns_json(repo)["patterns"]}
    assert set(after) == set(before)
    grown = [pid for pid in after if after[pid] != before[pid]]
    assert len(grown) == 1
    assert after[grown[0]] == sorted([*before[grown[0]], "INC-2025-050"])


def test_a_title_edited_in_the_state_file_sticks(repo: Path):
    invoke(repo, "generate")
    state = repo / "patterns.yml"
    pid = patterns_json(repo)["patterns"][0]["id"]
    text_before = state.read_text()
    old_title = next(p["title"] for p in patterns_json(repo)["patterns"] if p["id"] == pid)
    state.write_text(text_before.replace(f"title: {old_title}", "title: Named by a reviewer", 1))
    (repo / "incidents" / "INC-2025-051.md").write_text(
        text("INC-2025-051", FAILURES["lag"], 70, 4)
    )
    invoke(repo, "generate")
    titles = {p["id"]: p["title"] for p in patterns_json(repo)["patterns"]}
    assert titles[pid] == "Named by a reviewer"
    assert "Named by a reviewer" in state.read_text()


def test_state_file_keeps_reviewers_comments(repo: Path):
    invoke(repo, "generate")
    state = repo / "patterns.yml"
    state.write_text(state.read_text() + "# reviewed by the SRE guild\n")
    (repo / "incidents" / "INC-2025-052.md").write_text(
        text("INC-2025-052", FAILURES["pool"], 80, 4)
    )
    invoke(repo, "generate")
    assert "# reviewed by the SRE guild" in state.read_text()


def _edit_state(repo: Path, pid: str, extra: str) -> None:
    state = repo / "patterns.yml"
    lines = state.read_text().splitlines()
    out = []
    for line in lines:
        out.append(line)
        if line.strip() == f"- id: {pid}":
            out.append(f"    {extra}")
    state.write_text("\n".join(out) + "\n")


def test_corrections_pin_exclude_merge_split_are_obeyed_and_reported(repo: Path):
    invoke(repo, "generate")
    found = patterns_json(repo)
    by_member = {i: p["id"] for p in found["patterns"] for i in p["incidents"]}
    cert, lag, pool = (
        by_member["INC-2025-001"],
        by_member["INC-2025-004"],
        by_member["INC-2025-007"],
    )
    # Keep one incident out, pin a one-off in, merge two patterns, split one off.
    _edit_state(repo, pool, "exclude: [INC-2025-009]")
    _edit_state(repo, pool, "pin: [INC-2025-090]")
    _edit_state(repo, lag, f"merged_into: {cert}")
    state = repo / "patterns.yml"
    state.write_text(
        state.read_text().replace(
            "patterns:\n",
            "patterns:\n  - id: split-off\n    title: Split off by a reviewer\n"
            "    pin: [INC-2025-005, INC-2025-006]\n",
            1,
        )
    )
    result = invoke(repo, "patterns", "--json")
    found = json.loads(result.output)
    members = {p["id"]: p["incidents"] for p in found["patterns"]}
    assert members[pool] == ["INC-2025-007", "INC-2025-008", "INC-2025-090"]
    assert "INC-2025-009" in found["unclustered"]
    assert lag not in members
    assert members[cert] == ["INC-2025-001", "INC-2025-002", "INC-2025-003", "INC-2025-004"]
    assert members["split-off"] == ["INC-2025-005", "INC-2025-006"]
    notes = "\n".join(found["corrections"])
    assert f"INC-2025-009 kept out of {pool}" in notes
    assert f"INC-2025-090 pinned to {pool}" in notes
    assert f"{lag} merged into {cert}" in notes
    table = invoke(repo, "patterns").output
    assert "correction: INC-2025-090 pinned to" in table


def test_front_matter_pin_and_exclusion(repo: Path):
    path = repo / "incidents" / "INC-2025-091.md"
    path.write_text(path.read_text().replace("severity: P2", "severity: P2\npattern: search-stale"))
    path = repo / "incidents" / "INC-2025-090.md"
    path.write_text(path.read_text().replace("severity: P2", "severity: P2\npattern: search-stale"))
    first = repo / "incidents" / "INC-2025-001.md"
    pid = {i: p["id"] for p in patterns_json(repo)["patterns"] for i in p["incidents"]}[
        "INC-2025-001"
    ]
    first.write_text(
        first.read_text().replace("severity: P2", f"severity: P2\nnot_pattern: [{pid}]")
    )
    found = patterns_json(repo)
    members = {p["id"]: p["incidents"] for p in found["patterns"]}
    assert members["search-stale"] == ["INC-2025-090", "INC-2025-091"]
    assert "INC-2025-001" in found["unclustered"]
    assert any("incidents/INC-2025-001.md" in n for n in found["corrections"])


def test_generate_check_detects_drift(repo: Path):
    result = invoke(repo, "generate", "--check")
    assert result.exit_code == 1
    assert "would change: patterns.yml" in result.output
    assert not (repo / "patterns.yml").exists()
    invoke(repo, "generate")
    assert invoke(repo, "generate", "--check").exit_code == 0
    first = (repo / "patterns.yml").read_bytes()
    invoke(repo, "generate")
    assert (repo / "patterns.yml").read_bytes() == first


def test_similar_json_contract(repo: Path):
    query = repo / "incidents" / "INC-2025-001.md"
    result = invoke(repo, "similar", str(query), "--top", "3", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)["results"]
    assert 2 <= len(answer) <= 3  # at most --top; a match that shares nothing is not listed
    assert all(r["score"] >= 0.05 for r in answer)
    assert all(r["id"] != "INC-2025-001" for r in answer)
    assert [r["score"] for r in answer] == sorted((r["score"] for r in answer), reverse=True)
    assert {r["id"] for r in answer[:2]} == {"INC-2025-002", "INC-2025-003"}
    assert all({"id", "score", "pattern", "path"} <= set(r) for r in answer)
    assert answer[0]["why"]
    assert answer[0]["what_was_done"].startswith("Cause:")


def test_similar_text_and_an_invalid_draft(repo: Path, tmp_path: Path):
    result = invoke(repo, "similar", "--text", "x509 certificate has expired", "--top", "2")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("1. INC-2025-00")
    assert "TLS certificate expired" in result.output
    assert "why: shared terms:" in result.output
    draft = tmp_path / "draft.md"
    draft.write_text("---\ntitle: kafka consumer lag again\nseverity: ???\n---\nlag on orders\n")
    result = invoke(repo, "similar", str(draft), "--json")
    assert result.exit_code == 0
    top = json.loads(result.output)["results"][0]
    assert top["id"] in {"INC-2025-004", "INC-2025-005", "INC-2025-006"}


def test_novel_incident_is_flagged(repo: Path, tmp_path: Path):
    draft = tmp_path / "draft.md"
    draft.write_text(
        text(
            "INC-2025-099",
            (
                "Printer queue jammed",
                "The label printers in the warehouse stopped printing.",
                "a driver update",
                "[warehouse]",
                "deploy",
            ),
            5,
        )
    )
    result = invoke(repo, "similar", str(draft))
    assert "Possible new pattern" in result.output
    known = invoke(repo, "similar", str(repo / "incidents" / "INC-2025-002.md"))
    assert "Possible new pattern" not in known.output


def test_similar_needs_exactly_one_query(repo: Path):
    result = CliRunner().invoke(cli, ["--root", str(repo), "similar"])
    assert result.exit_code == 2
    assert "give either FILE or --text" in result.output


def test_works_on_foreign_post_mortems_with_only_required_keys(make_repo):
    files = {}
    for n in range(6):
        title = ["Disk full on log volume", "DNS resolution failures"][n % 2]
        files[f"f{n}.md"] = (
            f"---\nid: F-{n}\ntitle: {title}"
            f" {n}\nstarted_at: 2024-0{n + 1}-02\nseverity: SEV3\nservices: [core]\n---\n"
        )
    root = make_repo(files)
    found = patterns_json(root)
    assert sorted(sorted(p["incidents"]) for p in found["patterns"]) == [
        ["F-0", "F-2", "F-4"],
        ["F-1", "F-3", "F-5"],
    ]
    assert subprocess.run(["git", "-C", str(root), "status"], capture_output=True).returncode == 0


def test_identical_incidents_cluster_without_warnings(make_repo):
    same = (
        "---\nid: {}\ntitle: Disk full\nstarted_at: 2025-01-02\nseverity: P3\nservices: [a]\n---\n"
    )
    root = make_repo({f"{n}.md": same.format(f"D-{n}") for n in range(3)})
    found = patterns_json(root)
    assert [p["incidents"] for p in found["patterns"]] == [["D-0", "D-1", "D-2"]]


def test_an_empty_repo_has_no_patterns_and_nothing_similar(make_repo):
    root = make_repo({})
    assert patterns_json(root)["patterns"] == []
    result = invoke(root, "similar", "--text", "disk full", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["results"] == []


def test_corrections_are_reported_on_every_run_not_only_the_first(repo: Path):
    path = repo / "incidents" / "INC-2025-090.md"
    path.write_text(path.read_text().replace("severity: P2", "severity: P2\npattern: office-net"))
    other = repo / "incidents" / "INC-2025-091.md"
    other.write_text(other.read_text().replace("severity: P2", "severity: P2\npattern: office-net"))
    first = patterns_json(repo)["corrections"]
    invoke(repo, "generate")
    assert patterns_json(repo)["corrections"] == first
    assert any("INC-2025-090 pinned to office-net" in note for note in first)


def test_the_analysis_kept_after_generate_equals_a_fresh_one(repo: Path):
    (repo / "incidents" / "INC-2025-090.md").write_text(
        (repo / "incidents" / "INC-2025-090.md")
        .read_text()
        .replace("severity: P2", "severity: P2\npattern: office-net")
    )
    invoke(repo, "generate")
    kept = invoke(repo, "patterns", "--json").output
    shutil.rmtree(repo / ".learnloop-cache")
    assert invoke(repo, "patterns", "--json").output == kept


def test_works_on_real_post_mortems_by_another_company(make_repo, shared_datasets: Path):
    from benchmarks import datasets

    # DFDS's platform post-mortems as they were written, given only the required keys.
    files, _ = datasets.dfds_files()
    root = make_repo(files)
    assert invoke(root, "check").exit_code == 0
    found = patterns_json(root)
    pattern_of = {i: p["id"] for p in found["patterns"] for i in p["incidents"]}

    def together(*ids: str) -> bool:
        return len({pattern_of.get(i) for i in ids}) == 1 and ids[0] in pattern_of

    # The same failures written up more than once, by different people.
    assert together("PM2021-002", "PM2021-003")  # Flux's unintended version update
    assert together("PM2021-005", "PM2021-006", "PM2021-007")  # all services returning 503
    assert not together("PM2021-002", "PM2021-005")
    assert found == patterns_json(root)
    result = invoke(root, "similar", str(root / "incidents" / "PM2021-007.md"), "--json")
    assert result.exit_code == 0, result.output
    top = [r["id"] for r in json.loads(result.output)["results"][:2]]
    assert sorted(top) == ["PM2021-005", "PM2021-006"]
    result = invoke(root, "similar", "--text", "logs are not shipped to CloudWatch", "--json")
    best = json.loads(result.output)["results"][0]
    assert best["id"] in {"PM2021-001", "PM2022-002", "PM2023-002"}
    assert best["what_was_done"].startswith("Cause: ")


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            "## Root cause\nA bad flag.\n\n## Resolution\nRolled back.\n",
            "Cause: A bad flag. Fix: Rolled back.",
        ),
        ("## Contributing factors\n- A bad flag.\n- No canary.\n", "Cause: A bad flag. No canary."),
        (
            "## Summary\nCheckout failed for an hour.\n",
            "What happened: Checkout failed for an hour.",
        ),
        ("## Lessons learned\nCanary first.\n", ""),
        (
            # The summary restates what set it off; the Root cause section says why.
            "## Summary\nThe outage was triggered by a routine certificate rotation.\n\n"
            "## Root cause\nThe new issuer was missing from the gateway's trust bundle.\n",
            "Cause: The new issuer was missing from the gateway's trust bundle. The outage was "
            "triggered by a routine certificate rotation.",
        ),
    ],
)
def test_what_was_done_says_what_an_uneven_post_mortem_has(body: str, said: str):
    from learnloop.analyze.similar import what_was_done
    from learnloop.read import incident_from_bytes

    front = "id: X-1\ntitle: t\nstarted_at: 2025-01-01\nseverity: P2\nservices: [a]"
    incident, _ = incident_from_bytes(f"---\n{front}\n---\n{body}".encode(), "incidents/x.md")
    assert incident is not None
    assert what_was_done(incident) == said


def test_names_keep_status_codes_and_never_end_on_a_negation():
    from collections import Counter

    from learnloop.analyze.patterns import name_pattern, phrases

    # Real titles (DFDS's) of two recurring failures, among others that share their words.
    others = [
        "Logs delayed in CloudWatch",
        "CloudWatch logs missing for lambda",
        "Logs rotated too early",
        "All services returning 404",
        "Services returning 504 behind the ALB",
    ]
    logs = ["Logs not shipped to CloudWatch", "Logs not being shipped to CloudWatch"]
    codes = ["All services returning 503 in Kubernetes"] * 2
    df: Counter[str] = Counter()
    for title in [*others, *logs, *codes]:
        df.update(phrases(title))
    n = len(others) + 4
    assert name_pattern(logs, ["", ""], df, n, [])[0] == "logs-not-shipped"  # not "logs-not"
    assert name_pattern(codes, ["", ""], df, n, [])[0] == "services-returning-503"


def test_patterns_and_similar_say_how_incidents_failed(make_repo):
    why = "## Root cause\nThe orders-db connection pool was exhausted: `too many clients already`\n"
    files = {
        f"{n}.md": incident_text(
            id=f"INC-{n}",
            title=title,
            started_at=f"2025-0{n}-10T10:00:00Z",
            resolved_at=f"2025-0{n}-10T11:00:00Z",
        ).replace("## Summary", why + "\n## Summary")
        for n, title in enumerate(
            ["Checkout errors", "Orders failing at peak", "Cart timeouts"], start=1
        )
    }
    root = make_repo(files)
    found = patterns_json(root)
    [pattern] = found["patterns"]
    assert pattern["failure_modes"][0] == "connection-pool-exhaustion"
    result = invoke(root, "similar", str(root / "incidents" / "1.md"))
    assert "same failure mode: connection-pool-exhaustion (they wrote" in result.output


def test_words_that_stand_for_anything_name_no_pattern():
    from learnloop.analyze.patterns import phrases

    found = phrases(
        "Engineers paused the pipeline so nothing else would apply; everything recovered"
    )
    assert not any(w in p.split() for p in found for w in ("nothing", "else", "everything"))
    assert "pipeline" in found


def test_when_it_happened_and_the_kind_of_write_up_name_no_pattern():
    from learnloop.analyze.patterns import phrases

    found = phrases("Retrospective: Worker Manager Overprovisioning - November 2019, a Monday")
    assert found == {
        "worker",
        "manager",
        "overprovisioning",
        "worker manager",
        "manager overprovisioning",
        "worker manager overprovisioning",
    }


def test_names_are_drawn_from_how_it_failed_not_from_status_words_or_host_names():
    from learnloop.analyze.patterns import phrases

    found = phrases(
        "RCA - Service disruption - internal.example.io certificate expired; "
        "repository subversion repository"
    )
    words = {w for p in found for w in p.split()}
    assert not words & {"disruption", "internal", "example", "io"}
    assert "certificate expired" in found
    assert "repository subversion repository" not in found  # says a word twice


def test_the_stemmer_joins_inflections_and_never_cuts_a_short_word_to_a_fragment():
    from learnloop.analyze.text import stem

    for group in (
        ("exhausted", "exhaustion", "exhausts", "exhausting"),
        ("evictions", "eviction", "evicted"),
        ("queries", "queried", "query"),
        ("timeouts", "timeout"),
        ("things", "thing"),
    ):
        assert len({stem(w) for w in group}) == 1, group
    for word in ("using", "being", "dns", "pods", "oomkilled_total"):
        assert stem(word) == word
    assert stem("restarted") != stem("rest")


def test_a_pattern_whose_incidents_give_no_cause_is_named_so():
    from collections import Counter

    from learnloop.analyze.patterns import name_pattern

    titles = ["Incident with Actions"] * 3
    named = name_pattern(titles, ["", "", ""], Counter(), 100, ["actions"] * 3)
    assert named[:2] == ("cause-not-recorded-actions", "Cause not recorded (actions)")
    mixed = name_pattern(
        ["Incident with Actions", "Incident with Pages", "Incident with Issues"],
        ["", "", ""],
        Counter(),
        100,
        ["actions", "pages", "issues"],
    )
    assert mixed[:2] == ("cause-not-recorded", "Cause not recorded")
    # Causes were given, in words no two share: nothing to name it by, and no claim either.
    told = name_pattern(
        ["Incident with Actions", "Incident with Pages"],
        ["A runner image broke.", "DNS timeouts upstream."],
        Counter(),
        100,
        ["actions", "pages"],
    )
    assert told[0] == "pattern"


def test_a_record_from_before_the_members_moved_out_is_migrated_by_generate(repo: Path):
    invoke(repo, "generate")
    corrections = (repo / "patterns.yml").read_text()
    members_file = repo / "patterns.members.yml"
    members = yaml.safe_load(members_file.read_text())
    # The same record as a version that kept the members inside patterns.yml wrote it, with a
    # reviewer's comment on a title.
    legacy = yaml.safe_load(corrections)
    held = {e["id"]: e for e in members["patterns"]}
    for entry in legacy["patterns"]:
        entry["incidents"] = held[entry["id"]]["incidents"]
    legacy["unclustered"] = members["unclustered"]
    # A membership the engine would not find afresh, so only reading the record gives it.
    big, other = sorted(legacy["patterns"], key=lambda e: -len(e["incidents"]))[:2]
    moved = big["incidents"].pop()
    other["incidents"] = sorted([*other["incidents"], moved])
    first = legacy["patterns"][0]["id"]
    text = yaml.safe_dump(legacy, sort_keys=False).replace(
        f"- id: {first}\n", f"- id: {first}  # checked in review\n", 1
    )
    (repo / "patterns.yml").write_text(text)
    members_file.unlink()
    before = patterns_json(repo)

    result = invoke(repo, "generate", "--check")
    assert result.exit_code == 1
    assert "would change: patterns.members.yml" in result.output
    assert invoke(repo, "generate").exit_code == 0
    migrated = (repo / "patterns.yml").read_text()
    assert "incidents:" not in migrated
    assert "unclustered:" not in migrated
    assert "# checked in review" in migrated
    after = yaml.safe_load(members_file.read_text())
    assert moved in {e["id"]: e["incidents"] for e in after["patterns"]}[other["id"]]
    assert {e["id"]: e["incidents"] for e in after["patterns"]} == {
        e["id"]: e["incidents"] for e in legacy["patterns"]
    }
    assert patterns_json(repo) == before
    assert invoke(repo, "generate", "--check").exit_code == 0


def test_a_pattern_is_named_by_the_mode_most_members_share_mechanism_first():
    from learnloop.analyze.patterns import name_by_mode

    titles = {
        "config-change": "Configuration change",
        "connection-pool-exhaustion": "Connection pool exhausted",
        "traffic-surge": "Traffic surge",
    }
    triggers = frozenset({"config-change"})
    services = [["edge"], ["edge"], ["unknown"]]
    # The strongest mode differs from member to member; the pool is what all three share.
    modes = [
        ("config-change", "connection-pool-exhaustion", "traffic-surge"),
        ("connection-pool-exhaustion",),
        ("traffic-surge", "connection-pool-exhaustion"),
    ]
    assert name_by_mode(modes, services, titles, triggers) == (
        "connection-pool-exhaustion-edge",
        "Connection pool exhausted on edge",
    )
    # Shared as widely, the mechanism names it before what set it off, whatever the ranks.
    both = [("config-change", "connection-pool-exhaustion")] * 2
    assert name_by_mode(both, services[:2], titles, triggers)[1].startswith("Connection pool")
    assert name_by_mode(both, services[:2], titles)[1].startswith("Configuration change")
    # No mode held by more than half the members that name one: no name by mode.
    split = [("config-change",), ("traffic-surge",), ("connection-pool-exhaustion",)]
    assert name_by_mode(split, services, titles, triggers) is None
    # Members that name no mode, or only what set it off, do not vote against a mechanism.
    quiet = [
        ("connection-pool-exhaustion",),
        ("connection-pool-exhaustion", "config-change"),
        ("config-change",),
        (),
        (),
    ]
    five = [["edge"]] * 5
    assert name_by_mode(quiet, five, titles, triggers) == (
        "connection-pool-exhaustion-edge",
        "Connection pool exhausted on edge",
    )
    halves = [("connection-pool-exhaustion",)] * 2 + [("config-change",)] * 2
    assert name_by_mode(halves, five[:4], titles, triggers)[1].startswith("Connection pool")
    # But one member alone, or two of eight, is not the pattern's agreement.
    assert name_by_mode([("traffic-surge",), (), ()], five[:3], titles, triggers) is None
    few = [("traffic-surge",)] * 2 + [()] * 6
    assert name_by_mode(few, [["edge"]] * 8, titles, triggers) is None
    assert name_by_mode(few[:6], [["edge"]] * 6, titles, triggers) is not None


def _disk_full(ident: str, day: int, services: str) -> str:
    return (
        f"---\nid: {ident}\ntitle: Disk full on the log volume\nstarted_at: 2025-03-{day:02d}"
        f"T10:00:00Z\nseverity: P3\nservices: {services}\n---\n## Root cause\n"
        "The log volume filled up: no space left on device.\n"
    )


def test_one_failure_recurring_in_two_places_is_two_patterns(make_repo):
    # The same words each time: only where it recurred sets the two apart.
    files = {
        f"D-{n}.md": _disk_full(f"D-{n}", n + 1, services)
        for n, services in enumerate(
            ["[orders-db]", "[ledger-db]", "[orders-db]", "[ledger-db]", "[orders-db]", "[mail]"]
        )
    }
    found = patterns_json(make_repo(files))
    groups = sorted(sorted(p["incidents"]) for p in found["patterns"])
    # D-5 (mail) recurs nowhere: it joins the place its text is most like, never stands alone.
    assert [g for g in groups if "D-5" not in g] in (
        [["D-1", "D-3"]],
        [["D-0", "D-2", "D-4"]],
    )
    assert sorted(x for g in groups for x in g) == [f"D-{n}" for n in range(6)]
    assert len(groups) == 2
    titles = sorted(p["title"] for p in found["patterns"])
    assert titles == ["Disk or storage full on ledger-db", "Disk or storage full on orders-db"]


def test_places_that_fail_together_keep_one_pattern(make_repo):
    files = {
        f"D-{n}.md": _disk_full(f"D-{n}", n + 1, services)
        for n, services in enumerate(
            ["[orders-db]", "[ledger-db]", "[orders-db]", "[ledger-db]", "[orders-db, ledger-db]"]
        )
    }
    found = patterns_json(make_repo(files))
    assert [p["incidents"] for p in found["patterns"]] == [[f"D-{n}" for n in range(5)]]


def test_narrow_splits_by_recurring_place_and_leaves_the_rest_whole():
    import numpy as np

    from learnloop.analyze.clusters import narrow

    near_a, near_b = np.array([1.0, 0.1]), np.array([0.1, 1.0])
    vectors = np.vstack([near_a, near_b, near_a, near_b, near_b, near_a, near_a])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    services = [("a",), ("b",), ("a",), ("b",), ("unknown",), (), ("c",)]
    # Rows 0-4 one cluster, 5-6 another with no recurring place.
    labels = [0, 0, 0, 0, 0, 1, 1]
    assert narrow(labels, services, vectors) == [0, 1, 0, 1, 1, 2, 2]
    # One recurring place: nothing to narrow.
    assert narrow([0, 0, 0], [("a",), ("a",), ("b",)], vectors[:3]) == [0, 0, 0]


def test_similar_scores_stay_within_0_and_1_when_the_place_is_added(make_repo, tmp_path: Path):
    # A draft worded as its matches are scores near 1 before the place bonus: the score shown
    # stays a similarity, best first (the bonus itself is proven on its own, below).
    places = ["[orders-db]", "[ledger-db]", "[orders-db]", "[ledger-db]", "[orders-db]"]
    root = make_repo(
        {f"D-{n}.md": _disk_full(f"D-{n}", n + 1, where) for n, where in enumerate(places)}
    )
    draft = tmp_path / "draft.md"
    draft.write_text(_disk_full("D-9", 20, "[ledger-db]"))
    result = invoke(root, "similar", str(draft), "--json", "--top", "5")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)["results"]
    assert [r["id"] for r in found[:2]] == ["D-1", "D-3"]
    assert [r["score"] for r in found] == sorted((r["score"] for r in found), reverse=True)
    assert all(0 <= r["score"] <= 1 for r in found)


def test_between_incidents_alike_in_words_the_drafts_place_decides():
    from dataclasses import dataclass, replace

    import numpy as np

    from learnloop.analyze.documents import Document
    from learnloop.analyze.similar import Query, search
    from tests.test_rootcause import make_incident

    @dataclass
    class Space:  # two incidents the words cannot tell apart
        ids: list[str]
        vectors: np.ndarray
        places: tuple[str, ...]
        modes: tuple[frozenset[str], ...]

        def latent(self, doc: Document) -> np.ndarray:
            return np.array([1.0, 0.0], dtype=np.float32)

        def literal(self, doc: Document) -> np.ndarray:
            return np.zeros(len(self.ids), dtype=np.float32)

    full = frozenset({"disk-full"})
    space = Space(
        ["A", "B"], np.array([[1.0, 0.0], [1.0, 0.0]]), ("orders-db", "ledger-db"), (full, full)
    )
    incidents = {
        i: replace(make_incident(i, "2025-01-10T10:00:00Z"), path=f"incidents/{i}.md")
        for i in space.ids
    }

    def order(*facts: str, where: Space = space, modes=("disk-full",)) -> list[str]:
        query = Query(Document("disk full", "disk full", facts, modes), "disk full")
        return [m.id for m in search(where, query, incidents, {})]

    assert order() == ["A", "B"]  # no place: by id
    assert order("service=ledger-db") == ["B", "A"]
    # The place narrows why, never stands in for it: an incident of the draft's place that
    # failed another way gains nothing by it.
    other = replace(space, modes=(full, frozenset({"memory-leak"})))
    assert order("service=ledger-db", where=other) == ["A", "B"]
    # A draft whose way of failing could not be read has only its place to go on.
    assert order("service=ledger-db", modes=()) == ["B", "A"]
    assert order("service=ledger-db", where=other, modes=()) == ["B", "A"]
    # A placeholder is no place, even where an importer gave it to an incident.
    unplaced = replace(space, places=("orders-db", "unknown"))
    assert order("service=unknown", where=unplaced) == ["A", "B"]


def test_a_place_most_incidents_share_narrows_little():
    from dataclasses import dataclass, replace

    import numpy as np

    from learnloop.analyze.documents import Document
    from learnloop.analyze.similar import Query, search
    from tests.test_rootcause import make_incident

    full = frozenset({"disk-full"})

    @dataclass
    class Space:  # A's words are a little closer to the draft's than the others'
        ids: list[str]
        vectors: np.ndarray
        places: tuple[str, ...]
        modes: tuple[frozenset[str], ...] = (full,) * 4
        closer: float = 0.06  # how much closer A's words are

        def latent(self, doc: Document) -> np.ndarray:
            return np.array([1.0, 0.0], dtype=np.float32)

        def literal(self, doc: Document) -> np.ndarray:
            return np.array([self.closer, 0.0, 0.0, 0.0], dtype=np.float32)

    ids = ["A", "B", "C", "D"]
    incidents = {
        i: replace(make_incident(i, "2025-01-10T10:00:00Z"), path=f"incidents/{i}.md") for i in ids
    }
    rows = np.array([[1.0, 0.0]] * 4)

    def first(places: tuple[str, ...], modes=("disk-full",), closer: float = 0.06) -> str:
        draft = Document("disk full", "disk full", ("service=ledger-db",), modes)
        query = Query(draft, "disk full")
        space = Space(ids, rows, places, closer=closer)
        return search(space, query, incidents, {})[0].id

    apart = ("orders-db", "ledger-db", "search", "cdn")
    # ledger-db is one place in four: the draft's place puts B above A's slightly closer words.
    assert first(apart) == "B"
    # Three incidents in four are ledger-db's: being there tells less than A's words do.
    assert first(("orders-db", "ledger-db", "ledger-db", "ledger-db")) == "A"
    # A draft whose way of failing could not be read leans on its place, for half as much.
    assert first(apart, modes=(), closer=0.03) == "B"
    assert first(apart, modes=(), closer=0.05) == "A"
    assert first(apart, closer=0.05) == "B"
