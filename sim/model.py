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
from .mechanisms import capability as cap
from .mechanisms import crisis as crisis_game
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
        self.now = {name: scenario.series_at(name, self.year) for name in SERIES_NAMES}
        self.recorder = Recorder(self)

        records = data.allies()
        self.codes = [r.iso3 for r in records]
        self.code_array = np.array(self.codes, dtype=object)
        (self.graph, self.raw_weights, self.norm_weights, self.proximity, self.posture_weight) = (
            cached_network(tuple(sorted(P["network"].items())))
        )
        self.allies = [
            Ally(
                self,
                r,
                i,
                initial.defence_pct(r.iso3, self.start_year),
                initial.gdp_bn(r, self.start_year) or r.gdp_usd_2024 / 1e9,
            )
            for i, r in enumerate(records)
        ]
        self.armed = np.array([a.armed_forces for a in self.allies])
        self.european = np.array([a.european and a.armed_forces for a in self.allies])
        self.canada = np.array([a.iso3 == "CAN" for a in self.allies])
        self.peer_weights = self.norm_weights * self.armed[None, :]
        self.europe_weights = self.european + self.p_capability["canada_europe_share"] * self.canada
        self.european_armed = [a for a in self.allies if a.european and a.armed_forces]
        self.armed_allies = [a for a in self.allies if a.armed_forces]
        self._set_sizes()
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
    def _set_sizes(self) -> None:
        largest = max(a.gdp_bn for a in self.allies if a.european)
        for a in self.allies:
            a.size = min(1.0, (a.gdp_bn / largest) ** 0.5)

    def _init_capability(self) -> None:
        p = self.p_capability
        base = np.array([p[f"allocation_{c}"] for c in cap.CATEGORIES], dtype=float)
        self.base_allocation = _normalised(base)
        stock_mix = _normalised([p[f"stock_mix_{c}"] for c in cap.CATEGORIES])
        dep = tuple(p[f"depreciation_{c}"] for c in cap.CATEGORIES)
        shares = tuple(a.equipment_share for a in self.allies)
        stock = _start_stocks(self.start_year, shares, dep) * stock_mix[None, :]
        equip = np.array(
            [a.spending_bn * a.equipment_share if a.armed_forces else 0.0 for a in self.allies]
        )
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
        core = np.array([a.core_pct for a in self.allies])
        row = self.peer_weights.sum(axis=1)
        peers = np.divide(self.peer_weights @ core, row, out=core.copy(), where=row > 0).tolist()
        pledge = self.now["pledge_core_pct"]
        for a in self.armed_allies:
            a.anchor_base(a.core_pct, pledge, peers[a.index])

    def _init_threat(self) -> None:
        """Start threat at the fixed point of the perception rule (M2) with the start year's
        inputs: ``a (s - t) + b (W t - t) = 0``, i.e. ``(a I + b (I - W)) t = a s``."""
        p = self.p_perception
        a, b = p["threat_adjustment"], p["threat_network_weight"]
        s = np.array([x.situational_threat(1.0, self.now["ukraine_war"]) for x in self.allies])
        n = len(s)
        if a > 0:
            t = np.linalg.solve(a * np.eye(n) + b * (np.eye(n) - self.norm_weights), a * s)
        else:
            t = s
        for x in self.allies:
            x.threat = float(min(1.0, max(0.0, t[x.index])))

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
        return sum([a.gdp_bn * a.core_pct for a in self.european_armed]) / 100.0

    # -- the year ----------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one year (the order is in the module docstring)."""
        self.year += 1
        self.now = {name: self.config.series_at(name, self.year) for name in SERIES_NAMES}
        self.united_states.drawdown_this_year = 0.0
        self.united_states.exited_this_year = False
        self.probe_this_year = None
        forced_probe, forced_pressure = self._apply_events(self.year)
        for a in self.allies:
            a.grow_economy(self.year)
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
        for a in self.allies:
            a.greyzone_attacks = int(attacks[a.index]) + a.greyzone_attacks_extra
            a.greyzone_attacks_extra = 0
        self.greyzone_total = sum(a.greyzone_attacks for a in self.allies)
        eligible = np.array([a.member for a in self.allies])
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
        headline = us.p["measurement"] == "headline"
        laggards = np.array(
            [
                a.member
                and a.european
                and a.armed_forces
                and (a.reported_core_pct if headline else a.core_pct) < bar
                for a in self.allies
            ]
        )
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
        us = self.united_states
        lagging = laggards.tolist()
        signals = [us.threat_level * (1.0 if lag else 0.5) for lag in lagging]
        threat_prev = np.array([a.threat for a in self.allies])
        neighbours = (self.norm_weights @ threat_prev).tolist()
        power = self.russia.capability / self.russia_capability_start
        war = self.now["ukraine_war"]
        reassurance = self.now["us_reassurance"]
        for a in self.allies:
            a.perceive_threat(a.situational_threat(power, war), neighbours[a.index])
            a.update_trust(
                signals[a.index],
                us.drawdown_this_year,
                us.ambiguity,
                reassurance,
                us.exited_this_year,
            )
        core_prev = np.array([a.core_pct for a in self.allies])
        row = self.peer_weights.sum(axis=1)
        peers = np.divide(
            self.peer_weights @ core_prev, row, out=core_prev.copy(), where=row > 0
        ).tolist()
        leverage = self.p_allies["compliance_gain"] * us.coercion_credibility * self.us_influence
        demand, pledge = self.now["us_demand_pct"], self.now["pledge_core_pct"]
        related = self.now["pledge_related_pct"]
        headline = us.p["measurement"] == "headline"
        shocks = self.rng.normal(0.0, self.p_allies["budget_noise_sd"], len(self.allies)).tolist()
        for a in self.armed_allies:
            i = a.index
            a.set_budget(
                a.desired_core_pct(leverage * signals[i], demand, pledge, peers[i], shocks[i])
            )
            a.reclassify(pledge, headline)
            a.adjust_related(related)

    def _deliver(self) -> None:
        p = self.p_capability
        weights = cap.allocation_weights(self.base_allocation, self.coverage, p["gap_priority"])
        equip = np.array(
            [a.spending_bn * a.equipment_share if a.armed_forces else 0.0 for a in self.allies]
        )
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
        self.eu_share = float(europe.sum() / (europe.sum() + us.sum()))
        rel = (1.0 - self.eu_share) / max(1e-9, 1.0 - (self.eu_share_start or self.eu_share))
        influence = min(1.0, max(0.0, rel)) ** self.p_alliance["agency_elasticity"]
        if self.united_states.european_command:
            influence *= 1.0 - self.p_alliance["command_influence_loss"]
        self.us_influence = influence
        n = len(self.allies)
        threats = [a.threat for a in self.allies]
        mean_threat = sum(threats) / n
        mean_trust = sum(a.trust for a in self.allies) / n
        self.nuclear_liability = (
            self.p_alliance["nuclear_commitment"] * (1.0 - influence) * mean_threat
        )
        self.cohesion_damage *= 0.9
        spread = sum(abs(t - mean_threat) for t in threats) / n
        self.cohesion = (1.0 - self.cohesion_damage) * max(
            0.0, min(1.0, 0.5 * mean_trust + 0.5 * (1.0 - 2.0 * spread))
        )

    def progress_measures(self) -> tuple[float, float]:
        """(headline, capability) progress in [0, 1], as the US can measure it (C19).

        Headline: GDP-weighted share of European allies whose reported core spending reaches the
        US demand. Capability: share of categories whose coverage reaches ``coverage_goal``.
        """
        demand = self.now["us_demand_pct"] - 0.05
        gdp = total = 0.0
        for a in self.european_armed:
            if a.member:
                total += a.gdp_bn
                if a.core_pct + a.reclassified_pct >= demand:
                    gdp += a.gdp_bn
        goal = self.p_capability["coverage_goal"]
        return gdp / total, float((self.coverage >= goal).mean())

    def _apply_events(self, year: int) -> tuple[int | None, float]:
        """Apply the scenario's events dated ``year``; return a forced probe target and the
        strongest ``us_pressure`` event of the year."""
        forced_probe, pressure = None, 0.0
        index = {a.iso3: a for a in self.allies}
        for ev in self.config.events:
            if ev.year != year:
                continue
            target = index.get(ev.target)
            if ev.kind == "russian_aggression":
                for a in self.allies:
                    a.aggression += ev.magnitude * a.proximity
            elif ev.kind == "greyzone_surge":
                for a in [target] if target else self.allies:
                    share = 1.0 if target else float(self.proximity[a.index])
                    a.greyzone_attacks_extra += round(ev.magnitude * share)
            elif ev.kind == "russia_probe" and target is not None and year > self.start_year:
                forced_probe = target.index
            elif ev.kind == "us_reassurance":
                gain = self.p_perception["trust_reassurance_gain"] * ev.magnitude
                for a in self.allies:
                    a.trust += gain * (1.0 - a.trust)
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
