"""The Mesa model: who acts when, and the alliance-level quantities the agents share.

One step is one year. The state at construction is the start year's data (recorded as the first
row); each step then runs, in order:

1. exogenous inputs of the year (series and dated events) and GDP growth;
2. Russia: spending reaction and forces (M8), grey-zone attacks (M8), the probe decision (M8) and,
   if it probes, the Article 5 crisis game (M9);
3. the United States: progress measured, threats issued and executed, the deadline judged,
   posture adjusted (M5);
4. the allies: threat perception over the network (M2), trust (M3), budgets (M4) and equipment
   orders (M1);
5. deliveries through the capability pipeline (M1), then European agency and US influence (M6),
   nuclear liability (M7), cohesion, and Russia's reading of US resolve (M3);
6. the year is recorded.
"""

from __future__ import annotations

from functools import lru_cache

import mesa
import numpy as np

from . import data, initial
from .agents import Ally, Russia, UnitedStates
from .agents import ally_rules as rules
from .agents.ally import AllyState
from .mechanisms import capability as cap
from .mechanisms import crisis as crisis_game
from .mechanisms import progress
from .network import cached_network
from .outputs import Recorder
from .scenario import Scenario

SERIES_NAMES = (
    "china_pull",
    "us_pressure",
    "us_reassurance",
    "us_ambiguity",
    "ukraine_war",
    "greyzone_escalation",
    "pledge_core_pct",
    "pledge_related_pct",
    "us_demand_pct",
)


def _normalised(weights: list[float] | np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / len(w))


@lru_cache(maxsize=64)
def _start_stocks(
    start: int, equipment_shares: tuple[float, ...], dep: tuple[float, ...]
) -> np.ndarray:
    """Equipment stock per ally and category at ``start`` before the category split, from the
    spending data (cached: the same for every replication of a scenario)."""
    stock = np.zeros((len(equipment_shares), len(dep)))
    for i, record in enumerate(data.allies()):
        hist = initial.equipment_history(record, start, equipment_shares[i])
        if not record.armed_forces or not hist:
            continue
        for k, d in enumerate(dep):
            stock[i, k] = cap.accumulated_stock(hist, start, d)
    stock.flags.writeable = False
    return stock


