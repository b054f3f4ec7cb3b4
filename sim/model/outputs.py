"""What a run records: the yearly model and ally tables, the event log, and the verdict.

The recorder keeps each year's state while the model runs and computes the tables' columns
from it when asked; the runner turns them into pandas frames. Column names and meanings are
listed in ``MODEL_COLUMNS`` and ``ALLY_COLUMNS``.
"""

from __future__ import annotations

import math
import operator
import weakref
from collections.abc import Callable, Iterator, Mapping
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..agents.budget_why import COLUMNS as WHY_BUDGET
from ..agents.budget_why import TERMS as WHY_TERMS
from ..engine.allies import HANDED_SHARES, HANDED_SIGNALS, HANDED_STATE, WRITTEN
from ..engine.allies import reasons as allies_reasons
from ..engine.batch import Batch
from ..mechanisms import capability as cap
from ..mechanisms import progress
from ..mechanisms.capability import backlog_years as years_of_backlog
from ..mechanisms.influence import CHANNELS as INFLUENCE_CHANNELS
from ..mechanisms.influence import LOST_CONTROL_BELOW
from ..scenario import CATEGORIES

if TYPE_CHECKING:
    from ..agents.russia import ProbeOptions
    from .alliance import AllianceModel

Verdict = Literal[
    "deterrence_failed",
    "europe_carries_us_lost_control",
    "headline_met_capability_hollow",
    "europe_carries_alliance_intact",
    "burden_shifted_alliance_intact",
    "burden_shifted_trust_broken",
    "burden_not_shifted",
]
VERDICTS: tuple[str, ...] = Verdict.__args__  # type: ignore[attr-defined]
# The verdict rule's version, recorded in every manifest (sim.runs.provenance): 2 tells "Europe
# carries" (coverage at verdict.carry_coverage) from "burden shifted"; 1, before it (a folder
# without the record), read "burden shifted, alliance intact" for both.
VERDICT_RULE = 2
# the verdicts in which the burden shifted (coverage gain at least verdict.shift_coverage_gain)
SHIFTED: tuple[str, ...] = (
    "europe_carries_alliance_intact",
    "burden_shifted_alliance_intact",
    "burden_shifted_trust_broken",
    "europe_carries_us_lost_control",
)


def shifted_and_carries(gain: Any, end: Any, v: Mapping[str, float]) -> tuple[Any, Any]:
    """Whether the burden shifted (a coverage gain ``gain`` of at least ``shift_coverage_gain``)
    and whether Europe carries its own defence (shifted, and coverage ``end`` at or above
    ``carry_coverage``: seed 002's "most" capabilities), for one run (floats) or many (Series),
    under the ``[verdict]`` thresholds ``v``: what :func:`verdict` reads."""
    shifted = gain >= v["shift_coverage_gain"]
    return shifted, shifted & (end >= v["carry_coverage"])


MODEL_COLUMNS: dict[str, str] = {
    "year": "calendar year",
    "eu_core_pct": "European core defence spending as reported, GDP-weighted, % of GDP",
    "eu_genuine_core_pct": "European core spending net of reclassification, GDP-weighted, % of GDP",
    "eu_headline_pct": "European core + defence-related spending, GDP-weighted, % of GDP",
    "eu_spending_bn": "European genuine core spending, bn US$",
    "n_allies_2pct": "allies with armed forces reporting core spending >= 2% of GDP",
    "n_allies_3_5pct": "allies reporting core spending >= 3.5% of GDP",
    "n_allies_5pct": "allies with headline spending >= 5% of GDP",
    "eu_capability_share": "European share of NATO conventional capability in Europe, 0-1",
    **{f"coverage_{c}": f"European coverage of {c.replace('_', ' ')}, 0-1+" for c in CATEGORIES},
    "coverage_mean": "mean coverage over categories",
    "categories_taken_over": "categories with coverage >= coverage_goal",
    "backlog_years": "equipment backlog in years of industrial capacity",
    "us_posture": "US conventional posture in Europe, fraction of the start year's",
    "us_threat_level": "US abandonment threat this year, 0-1",
    "coercion_credibility": "allies' belief that US threats are carried out, 0-1",
    "us_exited_mechanisms": "whether the US has left NATO coordination mechanisms",
    "mean_trust": "mean trust of the allies that the US would defend them, 0-1",
    "mean_threat": "mean threat perception of the allies, 0-1",
    "russia_resolve_estimate": "Russia's estimate of US resolve, 0-1",
    "russia_forces_bde": "Russia's ground forces, brigade-equivalents",
    "russia_free_bde": "Russia's ground forces neither in Ukraine nor being refitted, bde-e",
    "russia_war_readiness": "how large a war Russia's free forces allow: 0 none, 1 local, "
    "2 regional, 3 large (against the NATO forces of the start year)",
    "russia_milex_bn": "Russia's military spending, bn US$",
    "russia_milex_pct_gdp": "Russia's military spending, % of GDP",
    "greyzone_attacks": "grey-zone attacks on allies this year",
    "incursions": "Russian air, drone and sea incursions into allies this year",
    "probe_probability": "Russia's chance of probing this year by its own reckoning, 0-1",
    "probe_success_estimate": "Russia's best estimate this year of the chance that a probe ends "
    "in a fait accompli (deterrence read from Moscow), 0-1; empty (NaN) in a year Russia waits "
    "after a probe and assesses no target",
    "europe_resolve_estimate": "Russia's estimate of European resolve, 0-1",
    "probe": "1 if Russia probed an ally this year",
    "probe_target": "ISO3 of the probed ally, or empty",
    "probe_outcome": "repelled, frozen, article5_failure, or empty",
    "us_responded": "1 if the US answered this year's probe",
    "n_aiders": "allies that sent help in this year's crisis",
    "nuclear_threat": "1 if Russia threatened nuclear use in this year's crisis",
    "us_backed_down": "1 if the US backed down under nuclear threats this year",
    "us_influence": "US influence over the alliance: the weighted mean of the influence_ "
    "channels (sim.mechanisms.influence), 1 = as at the start",
    "influence_compliance": "allies' comply share relative to the start's, 0-1",
    "influence_procurement": "share of European equipment bought from the US relative to the "
    "start's, 0-1",
    "influence_command": "1 while an American is Supreme Allied Commander Europe",
    "influence_crisis": "how closely allies have followed the US line in crises, 0-1",
    "influence_basing": "US posture in Europe relative to the start's, at most 1",
    "nuclear_liability": "US nuclear guarantee without conventional control, 0-1",
    "cohesion": "alliance cohesion index, 0-1",
    "progress_headline": "GDP-weighted share of European allies at the US demand",
    "progress_capability": "share of the US contribution European capability delivered since "
    "the start replaces, mean over categories, 0-1",
    "us_capability_in_europe": "US capability in Europe relative to the start year's",
    "pledge_core_pct": "core spending pledged for this year, % of GDP",
    "comply_share": "mean share of compliance in the answers of allies under a US threat",
    "hedge_share": "mean share of hedging in those answers",
    "resist_share": "mean share of resistance in those answers",
}

