"""The Mesa model: who acts when, and the alliance-level quantities the agents share.

One step is one year. The state at construction is the start year's data (recorded as the first
row); each step then runs, in order:

1. exogenous inputs of the year (allies joining NATO in their year, then series and dated
   events, summits among them) and GDP growth;
2. Russia: spending reaction and forces (M8), grey-zone attacks (M8), the probe decision (M8)
   and, if it probes, the Article 5 crisis game (M9);
3. the United States: progress measured, threats set (escalate, relent, reassure, declare
   success), executed, posture adjusted (M5);
4. the allies: threat perception over the network (M2), trust (M3), their answer to coercion
   (comply, hedge, resist) and budgets (M4: drafted a year ahead, on last year's threat and
   war), and equipment orders (M1);
5. deliveries through the capability pipeline (M1), then, at a change of command, the US's
   choice of who holds it (M6, C2), European agency and US influence (M6), nuclear liability
   (M7), cohesion; in the deadline year the US judges progress (M5, C15);
   Russia reads US and European resolve (M3);
6. the year is recorded.
"""

from __future__ import annotations

import copy
import functools
import weakref
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any, TypeVar

import mesa
import networkx as nx
import numpy as np

from .. import data
from ..agents import Ally, Russia, UnitedStates, budget_why
from ..agents import ally_rules as rules
from ..agents.ally import AllyState
from ..mechanisms import capability as cap
from ..mechanisms import coercion, forces, influence, progress, switches
from ..mechanisms import crisis as crisis_game
from ..mechanisms.theatre import Theatre
from ..scenario import CATALOGUE, Scenario
from . import initial
from .decisions import Decisions
from .events import apply_event
from .network import cached_arrays, cached_network
from .outputs import Recorder
from .pledge import Pledge, member_weights

# The share of European equipment orders placed with US industry in the world of 2025 (the
# schema's default, not a scenario's choice): the procurement channel of US influence is
# measured against it, so a scenario that buys European from the start has less of it (M6).
US_BUY_SHARE_2025 = float(CATALOGUE.by_section["capability"]["us_buy_share"].default)

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
    "gdp_surprise_pct",
    "russia_milex_pct_gdp",
)


T = TypeVar("T")

# What each build of the construction shared by a scenario's models reads
# (:meth:`AllianceModel._init_shared`'s ``depends``): the parameter sections (or single
# parameters, ``"section.name"``), ``"overrides"`` (per-ally values) and ``"series"`` its value
# can depend on, directly or through the state the construction set before it. A variant of
# the scenario (:meth:`Scenario.with_params`) that changed none of them reads its parent's
# value (a sweep's point over the US's threat intensity shares all of the start but what its
# first stance changes). ``mechanisms`` is read wherever a table is (the switches' neutral
# values: :attr:`AllianceModel.params`); ``run`` wherever the start year's data are. Guarded
# by tests/test_engine_setup_shared.py (every parameter moved in a variant gives what the
# variant computes alone). A build not listed depends on everything: the compliance
# references, the start-year summits (:func:`sim.model.events.summit`) and the start's record
# read the US's first stance and the indices, so nearly every part.
_ALLY_START = ("run", "allies", "overrides")  # AllyState: the start year's data, per-ally values
START_DEPENDS: dict[str, tuple[str, ...]] = {
    # the network's weights, the armed and European allies (the data's), Canada's share
    "allies": ("network", "capability", "mechanisms"),
    # the spending record and equipment of the allies at the start, the [capability] table
    "pipeline": (*_ALLY_START, "capability", "mechanisms"),
    # the pipeline's stocks and the weights of capability in Europe
    "capability": (*_ALLY_START, "capability", "network", "mechanisms"),
    # the pipeline's stocks, proximity, Russia's projection, the [crisis] table, the members;
    # the US posture it reads is 1 at the start whatever the parameters
    "theatre": (*_ALLY_START, "capability", "network", "crisis", "russia", "mechanisms"),
    # the theatre's start forces among the members, the halt ratio
    "readiness": (*_ALLY_START, "capability", "network", "crisis", "russia", "mechanisms"),
    # the fixed point of perception over the network from the start year's situational threat
    # (the series' war; Russia's militarisation is 1 at the start, the allies' shocks,
    # aggression and grey-zone attacks 0)
    "threat": ("run", "perception", "network", "series", "mechanisms"),
    # the budget rule at the start (threat, trust, sizes, peers, the pledge from the series)
    "base_pct": (*_ALLY_START, "perception", "network", "series", "mechanisms"),
    "budget_start": (*_ALLY_START, "perception", "network", "series", "mechanisms"),
    # headline (reported spending, GDP, members, the series' demand) and capability progress
    # (stocks against the start's references); the start year's events before it are the
    # scenario's, which a variant shares (Scenario.with_params keeps them)
    "measures": (*_ALLY_START, "capability", "network", "series", "mechanisms"),
    # coverage, shares, US influence, nuclear liability and cohesion read nearly every part
    # of the start (Russia's, the allies'): all but the verdict's thresholds; of the US's, only
    # who holds the command and what leaving the mechanisms takes (its posture is 1 at the
    # start, its stance not yet taken, the compliance channel 1 until it is)
    "indices": (
        *_ALLY_START,
        "united_states.european_command",
        "united_states.exit_capability_loss",
        "russia",
        "perception",
        "capability",
        "alliance",
        "coercion",
        "crisis",
        "network",
        "mechanisms",
        "series",
    ),
}


