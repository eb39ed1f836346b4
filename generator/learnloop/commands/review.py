"""`learnloop review FILE… [--by NAME]`: sign off generated documents.

A reviewer reads a runbook or article against its sources and signs it off: the `review:`
block then records who, when, and the digest of the sources they read, so the document is
fresh until those sources change. The block belongs to people (`generate` carries it over
as written); this command writes it for them, and the one value derived from it
(`review_due`, a review period after the sign-off) as `generate` would, so that
`generate --check` stays clean. Every other byte of the file is kept.
"""

from __future__ import annotations

import getpass
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import click

from learnloop.errors import LearnloopError, UsageError
from learnloop.settings import load_settings
from learnloop.write import atomic_write, document, front_matter

_FRONT = re.compile(r"\A---\n(?P<yaml>.*?\n)---\n", re.DOTALL)
_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,100}")


@dataclass(frozen=True)
class Signed:
    path: str  # relative to the repo
    digest: str
    due: date | None
    changed: bool  # False when it was already signed off with the same digest


def reviewer(given: str | None, root: Path) -> str:
    """The name to sign with: --by, else git's user.name, else the login name."""
    name = given
    if name is None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), "config", "user.name"],
                capture_output=True,
                text=True,
                check=False,
                timeout=10,
            )
            name = done.stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            name = None
    if name is None:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):
            name = None
    name = " ".join((name or "").split())
    if not name or not _NAME.fullmatch(name):
        raise UsageError("say who reviews with --by NAME")
    return name


def sign(text: str, *, by: str, at: date, period_days: int, path: str) -> tuple[str, Signed]:
    """The file with its review block (and review_due) set; everything else as it was."""
    front, _ = front_matter.split_existing(text, sources=False)
    if front.get("generated_by") != document.GENERATED_BY:
        raise LearnloopError(f"{path}: not a document `learnloop generate` wrote")
    digest = front.get("source_digest")
    if not isinstance(digest, str) or not digest:
        raise LearnloopError(f"{path}: no source_digest to sign off; run `learnloop generate`")
    review = {"status": "reviewed", "by": by, "at": at, "digest": digest}
    updated = front.get("updated")
    due = front_matter.review_due(
        review, updated if isinstance(updated, date) else None, period_days
    )
    match = _FRONT.match(text)
    assert match is not None  # split_existing found front matter
    lines = match.group("yaml").split("\n")
    block = front_matter.review_line(review)
    start = next((n for n, line in enumerate(lines) if re.match(r"review:(\s|$)", line)), None)
    if start is None:
        at_key = next((n for n, line in enumerate(lines) if line.startswith("updated:")), None)
        start = end = (at_key + 1) if at_key is not None else len(lines) - 1
    else:
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t", "#")):
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
    lines[start:end] = [block]
    if due is not None:
        lines = [f"review_due: {due}" if ln.startswith("review_due:") else ln for ln in lines]
    new = "---\n" + "\n".join(lines) + "---\n" + text[match.end() :]
    return new, Signed(path, digest, due, new != text)


def only_review_due(old: str, new: str) -> bool:
    """Whether two versions of a document differ in their `review_due` line alone: what a
    review block signed by hand leaves until the next `generate`."""
    if old == new:
        return False
    strip = re.compile(r"(?m)^review_due: .*\n")
    return strip.sub("", old, count=1) == strip.sub("", new, count=1)


def review(root: Path, files: list[Path], *, by: str, at: date) -> list[Signed]:
    """Sign off each file; every file is checked before any is written."""
    period = load_settings(root).review_period_days
    planned: list[tuple[Path, str, Signed]] = []
    for file in files:
        path = file if file.is_absolute() else Path.cwd() / file
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            raise LearnloopError(f"{file}: not inside the learning repository {root}") from None
        if not rel.startswith(("runbooks/", "kb/", "adr/")):
            raise LearnloopError(f"{rel}: only documents in runbooks/, kb/ and adr/ are reviewed")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LearnloopError(f"{rel}: cannot read: {exc}") from None
        new, signed = sign(text, by=by, at=at, period_days=period, path=rel)
        planned.append((path, new, signed))
    for path, new, signed in planned:
        if signed.changed:
            atomic_write(path, new)
    return [signed for _, _, signed in planned]


@click.command("review")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--by", "by", metavar="NAME", help="Who signs off (default: git's user.name).")
@click.option(
    "--at",
    "at",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The day of the review (default: today).",
)
@click.pass_obj
def command(obj: object, files: tuple[Path, ...], by: str | None, at: object) -> None:
    """Sign off generated documents you have read against their sources."""
    root: Path = obj.root  # type: ignore[attr-defined]
    name = reviewer(by, root)
    # A sign-off is dated by the wall clock: it records when a person read the document.
    day = at.date() if at is not None else datetime.now(UTC).date()  # type: ignore[attr-defined]
    for signed in review(root, list(files), by=name, at=day):
        verb = "signed off" if signed.changed else "already signed off"
        due = f"; next review due {signed.due.isoformat()}" if signed.due else ""
        click.echo(f"{verb} {signed.path} by {name}{due}")
