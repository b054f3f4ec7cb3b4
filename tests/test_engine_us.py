"""The US's year over a batch (:func:`sim.engine.year.united_states_acts`): its measures of
progress computed once for the batch (:mod:`sim.engine.measures`) give each run what it gets
alone; the threats, their execution (a draw) and human decisions stay per run."""

from __future__ import annotations

import numpy as np

import sim
from sim.agents import united_states as rules
from sim.engine import year as engine_year
from sim.engine.batch import Batch
from sim.engine.measures import progress_measures
from sim.engine.us import NUMBERS
from sim.model.alliance import AllianceModel
from sim.model.decisions import Decisions

VARIANTS = (
    {},
    {"united_states.patience_years": 1, "united_states.execution_probability": 0.9},
    {"united_states.threat_intensity": 0.0},
    {"capability.isr_irreplaceable_share": 0.9},
)


def _models(seed: int, measurement: str = "headline") -> list[AllianceModel]:
    base = sim.Scenario.default().with_params({"united_states.measurement": measurement})
    return [
        AllianceModel(base.with_params(v) if v else base, rng=seed + k)
        for k, v in enumerate(VARIANTS)
    ]


def _us(m: AllianceModel) -> tuple:
    us = m.united_states
    return (us.threat_level, us.posture, us.escalation, tuple(m.laggards.tolist()))


def test_the_batch_measures_are_each_runs_alone():
    """Runs in different states (seeds, worlds, years stepped): the batch's measures of progress
    are, bit for bit, what each run measures alone."""
    models = _models(3)
    for k, m in enumerate(models):
        for _ in range(k + 1):
            m.step()
    head, capab = progress_measures(Batch(models))
    for m, h, c in zip(models, head.tolist(), capab.tolist(), strict=True):
        assert (h, c) == m.progress_measures()
    assert len(set(head.tolist())) > 1 and len(set(capab.tolist())) > 1


def test_the_us_acts_in_a_batch_as_each_run_alone():
    """Every year, after the batch's US phase, each run's US (threat, posture, escalation,
    laggards) is what it is stepped alone, by either measure; a human's threat level in one
    run stays that run's."""
    for measurement in ("headline", "capability"):
        together, alone = _models(21, measurement), _models(21, measurement)
        batch = Batch(together)
        while together[0].running:
            for ms in (together, alone):
                if ms[2].year == 2027:
                    ms[2].decisions = Decisions(us_threat=0.8, us_drawdown=0.1)
            engine_year.step(batch)
            for m in alone:
                m.step()
            for a, b in zip(together, alone, strict=True):
                assert _us(a) == _us(b)
        for a, b in zip(together, alone, strict=True):
            assert a.recorder.events == b.recorder.events
            np.testing.assert_array_equal(
                np.array(a.recorder.model_rows["us_threat_level"]),
                np.array(b.recorder.model_rows["us_threat_level"]),
            )
        assert any("human" in m.recorder.events["kind"] for m in together)


# worlds in which every branch of the US's year is taken somewhere: relenting (trust below the
# bar), success declared early, executions drawn often, cajoling, no executions at all
BRANCHES = (
    {},
    {"united_states.relent_trust": 0.95, "united_states.escalation_step": 0.4},
    {"united_states.success_progress": 0.3},
    {
        "united_states.patience_years": 1,
        "united_states.execution_probability": 0.7,
        "united_states.drawdown_step": 0.2,
    },
    {"united_states.threat_intensity": 0.0},
    {"united_states.asia_pressure": 2.5, "united_states.max_posture_change": 0.02},
)
# a seminar's human US in some runs and years: (run, year) -> decisions
HUMANS = {
    (0, 2027): {"us_threat": 0.8},
    (1, 2028): {"us_reassurance": 0.5},
    (2, 2027): {"us_drawdown": 0.1},
    (3, 2029): {"us_drawdown": 0.0, "us_threat": 0.0},
    (5, 2030): {"us_threat": 0.6, "us_reassurance": 0.3, "us_drawdown": 0.2},
}


def _branch_models(seed: int, measurement: str, switch: bool = True) -> list[AllianceModel]:
    base = sim.Scenario.default().with_params(
        {"united_states.measurement": measurement, "united_states.execute_threats": switch}
    )
    return [AllianceModel(base.with_params(v), rng=seed + k) for k, v in enumerate(BRANCHES)]


def _full(m: AllianceModel) -> tuple:
    us = m.united_states
    return (
        us.threat_level,
        us.escalation,
        us.last_progress,
        us.reassurance_extra,
        us.success_declared,
        us.years_threatened,
        us.coercion_credibility,
        us.posture,
        us.posture_target,
        us.ambiguity,
        us.drawdown_this_year,
        tuple(us.moves) if us.moves else (),
        tuple(m.laggards.tolist()),
        float(m.russia.resolve_estimate),
        tuple(m.ally_state.trust.tolist()),
    )


