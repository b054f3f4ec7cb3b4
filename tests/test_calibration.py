"""Calibration and hindcast: the fit writes usable files, no later data leaks into the hindcast,
the skill tables are complete, and the stylised facts are checked with their figures printed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

import sim
from sim import data
from sim.calibration import fit as fitmod
from sim.calibration.hindcast import (
    GAP,
    aggregate,
    allies_at_2pct,
    hindcast_table,
    rank_2024,
    rule_alone,
    skill,
)
from sim.cli.commands import main
from sim.model import initial
from sim.model.network import cached_network

from .conftest import ROOT

HINDCAST = ROOT / "scenarios" / "hindcast_2014.toml"


@pytest.fixture(scope="module")
def table():
    return hindcast_table(sim.load_scenario(HINDCAST), reps=20, seed=3, train_end=2021)


def test_calibrate_writes_a_fragment_scenarios_can_extend(tmp_path, capsys):
    """A short fit (one generation) writes the fragment and its record to the folder asked for,
    leaves the tracked fits alone, and a scenario extending the fragment gets its values."""
    tracked = {p: p.read_bytes() for p in (ROOT / "scenarios" / "calibration").iterdir()}
    out = tmp_path / "fit"
    args = ["calibrate", "--reps", "1", "--bootstrap", "2", "--maxiter", "1", "--polish", "20"]
    args += ["--quiet"]
    assert main([*args, "--out", str(out)]) == 0
    assert "RMSE" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in tracked} == tracked
    record = json.loads((out / "fitted_2014_2021.json").read_text())
    assert record["meta"]["window"] == [2014, 2021]
    assert set(record["values"]) == set(fitmod.FITTED) == set(fitmod.fitted_for(2021))
    for k, v in record["values"].items():
        lo, hi = fitmod.FITTED[k]
        assert lo <= v <= hi
    # the joint uncertainty: each bootstrap refit a full vector within the search bounds
    assert len(record["bootstrap_draws"]) == 2
    for draw in record["bootstrap_draws"]:
        assert set(draw) == set(record["values"])
        assert all(fitmod.FITTED[k][0] <= v <= fitmod.FITTED[k][1] for k, v in draw.items())
    child = tmp_path / "child.toml"
    child.write_text('extends = "fit/fitted_2014_2021"\nname = "child"\n')
    sc = sim.load_scenario(child)
    for k in record["values_used"]:
        assert sc.get(k) == pytest.approx(record["values"][k], abs=1e-4)


def test_shipped_scenarios_use_the_fitted_values():
    for scenario, window in (("baseline", "2014_2024"), ("hindcast_2014", "2014_2021")):
        record = json.loads(
            (ROOT / "scenarios" / "calibration" / f"fitted_{window}.json").read_text()
        )
        sc = sim.load_scenario(ROOT / "scenarios" / f"{scenario}.toml")
        assert record["values_used"], window
        for k in record["values_used"]:
            assert sc.get(k) == pytest.approx(record["values"][k], abs=1e-4), (scenario, k)
        assert "fitted" in sc.description


def test_hindcast_uses_no_spending_data_after_the_start(monkeypatch):
    """Delete every defence figure after 2014 from the data: the hindcast does not change."""
    sc = sim.load_scenario(HINDCAST)
    full = hindcast_table(sc, reps=3, seed=1, train_end=2021)
    only_start = {
        k: {y: v for y, v in s.items() if y <= 2014} for k, s in data.defence_history().items()
    }
    monkeypatch.setattr(data, "defence_history", lambda: only_start)
    monkeypatch.setattr(initial.data, "defence_history", lambda: only_start)
    # a fresh scenario: values derived from the data are computed again
    cut = hindcast_table(sim.load_scenario(HINDCAST), reps=3, seed=1, train_end=2021)
    pd.testing.assert_series_equal(full["sim_median"], cut["sim_median"])


def test_hindcast_table_covers_every_ally_and_year(table):
    assert table["iso3"].nunique() == 30  # every ally with armed forces
    assert set(table["year"]) == set(range(2014, 2026))
    for code in GAP:
        rows = table[table["iso3"] == code]
        assert rows["sim_median"].notna().all() and rows["observed"].notna().sum() == 2
    assert (table["sim_p05"] <= table["sim_median"]).all()
    assert (table["sim_median"] <= table["sim_p95"]).all()


def test_skill_reports_model_and_both_baselines(table):
    sk = skill(table).set_index("scope")
    for scope in ("all", "train", "test", "gap", "POL"):
        assert scope in sk.index
    for col in ("rmse_model", "mae_model", "rmse_persistence", "rmse_trend"):
        assert np.isfinite(sk.loc["all", col])
    print(sk.loc[["all", "train", "test", "gap"]].round(3))
    assert sk.loc["all", "rmse_model"] < sk.loc["all", "rmse_persistence"]


def test_the_fitted_rule_alone_is_scored_on_the_same_ally_years():
    """What a forecast of an ally the model has no record of is worth: the allies with a
    series forecast with every own-record term off (the rule as fitted), on the same ally-years
    as the model. The terms are fitted to the training window's record, so without them the
    training error is larger; a persistence forecast (all an unknown ally gives) is beaten."""
    sc = sim.load_scenario(HINDCAST)
    alone = rule_alone(sc)
    terms = [(c, n) for c in sc.overrides for n in fitmod.RECORD_TERMS if n in sc.overrides[c]]
    assert any(sc.overrides[c][n] != 0 for c, n in terms)  # the shipped fit has terms
    assert all(alone.overrides[c][n] == 0 for c, n in terms)
    t = hindcast_table(sc, reps=3, seed=1, train_end=2021, rule_alone=alone)
    sk = skill(t).set_index("scope")
    for window in ("train", "test"):
        row, ref = sk.loc[f"{window}, rule alone"], sk.loc[window]
        assert row["n"] == ref["n"] and row["rmse_persistence"] == ref["rmse_persistence"]
    assert sk.loc["train, rule alone", "rmse_model"] > sk.loc["train", "rmse_model"]
    assert sk.loc["train, rule alone", "rmse_model"] < sk.loc["train", "rmse_persistence"]
    assert "sim_median_rule" not in hindcast_table(sc, reps=1, seed=1, train_end=2021)


def test_hindcast_counts_allies_at_2pct_and_the_aggregate_against_the_record(table):
    """The issue's measures: allies at 2% per year over the allies NATO reports, NATO Europe's
    GDP-weighted spending per year, the 2024 rank correlation over every ally with a figure;
    the start year matches the record up to the own-record levels (each ally starts at its
    2014 value plus its underlying-level term, a few hundredths of a point)."""
    counts, agg, rho = allies_at_2pct(table), aggregate(table), rank_2024(table)
    print(counts.T, agg.round(3).T, f"rank 2024: {rho:.3f}", sep="\n")
    assert list(counts.index) == list(range(2014, 2026))
    assert counts.loc[2014, "simulated"] == counts.loc[2014, "observed"]
    assert abs(agg.loc[2014, "error"]) < 0.05
    assert {"within_tolerance", "allies_reported"} <= set(counts.columns)
    assert np.isfinite(rho) and -1 <= rho <= 1


def test_hindcast_cli_writes_the_documented_files(tmp_path):
    out = tmp_path / "h"
    assert main(["hindcast", "--reps", "5", "--seed", "2", "--out", str(out)]) == 0
    for name in (
        "hindcast.csv",
        "aggregate.csv",
        "skill.csv",
        "skill.txt",
        "allies_at_2pct.csv",
        "hindcast.png",
        "hindcast.svg",
        "manifest.json",
    ):
        assert (out / name).exists(), name
    counts = pd.read_csv(out / "allies_at_2pct.csv", index_col="year")
    assert counts.loc[2014, "observed"] == 2 and counts.loc[2025, "observed"] == 30


# -- stylised facts ------------------------------------------------------------------------------
def _proximity() -> dict[str, float]:
    params = tuple(sorted(sim.Scenario.default().params["network"].items()))
    prox = cached_network(params)[3]
    return {a.iso3: float(prox[i]) for i, a in enumerate(data.allies())}


def test_free_riding_by_size_is_weak_as_in_the_data(table):
    """Olson and Zeckhauser: larger allies carry more; in NATO's figures the relation is weak
    and comes and goes (rank correlation of GDP and burden: 2014, 2019, 2024)."""
    gdp, h = data.gdp_history(), data.defence_history()
    observed = {}
    for y in (2014, 2019, 2024):
        cs = [c for c in gdp if y in h.get(c, {}) and c != "USA"]
        observed[y] = spearmanr([gdp[c][y] for c in cs], [h[c][y] for c in cs]).statistic
    t = table[table["year"] == 2024]
    simulated = spearmanr([gdp[c][2024] for c in t["iso3"]], t["sim_median"]).statistic
    print(
        f"rank correlation of GDP and burden: observed {observed}, simulated 2024 {simulated:.3f}"
    )
    assert all(-0.3 < v < 0.4 for v in observed.values())
    assert -0.3 < simulated < 0.4


def test_2024_ranking_follows_proximity_to_russia(table):
    """By 2024 spending ranks by proximity to Russia rather than size (observed rho about 0.6).
    The hindcast, fitted on 2014-2021 only, gets the sign and about two thirds of the strength
    (0.45 against 0.63 when last measured)."""
    prox, h = _proximity(), data.defence_history()
    cs = [c for c in prox if 2024 in h.get(c, {})]
    observed = spearmanr([prox[c] for c in cs], [h[c][2024] for c in cs]).statistic
    t = table[table["year"] == 2024].set_index("iso3")
    simulated = spearmanr([prox[c] for c in t.index], t["sim_median"]).statistic
    print(
        f"rank correlation of proximity to Russia and 2024 spending: observed {observed:.3f}, "
        f"simulated {simulated:.3f}"
    )
    assert observed > 0.5
    assert simulated > 0


def test_a_richardson_window_too_short_for_an_error_is_said_and_not_used():
    """With as many yearly steps as coefficients or fewer the OLS is not identified: no
    standard error (before: 0.0000, a figure of 1e-17 from one step), and the estimates are not
    used, as the console line says."""
    short = fitmod.fit_richardson(2014, 2015)
    assert short["n"] == 1 and short["k_se"] is None and short["a_se"] is None
    assert not short["identified"]
    assert "no standard error" in fitmod.richardson_text(short)
    assert fitmod.richardson_text(short).endswith("not used")
    fit = fitmod.Fit(values={}, loss=0.0, loss_default=0.0, richardson=short)
    assert fitmod.russia_values(fit) == {}
    full = fitmod.fit_richardson(2014, 2021)
    assert full["identified"] and full["k_se"] > 0 and "(se " in fitmod.richardson_text(full)


def test_russia_reaction_stays_in_a_stable_richardson_regime():
    """Reaction coefficients of a few hundredths with a stable equilibrium: the model's k is
    below its fatigue a, and with European spending held fixed Russia's spending converges to
    the Richardson fixed point (k Y + g) / a instead of spiralling."""
    from .conftest import make_model

    sc = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    k, a = sc.get("russia.reaction_coefficient"), sc.get("russia.fatigue")
    est = fitmod.fit_richardson(2014, 2021)
    print(
        f"model k = {k}, a = {a}; OLS 2014-2021 on the data: k = {est['k']:.3f} "
        f"(se {est['k_se']:.3f}), a = {est['a']:.3f} (se {est['a_se']:.3f})"
    )
    assert 0 < k < 0.1 and k < a
    russia = make_model({"russia.gdp_growth_pct": 0.0, "russia.reconstitution_years": 0}).russia
    europe = russia.europe_start_bn * 1.3
    path = []
    for _ in range(80):
        russia.react_to_balance(europe, war=0.0)
        path.append(russia.milex_bn)
    steps = np.abs(np.diff(path))
    print(
        f"Russian spending with Europe fixed at 1.3x its start: year 1 {path[0]:.1f}, "
        f"year 20 {path[19]:.1f}, year 80 {path[-1]:.1f} bn US$"
    )
    assert steps[-1] < 0.01 * path[-1] * 0.01  # settled: moves < 0.01% a year
    assert steps[-10:].max() <= steps[:10].max()


# -- issue 26: deadlines, the war, rolling origins, joint uncertainty ---------------------------
def test_the_war_is_fitted_only_on_a_window_that_holds_it():
    assert "allies.war_urgency_gain" not in fitmod.fitted_for(2021)
    for end in (2022, 2023, 2024):
        assert "allies.war_urgency_gain" in fitmod.fitted_for(end)
    assert not set(fitmod.fitted_for(2024)) & {
        "allies.deadline_compliance_soft",
        "allies.deadline_compliance_hard",
        "allies.deadline_oneoff_max_pct",
    }


def test_deadline_strength_comes_from_its_sources():
    """The deadline's defaults are the figures of deadline_references.csv, computed as
    SOURCES.md says (11 of 12 Maastricht aspirants; (15 - 8) of 20 allies below 2% in 2018)."""
    rows = {r["key"]: float(r["value"]) for r in data._rows("deadline_references.csv")}
    d = sim.Scenario.default()
    hard = rows["maastricht_1997_aspirants_met"] / rows["maastricht_1997_aspirants"]
    soft = (
        rows["nato_allies_at_2pct_2024_planned"] - rows["nato_allies_at_2pct_2018_expected"]
    ) / (28 - rows["nato_allies_at_2pct_2018_expected"])
    assert d.get("allies.deadline_compliance_hard") == pytest.approx(hard, abs=0.005)
    assert d.get("allies.deadline_compliance_soft") == pytest.approx(soft, abs=0.005)
    assert d.get("allies.deadline_oneoff_max_pct") == rows["maastricht_1997_oneoff_france_telecom"]


def test_a_complying_ally_lands_on_the_bar_genuinely_first_then_by_one_offs():
    from sim.agents import ally_rules as rules

    a = {"deadline_oneoff_max_pct": 0.45}
    core = np.array([1.5, 1.9, 1.0, 1.5, 2.3])
    comply = np.array([True, True, True, False, True])
    before = core.copy()
    new_core, recl = rules.meet_deadline(
        a, core, np.zeros(5), before, 2.0, comply, np.full(5, 0.35), True
    )
    reported = new_core + recl
    assert reported[0] == pytest.approx(2.0) and new_core[0] == pytest.approx(1.85)
    assert recl[0] == pytest.approx(0.15)
    assert new_core[1] == pytest.approx(2.0) and recl[1] == 0  # within the fiscal limit
    assert reported[2] == pytest.approx(1.8) and reported[2] < 2.0  # out of reach: as far as it can
    assert reported[3] == 1.5 and reported[4] == 2.3  # declines; already above: nothing
    # no one-offs when headline figures do not count
    _, recl_cap = rules.meet_deadline(a, core, np.zeros(5), before, 2.0, comply, 0.35, False)
    assert np.all(recl_cap == 0)


def test_compliance_rises_with_the_us_threat_and_a_met_pledge_is_kept():
    from sim.agents import ally_rules as rules

    a = {"deadline_compliance_soft": 0.35, "deadline_compliance_hard": 0.92}
    chance = rules.compliance_chance(
        a, np.array([0.0, 0.5, 1.0, 2.0, 0.0]), np.array([0, 0, 0, 0, 1], bool)
    )
    assert chance[:4] == pytest.approx([0.35, 0.635, 0.92, 0.92])
    assert chance[4] == 1.0


def test_the_war_adds_nothing_at_the_start_or_without_escalation():
    from sim.agents import ally_rules as rules

    a = {"war_urgency_gain": 2.0}
    prox = np.array([1.0, 0.5, 0.0])
    assert np.all(rules.war_urgency(a, prox, 0.2, 0.2) == 0)
    assert np.all(rules.war_urgency(a, prox, 0.1, 0.2) == 0)
    assert rules.war_urgency(a, prox, 1.0, 0.2) == pytest.approx([1.6, 0.8, 0.0])


def test_a_pledge_falls_due_at_its_deadline():
    from sim.model.pledge import Pledge

    p = Pledge(target=2.0, set_year=2014, deadline=2024)
    assert not p.due(2023) and p.due(2024) and p.due(2030)
    assert not Pledge(target=None, set_year=2014, deadline=2014).due(2030)


def test_bunching_at_the_bar_is_an_outcome(table):
    """Once the Wales/Vilnius pledge falls due (2024), allies land on 2.00-2.05% far more often
    than before it: no input puts them there."""
    near = table.assign(at_bar=table["sim_median"].between(1.995, 2.05))
    before = near[near["year"] == 2023]["at_bar"].sum()
    after = near[near["year"] == 2025]["at_bar"].sum()
    print(f"allies whose median run is at 2.00-2.05%: 2023 {before}, 2025 {after}")
    assert after >= before + 5


def test_bootstrap_draws_are_full_vectors_of_the_tracked_fit():
    from sim.calibration import bootstrap_draws, draw_fitted

    record = json.loads((ROOT / "scenarios" / "calibration" / "fitted_2014_2024.json").read_text())
    draws = bootstrap_draws((2014, 2024))
    assert len(draws) == record["meta"]["bootstrap"] >= 2
    for d in draws:
        assert set(d) == set(record["values"])
    assert draw_fitted(0.0) == draws[0] and draw_fitted(0.999) == draws[-1]
    sc = sim.load_scenario(ROOT / "scenarios" / "baseline.toml").with_params(draw_fitted(0.5))
    assert sc.get("allies.threat_gain") == pytest.approx(
        draws[len(draws) // 2]["allies.threat_gain"]
    )


@pytest.mark.parametrize("origin", [2021, 2022, 2023])
def test_each_rolling_origin_runs_on_its_own_fit(origin, tmp_path, capsys):
    from sim.calibration.hindcast import fit_path, with_fit

    record = json.loads(fit_path(2014, origin).read_text())
    assert record["meta"]["window"] == [2014, origin]
    sc = with_fit(sim.load_scenario(HINDCAST), 2014, origin)
    for k, v in record["values"].items():
        assert sc.get(k) == pytest.approx(v)
    out = tmp_path / "h"
    assert (
        main(
            [
                "hindcast",
                "--reps",
                "2",
                "--seed",
                "1",
                "--train-end",
                str(origin),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = (out / "skill.txt").read_text()
    assert f"fitted on 2014-{origin}" in text and f"test window, {origin + 1}-2025" in text


def test_an_origin_without_a_fit_is_refused_with_exit_2(capsys):
    assert main(["hindcast", "--reps", "1", "--train-end", "2017"]) == 2
    assert "natosim calibrate --window 2014 2017 --write" in capsys.readouterr().err


# -- issue 26: each ally's own record (the second stage of the fit) -----------------------------
def test_own_record_terms_come_from_an_allys_own_record_and_only_in_its_window():
    """The gap allies (no record in the window) follow the rule alone; every term is within its
    bounds; the terms describe a run from the window's start, so a run from another start (the
    baseline, from 2025) is the same with or without them."""
    for origin in (2021, 2022, 2023, 2024):
        record = json.loads(
            (ROOT / "scenarios" / "calibration" / f"fitted_2014_{origin}.json").read_text()
        )
        own = record["own_record"]
        assert own["n_allies"] == len(own["terms"]) >= 20
        assert not set(own["terms"]) & set(GAP)
        for vals in own["terms"].values():
            assert set(vals) == set(fitmod.RECORD_TERMS)
            assert -3 <= vals["record_level_pp"] <= 3 and -3 <= vals["record_target_pp"] <= 5
        # shrunk toward the rule: the in-window fit with them is no worse than without
        assert own["loss_rmse"] <= record["loss_rmse"] + 1e-9
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml").with_params(
        {"run.end_year": 2028}
    )
    assert base.get("allies.record_start_year") == 2014
    with_terms = sim.run_replications(base, 1, 5).allies["core_pct"]
    without = sim.run_replications(base.with_params(fitmod.record_params(0, {})), 1, 5)
    pd.testing.assert_series_equal(with_terms, without.allies["core_pct"])


def test_the_hindcast_reads_its_own_window_terms():
    """``--train-end Y`` runs with the terms of the 2014-Y fit, and starts each ally where its
    own record puts it."""
    from sim.calibration.hindcast import fit_path, with_fit

    record = json.loads(fit_path(2014, 2023).read_text())
    sc = with_fit(sim.load_scenario(HINDCAST), 2014, 2023)
    assert sc.get("allies.record_start_year") == 2014
    for code, vals in record["own_record"]["terms"].items():
        for name, v in vals.items():
            assert sc.ally_value(code, name) == pytest.approx(v)
    for code in GAP:
        assert sc.ally_value(code, "record_target_pp") == 0.0


def test_an_ally_the_fit_never_saw_gets_its_terms_from_its_own_record(monkeypatch, tmp_path):
    """Issue 26 (any ally fits): an ally whose record in the window is in the data but whose
    terms the tracked fit lacks (data that reached the project after the fit) gets them from its
    own record, the fit's way. Leave-one-out on the 2014-2021 fit: with Canada, Greece and
    Slovakia removed from the fit, the hindcast estimates their terms again within 0.05 of the
    fit's (the other allies held at theirs), and the gap allies stay on the rule alone."""
    from sim.calibration import hindcast

    record = json.loads(hindcast.fit_path(2014, 2021).read_text())
    terms = record["own_record"]["terms"]
    left_out = ("CAN", "GRC", "SVK")
    assert all(abs(terms[c]["record_target_pp"]) > 0.4 for c in left_out)  # far from the rule
    thinned = json.loads(json.dumps(record))
    thinned["own_record"]["terms"] = {c: t for c, t in terms.items() if c not in left_out}
    path = tmp_path / "fitted_2014_2021.json"
    path.write_text(json.dumps(thinned))
    monkeypatch.setattr(hindcast, "fit_path", lambda start, end: path)
    assert fitmod.unfitted_allies(thinned, 2014, 2021) == sorted(left_out)
    learned: dict = {}
    sc = hindcast.with_fit(sim.load_scenario(HINDCAST), 2014, 2021, learned)
    assert sorted(learned) == sorted(left_out)
    for code in left_out:
        got, want = learned[code], terms[code]
        print(code, got, want)
        assert got["record_target_pp"] == pytest.approx(want["record_target_pp"], abs=0.05)
        assert sc.ally_value(code, "record_target_pp") == got["record_target_pp"]
    for code in GAP:
        assert sc.ally_value(code, "record_target_pp") == 0.0
    # with every term the fit has, nothing is estimated again
    again: dict = {}
    monkeypatch.setattr(hindcast, "fit_path", lambda start, end: hindcast.FITS / path.name)
    hindcast.with_fit(sim.load_scenario(HINDCAST), 2014, 2021, again)
    assert again == {}


