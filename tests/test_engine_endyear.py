"""The year's end over a batch (:func:`sim.engine.year.end_year`): the deadline judged per run,
Russia's reading of resolve (:mod:`sim.engine.resolve`) and the year's record
(:func:`sim.model.outputs.record_years`) give each run of a batch what it gets alone."""

from __future__ import annotations

import itertools
import math
import operator

import numpy as np
import pandas as pd
import pytest

import sim
from sim.agents import russia as ru
from sim.engine import year as engine_year
from sim.engine.batch import Batch
from sim.engine.lockstep import run_jobs
from sim.model.alliance import AllianceModel
from sim.runs.runner import _frame, _frame_per_run

# Runs of one structure (the US leaves the coordination mechanisms at a missed deadline) that
# differ in numbers: the deadline's year (judged in different years, or never in the run), how
# Russia reads resolve (all US weights 0: the 0.5 fallback), the exit penalty, the goal.
VARIANTS = (
    {},
    {"united_states.deadline_year": 2029, "united_states.deadline_goal": 0.99},
    {"united_states.deadline_year": 2050},
    {
        "perception.resolve_weight_posture": 0.0,
        "perception.resolve_weight_threat": 0.0,
        "perception.resolve_weight_reassurance": 0.0,
        "perception.resolve_weight_ambiguity": 0.0,
        "perception.resolve_exit_penalty": 0.6,
    },
    {"perception.resolve_learning": 0.9, "russia.confidence_memory": 0.3},
    {"united_states.deadline_year": 2026, "united_states.deadline_goal": 0.99},
)


def _models(seed: int) -> list[AllianceModel]:
    base = sim.Scenario.default().with_params({"united_states.exit_mechanisms": True})
    return [
        AllianceModel(base.with_params(v) if v else base, rng=seed + k)
        for k, v in enumerate(VARIANTS)
    ]


def _state(m: AllianceModel) -> tuple:
    r, us = m.russia, m.united_states
    return (
        m.year,
        m.running,
        r.resolve_estimate,
        r.europe_resolve_estimate,
        r.confidence,
        us.exited_mechanisms,
        us.coercion_credibility,
    )


def _same_outputs(a: AllianceModel, b: AllianceModel) -> None:
    ra, rb = a.recorder, b.recorder
    assert ra.model_rows.keys() == rb.model_rows.keys()
    for col, values in ra.model_rows.items():
        np.testing.assert_array_equal(np.array(values), np.array(rb.model_rows[col]), err_msg=col)
    for col, values in ra.ally_columns().items():
        np.testing.assert_array_equal(values, rb.ally_columns()[col], err_msg=col)
    assert ra.events == rb.events
    assert _nan_equal(_lists(ra.options), _lists(rb.options))
    assert str(ra.summary()) == str(rb.summary())


def _lists(columns: dict) -> dict:
    """Columns (lists or arrays) as lists of Python values, their types checked alike."""
    return {k: np.asarray(v).tolist() if len(v) else [] for k, v in columns.items()}


def _nan_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        all(
            x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
            for x, y in zip(a[k], b[k], strict=True)
        )
        for k in a
    )


def test_a_batch_ends_each_year_as_each_run_alone():
    """Runs in different states (seeds, deadlines judged in different years or not at all,
    resolve read with other weights): every year, after the batch's end of year, each run's
    Russia, US and record are what the run gives stepped alone; and at the end its tables."""
    together, alone = _models(40), _models(40)
    batch = Batch(together)
    while together[0].running:
        engine_year.step(batch)
        for m in alone:
            m.step()
        for a, b in zip(together, alone, strict=True):
            assert _state(a) == _state(b)
            assert a.recorder.latest_row() == b.recorder.latest_row() or str(
                a.recorder.latest_row()
            ) == str(b.recorder.latest_row())
    for a, b in zip(together, alone, strict=True):
        _same_outputs(a, b)
    kinds = [set(m.recorder.events["kind"]) for m in together]
    assert any("deadline" in k for k in kinds) and not all("deadline" in k for k in kinds)
    assert any(m.united_states.exited_mechanisms for m in together)


def test_a_run_stepped_alone_then_in_a_batch_keeps_its_record():
    """A model stepped alone for some years (its recorder read mid-run, as the ui and the
    seminar do), then in a batch with runs in other states, ends with the tables it has
    stepped alone throughout."""
    first, others = _models(7), _models(90)
    reference = _models(7)
    for _ in range(3):
        first[1].step()
        assert first[1].recorder.latest_row()["year"] == first[1].year
    for _ in range(2):
        for m in others:
            m.step()
    batch = Batch([others[0], first[1], others[3]])
    while first[1].running:
        engine_year.step(batch)
    while reference[1].running:
        reference[1].step()
    _same_outputs(first[1], reference[1])


