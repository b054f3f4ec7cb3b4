"""The alliance graph, built from the packaged data (no random generator is involved).

Nodes are the allies (ISO3 codes), ``USA`` and ``RUS``; each has ``kind`` and ``pos`` (capital
longitude, latitude) attributes. Edge weights (attribute ``weight``) are:

* ally-ally: ``border_weight`` x land border (``ally_land_borders.csv``)
  + ``distance_weight`` x exp(-capital distance / ``distance_scale_km``) (``allies.csv``)
  + ``group_weight`` x number of shared groups (EU, JEF, NB8, B9, NORDEFCO, Weimar; ``allies.csv``);
  edges below ``min_weight`` are dropped.
* Russia-ally (``proximity``): the largest of ``russia_border`` (land border with Russia),
  ``belarus_border`` (land border with Belarus), ``black_sea`` (Black Sea littoral) and
  exp(-distance from Moscow / ``russia_distance_scale_km``).
* US-ally (``posture``): 0.1 + ``posture_tier_weight`` x US posture tier (``us_posture.csv``),
  capped at 1.

Edges carry threat perception, spending norms, grey-zone exposure and crisis solidarity (MODEL.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import networkx as nx
import numpy as np

from .. import data

EARTH_RADIUS_KM = 6371.0


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance between two points in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def russia_proximity(ally: data.AllyRecord, p: Mapping[str, Any]) -> float:
    """Proximity of an ally to Russia in [0, 1] (rule documented in the module docstring)."""
    lat, lon = data.moscow()
    d = great_circle_km(ally.capital_lat, ally.capital_lon, lat, lon)
    return max(
        p["russia_border"] if ally.land_border_russia else 0.0,
        p["belarus_border"] if ally.land_border_belarus else 0.0,
        p["black_sea"] if ally.black_sea else 0.0,
        math.exp(-d / p["russia_distance_scale_km"]),
    )


@lru_cache(maxsize=1)
def _pairs() -> tuple[tuple[int, int, float, bool, int], ...]:
    """Every two allies ``(i, j, km, border, shared groups)``, ``i < j`` in ``data.allies()``
    order (the distance from :func:`distance_matrix`): what the edge weights are computed from,
    the same in every world (cached)."""
    allies = data.allies()
    borders = {frozenset(b) for b in data.land_borders()}
    km = distance_matrix()
    return tuple(
        (
            i,
            j,
            float(km[i, j]),
            frozenset((a.iso3, b.iso3)) in borders,
            len(a.groups & b.groups),
        )
        for i, a in enumerate(allies)
        for j, b in enumerate(allies)
        if j > i
    )


def _pair_weight(p: Mapping[str, Any], km: float, border: bool, shared: int) -> float:
    """The weight of the tie between two allies (rule: the module docstring), before
    ``min_weight`` drops it."""
    return (
        p["border_weight"] * border
        + p["distance_weight"] * math.exp(-km / p["distance_scale_km"])
        + p["group_weight"] * shared
    )


def _ally_weights(p: Mapping[str, Any]) -> np.ndarray:
    """The (allies x allies) matrix of ally-ally weights under ``p``, as :func:`_edges` gives
    it, without the graph's edges."""
    n = len(data.allies())
    raw = np.zeros((n, n))
    for i, j, d, border, shared in _pairs():
        w = _pair_weight(p, d, border, shared)
        if w >= p["min_weight"] and w > 0:
            raw[i, j] = raw[j, i] = w
    return raw


