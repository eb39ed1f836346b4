"""Vendor RCAs as cloud providers publish them: a title line, then "Summary of Impact:",
"Root Cause:", "Mitigation:" and "Next Steps:" paragraphs, no timeline, no front matter.
Imported and generated as a team would, the runbook is named for how it failed and its
steps come from what the responders did, each in its place."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from learnloop.load.yamlsafe import shipped_data
from learnloop.read import load_corpus
from tests.importing import DATA, invoke, run_import

SOURCES = DATA / "vendor-rca"


def generated(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    result, out = run_import(root, *sorted(SOURCES.glob("*.md")))
    assert result.exit_code == 0, result.output
    assert len(out["imported"]) == 3
    assert invoke(root, "generate").exit_code == 0
    return root


def region(text: str, name: str) -> list[str]:
    begin, end = f"<!-- learnloop:begin {name} -->\n", f"<!-- learnloop:end {name} -->"
    found = re.search(re.escape(begin) + "(.*?)" + re.escape(end), text, re.S)
    assert found, name
    return [line for line in found.group(1).splitlines() if re.match(r"(?:- |\d+\. )", line)]


def test_each_rca_keeps_its_title_and_gives_its_times(tmp_path: Path):
    root = generated(tmp_path)
    by_title = {i.title: i for i in load_corpus(root).incidents}
    first = by_title["RCA - Front Door - Connectivity issues in West Europe"]
    moments = {m.name: m.at.strftime("%Y-%m-%d %H:%M") for m in first.milestones}
    assert moments == {
        "started_at": "2021-09-02 08:21",
        "detected_at": "2021-09-02 08:29",
        "mitigated_at": "2021-09-02 10:35",
        "resolved_at": "2021-09-02 10:35",
    }


def test_the_runbook_is_named_for_the_mechanism_and_lists_actions_as_mitigations(tmp_path: Path):
    root = generated(tmp_path)
    books = sorted(p.name for p in (root / "runbooks").glob("*.md"))
    assert "connection-pool-exhaustion.md" in books
    assert not [b for b in books if b.startswith("rca")]  # not named for the boilerplate word
    text = (root / "runbooks" / "connection-pool-exhaustion.md").read_text()
    mitigation = region(text, "mitigation")
    assert mitigation
    for step in mitigation:
        assert re.search(r"\b(rolled back|reverted)\b", step), step
        assert re.search(r"impact eased within (?:30|45) min", step), step
        assert not re.search(r"alerted|notified|reviewed|investigation", step, re.I), step
    diagnosis = " ".join(region(text, "diagnosis"))
    assert "reviewed the edge telemetry" in diagnosis or "edge logs showed" in diagnosis
    # The impact as the latest RCA states it, cited.
    (latest,) = region(text, "impact")
    assert latest.startswith("- Most recently: Between 02:40 UTC and 04:05 UTC on 09 Jun 2022")
    assert "(../incidents/2022/" in latest


def test_a_pattern_whose_post_mortems_record_no_impact_says_so():
    from datetime import UTC

    from learnloop.read import incident_from_bytes
    from learnloop.write.runbook import impact

    text = (
        "---\nid: A-1\ntitle: Pool\nstarted_at: 2025-03-14T09:00:00Z\nseverity: P3\n"
        "services: [api]\n---\nRoot cause: the pool was too small.\n"
    )
    incident, _ = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    assert incident is not None
    assert impact([incident]) == "## Impact\n- None of these post-mortems records its impact."


def test_the_impact_quoted_is_a_sentence_that_stands_alone():
    from learnloop.write.runbook import impact

    incident = _read(
        "A-2",
        "## Impact\n\n"
        "This, in turn, meant that all inbound traffic failed to reach the cluster.\n\n"
        "All services in the cluster returned 503 to customers for 25 minutes.\n",
    )
    assert next(s.text for s in incident.part("impact")).startswith("This, in turn")
    assert "- Most recently: All services in the cluster returned 503" in impact([incident])


def test_a_long_impact_is_quoted_whole_words_within_400_characters():
    from datetime import UTC

    from learnloop.read import incident_from_bytes
    from learnloop.write.runbook import impact

    said = " ".join(f"customers in region {n} saw errors;" for n in range(40))
    text = (
        "---\nid: A-1\ntitle: Pool\nstarted_at: 2025-03-14T09:00:00Z\nseverity: P3\n"
        f"services: [api]\n---\nSummary of impact: {said}\n"
    )
    incident, _ = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    assert incident is not None
    quoted = impact([incident]).split("- Most recently: ", 1)[1].rsplit(" ([A-1]", 1)[0]
    assert len(quoted) <= 400
    assert quoted.endswith(" …")
    assert said.startswith(quoted.removesuffix(" …") + " ")


def _incident(ident: str, day: int, cause: str):
    return _read(ident, f"Root cause: {cause}\n", day)


def _read(ident: str, body: str, day: int = 14):
    """A post-mortem of the orders service, read as the generator reads one."""
    from datetime import UTC

    from learnloop.read import incident_from_bytes

    text = (
        f"---\nid: {ident}\ntitle: Orders errors\nstarted_at: 2025-03-{day:02d}T09:00:00Z\n"
        f"severity: P2\nservices: [orders]\n---\n{body}"
    )
    incident, _ = incident_from_bytes(text.encode(), f"incidents/{ident}.md", UTC)
    assert incident is not None
    return incident


def test_reviews_that_state_only_conclusions_still_give_the_causes_to_rule_out_first():
    from learnloop.analyze.steps import playbook
    from learnloop.write.runbook import diagnosis

    members = [
        _incident(
            "A-1", 3, 'Engineers determined that the database refused "too many clients already".'
        ),
        _incident("A-2", 9, "We determined that the connection pool was exhausted."),
        _incident("A-3", 14, "We determined that a shared serializer sent a field back as null."),
    ]
    book = playbook(members, ["orders"])
    assert not book.diagnosis  # nothing they looked at is told
    text = diagnosis(book, members, {m.id: m for m in members})
    lines = text.splitlines()
    assert lines[:3] == ["## Diagnosis", "", "Causes found before, to rule in or out first:"]
    pool = lines[3]
    assert pool.startswith("- Connection pool exhausted — in 2 of 3 ([A-2]"), pool
    assert "[A-1](../incidents/A-1.md)" in pool
    assert pool.endswith("; their text shows `too many clients already`."), pool
    # The review that shows no failure mode of the catalogue gives its cause as written.
    assert lines[4] == (
        "- We determined that a shared serializer sent a field back as null"
        " — in [A-3](../incidents/A-3.md)."
    )
    assert len(lines) == 5


def test_a_mode_is_given_only_the_error_strings_its_incidents_showed():
    from learnloop.analyze.steps import playbook
    from learnloop.write.runbook import causes_found

    members = [
        _incident("B-1", 3, "The disk was full on the primary."),
        _incident("B-2", 9, "The volume became full overnight."),
    ]
    book = playbook(members, ["orders"])
    (line,) = causes_found(book, members, {m.id: m for m in members})
    assert line == (
        "- Disk or storage full — in 2 of 2 ([B-2](../incidents/B-2.md), "
        "[B-1](../incidents/B-1.md))."
    )


@pytest.mark.parametrize(
    ("entries", "step"),
    [
        (
            "- 09:05 **Detection:** NodeNotReady alert fired\n"
            "- 09:30 **Recovery:** Uncordoned the node that was NotReady.\n",
            "Uncordoned the node that was NotReady.",
        ),
        # A status page's update, imported with its status: the status is no part of the step.
        (
            "- 09:05 **Investigating** — We are investigating errors on the API.\n"
            "- 09:30 **Identified** — We rolled back the deploy that raised the error rate.\n",
            "We rolled back the deploy that raised the error rate.",
        ),
        # A table of key moments marks the stage after the step.
        (
            "| Time | Event |\n| --- | --- |\n"
            "| 09:05 | CloudWatch alert detects high count of 5XX |\n"
            "| 09:30 | Target group reattached to the ALB (resolved). |\n",
            "Target group reattached to the ALB.",
        ),
    ],
    ids=["template", "status page", "marked after"],
)
def test_a_step_is_what_follows_its_entrys_stage_label(entries: str, step: str):
    from learnloop.analyze.steps import playbook

    incident = _read("C-1", "## Timeline\n\n" + entries)
    (found,) = playbook([incident], ["orders"]).mitigation
    assert found.text == step


def test_a_step_told_again_with_what_came_of_it_or_on_another_service_is_one_step():
    from learnloop.analyze.steps import playbook

    told = [
        "- 09:30 We reverted the route table change, after this traffic flowed again.\n",
        "- 09:30 Reverted the route table change — Traffic flowed again across rack 9\n",
        "- 09:30 Reverted the route table change: `terraform apply -target=aws_route.tgw`\n",
        "- 09:30 Rolled back orders to the previous release; lag drained in 25 minutes.\n",
        "- 09:30 Rolled back billing to the previous release\n",
    ]
    members = [
        _read(f"S-{n}", "## Timeline\n\n- 09:05 alert fired\n" + entry, day=n + 1)
        for n, entry in enumerate(told)
    ]
    steps = playbook(members, ["orders", "billing"]).mitigation
    assert [(s.text, len(s.incidents)) for s in steps] == [
        # The wording that gives the command speaks for the step.
        ("Reverted the route table change: `terraform apply -target=aws_route.tgw`.", 3),
        ("Rolled back billing to the previous release.", 2),  # the most recent of equals
    ]


def test_each_incidents_first_step_comes_before_anyones_second():
    from learnloop.analyze.steps import playbook

    many = "".join(
        f"- 09:{10 + n} {verb} the {thing}\n"
        for n, (verb, thing) in enumerate(
            [("Restarted", "api pods"), ("Drained", "worker node"), ("Flushed", "cache")]
        )
    )
    members = [
        _read("R-1", "## Timeline\n\n- 09:05 alert fired\n" + many, day=1),
        _read("R-2", "## Timeline\n\n- 09:05 alert fired\n- 09:20 Rolled back the release\n", 2),
    ]
    steps = playbook(members, ["orders"]).mitigation
    # Of steps each used once, the first of every incident leads, then the seconds; not the
    # alphabet, which put all of one incident's before another's first.
    assert [s.text for s in steps] == [
        "Restarted the api pods.",
        "Rolled back the release.",
        "Drained the worker node.",
        "Flushed the cache.",
    ]


def test_a_patterns_meaning_is_the_cause_of_the_failure_most_of_it_shows():
    from learnloop.analyze.steps import causes
    from learnloop.write.runbook import primary_cause

    members = [
        _incident("D-1", 3, "The disk was full on the primary."),
        _incident("D-2", 9, "The volume became full overnight."),
        _incident("D-3", 14, "Nobody knows yet."),  # the newest, and it shows no mode
    ]
    assert primary_cause(members, causes(members)) == "The volume became full overnight."


def test_a_meaning_says_the_failure_mode_the_pattern_is_named_for():
    from learnloop.analyze.patterns import Pattern
    from learnloop.analyze.steps import causes
    from learnloop.settings import Settings
    from learnloop.write.runbook import primary_cause, render_runbook

    members = [
        _read(
            "S-1",
            "## Root cause\n\nThe subnet ran out of IP addresses as pods were added.\n",
            day=3,
        ),
        _read(
            "S-2",
            "## Root cause\n\nA pipeline run reverted the network changes made by hand.\n\n"
            "The cluster went back to subnets with no free IP addresses left.\n",
            day=9,
        ),
        _read("S-3", "## Root cause\n\nAn accidental command deleted the nodes.\n", day=14),
    ]
    found = causes(members)
    assert found[0].mode == "ip-address-exhaustion"
    assert found[0].incidents == ("S-1", "S-2")
    # Newer still, and of the mode by an error string its cause does not quote: its cause
    # says nothing of the mode.
    quoted = _read(
        "S-4",
        "## Root cause\n\nThe new deployments needed more pods than planned.\n\n"
        "## Timeline\n\n- 09:10 aws-node logs `InsufficientFreeAddressesInSubnet`\n",
        day=20,
    )
    assert "ip-address-exhaustion" in {f.id for f in quoted.failure_modes}
    everyone = [*members, quoted]
    assert primary_cause(everyone, causes(everyone), "ip-address-exhaustion") == (
        "The cluster went back to subnets with no free IP addresses left."
    )
    # The runbook of the pattern named for the mode says so.
    pattern = Pattern("ip-address-exhaustion", "IP addresses exhausted", ("S-1", "S-2", "S-4"))
    text = render_runbook(pattern, [members[0], members[1], quoted], ["orders"], Settings(), None)
    assert "**Meaning.** The cluster went back to subnets with no free IP addresses left." in text
    # The newest of those that show the mode, in its sentence that says it.
    assert primary_cause(members, found, "ip-address-exhaustion-2") == (
        "The cluster went back to subnets with no free IP addresses left."
    )
    # Named for no mode they show: the newest words of the mode seen most, as written.
    assert primary_cause(members, found, "kiam-service") == (
        "A pipeline run reverted the network changes made by hand."
    )
    # Named for a mode fewer of them show than another: still that mode's cause.
    full = [_incident(f"D-{n}", 20 + n, "The disk was full on the primary.") for n in (1, 2, 3)]
    assert causes([*members, *full])[0].mode == "disk-full"
    assert primary_cause([*members, *full], causes([*members, *full]), "ip-address-exhaustion") == (
        "The cluster went back to subnets with no free IP addresses left."
    )


def test_a_meaning_is_a_sentence_that_stands_alone():
    from learnloop.write.runbook import primary_cause

    incident = _read(
        "E-1",
        "## Root cause\n\n"
        "However, it turned out to be another root cause than the last time.\n\n"
        "Two changes were the root cause:\n\n"
        "- The provider upgrade changed how target groups attach, which detached them.\n",
    )
    assert primary_cause([incident], ()) == (
        "The provider upgrade changed how target groups attach, which detached them."
    )


def test_a_meaning_is_the_cause_before_a_contributing_factor():
    from learnloop.analyze.similar import what_was_done
    from learnloop.write.runbook import primary_cause

    incident = _read(
        "F-1",
        "## Contributing factors\n\n"
        "- Priority-classes not implemented\n\n"
        "## What happened\n\n"
        "Checkout failed because the orders database ran out of connections.\n",
    )
    assert "Priority-classes not implemented" in [s.text for s in incident.part("root_cause")]
    cause = "Checkout failed because the orders database ran out of connections."
    assert primary_cause([incident], ()) == cause
    assert what_was_done(incident).startswith(f"Cause: {cause}")


def test_a_step_told_with_who_did_it_or_how_is_the_same_step():
    from learnloop.analyze.steps import playbook

    told = [
        "| 09:30 | Target group manually reattached to ALB's (resolved). |\n",
        "| 09:30 | Target group reattached to load balancer by the daily pipeline (resolved). |\n",
        "| 09:30 | Rolled back the ingress controller by the on-call engineer |\n",
    ]
    members = [
        _read(
            f"T-{n}",
            "## Timeline\n\n| Time | Event |\n| --- | --- |\n"
            "| 09:05 | CloudWatch alert detects high count of 5XX |\n" + entry,
        )
        for n, entry in enumerate(told)
    ]
    steps = playbook(members, ["orders"]).mitigation
    assert sorted(len(s.incidents) for s in steps) == [1, 2]
    assert any(s.text.startswith("Rolled back the ingress controller") for s in steps)


def test_a_check_leads_to_the_cause_only_where_a_cause_was_found():
    from learnloop.analyze.steps import playbook

    said = "## Timeline\n\n- 10:05 We looked at the database dashboard.\n- 10:20 Rolled back.\n"
    members = [
        _read("C-1", said + "\n## Root cause\n\nThe connection pool was exhausted.\n", 3),
        _read("C-2", said, 9),  # a status page's: it never says why
    ]
    (look,) = playbook(members, ["orders"]).diagnosis
    assert look.incidents == ("C-1", "C-2")
    assert look.led_to_cause == 1


def test_a_command_in_backticks_is_a_step_not_a_log_line_whatever_its_program():
    """`ulimit -n` and `ping -M do -s 1472` are things to run, though no list of tools names
    them: checks that ran the same one are one step, and neither is shown as a log line.
    A log line in backticks stays a symptom; an error code after a word is no flag."""
    from learnloop.analyze.steps import is_command, playbook

    members = [
        _read(
            "C-1",
            "## Timeline\n- 10:00 Errors `too many open files` in the logs.\n"
            "- 10:05 Checked `ulimit -n` inside the container: 1024.\n",
            3,
        ),
        _read(
            "C-2",
            "## Timeline\n- 10:00 Errors `too many open files` in the logs.\n"
            "- 10:05 Checked `ulimit -n` inside the container: 8192.\n",
            9,
        ),
    ]
    book = playbook(members, ["orders"])
    assert [s.name for s in book.symptoms] == ["too many open files"]
    (check,) = book.diagnosis
    assert check.commands == ("ulimit -n",)
    assert len(check.incidents) == 2
    for command in ("ping -M do -s 1472", "k get pod -A | grep -v Running", "$ make deploy"):
        assert is_command(command), command
    for logged in ("error -ENOSPC", "connection refused", "dial tcp 10.0.0.1:5432: i/o timeout"):
        assert not is_command(logged), logged


def test_the_programs_a_command_opens_on_are_data(monkeypatch):
    """A span with no shell's shape (`kubectl get pods`, `df`) is a command because
    read/data/commands.yml names its first word; taken out of the file, it is one no more, and
    a name that is no program's is reported with its file and line."""
    from learnloop.errors import SettingsError
    from learnloop.read import commands

    data, lines = shipped_data("learnloop.read", commands.FILE)
    for key in ("programs", "queries", "functions"):
        for name in data[key]:
            said = name[:-1] + "topics" if name.endswith("*") else name
            assert commands.is_command(f"{said} x"), name
    assert commands.is_command("kubectl get pods")
    assert commands.is_command("df")

    def shipped(package: str, name: str):
        assert name == commands.FILE
        return {"programs": [p for p in data["programs"] if p != "kubectl"]}, lines

    def forget() -> None:
        commands._shipped.cache_clear()
        commands._first_word.cache_clear()

    monkeypatch.setattr(commands, "shipped_data", shipped)
    forget()
    try:
        assert not commands.is_command("kubectl get pods")
        assert commands.is_command("df")
        bad = {"programs": ["df", "rm -rf /"]}
        lines_of_bad = {"programs.1": 7}
        monkeypatch.setattr(commands, "shipped_data", lambda package, name: (bad, lines_of_bad))
        forget()
        with pytest.raises(SettingsError, match=r"commands\.yml:7: error: 'rm -rf /'"):
            commands.is_command("df")
    finally:
        forget()


