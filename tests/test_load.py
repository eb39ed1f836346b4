"""The loader: keys, aliases, timestamps, and every kind of bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnloop.load import discover, display_path, load_bytes, load_corpus
from learnloop.read import incident_from_bytes
from tests.conftest import incident_text


def load_one(text: str | bytes, name: str = "x.md"):
    """A file loaded and read, as every command sees it."""
    raw = text.encode() if isinstance(text, str) else text
    return incident_from_bytes(raw, f"incidents/{name}", UTC)


def only_error(text: str | bytes, name: str = "x.md") -> str:
    incident, problems = load_one(text, name)
    errors = [p for p in problems if p.level == "error"]
    assert incident is None or errors, "expected the file to be refused"
    assert errors, "expected an error"
    return errors[0].format()


def test_valid_incident_reads_every_required_key():
    incident, problems = load_one(incident_text())
    assert problems == []
    assert incident is not None
    assert incident.id == "INC-2025-001"
    assert incident.severity == "P2"
    assert incident.services == ("checkout-api", "orders-db")
    assert incident.started_at == datetime(2025, 1, 10, 10, tzinfo=UTC)
    assert incident.resolved_at == datetime(2025, 1, 10, 11, tzinfo=UTC)
    assert incident.section("summary").startswith("Connection pool exhausted")
    assert incident.digest.startswith("sha256:")


@pytest.mark.parametrize(
    ("written", "normal"),
    [("P1", "P1"), ("SEV2", "P2"), ("sev1", "P1"), ("S3", "P3"), ("4", "P4"), ("0", "P0")],
)
def test_severity_aliases_are_normalized(written: str, normal: str):
    incident, _ = load_one(incident_text(severity=written))
    assert incident is not None
    assert incident.severity == normal


def test_unknown_severity_names_the_line_and_the_accepted_values():
    message = only_error(incident_text(severity="urgent"))
    assert message.startswith("incidents/x.md:6: error: severity: expected one of P0–P4")
    assert "'urgent'" in message


def test_date_alone_is_accepted_for_started_at_only():
    incident, problems = load_one(incident_text(started_at="2025-01-10", resolved_at=None))
    assert problems == []
    assert incident is not None
    assert incident.started_date_only
    message = only_error(incident_text(resolved_at="2025-01-11"))
    assert "resolved_at: a date alone is not enough" in message


def test_timestamps_keep_their_zone_and_naive_ones_are_warned_about():
    incident, problems = load_one(
        # The timeline's 10:00 and 10:07 are in the start's zone: at and after the start.
        incident_text(started_at="2025-01-10T10:00:00+02:00", resolved_at="2025-01-10T11:00:00")
    )
    assert incident is not None
    assert incident.started_at.utcoffset() == timedelta(hours=2)
    assert incident.resolved_at == datetime(2025, 1, 10, 11, tzinfo=UTC)
    assert [p.message for p in problems] == [
        "resolved_at: no time zone given; read in the repository's time zone (UTC)"
    ]


def test_a_zone_said_as_utc_or_gmt_after_the_time_is_that_zone():
    incident, problems = load_one(
        incident_text(started_at="2025-01-10 9:00 UTC", resolved_at="2025-01-10 13:30 GMT+2")
    )
    assert problems == []
    assert incident is not None
    assert incident.started_at == datetime(2025, 1, 10, 9, tzinfo=UTC)
    assert incident.resolved_at == datetime(2025, 1, 10, 11, 30, tzinfo=UTC)
    message = only_error(incident_text(detected_at="2025-01-10 09:05 CET"))
    assert "detected_at: cannot read '2025-01-10 09:05 CET' as a timestamp" in message


def test_resolved_before_started_is_an_error():
    message = only_error(incident_text(resolved_at="2025-01-10T09:00:00Z"))
    assert "resolved_at: 2025-01-10T09:00:00+00:00 is before started_at" in message


def test_unparseable_timestamp():
    message = only_error(incident_text(detected_at="yesterday afternoon"))
    assert "detected_at: cannot read 'yesterday afternoon' as a timestamp" in message


@pytest.mark.parametrize("key", ["id", "title", "started_at", "severity", "services"])
def test_each_missing_required_key_is_named(key: str):
    message = only_error(incident_text(**{key: None}))
    assert f"{key}: required key is missing" in message


def test_wrong_types_are_named():
    assert "title: expected text, got a mapping" in only_error(incident_text(title="{a: 1}"))
    assert "services: expected a list" in only_error(incident_text(services="{a: 1}"))


@pytest.mark.parametrize("ident", ["../etc/passwd", "has space", "-lead", "a/b", "ü"])
def test_ids_must_be_safe_slugs(ident: str):
    message = only_error(incident_text(id=f'"{ident}"'))
    assert "is not a safe file and URL name" in message


def test_invalid_yaml_reports_the_file_line():
    text = incident_text().replace("severity: P2", "severity: [P2")
    message = only_error(text)
    assert message.startswith("incidents/x.md:")
    assert "invalid YAML" in message


def test_unterminated_front_matter():
    message = only_error("---\nid: X\ntitle: t\n")
    assert message.startswith("incidents/x.md:1: error: front matter is not terminated")


def test_missing_front_matter():
    message = only_error("# Just a heading\n\nSome text.\n")
    assert "no front matter" in message
    # A post-mortem kept in another template is told how to come in whole.
    assert "`learnloop import PATH`" in message


def test_empty_file():
    assert only_error("").endswith("file is empty\n  Hint: start from `learnloop new TITLE`")
    assert "file is empty" in only_error("  \n\n")


def test_not_utf8_names_the_line():
    raw = incident_text().encode() + b"\n\xff\xfe broken\n"
    message = only_error(raw)
    assert "is not UTF-8" in message
    assert message.startswith(f"incidents/x.md:{incident_text().count(chr(10)) + 2}:")


def test_alias_bomb_is_refused_not_expanded():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}]\n"
    message = only_error("---\n" + bomb + "---\n")
    assert "aliases (&/*) are refused" in message


def test_absurd_sizes():
    assert "title: 5000 characters is too long" in only_error(incident_text(title="x" * 5000))
    big = incident_text() + ("log line\n" * 200_000)
    assert "MB; the limit is 1024 KB" in only_error(big)


def test_front_matter_that_is_not_a_mapping():
    assert "must be a mapping" in only_error("---\n- a\n- b\n---\n")


def test_unknown_keys_are_kept_with_a_warning_and_a_suggestion():
    incident, problems = load_one(incident_text(severty="P1", owner_team="payments"))
    assert incident is not None
    assert dict(incident.extra) == {"severty": "P1", "owner_team": "payments"}
    messages = [p.format() for p in problems]
    assert any("unknown key 'severty' kept as written" in m and "'severity'" in m for m in messages)
    assert all(p.level == "warning" for p in problems)


def test_optional_keys_are_read():
    text = incident_text(
        impact="{customers_affected: 12400, revenue_usd: 18300, sla_breached: true}",
        trigger="traffic-spike",
        root_cause="{category: capacity, summary: pool too small}",
        responders="[{name: Priya Raman, role: incident-commander}, Tomasz Nowak]",
        action_items="[{id: AI-1, title: Add pgbouncer, kind: prevent, status: done, "
        "due: 2025-02-01, done_at: 2025-01-30, effort: 5}]",
        runbook_used="db-connection-pool-exhaustion",
        runbook_helpful="true",
        visibility="restricted",
    )
    incident, problems = load_one(text)
    assert problems == []
    assert incident is not None
    assert incident.impact.customers_affected == 12400
    assert incident.impact.sla_breached is True
    assert incident.root_cause.category == "capacity"
    assert [r.name for r in incident.responders] == ["Priya Raman", "Tomasz Nowak"]
    item = incident.action_items[0]
    assert (item.kind, item.status, item.effort, str(item.done_at)) == (
        "prevent",
        "done",
        5.0,
        "2025-01-30",
    )
    assert incident.visibility == "restricted"
    assert incident.runbook_helpful is True


def test_visibility_must_be_known():
    assert "visibility: expected one of internal, restricted" in only_error(
        incident_text(visibility="public")
    )


def test_yaml_incident_files_use_narrative_keys():
    text = (
        "id: INC-9\ntitle: Search slow\nstarted_at: 2025-02-01T08:00:00Z\nseverity: SEV3\n"
        "services: [search-api]\nsummary: Search p99 rose to 4 s.\n"
        "root_cause: {summary: A cold cache after a deploy.}\n"
        "timeline:\n  - 08:00 — latency rises\n  - 08:09 — alert SearchLatencyHigh fires\n"
        "  - 08:40 — cache warm; resolved\n"
    )
    incident, problems = load_one(text, "x.yaml")
    assert problems == []
    assert incident is not None
    assert incident.severity == "P3"
    assert incident.section("summary") == "Search p99 rose to 4 s."
    assert incident.section("root_cause") == "A cold cache after a deploy."
    assert [e.at.strftime("%H:%M") for e in incident.timeline if e.at] == [
        "08:00",
        "08:09",
        "08:40",
    ]
    assert incident.timeline[1].line == 10


def test_corpus_reports_duplicate_ids_naming_both_files(make_repo):
    root = make_repo({"a.md": incident_text(), "sub/b.md": incident_text()})
    corpus = load_corpus(root)
    assert len(corpus.incidents) == 1
    [problem] = corpus.problems
    assert problem.format().startswith(
        "incidents/sub/b.md:2: error: id: 'INC-2025-001' is already used by incidents/a.md:2"
    )


def test_corpus_keeps_loading_past_bad_files(make_repo):
    root = make_repo(
        {
            "good.md": incident_text(),
            "bad.md": incident_text(id="INC-2", severity="urgent"),
            "empty.md": "",
            "_template.md": "not an incident",
            "README.md": "# About this folder",
        }
    )
    corpus = load_corpus(root)
    assert [i.id for i in corpus.incidents] == ["INC-2025-001"]
    assert corpus.files == 3
    assert sorted({p.path for p in corpus.problems}) == ["incidents/bad.md", "incidents/empty.md"]


def test_loading_is_independent_of_the_working_directory(make_repo, monkeypatch):
    root = make_repo({"a.md": incident_text()})
    monkeypatch.chdir(Path("/"))
    assert load_corpus(root).incidents[0].path == "incidents/a.md"


_PART = st.text(alphabet="ab-._ é", min_size=1, max_size=6)


@given(st.sampled_from(["/repo", "/repo/", "repo", "/", "r e/p-o"]), st.lists(_PART, max_size=4))
def test_display_path_is_the_path_relative_to_the_repo(base: str, parts: list[str]) -> None:
    root = Path(base)
    path = root.joinpath(*parts)
    if ".." in path.parts or path == root:
        return
    assert display_path(path, root) == path.relative_to(root).as_posix()


def test_discover_sorts_as_paths_do(tmp_path: Path) -> None:
    # "a-b" sorts before "a/" as text, after "a" as a path: the order must be the paths'.
    names = ["a/x.md", "a-b/x.md", "a.b/y.md", "a/b/z.md", "ab.md", "A/x.md", "a/_t.md"]
    for name in names:
        (tmp_path / "incidents" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "incidents" / name).write_text("x")
    found = discover(tmp_path)
    expected = sorted(tmp_path / "incidents" / n for n in names if not n.endswith("_t.md"))
    assert found == expected
    assert [str(p) for p in found] != sorted(str(p) for p in found)


_KEY = st.text(alphabet="abc._-0 ", min_size=1, max_size=8)


@given(st.dictionaries(_KEY, st.integers(1, 10**6), max_size=8), _KEY)
def test_line_of_finds_each_key_line(lines: dict[str, int], other: str) -> None:
    from dataclasses import replace

    from learnloop.model import key_lines

    base = load_bytes(incident_text(id="INC-1").encode(), "incidents/1.md")[0]
    assert base is not None
    incident = replace(base, lines=key_lines(lines))
    assert {key: incident.line_of(key) for key in lines} == lines
    if other not in lines:
        assert incident.line_of(other) == 1
    # A key spelled with a tab or a line break is found as it was recorded.
    odd = replace(base, lines=key_lines({"a\tb": 7, "a": 3}))
    assert (odd.line_of("a\tb"), odd.line_of("a"), odd.line_of("b")) == (7, 3, 1)


def test_line_of_reads_the_file() -> None:
    text = incident_text(id="INC-1")
    incident = load_bytes(text.encode(), "incidents/1.md")[0]
    assert incident is not None
    rows = text.splitlines()
    assert rows[incident.line_of("severity") - 1].startswith("severity:")
    assert (
        rows[incident.line_of("services.0") - 1].lstrip().startswith("- ")
        or "services" in rows[incident.line_of("services.0") - 1]
    )
    assert incident.line_of("no.such.key") == 1


def test_the_schema_and_the_loader_declare_the_same_keys_and_values():
    """One declaration of the keys (the JSON Schema); the loader's choices agree with it."""
    from learnloop.load.fields import KNOWN_KEYS, NARRATIVE_KEYS, SCHEMA, TIMESTAMP_KEYS
    from learnloop.model import ACTION_KINDS, ACTION_STATUSES, TRIGGERS, VISIBILITIES

    props = SCHEMA["properties"]
    assert set(TIMESTAMP_KEYS) | set(NARRATIVE_KEYS) <= KNOWN_KEYS
    assert set(SCHEMA["required"]) == {"id", "title", "started_at", "severity", "services"}
    assert tuple(props["trigger"]["enum"]) == TRIGGERS
    assert tuple(props["visibility"]["enum"]) == VISIBILITIES
    item = props["action_items"]["items"]["oneOf"][-1]["properties"]
    assert tuple(item["kind"]["enum"]) == ACTION_KINDS
    assert tuple(item["status"]["enum"]) == ACTION_STATUSES
