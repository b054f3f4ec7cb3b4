"""M8: incursions below the threshold of war, the allies' answers, and what both learn.

The record: in September 2025, while the war in Ukraine ran, 19 Russian drones entered Poland
(several shot down), three MiG-31s stayed 12 minutes over Estonia (intercepted), both followed by
Article 4 requests, and a drone stayed 50 minutes over Romania (not shot down). A ground probe
needs free forces Russia lacks in wartime; testing NATO with aircraft, drones and vessels does
not (seed 001: Russia may "test" the alliance, C11, the more so when US threats of abandonment
undermine Article 5's credibility, C9; grey-zone pressure with near impunity, C12). Figures and
their sources: ``sim/data/incursions.csv`` and ``SOURCES.md`` (:func:`record_rates`).

Each year (:func:`act`, after the grey-zone campaign, for every run of a batch at once:
:mod:`sim.engine`; the per-run functions such as :func:`target_weights` are a batch of one):

1. **How many** (Russia's choice, :meth:`~sim.agents.russia.Russia.incursion_rates`): air,
   drone and sea counts are Poisson draws with means from the 2022-2025 record, scaled up by
   resolve Russia reads below its start reading, the US threat and ambiguity of the year and its
   confidence (C9, C14); at most :data:`MAX_PER_KIND` of each kind a year.
2. **Where** (:func:`target_weights`): among the members with armed forces, in proportion to
   their exposure (air and sea: proximity to Russia ^ ``incursion_exposure_elasticity``;
   drones: the land border with Ukraine over Romania's, plus ``incursion_belarus_weight`` for
   a border with Belarus) x ``exp(-incursion_target_sensitivity x expected firmness)``, the
   firmness Russia expects (:func:`firmness` shifted by ``logit(its European resolve
   estimate)``, as the crisis game reads European resolve).
3. **The answer** (the target's): firm (intercept and escort, shoot down, escort out) with
   probability :func:`firmness`, rising with its threat perception and the allied and US forces
   in it; otherwise tracked and protested. With probability ``incursion_serious_share`` the
   incursion is serious; a serious incursion met firmly brings an **Article 4** request, and in
   the consultations the US stands with the target with the probability it would answer a probe
   (:meth:`~sim.agents.united_states.UnitedStates.respond_probability`): abandonment threats make
   it less likely.
4. **Feedback** (:func:`feed_back`, over the batch, in each run's order; one incursion:
   :func:`apply_feedback`): the target's threat shock (and every ally's, by network closeness,
   after Article 4); trust in the US and cohesion after consultations; Russia's confidence and
   resolve estimates (a firm answer teaches caution, an unanswered one emboldens:
   :meth:`~sim.agents.russia.Russia.learn_from_incursions`).

Draws use Russia's ``incursion_rng``, a child stream of the model's generator, so that the
``incursions`` switch (its rates at 0) removes exactly this mechanism and leaves every other
draw of the run unchanged.
After its Poisson counts, a run's targets and answers come from one block of uniforms of that
stream, the same numbers ``choice`` and ``random`` drew from it kind by kind (:func:`act`).
"""

from __future__ import annotations

import csv
import math
import operator
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from itertools import repeat
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np

from .. import data
from ..agents.russia import incursion_rates
from ..engine.batch import Batch, rows

if TYPE_CHECKING:
    from ..model.alliance import AllianceModel

Kind = Literal["air", "drone", "sea"]
KINDS: tuple[Kind, ...] = ("air", "drone", "sea")
_KIND_NAMES = np.array(KINDS, dtype=object)
MAX_PER_KIND = 365  # at most one incursion of each kind a day: a bound on extreme parameters


class Incursion(NamedTuple):
    """One incursion: ``target`` (an ally index), its kind, whether it was serious, whether the
    target answered firmly, whether it requested Article 4 consultations and, if it did,
    whether the US stood with it (None without consultations). A named tuple: a run makes
    about ten a year, and a tuple is the cheapest record of one."""

    year: int
    target: int
    kind: Kind
    serious: bool
    firm: bool
    article4: bool
    us_stood: bool | None


