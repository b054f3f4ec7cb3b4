"""The probe phase over a batch (issue 25): Russia's assessment and choice of targets are made for
every model of a batch together (:func:`sim.agents.russia.choose_probes`,
:func:`sim.mechanisms.crisis.perceived_successes`), and each model gets exactly what it gets
alone, in different states and worlds, waiting after a probe, with another set of candidates,
with a human Russia or a forced probe (the crisis game, per model)."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.engine import year as engine_year
from sim.engine.batch import Batch
from sim.mechanisms import capability as cap
from sim.mechanisms import crisis as crisis_game
from sim.mechanisms import local_balance, theatre
from sim.model.alliance import AllianceModel

ROOT = Path(__file__).resolve().parent.parent

# (numeric parameters of the world, seed, years advanced before the phase)
WORLDS = [
    ({}, 1, 0),
    ({"crisis.enabler_elasticity": 0.5, "russia.probe_threshold": -1.0}, 2, 3),
    ({"crisis.race_step_hours": 4.0, "crisis.ally_aid_base": -0.5}, 3, 5),
    ({"russia.probe_gain": 4.5, "russia.misperception_sd": 0.3}, 4, 2),
    ({}, 5, 4),
    ({"crisis.probe_depth_km": 20.0}, 6, 1),
    ({"crisis.move_kmh": 30.0, "crisis.staging_hours": 24.0}, 7, 2),  # other travel times
]


def _ready_models() -> list[AllianceModel]:
    """Models in different worlds and years, each at the start of its probe phase; one waits
    after a probe, one has lost a candidate, one has a human Russia, one a forced probe."""
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    models = []
    for params, seed, years in WORLDS:
        m = AllianceModel(base.with_params(params) if params else base, rng=seed)
        for _ in range(years):
            m.step()
        one = Batch.of(m)
        for phase in engine_year.PHASES[: engine_year.PHASES.index(engine_year.russia_probes)]:
            phase(one)
        models.append(m)
    models[1].russia.cooldown = 1
    est = models[2].codes.index("EST")
    models[2].ally_state.member[est] = False  # other candidates: assessed in a group of its own
    models[3].decided.russia_probe = "LVA"
    models[4].forced_probe = models[4].codes.index("LTU")
    models[5].russia.confidence = 3.0  # bold: likely to probe
    return models


def _state(m: AllianceModel) -> dict:
    r = m.russia
    o = r.options
    return {
        "options": None
        if o is None
        else {k: np.asarray(getattr(o, k)) for k in o.__dataclass_fields__},
        "success": r.success_estimate,
        "probability": r.probe_probability,
        "cooldown": r.cooldown,
        "rng": m.rng.bit_generator.state,
        "crisis": m.probe_this_year,
        "events": copy.deepcopy(m.recorder.events),
        "confidence": r.confidence,
        "trust": m.ally_state.trust.copy(),
    }


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k, x in a.items():
        y = b[k]
        if k == "options":
            assert (x is None) == (y is None)
            if x is not None:
                for f in x:
                    assert np.array_equal(x[f], y[f], equal_nan=True), f
        elif isinstance(x, (np.ndarray, float)):
            assert np.array_equal(x, y, equal_nan=True), k
        else:
            assert x == y, k


@pytest.fixture(scope="module")
def ready() -> list[AllianceModel]:
    return _ready_models()


def test_the_batch_gives_each_model_what_it_gets_alone():
    together, alone = _ready_models(), _ready_models()  # the same states, built twice
    engine_year.russia_probes(Batch(together))
    for a, b in zip(alone, together, strict=True):
        engine_year.russia_probes(Batch.of(a))
        _same(_state(a), _state(b))
    states = [_state(m) for m in together]
    assert states[1]["options"] is None and np.isnan(states[1]["success"])  # waiting
    assert states[0]["options"] is not None and states[2]["options"] is not None
    assert len(states[2]["options"]["candidates"]) == len(states[0]["options"]["candidates"]) - 1
    assert any("(human)" in e for e in states[3]["events"]["event"])  # the human Russia
    assert states[4]["crisis"] is not None  # the forced probe played the crisis game


def test_the_assessment_over_a_group_is_each_models_own(ready):
    """perceived_successes over models sharing their targets gives, row by row, what
    perceived_success gives each model alone, bit for bit."""
    ms = ready  # in different worlds: the aid, enabler and race parameters differ
    s = ms[0].ally_state
    targets = np.flatnonzero(ms[0].theatre.reachable & s.member & s.armed)
    us = np.array([0.2, 0.5, 0.9, 1.0, 0.0, 0.7, 0.4])
    eu = np.array([0.6, 0.1, 0.5, 0.33, 1.0, 0.02, 0.8])
    together = crisis_game.perceived_successes(ms, targets, us, eu)
    for k, m in enumerate(ms):
        alone = crisis_game.perceived_success(m, targets, float(us[k]), float(eu[k]))
        assert np.array_equal(together[k], alone)


def test_the_assessment_in_blocks_is_each_models_own(ready, monkeypatch):
    """Runs assessed in blocks (``crisis._BLOCK``; some blocks of runs that read one table,
    some not, some sharing the fixed arrays of their targets, one not) get what each gets
    alone, bit for bit."""
    monkeypatch.setattr(crisis_game, "_BLOCK", 2)
    ms = ready + [ready[0], ready[4]]  # two that share the baseline's tables, again
    s = ms[0].ally_state
    targets = np.flatnonzero(ms[0].theatre.reachable & s.member & s.armed)
    us = np.linspace(0.0, 1.0, len(ms))
    eu = np.linspace(0.9, 0.05, len(ms))
    together = crisis_game.perceived_successes(ms, targets, us, eu)
    for k, m in enumerate(ms):
        alone = crisis_game.perceived_success(m, targets, float(us[k]), float(eu[k]))
        assert np.array_equal(together[k], alone)
    runs = theatre.gather([ms[0], ms[4]], targets)  # one network, one travel: shared
    assert runs.travel.ndim == 2 and runs.closeness.ndim == 2
    runs = theatre.gather([ms[0], ms[6]], targets)  # other travel times: the runs' own
    assert runs.travel.shape == (2, len(targets), len(s.member))


def test_the_pick_is_where_the_draw_falls():
    """Each model's pick is ``np.searchsorted`` of its own draw in its cumulative probabilities
    (the batch counts the cumulative probabilities below the draw)."""
    models = _ready_models()
    states = [m.rng.bit_generator.state for m in models]
    engine_year.russia_probes(Batch(models))
    for m, state in zip(models, states, strict=True):
        o = m.russia.options
        if o is None:
            continue
        rng = np.random.default_rng()
        rng.bit_generator.state = state
        rng.normal(0.0, m.russia.p["misperception_sd"], 2)
        at = rng.random() * o.probabilities.sum()
        assert o.pick == int(np.searchsorted(np.cumsum(o.probabilities), at))


def test_a_travel_lever_moved_mid_run_reaches_the_travel_times():
    """The travel times are cached on the numbers they are made of
    (:func:`~sim.mechanisms.theatre.fixed_arrays`): a lever moved mid-run reaches them."""
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    m = AllianceModel(base, rng=11)
    m.step()
    targets = np.array([m.codes.index("EST"), m.codes.index("POL")])
    before, _ = m.theatre._travel(targets)
    m.change_params({"crisis.move_kmh": 40.0, "crisis.staging_hours": 12.0})
    after, hub = m.theatre._travel(targets)
    km = m.theatre.km
    assert np.array_equal(after, 12.0 + km[:, targets].T / 40.0)
    assert np.array_equal(hub, 12.0 + m.theatre.km_hub[targets] / 40.0)
    assert not np.array_equal(before, after)


def _reference_race(c, attacker, in_place, amounts, delays, depth_km):
    """The race as first written (rows x steps, every row through every step): what
    :func:`~sim.mechanisms.local_balance.race` must give, bit for bit."""
    dt = c["race_step_hours"]
    steps = math.ceil(c["horizon_days"] * 24.0 / dt)
    spread = max(c["arrival_spread_hours"], 1e-9)
    rows, n = amounts.shape[0], steps + 1
    slope = amounts / spread
    on = np.minimum(np.round(np.minimum(delays, 1e9) / dt), n).astype(np.intp)
    off = np.minimum(np.round((np.minimum(delays, 1e9) + spread) / dt), n).astype(np.intp)
    base = (np.arange(rows) * (n + 1))[:, None]
    size = rows * (n + 1)
    change = np.bincount((on + base).ravel(), slope.ravel(), size) - np.bincount(
        (off + base).ravel(), slope.ravel(), size
    )
    rate = np.cumsum(change.reshape(rows, n + 1)[:, :n], axis=1)
    defenders = np.zeros((rows, n))
    np.cumsum(rate[:, :-1] * dt, axis=1, out=defenders[:, 1:])
    defenders += in_place[:, None]
    rho = attacker[:, None] / np.maximum(defenders, 1e-9)
    halt, rout = c["halt_ratio"], max(c["rout_ratio"], c["halt_ratio"] + 1e-9)
    surplus = np.maximum(rho - halt, 0.0)
    speed = surplus / (surplus + (rout - halt)) * (c["advance_km_per_day"] / 24.0)
    covered = np.zeros((rows, n))
    np.cumsum(speed[:, :-1] * dt, axis=1, out=covered[:, 1:])
    reached = covered >= depth_km
    first = np.where(reached.any(axis=1), reached.argmax(axis=1), -1)
    r, prev = np.arange(rows), np.maximum(first - 1, 0)
    inside = (depth_km - covered[r, prev]) / np.maximum(speed[r, prev], 1e-12)
    hours = np.where(
        first > 0, prev * dt + np.minimum(inside, dt), np.where(first == 0, 0.0, np.inf)
    )
    arriving = np.where(amounts > 0, delays, np.inf)
    return (covered[:, -1], hours, arriving.min(axis=1), defenders[:, -1])


@pytest.mark.parametrize("rows", [1, 9, 300])  # one crisis, a model's targets, a batch's
@pytest.mark.parametrize(
    "changed",
    [
        {},
        {"race_step_hours": 4.0, "arrival_spread_hours": 1.0},
        {"halt_ratio": 1.0, "rout_ratio": 1.0},  # rout at the halt ratio
        {"advance_km_per_day": 0.0},  # out of bounds: every row takes the steps
    ],
)
def test_the_race_takes_the_steps_only_where_an_advance_can_move(ready, rows, changed):
    """Rows stopped against their fewest defenders, rows that advance, attackers of none,
    reinforcements that never come and objectives at 0 km: the race gives what every row
    through every step gives."""
    c = {**ready[0].p_crisis, **changed}
    rng = np.random.default_rng(rows)
    attacker = rng.lognormal(1.0, 1.0, rows)
    attacker[::7] = 0.0
    in_place = rng.uniform(0.0, 6.0, rows)
    amounts = rng.uniform(0.0, 2.0, (rows, 34))
    amounts[rng.random((rows, 34)) < 0.2] = 0.0
    delays = rng.uniform(0.0, 900.0, (rows, 34))
    delays[rng.random((rows, 34)) < 0.1] = np.inf
    for depth in (c["probe_depth_km"], 0.0, 5.0):
        got = local_balance.race(c, attacker, in_place, amounts, delays, depth)
        want = _reference_race(c, attacker, in_place, amounts, delays, depth)
        for x, y in zip(
            (got.reach_km, got.hours, got.first_help_hours, got.defenders_end), want, strict=True
        ):
            assert x.tobytes() == y.tobytes()


# -- second pass (issue 25): the theatre's refresh and the assessment's reads -----------------


def _fresh_presence(m: AllianceModel) -> np.ndarray:
    """A run's presence as first written: the data's of the year among today's members."""
    member = m.ally_state.member
    base = theatre._presence(m.year, m.p_crisis["troops_per_bde"])
    return base * member[None, :] * member[:, None]


