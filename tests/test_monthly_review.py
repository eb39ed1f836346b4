"""`report monthly`: the learning review of a month, each part checked against the incidents
and against the figures the technical report computes the same way."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from learnloop.cli import cli
from learnloop.read import load_corpus
from learnloop.write import review

MONTH = "2025-03"


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


def data_of(root: Path, month: str = MONTH) -> dict:
    result = invoke(root, "report", "monthly", "--month", month, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def patterns_of(root: Path) -> dict[str, str]:
    found = json.loads(invoke(root, "patterns", "--json").output)["patterns"]
    return {i: p["id"] for p in found for i in p["incidents"]}


def test_the_review_has_its_sections_in_meeting_order(owned: Path):
    result = invoke(owned, "report", "monthly", "--month", MONTH)
    assert result.exit_code == 0
    assert result.output.startswith(f"# Monthly learning review {MONTH}\n")
    assert re.findall(r"(?m)^## .+$", result.output) == [
        "## Summary",
        "## To discuss",
        "## What recurred",
        "## What was new",
        "## Which fixes worked",
        "## Runbooks used and rated",
        "## Overdue actions",
        "## Incidents",
        "## Action items",
        "## Cost",
    ]
    html = invoke(owned, "report", "monthly", "--month", MONTH, "--format", "html").output
    assert "<h2" in html
    assert "http" not in html.split("<body", 1)[1].lower()  # self-contained


def test_what_recurred_and_what_was_new_follow_the_patterns(owned: Path):
    data = data_of(owned)
    pattern_of = patterns_of(owned)
    incidents = load_corpus(owned).incidents
    start, end = date(2025, 3, 1), date(2025, 3, 31)
    month = [i for i in incidents if start <= i.started_at.date() <= end]
    assert data["incident_count"] == len(month)
    recurred = {}
    for incident in month:
        pid = pattern_of.get(incident.id)
        earlier = [
            i for i in incidents if pattern_of.get(i.id) == pid and i.started_at.date() < start
        ]
        if pid and earlier:
            recurred.setdefault(pid, []).append(incident.id)
    assert {r["pattern"]: sorted(r["incidents"]) for r in data["recurred"]} == {
        p: sorted(ids) for p, ids in recurred.items()
    }
    assert {o["id"] for o in data["one_offs"]} == {i.id for i in month if i.id not in pattern_of}


def test_fixes_are_judged_as_the_technical_report_judges_them(owned: Path):
    data = data_of(owned)
    result = invoke(owned, "report", "technical", "--to", "2025-03-31", "--format", "json")
    technical = {f["pattern"]: f for f in json.loads(result.output)["feedback"]["fixes"]}
    assert data["fixes"]
    for fix in data["fixes"]:
        same = technical[fix["pattern"]]
        assert (fix["item"], fix["verdict"], fix["statement"]) == (
            same["item"],
            same["verdict"],
            same["statement"],
        )


def test_runbooks_used_are_the_months_incidents_that_say_so(owned: Path):
    data = data_of(owned)
    incidents = load_corpus(owned).incidents
    used = {
        i.id: (i.runbook_used, i.runbook_helpful)
        for i in incidents
        if i.started_at.date().isoformat().startswith(MONTH) and i.runbook_used
    }
    assert {u["incident"]: (u["runbook"], u["helpful"]) for u in data["runbooks"]["used"]} == used


def test_three_things_to_discuss_failed_fixes_first(owned: Path):
    data = data_of(owned)
    topics = [d["topic"] for d in data["discuss"]]
    assert len(topics) == review.TO_DISCUSS
    assert topics == sorted(topics, key=review.TOPICS.index)
    failed = [f["pattern"] for f in data["fixes"] if f["failed"]]
    recurred = {r["pattern"] for r in data["recurred"]}
    if set(failed) & recurred:
        assert topics[0] == "fix-did-not-work"
    for item in data["discuss"]:
        assert item["incidents"]
        assert item["why"]
    # An overdue item to discuss is the longest overdue one.
    for item in data["discuss"]:
        if item["topic"] == "overdue":
            assert item["incidents"] == [data["overdue"]["longest"][0]["incident"]]


def test_overdue_is_as_of_the_months_end(owned: Path):
    data = data_of(owned)
    for row in data["overdue"]["longest"]:
        assert row["due"] < "2025-03-31"
        assert row["overdue_days"] == (date(2025, 3, 31) - date.fromisoformat(row["due"])).days


def test_a_teams_review_has_only_its_services(owned: Path):
    result = invoke(owned, "report", "monthly", "--month", MONTH, "--team", "dba-team",
                    "--format", "json")  # fmt: skip
    data = json.loads(result.output)
    incidents = {i.id: i for i in load_corpus(owned).incidents}
    dba = {"cart-db", "inventory-db", "orders-db"}
    assert all(dba & set(incidents[i].services) for i in data["incident_ids"])


def test_monthly_options_are_checked(owned: Path):
    for args, message in (
        (["monthly", "--since", "30d"], "--since does not go with `report monthly`"),
        (["executive", "--month", MONTH], "--month goes with `report monthly`"),
        (["monthly", "--month", "2025-13"], "--month: expected YYYY-MM, got '2025-13'"),
    ):
        result = CliRunner().invoke(cli, ["--root", str(owned), "report", *args])
        assert result.exit_code == 2, args
        assert message in result.output
