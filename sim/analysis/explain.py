"""Reasons in words, read from a run's tables (issue "Every decision explained").

* :func:`ally_reasons`: why an ally's core spending moved in a year, term by term (the
  ``why_budget_`` columns, :mod:`sim.agents.budget_why`);
* :func:`russia_reasons`: what Russia weighed in a year: its chance of probing, its best
  estimate of a fait accompli, the resolve it read, and, where the run wrote them, each
  candidate's value, chance, cost and probability (the ``probe_options`` table);
* :func:`verdict_reasons`: the verdict with the margin to each threshold it was judged by
  (:func:`sim.model.outputs.verdict`).

Every function takes tables as the runner returns them (:class:`sim.runs.runner.Results`) and
returns text; ``natosim explain`` prints it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..agents.budget_why import TERMS
from ..mechanisms.influence import LOST_CONTROL_BELOW
from ..model.outputs import VERDICT_TEXT

WORDS = {
    "threat": "threat",
    "self_help": "doubt about the US",
    "free_riding": "free-riding on the US (+: less of it, as trust fell)",
    "peers": "peers",
    "pledge": "pledge pull",
    "us_answer": "answer to the US",
    "shock": "domestic shock",
    "level": "already spent",
    "limits": "fiscal limits",
    "human": "a human player",
    "reclassification": "reclassification",
    "war": "the war next door",
    "deadline": "a pledge fallen due",
    "deadline_oneoff": "one-offs at the deadline",
    "gdp": "GDP surprise",
}


def ally_reasons(allies: pd.DataFrame, run: int, year: int, iso3: str, country: str = "") -> str:
    """One sentence: the change in ``iso3``'s reported core spending in ``year`` and its terms,
    largest first (terms under 0.005 points left out)."""
    a = allies[(allies["run"] == run) & (allies["iso3"] == iso3)].sort_values("year")
    now = a[a["year"] == year]
    before = a[a["year"] == year - 1]
    name = country or iso3
    if now.empty or before.empty:
        return f"{name}: no budget decision in {year} (the first year is the start's data)"
    row = now.iloc[0]
    change = float(row["core_pct"] - before.iloc[0]["core_pct"])
    verb = "raised" if change > 0 else "cut" if change < 0 else "kept"
    parts = sorted(
        ((WORDS[t], float(row[f"why_budget_{t}"])) for t in TERMS),
        key=lambda x: -abs(x[1]),
    )
    shown = ", ".join(f"{w} {v:+.2f}" for w, v in parts if abs(v) >= 0.005) or "nothing moved"
    return (
        f"{name} {verb} core spending by {abs(change):.2f} points of GDP in {year} "
        f"({before.iloc[0]['core_pct']:.2f}% -> {row['core_pct']:.2f}%): {shown}"
    )


def largest_movers(allies: pd.DataFrame, run: int, year: int, n: int = 5) -> list[str]:
    """The ``n`` allies whose core spending moved most in ``year`` (ISO3 codes)."""
    a = allies[allies["run"] == run].sort_values(["iso3", "year"])
    a = a.assign(change=a.groupby("iso3")["core_pct"].diff())
    now = a[a["year"] == year].dropna(subset=["change"])
    return now.reindex(now["change"].abs().sort_values(ascending=False).index)["iso3"][:n].tolist()


def _estimate(value: float) -> str:
    """Russia's estimate of a fait accompli in words: a share, or not assessed (a year it
    waits after a probe)."""
    return "not assessed (it waits after a probe)" if pd.isna(value) else f"{value:.0%}"


def russia_reasons(
    model: pd.DataFrame,
    events: pd.DataFrame,
    run: int,
    year: int,
    options: pd.DataFrame | None = None,
) -> str:
    """What Russia weighed in ``year`` and what it did (see the module docstring)."""
    m = model[(model["run"] == run) & (model["year"] == year)]
    if m.empty:
        return f"Russia: no year {year} in run {run}"
    r = m.iloc[0]
    lines = [
        (
            f"Russia in {year}: its chance of probing {r['probe_probability']:.1%}, its best "
            f"estimate of a fait accompli {_estimate(r['probe_success_estimate'])}; it reads US "
            f"resolve at {r['russia_resolve_estimate']:.2f} and European resolve at "
            f"{r['europe_resolve_estimate']:.2f}; free forces {r['russia_free_bde']:.1f} bde-e."
        )
    ]
    if options is not None and not options.empty:
        o = options[(options["run"] == run) & (options["year"] == year)]
        for _, row in o.sort_values("probability", ascending=False).head(6).iterrows():
            lines.append(
                f"  {row['target'] or 'no probe'}: probability {row['probability']:.1%}"
                + (
                    f", value {row['value']:.2f}, chance {row['chance']:.0%}, cost "
                    f"{row['cost']:.2f}, utility {row['utility']:+.2f}"
                    if row["target"]
                    else ""
                )
            )
    ev = events[(events["run"] == run) & (events["year"] == year)]
    acts = ev[ev["kind"].isin(["probe", "incursion", "ceasefire"])]
    lines += _with_why(acts)
    if acts.empty:
        lines.append("  It did not probe.")
    return "\n".join(lines)


def _with_why(events: pd.DataFrame) -> list[str]:
    """Logged events, indented, each with its ``why`` where it has one."""
    whys = events["why"] if "why" in events.columns else [""] * len(events)
    return [
        f"  {text}" + (f" (why: {why})" if isinstance(why, str) and why else "")
        for text, why in zip(events["event"], whys, strict=True)
    ]


US_KINDS = (
    "threat",
    "threat_executed",
    "escalates",
    "relents",
    "declares_success",
    "deadline",
    "european_command",  # the US's handover of NATO's command (C2), or a scenario's event
)


def us_reasons(events: pd.DataFrame, run: int, year: int) -> str:
    """What the United States did in ``year`` and why (the events' ``why`` column)."""
    ev = events[(events["run"] == run) & (events["year"] == year)]
    acts = ev[ev["kind"].isin(US_KINDS)]
    if acts.empty:
        return f"The United States in {year}: no threat, execution or change of course logged."
    return "\n".join([f"The United States in {year}:", *_with_why(acts)])


def verdict_reasons(summary_row: Mapping[str, Any], verdict_params: Mapping[str, float]) -> str:
    """The verdict and the margin to each threshold, in the order the verdict reads them."""
    v = verdict_params
    gain = float(summary_row["coverage_gain"])
    cover = float(summary_row["coverage_mean_end"])
    infl = float(summary_row["us_influence_end"])
    trust = float(summary_row["mean_trust_end"])
    head = float(summary_row["eu_headline_pct_end"])
    fails = int(summary_row["n_article5_failures"])
    name = str(summary_row["verdict"])

    def margin(x: float, bar: float) -> str:
        return f"{x:.3g} against {bar:.3g} ({x - bar:+.3g})"

    return "\n".join(
        [
            f"Verdict: {name.replace('_', ' ')}: {VERDICT_TEXT.get(name, '')}.",
            f"  Article 5 failures: {fails} (any one decides the verdict)",
            (
                f"  coverage gain: {margin(gain, v['shift_coverage_gain'])} (burden shifted at or "
                "above)"
            ),
            (
                f"  coverage at the end: {margin(cover, v['carry_coverage'])} (Europe carries "
                "its own defence at or above, once the burden shifted)"
            ),
            (
                f"  US influence at the end: {margin(infl, LOST_CONTROL_BELOW)} (lost control "
                "below, once Europe carries)"
            ),
            (
                f"  headline spending at the end: {margin(head, v['headline_met_pct'])} % of GDP "
                "(targets met at or above)"
            ),
            (
                f"  mean trust at the end: {margin(trust, v['trust_floor'])} (alliance intact at "
                "or above)"
            ),
        ]
    )
