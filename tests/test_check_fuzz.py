"""Whatever bytes or YAML arrive, `check` reports problems and never crashes."""

from __future__ import annotations

import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnloop.check import check
from learnloop.load import load_bytes
from learnloop.model import Corpus
from learnloop.settings import Settings

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.dates(),
    st.datetimes(),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(string.ascii_lowercase + "_", max_size=12), children, max_size=4),
    ),
    max_leaves=12,
)
keys = st.sampled_from(
    [
        "id",
        "title",
        "started_at",
        "resolved_at",
        "detected_at",
        "severity",
        "services",
        "impact",
        "root_cause",
        "action_items",
        "responders",
        "timeline",
        "visibility",
        "whys",
        "junk",
    ]
)
front_matter = st.dictionaries(keys, values, max_size=10)


def run_check(raw: bytes, name: str) -> None:
    incident, problems = load_bytes(raw, name)
    corpus = Corpus(
        incidents=(incident,) if incident else (),
        problems=tuple(problems),
        files=1,
        sources=((name, raw.decode("utf-8", errors="replace")),),
    )
    found = check(corpus, Settings())
    for problem in found:
        assert problem.path == name
        assert problem.line >= 0
        assert problem.message
    assert incident is not None or any(p.level == "error" for p in found)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(raw: bytes):
    run_check(raw, "incidents/x.md")
    run_check(raw, "incidents/x.yaml")


@FUZZ
@given(st.binary(max_size=500))
def test_random_bytes_after_a_front_matter_fence_never_crash(raw: bytes):
    run_check(b"---\n" + raw + b"\n---\nbody\n", "incidents/x.md")


@FUZZ
@given(front_matter, st.text(max_size=300))
def test_random_yaml_never_crashes(data: dict, body: str):
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n" + body
    run_check(text.encode("utf-8", errors="surrogatepass"), "incidents/x.md")
    run_check(yaml.safe_dump(data).encode(), "incidents/x.yaml")