ALLY_COLUMNS: dict[str, str] = {
    "year": "calendar year",
    "iso3": "ally ISO3 code",
    "member": "whether a NATO member this year",
    "gdp_bn": "GDP, bn US$",
    "core_pct": "core defence spending as reported, % of GDP",
    "genuine_core_pct": "core spending that buys capability, % of GDP",
    "reclassified_pct": "spending reclassified as defence, % of GDP",
    "related_pct": "defence-related spending, % of GDP",
    "headline_pct": "core as reported + defence-related, % of GDP",
    "spending_bn": "genuine core spending, bn US$",
    "capability": "equipment-stock units",
    "threat": "threat perception of Russia, 0-1",
    "trust": "trust that the US would defend it, 0-1",
    "greyzone_attacks": "grey-zone attacks suffered this year",
    **{
        f"why_budget_{t}": f"change in core spending this year owed to {t.replace('_', ' ')}, "
        "pp of GDP (sim.agents.budget_why; the why_budget_ columns sum to the change)"
        for t in WHY_TERMS
    },
}


# The summary table: one row per run (Recorder.summary). A value is missing (NaN, an empty cell
# in CSV) where the run gives none, as each says: a year the run does not reach, an event that
# never came (found by fuzzing: these were undocumented).
SUMMARY_COLUMNS: dict[str, str] = {
    "verdict": "the run's verdict (sim.model.outputs.VERDICTS, first match wins)",
    "start_year": "the run's first year",
    "end_year": "the run's last year",
    "eu_core_pct_start": "European core spending as reported in the first year, % of GDP",
    "eu_core_pct_2027": "the same in 2027, % of GDP; missing if the run does not reach 2027",
    "eu_core_pct_2030": "the same in 2030, % of GDP; missing if the run does not reach 2030",
    "eu_core_pct_end": "the same in the last year, % of GDP",
    "eu_genuine_core_pct_end": "European core spending net of reclassification, last year, "
    "% of GDP",
    "eu_headline_pct_end": "European core + defence-related spending, last year, % of GDP",
    "eu_capability_share_end": "European share of NATO conventional capability in Europe, last "
    "year, 0-1",
    "coverage_mean_start": "European mean coverage of its requirement, first year, 0-1+",
    "coverage_mean_end": "the same, last year, 0-1+",
    "coverage_gain": "coverage_mean_end - coverage_mean_start",
    "mean_trust_end": "mean trust in the US, last year, 0-1",
    "us_posture_end": "US posture in Europe, last year, fraction of the start year's",
    "us_capability_in_europe_end": "US capability in Europe, last year, relative to the start's",
    "us_influence_end": "US influence over the alliance, last year (1 = as at the start)",
    "nuclear_liability_end": "US nuclear guarantee without conventional control, last year, 0-1",
    "russia_resolve_estimate_end": "Russia's estimate of US resolve, last year, 0-1",
    "europe_resolve_estimate_end": "Russia's estimate of European resolve, last year, 0-1",
    "probe_success_estimate_max": "Russia's highest estimate of a probe's success over the years "
    "it assessed one, 0-1; missing if it assessed none",
    "cohesion_end": "alliance cohesion, last year, 0-1",
    "pledge_target_pct": "the pledge in force at the end, % of GDP; missing under a scenario's "
    "pledge series (no pledge event)",
    "pledge_opt_outs": "ISO3 codes of the allies that opted out of it, space-separated",
    "deadline_met": "whether the US's deadline was judged met; missing if it never fell due "
    "in the run",
    "progress_capability_end": "share of the US contribution replaced, last year, 0-1",
    "n_probes": "Russian probes in the run",
    "n_repelled": "probes repelled",
    "n_frozen": "probes that left a fait accompli",
    "n_article5_failures": "probes nobody stood against (Article 5 failed)",
    "n_failures_us_responded": "Article 5 failures in which the US had answered",
    "n_nuclear_threats": "Russian nuclear threats in crises",
    "first_probe_year": "the year of the first probe; missing if Russia never probed",
    "us_exit_year": "the year the US left NATO's coordination mechanisms; missing if it never did",
    "greyzone_attacks_total": "grey-zone attacks on allies after the first year",
    "n_incursions": "air, drone and sea incursions after the first year",
}

# Russia's probe reasoning (issue "Every decision explained"): one row per candidate target
# and one for not probing (target ""), every year it considered a probe.
PROBE_OPTION_COLUMNS: dict[str, str] = {
    "year": "calendar year",
    "target": "ISO3 of the candidate ally, empty for not probing",
    "value": "the target's value to Russia (its proximity), 0-1; missing on the not-probing row",
    "chance": "Russia's estimate of the chance of a fait accompli, 0-1; missing on the "
    "not-probing row",
    "cost": "the expected cost of probing, from the resolve it read (utility units); missing "
    "on the not-probing row",
    "utility": "the option's utility (not probing: probe_threshold)",
    "probability": "the logit probability of the option, as the draw used it",
    "chosen": "whether Russia's draw picked it (a human or a scenario event may override)",
    "us_resolve_read": "US resolve as Russia read it this year, misperception included",
    "europe_resolve_read": "European resolve as Russia read it, misperception included",
}

