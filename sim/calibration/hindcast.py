"""The hindcast: run ``hindcast_2014`` (2014 data, historical shocks as inputs, no spending figure
after the start used as input) and score it against what NATO reported, next to two naive
forecasts, on the same ally-years.

Procedure (stated in ``skill.txt``): the allies' budget rule is fitted on 2014-2021
(``scenarios/calibration/fitted_2014_2021.toml``, ``natosim calibrate``); the run starts from
each ally's 2014 spending and sees only GDP (NATO's series), Eurostat's 2020-2021 growth
surprises and dated events (Crimea, the Wales, Vilnius and Hague pledges, US pressure, 2022,
the accessions). 2015-2021 is the training window, 2022-2025 the test window.

Outputs (``natosim hindcast --out DIR``):

* ``hindcast.csv``: per ally and year, simulated core spending (median, 5th and 95th percentile
  over replications), the observed value where NATO gives one, the persistence (2014 value) and
  trend (least-squares line through 2014-2021, extended) forecasts, ``window`` (start, train,
  test) and ``gap`` (the six allies whose data hold only 2014 and 2025);
* ``skill.csv`` / ``skill.txt``: RMSE and MAE (points of GDP) of the model and both forecasts
  on exactly the same ally-years (those where all three exist: the allies with a 2014-2021
  series), per window and per ally; the six gap allies scored apart, on their 2025 value only:
  it is in the data, so it is not a blind test; and the same ally-years of both windows
  forecast by the fitted rule alone (every ally's own-record terms off,
  ``hindcast.csv``'s ``sim_median_rule``): what the forecast of an ally the model has no record
  of is worth;
* ``allies_at_2pct.csv``: allies at or above 2% per year, simulated (median) and observed, over
  the allies NATO reports that year;
* ``aggregate.csv``: NATO Europe's GDP-weighted core spending per year (NATO's GDP), simulated,
  observed and the trend forecast, over the European allies NATO reports that year;
* the 2024 rank correlation over every ally with a 2024 figure;
* ``hindcast.png`` / ``.svg``: simulated bands against observed dots for eight allies.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator
from scipy.stats import spearmanr

from .. import data
from ..model import initial
from ..report.style import caption, new_figure, save
from ..runs.provenance import provenance
from ..runs.runner import run_replications
from ..runs.store import atomic_folder
from ..scenario import Scenario, ScenarioError
from ..scenario.paths import PACKAGE_SCENARIOS
from .targets import naive_baselines, observed

GAP = ("BEL", "DNK", "HRV", "ITA", "LTU", "ROU")  # only 2014 and 2025 in the shipped data
SHOWN = ("POL", "EST", "DEU", "FRA", "ITA", "ESP", "LVA", "GBR")
AGGREGATE_TOLERANCE = 0.15  # points of GDP: the target, reported per year
COUNT_TOLERANCE = 3  # allies at 2%: likewise
AT_BAR = 1.995  # at or above 2% of GDP, as NATO rounds


def hindcast_table(
    scenario: Scenario,
    reps: int,
    seed: int,
    train_end: int,
    rule_alone: Scenario | None = None,
) -> pd.DataFrame:
    """Simulated bands, observations and naive forecasts per ally and year.

    ``train_end`` labels the windows (train up to it, test after) and ends the trend line's
    fit; it does not choose the budget rule's fit: ``scenario`` must already carry the fit of
    the window that ends at ``train_end`` (:func:`with_fit`, as ``natosim hindcast`` and
    ``natosim checks`` do), or the test years are not out of sample. With ``rule_alone`` (the
    same scenario with every ally's own-record terms off: :func:`rule_alone`), its median over
    the same seeds is the column ``sim_median_rule``: what the fitted rule forecasts for an
    ally whose record it was never shown."""
    table = _simulated(scenario, reps, seed)
    if rule_alone is not None:
        rule = _simulated(rule_alone, reps, seed)[["iso3", "year", "sim_median"]]
        table = table.merge(
            rule.rename(columns={"sim_median": "sim_median_rule"}), on=["iso3", "year"]
        )
    start = scenario.get("run.start_year")
    years = sorted(table["year"].unique())
    table = table.merge(observed(), on=["iso3", "year"], how="left")
    table = table.merge(naive_baselines(start, train_end, years), on=["iso3", "year"], how="left")
    table["window"] = np.where(table["year"] <= train_end, "train", "test")
    table.loc[table["year"] == start, "window"] = "start"
    table["gap"] = table["iso3"].isin(gap_allies(start, train_end))
    return table


def _simulated(scenario: Scenario, reps: int, seed: int) -> pd.DataFrame:
    """Per ally and year, the simulated core spending's band over ``reps`` runs."""
    res = run_replications(scenario, reps, seed)
    if res.failures:
        raise RuntimeError(res.failures[0].error)
    a = res.allies[res.allies["core_pct"] > 0]
    table = a.groupby(["iso3", "year"], as_index=False).agg(
        sim_p05=("core_pct", lambda s: s.quantile(0.05)),
        sim_median=("core_pct", "median"),
        sim_p95=("core_pct", lambda s: s.quantile(0.95)),
        sim_mean=("core_pct", "mean"),
        sim_share_at_2pct=("core_pct", lambda s: float((s >= AT_BAR).mean())),
    )
    return table


def rule_alone(scenario: Scenario) -> Scenario:
    """``scenario`` with every ally's own-record terms off (the fitted rule kept): how the model
    forecasts an ally it has no record of, as the six gap allies or any ally left out of the
    data. Scored on the allies that do have a record, it says what such a forecast is worth
    (``skill``'s "rule alone" rows)."""
    from .fit import record_params  # noqa: PLC0415 (SciPy on demand)

    return scenario.with_params(record_params(0, {}), source="the fitted rule alone")


def _errors(
    df: pd.DataFrame, methods: tuple[str, ...], model: str = "sim_median"
) -> dict[str, float]:
    out: dict[str, float] = {"n": len(df)}
    for name, col in (
        ("model", model),
        ("persistence", "persistence"),
        ("trend", "trend"),
        ("last", "last"),
    ):
        if name not in methods:
            out[f"rmse_{name}"] = out[f"mae_{name}"] = np.nan
            continue
        err = df[col] - df["observed"]
        out[f"rmse_{name}"] = float(np.sqrt((err**2).mean())) if len(err) else np.nan
        out[f"mae_{name}"] = float(err.abs().mean()) if len(err) else np.nan
    return out


def skill(table: pd.DataFrame) -> pd.DataFrame:
    """Error measures of the forecasts on the same ally-years (module docstring); the last
    value is scored in the test window only (it is the origin's value)."""
    all3 = ("model", "persistence", "trend")
    scored = table[(table["window"] != "start") & table["observed"].notna()]
    common = scored.dropna(subset=["sim_median", "persistence", "trend"])
    gap = scored[scored["gap"]]
    train, test = common[common["window"] == "train"], common[common["window"] == "test"]
    span = lambda d: f"{int(d['year'].min())}-{int(d['year'].max())}" if len(d) else "none"  # noqa: E731
    rows = [
        {"scope": "all", "note": f"allies with a series, {span(common)}", **_errors(common, all3)},
        {"scope": "train", "note": f"training window, {span(train)}", **_errors(train, all3)},
        {
            "scope": "test",
            "note": f"test window, {span(test)}",
            **_errors(test, (*all3, "last")),
        },
        {
            "scope": "gap",
            "note": (
                f"{gap['iso3'].nunique()} gap allies (under three years in the training window), "
                f"{span(gap)} (in the data: not blind)"
            ),
            **_errors(gap, ("model", "persistence")),
        },
    ]
    if "sim_median_rule" in table:
        # the same ally-years forecast by the fitted rule alone (own-record terms off): what an
        # ally the data do not show can expect; the naive forecasts are those of the rows above
        rows += [
            {
                "scope": f"{scope}, rule alone",
                "note": f"the same ally-years, every ally's own record off, {span(d)}",
                **_errors(d, methods, model="sim_median_rule"),
            }
            for scope, d, methods in (
                ("train", train, all3),
                ("test", test, (*all3, "last")),
            )
        ]
    rows += [
        {"scope": iso3, "note": "one ally", **_errors(g, all3)}
        for iso3, g in common.groupby("iso3")
    ]
    return pd.DataFrame(rows)


def allies_at_2pct(table: pd.DataFrame) -> pd.DataFrame:
    """Allies at or above 2% per year, simulated and observed, over the allies NATO reports.
    The simulated count is the expected count over replications (the sum over allies of the
    share of runs in which the ally is at or above 2%, rounded): an ally that meets a pledge in
    four runs of ten is not at 2% in its median run, yet four tenths of an ally is in the count
    (``median_ally``: the count of allies whose median run is at 2%, the measure used before)."""
    rep = table.dropna(subset=["observed"])
    g = rep.groupby("year")
    out = pd.DataFrame(
        {
            "simulated": g["sim_share_at_2pct"].apply(lambda s: round(float(s.sum()))),
            "median_ally": g["sim_median"].apply(lambda s: int((s >= AT_BAR).sum())),
            "observed": g["observed"].apply(lambda s: int((s >= AT_BAR).sum())),
            "allies_reported": g["iso3"].nunique(),
        }
    )
    out["within_tolerance"] = (out["simulated"] - out["observed"]).abs() <= COUNT_TOLERANCE
    return out


def aggregate(table: pd.DataFrame) -> pd.DataFrame:
    """NATO Europe's GDP-weighted core spending per year (module docstring); simulated from each
    ally's mean over replications (the aggregate is a mean: an ally's chance of meeting a
    pledge counts in it by its probability)."""
    european = {r.iso3 for r in data.allies() if r.european and r.armed_forces}
    records = {r.iso3: r for r in data.allies()}
    rep = table[table["iso3"].isin(european)].dropna(subset=["observed"]).copy()
    rep["gdp"] = [
        initial.gdp_bn(records[c], min(y, initial.LAST_GDP_YEAR + 1)) or np.nan
        for c, y in zip(rep["iso3"], rep["year"], strict=True)
    ]
    rows = []
    for year, g in rep.groupby("year"):
        w = g["gdp"] / g["gdp"].sum()
        trend = g.dropna(subset=["trend"])
        wt = trend["gdp"] / trend["gdp"].sum()
        rows.append(
            {
                "year": year,
                "observed": float((w * g["observed"]).sum()),
                "simulated": float((w * g["sim_mean"]).sum()),
                "trend": float((wt * trend["trend"]).sum()) if len(trend) else np.nan,
                "allies": len(g),
            }
        )
    out = pd.DataFrame(rows).set_index("year")
    out["error"] = out["simulated"] - out["observed"]
    out["within_tolerance"] = out["error"].abs() <= AGGREGATE_TOLERANCE
    return out


def rank_2024(table: pd.DataFrame) -> float:
    """Spearman rank correlation of simulated and observed 2024 spending, over every ally with
    a 2024 figure."""
    t = table[(table["year"] == 2024)].dropna(subset=["observed"])
    return float(spearmanr(t["sim_median"], t["observed"]).statistic) if len(t) > 2 else np.nan


PROCEDURE = """Procedure. The allies' budget rule was fitted on 2014-{train_end} (natosim calibrate:
differential evolution on the RMSE of mean simulated against NATO's core spending, every
ally-year with data in the window; scenarios/calibration/fitted_2014_{train_end}.toml); the
strength of deadlines (allies.deadline_*) is not fitted: it comes from other deadline-bound
targets (sim/data/deadline_references.csv). The run starts
from each ally's 2014 spending and sees no spending figure after it: only GDP (NATO's series),
Eurostat's 2020-2021 growth surprises and dated events (Crimea, the Wales and Vilnius pledges,
The Hague's 3.5% by 2035 over the Vilnius 2% floor, US pressure 2017-2020 and 2025, the 2022
invasion, Finland and Sweden joining). Model,
persistence (the 2014 value), the last value (the {train_end} value, after {train_end}) and trend
(the 2014-{train_end} line, in-sample over the training window) are scored on the same
ally-years: the allies with a 2014-{train_end} series. An ally with a record in the window
that the fit did not see gets its own-record terms from that record, as the fit's allies did.
Allies with under three years in the window (the shipped data's six gap allies hold only 2014
and 2025) follow the rule alone and are scored apart on the years the data hold, which are in
the data: not a blind test. The rows "rule alone" score the allies with a series as if the
model had no record of them either (their own-record terms off, the rule as fitted): what a
forecast of an ally left out of the data is worth."""


def figure(table: pd.DataFrame, scenario: Scenario, reps: int, seed: int, train_end: int):
    fig = new_figure(12, 6)
    axes = fig.subplots(2, 4, sharex=True).ravel()
    gap = set(table.loc[table["gap"], "iso3"])
    for ax, code in zip(axes, SHOWN, strict=True):
        g = table[table["iso3"] == code].sort_values("year")
        ax.fill_between(
            g["year"],
            g["sim_p05"],
            g["sim_p95"],
            color="#4c72b0",
            alpha=0.25,
            linewidth=0,
            label="model, 90% of runs",
        )
        ax.plot(g["year"], g["sim_median"], color="#4c72b0", label="model median")
        ax.plot(
            g["year"],
            g["trend"],
            color="#999999",
            linestyle="--",
            linewidth=1,
            label="2014-trend forecast",
        )
        ax.scatter(g["year"], g["observed"], color="black", s=14, zorder=3, label="NATO")
        ax.axvline(train_end + 0.5, color="#b2182b", linewidth=0.8, linestyle=":")
        alone = " (rule alone: no record in the window)" if code in gap else ""
        ax.set_title(code + alone, fontsize=9)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    axes[0].legend(fontsize=6, loc="upper left")
    fig.supylabel("core defence spending, % of GDP")
    fig.supxlabel(f"year (red dotted line: end of the calibration window, {train_end})")
    fig.suptitle("Hindcast 2014-2025: simulated band against NATO's figures", fontsize=12)
    caption(fig, f"Scenario: {scenario.name}; {reps} replications; root seed {seed}")
    return fig


def run_hindcast(
    scenario: Scenario, out: Path, reps: int, seed: int, train_end: int, command: str
) -> dict[str, object]:
    """Run, score and write the hindcast folder; return the headline figures."""
    table = hindcast_table(scenario, reps, seed, train_end, rule_alone(scenario))
    sk = skill(table)
    counts = allies_at_2pct(table)
    agg = aggregate(table)
    rho = rank_2024(table)
    headline = sk[~sk["note"].eq("one ally")]
    text = (
        PROCEDURE.format(train_end=train_end)
        + "\n\nRMSE and MAE, points of GDP, on the same ally-years:\n"
        + headline.round(3).to_string(index=False)
        + "\n\nSpearman rank correlation of simulated and observed 2024 spending "
        + f"({int(table[(table.year == 2024)].observed.notna().sum())} allies): {rho:.3f}"
        + f"\n\nAllies at or above 2% of GDP (tolerance {COUNT_TOLERANCE}):\n"
        + counts.to_string()
        + "\n\nNATO Europe, GDP-weighted core spending, % of GDP (tolerance "
        + f"{AGGREGATE_TOLERANCE}):\n"
        + agg.round(3).to_string()
    )
    with atomic_folder(out) as tmp:
        table.to_csv(tmp / "hindcast.csv", index=False)
        sk.to_csv(tmp / "skill.csv", index=False)
        counts.to_csv(tmp / "allies_at_2pct.csv")
        agg.to_csv(tmp / "aggregate.csv")
        (tmp / "skill.txt").write_text(text + "\n")
        save(figure(table, scenario, reps, seed, train_end), tmp, "hindcast")
        (tmp / "manifest.json").write_text(
            json.dumps(
                {
                    "command": command,
                    **provenance(),
                    "reps": reps,
                    "root_seed": seed,
                    "train_end": train_end,
                    "rank_2024": rho,
                    "scenario": scenario.to_dict(),
                },
                indent=2,
                default=str,
            )
        )
    return {"skill": headline, "rank_2024": rho, "aggregate": agg, "counts": counts, "text": text}


FITS = PACKAGE_SCENARIOS / "calibration"


def fit_path(start: int, train_end: int) -> Path:
    """The tracked fit of the window ``start``..``train_end`` (its JSON record)."""
    return FITS / f"fitted_{start}_{train_end}.json"


def with_fit(scenario, start: int, train_end: int, learned: dict | None = None):
    """The scenario with the values fitted on ``start``..``train_end`` (a rolling origin: fit
    on the years up to the origin, forecast the rest); the fit must have been written with
    ``natosim calibrate --window START END --write``.

    An ally whose record in the window is in the data but was not when the fit was made (the
    gap allies' series, say) gets its own-record terms estimated from that record as the fit
    estimated the others' (:func:`sim.calibration.fit.record_for_new_allies`), so any ally fits
    the same way; ``learned`` (if given) receives them, ISO3 -> terms."""
    path = fit_path(start, train_end)
    if not path.is_file():
        raise ScenarioError(
            "--train-end",
            str(train_end),
            f"a year with a tracked fit (scenarios/calibration/{path.name}: run natosim "
            f"calibrate --window {start} {train_end} --write first)",
        )
    from .fit import record_for_new_allies, record_params, unfitted_allies  # noqa: PLC0415

    record = json.loads(path.read_text())
    own = record.get("own_record", {}).get("terms")
    # the fit's own-record terms replace whatever the scenario's own fit carried (an ally
    # without a record in this window gets 0); a fit without them leaves the terms off
    terms = record_params(start, own) if own else {**record_params(0, {})}
    fitted = scenario.with_params(
        {**record["values"], **record.get("russia_values_used", {}), **terms}, source=str(path)
    )
    new = unfitted_allies(record, start, train_end) if own else []
    if not new:
        return fitted
    extra = record_for_new_allies(fitted, record, start, train_end, new)
    if learned is not None:
        learned.update(extra)
    return fitted.with_params(
        record_params(start, {**own, **extra}),
        source=f"{path} and the window's record of {', '.join(new)}",
    )


def gap_allies(start: int, train_end: int) -> list[str]:
    """Allies without a record in ``start+1..train_end`` (under three observed years:
    :func:`sim.calibration.fit.with_record`; :data:`GAP` with the shipped data): the rule alone
    forecasts them."""
    from .fit import with_record  # noqa: PLC0415 (SciPy on demand)

    recorded = set(with_record(start, train_end))
    return sorted(c for c in observed()["iso3"].unique() if c not in recorded)
