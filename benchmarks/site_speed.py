"""How long the site takes to build and how much it weighs, on a large simulated corpus.

`learnloop build` (generate, then `mkdocs build --strict` with our gen-files script) is timed
from a cold start and again with its caches warm. The same pages are then written out as
plain Markdown files and built by a plain `mkdocs build` with the same theme: the difference
is what learnloop adds on top of MkDocs itself. Run as `python -m benchmarks.site_speed`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.speed import EXE, make_corpus
from learnloop.publish.gen_pages import ASSETS, collect
from learnloop.settings import load_settings

REPO = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 60.0
LIMIT_MB = 200.0


def run(args: list[str], cwd: Path) -> float:
    """Seconds taken by a command; its output is dropped unless it fails."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def size_mb(folder: Path) -> tuple[float, int]:
    """(megabytes, files) under a folder."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6, len(files)


def plain_project(root: Path, out: Path) -> None:
    """The pages our build publishes, as files of an ordinary MkDocs project (no gen-files)."""
    site = collect(root, load_settings(root), public=False)
    docs = out / "docs"
    for path, text in site.pages.items():
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for path, source in site.files.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, docs / path)
    assets = REPO / "generator" / "learnloop" / "publish" / "assets"
    shutil.copytree(assets, docs / ASSETS)
    shutil.copytree(root / "docs" / "overrides", docs / "overrides")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    plugin = "  - gen-files:\n      scripts:\n        - docs/gen_pages.py\n"
    assert plugin in config, "mkdocs.yml no longer names the gen-files script as expected"
    config = config.replace(plugin, "").replace("watch:\n  - incidents\n", "")
    (out / "mkdocs.yml").write_text(config, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="learnloop-site-bench-"))
    root = base / "repo"
    try:
        made = make_corpus(root, args.count, args.seed)
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("__pycache__"))
        print(f"corpus: {args.count} simulated incidents, written in {made:.1f} s")
        build = [str(EXE), "--root", str(root), "build"]
        cold = run(build, root)
        warm = run(build, root)
        generate = run([str(EXE), "--root", str(root), "generate"], root)
        ours, files = size_mb(root / "site")
        start = time.perf_counter()
        plain_project(root, base / "plain")
        prepared = time.perf_counter() - start
        mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
        plain = run(mkdocs, base / "plain")
        plain_mb, plain_files = size_mb(base / "plain" / "site")
        print(f"{'learnloop build, cold (index built)':40s} {cold:7.1f} s")
        print(f"{'learnloop build, warm (caches kept)':40s} {warm:7.1f} s")
        print(f"{'  of which learnloop generate (warm)':40s} {generate:7.1f} s")
        print(f"{'  of which mkdocs with the site script':40s} {warm - generate:7.1f} s")
        print(f"{'plain mkdocs build of the same pages':40s} {plain:7.1f} s")
        print(f"{'  (writing those pages out took)':40s} {prepared:7.1f} s")
        print(f"{'site script overhead over plain mkdocs':40s} {warm - generate - plain:7.1f} s")
        print(f"{'site size, learnloop build':40s} {ours:7.1f} MB in {files} files")
        print(f"{'site size, plain mkdocs build':40s} {plain_mb:7.1f} MB in {plain_files} files")
        verdict = cold < LIMIT_SECONDS and ours < LIMIT_MB
        print(
            f"acceptance ({args.count} incidents: under {LIMIT_SECONDS:g} s and "
            f"{LIMIT_MB:g} MB): {'met' if verdict else 'NOT met'}"
        )
    finally:
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