def _read_only(value: T) -> T:
    """``value`` with its arrays (itself, or in a tuple or a dict) made read-only: a value
    shared by the models of a scenario (:meth:`AllianceModel._init_shared`)."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, tuple) else ()
    for v in (value, *items):
        if isinstance(v, np.ndarray):
            v.flags.writeable = False
    return value


def _immutable(value: Any) -> bool:
    """Whether ``value`` cannot change: a number, text, None, a read-only array or table, or a
    tuple of those."""
    if isinstance(value, tuple):
        return all(map(_immutable, value))
    if isinstance(value, np.ndarray):
        return not value.flags.writeable
    return value is None or isinstance(
        value, (int, float, str, np.number, np.bool_, MappingProxyType)
    )


def _copyable(value: Any) -> bool:
    """Whether a copy of ``value`` (``value.copy()`` for an array, a dict or a list, else
    ``value``) is a value of its own: an array, something immutable, or a dict or list of
    immutable things."""
    if isinstance(value, (dict, list)):
        return all(map(_immutable, value.values() if isinstance(value, dict) else value))
    return isinstance(value, np.ndarray) or _immutable(value)


def _check_copyable(key: str, values: Mapping[str, Any]) -> None:
    """Refuse, naming it, a value :func:`_copy` would not give a model of its own."""
    for k, v in values.items():
        if not _copyable(v):
            raise TypeError(f"{key}: {k} is not copied safely ({type(v).__name__})")


def _copy(value: Any) -> Any:
    """A copy of ``value`` for a model of its own (:func:`_copyable`)."""
    return value.copy() if isinstance(value, (np.ndarray, dict, list)) else value


# what a pipeline's rows hold that its rules only read (parameters and indices): shared by
# the models of a scenario, read-only (AllianceModel._init_pipeline); the rest is state
_PIPELINE_READ = ("keep", "keep_cells", "growth", "share", "lead", "supplier", "category")


def _own_pipeline(template: cap.CapabilityPipeline) -> cap.CapabilityPipeline:
    """A model's own copy of the scenario's start pipeline (:meth:`AllianceModel._init_pipeline`):
    its parameters shared (read-only arrays), its state (stocks, what is owed, backlog,
    capacity, deliveries: every writable array of its rows) copied into rows of its own
    (:class:`~sim.mechanisms.capability.PipelineRows`, no longer computed again). Any other
    value of the rows must be immutable (else refused, as it could not be shared safely)."""
    clone = copy.copy(template)
    rows, own = template._rows, object.__new__(cap.PipelineRows)
    for k in cap.PipelineRows.__slots__:
        v = getattr(rows, k)
        if isinstance(v, np.ndarray):
            v = v.copy() if v.flags.writeable else v
        elif k != "pipes" and not _immutable(v):
            raise TypeError(f"pipeline rows: {k} is not copied safely ({type(v).__name__})")
        setattr(own, k, v)
    own.pipes = [clone]
    clone._rows, clone._r = own, 0
    return clone


# parameters a running model cannot change (the seminar app's levers, replayed changes): the
# run's frame and network, and the capability pipeline's shape (lead times, the US backlog) and
# start capacity (headroom), which the start year fixed
FIXED_ONCE_STARTED = (
    "run.",
    "network.",
    "capability.lead_time_",
    "capability.us_backlog_years",
    "capability.industry_headroom",
)


class AllianceModel(mesa.Model):
    """NATO burden-sharing: the United States, the allies and Russia over a data-built network.

    Args:
        scenario: A validated scenario (:func:`sim.load_scenario`).
        rng: Seed for this replication; every random draw goes through ``self.rng`` (numpy).
    """

    def __init__(self, scenario: Scenario, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        P = self._bind_params(scenario)
        self.start_year, self.end_year = P["run"]["start_year"], P["run"]["end_year"]
        self.year = self.start_year
        self.now = scenario.series_year(self.year)
        self.recorder = Recorder(self)

        records = data.allies()
        self.codes = [r.iso3 for r in records]
        self._network_items = tuple(sorted(P["network"].items()))
        # the rules read the arrays; the graph is built when something asks for it (graph)
        (self.raw_weights, self.norm_weights, self.proximity, self.posture_weight) = cached_arrays(
            self._network_items
        )
        self.ally_state = AllyState(self, records)
        self.allies = [Ally(self, r, i) for i, r in enumerate(records)]
        self.ally_index = {r.iso3: i for i, r in enumerate(records)}
        # set before step() to replace agents' decisions for one year (sim.model.decisions)
        self.decisions: Decisions | None = None
        self.decided = Decisions()
        self.by_code = dict(zip(self.codes, self.allies, strict=True))
        self.accession_events: dict[int, tuple[str, ...]] = {}  # year -> targets of the events
        for ev in scenario.events:
            if ev.kind == "accession" and ev.target:
                self.accession_events[ev.year] = (
                    *self.accession_events.get(ev.year, ()),
                    ev.target,
                )
        self.armed = self.ally_state.armed
        (
            self.code_array,
            self.accession_year,
            self.european,
            self.canada,
            self.peer_weights,
            self.has_peers,
            self.peer_rows,
            self.mean_weights,
            self.europe_weights,
        ) = self._init_shared("allies", self._init_allies, START_DEPENDS["allies"])
        self._init_capability()
        self.russia = Russia(self, self.europe_spending_bn())
        self.united_states = UnitedStates(self)
        self.pledge = Pledge.from_series(scenario, self.start_year)
        self.theatre = self._init_copy("theatre", lambda: Theatre(self), START_DEPENDS["theatre"])
        self.readiness_thresholds = self._init_shared(
            "readiness", self._readiness_thresholds, START_DEPENDS["readiness"]
        )
        self.nuclear_liability = 0.0
        self.cohesion_damage = 0.0
        self.sovereign_isr = 0.0
        self.hedging = 0.0
        self.shares = (np.zeros(len(records)), np.zeros(len(records)), np.zeros(len(records)))
        self.signals = np.zeros(len(records))
        self.probe_this_year: crisis_game.Crisis | None = None
        # the year's forced probe target and US pressure (events, an instructor) and the
        # laggards the US named: set by one step of the year for the next (sim.engine.year)
        self.forced_probe: int | None = None
        self.forced_pressure = 0.0
        self.laggards = np.zeros(len(records), dtype=bool)
        self.greyzone_total = 0
        # the behaviours US influence is read from (M6, sim.mechanisms.influence)
        self.comply_start = 0.0  # set once the US has taken its stance; 0: compliance counts 1
        # each ally's comply share facing the US's first stance, and its GDP then (bn US$):
        # the reference of the compliance channel (_comply_reference), fixed at the start
        self.comply_each_start: tuple[np.ndarray, np.ndarray] | None = None
        self.crisis_alignment = 1.0
        self.us_buy_shares = np.full(len(records), self.p_capability["us_buy_share"])
        self.equipment_bn = np.zeros(len(records))
        self._init_assignments("indices", self._update_indices, START_DEPENDS["indices"])
        self.coverage_start = self.coverage.copy()
        self._init_threat()
        if self.p_allies["anchor_to_start"]:
            s = self.ally_state
            s.base_pct = self._init_shared(
                "base_pct", self._init_anchored_base, START_DEPENDS["base_pct"]
            ).copy()
        self.budget_start = self._init_shared(
            "budget_start", self._budget_situation, START_DEPENDS["budget_start"]
        )
        self.budget_why: MutableMapping[str, np.ndarray] = {
            k: np.zeros(len(records)) for k in budget_why.TERMS
        }  # a Terms row of the allies' phase's block after a year (sim.engine.allies)
        _, pressure = self._apply_events(self.start_year, summits=False)
        measures = self._init_shared("measures", self.progress_measures, START_DEPENDS["measures"])
        self.united_states.initial_stance(measures, self.now, pressure)
        self.comply_each_start = self._init_shared(
            "comply_each", lambda: self._comply_each(self.united_states.threat_level)
        )
        self.comply_start = self._init_shared("comply_start", self._comply_reference)
        self._apply_events(self.start_year, summits=True)
        self._init_record()

    def _bind_params(self, scenario: Scenario) -> Mapping[str, Mapping[str, Any]]:
        """Take ``scenario`` as the model's configuration and bind its effective parameter
        tables (switches applied) to the names the rules read; return the tables."""
        self.config = scenario
        self.switches = scenario.params["mechanisms"]
        self.params = P = switches.effective(scenario)
        self.p_allies, self.p_perception = P["allies"], P["perception"]
        self.p_capability, self.p_crisis = P["capability"], P["crisis"]
        self.p_alliance, self.p_verdict = P["alliance"], P["verdict"]
        self.p_russia, self.p_coercion = P["russia"], P["coercion"]
        return P

    def change_params(self, values: dict[str, Any], source: str = "changed mid-run") -> None:
        """Change parameters of a running model from the next year on (the seminar app's
        levers): the scenario is copied with ``values`` (validated like a file) and every rule
        reads the new values from the next step. What the start year fixed stays as it was: the
        network, each ally's start-year values and anchored budget, the initial stocks. The event
        log records the change."""
        fixed = [k for k in values if k.startswith(FIXED_ONCE_STARTED)]
        if fixed:
            raise ValueError(f"{fixed[0]} is fixed once a run has started")
        P = self._bind_params(self.config.with_params(values, source=source))
        self.russia.p = self.russia.forces.p = P["russia"]
        self.united_states.p = P["united_states"]
        self.pipeline.retune(P["capability"])  # depreciation, capacity growth, US share
        self.theatre.c = P["crisis"]  # travel, presence and forces read it each year
        self.theatre.project(self.proximity, P["russia"])
        text = ", ".join(f"{k} = {v}" for k, v in sorted(values.items()))
        self.recorder.event("lever", f"from {self.year + 1}: {text}")

    def on(self, switch: str) -> bool:
        """Whether the knock-out switch ``switch`` (``[mechanisms]``) is on."""
        return bool(self.switches[switch])

    # -- set-up ------------------------------------------------------------------------------
    def _init_shared(
        self, key: Any, build: Callable[[], T], depends: tuple[str, ...] | None = None
    ) -> T:
        """``build()`` at this point of the model's construction, computed once per scenario and
        shared by its models read-only (its arrays made so; a caller that keeps one as state
        copies it). Keyed on the scenario (:meth:`Scenario.derived`) with ``depends`` as its
        dependencies: the parts of the scenario (parameter sections or single parameters,
        ``"overrides"``, ``"series"``) the value can depend on, through the scenario or
        through the state set earlier in the construction (:data:`START_DEPENDS`). A variant
        that changed none of them (a sweep's point: :meth:`Scenario.with_params`) reads its
        parent's value; any other variant, a sampled world among them, computes its own.
        ``None`` (the default): every part of the scenario. Safe because the construction is a
        function of the scenario alone: it draws nothing from the model's generator (tested)
        and reads only the scenario and the data files; a lever moved mid-run changes nothing
        here (the start is over)."""
        sc = self.config
        return sc.derived(
            ("start", key),
            lambda: _read_only(build()),
            depends=(*sc.params, "overrides", "series") if depends is None else depends,
        )

    def _init_assignments(
        self, key: str, call: Callable[[], None], depends: tuple[str, ...] | None = None
    ) -> None:
        """``call()``, a step of the construction that only sets attributes of the model (the
        start's indices: :meth:`_update_indices`), run once per scenario: the attributes it
        set and their values are kept (:meth:`_init_shared`) and every model of the scenario
        sets them to copies of those values (arrays, dicts and lists copied: they are its
        state). Only arrays, numbers, text and dicts or lists of those are taken: another value
        is refused, as it could not be copied safely. ``depends``: as :meth:`_init_shared`'s."""

        def build() -> dict[str, Any]:
            before = dict(vars(self))
            call()
            out = {k: v for k, v in vars(self).items() if k not in before or before[k] is not v}
            _check_copyable(key, out)
            return out

        for k, v in self._init_shared(("assignments", key), build, depends).items():
            setattr(self, k, _copy(v))

    def _init_copy(
        self, key: str, make: Callable[[], T], depends: tuple[str, ...] | None = None
    ) -> T:
        """``make()``, an object of the start (the theatre) built once per scenario, and a copy
        of it for each model of the scenario (the first included): its arrays, dicts and lists
        copied, as they are its state (:func:`_copy`). Only an object whose attributes are all
        so copied safely is taken (:func:`_copyable`; another is refused). Safe as
        :meth:`_init_shared` is: the object reads only the construction's state. ``depends``:
        as :meth:`_init_shared`'s."""

        def build() -> T:
            obj = make()
            _check_copyable(key, vars(obj))
            return obj

        template = self._init_shared(("object", key), build, depends)
        clone = copy.copy(template)
        for k, v in vars(template).items():
            setattr(clone, k, _copy(v))
        return clone

    def _init_record(self) -> None:
        """The start year's record (:meth:`Recorder.record_year`): recorded by the scenario's
        first model and kept (:meth:`_init_shared`: the row of the model table's directly read
        values, the allies' state and budget reasons, arrays made read-only, never written into
        after), then kept as it is by each other model of the scenario. Safe as
        :meth:`_init_shared` is: the start year's state is a function of the scenario alone
        (the construction draws nothing; the record reads only that state)."""
        rec = self.recorder

        def build() -> tuple[Any, ...]:
            rec.record_year()
            return (rec._direct[0], *rec._blocks[0])

        row, state, why, i = self._init_shared("record", build)
        if not rec.years:  # not the model that recorded it
            rec._keep(row, state, why, i, [weakref.ref(rec)])

    def _init_allies(self) -> tuple[np.ndarray, ...]:
        """The allies' fixed arrays, read-only and shared by the models of a scenario
        (:meth:`_init_shared`; the rules read them and never write into them): the codes as
        an array, the accession years (``allies.csv``), the armed European allies and Canada
        (masks), the peer weights (the network's normalised weights over armed allies: M4's
        neighbours' spending) with whether an ally has peers and its row sums (1 where it has
        none), the weights of a plain mean (``w @ x``: the mean of x) and the weights of
        capability in Europe (the armed Europeans and Canada's ``canada_europe_share``)."""
        records = data.allies()
        armed = self.armed
        european = self.ally_state.european & armed
        canada = np.array([r.iso3 == "CAN" for r in records])
        peer_weights = self.norm_weights * armed[None, :]
        rows = peer_weights.sum(axis=1)
        has_peers = rows > 0
        return (
            np.array([r.iso3 for r in records], dtype=object),
            np.array([r.accession_year for r in records]),
            european,
            canada,
            peer_weights,
            has_peers,
            np.where(has_peers, rows, 1.0),
            np.full(len(records), 1.0 / len(records)),
            european + self.p_capability["canada_europe_share"] * canada,
        )

    def _init_capability(self) -> None:
        """Stocks in service and orders in transit from the spending record (M1,
        :func:`sim.model.initial.capability_start`); the US contribution valued at IISS's
        replacement
        cost (:func:`sim.mechanisms.capability.us_contribution`); the requirement's base is
        NATO's planning target (:func:`~sim.mechanisms.capability.planning_target`), its Russian
        reference the reconstituted Russia (:func:`sim.model.initial.russia_reconstituted`)."""
        self.pipeline = _own_pipeline(
            self._init_shared("pipeline", self._init_pipeline, START_DEPENDS["pipeline"])
        )
        self.pipeline.p = self.p_capability
        self.russia_reference = self.config.derived(  # the same for every run of a scenario
            ("russia_reconstituted",),
            lambda: initial.russia_reconstituted(self.config, self.start_year, self.params),
            ("russia", "crisis", "series", "run", "mechanisms"),
        )
        (
            self.base_allocation,
            self.us_base,
            self.requirement_start,
            self.europe_start,
            coverage,
        ) = self._init_shared("capability", self._init_references, START_DEPENDS["capability"])
        self.coverage = coverage.copy()

    def _init_pipeline(self) -> cap.CapabilityPipeline:
        """The start's capability pipeline (:meth:`_init_capability`), built once per scenario
        as a template (:meth:`_init_shared`) that no model steps: each model steps its own
        (:func:`_own_pipeline`). Its arrays of parameters (lead times, depreciation, supplier
        shares, and their rows' :data:`_PIPELINE_READ`), read and never written by the rules, are
        made read-only: the models share them."""
        p = self.p_capability
        stock, in_transit, _ = initial.capability_start(self.config, self.start_year, p)
        s = self.ally_state
        equip = np.where(self.armed, s.spending_bn * s.equipment_share, 0.0)
        orders = equip[:, None] * initial.stock_mix(p)[None, :]
        pipe = cap.CapabilityPipeline(
            p, stock, orders, in_transit, limited=self.on("industrial_capacity")
        )
        for v in vars(pipe).values():
            if isinstance(v, np.ndarray):
                v.flags.writeable = False
        for k in _PIPELINE_READ:
            getattr(pipe._rows, k).flags.writeable = False
        return pipe

    def _init_references(self) -> tuple[np.ndarray, ...]:
        """The capability references of the start (:meth:`_init_capability`, read-only): the
        base allocation, the US contribution, the requirement's base, European capability in
        Europe and its coverage of the requirement."""
        p = self.p_capability
        _, _, paid = initial.capability_start(self.config, self.start_year, p)
        base_allocation = initial.allocation(p)
        europe_paid = self.europe_weights @ paid
        us_shares = np.array([p[f"us_share_{c}"] for c in cap.CATEGORIES])
        costed = np.array([c != "isr" for c in cap.CATEGORIES])  # IISS leaves ISR uncosted
        us_base = cap.us_contribution(europe_paid, us_shares, p["us_contribution_bn"], costed)
        pre_war = initial.pre_war_year(self.start_year)
        _, _, paid_pre_war = initial.capability_start(self.config, pre_war, p)
        growth = p["nato_target_growth"] if self.start_year > pre_war else 0.0
        requirement = cap.planning_target(self.europe_weights @ paid_pre_war, us_base, growth)
        europe_start = self.europe_capability()
        coverage = cap.coverage(europe_start, requirement, np.inf)
        return base_allocation, us_base, requirement, europe_start, coverage

    def _init_anchored_base(self) -> np.ndarray:
        """Each ally's ``base_pct``, set so that, in the start year's situation (its threat and
        trust, the pledge, its neighbours' spending, no US threat yet), the budget rule wants
        exactly the spending NATO reports for it: an ally fixed effect taken from the start
        year's data only. Changes then come from changes in that situation (M4). In a run from
        the start of a calibration window, an ally's own record may say it was heading
        elsewhere (``record_target_pp``, fitted from its record alone; issue 26): the rule then
        wants its spending plus that distance, which its budget closes at its adjustment rate."""
        s = self.ally_state
        base = rules.anchored_base(
            self.p_allies,
            s.core_pct + s.record_target,
            self.pledge_goal(),
            self._peers(),
            s.threat,
            s.trust,
            s.size,
            self.pledge_weights(s.threat),
        )
        return np.where(self.armed, base, s.base_pct)

    def answer_shares(self, signals: np.ndarray) -> tuple[Any, Any, Any]:
        """Each ally's comply, hedge and resist shares facing US threats ``signals`` in today's
        situation (M4, :func:`coercion.response_shares` with its dependence on the US)."""
        s = self.ally_state
        return coercion.answer_shares(
            self.p_coercion,
            self.eu_share,
            s.posture_weight,
            s.proximity,
            self.united_states.coercion_credibility,
            s.threat,
            s.trust,
            signals,
            s.resistance,
        )

    def _comply_each(self, signal: float) -> tuple[np.ndarray, np.ndarray]:
        """Each ally's comply share facing a US threat of level ``signal`` in today's situation
        (M4), and today's GDP (bn US$): the compliance channel's reference, taken at the start."""
        comply, _, _ = self.answer_shares(np.full(len(self.allies), signal))
        return comply, self.ally_state.gdp_bn.copy()

    def _comply_reference(self) -> float:
        """The compliance channel's reference (M6): the GDP-weighted comply share at the start
        (:meth:`_comply_each`, start-year GDP) of today's European members, so that an ally
        that joins later is compared with its own start, not left out of the reference while
        counted in the year's share."""
        assert self.comply_each_start is not None
        comply, gdp = self.comply_each_start
        members = self.european & self.ally_state.member
        return influence.gdp_weighted(comply, np.where(members, gdp, 0.0))

    def _budget_situation(self) -> dict[str, np.ndarray]:
        """The situational terms of each ally's desired budget this year
        (:func:`budget_why.situation_terms`): at the start, the reference the budget's reasons
        are measured from."""
        s, pa = self.ally_state, self.p_allies
        return budget_why.situation_terms(
            pa,
            s.base_pct,
            s.threat,
            s.trust,
            s.size,
            self._peers(),
            self.pledge_goal(),
            self.pledge_weights(s.threat),
        )

    def _peers(self) -> np.ndarray:
        """Each ally's neighbours' genuine core spending, network-weighted over allies with
        armed forces (its own where it has no such neighbour)."""
        core = self.ally_state.core_pct
        return rules.peer_spending(self.peer_weights @ core, self.has_peers, self.peer_rows, core)

    def _situational_threat(self) -> np.ndarray:
        st = self.ally_state
        return rules.situational_threat(
            self.p_perception,
            st.proximity,
            self.russia.militarisation,
            self.now["ukraine_war"],
            st.greyzone_attacks,
            st.shock,
            st.aggression,
        )

    def _init_threat(self) -> None:
        """Start threat at the fixed point of the perception rule (M2) with the start year's
        inputs: ``a (s - t) + b (W t - t) = 0``, i.e. ``(a I + b (I - W)) t = a s``."""
        self.ally_state.threat = self._init_shared(
            "threat", self._start_threat, START_DEPENDS["threat"]
        ).copy()

    def _start_threat(self) -> np.ndarray:
        """The start threats (:meth:`_init_threat`): reads the perception table, the network's
        weights and proximity, and the start year's war (the series): :data:`START_DEPENDS`."""
        p = self.p_perception
        s = self._situational_threat()
        if p["threat_adjustment"] > 0:
            t = self.config.derived(  # the effective perception table: the switches too
                ("threat_fixed_point",),
                self._threat_fixed_point,
                ("perception", "network", "mechanisms"),
            )
            t = t @ s
        else:
            t = s
        return np.clip(t, 0.0, 1.0)

    def _threat_fixed_point(self) -> np.ndarray:
        """``(a I + b (I - W))^-1 a``: start threats from situational threats (per scenario)."""
        p = self.p_perception
        a, b = p["threat_adjustment"], p["threat_network_weight"]
        eye = np.eye(len(self.norm_weights))
        out = np.linalg.inv(a * eye + b * (eye - self.norm_weights)) * a
        out.flags.writeable = False
        return out

    def _readiness_thresholds(self) -> tuple[float, float, float]:
        """Free Russian forces (bde-e) needed for a local, a regional and a large war:
        ``crisis.halt_ratio`` (the advantage an attacker needs to advance at all) x the NATO
        forces each would meet at the start (:meth:`Theatre.opposing_forces`), among today's
        members (computed again when an ally joins)."""
        ratio = self.p_crisis["halt_ratio"]
        local, regional, large = self.theatre.opposing_forces(self.ally_state.member)
        return ratio * local, ratio * regional, ratio * large

    # -- shared quantities -------------------------------------------------------------------
    def ally_capability(self) -> np.ndarray:
        """Total capability per ally (equipment-stock units)."""
        return self.pipeline.stock.sum(axis=1)

    def europe_capability(self) -> np.ndarray:
        """European capability in Europe per category (European allies plus Canada's share)."""
        return cap.in_europe(self.europe_weights, self.pipeline.stock)

    def us_capability_in_europe(self) -> np.ndarray:
        """US capability in Europe per category: start level x posture, less what leaving the
        coordination mechanisms takes from ISR and enablers (C15, C17)."""
        us = self.united_states
        return cap.us_in_europe(
            self.us_base, us.posture, us.exited_mechanisms, us.p["exit_capability_loss"]
        )

    def europe_spending_bn(self) -> float:
        """Genuine core defence spending of the European allies, bn US$: the rule for this run
        alone (:func:`sim.engine.russia.europe_spending_bn`)."""
        from ..engine.russia import europe_spending_bn  # noqa: PLC0415 (the engine imports this)

        s = self.ally_state
        return float(europe_spending_bn(s.gdp_bn[None], s.core_pct[None], self.european[None])[0])

    def isr_cap(self) -> float:
        """The most of NATO's ISR requirement Europe can cover (C17): all but the irreplaceable
        part of the US contribution, less what sovereign development has built."""
        p = self.p_capability
        missing = max(0.0, p["isr_irreplaceable_share"] - self.sovereign_isr)
        return 1.0 - p["us_share_isr"] * missing

    # -- the year ----------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one year (the order is in the module docstring): the year of a batch of
        one run (:func:`sim.engine.year.step`, which advances many runs at once the same way)."""
        from ..engine.batch import Batch  # noqa: PLC0415 (the engine imports this module)
        from ..engine.year import step  # noqa: PLC0415

        step(Batch.of(self))

    def _begin_year(self, joins: bool = True) -> None:
        """The year's exogenous inputs (step 1 of the module docstring): the series, allies
        joining on record, dated and injected events, GDP growth. Sets ``forced_probe`` and
        ``forced_pressure`` for the year's later steps. ``joins`` False: no ally can join this
        year (:func:`sim.engine.year.begin_year` checks it over the batch), so the joins are
        not looked for."""
        self.year += 1
        self.now = self.config.series_year(self.year)
        us = self.united_states
        us.drawdown_this_year = 0.0
        self.probe_this_year = None
        # human decisions for this year (a seminar): taken once, then the agents decide again
        self.decided, self.decisions = self.decisions or Decisions(), None
        if joins:
            self._join_on_record()
        forced_probe, forced_pressure = self._apply_events(self.year)
        for ev in self.decided.events:  # injected by an instructor
            probe, push = apply_event(self, replace(ev, year=self.year))
            self.recorder.event(
                "injected", f"the instructor injects: {ev.kind} {ev.target}".strip()
            )
            forced_probe = probe if probe is not None else forced_probe
            forced_pressure = max(forced_pressure, push)
        self.forced_probe, self.forced_pressure = forced_probe, forced_pressure
        self.ally_state.grow_economy(self.year)

    def _end_year(self) -> None:
        """The run's own part of the year's end (step 5 of the module docstring, after the
        deliveries): the deadline judged, with its events, and the run stopped after its last
        year. Russia's reading of resolve and the year's record follow, over the batch
        (:func:`sim.engine.year.end_year`)."""
        self._judge_deadline()
        if self.year >= self.end_year:
            self.running = False

    def _probe_options(self) -> tuple[np.ndarray, np.ndarray, float]:
        """What Russia weighs for a probe this year (M8): the reachable armed members (none
        with the ``probing`` switch off), what each is worth to it
        (:func:`~sim.mechanisms.crisis.value_of_targets`) and its readiness for the regional
        war a probe could start (its free forces over the regional threshold, at most 1).
        :func:`sim.engine.year.russia_probes` weighs them for every model of a batch together
        (:func:`~sim.agents.russia.choose_probes`)."""
        s = self.ally_state
        candidates = (self.theatre.reachable & s.member & s.armed).nonzero()[0]
        readiness = min(1.0, self.russia.forces.free / max(self.readiness_thresholds[1], 1e-9))
        return (
            candidates if self.on("probing") else candidates[:0],
            crisis_game.value_of_targets(self, candidates),
            readiness,
        )

    def _answer_probe(self, target: int | None) -> None:
        """Russia's probe decision (``target``, the ally it chose or None) as a seminar's human
        Russia or an event may override it (M8) and, if it probes, the Article 5 crisis game
        (M9) and its feedback."""
        forced_probe = self.forced_probe
        s = self.ally_state
        choice = self.decided.russia_probe
        if choice is not None:
            target = self.ally_index.get(choice) if choice else None
            if target is not None and not s.member[target]:
                target = None
            self.recorder.event(
                "human",
                f"Russia (human) probes {self.allies[target].record.country}"
                if target is not None
                else "Russia (human) does not probe",
            )
        if forced_probe is not None:
            target = forced_probe
        if target is not None:
            crisis = crisis_game.resolve_probe(self, target)
            crisis_game.apply_feedback(self, crisis)
            self._remember_alignment(crisis)
            self.probe_this_year = crisis
            self.recorder.event(
                "probe", crisis_game.describe(self, crisis), why=crisis_game.why(self, crisis)
            )
            self._log_crisis_decisions(crisis)  # after the probe they answer, in the log

    def _log_crisis_decisions(self, crisis: crisis_game.Crisis) -> None:
        """A seminar's human decisions in a crisis, written to the event log (ODD 6.4): the US
        seat's answer to the probe, yes or no, and each ally seat's help to the target (a seat
        that is the target itself decides nothing here)."""
        d = self.decided
        where = self.allies[crisis.target].record.country
        if d.us_crisis_response is not None:
            self.recorder.event(
                "human",
                f"the US (human) answers the probe of {where}"
                if d.us_crisis_response
                else f"the US (human) does not answer the probe of {where}",
            )
        for iso3, amount in sorted(d.crisis_help.items()):
            i = self.ally_index[iso3]
            if i != crisis.target:
                self.recorder.event(
                    "human",
                    f"{self.allies[i].record.country} (human) sends "
                    + (
                        f"{float(amount):.0%} of the help it could to {where}"
                        if amount
                        else f"no help to {where}"
                    ),
                )

    def _remember_alignment(self, crisis: crisis_game.Crisis) -> None:
        """M6: whether the allies followed the US line in this crisis (helped if it answered,
        stayed out if it did not), GDP-weighted over the European members other than the
        target, folded into the memory of crises (:func:`influence.remember`)."""
        s = self.ally_state
        counted = self.european & s.member & self.armed
        counted[crisis.target] = False
        aiders = np.zeros(len(self.allies), dtype=bool)
        aiders[list(crisis.aiders)] = True
        observed = influence.followed_us(
            crisis.us_responds, aiders, np.where(counted, s.gdp_bn, 0.0)
        )
        self.crisis_alignment = influence.remember(
            self.crisis_alignment, observed, self.p_alliance["influence_memory"]
        )

    def _log_threat(self, laggards: np.ndarray, count: int, theta: float, progress: float) -> None:
        """The event log's line of a year of threats (``laggards`` a mask, ``count`` how many,
        ``theta`` the threat level, ``progress`` as the US measures it)."""
        us = self.united_states
        names = ", ".join(self.allies[i].record.country for i in np.flatnonzero(laggards)[:4])
        more = f" and {count - 4} more" if count > 4 else ""
        self.recorder.event(
            "threat",
            f"the US threatens abandonment (level {theta:.2f}); laggards: {names}{more}",
            why=(
                f"progress {progress:.2f} by its {us.p['measurement']} measure against the "
                f"{self.pledge_level():.2f}% path; escalation {us.escalation:.1f}, intensity "
                f"{us.p['threat_intensity']:.2f}, Asia's pull {self.now['china_pull']:.2f}"
            ),
        )

    def _log_execution(self, laggards: int) -> None:
        """The event log's line of an executed threat (``laggards`` the count left)."""
        us = self.united_states
        self.recorder.event(
            "threat_executed",
            "the US executes its threat: a drawdown of "
            f"{us.p['drawdown_step']:.0%} of its 2025 posture is ordered",
            why=(
                f"{laggards} allies still below the bar after "
                f"{us.p['patience_years']} years of threats; an execution's chance "
                f"{us.p['execution_probability']:.0%} a year; posture target above the "
                f"Congress floor {us.p['congress_floor']:.2f}"
            ),
        )

    def _judge_deadline(self) -> None:
        """At the end of the deadline year, after its deliveries, the US judges progress by its
        measure (C15): "by 2027" is by the end of 2027. Progress is measured only then."""
        us = self.united_states
        if not us.deadline_due():
            return
        progress = us.measure_progress(*self.progress_measures())
        met = us.judge_deadline(progress)
        if met is not None:
            goal = us.p["deadline_goal"]
            self.recorder.event(
                "deadline",
                self._deadline_text(met, progress),
                why=f"progress {progress:.2f} against the goal {goal:.2f} ({progress - goal:+.2f})",
            )

    def _log_us_moves(self, progress: float, moves: list[str] | None = None) -> None:
        """The event log's lines of the US's ``moves`` this year (its ``moves`` if not given;
        escalations every fifth time: :meth:`~sim.model.outputs.Recorder.due`)."""
        us = self.united_states
        for move in us.moves if moves is None else moves:
            if move == "escalates":
                if not self.recorder.due("escalates"):
                    continue
                text = f"the US escalates its pressure (progress {progress:.2f} is stalling)"
                why = (
                    f"progress rose less than {us.p['progress_expected']:.2f} in a year of "
                    f"threats; escalation now {us.escalation:.1f}"
                )
            elif move == "relents":
                text = "trust is fraying: the US relents and reassures its allies"
                why = (
                    f"mean trust {float(self.mean_weights @ self.ally_state.trust):.2f} below "
                    f"{us.p['relent_trust']:.2f}"
                )
            else:
                text = f"the US declares success (progress {progress:.2f})"
                why = f"progress {progress:.2f} at or above {us.p['success_progress']:.2f}"
            self.recorder.event(move, text, why=why)

    def _deadline_text(self, met: bool, progress: float) -> str:
        us = self.united_states
        if met:
            return f"deadline met: Europe's progress {progress:.2f} by the US measure"
        behind = progress_categories_behind(self)
        why = f"; short in {behind}" if behind else ""
        if us.exited_this_year:
            return (
                f"deadline missed (progress {progress:.2f}{why}); the US leaves NATO "
                "coordination mechanisms"
            )
        return f"deadline missed (progress {progress:.2f}{why}); nothing follows"

    @functools.cached_property
    def graph(self) -> nx.Graph:
        """The alliance network (:mod:`sim.model.network`): the allies, Russia and the US as
        nodes, the weighted ties as edges; the same arrays the rules read. Built on first ask
        and shared by the models of a process with the same ``[network]`` parameters
        (read-only)."""
        return cached_network(self._network_items)[0]

    def pledge_level(self) -> float:
        """The core spending the pledge's path asks for this year (% of GDP): what the US checks
        (:meth:`Pledge.level`, memoised on the pledge: :meth:`Pledge.year`)."""
        return self.pledge.year(self.year, self.now["pledge_core_pct"])[0]

    def pledge_goal(self) -> float:
        """The core spending pledged (% of GDP): what budgets are pulled toward."""
        return self.pledge.goal(self.year, self.now["pledge_core_pct"])

    def pledge_weights(self, threat: Any) -> np.ndarray:
        """M4: the pledge's pull on each ally's budget this year at ``threat``, members only
        (:func:`sim.model.pledge.member_weights`: the rule and its sources; C4, C5)."""
        return member_weights(
            self.p_allies, self.pledge.elapsed(self.year), threat, self.ally_state.member
        )

    def _update_indices(self) -> None:
        """Coverage (M1), European share and US influence (M6), nuclear liability (M7) and
        cohesion, for this run alone (:func:`sim.engine.deliveries.update_indices`)."""
        from ..engine.batch import Batch  # noqa: PLC0415 (the engine imports this module)
        from ..engine.deliveries import update_indices  # noqa: PLC0415

        update_indices(Batch.of(self))

    def _choose_commander(self, coverage: float) -> None:
        """At a change of NATO's command, after the year's deliveries, the US decides whether a
        European takes it (:meth:`UnitedStates.choose_commander`; C2, C6): the command channel
        of influence reads the choice in the same year. A human US (a seminar's
        ``Decisions.us_command``) decides in its place: yes hands the command over now, no keeps
        an American (in a change-of-command year, for that term: the rule acts only at changes).
        A handover is for good, so a no after one (an earlier handover, or an instructor's
        injected SACEUR this year, which is applied first) changes nothing; the log says so.
        ``coverage``: Europe's mean coverage of its requirement after the deliveries."""
        us = self.united_states
        human = self.decided.us_command
        if human is not None:
            if human and not us.european_command:
                us.european_command = True
                self.recorder.event(
                    "human", "the US (human) hands NATO's command to a European officer"
                )
                self.recorder.event(  # the story's own line, as when the agent hands it over
                    "european_command",
                    "a European officer becomes Supreme Allied Commander Europe",
                    why="the US's choice (a human seat)",
                )
            elif human:
                self.recorder.event(
                    "human", "the US (human) would hand NATO's command over: a European holds it"
                )
            elif us.european_command:
                self.recorder.event(
                    "human",
                    "the US (human) would keep an American in NATO's command, but a European "
                    "already holds it (a handover is for good)",
                )
            else:
                self.recorder.event("human", "the US (human) keeps an American in NATO's command")
            return
        if us.choose_commander(self.year, coverage):
            self.recorder.event(
                "european_command",
                "the US nominates the first European Supreme Allied Commander Europe",
                why=f"Europe covers {coverage:.2f} of its requirement (the US hands over at "
                f"{us.p['command_handover_coverage']:.2f}) at a change of command",
            )

    def progress_measures(self) -> tuple[float, float]:
        """(headline, capability) progress in [0, 1], as the US can measure it (C19): the rule
        for this run alone (:func:`sim.engine.measures.progress_measures`)."""
        from ..engine.batch import Batch  # noqa: PLC0415 (the engine imports this module)
        from ..engine.measures import progress_measures  # noqa: PLC0415

        head, capab = progress_measures(Batch.of(self))
        return float(head[0]), float(capab[0])

    def isr_replaceable(self) -> float:
        """The share of the US ISR contribution that European capability can replace (C17)."""
        p = self.p_capability
        return 1.0 - max(0.0, p["isr_irreplaceable_share"] - self.sovereign_isr)

    def readiness_level(self) -> int:
        """How large a war Russia's free forces allow this year (0 none ... 3 large)."""
        return forces.readiness_level(self.russia.forces.free, self.readiness_thresholds)

    def _apply_events(self, year: int, summits: bool | None = None) -> tuple[int | None, float]:
        """Apply the scenario's events dated ``year`` (:mod:`sim.model.events`); return a forced
        probe
        target and the strongest ``us_pressure`` event of the year. ``summits`` selects summits
        only (True), everything else (False) or all (None): at the start, summits meet after the
        US has taken its stance."""
        forced_probe, pressure = None, 0.0
        for ev in self.config.events:
            if ev.year != year or (summits is not None and (ev.kind == "summit") != summits):
                continue
            probe, push = apply_event(self, ev)
            if probe is not None:
                forced_probe = probe
            pressure = max(pressure, push)
        return forced_probe, pressure

    def _join_on_record(self) -> None:
        """An ally joins NATO in the year it did (``allies.csv``: ``accession_year``), in a run
        from any start year: Montenegro in 2017, North Macedonia in 2020, Finland in 2023 and
        Sweden in 2024 become members, bound by the pledge and its deadlines, counted among the
        laggards and covered by Article 5 (:meth:`pledge_weights`). An ``accession`` event can
        only bring a join forward (a counterfactual; the loader refuses a later one), and joins
        here in its year too; it is logged once, by the event with its note. Joins come before
        the year's events, so a summit in a join year counts the new member, wherever the
        accession event stands in the file."""
        s = self.ally_state
        joining = ~s.member & initial.members(self.accession_year, self.year)
        # this year's accession events join here too, so that the year's other events (a
        # summit listed before the accession in the file) already count the new member
        by_event = self.accession_events.get(self.year, ())
        for code in by_event:
            if code in self.ally_index:
                joining[self.ally_index[code]] = not s.member[self.ally_index[code]]
        if not joining.any():
            return
        for i in np.flatnonzero(joining):
            if self.codes[i] not in by_event:  # else the year's event logs it, with its note
                self.recorder.event(
                    "accession", f"{self.allies[i].record.country} joins NATO (allies.csv)"
                )
        self.admit(joining)

    def admit(self, joining: np.ndarray) -> None:
        """Make the allies in ``joining`` (a mask) NATO members from now on: bound by the
        pledge, covered by Article 5 and counted in the US's channels of influence; Russia's
        readiness thresholds and the compliance reference are taken again over the new
        membership (:meth:`_readiness_thresholds`, :meth:`_comply_reference`)."""
        self.ally_state.member |= joining
        self.readiness_thresholds = self._readiness_thresholds()
        if self.comply_each_start is not None:
            self.comply_start = self._comply_reference()

    def run(self) -> None:
        """Step to the end year."""
        while self.year < self.end_year:
            self.step()


def progress_categories_behind(model: AllianceModel) -> str:
    """The capability categories in which Europe has replaced less than the deadline goal of
    the US contribution, with why (C16, C17): for the event log of a missed deadline."""
    p = model.p_capability
    goal = model.united_states.p["deadline_goal"]
    per = progress.replaced(
        model.europe_capability(), model.europe_start, model.us_base, model.isr_replaceable()
    )
    out = []
    for c, share in zip(cap.CATEGORIES, per, strict=True):
        if share < goal:
            reason = (
                "money cannot buy it"
                if c == "isr" and share >= model.isr_replaceable() - 1e-9
                else f"lead time {p[f'lead_time_{c}']} y"
            )
            out.append(f"{c.replace('_', ' ')} {share:.0%} ({reason})")
    return ", ".join(out)