class AllianceModel(mesa.Model):
    """NATO burden-sharing: the United States, the allies and Russia over a data-built network.

    Args:
        scenario: A validated scenario (:func:`sim.load_scenario`).
        rng: Seed for this replication; every random draw goes through ``self.rng`` (numpy) or
            ``self.random``.
    """

    def __init__(self, scenario: Scenario, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        self.config = scenario
        P = scenario.params
        self.p_allies, self.p_perception = P["allies"], P["perception"]
        self.p_capability, self.p_crisis = P["capability"], P["crisis"]
        self.p_alliance, self.p_verdict = P["alliance"], P["verdict"]
        self.start_year, self.end_year = P["run"]["start_year"], P["run"]["end_year"]
        self.year = self.start_year
        self.now = scenario.series_year(self.year)
        self.recorder = Recorder(self)

        records = data.allies()
        self.codes = [r.iso3 for r in records]
        self.code_array = np.array(self.codes, dtype=object)
        (self.graph, self.raw_weights, self.norm_weights, self.proximity, self.posture_weight) = (
            cached_network(tuple(sorted(P["network"].items())))
        )
        self.ally_state = AllyState(self, records)
        self.allies = [Ally(self, r, i) for i, r in enumerate(records)]
        self.by_code = dict(zip(self.codes, self.allies, strict=True))
        self.armed = self.ally_state.armed
        self.european = self.ally_state.european & self.armed
        self.canada = np.array([c == "CAN" for c in self.codes])
        self.peer_weights = self.norm_weights * self.armed[None, :]
        rows = self.peer_weights.sum(axis=1)
        self.has_peers = rows > 0
        self.peer_rows = np.where(self.has_peers, rows, 1.0)
        self.mean_weights = np.full(len(records), 1.0 / len(records))  # w @ x: the mean of x
        self.europe_weights = self.european + self.p_capability["canada_europe_share"] * self.canada
        self._init_capability()
        self.russia = Russia(self, self.europe_spending_bn())
        self.united_states = UnitedStates(self)
        self.russia_capability_start = self.russia.capability
        self.nuclear_liability = 0.0
        self.cohesion_damage = 0.0
        self.sovereign_isr = 0.0
        self.probe_this_year: crisis_game.Crisis | None = None
        self.greyzone_total = 0
        self.eu_share_start = 0.0  # until set: influence is measured against the current share
        self._update_indices()
        self.eu_share_start = self.eu_share
        self._apply_events(self.start_year)
        self._init_threat()
        if self.p_allies["anchor_to_start"]:
            self._anchor_budgets()
        self.recorder.record_year()

    # -- set-up ------------------------------------------------------------------------------
    def _init_capability(self) -> None:
        p = self.p_capability
        base = np.array([p[f"allocation_{c}"] for c in cap.CATEGORIES], dtype=float)
        self.base_allocation = _normalised(base)
        stock_mix = _normalised([p[f"stock_mix_{c}"] for c in cap.CATEGORIES])
        dep = tuple(p[f"depreciation_{c}"] for c in cap.CATEGORIES)
        s = self.ally_state
        shares = tuple(s.equipment_share.tolist())
        stock = _start_stocks(self.start_year, shares, dep) * stock_mix[None, :]
        equip = np.where(self.armed, s.spending_bn * s.equipment_share, 0.0)
        orders = equip[:, None] * stock_mix[None, :]
        self.pipeline = cap.CapabilityPipeline(p, stock, orders)
        europe0 = self.europe_capability()
        us_shares = np.array([p[f"us_share_{c}"] for c in cap.CATEGORIES])
        self.us_base = europe0 * us_shares / (1.0 - us_shares)
        self.requirement_start = europe0 + self.us_base
        self.coverage = europe0 / self.requirement_start

    def _anchor_budgets(self) -> None:
        """Set each ally's ``base_pct`` so that, in the start year's situation (its threat and
        trust, the pledge, its neighbours' spending, no US threat yet), the budget rule wants
        exactly the spending NATO reports for it: an ally fixed effect taken from the start
        year's data only. Changes then come from changes in that situation (M4)."""
        s = self.ally_state
        base = rules.anchored_base(
            self.p_allies,
            s.core_pct,
            self.now["pledge_core_pct"],
            self._peers(),
            s.threat,
            s.trust,
            s.size,
        )
        s.base_pct = np.where(self.armed, base, s.base_pct)

    def _peers(self) -> np.ndarray:
        """Each ally's neighbours' genuine core spending, network-weighted over allies with
        armed forces (its own where it has no such neighbour)."""
        core = self.ally_state.core_pct
        return np.where(self.has_peers, (self.peer_weights @ core) / self.peer_rows, core)

    def _init_threat(self) -> None:
        """Start threat at the fixed point of the perception rule (M2) with the start year's
        inputs: ``a (s - t) + b (W t - t) = 0``, i.e. ``(a I + b (I - W)) t = a s``."""
        p = self.p_perception
        st = self.ally_state
        s = rules.situational_threat(
            p,
            st.proximity,
            1.0,
            self.now["ukraine_war"],
            st.greyzone_attacks,
            st.shock,
            st.aggression,
        )
        if p["threat_adjustment"] > 0:
            t = self.config.derived(
                ("threat_fixed_point",), self._threat_fixed_point, ("perception", "network")
            )
            t = t @ s
        else:
            t = s
        st.threat = np.clip(t, 0.0, 1.0)

    def _threat_fixed_point(self) -> np.ndarray:
        """``(a I + b (I - W))^-1 a``: start threats from situational threats (per scenario)."""
        p = self.p_perception
        a, b = p["threat_adjustment"], p["threat_network_weight"]
        eye = np.eye(len(self.norm_weights))
        out = np.linalg.inv(a * eye + b * (eye - self.norm_weights)) * a
        out.flags.writeable = False
        return out

    # -- shared quantities -------------------------------------------------------------------
    def ally_capability(self) -> np.ndarray:
        """Total capability per ally (equipment-stock units)."""
        return self.pipeline.stock.sum(axis=1)

    def europe_capability(self) -> np.ndarray:
        """European capability in Europe per category (European allies plus Canada's share)."""
        return self.europe_weights @ self.pipeline.stock

    def us_capability_in_europe(self) -> np.ndarray:
        """US capability in Europe per category: start level x posture, less what leaving the
        coordination mechanisms takes from ISR and enablers (C15, C17)."""
        us = self.us_base * self.united_states.posture
        if self.united_states.exited_mechanisms:
            loss = self.united_states.p["exit_capability_loss"]
            us = us.copy()
            us[cap.ISR] *= 1.0 - loss
            us[cap.ENABLERS] *= 1.0 - loss
        return us

    def europe_spending_bn(self) -> float:
        """Genuine core defence spending of the European allies, bn US$."""
        s, eu = self.ally_state, self.european
        return float(s.gdp_bn[eu] @ s.core_pct[eu]) / 100.0

    # -- the year ----------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one year (the order is in the module docstring)."""
        self.year += 1
        self.now = self.config.series_year(self.year)
        self.united_states.drawdown_this_year = 0.0
        self.united_states.exited_this_year = False
        self.probe_this_year = None
        forced_probe, forced_pressure = self._apply_events(self.year)
        self.ally_state.grow_economy(self.year)
        self._russia_acts(forced_probe)
        laggards = self._united_states_acts(forced_pressure)
        self._allies_act(laggards)
        self._deliver()
        self.russia.read_us_resolve(
            self.united_states.posture,
            self.united_states.threat_level,
            self.now["us_reassurance"],
            self.united_states.ambiguity,
            self.united_states.exited_mechanisms,
        )
        self.recorder.record_year()
        if self.year >= self.end_year:
            self.running = False

    def _russia_acts(self, forced_probe: int | None) -> None:
        war = self.now["ukraine_war"]
        russia = self.russia
        was_at_war = russia.committed_share > 0
        russia.react_to_balance(self.europe_spending_bn(), war)
        russia.rebuild_forces(war)
        if was_at_war and war == 0:
            self.recorder.event(
                "ceasefire", "the war in Ukraine stops; Russia begins to reconstitute"
            )
        attacks = russia.greyzone_attacks(self.proximity, self.now["greyzone_escalation"])
        s = self.ally_state
        s.greyzone_attacks = attacks.astype(np.int64) + s.greyzone_attacks_extra
        s.greyzone_attacks_extra.fill(0)
        self.greyzone_total = int(s.greyzone_attacks.sum())
        eligible = s.member.copy()
        target = forced_probe
        if target is None:
            target = russia.choose_probe(
                lambda: crisis_game.response_odds(self), self.proximity, eligible
            )
        if target is not None:
            crisis = crisis_game.resolve_probe(self, target)
            crisis_game.apply_feedback(self, crisis)
            self.probe_this_year = crisis
            self.recorder.event("probe", crisis_game.describe(self, crisis))

    def _united_states_acts(self, forced_pressure: float) -> np.ndarray:
        us = self.united_states
        progress = us.measure_progress(*self.progress_measures())
        theta = us.issue_threats(progress, self.now["us_pressure"], forced_pressure)
        bar = self.now["pledge_core_pct"] - 0.05
        s = self.ally_state
        measured = s.reported_core_pct if us.p["measurement"] == "headline" else s.core_pct
        laggards = s.member & self.european & (measured < bar)
        if theta >= 0.05 and laggards.any() and self.recorder.due("threat"):
            names = ", ".join(self.allies[i].record.country for i in np.flatnonzero(laggards)[:4])
            more = f" and {laggards.sum() - 4} more" if laggards.sum() > 4 else ""
            self.recorder.event(
                "threat",
                f"the US threatens abandonment (level {theta:.2f}); laggards: {names}{more}",
            )
        if us.execute_threats(int(laggards.sum())):
            self.recorder.event(
                "threat_executed",
                "the US executes its threat: a drawdown of "
                f"{us.p['drawdown_step']:.0%} of its 2025 posture is ordered",
            )
        met = us.judge_deadline(progress)
        if met is not None:
            if met:
                text = f"deadline met: Europe's progress {progress:.2f} by the US measure"
            elif us.exited_this_year:
                text = (
                    f"deadline missed (progress {progress:.2f}); the US leaves NATO "
                    "coordination mechanisms"
                )
            else:
                text = f"deadline missed (progress {progress:.2f}); nothing follows"
            self.recorder.event("deadline", text)
        us.adjust_posture(self.now["china_pull"])
        return laggards

    def _allies_act(self, laggards: np.ndarray) -> None:
        """M2, M3, M4 for every ally at once (the rules of :mod:`sim.agents.ally_rules`):
        threat from last year's network, then trust, then budgets (allies with armed forces)."""
        us, s = self.united_states, self.ally_state
        pp, pa = self.p_perception, self.p_allies
        signals = us.threat_level * np.where(laggards, 1.0, 0.5)
        neighbours = self.norm_weights @ s.threat
        power = self.russia.capability / self.russia_capability_start
        situational = rules.situational_threat(
            pp,
            s.proximity,
            power,
            self.now["ukraine_war"],
            s.greyzone_attacks,
            s.shock,
            s.aggression,
        )
        s.threat = rules.perceive_threat(pp, s.threat, situational, neighbours)
        s.shock, s.aggression = rules.decay_shocks(pp, s.shock, s.aggression)
        s.trust = rules.update_trust(
            pp,
            s.trust,
            signals,
            us.drawdown_this_year,
            s.posture_weight,
            us.ambiguity,
            self.now["us_reassurance"],
            us.exited_this_year,
        )
        peers = self._peers()
        leverage = pa["compliance_gain"] * us.coercion_credibility * self.us_influence
        pledge = self.now["pledge_core_pct"]
        shocks = self.rng.normal(0.0, pa["budget_noise_sd"], len(self.allies))
        need = rules.need_pct(pa, s.base_pct, s.threat, s.trust, s.size)
        desired = rules.desired_core_pct(
            pa,
            need,
            leverage * signals,
            self.now["us_demand_pct"],
            pledge,
            peers,
            shocks,
            s.holdout,
            s.holdout_cap,
        )
        armed = self.armed
        core = rules.set_budget(s.core_pct, desired, s.adjustment, s.max_rise, s.max_cut)
        s.core_pct = np.where(armed, core, s.core_pct)
        reclassified = rules.reclassify(
            s.reclassified_pct,
            s.core_pct,
            s.holdout,
            pledge,
            us.p["measurement"] == "headline",
            s.reclassify_max,
            s.max_cut,
        )
        s.reclassified_pct = np.where(armed, reclassified, s.reclassified_pct)
        related = rules.adjust_related(pa, s.related_pct, s.holdout, self.now["pledge_related_pct"])
        s.related_pct = np.where(armed, related, s.related_pct)

    def _deliver(self) -> None:
        p = self.p_capability
        weights = cap.allocation_weights(self.base_allocation, self.coverage, p["gap_priority"])
        s = self.ally_state
        equip = np.where(self.armed, s.spending_bn * s.equipment_share, 0.0)
        self.pipeline.order(equip[:, None] * weights[None, :])
        self.pipeline.deliver()
        self.sovereign_isr = min(
            p["isr_irreplaceable_share"],
            self.sovereign_isr
            + p["isr_sovereign_rate"] * weights[cap.ISR] / max(self.base_allocation[cap.ISR], 1e-9),
        )
        self._update_indices()

    def _update_indices(self) -> None:
        """Coverage (M1), European share and US influence (M6), nuclear liability (M7), cohesion.

        * coverage per category = European capability / requirement, with requirement = the start
          year's NATO capability in Europe x (Russia's capability / start) ^ elasticity;
        * European share = European / (European + US) capability in Europe;
        * US influence = ((1 - share) / (1 - start share)) ^ ``agency_elasticity``, capped at 1,
          less ``command_influence_loss`` under a European SACEUR (C2, C6);
        * nuclear liability = ``nuclear_commitment`` x (1 - influence) x mean threat (C7);
        * cohesion = (1 - damage) x (mean trust + 1 - 2 x mean absolute deviation of threat) / 2,
          where Article 5 failures add damage that heals 10% a year.
        """
        p = self.p_capability
        europe = self.europe_capability()
        us = self.us_capability_in_europe()
        ratio = max(self.russia.capability, 1e-9) / self.russia_capability_start
        requirement = self.requirement_start * ratio ** p["requirement_russia_elasticity"]
        isr_cap = 1.0 - p["isr_irreplaceable_share"] + self.sovereign_isr
        self.coverage = cap.coverage(europe, requirement, isr_cap)
        eu_total = float(europe.sum())
        self.eu_share = eu_total / (eu_total + float(us.sum()))
        rel = (1.0 - self.eu_share) / max(1e-9, 1.0 - (self.eu_share_start or self.eu_share))
        influence = min(1.0, max(0.0, rel)) ** self.p_alliance["agency_elasticity"]
        if self.united_states.european_command:
            influence *= 1.0 - self.p_alliance["command_influence_loss"]
        self.us_influence = influence
        threats, mean = self.ally_state.threat, self.mean_weights
        mean_threat = float(mean @ threats)
        mean_trust = float(mean @ self.ally_state.trust)
        self.nuclear_liability = (
            self.p_alliance["nuclear_commitment"] * (1.0 - influence) * mean_threat
        )
        self.cohesion_damage *= 0.9
        spread = float(mean @ np.abs(threats - mean_threat))
        self.cohesion = (1.0 - self.cohesion_damage) * max(
            0.0, min(1.0, 0.5 * mean_trust + 0.5 * (1.0 - 2.0 * spread))
        )

    def progress_measures(self) -> tuple[float, float]:
        """(headline, capability) progress in [0, 1], as the US can measure it (C19).

        Headline: GDP-weighted share of European allies whose reported core spending reaches the
        US demand. Capability: share of categories whose coverage reaches ``coverage_goal``.
        """
        s = self.ally_state
        head = progress.headline_progress(
            s.gdp_bn, self.european & s.member, s.reported_core_pct, self.now["us_demand_pct"]
        )
        capab = progress.capability_progress(self.coverage, self.p_capability["coverage_goal"])
        return float(head), float(capab)

    def _apply_events(self, year: int) -> tuple[int | None, float]:
        """Apply the scenario's events dated ``year``; return a forced probe target and the
        strongest ``us_pressure`` event of the year."""
        forced_probe, pressure = None, 0.0
        index = self.by_code
        for ev in self.config.events:
            if ev.year != year:
                continue
            target = index.get(ev.target)
            if ev.kind == "russian_aggression":
                self.ally_state.aggression = self.ally_state.aggression + ev.magnitude * (
                    self.ally_state.proximity
                )
            elif ev.kind == "greyzone_surge":
                for a in [target] if target else self.allies:
                    share = 1.0 if target else float(self.proximity[a.index])
                    a.greyzone_attacks_extra += round(ev.magnitude * share)
            elif ev.kind == "russia_probe" and target is not None and year > self.start_year:
                forced_probe = target.index
            elif ev.kind == "us_reassurance":
                gain = self.p_perception["trust_reassurance_gain"] * ev.magnitude
                trust = self.ally_state.trust
                self.ally_state.trust = trust + gain * (1.0 - trust)
                self.russia.resolve_estimate += gain * (1.0 - self.russia.resolve_estimate)
            elif ev.kind == "us_drawdown":
                self.united_states.forced_drawdown(ev.magnitude)
            elif ev.kind == "us_pressure":
                pressure = max(pressure, min(1.0, ev.magnitude))
            elif ev.kind == "accession" and target is not None:
                target.member = True
            elif ev.kind == "european_command":
                self.united_states.european_command = True
            self.recorder.event(
                ev.kind,
                ev.note
                or f"{ev.kind.replace('_', ' ')}"
                + (f" ({target.record.country})" if target else ""),
                year=year,
            )
        return forced_probe, pressure

    def run(self) -> None:
        """Step to the end year."""
        while self.year < self.end_year:
            self.step()
