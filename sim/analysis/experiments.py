"""The claims C1-C19 as experiments: each states what the model says, measures the effect with
its mechanism on, and can be run again with the mechanism knocked out (``[mechanisms]``).

An experiment compares two arms (scenario variants run with the same seeds, so replication r of
both shares its random draws) by a statistic per run, or reads one arm's statistic alone, or
samples crises; the claim holds when the 95% interval of the effect lies beyond its threshold in
the stated direction. Knocking out the mechanism switches it off in both arms; a claim whose
effect survives its knock-out is a tautology, which the suite catches
(``tests/claims/test_claims.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ..mechanisms import crisis as crisis_game
from ..model.alliance import AllianceModel
from ..runs.runner import Results, run_replications
from ..scenario import Scenario, load_scenario
from ..scenario.paths import resolve_scenario_path
from ..scenario.schema import Event
from .claims import sentence

REPS, SEED = 30, 2025

Stat = Callable[[Results], np.ndarray]


@dataclass(frozen=True)
class Arm:
    """A scenario variant: a shipped scenario, parameter changes, a ceasefire year, constant
    series, events added or removed by kind."""

    scenario: str
    params: tuple[tuple[str, Any], ...] = ()
    ceasefire: int | None = None
    series: tuple[tuple[str, float], ...] = ()
    add_events: tuple[Event, ...] = ()
    drop_kinds: tuple[str, ...] = ()

    def build(self, extra: Mapping[str, Any] | None = None) -> Scenario:
        sc = load_scenario(resolve_scenario_path(self.scenario))
        values = {**dict(self.params), **(extra or {})}
        if values:
            sc = sc.with_params(values)
        series = dict(sc.series)
        if self.ceasefire is not None:
            series["ukraine_war"] = ((sc.get("run.start_year"), 1.0), (self.ceasefire, 0.0))
        for name, value in self.series:
            series[name] = ((sc.get("run.start_year"), value),)
        events = tuple(e for e in sc.events if e.kind not in self.drop_kinds) + self.add_events
        return replace(sc, series=series, events=events)


@dataclass(frozen=True)
class ClaimExperiment:
    """One claim as an experiment.

    Attributes:
        claim: C1-C19.
        says: What the model says about it, in a sentence.
        knockout: The switches that carry the mechanism (switched off in every arm).
        a: The arm the effect is measured in.
        b: The arm compared with (None: ``a``'s statistic alone).
        stat: The statistic per run.
        direction: +1 if the claim says the effect is above ``threshold``, -1 if below
            ``-threshold``.
        threshold: How far beyond zero the interval must lie.
        custom: Instead of arms, a function of the extra parameters returning per-case values
            of the effect (e.g. sampled crises), with its own interval.
        reps: Replications per arm.
    """

    claim: str
    says: str
    knockout: tuple[str, ...]
    a: Arm | None = None
    b: Arm | None = None
    stat: Stat | None = None
    direction: int = 1
    threshold: float = 0.0
    custom: Callable[[Mapping[str, Any]], tuple[float, float, float, int]] | None = None
    reps: int = REPS
    unit: str = ""


@dataclass(frozen=True)
class ClaimResult:
    """The effect of one experiment, with or without its mechanism."""

    claim: str
    knocked_out: bool
    effect: float
    low: float
    high: float
    n: int
    holds: bool
    text: str = field(repr=False)


@lru_cache(maxsize=256)
def _runs(arm: Arm, extra: tuple[tuple[str, Any], ...], reps: int, seed: int) -> Results:
    res = run_replications(arm.build(dict(extra)), reps, seed)
    if res.failures:
        raise RuntimeError(res.failures[0].error)
    return res


def _interval(x: np.ndarray) -> tuple[float, float, float]:
    m = float(np.mean(x))
    half = 1.96 * float(np.std(x, ddof=1)) / math.sqrt(len(x)) if len(x) > 1 else 0.0
    return m, m - half, m + half


def run_claim(exp: ClaimExperiment, knocked_out: bool = False, seed: int = SEED) -> ClaimResult:
    """Run ``exp`` with its mechanism on, or knocked out in every arm."""
    extra = tuple((f"mechanisms.{s}", False) for s in exp.knockout) if knocked_out else ()
    if exp.custom is not None:
        m, lo, hi, n = exp.custom(dict(extra))
    else:
        if exp.a is None or exp.stat is None:
            raise ValueError(f"{exp.claim}: an experiment needs arms and a statistic, or custom")
        xa = exp.stat(_runs(exp.a, extra, exp.reps, seed))
        x = xa - exp.stat(_runs(exp.b, extra, exp.reps, seed)) if exp.b is not None else xa
        m, lo, hi = _interval(x)
        n = len(x)
    holds = lo > exp.threshold if exp.direction > 0 else hi < -exp.threshold
    state = f"with {', '.join(exp.knockout)} off" if knocked_out else "mechanism on"
    verdict = "holds" if holds else "does not hold"
    text = (
        f"{sentence(exp.claim)}\n  model: {exp.says}\n  {state}: effect {m:+.4f}{exp.unit} "
        f"(95% CI {lo:+.4f} to {hi:+.4f}, n = {n}); needs "
        f"{'>' if exp.direction > 0 else '<'} {exp.direction * exp.threshold:+g}: {verdict}"
    )
    return ClaimResult(exp.claim, knocked_out, m, lo, hi, n, holds, text)


# -- statistics per run ------------------------------------------------------------------------
def summary(col: str) -> Stat:
    return lambda r: r.summary.sort_values("run")[col].to_numpy(dtype=float)


def at(col: str, year: int) -> Stat:
    def f(r: Results) -> np.ndarray:
        m = r.model[r.model["year"] == year].sort_values("run")
        return m[col].to_numpy(dtype=float)

    return f


def mean_over(col: str, first: int, last: int) -> Stat:
    def f(r: Results) -> np.ndarray:
        m = r.model[r.model["year"].between(first, last)]
        return m.groupby("run")[col].mean().sort_index().to_numpy(dtype=float)

    return f


def allies_mean(col: str, year: int, codes: tuple[str, ...]) -> Stat:
    def f(r: Results) -> np.ndarray:
        a = r.allies[(r.allies["year"] == year) & r.allies["iso3"].isin(codes)]
        return a.groupby("run")[col].mean().sort_index().to_numpy(dtype=float)

    return f


def gap(col_a: str, col_b: str, year: int) -> Stat:
    return lambda r: at(col_a, year)(r) - at(col_b, year)(r)


def opted_out(code: str) -> Stat:
    return lambda r: np.array(
        [code in s.split() for s in r.summary.sort_values("run")["pledge_opt_outs"]], dtype=float
    )


def us_backdown_chance(r: Results) -> np.ndarray:
    """The chance that the US backs down under nuclear threats at the end of the run (the
    crisis rule at the end state's liability)."""
    c = r.scenario.params["crisis"]
    liability = summary("nuclear_liability_end")(r)
    z = c["us_backdown_base"] + c["us_backdown_liability"] * liability
    return 1.0 / (1.0 + np.exp(-z))


# -- crisis samples (C11) ----------------------------------------------------------------------
def hesitation_gap(extra: Mapping[str, Any]) -> tuple[float, float, float, int]:
    """C11 from sampled crises: in the ``baltic_probe`` world of 2030 (ceasefire in 2026), 50
    crises at each Baltic state in each of 10 replications; among the crises in which European
    allies answered, the Article 5 failure rate when the US hesitates minus when it answers, with
    a normal 95% interval for the difference of two proportions. Crises nobody answered are left
    out: they fail by the outcome's definition whatever Europe does, and would make the effect
    restate it."""
    sc = Arm("baltic_probe", drop_kinds=("russia_probe",)).build(dict(extra))
    failed: dict[bool, list[bool]] = {True: [], False: []}
    for rep in range(10):
        model = AllianceModel(sc, rng=SEED + rep)
        while model.year < 2030:
            model.step()
        for code in ("EST", "LVA", "LTU"):
            for _ in range(50):
                c = crisis_game.resolve_probe(model, model.codes.index(code))
                if c.aiders:
                    failed[c.us_responds].append(c.outcome == "article5_failure")
    p_h = float(np.mean(failed[False])) if failed[False] else 0.0
    p_a = float(np.mean(failed[True])) if failed[True] else 0.0
    n_h, n_a = max(len(failed[False]), 1), max(len(failed[True]), 1)
    d = float(p_h - p_a)
    half = 1.96 * math.sqrt(p_h * (1 - p_h) / n_h + p_a * (1 - p_a) / n_a)
    return d, d - half, d + half, n_h + n_a


_BALTIC = ("EST", "LVA", "LTU")
_MONEY = (
    ("allies.max_rise_pp", 3.0),
    ("allies.equipment_share", 0.7),
    ("allies.adjustment_rate", 1.0),
    ("allies.pledge_weight", 0.7),
    ("mechanisms.lead_times", False),
    ("mechanisms.industrial_capacity", False),
)
_CRASH = (Event(year=2025, kind="pledge", magnitude=9.0, deadline=2027, note="all for 2027"),)


def _money(*more: tuple[str, Any]) -> Arm:
    """The 2027 deadline world with what it would take: 9% of GDP pledged for 2027, budgets free
    to rise 3 points a year, 70% of spending on equipment, no lead times, unlimited capacity."""
    return Arm("deadline_2027_capability", _MONEY + more, add_events=_CRASH, drop_kinds=("summit",))


# An American stays in NATO's command (C2's rule held off), so that a claim about another channel
# of influence does not measure the handover too.
_AMERICAN = (("united_states.accepts_european_command", False),)

CLAIM_EXPERIMENTS: tuple[ClaimExperiment, ...] = (
    ClaimExperiment(
        "C1",
        "the pull of Asia draws US posture out of Europe by 2040, within the Congress floor",
        ("asia_pull",),
        Arm("baseline"),
        Arm("baseline", series=(("china_pull", 0.0),)),
        summary("us_posture_end"),
        -1,
        unit=" of 2025 posture",
    ),
    ClaimExperiment(
        "C2",
        "Washington hands NATO's command to a European once Europe covers enough of its "
        "requirement (the surge, without its scripted SACEUR), and US influence falls",
        ("command_handover",),
        Arm("european_surge", drop_kinds=("european_command",)),
        Arm("european_surge", _AMERICAN, drop_kinds=("european_command",)),
        summary("us_influence_end"),
        -1,
    ),
    ClaimExperiment(
        "C3",
        "consequences make threats credible: with executed drawdowns, allies believe the "
        "threats in 2030 more than when they are never carried out",
        ("coercion_credibility",),
        Arm("baseline"),
        Arm("baseline", (("united_states.execute_threats", False),)),
        at("coercion_credibility", 2030),
        +1,
    ),
    ClaimExperiment(
        "C4",
        "under coercion the allies pledge more at The Hague than under cajoling (the pledge "
        "is the summit's outcome)",
        ("pledge_bargain",),
        Arm("baseline"),
        Arm("cajole"),
        summary("pledge_target_pct"),
        +1,
        unit=" pp of GDP",
    ),
    ClaimExperiment(
        "C5",
        "Spain, whose stated resistance is an input, opts out of the Hague pledge",
        ("pledge_bargain",),
        Arm("baseline"),
        None,
        opted_out("ESP"),
        +1,
        unit=" share of runs",
    ),
    ClaimExperiment(
        "C6",
        "the more Europe stands up (the surge, an American in command in both), the lower US "
        "influence over 2026-2040, so the less its threats weigh",
        ("agency",),
        Arm("european_surge", _AMERICAN, drop_kinds=("european_command",)),
        Arm("baseline", _AMERICAN),
        mean_over("us_influence", 2026, 2040),
        -1,
    ),
    ClaimExperiment(
        "C7",
        "as Europe gains sway (the surge) the US carries a nuclear guarantee over conduct it "
        "controls less, and would back down under nuclear threats more often",
        ("nuclear_liability",),
        Arm("european_surge"),
        Arm("baseline"),
        us_backdown_chance,
        +1,
        unit=" chance",
    ),
    ClaimExperiment(
        "C8",
        "a crisis pulls the US back to Europe: after the 2030 probe of Lithuania US posture "
        "in 2035 is higher than without it",
        ("refocus",),
        Arm("baltic_probe"),
        Arm("baltic_probe", (("mechanisms.probing", False),), drop_kinds=("russia_probe",)),
        at("us_posture", 2035),
        +1,
        unit=" of 2025 posture",
    ),
    ClaimExperiment(
        "C9",
        "after a ceasefire, abandonment threats lower Russia's reading of US resolve and "
        "raise its chance of probing (2027-2035) against a US that cajoles (threats alone: "
        "neither arm executes them, so no drawdown carries the effect)",
        ("threat_reading",),
        Arm("baseline", (("united_states.execute_threats", False),), ceasefire=2026),
        Arm(
            "baseline",
            (("united_states.execute_threats", False), ("mechanisms.us_threats", False)),
            ceasefire=2026,
        ),
        mean_over("probe_probability", 2027, 2035),
        +1,
        unit=" a year",
    ),
    ClaimExperiment(
        "C10",
        "a war economy on a small GDP: Russia's military spending stays more than 3 points "
        "of GDP above Europe's in 2030",
        ("war_economy",),
        Arm("baseline"),
        None,
        gap("russia_milex_pct_gdp", "eu_core_pct", 2030),
        +1,
        threshold=3.0,
        unit=" pp of GDP",
    ),
    ClaimExperiment(
        "C11",
        "if the US hesitates, Article 5 collapses: where European allies answer a probe of a "
        "Baltic state, it ends in Article 5 failure far more often when the US hesitates (Europe "
        "backs down under nuclear threats without it)",
        ("nuclear_coercion",),
        custom=hesitation_gap,
        unit=" failure rate",
    ),
    ClaimExperiment(
        "C12",
        "grey-zone escalation raises the Baltic states' threat perception by 2035",
        ("greyzone",),
        Arm("grey_zone"),
        Arm("baseline"),
        allies_mean("threat", 2035, _BALTIC),
        +1,
    ),
    ClaimExperiment(
        "C13",
        "the reassurance package raises Russia's estimate of US resolve over the decade after it "
        "(2026-2035), against the same softer policy without it (the scenario's lower threats "
        "are in both arms)",
        ("reassurance_reading",),
        Arm("reassurance"),
        Arm("reassurance", series=(("us_reassurance", 0.2),), drop_kinds=("us_reassurance",)),
        mean_over("russia_resolve_estimate", 2026, 2035),
        +1,
    ),
    ClaimExperiment(
        "C14",
        "ambiguity about US posture costs trust over 2026-2040 (by the end the US's own "
        "reassurance, answering frayed trust, makes up much of it)",
        ("trust",),
        Arm("baseline"),
        Arm("baseline", series=(("us_ambiguity", 0.0),)),
        mean_over("mean_trust", 2026, 2040),
        -1,
    ),
    ClaimExperiment(
        "C15",
        "the 2027 deadline is missed, the US leaves the coordination mechanisms, and trust "
        "in 2028 is lower than without a deadline",
        ("deadline_exit",),
        Arm("deadline_2027"),
        Arm("baseline"),
        at("mean_trust", 2028),
        -1,
    ),
    ClaimExperiment(
        "C16",
        "capabilities take time: with the same money, zero lead times would have replaced "
        "more of the US contribution by the end of 2027",
        ("lead_times",),
        Arm("deadline_2027_capability", (("mechanisms.lead_times", False),)),
        Arm("deadline_2027_capability"),
        at("progress_capability", 2027),
        +1,
    ),
    ClaimExperiment(
        "C17",
        "some ISR cannot be bought: where money and time are no object, ISR coverage in 2028 "
        "would be higher without the irreplaceable part",
        ("irreplaceable_isr",),
        _money(("mechanisms.irreplaceable_isr", False)),
        _money(),
        at("coverage_isr", 2028),
        +1,
    ),
    ClaimExperiment(
        "C18",
        "the EU's 2030 goal meets lead times: in the surge, air and missile defence coverage "
        "in 2030 would be higher without them",
        ("lead_times",),
        Arm("european_surge", (("mechanisms.lead_times", False),)),
        Arm("european_surge"),
        at("coverage_air_missile_defence", 2030),
        +1,
    ),
    ClaimExperiment(
        "C19",
        "what counts as progress decides whether reclassifying pays: measured by headline "
        "spending, holdouts report more than they spend by 2035; measured by capability, not",
        ("reclassification",),
        Arm("holdouts"),
        Arm("holdouts", (("united_states.measurement", "capability"),)),
        gap("eu_core_pct", "eu_genuine_core_pct", 2035),
        +1,
        unit=" pp of GDP",
    ),
)

BY_CLAIM = {e.claim: e for e in CLAIM_EXPERIMENTS}

# Where a claim's effect restates an input or a formula rather than emerging from what the agents
# do, said in the claims table (``natosim debate --claims``): a claim that passes both ways can
# still be one the model was told. Empty where the effect is the agents' behaviour.
RESTATES: dict[str, str] = {
    "C1": "formula on an input: posture drifts with the china_pull series at refocus_drift a "
    "year (slowed by Congress, sped by progress)",
    "C2": "partly formula: when to hand over is the US's rule (Europe's coverage at a change "
    "of command); what it costs is the command channel's weight, a fifth of the index",
    "C3": "partly formula: each execution adds credibility_execution_gain; how many executions "
    "happen is the agents'",
    "C5": "input: Spain's domestic resistance; the opt-out is the bargain's result",
    "C6": "largely input: the surge's buy-European share (capability.us_buy_share) sets the "
    "procurement channel; less compliance adds a little",
    "C7": "formula: liability = nuclear_commitment x (1 - influence) x threat, read by the "
    "back-down logistic",
    "C8": "formula: a crisis adds refocus_boost to the posture target",
    "C10": "data and rule: SIPRI's start values and the war-economy spending rule",
    "C12": "formula on an input: the greyzone_escalation series raises attacks, which the "
    "perception rule turns into threat",
    "C14": "formula on an input: the us_ambiguity series costs trust_ambiguity_cost a year",
    "C16": "formula: the pipeline's lead times delay deliveries by construction",
    "C17": "input: isr_irreplaceable_share caps ISR coverage",
    "C18": "formula: the pipeline's lead times delay deliveries by construction",
}


def claims_table(seed: int = SEED) -> pd.DataFrame:
    """Every claim experiment with its mechanism on and knocked out: one row per claim with both
    effects, their 95% intervals and whether the claim holds (the debate report's table)."""
    rows = []
    for exp in CLAIM_EXPERIMENTS:
        on, off = run_claim(exp, False, seed), run_claim(exp, True, seed)
        rows.append(
            {
                "claim": exp.claim,
                "mechanism": ", ".join(exp.knockout),
                "model says": exp.says,
                "unit": exp.unit.strip(),
                "effect on": on.effect,
                "on low": on.low,
                "on high": on.high,
                "holds on": on.holds,
                "effect off": off.effect,
                "off low": off.low,
                "off high": off.high,
                "holds off": off.holds,
                "runs": on.n,
                "restates": RESTATES.get(exp.claim, ""),
            }
        )
    return pd.DataFrame(rows)
