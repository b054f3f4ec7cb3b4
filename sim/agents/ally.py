"""The allies: one Mesa agent per NATO member other than the United States."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from .. import initial
from ..data import AllyRecord

if TYPE_CHECKING:
    from ..model import AllianceModel


def _clip01(x: float) -> float:
    return 0.0 if x < 0.0 else (1.0 if x > 1.0 else x)


class Ally(mesa.Agent):
    """A NATO ally: threat perception, trust in the US, a defence budget and capability.

    State (per year): ``gdp_bn`` (bn US$), ``core_pct`` (genuine core defence spending, % of GDP,
    the part that buys capability), ``reclassified_pct`` (reported as core, buys nothing),
    ``related_pct`` (defence-related spending), ``threat`` and ``trust`` (index 0-1).

    Iceland has no armed forces: ``armed_forces`` is False, it takes no budget decision and is
    left out of every spending aggregate, but it perceives threat and trusts or distrusts the US.
    """

    model: AllianceModel

    def __init__(
        self, model: AllianceModel, record: AllyRecord, index: int, core_pct: float, gdp_bn: float
    ) -> None:
        super().__init__(model)
        sc = model.config
        self.record = record
        self.iso3 = record.iso3
        self.index = index
        self.european = record.european
        self.armed_forces = record.armed_forces
        self.member = record.accession_year <= sc.get("run.start_year")
        self.gdp_bn = gdp_bn
        self.gdp_growth = sc.ally_value(self.iso3, "gdp_growth_pct") / 100.0
        self.reclassified_pct = min(core_pct, sc.ally_value(self.iso3, "initial_reclassified_pct"))
        self.core_pct = core_pct - self.reclassified_pct
        self.related_pct = 0.0
        self.trust = sc.ally_value(self.iso3, "initial_trust")
        self.threat = 0.0
        self.shock = 0.0
        self.aggression = 0.0  # threat from Russian aggression elsewhere; decays slowly
        self.greyzone_attacks = 0
        self.greyzone_attacks_extra = 0
        self.holdout = sc.ally_value(self.iso3, "holdout")
        self.holdout_cap = sc.ally_value(self.iso3, "holdout_cap_pct")
        self.reclassify_max = sc.ally_value(self.iso3, "reclassify_max_pct")
        self.max_rise = sc.ally_value(self.iso3, "max_rise_pp")
        self.max_cut = sc.ally_value(self.iso3, "max_cut_pp")
        self.adjustment = sc.ally_value(self.iso3, "adjustment_rate")
        self.base_pct = sc.ally_value(self.iso3, "base_pct")
        self.equipment_share = sc.ally_value(self.iso3, "equipment_share")
        self.size = 0.0  # set by the model: sqrt(GDP / largest European GDP)
        self.proximity = float(model.proximity[index])  # network edge to Russia
        self.posture_weight = float(model.posture_weight[index])  # network edge to the US

    # -- derived quantities ------------------------------------------------------------------
    @property
    def reported_core_pct(self) -> float:
        """Core spending as reported to NATO: genuine plus reclassified."""
        return self.core_pct + self.reclassified_pct

    @property
    def headline_pct(self) -> float:
        """Headline spending against the Hague 5%: reported core plus defence-related."""
        return self.core_pct + self.reclassified_pct + self.related_pct

    @property
    def spending_bn(self) -> float:
        """Genuine core defence spending in bn US$."""
        return self.gdp_bn * self.core_pct / 100.0

    # -- rules -------------------------------------------------------------------------------
    def situational_threat(self, russia_power: float, war: float) -> float:
        """M2: the threat an ally's situation warrants, before the network (C5, C12).

        ``threat_base + proximity x (threat_proximity_weight x Russia's capability relative to the
        start + threat_war_weight x war intensity) + threat_greyzone_per_attack x attacks + shock
        + aggression``, clipped to [0, 1]; the shock holds probes (decaying at ``shock_memory``),
        ``aggression`` Russia's use of force elsewhere (decaying at ``aggression_memory``).
        """
        p = self.model.p_perception
        power = russia_power if russia_power < 2.0 else 2.0
        t = (
            p["threat_base"]
            + self.proximity * (p["threat_proximity_weight"] * power + p["threat_war_weight"] * war)
            + p["threat_greyzone_per_attack"] * self.greyzone_attacks
            + self.shock
            + self.aggression
        )
        return _clip01(t)

    def perceive_threat(self, situational: float, neighbours: float) -> None:
        """M2: threat moves toward the situation and toward the neighbours' alarm (C5).

        ``threat += threat_adjustment x (situational - threat)
        + threat_network_weight x (neighbours - threat)``, with ``neighbours`` the network-weighted
        mean threat of the ally's neighbours last year; clipped to [0, 1].
        """
        p = self.model.p_perception
        t = (
            self.threat
            + p["threat_adjustment"] * (situational - self.threat)
            + p["threat_network_weight"] * (neighbours - self.threat)
        )
        self.threat = _clip01(t)
        self.shock *= p["shock_memory"]
        self.aggression *= p["aggression_memory"]

    def update_trust(
        self,
        threat_signal: float,
        drawdown: float,
        ambiguity: float,
        reassurance: float,
        exited: bool,
    ) -> None:
        """M3: trust that the US would defend this ally (C3, C9, C13, C14, C15).

        Trust relaxes toward ``trust_anchor`` at ``trust_recovery``; it falls with the US threat
        aimed at this ally (``trust_threat_cost``), with posture withdrawn times the ally's US
        posture closeness (``trust_drawdown_cost``), with ambiguity (``trust_ambiguity_cost``)
        and when the US leaves coordination mechanisms (``trust_exit_cost``); reassurance raises
        it in proportion to the distrust left (``trust_reassurance_gain``). Clipped to [0, 1].
        """
        p = self.model.p_perception
        t = (
            self.trust
            + p["trust_recovery"] * (p["trust_anchor"] - self.trust)
            - p["trust_threat_cost"] * threat_signal
            - p["trust_drawdown_cost"] * drawdown * self.posture_weight
            - p["trust_ambiguity_cost"] * ambiguity
            + p["trust_reassurance_gain"] * reassurance * (1.0 - self.trust)
            - (p["trust_exit_cost"] if exited else 0.0)
        )
        self.trust = _clip01(t)

    def desired_core_pct(
        self, coercion: float, demand: float, pledge: float, peers: float, shock: float = 0.0
    ) -> float:
        """M4: the core spending the ally wants this year (C3, C4, C5).

        ``need = base_pct + threat_gain x threat + self_help_gain x threat x (1 - trust)
        - free_ride_gain x trust x (1 - size)`` (small allies that trust the US free-ride,
        Olson and Zeckhauser 1966); then pulls toward the US demand (``coercion``: compliance
        under credible coercion, zero when the US only cajoles), the alliance pledge
        (``pledge_weight``) and the neighbours' spending (``peer_weight``), plus this year's
        domestic ``shock`` (``budget_noise_sd``). A holdout never wants more than its cap (C5:
        Spain at 2.1%).
        """
        a = self.model.p_allies
        need = (
            self.base_pct
            + a["threat_gain"] * self.threat
            + a["self_help_gain"] * self.threat * (1.0 - self.trust)
            - a["free_ride_gain"] * self.trust * (1.0 - self.size)
        )
        desired = need + a["peer_weight"] * (peers - need) + shock
        if demand > need:
            desired += coercion * (demand - need)
        if pledge > need:
            desired += a["pledge_weight"] * (pledge - need)
        if self.holdout and desired > self.holdout_cap:
            desired = self.holdout_cap
        return 0.0 if desired < 0.0 else (15.0 if desired > 15.0 else desired)

    def anchor_base(self, observed: float, pledge: float, peers: float) -> None:
        """Solve :meth:`desired_core_pct` (no coercion, no shock) for the ``base_pct`` that
        makes the ally want ``observed``: the rule is piecewise linear and increasing in its
        ``need`` term, so ``need`` is found branch by branch and the other terms of ``need``
        are subtracted. Used when ``anchor_to_start`` is set (the default)."""
        a = self.model.p_allies
        pw, peer = a["pledge_weight"], a["peer_weight"]
        need = (observed - pw * pledge - peer * peers) / max(1e-9, 1.0 - pw - peer)
        if need > pledge:  # the pledge no longer pulls: the other branch
            need = (observed - peer * peers) / max(1e-9, 1.0 - peer)
        self.base_pct = (
            need
            - a["threat_gain"] * self.threat
            - a["self_help_gain"] * self.threat * (1.0 - self.trust)
            + a["free_ride_gain"] * self.trust * (1.0 - self.size)
        )

    def set_budget(self, desired: float) -> None:
        """M4: move genuine core spending toward the desired level within fiscal limits.

        ``core += clip(adjustment_rate x (desired - core), -max_cut_pp, max_rise_pp)`` (C16:
        money moves slowly too).
        """
        step = self.adjustment * (desired - self.core_pct)
        if step > self.max_rise:
            step = self.max_rise
        elif step < -self.max_cut:
            step = -self.max_cut
        core = self.core_pct + step
        self.core_pct = core if core > 0.0 else 0.0

    def reclassify(self, bar: float, headline_measured: bool) -> None:
        """M4: a holdout reclassifies spending to reach the bar the US checks (C5, C19).

        When the US measures headline numbers, a holdout reports up to ``reclassify_max_pct``
        more than it genuinely spends, enough to reach ``bar``; when the US measures real
        capability, reclassification buys nothing and is unwound at ``max_cut_pp`` a year.
        Allies that are not holdouts keep their initial reclassification.
        """
        if not self.holdout:
            return
        if headline_measured:
            self.reclassified_pct = min(self.reclassify_max, max(0.0, bar - self.core_pct))
        else:
            self.reclassified_pct = max(0.0, self.reclassified_pct - self.max_cut)

    def adjust_related(self, pledge_related: float) -> None:
        """M4: defence-related spending follows the Hague pledge; holdouts did not sign up.

        ``related += related_adjustment_rate x (pledge_related - related)``; a holdout's target
        is zero (C5: Spain refused the 5%).
        """
        target = 0.0 if self.holdout else pledge_related
        self.related_pct += self.model.p_allies["related_adjustment_rate"] * (
            target - self.related_pct
        )

    def grow_economy(self, year: int) -> None:
        """GDP is an exogenous input: NATO's figure for years the data cover (a hindcast reads
        them), afterwards growth at ``gdp_growth_pct`` a year."""
        observed = initial.gdp_bn(self.record, year) if year <= initial.LAST_GDP_YEAR else None
        self.gdp_bn = observed if observed is not None else self.gdp_bn * (1.0 + self.gdp_growth)

    def aid_probability(self, closeness: float, us_responds: bool) -> float:
        """M9: probability that this ally comes to the aid of a probed ally (C11).

        ``logistic(ally_aid_base + ally_aid_closeness x closeness + ally_aid_threat x threat
        + ally_aid_us_responds x [US responds])``; closeness is the network weight to the target
        relative to the strongest tie in the alliance.
        """
        c = self.model.p_crisis
        z = (
            c["ally_aid_base"]
            + c["ally_aid_closeness"] * closeness
            + c["ally_aid_threat"] * self.threat
            + (c["ally_aid_us_responds"] if us_responds else 0.0)
        )
        return 1.0 / (1.0 + math.exp(-z))

    def step(self) -> None:
        """Allies act inside the model's schedule (``AllianceModel.step``), not on their own."""
