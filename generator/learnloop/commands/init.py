"""`learnloop init [DIR]`: turn a git repository into a learning repo.

It writes three kinds of file. The site (mkdocs.yml, docs/) and the workflows
(.github/workflows/) are learnloop's own: they are the package's templates byte for byte, an
existing file that differs is refused (nothing is written) unless `--force` replaces it.
Settings (learnloop.yml), the post-mortem template and the folders are the team's from the
start: written when missing, never replaced. README.md and .gitignore get a section or lines
appended when they lack them. A second run finds everything in place and changes nothing.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import re
import subprocess
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import click

from learnloop import gitfacts
from learnloop.errors import LearnloopError, UsageError
from learnloop.scaffold import SCHEMA_COPY, TEMPLATE_FILE, postmortem_template
from learnloop.settings import FILENAME as SETTINGS_FILE
from learnloop.write import atomic_write

log = logging.getLogger(__name__)

WORKFLOWS_DIR = ".github/workflows"
GENERATED_DIRS = ("runbooks", "kb", "adr")
IGNORED = ("site/", ".learnloop-cache/", ".learnloop-site-*/")
README = "README.md"
README_BEGIN = "<!-- learnloop:begin readme -->"
README_END = "<!-- learnloop:end readme -->"
README_SECTION = """\
## Incidents and what we learn from them

This repository is a learning loop for production incidents, kept with
learnloop:

- `incidents/` holds one post-mortem per incident, Markdown with YAML front matter. Start one
  with `learnloop new "What users saw" --service checkout-api --severity P2`, or copy
  `incidents/_template.md`, and open a pull request.
- `runbooks/`, `kb/`, `adr/` and `patterns.members.yml` are generated from the post-mortems
  by `learnloop generate`; text outside the `learnloop:begin`/`end` markers is yours and kept.
  `patterns.yml` names the patterns; correct the engine there (titles, `pin`, `exclude`).
- `learnloop.yml` holds the settings (cost model, review period, service catalog).

Every pull request is checked (`learnloop check`, `learnloop generate --check`, the site build),
and a comment lists the new incidents with the most similar past ones and the generated files
that change. Run `learnloop generate` and commit its output with the post-mortem. Merges to
main publish the site with GitHub Pages.

