"""Reference data packaged with natosim, and the code that reads it.

Every figure used for initial conditions comes from the CSV files beside this module; their
provenance is in ``SOURCES.md`` in this folder. Nothing here is invented: where the data are
silent (for example defence spending after the start year), the model does not look.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "AllyRecord",
    "allies",
    "ally_codes",
    "crisis_references",
    "defence_history",
    "facts",
    "forward_presence",
    "frontier_points",
    "gdp_history",
    "land_borders",
    "moscow",
    "russia_history",
    "us_forces",
    "washington",
]


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files(__package__).joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class AllyRecord:
    """One ally's static facts (``allies.csv`` and ``us_posture.csv``)."""

    iso3: str
    country: str
    gdp_usd_2024: float
    population_2024: int
    capital_lat: float
    capital_lon: float
    land_border_russia: bool
    land_border_belarus: bool
    black_sea: bool
    groups: frozenset[str]
    accession_year: int
    nuclear_weapon_state: bool
    us_posture_tier: int
    european: bool
    armed_forces: bool


GROUPS = ("eu", "jef", "nb8", "b9", "nordefco", "weimar")


@lru_cache(maxsize=1)
def allies() -> tuple[AllyRecord, ...]:
    """All allies except the United States, in the order of ``allies.csv``.

    Canada is flagged non-European; Iceland is flagged as having no armed forces (it is not
    reported in NATO's defence expenditure tables, SOURCES.md).
    """
    tiers = {r["iso3"]: int(r["posture_tier"]) for r in _rows("us_posture.csv")}
    reported = {code for code, _ in _defence_pairs()}
    out = []
    for r in _rows("allies.csv"):
        if r["iso3"] == "USA":
            continue
        out.append(
            AllyRecord(
                iso3=r["iso3"],
                country=r["country"],
                gdp_usd_2024=float(r["gdp_usd_2024"]),
                population_2024=int(r["population_2024"]),
                capital_lat=float(r["capital_lat"]),
                capital_lon=float(r["capital_lon"]),
                land_border_russia=r["land_border_russia"] == "1",
                land_border_belarus=r["land_border_belarus"] == "1",
                black_sea=r["black_sea"] == "1",
                groups=frozenset(g for g in GROUPS if r[g] == "1"),
                accession_year=int(r["accession_year"]),
                nuclear_weapon_state=r["nuclear_weapon_state"] == "1",
                us_posture_tier=tiers.get(r["iso3"], 0),
                european=r["iso3"] != "CAN",
                armed_forces=r["iso3"] in reported,
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def ally_codes() -> frozenset[str]:
    """The ISO3 codes a scenario may name in per-ally overrides."""
    return frozenset(a.iso3 for a in allies())


def _defence_pairs() -> list[tuple[str, int]]:
    return [(r["iso3"], int(r["year"])) for r in _rows("defence_pct_gdp.csv")]


@lru_cache(maxsize=1)
def defence_history() -> dict[str, dict[int, float]]:
    """Defence expenditure, % of GDP (NATO definition), per ally and year (NATO, Aug 2025)."""
    out: dict[str, dict[int, float]] = {}
    for r in _rows("defence_pct_gdp.csv"):
        out.setdefault(r["iso3"], {})[int(r["year"])] = float(r["defence_pct_gdp"])
    return out


@lru_cache(maxsize=1)
def gdp_history() -> dict[str, dict[int, float]]:
    """GDP, billion US$ at current prices, per ally and year 2014-2024 (NATO, June 2024)."""
    out: dict[str, dict[int, float]] = {}
    for r in _rows("gdp_current_usd.csv"):
        out.setdefault(r["iso3"], {})[int(r["year"])] = float(r["gdp_musd_current"]) / 1000.0
    return out


@lru_cache(maxsize=1)
def land_borders() -> tuple[tuple[str, str], ...]:
    """Undirected land borders between two allies."""
    return tuple((r["iso3_a"], r["iso3_b"]) for r in _rows("ally_land_borders.csv"))


@lru_cache(maxsize=1)
def russia_history() -> dict[int, dict[str, float]]:
    """Russia's military spending (bn US$), its % of GDP and GDP (bn US$) per year (SIPRI, WDI).

    2025 has no US$ value in the source; it is filled as SIPRI's planned 7.2% of the 2025 GDP.
    """
    out: dict[int, dict[str, float]] = {}
    for r in _rows("russia.csv"):
        gdp = float(r["gdp_usd"]) / 1e9
        pct = float(r["milex_pct_gdp"])
        milex = float(r["milex_usd"]) / 1e9 if r["milex_usd"] else gdp * pct / 100.0
        out[int(r["year"])] = {"milex_bn": milex, "milex_pct_gdp": pct, "gdp_bn": gdp}
    return out


@lru_cache(maxsize=1)
def facts() -> dict[str, str]:
    """Commitments and headline facts (``facts.csv``), as strings keyed by ``key``."""
    return {r["key"]: r["value"] for r in _rows("facts.csv")}


@lru_cache(maxsize=1)
def washington() -> tuple[float, float]:
    """Washington's latitude and longitude in degrees (the USA row of ``allies.csv``)."""
    row = next(r for r in _rows("allies.csv") if r["iso3"] == "USA")
    return float(row["capital_lat"]), float(row["capital_lon"])


@lru_cache(maxsize=1)
def moscow() -> tuple[float, float]:
    """Moscow's latitude and longitude in degrees (``russia_reference.csv``)."""
    ref = {r["key"]: float(r["value"]) for r in _rows("russia_reference.csv")}
    return ref["moscow_lat"], ref["moscow_lon"]


@lru_cache(maxsize=1)
def crisis_references() -> dict[str, str]:
    """Published figures the deterrence mechanisms are checked against (RAND's Baltic wargames,
    the Danish intelligence service's 2025 timelines, US forces in Europe), keyed by ``key``:
    targets to compare with, never inputs (``crisis_references.csv``)."""
    return {r["key"]: r["value"] for r in _rows("crisis_references.csv")}


def _dated(name: str) -> list[dict[str, str]]:
    rows = _rows(name)
    for r in rows:
        r["to_year"] = r["to_year"] or "9999"
    return rows


@lru_cache(maxsize=64)
def forward_presence(year: int) -> tuple[tuple[str, str, float], ...]:
    """NATO's forward presence on the eastern flank in ``year``: ``(host, lead nation, troops)``
    per battlegroup or brigade (``forward_presence.csv``; the latest figure holds after it)."""
    return tuple(
        (r["host"], r["lead"], float(r["troops"]))
        for r in _dated("forward_presence.csv")
        if int(r["from_year"]) <= year <= int(r["to_year"])
    )


@lru_cache(maxsize=64)
def us_forces(year: int) -> dict[str, float]:
    """US ground forces by host ally in ``year``, troops (``us_forces.csv``; the latest figure
    holds after it). Air, naval and support personnel are not counted."""
    out: dict[str, float] = {}
    for r in _dated("us_forces.csv"):
        if int(r["from_year"]) <= year <= int(r["to_year"]):
            out[r["host"]] = out.get(r["host"], 0.0) + float(r["troops"])
    return out


@lru_cache(maxsize=1)
def frontier_points() -> dict[str, tuple[float, float]]:
    """A point on the border with Russia or Belarus for the front-line allies the wargame checks
    name (latitude, longitude; ``frontier_points.csv``)."""
    return {r["iso3"]: (float(r["lat"]), float(r["lon"])) for r in _rows("frontier_points.csv")}
