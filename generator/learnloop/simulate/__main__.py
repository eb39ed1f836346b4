"""Command line: `python -m learnloop.simulate --seed 7 --count 170 --out incidents`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from learnloop.simulate import DEFAULT_START, simulate, write_corpus
from learnloop.simulate.catalog import STYLES


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from exc


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Simulate a corpus of incident files and write it (and its ground truth) to disk."""
    parser = argparse.ArgumentParser(
        prog="python -m learnloop.simulate",
        description="Write a seeded, realistic corpus of incident post-mortems.",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--count", type=_positive, default=170, help="number of incidents")
    parser.add_argument("--out", type=Path, default=Path("incidents"), help="incidents folder")
    parser.add_argument("--truth", type=Path, help="where to write the ground-truth JSON")
    parser.add_argument("--style", choices=STYLES, default="main", help="writing style")
    parser.add_argument(
        "--start", type=_day, default=DEFAULT_START, help="first month (YYYY-MM-DD)"
    )
    parser.add_argument("--months", type=_positive, help="months covered (default: by count)")
    parser.add_argument(
        "--clean", action="store_true", help="remove existing incident files under --out first"
    )
    args = parser.parse_args(argv)
    corpus = simulate(args.seed, args.count, start=args.start, months=args.months, style=args.style)
    write_corpus(corpus, args.out, args.truth, clean=args.clean)
    truth = corpus.truth()
    print(
        f"wrote {len(corpus.files)} incidents to {args.out} "
        f"({len(truth['patterns'])} patterns, {len(truth['one_off'])} one-offs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
