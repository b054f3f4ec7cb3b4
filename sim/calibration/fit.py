"""Calibration: fit the behavioural parameters the data can inform, with their uncertainty.

Method (simulated least squares, a simple form of the simulated method of moments):

* **Ally budget rule and threat** (:data:`FITTED`: the budget rule's reactions, the pledge's
  pull and its deadline, the speed of budgets, reclassification under pressure, how long
  Russian aggression is remembered; each ally's base level is anchored to its start-year
  spending, ``allies.anchor_to_start``, so per-ally effects come from the start year's data
  only). The hindcast scenario runs from the start year to the end of the training window
  (2014-2021 by default) over a few replications with fixed seeds (common random numbers, so the
  objective is deterministic); the loss is the root mean square error between the mean simulated
  and the observed core spending (% of GDP) over every ally-year with data in the window after
  the start. Minimised globally with SciPy's differential evolution within the search bounds
  (seeded, so a rerun gives the same fit), then polished by Nelder-Mead from its best point.
  Every estimate is written and used; one on its search bound is flagged as such (the data
  push past the bound, or do not inform it), never replaced.
* **Uncertainty**: a bootstrap over allies. The allies are resampled with replacement ``B``
  times and the fit repeated (a local refit from the estimate); the standard deviation and the
  5th-95th percentiles of the refits are reported, and every refit is written whole
  (``bootstrap_draws`` in the JSON record: the joint uncertainty, for drawing worlds).
* **Each ally's own record** (second stage, :func:`own_record`): with the rule held, each
  ally's persistent distance from it (``allies.record_level_pp``, ``record_target_pp``) is
  estimated from that ally's own record in the window alone and shrunk toward the rule by
  empirical Bayes; an ally without a record in the window (the six gap allies) follows the rule
  alone. The terms apply to a run from the window's start (``allies.record_start_year``).
* **Russia's reaction** (``russia.reaction_coefficient``, ``russia.fatigue``): ordinary least
  squares of the Richardson equation ``dX = k Y - a X + g`` on SIPRI's Russian spending (X) and
  NATO-Europe's spending from the NATO tables (Y), over the training window, with standard errors.

No spending figure after the training window enters the fit; the six gap allies enter only
through their 2014 value (their start).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import differential_evolution, minimize

from .. import __version__, data
from ..model import initial
from ..runs.pool import process_executor
from ..runs.runner import replication_seeds, run_one
from ..scenario import Scenario
from .targets import observed

FITTED = {
    "allies.threat_gain": (0.0, 8.0),
    "allies.self_help_gain": (0.0, 6.0),
    "allies.pledge_weight": (0.0, 0.7),
    "allies.pledge_deadline_gain": (0.0, 5.0),
    "allies.pledge_threat_gain": (0.0, 10.0),
    "allies.free_ride_gain": (0.0, 3.0),
    "allies.adjustment_rate": (0.05, 1.0),
    "allies.urgency_gain": (0.0, 10.0),
    "allies.reclassify_pressure": (0.0, 10.0),
    "perception.aggression_memory": (0.3, 1.0),
}
# Fitted only on a window that holds the escalation of 2022 (the war's intensity is the start's
# through 2021, so a window ending earlier says nothing of it: the default, 0, stays).
WAR_FITTED = {"allies.war_urgency_gain": (0.0, 5.0)}
WAR_YEAR = 2022


def fitted_for(end: int) -> dict[str, tuple[float, float]]:
    """The parameters a window ending in ``end`` can inform, with their search bounds:
    :data:`FITTED`, and the war's urgency when the window holds 2022 (:data:`WAR_FITTED`).
    The deadline's strength (``allies.deadline_compliance_*``, ``deadline_oneoff_max_pct``) is
    never fitted: it is set from other deadline-bound targets (``deadline_references.csv``)."""
    return {**FITTED, **(WAR_FITTED if end >= WAR_YEAR else {})}


@dataclass
class Fit:
    """A calibration: point estimates, bootstrap uncertainty, loss and provenance."""

    values: dict[str, float]
    std: dict[str, float] = field(default_factory=dict)
    low: dict[str, float] = field(default_factory=dict)
    high: dict[str, float] = field(default_factory=dict)
    loss: float = float("nan")
    loss_default: float = float("nan")
    richardson: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    draws: list[dict[str, float]] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)


def simulate_core(
    scenario: Scenario, values: dict[str, float], seeds: Sequence[int], end: int
) -> pd.DataFrame:
    """Mean simulated reported core spending per ally and year for parameter ``values``."""
    sc = scenario.with_params({**values, "run.end_year": end})
    frames = []
    for i, seed in enumerate(seeds):
        r = run_one(sc, seed, i)
        if r.error:
            raise RuntimeError(r.error)
        frames.append(
            pd.DataFrame(
                {"iso3": r.allies["iso3"], "year": r.allies["year"], "sim": r.allies["core_pct"]}
            )
        )
    return pd.concat(frames).groupby(["iso3", "year"], as_index=False).agg(sim=("sim", "mean"))


def _target(start: int, end: int, allies: Sequence[str] | None) -> pd.DataFrame:
    obs = observed()
    obs = obs[(obs["year"] > start) & (obs["year"] <= end)]
    if allies is not None:  # a bootstrap sample: duplicates count twice
        obs = pd.concat([obs[obs["iso3"] == a] for a in allies], ignore_index=True)
    return obs


def loss(
    scenario: Scenario,
    values: dict[str, float],
    seeds: Sequence[int],
    start: int,
    end: int,
    allies: Sequence[str] | None = None,
) -> float:
    """Root mean square error (% of GDP) of mean simulated against observed core spending."""
    sim = simulate_core(scenario, values, seeds, end)
    merged = _target(start, end, allies).merge(sim, on=["iso3", "year"])
    return float(np.sqrt(((merged["sim"] - merged["observed"]) ** 2).mean()))


def _objective(
    scenario: Scenario,
    seeds: Sequence[int],
    start: int,
    end: int,
    allies: Sequence[str] | None,
) -> Callable[[np.ndarray], float]:
    """The loss as a function of a vector of :func:`fitted_for` values, for SciPy's
    optimisers."""
    keys = list(fitted_for(end))

    def f(x: np.ndarray) -> float:
        return loss(
            scenario, dict(zip(keys, map(float, x), strict=True)), seeds, start, end, allies
        )

    return f


CONVERGED_GAIN = 1e-4  # pp of GDP (RMSE): a restart that gains less has found the minimum;
# a hundredth of the precision NATO's figures are given to (0.01 pp)


def _minimise(
    f: Callable[[np.ndarray], float],
    x0: np.ndarray,
    bounds: Sequence[tuple[float, float]],
    maxiter: int,
) -> tuple[np.ndarray, float, int]:
    """Nelder-Mead on ``f`` from ``x0`` within ``bounds``, at most ``maxiter`` iterations: the
    end point, its value and the iterations used."""
    res = minimize(
        f,
        x0,
        method="Nelder-Mead",
        bounds=list(bounds),
        options={"maxiter": maxiter, "xatol": 1e-3, "fatol": CONVERGED_GAIN},
    )
    return res.x, float(res.fun), int(res.nit)


def converge(
    f: Callable[[np.ndarray], float],
    x0: np.ndarray,
    bounds: Sequence[tuple[float, float]],
    budget: int,
) -> tuple[np.ndarray, float, bool]:
    """Nelder-Mead on ``f`` restarted from where it stopped, with a fresh simplex, until a
    restart gains less than :data:`CONVERGED_GAIN` or ``budget`` iterations are spent: the end
    point, its value and whether it converged. One Nelder-Mead pass stalls on a narrow ridge
    (its simplex shrinks across the ridge before it has moved along it); the calibration's loss
    has one, where the speed of budgets trades off against their urgency under threat, and one
    pass of 150 iterations from the differential evolution's best point stopped short of it
    (the 2014-2024 fit: the converged search lowered the loss 0.2871 -> 0.2835 and moved eight
    of its eleven estimates). A restart is the standard remedy (Press et al., *Numerical
    Recipes*, 3rd ed., 10.5: restart at the point where it claims to have found a minimum). The
    estimate and every bootstrap refit are found this way, so that each is a minimum of its own
    sample's loss and their spread is the data's, not the search's."""
    x = np.asarray(x0, dtype=float)
    best = float(f(x))
    used = 0
    while used < budget:
        xn, fn, nit = _minimise(f, x, bounds, budget - used)
        used += max(1, nit)
        gain = best - fn
        if gain > 0:
            x, best = xn, fn
        if gain < CONVERGED_GAIN:
            return x, best, True
    return x, best, False


