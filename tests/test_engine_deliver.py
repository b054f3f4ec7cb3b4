"""The deliver phase over a batch (issue 25, :mod:`sim.engine.deliveries`): each run of a batch
gets, year by year, exactly what it gets alone, in different worlds (lead times that give the
pipelines different shapes, other numbers), seeds and human decisions; products over the
allies taken over the batch are each run's own to the bit; a pipeline alone and pipelines
advanced together agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine import year as engine_year
from sim.engine.batch import Batch
from sim.mechanisms import capability as cap
from sim.model.alliance import AllianceModel
from sim.model.decisions import Decisions

STATE = ("stock", "due", "backlog", "capacity", "delivered")
INDICES = (
    "coverage", "eu_share", "us_influence", "nuclear_liability", "cohesion", "cohesion_damage",
    "hedging", "sovereign_isr", "equipment_bn", "us_buy_shares",
)  # fmt: skip


def _scenarios() -> list[sim.Scenario]:
    base = sim.Scenario.default()
    lead = int(base.get("capability.lead_time_manoeuvre"))
    return [
        base,
        base.with_params({"capability.lead_time_manoeuvre": lead + 2}),  # another ring shape
        base.with_params({"capability.gap_priority": 0.9, "capability.us_buy_share": 0.2}),
    ]


def _same(a: AllianceModel, b: AllianceModel) -> None:
    for name in STATE:
        assert np.array_equal(getattr(a.pipeline, name), getattr(b.pipeline, name)), name
    assert a.pipeline.head == b.pipeline.head
    for name in INDICES:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.influence_channels == b.influence_channels
    assert a.united_states.european_command == b.united_states.european_command


def _human(year: int) -> Decisions | None:
    if year == 2027:
        return Decisions(
            equipment_mix={"POL": {"isr": 3.0, "munitions": 1.0}},
            us_buy_share={"DEU": 0.05, "FRA": 0.6},
            us_command=True,
        )
    if year == 2029:
        return Decisions(us_command=False)
    return None


def test_each_run_of_a_batch_gets_what_it_gets_alone():
    """Runs of several worlds and seeds, one with human purchases and command choices,
    advanced together: after every year each has the stocks, orders in transit, backlogs,
    capacity and indices it has when advanced alone, and in the end the same tables."""
    worlds = _scenarios()
    specs = [(worlds[k % len(worlds)], seed) for k, seed in enumerate((3, 4, 5, 6, 7, 8, 9))]
    alone = [AllianceModel(sc, rng=seed) for sc, seed in specs]
    together = [AllianceModel(sc, rng=seed) for sc, seed in specs]
    batch = Batch(together)
    assert len({m.pipeline._shape() for m in together}) == 2  # two ring shapes in one batch
    while together[0].year < together[0].end_year:
        human = _human(together[0].year + 1)
        for pair in (alone[2], together[2]):
            pair.decisions = human
        for m in alone:
            m.step()
        engine_year.step(batch)
        for a, b in zip(alone, together, strict=True):
            _same(a, b)
    for a, b in zip(alone, together, strict=True):
        assert a.recorder.events == b.recorder.events
        pd.testing.assert_frame_equal(
            pd.DataFrame(a.recorder.model_rows),
            pd.DataFrame(b.recorder.model_rows),
            check_exact=True,
        )
    events = together[2].recorder.events["event"]
    assert any("(human) buys mostly isr" in e for e in events)
    assert any("hands NATO's command to a European" in e for e in events)
    assert any("a European already holds it" in e for e in events)


def test_an_index_update_alone_is_the_batch_of_one():
    """A model's own ``_update_indices`` (its start, tests, events) is the batched rule for
    its batch of one: a model stepped in a batch and one updated alone agree."""
    a, b = (AllianceModel(sim.Scenario.default(), rng=2) for _ in range(2))
    engine_year.step(Batch([a, AllianceModel(sim.Scenario.default(), rng=5)]))
    b.step()
    a.pipeline.stock *= 1.5
    b.pipeline.stock *= 1.5
    a._update_indices()
    b._update_indices()
    _same(a, b)


def test_products_over_the_batch_are_each_runs_own():
    """``np.vecdot`` and a stacked ``matmul`` (:mod:`sim.engine.deliveries`,
    :func:`sim.mechanisms.capability.in_europe`) give, to the bit, each run's own ``w @ x``."""
    rng = np.random.default_rng(0)
    for r in (1, 2, 7, 31, 256):
        a = rng.random((r, 31)) * rng.choice([1e-3, 1.0, 1e3], size=(r, 31))
        b = rng.random((r, 31)) - 0.3
        assert np.array_equal(np.vecdot(a, b), [x @ y for x, y in zip(a, b, strict=True)])
        stock = rng.random((r, 31, len(cap.CATEGORIES))) * 100
        each = np.stack([x @ s for x, s in zip(a, stock, strict=True)])
        assert np.array_equal(cap.in_europe(a, stock), each)
        assert np.array_equal(cap.in_europe(a[0], stock[0]), a[0] @ stock[0])