def test_the_presence_is_made_again_when_what_it_is_made_of_changes():
    """:func:`~sim.mechanisms.theatre.refresh_theatres` keeps a run's presence while the
    data's array and its members are the same, and makes it anew after a join (members changed
    in place), a ``troops_per_bde`` lever moved mid-run, or a presence bound from outside;
    each run of a batch gets what it gets alone."""
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    models = [AllianceModel(base, rng=seed) for seed in (21, 22, 23)]
    batch = Batch(models)
    for _ in range(2):
        engine_year.step(batch)
    kept = [m.theatre.presence for m in models]
    theatre.refresh_theatres([m.theatre for m in models], models, [m.year for m in models])
    assert all(m.theatre.presence is k for m, k in zip(models, kept, strict=True))
    # one run loses an ally (in place), one moves a lever, one has its presence bound outside
    est = models[0].codes.index("EST")
    models[0].ally_state.member[est] = False
    models[1].change_params({"crisis.troops_per_bde": 3000.0})
    models[2].theatre.presence = np.full((31, 31), 7.0)
    theatre.refresh_theatres([m.theatre for m in models], models, [m.year for m in models])
    for m, k in zip(models, kept, strict=True):
        assert m.theatre.presence is not k
        assert np.array_equal(m.theatre.presence, _fresh_presence(m))
    assert not models[0].theatre.presence[:, est].any()
    for m in models:  # alone: the same
        alone = copy.copy(m.theatre)
        alone.presence = np.zeros((31, 31))  # (bound outside: made anew)
        theatre.refresh_theatres([alone], [m], [m.year])
        assert np.array_equal(alone.presence, m.theatre.presence)
        assert np.array_equal(alone.own, m.theatre.own)
        assert np.array_equal(alone.us_host, m.theatre.us_host)