def _global(
    scenario: Scenario,
    seeds: Sequence[int],
    start: int,
    end: int,
    maxiter: int,
    seed: int,
    progress: bool = False,
) -> tuple[np.ndarray, float]:
    """Differential evolution over :data:`FITTED`'s bounds, then a local polish."""
    f = _objective(scenario, seeds, start, end, None)
    bar = None
    if progress:
        from tqdm import tqdm  # noqa: PLC0415

        bar = tqdm(total=maxiter, desc="calibrate", unit="gen")

    def tick(*_args: Any, **_kw: Any) -> bool:
        if bar is not None:
            bar.update(1)
        return False

    try:
        res = differential_evolution(
            f,
            list(fitted_for(end).values()),
            maxiter=maxiter,
            popsize=6,
            tol=1e-4,
            seed=seed,
            polish=True,
            init="sobol",
            callback=tick,
        )
    finally:
        if bar is not None:
            bar.close()
    return np.asarray(res.x), float(res.fun)


def fit_richardson(start: int, end: int) -> dict[str, Any]:
    """OLS of ``X[t+1] - X[t] = k Y[t] - a X[t] + g`` on the data (bn US$), with standard
    errors; X is Russia's spending (SIPRI), Y NATO-Europe's (NATO shares x NATO GDP)."""
    rus = data.russia_history()
    europe: dict[int, float] = {}
    for rec in data.allies():
        if not rec.european or not rec.armed_forces:
            continue
        for y in range(start, end + 1):
            gdp = initial.gdp_bn(rec, y)
            if gdp is not None:
                europe[y] = europe.get(y, 0.0) + gdp * initial.defence_pct(rec.iso3, y) / 100.0
    years = [y for y in range(start, end) if y in europe and y + 1 in rus and y in rus]
    x = np.array([rus[y]["milex_bn"] for y in years])
    dx = np.array([rus[y + 1]["milex_bn"] - rus[y]["milex_bn"] for y in years])
    design = np.column_stack([np.array([europe[y] for y in years]), -x, np.ones(len(years))])
    coef, *_ = np.linalg.lstsq(design, dx, rcond=None)
    identified = len(years) > design.shape[1]
    se: list[float | None]
    if identified:
        resid = dx - design @ coef
        cov = (resid @ resid / (len(years) - design.shape[1])) * np.linalg.pinv(design.T @ design)
        se = [float(v) for v in np.sqrt(np.clip(np.diag(cov), 0, None))]
    else:  # as many steps as coefficients or fewer: not identified, no error to estimate
        se = [None, None, None]
    return {
        "k": float(coef[0]),
        "k_se": se[0],
        "a": float(coef[1]),
        "a_se": se[1],
        "g": float(coef[2]),
        "years": [years[0], years[-1] + 1],
        "n": len(years),
        "identified": identified,
    }


