"""Google Cloud status incidents (status.cloud.google.com's incidents.json), imported and read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from learnloop.importers import detect, gcp
from learnloop.importers.records import Document
from tests.importing import incidents, run_import

REPORT = """# Incident Report

## Summary
On 8 August 2023, Cloud SQL instances in us-east1 experienced elevated connection errors for \
1 hour and 45 minutes.

## Root Cause
A configuration change to the connection proxy reduced its maximum connections, and the \
proxies exhausted their connection pools under load.

## Remediation and Prevention
Google engineers were alerted by internal monitoring at 15:52 US/Pacific and rolled back the \
configuration change at 16:58 US/Pacific.
"""


def incident(ident: str, desc: str, *, report: bool = True) -> dict[str, object]:
    """One incident as the status page's incidents.json lists it (newest update first)."""
    updates = [
        {
            "created": "2023-08-08T23:04:11+00:00",
            "modified": "2023-08-08T23:04:11+00:00",
            "when": "2023-08-08T23:04:11+00:00",
            "text": "We are investigating elevated connection errors for Cloud SQL in us-east1.",
            "status": "SERVICE_DISRUPTION",
            "affected_locations": [{"title": "South Carolina (us-east1)", "id": "us-east1"}],
        }
    ]
    if report:
        updates.insert(
            0,
            {
                "created": "2023-08-10T21:03:12+00:00",
                "modified": "2023-08-10T21:03:12+00:00",
                "when": "2023-08-10T21:03:12+00:00",
                "text": REPORT,
                "status": "AVAILABLE",
                "affected_locations": [],
            },
        )
    return {
        "id": ident,
        "number": "8224435513812617452",
        "begin": "2023-08-08T22:40:00+00:00",
        "created": "2023-08-08T23:04:11+00:00",
        "end": "2023-08-09T00:25:00+00:00",
        "modified": "2023-08-10T21:03:12+00:00",
        "external_desc": desc,
        "updates": updates,
        "most_recent_update": updates[0],
        "status_impact": "SERVICE_DISRUPTION",
        "severity": "medium",
        "service_key": "hV87iK5DcEXKgWU2kDri",
        "service_name": "Google Cloud SQL",
        "affected_products": [{"title": "Google Cloud SQL", "id": "hV87iK5DcEXKgWU2kDri"}],
        "uri": f"incidents/{ident}",
    }


def test_a_status_history_imports_each_incident_with_its_report(make_repo, tmp_path):
    page = [
        incident("kiJVVmxYe8yUCbDSFo2G", "Cloud SQL instances in us-east1 saw connection errors"),
        incident("aB3dE5fG7hJ9kL1mN3pQ", "Cloud SQL connection errors", report=False),
    ]
    (tmp_path / "incidents.json").write_text(json.dumps(page))
    root = make_repo({})
    result, out = run_import(root, tmp_path / "incidents.json")
    assert result.exit_code == 0, out
    found = incidents(root)
    first = found["GCP-kiJVVmxYe8yUCbDSFo2G"]
    assert first.title == "Cloud SQL instances in us-east1 saw connection errors"
    assert (first.severity, first.services) == ("P3", ("google-cloud-sql",))
    assert first.started_at == datetime(2023, 8, 8, 22, 40, tzinfo=UTC)
    assert first.resolved_at == datetime(2023, 8, 9, 0, 25, tzinfo=UTC)
    # The update is the timeline; the report's parts are found by their headings.
    assert [e.text for e in first.timeline][:1] == [
        "Service disruption — We are investigating elevated connection errors for Cloud SQL in"
        " us-east1."
    ]
    assert first.part("root_cause")[0].text.startswith(
        "A configuration change to the connection proxy"
    )
    assert "rolled back the configuration change" in first.part("mitigation")[0].text
    assert "Incident Report" not in first.body
    assert {m.id for m in first.failure_modes} >= {"config-change", "connection-pool-exhaustion"}
    assert "GCP-aB3dE5fG7hJ9kL1mN3pQ" in found
    # Importing it again changes nothing.
    again, out = run_import(root, tmp_path / "incidents.json")
    assert again.exit_code == 0
    assert len(out["unchanged"]) == 2


def test_it_is_told_apart_from_the_other_json_formats():
    assert detect.sniff([incident("x", "Outage")]) == "gcp"
    assert detect.sniff(incident("x", "Outage")) == "gcp"
    assert not gcp.looks_like({"incident": {"incident_updates": [], "name": "x"}})
    broken = gcp.records(Document("a.json", "a.json", [{"id": "x"}]))
    assert [r.reason for r in broken] == [  # type: ignore[union-attr]
        "a Google Cloud incident needs its id and external_desc"
    ]
