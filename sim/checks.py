"""The model against published figures (``crisis_references.csv``): RAND's Baltic wargames and
the Danish Defence Intelligence Service's 2025 timelines.

These are checks, not calibration targets in disguise: each function runs the model's own rules
in the setting the publication describes and returns what the model says beside what was
published, and the tests and the README print both.

* :func:`rand_baltic`: a Russian drive on Tallinn and Riga against NATO's 2014-2015 posture
  (the model's 2015 state from the ``hindcast_2014`` scenario: the Baltic states' own forces and
  the US companies of April 2014, no forward presence yet), and again with seven more brigades in
  place at the onset (three heavy, four lighter). RAND (2016, 2017): the capitals are reached in
  36-60 hours; seven brigades, three heavy, prevent a fait accompli.
* :func:`ddis_timeline`: years after a ceasefire until Russia's free forces would allow a local, a
  regional and a large war (:func:`~sim.mechanisms.forces.readiness_timeline`), from the
  ``baseline`` world of 2025. DDIS (February 2025): about 6 months, 2 years and 5 years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import data
from .mechanisms.forces import LEVELS, readiness_timeline
from .mechanisms.local_balance import race
from .mechanisms.theatre import capital_to_frontier_km
from .model import AllianceModel
from .paths import resolve_scenario_path
from .scenario import Scenario, load_scenario

RAND_HEAVY, RAND_OTHER = 3, 4  # RAND: "about seven brigades, including three heavy armored"
# a lighter (Stryker, airborne, light infantry) brigade against a heavy one, in equipment value:
# an assumption, stated where the check prints it
LIGHTER_BRIGADE_WEIGHT = 0.6


def ddis_years() -> dict[str, float]:
    """DDIS's timelines in years (``crisis_references.csv``: the local one is in months)."""
    ref = data.crisis_references()
    return {
        "local": float(ref["ddis_russia_local_war_after_ceasefire"]) / 12.0,
        "regional": float(ref["ddis_russia_regional_war_baltic"]),
        "large": float(ref["ddis_russia_large_scale_war_europe"]),
    }


@dataclass(frozen=True)
class DriveOnCapital:
    """One drive on a capital: hours to reach it (inf if halted) and how far the advance got."""

    iso3: str
    attacker_bde: float
    defenders_bde: float
    depth_km: float
    hours: float
    reach_km: float


def rand_baltic(
    scenario: Scenario | None = None, extra_brigades: bool = False, seed: int = 1
) -> list[DriveOnCapital]:
    """Russia's drive on Tallinn and Riga in 2015, as the model plays it (module docstring).

    The attacker is ``russia.theatre_share`` of Russia's free ground forces in 2015; no ally and
    not the US send help from outside (RAND's finding is about the forces there at the onset,
    and nothing from outside arrives within days); the US companies on the ground fight.
    ``extra_brigades`` adds RAND's seven brigades in place.
    """
    sc = scenario or load_scenario(resolve_scenario_path("hindcast_2014"))
    model = AllianceModel(sc, rng=seed)
    while model.year < 2015:
        model.step()
    th = model.theatre
    th.refresh(model, 2015)
    attacker = model.p_russia["theatre_share"] * model.russia.forces.free
    extra = (RAND_HEAVY + RAND_OTHER * LIGHTER_BRIGADE_WEIGHT) if extra_brigades else 0.0
    out = []
    for iso3 in ("EST", "LVA"):
        j = np.array([model.codes.index(iso3)])
        nobody = np.zeros((1, len(model.codes)))
        in_place, amounts, delays = th.inputs(model, j, nobody, np.array([1.0]))
        amounts[:, 1:] = 0.0  # only the target's own reserves arrive: nothing from outside
        depth = capital_to_frontier_km(iso3)
        result = race(
            model.p_crisis, np.array([attacker]), in_place + extra, amounts, delays, depth
        )
        out.append(
            DriveOnCapital(
                iso3,
                float(attacker),
                float(in_place[0] + extra),
                depth,
                float(result.hours[0]),
                float(result.reach_km[0]),
            )
        )
    return out


def ddis_timeline(scenario: Scenario | None = None, seed: int = 1) -> dict[str, float]:
    """Years after a 2025 ceasefire until a local, a regional and a large war are within reach
    of Russia's free forces (spending held at its 2025 level, NATO's forces at theirs)."""
    sc = scenario or load_scenario(resolve_scenario_path("baseline"))
    model = AllianceModel(sc, rng=seed)
    return readiness_timeline(
        model.russia.forces, model.russia.milex_bn, model.readiness_thresholds
    )


def published() -> dict[str, str]:
    """The published figures the checks compare with (``crisis_references.csv``)."""
    ref = data.crisis_references()
    return {
        "rand_hours": ref["rand_baltic_time_to_capitals"],
        "rand_brigades": ref["rand_baltic_brigades_to_prevent_fait_accompli"],
        **{f"ddis_{k}_years": f"{v:g}" for k, v in ddis_years().items()},
    }


__all__ = ["LEVELS", "DriveOnCapital", "ddis_timeline", "ddis_years", "published", "rand_baltic"]
