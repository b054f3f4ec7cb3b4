"""The allies: one Mesa agent per NATO member other than the United States.

Their state lives in one :class:`AllyState` (an array per quantity, entry ``i`` for the ally of
index ``i``) so that the model can apply each rule of :mod:`sim.agents.ally_rules` to every ally
at once; each :class:`Ally` agent reads and writes its own entries through ordinary attributes
(``ally.threat = 0.4``) and applies the same rules to itself alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from ..data import AllyRecord
from ..mechanisms import coercion
from ..model import initial
from . import ally_rules as rules

if TYPE_CHECKING:
    from ..model.alliance import AllianceModel
    from ..scenario import Scenario

# Per-ally parameters of the ``allies`` section ([allies.overrides.ISO3] may set them), under
# the attribute names the agents use.
PER_ALLY = {
    "gdp_growth": "gdp_growth_pct",
    "holdout": "holdout",
    "holdout_cap": "holdout_cap_pct",
    "reclassify_max": "reclassify_max_pct",
    "max_rise": "max_rise_pp",
    "max_cut": "max_cut_pp",
    "adjustment": "adjustment_rate",
    "base_pct": "base_pct",
    "equipment_share": "equipment_share",
    "resistance": "domestic_resistance",
    "record_level": "record_level_pp",
    "record_target": "record_target_pp",
}


class AllyState:
    """Every ally's state and per-ally parameters as arrays, in the order of ``data.allies()``.

    State (per year): ``gdp_bn`` (bn US$), ``core_pct`` (genuine core defence spending, % of GDP,
    the part that buys capability), ``reclassified_pct`` (reported as core, buys nothing),
    ``related_pct`` (defence-related spending), ``threat`` and ``trust`` (index 0-1),
    ``drafted_threat`` and ``war_urgency`` (the threat and the war term this year's budget was
    drafted on, a year ahead: :func:`sim.engine.allies.act`), ``shock``
    and ``aggression`` (threat terms that decay), ``greyzone_attacks`` (this year) and
    ``greyzone_attacks_extra`` (from events, added next), ``member`` (NATO member this year).
    Fixed: the per-ally parameters of :data:`PER_ALLY` (the own-record terms ``record_level``
    and ``record_target`` zero unless the run starts in ``allies.record_start_year``), ``size``
    (sqrt of GDP over the largest European GDP, at most 1), ``proximity`` and ``posture_weight``
    (network edges to Russia and to the US), ``armed`` and ``european`` (from the data).
    """

    armed: np.ndarray
    european: np.ndarray
    member: np.ndarray
    gdp_bn: np.ndarray
    core_pct: np.ndarray
    reclassified_pct: np.ndarray
    related_pct: np.ndarray
    trust: np.ndarray
    threat: np.ndarray
    drafted_threat: np.ndarray
    war_urgency: np.ndarray
    shock: np.ndarray
    aggression: np.ndarray
    greyzone_attacks: np.ndarray
    greyzone_attacks_extra: np.ndarray
    gdp_growth: np.ndarray
    holdout: np.ndarray
    holdout_cap: np.ndarray
    reclassify_max: np.ndarray
    max_rise: np.ndarray
    max_cut: np.ndarray
    adjustment: np.ndarray
    base_pct: np.ndarray
    equipment_share: np.ndarray
    resistance: np.ndarray
    record_level: np.ndarray
    record_target: np.ndarray
    size: np.ndarray
    proximity: np.ndarray
    posture_weight: np.ndarray

    def __init__(self, model: AllianceModel, records: tuple[AllyRecord, ...]) -> None:
        start = model.start_year
        fixed = model.config.derived(
            ("ally_state", start),
            lambda: _initial_arrays(model.config, records, start),
            depends=("allies", "overrides"),
        )
        for name, values in fixed.items():  # copies: a model may change its own
            setattr(self, name, values.copy())
        self.proximity = np.array(model.proximity, dtype=float)
        self.posture_weight = np.array(model.posture_weight, dtype=float)

    @property
    def reported_core_pct(self) -> np.ndarray:
        """Core spending as reported to NATO: genuine plus reclassified."""
        return self.core_pct + self.reclassified_pct

    @property
    def headline_pct(self) -> np.ndarray:
        """Headline spending against the Hague 5%: reported core plus defence-related."""
        return self.core_pct + self.reclassified_pct + self.related_pct

    @property
    def spending_bn(self) -> np.ndarray:
        """Genuine core defence spending in bn US$."""
        return self.gdp_bn * self.core_pct / 100.0

    def grow_economy(self, year: int) -> None:
        """GDP is an exogenous input: NATO's figure for years the data cover (a hindcast reads
        them), afterwards growth at ``gdp_growth_pct`` a year."""
        grown = self.gdp_bn * (1.0 + self.gdp_growth)
        if year <= initial.LAST_GDP_YEAR:
            observed = initial.gdp_vector(year)
            grown = np.where(np.isnan(observed), grown, observed)
        self.gdp_bn = grown


def _initial_arrays(
    sc: Scenario, records: tuple[AllyRecord, ...], start: int
) -> dict[str, np.ndarray]:
    """The allies' state at ``start`` and their per-ally parameters, from the data and the
    scenario (computed once per scenario: :meth:`Scenario.derived`)."""
    codes = [r.iso3 for r in records]

    def per_ally(name: str, dtype: Any = float) -> np.ndarray:
        return np.array([sc.ally_value(c, name) for c in codes], dtype=dtype)

    n = len(records)
    out: dict[str, np.ndarray] = {
        "armed": np.array([r.armed_forces for r in records]),
        "european": np.array([r.european for r in records]),
        "member": initial.members(np.array([r.accession_year for r in records]), start),
        "gdp_bn": np.array(
            [initial.gdp_bn(r, start) or r.gdp_usd_2024 / 1e9 for r in records], dtype=float
        ),
    }
    core = np.array([initial.defence_pct(c, start) for c in codes], dtype=float)
    for attr, name in PER_ALLY.items():
        out[attr] = per_ally(name, bool if name == "holdout" else float)
    if sc.get("allies.record_start_year") == start:
        # each ally's own record (issue 26): its underlying start level against the one
        # start-year figure; its target's distance is read when the budgets are anchored
        core = np.maximum(core + out["record_level"], 0.0)
    else:
        out["record_level"] = np.zeros(n)
        out["record_target"] = np.zeros(n)
    out["reclassified_pct"] = np.minimum(core, per_ally("initial_reclassified_pct"))
    out["core_pct"] = core - out["reclassified_pct"]
    out["related_pct"] = np.zeros(n)
    out["trust"] = per_ally("initial_trust")
    for name in ("threat", "drafted_threat", "war_urgency", "shock", "aggression"):
        out[name] = np.zeros(n)
    out["greyzone_attacks"] = np.zeros(n, dtype=np.int64)
    out["greyzone_attacks_extra"] = np.zeros(n, dtype=np.int64)
    out["gdp_growth"] = out["gdp_growth"] / 100.0
    largest = out["gdp_bn"][out["european"]].max()
    out["size"] = np.minimum(1.0, np.sqrt(out["gdp_bn"] / largest))
    for values in out.values():
        values.flags.writeable = False
    return out


class _Entry:
    """An agent attribute kept as entry ``agent.index`` of the ``AllyState`` array of its name."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: Ally | None, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(agent.arrays, self.name)[agent.index].item()

    def __set__(self, agent: Ally, value: Any) -> None:
        getattr(agent.arrays, self.name)[agent.index] = value


