"""A pull request cannot run code, publish a restricted incident, write outside the repo, or
lose anyone's words; every file under incidents/ is read or said to be skipped.

The three security holes are also exercised as CI meets them: a real clone of a git repo in
a temporary folder, the command line run as a separate process.
"""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnloop import cachefile
from learnloop.cli import cli
from learnloop.errors import LearnloopError
from learnloop.load import load_bytes, load_corpus
from learnloop.publish.plan import plan
from learnloop.read import incident_from_bytes
from learnloop.write import escape, front_matter, remove_leftovers, target
from tests.conftest import REPO, incident_text

LEARNLOOP = Path(sys.executable).parent / "learnloop"


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def commit_all(root: Path, message: str = "incidents") -> None:
    git(root, "add", "-A", "-f")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message)


def run(root: Path, *args: str, env: dict[str, str] | None = None, timeout: int = 300):
    """The command line as CI runs it: a process of its own, in the clone."""
    return subprocess.run(
        [str(LEARNLOOP), "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
        cwd=root,
    )


def pool(n: int, **overrides: object) -> str:
    """Incidents of one recurring failure, so that the engine makes a pattern of them."""
    keys: dict[str, object] = {
        "id": f"INC-2025-00{n}",
        "started_at": f"2025-0{n}-10T10:00:00Z",
        "resolved_at": f"2025-0{n}-10T11:00:00Z",
    }
    keys.update(overrides)
    return incident_text(**keys)


def site_repo(root: Path, files: dict[str, str]) -> Path:
    """A learning repo that builds: the bundled site configuration and the given incidents."""
    (root / "incidents").mkdir(parents=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs")
    for name, text in files.items():
        (root / "incidents" / name).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A cache signing key of this test's own, in the process and in the processes it runs."""
    home = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return {**os.environ, "XDG_CACHE_HOME": str(home)}


# --- 1. A committed cache never runs code --------------------------------------------------


class Payload:
    """Unpickling this creates a file: proof that code from the repo ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_committed_cache_is_never_unpickled_in_a_clone(tmp_path: Path, private_cache):
    origin = tmp_path / "origin"
    (origin / "incidents").mkdir(parents=True)
    for n in (1, 2, 3):
        (origin / "incidents" / f"{n}.md").write_text(pool(n))
    subprocess.run(["git", "init", "-q", str(origin)], check=True)
    # Learn every cache file name a run uses, then replace each with a payload, one that
    # even carries the header of a real cache file.
    assert run(origin, "generate", env=private_cache).returncode == 0
    assert run(origin, "similar", "--text", "connection pool", env=private_cache).returncode == 0
    marker = tmp_path / "code-ran"
    payload = pickle.dumps(Payload(marker))
    names = sorted((origin / ".learnloop-cache").iterdir())
    assert len(names) >= 4, names
    for path in names:
        path.write_bytes(cachefile.MAGIC + b"\0" * 32 + payload)
    commit_all(origin)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    other_machine = {**private_cache, "XDG_CACHE_HOME": str(tmp_path / "ci-cache")}
    (clone / "incidents" / "4.md").write_text(pool(4))
    for args in (
        ("generate", "--check"),
        ("patterns", "--json"),
        ("similar", "--text", "connection pool"),
        ("similar", "incidents/4.md"),
        ("report", "executive", "--format", "json"),
    ):
        done = run(clone, *args, env=other_machine)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        assert done.returncode in (0, 1), (args, done.stderr)
        assert not marker.exists(), args
    base = git(clone, "rev-parse", "--abbrev-ref", "HEAD").strip()
    git(clone, "checkout", "-q", "-b", "branch")
    commit_all(clone, "a new incident")
    done = run(clone, "pr-summary", "--base", base, env=other_machine)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


def test_a_cache_file_is_read_only_with_this_machines_signature(tmp_path: Path, private_cache):
    path = tmp_path / ".learnloop-cache" / "value.pickle"
    cachefile.write(path, {"kept": 1})
    assert cachefile.read(path) == {"kept": 1}
    data = path.read_bytes()
    assert data.startswith(cachefile.MAGIC)
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one bit of the payload changed
    assert cachefile.read(path) is None
    path.write_bytes(pickle.dumps({"kept": 1}))  # a plain pickle, as an older version wrote
    assert cachefile.read(path) is None
    key = cachefile.key_path()
    assert key.stat().st_mode & 0o077 == 0  # readable by the user alone


def test_even_a_signed_cache_can_only_build_data(tmp_path: Path, private_cache):
    """Were the key ever to leak, a file signed with it still could not call a function:
    the unpickler resolves learnloop's classes and a few value types, nothing else."""
    marker = tmp_path / "code-ran"
    path = tmp_path / ".learnloop-cache" / "value.pickle"
    for value in (Payload(marker), {"nested": [Payload(marker)]}, cachefile.read):
        cachefile.write(path, value)
        assert path.is_file()
        assert cachefile.read(path) is None
        assert not marker.exists()
    # What the caches do hold still reads back.
    value = {"when": datetime(2024, 1, 2, tzinfo=UTC), "seen": Counter(a=2)}
    value["zoned"] = datetime(2024, 1, 2, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    value["rows"] = np.arange(3.0)
    cachefile.write(path, value)
    back = cachefile.read(path)
    assert isinstance(back, dict)
    assert back["seen"] == Counter(a=2)
    assert back["rows"].tolist() == [0.0, 1.0, 2.0]
    assert back["zoned"] == value["zoned"]
    assert back["zoned"].tzinfo is ZoneInfo("Europe/Paris")


# --- 2. Restricted incidents never leak through a near miss ---------------------------------


@pytest.mark.parametrize(
    ("lines", "visibility"),
    [
        ("visibility: internal", "internal"),
        ("visibility: restricted", "restricted"),
        ("Visibility: restricted", "restricted"),
        ("VISIBILITY: Restricted", "restricted"),
        ("visiblity: restricted", "restricted"),
        ("Visibility: internal", "internal"),
    ],
)
def test_anything_but_an_exact_internal_is_restricted(lines: str, visibility: str):
    text = incident_text().replace("severity: P2", f"severity: P2\n{lines}")
    incident, problems = load_bytes(text.encode(), "incidents/a.md")
    assert incident is not None
    assert incident.visibility == visibility
    if not lines.startswith("visibility:"):
        assert any("is read as `visibility`" in p.message for p in problems)


@pytest.mark.parametrize(
    "lines",
    [
        "visibility: restricted\nvisibility: internal",
        "visibility: private",
        "visibility: [internal]",
    ],
)
def test_a_doubtful_visibility_is_an_error(lines: str):
    text = incident_text().replace("severity: P2", f"severity: P2\n{lines}")
    incident, problems = load_bytes(text.encode(), "incidents/a.md")
    assert any(p.level == "error" for p in problems)
    assert incident is None or incident.visibility == "restricted"


def test_a_public_build_of_a_clone_leaves_out_a_near_miss(tmp_path: Path, private_cache):
    secret = pool(2, id="INC-2025-SECRET").replace(
        "severity: P2", "severity: P2\nVisibility: restricted"
    )
    origin = site_repo(tmp_path / "origin", {"1.md": pool(1), "2.md": secret, "3.md": pool(3)})
    commit_all(origin)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    done = run(clone, "build", "--public", env=private_cache, timeout=600)
    assert done.returncode == 0, done.stderr
    leaked = [
        p.relative_to(clone / "site").as_posix()
        for p in (clone / "site").rglob("*")
        if p.is_file() and b"INC-2025-SECRET" in p.read_bytes()
    ]
    assert leaked == []
    assert (clone / "site" / "index.html").is_file()


def test_a_failed_public_build_leaves_no_site(tmp_path: Path, private_cache):
    broken = pool(2).replace("severity: P2", "severity: P2\nvisibility: private")
    root = site_repo(tmp_path / "repo", {"1.md": pool(1), "2.md": broken})
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text("an earlier build")
    done = run(root, "build", "--public", env=private_cache)
    assert done.returncode == 1
    assert "visibility: expected one of internal, restricted" in done.stderr
    assert "no site was built" in done.stderr
    assert not (root / "site").exists()
    assert not list(root.glob(".learnloop-site-*"))


# --- 3. Names that become paths never write outside the repo --------------------------------


def test_a_pattern_id_that_climbs_out_is_refused_in_a_clone(tmp_path: Path, private_cache):
    outside = tmp_path / "X"
    files = {f"{n}.md": pool(n, pattern="../../../X/Y") for n in (1, 2, 3)}
    origin = tmp_path / "origin"
    (origin / "incidents").mkdir(parents=True)
    for name, text in files.items():
        (origin / "incidents" / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(origin)], check=True)
    commit_all(origin)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    checked = run(clone, "check", env=private_cache)
    assert checked.returncode == 1
    assert "pattern: '../../../X/Y' is not a safe file and URL name" in checked.stdout
    run(clone, "generate", env=private_cache)
    assert not outside.exists()
    assert not list(tmp_path.rglob("Y.md"))


def test_a_pattern_id_in_patterns_yml_cannot_name_the_readme(tmp_path: Path):
    root = tmp_path / "repo"
    (root / "incidents").mkdir(parents=True)
    for n in (1, 2):
        (root / "incidents" / f"{n}.md").write_text(pool(n))
    (root / "README.md").write_text("ours\n")
    (root / "patterns.yml").write_text("patterns:\n- id: ../README\n  title: Gotcha\n")
    result = CliRunner().invoke(cli, ["--root", str(root), "generate"])
    assert result.exit_code == 1
    assert "patterns.yml:2: id: '../README' is not a safe file and URL name" in result.output
    assert (root / "README.md").read_text() == "ours\n"


def test_every_write_is_checked_to_stay_in_its_folder(tmp_path: Path):
    root = tmp_path / "repo"
    root.mkdir()
    assert target(root, "runbooks/a.md") == root / "runbooks" / "a.md"
    assert target(root, "patterns.yml") == root / "patterns.yml"
    for bad in ("runbooks/../README.md", "../x.md", "/etc/passwd", "README.md", "kb\\..\\x"):
        with pytest.raises(LearnloopError, match="refusing to write"):
            target(root, bad)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "runbooks").symlink_to(elsewhere)
    with pytest.raises(LearnloopError, match="outside the repository"):
        target(root, "runbooks/a.md")


# --- 4. Links under incidents/, and restricted ids in pull-request comments ------------------


def test_links_out_of_the_repo_are_refused_and_others_reported(tmp_path: Path):
    root = tmp_path / "repo"
    (root / "incidents").mkdir(parents=True)
    (root / "incidents" / "1.md").write_text(pool(1))
    private = tmp_path / "private.md"
    private.write_text(pool(2))
    (root / "incidents" / "2.md").symlink_to(private)
    (root / "incidents" / "3.md").symlink_to(tmp_path / "nowhere.md")
    (root / "incidents" / "4.md").symlink_to(root / "incidents" / "1.md")  # inside: read
    folder = tmp_path / "more"
    folder.mkdir()
    (root / "incidents" / "more").symlink_to(folder)
    result = invoke(root, "check")
    assert result.exit_code == 1
    out = result.output
    assert "incidents/2.md: error: a link to a file outside the repository is refused" in out
    assert "incidents/3.md: skipped: a link to nothing" in out
    assert "incidents/more/: skipped: a link to a folder is not followed" in out
    assert "incidents/4.md" in out  # read, and its id is a duplicate of 1.md's
    corpus = load_corpus(root)
    assert [i.path for i in corpus.incidents] == ["incidents/1.md"]


def test_a_pull_request_summary_never_names_a_restricted_incident(tmp_path: Path):
    from tests.test_prsummary import commit, new_repo

    root = new_repo(tmp_path / "repo")
    restricted = pool(1, id="INC-2025-HUSH").replace(
        "severity: P2", "severity: P2\nvisibility: restricted"
    )
    commit(root, {"incidents/1.md": restricted, ".gitignore": ".learnloop-cache/\n"}, "base")
    git(root, "checkout", "-q", "-b", "branch")
    (root / "incidents" / "2.md").write_text(pool(2))
    result = invoke(root, "pr-summary", "--base", "main")
    assert result.exit_code == 0
    assert "INC-2025-002" in result.stdout
    assert "INC-2025-HUSH" not in result.stdout
    assert "1 restricted incident" in result.stdout


# --- 5–7. Nothing dropped, nothing misread --------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected", "date_only", "warned"),
    [
        ("'2025-06-01'", datetime(2025, 6, 1, tzinfo=UTC), True, False),
        ('"2025-06-01"', datetime(2025, 6, 1, tzinfo=UTC), True, False),
        ("2025-06-01", datetime(2025, 6, 1, tzinfo=UTC), True, False),
        ("2025-06-01T09:12:00", datetime(2025, 6, 1, 9, 12, tzinfo=UTC), False, True),
        ("2025-06-01 09:12", datetime(2025, 6, 1, 9, 12, tzinfo=UTC), False, True),
        (
            "2025-06-01T09:12:00.250",
            datetime(2025, 6, 1, 9, 12, 0, 250000, tzinfo=UTC),
            False,
            True,
        ),
    ],
)
def test_a_start_without_a_zone_is_read_never_dropped(written, expected, date_only, warned):
    text = incident_text(started_at=written, resolved_at=None)
    incident, problems = load_bytes(text.encode(), "incidents/a.md")
    assert incident is not None, problems
    assert incident.started_at == expected
    assert incident.started_date_only is date_only
    assert any("no time zone given" in p.message for p in problems) is warned
    assert all(p.level == "warning" for p in problems)


