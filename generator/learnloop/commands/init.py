"""`learnloop init [DIR]`: turn a git repository into a learning repo.

It writes three kinds of file. The site (mkdocs.yml, docs/) and the workflows
(.github/workflows/) are learnloop's own: they are the package's templates byte for byte, an
existing file that differs is refused (nothing is written) unless `--force` replaces it.
Settings (learnloop.yml), the post-mortem template and the folders are the team's from the
start: written when missing, never replaced. README.md and .gitignore get a section or lines
appended when they lack them. A second run finds everything in place and changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import click

from learnloop import gitfacts
from learnloop.errors import LearnloopError
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
[learnloop](https://pypi.org/project/learnloop/):

- `incidents/` holds one post-mortem per incident, Markdown with YAML front matter. Start one
  with `learnloop new "What users saw" --service checkout-api --severity P2`, or copy
  `incidents/_template.md`, and open a pull request.
- `runbooks/`, `kb/`, `adr/` and `patterns.yml` are generated from the post-mortems by
  `learnloop generate`; text outside the `learnloop:begin`/`end` markers is yours and kept.
- `learnloop.yml` holds the settings (cost model, review period, service catalog).

Every pull request is checked (`learnloop check`, `learnloop generate --check`, the site build),
and a comment lists the new incidents with the most similar past ones and the generated files
that change. Run `learnloop generate` and commit its output with the post-mortem. Merges to
main publish the site with GitHub Pages.

```sh
pip install learnloop
learnloop check            # validate the post-mortems
learnloop generate         # refresh runbooks/, kb/, adr/, patterns.yml
learnloop serve            # preview the site at http://127.0.0.1:8000
```
"""
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


def workflow_templates() -> dict[str, str]:
    """The GitHub workflows: .github/workflows/NAME -> text."""
    folder = resources.files("learnloop").joinpath("templates", "workflows")
    return dict(sorted(_walk(folder, f"{WORKFLOWS_DIR}/").items()))


def settings_template() -> str:
    """learnloop.yml with every default, commented out."""
    return resources.files("learnloop").joinpath("templates", SETTINGS_FILE).read_text("utf-8")


def schema_file() -> str:
    """The JSON Schema of the front matter, copied into the repo for editors to find."""
    return resources.files("learnloop").joinpath("schema", "incident.schema.json").read_text()


def plan() -> list[Planned]:
    """Every file init writes, with its kind, sorted by path."""
    files = [Planned(p, t, MANAGED) for p, t in site_templates().items()]
    files += [Planned(p, t, MANAGED) for p, t in workflow_templates().items()]
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


def _readme(current: str | None, force: bool) -> str | None:
    """README.md with the learnloop section; None when it needs no change."""
    block = f"{README_BEGIN}\n{README_SECTION}{README_END}\n"
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


def init(root: Path, *, force: bool = False) -> Outcome:
    """Write what is missing; refuse (writing nothing) where learnloop's files differ."""
    if root.exists() and not root.is_dir():
        raise LearnloopError(f"{root} is not a directory")
    outcome = Outcome(git=gitfacts.open_repo(root) is not None if root.exists() else False)
    writes: dict[str, str] = {}
    conflicts = []
    for item in plan():
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
        (README, readme, _readme(readme, force)),
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
    ]
    return "\n".join(lines) + "\n"


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace site and workflow files that differ.")
@click.pass_obj
def command(obj: Any, directory: Path | None, force: bool) -> None:
    """Turn a git repository into a learning repo (default: the --root directory)."""
    root = directory.resolve() if directory is not None else obj.root
    outcome = init(root, force=force)
    if not outcome.git:
        click.echo(
            f"note: {root} is not a git repository; run `git init` there so that pull "
            "requests, pr-summary and git facts work",
            err=True,
        )
    click.echo(report(outcome), nl=False)
