"""What a run records: the yearly model and ally tables, the event log, and the verdict.

Tables are kept as columns (dicts of lists) while the model runs; the runner turns them into
pandas frames. Column names and meanings are listed in ``MODEL_COLUMNS`` and ``ALLY_COLUMNS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .scenario import CATEGORIES

if TYPE_CHECKING:
    from .model import AllianceModel

Verdict = Literal[
    "deterrence_failed",
    "europe_carries_us_lost_control",
    "headline_met_capability_hollow",
    "burden_shifted_alliance_intact",
    "burden_shifted_trust_broken",
    "burden_not_shifted",
]
VERDICTS: tuple[str, ...] = Verdict.__args__  # type: ignore[attr-defined]

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
    "russia_capability": "Russia's capability, equipment-stock units",
    "russia_free_capability": "Russia's capability not tied down in Ukraine",
    "russia_milex_bn": "Russia's military spending, bn US$",
    "russia_milex_pct_gdp": "Russia's military spending, % of GDP",
    "greyzone_attacks": "grey-zone attacks on allies this year",
    "probe": "1 if Russia probed an ally this year",
    "probe_target": "ISO3 of the probed ally, or empty",
    "probe_outcome": "repelled, frozen, article5_failure, or empty",
    "us_responded": "1 if the US answered this year's probe",
    "us_influence": "US influence over alliance decisions relative to the start, 0-1",
    "nuclear_liability": "US nuclear guarantee without conventional control, 0-1",
    "cohesion": "alliance cohesion index, 0-1",
    "progress_headline": "GDP-weighted share of European allies at the US demand",
    "progress_capability": "share of capability categories Europe has taken over",
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
}


class Recorder:
    """Collects a model's yearly rows and its event log."""

    def __init__(self, model: AllianceModel) -> None:
        self.model = model
        self.model_rows: dict[str, list[Any]] = {k: [] for k in MODEL_COLUMNS}
        self.ally_rows: dict[str, list[Any]] = {k: [] for k in ALLY_COLUMNS}
        self.events: dict[str, list[Any]] = {"year": [], "kind": [], "event": []}
        self.counts = {"threat": 0}
        self._model_lists = list(self.model_rows.values())  # in the order of MODEL_COLUMNS

    def due(self, kind: str) -> bool:
        """Whether a repeated event (the yearly threats) should be logged this time: the first
        time and every fifth repetition after, to keep the log readable."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind] % 5 == 1

    def event(self, kind: str, text: str, year: int | None = None) -> None:
        """Log an event in words."""
        y = self.model.year if year is None else year
        self.events["year"].append(y)
        self.events["kind"].append(kind)
        self.events["event"].append(f"{y}: {text[0].upper()}{text[1:]}")

    def record_year(self) -> None:
        """Append this year's model row and one row per ally."""
        m = self.model
        s = m.ally_state
        rows = self.ally_rows
        gdp = s.gdp_bn.copy()  # copies: an agent's attribute writes into the state in place
        genuine = s.core_pct.copy()
        reported = genuine + s.reclassified_pct
        headline = reported + s.related_pct
        rows["year"].append(m.year)  # expanded to one per ally in ally_columns()
        rows["iso3"].append(m.code_array)
        rows["member"].append(s.member.copy())
        rows["gdp_bn"].append(gdp)
        rows["core_pct"].append(reported)
        rows["genuine_core_pct"].append(genuine)
        rows["reclassified_pct"].append(reported - genuine)
        rows["related_pct"].append(headline - reported)
        rows["headline_pct"].append(headline)
        rows["spending_bn"].append(gdp * genuine / 100.0)
        rows["capability"].append(m.ally_capability())
        rows["threat"].append(s.threat.copy())
        rows["trust"].append(s.trust.copy())
        rows["greyzone_attacks"].append(s.greyzone_attacks.copy())
        eu_gdp = gdp * m.european  # GDP weights of the European allies with armed forces
        gdp_total = float(eu_gdp.sum())
        armed = m.armed
        reported_armed = reported[armed]
        us, ru, crisis = m.united_states, m.russia, m.probe_this_year
        head, capab = m.progress_measures()
        cov = m.coverage.tolist()
        goal = m.p_capability["coverage_goal"]
        genuine_bn = float(eu_gdp @ genuine)
        values: dict[str, Any] = {
            "year": m.year,
            "eu_core_pct": float(eu_gdp @ reported) / gdp_total,
            "eu_genuine_core_pct": genuine_bn / gdp_total,
            "eu_headline_pct": float(eu_gdp @ headline) / gdp_total,
            "eu_spending_bn": genuine_bn / 100.0,
            "n_allies_2pct": int(np.count_nonzero(reported_armed >= 1.995)),
            "n_allies_3_5pct": int(np.count_nonzero(reported_armed >= 3.495)),
            "n_allies_5pct": int(np.count_nonzero(headline[armed] >= 4.995)),
            "eu_capability_share": m.eu_share,
            **{f"coverage_{c}": v for c, v in zip(CATEGORIES, cov, strict=True)},
            "coverage_mean": sum(cov) / len(cov),
            "categories_taken_over": sum(c >= goal for c in cov),
            "backlog_years": m.pipeline.backlog_years(),
            "us_posture": us.posture,
            "us_threat_level": us.threat_level,
            "coercion_credibility": us.coercion_credibility,
            "us_exited_mechanisms": us.exited_mechanisms,
            "mean_trust": float(m.mean_weights @ s.trust),
            "mean_threat": float(m.mean_weights @ s.threat),
            "russia_resolve_estimate": ru.resolve_estimate,
            "russia_capability": ru.capability,
            "russia_free_capability": ru.free_capability,
            "russia_milex_bn": ru.milex_bn,
            "russia_milex_pct_gdp": ru.milex_pct_gdp,
            "greyzone_attacks": m.greyzone_total,
            "probe": int(crisis is not None),
            "probe_target": m.codes[crisis.target] if crisis else "",
            "probe_outcome": crisis.outcome if crisis else "",
            "us_responded": int(bool(crisis and crisis.us_responds)),
            "us_influence": m.us_influence,
            "nuclear_liability": m.nuclear_liability,
            "cohesion": m.cohesion,
            "progress_headline": head,
            "progress_capability": capab,
        }
        if not self.model_rows["year"] and list(values) != list(MODEL_COLUMNS):
            raise RuntimeError("record_year() must fill the columns in MODEL_COLUMNS order")
        for column, value in zip(self._model_lists, values.values(), strict=True):
            column.append(value)

    def ally_columns(self) -> dict[str, np.ndarray]:
        """The ally table as columns (one array per column, years stacked)."""
        n = len(self.model.codes)
        out = {k: np.concatenate(v) for k, v in self.ally_rows.items() if k != "year"}
        return {"year": np.repeat(np.array(self.ally_rows["year"]), n), **out}

    def summary(self) -> dict[str, Any]:
        """One row for the run: end values, crisis counts and the verdict."""
        m, rows = self.model, self.model_rows
        outcomes = [o for o in rows["probe_outcome"] if o]
        years = rows["year"]
        probe_years = [y for y, p in zip(years, rows["probe"], strict=True) if p]
        exits = [y for y, e in zip(years, rows["us_exited_mechanisms"], strict=True) if e]

        def at(col: str, year: int) -> float:
            return rows[col][years.index(year)] if year in years else float("nan")

        out = {
            "verdict": verdict(m, outcomes),
            "start_year": years[0],
            "end_year": years[-1],
            "eu_core_pct_start": rows["eu_core_pct"][0],
            "eu_core_pct_2030": at("eu_core_pct", 2030),
            "eu_core_pct_end": rows["eu_core_pct"][-1],
            "eu_genuine_core_pct_end": rows["eu_genuine_core_pct"][-1],
            "eu_headline_pct_end": rows["eu_headline_pct"][-1],
            "eu_capability_share_end": rows["eu_capability_share"][-1],
            "coverage_mean_end": rows["coverage_mean"][-1],
            "mean_trust_end": rows["mean_trust"][-1],
            "us_posture_end": rows["us_posture"][-1],
            "us_influence_end": rows["us_influence"][-1],
            "nuclear_liability_end": rows["nuclear_liability"][-1],
            "russia_resolve_estimate_end": rows["russia_resolve_estimate"][-1],
            "cohesion_end": rows["cohesion"][-1],
            "n_probes": len(outcomes),
            "n_repelled": outcomes.count("repelled"),
            "n_frozen": outcomes.count("frozen"),
            "n_article5_failures": outcomes.count("article5_failure"),
            "first_probe_year": probe_years[0] if probe_years else None,
            "us_exit_year": exits[0] if exits else None,
            "greyzone_attacks_total": int(sum(rows["greyzone_attacks"][1:])),
        }
        return out


