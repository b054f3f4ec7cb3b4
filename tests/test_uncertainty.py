"""Kinds and plausible ranges of the parameters (sim.scenario.uncertainty), worlds
(sim.runs.worlds)."""

from __future__ import annotations

import statistics
import warnings

import pytest

from sim.runs.runner import run_one, run_replications
from sim.runs.store import load_run, write_results
from sim.runs.worlds import draw_world, quantile, scenario_ranges
from sim.scenario import CATALOGUE, Scenario, ScenarioError, load_scenario
from sim.scenario.uncertainty import (
    KINDS,
    TABLE,
    Dist,
    narrowed,
    problems,
    resolve,
    resolve_all,
    stale_entries,
)


def test_every_parameter_resolves_to_a_kind_with_a_source():
    kinds = resolve_all()
    assert set(kinds) == set(CATALOGUE.by_key)
    assert {u.kind for u in kinds.values()} <= set(KINDS)
    assert all(u.source.strip() for u in kinds.values())
    stale = stale_entries()
    if stale:  # a parameter removed from the schema: report, do not break the suite
        warnings.warn(f"uncertainty table entries without a parameter: {stale}", stacklevel=1)


def test_ranges_lie_within_hard_bounds_and_contain_the_default():
    assert problems() == []
    for p in CATALOGUE.params:
        u = resolve(p)
        if u.sampled:
            assert p.low <= u.dist.low <= p.default <= u.dist.high <= p.high, p.key
            assert u.dist.high > u.dist.low, p.key  # a range, not a point


def test_levers_are_never_sampled_and_switches_are_held():
    for p in CATALOGUE.params:
        u = resolve(p)
        if p.lever:
            assert u.kind == "lever" and not u.sampled
        if p.section == "mechanisms":
            assert not u.sampled


def test_table_entries_have_known_kinds():
    for key, (kind, dist, source) in TABLE.items():
        assert kind in KINDS and source, key
        assert dist is None or kind == "assumption", key


def test_enough_assumptions_are_sampled():
    assert sum(u.sampled for u in resolve_all().values()) >= 15


@pytest.mark.parametrize(
    "dist",
    [Dist("uniform", 1, 3), Dist("triangular", 0, 4, 1), Dist("loguniform", 0.1, 10)],
)
def test_ppf_covers_the_range(dist):
    values = [dist.ppf(i / 1000) for i in range(1000)]
    assert min(values) == pytest.approx(dist.low)
    assert max(values) <= dist.high
    assert values == sorted(values)
    if dist.shape == "triangular":  # the mean of a triangular distribution
        assert statistics.mean(values) == pytest.approx((0 + 4 + 1) / 3, abs=0.01)


def test_bad_distributions_are_refused():
    with pytest.raises(ValueError, match="mode"):
        Dist("triangular", 0, 1, 2)
    with pytest.raises(ValueError, match="above 0"):
        Dist("loguniform", 0, 1)
    with pytest.raises(ValueError, match="shape"):
        Dist("normal", 0, 1)  # type: ignore[arg-type]


def test_a_narrowed_range_is_validated():
    p = CATALOGUE.by_key["russia.probe_us_weight"]
    d = narrowed(p.key, {"low": 0.8, "high": 1.0}, p)
    assert (d.shape, d.low, d.high) == ("uniform", 0.8, 1.0)
    for bad in ({"low": 0.8, "high": 1.5}, {"low": 0.9, "high": 0.8}, {"low": "x", "high": 1}):
        with pytest.raises(ValueError, match=r"bounds|number"):
            narrowed(p.key, bad, p)
    lever = CATALOGUE.by_key["united_states.threat_intensity"]
    with pytest.raises(ValueError, match="lever"):
        narrowed(lever.key, {"low": 0.1, "high": 0.2}, lever)


def test_worlds_come_from_the_seed_alone():
    ranges = scenario_ranges(Scenario.default())
    a, b, c = draw_world(ranges, 11), draw_world(ranges, 11), draw_world(ranges, 12)
    assert a == b and a != c
    for key, value in a.items():
        assert ranges[key].low - 1e-9 <= value <= ranges[key].high + 1e-9
        if CATALOGUE.by_key[key].kind == "int":
            assert isinstance(value, int)
    assert 0 <= quantile(11, "russia.fatigue") < 1


