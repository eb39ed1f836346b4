"""Facts that only git knows: when a post-mortem was first committed, by whom, when a generated
document was last reviewed, and deploy events read from the commits of a deploy repository.

This is an edge of the pipeline: it runs git through GitPython and returns plain data. Outside
a git repository, or for a file never committed, the facts are simply empty; nothing raises.
Times are author times for post-mortems (when the words were written, which a rebase or a
squash merge keeps) and commit times for deploys (when the change landed on the branch).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from learnloop.analyze.changes import CONFIG_CHANGE, DEPLOY, Change
from learnloop.errors import LearnloopError

if TYPE_CHECKING:
    from git import Repo

log = logging.getLogger(__name__)

_RECORD = "\x1e"  # starts each commit in `git log` output; never in names or dates
_FIELD = "\x1f"
# A deploy-repo commit is a config change when its subject says so, Conventional-Commits style
# ("config: raise pool size", "config(orders-api)!: …"), or when a trailer says so.
_CONFIG_SUBJECT = re.compile(r"^(config|conf|cfg)(\([^)]*\))?!?:", re.IGNORECASE)


@dataclass(frozen=True)
class FileFacts:
    """What git says about one file; every field empty when git knows nothing of it."""

    path: str
    first_commit: datetime | None = None  # author time of the commit that added it
    last_change: datetime | None = None  # author time of the newest commit that changed it
    authors: tuple[str, ...] = ()  # everyone who committed to it, sorted
    commits: int = 0
    last_review: datetime | None = None  # newest commit that changed its `review:` line
    last_reviewer: str | None = None


@dataclass(frozen=True)
class GitFacts:
    """Facts per path (relative to the learning repo), and whether history was cut short."""

    files: tuple[FileFacts, ...] = ()
    available: bool = False  # False outside a git repository
    shallow: bool = False  # a shallow clone: "first committed" may be the clone's cut-off

    def of(self, path: str) -> FileFacts:
        """The facts of one path; empty facts for a path git never saw."""
        for facts in self.files:
            if facts.path == path:
                return facts
        return FileFacts(path)

    def by_path(self) -> dict[str, FileFacts]:
        """path -> facts."""
        return {f.path: f for f in self.files}


def open_repo(root: Path) -> Repo | None:
    """The git repository holding root (also from a subfolder), or None when there is none."""
    try:
        import git
    except ImportError:  # GitPython refuses to import when no git executable is found
        log.info("git is not available; git facts are left empty")
        return None
    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError, OSError):
        return None


def last_change(path: Path) -> datetime | None:
    """When the file was last committed, where it is in a git repository with history."""
    repo = open_repo(path.parent)
    if repo is None:
        return None
    when = _log(repo, "-1", "--format=%cI", "--", str(path.resolve())).strip()
    return datetime.fromisoformat(when) if when else None


def _prefix(repo: Repo, root: Path) -> str:
    """root's path inside the repository's work tree, with a trailing slash ('' at the top)."""
    top = Path(repo.working_tree_dir or root).resolve()
    rel = root.resolve().relative_to(top).as_posix()
    return "" if rel == "." else rel + "/"


def _log(repo: Repo, *args: str) -> str:
    import git

    try:
        return str(repo.git.log(*args))
    except git.GitCommandError as exc:
        # A repository with no commits yet has no history to read.
        log.info("git log failed: %s", exc.stderr.strip() if exc.stderr else exc)
        return ""


def _records(output: str) -> Iterable[tuple[list[str], list[str]]]:
    """(header fields, changed-file lines) per commit of `git log --format=<_RECORD>…`."""
    for chunk in output.split(_RECORD)[1:]:
        head, _, rest = chunk.partition("\n")
        yield head.split(_FIELD), [line for line in rest.splitlines() if line.strip()]


def collect(root: Path, paths: Iterable[str], review_paths: Iterable[str] = ()) -> GitFacts:
    """Facts for the given repo-relative paths; reviews too for the generated `review_paths`.

    One `git log` over the whole history answers for every file at once (a log per file
    would start hundreds of processes); renames are followed so a moved post-mortem keeps
    its first commit.
    """
    wanted = sorted(set(paths) | set(review_paths))
    repo = open_repo(root)
    if repo is None:
        return GitFacts(tuple(FileFacts(p) for p in wanted))
    prefix = _prefix(repo, root)
    shallow = (Path(repo.git_dir) / "shallow").is_file()
    history = _history(repo, prefix, wanted)
    reviews = _reviews(repo, prefix, sorted(set(review_paths)))
    out = []
    for path in wanted:
        commits = history.get(path, [])
        review = reviews.get(path)
        out.append(
            FileFacts(
                path=path,
                # Log order follows commit times; a rebase can reorder author times.
                first_commit=min(when for when, _ in commits) if commits else None,
                last_change=max(when for when, _ in commits) if commits else None,
                authors=tuple(sorted({name for _, name in commits})),
                commits=len(commits),
                last_review=review[0] if review else None,
                last_reviewer=review[1] if review else None,
            )
        )
    return GitFacts(tuple(out), available=True, shallow=shallow)


def _history(repo: Repo, prefix: str, wanted: list[str]) -> dict[str, list[tuple[datetime, str]]]:
    """path -> [(author time, author)] newest first, following renames back in time."""
    if not wanted:
        return {}
    folders = sorted({prefix + (p.split("/", 1)[0] if "/" in p else p) for p in wanted})
    output = _log(
        repo,
        f"--format={_RECORD}%aI{_FIELD}%an",
        "--name-status",
        "-M",
        "--no-merges",
        "--",
        *folders,
    )
    targets = {prefix + p: p for p in wanted}
    alias: dict[str, str] = {}  # a path as named in older commits -> its name today
    found: dict[str, list[tuple[datetime, str]]] = {}
    for head, changes in _records(output):
        if len(head) < 2:
            continue
        when, author = datetime.fromisoformat(head[0]), head[1]
        for line in changes:
            status, *names = line.split("\t")
            if not names:
                continue
            current = alias.get(names[-1], names[-1])
            if status.startswith("R") and len(names) == 2:
                alias[names[0]] = current  # older commits name it by its old path
            if current in targets:
                found.setdefault(targets[current], []).append((when, author))
    return found


def _reviews(repo: Repo, prefix: str, paths: list[str]) -> dict[str, tuple[datetime, str]]:
    """path -> (time, author) of the newest commit that changed its `review:` line.

    The generator never touches the review block (DESIGN §5), so a commit changing it is a
    person signing the document off. The commit that created the file is not a review.
    """
    if not paths:
        return {}
    output = _log(
        repo,
        f"--format={_RECORD}%aI{_FIELD}%an",
        "--name-only",
        "--no-merges",
        "--diff-filter=M",
        "-G^review:",
        "--",
        *(prefix + p for p in paths),
    )
    targets = {prefix + p: p for p in paths}
    found: dict[str, tuple[datetime, str]] = {}
    for head, names in _records(output):
        if len(head) < 2:
            continue
        for name in names:
            if name in targets and targets[name] not in found:
                found[targets[name]] = (datetime.fromisoformat(head[0]), head[1])
    return found


def changes_from_commits(
    source: Path, branch: str | None = None, service: str | None = None
) -> list[Change]:
    """Deploy events from the first-parent commits of a deploy repository's branch.

    Each commit that lands on the branch is a change: of `service` when one is named (a
    service's own release branch), else of each top-level folder it touches (a GitOps
    repository with one folder per service). It is a config change when its subject starts
    with `config:` or a `Change-Kind: config-change` trailer says so, otherwise a deploy.
    """
    repo = open_repo(source)
    if repo is None:
        return []
    output = _log(
        repo,
        f"--format={_RECORD}%cI{_FIELD}%h{_FIELD}%an{_FIELD}%s{_FIELD}"
        "%(trailers:key=Change-Kind,valueonly,separator=%x2C)",
        "--first-parent",
        "--diff-merges=first-parent",
        "--name-only",
        branch or "HEAD",
        "--",
    )
    out = []
    for head, names in _records(output):
        if len(head) < 5:
            continue
        at, ref, author, subject, trailer = head[:5]
        declared = trailer.strip().lower()
        kind = (
            CONFIG_CHANGE if declared == CONFIG_CHANGE or _CONFIG_SUBJECT.match(subject) else DEPLOY
        )
        targets = [service] if service else sorted({n.split("/", 1)[0] for n in names if "/" in n})
        for name in targets:
            out.append(Change(datetime.fromisoformat(at), name, kind, ref, author))
    return sorted(out, key=_change_key)


def _change_key(change: Change) -> tuple[Any, ...]:
    return (change.at, change.service, change.kind, change.ref or "")


@dataclass(frozen=True)
class FileChange:
    status: str  # added | changed | renamed | deleted
    path: str  # relative to the learning repo
    old_path: str | None = None


@dataclass(frozen=True)
class Diff:
    base: str  # the commit compared with: the merge base of --base and HEAD
    ref: str  # --base as given
    files: tuple[FileChange, ...]
    read_base: Callable[[str], str | None]  # path -> its text at the base, None if absent


def git_diff(root: Path, ref: str) -> Diff:
    """Files that differ between the merge base of `ref` and the working tree, untracked too."""
    repo = open_repo(root)
    if repo is None:
        raise LearnloopError(f"{root} is not in a git repository; pr-summary needs one")
    import git  # only once a repository opened: GitPython refuses to import without git

    try:
        base = repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
    except git.GitCommandError:
        raise LearnloopError(
            f"--base {ref}: no such commit or branch here; "
            "fetch it first (a workflow needs `fetch-depth: 0`)"
        ) from None
    # No HEAD yet, or unrelated histories: then compare with the ref itself.
    with contextlib.suppress(git.GitCommandError):
        base = repo.git.merge_base(base, "HEAD")
    top = Path(repo.working_tree_dir or root).resolve()
    prefix = root.resolve().relative_to(top).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    raw = repo.git.diff("--name-status", "-z", "-M", base, "--", prefix or ".")
    fields = raw.split("\0")
    files: list[FileChange] = []
    at = 0
    while at < len(fields) - 1:
        status = fields[at]
        if not status:
            at += 1
            continue
        if status[0] in "RC":
            old, new = fields[at + 1], fields[at + 2]
            at += 3
            files.append(FileChange("renamed", _under(new, prefix), _under(old, prefix)))
            continue
        path = _under(fields[at + 1], prefix)
        at += 2
        kind = {"A": "added", "D": "deleted"}.get(status[0], "changed")
        files.append(FileChange(kind, path))
    for name in repo.untracked_files:
        if name.startswith(prefix):
            files.append(FileChange("added", _under(name, prefix)))
    commit = repo.commit(base)

    def read_base(rel: str) -> str | None:
        try:
            blob = commit.tree / (prefix + rel)
            return bytes(blob.data_stream.read()).decode("utf-8", errors="replace")
        except (KeyError, AttributeError):
            return None

    ordered = tuple(sorted(set(files), key=lambda f: (f.path, f.status)))
    return Diff(base, ref, ordered, read_base)


def _under(name: str, prefix: str) -> str:
    return name[len(prefix) :] if prefix and name.startswith(prefix) else name
