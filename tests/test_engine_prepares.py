"""Russia's preparations over a batch (:func:`sim.engine.year.russia_prepares`): spending and
forces per run, the grey-zone means for the batch and each run's draws from its own stream
(:mod:`sim.engine.greyzone`), the theatres refreshed together
(:func:`sim.mechanisms.theatre.refresh_theatres`): each run gets what it gets alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import sim
from sim.engine import year as engine_year
from sim.engine.batch import Batch
from sim.mechanisms.theatre import refresh_theatres
from sim.model.alliance import AllianceModel
from sim.model.decisions import Decisions

VARIANTS = (
    {},
    {"russia.greyzone_base": 3.0, "russia.greyzone_resolve_sensitivity": 2.0},
    {"crisis.troops_per_bde": 2500.0, "crisis.bde_cost_bn": 9.0},
    {"perception.resolve_learning": 0.9},
)
# a human Russia in a seminar sets its grey-zone campaign in some runs and years (per run)
HUMAN = {(1, 2027): 0.0, (3, 2027): 2.5, (0, 2030): 1.5}


def _models(seed: int) -> list[AllianceModel]:
    base = sim.Scenario.default()
    return [
        AllianceModel(base.with_params(v) if v else base, rng=seed + k)
        for k, v in enumerate(VARIANTS)
    ]


def _decide(models: list[AllianceModel]) -> None:
    for k, m in enumerate(models):
        share = HUMAN.get((k, m.year + 1))
        if share is not None:
            m.decisions = Decisions(russia_greyzone=share)


def _state(m: AllianceModel) -> list:
    r, th = m.russia, m.theatre
    return [
        r.milex_bn,
        r.forces.total,
        r.forces.free,
        m.greyzone_total,
        m.ally_state.greyzone_attacks.tolist(),
        th.own.tolist(),
        th.presence.tolist(),
        th.us_host.tolist(),
    ]


def test_a_batch_prepares_each_run_as_alone():
    """Runs in different states and worlds (grey-zone parameters, the theatre's brigade size
    and cost), a human Russia's grey-zone choice in some runs and years: after each year's
    preparations, and at the end, every run's Russia, attacks, theatre and tables are those
    it has stepped alone."""
    together, alone = _models(21), _models(21)
    batch = Batch(together)
    while together[0].running:
        _decide(together)
        _decide(alone)
        engine_year.step(batch)
        for m in alone:
            m.step()
        for a, b in zip(together, alone, strict=True):
            assert _state(a) == _state(b)
    for a, b in zip(together, alone, strict=True):
        assert a.recorder.events == b.recorder.events
        for col, values in a.recorder.ally_columns().items():
            np.testing.assert_array_equal(values, b.recorder.ally_columns()[col], err_msg=col)
    humans = [e for m in together for e in m.recorder.events["event"] if "(human)" in e]
    assert len(humans) == len(HUMAN)


def test_refresh_alone_is_the_batch_refresh():
    """A theatre refreshed alone (its ``refresh``, as checks and tests call it) holds what the
    batch's refresh gives it."""
    models = _models(5)
    for m in models:
        m.step()
    refresh_theatres([m.theatre for m in models], models, [2031] * len(models))
    batched = [_state(m)[5:] for m in models]
    for m, b in zip(models, batched, strict=True):
        m.theatre.refresh(m, 2031)
        assert _state(m)[5:] == b


ROOT = Path(__file__).resolve().parent.parent
# worlds that take every branch of Russia's spending and forces: a ceasefire (the war's
# forces released and refitted; the event logged), factories at their capacity (orders wait a
# year), a fast reaction to European spending, spending set by the record (a hindcast)
RUSSIA = (
    {},
    {"russia.production_headroom": 0.0, "russia.reaction_coefficient": 0.2},
    {"russia.balance_sensitivity": 3.0, "russia.fatigue": 0.05, "russia.war_memory": 0.2},
    {"russia.release_rate": 0.9, "russia.refit_rate": 0.1, "russia.war_commitment": 0.9},
)


def _russia(m: AllianceModel) -> tuple:
    r, f = m.russia, m.russia.forces
    return (
        r.gdp_bn,
        r.milex_bn,
        r.years_since_war,
        r.war_demand,
        f.total,
        f.committed,
        f.reconstituting,
        f.capacity,
        tuple(f.orders),
    )


def test_russias_spending_and_forces_in_a_batch_are_each_runs_alone():
    """Russia's spending reaction and forces over a batch (arrays) give each run, bit for bit,
    what it gets alone (its own Python numbers), in worlds that take every branch: ceasefire
    (logged once), orders above the factories' capacity, the war economy switched off, a
    hindcast whose spending is the record's."""
    cases = (
        ("ceasefire.toml", {}),
        ("ceasefire.toml", {"mechanisms.war_economy": False}),
        ("hindcast_2014.toml", {}),
        ("baseline.toml", {}),
    )
    for name, switch in cases:
        base = sim.load_scenario(ROOT / "scenarios" / name)
        base = base.with_params(switch) if switch else base
        together, alone = (
            [
                AllianceModel(base.with_params(v) if v else base, rng=9 + k)
                for k, v in enumerate(RUSSIA)
            ]
            for _ in range(2)
        )
        batch = Batch(together)
        while together[0].running:
            engine_year.step(batch)
            for m in alone:
                m.step()
            for a, b in zip(together, alone, strict=True):
                assert _russia(a) == _russia(b)
                assert type(a.russia.years_since_war) is int
        for a, b in zip(together, alone, strict=True):
            assert a.recorder.events == b.recorder.events
        if name == "ceasefire.toml":
            assert all(m.recorder.events["kind"].count("ceasefire") == 1 for m in together)


def test_europes_spending_over_the_batch_is_each_runs_own():
    """:func:`sim.engine.russia.europe_spending_bn` gives, to the bit, each run's own dot
    product over its European allies (``gdp[eu] @ core[eu] / 100``, as a run computed it
    alone), with the same allies counted in every run (one ``np.vecdot``) or not (run by run),
    for arrays gathered as the phase gathers them (rows of a larger block); and a model's own
    ``europe_spending_bn`` is that rule for its run, in runs in different states."""
    from sim.engine.russia import europe_spending_bn

    rng = np.random.default_rng(4)
    for r in (1, 3, 128):
        block = rng.random((r, 2, 31)) * rng.choice([1.0, 1e3, 3e4], size=(r, 2, 31))
        gdp, core = block[:, 0], block[:, 1] / 1e3
        for eu in (np.broadcast_to(rng.random(31) > 0.15, (r, 31)), rng.random((r, 31)) > 0.3):
            want = [float(g[e] @ c[e]) / 100.0 for g, c, e in zip(gdp, core, eu, strict=True)]
            assert europe_spending_bn(gdp, core, eu).tolist() == want
    models = _models(9)
    for k, m in enumerate(models):
        for _ in range(k + 1):
            m.step()
    batch = Batch(models)
    gdp = batch.stack(lambda m: m.ally_state.gdp_bn)
    core = batch.stack(lambda m: m.ally_state.core_pct)
    got = europe_spending_bn(gdp, core, batch.kept("european")).tolist()
    for m, value in zip(models, got, strict=True):
        s, eu = m.ally_state, m.european
        assert value == float(s.gdp_bn[eu] @ s.core_pct[eu]) / 100.0 == m.europe_spending_bn()
    assert len(set(got)) == len(models)