# What record_year() keeps of the allies each year (a batch x fields x allies array): the
# state the ally table and the European aggregates are computed from.
_ALLY_STATE = (
    "gdp_bn",
    "core_pct",
    "reclassified_pct",
    "related_pct",
    "threat",
    "trust",
    "greyzone_attacks",
    "member",
    "capability",
)
_GDP, _GENUINE, _RECLASSIFIED, _RELATED, _THREAT, _TRUST, _ATTACKS, _MEMBER, _CAPABILITY = range(
    len(_ALLY_STATE)
)

# Model columns read from the model each year as they are; the others are computed from the
# allies' state (and coverage) when the columns are asked for, for all years at once.
_DIRECT = (
    "year",
    "eu_capability_share",
    *(f"coverage_{c}" for c in CATEGORIES),
    "backlog_years",
    "us_posture",
    "us_threat_level",
    "coercion_credibility",
    "us_exited_mechanisms",
    "russia_resolve_estimate",
    "russia_forces_bde",
    "russia_free_bde",
    "russia_war_readiness",
    "russia_milex_bn",
    "russia_milex_pct_gdp",
    "greyzone_attacks",
    "incursions",
    "probe_probability",
    "probe_success_estimate",
    "europe_resolve_estimate",
    "probe",
    "probe_target",
    "probe_outcome",
    "us_responded",
    "n_aiders",
    "nuclear_threat",
    "us_backed_down",
    "us_influence",
    "influence_compliance",
    "influence_procurement",
    "influence_command",
    "influence_crisis",
    "influence_basing",
    "nuclear_liability",
    "cohesion",
    "progress_capability",
    "us_capability_in_europe",
    "pledge_core_pct",
    "comply_share",
    "hedge_share",
    "resist_share",
)


def _answers(shares: Any, reached: np.ndarray) -> list[tuple[float, float, float]]:
    """Each run's mean comply, hedge and resist shares (``shares``: one (run x ally) array per
    answer) over the allies a US threat reaches this year (``reached``: run x ally), (0, 0, 0)
    where it reaches none. The reached allies' shares of every run are gathered at once, one
    array per answer; each run's mean is then one sum over its contiguous slice (the values of
    ``x[reached]`` in their order: the same sum), over the count: a sum along the last axis of
    an (answer x reached) array, or over several runs' pieces at once, is not always the same
    in floats."""
    counts = np.add.reduce(reached, axis=1).tolist()  # np.count_nonzero's, at less cost
    out = [(0.0, 0.0, 0.0)] * len(counts)
    if not any(counts):
        return out
    comply, hedge, resist = (x[reached] for x in shares)
    add = np.add.reduce
    a = 0
    for i, n in enumerate(counts):
        if n:
            b = a + n
            out[i] = (  # x[reached].mean() per answer
                float(add(comply[a:b])) / n,
                float(add(hedge[a:b])) / n,
                float(add(resist[a:b])) / n,
            )
            a = b
    return out


# What the allies' phase wrote this year (:func:`sim.engine.allies.act`), read from its arrays
# while the models hold its rows (:meth:`Batch.handed`): the state fields it writes that the
# record keeps (their places in ``WRITTEN`` and in ``_ALLY_STATE``), its budget reasons (one
# block in ``WHY_TERMS`` order: :func:`sim.engine.allies.reasons`), its answers and signals.
_WRITTEN_KEPT = tuple(
    (WRITTEN.index(f), _ALLY_STATE.index(f))
    for f in ("core_pct", "reclassified_pct", "related_pct", "threat", "trust")
)
_GATHERED = tuple(
    (k, f) for k, f in enumerate(_ALLY_STATE[:_CAPABILITY]) if f not in WRITTEN
)  # the fields read from each run (gdp_bn, greyzone_attacks, member)
_get_written = operator.attrgetter(*WRITTEN)
_get_gathered = operator.attrgetter(*(f for _, f in _GATHERED))
_get_why = operator.itemgetter(*WHY_TERMS)


def _ally_arrays(
    batch: Batch, stocks: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray]:
    """The allies' state (run x ``_ALLY_STATE`` x ally) and budget reasons (run x
    ``WHY_TERMS`` x ally) the record keeps (new arrays, its own: never written into after),
    and the answers' shares (comply, hedge, resist: run x ally each) and the US's signals
    (run x ally) this year: from the arrays the allies' phase handed out where every run
    still holds its rows (:meth:`Batch.handed`, keyed on the rows' identity), else gathered
    run by run."""
    models = batch.models
    r, n = len(models), stocks.shape[1]
    state = np.empty((r, len(_ALLY_STATE), n))
    states = [m.ally_state for m in models]
    written = batch.handed(HANDED_STATE, [x for st in states for x in _get_written(st)])
    if written is None:  # every field from the runs, in one call
        fields = [getattr(st, f) for st in states for f in _ALLY_STATE[:_CAPABILITY]]
        state[:, :_CAPABILITY] = np.concatenate(fields).reshape(r, _CAPABILITY, n)
    else:  # the fields the allies' phase did not write from the runs, the others its arrays
        gathered = np.concatenate([x for st in states for x in _get_gathered(st)])
        gathered = gathered.reshape(r, len(_GATHERED), n)
        for j, (k, _) in enumerate(_GATHERED):
            state[:, k] = gathered[:, j]
        for j, k in _WRITTEN_KEPT:
            state[:, k] = written[j]
    state[:, _CAPABILITY] = np.add.reduce(stocks, axis=2)  # ally_capability(), per run
    why = allies_reasons(batch)  # the allies' phase's block, in WHY_TERMS' order
    if why is not None:
        why = why.copy()
    else:
        reasons = [x for m in models for x in _get_why(m.budget_why)]  # in WHY_TERMS' order
        why = np.concatenate(reasons).reshape(r, len(WHY_TERMS), n)
    current = [x for m in models for x in m.shares]
    shares = batch.handed(HANDED_SHARES, current)
    if shares is None:
        shares = list(np.concatenate(current).reshape(r, 3, n).transpose(1, 0, 2))
    current = [m.signals for m in models]
    signals = batch.handed(HANDED_SIGNALS, current)
    return state, why, list(shares), np.array(current) if signals is None else signals[0]


