"""The allies' year over a batch (:func:`sim.engine.allies.act`, issue 25): each run gets exactly
what it gets alone, whatever the other runs of the batch are doing: other worlds and seeds, a
human player's budget, answer or US demand, a pledge falling due in some runs and not others, a
GDP surprise, the US leaving coordination mechanisms in one run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.agents import ally_rules as rules
from sim.engine import year as engine_year
from sim.engine.batch import Batch
from sim.model.alliance import AllianceModel
from sim.model.decisions import Decisions
from sim.runs import runner
from sim.runs.worlds import draw_fitted_world, draw_world, scenario_ranges
from sim.scenario.schema import Event

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (3, 17, 29, 41, 53, 67)


def _models() -> list[AllianceModel]:
    """Runs in different sampled worlds (every other one in the scenario's own)."""
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    ranges = scenario_ranges(scenario)
    out = []
    for k, seed in enumerate(SEEDS):
        world = {**draw_fitted_world(scenario, seed), **draw_world(ranges, seed)} if k % 2 else None
        out.append(runner.start_model(scenario, seed, world)[0])
    return out


def _decide(models: list[AllianceModel], year: int) -> None:
    """Human decisions, a pledge and a US exit in some runs in some years (the same whether the
    run is stepped alone or in the batch)."""
    m0, m2, m3, m5 = models[0], models[2], models[3], models[5]
    if year == 2:
        m0.decisions = Decisions(budget_pct={"ITA": 4.2, "ISL": 1.0}, answer={"FRA": "hedge"})
        m2.decisions = Decisions(us_demand_pct=5.0, answer={"POL": "resist"})
        # a pledge due next year in this run only: its compliance draws, nobody else's
        m3.decisions = Decisions(events=(Event(0, "pledge", magnitude=3.0, deadline=m3.year + 1),))
    if year == 4:
        m3.decisions = Decisions(budget_pct={"DEU": 3.3}, answer={"DEU": "comply"})
        m5.decisions = Decisions(us_demand_pct=0.0)


def _state(m: AllianceModel) -> dict[str, np.ndarray]:
    s = m.ally_state
    keys = ("threat", "trust", "core_pct", "reclassified_pct", "related_pct", "drafted_threat")
    return {
        **{k: getattr(s, k).copy() for k in keys},
        **{f"why_{k}": v.copy() for k, v in m.budget_why.items()},
        "shares": np.array(m.shares),
        "signals": np.array(m.signals),
        "rng": np.array([m.rng.random()]),  # the stream's place after the year's draws
    }


def test_each_run_of_a_batch_gets_what_it_gets_alone():
    """Years of a batch of 6 against the same 6 runs each stepped alone, with decisions and a
    pledge falling due in one run: the allies' state, the budget's reasons, the answers, each
    run's random stream and event log are identical."""
    alone, together = _models(), _models()
    for k in range(7):
        _decide(alone, k)
        _decide(together, k)
        for m in alone:
            m.step()
        engine_year.step(Batch(together))
        for a, b in zip(alone, together, strict=True):
            sa, sb = _state(a), _state(b)
            for key in sa:
                np.testing.assert_array_equal(sa[key], sb[key], err_msg=f"{key}, year {a.year}")
    for a, b in zip(alone, together, strict=True):
        pd.testing.assert_frame_equal(
            pd.DataFrame(a.recorder.model_rows), pd.DataFrame(b.recorder.model_rows)
        )
        assert a.recorder.events == b.recorder.events
    events = " ".join(together[0].recorder.events["event"]).lower()
    assert "italy (human) sets core spending to 4.20% of gdp" in events
    assert "france (human) answers the us: hedge" in events
    assert "the us (human) demands 5.0%" in " ".join(together[2].recorder.events["event"]).lower()
    last = together[0].year - 1  # the last year stepped: a pledge due in one run only
    assert together[3].pledge.due_bar(last) is not None
    assert all(m.pledge.due_bar(last) is None for k, m in enumerate(together) if k != 3)


def test_the_phase_alone_matches_over_a_batch_mid_run():
    """Only the allies' phase, from runs advanced alone to different states, one run told the
    US left coordination mechanisms (C15), one in a recession, two with human decisions: the
    batch leaves each run as the phase leaves it alone (a batch of one)."""
    alone, together = _models(), _models()
    for ms in (alone, together):
        for _ in range(3):
            for m in ms:
                m.step()
        ms[0].decisions = Decisions(budget_pct={"ITA": 4.2}, answer={"ITA": "resist"})
        ms[4].decisions = Decisions(us_demand_pct=4.0)
        for m in ms:  # this year up to the allies' phase
            for phase in engine_year.PHASES[: engine_year.PHASES.index(engine_year.allies_act)]:
                phase(Batch.of(m))
        ms[1].united_states.exited_this_year = True
        ms[5].now = {**ms[5].now, "gdp_surprise_pct": -2.0}
    for m in alone:
        engine_year.allies_act(Batch.of(m))
    engine_year.allies_act(Batch(together))
    for a, b in zip(alone, together, strict=True):
        sa, sb = _state(a), _state(b)
        for key in sa:
            np.testing.assert_array_equal(sa[key], sb[key], err_msg=key)
        assert a.recorder.events == b.recorder.events
    assert not together[1].united_states.exited_this_year  # felt, then cleared
    assert together[5].budget_why["gdp"].any() and not together[4].budget_why["gdp"].any()


def test_rules_take_a_column_of_runs_as_they_take_one_run():
    """update_trust's exit and situational_threat's cap of Russia's power read a run's numbers
    as a column (np.where, np.minimum): each row is what the run's own numbers give."""
    m = _models()[0]
    p = {k: np.array([[v], [v]]) for k, v in m.p_perception.items()}
    trust = np.array([[0.6, 0.3], [0.6, 0.3]])
    exposure = np.array([[0.2, 0.9], [0.2, 0.9]])
    both = rules.update_trust(
        p, trust, 0.1, 0.2, 0.5, 0.1, 0.3, np.array([[True], [False]]), exposure
    )
    for r, exited in enumerate((True, False)):
        one = rules.update_trust(
            m.p_perception, trust[r], 0.1, 0.2, 0.5, 0.1, 0.3, exited, exposure[r]
        )
        np.testing.assert_array_equal(both[r], one)
    power = np.array([[0.5], [9.0]])
    both = rules.situational_threat(p, exposure, power, 0.4, 1.0, 0.0, 0.0)
    for r in range(2):
        one = rules.situational_threat(
            m.p_perception, exposure[r], float(power[r, 0]), 0.4, 1.0, 0.0, 0.0
        )
        np.testing.assert_array_equal(both[r], one)
