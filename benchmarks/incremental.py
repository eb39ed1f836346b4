"""`generate` after one new incident, against a full run on the same files; prints the figures.

Steps, each a separate process as a user runs it:
1. a simulated corpus is generated once (cold: this records the state and fills the caches);
2. one new incident is added and `generate` runs again (incremental: the caches are warm);
3. the caches are deleted and `generate --check` runs: the full computation of the same
   result, which also proves the incremental output identical (it exits 0 only if every
   generated file equals what the full run renders).

Steps 2 and 3 run `--runs` times each, from copies of the same files; the medians are
compared, as the machine's speed drifts between runs.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from pathlib import Path

from benchmarks.speed import make_corpus, measure


def add_incident(root: Path) -> str:
    """Copy the newest incident under a fresh id and title: a recurrence, as in life."""
    newest = sorted(p for p in (root / "incidents").rglob("*.md") if p.name != "added.md")[-1]
    text = newest.read_text(encoding="utf-8")
    ident = "INC-2099-0001"
    text = re.sub(r"(?m)^id: *.*$", f"id: {ident}", text, count=1)
    # "Again: " goes inside the quotes when the title is quoted.
    text = re.sub(r"(?m)^title: *([\"']?)", r"title: \1Again: ", text, count=1)
    (root / "incidents" / "added.md").write_text(text, encoding="utf-8")
    return ident


def cache_size(root: Path) -> str:
    """What .learnloop-cache holds on disk, in MB and files."""
    files = [p for p in (root / ".learnloop-cache").rglob("*") if p.is_file()]
    return f"{sum(p.stat().st_size for p in files) / 1e6:.1f} MB in {len(files)} files"


def show(label: str, seconds: float, peak: float, code: int) -> None:
    print(f"{label:44s} {seconds:7.2f} s  peak {peak:6.0f} MiB  exit {code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each timed step; the medians are compared"
    )
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="learnloop-incr-"))
    try:
        make_corpus(root, args.count, args.seed)
        first = measure(root, "generate")
        show("generate, first run (cold)", *first)
        print(f"{'':44s} cache: {cache_size(root)}")
        add_incident(root)
        # Each incremental run starts from the same files and caches: a copy per run.
        runs = []
        for n in range(args.runs):
            copy = root.with_name(f"{root.name}-{n}")
            shutil.copytree(root, copy, symlinks=True)
            try:
                runs.append(measure(copy, "generate"))
                if n == 0:
                    print(f"{'':44s} cache after it: {cache_size(copy)}")
            finally:
                shutil.rmtree(copy, ignore_errors=True)
        runs.sort()
        quick = runs[len(runs) // 2]
        shown = ", ".join(f"{r[0]:.2f}" for r in runs)
        show(f"after adding one (incremental, median of {len(runs)})", *quick)
        print(f"{'':44s} runs: {shown} s")
        measure(root, "generate")  # the files as the incremental run leaves them
        shutil.rmtree(root / ".learnloop-cache")
        fulls = []
        for n in range(args.runs):
            copy = root.with_name(f"{root.name}-full-{n}")
            shutil.copytree(root, copy, symlinks=True)
            try:
                fulls.append(measure(copy, "generate", "--check"))
            finally:
                shutil.rmtree(copy, ignore_errors=True)
        fulls.sort()
        full = fulls[len(fulls) // 2]
        show(f"full run, no cache (--check, median of {len(fulls)})", *full)
        print(f"{'':44s} runs: {', '.join(f'{r[0]:.2f}' for r in fulls)} s")
        same = all(r[2] == 0 for r in fulls)
        print("incremental output identical to the full run:", "yes" if same else "NO")
        print(f"speed-up of the incremental run: {full[0] / quick[0]:.1f}x")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
