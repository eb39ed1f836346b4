"""Memory over repeated site builds in one process, as `mkdocs serve` rebuilds; prints RSS.

`mkdocs serve` runs the gen-files script (`learnloop.publish.gen_pages`) again in the same
process on every change. Anything a build keeps process-wide (a memo, a cache of incidents)
then grows with each rebuild. This builds the pages of a copy of the bundled repository
`--builds` times in one process, editing one incident before each build (as an author does
while the site is served), and prints the resident memory after each build. Flat figures
after the first few builds mean nothing is kept from one build to the next.
Run as `python -m benchmarks.serve_memory`.
"""

from __future__ import annotations

import argparse
import gc
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from learnloop.publish.gen_pages import collect
from learnloop.settings import load_settings

REPO = Path(__file__).resolve().parent.parent
COPIED = (
    "incidents",
    "runbooks",
    "kb",
    "adr",
    "docs",
    "learnloop.yml",
    "patterns.yml",
    "patterns.members.yml",
)


def rss_mib() -> float:
    """This process's resident memory now (Linux), else its peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def copy_repo(root: Path) -> None:
    """The bundled learning repo's inputs and generated files, in a git repository of its own."""
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy(source, root / name)
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def edit_one(root: Path, build: int) -> None:
    """Append a line to one incident's body: a different incident, and new text, each build."""
    files = sorted((root / "incidents").rglob("*.md"))
    path = files[build % len(files)]
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\nEdited while the site was served ({build}).\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--builds", type=int, default=20)
    parser.add_argument("--no-edit", action="store_true", help="rebuild without changing a file")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="learnloop-serve-"))
    try:
        copy_repo(root)
        figures = []
        for build in range(1, args.builds + 1):
            if not args.no_edit:
                edit_one(root, build)
            start = time.perf_counter()
            site = collect(root, load_settings(root), public=False)
            seconds = time.perf_counter() - start
            pages = len(site.pages)
            del site
            gc.collect()
            figures.append(rss_mib())
            print(
                f"build {build:3d}: {pages} pages in {seconds:5.2f} s, RSS {figures[-1]:7.1f} MiB"
            )
        settled = figures[min(2, len(figures) - 1)]
        print(
            f"RSS after build 3: {settled:.1f} MiB, after build {len(figures)}: "
            f"{figures[-1]:.1f} MiB, growth {figures[-1] - settled:+.1f} MiB"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