def test_a_teams_own_tool_is_a_command_in_its_runbook(make_repo):
    """`acmectl drain web-7` names no tool learnloop knows and has no flag: it was shown as a
    log line the responders saw. With `reader: {commands: [acmectl]}` in learnloop.yml the
    runbook tells it as a check to run, and the same check on two hosts is one step."""
    from tests.importing import invoke

    def incident(ident: str, day: int, host: str) -> str:
        return (
            f"---\nid: {ident}\ntitle: Web nodes wedged\nstarted_at: 2025-03-{day:02d}T09:00:00Z\n"
            "severity: P2\nservices: [web]\npattern: wedged-web-nodes\n---\n"
            "## Root cause\nA kernel bug wedged the web nodes.\n\n"
            "## Timeline\n"
            "- 09:00 Alert `WebNodeDown` fires.\n"
            f"- 09:05 Checked `acmectl status {host}`: wedged.\n"
            f"- 09:10 Drained the node: `acmectl drain {host}`.\n"
            "- 09:20 Errors stopped.\n"
        )

    root = make_repo({"a.md": incident("W-1", 3, "web-7"), "b.md": incident("W-2", 9, "web-2")})
    assert invoke(root, "generate").exit_code == 0
    runbook = root / "runbooks" / "wedged-web-nodes.md"
    before = runbook.read_text()
    assert "- Log line or error `acmectl status web-7` in 1 of 2" in before
    assert "- In the logs: `acmectl drain web-2` (1 of 2)" in before
    (root / "learnloop.yml").write_text("reader:\n  commands: [acmectl]\n")
    assert invoke(root, "generate").exit_code == 0
    after = runbook.read_text()
    assert "Log line or error `acmectl" not in after
    assert "In the logs" not in after
    assert "1. Checked `acmectl status web-2`: wedged. — led to the cause in 2 of 2" in after
    assert "- Drained the node: `acmectl drain web-2`. — impact eased within 10 min" in after
    (root / "learnloop.yml").write_text("reader:\n  commands: [acmectl, 'rm -rf']\n")
    done = invoke(root, "generate")
    assert done.exit_code != 0
    assert "learnloop.yml:2: error: reader.commands.1: 'rm -rf' is not a program's name" in (
        done.stderr
    )