def test_the_gathered_enablers_are_each_models_own(ready):
    """:func:`~sim.mechanisms.theatre.gather` reads Europe's and the US's enablers over the
    runs at once: each row is what the model's own methods give, for a batch's runs (all, and
    a block of them) and models alone, a US that left the coordination mechanisms among them."""
    ms = ready
    ms[3].united_states.exited_mechanisms = True  # its enablers cut
    try:
        s = ms[0].ally_state
        targets = np.flatnonzero(ms[0].theatre.reachable & s.member & s.armed)

        def check(group: list[AllianceModel]) -> None:
            runs = theatre.gather(group, targets)
            for k, m in enumerate(group):
                want = (
                    m.europe_capability()[cap.ENABLERS],
                    m.us_capability_in_europe()[cap.ENABLERS],
                    max(m.theatre.enablers_start, 1e-9),
                )
                assert runs.enablers[k].tolist() == list(want)
                assert runs.force[k, 0] == m.russia.probe_force()
                assert np.array_equal(runs.presence[k], m.theatre.presence[:, targets].T)

        check(ms)  # each its own pipeline rows
        base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
        batch = [AllianceModel(base, rng=seed) for seed in (31, 32, 33, 34)]
        engine_year.step(Batch(batch))  # one pipeline rows for the batch
        batch[2].united_states.exited_mechanisms = True
        check(batch)
        check(batch[1:3])  # a block: rows of the batch's array
        check([batch[3], batch[0]])  # out of order
    finally:
        ms[3].united_states.exited_mechanisms = False


