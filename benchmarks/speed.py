"""Speed and memory of the commands on a large simulated corpus; prints the figures.

Each command runs as its own process (as a user runs it); wall time and peak resident memory
come from the operating system's accounting of that process.
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

from benchmarks.simulator import simulate

EXE = Path(sys.executable).with_name("learnloop")


def make_corpus(root: Path, count: int, seed: int) -> float:
    """Write a simulated corpus under root/incidents; return seconds taken."""
    start = time.perf_counter()
    corpus = simulate(seed, count)
    for f in corpus.files:
        path = root / "incidents" / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f.text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return time.perf_counter() - start


def measure(root: Path, *args: str) -> tuple[float, float, int]:
    """(seconds, peak MiB, exit status) of `learnloop --root root ARGS`."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(EXE), "--root", str(root), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--runs", type=int, default=1, help="repeat each command; min is shown")
    parser.add_argument(
        "--semantic", action="store_true", help="also time similar --semantic (needs the extra)"
    )
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="learnloop-bench-"))
    try:
        made = make_corpus(root, args.count, args.seed)
        size = sum(p.stat().st_size for p in (root / "incidents").rglob("*") if p.is_file())
        print(f"corpus: {args.count} incidents, {size / 1e6:.1f} MB, simulated in {made:.1f} s")
        plan = [
            ("check", ["check"]),
            ("patterns (cold: builds the index)", ["patterns", "--json"]),
            ("patterns (index cached)", ["patterns", "--json"]),
            ("similar --text (builds the lookup)", ["similar", "--text", "too many clients"]),
            ("similar --text (lookup cached)", ["similar", "--text", "too many clients already"]),
            ("generate", ["generate"]),
        ]
        if args.semantic:
            query = ["similar", "--semantic", "--text", "too many clients"]
            plan += [
                ("similar --semantic (embeds every one)", query),
                ("similar --semantic (vectors cached)", query),
            ]
        for label, command in plan:
            runs = [measure(root, *command) for _ in range(args.runs)]
            seconds = min(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            codes = sorted({r[2] for r in runs})
            print(f"{label:38s} {seconds:7.2f} s  peak {peak:7.0f} MiB  exit {codes}")
            if label.startswith("patterns (cold"):
                shutil.rmtree(root / ".learnloop-cache", ignore_errors=True)
                seconds, peak, _ = measure(root, *command)
                print(f"{'patterns (cold, again)':38s} {seconds:7.2f} s  peak {peak:7.0f} MiB")
        measure(root, "similar", "--text", "warm")  # generate rewrote patterns.yml: warm it
        answer_in_process(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def answer_in_process(root: Path) -> None:
    """`similar` as a long-lived process (an editor plugin, a chat bot) sees it: no start-up."""
    from learnloop.commands import similar

    start = time.perf_counter()
    space = similar.lookup(root)
    loaded = time.perf_counter() - start
    queries = ["too many clients already", "certificate has expired", "consumer lag growing"]
    start = time.perf_counter()
    for text in queries:
        similar.run(space, similar.query_from_text(text), 5, root)
    per_query = (time.perf_counter() - start) / len(queries)
    print(f"{'similar in process: load cached lookup':38s} {loaded:7.2f} s")
    print(f"{'similar in process: one query':38s} {per_query:7.3f} s")


if __name__ == "__main__":
    main()