def test_the_same_command_run_on_another_target_is_one_step():
    """`find /var/log/app …` and `find /var/lib/kafka …` with the same words are one step,
    as the same check on another consumer group is; a query that selects something else
    ("Cancelled the job's queries: `SELECT pg_cancel_backend(pid) …`") stays its own."""
    from learnloop.analyze.steps import playbook

    def told(ident: str, day: int, path: str, group: str, job: str):
        return _read(
            ident,
            "## Timeline\n"
            f"- 10:00 `kafka-consumer-groups --describe --group {group}` shows the lag.\n"
            f"- 10:02 Queries from the job: `SELECT usename, count(*) FROM pg_stat_activity "
            f"WHERE application_name = '{job}' GROUP BY 1;`.\n"
            f"- 10:04 Cancelled the job's queries: `SELECT pg_cancel_backend(pid) FROM "
            f"pg_stat_activity WHERE application_name = '{job}';`.\n"
            f"- 10:05 Removed rotated logs: `find {path} -name '*.gz' -mtime +2 -delete`.\n",
            day,
        )

    members = [
        told("D-1", 3, "/var/log/app", "search-indexer", "daily-digest"),
        told("D-2", 9, "/var/lib/kafka", "billing-sync", "stock-sync"),
    ]
    book = playbook(members, ["orders"])
    steps = [*book.diagnosis, *book.mitigation]
    # Four steps, each told in both incidents: merged across targets, not across queries.
    assert len(steps) == 4
    assert all(s.incidents == ("D-1", "D-2") for s in steps)