def richardson_text(r: Mapping[str, Any]) -> str:
    """The Richardson estimates as one line: ``k``, ``a`` and their standard errors, or that
    the window holds too few years to estimate an error (``n`` steps for 3 coefficients)."""
    head = f"Richardson OLS {r['years'][0]}-{r['years'][1]}: k = {r['k']:.4f}"
    if r.get("k_se") is None:
        return (
            f"{head}, a = {r['a']:.4f}: {r['n']} yearly step(s) for 3 coefficients, not "
            "identified (no standard error; a window of 4 steps or more estimates one): not used"
        )
    return f"{head} (se {r['k_se']:.4f}), a = {r['a']:.4f} (se {r['a_se']:.4f})"


def _refit(
    scenario: Scenario,
    x0: np.ndarray,
    seeds: Sequence[int],
    start: int,
    end: int,
    sample: Sequence[str],
    polish: int,
) -> tuple[np.ndarray, bool]:
    """One bootstrap refit: the loss on ``sample``'s allies taken to a minimum from ``x0``."""
    bounds = list(fitted_for(end).values())
    xb, _, ok = converge(_objective(scenario, seeds, start, end, sample), x0, bounds, polish)
    return xb, ok


def calibrate(
    scenario: Scenario,
    *,
    start: int = 2014,
    end: int = 2021,
    reps: int = 4,
    seed: int = 0,
    bootstrap: int = 10,
    maxiter: int = 40,
    polish: int = 3000,
    workers: int = 1,
    progress: bool = False,
) -> Fit:
    """Fit :func:`fitted_for` on ``start``..``end`` and estimate Russia's reaction. ``maxiter``
    is the number of generations of the differential evolution; ``polish`` caps the iterations
    of the local search (:func:`converge`) that takes its best point to a minimum, and of each
    bootstrap refit's (each from the estimate, on its own resample of allies; ``workers``
    processes refit at once, with the same draws as one). Each bootstrap refit is kept whole
    (``draws``, one full parameter vector each): their joint spread is the fit's uncertainty
    (:func:`sim.calibration.bootstrap_draws`)."""
    keys = fitted_for(end)
    seeds = replication_seeds(seed, reps)
    scenario = _no_record(scenario)  # the first stage: the rule any ally follows
    # the schema's defaults, not the scenario's (which may extend an earlier fit)
    default = {k: float(Scenario.default().get(k)) for k in keys}
    loss_default = loss(scenario, default, seeds, start, end)
    x_hat, best = _global(scenario, seeds, start, end, maxiter, seed, progress)
    # the estimate is a minimum of the loss (:func:`converge`), found by the same local search
    # as the bootstrap's refits: refits from a point short of the minimum would all move the
    # same way whatever their sample, and their spread would show the search, not the data
    bounds = list(keys.values())
    f = _objective(scenario, seeds, start, end, None)
    x_hat, best, converged = converge(f, x_hat, bounds, polish)
    values = dict(zip(keys, map(float, x_hat), strict=True))
    rng = np.random.default_rng(seed)
    allies = sorted(observed().query("year > @start and year <= @end")["iso3"].unique())
    samples = [list(rng.choice(allies, size=len(allies), replace=True)) for _ in range(bootstrap)]
    jobs = [(scenario, x_hat, seeds, start, end, sample, polish) for sample in samples]
    if workers > 1 and len(jobs) > 1:
        with process_executor(min(workers, len(jobs))) as pool:
            refits = list(pool.map(_refit, *zip(*jobs, strict=True)))
    else:
        refits = [_refit(*job) for job in jobs]
    draws = [xb for xb, _ in refits]
    refits_converged = sum(ok for _, ok in refits)
    fit = Fit(
        values=values, loss=best, loss_default=loss_default, richardson=fit_richardson(start, end)
    )
    fit.draws = [dict(zip(keys, map(float, xb), strict=True)) for xb in draws]
    fit.record = own_record(scenario, values, seeds, start, end)
    fit.record["loss_rmse"] = loss(
        scenario.with_params(record_params(start, fit.record["terms"])), values, seeds, start, end
    )
    if draws:
        arr = np.array(draws)
        for i, k in enumerate(keys):
            fit.std[k] = float(arr[:, i].std(ddof=1)) if len(arr) > 1 else float("nan")
            fit.low[k], fit.high[k] = (float(v) for v in np.percentile(arr[:, i], [5, 95]))
    fit.meta = {
        "natosim_version": __version__,
        "window": [start, end],
        "reps": reps,
        "seed": seed,
        "bootstrap": bootstrap,
        "maxiter": maxiter,
        "polish": polish,
        "converged": bool(converged),
        "refits_converged": refits_converged,
        "fitted": list(keys),
        "allies_in_fit": allies,
        "record_start_year": start,
        "scenario": scenario.name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return fit


RECORD_TERMS = ("record_level_pp", "record_target_pp")
RECORD_STEP = 0.2  # pp of GDP: the shift whose response the second stage measures
RECORD_ITERATIONS = 4  # Gauss-Newton steps (kinks in the rule; the peers couple allies)


def record_params(start: int, terms: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Scenario values setting every ally's own-record terms (``terms``: ISO3 -> values, an
    ally missing gets 0) for a run from ``start``."""
    out: dict[str, Any] = {"allies.record_start_year": start}
    for code in data.ally_codes():
        for name in RECORD_TERMS:
            out[f"allies.overrides.{code}.{name}"] = terms.get(code, {}).get(name, 0.0)
    return out


def _no_record(scenario: Scenario) -> Scenario:
    """``scenario`` with every own-record term off (a fit the scenario extends may carry some):
    the first stage fits the rule that any ally follows."""
    return scenario.with_params({**record_params(0, {}), "allies.record_start_year": 0})


Terms = dict[str, dict[str, float]]


@dataclass
class _RecordProblem:
    """The second stage's data and simulation for a set of ``allies`` whose terms are estimated,
    every other ally held at ``fixed`` (the rule at ``values``)."""

    allies: list[str]
    obs: pd.DataFrame  # allies x years, NaN where NATO gives no figure
    seen: dict[str, np.ndarray]
    linearise: Callable[[dict[str, np.ndarray]], tuple[pd.DataFrame, dict[str, np.ndarray]]]

    def objective(
        self, now: pd.DataFrame, est: dict[str, np.ndarray], penalty: np.ndarray
    ) -> float:
        """The penalised least squares the ridge steps minimise (with the full simulation)."""
        return sum(
            float(((self.obs.loc[c] - now.loc[c]).to_numpy()[self.seen[c]] ** 2).sum())
            + float(est[c] @ penalty @ est[c])
            for c in self.allies
        )

    def refine(
        self,
        penalty: np.ndarray,
        base: pd.DataFrame,
        design: dict[str, np.ndarray],
        est: dict[str, np.ndarray],
    ) -> dict[str, np.ndarray]:
        """Gauss-Newton on the penalised problem from ``est`` (simulated at ``base`` with the
        responses ``design``), linearised at each estimate: the estimate with the lowest
        penalised loss."""

        def ridge(c: str, r: np.ndarray) -> np.ndarray:
            x = design[c][self.seen[c]]
            return np.linalg.solve(x.T @ x + penalty, x.T @ r[self.seen[c]])

        best = (self.objective(base, est, penalty), est)
        for _ in range(RECORD_ITERATIONS):
            # the residual at the estimate plus the response the estimate already explains
            est = {
                c: ridge(c, (self.obs.loc[c] - base.loc[c]).to_numpy() + design[c] @ est[c])
                for c in self.allies
            }
            base, design = self.linearise(est)
            best = min(best, (self.objective(base, est, penalty), est), key=lambda t: t[0])
        return best[1]

    def terms(self, est: dict[str, np.ndarray]) -> Terms:
        """The estimates as scenario terms, within the terms' bounds."""
        lo_hi = {n: (-3.0, 3.0) if n == "record_level_pp" else (-3.0, 5.0) for n in RECORD_TERMS}
        return {
            c: {
                n: round(float(np.clip(x, *lo_hi[n])), 4)
                for n, x in zip(RECORD_TERMS, est[c], strict=True)
            }
            for c in self.allies
        }


RECORD_YEARS = 3  # observed years in the window an ally needs for its own-record terms


def with_record(start: int, end: int) -> list[str]:
    """The allies with a record in the window: at least :data:`RECORD_YEARS` observed years in
    ``start+1..end`` (the others, the gap allies, follow the rule alone)."""
    counts = _target(start, end, None).groupby("iso3")["year"].count()
    return sorted(counts[counts >= RECORD_YEARS].index)


def _record_problem(
    scenario: Scenario,
    values: dict[str, float],
    seeds: Sequence[int],
    start: int,
    end: int,
    allies: Sequence[str] | None = None,
    fixed: Terms | None = None,
) -> _RecordProblem:
    """The second stage's problem for ``allies`` (default: every ally with at least three
    observed years in ``start+1..end``), the other allies' terms held at ``fixed``."""
    sc = scenario.with_params({**values, "run.end_year": end})
    held = dict(fixed or {})
    target = _target(start, end, None)
    chosen = with_record(start, end) if allies is None else sorted(allies)
    years = sorted(target["year"].unique())

    def run(terms: Terms) -> pd.DataFrame:
        return simulate_core(
            sc.with_params(record_params(start, {**held, **terms})), {}, seeds, end
        )

    def matrix(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.pivot(index="iso3", columns="year", values="sim").loc[chosen, years]

    def as_terms(est: dict[str, np.ndarray]) -> Terms:
        return {c: dict(zip(RECORD_TERMS, map(float, est[c]), strict=True)) for c in chosen}

    def linearise(est: dict[str, np.ndarray]) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """The simulation at ``est`` and each ally's response to a step of each term there
        (the rule has kinks, at the pledge above all: the response is measured where it is
        used)."""
        now = matrix(run(as_terms(est)))
        cols = []
        for k in range(len(RECORD_TERMS)):
            step = {c: est[c] + RECORD_STEP * np.eye(len(RECORD_TERMS))[k] for c in chosen}
            cols.append((matrix(run(as_terms(step))) - now) / RECORD_STEP)
        return now, {c: np.column_stack([x.loc[c].to_numpy() for x in cols]) for c in chosen}

    obs = target.pivot(index="iso3", columns="year", values="observed").loc[chosen, years]
    seen = {c: obs.loc[c].notna().to_numpy() for c in chosen}
    return _RecordProblem(chosen, obs, seen, linearise)


def own_record(
    scenario: Scenario, values: dict[str, float], seeds: Sequence[int], start: int, end: int
) -> dict[str, Any]:
    """Second stage: each ally's own-record terms, from its own record in the window alone.

    With the rule's fitted ``values`` held, the residuals of an ally's simulated core spending
    (mean over ``seeds``) against NATO's figures over ``start+1..end`` are regressed on the
    model's response to a unit shift of each term (``record_level_pp``: where the run starts;
    ``record_target_pp``: where the ally's budget is heading), measured by simulation with
    common random numbers. The per-ally least-squares estimates are shrunk toward 0 (the rule
    itself) by empirical Bayes: a normal prior per term whose variance is the cross-section's
    mean square estimate less its mean sampling variance, with the residual variance pooled
    over allies (ridge with the penalty sigma^2 / tau^2). The rule has kinks (the pledge) and
    the allies' peers couple them, so the estimate is refined by Gauss-Newton steps linearised
    at each estimate on the full simulation, keeping the estimate with the lowest penalised
    loss. An ally with fewer than three observed years in the window (the six gap allies; every
    ally in a window of two years) keeps 0: the rule alone.
    Returns ``{"terms": {ISO3: {term: value}}, "sigma": ..., "tau": {...}, "n_allies": ...}``.
    """
    prob = _record_problem(scenario, values, seeds, start, end)
    allies, obs, seen = prob.allies, prob.obs, prob.seen
    if not allies:  # a window too short for any ally's record: the rule alone for every ally
        return {"terms": {}, "sigma": None, "tau": {}, "n_allies": 0}
    est = {c: np.zeros(len(RECORD_TERMS)) for c in allies}
    base, design = prob.linearise(est)
    resid = {c: (obs.loc[c] - base.loc[c]).to_numpy() for c in allies}
    ols, var_scale, sse, dof = {}, {}, 0.0, 0
    for c in allies:
        x, r = design[c][seen[c]], resid[c][seen[c]]
        xtx_inv = np.linalg.pinv(x.T @ x)
        ols[c] = xtx_inv @ x.T @ r
        var_scale[c] = np.diag(xtx_inv)
        sse += float(((r - x @ ols[c]) ** 2).sum())
        dof += len(r) - len(RECORD_TERMS)
    sigma2 = sse / max(1, dof)
    b = np.array([ols[c] for c in allies])
    v = sigma2 * np.array([var_scale[c] for c in allies])
    tau2 = np.maximum((b**2).mean(axis=0) - v.mean(axis=0), 1e-6)
    penalty = np.diag(sigma2 / tau2)
    est = prob.refine(penalty, base, design, est)
    return {
        "terms": prob.terms(est),
        "sigma": float(np.sqrt(sigma2)),
        "tau": dict(zip(RECORD_TERMS, map(float, np.sqrt(tau2)), strict=True)),
        "n_allies": len(allies),
    }


def unfitted_allies(record: dict[str, Any], start: int, end: int) -> list[str]:
    """Allies of the model with a record in ``start+1..end`` in the data (three observed years
    or more, as the second stage asks) that the fit in ``record`` holds no own-record terms
    for: data that reached the project after the fit (the gap allies' series, say)."""
    have = set(record.get("own_record", {}).get("terms", {}))
    known = set(data.ally_codes())
    return [c for c in with_record(start, end) if c in known and c not in have]


def record_for_new_allies(
    scenario: Scenario, record: dict[str, Any], start: int, end: int, allies: Sequence[str]
) -> Terms:
    """The own-record terms of ``allies``, which the fit in ``record`` (its JSON record) did
    not see, estimated from their own record in ``start+1..end`` exactly as the fit's second
    stage estimated the others' (:func:`own_record`: the same replications and seeds, the same
    Gauss-Newton steps), with the rule and every other ally's terms held at the fit and the
    fit's empirical-Bayes prior (its ``sigma`` and ``tau``): the posterior mode for a new
    member of the cross-section. So any ally fits the same way, whether or not its series was
    in the data when the fit was made."""
    own = record["own_record"]
    meta = record["meta"]
    seeds = replication_seeds(meta["seed"], meta["reps"])
    sigma2 = own["sigma"] ** 2
    penalty = np.diag([sigma2 / max(own["tau"][n], 1e-3) ** 2 for n in RECORD_TERMS])
    prob = _record_problem(
        _no_record(scenario), record["values"], seeds, start, end, allies, own["terms"]
    )
    est = {c: np.zeros(len(RECORD_TERMS)) for c in prob.allies}
    base, design = prob.linearise(est)
    return prob.terms(prob.refine(penalty, base, design, est))


def with_own_record(scenario: Scenario, path: Path) -> Fit:
    """The tracked fit at ``path`` (its JSON record) with its second stage estimated again
    (:func:`own_record`) from its first-stage values, replications and seed: the first stage,
    its bootstrap and loss are kept as they were (``natosim calibrate --record-only``)."""
    record = json.loads(path.read_text())
    meta = record["meta"]
    start, end = meta["window"]
    fit = Fit(
        values=record["values"],
        std=record["std"],
        low=record["low"],
        high=record["high"],
        loss=record["loss_rmse"],
        loss_default=record["loss_rmse_defaults"],
        richardson=record["richardson"],
        meta=meta,
        draws=record.get("bootstrap_draws", []),
    )
    seeds = replication_seeds(meta["seed"], meta["reps"])
    sc = _no_record(scenario)
    fit.record = own_record(sc, fit.values, seeds, start, end)
    fit.record["loss_rmse"] = loss(
        sc.with_params(record_params(start, fit.record["terms"])), fit.values, seeds, start, end
    )
    fit.meta = {**meta, "record_start_year": start}
    return fit


MAX_REACTION = 0.2  # per year; MODEL.md expects a few hundredths


def informed(fit: Fit) -> set[str]:
    """The fitted parameters whose estimate is not on its search bound (an estimate on a bound
    means the window pushes past what the bound allows, or does not inform it). Every estimate
    is written and used; these are the ones the file does not flag."""
    out = set()
    bounds = fitted_for(int(fit.meta.get("window", [0, WAR_YEAR])[1]))
    for k, v in fit.values.items():
        lo, hi = bounds[k]
        tol = 1e-3 * (hi - lo)
        if lo + tol < v < hi - tol:
            out.add(k)
    return out


def russia_values(fit: Fit) -> dict[str, float]:
    """The Richardson estimates to use, when they are usable: estimated with a standard error
    (more yearly steps than coefficients), 0 <= k <= 0.2 (a reaction of a few hundredths, not a
    war mobilisation read as one) and k < a <= 1 (a stable regime);
    otherwise none (the schema defaults stay, and the file says why)."""
    r = fit.richardson
    if r and r.get("k_se") is not None and 0 <= r["k"] <= MAX_REACTION and r["k"] < r["a"] <= 1:
        return {"russia.reaction_coefficient": round(r["k"], 4), "russia.fatigue": round(r["a"], 4)}
    return {}


def write_fit(fit: Fit, path: Path) -> Path:
    """Write the fitted values as a scenario fragment (TOML, for ``extends``) and the full
    calibration record beside it (JSON)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rus = russia_values(fit)
    r = fit.richardson
    lines = [
        "# Generated by `natosim calibrate`; do not edit by hand (rerun it instead).",
        (
            f"# Window {fit.meta['window'][0]}-{fit.meta['window'][1]}, simulated least squares on "
            f"NATO core spending of {len(fit.meta['allies_in_fit'])} allies;"
        ),
        (
            f"# RMSE {fit.loss:.3f} pp of GDP (schema defaults: {fit.loss_default:.3f}); "
            f"bootstrap over allies, B = {fit.meta['bootstrap']}."
        ),
        (
            "# The full record (standard errors, intervals, Richardson estimates) is in "
            f"{path.with_suffix('.json').name}."
        ),
        'name = "fitted"',
        (
            f'description = "Behavioural parameters fitted to NATO defence spending '
            f'{fit.meta["window"][0]}-{fit.meta["window"][1]} (natosim calibrate)."'
        ),
        "",
        "[allies]",
    ]
    used = informed(fit)
    by_section: dict[str, list[str]] = {}
    for k, v in fit.values.items():
        section, name = k.split(".")
        sd = fit.std.get(k, float("nan"))
        lo, hi = fit.low.get(k, float("nan")), fit.high.get(k, float("nan"))
        spread = (
            f"bootstrap sd {sd:.3f}, 90% [{lo:.3f}, {hi:.3f}]"
            if math.isfinite(sd)
            else "no bootstrap (--bootstrap 0)"
        )
        line = f"{name} = {v:.4f}  # {spread}"
        if k not in used:
            b_lo, b_hi = fitted_for(fit.meta["window"][1])[k]
            line += f"; on its search bound [{b_lo:g}, {b_hi:g}]: the window pushes against it"
        by_section.setdefault(section, []).append(line)
    lines = lines[:-1]  # the [allies] header: written per section below
    terms = fit.record.get("terms", {})
    if terms:
        by_section.setdefault("allies", []).append(
            f"record_start_year = {fit.meta['window'][0]}  # the own-record terms below apply "
            "to a run from the window's start only"
        )
    for section, entries in by_section.items():
        lines += [f"[{section}]", *entries, ""]
    if terms:
        tau = fit.record["tau"]
        lines.append(
            "# Each ally's own record (second stage, empirical Bayes: residual sd "
            f"{fit.record['sigma']:.3f}, prior sd level {tau['record_level_pp']:.3f}, target "
            f"{tau['record_target_pp']:.3f}; RMSE with them {fit.record['loss_rmse']:.3f})"
        )
        for code, vals in sorted(terms.items()):
            lines += [f"[allies.overrides.{code}]"]
            lines += [f"{n} = {round(v, 4) + 0.0:.4f}" for n, v in vals.items()]
        lines.append("")
    lines += ["[russia]"]
    if rus:
        lines += [
            (
                f"reaction_coefficient = {rus['russia.reaction_coefficient']}  "
                f"# OLS {r['years'][0]}-{r['years'][1]}, se {r['k_se']:.3f}"
            ),
            f"fatigue = {rus['russia.fatigue']}  # OLS, se {r['a_se']:.3f}",
        ]
    elif r.get("k_se", 0.0) is None:
        lines.append(
            f"# Richardson OLS not used: {r['n']} yearly step(s) for 3 coefficients, not "
            "identified (no standard error); schema defaults stay."
        )
    else:
        lines.append(
            f"# Richardson OLS not used (k = {r.get('k', float('nan')):.3f}, "
            f"a = {r.get('a', float('nan')):.3f}): not a reaction of at most {MAX_REACTION} "
            "a year in a stable regime (k < a <= 1); schema defaults stay."
        )
    text = "\n".join(lines) + "\n"
    record = {
        "values": fit.values,
        "std": fit.std,
        "low": fit.low,
        "high": fit.high,
        "loss_rmse": fit.loss,
        "loss_rmse_defaults": fit.loss_default,
        "richardson": fit.richardson,
        "russia_values_used": rus,
        "values_used": sorted(fit.values),
        "on_search_bound": sorted(set(fit.values) - used),
        "meta": fit.meta,
        # the bootstrap refits, each a full parameter vector (allies resampled with
        # replacement, a local refit from the estimate): draw worlds from these rows to carry
        # the fit's joint uncertainty (sim.calibration.bootstrap_draws)
        "bootstrap_draws": fit.draws,
        # each ally's own-record terms (second stage, sim.calibration.fit.own_record)
        "own_record": fit.record,
    }
    # each file written beside its place and renamed into it: an interrupted write leaves the
    # previous fit whole, never half a file
    for target, content in (
        (path.with_suffix(".json"), json.dumps(record, indent=2)),
        (path, text),
    ):
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(content)
        tmp.replace(target)
    return path
