"""The home page is where a responder starts: search, runbooks by alert, open patterns,
what recurred lately, what waits for review, the latest incidents."""

from __future__ import annotations

from datetime import date

import pytest

from learnloop.analyze.patterns import Pattern
from learnloop.model import Incident
from learnloop.publish import home
from learnloop.publish.generated import Page
from learnloop.publish.plan import plan
from learnloop.read import incident_from_bytes
from tests.conftest import incident_text


def load(text: str, path: str) -> Incident:
    incident, problems = incident_from_bytes(text.encode(), path)
    assert incident is not None, problems
    return incident


def incident(n: int, day: str, **keys: object) -> Incident:
    text = incident_text(id=f"INC-{n}", started_at=f"{day}T10:00:00Z", resolved_at=None, **keys)
    return load(text, f"incidents/{n}.md")


OPEN_ITEM = "[{id: AI-1, title: Add a pool alert, kind: detect, status: open}]"
DONE_ITEM = "[{id: AI-1, title: Add a pool alert, kind: detect, status: done}]"


def inputs(**overrides: object) -> home.Inputs:
    incidents = [
        incident(1, "2025-01-05", detection="{method: alert, source: 'am: OrdersPoolSaturated'}"),
        incident(2, "2025-05-20", detection="{method: alert, source: 'am: OrdersPoolSaturated'}",
                 action_items=OPEN_ITEM),
        incident(3, "2025-06-01", services="[c-db]", action_items=DONE_ITEM),
        incident(4, "2025-06-02", services="[c-db]", visibility="restricted"),
    ]  # fmt: skip
    entries, _ = plan(incidents, public=False)
    counted = [i for i in incidents if i.visibility != "restricted"]
    values: dict[str, object] = {
        "entries": entries,
        "counted": counted,
        "patterns": (Pattern("pool", "Pool exhaustion", ("INC-1", "INC-2")),),
        "pattern_pages": {"pool": "runbooks/pool.md"},
        "documents": [
            Page(
                "runbooks/pool.md",
                "",
                "runbooks/pool.md",
                "Pool exhaustion",
                "stale",
                "never reviewed",
            ),
            Page("kb/patterns/pool.md", "", None, "Pool exhaustion", "fresh", "reviewed"),
            Page("runbooks/alerts.md", "", None, "Runbooks by alert"),
        ],
        "today": date(2025, 6, 2),
        "site_name": "Shop <KB>",
        "note": "1 restricted incident has its own page here but no figure counts it.",
    }
    values.update(overrides)
    return home.Inputs(**values)  # type: ignore[arg-type]


def test_search_comes_first() -> None:
    text = home.render_home(inputs())
    assert text.startswith("# Shop &lt;KB&gt;\n")
    assert text.index('<input id="ll-search-box"') < text.index("## ")


def test_figures_count_what_every_page_counts_and_say_so() -> None:
    text = home.render_home(inputs())
    assert "**3 incidents** across **3 services** over **6 months**" in text
    assert "**1 recurring pattern**." in text
    assert "1 restricted incident has its own page here" in text


def test_runbooks_by_alert_open_patterns_recent_and_reviews() -> None:
    text = home.render_home(inputs())
    alerts = text.split("## Runbooks by alert", 1)[1].split("##", 1)[0]
    link = "[Pool exhaustion](runbooks/pool.md)"
    assert f"| <code>OrdersPoolSaturated</code> | {link} | 2 | 2025-05-20 |" in alerts
    # The timeline's alert fired in the restricted incident too: it is not counted.
    assert f"| <code>CheckoutHighErrorRate</code> | {link} | 3 |" in alerts
    assert "| [Pool exhaustion](runbooks/pool.md) | 2 | 2025-05-20 | 1 |" in text  # open work
    assert "| [Pool exhaustion](runbooks/pool.md) | 1 | 1 |" in text  # last 90 days, before
    assert "1 generated document waits for a reviewer." in text
    assert "| [Pool exhaustion](runbooks/pool.md) | stale | never reviewed |" in text
    assert "kb/patterns/pool.md" not in text  # fresh: nothing to do


def test_latest_incidents_newest_first_restricted_included() -> None:
    text = home.render_home(inputs())
    latest = text.split("## Latest incidents", 1)[1]
    assert [line.split(" | ")[0] for line in latest.splitlines() if line.startswith("| 2")] == [
        "| 2025-06-02",
        "| 2025-06-01",
        "| 2025-05-20",
        "| 2025-01-05",
    ]


@pytest.mark.parametrize("done", [True, False])
def test_a_new_team_sees_sentences_not_empty_tables(done: bool) -> None:
    one = incident(1, "2025-01-05")
    entries, _ = plan([one], public=False)
    text = home.render_home(
        inputs(entries=entries, counted=[one], patterns=(), documents=[], note="")
    )
    assert "## Runbooks by alert" not in text
    assert "## Open patterns" not in text
    assert "No recurring pattern was seen in the 90 days" in text
    assert "Every generated document is reviewed and current." in text
    assert "**1 incident** across **2 services** over **1 month**" in text
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        if lines and lines[0].startswith("|"):
            assert len(lines) > 2, block  # a header and a rule, then rows


def test_no_incidents_yet() -> None:
    text = home.render_home(inputs(entries=[], counted=[], patterns=(), documents=[], note=""))
    assert "No incidents yet." in text
    assert "|" not in text