def _edges(p: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """The graph's edges under the ``[network]`` parameters ``p`` (rule: the module docstring),
    in the order the graph adds them (each ally's edges to later allies, then to Russia and the
    US)."""
    allies = data.allies()
    raw = _ally_weights(p)  # the kept ties: one rule for the graph and the arrays
    by_ally: list[list[tuple[str, str, dict[str, Any]]]] = [[] for _ in allies]
    for i, j, d, border, shared in _pairs():
        w = float(raw[i, j])
        if w > 0:
            attrs = {"weight": w, "kind": "ally", "border": border, "km": d}
            by_ally[i].append((allies[i].iso3, allies[j].iso3, {**attrs, "shared_groups": shared}))
    edges: list[tuple[str, str, dict[str, Any]]] = []
    for ally, mine in zip(allies, by_ally, strict=True):
        edges += mine
        edges.append(("RUS", ally.iso3, {"weight": russia_proximity(ally, p), "kind": "russia"}))
        edges.append(("USA", ally.iso3, {"kind": "posture", "weight": posture_weight(ally, p)}))
    return edges


def posture_weight(ally: data.AllyRecord, p: Mapping[str, Any]) -> float:
    """The US-ally edge weight (rule: the module docstring)."""
    return min(1.0, 0.1 + p["posture_tier_weight"] * ally.us_posture_tier)


def build_network(p: Mapping[str, Any]) -> nx.Graph:
    """Build the alliance graph from data, with the ``[network]`` parameters ``p``."""
    return _graph(_edges(p))


def _graph(edges: list[tuple[str, str, dict[str, Any]]]) -> nx.Graph:
    """The graph: the allies, Russia and the US as nodes (kind, capital, country), ``edges``."""
    g = nx.Graph()
    for a in data.allies():
        g.add_node(a.iso3, kind="ally", pos=(a.capital_lon, a.capital_lat), country=a.country)
    lat, lon = data.moscow()
    g.add_node("RUS", kind="russia", pos=(lon, lat), country="Russia")
    us_lat, us_lon = data.washington()
    g.add_node("USA", kind="united_states", country="United States", pos=(us_lon, us_lat))
    g.add_edges_from(edges)
    return g


def ally_matrices(
    g: nx.Graph, codes: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Arrays for the model: ally-ally weights (raw and row-normalised), Russia proximity, posture.

    Returns:
        ``(raw, w, proximity, posture)`` where ``raw[i, j]`` is the edge weight, ``w[i, j]`` ally
        j's share of ally i's neighbourhood (rows with no neighbour are zero), ``proximity[i]``
        the Russia edge weight and ``posture[i]`` the US edge weight of ally i.
    """
    n = len(codes)
    w = np.zeros((n, n))
    index = {c: i for i, c in enumerate(codes)}
    for a, b, d in g.edges(data=True):
        if d["kind"] == "ally":
            i, j = index[a], index[b]
            w[i, j] = w[j, i] = d["weight"]
    proximity = np.array([g["RUS"][c]["weight"] for c in codes])
    posture = np.array([g["USA"][c]["weight"] for c in codes])
    return w, _normalised(w), proximity, posture


def _normalised(w: np.ndarray) -> np.ndarray:
    """Each row of ``w`` over its sum (rows with no neighbour are zero)."""
    rows = w.sum(axis=1, keepdims=True)
    return np.divide(w, rows, out=np.zeros_like(w), where=rows > 0)


@lru_cache(maxsize=1)
def distance_matrix() -> np.ndarray:
    """Great-circle distance between every two allies' capitals, km (``data.allies()`` order;
    read-only, cached)."""
    allies = data.allies()
    out = np.array(
        [
            [
                great_circle_km(a.capital_lat, a.capital_lon, b.capital_lat, b.capital_lon)
                for b in allies
            ]
            for a in allies
        ]
    )
    out.flags.writeable = False
    return out


@lru_cache(maxsize=32)
def cached_network(
    items: tuple[tuple[str, Any], ...],
) -> tuple[nx.Graph, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The graph and its ally arrays for ``[network]`` parameters given as sorted items.

    Built once per distinct parameter set and shared by the models of a process; callers must
    treat the graph and arrays as read-only (the arrays are flagged so).
    """
    return (_graph(_edges(dict(items))), *cached_arrays(items))


@lru_cache(maxsize=32)
def cached_arrays(
    items: tuple[tuple[str, Any], ...],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The network's ally arrays (raw and row-normalised ally weights, Russia proximity, US
    posture weight), computed without building the graph: what a run's rules read, and what
    :func:`ally_matrices` reads from the graph, bit for bit (the same expressions in the same
    order). A model builds its graph only when something asks for it
    (:attr:`sim.model.alliance.AllianceModel.graph`)."""
    p = dict(items)
    allies = data.allies()
    raw = _ally_weights(p)
    proximity = np.array([russia_proximity(a, p) for a in allies])
    posture = np.array([posture_weight(a, p) for a in allies])
    arrays = (raw, _normalised(raw), proximity, posture)
    for arr in arrays:
        arr.flags.writeable = False
    return arrays