@lru_cache(maxsize=1)
def ukraine_border_km() -> dict[str, float]:
    """Land border with Ukraine per ally, km (``ukraine_land_borders.csv``)."""
    with resources.files(data).joinpath("ukraine_land_borders.csv").open(encoding="utf-8") as fh:
        return {r["iso3"]: float(r["border_ukraine_km"]) for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def record() -> dict[str, float]:
    """The record's figures (``incursions.csv``: key -> value)."""
    with resources.files(data).joinpath("incursions.csv").open(encoding="utf-8") as fh:
        return {r["key"]: float(r["value"]) for r in csv.DictReader(fh)}


def record_rates() -> dict[str, float]:
    """Yearly rates from the record, as the ``russia.incursion_rate_*`` defaults take them:
    air in wartime from 2022-2024 (before the 2025 US threats), air in peacetime from Estonia's
    2014-2021 (more than 40 since 2014 less those of 2022-2025, over 8 years), drones over the
    3.6 years from February 2022 to September 2025, the sea over 2022-2025; and Article 4
    requests after incursions per wartime year (2022-2025)."""
    r = record()
    wartime_estonia = sum(r[f"estonia_air_violations_{y}"] for y in range(2022, 2026))
    return {
        "air_war": r["record_air_2022_2024"] / 3.0,
        "air_peace": (r["estonia_air_violations_since_2014"] - wartime_estonia) / 8.0,
        "drone": r["record_drone_2022_2025"] / 3.6,
        "sea": r["record_sea_2022_2025"] / 4.0,
        "article4": r["article4_requests_after_incursions"] / 4.0,
    }


def _sig(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.minimum(50.0, np.maximum(-50.0, z))))  # np.clip's values


def exposures(batch: Batch) -> np.ndarray:
    """Exposure of each ally to each kind in every run (runs x kinds x allies, 0 for
    non-members and allies without armed forces), with ``e = incursion_exposure_elasticity``:

    * air: ``proximity ^ e`` (the network's Russia edge: 1 for the Baltic states, Finland,
      Norway and Poland, 0.6 for the Black Sea allies);
    * drones: ``(land border with Ukraine / Romania's) ^ e + incursion_belarus_weight x
      [border with Belarus]``: the drones of the record came with strikes on Ukraine near the
      border, and a long border faces more of them;
    * sea: ``proximity ^ e`` for the allies on the Baltic or the Black Sea (the Nordic-Baltic
      Eight, Poland, Germany; the Black Sea littoral), 0 for the others.
    """
    able = _gather(batch, "ally_state.member") & batch.kept("armed")
    if len(batch) == 1:
        fixed = rows([_exposure_fixed(batch.models[0])])
    else:  # a batch's [russia] columns: one object while no run binds a new table
        fixed = _derived(
            "exposure",
            batch.params("russia"),
            lambda _: rows(list(map(_exposure_fixed, batch.models))),
        )
    return np.where(able[:, None, :], fixed, 0.0)


def _gather(batch: Batch, name: str) -> np.ndarray:
    """The models' attribute ``name`` (dotted: ``ally_state.threat``) stacked over the runs, as
    :meth:`Batch.stack` stacks it."""
    return rows(list(map(operator.attrgetter(name), batch.models)))


_DERIVED: dict[str, tuple[object, np.ndarray]] = {}


def _derived(key: str, source: object, make: Callable[[Any], np.ndarray]) -> np.ndarray:
    """``make(source)``, kept under ``key`` while ``source`` is the very object it was made of
    (one per key: the batch being stepped; keyed on identity, the object held so that its id
    is not another's). For what a batch keeps from year to year and is fixed while it is
    (:meth:`Batch.kept`'s stacks, :meth:`Batch.params`' table): read the result, do not write
    into it."""
    kept = _DERIVED.get(key)
    if kept is not None and kept[0] is source:
        return kept[1]
    out = make(source)
    _DERIVED[key] = (source, out)
    return out