def record_years(batch: Batch) -> None:
    """Every run of ``batch`` keeps this year's state (:meth:`Recorder.record_year`). Computed
    once for the batch: the capability half of progress
    (:func:`~sim.mechanisms.progress.capability_progress`; Europe's capability per category
    in one stacked matrix product, as the deliveries compute it,
    :func:`~sim.mechanisms.capability.in_europe`), the US's capability in Europe, the allies'
    state rows and budget reasons (:func:`_ally_arrays`: one array each for the batch, kept by
    every run with its row's index: no copy per run), each ally's capability, Russia's
    readiness level, the threat answers' means (:func:`_answers`) and Russia's probe options
    (:func:`_record_options`). Per run: the answers' sums (:func:`_answers`) and the model
    table's row (:func:`_row`)."""
    models = batch.models
    stocks, backlog = _pipelines(models)
    us_base = batch.kept("us_base")
    capability = progress.capability_progress(
        cap.in_europe(batch.kept("europe_weights"), stocks),
        batch.kept("europe_start"),
        us_base,
        np.array([m.isr_replaceable() for m in models], dtype=float),
    )
    state, why, shares, signals = _ally_arrays(batch, stocks)
    us_states = [m.united_states for m in models]
    posture = [u.posture for u in us_states]
    us = cap.us_in_europe_of(us_base, us_states)
    free = [m.russia.forces.free for m in models]
    readiness = np.add.reduce(  # readiness_level(): the thresholds free forces reach
        np.array(free, dtype=float)[:, None]
        >= batch.kept("readiness_thresholds", _thresholds),  # tuples: bound anew on a join
        axis=1,
    ).tolist()
    answers = _answers(shares, signals > 0)
    ratio = _us_capability_ratios(us_base, us, posture)
    rows = map(_row, models, capability.tolist(), backlog, free, readiness, answers, ratio)
    peers = [weakref.ref(m.recorder) for m in models]  # a kept run does not keep the others
    for i, (m, row) in enumerate(zip(models, rows, strict=True)):
        m.recorder._keep(row, state, why, i, peers)
    _record_options(models)


def _thresholds(values: list[tuple[float, float, float]]) -> np.ndarray:
    """The runs' readiness thresholds (run x 3), as floats."""
    return np.array(values, dtype=float)


def _us_capability_ratios(us_base: np.ndarray, us: np.ndarray, posture: list[float]) -> list[float]:
    """Each run's US capability in Europe (``us``, run x category) over the start year's
    (``us_base``), each a sum along its own row (as alone: ``np.add.reduce`` of a run's
    categories); with no US capability at the start (every ``us_share`` at 0) the ratio is
    undefined, and the posture, which would scale it, stands in."""
    add = np.add.reduce
    base = add(us_base, axis=1).tolist()
    now = add(us, axis=1).tolist()
    return [float(p) if b <= 0 else x / b for b, x, p in zip(base, now, posture, strict=True)]


def _row(
    m: AllianceModel,
    capability: float,
    backlog: float,
    free: float,
    readiness: int,
    answers: tuple[float, float, float],
    us_capability: float,
) -> tuple[Any, ...]:
    """A run's row of the model table's directly read columns (``_DIRECT``, in order), given
    what :func:`record_years` computed for the batch."""
    us, ru, crisis = m.united_states, m.russia, m.probe_this_year
    return (
        m.year,
        m.eu_share,
        *m.coverage.tolist(),
        backlog,
        us.posture,
        us.threat_level,
        us.coercion_credibility,
        us.exited_mechanisms,
        ru.resolve_estimate,
        ru.forces.total,
        free,
        readiness,
        ru.milex_bn,
        ru.milex_pct_gdp,
        m.greyzone_total,
        len(ru.incursions_this_year),
        ru.probe_probability,
        ru.success_estimate,
        ru.europe_resolve_estimate,
        int(crisis is not None),
        m.codes[crisis.target] if crisis else "",
        crisis.outcome if crisis else "",
        int(bool(crisis and crisis.us_responds)),
        len(crisis.aiders) if crisis else 0,
        int(bool(crisis and crisis.nuclear_threat)),
        int(bool(crisis and crisis.us_backed_down)),
        m.us_influence,
        *map(m.influence_channels.__getitem__, INFLUENCE_CHANNELS),
        m.nuclear_liability,
        m.cohesion,
        capability,  # the capability half of progress_measures, alone
        us_capability,
        m.pledge_level(),
        *answers,
    )


