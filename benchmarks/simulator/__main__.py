"""Command line: `python -m benchmarks.simulator --seed 7 --count 170 --out DIR [--truth FILE]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from benchmarks.simulator import DEFAULT_START, STYLES, simulate, write_corpus


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from exc


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"needs a whole number, not {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Simulate a corpus of post-mortems and write it (and its ground truth) to disk."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.simulator",
        description="Write a seeded corpus of post-mortems in several authors' styles.",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--count", type=_positive, default=170, help="number of incidents")
    parser.add_argument(
        "--style",
        action="append",
        choices=STYLES,
        help="a writing style to use; repeat for several (default: all)",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the incident files")
    parser.add_argument("--truth", type=Path, help="where to write the ground-truth JSON")
    parser.add_argument(
        "--start", type=_day, default=DEFAULT_START, help="first day covered (YYYY-MM-DD)"
    )
    parser.add_argument("--months", type=_positive, help="months covered (default: by count)")
    parser.add_argument(
        "--pattern-seed",
        type=int,
        help="take the recurring failures of the corpus with this seed (default: --seed)",
    )
    args = parser.parse_args(argv)
    corpus = simulate(
        args.seed,
        args.count,
        args.style,
        start=args.start,
        months=args.months,
        pattern_seed=args.pattern_seed,
    )
    write_corpus(corpus, args.out, args.truth)
    truth = corpus.truth()
    print(
        f"wrote {len(corpus.files)} incidents to {args.out} "
        f"({len(truth['patterns'])} patterns, {len(truth['one_off'])} one-offs; "
        f"styles: {', '.join(corpus.styles)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
