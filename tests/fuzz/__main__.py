"""Count what natosim does with generated bad input: ``python -m tests.fuzz --n 300``.

Prints the number of cases per outcome and, for every case not refused cleanly, its label,
command line and message (the first lines), so a failure can be replayed.
"""

from __future__ import annotations

import argparse
import collections
import tempfile
from pathlib import Path

from .cases import generate
from .runner import OUTCOMES, run_case


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n", type=int, default=300, help="scenario files (and as many commands)")
    ap.add_argument("--timeout", type=int, default=20)
    args = ap.parse_args()
    counts: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    for case in generate(args.seed, args.n, args.n):
        kinds[case.label.split("/")[0]] += 1
        with tempfile.TemporaryDirectory() as tmp:
            outcome, text = run_case(case, Path(tmp), args.timeout)
        counts[outcome] += 1
        if outcome != "refused":
            argv = " ".join(a if len(a) < 60 else a[:57] + "..." for a in case.argv)
            print(f"{outcome:9} {case.label:24} {argv}")
            for line in text.strip().splitlines()[-3:]:
                print(f"{'':34}{line[:150]}")
    print(dict(kinds))
    print({k: counts.get(k, 0) for k in OUTCOMES})


if __name__ == "__main__":
    main()
