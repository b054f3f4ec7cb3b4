"""Generated bad input is refused before any work: exit 2, one message naming the file and key
(or the flag), no traceback, no hang, nothing written (``tests/fuzz/``; counts per outcome with
``python -m tests.fuzz --n 300``).

A fixed seed, so CI tries the same cases every time; set ``NATOSIM_FUZZ_SEED`` to try others.
"""

from __future__ import annotations

import os

import pytest

from .fuzz.cases import generate
from .fuzz.runner import run_case

SEED = int(os.environ.get("NATOSIM_FUZZ_SEED", "0"))
CASES = generate(SEED, 160, 160)


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c.label}" for i, c in enumerate(CASES)])
def test_bad_input_is_refused_cleanly(case, tmp_path):
    outcome, message = run_case(case, tmp_path)
    assert outcome == "refused", f"{outcome}: natosim {' '.join(case.argv)[:300]}\n{message[-800:]}"