@pytest.mark.parametrize("rows", [1, 9, 300])
def test_the_untimed_race_reads_as_the_timed(ready, rows):
    """``race(timing=False)`` gives the timed race's reach and defenders at the end, bit for bit
    (stopped rows among many, attackers of none), and NaN hours."""
    c = ready[0].p_crisis
    rng = np.random.default_rng(rows + 100)
    attacker = rng.lognormal(1.0, 1.0, rows)
    attacker[::5] = 0.0
    in_place = rng.uniform(0.0, 6.0, rows)
    amounts = rng.uniform(0.0, 2.0, (rows, 34))
    delays = rng.uniform(0.0, 900.0, (rows, 34))
    for depth in (c["probe_depth_km"], 0.0):
        timed = local_balance.race(c, attacker, in_place, amounts, delays, depth)
        untimed = local_balance.race(c, attacker, in_place, amounts, delays, depth, timing=False)
        assert untimed.reach_km.tobytes() == timed.reach_km.tobytes()
        assert untimed.defenders_end.tobytes() == timed.defenders_end.tobytes()
        assert np.isnan(untimed.hours).all() and np.isnan(untimed.first_help_hours).all()


def test_the_logistic_in_place_is_the_logistic():
    z = np.array([-np.inf, -60.0, -50.0, -3.0, -0.0, 0.0, 1e-9, 2.5, 50.0, 70.0, np.inf, np.nan])
    want = 1.0 / (1.0 + np.exp(-np.minimum(50.0, np.maximum(-50.0, z))))
    assert crisis_game._sig(z).tobytes() == want.tobytes()
    buffer = z.copy()
    assert crisis_game._sig(buffer, buffer) is buffer
    assert buffer.tobytes() == want.tobytes()


def test_the_success_chance_is_the_formulas(ready):
    """:func:`~sim.mechanisms.local_balance.success_chance` in one array gives the formula's
    values bit for bit (reaches of none, beyond the objective, NaN; depths a number or per
    row)."""
    c = ready[0].p_crisis
    reach = np.array([0.0, -0.0, 1e-5, 3.0, 30.0, 40.0, 1e6, np.inf, np.nan])
    for depth in (c["probe_depth_km"], 0.0, np.linspace(0.0, 50.0, len(reach))):
        ratio = np.log(np.maximum(reach, 1e-3) / np.maximum(depth, 1e-3))
        want = 1.0 / (1.0 + np.exp(-np.clip(c["balance_sharpness"] * ratio, -50.0, 50.0)))
        got = local_balance.success_chance(c, reach, depth)
        assert got.tobytes() == want.tobytes()
        assert not np.shares_memory(got, reach)