```sh
pip install "{install}"
learnloop check            # validate the post-mortems
learnloop generate         # refresh runbooks/, kb/, adr/, patterns*.yml
learnloop serve            # preview the site at http://127.0.0.1:8000
```
"""
# The workflows install the learnloop `init` chose: this line of theirs holds it.
_PINNED = re.compile(r'(?m)^(?P<indent>[ \t]*)LEARNLOOP_PINNED: "(?P<spec>[^"\n]*)"$')
_COMMIT = re.compile(
    r"^(?:learnloop @ )?git\+(?P<url>https://[^\s@\"'#]+)@(?P<commit>[0-9a-f]{40})$"
)
_WHEEL = re.compile(
    r"^(?:learnloop @ )?(?P<url>https://[^\s\"'#]+/learnloop-[^\s/\"'#]+\.whl)"
    r"(?P<hash>#sha256=[0-9a-f]{64})?$"
)
NOT_PUBLISHED = "learnloop is not on the package index: a package of that name there is not it"
# Kinds of file, by who owns it once written.
MANAGED = "managed"  # learnloop's; kept identical to the package's templates
SEED = "seed"  # the team's; written once


@dataclass(frozen=True)
class Planned:
    path: str  # relative to the learning repo
    text: str
    kind: str  # MANAGED | SEED


@dataclass
class Outcome:
    """What init did, path by path, each list sorted."""

    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    appended: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    git: bool = True
    install: str = ""  # the pinned learnloop the workflows install ("" when none was chosen)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.replaced or self.appended)


def _walk(folder: Traversable, prefix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in folder.iterdir():
        if item.name == "__pycache__":
            continue
        rel = f"{prefix}{item.name}"
        if item.is_dir():
            out.update(_walk(item, rel + "/"))
        else:
            out[rel] = item.read_text(encoding="utf-8")
    return out


def site_templates() -> dict[str, str]:
    """mkdocs.yml and docs/ as every learning repo has them: path -> text."""
    return dict(
        sorted(_walk(resources.files("learnloop").joinpath("templates", "site"), "").items())
    )


def workflow_templates(install: str = "") -> dict[str, str]:
    """The GitHub workflows: .github/workflows/NAME -> text, installing `install`."""
    folder = resources.files("learnloop").joinpath("templates", "workflows")
    return {
        path: _PINNED.sub(lambda m: f'{m.group("indent")}LEARNLOOP_PINNED: "{install}"', text)
        for path, text in sorted(_walk(folder, f"{WORKFLOWS_DIR}/").items())
    }


def pinned(spec: str) -> str:
    """A pip requirement for learnloop that names one exact build, written the one way the
    workflows use: `learnloop @ git+https://…@<commit>` or `learnloop @ https://….whl`."""
    text = spec.strip()
    if found := _COMMIT.match(text):
        return f"learnloop @ git+{found.group('url')}@{found.group('commit')}"
    if found := _WHEEL.match(text):
        return f"learnloop @ {found.group('url')}{found.group('hash') or ''}"
    raise UsageError(
        f"--install: expected a pinned learnloop, got {spec!r}. {NOT_PUBLISHED}: install it "
        "from its repository at a commit, git+https://…/learnloop@<40-hex commit>, or from a "
        "wheel, https://…/learnloop-<version>-py3-none-any.whl"
    )


def installed() -> str:
    """The pinned requirement of the learnloop running now, when pip recorded where it came
    from (a commit of a repository, a wheel) or it runs from a clone with an https remote;
    "" otherwise."""
    try:
        raw = importlib.metadata.distribution("learnloop").read_text("direct_url.json")
        origin = json.loads(raw or "{}")
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return ""
    url = str(origin.get("url") or "")
    vcs = origin.get("vcs_info") or {}
    candidates = []
    if vcs.get("vcs") == "git" and vcs.get("commit_id"):
        candidates.append(f"git+{url}@{vcs['commit_id']}")
    elif url.endswith(".whl"):
        info = origin.get("archive_info") or {}
        legacy = str(info.get("hash") or "")
        sha = (info.get("hashes") or {}).get("sha256") or legacy.removeprefix("sha256=") * (
            legacy.startswith("sha256=")
        )
        candidates.append(url + (f"#sha256={sha}" if sha else ""))
    elif url.startswith("file://"):
        candidates.append(_clone_spec(Path(url.removeprefix("file://"))))
    for candidate in candidates:
        try:
            return pinned(candidate)
        except UsageError:
            continue
    return ""


def _clone_spec(folder: Path) -> str:
    """git+<origin>@<HEAD> for a clone whose origin is reachable over https."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args],
                capture_output=True,
                text=True,
                check=False,
                timeout=10,
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    remote, head = git("remote", "get-url", "origin"), git("rev-parse", "HEAD")
    scp = re.fullmatch(r"git@([\w.-]+):(.+)", remote)
    if scp:  # git@github.com:acme/learnloop.git
        remote = f"https://{scp.group(1)}/{scp.group(2)}"
    return f"git+{remote}@{head}" if remote.startswith("https://") and head else ""


def current_install(root: Path) -> str:
    """The pinned learnloop the repo's workflows already install, "" when none."""
    for path in sorted((root / WORKFLOWS_DIR).glob("learnloop-*.yml")):
        found = _PINNED.search(_read(path) or "")
        if found and found.group("spec"):
            return found.group("spec")
    return ""


def settings_template() -> str:
    """learnloop.yml with every default, commented out."""
    return resources.files("learnloop").joinpath("templates", SETTINGS_FILE).read_text("utf-8")


def schema_file() -> str:
    """The JSON Schema of the front matter, copied into the repo for editors to find."""
    return resources.files("learnloop").joinpath("schema", "incident.schema.json").read_text()


def plan(install: str = "") -> list[Planned]:
    """Every file init writes, with its kind, sorted by path."""
    files = [Planned(p, t, MANAGED) for p, t in site_templates().items()]
    files += [Planned(p, t, MANAGED) for p, t in workflow_templates(install).items()]
    files.append(Planned(SCHEMA_COPY.as_posix(), schema_file(), MANAGED))
    files.append(Planned(SETTINGS_FILE, settings_template(), SEED))
    files.append(Planned(TEMPLATE_FILE, postmortem_template(), SEED))
    files += [Planned(f"{d}/.gitkeep", "", SEED) for d in GENERATED_DIRS]
    return sorted(files, key=lambda f: f.path)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise LearnloopError(f"{path}: cannot read: {exc}") from None


def _readme(current: str | None, force: bool, install: str = "") -> str | None:
    """README.md with the learnloop section; None when it needs no change."""
    section = README_SECTION.format(install=install or "learnloop @ git+https://…@<commit>")
    block = f"{README_BEGIN}\n{section}{README_END}\n"
    if current is None:
        return "# Incidents\n\n" + block
    if README_BEGIN in current:
        if not force or README_END not in current:
            return None  # the section is the team's now
        head, _, rest = current.partition(README_BEGIN)
        _, _, tail = rest.partition(README_END)
        updated = head + block.rstrip("\n") + tail
        return None if updated == current else updated
    return current.rstrip("\n") + "\n\n" + block if current.strip() else block


