"""A model's set-up (:meth:`AllianceModel.__init__`) and the batch's structure
(:func:`sim.engine.batch.structure`): what the construction computes from its scenario alone is
computed once per scenario and shared read-only (:meth:`AllianceModel._init_shared`, the
start-year summits of :func:`sim.model.events.summit`); each model still gets what it got
computing it alone, in sampled worlds and with several summits in its start year, and its state
stays its own."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.engine.batch import Batch, _structure, structure
from sim.model.alliance import AllianceModel, _copy
from sim.runs.runner import release_model, run_one, start_model
from sim.runs.worlds import draw_fitted_world, draw_world, scenario_ranges
from sim.scenario.schema import Event

ROOT = Path(__file__).resolve().parent.parent
CAPABILITY = ("base_allocation", "us_base", "requirement_start", "europe_start", "coverage")
INDICES = ("eu_share", "influence_channels", "us_influence", "nuclear_liability", "cohesion")
PIPELINE = ("stock", "due", "backlog", "capacity", "delivered", "lead", "dep", "_keep", "_share")
# the allies' fixed arrays (AllianceModel._init_allies)
ALLIES = (
    "code_array",
    "accession_year",
    "european",
    "canada",
    "peer_weights",
    "has_peers",
    "peer_rows",
    "mean_weights",
    "europe_weights",
)
STATE = ("threat", "base_pct", "holdout", "holdout_cap", "trust", "core_pct")


def _fresh(sc):
    """``sc`` as a new scenario object: nothing derived from it kept yet."""
    return pickle.loads(pickle.dumps(sc))


def _start(m: AllianceModel) -> dict:
    s = m.ally_state
    return {
        **{k: getattr(s, k).copy() for k in STATE},
        "budget_start": {k: v.copy() for k, v in m.budget_start.items()},
        "comply_each_start": tuple(v.copy() for v in m.comply_each_start),
        "comply_start": m.comply_start,
        "readiness": m.readiness_thresholds,
        "pledge": dataclasses.asdict(m.pledge),
        "threat_level": m.united_states.threat_level,
        "events": list(m.recorder.events["event"]),
        **{k: getattr(m, k).copy() for k in CAPABILITY},
        **{k: getattr(m, k).copy() for k in ALLIES},
        **{k: getattr(m, k) for k in INDICES},
        **{f"theatre.{k}": _copy(v) for k, v in vars(m.theatre).items() if k != "c"},
        **{f"pipeline.{k}": getattr(m.pipeline, k).copy() for k in PIPELINE},
        # the start year's record (AllianceModel._init_record): the model table's row and the
        # ally table's columns
        "record": m.recorder.latest_row(),
        "record_allies": m.recorder.ally_columns(),
    }


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k, x in a.items():
        y = b[k]
        if isinstance(x, dict):
            _same(x, y)
        elif isinstance(x, tuple) and x and isinstance(x[0], np.ndarray):
            for u, v in zip(x, y, strict=True):
                assert np.array_equal(u, v), k
        elif isinstance(x, np.ndarray):
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), k
        elif isinstance(x, float) and np.isnan(x):
            assert isinstance(y, float) and np.isnan(y), k
        else:
            assert x == y, k


@pytest.fixture(scope="module")
def baseline():
    return sim.load_scenario(ROOT / "scenarios" / "baseline.toml")


def test_the_construction_draws_nothing(baseline):
    """What makes the start a function of the scenario alone: no draw from the model's
    generator before its first year."""
    m = AllianceModel(baseline, rng=5)
    assert m.rng.bit_generator.state == np.random.default_rng(5).bit_generator.state
    release_model(m)


def test_shared_start_values_are_those_computed_alone(baseline):
    sc = _fresh(baseline)
    first = AllianceModel(sc, rng=1)  # computes and keeps them
    second = AllianceModel(sc, rng=2)  # reads them
    alone = AllianceModel(_fresh(baseline), rng=2)
    _same(_start(second), _start(alone))
    _same(_start(first), _start(alone))
    # its state is its own: writable, not the shared arrays, not the other model's
    for k in ("threat", "base_pct", "holdout", "holdout_cap", "coverage"):
        a, b = (getattr(m.ally_state, k, None) for m in (first, second))
        if a is None:
            a, b = getattr(first, k), getattr(second, k)
        assert a.flags.writeable and b.flags.writeable and not np.shares_memory(a, b)
    assert first.theatre is not second.theatre
    for k in ALLIES:  # read by the rules only: the very arrays, read-only
        assert getattr(first, k) is getattr(second, k), k
        assert not getattr(second, k).flags.writeable, k
    # each model steps a pipeline of its own (AllianceModel._init_pipeline: a template's copy)
    assert first.pipeline is not second.pipeline and first.pipeline.p is first.p_capability
    for k in ("stock", "due", "backlog", "capacity", "delivered"):
        a, b = getattr(first.pipeline, k), getattr(second.pipeline, k)
        assert a.flags.writeable and not np.shares_memory(a, b), k
    second.pipeline.due[:] = 7.0
    second.pipeline.stock[:] = 7.0
    assert not first.pipeline.lead.flags.writeable
    rows = first.pipeline._rows, second.pipeline._rows
    assert rows[0] is not rows[1] and rows[1].pipes == [second.pipeline]
    assert rows[0].keep_cells is rows[1].keep_cells and not rows[1].keep_cells.flags.writeable
    assert not np.shares_memory(first.theatre.own, second.theatre.own)
    second.theatre.presence[:] = 9.0
    assert first.influence_channels is not second.influence_channels
    second.influence_channels["basing"] = -1.0
    second.ally_state.threat[:] = 0.5
    second.ally_state.holdout[:] = True
    third = AllianceModel(sc, rng=3)
    _same(_start(third), _start(alone))
    for m in (first, second, third, alone):
        release_model(m)


def test_sampled_worlds_compute_their_own(baseline):
    """Each world (a numeric parameter moved) is a scenario of its own: its start values are
    those it has alone, whatever world was built before it."""
    sc = _fresh(baseline)
    ranges = scenario_ranges(sc)
    for seed in sim.replication_seeds(4, 3):
        world = {**draw_fitted_world(sc, seed), **draw_world(ranges, seed)}
        m, used = start_model(sc, seed, world)
        alone, _ = start_model(_fresh(baseline), seed, world)
        _same(_start(m), _start(alone))
        release_model(m)
        release_model(alone)
    a, _ = start_model(sc, 1, {"perception.threat_adjustment": 0.1})
    b, _ = start_model(sc, 1, {"perception.threat_adjustment": 0.9})
    assert not np.array_equal(a.ally_state.threat, b.ally_state.threat)
    c, _ = start_model(sc, 1, {"capability.canada_europe_share": 0.2})
    d, _ = start_model(sc, 1, {"capability.canada_europe_share": 0.6})
    canada = c.codes.index("CAN")
    assert c.europe_weights[canada] == 0.2 and d.europe_weights[canada] == 0.6
    for m in (a, b, c, d):
        release_model(m)


def test_two_summits_in_the_start_year(baseline):
    """A second summit of the start year reads the first's outcome (the pledge, the
    holdouts): shared, it is still the outcome the model computes alone; and a whole run's
    tables are those of a model that computed everything itself."""
    events = (*baseline.events, Event(baseline.get("run.start_year"), "summit", magnitude=4.5))
    sc = dataclasses.replace(baseline, events=events)
    first, second = AllianceModel(sc, rng=1), AllianceModel(sc, rng=2)
    alone = AllianceModel(dataclasses.replace(baseline, events=events), rng=2)
    _same(_start(second), _start(alone))
    assert sum(k == "summit" for k in second.recorder.events["kind"]) == 2
    for m in (first, second, alone):
        release_model(m)
    shared = run_one(sc, 7)  # after the models above: reads what they kept
    own = run_one(dataclasses.replace(baseline, events=events), 7)
    assert not shared.error and not own.error
    assert shared.model == own.model and shared.events == own.events
    for k, v in own.allies.items():
        assert np.array_equal(shared.allies[k], v, equal_nan=v.dtype.kind == "f"), k


def test_structure_is_kept_per_scenario_and_follows_a_lever(baseline):
    sc = _fresh(baseline)
    a, b = AllianceModel(sc, rng=1), AllianceModel(sc, rng=2)
    assert structure(a) is structure(b) and structure(a) == _structure(a)
    Batch([a, b])  # one structure
    a.change_params({"united_states.measurement": "capability"})
    assert structure(a) == _structure(a) != structure(b)
    with pytest.raises(ValueError, match="share"):
        Batch([a, b])
    b.change_params({"united_states.measurement": "capability"})
    assert structure(a) == structure(b)
    # a model whose tables are not its scenario's own is read as it is
    b.params = {**b.params, "united_states": {**b.params["united_states"], "measurement": "x"}}
    assert structure(b) == _structure(b) != structure(a)
    for m in (a, b):
        release_model(m)


def test_replayed_assignments_refuse_what_cannot_be_copied(baseline):
    """:meth:`AllianceModel._init_assignments` keeps only values it can copy for each model."""
    m = AllianceModel(_fresh(baseline), rng=1)

    def sets_an_object() -> None:
        m.odd = object()

    with pytest.raises(TypeError, match="not copied safely"):
        m._init_assignments("odd", sets_an_object)
    release_model(m)


def test_a_copied_object_must_hold_what_can_be_copied(baseline):
    """:meth:`AllianceModel._init_copy` takes only objects whose attributes it can copy."""
    m = AllianceModel(_fresh(baseline), rng=1)

    class Odd:
        def __init__(self) -> None:
            self.inner = [object()]

    with pytest.raises(TypeError, match="not copied safely"):
        m._init_copy("odd", Odd)
    release_model(m)


def test_the_shared_start_record_is_each_run_own(baseline):
    """The start year's record, kept once per scenario (:meth:`AllianceModel._init_record`):
    a model that did not record it has it as one row of its own, read-only arrays shared with
    the model that did; each run's tables, alone or in a batch with runs of other worlds, are
    those of a model on a scenario of its own."""
    sc = _fresh(baseline)
    first, second = AllianceModel(sc, rng=1), AllianceModel(sc, rng=2)
    assert first.recorder.years == second.recorder.years == 1
    assert len(second.recorder._direct) == 1
    assert second.recorder._blocks[0][0] is first.recorder._blocks[0][0]
    assert not second.recorder._blocks[0][0].flags.writeable
    for m in (first, second):
        release_model(m)
    from sim.engine.lockstep import run_many

    worlds = [None, {"perception.threat_adjustment": 0.2}, None]
    items = [(sc, i, 10 + i, w) for i, w in enumerate(worlds)]
    batched = run_many(items)
    for (_, run, seed, world), got in zip(items, batched, strict=True):
        own = run_one(_fresh(baseline), seed, run, world)
        assert not got.error and not own.error
        assert got.model.keys() == own.model.keys()
        for k, v in own.model.items():
            np.testing.assert_array_equal(np.array(got.model[k]), np.array(v), err_msg=k)
        _same(got.summary, own.summary)
        for k, v in own.allies.items():
            assert np.array_equal(got.allies[k], v, equal_nan=v.dtype.kind == "f"), k


def _same_tables(got: tuple, want: tuple) -> None:
    model, allies = got
    assert model == want[0] or all(
        np.array_equal(np.array(model[k]), np.array(v), equal_nan=isinstance(v[0], float))
        for k, v in want[0].items()
    )
    assert list(allies) == list(want[1])
    for k, v in want[1].items():
        assert np.array_equal(allies[k], v, equal_nan=v.dtype.kind == "f"), k


def test_tables_of_runs_recorded_in_any_batches(baseline):
    """The tables of runs stacked together (:func:`sim.model.outputs._stacked`): runs of one
    batch in its order, a subset out of order (rows picked), runs of different batches (each
    run's row) and the start's record shared by the scenario (one row for all) give each run
    the tables it has alone."""
    from sim.engine.year import step
    from sim.model.outputs import _tables

    sc = _fresh(baseline)
    ms = [AllianceModel(sc, rng=s) for s in (1, 2, 3)]
    other = AllianceModel(sc, rng=4)
    for _ in range(3):
        step(Batch(ms))
        step(Batch.of(other))
    recs = [m.recorder for m in (*ms, other)]
    alone = {id(r): _tables([r], 0)[0] for r in recs}
    for group in ([recs[0], recs[1], recs[2]], [recs[2], recs[0]], [recs[1], recs[3]]):
        for r, got in zip(group, _tables(group, 0), strict=True):
            _same_tables(got, alone[id(r)])
    for m in (*ms, other):
        release_model(m)


def test_every_model_column_is_set_and_the_deadline_found(baseline):
    """The model table's columns (:func:`sim.model.outputs._tables`) are every one of
    ``MODEL_COLUMNS`` with a value each year; the summary's deadline is the first event that
    names one (:func:`sim.model.outputs._first_containing`), NULs in the texts or not."""
    from sim.model.outputs import MODEL_COLUMNS, _first_containing

    res = run_one(baseline, 3)
    assert list(res.model) == list(MODEL_COLUMNS)
    assert all(None not in v for v in res.model.values())
    texts = ["2025: A", "2030: Deadline met", "2031: Deadline missed"]
    for t in (texts, ["x\0: Dead", "line ", "2030: Deadline z"], ["a\0b", *texts], []):
        want = next((e for e in t if ": Deadline " in e), None)
        assert _first_containing(t, ": Deadline ") == want