def verdict(model: AllianceModel, outcomes: list[str]) -> str:
    """The run's verdict on sustainability, from the ``[verdict]`` thresholds, first match wins:

    1. ``deterrence_failed``: an Article 5 response failed during the run (C9, C11);
    2. ``europe_carries_us_lost_control``: European share of capability in Europe >=
       ``shift_share`` and US influence < ``influence_floor`` (C6, C7);
    3. ``headline_met_capability_hollow``: GDP-weighted European headline spending >=
       ``headline_met_pct`` but mean coverage < ``hollow_coverage`` (C16, C19);
    4. ``burden_shifted_alliance_intact``: share >= ``shift_share`` and mean trust >=
       ``trust_floor`` (C4);
    5. ``burden_shifted_trust_broken``: share >= ``shift_share``, trust below the floor (C9);
    6. ``burden_not_shifted``: otherwise.
    """
    v = model.p_verdict
    rows = model.recorder.model_rows
    share, trust = rows["eu_capability_share"][-1], rows["mean_trust"][-1]
    if "article5_failure" in outcomes:
        return "deterrence_failed"
    shifted = share >= v["shift_share"]
    if shifted and rows["us_influence"][-1] < v["influence_floor"]:
        return "europe_carries_us_lost_control"
    if (
        rows["eu_headline_pct"][-1] >= v["headline_met_pct"]
        and rows["coverage_mean"][-1] < v["hollow_coverage"]
    ):
        return "headline_met_capability_hollow"
    if shifted:
        return (
            "burden_shifted_alliance_intact"
            if trust >= v["trust_floor"]
            else ("burden_shifted_trust_broken")
        )
    return "burden_not_shifted"
