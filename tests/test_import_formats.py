"""`learnloop import` of each tool's format, on the real samples in ../shared/datasets/formats
and on fixtures written from each vendor's published API reference:

- pagerduty/incident-bundle.json: PagerDuty REST API v2, "Get an incident", "List log
  entries for an incident" (trigger/acknowledge/escalate/annotate/notify/resolve entries) and
  "List notes for an incident", saved side by side.
- opsgenie/alert-bundle.json: Opsgenie Alert API v2, "Get alert", "List alert logs" and
  "List alert notes" responses, saved side by side.
- jira/issue-with-changelog.json: Jira REST API v2 "Get issue" with expand=changelog,names
  (wiki markup description, changelog histories, comments).
- slack/export/: Slack's "Export your workspace data" layout (channels.json, users.json,
  <channel>/<YYYY-MM-DD>.json with conversations.history message objects).
- html/: a Confluence "Export to HTML" page and a Google Docs "Download as HTML" file.
- alertmanager/webhook-checkout.json: Prometheus Alertmanager webhook_config payload,
  version "4".
"""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date

import pytest

from tests.conftest import incident_text
from tests.importing import DATA, body, front, incidents, invoke, reasons, run_import


def test_pagerduty_incident_log_notes_and_postmortem(make_repo):
    root = make_repo({})
    result, out = run_import(root, DATA / "pagerduty")
    assert result.exit_code == 0, result.output
    [entry] = out["imported"]
    assert entry["id"] == "PD-PT4KHLK"
    incident = incidents(root)["PD-PT4KHLK"]
    assert incident.severity == "P1"  # the priority wins over the urgency
    assert incident.services == ("checkout-api",)
    assert incident.detected_at.isoformat() == "2024-05-02T09:19:00+00:00"  # the trigger
    assert incident.acknowledged_at.isoformat() == "2024-05-02T09:22:00+00:00"  # TTA 3 min
    assert incident.resolved_at.isoformat() == "2024-05-02T10:05:00+00:00"
    assert [r.name for r in incident.responders] == ["Riley Park", "Sam Lee"]
    texts = [e.text for e in incident.timeline]
    assert texts[0].startswith("Triggered through the API")
    assert "5xx ratio above 5% for 5 minutes" in incident.body
    assert "Escalated to Sam Lee by Riley Park" in texts
    assert "Note by Sam Lee: Raised max_connections to 400; errors falling." in texts
    assert "Note by Sam Lee: Pool size was 100 per pod; the HPA had scaled to 38 pods." in texts
    assert not any("Notification sent" in t for t in texts)  # paging noise left out
    assert "`max_connections`" in incident.section("root_cause")


def test_pagerduty_webhooks_of_one_incident_merge(make_repo, shared_datasets):
    root = make_repo({})
    folder = shared_datasets / "formats" / "pagerduty"
    _, out = run_import(root, *sorted(folder.glob("webhook-v2-*.json")))
    [entry] = out["imported"]
    incident = incidents(root)[entry["id"]]
    # trigger and resolve messages of PRORDTY: the resolved state wins, both times kept
    assert incident.status == "resolved"
    assert incident.started_at.isoformat() == "2017-09-26T15:14:36+00:00"
    assert incident.resolved_at.isoformat() == "2017-09-26T15:18:09+00:00"
    assert incident.services == ("production-xdb-cluster",)


def test_pagerduty_v3_and_rest_samples_all_import(make_repo, shared_datasets):
    root = make_repo({})
    _result, out = run_import(root, shared_datasets / "formats" / "pagerduty")
    ids = {e["id"] for e in out["imported"]}
    assert {"PD-PFQZPSY", "PD-PCPZE64", "PD-PQ1K5C8", "PD-PIQUG8X", "PD-PRORDTY"} <= ids
    assert {"PD-INCIDENT1", "PD-Q3XPBJRWJEU9R9"} <= ids
    assert reasons(out) == {
        "rest-v2-incident-note-create-response.json": "PagerDuty data that names no incident "
        "(a note or alert list needs its incident beside it)"
    }
    incident = incidents(root)["PD-INCIDENT1"]  # the alert list joined its incident
    assert [a for a in incident.alerts] == ["this is a trigger event!"]
    assert invoke(root, "check").exit_code == 0