def test_common_worlds_across_scenarios_parameter_by_parameter():
    base = Scenario.default()
    variant = base.with_params({"russia.fatigue": 0.2})  # an explicit setting fixes it
    r1, r2 = scenario_ranges(base), scenario_ranges(variant)
    assert "russia.fatigue" in r1 and "russia.fatigue" not in r2
    w1, w2 = draw_world(r1, 5), draw_world(r2, 5)
    assert all(w1[k] == w2[k] for k in w2)


def test_a_file_setting_fixes_a_parameter_even_at_its_default(tmp_path):
    default = CATALOGUE.by_key["russia.fatigue"].default
    path = tmp_path / "s.toml"
    path.write_text(f'extends = "baseline"\nname = "s"\n[russia]\nfatigue = {default}\n')
    assert "russia.fatigue" not in scenario_ranges(load_scenario(path))
    assert "russia.fatigue" in scenario_ranges(load_scenario("baseline"))
    assert scenario_ranges(load_scenario(path), fixed=True) == {}


def test_the_model_draws_are_unchanged_by_a_world_of_point_values():
    sc = Scenario.default().with_params({"run.end_year": 2031})
    point = {k: sc.get(k) for k in scenario_ranges(sc)}
    a, b = run_one(sc, 3), run_one(sc, 3, world=point)
    assert a.summary == b.summary and a.model == b.model
    assert b.world == point


def test_runs_write_a_worlds_table_and_fixed_runs_none(tmp_path):
    sc = load_scenario("baseline").with_params({"run.end_year": 2028})
    res = run_replications(sc, 4, seed=2, worlds=True)
    w = res.worlds
    assert list(w["run"]) == [0, 1, 2, 3] and list(w["seed"]) == res.seeds
    params = w.drop(columns=["run", "seed"])
    assert (params.nunique() > 1).sum() >= 15
    write_results(res, tmp_path / "out", "test", "csv")
    back = load_run(tmp_path / "out")
    assert back.worlds.shape == w.shape
    fixed = run_replications(sc, 2, seed=2)
    assert fixed.worlds.empty and "worlds" not in fixed.tables


def test_cruxes_find_a_planted_assumption_above_the_noise_floor():
    import numpy as np
    import pandas as pd

    from sim.analysis.cruxes import cruxes, in_words

    rng = np.random.default_rng(0)
    n = 120
    worlds = pd.DataFrame({"run": range(n), "seed": range(n)})
    for i in range(12):
        worlds[f"p.x{i}"] = rng.random(n)
    outcome = pd.DataFrame({"article5_failure": (worlds["p.x3"] > 0.6).astype(float)})
    outcome.index = worlds["run"]
    table = cruxes(worlds, outcome, seed=1)
    top = table.iloc[0]
    assert top["parameter"] == "p.x3" and bool(top["above_noise"])
    assert top["low"] == pytest.approx(0.6, abs=0.05) and top["inside"] == 1.0
    assert "turns mainly on p.x3: above 0.5" in in_words(table)[0]  # 0.597
    rare = pd.DataFrame({"article5_failure": [1.0] * 2 + [0.0] * (n - 2)}, index=worlds["run"])
    assert "too few" in in_words(cruxes(worlds, rare))[0]


