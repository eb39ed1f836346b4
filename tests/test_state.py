"""The pattern record in two files: corrections kept as written, members written plainly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnloop import state as state_mod
from learnloop.errors import LearnloopError
from learnloop.state import (
    FILENAME,
    MEMBERS,
    PatternRecord,
    State,
    parse_state,
    read_state,
    render_state,
)

REPO = Path(__file__).resolve().parent.parent

ids = st.sampled_from([f"INC-2025-{n:03d}" for n in range(1, 30)] + ["2025", "yes", "a: b"])
titles = st.sampled_from(
    [
        "Kafka consumer lag",
        "Db connection pool exhaustion (orders-db)",
        "TLS certificate expiry",
        "x",
        "Checkout: 5xx",
        "A title long enough that a writer might want to fold it over two lines of YAML text",
        "'quoted'",
        "null",
        "Retry storm # again",
        "100x too low",
        "5xx errors",
        "1e3",
        "0x1F",
        "2024-01-01",
        "12:30",
        "3 am cron",
    ]
)
slugs = st.sampled_from(["pool", "cert", "lag", "kafka-consumer-lag", "100x-too-low", "5xx"])


@st.composite
def records(draw: st.DrawFn) -> PatternRecord:
    return PatternRecord(
        id=draw(slugs),
        title=draw(titles),
        incidents=tuple(draw(st.lists(ids, max_size=5, unique=True))),
        pin=tuple(draw(st.lists(ids, max_size=2, unique=True))),
        exclude=tuple(draw(st.lists(ids, max_size=2, unique=True))),
        merged_into=draw(st.none() | slugs),
        retired=draw(st.booleans()),
        renamed_from=tuple(draw(st.lists(slugs, max_size=2, unique=True))),
    )


@st.composite
def states(draw: st.DrawFn) -> State:
    found = {r.id: r for r in draw(st.lists(records(), max_size=4))}
    return State(
        patterns=tuple(found.values()),
        unclustered=tuple(draw(st.lists(ids, max_size=4, unique=True))),
        since_refit=tuple(draw(st.lists(ids, max_size=3, unique=True))),
        adr_numbers=tuple(
            sorted(
                draw(
                    st.dictionaries(st.sampled_from(["ai:INC-1:AI-1", "sys:x"]), st.integers(1, 9))
                ).items()
            )
        ),
    )


def _normal(state: State) -> State:
    """The state as the files give it back: lists sorted, patterns by id."""
    return State(
        patterns=tuple(
            PatternRecord(
                r.id,
                r.title,
                tuple(sorted(r.incidents)),
                tuple(sorted(r.pin)),
                tuple(sorted(r.exclude)),
                r.merged_into,
                r.retired,
                tuple(sorted(r.renamed_from)),
            )
            for r in sorted(state.patterns, key=lambda r: r.id)
        ),
        unclustered=tuple(sorted(state.unclustered)),
        since_refit=tuple(sorted(state.since_refit)),
        adr_numbers=tuple(sorted(state.adr_numbers)),
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(states(), states(), st.booleans())
def test_the_two_files_give_back_the_state_they_record(old: State, new: State, fresh: bool):
    previous = None if fresh else render_state(old, None)[FILENAME]
    files = render_state(new, previous)
    assert set(files) == {FILENAME, MEMBERS}
    assert parse_state(files[FILENAME], files[MEMBERS]) == _normal(new)
    # Written again from what it reads, nothing moves.
    again = render_state(parse_state(files[FILENAME], files[MEMBERS]), files[FILENAME])
    assert again == files


def test_the_bundled_record_is_left_as_it_is_without_a_round_trip(monkeypatch):
    corrections = (REPO / FILENAME).read_text(encoding="utf-8")
    members = (REPO / MEMBERS).read_text(encoding="utf-8")

    def no_round_trip() -> None:
        raise AssertionError("ruamel used for a patterns.yml that already says it all")

    monkeypatch.setattr(state_mod, "YAML", no_round_trip)
    files = render_state(read_state(REPO), corrections)
    assert files == {FILENAME: corrections, MEMBERS: members}


def test_new_members_change_only_the_members_file(monkeypatch):
    state = read_state(REPO)
    first = state.patterns[0]
    grown = State(
        patterns=(
            PatternRecord(first.id, first.title, (*first.incidents, "INC-2099-001")),
            *state.patterns[1:],
        ),
        unclustered=state.unclustered,
        since_refit=("INC-2099-001",),
        adr_numbers=state.adr_numbers,
    )
    monkeypatch.setattr(state_mod, "YAML", None)  # any use of ruamel fails
    corrections = (REPO / FILENAME).read_text(encoding="utf-8")
    files = render_state(grown, corrections)
    assert files[FILENAME] == corrections
    added = files[MEMBERS].splitlines()
    before = (REPO / MEMBERS).read_text(encoding="utf-8").splitlines()
    # One incident more is one line more in its pattern, and the since_refit record.
    assert len(added) - len(before) == 3
    assert "- INC-2099-001" in added
    assert "since_refit:" in added


def test_comments_among_the_entries_survive_a_new_pattern():
    first = State(patterns=(PatternRecord("pool", "Pool", ("INC-1",)),))
    text = render_state(first, None)[FILENAME]
    edited = text.replace("    title: Pool\n", "    title: Pool  # named in review\n")
    state = parse_state(edited, "patterns: []\n")
    grown = State(patterns=(*state.patterns, PatternRecord("cert", "Cert expiry", ("INC-2",))))
    out = render_state(grown, edited)[FILENAME]
    assert "title: Pool  # named in review" in out
    assert "- id: cert" in out


LEGACY = """\
# Recurring incident patterns, kept by `learnloop generate`. Reviewers may edit:
#   title: a better name; it sticks.
# since_refit lists incidents placed into the engine's last fit; `generate --refit` relearns.
patterns:
  - id: pool
    title: Pool exhaustion  # our name
    incidents:
      - INC-1
      - '0123'
    pin: [INC-1]
  - id: old
    title: Old
    incidents: []
    retired: true
