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


def test_network_products_over_the_batch_are_each_runs_own():
    """The allies' phase takes each run's ``W @ x`` (last year's threat over the network, the
    peers' spending) in one stacked ``matmul`` call (:func:`sim.engine.allies._products`), on
    views of a gathered array: to the bit each run's own product, for random weights and for
    the runs' own networks."""
    from sim.engine.allies import _products

    rng = np.random.default_rng(4)
    for r in (1, 2, 7, 128, 256):
        w = rng.random((r, 31, 31)) * rng.choice([1e-3, 1.0, 1e3], size=(r, 31, 31))
        gathered = rng.random((r, 5, 31)) - 0.3  # (runs, names, allies), as the phase gathers
        x = gathered.transpose(1, 0, 2)[2]  # a strided view, one name's (runs, allies)
        each = np.stack([a @ b for a, b in zip(w, x, strict=True)])
        assert np.array_equal(_products(w, x), each)
    models = _models()
    for m in models:
        m.step()
    x = np.array([m.ally_state.core_pct for m in models])
    for name in ("norm_weights", "peer_weights"):
        w = np.array([getattr(m, name) for m in models])
        each = np.stack([getattr(m, name) @ m.ally_state.core_pct for m in models])
        assert np.array_equal(_products(w, x), each)


def test_kept_and_bound_arrays_follow_what_the_models_hold():
    """The batch keeps the allies' per-ally parameters as rows of one array
    (:meth:`Batch.bound`) and the network's weights and the budget's start terms by identity
    (:meth:`Batch.kept`): an Ally agent's write into a parameter (a write into the bound row),
    an event's new array (``holdout_cap``, as :func:`sim.model.events.apply_event` binds one)
    and new network weights bound by a model mid-run reach the next year's rules, in the batch
    as in each run alone."""
    alone, together = _models(), _models()
    batch = Batch(together)
    for ms in (alone, together):
        for m in ms:
            m.decisions = None
    for m in alone:
        m.step()
    engine_year.step(batch)
    fixed = batch.bound("ally_state.fixed", [m.ally_state for m in together], ("size", "max_rise"))
    assert np.shares_memory(fixed, together[0].ally_state.max_rise)  # the rows are bound
    for ms in (alone, together):
        ms[1].allies[ms[1].ally_index["DEU"]].max_rise = 0.0  # in place, through the agent
        ms[1].allies[ms[1].ally_index["POL"]].adjustment = 0.9
        st = ms[2].ally_state
        st.holdout_cap = np.where(st.armed, 1.0, st.holdout_cap)  # a new array
        st.holdout = st.holdout | st.armed
        ms[3].norm_weights = ms[3].norm_weights * 0.5  # new weights: another network
        ms[4].budget_start = {k: v + 0.1 for k, v in ms[4].budget_start.items()}
    for _ in range(2):
        for m in alone:
            m.step()
        engine_year.step(batch)
        for a, b in zip(alone, together, strict=True):
            sa, sb = _state(a), _state(b)
            for key in sa:
                np.testing.assert_array_equal(sa[key], sb[key], err_msg=f"{key}, {a.year}")
    deu = together[1].ally_index["DEU"]
    assert together[1].ally_state.max_rise[deu] == 0.0
    assert np.all(together[2].ally_state.holdout_cap[together[2].armed] == 1.0)


def test_the_phase_binds_each_run_rows_of_the_arrays_it_hands_out():
    """After the allies' phase each run holds rows (views) of the batch's arrays of the state
    it wrote, its answers' shares, signals and budget reasons, in the order handed out
    (:meth:`Batch.hand_out`), which the year's record reads (:meth:`Batch.handed`)."""
    import operator

    from sim.agents.budget_why import TERMS
    from sim.engine import allies

    models = _models()
    batch = Batch(models)
    for phase in engine_year.PHASES[: engine_year.PHASES.index(engine_year.allies_act) + 1]:
        phase(batch)
    get = operator.attrgetter(*allies.WRITTEN)
    state = batch.handed(allies.HANDED_STATE, [x for m in models for x in get(m.ally_state)])
    shares = batch.handed(allies.HANDED_SHARES, [x for m in models for x in m.shares])
    signals = batch.handed(allies.HANDED_SIGNALS, [m.signals for m in models])
    why = allies.reasons(batch)  # one block (runs, TERMS, allies)
    assert None not in (state, shares, signals) and why is not None
    assert all(tuple(m.budget_why) == TERMS for m in models)
    for r, m in enumerate(models):
        assert all(m.budget_why[k].tolist() == why[r, j].tolist() for j, k in enumerate(TERMS))
        assert np.shares_memory(m.budget_why["gdp"], why)
        assert np.shares_memory(m.ally_state.trust, state[allies.WRITTEN.index("trust")])
        assert m.ally_state.core_pct.tolist() == state[allies.WRITTEN.index("core_pct")][r].tolist()
        assert m.signals.tolist() == signals[0][r].tolist()
        assert [s.tolist() for s in m.shares] == [s[r].tolist() for s in shares]


