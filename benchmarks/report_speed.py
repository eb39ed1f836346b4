"""Speed and memory of `learnloop report` on a large simulated corpus; prints the figures.

Each report runs as its own process (as a user runs it); wall time and peak resident memory
come from the operating system's accounting of that process. The first run also builds the
pattern index, which later runs reuse from the cache.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from benchmarks.speed import make_corpus, measure


def main() -> None:
    """Simulate the corpus, run each report as a process, print time and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--runs", type=int, default=1, help="repeat each report; min is shown")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="learnloop-report-bench-"))
    try:
        made = make_corpus(root, args.count, args.seed)
        print(f"corpus: {args.count} incidents, simulated in {made:.1f} s")
        plan = [
            ("executive --format json (cold cache)", ["report", "executive", "--format", "json"]),
            ("executive --format json", ["report", "executive", "--format", "json"]),
            ("technical --format json", ["report", "technical", "--format", "json"]),
            ("technical (Markdown)", ["report", "technical"]),
            ("executive --since 90d --format html", ["report", "executive", "--since", "90d",
                                                     "--format", "html"]),
        ]  # fmt: skip
        for label, command in plan:
            runs = [measure(root, *command) for _ in range(args.runs)]
            seconds = min(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            codes = sorted({r[2] for r in runs})
            print(f"{label:40s} {seconds:7.2f} s  peak {peak:7.0f} MiB  exit {codes}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
