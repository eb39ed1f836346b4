"""patterns.yml written directly gives the bytes the ruamel round trip gives, or is not used."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnloop.state import PatternRecord, State, _plain_render, _round_trip, parse_state

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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(states(), states(), st.booleans())
def test_the_direct_writer_agrees_with_the_round_trip(old: State, new: State, fresh: bool):
    previous = None if fresh else _round_trip(old, None)
    fast = _plain_render(new, previous)
    if fast is not None:
        assert fast == _round_trip(new, previous)
        assert parse_state(fast) == parse_state(_round_trip(new, previous))


def test_the_bundled_state_takes_the_direct_way_and_rewrites_itself():
    text = (REPO / "patterns.yml").read_text(encoding="utf-8")
    state = parse_state(text)
    assert _plain_render(state, text) == text
    assert _round_trip(state, text) == text


def test_comments_among_the_entries_take_the_round_trip():
    text = _round_trip(State(patterns=(PatternRecord("pool", "Pool", ("INC-1",)),)), None)
    edited = text.replace("    title: Pool\n", "    title: Pool  # named in review\n")
    state = parse_state(edited)
    assert _plain_render(state, edited) is None
    assert "# named in review" in _round_trip(state, edited)


def test_a_grown_state_takes_the_direct_way_too():
    text = (REPO / "patterns.yml").read_text(encoding="utf-8")
    state = parse_state(text)
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
    fast = _plain_render(grown, text)
    assert fast is not None
    assert fast == _round_trip(grown, text)
    assert _plain_render(grown, None) == _round_trip(grown, None)