def test_the_repository_time_zone_reads_zone_less_times(make_repo):
    root = make_repo(
        {
            "a.md": incident_text(started_at="2025-06-01T09:12:00", resolved_at=None),
            "b.md": incident_text(id="INC-2", started_at="'2025-06-02'", resolved_at=None),
        }
    )
    (root / "learnloop.yml").write_text("timezone: Europe/Paris\n")
    corpus = load_corpus(root)
    assert len(corpus.incidents) == 2
    first, second = corpus.incidents
    assert first.started_at.utcoffset() == timedelta(hours=2)
    assert second.started_at.utcoffset() == timedelta(hours=2)
    checked = invoke(root, "check")
    assert "read in the repository's time zone (Europe/Paris)" in checked.output
    assert "2 incidents loaded" in checked.output
    (root / "learnloop.yml").write_text("timezone: Mars/Olympus\n")
    assert "timezone: expected a time zone" in invoke(root, "check").output


def test_every_file_is_read_or_said_to_be_skipped(make_repo):
    root = make_repo(
        {
            "2025/a.MD": incident_text(id="A-1"),
            "2025/b.markdown": incident_text(id="A-2"),
            "2025/c.txt": "notes",
            "2025/graph.png": b"\x89PNG",
            "_archive/old.md": incident_text(id="A-3"),
            "2025/README.md": "# Our incidents",
            "sub/index.md": "# Index",
            "_template.md": incident_text(id="A-4"),
        }
    )
    result = invoke(root, "check")
    out = result.output
    assert "2 incidents loaded" in out
    assert "incidents/2025/c.txt: skipped: not an incident file (.txt)" in out
    # What the importer reads is told how it comes in; a picture is an attachment.
    assert "a .txt post-mortem or export comes in with `learnloop import PATH`" in out
    assert "incidents/_archive/: skipped: a folder whose name starts with '_'" in out
    assert "incidents/2025/README.md: skipped: a folder's README or index page" in out
    assert "incidents/sub/index.md: skipped: a folder's README or index page" in out
    assert "incidents/_template.md: skipped: a template" in out
    assert "1 attachment (images, PDFs, logs)" in out
    one = invoke(root, "check", str(root / "incidents" / "2025" / "README.md"))
    assert "incidents/2025/README.md: skipped: a folder's README or index page" in one.output
    assert "0 incidents loaded" in one.output


