"""Russia: a war economy that reacts to the balance of power, probes and harasses (M8)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from .. import data
from ..engine import group
from ..engine.batch import rows as stacked
from ..engine.elementwise import pmax, pmin, where
from ..mechanisms.forces import RussianForces

if TYPE_CHECKING:
    from ..model.alliance import AllianceModel

# The assessment Russia makes of a set of targets: given its reading of the chance that the US
# answers and of European resolve, the chance of a fait accompli per target.
Assess = Callable[[np.ndarray, float, float], np.ndarray]
# The same over a group of runs that share their candidates (:func:`choose_probes`): given the
# models, the targets and its readings per model, the chance per model and target.
AssessOver = Callable[[list, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class ProbeOptions:
    """What Russia weighed in a year it considered a probe (issue "Every decision explained"):
    per candidate (ally index) its value, chance of a fait accompli and utility, the common cost,
    the logit probabilities (the last is not probing), the index the draw picked (``len
    (candidates)`` for no probe) and the US and European resolve it read, misperception
    included."""

    candidates: np.ndarray
    value: np.ndarray
    chance: np.ndarray
    cost: float
    utility: np.ndarray
    probabilities: np.ndarray
    pick: int
    us_resolve_read: float
    europe_resolve_read: float


def logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


class Russia(mesa.Agent):
    """Russia's economy, military spending and ground forces, its reading of US and European
    resolve, its grey-zone campaign and its decision to probe an ally.

    State: ``gdp_bn``, ``milex_bn`` (bn US$), ``forces`` (:class:`RussianForces`, bde-e),
    ``resolve_estimate`` and ``europe_resolve_estimate`` (index 0-1: its estimates of the will of
    the US and of the European allies to answer a probe), ``confidence`` (utility: what its
    past probes and incursions taught it; up after a success, down after a repelled probe or
    a firm answer), ``cooldown``
    (years before it considers another probe), and this year's ``probe_probability`` and
    ``success_estimate`` (its best estimate of the chance that a probe ends in a fait
    accompli: the deterrence reading of the year); ``incursions_this_year`` and
    ``incursion_history`` (:class:`~sim.mechanisms.incursions.Incursion`, with
    ``incursion_rng``, a child stream of the model's generator, for their draws).
    """

    model: AllianceModel

    def __init__(self, model: AllianceModel, europe_spending_bn: float) -> None:
        super().__init__(model)
        sc = model.config
        self.p = model.params["russia"]
        start = sc.get("run.start_year")
        hist = data.russia_history()
        year = max(y for y in hist if y <= start)
        self.gdp_bn = hist[year]["gdp_bn"]
        self.milex_bn = hist[year]["milex_bn"]
        self.milex_start = self.milex_bn
        self.gdp_growth = self.p["gdp_growth_pct"] / 100.0
        war = sc.series_at("ukraine_war", start)
        self.forces = RussianForces(self.p, model.p_crisis["bde_cost_bn"], self.milex_bn, war)
        self.forces_start = max(self.forces.total, 1e-9)
        self.resolve_estimate = model.p_perception["resolve_initial"]
        self.europe_resolve_estimate = model.p_perception["europe_resolve_initial"]
        self.confidence = 0.0
        self.cooldown = 0
        self.options: ProbeOptions | None = None  # this year's, when it considered a probe
        self.probe_probability = 0.0
        self.success_estimate = 0.0
        self.europe_start_bn = europe_spending_bn
        # Richardson grievance terms: the start year is an equilibrium at its war intensity.
        a, k = self.p["fatigue"], self.p["reaction_coefficient"]
        self.grievance_war = a * self.milex_bn - k * europe_spending_bn
        self.grievance_peace = (
            a * self.gdp_bn * self.p["floor_pct"] / 100.0 - k * europe_spending_bn
        )
        self.war_demand = war
        self.years_since_war = 0 if war > 0 else 99
        # incursions below the threshold of war (sim.mechanisms.incursions): their own child
        # stream of the model's generator, so that switching them off leaves every other draw
        # of the run as it was
        self.incursion_rng = model.rng.spawn(1)[0]
        self.incursions_this_year: list = []
        self.incursion_history: list = []

    @property
    def milex_pct_gdp(self) -> float:
        return 100.0 * self.milex_bn / self.gdp_bn

    @property
    def militarisation(self) -> float:
        """Military spending relative to the start year's: the war economy that European
        capitals read (C10), whatever the war in Ukraine has destroyed."""
        return self.milex_bn / max(self.milex_start, 1e-9)

    @property
    def force_ratio(self) -> float:
        """Russia's ground forces relative to the start year's."""
        return self.forces.total / self.forces_start

    def react_to_balance(
        self, europe_spending_bn: float, war: float, observed_pct: float = 0.0
    ) -> None:
        """M8: Richardson-type spending reaction with a war-economy ceiling (C8, C10).

        ``milex += k x Y - a x milex + g`` with ``k = reaction_coefficient x (1 +
        balance_sensitivity x max(0, Y / Y0 - 1))`` (Y European spending, Y0 at the start),
        ``a = fatigue``, and a grievance ``g`` that keeps the start year in equilibrium while the
        war (or reconstitution for ``reconstitution_years`` after a ceasefire) lasts, then
        falls toward the level that would hold spending at ``floor_pct`` in peace, halving the
        war's weight each year (``war_memory``). Spending stays between ``floor_pct`` and
        ``war_ceiling_pct`` of GDP. The regime is stable when k < a. With the ``war_economy``
        switch off the grievance is the peace one from the first year. When ``observed_pct`` is
        positive (series ``russia_milex_pct_gdp``: a hindcast driven by SIPRI's record, as it is
        by GDP), spending is that share of GDP instead.
        """
        (
            self.gdp_bn,
            self.milex_bn,
            self.years_since_war,
            self.war_demand,
        ) = spending_reaction(
            self.p,
            self.model.on("war_economy"),
            (self.gdp_bn, self.milex_bn, self.years_since_war, self.war_demand),
            (self.gdp_growth, self.europe_start_bn, self.grievance_war, self.grievance_peace),
            europe_spending_bn,
            war,
            observed_pct,
        )

    def probe_force(self) -> float:
        """Brigade-equivalents Russia commits to a probe: ``probe_force_share`` of its free
        forces, at most ``probe_force_max_bde`` (before the projection factor of the target's
        access, see :meth:`choose_probe`)."""
        return min(self.p["probe_force_share"] * self.forces.free, self.p["probe_force_max_bde"])

    def choose_probe(
        self,
        candidates: np.ndarray,
        value: np.ndarray,
        assess: Assess,
        readiness: float,
    ) -> int | None:
        """M8: whether and where to probe an ally this year (:func:`choose_probes` for this
        Russia alone; ``assess`` its assessment, :data:`Assess`). Returns the ally index or
        None."""

        def assess_one(
            models: list, targets: np.ndarray, us: np.ndarray, eu: np.ndarray
        ) -> np.ndarray:
            return np.asarray(assess(targets, us[0], eu[0]))[None, :]

        return choose_probes([self.model], [candidates], [value], assess_one, [readiness])[0]

    def perceived_resolve(self) -> float:
        """The resolve Russia reads in NATO as a whole: ``probe_us_weight`` x its estimate of US
        resolve + the rest x its estimate of European resolve (C9: mostly the US's)."""
        w = self.p["probe_us_weight"]
        return w * self.resolve_estimate + (1.0 - w) * self.europe_resolve_estimate

    def incursion_rates(self, war: float, us_threat: float, ambiguity: float) -> np.ndarray:
        """M8: how many air, drone and sea incursions Russia means to make this year (expected
        counts): :func:`incursion_rates` for this run alone, at the war's intensity ``war``, the
        US threat ``us_threat`` and its ambiguity ``ambiguity``."""
        return incursion_rates(
            [self.model], [(war, us_threat, ambiguity)], self.p, self.model.p_perception
        )[0][0]

    def incursion_boldness(self, us_threat: float, ambiguity: float) -> float:
        """The log-multiplier of the record's incursion rates this year (the ``boldness`` of
        :func:`incursion_rates`)."""
        return float(
            incursion_rates(
                [self.model], [(1.0, us_threat, ambiguity)], self.p, self.model.p_perception
            )[1][0]
        )

    def learn_from_incursion(self, firm: bool, us_stood: bool | None, reads: bool) -> None:
        """M8: what one incursion teaches Russia: :meth:`learn_from_incursions` of one."""
        self.learn_from_incursions((firm,), (us_stood,), reads)

    def learn_from_incursions(
        self, firm: Sequence[bool], us_stood: Sequence[bool | None], reads: bool
    ) -> None:
        """M8: what answered or unanswered incursions teach Russia (C9, C12), one after the
        other in the order given (``firm[i]`` and ``us_stood[i]`` of the i-th).

        A firm answer lowers its confidence by ``incursion_deter_gain`` of its distance above -1
        and raises its estimate of European resolve by ``incursion_resolve_gain`` of the gap to 1;
        an incursion let pass raises its confidence by ``incursion_embolden_gain`` of its
        distance below 1 (lessons of incursions saturate, so a year of hundreds cannot run away:
        what they teach stays within one utility unit, about three probes' lessons) and lowers
        that estimate by
        ``incursion_resolve_loss`` of itself. After Article 4 consultations (``us_stood`` not
        None) its estimate of US resolve moves the same way with whether the US stood with the
        target. ``reads`` False (the ``russia_reads_resolve`` switch off) leaves the estimates.

        The three quantities do not read one another here, so each runs through the sequence
        on its own (in Python floats: the arithmetic of one incursion at a time; ``x if x > 0.0
        else 0.0`` is ``max(0.0, x)``, NaN included).
        """
        p = self.p
        deter, embolden = p["incursion_deter_gain"], p["incursion_embolden_gain"]
        c = self.confidence
        for f in firm:
            if f:
                x = 1.0 + c
                c = c - deter * (x if x > 0.0 else 0.0)
            else:
                x = 1.0 - c
                c = c + embolden * (x if x > 0.0 else 0.0)
        self.confidence = c
        if not reads:
            return
        gain, loss = p["incursion_resolve_gain"], p["incursion_resolve_loss"]
        e = self.europe_resolve_estimate
        for f in firm:
            e = e + gain * (1.0 - e) if f else e - loss * e
        self.europe_resolve_estimate = e
        r = self.resolve_estimate
        for s in us_stood:
            if s is None:
                continue
            r = r + gain * (1.0 - r) if s else r - loss * r
        self.resolve_estimate = r

    def read_resolve(
        self,
        posture: float,
        threat: float,
        reassurance: float,
        ambiguity: float,
        exited: bool,
        europe_signal: float,
    ) -> None:
        """M3: Russia updates its estimates of US and European resolve from what it sees (C9):
        :func:`read_resolve` for this run alone."""
        self.resolve_estimate, self.europe_resolve_estimate, self.confidence = (
            float(v)
            for v in read_resolve(
                self.model.p_perception,
                self.p["confidence_memory"],
                (self.resolve_estimate, self.europe_resolve_estimate, self.confidence),
                (posture, threat, reassurance, ambiguity, exited),
                europe_signal,
            )
        )

    def step(self) -> None:
        """Russia acts inside the model's schedule (``AllianceModel.step``)."""


_PROBE_KEYS = (
    "probe_us_weight",
    "probe_cost",
    "probe_overstretch",
    "probe_gain",
    "probe_repelled_cost",
    "probe_sharpness",
    "probe_threshold",
)


def choose_probes(
    models: Sequence[AllianceModel],
    candidates: Sequence[np.ndarray],
    value: Sequence[np.ndarray],
    assess: AssessOver,
    readiness: Sequence[float],
) -> list[int | None]:
    """M8: whether and where Russia probes an ally this year in each of ``models`` (its
    ``candidates``, their ``value`` and its ``readiness`` per model), a choice among every
    reachable ally and not probing, with no threshold on forces (C8, C9, C11).

    Russia reads the chance that the US answers as its estimate of US resolve plus a
    misperception draw (``misperception_sd``), and European resolve likewise; ``assess``
    turns these into the chance of a fait accompli per target from the local balance
    (:mod:`sim.mechanisms.local_balance`). The utility of probing target ``j``:

    ``probe_gain x value_j x p_j - probe_repelled_cost x (1 - p_j)
    - probe_cost x resolve x (1 + probe_overstretch x (1 - readiness)) + confidence``

    with ``value_j`` the target's proximity to Russia, ``p_j`` the chance of a fait
    accompli, ``resolve = probe_us_weight x US resolve + (1 - probe_us_weight) x European
    resolve`` (as Russia reads them) and ``readiness`` how far its free forces go toward
    the regional war a probe could start (0-1). Not probing is worth ``probe_threshold``.
    Russia picks among the targets and not probing with logit probabilities of sharpness
    ``probe_sharpness``; after a probe it waits ``probe_cooldown_years``, in which it
    weighs no target and assesses none (``success_estimate`` is NaN: not assessed; issue
    25, no work for nothing). Returns the ally index or None per model.

    Over a batch: each model draws from its own stream as alone (the misperception, then the
    pick); the models that weigh options are assessed and weighed together, in groups that
    share their candidates (:mod:`sim.engine.group`).
    """
    picks: list[int | None] = [None] * len(models)
    us = np.empty(len(models))
    eu = np.empty(len(models))
    weigh: dict[bytes, list[int]] = {}
    for i, m in enumerate(models):
        r = m.russia
        r.probe_probability = 0.0
        r.options = None
        noise_us, noise_eu = m.rng.normal(0.0, r.p["misperception_sd"], 2).tolist()
        us[i] = min(1.0, max(0.0, r.resolve_estimate + noise_us))
        eu[i] = min(1.0, max(0.0, r.europe_resolve_estimate + noise_eu))
        if len(candidates[i]) == 0:
            r.success_estimate = 0.0
        elif r.cooldown > 0:  # waiting after a probe: no options weighed, nothing assessed
            r.cooldown -= 1
            r.success_estimate = float("nan")
        else:
            weigh.setdefault(candidates[i].tobytes(), []).append(i)
    for rows in weigh.values():
        ms = [models[i] for i in rows]
        cand = candidates[rows[0]]
        u, e = us[rows], eu[rows]
        chance = assess(ms, cand, u, e)
        best = chance.max(axis=1)
        p = group.numbers([m.russia.p for m in ms], _PROBE_KEYS)
        # each run's readiness and confidence, in one call: a column each
        columns = np.array(
            [(readiness[i], m.russia.confidence) for i, m in zip(rows, ms, strict=True)]
        )
        ready, confidence = columns[:, 0:1], columns[:, 1:2]
        u, e = u[:, None], e[:, None]
        resolve = p["probe_us_weight"] * u + (1.0 - p["probe_us_weight"]) * e
        cost = p["probe_cost"] * resolve * (1.0 + p["probe_overstretch"] * (1.0 - ready))
        worth = stacked([value[i] for i in rows])
        utility = (
            p["probe_gain"] * worth * chance
            - p["probe_repelled_cost"] * (1.0 - chance)
            - cost
            + confidence
        )
        z = np.empty((len(rows), len(cand) + 1))
        z[:, :-1] = utility
        z[:, -1:] = p["probe_threshold"]  # a number, or a column of the runs
        z = p["probe_sharpness"] * z
        z = np.exp(np.minimum(0.0, np.maximum(-700.0, z - z.max(axis=1, keepdims=True))))
        probs = z / z.sum(axis=1, keepdims=True)
        total = probs.sum(axis=1)
        cumulative = np.cumsum(probs, axis=1)
        # each run's draw from its own stream, then the pick: where it falls in the cumulative
        # probabilities (``np.searchsorted``: as they never fall, the count of those below it)
        at = np.array([models[i].rng.random() for i in rows]) * total
        if np.isfinite(total).all():  # (no NaN among the probabilities, nor their sums)
            chosen = (cumulative < at[:, None]).sum(axis=1).tolist()
        else:
            chosen = [int(np.searchsorted(cumulative[k], at[k])) for k in range(len(rows))]
        # each run's numbers and rows (iterating an array gives its rows at less cost)
        for i, m, bst, stay, cst, pick, ch, ut, pr, us_read, eu_read in zip(
            rows,
            ms,
            best.tolist(),
            probs[:, -1].tolist(),
            cost[:, 0].tolist(),
            chosen,
            chance,
            utility,
            probs,
            us[rows].tolist(),
            eu[rows].tolist(),
            strict=True,
        ):
            r = m.russia
            r.success_estimate = bst
            r.probe_probability = 1.0 - stay
            r.options = ProbeOptions(cand, value[i], ch, cst, ut, pr, pick, us_read, eu_read)
            if pick < len(cand):
                r.cooldown = r.p["probe_cooldown_years"]
                picks[i] = int(cand[pick])
    return picks


def _at_least_zero_at_most_one(x: Any) -> Any:
    """``min(1.0, max(0.0, x))`` elementwise, as Python's ``min`` and ``max`` give it (NaN reads
    as 0, a signed zero as 0.0)."""
    x = np.where(x > 0.0, x, 0.0)
    return np.where(x < 1.0, x, 1.0)


def _weighted_mean(weights: tuple[Any, ...], parts: tuple[Any, ...]) -> Any:
    """``sum(w * x) / sum(w)`` term by term in order, 0.5 where the weights sum to 0; numbers or
    arrays of runs alike."""
    total = 0.0
    for w in weights:
        total = total + w
    num = 0.0
    for w, x in zip(weights, parts, strict=True):
        num = num + w * x
    return np.where(total != 0, num / np.where(total != 0, total, 1.0), 0.5)


def europe_signal(p: Mapping[str, Any], mean_threat: Any, cohesion: Any, coverage_mean: Any) -> Any:
    """What Russia reads of European resolve (M3): the weighted mean of the allies' mean
    threat perception, cohesion and mean capability coverage (at most 1; weights
    ``europe_resolve_weight_threat``, ``_cohesion``, ``_capability``). For one run (numbers)
    or many (arrays of runs)."""
    w = (
        p["europe_resolve_weight_threat"],
        p["europe_resolve_weight_cohesion"],
        p["europe_resolve_weight_capability"],
    )
    capability = np.where(coverage_mean < 1.0, coverage_mean, 1.0)
    return _weighted_mean(w, (mean_threat, cohesion, capability))


def read_resolve(
    pp: Mapping[str, Any],
    confidence_memory: Any,
    estimates: tuple[Any, Any, Any],
    seen: tuple[Any, Any, Any, Any, Any],
    europe_signal: Any,
) -> tuple[Any, Any, Any]:
    """M3: Russia updates its estimates of US and European resolve from what it sees (C9).

    ``estimates`` are (US resolve, European resolve, confidence); ``seen`` is (posture, this
    year's abandonment threat, reassurance, ambiguity, whether the US has exited the
    coordination mechanisms); ``pp`` the ``[perception]`` table. Numbers for one run, arrays
    for many (a column per parameter). Returns the new estimates.

    US signal: the weighted mean of posture, 1 - this year's abandonment threat,
    reassurance and 1 - ambiguity (weights ``resolve_weight_posture``, ``_threat``,
    ``_reassurance``, ``_ambiguity``), less ``resolve_exit_penalty`` once the US has left the
    coordination mechanisms; clipped to [0, 1]. Abandonment threats and ambiguity read as weak
    resolve (C9, C14), posture and reassurance as strong (C13). European signal:
    ``europe_signal`` (the allies' alarm, cohesion and capability: :func:`europe_signal`). Each
    estimate moves toward its signal at ``resolve_learning``; confidence decays by
    ``confidence_memory`` (the ``[russia]`` table).
    """
    resolve, europe, confidence = estimates
    posture, threat, reassurance, ambiguity, exited = seen
    weights = (
        pp["resolve_weight_posture"],
        pp["resolve_weight_threat"],
        pp["resolve_weight_reassurance"],
        pp["resolve_weight_ambiguity"],
    )
    signal = _weighted_mean(weights, (posture, 1.0 - threat, reassurance, 1.0 - ambiguity))
    signal = signal - np.where(exited, pp["resolve_exit_penalty"], 0.0)
    lr = pp["resolve_learning"]
    resolve = resolve + lr * (_at_least_zero_at_most_one(signal) - resolve)
    europe = europe + lr * (_at_least_zero_at_most_one(europe_signal) - europe)
    return resolve, europe, confidence * confidence_memory


def spending_reaction(
    p: Mapping[str, Any],
    war_economy: bool,
    state: tuple[Any, Any, Any, Any],
    fixed: tuple[Any, Any, Any, Any],
    europe_spending_bn: Any,
    war: Any,
    observed_pct: Any,
) -> tuple[Any, Any, Any, Any]:
    """M8: a year of :meth:`Russia.react_to_balance` (the rule in its docstring) for one Russia's
    numbers or for arrays over runs (``p`` numbers or a column per run): ``state`` is (GDP,
    military spending, years since the war, the war's demand), ``fixed`` (GDP growth, European
    spending at the start, the war's and the peace's grievance); returns the new ``state``."""
    gdp, milex, years, demand = state
    growth_rate, europe_start, grievance_war, grievance_peace = fixed
    gdp = gdp * (1.0 + growth_rate)
    at_war = war > 0
    years = where(at_war, 0, years + 1)
    demand = where(
        at_war,
        pmax(demand, war),
        where(years > p["reconstitution_years"], demand * p["war_memory"], demand),
    )
    weight = pmin(1.0, demand) if war_economy else 0.0
    grievance = grievance_peace + (grievance_war - grievance_peace) * weight
    growth = pmax(0.0, europe_spending_bn / pmax(europe_start, 1e-9) - 1.0)
    k = p["reaction_coefficient"] * (1.0 + p["balance_sensitivity"] * growth)
    milex = milex + k * europe_spending_bn - p["fatigue"] * milex + grievance
    lo, hi = p["floor_pct"] * gdp / 100.0, p["war_ceiling_pct"] * gdp / 100.0
    milex = pmin(hi, pmax(lo, milex))
    milex = where(observed_pct > 0, observed_pct * gdp / 100.0, milex)
    return gdp, milex, years, demand


def greyzone_means(p: Mapping[str, Any], escalation: Any, proximity: Any, resolve: Any) -> Any:
    """M8: the mean number of grey-zone attacks on each ally this year, near Russia first (C12).

    ``greyzone_base x escalation x proximity^2 x (1 + greyzone_resolve_sensitivity x (1 -
    resolve_estimate))``: a Russia that doubts US resolve harasses more, with near impunity.
    One run's numbers (``proximity`` per ally) or a batch's (columns of shape (runs, 1) and
    ``proximity`` of shape (runs, allies)).
    """
    return (
        p["greyzone_base"]
        * escalation
        * proximity**2
        * (1.0 + p["greyzone_resolve_sensitivity"] * (1.0 - resolve))
    )


def incursion_rates(
    models: Sequence[AllianceModel],
    situations: Sequence[tuple[float, float, float]],
    p: Mapping[str, Any],
    pp: Mapping[str, Any],
) -> tuple[np.ndarray, list[float], list[float]]:
    """M8: how many air, drone and sea incursions Russia means to make this year in each run of
    ``models`` (expected counts, runs x kinds), from its reading of resolve (C9, C12, C14);
    ``situations`` each run's (war's intensity, US threat, ambiguity); ``p`` and ``pp`` the
    ``[russia]`` and ``[perception]`` tables (:meth:`~sim.engine.batch.Batch.params`: a column
    per number over the runs, or one run's numbers).

    Base rates: air ``incursion_rate_air_war x war + incursion_rate_air_peace x (1 - war)``
    (its aircraft are busy in Ukraine while the war runs), drone ``incursion_rate_drone x
    war`` (drones and missiles come with strikes on Ukraine near the border), sea
    ``incursion_rate_sea``; ``war`` is the war's intensity (kept within 0-1). Each is multiplied
    by ``incursion_scale x exp(boldness)``:

    ``boldness = incursion_resolve_sensitivity x (R0 - R)
    + incursion_threat_sensitivity x us_threat + incursion_ambiguity_sensitivity x ambiguity
    + incursion_confidence_sensitivity x confidence``

    with ``R`` the resolve it reads (:meth:`Russia.perceived_resolve`) and ``R0`` the same
    reading at its initial estimates (``perception.resolve_initial``,
    ``europe_resolve_initial``): doubted resolve, a US threatening abandonment or vague about
    its posture, and past success invite testing; the base rates are the 2022-2025 record's
    (``sim/data/incursions.csv``), at no US threat or ambiguity.

    Returns the rates, each run's boldness and its multiplier ``exp(min(50,
    boldness))`` (Python's ``math.exp``, run by run, as one run alone computes it). Elementwise
    over the runs in the order of one run's arithmetic (``max(0, min(1, war))`` as Python's
    ``min`` and ``max`` take it, NaN included)."""
    ru = [m.russia for m in models]
    state: Any = [
        (*s, r.confidence, r.resolve_estimate, r.europe_resolve_estimate)
        for s, r in zip(situations, ru, strict=True)
    ]
    # a run alone: its Python floats (a batch of one each year in its own step(), where NumPy's
    # cost on arrays of one exceeds the arithmetic); a batch: vectors over the runs
    alone = len(state) == 1
    state = state[0] if alone else np.array(state, dtype=float).T
    war, us_threat, ambiguity, confidence, resolve, europe = state
    w = _run_vector(p["probe_us_weight"])
    r0 = w * _run_vector(pp["resolve_initial"]) + (1.0 - w) * _run_vector(
        pp["europe_resolve_initial"]
    )
    boldness = (
        _run_vector(p["incursion_resolve_sensitivity"]) * (r0 - (w * resolve + (1.0 - w) * europe))
        + _run_vector(p["incursion_threat_sensitivity"]) * us_threat
        + _run_vector(p["incursion_ambiguity_sensitivity"]) * ambiguity
        + _run_vector(p["incursion_confidence_sensitivity"]) * confidence
    )
    if alone:
        war = min(1.0, max(0.0, war))
    else:
        war = np.where(war > 0.0, war, 0.0)  # max(0.0, war)
        war = np.where(war < 1.0, war, 1.0)  # min(1.0, war)
    air = _run_vector(p["incursion_rate_air_war"]) * war + _run_vector(
        p["incursion_rate_air_peace"]
    ) * (1.0 - war)
    drone = _run_vector(p["incursion_rate_drone"]) * war
    sea = _run_vector(p["incursion_rate_sea"])
    if alone:
        base = np.array([[air, drone, sea]])
    else:
        base = np.stack([air, drone, np.broadcast_to(sea, war.shape)], axis=1)
    bold = [boldness] if alone else boldness.tolist()
    growth = [math.exp(b if b < 50.0 else 50.0) for b in bold]  # exp(min(50.0, b))
    rates = base * p["incursion_scale"] * (growth[0] if alone else np.array(growth)[:, None])
    return rates, bold, growth


def _run_vector(value: float | np.ndarray) -> np.ndarray | float:
    """A number of a parameter table over the runs (a column (R, 1)) as a vector over them; a
    run's own number as it is."""
    return value[:, 0] if isinstance(value, np.ndarray) else value
