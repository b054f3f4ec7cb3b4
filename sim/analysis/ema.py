"""natosim as an EMA Workbench model: uncertainties, levers and outcomes from the schema.

The EMA Workbench (Kwakkel 2017) is what exploratory modellers use to sample uncertainties and
levers, run experiments, find the scenarios where a policy fails (PRIM, CART) and search for
robust policies. :func:`ema_model` wraps a natosim scenario as an ``ema_workbench.Model``:

* **levers**: the parameters the schema tags as US policy choices (``Param.lever``: threat
  intensity, whether threats are executed, the measurement, leaving the coordination mechanisms,
  the drawdown step, the deadline goal, a European SACEUR from the start, whether it would hand
  the command over), over their schema bounds;
* **uncertainties**: the assumptions a world of the base scenario samples
  (:func:`sim.runs.worlds.scenario_ranges`: the schema's ``assumption`` parameters with a plausible
  range, less those the scenario itself sets), each with its plausible distribution (triangular,
  uniform or log-uniform, :mod:`sim.scenario.uncertainty`; integers uniform over their range);
  or the keys you name, over their plausible range if they have one, else +-``scale`` of their
  value in the base scenario (as ``natosim sweep --all-factors``);
* **outcomes**: means over replications of the summary columns (European core spending, capability
  share, trust, Russia's estimate of US resolve, US influence, Article 5 failures) and the share of
  replications with an Article 5 failure and with each verdict.

Each experiment runs ``reps`` replications with common random numbers (replication r uses the
r-th seed spawned from ``seed``, whatever the parameters), so differences between experiments
are not noise from different seeds. The callable is a module-level class, so EMA's
``MultiprocessingEvaluator`` can send it to worker processes.

An optional extra: ``pip install natosim[ema]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..extras import require
from ..model.outputs import VERDICTS
from ..runs.runner import replication_seeds, run_one
from ..runs.worlds import scenario_ranges
from ..scenario import CATALOGUE, Scenario, load_scenario
from ..scenario.uncertainty import Dist
from ..sweeps.spec import DEFAULT_OUTPUTS, all_factors

MEAN_OUTCOMES = DEFAULT_OUTPUTS  # the summary columns a sensitivity analysis reads too
SHARE_OUTCOMES = ("p_article5_failure", *(f"p_{v}" for v in VERDICTS))


def _ema_name(key: str) -> str:
    """EMA passes parameters to the model as keyword arguments: dots become double underscores."""
    return key.replace(".", "__")


def _key(name: str) -> str:
    return name.replace("__", ".")


class NatosimRunner:
    """The model function EMA calls: ``reps`` replications of ``base`` with the given values."""

    def __init__(self, base: Scenario, reps: int, seed: int) -> None:
        self.base, self.reps, self.seed = base, reps, seed
        self.seeds = replication_seeds(seed, reps)

    def __call__(self, **values: Any) -> dict[str, float]:
        settings: dict[str, Any] = {}
        for name, raw in values.items():
            p = CATALOGUE.by_key[_key(name)]
            if p.kind == "int":
                settings[p.key] = round(float(raw))
            elif p.kind == "bool":
                settings[p.key] = bool(raw)
            elif p.kind == "float":
                settings[p.key] = float(raw)
            else:
                settings[p.key] = raw
        scenario = self.base.with_params(settings, source="ema_workbench")
        summaries = []
        for run, seed in enumerate(self.seeds):
            result = run_one(scenario, seed, run)
            if not result.error:
                summaries.append(result.summary)
        out: dict[str, float] = {}
        n = len(summaries)
        for col in MEAN_OUTCOMES:
            out[col] = float(np.mean([s[col] for s in summaries])) if n else float("nan")
        out["p_article5_failure"] = (
            sum(s["n_article5_failures"] > 0 for s in summaries) / n if n else float("nan")
        )
        for v in VERDICTS:
            out[f"p_{v}"] = sum(s["verdict"] == v for s in summaries) / n if n else float("nan")
        return out


def _parameter(key: str, low: float | None = None, high: float | None = None):
    ema = require("ema", "ema_workbench", "sim.analysis.ema")
    BooleanParameter, CategoricalParameter = ema.BooleanParameter, ema.CategoricalParameter
    IntegerParameter, RealParameter = ema.IntegerParameter, ema.RealParameter

    p = CATALOGUE.by_key[key]
    name = _ema_name(key)
    if p.kind == "bool":
        return BooleanParameter(name)
    if p.kind == "choice":
        return CategoricalParameter(name, list(p.choices))
    lo = float(p.low or 0.0) if low is None else low
    hi = float(p.high or 0.0) if high is None else high
    if p.kind == "int":
        return IntegerParameter(name, int(lo), int(hi))
    return RealParameter(name, lo, hi)


def _plausible(key: str, dist: Dist):
    """An EMA parameter drawn from ``dist`` (a scipy distribution EMA samples through its
    quantiles); an integer, or an EMA without ``from_dist``, over the range uniformly."""
    ema = require("ema", "ema_workbench", "sim.analysis.ema")
    IntegerParameter, RealParameter = ema.IntegerParameter, ema.RealParameter
    from scipy import stats  # noqa: PLC0415

    name = _ema_name(key)
    if CATALOGUE.by_key[key].kind == "int":
        return IntegerParameter(name, math.ceil(dist.low), math.floor(dist.high))
    width = dist.high - dist.low
    if dist.shape == "triangular":
        mode = dist.low if dist.mode is None else float(dist.mode)
        frozen = stats.triang((mode - dist.low) / width, loc=dist.low, scale=width)
    elif dist.shape == "loguniform":
        frozen = stats.loguniform(dist.low, dist.high)
    else:
        frozen = stats.uniform(loc=dist.low, scale=width)
    try:
        return RealParameter.from_dist(name, frozen)
    except (AttributeError, TypeError, ValueError):
        return RealParameter(name, dist.low, dist.high)


def ema_model(
    base: str | Scenario = "baseline",
    uncertainties: Sequence[str] | None = None,
    levers: Sequence[str] | None = None,
    scale: float = 0.5,
    reps: int = 10,
    seed: int = 0,
    name: str = "natosim",
):
    """An ``ema_workbench.Model`` of ``base`` (a scenario, its file or a shipped name).

    Args:
        uncertainties: parameter keys to treat as uncertain (default: the assumptions a world
            of ``base`` samples, :func:`sim.runs.worlds.scenario_ranges`, each with its plausible
            distribution); a named key without a plausible range is taken over +-``scale`` of
            its value in ``base``, within its bounds.
        levers: parameter keys to treat as decisions (default: those the schema tags as levers),
            over their schema bounds.
        reps: replications per experiment (common random numbers from ``seed``).
    """
    ema = require("ema", "ema_workbench", "sim.analysis.ema")
    Model, ScalarOutcome = ema.Model, ema.ScalarOutcome

    scenario = base if isinstance(base, Scenario) else load_scenario(base)
    lever_keys = (
        list(levers) if levers is not None else [p.key for p in CATALOGUE.params if p.lever]
    )
    ranges = {
        f.key: f
        for f in all_factors(scale, ("mechanisms.",), scenario)
        if f.key not in lever_keys and CATALOGUE.by_key[f.key].kind != "bool"
    }
    plausible = {k: d for k, d in scenario_ranges(scenario).items() if d.high > d.low}
    if uncertainties is None:
        chosen = [k for k in plausible if k not in lever_keys]
    else:
        chosen = list(uncertainties)
        unknown = [k for k in chosen + lever_keys if k not in CATALOGUE.by_key]
        if unknown:
            raise KeyError(f"not parameters of the schema: {unknown}")
    model = Model(name, function=NatosimRunner(scenario, reps, seed))
    model.uncertainties = [
        _plausible(k, plausible[k])
        if k in plausible
        else _parameter(k, ranges[k].low, ranges[k].high)
        if k in ranges
        else _parameter(k)
        for k in chosen
    ]
    model.levers = [_parameter(k) for k in lever_keys]
    model.outcomes = [ScalarOutcome(o) for o in (*MEAN_OUTCOMES, *SHARE_OUTCOMES)]
    return model


def screen(experiments, y, top: int = 5, seed: int = 0) -> list[str]:
    """The ``top`` experiment columns (EMA names) on which the 0/1 or numeric outcome ``y``
    turns most, by the PAWN index over the experiments already run (:mod:`sim.analysis.cruxes`; only
    those above the noise floor of dummy columns). PRIM over a couple of hundred uncertainties
    peels noise (a box in dozens of dimensions around a few cases); screened first, it finds a
    box in a few."""
    import pandas as pd  # noqa: PLC0415

    from .cruxes import cruxes  # noqa: PLC0415

    cols = [c for c in experiments.columns if "__" in c and experiments[c].nunique() > 1]
    worlds = experiments[cols].astype(float).reset_index(drop=True)
    worlds.insert(0, "seed", 0)
    worlds.insert(0, "run", range(len(worlds)))
    outcome = pd.DataFrame({"y": np.asarray(y, dtype=float)}, index=worlds["run"])
    table = cruxes(worlds, outcome, seed=seed, top=top)
    strong = table[(table["parameter"] != "") & (table["above_noise"] == True)]  # noqa: E712
    return list(strong["parameter"])


def column(name: str) -> str:
    """The natosim key of an EMA experiment column (``united_states__threat_intensity``)."""
    return _key(name)