unclustered:
  - INC-9
since_refit:
  - '0123'
adr_numbers:
  ai:INC-1:AI-1: 3
"""


def test_a_record_from_before_the_split_is_read_and_its_members_moved_out():
    state = parse_state(LEGACY)
    pool = state.by_id()["pool"]
    assert pool.incidents == ("INC-1", "0123")
    assert pool.pin == ("INC-1",)
    assert state.by_id()["old"].retired
    assert state.unclustered == ("INC-9",)
    assert state.since_refit == ("0123",)
    assert state.adr_numbers == (("ai:INC-1:AI-1", 3),)
    files = render_state(state, LEGACY)
    corrections, members = files[FILENAME], files[MEMBERS]
    for key in ("incidents", "retired", "unclustered", "since_refit", "adr_numbers"):
        assert f"{key}:" not in corrections
    assert "title: Pool exhaustion  # our name" in corrections
    assert "since_refit lists" not in corrections
    assert corrections.startswith(state_mod.HEADER)
    assert parse_state(corrections, members) == _normal(state)
    # Ids YAML would read as numbers come back as written.
    assert "- '0123'" in members


@pytest.mark.parametrize(
    ("members", "where"),
    [
        (
            "patterns:\n- id: pool\n  incidents: INC-1\n",
            f"{MEMBERS}:3: pool.incidents: expected a list",
        ),
        ("patterns:\n- id: ../x\n", f"{MEMBERS}:2: id: '../x' is not a safe file"),
        ("patterns:\n- incidents: []\n", f"{MEMBERS}:2: each pattern needs an `id`"),
        ("adr_numbers:\n  a: b\n", f"{MEMBERS}:2: adr_numbers: a: expected a number"),
        ("patterns: [\n", f"{MEMBERS}:"),
    ],
)
def test_a_broken_members_file_is_an_error_with_its_place(members: str, where: str):
    with pytest.raises(LearnloopError) as caught:
        parse_state("patterns: []\n", members)
    assert where in str(caught.value)
    assert str(caught.value).startswith(MEMBERS)


def test_a_pattern_missing_from_patterns_yml_keeps_its_members_and_id(tmp_path: Path):
    (tmp_path / FILENAME).write_text("patterns: []\n")
    (tmp_path / MEMBERS).write_text("patterns:\n- id: pool\n  incidents:\n  - INC-1\n")
    state = read_state(tmp_path)
    assert state.patterns == (PatternRecord("pool", "pool", ("INC-1",)),)


def test_the_record_of_a_large_corpus_is_read_back():
    # More nodes than any post-mortem may hold: the limit that stops alias bombs scales with
    # the text, so 30,000 incidents in 3,000 patterns are read, not refused.
    records = tuple(
        PatternRecord(f"p{n:04d}", f"Pattern {n}", tuple(f"INC-{n}-{k}" for k in range(9)))
        for n in range(3000)
    )
    state = State(patterns=records, unclustered=tuple(f"INC-X-{n}" for n in range(3000)))
    files = render_state(state, None)
    assert parse_state(files[FILENAME], files[MEMBERS]) == _normal(state)