@pytest.mark.parametrize("limited", [True, False])
def test_pipelines_together_deliver_what_each_delivers_alone(limited):
    """:func:`sim.mechanisms.capability.order` and :func:`~sim.mechanisms.capability.deliver`
    over pipelines of two shapes (other lead times) and their own orders and US shares give
    each what it gives alone (its methods)."""
    p = dict(sim.Scenario.default().params["capability"])
    rng = np.random.default_rng(1)
    params = [p, {**p, "lead_time_isr": p["lead_time_isr"] + 3}, {**p, "capacity_growth": 0.3}]

    def make() -> list[cap.CapabilityPipeline]:
        return [
            cap.CapabilityPipeline(q, rng.random((4, 5)), rng.random((4, 5)), limited=limited)
            for q in params
        ]

    state = rng.bit_generator.state
    alone = make()
    rng.bit_generator.state = state
    together = make()
    for _ in range(12):
        orders = 3.0 * rng.random((3, 4, 5))
        share = rng.random((3, 4))
        for k, pipe in enumerate(alone):
            pipe.order(orders[k], share[k])
        cap.order(together, orders, share)
        got = [pipe.deliver() for pipe in alone]
        assert np.array_equal(cap.deliver(together), np.stack(got))
        for a, b in zip(alone, together, strict=True):
            for name in STATE:
                assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_us_capability_and_requirement_over_the_batch_are_each_runs_own():
    """The US capability in Europe (:func:`sim.mechanisms.capability.us_in_europe`, less ISR
    and enablers where the US left the coordination mechanisms, C15, C17) and NATO's
    requirement (each run's target times its own growth) over a batch, some runs exited and
    others not, with their own postures, Russian forces and losses: each run's own numbers,
    as the rule gives them for one run (its ``us_capability_in_europe``)."""
    models = [AllianceModel(sc, rng=k) for k, sc in enumerate(_scenarios())]
    for k, m in enumerate(models):
        m.united_states.posture = 0.4 + 0.25 * k
        m.united_states.p = {**m.united_states.p, "exit_capability_loss": 0.1 * (k + 1)}
    models[1].united_states.exited_mechanisms = True
    us = [m.united_states for m in models]
    batch = cap.us_in_europe(
        np.array([m.us_base for m in models]),
        np.array([[u.posture] for u in us]),
        np.array([u.exited_mechanisms for u in us]),
        np.array([u.p["exit_capability_loss"] for u in us]),
    )
    for r, m in enumerate(models):
        assert np.array_equal(batch[r], m.us_capability_in_europe())
        expected = m.us_base * m.united_states.posture  # the rule written out for one run
        if m.united_states.exited_mechanisms:
            loss = m.united_states.p["exit_capability_loss"]
            expected[cap.ISR] *= 1.0 - loss
            expected[cap.ENABLERS] *= 1.0 - loss
        assert np.array_equal(batch[r], expected)
    assert not np.array_equal(batch[1] / models[1].us_base, batch[0] / models[0].us_base)
    together = [AllianceModel(sc, rng=k) for k, sc in enumerate(_scenarios())]
    alone = [AllianceModel(sc, rng=k) for k, sc in enumerate(_scenarios())]
    for ms in (together, alone):
        ms[0].united_states.exited_mechanisms = True
        ms[2].russia.forces.total = 2.0 * ms[2].russia_reference  # the requirement grows
    engine_year.step(Batch(together))
    for m in alone:
        m.step()
    for a, b in zip(alone, together, strict=True):
        _same(a, b)


def test_orders_booked_cell_by_cell_are_the_scatters_sums():
    """Over many pipelines :func:`sim.mechanisms.capability.order` books cell by cell
    (``_ORDER_BY_CELL``); a pipeline alone (its own method) scatters: the same stocks, dues and
    backlogs to the bit, a group of each shape in one batch."""
    p = dict(sim.Scenario.default().params["capability"])
    other = {**p, "lead_time_isr": p["lead_time_isr"] + 3}
    params = [p] * 9 + [other] * 3 + [p]
    rng = np.random.default_rng(7)

    def make() -> list[cap.CapabilityPipeline]:
        return [cap.CapabilityPipeline(q, rng.random((4, 5)), rng.random((4, 5))) for q in params]

    state = rng.bit_generator.state
    alone = make()
    rng.bit_generator.state = state
    together = make()
    assert len(params) - 3 >= cap._ORDER_BY_CELL
    for _ in range(10):
        orders = 3.0 * rng.random((len(params), 4, 5))
        share = rng.random((len(params), 4))
        for k, pipe in enumerate(alone):
            pipe.order(orders[k], share[k])
        cap.order(together, orders, share)
        got = [pipe.deliver() for pipe in alone]
        assert np.array_equal(cap.deliver(together), np.stack(got))
        for a, b in zip(alone, together, strict=True):
            for name in STATE:
                assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_a_lever_moved_mid_run_is_read_by_the_batch():
    """The parameters the deliveries keep between years (the stacked tables, the influence
    weights: keyed on the runs' tables) are read anew when a lever moved mid-run binds a new
    table in one run (:meth:`AllianceModel.change_params`): that run gets what it gets alone,
    the others too."""
    change = {"alliance.influence_weight_procurement": 0.0, "capability.gap_priority": 0.8}
    seeds = (11, 12, 13)
    alone = [AllianceModel(sim.Scenario.default(), rng=s) for s in seeds]
    together = [AllianceModel(sim.Scenario.default(), rng=s) for s in seeds]
    batch = Batch(together)
    while together[0].year < together[0].end_year:
        if together[0].year == 2028:
            for m in (alone[1], together[1]):
                m.change_params(change, source="a lever moved mid-run")
        for m in alone:
            m.step()
        engine_year.step(batch)
        for a, b in zip(alone, together, strict=True):
            _same(a, b)
    assert together[1].us_influence != together[0].us_influence
