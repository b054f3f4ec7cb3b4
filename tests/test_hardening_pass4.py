"""Fourth fuzzing pass: each case found by a generator of bad input, refused in one line."""

from __future__ import annotations

import os

import pytest

import sim
from sim.cli.commands import main
from sim.scenario import ScenarioError


def _refused(capsys, argv: list[str], *names: str, cwd=None, code: int = 2) -> str:
    """Run ``natosim argv``; assert exit ``code``, one error line naming ``names``, no
    traceback."""
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        got = main(argv)
    finally:
        os.chdir(old)
    err = capsys.readouterr().err
    assert got == code, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1, err
    for name in names:
        assert name in errors[0], err
    return errors[0]


def _files(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


# -- with_params: a later run.start_year leaves no event before the run ------------------------


def test_with_params_refuses_a_start_after_the_scenarios_events():
    """``with_params({"run.start_year": 2030})`` on the baseline kept its 2025 summit, which then
    never happened, without a word (a file with that event before its start is refused)."""
    base = sim.load_scenario("baseline")
    with pytest.raises(ScenarioError, match=r"run\.start_year: .*summit in 2025.*got 2030"):
        base.with_params({"run.start_year": 2030, "run.end_year": 2045})
    hind = sim.load_scenario("hindcast_2014")
    with pytest.raises(ScenarioError, match=r"run\.start_year: .*in 2014"):
        hind.with_params({"run.start_year": 2020})


def test_with_params_keeps_a_start_before_the_events_and_an_end_that_cuts_them():
    """What stays allowed: a start no later than the first event, and an earlier end (a
    calibration window ends so, cutting the events after it)."""
    base = sim.load_scenario("baseline")
    assert base.with_params({"run.start_year": 2025}).get("run.start_year") == 2025
    assert base.with_params({"run.start_year": 2020}).get("run.start_year") == 2020
    hind = sim.load_scenario("hindcast_2014")
    assert hind.with_params({"run.end_year": 2016}).get("run.end_year") == 2016
    # a scenario without events may start when it likes
    assert sim.Scenario.default().with_params({"run.start_year": 2035}).events == ()
