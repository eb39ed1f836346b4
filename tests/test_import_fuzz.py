"""The import readers never raise on arbitrary or malformed input: every input becomes an
incident record or a skip with a reason, and a record always renders to a file that loads."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from learnloop.importers import (
    adf,
    alertmanager,
    convert,
    cstate,
    dates,
    detect,
    html,
    jira,
    markdown,
    opsgenie,
    pagerduty,
    slack,
    statuspage,
)
from learnloop.importers.plan import Existing, Planner
from learnloop.importers.records import Document, Imported, Skipped
from learnloop.load import load_bytes
from learnloop.settings import Settings

KEYS = st.sampled_from(
    ["id", "name", "title", "incident", "incidents", "incident_updates", "created_at",
     "started_at", "resolved_at", "status", "impact", "components", "body", "display_at",
     "type", "log_entries", "event", "event_type", "data", "alerts", "labels", "startsAt",
     "endsAt", "key", "fields", "summary", "description", "changelog", "histories", "items",
     "tinyId", "message", "createdAt", "report", "logs", "notes", "content", "text",
     "messages", "priority", "urgency", "service", "fingerprint", "alertname", "ts"]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["2024-03-05T10:02:00Z", "incident", "resolved", "alert", "P1", "0"])
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=25,
)
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)) | st.sampled_from(list("#-*|:\n`[]()<>")),
    max_size=400,
)
# Often dated, so that records are made and rendered, not only skipped.
DATED = st.tuples(
    st.sampled_from(
        [
            "",
            "# Outage\n\nOn 2024-01-02 10:00 ",
            "---\ntitle: x\ndate: 2024-01-02\n---\n",
            "## Timeline\n- 2024-01-02 10:00 start\n- 09:00 ",
        ]
    ),
    TEXT,
).map("".join)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _doc(data: object, name: str = "x.json") -> Document:
    return Document(f"in/{name}", name, data, name, "")


def _records_ok(found: list[object]) -> None:
    assert all(isinstance(r, Imported | Skipped) for r in found)
    for record in found:
        if isinstance(record, Skipped):
            assert record.reason
        else:
            assert record.title
            assert record.source_id


@FUZZ
@given(JSONISH)
def test_json_readers_never_raise(data):
    doc = _doc(data)
    _records_ok(statuspage.records(doc))
    _records_ok(pagerduty.records([doc]))
    _records_ok(opsgenie.records([doc]))
    _records_ok(jira.records([doc]))
    _records_ok(
        slack.records(_doc({"files": {"channels.json": data, "inc-x/1.json": data}}), ["inc-*"])
    )
    refs, skipped = alertmanager.records([doc])
    assert all(r.name for _, r in refs)
    assert all(s.reason for s in skipped)
    assert detect.sniff(data) in (None, *detect.JSON_FORMATS, "slack")


@FUZZ
@given(JSONISH)
def test_rich_text_converters_never_raise(data):
    assert isinstance(adf.adf_to_markdown(data), str)
    assert isinstance(adf.wiki_to_markdown(json.dumps(data)), str)


@FUZZ
@given(
    DATED, st.sampled_from(["a.md", "2024-01-02-x.md", "b.html.md.erb", "c.html", "d.json", "e"])
)
# A declaration cut short, which the HTML parser rejects outright rather than reading.
@example(text="<![0", name="a.md")
@example(text="<p>On 2024-01-02 <![CDATA[x", name="c.html")
def test_text_readers_never_raise_and_records_render_to_loadable_files(
    tmp_path_factory, text, name
):
    doc = _doc(text, name)
    found = markdown.records(doc) + cstate.records(doc) + html.records(doc)
    _records_ok(found)
    assert isinstance(detect.classify(text, "in/" + name, name, name, "auto"), Document | Skipped)
    assert isinstance(convert.html_to_markdown(text), str)
    assert isinstance(dates.dates_in(text, UTC), list)
    root = tmp_path_factory.mktemp("repo")
    planner = Planner(Path(root), Settings(), Existing(Path(root)))
    for record in (r for r in found if isinstance(r, Imported)):
        ident, rel = planner.place(record)
        planned = planner.plan(record, ident, rel)
        if planned.text is not None:  # what would be written loads without an error
            _, problems = load_bytes(planned.text.encode(), planned.path)
            assert not [p for p in problems if p.level == "error"]
        else:
            assert planned.action == "skipped"
            assert planned.reason


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_on_disk_are_read_or_skipped(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("in")
    for name in ("x.json", "y.md", "z.html", "w.zip"):
        (folder / name).write_bytes(raw)
    found = detect.gather([folder], "auto", folder)
    assert len(found) == 4
    assert all(isinstance(f, Document | Skipped) for f in found)


def test_markup_the_parser_rejects_is_kept_as_the_text_it_is():
    assert convert.html_to_markdown("<![0") == "<![0\n"
    assert convert.page_title("<![0") is None