def test_gap_allies_are_read_from_the_data(monkeypatch):
    """The allies forecast by the rule alone are those with under three years in the window:
    the shipped data's six, and none of them once their series is in the data."""
    from sim.calibration import hindcast

    assert tuple(hindcast.gap_allies(2014, 2021)) == GAP
    full = hindcast.observed()
    extra = pd.DataFrame(
        [(c, y, 1.5) for c in GAP for y in range(2015, 2022)], columns=full.columns
    )
    more = lambda: pd.concat([full, extra], ignore_index=True)  # noqa: E731
    monkeypatch.setattr(hindcast, "observed", more)
    monkeypatch.setattr(fitmod, "observed", more)
    assert hindcast.gap_allies(2014, 2021) == []


def test_the_hague_raises_the_pledge_and_vilnius_2pct_stays_due_in_2025():
    """Story (C4, C5, C19; issue 26): in the hindcast, The Hague (3.5% by 2035) raises the
    pledge over Vilnius (2% by 2024), so in 2025 budgets are pulled toward 3.5 while allies below
    2% still face the 2% that fell due (``Pledge.due_bar``); with the floor dropped (a raise that
    replaced the old pledge) nothing would be due in 2025 and this fails."""
    from sim.model.alliance import AllianceModel
    from sim.scenario.loader import load_scenario

    model = AllianceModel(load_scenario(HINDCAST), rng=1)
    while model.year < 2025:
        model.step()
    assert model.pledge.goal(2025, 0.0) == 3.5
    assert (2.0, 2024) in model.pledge.floors
    assert model.pledge.due_bar(2025) == 2.0


