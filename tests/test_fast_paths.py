"""Fast paths give the values of the rules they speed up, bit for bit (issue 25).

Each speed-up of a rule is checked here against the rule applied the slow way, over sampled
worlds (where the speed-up matters: a world changes the parameters, so nothing is cached) and
the start years the shipped scenarios use. ``benchmarks/golden.py`` checks whole runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.runs.worlds import apply_world, draw_fitted_world, draw_world, scenario_ranges


@pytest.fixture(scope="module")
def worlds():
    """Eight sampled worlds of the baseline, and the point-value baseline."""
    base = sim.load_scenario("baseline")
    ranges = scenario_ranges(base)
    out = [base]
    for seed in sim.replication_seeds(11, 8):
        world = {**draw_fitted_world(base, seed), **draw_world(ranges, seed)}
        out.append(apply_world(base, world)[0])
    return out


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("start", [2014, 2021, 2025])
def test_the_start_stocks_of_every_ally_at_once_are_those_ally_by_ally(worlds, start):
    from sim.model.initial import _capability_start, _capability_start_per_ally

    for sc in worlds:
        p = sc.params["capability"]
        fast, slow = _capability_start(sc, start, p), _capability_start_per_ally(sc, start, p)
        for a, b in zip(fast, slow, strict=True):
            assert _same_bits(a, b)
        assert fast[0].sum() > 0 and fast[1].sum() > 0  # not a comparison of two empties


def test_the_network_of_a_world_is_the_rule_applied_pair_by_pair(worlds):
    """The graph is built from pairs computed once (distances, borders, groups), and its
    arrays from the weights as they are computed: the same graph, in the same order, and the
    same arrays as read back from it, as the module's rule computed pair by pair."""
    import math

    from sim import data
    from sim.model.network import ally_matrices, build_network, cached_network, great_circle_km

    allies = data.allies()
    borders = {frozenset(b) for b in data.land_borders()}
    codes = [a.iso3 for a in allies]
    for sc in worlds:
        p = sc.params["network"]
        g = build_network(p)
        expected = []
        for i, a in enumerate(allies):
            for b in allies[i + 1 :]:
                d = great_circle_km(a.capital_lat, a.capital_lon, b.capital_lat, b.capital_lon)
                border = frozenset((a.iso3, b.iso3)) in borders
                shared = len(a.groups & b.groups)
                w = (
                    p["border_weight"] * border
                    + p["distance_weight"] * math.exp(-d / p["distance_scale_km"])
                    + p["group_weight"] * shared
                )
                if w >= p["min_weight"] and w > 0:
                    expected.append((a.iso3, b.iso3, w))
            expected += [("RUS", a.iso3, None), ("USA", a.iso3, None)]
        got = [(u, v, d["weight"] if d["kind"] == "ally" else None) for u, v, d in g.edges.data()]
        assert sorted((*sorted(e[:2]), e[2]) for e in got if e[2] is not None) == sorted(
            (*sorted(e[:2]), e[2]) for e in expected if e[2] is not None
        )
        assert {frozenset(e[:2]) for e in got} == {frozenset(e[:2]) for e in expected}
        assert list(g.nodes) == [*codes, "RUS", "USA"]
        cached = cached_network(tuple(sorted(p.items())))[1:]
        for a, b in zip(cached, ally_matrices(g, codes), strict=True):
            assert _same_bits(a, b)


def test_the_quantiles_of_a_world_are_numpys_seed_sequences():
    """All of a world's quantiles at once are those of a ``SeedSequence`` per parameter, as
    they were drawn before (``sim.runs.worlds`` module docstring), for seeds of every size."""
    import random
    import zlib

    from sim.runs.seedseq import first_uint64
    from sim.runs.worlds import _U53, WORLD_STREAM, quantile, quantiles

    def numpys(seed: int, key: str) -> float:
        ss = np.random.SeedSequence(seed, spawn_key=(WORLD_STREAM, zlib.crc32(key.encode())))
        return float(int(ss.generate_state(1, np.uint64)[0]) >> 11) * _U53

    draw = random.Random(3)
    keys = [f"section.name_{i}" for i in range(40)] + ["calibration.bootstrap", ""]
    seeds = [0, 1, 2**32 - 1, 2**32, 2**64 + 5, 2**128 - 1, 2**128 + 17, 2**300 + 1]
    seeds += [draw.getrandbits(draw.choice([31, 63, 64, 127, 128])) for _ in range(30)]
    for seed in seeds:
        assert list(quantiles(seed, keys)) == [numpys(seed, k) for k in keys]
        assert quantile(seed, keys[0]) == numpys(seed, keys[0])
    # any spawn key: several words before the last, and a last word of every size
    last = np.array([0, 1, 2**31, 2**32 - 1] + [draw.getrandbits(32) for _ in range(30)])
    for prefix in [(0,), (7, 2**40), (2**70,)]:
        for seed in seeds[:12]:
            expected = [
                np.random.SeedSequence(seed, spawn_key=(*prefix, int(w))).generate_state(
                    1, np.uint64
                )[0]
                for w in last
            ]
            assert list(first_uint64(seed, prefix, last)) == expected
    with pytest.raises(ValueError, match="non-negative"):
        first_uint64(-1, (0,), last)