@pytest.mark.parametrize(
    "signal",
    [
        (1.0, 0.0, 0.2, 0.2, False, 0.5),
        (0.2, 1.0, 0.0, 1.0, True, 1.7),  # the US signal below 0, Europe's above 1
        (0.5, 0.5, 0.5, 0.5, True, float("nan")),
        (-0.0, 1.0, 0.0, 1.0, False, -0.0),
    ],
)
def test_read_resolve_alone_is_the_batch_rule_for_one_run(signal):
    """Russia's own read_resolve (one run's numbers) and the rule over arrays of runs give the
    same estimates, the clipping as Python's min and max give it (NaN reads as 0)."""
    m = AllianceModel(sim.Scenario.default(), rng=3)
    r = m.russia
    before = (r.resolve_estimate, r.europe_resolve_estimate, r.confidence)
    r.read_resolve(*signal)
    alone = (r.resolve_estimate, r.europe_resolve_estimate, r.confidence)
    pp = {k: np.array([v, v]) for k, v in m.p_perception.items() if isinstance(v, float)}
    out = ru.read_resolve(
        pp,
        np.array([r.p["confidence_memory"]] * 2),
        tuple(np.array([v, v]) for v in before),
        tuple(np.array([v, v]) for v in signal[:5]),
        np.array([signal[5]] * 2),
    )
    for x, v in zip(alone, out, strict=True):
        assert v.tolist() == [x, x]
    assert all(0.0 <= x <= 1.0 for x in alone[:2])


def test_the_us_weights_summing_to_zero_read_as_a_middle_signal():
    pp = {
        "resolve_weight_posture": 0.0,
        "resolve_weight_threat": 0.0,
        "resolve_weight_reassurance": 0.0,
        "resolve_weight_ambiguity": 0.0,
        "resolve_exit_penalty": 0.1,
        "resolve_learning": 1.0,
    }
    resolve, europe, confidence = ru.read_resolve(
        pp, 0.5, (0.9, 0.1, 0.4), (1.0, 0.0, 1.0, 0.0, False), 0.3
    )
    assert (float(resolve), float(europe), float(confidence)) == (0.5, 0.3, 0.2)


def test_the_batch_record_is_each_runs_record_alone():
    """:func:`~sim.model.outputs.record_years` over runs in different states (seeds, worlds,
    a US threat reaching some allies in one run and none in another; pipelines stacked as the
    batch's rows or each its own) keeps for each run the row and ally state it keeps alone."""
    from sim.model.outputs import record_years

    for shared in (False, True):
        together, alone = _models(11), _models(11)
        for _ in range(3):
            if shared:
                engine_year.step(Batch(together))
            else:
                for m in together:
                    m.step()
            for m in alone:
                m.step()
        for ms in (together, alone):
            ms[0].signals[:] = ms[1].signals[:] = 0.0
            ms[1].signals[[2, 5, 9]] = 1.0
            ms[1].shares[0][[2, 5, 9]] = (0.1, 0.7, 0.3)
        assert (together[0].pipeline._rows is together[1].pipeline._rows) == shared
        record_years(Batch(together))
        for m in alone:
            m.recorder.record_year()
        for a, b in zip(together, alone, strict=True):
            assert str(a.recorder.latest_row()) == str(b.recorder.latest_row())
            _same_outputs(a, b)
        assert together[1].recorder.latest_row()["comply_share"] == pytest.approx(1.1 / 3)


def test_probe_options_as_arrays_make_the_table_lists_made():
    """Each run keeps its probe options as arrays (numbers in one array per batch-year, cut
    when asked): the probe options table made from them has the values and dtypes it has from
    the lists of Python values a run kept before, also with runs that weighed no option (empty
    lists) among them (the table then made a frame per run)."""
    import dataclasses

    import pandas as pd

    from sim.engine.lockstep import run_jobs
    from sim.runs.runner import _frame

    scenario = sim.Scenario.default()
    results = run_jobs(scenario, [(i, s, None) for i, s in enumerate(sim.replication_seeds(5, 3))])
    assert all(len(r.probe_options["year"]) for r in results)
    for r in results:
        o = r.probe_options
        assert o["year"].dtype == np.int64 and o["chosen"].dtype == bool
        assert o["target"].dtype == object and {type(t) for t in o["target"]} == {str}
        assert set(o) == set(_lists(o))

    def as_lists(r):
        return dataclasses.replace(r, probe_options=_lists(r.probe_options))

    empty = dataclasses.replace(
        results[1], run=7, probe_options={k: [] for k in results[0].probe_options}
    )
    for runs in (results, [results[0], empty, results[2]], [empty, results[1]]):
        made = _frame(runs, "probe_options")
        before = _frame([as_lists(r) for r in runs], "probe_options")
        pd.testing.assert_frame_equal(made, before, check_exact=True)