@pytest.mark.parametrize("written", ["0x1F", "0123", "1.10", "1e3", "true", "2025-01-01"])
def test_an_id_is_read_as_written(written: str):
    incident, problems = load_bytes(incident_text(id=written).encode(), "incidents/a.md")
    assert incident is not None, problems
    assert incident.id == written


def test_an_id_yaml_reads_as_a_number_of_minutes_is_refused_as_written():
    _, problems = load_bytes(incident_text(id="12:30").encode(), "incidents/a.md")
    assert problems[0].message == "id: '12:30' is not a safe file and URL name"


def test_services_are_split_folded_and_named_once():
    text = incident_text(services="Checkout-API, orders-db, checkout-api")
    incident, problems = load_bytes(text.encode(), "incidents/a.md")
    assert incident is not None
    assert incident.services == ("checkout-api", "orders-db")
    assert [p.message for p in problems] == ["services: one text with commas read as 3 services"]


def test_a_key_given_twice_is_an_error():
    text = incident_text().replace("severity: P2", "severity: P2\nseverity: P4")
    incident, problems = load_bytes(text.encode(), "incidents/a.md")
    assert incident is None
    assert problems[0].line == 7
    assert "duplicate key 'severity': given 1 line(s) above too" in problems[0].message


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("revenue_usd", ".inf", "expected a finite number, got .inf"),
        ("revenue_usd", ".nan", "expected a finite number, got .nan"),
        ("revenue_usd", "1e400", "expected a finite number, got 1e400"),
        ("customers_affected", "4" * 401, "is beyond any plausible figure"),
        ("customers_affected", "-5", "expected a non-negative number, got -5"),
    ],
)
def test_figures_are_bounded(make_repo, key: str, value: str, message: str):
    text = incident_text().replace("severity: P2", f"severity: P2\nimpact:\n  {key}: {value}")
    root = make_repo({"a.md": text, "b.md": incident_text(id="INC-2")})
    checked = invoke(root, "check")
    assert checked.exit_code == 1
    assert message in checked.output
    for args in (("generate",), ("report", "executive", "--format", "json")):
        done = CliRunner().invoke(cli, ["--root", str(root), *args])
        assert done.exception is None or isinstance(done.exception, SystemExit), args
    assert "NaN" not in invoke(root, "report", "executive", "--format", "json").output