class Ally(mesa.Agent):
    """A NATO ally: threat perception, trust in the US, a defence budget and capability.

    Its state is described in :class:`AllyState`. Iceland has no armed forces:
    ``armed_forces`` is False, it takes no budget decision and is left out of every spending
    aggregate, but it perceives threat and trusts or distrusts the US.
    """

    model: AllianceModel

    gdp_bn = _Entry()
    core_pct = _Entry()
    reclassified_pct = _Entry()
    related_pct = _Entry()
    trust = _Entry()
    threat = _Entry()
    drafted_threat = _Entry()
    war_urgency = _Entry()
    shock = _Entry()
    aggression = _Entry()
    greyzone_attacks = _Entry()
    greyzone_attacks_extra = _Entry()
    member = _Entry()
    gdp_growth = _Entry()
    holdout = _Entry()
    holdout_cap = _Entry()
    reclassify_max = _Entry()
    max_rise = _Entry()
    max_cut = _Entry()
    adjustment = _Entry()
    base_pct = _Entry()
    equipment_share = _Entry()
    resistance = _Entry()
    size = _Entry()
    proximity = _Entry()
    posture_weight = _Entry()
    record_level = _Entry()
    record_target = _Entry()

    def __init__(self, model: AllianceModel, record: AllyRecord, index: int) -> None:
        super().__init__(model)
        self.arrays = model.ally_state
        self.record = record
        self.iso3 = record.iso3
        self.index = index
        self.european = record.european
        self.armed_forces = record.armed_forces

    # -- derived quantities (this ally's entry of AllyState's) -------------------------------
    @property
    def reported_core_pct(self) -> float:
        """Core spending as reported to NATO: genuine plus reclassified."""
        return float(self.arrays.reported_core_pct[self.index])

    @property
    def headline_pct(self) -> float:
        """Headline spending against the Hague 5%: reported core plus defence-related."""
        return float(self.arrays.headline_pct[self.index])

    @property
    def spending_bn(self) -> float:
        """Genuine core defence spending in bn US$."""
        return float(self.arrays.spending_bn[self.index])

    # -- rules (each applies the function of ally_rules that the model applies to all) ---------
    def situational_threat(self, russia_power: float, war: float) -> float:
        """M2: :func:`~sim.agents.ally_rules.situational_threat` for this ally (C5, C12)."""
        return float(
            rules.situational_threat(
                self.model.p_perception,
                self.proximity,
                russia_power,
                war,
                self.greyzone_attacks,
                self.shock,
                self.aggression,
            )
        )

    def perceive_threat(self, situational: float, neighbours: float) -> None:
        """M2: :func:`~sim.agents.ally_rules.perceive_threat`, then
        :func:`~sim.agents.ally_rules.decay_shocks` (C5)."""
        p = self.model.p_perception
        self.threat = float(rules.perceive_threat(p, self.threat, situational, neighbours))
        self.shock, self.aggression = rules.decay_shocks(p, self.shock, self.aggression)

    def update_trust(
        self,
        threat_signal: float,
        drawdown: float,
        ambiguity: float,
        reassurance: float,
        exited: bool,
    ) -> None:
        """M3: :func:`~sim.agents.ally_rules.update_trust` (C3, C9, C13, C14, C15)."""
        self.trust = float(
            rules.update_trust(
                self.model.p_perception,
                self.trust,
                threat_signal,
                drawdown,
                self.posture_weight,
                ambiguity,
                reassurance,
                exited,
                0.5 * (self.posture_weight + self.proximity),
            )
        )

    def desired_core_pct(
        self, coercion: float, pledge: float, peers: float, shock: float = 0.0
    ) -> float:
        """M4: :func:`~sim.agents.ally_rules.desired_core_pct` from
        :func:`~sim.agents.ally_rules.need_pct` (C3, C4, C5), with ``coercion`` the pp of GDP
        its answer to US coercion adds (:meth:`coercion_pp`) and the pledge's pull this year.
        As in the model's rule, the budget answers the threat and the war term it was drafted
        on (``drafted_threat``, ``war_urgency``: a year ahead, issue 26)."""
        a = self.model.p_allies
        need = self._drafted_need()
        weight = float(self.model.pledge_weights(self.drafted_threat)[self.index])
        return float(
            rules.desired_core_pct(
                a, need, coercion, pledge, peers, shock, self.holdout, self.holdout_cap, weight
            )
        )

    def _drafted_need(self) -> float:
        """M4: :func:`~sim.agents.ally_rules.need_pct` on the threat and war term this year's
        budget was drafted on (C5, C12)."""
        a = self.model.p_allies
        return float(
            rules.need_pct(
                a, self.base_pct, self.drafted_threat, self.trust, self.size, self.war_urgency
            )
        )

    def coercion_responses(self, signal: float) -> tuple[float, float, float]:
        """M4: this ally's shares of comply, hedge and resist under a US threat ``signal``
        (:func:`~sim.mechanisms.coercion.response_shares`, C3, C5, C6)."""
        m = self.model
        dep = coercion.dependence(m.eu_share, self.posture_weight, self.proximity)
        c, h, r = coercion.response_shares(
            m.p_coercion,
            dep,
            m.united_states.coercion_credibility,
            self.threat,
            self.trust,
            signal,
            self.resistance,
        )
        return float(c), float(h), float(r)

    def coercion_pp(self, signal: float, demand: float) -> float:
        """M4: desired spending its answer to a US threat ``signal`` adds, pp of GDP
        (:func:`~sim.mechanisms.coercion.coercion_pp`): positive, nil or negative."""
        m = self.model
        a = m.p_allies
        need = self._drafted_need()
        leverage = a["compliance_gain"] * m.united_states.coercion_credibility * m.us_influence
        shares = self.coercion_responses(signal)
        return float(coercion.coercion_pp(m.p_coercion, signal, shares, leverage, demand, need))

    def set_budget(self, desired: float) -> None:
        """M4: :func:`~sim.agents.ally_rules.set_budget` (C16), at the pace the drafted threat
        sets (:func:`~sim.agents.ally_rules.budget_rate`)."""
        self.core_pct = float(
            rules.set_budget(
                self.core_pct,
                desired,
                self.adjustment,
                self.max_rise,
                self.max_cut,
                self.drafted_threat,
                self.model.p_allies["urgency_gain"],
            )
        )

    def reclassify(self, bar: float, headline_measured: bool, willing: float = 1.0) -> None:
        """M4: :func:`~sim.agents.ally_rules.reclassify` (C5, C19); a holdout is always
        willing."""
        self.reclassified_pct = float(
            rules.reclassify(
                self.reclassified_pct,
                self.core_pct,
                max(float(self.holdout), willing),
                bar,
                headline_measured,
                self.reclassify_max,
                self.max_cut,
            )
        )

    def adjust_related(self, pledge_related: float) -> None:
        """M4: :func:`~sim.agents.ally_rules.adjust_related` (C5)."""
        self.related_pct = float(
            rules.adjust_related(
                self.model.p_allies, self.related_pct, self.holdout, pledge_related
            )
        )

    def aid_probability(
        self, closeness: float, km: float, us_responds: bool, tripwire: bool = False
    ) -> float:
        """M9: :func:`~sim.agents.ally_rules.aid_probability` (C5, C11): whether it sends help
        to a probed ally this close (network) and this far (km)."""
        return float(
            rules.aid_probability(
                self.model.p_crisis,
                closeness,
                self.threat,
                self.trust,
                km,
                self.size,
                us_responds,
                tripwire,
            )
        )

    def step(self) -> None:
        """Allies act inside the model's schedule (``AllianceModel.step``), not on their own."""
