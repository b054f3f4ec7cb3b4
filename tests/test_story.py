"""Story tests: the claims in the source articles, as the model answers them."""

from __future__ import annotations

import numpy as np
import pytest

import sim

from .conftest import ROOT


def mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    """Mean and a normal-approximation 95% confidence interval."""
    m, se = float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x)))
    return m, m - 1.96 * se, m + 1.96 * se


@pytest.fixture(scope="module")
def coerce_vs_cajole():
    reps, seed = 50, 2025
    out = {}
    for name in ("baseline", "cajole"):
        res = sim.run_replications(
            sim.load_scenario(ROOT / "scenarios" / f"{name}.toml"), reps, seed
        )
        out[name] = res.summary.set_index("run")
    return out


def test_coercion_raises_european_spending_by_2030_more_than_cajoling(coerce_vs_cajole):
    """C3/C4: the baseline (coercion) raises European defence spending (GDP-weighted core, % of
    GDP) from 2025 to 2030 by more than the same world in which the US only cajoles."""
    rise = {
        k: (v["eu_core_pct_2030"] - v["eu_core_pct_start"]).to_numpy()
        for k, v in coerce_vs_cajole.items()
    }
    diff = rise["baseline"] - rise["cajole"]  # common random numbers: paired by run
    m, lo, hi = mean_ci(diff)
    msg = (
        f"baseline rise {rise['baseline'].mean():.3f} pp, cajole rise "
        f"{rise['cajole'].mean():.3f} pp; difference {m:.3f} pp (95% CI {lo:.3f} to {hi:.3f}), "
        f"50 replications, seed 2025"
    )
    print(msg)
    assert lo > 0, msg


def test_coercion_costs_trust(coerce_vs_cajole):
    """C9: the price of coercion is trust in the US."""
    diff = (
        coerce_vs_cajole["baseline"]["mean_trust_end"].to_numpy()
        - coerce_vs_cajole["cajole"]["mean_trust_end"].to_numpy()
    )
    m, lo, hi = mean_ci(diff)
    assert hi < 0, f"trust difference {m:.3f} (95% CI {lo:.3f} to {hi:.3f})"