# -- third pass (issue 25): the race's scratch arrays ------------------------------------------


def test_a_race_of_many_rows_returns_nothing_of_its_scratch(ready):
    """A race of many rows works in its thread's scratch (:func:`~sim.mechanisms.local_balance.
    _scratch`): what it returned stays what it was after the next races of the thread, larger
    and smaller, and each gives what every row through every step gives, bit for bit."""
    c = ready[0].p_crisis
    results = []
    for rows in (300, 600, 200, 9):
        rng = np.random.default_rng(rows)
        attacker = rng.lognormal(1.0, 1.0, rows)
        in_place = rng.uniform(0.0, 6.0, rows)
        amounts = rng.uniform(0.0, 2.0, (rows, 34))
        delays = rng.uniform(0.0, 900.0, (rows, 34))
        args = (c, attacker, in_place, amounts, delays, c["probe_depth_km"])
        got = local_balance.race(*args)
        untimed = local_balance.race(*args, timing=False)
        results.append((got, untimed, _reference_race(*args)))
    for got, untimed, want in results:
        for x, y in zip(
            (got.reach_km, got.hours, got.first_help_hours, got.defenders_end), want, strict=True
        ):
            assert x.tobytes() == y.tobytes()
        assert untimed.reach_km.tobytes() == want[0].tobytes()
        assert untimed.defenders_end.tobytes() == want[3].tobytes()


def test_arrivals_before_the_onset_are_refused(ready):
    """A negative delay (before the onset) is refused, as counting bins from the end would
    hide it."""
    c = ready[0].p_crisis
    delays = np.full((200, 3), 10.0)
    delays[5, 1] = -100.0
    with pytest.raises(ValueError, match="onset"):
        local_balance.race(c, np.ones(200), np.ones(200), np.ones((200, 3)), delays, 10.0)


@pytest.mark.parametrize("shared", [True, False])
def test_a_block_of_what_was_gathered_is_what_the_block_gathers(ready, shared):
    """:meth:`~sim.mechanisms.theatre.Runs.block` (the assessment gathers a group once, then
    races it in blocks) gives each field as gathering the block's runs alone gives it, runs
    sharing their fixed arrays or not (world 7: other travel times; a block of runs that share
    them, taken from runs that do not, has them per run: the same values, broadcast)."""
    ms = [ready[0], ready[4], ready[5], ready[3]] if shared else ready
    s = ms[0].ally_state
    targets = np.flatnonzero(ms[0].theatre.reachable & s.member & s.armed)
    whole = theatre.gather(ms, targets)
    for lo, hi in ((0, 2), (2, len(ms)), (1, 3)):
        part, alone = whole.block(lo, hi), theatre.gather(ms[lo:hi], targets)
        for f in part.__dataclass_fields__:
            x, y = getattr(part, f), getattr(alone, f)
            y = np.broadcast_to(y, x.shape)
            assert np.ascontiguousarray(x).tobytes() == np.ascontiguousarray(y).tobytes(), f


def test_the_refresh_reads_the_batchs_kept_factors_until_a_theatre_binds_new_ones():
    """:func:`~sim.mechanisms.theatre.refresh_theatres` given the batch reads the theatres'
    purchasing-power factors and armed allies as the batch keeps them (each the very array of
    the run's theatre) and sees a theatre that binds new ones: each run's own forces are what
    its theatre refreshed alone gives, bit for bit."""
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    worlds = [base, base.with_params({"crisis.ppp_elasticity": 0.3, "crisis.bde_cost_bn": 9.0})]
    models = [AllianceModel(worlds[k % 2], rng=30 + k) for k in range(4)]
    batch = Batch(models)
    for step in range(3):
        if step == 2:  # a theatre's factors bound anew (a what-if): seen by the batch
            models[1].theatre.ppp = models[1].theatre.ppp * 2.0
            models[2].theatre.armed = np.zeros(31, dtype=bool)
        for phase in engine_year.PHASES:
            phase(batch)
            if phase is engine_year.russia_prepares:  # (its stocks as the refresh read them)
                for m in models:
                    alone = copy.copy(m.theatre)
                    theatre.refresh_theatres([alone], [m], [m.year])
                    assert alone.own.tobytes() == m.theatre.own.tobytes()
                    assert alone.us_host.tobytes() == m.theatre.us_host.tobytes()
    assert not models[2].theatre.own.any()
