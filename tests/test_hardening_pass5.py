"""Fifth fuzzing pass: each case found by trying bad input and extreme settings, refused in one
line (or now run)."""

from __future__ import annotations

import pytest

from sim.cli.commands import main

# -- the command line's bounds: a year is written as a year -------------------------------------


@pytest.mark.parametrize(
    ("argv", "bounds"),
    [
        (["hindcast", "--train-end", "2030"], "from 2016 to 2024"),
        (["calibrate", "--window", "1990", "2000"], "from 2000 to 2025"),
        (["report", "nofolder", "--year", "3000"], "from 1900 to 2100"),
        (["run", "baseline", "--reps", "0"], "from 1 to 10,000"),
    ],
)
def test_a_bound_that_is_a_year_has_no_thousands_separator(capsys, argv, bounds):
    """``natosim hindcast --train-end 2030`` said "expected an integer from 2016 to 2,024": the
    upper bound was grouped by thousands, the lower not. Numbers of five digits and more are
    grouped (10,000), a year is not."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err
    assert f"expected an integer {bounds}" in err.splitlines()[-1]