def exposure(model: AllianceModel) -> np.ndarray:
    """One run's :func:`exposures` (kinds x allies)."""
    return exposures(Batch.of(model))[0]


def _exposure_fixed(model: AllianceModel) -> np.ndarray:
    """:func:`_exposure_all` at the run's own parameters (runs of a batch may differ in them).

    Over a batch (:func:`exposures`) the runs' arrays are stacked once and kept while the
    batch's ``[russia]`` columns (:meth:`Batch.params`: one object per batch while every run
    holds the table they were stacked from) are the very object they were (:func:`_derived`):
    a run's array is fixed for its table (the network's proximity, the theatre's region and
    the data are bound once in a run; the batch's models are its own), and a lever moved
    mid-run binds a new table (:meth:`AllianceModel.change_params`), so it is stacked anew."""
    p = model.p_russia
    return _exposure_all(model, p["incursion_exposure_elasticity"], p["incursion_belarus_weight"])


def _exposure_all(model: AllianceModel, e: float, belarus_weight: float) -> np.ndarray:
    """:func:`exposures` of one run before membership and armed forces are applied: fixed in a
    run for given parameters, so computed once per run and parameter pair (kept on the run's
    theatre, read-only)."""
    cache = model.theatre.cache
    key = ("incursion_exposure", e, belarus_weight)
    out = cache.get(key)
    if out is None:
        near = np.asarray(model.proximity, dtype=float) ** e
        km = ukraine_border_km()
        longest = max(km.values())
        records = data.allies()
        belarus = np.array([r.land_border_belarus for r in records], dtype=float)
        drone = np.array([km.get(c, 0.0) / longest for c in model.codes]) ** e
        drone = drone + belarus_weight * belarus
        littoral = np.array([r.black_sea for r in records]) | model.theatre.region
        out = np.vstack([near, drone, near * littoral])
        out.flags.writeable = False
        cache[key] = out
    return out


def firmness_logits(batch: Batch) -> np.ndarray:
    """Log-odds of a firm answer per ally in every run (runs x allies):
    ``incursion_firm_base + incursion_firm_threat x threat + incursion_firm_presence x
    presence / (1 + presence)``, presence the allied and US ground forces in it (bde-e,
    :class:`~sim.mechanisms.theatre.Theatre`: the lead nations' forward presence summed in
    their order, one run's or the batch's, then the US's)."""
    if len(batch) == 1:  # (Batch.kept reads a batch of one's attribute by its plain name)
        sums = _presence_sums([batch.models[0].theatre.presence])
    else:
        sums = _derived("presence", batch.kept("theatre.presence"), _presence_sums)
    presence = sums + _gather(batch, "theatre.us_host")
    threat = _gather(batch, "ally_state.threat")
    p = batch.params("russia")
    return (
        p["incursion_firm_base"]
        + p["incursion_firm_threat"] * threat
        + p["incursion_firm_presence"] * presence / (1.0 + presence)
    )


def _presence_sums(presences: list[np.ndarray] | np.ndarray) -> np.ndarray:
    """The forward presence in each ally (runs x hosts: the lead nations' summed in their
    order) of the runs' theatres' ``presence`` arrays (or their stack). Over a batch, made of
    the stack it keeps (:meth:`Batch.kept`, keyed on each run's array's identity) while that
    is the very object it was (:func:`_derived`): a theatre binds a new array when its
    presence changes and never writes into it
    (:func:`~sim.mechanisms.theatre.refresh_theatres`)."""
    return np.add.reduce(rows(presences) if isinstance(presences, list) else presences, axis=1)


def firmness_logit(model: AllianceModel) -> np.ndarray:
    """One run's :func:`firmness_logits`."""
    return firmness_logits(Batch.of(model))[0]


def firmness(model: AllianceModel) -> np.ndarray:
    """Probability that each ally answers an incursion firmly (the rule in
    :func:`firmness_logits`)."""
    return _sig(firmness_logit(model))


