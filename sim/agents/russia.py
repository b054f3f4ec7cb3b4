"""Russia: a war economy that reacts to the balance of power, probes and harasses (M8)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa
import numpy as np

from .. import data

if TYPE_CHECKING:
    from ..model import AllianceModel


class Russia(mesa.Agent):
    """Russia's economy, military spending and capability, its reading of US resolve, its
    grey-zone campaign and its decision to probe an ally.

    State: ``gdp_bn``, ``milex_bn`` (bn US$), ``capability`` (equipment-stock units, comparable
    with the allies' after ``cost_factor``), ``committed_share`` (tied down in Ukraine),
    ``resolve_estimate`` (index 0-1, its estimate of US resolve).
    """

    model: AllianceModel

    def __init__(self, model: AllianceModel, europe_spending_bn: float) -> None:
        super().__init__(model)
        sc = model.config
        self.p = model.config.params["russia"]
        start = sc.get("run.start_year")
        hist = data.russia_history()
        year = max(y for y in hist if y <= start)
        self.gdp_bn = hist[year]["gdp_bn"]
        self.milex_bn = hist[year]["milex_bn"]
        self.gdp_growth = self.p["gdp_growth_pct"] / 100.0
        war = sc.series_at("ukraine_war", start)
        loss = self.p["depreciation"] + self.p["war_attrition"] * war
        self.capability = self._new_capability() / loss if loss > 0 else 0.0
        self.capability_start = self.capability
        self.committed_share = self.p["war_commitment"] * war
        self.resolve_estimate = model.p_perception["resolve_initial"]
        self.cooldown = 0
        self.europe_start_bn = europe_spending_bn
        # Richardson grievance terms: the start year is an equilibrium at its war intensity.
        a, k = self.p["fatigue"], self.p["reaction_coefficient"]
        self.grievance_war = a * self.milex_bn - k * europe_spending_bn
        self.grievance_peace = (
            a * self.gdp_bn * self.p["floor_pct"] / 100.0 - k * europe_spending_bn
        )
        self.war_demand = war
        self.years_since_war = 0 if war > 0 else 99

    @property
    def milex_pct_gdp(self) -> float:
        return 100.0 * self.milex_bn / self.gdp_bn

    @property
    def free_capability(self) -> float:
        """Capability not tied down in Ukraine."""
        return self.capability * (1.0 - self.committed_share)

    def _new_capability(self) -> float:
        return self.milex_bn * self.p["equipment_share"] * self.p["cost_factor"]

    def react_to_balance(self, europe_spending_bn: float, war: float) -> None:
        """M8: Richardson-type spending reaction with a war-economy ceiling (C8, C10).

        ``milex += k x Y - a x milex + g`` with ``k = reaction_coefficient x (1 +
        balance_sensitivity x max(0, Y / Y0 - 1))`` (Y European spending, Y0 at the start),
        ``a = fatigue``, and a grievance ``g`` that keeps the start year in equilibrium while the
        war (or reconstitution for ``reconstitution_years`` after a ceasefire) lasts, and falls to
        the level that would hold spending at ``floor_pct`` in peace. Spending stays between
        ``floor_pct`` and ``war_ceiling_pct`` of GDP. The regime is stable when k < a.
        """
        p = self.p
        self.gdp_bn *= 1.0 + self.gdp_growth
        if war > 0:
            self.years_since_war = 0
            self.war_demand = max(self.war_demand, war)
        else:
            self.years_since_war += 1
            if self.years_since_war > p["reconstitution_years"]:
                self.war_demand *= 0.5
        grievance = self.grievance_peace + (self.grievance_war - self.grievance_peace) * min(
            1.0, self.war_demand
        )
        growth = max(0.0, europe_spending_bn / self.europe_start_bn - 1.0)
        k = p["reaction_coefficient"] * (1.0 + p["balance_sensitivity"] * growth)
        milex = self.milex_bn + k * europe_spending_bn - p["fatigue"] * self.milex_bn + grievance
        lo, hi = p["floor_pct"] * self.gdp_bn / 100.0, p["war_ceiling_pct"] * self.gdp_bn / 100.0
        self.milex_bn = min(hi, max(lo, milex))

    def rebuild_forces(self, war: float) -> None:
        """M8: capability grows with spending, depreciates, and is ground down by the war (C10).

        ``capability = capability x (1 - depreciation - war_attrition x war) + milex x
        equipment_share x cost_factor``; ``committed_share = war_commitment x war``.
        """
        p = self.p
        self.capability = (
            self.capability * (1.0 - p["depreciation"] - p["war_attrition"] * war)
            + self._new_capability()
        )
        self.committed_share = p["war_commitment"] * war

    def greyzone_attacks(self, proximity: np.ndarray, escalation: float) -> np.ndarray:
        """M8: grey-zone attacks on each ally this year, near Russia first (C12).

        Poisson counts with mean ``greyzone_base x escalation x proximity^2 x (1 +
        greyzone_resolve_sensitivity x (1 - resolve_estimate))``: a Russia that doubts US resolve
        harasses more, with near impunity.
        """
        lam = (
            self.p["greyzone_base"]
            * escalation
            * proximity**2
            * (1.0 + self.p["greyzone_resolve_sensitivity"] * (1.0 - self.resolve_estimate))
        )
        return self.model.rng.poisson(lam)

    def choose_probe(
        self,
        response_odds: Callable[[], np.ndarray],
        proximity: np.ndarray,
        eligible: np.ndarray,
    ) -> int | None:
        """M8: whether and where to probe an ally this year (C8, C9, C11).

        Russia probes only with ``probe_free_capability_min`` of its forces free of Ukraine and no
        probe in the last ``probe_cooldown_years``. It reads the chance of a NATO response as
        ``probe_us_weight x perceived US resolve + (1 - probe_us_weight) x the local balance``;
        the perceived resolve is its estimate plus a misperception draw (``misperception_sd``).
        The gain from a target is ``probe_gain x proximity x (1 - response) - probe_cost x
        response``; it probes the best target with probability
        ``logistic(probe_sharpness x (gain - probe_threshold))``. Returns the ally index or None.
        ``response_odds`` computes the local balance per ally (only when Russia can probe).
        """
        p = self.p
        if self.cooldown > 0:
            self.cooldown -= 1
            return None
        if 1.0 - self.committed_share < p["probe_free_capability_min"] or not eligible.any():
            return None
        rng = self.model.rng
        perceived = min(
            1.0, max(0.0, self.resolve_estimate + rng.normal(0.0, p["misperception_sd"]))
        )
        local = response_odds()
        response = p["probe_us_weight"] * perceived + (1 - p["probe_us_weight"]) * local
        gain = p["probe_gain"] * proximity * (1.0 - response) - p["probe_cost"] * response
        gain = np.where(eligible, gain, -np.inf)
        target = int(np.argmax(gain))
        z = p["probe_sharpness"] * (gain[target] - p["probe_threshold"])
        if rng.random() < 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z)))):
            self.cooldown = p["probe_cooldown_years"]
            return target
        return None

    def read_us_resolve(
        self, posture: float, threat: float, reassurance: float, ambiguity: float, exited: bool
    ) -> None:
        """M3: Russia updates its estimate of US resolve from the same signals allies see (C9).

        The signal is ``0.35 x posture + 0.25 x (1 - threat) + 0.2 x reassurance + 0.2 x
        (1 - ambiguity)``, less 0.1 if the US has left coordination mechanisms; the estimate
        moves toward it at ``resolve_learning``. Abandonment threats and ambiguity read as weak
        resolve (C9, C14); posture and reassurance as strong (C13).
        """
        signal = (
            0.35 * posture
            + 0.25 * (1.0 - threat)
            + 0.2 * reassurance
            + 0.2 * (1.0 - ambiguity)
            - (0.1 if exited else 0.0)
        )
        lr = self.model.p_perception["resolve_learning"]
        self.resolve_estimate += lr * (min(1.0, max(0.0, signal)) - self.resolve_estimate)

    def step(self) -> None:
        """Russia acts inside the model's schedule (``AllianceModel.step``)."""
