"""Fifth fuzzing pass: each case found by trying bad input and extreme settings, refused in one
line (or now run)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sim
from sim.cli.commands import main
from sim.scenario import ScenarioError

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


# -- the Python API: NumPy numbers, and sim.sweep's arguments -----------------------------------


def test_with_params_takes_numpy_numbers():
    """``with_params({"run.end_year": np.int64(2030)})`` (a value from a table's column) was
    refused as "expected an integer in [2015, 2070] (year), got np.int64(2030)"; a
    ``np.float32`` and a ``np.bool_`` likewise. They are taken, as the schema's type."""
    base = sim.Scenario.default()
    got = base.with_params(
        {
            "run.end_year": np.int64(2030),
            "united_states.threat_intensity": np.float32(0.5),
            "united_states.execute_threats": np.bool_(False),
        }
    )
    assert type(got.get("run.end_year")) is int and got.get("run.end_year") == 2030
    assert type(got.get("united_states.threat_intensity")) is float
    assert got.get("united_states.execute_threats") is False
    for bad in (np.float64("nan"), np.int64(3000), np.array([0.5]), np.bool_(True)):
        with pytest.raises(ScenarioError, match="threat_intensity"):
            base.with_params({"united_states.threat_intensity": bad})


def test_a_sweep_of_numpy_values_is_written_so_that_it_can_be_read(tmp_path):
    """``sim.sweep(base, {"united_states.patience_years": np.arange(1, 3)}, design="list")``
    was refused; and once the values were taken, sweep.json held them as the strings "1" and
    "2", which every later reading (load_results, report, sensitivity) refused."""
    base = sim.Scenario.default().with_params({"run.end_year": 2026})
    out = tmp_path / "sw"
    factors = {"united_states.patience_years": np.arange(1, 3)}
    outcome = sim.sweep(
        base,
        factors,
        design="list",
        reps=np.int64(1),
        seed=np.int64(2),
        out=out,
        workers=1,
        progress=False,
    )
    assert outcome.failed == 0
    spec = json.loads((out / "sweep.json").read_text())["spec"]
    assert spec["factors"][0]["values"] == [1, 2] and spec["reps"] == 1 and spec["seed"] == 2
    assert len(sim.load_results(out)["summary"]) == 2


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"samples": 2.5}, "samples"),
        ({"samples": "2"}, "samples"),
        ({"reps": True}, "reps"),
        ({"seed": 1.5}, "seed"),
        ({"workers": 10**6}, "workers"),
        ({"workers": -1}, "workers"),
        ({"workers": 1.5}, "workers"),
        ({"factors": [("united_states.threat_intensity", (0, 1))]}, "factors"),
    ],
)
def test_sim_sweep_refuses_bad_arguments_before_any_work(tmp_path, kwargs, named):
    """Found by fuzzing ``sim.sweep``: ``seed=1.5`` raised NumPy's ValueError, ``samples=2.5`` or
    ``"2"`` and ``workers=1.5`` a TypeError, a list of factors an AttributeError; ``reps=True``
    ran one replication, ``workers=-1`` ran in-process and ``workers=10**6`` started spawning a
    million processes. Each is one ScenarioError naming the argument, with nothing written."""
    args = {
        "factors": {"united_states.threat_intensity": (0, 1)},
        "samples": 2,
        "workers": 1,
        **kwargs,
    }
    factors = args.pop("factors")
    base = sim.Scenario.default().with_params({"run.end_year": 2026})
    with pytest.raises(ScenarioError, match=rf": {named}: expected"):
        sim.sweep(base, factors, out=tmp_path / "sw", progress=False, **args)
    assert not (tmp_path / "sw").exists()
    with pytest.raises(ScenarioError, match=r"resume: workers: expected"):
        sim.resume(tmp_path / "sw", workers=0)