def test_opsgenie_alert_with_logs_and_notes(make_repo):
    root = make_repo({})
    _, out = run_import(root, DATA / "opsgenie")
    [entry] = out["imported"]
    incident = incidents(root)[entry["id"]]
    assert entry["id"] == "OG-70413a06-38d6-4c85-92b8-5ebc900d42e2-1712737813016"
    assert incident.severity == "P2"
    assert incident.services == ("checkout-api",)  # from the service: tag
    assert incident.tags == ("prod",)
    assert incident.acknowledged_at.isoformat() == "2024-04-10T08:34:13+00:00"  # +ackTime
    assert incident.resolved_at.isoformat() == "2024-04-10T09:12:00+00:00"
    texts = [e.text for e in incident.timeline]
    assert "Note by Sam Lee: Rolled back the deploy from 08:20." in texts
    assert "Alert acknowledged via web" in texts
    assert [r.name for r in incident.responders] == ["Riley Park", "Sam Lee"]


def test_opsgenie_samples_import(make_repo, shared_datasets):
    root = make_repo({})
    result, out = run_import(root, shared_datasets / "formats" / "opsgenie")
    assert result.exit_code == 0
    assert len(out["imported"]) == 4
    assert out["skipped"] == []
    incident = incidents(root)["OG-aaaaaaaa-bbbb-cccc-dddd-eeeeeeee0041"]
    assert incident.mitigated_at.isoformat() == "2023-09-26T17:45:25+00:00"  # impactEndDate
    acked = incidents(root)["OG-aaaaaaaa-bbbb-cccc-dddd-eeeeeeee0063-1695830593128"]
    assert acked.acknowledged_at.isoformat() == "2023-09-27T16:06:24+00:00"  # ackTime 190942 ms


def test_jira_issue_with_changelog_and_wiki_markup(make_repo):
    root = make_repo({})
    _, out = run_import(root, DATA / "jira")
    [entry] = out["imported"]
    assert entry["id"] == "OPS-42"
    incident = incidents(root)["OPS-42"]
    assert incident.severity == "P1"  # the Severity field (names) over the priority
    assert incident.services == ("search-api", "search-indexer")
    assert incident.tags == ("incident",)
    # no resolution date: the first move to a done status resolves it
    assert incident.resolved_at.isoformat() == "2024-06-01T10:45:00+02:00"
    text = body((root / entry["path"]).read_text())
    assert "## What happened" in text
    assert "The **index alias** pointed" in text
    assert "```sql\nSELECT count(*) FROM docs;\n```" in text
    assert "[the runbook](https://wiki.shop.example/search)" in text
    texts = [e.text for e in incident.timeline]
    assert texts[0] == "Status: Open → In Progress (by Riley Park)"
    assert any(t.startswith("Comment by Sam Lee:") for t in texts)


def test_jira_samples_and_webhooks_of_one_issue(make_repo, shared_datasets):
    root = make_repo({})
    _, out = run_import(root, shared_datasets / "formats" / "jira")
    ids = sorted(e["id"] for e in out["imported"])
    assert ids == ["KT-22", "SAMPLEPROJECT-1", "SEC-108", "TES-4", "TEST-1"]  # TES-4 once
    tes = incidents(root)["TES-4"]
    assert [e.text for e in tes.timeline] == [
        "Status: In Progress → Resolved (by Test User)",
        "Status: Reopened → In Progress (by Test User)",
    ]
    assert incidents(root)["SAMPLEPROJECT-1"].services == ("jamflam", "jammy")
    assert invoke(root, "check").exit_code == 0