def test_flags_bound_follow_a_join_in_place_and_a_new_array():
    """The allies' flags (member, armed, holdout) are bound rows of one boolean array
    (:meth:`Batch.bound` with ``dtype=bool``): a flag written into in place (a join:
    ``member |= joining``) and one bound anew (an event's holdout) reach the next year's rules,
    in the batch as in each run alone."""
    from sim.engine import allies

    alone, together = _models(), _models()
    batch = Batch(together)
    for m in alone:
        m.step()
    engine_year.step(batch)
    flags = batch.bound("ally_state.flags", [m.ally_state for m in together], allies.FLAGS, bool)
    assert flags.dtype == bool and np.shares_memory(flags, together[0].ally_state.member)
    for ms in (alone, together):
        st = ms[1].ally_state
        st.member &= ~(np.arange(st.member.size) % 5 == 0)  # in place: some members leave
        st = ms[3].ally_state
        st.holdout = st.holdout | st.armed  # a new array
    for _ in range(2):
        for m in alone:
            m.step()
        engine_year.step(batch)
        for a, b in zip(alone, together, strict=True):
            sa, sb = _state(a), _state(b)
            for key in sa:
                np.testing.assert_array_equal(sa[key], sb[key], err_msg=f"{key}, {a.year}")
            assert np.array_equal(a.ally_state.member, b.ally_state.member)


def test_a_runs_budget_reasons_are_its_row_of_the_block():
    """Each run's ``budget_why`` is its row of the block of reasons the phase hands out
    (:class:`sim.engine.batch.Terms`): read as the dict of arrays it was (keys in TERMS order,
    copied, pickled); a write into a reason is in the block the record reads
    (:func:`sim.engine.allies.reasons`); a reason set anew in one run makes it its own (its
    row no longer the block's), and the record then reads each run's reasons."""
    import pickle

    from sim.agents.budget_why import TERMS
    from sim.engine import allies
    from sim.engine.batch import Terms

    models = _models()
    batch = Batch(models)
    engine_year.step(batch)
    block = allies.reasons(batch)
    assert block is not None and block.shape == (len(models), len(TERMS), len(models[0].allies))
    m = models[2]
    assert isinstance(m.budget_why, Terms) and tuple(m.budget_why) == TERMS
    assert len(m.budget_why) == len(TERMS) and "gdp" in m.budget_why and "x" not in m.budget_why
    plain = dict(m.budget_why)
    back = pickle.loads(pickle.dumps(m.budget_why))
    assert all(np.array_equal(back[k], v) for k, v in plain.items())
    m.budget_why["shock"][0] += 1.0  # in place: in the block
    assert block[2, TERMS.index("shock"), 0] == plain["shock"][0]
    m.budget_why["gdp"] = m.budget_why["gdp"] + 0.5  # set anew: its own from now on
    assert m.budget_why.row is None and allies.reasons(batch) is None
    assert np.array_equal(m.budget_why["gdp"], block[2, TERMS.index("gdp")] + 0.5)
    assert tuple(m.budget_why) == TERMS
    del m.budget_why["gdp"]
    assert len(m.budget_why) == len(TERMS) - 1


def test_a_pledges_year_is_what_its_methods_give():
    """:meth:`Pledge.year` (memoised on a pledge with a target, keyed on the year) gives the
    pledge's level, goal, elapsed share and due bar as its methods do, before, on and after
    its deadline and a raised target's floor; the series' pledge reads the series' value each
    time (a lever moved mid-run may change it); the memo is not part of the pledge's repr,
    equality or fields, and a replaced pledge starts its own."""
    import dataclasses

    from sim.model.pledge import Pledge

    series = Pledge.from_series(sim.load_scenario(ROOT / "scenarios" / "baseline.toml"), 2025)
    vilnius = Pledge(target=2.0, set_year=2023, deadline=2024, start_level=1.9)
    hague = vilnius.raised(3.5, 2025, 2035, start_level=2.0)
    for p in (series, vilnius, hague):
        for year in range(2022, 2042):
            for value in (1.2, 2.4):
                want = (p.level(year, value), p.goal(year, value), p.elapsed(year))
                got = p.year(year, value)
                assert got == (*want, p.due_bar(year))
                assert p.year(year, value) == got  # again (from the memo)
    assert series.year(2030, 1.2)[:2] == (1.2, 1.2) and series.year(2030, 2.4)[:2] == (2.4, 2.4)
    assert "_years" not in repr(hague) and "_years" not in dataclasses.asdict(hague)
    assert hague == vilnius.raised(3.5, 2025, 2035, start_level=2.0)
    assert dataclasses.replace(hague, target=4.0).year(2035, 0.0)[1] == 4.0


def test_europes_spending_alone_is_the_masks_product():
    """:meth:`AllianceModel.europe_spending_bn` (a run alone, through the batched rule
    :func:`sim.engine.russia.europe_spending_bn`): to the bit the product over the allies of its
    mask ``european``, and a new mask bound is seen."""
    m = _models()[1]
    for _ in range(3):
        m.step()
        s, eu = m.ally_state, m.european
        assert m.europe_spending_bn() == float(s.gdp_bn[eu] @ s.core_pct[eu]) / 100.0
    m.european = m.european & (np.arange(m.european.size) % 2 == 0)  # another mask
    s, eu = m.ally_state, m.european
    assert m.europe_spending_bn() == float(s.gdp_bn[eu] @ s.core_pct[eu]) / 100.0
