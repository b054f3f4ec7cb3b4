"""The network is built from data, deterministically; the packaged data match their sources."""

from __future__ import annotations

import csv
from importlib import resources

import networkx as nx
import pytest

from sim import data
from sim.model.network import build_network, great_circle_km
from sim.scenario import Scenario

from .conftest import ROOT

P = Scenario.default().params["network"]


def test_graph_has_every_actor_and_is_reproducible():
    g1, g2 = build_network(P), build_network(P)
    assert set(g1.nodes) == {a.iso3 for a in data.allies()} | {"USA", "RUS"}
    assert nx.utils.graphs_equal(g1, g2)
    assert [d for *_, d in g1.edges(data=True)] == [d for *_, d in g2.edges(data=True)]


def test_edge_weights_follow_the_documented_rule():
    g = build_network(P)
    # Estonia and Latvia: land border + shared EU, JEF, NB8, B9
    d = great_circle_km(59.44, 24.75, 56.95, 24.11)
    import math

    expected = (
        P["border_weight"]
        + P["distance_weight"] * math.exp(-d / P["distance_scale_km"])
        + P["group_weight"] * 4
    )
    assert g["EST"]["LVA"]["weight"] == pytest.approx(expected)
    assert g["RUS"]["EST"]["weight"] == P["russia_border"]
    assert g["RUS"]["ROU"]["weight"] == P["black_sea"]
    assert g["RUS"]["PRT"]["weight"] < 0.2
    assert g["USA"]["DEU"]["weight"] > g["USA"]["ALB"]["weight"]


def test_thirty_one_allies_canada_and_iceland_flagged():
    allies = data.allies()
    assert len(allies) == 31
    by = {a.iso3: a for a in allies}
    assert not by["CAN"].european and by["CAN"].armed_forces
    assert not by["ISL"].armed_forces
    assert sum(a.armed_forces for a in allies) == 30


def test_packaged_data_are_the_shared_reference_data():
    shared = ROOT.parent / "shared" / "data"
    if not shared.is_dir():
        pytest.skip("shared/ reference data not beside this checkout")
    for name in (
        "allies.csv",
        "defence_pct_gdp.csv",
        "gdp_current_usd.csv",
        "russia.csv",
        "ally_land_borders.csv",
        "facts.csv",
    ):
        packaged = resources.files("sim.data").joinpath(name).read_text()
        assert packaged == (shared / name).read_text(), name


def test_every_packaged_file_has_provenance():
    sources = resources.files("sim.data").joinpath("SOURCES.md").read_text()
    for entry in resources.files("sim.data").iterdir():
        if entry.name.endswith(".csv"):
            assert f"`{entry.name}`" in sources, entry.name


def test_start_values_come_from_the_2025_data():
    hist = data.defence_history()
    with resources.files("sim.data").joinpath("defence_pct_gdp.csv").open() as fh:
        rows = [r for r in csv.DictReader(fh) if r["year"] == "2025"]
    assert {r["iso3"]: float(r["defence_pct_gdp"]) for r in rows} == {
        k: v[2025] for k, v in hist.items()
    }