def test_a_recorder_read_mid_run_in_a_batch_sees_each_year():
    """The tables a run's recorder gives mid-run (the ui and seminar read them) follow each
    year recorded in a batch: the options and the ally table grow with the years."""
    models = _models(3)[:3]
    batch = Batch(models)
    seen = []
    for _ in range(4):
        engine_year.step(batch)
        rec = models[0].recorder
        seen.append((rec.years, len(rec.options["year"]), len(rec.ally_columns()["year"])))
        assert rec.model_rows["year"][-1] == models[0].year
    n = len(models[0].codes)
    assert [s[0] for s in seen] == [2, 3, 4, 5]
    assert [s[2] for s in seen] == [s[0] * n for s in seen]
    assert all(b[1] >= a[1] for a, b in itertools.pairwise(seen))


def _touch(m: AllianceModel, k: int) -> None:
    """After the allies' phase: run ``k`` of a batch has one of the arrays the phase bound to
    it rebound or written into (an event, a crisis would), or nothing (k = 0)."""
    st = m.ally_state
    if k == 1:
        st.trust = np.clip(st.trust + 0.1, 0.0, 1.0)  # a new array
    elif k == 2:
        st.core_pct[[1, 4]] += 0.5  # written into the phase's row
    elif k == 3:
        m.budget_why["gdp"] = m.budget_why["gdp"] + 0.25
    elif k == 4:
        m.shares[0][:] = 0.4  # written into
        m.signals = np.where(m.ally_state.member, 1.0, 0.0)  # rebound
    elif k == 5:
        m.budget_why = {**m.budget_why, "human": m.budget_why["human"] - 0.1}


def test_the_record_reads_the_allies_arrays_only_while_every_run_holds_them():
    """The year's record reads the allies' phase's arrays (:meth:`Batch.handed`) where every
    run holds the rows it was given, and what each run holds where one was rebound after the
    phase; a run's row written into is read through the arrays. Either way each run keeps
    what it keeps stepped alone with the same changes."""
    from sim.engine.allies import HANDED_STATE, WRITTEN, reasons

    phases, end = engine_year.PHASES[:-1], engine_year.PHASES[-1]
    for touched in (0, 1, 2, 3, 4, 5):
        together, alone = _models(23), _models(23)
        batch, own = Batch(together), [Batch.of(m) for m in alone]
        for _ in range(3):
            for phase in phases:
                phase(batch)
                for b in own:
                    phase(b)
            held = [x for m in together for x in operator.attrgetter(*WRITTEN)(m.ally_state)]
            assert batch.handed(HANDED_STATE, held) is not None
            for ms in (together, alone):
                _touch(ms[1], touched)
            assert (reasons(batch) is None) == (touched in (3, 5))
            end(batch)
            for b in own:
                end(b)
            for a, b in zip(together, alone, strict=True):
                assert str(a.recorder.latest_row()) == str(b.recorder.latest_row())
        for a, b in zip(together, alone, strict=True):
            _same_outputs(a, b)


def test_handed_rows_are_keyed_on_identity():
    """:meth:`Batch.handed` gives the arrays while ``current`` is the rows handed out, in
    order, and None for a row rebound, rows out of order or a count that differs."""
    models = _models(5)[:3]
    batch = Batch(models)
    a, b = np.arange(6.0).reshape(3, 2), np.ones((3, 2))
    rows = batch.hand_out("k", [a, b])
    flat = [x for r in rows for x in r]
    assert batch.handed("k", flat)[0] is a
    assert batch.handed("k", flat[:-1]) is None
    assert batch.handed("k", [*flat[:-1], b[2].copy()]) is None
    assert batch.handed("k", [flat[1], flat[0], *flat[2:]]) is None
    assert batch.handed("other", flat) is None
    rows[1][0][:] = 7.0  # a write into a run's row is a write into the arrays
    assert batch.handed("k", flat)[0][1].tolist() == [7.0, 7.0]


def test_collected_tables_are_their_own_and_those_of_a_frame_per_run():
    """:func:`sim.runs.runner._frame` built column by column: the table is the one a frame per
    run gives, and shares no memory with the runs' results (a write into it cannot reach
    them)."""
    scenario = sim.Scenario.default().with_params({"united_states.exit_mechanisms": True})
    results = run_jobs(scenario, [(k, 40 + k, None) for k in range(3)])
    for part in ("model", "allies", "events", "probe_options"):
        frame = _frame(results, part)
        pd.testing.assert_frame_equal(frame, _frame_per_run(results, part), check_exact=True)
        for col in frame.columns:
            values = frame[col].to_numpy()
            for r in results:
                own = getattr(r, part).get(col)
                if isinstance(own, np.ndarray):
                    assert not np.shares_memory(values, own), (part, col)