def test_the_start_stocks_follow_the_data_they_are_read_from(worlds, monkeypatch):
    """The per-ally records are kept between runs, but not past a change of the data they come
    from: a test that swaps the spending data in (the hindcast's "no data after the start")
    must see stocks from the data it put there."""
    from sim import data
    from sim.model.initial import _capability_start, _capability_start_per_ally

    sc = worlds[0]
    p = sc.params["capability"]
    before = _capability_start(sc, 2021, p)[0]
    doubled = {k: {y: 2 * v for y, v in s.items()} for k, s in data.defence_history().items()}
    monkeypatch.setattr(data, "defence_history", lambda: doubled)
    fast, slow = _capability_start(sc, 2021, p), _capability_start_per_ally(sc, 2021, p)
    assert _same_bits(fast[0], slow[0]) and not _same_bits(fast[0], before)


def _tables_equal(a, b) -> None:
    import pandas as pd

    assert list(a.columns) == list(b.columns)
    assert list(a.dtypes) == list(b.dtypes)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_tables_built_column_by_column_are_those_of_a_frame_per_run():
    """``sim.runs.runner._frame`` (one table from every run's columns at once) against a frame
    per run concatenated (``_frame_per_run``): the tables of real runs, and made-up runs whose
    columns mix types, hold None, differ in dtype from run to run, differ in their columns, or
    have no rows."""
    from sim.runs.runner import RunResult, _frame, _frame_per_run, run_one

    base = sim.load_scenario("baseline")
    real = [run_one(base, s, i) for i, s in enumerate(sim.replication_seeds(5, 3))]
    for part in ("model", "allies", "events", "probe_options"):
        _tables_equal(_frame(real, part), _frame_per_run(real, part))

    def runs(*columns):
        return [RunResult(i, 100 + i, model=c) for i, c in enumerate(columns)]

    cases = [
        runs({"a": [1, 2], "b": ["x", "y"]}, {"a": [3], "b": ["z"]}),  # one type each
        runs({"a": [1, 2]}, {"a": [1.5]}),  # int in one run, float in another
        runs({"a": [None, None]}, {"a": [1.5, 2.5]}),  # all None in one run
        runs({"a": [True, 1]}, {"a": [0]}),  # bool and int
        runs({"a": [True, False]}, {"a": [True]}),  # flags
        runs({"a": [float("nan"), -0.0]}, {"a": [2.5]}),  # NaN and -0.0
        runs({"a": [-(2**63), 2**63 - 1]}, {"a": [0]}),  # the ends of int64
        runs({"a": np.array([1, 2])}, {"a": np.array([1.5])}),  # arrays of two dtypes
        runs({"a": np.array([True])}, {"a": np.array([False, True])}),
        runs({"a": [1], "b": [2]}, {"b": [3], "a": [4]}),  # columns in another order
        runs({"a": [1]}, {"a": []}),  # a run without rows
        runs({"a": [1]}, {}),  # a run without columns
        runs({"a": [np.float64(1.0), 2.0]}, {"a": [3.0]}),  # NumPy and Python floats
        runs({"a": ["x", None]}, {"a": [None]}),  # strings and None
        runs({"a": np.array(["x"], dtype=object)}, {"a": np.array([None], dtype=object)}),
        runs({"a": np.array(["x"], dtype=object)}, {"a": np.array(["y", "z"], dtype=object)}),
        runs({"a": pd.Categorical(["x"])}, {"a": pd.Categorical(["y"])}),  # an extension dtype
        runs({"a": [2**63, 1]}, {"a": [2]}),  # beyond int64
        runs({"a": [1, 2], "b": [1]}, {"a": [1], "b": [1, 2]}),  # columns of unequal length
        runs({"a": [1]}, {"a": np.array([2])}),  # a list in one run, an array in another
    ]
    for case in cases:
        try:
            want = _frame_per_run(case, "model")
        except ValueError:  # the frame per run refuses it: so must the fast path
            with pytest.raises(ValueError, match="same length"):
                _frame(case, "model")
            continue
        _tables_equal(_frame(case, "model"), want)
    huge = [RunResult(0, 2**63, model={"a": [1]}), RunResult(1, 5, model={"a": [2]})]
    _tables_equal(_frame(huge, "model"), _frame_per_run(huge, "model"))  # a seed beyond int64


def test_a_runs_network_arrays_without_the_graph_are_the_graphs(worlds):
    """``sim.model.network.cached_arrays`` (what a run's rules read, with no graph built) gives
    the arrays ``ally_matrices`` reads from the graph, bit for bit, in sampled worlds; the
    model's graph, built on first ask, is the cached graph."""
    from sim import data
    from sim.model.alliance import AllianceModel
    from sim.model.network import ally_matrices, build_network, cached_arrays, cached_network

    codes = [a.iso3 for a in data.allies()]
    for sc in worlds:
        items = tuple(sorted(sc.params["network"].items()))
        fast = cached_arrays(items)
        slow = ally_matrices(build_network(dict(items)), codes)
        for a, b in zip(fast, slow, strict=True):
            assert _same_bits(a, b)
    model = AllianceModel(worlds[1], rng=1)
    assert model.graph is cached_network(tuple(sorted(worlds[1].params["network"].items())))[0]
    assert model.graph.number_of_nodes() == len(model.codes) + 2