def _slack_zip(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted((DATA / "slack" / "export").rglob("*.json")):
            out.write(path, "export/" + path.relative_to(DATA / "slack" / "export").as_posix())
    return archive


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_slack_incident_channel_becomes_a_timeline_draft(make_repo, tmp_path, kind):
    root = make_repo({})
    source = DATA / "slack" / "export" if kind == "folder" else _slack_zip(tmp_path)
    _result, out = run_import(root, source)
    [entry] = out["imported"]
    assert entry["id"] == "slack-inc-2024-03-05-checkout-outage"
    assert "is not an incident channel" in reasons(out)[f"{source.name}#random"]
    incident = incidents(root)[entry["id"]]
    assert incident.title == "Checkout returning 500s"  # the channel's purpose
    assert incident.severity == "P2"  # "Declaring SEV2"
    assert incident.status == "draft"
    assert incident.started_at.isoformat() == "2024-03-05T10:05:00+00:00"
    texts = [e.text for e in incident.timeline]  # as the reader reads them: words, no markup
    assert texts[0] == "Riley Park: Declaring SEV2: checkout is returning 500s since 10:02 @here"
    assert texts[1].startswith("Sam Lee: @Riley Park orders-db is at max_connections")
    assert "**Sam Lee**: @Riley Park orders-db is at max_connections" in incident.body
    assert "[the dashboard](https://grafana.shop.example/d/db)" in incident.body
    assert texts[2] == "Riley Park (in thread): Raised the pool limit & restarted; errors dropping"
    assert not any("has joined" in t for t in texts)


def test_slack_sample_export_names_its_channels_as_skipped(make_repo, shared_datasets):
    root = make_repo({})
    _result, out = run_import(root, shared_datasets / "formats" / "slack")
    found = reasons(out)
    assert found["export-sample#enrique"].startswith("#enrique is not an incident channel")
    assert "outside a workspace export" in found["messages-thread-replies.json"]
    # with the channel named as an incident channel, its messages become the draft
    (root / "learnloop.yml").write_text("import: {slack_channels: [enrique]}\n")
    _, out = run_import(root, shared_datasets / "formats" / "slack" / "export-sample")
    [entry] = out["imported"]
    assert entry["id"] == "slack-enrique"
    assert incidents(root)["slack-enrique"].started_at.date().isoformat() == "2016-01-15"


def test_confluence_export(make_repo):
    root = make_repo({})
    _, out = run_import(root, DATA / "html" / "confluence-db-outage.html")
    [entry] = out["imported"]
    incident = incidents(root)[entry["id"]]
    assert incident.title == "Orders DB outage 2024-02-14"
    assert incident.severity == "P1"
    assert incident.started_at.isoformat() == "2024-02-14T07:58:00+00:00"
    text = body((root / entry["path"]).read_text())
    assert "| 2024-02-14 07:58 | Disk usage alert fires |" in text  # the table kept
    assert "```\nSELECT pg_size_pretty(pg_database_size('orders'));\n```" in text
    assert "Document generated by Confluence" not in text
    assert "breadcrumb" not in text


def test_google_docs_export(make_repo):
    root = make_repo({})
    _, out = run_import(root, "--format", "html", DATA / "html" / "google-doc-cache-incident.html")
    [entry] = out["imported"]
    text = body((root / entry["path"]).read_text())
    assert "**2024-01-09**" in text
    assert "`redis-cli flushall`" in text
    assert "*by mistake*" in text
    assert "(https://grafana.shop.example/d/cache)" in text  # the redirect undone
    assert incidents(root)[entry["id"]].title == "Cache stampede after deploy"


def test_notion_export(make_repo):
    # A Notion page exported as HTML: its properties in a table, a property of several values
    # as pills side by side, a callout with its icon.
    root = make_repo({})
    _, out = run_import(root, DATA / "html" / "notion-webhooks-dropped.html")
    [entry] = out["imported"]
    incident = incidents(root)[entry["id"]]
    assert incident.services == ("payments-webhooks", "stripe-gateway")
    assert (incident.severity, incident.started_at.isoformat()) == (
        "P2",
        "2024-06-18T10:05:00-07:00",
    )
    text = body((root / entry["path"]).read_text())
    assert "\n\nA Redis eviction policy change made" in text
    assert "💡" not in text
    assert [s.text for s in incident.part("mitigation")] == [
        "Set `maxmemory-policy noeviction` back by hand"
    ]
    # A table with no header cells has its first row as its header: no entry of the timeline.
    assert "| Time (PT) | Event |\n| --- | --- |" in text
    assert not any("Time (PT)" in event.text for event in incident.timeline)


def test_truncated_html_is_reported(make_repo):
    root = make_repo({})
    result, out = run_import(root, DATA / "html" / "truncated.html")
    assert reasons(out) == {"truncated.html": "truncated HTML: the page has no closing </html>"}
    assert result.exit_code == 1


ALERTS = DATA / "alertmanager" / "webhook-checkout.json"


def test_alerts_attach_as_detection_evidence_keeping_the_file_byte_for_byte(make_repo):
    text = incident_text().replace("started_at:", "# a person's comment\nstarted_at:")
    root = make_repo({"2025/checkout.md": text})
    result, out = run_import(root, ALERTS)
    assert result.exit_code == 0, result.output
    assert [(e["id"], e["path"]) for e in out["updated"]] == [
        ("INC-2025-001", "incidents/2025/checkout.md")
    ]
    new = (root / "incidents/2025/checkout.md").read_text()
    # everything that was there is still there, in place; only keys were added at the end
    assert new.startswith(front(text) + "\n")
    assert body(new) == body(text)
    added = new[len(front(text)) + 1 : -len(body(text)) - len("---\n")]
    assert added.startswith("alerts:\n- name: OrdersDbConnectionsHigh\n")
    incident = incidents(root)["INC-2025-001"]
    assert incident.alerts == ("OrdersDbConnectionsHigh", "CheckoutHighErrorRate")
    assert incident.detected_at.isoformat() == "2025-01-10T10:04:30+00:00"  # the first alert
    assert incident.detection.source == "alertmanager: OrdersDbConnectionsHigh"
    # the alert that overlaps no incident is kept as a candidate precursor
    assert out["candidate_alerts"] == {"count": 1, "path": "alerts/candidates.yml"}
    assert "name: DiskFillingUp" in (root / "alerts/candidates.yml").read_text()
    # again: nothing changes
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    _, again = run_import(root, ALERTS)
    assert again["updated"] == []
    assert [e["id"] for e in again["unchanged"]] == ["INC-2025-001"]
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == before


def test_alerts_never_replace_what_a_person_wrote(make_repo):
    text = incident_text(detected_at="2025-01-10T10:03:00Z").replace(
        "services:", "detection: {method: customer-report}\nservices:"
    )
    root = make_repo({"2025/checkout.md": text})
    run_import(root, ALERTS)
    incident = incidents(root)["INC-2025-001"]
    assert incident.detected_at.isoformat() == "2025-01-10T10:03:00+00:00"
    assert incident.detection.method == "customer-report"
    assert incident.alerts == ("OrdersDbConnectionsHigh", "CheckoutHighErrorRate")


def test_alerts_attach_to_an_imported_incident_and_survive_its_reimport(make_repo, tmp_path):
    root = make_repo({})
    source = tmp_path / "pm"
    source.mkdir()
    (source / "checkout.md").write_text(
        "# Checkout errors\n\n**Severity**: SEV-2\n**Services**: checkout-api, orders-db\n\n"
        "## Timeline\n- 2025-01-10 10:00 errors begin\n- 10:50 resolved\n"
    )
    run_import(root, source)
    _, out = run_import(root, ALERTS)
    [entry] = out["updated"]
    _, again = run_import(root, source)  # the post-mortem again: the alerts stay
    assert again["updated"] == []
    assert len(again["unchanged"]) == 1
    assert incidents(root)[entry["id"]].alerts == (
        "OrdersDbConnectionsHigh",
        "CheckoutHighErrorRate",
    )
    assert invoke(root, "check").exit_code == 0


def test_alertmanager_samples_become_candidates(make_repo, shared_datasets):
    root = make_repo({})
    result, out = run_import(root, shared_datasets / "formats" / "alertmanager")
    assert out["candidate_alerts"]["count"] == 15
    assert reasons(out) == {"api-v2-silences-am-v0.31.0.json": "Alertmanager silences, not alerts"}
    assert result.exit_code == 0


def test_cstate_collection_skips_maintenance_with_reasons(make_repo, shared_datasets, tmp_path):
    root = make_repo({})
    issues = shared_datasets / "jenkins-status" / "files" / "content" / "issues"
    result, out = run_import(root, issues)
    assert result.exit_code == 0
    total = len(list(issues.glob("*.md")))
    assert len(out["imported"]) + len(out["skipped"]) == total  # every entry accounted for
    found = reasons(out)
    assert found["2023-03-08-ci-maintenance.md"].startswith("a maintenance notice")
    assert "2022-03-04-artifactory-out-of-space.md" not in found
    loaded = incidents(root)
    artifactory = next(i for i in loaded.values() if i.id == "2022-03-04-artifactory-out-of-space")
    assert artifactory.severity == "P2"  # disrupted
    assert artifactory.services == ("repo-jenkins-ci-org",)
    assert artifactory.resolved_at.isoformat() == "2022-03-07T10:45:00+00:00"
    for incident in loaded.values():  # each entry's date is its file name's, give or take a day
        named = date.fromisoformat(incident.id[:10])  # ids are the source files' names
        assert abs((incident.started_at.date() - named).days) <= 1, incident.id
    assert invoke(root, "check").exit_code == 0


def test_skipped_formats_are_reported_not_dropped(make_repo, shared_datasets, tmp_path):
    source = tmp_path / "formats"
    shutil.copytree(shared_datasets / "formats", source)
    root = make_repo({})
    result, out = run_import(root, source)
    listed = " ".join(e["source"] for k in ("imported", "skipped") for e in out[k])
    grouped = ("pagerduty", "opsgenie", "jira", "alertmanager", "export-sample")
    for path in source.rglob("*"):
        # Every file is named, as imported or skipped; files whose incidents merge across
        # files (webhooks, log entries) or whose alerts became candidates are named by group.
        if path.is_file() and not any(part in grouped for part in path.parts):
            assert path.name in listed, path
    assert result.exit_code == 1  # the incident.io files are of no known format


def test_opsgenie_postmortem_in_document_format(make_repo, tmp_path):
    # The response of Opsgenie's Postmortem API "Get postmortem" (docs.opsgenie.com).
    def doc(text):
        return {"version": 1, "type": "doc", "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": text}]}]}  # fmt: skip

    data = {"data": {
        "postmortemId": "4e4b3a71-1fa4-47fb-9b27-23dcbde566a5", "title": "Incident - postmortem",
        "severity": "P1", "status": "draft", "startTime": "2021-02-26T04:13:21.075Z",
        "endTime": "2021-02-26T04:43:27.757Z",
        "executiveSummary": doc("Payments failed for half an hour."),
        "content": doc("A certificate expired."),
        "rootIncident": {"id": "aff8a4f3-02fd-4146-b278-8e350e06202d", "priority": "P1",
                         "tinyId": "3", "message": "Payments failing", "status": "closed"},
    }}  # fmt: skip
    (tmp_path / "pm.json").write_text(json.dumps(data))
    root = make_repo({})
    _, out = run_import(root, tmp_path / "pm.json")
    [entry] = out["imported"]
    incident = incidents(root)[entry["id"]]
    assert incident.title == "Payments failing"
    assert incident.severity == "P1"
    assert incident.resolved_at.isoformat() == "2021-02-26T04:43:27+00:00"
    assert "A certificate expired." in incident.body
    assert "Payments failed for half an hour." in incident.section("summary")
