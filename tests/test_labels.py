"""The hand-made reference labels: each file valid against the real texts, broken ones refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from benchmarks import datasets, labels
from hypothesis import given, settings
from hypothesis import strategies as st

needs_shared = pytest.mark.skipif(
    not datasets.available(), reason="../shared/datasets is not present in this checkout"
)

COLLECTIONS = {
    "2i2c-incident-reports",
    "chia-postmortems",
    "dfds-postmortems",
    "github-status-history",
    "posthog-postmortems",
    "taskcluster-retrospectives",
}
# What a collection folder holds beside its post-mortems when it has no files/ folder.
NOT_INCIDENTS = {"LICENSE", "README.md", "SOURCE.md"}


def test_every_collection_has_both_kinds_of_labels():
    assert set(labels.GROUPED_COLLECTIONS) == COLLECTIONS
    assert set(labels.PARTED_COLLECTIONS) == COLLECTIONS


def test_enough_post_mortems_have_line_labels():
    # Lines are what matter most: at least 64 Markdown post-mortems from four collections.
    counts = {
        c: sum(not p.file.endswith(".json") for p in labels.load_parts(_parts_file(c)))
        for c in labels.PARTED_COLLECTIONS
    }
    assert sum(counts.values()) >= 64
    assert sum(n > 0 for n in counts.values()) >= 4


@needs_shared
@pytest.mark.parametrize("collection", sorted(COLLECTIONS))
def test_grouping_is_valid_against_the_texts(collection: str):
    grouping = labels.groupings(collection)
    assert grouping.collection == collection
    members = [m for group in grouping.groups.values() for m in group]
    assert len(members) == len(set(members))
    assert set(members) <= set(grouping.population)
    assert all(len(group) >= 2 for group in grouping.groups.values())
    owner = grouping.group_of()
    assert sum(name is not None for name in owner.values()) == len(members)


@needs_shared
@pytest.mark.parametrize("collection", sorted(COLLECTIONS - {"github-status-history"}))
def test_post_mortem_collections_consider_every_incident(collection: str):
    base = datasets.SHARED / collection
    root = base / "files" if (base / "files").is_dir() else base
    on_disk = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not (root == base and p.name in NOT_INCIDENTS)
    }
    assert set(labels.groupings(collection).population) == on_disk


@needs_shared
def test_github_population_is_incidents_with_a_written_cause():
    grouping = labels.groupings("github-status-history")
    incidents = {p.name for p in (datasets.SHARED / "github-status-history").rglob("*.json")}
    assert set(grouping.population) <= incidents
    assert 50 <= len(grouping.population) <= 150


@needs_shared
@pytest.mark.parametrize("collection", sorted(COLLECTIONS))
def test_parts_are_valid_against_the_texts(collection: str):
    entries = labels.parts(collection)
    assert entries
    for entry in entries:
        if entry.file.endswith(".json"):
            assert not entry.root_cause
            assert not entry.mitigation
            assert entry.root_cause_updates or entry.mitigation_updates, entry.file
        else:
            assert not entry.root_cause_updates
            assert not entry.mitigation_updates
            assert entry.root_cause or entry.mitigation, entry.file


# A tiny collection standing in for ../shared/datasets, so the refusals are tested everywhere.


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    files = tmp_path / "shared" / "demo" / "files"
    (files / "sub").mkdir(parents=True)
    (files / "a.md").write_text("# A\n\nwhy\n", encoding="utf-8")
    (files / "sub" / "b.md").write_text("# B\nwhy\nfix", encoding="utf-8")  # no final newline
    updates = [{"body": "resolved"}, {"body": "caused by"}]
    (files / "c.json").write_text(json.dumps({"incident": {"incident_updates": updates}}))
    return tmp_path / "shared"


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "labels" / "demo.yml"
    path.parent.mkdir(exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def grouping(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "collection": "demo",
        "labelled_by": "hand",
        "method": "read them all",
        "population": ["a.md", "sub/b.md", "c.json"],
        "groups": [{"name": "same", "why": "same fault", "members": ["a.md", "sub/b.md"]}],
    }
    data.update(changes)
    return data


def parts_data(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"collection": "demo", "files": list(entries)}


def test_a_valid_grouping_loads(tmp_path: Path, shared: Path):
    result = labels.load_grouping(write(tmp_path, grouping()), shared)
    assert result == labels.Grouping(
        "demo", ("a.md", "sub/b.md", "c.json"), {"same": ("a.md", "sub/b.md")}
    )
    assert result.group_of() == {"a.md": "same", "sub/b.md": "same", "c.json": None}


def test_a_valid_parts_file_loads(tmp_path: Path, shared: Path):
    path = write(
        tmp_path,
        parts_data(
            {"file": "a.md", "root_cause": [3], "mitigation": []},
            {"file": "sub/b.md", "root_cause": [2], "mitigation": [3], "notes": "last line"},
            {"file": "c.json", "root_cause_updates": [1], "mitigation_updates": [0]},
        ),
    )
    a, b, c = labels.load_parts(path, shared)
    assert (a.root_cause, a.mitigation) == (frozenset({3}), frozenset())
    assert (b.mitigation, b.notes) == (frozenset({3}), "last line")
    assert (c.root_cause_updates, c.mitigation_updates) == (frozenset({1}), frozenset({0}))


def refused(load: Any, path: Path, shared: Path | None) -> str:
    with pytest.raises(ValueError, match=str(path)) as info:
        load(path, shared)
    return str(info.value)


@pytest.mark.parametrize(
    ("changes", "line", "message"),
    [
        (
            {"groups": [{"name": "g", "why": "w", "members": ["a.md", "z.md"]}]},
            13,
            "'z.md' is not in the population",
        ),
        (
            {
                "groups": [
                    {"name": "g", "why": "w", "members": ["a.md", "sub/b.md"]},
                    {"name": "h", "why": "w", "members": ["a.md", "c.json"]},
                ]
            },
            17,
            "'a.md' is in both 'g' and 'h'",
        ),
        (
            {"groups": [{"name": "g", "why": "w", "members": ["a.md"]}]},
            11,
            "a group needs 2 or more members",
        ),
        (
            {"groups": [{"name": "g", "why": "", "members": ["a.md", "c.json"]}]},
            10,
            "`why` must say the shared mechanism",
        ),
        ({"population": ["a.md", "a.md", "c.json"]}, 6, "'a.md' is listed twice"),
        ({"collection": "other"}, 1, "collection: expected 'demo'"),
        ({"method": " "}, 3, "method: say how the grouping was made"),
        ({"groups": "none"}, 8, "groups: expected a list"),
    ],
)
def test_a_grouping_breaking_a_rule_is_refused(
    tmp_path: Path, changes: dict[str, Any], line: int, message: str
):
    path = write(tmp_path, grouping(**changes))
    assert f"{path}:{line}: " in refused(labels.load_grouping, path, None)
    assert message in refused(labels.load_grouping, path, None)


def test_a_grouping_naming_a_missing_incident_is_refused_only_with_the_texts(
    tmp_path: Path, shared: Path
):
    path = write(tmp_path, grouping(population=["a.md", "sub/b.md", "gone.md"]))
    assert f"{path}:7: no such incident in the collection: 'gone.md'" in refused(
        labels.load_grouping, path, shared
    )
    assert labels.load_grouping(path, None).population[-1] == "gone.md"


def test_a_bare_file_name_finds_its_file(tmp_path: Path, shared: Path):
    # GitHub's population names JSON files without their folder.
    path = write(tmp_path, grouping(population=["a.md", "b.md", "c.json"], groups=[]))
    assert labels.load_grouping(path, shared).population == ("a.md", "b.md", "c.json")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"file": "a.md", "root_cause": [4]}, "'a.md': root_cause 4 beyond the file; it has 3"),
        ({"file": "sub/b.md", "mitigation": [3, 4]}, "mitigation 4 beyond the file; it has 3"),
        ({"file": "c.json", "root_cause_updates": [2]}, "it has 2 updates (indices 0-1)"),
        ({"file": "gone.md", "root_cause": [1]}, "no such file in the collection: 'gone.md'"),
    ],
)
def test_labels_beyond_the_text_are_refused(
    tmp_path: Path, shared: Path, entry: dict[str, Any], message: str
):
    path = write(tmp_path, parts_data(entry))
    assert message in refused(labels.load_parts, path, shared)
    labels.load_parts(path, None)  # without the texts, nothing to measure against


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"file": "a.md", "root_cause": [0]}, "root_cause: expected a list of integers >= 1"),
        ({"file": "a.md", "mitigation": ["3"]}, "mitigation: expected a list of integers >= 1"),
        ({"file": "a.md", "root_cause": [2, 2]}, "root_cause: a number is listed twice"),
        ({"file": "c.json", "root_cause": [1]}, "'c.json': line numbers do not apply"),
        ({"file": "a.md", "mitigation_updates": [0]}, "'a.md': update indices do not apply"),
        ({"file": "a.md", "cause": [1]}, "'a.md': unknown keys cause"),
        ({"root_cause": [1]}, "each entry needs a `file`"),
    ],
)
def test_a_parts_file_breaking_a_rule_is_refused(
    tmp_path: Path, entry: dict[str, Any], message: str
):
    path = write(tmp_path, parts_data(entry))
    assert message in refused(labels.load_parts, path, None)


def test_every_problem_is_reported_at_once_with_its_line(tmp_path: Path):
    path = write(
        tmp_path,
        parts_data(
            {"file": "a.md", "root_cause": [0]},
            {"file": "a.md", "mitigation": [1]},
        ),
    )
    assert refused(labels.load_parts, path, None).splitlines() == [
        f"{path}:4: root_cause: expected a list of integers >= 1",
        f"{path}:6: 'a.md' is labelled twice",
    ]


def test_invalid_yaml_is_refused_with_its_line(tmp_path: Path):
    path = write(tmp_path, "collection: demo\nfiles: [\n  {file: a.md\n")
    assert refused(labels.load_parts, path, None).startswith(f"{path}:")


_KEYS = st.sampled_from(
    [
        "collection",
        "population",
        "groups",
        "name",
        "why",
        "members",
        "method",
        "labelled_by",
        "files",
        "file",
        "root_cause",
        "mitigation",
        "root_cause_updates",
        "notes",
    ]
)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 5) | st.sampled_from(["demo", "a.md", "c.json"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(data=st.dictionaries(_KEYS, _VALUES, max_size=6) | st.text(max_size=40))
def test_any_label_file_is_loaded_or_refused_with_value_error(
    tmp_path_factory: pytest.TempPathFactory, data: Any
):
    # A broken label file must never surface as anything but a ValueError.
    path = write(tmp_path_factory.mktemp("labels"), data)
    for load in (labels.load_grouping, labels.load_parts):
        message = _refusal(load, path)
        assert message is None or message.startswith(f"{path}:")


def _refusal(load: Any, path: Path) -> str | None:
    try:
        load(path, None)
    except ValueError as error:
        return str(error)
    return None


def _parts_file(collection: str) -> Path:
    return labels.LABELS / "parts" / f"{collection}.yml"


def test_the_groupings_benchmark_names_a_collection_it_has_no_grouping_for(capsys):
    """A mistyped collection ("dfds" for "dfds-postmortems") is a usage error naming the
    labelled ones, not a traceback."""
    from benchmarks import groupings

    with pytest.raises(SystemExit) as exit_info:
        groupings.main(["dfds"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "no reference grouping for dfds" in err
    assert "dfds-postmortems" in err
