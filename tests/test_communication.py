"""A runbook's Communication section states only the policy the team set, and says where
it came from."""

from __future__ import annotations

import pytest

from learnloop.errors import SettingsError
from learnloop.read import incident_from_bytes
from learnloop.settings import from_mapping
from learnloop.write.runbook import communication
from tests.conftest import incident_text

ITEMS = "[{id: AI-1, title: Alert on pool use, kind: detect, owner: dba-team, status: open}]"


def members():
    incident, _ = incident_from_bytes(incident_text(action_items=ITEMS).encode(), "incidents/a.md")
    assert incident is not None
    return [incident]


def test_without_a_policy_no_policy_is_stated():
    text = communication(members(), from_mapping({}))
    assert "Status page:" not in text
    assert "15 min" not in text
    assert "30 min" not in text
    assert "- Who to tell: dba-team (the teams that own this pattern's action items)." in text
    assert "No communication policy is set" in text
    assert "`communication` in learnloop.yml" in text


def test_the_teams_policy_is_quoted_and_attributed():
    settings = from_mapping(
        {
            "communication": {
                "P0": "Page {owners} at once.",
                "P1": "Page {owners} at once.",
                "P3": "A ticket.",
                "status_page": "Trouble with {services}.",
            },
            "services": {"checkout-api": {"owner": "payments"}},
        }
    )
    text = communication(members(), settings)
    assert text.splitlines() == [
        "## Communication",
        "- Who to tell: payments (their owners in learnloop.yml `services`).",
        "- P0/P1: Page payments at once.",
        "- P3: A ticket.",
        '- Status page: "Trouble with checkout-api and orders-db."',
        "- (The policy above is `communication` in learnloop.yml.)",
    ]


def test_a_bad_policy_is_reported_with_every_problem():
    with pytest.raises(SettingsError) as caught:
        from_mapping({"communication": {"P9": "x", "P1": 3}})
    assert caught.value.problems == [
        "learnloop.yml:1: error: communication.P9: expected one of P0, P1, P2, P3, P4, status_page",
        "learnloop.yml:1: error: communication.P1: expected a sentence, got 3",
    ]
