"""Every decision explained (issue 27): an ally's change in core spending split into the budget
rule's terms (``why_budget_`` columns of the allies table)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.agents import budget_why

from .conftest import ROOT, SCENARIOS


def _why(scenario: sim.Scenario, reps: int = 1, seed: int = 3):
    res = sim.run_replications(scenario, reps, seed)
    assert not res.failures, res.failures[0].error
    a = res.allies.sort_values(["run", "iso3", "year"])
    change = a.groupby(["run", "iso3"])["core_pct"].diff()
    return a, change


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_the_terms_sum_to_the_change_in_every_ally_year(path):
    a, change = _why(sim.load_scenario(path))
    terms = a[list(budget_why.COLUMNS)].sum(axis=1)
    later = change.notna()
    assert later.any()
    assert np.abs(change[later] - terms[later]).max() < 1e-9
    first = a.groupby(["run", "iso3"]).head(1)
    assert (first[list(budget_why.COLUMNS)] == 0).all().all()


KNOCKOUTS = [
    ("peers", "why_budget_peers"),
    ("pledge", "why_budget_pledge"),
    ("free_riding", "why_budget_free_riding"),
    ("self_help", "why_budget_self_help"),
    ("us_threats", "why_budget_us_answer"),
]


@pytest.mark.parametrize(("switch", "column"), KNOCKOUTS, ids=[k[0] for k in KNOCKOUTS])
def test_a_switch_knocked_out_zeroes_its_term(switch, column):
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    on, _ = _why(base)
    off, _ = _why(base.with_params({f"mechanisms.{switch}": False}))
    assert on[column].abs().max() > 1e-4, f"{column} never moves with {switch} on"
    assert off[column].abs().max() == 0.0


def test_limits_take_nothing_where_no_limit_binds():
    """With fiscal limits out of reach and no holdout, the rule's own terms are the change."""
    sc = sim.load_scenario(ROOT / "scenarios" / "cajole.toml").with_params(
        {"allies.max_rise_pp": 3.0, "allies.max_cut_pp": 3.0}
    )
    a, _ = _why(sc)
    assert a["why_budget_limits"].abs().max() < 1e-9


def test_a_threatened_ally_raises_its_budget_for_the_threat():
    """Story: in the grey-zone world the Baltic states' rising threat is a reason to spend."""
    a, _ = _why(sim.load_scenario(ROOT / "scenarios" / "grey_zone.toml"))
    baltic = a[a["iso3"].isin(["EST", "LVA", "LTU"]) & (a["year"] > 2025)]
    assert baltic["why_budget_threat"].sum() > 0


def test_natosim_explain_answers_for_an_ally_russia_and_the_verdict(tmp_path, capsys):
    from sim.cli.commands import main

    out = tmp_path / "run"
    assert (
        main(["run", "baseline", "--reps", "2", "--seed", "7", "--out", str(out), "--no-report"])
        == 0
    )
    capsys.readouterr()
    assert main(["explain", str(out), "--ally", "EST", "--year", "2030", "--run", "1"]) == 0
    text = capsys.readouterr().out
    assert "Estonia" in text and "core spending by" in text and "threat" in text
    assert "Russia in 2030: its chance of probing" in text
    assert "The United States in 2030" in text
    assert "Verdict:" in text and "coverage gain" in text and "US influence" in text
    assert main(["explain", str(out), "--ally", "XXX"]) == 2
    assert main(["explain", str(out), "--run", "9"]) == 2
    assert main(["explain", str(tmp_path)]) == 2


def test_every_probe_has_its_options_and_the_draw_used_their_probabilities():
    """Russia's reasoning (``probe_options``): every year it considered a probe has one row per
    candidate and one for not probing, the probabilities are the logit of the recorded utilities
    (as the draw used them), and every probe Russia chose itself is its chosen row."""
    sc = sim.load_scenario(ROOT / "scenarios" / "ceasefire.toml")
    res = sim.run_replications(sc, 12, 5)
    o = res.probe_options
    assert not o.empty
    sharp = sc.params["russia"]["probe_sharpness"]
    for (_run, _year), g in o.groupby(["run", "year"]):
        z = sharp * g["utility"].to_numpy()
        p = np.exp(z - z.max())
        assert np.allclose(p / p.sum(), g["probability"].to_numpy(), atol=1e-9)
        assert g["chosen"].sum() == 1
    forced = {(e.year) for e in sc.events if e.kind == "russia_probe"}
    probes = res.model[(res.model["probe"] == 1) & ~res.model["year"].isin(forced)]
    assert len(probes) > 0
    chosen = o[o["chosen"]].set_index(["run", "year"])["target"]
    for _, row in probes.iterrows():
        assert chosen.loc[(row["run"], row["year"])] == row["probe_target"]


def test_the_us_handover_of_command_is_explained_with_its_why():
    """C2: the year the US hands NATO's command to a European, ``explain``'s account of the US
    names it with the coverage that decided it (the surge without its scripted SACEUR)."""
    from dataclasses import replace

    from sim.analysis.explain import us_reasons

    sc = sim.load_scenario(ROOT / "scenarios" / "european_surge.toml")
    sc = replace(sc, events=tuple(e for e in sc.events if e.kind != "european_command"))
    res = sim.run_replications(sc, 1, 5)
    year = int(res.events.loc[res.events["kind"] == "european_command", "year"].iloc[0])
    text = us_reasons(res.events, 0, year)
    assert "first European Supreme Allied Commander" in text and "of its requirement" in text
