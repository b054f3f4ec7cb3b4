"""Shared fixtures: scenarios and models in scripted situations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

import sim
from sim.model.alliance import AllianceModel

# CI runs the property tests on a fixed set of examples (HYPOTHESIS_PROFILE=ci, set by .ci/run):
# a red CI run must mean a regression, not a new example; local runs keep exploring.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
# every full scenario: the top level and the debate's theses (policies/ holds overlays)
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml")) + sorted(
    (ROOT / "scenarios").glob("theses/*.toml")
)


@pytest.fixture
def default_scenario() -> sim.Scenario:
    return sim.Scenario.default()


def make_model(params: dict | None = None, seed: int = 1, **series) -> AllianceModel:
    """A model of the default scenario with ``{"section.name": value}`` changed and optional
    constant series (``ukraine_war=0.0``)."""
    sc = sim.Scenario.default()
    if params:
        sc = sc.with_params(params)
    if series:
        from dataclasses import replace

        merged = dict(sc.series)
        merged.update({k: ((2014, float(v)),) for k, v in series.items()})
        sc = replace(sc, series=merged)
    return AllianceModel(sc, rng=seed)


def ally(model: AllianceModel, iso3: str):
    return next(a for a in model.allies if a.iso3 == iso3)


# Chromium flags for a closed network: no background connections, no first-run work, no GPU.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def require_chromium() -> str:
    """Debian's chromium for the browser tests: required in CI (.ci/run installs it), else the
    test is skipped."""
    import os
    import shutil

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium (.ci/run installs it)")
        pytest.skip("no chromium on this machine")
    return path