def test_the_local_search_restarts_until_it_stops_gaining():
    """The estimate and each bootstrap refit are minima of their loss (``converge``: Nelder-Mead
    restarted where it stopped). On a narrow ridge in eight dimensions (a quadratic whose axes
    differ 100-fold in curvature, turned at random), one Nelder-Mead pass with the same
    tolerances stops far short of the minimum (13.5 against 0 when measured); the restarted
    search reaches it and says so; a budget too small is reported as not converged."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    a = q @ np.diag(np.logspace(0, 2, 8)) @ q.T

    def ridge(x):
        return float((x - 0.5) @ a @ (x - 0.5))

    x0, bounds = np.zeros(8), [(-5.0, 5.0)] * 8
    options = {"maxiter": 20_000, "xatol": 1e-3, "fatol": fitmod.CONVERGED_GAIN}
    once = minimize(ridge, x0, method="Nelder-Mead", bounds=bounds, options=options)
    x, value, ok = fitmod.converge(ridge, x0, bounds, 20_000)
    assert ok and value < 1e-4 and np.allclose(x, 0.5, atol=0.02)
    assert once.fun > 1.0  # the single pass stalled on the ridge
    _, _, ok_small = fitmod.converge(ridge, x0, bounds, 50)
    assert not ok_small


def test_the_bootstrap_gives_the_same_refits_whatever_the_number_of_workers():
    """``natosim calibrate --workers 2`` refits the bootstrap samples in two processes: each
    sample is drawn before any refit and each refit is deterministic (common random numbers),
    so the draws are those of one process, in the same order. A window of two years holds no
    ally's record (three years needed): every ally follows the rule alone (it raised before)."""
    sc = sim.load_scenario(HINDCAST)
    kw = {"start": 2014, "end": 2016, "reps": 1, "bootstrap": 2, "maxiter": 1, "polish": 8}
    one = fitmod.calibrate(sc, workers=1, **kw)
    two = fitmod.calibrate(sc, workers=2, **kw)
    assert one.draws == two.draws and one.values == two.values
    assert two.meta["refits_converged"] in (0, 1, 2) and two.meta["polish"] == 8
    assert one.record["n_allies"] == 0 and one.record["terms"] == {}