def _log_odds_europe(model: AllianceModel) -> float:
    """``logit`` of Russia's estimate of European resolve, kept within [1e-6, 1 - 1e-6]."""
    e = min(max(model.russia.europe_resolve_estimate, 1e-6), 1.0 - 1e-6)
    return math.log(e / (1.0 - e))


def expected_firmnesses(batch: Batch, logit: np.ndarray | None = None) -> np.ndarray:
    """The firmness Russia expects of each ally in every run: :func:`firmness_logits` shifted by
    the log-odds of its estimate of European resolve (at one half it reads the allies as they
    are). ``logit``: this year's :func:`firmness_logits` if already computed."""
    z = firmness_logits(batch) if logit is None else logit
    return _sig(z + batch.column(_log_odds_europe))


def expected_firmness(model: AllianceModel, logit: np.ndarray | None = None) -> np.ndarray:
    """One run's :func:`expected_firmnesses` (``logit``: its :func:`firmness_logit`)."""
    return expected_firmnesses(Batch.of(model), None if logit is None else logit[None, :])[0]


def target_weight_table(batch: Batch, logit: np.ndarray | None = None) -> np.ndarray:
    """Russia's choice of target per kind in every run (runs x kinds x allies, rows sum to 1
    or are all 0): exposure x ``exp(-incursion_target_sensitivity x expected firmness)``.
    ``logit``: this year's :func:`firmness_logits` if already computed."""
    deterred = np.exp(
        -batch.params("russia")["incursion_target_sensitivity"] * expected_firmnesses(batch, logit)
    )
    w = exposures(batch) * deterred[:, None, :]
    total = w.sum(axis=-1, keepdims=True)
    return np.divide(w, total, out=np.zeros_like(w), where=total > 0)


def target_weights(model: AllianceModel, logit: np.ndarray | None = None) -> np.ndarray:
    """One run's :func:`target_weight_table` (kinds x allies; ``logit``: its
    :func:`firmness_logit`)."""
    return target_weight_table(Batch.of(model), None if logit is None else logit[None, :])[0]


_CHOICE_ATOL = float(np.sqrt(np.finfo(np.float64).eps))  # Generator.choice's tolerance


def _check_p(weights: np.ndarray) -> None:
    """The checks ``Generator.choice`` makes of ``p`` (rows of normalised target weights)."""
    total = weights.sum(axis=-1)
    if np.isnan(total).any():
        raise ValueError("Probabilities contain NaN")
    if (weights < 0).any():
        raise ValueError("Probabilities are not non-negative")
    if (np.abs(total - 1.0) > _CHOICE_ATOL).any():
        raise ValueError("Probabilities do not sum to 1")


def _draw_targets(
    weights: np.ndarray, u: np.ndarray, which: np.ndarray | None = None
) -> np.ndarray:
    """``Generator.choice(n, p=weights[which[i]])`` for uniforms ``u[i]`` it would draw, for
    every i at once (``which`` None: ``weights[i]``): its rule (``cdf = p.cumsum(); cdf /=
    cdf[-1]``, the index ``searchsorted(cdf, u, side='right')``, which for a nondecreasing cdf
    is the number of its elements <= u), so the same targets from the same stream (tested
    against ``choice``). Each row's cdf is made once, however many draws read it."""
    cdf = np.cumsum(weights, axis=-1)
    cdf /= cdf[:, -1:]
    if which is not None:
        cdf = cdf[which]
    return (cdf <= u[:, None]).sum(axis=-1)


def _per_run(value: float | np.ndarray) -> np.ndarray:
    """A parameter of :meth:`Batch.params` (a batch of one's number, or a column of the runs')
    as a vector over the runs."""
    if isinstance(value, np.ndarray):
        return value[:, 0]
    return np.array([value], dtype=float)


class Drawn(NamedTuple):
    """A year's incursions over a batch as arrays, one element per incursion, the runs' in
    turn (``run`` ascending), each run's in its order (kind by kind, as drawn): the run (its
    index in the batch), the target (an ally index), the kind (an index into :data:`KINDS`),
    whether it was serious, answered firmly, brought an Article 4 request, and whether the US
    stood with the target (``stood``: False without consultations; ``us_stood`` as a list,
    None without consultations, as :class:`Incursion` has it)."""

    run: np.ndarray
    target: np.ndarray
    kind: np.ndarray
    serious: np.ndarray
    firm: np.ndarray
    article4: np.ndarray
    stood: np.ndarray
    us_stood: list[bool | None]


