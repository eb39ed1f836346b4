"""Importing an incident log kept as a table: CSV, TSV, JSON Lines, a JSON list of records."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from learnloop.importers import table
from learnloop.importers.severity import map_severity
from tests.importing import incidents, reasons, run_import

LOG = (
    "Date,Title,Severity,Service,Duration,What happened,Root cause,Resolution,Link\n"
    '2024-02-03 14:02,Checkout errors after deploy,SEV2,checkout,38 minutes,"Checkout returned'
    ' 500s.","A deploy removed the pool limit, and the connection pool was exhausted.",'
    '"Rolled back the deploy at 14:31; errors stopped by 14:40.",https://wiki.example/pm/42\n'
    "2024-03-11,Search slow,SEV3,search,,Search latency went to 8 s.,The index ran out of disk"
    " space.,Freed 40 GB of disk.,\n"
    ",,,,,,,,\n"
)


def _log(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "log"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


def test_a_spreadsheet_row_is_read_as_the_post_mortem_it_would_be(make_repo, tmp_path):
    root = make_repo({})
    result, out = run_import(root, _log(tmp_path, "incident-log.csv", LOG))
    assert result.exit_code == 0, result.output
    # A blank row at the end, as spreadsheets export, is passed over and said so.
    assert reasons(out) == {"incident-log.csv#3": "an empty row: no title and no text"}
    found = {i.title: i for i in incidents(root).values()}
    checkout = found["Checkout errors after deploy"]
    assert (checkout.severity, checkout.services) == ("P2", ("checkout",))
    assert checkout.started_at.isoformat() == "2024-02-03T14:02:00+00:00"
    assert checkout.resolved_at.isoformat() == "2024-02-03T14:40:00+00:00"
    # Each column of text is a part the reader finds, as under a heading of that name.
    assert [s.text for s in checkout.part("root_cause")] == [
        "A deploy removed the pool limit, and the connection pool was exhausted."
    ]
    assert [s.text for s in checkout.part("mitigation")] == [
        "Rolled back the deploy at 14:31; errors stopped by 14:40."
    ]
    assert "connection-pool-exhaustion" in {m.id for m in checkout.failure_modes}
    written = (root / checkout.path).read_text()
    assert "url: https://wiki.example/pm/42" in written
    assert "## Link" not in written
    assert found["Search slow"].started_at.date().isoformat() == "2024-03-11"


def test_importing_the_log_again_changes_nothing_and_a_row_keeps_its_incident(make_repo, tmp_path):
    root = make_repo({})
    folder = _log(tmp_path, "incident-log.csv", LOG)
    _, first = run_import(root, folder)
    _, again = run_import(root, folder)
    assert (len(first["imported"]), len(again["imported"]), len(again["unchanged"])) == (2, 0, 2)
    # A row added above the others: they stay the incidents they were.
    header, rows = LOG.split("\n", 1)
    added = f"{header}\n2024-01-05,Login slow,SEV3,auth,,Logins took 9 s.,,,\n{rows}"
    _log(tmp_path, "incident-log.csv", added)
    _, third = run_import(root, folder)
    assert (len(third["imported"]), len(third["unchanged"])) == (1, 2)


def test_json_lines_and_a_json_list_of_records(make_repo, tmp_path):
    records = [
        {
            "id": "ops:17",
            "title": "Edge routers crashed on a bad rule",
            "text": "A bad config (router rule) caused all edge routers to crash.",
            "categories": ["Config Errors"],
            "date": "2019-07-02",
        },
        {"title": "DNS outage", "text": "The resolvers ran out of memory.", "date": "2020-01-09"},
    ]
    folder = _log(tmp_path, "summaries.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    (folder / "more.json").write_text(json.dumps([{**records[1], "title": "DNS outage again"}]))
    root = make_repo({})
    result, _ = run_import(root, folder)
    assert result.exit_code == 0, result.output
    found = incidents(root)
    assert found["ops-17"].tags == ("Config Errors",)
    assert {i.title for i in found.values()} == {
        "Edge routers crashed on a bad rule",
        "DNS outage",
        "DNS outage again",
    }


def test_a_broken_line_of_json_lines_is_named_and_loses_nothing_else(make_repo, tmp_path):
    folder = _log(tmp_path, "broken.jsonl", '{"title": "A", "text": "x"}\n{"title": \n')
    (folder / "fine.csv").write_text("Title,Date\nDisk full,2024-05-01\n")
    root = make_repo({})
    result, out = run_import(root, folder)
    assert result.exit_code == 1
    assert reasons(out)["broken.jsonl"].startswith("line 2: not a JSON record")
    assert [i.title for i in incidents(root).values()] == ["Disk full"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["a.csv", "a.tsv", "a.jsonl"]))
def test_any_text_gives_rows_or_a_reason_never_an_error(text: str, name: str):
    rows = table.rows_of(text, name)
    assert isinstance(rows, str | list)
    if isinstance(rows, list):
        for row in rows:
            front, body = table.post_mortem(row)
            assert isinstance(front, dict)
            assert body.endswith("\n")


def test_a_table_of_something_else_beside_the_post_mortems_is_passed_over(make_repo, tmp_path):
    folder = _log(tmp_path, "latency.csv", "timestamp,p99_ms\n2024-05-01T10:00:00Z,120\n")
    (folder / "owners.csv").write_text("name,team\ncheckout,payments\n")
    root = make_repo({})
    result, out = run_import(root, folder)
    assert result.exit_code == 0
    assert reasons(out)["latency.csv"].startswith("not an incident log")
    assert reasons(out)["owners.csv"].startswith("not an incident log")
    assert not incidents(root)


SERVICENOW = Path(__file__).resolve().parent / "data" / "import" / "servicenow"


def test_a_servicenow_incident_export_reads_its_fields_and_parts(make_repo):
    # ServiceNow's list view exported as CSV: its own field names, priorities "1 - Critical",
    # a custom field (u_root_cause) and the notes it closed the incident with.
    root = make_repo({})
    result, out = run_import(root, SERVICENOW)
    assert result.exit_code == 0, out
    found = incidents(root)
    assert sorted(found) == ["INC0012345", "INC0012399", "INC0012410"]
    mail = found["INC0012345"]
    assert mail.title == "Email delivery delayed for all users"
    assert (mail.severity, mail.services, mail.status) == ("P1", ("smtp-relay-02",), "Closed")
    assert mail.started_at.isoformat() == "2023-06-01T09:12:33+00:00"
    assert [s.text for s in mail.part("root_cause")] == [
        "Log rotation for /var/spool/postfix was disabled during the March migration, so the "
        "spool disk filled."
    ]
    assert mail.part("resolution")[0].text.startswith("Cleared the mail queue and restarted")
    assert (found["INC0012399"].severity, found["INC0012410"].severity) == ("P2", "P4")


def test_a_numbered_priority_is_read_by_its_word_then_its_number():
    assert map_severity("1 - Critical", "table") == "P1"
    assert map_severity("4 - Minor", "table") == "P3"  # the word, where it is known
    assert map_severity("5 - Planning", "table") == "P4"  # past the scale's end is its end
    assert map_severity("7 - Whatever", "table") is None


def test_servicenow_json_exports_wrapped_and_with_reference_fields(make_repo, tmp_path):
    # The list view's "Export > JSON" wraps its rows in "records"; the Table API in "result",
    # with a reference field as {"display_value", "link"}.
    src = tmp_path / "now"
    src.mkdir()
    row = {
        "number": "INC0012399",
        "short_description": "VPN logins failing",
        "opened_at": "2023-06-03 07:02:10",
        "priority": "2 - High",
        "cmdb_ci": {"display_value": "vpn-gw-01", "link": "https://x.service-now.com/api/now/v1"},
        "close_notes": "Failed over to the secondary RADIUS server.",
    }
    (src / "api.json").write_text(json.dumps({"result": [row]}))
    listed = {**row, "number": "INC0012400", "cmdb_ci": "vpn-gw-02"}
    (src / "list.json").write_text(json.dumps({"records": [listed]}))
    root = make_repo({})
    result, out = run_import(root, src)
    assert result.exit_code == 0, out
    found = incidents(root)
    assert {i: (n.services, n.severity) for i, n in found.items()} == {
        "INC0012399": (("vpn-gw-01",), "P2"),
        "INC0012400": (("vpn-gw-02",), "P2"),
    }
    # One key around anything else is still no log of incidents.
    assert table.rows_in({"meta": [{"a": 1}]}) == {"meta": [{"a": 1}]}


def test_jira_and_incident_tool_csv_exports(make_repo, tmp_path):
    src = tmp_path / "csv"
    src.mkdir()
    (src / "jira.csv").write_text(
        "Summary,Issue key,Issue id,Status,Priority,Created,Resolved,Components,Description,"
        "Custom field (Root Cause),Custom field (Resolution Details)\n"
        "Checkout API returning 502s,INC-101,10234,Done,Highest,05/Mar/24 2:02 PM,"
        '05/Mar/24 3:10 PM,checkout-api,"35% of checkout requests failed with HTTP 502.",'
        '"A deploy lowered the connection pool size from 50 to 5.","Rolled back the deploy."\n'
    )
    (src / "tool.csv").write_text(
        "ID,Name,Severity,Created At,Resolved At,Summary,Affected Services\n"
        "01HQ8Z,Payments webhook backlog,Major,2024-02-21T10:04:11Z,2024-02-21T12:30:00Z,"
        '"Webhook deliveries were delayed by up to 2 hours.","Webhooks, Payments API"\n'
    )
    (src / "log.csv").write_text(
        'ID,Date,Summary\nQ-1,2024-01-09,"The queue backed up. Workers were restarted."\n'
    )
    root = make_repo({})
    result, out = run_import(root, src)
    assert result.exit_code == 0, out
    found = incidents(root)
    assert found["Q-1"].title != "The queue backed up. Workers were restarted."
    jira = found["INC-101"]
    # Jira's "Summary" is the name; its dates are "05/Mar/24 2:02 PM".
    assert jira.title == "Checkout API returning 502s"
    assert (jira.started_at.isoformat(), jira.severity) == ("2024-03-05T14:02:00+00:00", "P1")
    assert jira.resolved_at == datetime(2024, 3, 5, 15, 10, tzinfo=UTC)
    assert [s.text for s in jira.part("root_cause")] == [
        "A deploy lowered the connection pool size from 50 to 5."
    ]
    assert [s.text for s in jira.part("resolution")] == ["Rolled back the deploy."]
    tool = found["01HQ8Z"]
    # "Created At" dates it; a summary that is a paragraph stays the text.
    assert tool.started_at.isoformat() == "2024-02-21T10:04:11+00:00"
    assert tool.title == "Payments webhook backlog"
    assert tool.services == ("webhooks", "payments-api")


def test_a_servicenow_journal_is_the_timeline_oldest_first(make_repo, tmp_path):
    src = tmp_path / "now"
    src.mkdir()
    notes = (
        "2023-07-02 10:45:12 - Lee Park (Work notes)\n"
        "Restarted the orders-api pods; latency back to normal.\n\n"
        "2023-07-02 10:20:40 - Lee Park (Work notes)\nChecked the DB dashboard: pool full.\n\n"
        "2023-07-02 10:05:03 - Service Desk (Additional comments)\n"
        "Monitoring alert received for orders-api latency.\n"
    )
    with (src / "incident.csv").open("w", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(["number", "short_description", "opened_at", "work_notes"])
        writer.writerow(["INC0020001", "Orders API timing out", "2023-07-02 10:02:00", notes])
    root = make_repo({})
    result, out = run_import(root, src)
    assert result.exit_code == 0, out
    incident = incidents(root)["INC0020001"]
    assert "## Timeline\n\n- 2023-07-02 10:05:03 Monitoring alert received" in incident.body
    assert "Lee Park" not in incident.body  # who wrote a note is no word of what was done
    moments = {m.name: m.at.strftime("%H:%M") for m in incident.milestones}
    assert (moments["detected_at"], moments["mitigated_at"]) == ("10:05", "10:45")
    assert [s.text for s in incident.part("mitigation")] == [
        "Restarted the orders-api pods; latency back to normal."
    ]
    # Only a field that is a journal from its first line: a text that quotes one stays whole.
    quoted = "Ops said:\n2023-07-02 10:45:12 - Lee Park (Work notes)\nRestarted."
    assert table.post_mortem({"close_notes": quoted})[1] == f"## close notes\n\n{quoted}\n"


def test_a_providers_service_health_records_with_html_text(make_repo, tmp_path):
    # As a provider's activity log exports its service issues: camelCase fields, and the
    # communication kept as HTML.
    record = {
        "title": "RCA - Network Infrastructure - UK West",
        "trackingId": "NA0F-BJG",
        "service": "Network Infrastructure",
        "impactStartTime": "2018-12-14T03:30:00Z",
        "impactMitigationTime": "2018-12-14T12:25:00Z",
        "communication": (
            "<p><strong>Summary of impact:</strong> Between 03:30 and 12:25 UTC customers saw "
            "network drops.&nbsp;</p><p><strong>Preliminary root cause:</strong> An external "
            "networking circuit had a hardware failure.</p><p><strong>Mitigation:</strong> "
            "Engineers performed a hardware replacement of the faulty fiber.</p>"
        ),
    }
    root = make_repo({})
    result, _ = run_import(root, _log(tmp_path, "health.json", json.dumps([record])))
    assert result.exit_code == 0, result.output
    (found,) = incidents(root).values()
    assert found.started_at.isoformat() == "2018-12-14T03:30:00+00:00"
    assert found.mitigated_at is not None
    assert found.mitigated_at.isoformat() == "2018-12-14T12:25:00+00:00"
    written = (root / found.path).read_text()
    assert "<p>" not in written
    assert "&nbsp;" not in written
    assert [s.text for s in found.part("root_cause")] == [
        "An external networking circuit had a hardware failure."
    ]
    # The fault named in what was replaced is no cause of it.
    assert [s.text for s in found.part("mitigation")] == [
        "Engineers performed a hardware replacement of the faulty fiber."
    ]