def _record_options(models: list[AllianceModel]) -> None:
    """Each run keeps this year's probe options (:class:`sim.agents.russia.ProbeOptions`, if
    Russia weighed any, after the first year): one row per candidate and one for not probing
    (its target empty; value, chance and cost missing; its utility ``probe_threshold``). Built
    for the batch's runs in one array per column (``PROBE_OPTION_COLUMNS`` order); each run
    keeps the arrays and its rows' range (:attr:`Recorder.options` joins a run's years)."""
    runs = [m for m in models if m.russia.options is not None and m.year > m.start_year]
    if not runs:
        return
    opts: list[ProbeOptions] = [m.russia.options for m in runs]  # type: ignore[misc]
    # each run's numbers in one call: its year, candidates, the cost, the pick, the resolve it
    # read (US, Europe) and not probing's utility (probe_threshold)
    scalars = np.array(
        [
            (
                m.year,
                len(o.candidates),
                o.cost,
                o.pick,
                o.us_resolve_read,
                o.europe_resolve_read,
                m.russia.p["probe_threshold"],
            )
            for m, o in zip(runs, opts, strict=True)
        ],
        dtype=float,
    ).T
    year, n, cost, pick, us_read, eu_read, threshold = scalars
    n = n.astype(np.intp)
    sizes = n + 1
    ends = sizes.cumsum()
    starts = ends - sizes
    total = int(ends[-1])
    waiting = ends - 1  # the not-probing rows
    candidate = np.ones(total, dtype=bool)  # the rows of candidates
    candidate[waiting] = False

    numbers = np.empty((len(_OPTION_NUMBERS), total))  # the columns but the target's
    number = dict(zip(_OPTION_NUMBERS, numbers, strict=True))

    def per_candidate(key: str, values: Any, other: Any = float("nan")) -> None:
        number[key][candidate] = values
        number[key][waiting] = other  # missing on the not-probing rows, unless given

    def joined(get: Callable[[ProbeOptions], Any]) -> np.ndarray:
        return np.concatenate([get(o) for o in opts], dtype=float)

    number["year"][:] = year.repeat(sizes)
    per_candidate("value", joined(lambda o: o.value))
    per_candidate("chance", joined(lambda o: o.chance))
    per_candidate("cost", cost.repeat(n))
    per_candidate("utility", joined(lambda o: o.utility), threshold)
    number["probability"][:] = np.concatenate(
        [
            np.asarray(o.probabilities, dtype=float)[: k + 1]
            for o, k in zip(opts, n.tolist(), strict=True)
        ]
    )
    number["chosen"][:] = np.arange(total) - starts.repeat(sizes) == pick.repeat(sizes)
    number["us_resolve_read"][:] = us_read.repeat(sizes)
    number["europe_resolve_read"][:] = eu_read.repeat(sizes)
    target = np.empty(total, dtype=object)
    target[:] = ""
    target[candidate] = np.array(runs[0].codes, dtype=object)[
        np.concatenate([o.candidates for o in opts]).astype(np.intp)
    ]
    for m, a, b in zip(runs, starts.tolist(), ends.tolist(), strict=True):
        m.recorder._option_blocks.append((numbers, target, a, b))


# The probe options' columns kept as floats (years and choices exactly): one array for them all.
_OPTION_NUMBERS = tuple(k for k in PROBE_OPTION_COLUMNS if k != "target")


def _pipelines(models: list[AllianceModel]) -> tuple[np.ndarray, list[float]]:
    """The runs' capability stocks (run x ally x category) and backlogs in years of work
    (:func:`~sim.mechanisms.capability.backlog_years`): from their pipelines' rows when these
    are the runs' in order (a batch after its first delivery), else per run."""
    rows = models[0].pipeline._rows
    if len(rows.pipes) == len(models) and all(
        map(operator.is_, rows.pipes, [m.pipeline for m in models])
    ):
        return rows.stock, years_of_backlog(rows.backlog, rows.capacity).tolist()
    stocks = np.array([m.pipeline.stock for m in models])
    return stocks, [m.pipeline.backlog_years() for m in models]