def _gitignore(current: str | None) -> str | None:
    lines = (current or "").splitlines()
    missing = [p for p in IGNORED if p not in {line.strip() for line in lines}]
    if not missing:
        return None
    text = (current or "").rstrip("\n")
    head = text + "\n\n" if text else ""
    return (
        head
        + "# learnloop: the built site, its staging folders and the analysis cache\n"
        + "\n".join(missing)
        + "\n"
    )


def init(root: Path, *, force: bool = False, install: str | None = None) -> Outcome:
    """Write what is missing; refuse (writing nothing) where learnloop's files differ.

    The workflows install `install` (a pinned learnloop), else the one they already install,
    else the one running now when pip recorded where it came from.
    """
    if root.exists() and not root.is_dir():
        raise LearnloopError(f"{root} is not a directory")
    chosen = pinned(install) if install else current_install(root) or installed()
    outcome = Outcome(
        git=gitfacts.open_repo(root) is not None if root.exists() else False, install=chosen
    )
    writes: dict[str, str] = {}
    conflicts = []
    for item in plan(chosen):
        current = _read(root / item.path)
        if current is None:
            writes[item.path] = item.text
            outcome.created.append(item.path)
        elif current == item.text or item.kind == SEED:
            outcome.unchanged.append(item.path)
        elif force:
            writes[item.path] = item.text
            outcome.replaced.append(item.path)
        else:
            conflicts.append(item.path)
    if conflicts:
        raise LearnloopError(
            "these files exist and differ from learnloop's, so nothing was written: "
            + ", ".join(conflicts)
            + "\nHint: `learnloop init --force` replaces them (commit your version first)"
        )
    readme, ignore = _read(root / README), _read(root / ".gitignore")
    for rel, current, new in (
        (README, readme, _readme(readme, force, chosen)),
        (".gitignore", ignore, _gitignore(ignore)),
    ):
        if new is None:
            outcome.unchanged.append(rel)
            continue
        writes[rel] = new
        (outcome.created if current is None else outcome.appended).append(rel)
    for rel, text in sorted(writes.items()):
        atomic_write(root / rel, text)
    for name in ("created", "replaced", "appended", "unchanged"):
        getattr(outcome, name).sort()
    return outcome


def report(outcome: Outcome) -> str:
    """What init did, for people, with the next steps after a first run."""
    lines = [f"created {p}" for p in outcome.created]
    lines += [f"replaced {p}" for p in outcome.replaced]
    lines += [f"appended to {p}" for p in outcome.appended]
    if not outcome.changed:
        lines.append(f"already a learning repo: all {len(outcome.unchanged)} files in place")
        return "\n".join(lines) + "\n"
    lines.append(
        f"{len(outcome.created)} created, {len(outcome.replaced)} replaced, "
        f"{len(outcome.appended)} appended, {len(outcome.unchanged)} already in place"
    )
    lines += [
        "",
        "Next:",
        '  learnloop new "What users saw" --service SERVICE --severity P2',
        "  learnloop check && learnloop generate && learnloop build",
        "  then commit, push, and set Settings → Pages → Source to GitHub Actions.",
        "",
    ]
    if outcome.install:
        lines += [
            "The workflows install learnloop from its repository, at a pinned build:",
            f"  {outcome.install}",
            f"  ({NOT_PUBLISHED}.) To install another build, set the repository variable",
            "  LEARNLOOP_SPEC, or run `learnloop init --install SPEC --force`.",
        ]
    else:
        lines += [
            "The workflows need to know which learnloop to install, and this one does not",
            f"  say where it came from ({NOT_PUBLISHED}). Set the repository variable",
            "  LEARNLOOP_SPEC to a pinned build, e.g. learnloop @ git+https://…@<commit>,",
            "  or run `learnloop init --install SPEC --force`.",
        ]
    return "\n".join(lines) + "\n"


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace site and workflow files that differ.")
@click.option(
    "--install",
    metavar="SPEC",
    help="The learnloop the workflows install: learnloop @ git+https://…@<commit>, or a "
    "wheel's https URL (default: the one running now, when known).",
)
@click.pass_obj
def command(obj: Any, directory: Path | None, force: bool, install: str | None) -> None:
    """Turn a git repository into a learning repo (default: the --root directory)."""
    root = directory.resolve() if directory is not None else obj.root
    outcome = init(root, force=force, install=install)
    if not outcome.git:
        click.echo(
            f"note: {root} is not a git repository; run `git init` there so that pull "
            "requests, pr-summary and git facts work",
            err=True,
        )
    click.echo(report(outcome), nl=False)