def test_a_message_quoted_with_its_full_stop_and_without_is_one_symptom():
    from learnloop.analyze.steps import playbook

    members = [
        _read("E-1", "## Timeline\n- 10:00 Users met with `Service unavailable`.\n", 3),
        _read("E-2", "## Timeline\n- 10:00 Users still met with `Service unavailable.`\n", 9),
    ]
    (symptom,) = playbook(members, ["orders"]).symptoms
    assert symptom.name == "Service unavailable"  # as first quoted
    assert symptom.incidents == ("E-1", "E-2")


def test_an_expression_in_code_is_no_log_line():
    """`constants.MAX_BLOCK_COST * 0.5` quoted in a timeline is code, not what the logs said."""
    from learnloop.analyze.steps import playbook

    told = (
        "## Timeline\n- 10:00 Cost checks against `constants.MAX_BLOCK_COST * 0.5` failed with "
        "`HTTP 503` and `max_connections = 100` was set.\n"
    )
    assert [s.name for s in playbook([_read("F-1", told)], ["orders"]).symptoms] == ["HTTP 503"]


def test_an_easing_outside_the_incident_times_no_action():
    """Resolved at 09:30, a restart at 13:00 is followed only by "Incident closed" at 23:00:
    ten hours are no time the restart took to ease anything, so the runbook gives it none,
    while the rollback keeps its ten minutes. With no resolution stated the close is the
    end, and the figure stands. Begun at 09:15, the rollback at 09:10 eased none of it."""
    from datetime import UTC

    from learnloop.analyze.steps import playbook
    from learnloop.read import incident_from_bytes

    def eased(start: str = "09:00", resolved: str = "") -> dict[str, float | None]:
        text = (
            f"---\nid: E-1\ntitle: Orders errors\nstarted_at: 2025-03-14T{start}:00Z\n"
            f"{resolved}severity: P2\nservices: [orders]\n---\n## Timeline\n"
            "- 09:00 Errors on orders.\n- 09:10 Rolled back the release.\n"
            "- 09:20 Errors stopped.\n- 13:00 Restarted the orders workers.\n"
            "- 23:00 Incident closed.\n"
        )
        incident, _ = incident_from_bytes(text.encode(), "incidents/e.md", UTC)
        assert incident is not None
        return {s.text: s.minutes_to_effect for s in playbook([incident], ["orders"]).mitigation}

    rollback, restart = "Rolled back the release.", "Restarted the orders workers."
    assert eased(resolved="resolved_at: 2025-03-14T09:30:00Z\n") == {rollback: 10.0, restart: None}
    assert eased() == {rollback: 10.0, restart: 600.0}
    assert eased(start="09:15") == {rollback: None, restart: 600.0}