def act(batch: Batch) -> list[list[Incursion]]:
    """This year's incursions, answers and feedback in every run of ``batch`` (the module
    docstring's steps 1-4); logged as ``incursion`` events and kept in each run's
    ``russia.incursions_this_year`` (returned, a list per run).

    The rules are applied over the batch; the draws are each run's own, from its stream in the
    order a run alone makes them: the counts (Poisson, kind by kind: one call per kind draws
    what one call for the three draws, element by element), then for each kind drawn, the
    target of each incursion (as ``choice``) and three uniforms per incursion (serious, firm,
    the US standing with the target). These are one stream of uniforms, so each run draws them
    as one block (4 per incursion), read in that order. The US's chance of standing with a
    target (:meth:`~sim.agents.united_states.UnitedStates.respond_probability`, which draws
    nothing) is read only in the runs with an Article 4 request; the records and event lines
    are made only for the runs with incursions. The feedback: :func:`feed_back`."""
    models = batch.models
    p = batch.params("russia")
    situations = [
        (m.now["ukraine_war"], us.threat_level, us.ambiguity)
        for m, us in zip(models, [m.united_states for m in models], strict=True)
    ]
    rates, _, growth = incursion_rates(models, situations, p, batch.params("perception"))
    lam = np.minimum(rates, MAX_PER_KIND)
    drawn_counts: list[int] = []
    for m, means in zip(models, lam.tolist(), strict=True):
        drawn_counts.extend(map(m.russia.incursion_rng.poisson, means))
    counts = np.minimum(np.array(drawn_counts, dtype=np.int64).reshape(lam.shape), MAX_PER_KIND)
    out: list[list[Incursion]] = [[] for _ in models]  # each run's list, its russia's too
    for m, none in zip(models, out, strict=True):
        m.russia.incursions_this_year = none
    if not counts.any():
        return out
    logit = firmness_logits(batch)  # computed once: Russia's reading and the answers share it
    weights = target_weight_table(batch, logit)
    firm_p = _sig(logit)
    share = _per_run(p["incursion_serious_share"])
    drawn = (counts > 0) & ~(weights.sum(axis=-1) <= 0)
    _check_p(weights[drawn])
    per_kind = np.where(drawn, counts, 0)
    n = per_kind.sum(axis=1)
    fed = n.nonzero()[0].tolist()
    if not fed:
        return out
    sizes = n.tolist()
    blocks = [models[r].russia.incursion_rng.random(4 * sizes[r]) for r in fed]
    u = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    # incursions in stream order (run, kind, then each of the kind's); a kind's segment of its
    # run's block: its count of target uniforms, then count x 3 (row by row)
    c = per_kind.ravel()
    first = np.cumsum(c) - c
    seg = np.repeat(np.arange(c.size), c)
    j = np.arange(seg.size) - first[seg]
    start = 4 * first[seg]
    triple = start + c[seg] + 3 * j
    run = seg // 3
    kinds_drawn = c.nonzero()[0]  # the (run, kind) rows drawn from, and each one's among them
    targets = _draw_targets(
        weights.reshape(-1, weights.shape[-1])[kinds_drawn],
        u[start + j],
        (np.cumsum(c > 0) - 1)[seg],
    )
    serious = u[triple] < share[run]
    firm = u[triple + 1] < firm_p[run, targets]
    article4 = serious & firm
    # the US's chance of standing with a target, in the runs with a request (it draws nothing)
    p_us = np.zeros(len(models))
    for r in dict.fromkeys(run[article4].tolist()):  # (in order: ``run`` is ascending)
        m = models[r]
        us = m.united_states
        p_us[r] = us.respond_probability(
            m.now["china_pull"], m.nuclear_liability, us.reassurance_now(m.now)
        )
    stood = article4 & (u[triple + 2] < p_us[run])
    # None without Article 4 (asarray: NumPy's stubs type a 3-argument where as a tuple)
    us_stood = np.asarray(np.where(article4, stood, None)).tolist()
    d = Drawn(run, targets, seg % 3, serious, firm, article4, stood, us_stood)
    whys = _whys(batch, fed, rates, growth, situations)  # Russia's reading before it learns
    feed_back(batch, d)
    # the Incursion records of the batch at once (tuple.__new__: a named tuple's own _make)
    years = [y for r in fed for y in repeat(models[r].year, sizes[r])]
    records = list(
        map(
            tuple.__new__,
            repeat(Incursion),
            zip(
                years,
                targets.tolist(),
                _KIND_NAMES[d.kind].tolist(),
                serious.tolist(),
                firm.tolist(),
                article4.tolist(),
                us_stood,
                strict=True,
            ),
        )
    )
    # the year's summary of the incursions without Article 4, run by run
    routine = ~article4
    texts = _routine_texts(models[0])
    parts = texts[(d.kind[routine] * 2 + firm[routine]) * (len(texts) // 6) + targets[routine]]
    parts = parts.tolist()
    routines = np.bincount(run[routine], minlength=len(models)).tolist()
    requests = article4.nonzero()[0].tolist()  # the records of the requests, run by run
    p_us_of = p_us.tolist()
    lo = lo_routine = lo_request = 0
    for r, why in zip(fed, whys, strict=True):
        m = models[r]
        hi, hi_routine = lo + sizes[r], lo_routine + routines[r]
        incs = out[r] = records[lo:hi]
        russia = m.russia
        russia.incursions_this_year = incs
        russia.incursion_history.extend(incs)
        if hi_routine - lo_routine < hi - lo:
            hi_request = lo_request + (hi - lo) - (hi_routine - lo_routine)
            asked = [records[i] for i in requests[lo_request:hi_request]]
            _log_article4(m, asked, why, firm_p[r], p_us_of[r])
            lo_request = hi_request
        if hi_routine > lo_routine:
            k = hi_routine - lo_routine
            m.recorder.event(
                "incursion",
                f"{k} Russian incursion{'s' if k > 1 else ''}: "
                + ", ".join(parts[lo_routine:hi_routine]),
                why=why,
            )
        lo, lo_routine = hi, hi_routine
    return out


_WHY = (
    "expected {:.1f} incursions: the record's rates x {:.2f} (resolve read {:.2f}, US threat "
    "{:.2f}, ambiguity {:.2f}, confidence {:+.2f})"
).format


def _whys(
    batch: Batch,
    runs: list[int],
    rates: np.ndarray,
    growth: list[float],
    situations: list[tuple[float, float, float]],
) -> list[str]:
    """Russia's reading behind the year's incursions in the runs ``runs`` (indices into the
    batch), in words (the events' ``why``): the expected count (the sum of its ``rates``), the
    rates' multiplier (``growth`` x ``incursion_scale``: :func:`~sim.agents.russia.
    incursion_rates`), the resolve it reads, the US threat and ambiguity of its ``situations``,
    its confidence."""
    models = batch.models
    expected = rates.sum(axis=1).tolist()
    out = []
    for r in runs:
        m = models[r]
        ru = m.russia
        _, threat, ambiguity = situations[r]
        out.append(
            _WHY(
                expected[r],
                growth[r] * m.p_russia["incursion_scale"],
                ru.perceived_resolve(),
                threat,
                ambiguity,
                ru.confidence,
            )
        )
    return out


def feed_back(batch: Batch, d: Drawn) -> None:
    """Feed a year's incursions back in every run of ``batch`` (C9, C12), each run's in its
    order, each with the arithmetic of one at a time.

    * Threat: the target's shock rises by ``incursion_threat_weight``; after Article 4
      consultations every ally's by ``incursion_article4_threat_weight`` x its network
      closeness to the target (the target's in full).
    * Trust in the US (``trust`` switch): after consultations, up by ``incursion_trust_gain``
      of the distrust left if the US stood with the target, down by ``incursion_trust_loss`` of
      itself if it stayed aloof.
    * Cohesion: the US aloof in consultations adds ``incursion_cohesion_loss`` of damage.
    * Russia: :meth:`~sim.agents.russia.Russia.learn_from_incursions` (its estimates only with
      the ``russia_reads_resolve`` switch on).

    Over the batch: the shocks are added by ``np.add.at``, one addition at a time in the
    incursions' order (an incursion's: its target's, or after consultations every ally's, in
    the allies' order), so each ally's shock sees the additions of its run in the order a run
    alone makes them; trust and cohesion: :func:`_consult`.
    """
    models = batch.models
    run, target, article4 = d.run, d.target, d.article4
    sizes = np.bincount(run, minlength=len(models))
    shock = np.array(list(map(_SHOCK, models)))  # a copy: written
    params = batch.params("russia")
    w = _per_run(params["incursion_threat_weight"])
    n = shock.shape[1]
    flat = shock.reshape(-1)  # a view: np.add.at is fastest on one axis
    if not article4.any():
        np.add.at(flat, run * n + target, w[run])
    else:
        requests = article4.nonzero()[0]
        runs = run[requests]
        if len(models) == 1:
            closeness = _closeness(models[0])[target[requests]]
        else:
            table = _derived(
                "closeness",
                batch.kept("raw_weights"),
                lambda _: rows(list(map(_closeness, models))),
            )
            closeness = table[runs, target[requests]]
        alarm = np.zeros(closeness.shape)
        alarm[np.arange(requests.size), target[requests]] = w[runs]
        alarm = alarm + _per_run(params["incursion_article4_threat_weight"])[runs, None] * closeness
        added = np.zeros((run.size, n))  # each incursion's additions, in a row
        adds = np.zeros(added.shape, dtype=bool)
        every = np.arange(run.size)
        added[every, target] = w[run]
        adds[every, target] = True
        added[requests] = alarm
        adds[requests] = True
        at = adds.reshape(-1).nonzero()[0]  # (incursion, ally) in order
        np.add.at(flat, run[at // n] * n + at % n, added.reshape(-1)[at])
        _consult(batch, d, requests, params)
    fed = sizes.nonzero()[0].tolist()
    firm, us_stood = d.firm.tolist(), d.us_stood
    reads = batch.on("russia_reads_resolve")
    lo = 0
    for r, size in zip(fed, sizes[fed].tolist(), strict=True):
        m = models[r]
        m.ally_state.shock = shock[r]
        m.russia.learn_from_incursions(firm[lo : lo + size], us_stood[lo : lo + size], reads)
        lo += size


_SHOCK = operator.attrgetter("ally_state.shock")


def _closeness(model: AllianceModel) -> np.ndarray:
    """Each ally's network closeness to each other (row: the target; ``raw_weights`` over its
    largest, 1 if all are 0; the target's own 1): fixed in a run (the network is built once),
    so kept on its theatre (read-only); the runs' stacked once for a batch, kept while the
    stack of their networks it keeps (:meth:`Batch.kept`, keyed on their identity) is the very
    object it was (:func:`_derived`)."""
    cache = model.theatre.cache
    out = cache.get(("incursion_closeness",))
    if out is None:
        out = model.raw_weights / (model.raw_weights.max() or 1.0)
        np.fill_diagonal(out, 1.0)
        out.flags.writeable = False
        cache[("incursion_closeness",)] = out
    return out


def _consult(batch: Batch, d: Drawn, requests: np.ndarray, params: Mapping[str, Any]) -> None:
    """Trust and cohesion after the Article 4 requests ``requests`` (indices into ``d``, in
    order; :func:`feed_back`): trust for each run's first request in every run at once, then
    its second, and so on; cohesion one request at a time."""
    runs = d.run[requests]
    stood = d.stood[requests]
    if batch.on("trust"):
        gain = _per_run(params["incursion_trust_gain"])
        loss = _per_run(params["incursion_trust_loss"])
        rank = np.arange(runs.size) - np.searchsorted(runs, runs)  # the request's in its run
        for k in range(int(rank.max()) + 1):
            now = rank == k
            rr = runs[now]
            models = [batch.models[r] for r in rr.tolist()]
            trust = np.array([m.ally_state.trust for m in models])
            trust = np.where(
                stood[now][:, None],
                trust + gain[rr, None] * (1.0 - trust),
                trust - loss[rr, None] * trust,
            )
            for m, row in zip(models, trust, strict=True):
                m.ally_state.trust = row
    for r in runs[~stood].tolist():
        m = batch.models[r]
        m.cohesion_damage = 1.0 - (1.0 - m.cohesion_damage) * (
            1.0 - m.p_russia["incursion_cohesion_loss"]
        )


def apply_feedback(model: AllianceModel, inc: Incursion) -> None:
    """Feed one incursion back in its run (:func:`feed_back`, the rules)."""
    feed_back(
        Batch.of(model),
        Drawn(
            np.zeros(1, dtype=np.intp),
            np.array([inc.target]),
            np.array([KINDS.index(inc.kind)]),
            np.array([inc.serious]),
            np.array([inc.firm]),
            np.array([inc.article4]),
            np.array([bool(inc.us_stood)]),
            [inc.us_stood],
        ),
    )


_WHAT = {
    ("air", False): "Russian military aircraft enter {c}'s airspace",
    ("air", True): "Russian fighters stay minutes in {c}'s airspace",
    ("drone", False): "a Russian drone enters {c}'s airspace",
    ("drone", True): "a swarm of Russian drones enters {c}'s airspace",
    ("sea", False): "a Russian vessel enters {c}'s waters",
    ("sea", True): "Russian warships enter {c}'s waters",
}
_FIRM = {"air": "intercepted", "drone": "shot down", "sea": "escorted out"}


def describe(model: AllianceModel, inc: Incursion) -> str:
    """An Article 4 incursion in words, for the event log."""
    c = model.allies[inc.target].record.country
    text = _WHAT[(inc.kind, inc.serious)].format(c=c) + f"; {_FIRM[inc.kind]}"
    if inc.article4:
        text += f"; {c} requests Article 4 consultations"
        text += "; the US stands with it" if inc.us_stood else "; the US stays aloof"
    return text


def _routine_texts(model: AllianceModel) -> np.ndarray:
    """An incursion without Article 4 in words, for the year's summary: by kind, answer (not
    firm, firm) and target, flat (``(kind x 2 + firm) x allies + target``); the allies' names
    are fixed in a run and shared by the runs of a batch (:func:`~sim.engine.batch.structure`),
    so kept on the run's theatre."""
    cache = model.theatre.cache
    out = cache.get(("incursion_texts",))
    if out is None:
        texts = []
        for kind in KINDS:
            for firm in (False, True):
                answer = _FIRM[kind] if firm else "tracked, a protest"
                for a in model.allies:
                    c = a.record.country
                    where = f"sea off {c}" if kind == "sea" else f"{kind} over {c}"
                    texts.append(f"{where} ({answer})")
        out = np.array(texts, dtype=object)
        out.flags.writeable = False
        cache[("incursion_texts",)] = out
    return out


def _log_article4(
    model: AllianceModel,
    incursions: list[Incursion],
    why: str,
    firm_p: np.ndarray,
    p_us: float,
) -> None:
    """One ``incursion`` event for each Article 4 request of ``incursions`` (the others are
    passed over; the rest of the year makes one more, after these: :func:`act`); the ``why``
    says Russia's reading and the target's and the US's chances."""
    for inc in incursions:
        if inc.article4:
            c = model.allies[inc.target].record.country
            model.recorder.event(
                "incursion",
                describe(model, inc),
                why=f"{why}; {c}'s chance of a firm answer {firm_p[inc.target]:.0%}, the US's "
                f"of standing with it {p_us:.0%}",
            )