def test_every_branch_of_the_us_year_in_a_batch_is_each_runs_alone():
    """Runs in worlds that take every branch (relent, success, frequent executions, cajoling),
    humans deciding in some runs and years (threat level, reassurance, drawdown, a drawdown of
    0), a lever moved mid-run in every run (new tables: the kept parameter columns are read
    again), by both measures and with executions switched off: after every year each run's
    US state, laggards and event log are those it has alone."""
    for measurement, switch in (("headline", True), ("capability", True), ("headline", False)):
        together = _branch_models(31, measurement, switch)
        alone = _branch_models(31, measurement, switch)
        batch = Batch(together)
        seen: set[str] = set()
        while together[0].running:
            for ms in (together, alone):
                for k, m in enumerate(ms):
                    human = HUMANS.get((k, m.year + 1))
                    if human:
                        m.decisions = Decisions(**human)
                if ms[0].year == 2031:
                    for k, m in enumerate(ms):
                        m.change_params({"united_states.threat_intensity": 0.2 + 0.1 * k})
            engine_year.step(batch)
            for m in alone:
                m.step()
            for a, b in zip(together, alone, strict=True):
                assert _full(a) == _full(b)
                assert a.recorder.events == b.recorder.events
                seen.update(a.united_states.moves)
        kinds = {k for m in together for k in m.recorder.events["kind"]}
        assert {"human", "threat", "escalates"} <= kinds
        assert seen == {"escalates", "relents", "declares_success"}  # each US's moves
        if switch:
            assert {"threat_executed", "relents", "declares_success"} <= kinds
        else:
            assert "threat_executed" not in kinds


def test_the_us_rules_of_one_agent_are_the_batch_rules():
    """The agent's own methods (as the tests and notebooks call them) give what the rules over
    arrays give that run: a threat, an execution and a posture step."""
    one, many = _branch_models(7, "headline"), _branch_models(7, "headline")
    for m in one + many:
        m.united_states.threat_level, m.united_states.last_progress = 0.5, 0.2
        m.united_states.years_threatened = 3
    for k, m in enumerate(one):
        m.united_states.issue_threats(0.1 * k, 1.0, 0.0, 0.4, 0.5)
        m.united_states.execute_threats(k)
        m.united_states.adjust_posture(0.4, 0.1 * k)
    agents = [m.united_states for m in many]
    s = rules.gather(agents)
    p = {k: np.array([m.united_states.p[k] for m in many], dtype=float) for k in us_numbers()}
    p["execute_threats"] = True
    per = {
        k: np.array([m.p_perception[k] for m in many])
        for k in ("credibility_decay", "credibility_execution_gain")
    }
    progress = np.array([0.1 * k for k in range(len(many))])
    ambiguity = np.array([m.now["us_ambiguity"] for m in many])
    rules.threats(p, s, progress, 1.0, 0.0, 0.4, 0.5, ambiguity)
    rules.executions(p, per, s, np.arange(len(many)), [m.rng for m in many])
    rules.postures(p, s, np.array([m.year for m in many]), 0.4, progress)
    rules.scatter(agents, s)
    for a, b in zip(one, many, strict=True):
        assert _full(a)[:11] == _full(b)[:11]


def us_numbers() -> tuple[str, ...]:
    return NUMBERS


def test_a_human_us_decides_in_place_of_the_rules_in_its_run_only():
    """A human's threat level is the run's threat that year; a human's drawdown (even of 0)
    stands in for the execution rule, so that run's years of threats and credibility are not
    touched by it; the other runs of the batch follow the rules."""
    models = _branch_models(5, "headline")
    batch = Batch(models)
    while models[0].year < 2028:
        engine_year.step(batch)
    models[0].decisions = Decisions(us_threat=0.8)
    models[3].decisions = Decisions(us_drawdown=0.0)
    before = [
        (m.united_states.years_threatened, m.united_states.coercion_credibility) for m in models
    ]
    engine_year.step(batch)
    assert models[0].united_states.threat_level == 0.8
    assert any("threat level to 0.80" in e for e in models[0].recorder.events["event"])
    us = models[3].united_states
    assert (us.years_threatened, us.coercion_credibility) == before[3]
    assert models[3].united_states.threat_level >= 0.05  # it threatened: the rule would have acted
    others = [
        (m.united_states.years_threatened, m.united_states.coercion_credibility) for m in models
    ]
    assert others[1] != before[1]  # a run that threatens: its credibility wears or it executes


def test_the_capability_measure_over_the_batch_is_each_runs_product():
    """Capability progress over the batch (one stacked product of the runs' stocks,
    :func:`sim.engine.measures.capability`) is, to the bit, the rule applied to each run's own
    product (``AllianceModel.europe_capability``), in runs in different states and worlds."""
    from sim.engine.measures import capability
    from sim.mechanisms import progress

    models = _models(5, "capability")
    for k, m in enumerate(models):
        for _ in range(k + 2):
            m.step()
    got = capability(Batch(models)).tolist()
    for m, value in zip(models, got, strict=True):
        alone = progress.capability_progress(
            m.europe_capability()[None],
            m.europe_start[None],
            m.us_base[None],
            np.array([m.isr_replaceable()]),
        )
        assert value == float(alone[0])
    assert len(set(got)) > 1