def test_a_scenario_narrows_a_range_in_its_uncertainty_table(tmp_path):
    path = tmp_path / "narrow.toml"
    path.write_text(
        'extends = "baseline"\nname = "narrow"\n[russia]\nprobe_us_weight = 0.9\n'
        '[uncertainty]\n"russia.probe_us_weight" = { low = 0.8, high = 1.0 }\n'
        '"russia.fatigue" = { low = 0.1, mode = 0.12, high = 0.2 }\n'
    )
    sc = load_scenario(path)
    assert sc.get("russia.probe_us_weight") == 0.9  # the point value of --fixed runs
    ranges = scenario_ranges(sc)
    assert (ranges["russia.probe_us_weight"].low, ranges["russia.probe_us_weight"].high) == (
        0.8,
        1.0,
    )
    assert ranges["russia.fatigue"].shape == "triangular"
    common = scenario_ranges(load_scenario("baseline"))
    for seed in (1, 2, 3):  # a narrowed range keeps each world's quantile
        u = quantile(seed, "russia.fatigue")
        assert draw_world(ranges, seed)["russia.fatigue"] == ranges["russia.fatigue"].ppf(u)
        assert draw_world(common, seed)["russia.fatigue"] == common["russia.fatigue"].ppf(u)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('"russia.nope" = { low = 0, high = 1 }', "parameter"),
        ('"russia.fatigue" = { low = 0.5, high = 2 }', "bounds"),
        ('"russia.fatigue" = { low = 0.1 }', "number"),
        ('"russia.fatigue" = 0.3', "table"),
        ('"united_states.threat_intensity" = { low = 0.1, high = 0.2 }', "lever"),
        ('"allies.threat_gain" = { low = 1, high = 2 }', "fitted"),
        ('"russia.fatigue" = { low = 0.1, high = 0.2, spread = 1 }', "spread"),
        ('"capability.coverage_goal" = { low = 0.5, high = 0.9 }', "held"),  # a definition
        ('"verdict.carry_coverage" = { low = 0.5, high = 0.9 }', "held"),
        # found by fuzzing: an integer's range with no whole number in it, a note not a text
        ('"united_states.patience_years" = { low = 1.2, high = 1.7 }', "whole number"),
        ('"russia.fatigue" = { low = 0.1, high = 0.2, note = 5 }', "note"),
    ],
)
def test_a_bad_uncertainty_entry_is_named(tmp_path, entry, expected):
    path = tmp_path / "bad.toml"
    path.write_text(f'extends = "baseline"\nname = "bad"\n[uncertainty]\n{entry}\n')
    with pytest.raises(ScenarioError, match=expected) as err:
        load_scenario(path)
    assert "uncertainty" in str(err.value)


def test_a_value_the_scenario_sets_must_lie_in_its_own_range(tmp_path):
    """Found by fuzzing: a scenario that set a value and gave it a range without it ran its
    worlds in the range, the value ignored. The value is its point-value run and the range its
    worlds (a thesis sets its value as the mode), so they must agree: a value in the range
    loads, and a child's range must hold the value its parent set."""
    path = tmp_path / "s.toml"
    body = 'extends = "baseline"\nname = "s"\n[russia]\nprobe_us_weight = {v}\n[uncertainty]\n'
    body += '"russia.probe_us_weight" = {{ low = 0.8, high = 0.9 }}\n'
    path.write_text(body.format(v=0.5))
    with pytest.raises(ScenarioError, match=r"holds the value the scenario sets \(0.5\)"):
        load_scenario(path)
    path.write_text(body.format(v=0.85))
    assert load_scenario(path).get("russia.probe_us_weight") == 0.85
    child = tmp_path / "child.toml"
    child.write_text(
        'extends = "s.toml"\nname = "c"\n[uncertainty]\n'
        '"russia.probe_us_weight" = { low = 0.1, high = 0.2 }\n'
    )
    with pytest.raises(ScenarioError, match="holds the value"):
        load_scenario(child)


def test_cruxes_html_is_empty_without_worlds_and_escapes_text():
    import pandas as pd

    from sim.analysis.cruxes import COLUMNS, cruxes_html

    assert cruxes_html(pd.DataFrame(columns=COLUMNS)) == ""
    row = dict.fromkeys(COLUMNS, 0.0) | {
        "outcome": "article5_failure",
        "parameter": "russia.fatigue",
        "above_noise": True,
        "sentence": "a <b> turns on c",
        "worlds": 10,
    }
    html = cruxes_html(pd.DataFrame([row]))
    assert "&lt;b&gt;" in html and "russia.fatigue" in html


def test_params_command_shows_kind_and_range(capsys):
    from sim.cli.commands import main

    assert main(["params", "russia"]) == 0
    out = capsys.readouterr().out
    assert "kind and plausible range" in out
    assert "russia.reaction_coefficient" in out and "assumption U(0.01, 0.05)" in out
    assert main(["params", "united_states", "-v"]) == 0
    out = capsys.readouterr().out
    assert "lever" in out and "judgement" in out


