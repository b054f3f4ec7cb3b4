"""Checks that can fail (issue 23): the model beside RAND, DDIS, IISS and NATO's record, the
deadline's reasons measured, and ``natosim checks``.

``pytest tests/test_checks.py -s`` prints every comparison.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

import sim
from sim.analysis import checks, deadline
from sim.cli.checks import COLUMNS
from sim.cli.commands import main
from sim.mechanisms import capability as cap

from .conftest import ROOT


@pytest.fixture(scope="module")
def rows() -> list[checks.CheckRow]:
    return checks.rand_rows() + checks.ddis_rows() + checks.iiss_rows()


def test_every_rand_ddis_and_iiss_check_within_its_band(rows):
    for r in rows:
        print(f"{r.name}: {r.model:.4g} in [{r.reference_low:.4g}, {r.reference_high:.4g}]")
    assert [r.name for r in rows if not r.within] == []
    names = {r.name for r in rows}
    assert {"rand_hours_tallinn", "rand_hours_riga", "rand_brigades_needed"} <= names
    assert {f"ddis_{level}_years" for level in checks.LEVELS} <= names
    assert "iiss_replacement_bn" in names


def test_nato_record_within_its_band():
    """NATO's 2024 record, forecast one year ahead by the fit on 2014-2023 (budgets drafted a
    year ahead, issue 26): NATO Europe within 0.15 points of 2.14% of GDP and allies at 2%
    within 3 of 14. It failed with the fit on 2014-2021 (1.87%) and with budgets answering the
    same year's threat (1.98% with 50 runs)."""
    got = checks.nato_record_rows(reps=3)
    for r in got:
        print(r)
    assert all(r.within for r in got)


def test_rand_hours_depend_on_the_attackers_size():
    """The pace of the advance follows the force ratio: half the crisis game's attacker takes
    longer to reach each capital, twice as large a force less long."""
    base = checks.rand_baltic()
    half = checks.rand_baltic(attacker=base[0].attacker_bde / 2)
    double = checks.rand_baltic(attacker=base[0].attacker_bde * 2)
    for b, h, d in zip(base, half, double, strict=True):
        print(f"{b.iso3}: {d.hours:.1f} h (x2) / {b.hours:.1f} h / {h.hours:.1f} h (x0.5)")
        assert h.hours > 1.1 * b.hours
        assert d.hours < 0.95 * b.hours


def test_brigade_check_turns_on_the_attacker():
    """Against the crisis game's probe a few brigades hold; against an invasion force of three
    times that, more than seven are needed: the check fails when the attacker grows."""
    probe = checks.rand_brigades_needed()
    invasion = checks.rand_brigades_needed(attacker=3 * 3.3)
    print(f"brigades needed: {probe} against the probe, {invasion} against 9.9 bde-e")
    assert 1 <= probe <= 7
    assert invasion > 7


def test_ddis_check_can_fail():
    """Half the refit rate puts the regional and large wars outside DDIS's band."""
    sc = sim.load_scenario(ROOT / "scenarios" / "baseline.toml").with_params(
        {"russia.refit_rate": 0.25}
    )
    got, ref = checks.ddis_timeline(sc), checks.ddis_years()
    print("refit 0.25:", got)
    assert got["large"] > checks.FACTOR * ref["large"]


def test_iiss_check_measures_the_valuation():
    """The money the replacement takes follows the value of the US contribution, measured
    through the pipeline; twice IISS's upper figure is outside the band."""
    sc = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    base = deadline.replacement_money(sc)
    big = deadline.replacement_money(sc.with_params({"capability.us_contribution_bn": 700.0}))
    print(base, big)
    assert base["delivered_share"] > 0.9  # zero lead times, unlimited capacity: it arrives
    assert big["costed_bn"] > 344 * checks.FACTOR
    # industrial capacity binds (IISS, Reuters): less of it arrives by the deadline
    assert base["capacity_delivered_share"] < 0.9 * base["delivered_share"]
    assert base["capacity_backlog_years"] > 0


def test_deadline_decomposition_adds_up_and_names_the_constraints():
    d = deadline.decompose(reps=2)
    print(
        f"2027: progress {d.progress:.3f} against {d.goal}: miss {d.miss:.3f}; shares "
        + ", ".join(f"{k} {v:.2f}" for k, v in d.shares.items())
        + f"; residual {d.residual:.2f}"
    )
    assert d.miss > 0
    assert sum(d.shares.values()) + d.residual == pytest.approx(1.0)
    assert d.shares["lead_times"] > 0.2
    assert d.shares["capacity"] > 0.02
    assert d.shares["money"] > 0.1
    assert d.misses[tuple(sorted(deadline.REASONS))] <= d.miss
    # against all of the US contribution, the ISR money cannot buy has a share too (C17)
    full = deadline.decompose(reps=1, goal=1.0)
    print("goal 1:", {k: round(v, 3) for k, v in full.shares.items()})
    assert full.shares["isr"] > 0


def test_requirement_against_nato_planning():
    """NATO's target is not lowered by a depleted Russia; it grows above the reconstituted
    level with the elasticity."""
    target = np.array([100.0, 50.0])
    assert cap.requirement(target, 50.0, 150.0, 0.5) == pytest.approx(target)
    assert cap.requirement(target, 600.0, 150.0, 0.5) == pytest.approx(2 * target)
    assert cap.planning_target(np.array([10.0]), np.array([5.0]), 0.4)[0] == pytest.approx(21.0)
    costed = np.array([True, True, False])
    us = cap.us_contribution(
        np.array([100.0, 50.0, 20.0]), np.array([0.2, 0.5, 0.7]), 300.0, costed
    )
    assert us[costed].sum() == pytest.approx(300.0)
    assert us[1] / us[0] == pytest.approx((50 * 1.0) / (100 * 0.25))


def test_model_requirement_is_nato_target_at_the_start():
    from sim.model.alliance import AllianceModel

    m = AllianceModel(sim.load_scenario(ROOT / "scenarios" / "baseline.toml"), rng=1)
    assert m.russia.forces.total < m.russia_reference  # a war-depleted Russia in 2025
    m._update_indices()
    europe = m.europe_capability()
    assert np.allclose(m.coverage[[0, 1, 3, 4]], (europe / m.requirement_start)[[0, 1, 3, 4]])


def test_natosim_checks_writes_the_table_and_exits_on_the_bands(tmp_path, capsys):
    out = tmp_path / "checks"
    rc = main(["checks", "--out", str(out)])
    printed = capsys.readouterr().out
    with (out / "checks.csv").open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert tuple(table[0]) == COLUMNS
    within = [r["within"] == "True" for r in table]
    assert rc == (0 if all(within) else 1)
    for r in table:
        lo, hi, model = float(r["reference_low"]), float(r["reference_high"]), float(r["model"])
        assert (lo <= model <= hi) == (r["within"] == "True")
        assert r["name"] in printed
        assert math.isfinite(lo) and math.isfinite(hi)
    assert (out / "manifest.json").exists()