def test_an_effort_of_infinity_is_refused():
    text = incident_text().replace(
        "severity: P2", "severity: P2\naction_items:\n- {title: Fix, effort: .inf}"
    )
    _, problems = load_bytes(text.encode(), "incidents/a.md")
    assert any("action_items.0.effort: expected a finite number" in p.message for p in problems)


# --- 9. Titles and verification steps --------------------------------------------------


@pytest.fixture
def generated_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "incidents", root / "incidents")
    for name in ("patterns.yml", "patterns.members.yml", "mkdocs.yml", "learnloop.yml"):
        shutil.copy(REPO / name, root / name)
    for folder in ("runbooks", "kb", "adr"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def test_a_title_edited_in_patterns_yml_reaches_the_heading(generated_repo: Path):
    state = generated_repo / "patterns.yml"
    runbook = generated_repo / "runbooks" / "tls-certificate-expiry.md"
    old = front_matter.split_existing(runbook.read_text())[0]["title"]
    assert f"\n# {old}\n" in runbook.read_text()
    text = state.read_text()
    assert f"title: {old}\n" in text
    state.write_text(text.replace(f"title: {old}\n", "title: Certificates that expired\n"))
    invoke(generated_repo, "generate")
    after = runbook.read_text()
    assert "\n# Certificates that expired\n" in after
    assert f"# {old}\n" not in after
    article = (generated_repo / "kb" / "patterns" / "tls-certificate-expiry.md").read_text()
    assert "\n# Certificates that expired" in article


def test_a_resolution_that_says_only_resolved_gives_no_empty_step(make_repo):
    files = {
        f"{n}.md": pool(n).replace("- 11:00 — Resolved.", "- 11:00 — Resolved.") for n in (1, 2, 3)
    }
    root = make_repo(files)
    invoke(root, "generate")
    for runbook in (root / "runbooks").glob("*.md"):
        text = runbook.read_text()
        assert "- Verify:  (" not in text
        assert "- Verify: (" not in text


# --- 10–13. A reviewer's words are never lost -----------------------------------------------


def test_text_typed_inside_a_region_is_kept_and_reported(generated_repo: Path):
    path = generated_repo / "runbooks" / "kafka-consumer-lag.md"
    text = path.read_text()
    edited = text.replace(
        "<!-- learnloop:begin diagnosis -->\n",
        "<!-- learnloop:begin diagnosis -->\nAsk the data team before restarting consumers.\n",
    )
    path.write_text(edited)
    checked = CliRunner().invoke(cli, ["--root", str(generated_repo), "generate", "--check"])
    assert checked.exit_code == 1
    assert "region 'diagnosis' was edited by hand" in checked.output
    assert "run `learnloop generate`" not in checked.output  # it would not help
    for _ in range(2):  # said on every run, also once the answer is kept in the cache
        again = invoke(generated_repo, "generate")
        assert "region 'diagnosis' was edited by hand" in again.output
        assert path.read_text() == edited
    replaced = invoke(generated_repo, "generate", "--replace-edited")
    assert "runbooks/kafka-consumer-lag.md" in replaced.output
    assert path.read_text() == text
    assert invoke(generated_repo, "generate", "--check").exit_code == 0


def test_markers_quoted_in_code_or_copied_are_text(generated_repo: Path):
    path = generated_repo / "runbooks" / "kafka-consumer-lag.md"
    text = path.read_text()
    quoted = (
        "\n## How this file works\n```\n<!-- learnloop:begin meaning -->\nours\n"
        "<!-- learnloop:end meaning -->\n```\n"
        "<!-- learnloop:begin meaning -->\nA copy, outside any code.\n"
        "<!-- learnloop:end meaning -->\n"
    )
    path.write_text(text + quoted)
    invoke(generated_repo, "generate")
    assert path.read_text() == text + quoted
    assert invoke(generated_repo, "generate", "--check").exit_code == 0


def test_comments_in_the_review_block_survive(generated_repo: Path):
    path = generated_repo / "runbooks" / "kafka-consumer-lag.md"
    text = path.read_text()
    review = (
        "review:  # signed off in the March review\n"
        "  status: reviewed   # keep\n"
        "  by: priya\n"
        "  at: 2025-11-01\n"
        "  digest: sha256:abc\n"
    )
    old = next(line for line in text.splitlines() if line.startswith("review:"))
    path.write_text(text.replace(old + "\n", review))
    invoke(generated_repo, "generate")
    after = path.read_text()
    assert review in after
    assert front_matter.split_existing(after)[0]["review"]["by"] == "priya"


def test_a_deleted_end_marker_is_reported(generated_repo: Path):
    path = generated_repo / "runbooks" / "kafka-consumer-lag.md"
    text = path.read_text().replace("<!-- learnloop:end escalation -->\n", "")
    path.write_text(text)
    result = CliRunner().invoke(cli, ["--root", str(generated_repo), "generate"])
    assert "region 'escalation' has a begin marker and no end marker" in result.output
    assert path.read_text() == text


# --- 14–17. Crashes, slow paths -------------------------------------------------------------


def test_leftovers_of_a_killed_run_are_removed_and_a_running_ones_kept(tmp_path: Path):
    root = tmp_path / "repo"
    (root / "runbooks").mkdir(parents=True)
    gone = root / "runbooks" / ".a.md.4194303.x1y2.tmp"
    gone.write_text("")
    alive = root / "runbooks" / f".b.md.{os.getpid()}.z9.tmp"
    alive.write_text("")
    (root / ".patterns.yml.4194303.q.tmp").write_text("")
    removed = remove_leftovers(root)
    assert sorted(removed) == [".patterns.yml.4194303.q.tmp", "runbooks/.a.md.4194303.x1y2.tmp"]
    assert alive.exists()


@given(st.text(alphabet="[]()!ab \n\\", max_size=300))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_every_bracket_left_open_is_escaped(text: str):
    out = escape.block(text)
    closes = escape._brackets(out)
    for start, end in closes.items():
        # A `[` left for Markdown to read closes within a link's length.
        assert 0 <= end - start <= escape.MAX_LINK_TEXT, (text, out)


def test_a_page_of_brackets_is_escaped_in_one_pass():
    logs = "[WARN pool-7 too many clients\n" * 3000
    out = escape.block(logs)
    assert out.count("\\[WARN") == 3000
    nested = escape.block("[" * 3000 + "x" + "]" * 3000)
    assert nested.startswith("\\[" * (3000 - escape.MAX_LINK_TEXT // 2))


def test_similar_refuses_a_file_over_the_limit(make_repo):
    root = make_repo({"a.md": incident_text()})
    big = root / "draft.md"
    big.write_text(incident_text() + "x" * (1024 * 1024 + 1))
    result = CliRunner().invoke(cli, ["--root", str(root), "similar", str(big)])
    assert result.exit_code == 1
    assert "draft.md: file is 1.0 MB; the limit is 1024 KB" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_serve_takes_its_mkdocs_child_with_it(tmp_path: Path, private_cache, how):
    root = site_repo(tmp_path / "repo", {"1.md": pool(1)})
    port = _free_port()
    process = subprocess.Popen(
        [str(LEARNLOOP), "--root", str(root), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        env=private_cache,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not _listening(port):
            assert process.poll() is None, "serve ended before it listened"
            assert time.monotonic() < deadline, "serve never listened"
            time.sleep(0.5)
        process.send_signal(how)
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _listening(port) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _listening(port)
    finally:
        if process.poll() is None:
            process.kill()


def _mkdocs_children(parent: int) -> list[int]:
    """Processes whose parent is `parent` and that run mkdocs (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"mkdocs" in command:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads Linux's /proc")
def test_a_killed_build_takes_its_mkdocs_child_with_it(tmp_path: Path, private_cache):
    root = site_repo(tmp_path / "repo", {f"{n}.md": pool(n) for n in (1, 2, 3)})
    # A build that would take two minutes: the child is still at work when learnloop dies.
    (root / "slow_hook.py").write_text(
        "import time\n\ndef on_pre_build(config):\n    time.sleep(120)\n"
    )
    with (root / "mkdocs.yml").open("a") as config:
        config.write("\nhooks:\n  - slow_hook.py\n")
    process = subprocess.Popen(
        [str(LEARNLOOP), "--root", str(root), "build"],
        env=private_cache,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        children: list[int] = []
        while not children:
            assert process.poll() is None, "build ended before mkdocs was seen running"
            assert time.monotonic() < deadline, "mkdocs never started"
            children = _mkdocs_children(process.pid)
            time.sleep(0.02)
        process.kill()  # no handler runs: only the kernel's parent-death signal remains
        process.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(c) for c in children)
    finally:
        if process.poll() is None:
            process.kill()


# --- 18. Messages ---------------------------------------------------------------------------


def test_a_capitalised_required_key_gets_a_hint():
    text = incident_text().replace("severity: P2", "Severity: P2")
    _, problems = load_bytes(text.encode(), "incidents/a.md")
    (missing,) = [p for p in problems if p.level == "error"]
    assert missing.message == "severity: required key is missing"
    assert missing.hint == "keys are lower case: write 'severity', not 'Severity'"


def test_tabs_a_second_document_and_old_line_endings():
    tabbed = incident_text().replace("severity: P2", "severity: P2\nimpact:\n\tsummary: x")
    _, problems = load_bytes(tabbed.encode(), "incidents/a.md")
    assert "a tab is used for indentation" in problems[0].message
    yaml_file = "id: A\ntitle: T\n---\nseverity: P2\n"
    _, problems = load_bytes(yaml_file.encode(), "incidents/a.yaml")
    assert "a second document starts here ('---')" in problems[0].message
    assert problems[0].line == 3
    old_mac = incident_text().replace("\n", "\r")
    incident, problems = incident_from_bytes(old_mac.encode(), "incidents/a.md")
    assert incident is not None
    assert incident.section("summary").startswith("Connection pool exhausted")


@pytest.mark.parametrize("name", ['a"b.md', "a<b.md", "a#b.md"])
def test_a_file_name_that_breaks_the_site_is_an_error(name: str):
    incident, problems = load_bytes(incident_text().encode(), f"incidents/{name}")
    assert incident is None
    assert "the file name contains" in problems[0].message


def test_front_matter_alone_is_warned_about():
    text = incident_text().split("\n## Summary")[0] + "\n"
    incident, problems = load_bytes(text.encode(), "incidents/a.md")
    assert incident is not None
    assert [p.code for p in problems] == ["empty-body"]


# --- What check says is what is loaded, counted and published ------------------------------

_KEYS = st.sampled_from(
    ["visibility", "Visibility", "visiblity", "VISIBILITY", "tags", "status", "Severity"]
)
_VALUES = st.sampled_from(["internal", "restricted", "Internal", "private", "[internal]", "x"])
_STARTS = st.sampled_from(
    ["2025-06-01T09:12:00Z", "'2025-06-01'", "2025-06-01 09:12", "2025-06-01T09:12:00.5", "x"]
)


@given(
    extra=st.dictionaries(_KEYS, _VALUES, max_size=3),
    start=_STARTS,
    ident=st.sampled_from(["INC-1", "0x1F", "1.10", "a b"]),
)
@settings(max_examples=200, deadline=None)
def test_what_check_passes_is_loaded_and_published_as_it_said(extra, start, ident):
    lines = "".join(f"\n{k}: {v}" for k, v in extra.items())
    text = incident_text(id=ident, started_at=start, resolved_at=None).replace(
        "severity: P2", "severity: P2" + lines
    )
    incident, problems = load_bytes(text.encode(), "incidents/a.md")
    errors = [p for p in problems if p.level == "error"]
    if errors:
        return
    assert incident is not None  # nothing that passes is dropped
    said = {str(k): v for k, v in extra.items()}
    exact = said.get("visibility", "internal") == "internal" and all(
        v == "internal" for k, v in said.items() if k != "visibility" and "vis" in k.lower()
    )
    assert incident.visibility == ("internal" if exact else "restricted")
    shown, hidden = plan([incident], public=True)
    assert (incident in hidden) == (incident.visibility == "restricted")
    assert [e.incident for e in shown] == ([] if incident in hidden else [incident])