def test_a_drawn_value_breaking_a_cross_field_rule_falls_back_to_the_scenarios():
    from sim.runs.worlds import apply_world

    sc = Scenario.default().with_params({"allies.pledge_weight": 0.7})  # peer 0.2: 0.9 < 0.95
    applied, used = apply_world(sc, {"allies.peer_weight": 0.3, "russia.fatigue": 0.2})
    assert used == {"allies.peer_weight": 0.2, "russia.fatigue": 0.2}
    assert applied.get("allies.peer_weight") == 0.2 and applied.get("russia.fatigue") == 0.2


def test_worlds_draw_the_fitted_parameters_jointly_from_the_bootstrap():
    """A world's fitted parameters are one whole bootstrap refit of the fit the scenario extends
    (never mixed across refits); ``--fixed`` keeps the fitted values; a scenario that sets a
    fitted parameter itself holds them all."""
    from sim.calibration import bootstrap_draws
    from sim.runs.worlds import fitted_window
    from sim.scenario.paths import resolve_scenario_path

    sc = load_scenario(resolve_scenario_path("baseline"))
    window = fitted_window(sc)
    assert window == (2014, 2024)
    draws = bootstrap_draws(window)
    res = run_replications(sc, 8, 1, worlds=True)
    keys = sorted(draws[0])
    rows = {tuple(round(d[k], 12) for k in keys) for d in draws}
    seen = {tuple(round(float(r[k]), 12) for k in keys) for _, r in res.worlds.iterrows()}
    assert seen <= rows and len(seen) > 1
    own = sc.with_params({"allies.threat_gain": 1.0})
    assert fitted_window(own) is None


def test_common_ranges_span_what_the_theses_assert():
    """Issue 24: an assumption the theses dispute has a common range covering every value a
    thesis asserts (its source says so); a thesis's own runs narrow it again."""
    from sim.scenario.uncertainty import thesis_values

    asserted = thesis_values()
    assert {"perception.resolve_weight_threat", "russia.probe_us_weight"} <= set(asserted)
    for key, values in asserted.items():
        u = resolve(CATALOGUE.by_key[key])
        if not u.sampled:
            continue
        assert all(u.dist.low <= v <= u.dist.high for v in values.values()), key
    u = resolve(CATALOGUE.by_key["perception.resolve_weight_threat"])
    assert (u.dist.shape, u.dist.low, u.dist.high) == ("uniform", 0.05, 0.5)
    assert "contested" in u.source and "reckoning (seed 001) 0.5" in u.source
    thesis = scenario_ranges(load_scenario("scenarios/theses/reckoning.toml"))
    assert thesis["perception.resolve_weight_threat"].mode == 0.5  # its own narrowed range


def test_params_and_the_odd_say_kind_range_and_its_source():
    from sim.docs import parameter_tables
    from sim.scenario.uncertainty import describe, range_source

    kinds = resolve_all()
    assert range_source(kinds["crisis.troops_per_bde"]) == "published"
    assert range_source(kinds["russia.war_ceiling_pct"]) == "published end"
    assert range_source(kinds["russia.probe_us_weight"]) == "theses"
    assert range_source(kinds["russia.fatigue"]) == "judgement"
    assert describe(kinds["russia.probe_us_weight"]) == "assumption U(0.3, 0.975) [theses]"
    table = parameter_tables()
    assert "| kind, plausible range [its source] |" in table
    assert "U(0.3, 0.975) [theses]: contested" in table


def test_pooled_cells_repeat_their_dummies_with_their_worlds():
    """Runs pooled from cells sharing their worlds (the same seeds) repeat the parameters; the
    dummies must repeat with them, or the floor drops and noise is named a crux."""
    import numpy as np
    import pandas as pd

    from sim.analysis.cruxes import cruxes

    rng = np.random.default_rng(4)
    n = 60
    one = pd.DataFrame({"seed": range(n), **{f"p.x{i}": rng.random(n) for i in range(12)}})
    y1 = (rng.random(n) < 0.4).astype(float)  # noise: no parameter matters
    worlds = pd.concat([one] * 3, ignore_index=True)
    worlds.insert(0, "run", range(3 * n))
    y = pd.DataFrame({"article5_failure": np.tile(y1, 3)}, index=worlds["run"])
    fair = cruxes(worlds, y, seed=1, pooled=True)
    naive = cruxes(worlds, y, seed=1)
    assert fair["noise_floor"].iloc[0] > naive["noise_floor"].iloc[0]
    assert not fair["above_noise"].any()