def _spending(state: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """GDP, genuine, reported and headline spending (run x year x allies) from recorded state
    (run x fields x year x allies, :func:`_stacked`)."""
    gdp, genuine = state[:, _GDP], state[:, _GENUINE]
    reported = genuine + state[:, _RECLASSIFIED]
    return gdp, genuine, reported, reported + state[:, _RELATED]


def _stacked(recorders: list[Recorder], first: int, part: int) -> np.ndarray:
    """The allies' state (``part`` 0) or budget reasons (1) the ``recorders`` kept, from year
    ``first``, as one array (run x field x year x ally: a field's years x allies contiguous
    for a batch, so that the ally table's columns are reshaped views, not copies): per year,
    the rows of the batch's array that all of them kept (the runs of a batch in its years)
    written in one call (the whole array when the runs are its rows in order, or its one row
    for them all: the start's record, kept once per scenario), else each run's row."""
    if len(recorders) == 1:  # a run alone: its rows in one call (year x field x ally)
        kept = recorders[0]._blocks[first:]
        return np.array([(s if part == 0 else w)[i] for s, w, i in kept]).transpose(1, 0, 2)[None]
    blocks = [r._blocks for r in recorders]
    runs, years = len(recorders), len(blocks[0]) - first
    first_kept: np.ndarray = blocks[0][first][part]  # type: ignore[assignment]
    shape = first_kept.shape
    out = np.empty((runs, shape[1], years, shape[2]))
    whole = list(range(runs))
    for y in range(first, len(blocks[0])):
        arrays: list[np.ndarray] = [b[y][part] for b in blocks]  # type: ignore[misc]
        index = [b[y][2] for b in blocks]
        shared = arrays[0]
        if not all(a is shared for a in arrays):
            rows = np.array([a[i] for a, i in zip(arrays, index, strict=True)])
        elif len(shared) == 1 or (len(shared) == runs and index == whole):
            rows = shared  # every run's row, as they are (one row: broadcast to every run)
        else:
            rows = shared[index]
        out[:, :, y - first] = rows
    return out


def _tables(
    recorders: list[Recorder], first: int, allies: bool = True
) -> list[tuple[dict[str, list[Any]], dict[str, np.ndarray]]]:
    """The model table's columns (lists, in ``MODEL_COLUMNS`` order) and the ally table's
    (arrays), from year ``first`` on, of each of ``recorders`` (runs of one structure with as
    many years recorded); the ally table's only if ``allies``. The runs' years are stacked in
    one array (run x field x year x ally) and the columns computed for them all at once,
    vectorised over runs and years: elementwise, sums along the allies' (or categories') axis,
    counts; per run the allies' means (``mean_weights @``, a matrix product, on the run's own
    years x allies array as alone). A run's ally columns are rows of the batch's arrays. Each
    run's own parameters (``european``, ``armed``, ``coverage_goal``, the US demand's series)
    are read at the end, as the tables always read them. The directly read columns are the
    kept rows of every run transposed at once, cut into each run's years (lists); the US
    demand's series read once for the runs of one scenario object."""
    models = [r.model for r in recorders]
    runs, n = len(recorders), len(models[0].codes)
    st = _stacked(recorders, first, 0)
    years_kept = len(recorders[0]._direct) - first
    kept = [
        list(c)
        for c in zip(*chain.from_iterable(r._direct[first:] for r in recorders), strict=True)
    ]
    cuts = range(0, runs * years_kept, years_kept)
    direct = (
        [dict(zip(_DIRECT, [c[a : a + years_kept] for c in kept], strict=True)) for a in cuts]
        if runs > 1
        else [dict(zip(_DIRECT, kept, strict=True))]  # a run alone: its columns as they are
    )
    gdp, genuine, reported, headline = _spending(st)  # run x year x ally
    add = np.add.reduce  # what .sum() calls, without its Python wrapper
    european = np.array([m.european for m in models])[:, None, :]
    armed = np.array([m.armed for m in models])[:, None, :]
    eu_gdp = gdp * european
    total = add(eu_gdp, axis=-1)
    genuine_bn = add(eu_gdp * genuine, axis=-1)
    cov = np.ascontiguousarray(  # run x year x category, as the rows gave it
        np.array(kept[_COVERAGE]).T.reshape(runs, years_kept, -1)
    )
    goal = np.array([[[m.p_capability["coverage_goal"]]] for m in models])
    read: dict[tuple[int, tuple[int, ...]], list[float]] = {}  # (scenario's id, years): demand
    for m, d in zip(models, direct, strict=True):
        key = (id(m.config), tuple(d["year"]))
        if key not in read:
            read[key] = [m.config.series_year(y)["us_demand_pct"] for y in d["year"]]
    demand = np.array(
        [read[id(m.config), tuple(d["year"])] for m, d in zip(models, direct, strict=True)]
    )
    member = st[:, _MEMBER] > 0.5
    floats = {
        "eu_core_pct": add(eu_gdp * reported, axis=-1) / total,
        "eu_genuine_core_pct": genuine_bn / total,
        "eu_headline_pct": add(eu_gdp * headline, axis=-1) / total,
        "eu_spending_bn": genuine_bn / 100.0,
        "coverage_mean": add(cov, axis=-1) / cov.shape[-1],
        "progress_headline": progress.headline_progress(
            gdp, european & member, reported, demand[..., None]
        ),
    }
    counts = {  # the allies with armed forces (or the categories) over each threshold
        "n_allies_2pct": add((reported >= 1.995) & armed, axis=-1),
        "n_allies_3_5pct": add((reported >= 3.495) & armed, axis=-1),
        "n_allies_5pct": add((headline >= 4.995) & armed, axis=-1),
        "categories_taken_over": add(cov >= goal, axis=-1),
    }
    per_run_floats = np.array(list(floats.values())).transpose(1, 0, 2).tolist()
    per_run_counts = np.array(list(counts.values())).transpose(1, 0, 2).tolist()
    ally: dict[str, Any] = {}
    if allies:
        years = np.array([d["year"] for d in direct], dtype=np.int64)
        why = _stacked(recorders, first, 1).reshape(runs, len(WHY_TERMS), -1)

        def flat(x: np.ndarray) -> np.ndarray:  # run x (year, ally)
            return x.reshape(runs, -1)

        iso3 = np.broadcast_to(models[0].code_array, (years.shape[1], n)).ravel()  # np.tile's
        ally = {
            "year": np.repeat(years, n, axis=1),
            "member": flat(member),
            "gdp_bn": flat(gdp),
            "core_pct": flat(reported),
            "genuine_core_pct": flat(genuine),
            "reclassified_pct": flat(reported - genuine),
            "related_pct": flat(headline - reported),
            "headline_pct": flat(headline),
            "spending_bn": flat(gdp * genuine / 100.0),
            "capability": flat(st[:, _CAPABILITY]),
            "threat": flat(st[:, _THREAT]),
            "trust": flat(st[:, _TRUST]),
            "greyzone_attacks": flat(st[:, _ATTACKS].astype(np.int64)),
        }
    # each run's ally columns, in ALLY_COLUMNS order: rows of the batch's arrays (the budget
    # reasons last: the run's row of them, one array per term)
    per_run: Iterator[tuple[Any, ...]] = repeat((), runs)
    if allies:
        per_run = zip(
            *(repeat(iso3, runs) if c == "iso3" else ally[c] for c in _ALLY_HEAD), why, strict=True
        )
    out: list[tuple[dict[str, list[Any]], dict[str, np.ndarray]]] = []
    for k, (m, d, row) in enumerate(zip(models, direct, per_run, strict=True)):
        model: dict[str, Any] = dict.fromkeys(MODEL_COLUMNS)  # the order; each set below
        model.update(d)
        model.update(zip(floats, per_run_floats[k], strict=True))
        model.update(zip(counts, per_run_counts[k], strict=True))
        model["mean_trust"] = (st[k, _TRUST] @ m.mean_weights).tolist()
        model["mean_threat"] = (st[k, _THREAT] @ m.mean_weights).tolist()
        if not allies:
            out.append((model, {}))
            continue
        columns = dict(zip(_ALLY_HEAD, row[:-1], strict=True))
        columns.update(zip(WHY_BUDGET, row[-1], strict=True))
        out.append((model, columns))
    return out


# the ally table's columns before the budget reasons (which come last, in WHY_BUDGET order)
_ALLY_HEAD = tuple(c for c in ALLY_COLUMNS if c not in WHY_BUDGET)
assert (*_ALLY_HEAD, *WHY_BUDGET) == tuple(ALLY_COLUMNS)
_COVERAGE = slice(_DIRECT.index(f"coverage_{CATEGORIES[0]}"), _DIRECT.index("backlog_years"))


class Recorder:
    """Collects a model's yearly state and its event log, and makes the tables from them.

    Each year (:func:`record_years`, over the batch the run is stepped in) it keeps the model's
    own quantities as a row, and the batch's arrays of the allies' state, budget reasons and
    probe options with the place of its own rows in them: arrays made for that year's record
    and never written into after, so keeping them, not copies, is safe.
    :attr:`model_rows`, :meth:`ally_columns` and :attr:`options` stack the years and compute
    the tables' columns, vectorised over the years, when asked (and again after a new year).
    """

    def __init__(self, model: AllianceModel) -> None:
        self.model = model
        self.events: dict[str, list[Any]] = {"year": [], "kind": [], "event": [], "why": []}
        self.counts = {"threat": 0}
        self.years = 0
        # each year's allies' state (batch x len(_ALLY_STATE) x allies) and budget reasons
        # (batch x len(WHY_TERMS) x allies) of the batch it was recorded in, and its row there
        self._blocks: list[tuple[np.ndarray, np.ndarray, int]] = []
        # each year's probe options: the batch's numbers (_OPTION_NUMBERS x rows) and targets,
        # and the range of this run's rows
        self._option_blocks: list[tuple[np.ndarray, np.ndarray, int, int]] = []
        self._options: tuple[int, dict[str, Any]] | None = None  # (years joined, columns)
        self._direct: list[tuple[Any, ...]] = []
        self._columns: dict[str, list[Any]] | None = None
        self._ally_columns: dict[str, np.ndarray] | None = None
        # the recorders of the batch it was last in, weakly (a run kept after its batch does not
        # keep the batch's other runs alive)
        self._peers: list[weakref.ref[Recorder]] = [weakref.ref(self)]

    def due(self, kind: str) -> bool:
        """Whether a repeated event (the yearly threats) should be logged this time: the first
        time and every fifth repetition after, to keep the log readable."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind] % 5 == 1

    def event(self, kind: str, text: str, year: int | None = None, why: str = "") -> None:
        """Log an event in words; ``why`` gives a decision's deciding quantities in words (the
        events table's ``why`` column)."""
        y = self.model.year if year is None else year
        self.events["year"].append(y)
        self.events["kind"].append(kind)
        self.events["event"].append(f"{y}: {text[0].upper()}{text[1:]}")
        self.events["why"].append(why)

    def record_year(self) -> None:
        """Keep this year's state: the allies' and the model's (:func:`record_years` for this
        run alone)."""
        record_years(Batch.of(self.model))

    def _keep(
        self,
        row: tuple[Any, ...],
        state: np.ndarray,
        why: np.ndarray,
        i: int,
        peers: list[weakref.ref[Recorder]],
    ) -> None:
        """Keep this year's state, as :func:`record_years` gathered it for the batch: the model
        table's row of directly read values (``_DIRECT``) and the batch's arrays of the allies'
        state and budget reasons, of which this run's is row ``i`` (not copied: the years are
        stacked when the tables are made, with those of its ``peers``, the batch's recorders,
        held weakly: the tables of a run no longer alive are not made)."""
        self._direct.append(row)
        self._blocks.append((state, why, i))
        self._peers = peers
        self.years += 1
        self._columns = self._ally_columns = None

    @property
    def options(self) -> dict[str, Any]:
        """Russia's probe options as columns (``PROBE_OPTION_COLUMNS`` order; one array per
        column, the years joined, or empty lists if it weighed none), made when asked and kept
        until a new year's options come."""
        blocks = self._option_blocks
        if self._options is None or self._options[0] != len(blocks):
            columns: dict[str, Any] = {k: [] for k in PROBE_OPTION_COLUMNS}
            if blocks:
                numbers = np.concatenate([x[:, a:b] for x, _, a, b in blocks], axis=1)
                columns.update(zip(_OPTION_NUMBERS, numbers, strict=True))
                columns["year"] = numbers[0].astype(np.int64)
                columns["target"] = np.concatenate([t[a:b] for _, t, a, b in blocks])
                columns["chosen"] = columns["chosen"].astype(bool)
            self._options = (len(blocks), columns)
        return self._options[1]

    @property
    def model_rows(self) -> dict[str, list[Any]]:
        """The model table as columns (lists, one entry per year, in ``MODEL_COLUMNS`` order).

        European aggregates are GDP-weighted over the European allies with armed forces;
        allies' counts are over the allies with armed forces.
        """
        return self._tables()[0]

    def latest_row(self) -> dict[str, Any]:
        """The model table's row for the last year recorded (computed for that year only)."""
        columns = _tables([self], self.years - 1, allies=False)[0][0]
        return {k: v[0] for k, v in columns.items()}

    def ally_columns(self) -> dict[str, np.ndarray]:
        """The ally table as columns (one array per column, years stacked)."""
        return dict(self._tables()[1])

    def _tables(self) -> tuple[dict[str, list[Any]], dict[str, np.ndarray]]:
        """The model and ally tables' columns, made with those of the runs recorded with this
        one in its last batch that have as many years and none made yet (:func:`_tables`: the
        runs of a batch finish together and are each asked in turn), kept until a new year."""
        if self._columns is None or self._ally_columns is None:
            alive = [r for r in (ref() for ref in self._peers) if r is not None]
            group = [
                r
                for r in alive
                if r.years == self.years and (r._columns is None or r._ally_columns is None)
            ]
            if self not in group:
                group = [self]
            for r, (columns, allies) in zip(group, _tables(group, 0), strict=True):
                r._columns, r._ally_columns = columns, allies
        assert self._columns is not None
        assert self._ally_columns is not None
        return self._columns, self._ally_columns

    def summary(self) -> dict[str, Any]:
        """One row for the run: end values, crisis counts and the verdict."""
        m, rows = self.model, self.model_rows
        outcomes = [o for o in rows["probe_outcome"] if o]
        years = rows["year"]
        probe_years = [y for y, p in zip(years, rows["probe"], strict=True) if p]
        exits = [y for y, e in zip(years, rows["us_exited_mechanisms"], strict=True) if e]

        def at(col: str, year: int) -> float:
            return rows[col][years.index(year)] if year in years else float("nan")

        failed_with_us = sum(
            1
            for o, u in zip(rows["probe_outcome"], rows["us_responded"], strict=True)
            if o == "article5_failure" and u
        )
        deadline = _first_containing(m.recorder.events["event"], ": Deadline ")
        out = {
            "verdict": verdict(m, outcomes),
            "start_year": years[0],
            "end_year": years[-1],
            "eu_core_pct_start": rows["eu_core_pct"][0],
            "eu_core_pct_2027": at("eu_core_pct", 2027),
            "eu_core_pct_2030": at("eu_core_pct", 2030),
            "eu_core_pct_end": rows["eu_core_pct"][-1],
            "eu_genuine_core_pct_end": rows["eu_genuine_core_pct"][-1],
            "eu_headline_pct_end": rows["eu_headline_pct"][-1],
            "eu_capability_share_end": rows["eu_capability_share"][-1],
            "coverage_mean_start": rows["coverage_mean"][0],
            "coverage_mean_end": rows["coverage_mean"][-1],
            "coverage_gain": rows["coverage_mean"][-1] - rows["coverage_mean"][0],
            "mean_trust_end": rows["mean_trust"][-1],
            "us_posture_end": rows["us_posture"][-1],
            "us_capability_in_europe_end": rows["us_capability_in_europe"][-1],
            "us_influence_end": rows["us_influence"][-1],
            "nuclear_liability_end": rows["nuclear_liability"][-1],
            "russia_resolve_estimate_end": rows["russia_resolve_estimate"][-1],
            "europe_resolve_estimate_end": rows["europe_resolve_estimate"][-1],
            "probe_success_estimate_max": _assessed_max(rows["probe_success_estimate"]),
            "cohesion_end": rows["cohesion"][-1],
            "pledge_target_pct": m.pledge.target,
            "pledge_opt_outs": " ".join(m.pledge.opted_out),
            "deadline_met": (": Deadline met" in deadline) if deadline is not None else None,
            "progress_capability_end": rows["progress_capability"][-1],
            "n_probes": len(outcomes),
            "n_repelled": outcomes.count("repelled"),
            "n_frozen": outcomes.count("frozen"),
            "n_article5_failures": outcomes.count("article5_failure"),
            "n_failures_us_responded": failed_with_us,
            "n_nuclear_threats": int(sum(rows["nuclear_threat"])),
            "first_probe_year": probe_years[0] if probe_years else None,
            "us_exit_year": exits[0] if exits else None,
            "greyzone_attacks_total": int(sum(rows["greyzone_attacks"][1:])),
            "n_incursions": int(sum(rows["incursions"][1:])),
        }
        return out


VERDICT_TEXT: dict[str, str] = {
    "deterrence_failed": "an Article 5 response failed during the run (C9, C11)",
    "europe_carries_us_lost_control": "Europe carries its own defence (its capability covers "
    "most of its requirement), but the allies no longer follow the US: fewer than half of the "
    "US's channels of influence at the start remain (compliance, purchases, command, crises, "
    "bases; C6, C7)",
    "headline_met_capability_hollow": "headline spending reached the target while Europe's "
    "coverage of its requirement did not grow enough (C16, C19)",
    "europe_carries_alliance_intact": "Europe carries its own defence (its capability covers "
    "most of its requirement) and trust in the US held (C4)",
    "burden_shifted_alliance_intact": "Europe covers more of its defence requirement, though "
    "not most of it, and trust in the US held (C4)",
    "burden_shifted_trust_broken": "Europe covers more of its defence requirement, but trust in "
    "the US broke (C9)",
    "burden_not_shifted": "Europe's coverage of its requirement did not grow enough, and "
    "nothing else failed",
}


def _first_containing(texts: list[str], part: str) -> str | None:
    """The first of ``texts`` that contains ``part`` (which holds no NUL), or None: one search
    of the texts joined with NULs (a match cannot span a separator); the text found is the
    one after as many separators as precede the match, when the texts hold no NUL (else one
    by one)."""
    joined = "\0".join(texts)
    at = joined.find(part)
    if at < 0:
        return None
    if joined.count("\0") == len(texts) - 1:  # the separators only
        return texts[joined.count("\0", 0, at)]
    return next(t for t in texts if part in t)


def _assessed_max(values: list[float]) -> float:
    """The largest of the years Russia assessed (NaN, not assessed, in a cooldown year), NaN
    if it assessed none."""
    assessed = [v for v in values if not math.isnan(v)]
    return max(assessed) if assessed else float("nan")


def verdict(model: AllianceModel, outcomes: list[str]) -> str:
    """The run's verdict on sustainability, from the ``[verdict]`` thresholds on absolute
    scales, first match wins (:data:`VERDICT_TEXT` says each in words). Coverage is Europe's
    mean capability coverage (its capability over the requirement, which US withdrawal does not
    move); the burden **shifted** when coverage rose by at least ``shift_coverage_gain``, and
    Europe **carries** its own defence when, besides, it ended at or above ``carry_coverage``
    (seed 002: Europe to "take over most of NATO's conventional defense capabilities"):

    1. ``deterrence_failed``: an Article 5 response failed during the run (C9, C11);
    2. ``europe_carries_us_lost_control``: Europe carries and US influence, read from what the
       allies do (:mod:`sim.mechanisms.influence`), ended below
       :data:`~sim.mechanisms.influence.LOST_CONTROL_BELOW` (C6, C7);
    3. ``headline_met_capability_hollow``: GDP-weighted European headline spending ended at or
       above ``headline_met_pct`` but the burden did not shift (C16, C19);
    4. ``europe_carries_alliance_intact``: Europe carries and mean trust ended at or above
       ``trust_floor`` (C4: coercion achieved what Washington asked);
    5. ``burden_shifted_alliance_intact``: the burden shifted without Europe carrying, trust at
       or above the floor (C4: coercion moved Europe, not yet far enough);
    6. ``burden_shifted_trust_broken``: the burden shifted (Europe carrying or not), trust below
       the floor (C9);
    7. ``burden_not_shifted``: otherwise.
    """
    v = model.p_verdict
    rows = model.recorder.model_rows
    if "article5_failure" in outcomes:
        return "deterrence_failed"
    end = rows["coverage_mean"][-1]
    shifted, carries = shifted_and_carries(end - rows["coverage_mean"][0], end, v)
    if carries and rows["us_influence"][-1] < LOST_CONTROL_BELOW:
        return "europe_carries_us_lost_control"
    if not shifted and rows["eu_headline_pct"][-1] >= v["headline_met_pct"]:
        return "headline_met_capability_hollow"
    if shifted and not rows["mean_trust"][-1] >= v["trust_floor"]:  # NaN trust: not intact
        return "burden_shifted_trust_broken"
    if carries:
        return "europe_carries_alliance_intact"
    if shifted:
        return "burden_shifted_alliance_intact"
    return "burden_not_shifted"
