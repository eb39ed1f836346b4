"""Generated documents: a status people set is theirs unless the generator must override it."""

from __future__ import annotations

from learnloop.model import Incident
from learnloop.read import incident_from_bytes
from learnloop.write import document
from learnloop.write.document import Region
from tests.conftest import incident_text


def _incident() -> Incident:
    incident, problems = incident_from_bytes(incident_text().encode(), "incidents/2025/x.md")
    assert incident is not None, problems
    return incident


def _render(existing: str | None, status: str, *, force: bool = False) -> str:
    return document.render(
        kind="adr",
        title="Put a pooler in front of orders-db",
        regions=[Region("context", "Pools ran out.")],
        sources=[_incident()],
        existing=existing,
        review_period_days=90,
        status=status,
        force_status=force,
    )


def test_status_a_person_set_is_kept() -> None:
    first = _render(None, "proposed")
    assert "\nstatus: proposed\n" in first
    accepted = first.replace("status: proposed", "status: accepted")
    again = _render(accepted, "proposed")
    assert "\nstatus: accepted\n" in again
    assert again == accepted


def test_forced_status_replaces_the_one_in_the_file() -> None:
    accepted = _render(None, "proposed").replace("status: proposed", "status: accepted")
    retired = _render(accepted, "deprecated", force=True)
    assert "\nstatus: deprecated\n" in retired
    assert "status: accepted" not in retired
