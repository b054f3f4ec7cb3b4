"""Sweeps: designs, validation, determinism across executors, failures, resume, analysis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli.commands import main
from sim.scenario import ScenarioError
from sim.sweeps import load_results
from sim.sweeps.designs import build_design
from sim.sweeps.spec import Factor, build_spec, parse_factor

from .conftest import ROOT

BASE = str(ROOT / "scenarios" / "baseline.toml")
TI = "united_states.threat_intensity"
PW = "allies.pledge_weight"


def spec(design, factors, samples=4, reps=1, **kw):
    return build_spec(BASE, factors, design, samples, reps, seed=3, **kw)


# -- designs -------------------------------------------------------------------------------------
def test_grid_is_the_product_of_levels_and_values():
    d = build_design(
        spec(
            "grid",
            [Factor(TI, 0.0, 1.0), Factor("united_states.execute_threats", values=(True, False))],
            samples=3,
        )
    )
    assert len(d) == 6
    assert sorted(set(d[TI])) == [0.0, 0.5, 1.0]


def test_list_zips_values():
    d = build_design(spec("list", [Factor(TI, values=(0.1, 0.7)), Factor(PW, values=(0.2, 0.8))]))
    assert d[[TI, PW]].to_numpy().tolist() == [[0.1, 0.2], [0.7, 0.8]]


@pytest.mark.parametrize(("design", "rows"), [("lhs", 8), ("sobol", 8 * 4), ("morris", 8 * 3)])
def test_salib_designs_have_the_documented_size_and_stay_in_bounds(design, rows):
    d = build_design(spec(design, [Factor(TI, 0.2, 0.6), Factor(PW, 0.1, 0.3)], samples=8))
    assert len(d) == rows
    assert d[TI].between(0.2, 0.6).all() and d[PW].between(0.1, 0.3).all()


def test_integer_parameters_are_rounded():
    d = build_design(spec("lhs", [Factor("united_states.patience_years", 1, 5)], samples=6))
    assert (d["united_states.patience_years"] % 1 == 0).all()


# -- validation ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        f"{TI}=0:2",
        f"{TI}=1:0",
        "nonsense.key=0:1",
        "united_states.execute_threats=0:2",  # a flag sweeps 0:1 or values, not beyond
        "united_states.measurement=0:1",  # a choice is swept by values only
        f"{TI}=a:b",
        TI,
    ],
)
def test_bad_factors_are_rejected(text):
    with pytest.raises(ScenarioError):
        parse_factor(text)


def test_sobol_needs_ranges():
    with pytest.raises(ScenarioError):
        spec("sobol", [Factor(TI, values=(0.1, 0.2))])


def test_cli_bad_sweep_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["sweep", BASE, "--param", f"{TI}=0:3", "--out", str(out), "--quiet"]) == 2
    assert TI in capsys.readouterr().err
    assert not out.exists()


# -- execution -----------------------------------------------------------------------------------


def small_sweep(out, samples=6, **kw):
    """The two-factor LHS sweep the determinism tests share (seed 4, 2 replications)."""
    kw = {"workers": 1, **kw}
    return sim.sweep(
        BASE,
        {TI: (0.0, 1.0), PW: (0.1, 0.7)},
        design="lhs",
        samples=samples,
        reps=2,
        seed=4,
        out=out,
        progress=False,
        **kw,
    )


def _tables(folder):
    t = load_results(folder)
    return {k: v for k, v in t.items() if k != "failures"}


def _assert_same(a, b):
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=False)


@pytest.fixture(scope="module")
def serial_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sw") / "serial"
    o = small_sweep(out)
    assert (o.runs, o.failed, o.total) == (12, 0, 12)
    return out


def test_rows_record_point_rep_and_spawned_seeds(serial_sweep):
    t = load_results(serial_sweep)
    s = t["summary"]
    assert sorted(s["run"]) == list(range(12))
    assert set(s["seed"]) == set(sim.replication_seeds(4, 2))
    assert (s.groupby("rep")["seed"].nunique() == 1).all()  # common random numbers
    assert len(t["model"]) == 12 * 16 and len(t["allies"]) == 12 * 16 * 31
    assert len(t["design"]) == 6


def test_process_pool_gives_the_same_rows(serial_sweep, tmp_path):
    out = tmp_path / "pool"
    small_sweep(out, workers=2)
    _assert_same(_tables(serial_sweep), _tables(out))


def test_dask_local_cluster_gives_the_same_rows(serial_sweep, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        out = tmp_path / "dask"
        small_sweep(out, scheduler=cluster.scheduler_address)
    _assert_same(_tables(serial_sweep), _tables(out))


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch, capsys):
    from sim.sweeps import execute

    real = execute.run_many
    monkeypatch.setattr(
        execute,
        "run_many",
        lambda items, changes=(): [
            sim.RunResult(r.run, r.seed, error="Traceback: scripted failure") if r.run == 1 else r
            for r in real(items, changes)
        ],
    )
    out = tmp_path / "f"
    code = main(
        [
            "sweep",
            BASE,
            "--param",
            f"{TI}=0:1",
            "--samples",
            "3",
            "--workers",
            "1",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 1
    t = load_results(out)
    assert list(t["failures"]["run"]) == [1]
    assert "scripted failure" in t["failures"]["error"][0]
    assert sorted(t["summary"]["run"]) == [0, 2]


def test_sigkill_then_resume_loses_and_repeats_nothing(serial_sweep, tmp_path):
    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "sim",
        "sweep",
        BASE,
        "--param",
        f"{TI}=0:1",
        "--param",
        f"{PW}=0.1:0.7",
        "--design",
        "lhs",
        "--samples",
        "60",
        "--reps",
        "2",
        "--seed",
        "4",
        "--workers",
        "1",
        "--out",
        str(out),
        "--quiet",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = out / "parts" / "done"
    deadline = time.time() + 60
    while time.time() < deadline and len(list(done.glob("*.json"))) < 2:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished_before = len(list(done.glob("*.json")))
    assert finished_before >= 2
    assert main(["sweep", "--resume", str(out), "--workers", "2", "--quiet"]) == 0
    s = load_results(out)["summary"]
    assert sorted(s["run"]) == list(range(120))  # every run exactly once
    full = tmp_path / "full"
    small_sweep(full, samples=60, workers=2)
    _assert_same(_tables(full), _tables(out))


# -- analysis ------------------------------------------------------------------------------------
def test_sobol_indices_rank_the_factor_that_matters(tmp_path, capsys):
    out = tmp_path / "sobol"
    assert (
        main(
            [
                "sweep",
                BASE,
                "--param",
                f"{TI}=0:1",
                "--param",
                "verdict.shift_coverage_gain=0.05:0.2",
                "--design",
                "sobol",
                "--samples",
                "16",
                "--workers",
                "1",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["sensitivity", str(out), "--outputs", "eu_core_pct_end", "eu_core_pct@2030"]) == 0
    df = pd.read_csv(out / "sensitivity.csv")
    st = df[df.output == "eu_core_pct_end"].set_index("factor")["ST"]
    assert st[TI] > 0.5 > abs(st["verdict.shift_coverage_gain"])
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(df.columns)
    assert "S1" in capsys.readouterr().out


def test_morris_gives_mu_star(tmp_path):
    out = tmp_path / "morris"
    sim.sweep(
        BASE,
        {TI: (0.0, 1.0), PW: (0.1, 0.7)},
        design="morris",
        samples=4,
        out=out,
        workers=1,
        progress=False,
    )
    df = sim.sensitivity(out, ("eu_core_pct_end",))
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(df.columns)
    assert np.isfinite(df["mu_star"]).all()


def test_discover_finds_the_region_that_leads_to_exit(tmp_path, capsys):
    out = tmp_path / "disc"
    sim.sweep(
        ROOT / "scenarios" / "deadline_2027.toml",
        {"united_states.deadline_goal": (0.0, 1.0)},
        design="lhs",
        samples=60,
        out=out,
        workers=1,
        progress=False,
    )
    assert main(["discover", str(out), "--outcome", "us_exit_year > 0"]) == 0
    text = capsys.readouterr().out
    assert "coverage" in text and "united_states.deadline_goal" in text
    boxes, n, cases = sim.discover(out, "us_exit_year > 0")
    best = boxes[0]
    assert best.density > 0.9 and best.coverage > 0.9
    lo, hi = best.limits["united_states.deadline_goal"]
    assert 0.0 < lo < 1.0 and hi == np.inf


def test_shipped_sweep_files_validate():
    from sim.sweeps.designs import build_design
    from sim.sweeps.spec import load_sweep_file

    files = sorted((ROOT / "sweeps").glob("*.toml"))
    assert files
    for path in files:
        spec_, scenario = load_sweep_file(path)
        assert len(build_design(spec_)) > 0 and scenario.name


def test_sweep_file_with_bad_factor_is_rejected(tmp_path):
    from sim.sweeps.spec import load_sweep_file

    bad = tmp_path / "bad.toml"
    bad.write_text(f'base = "{BASE}"\ndesign = "lhs"\n[factors]\n"{TI}" = [0.0, 7.0]\n')
    with pytest.raises(ScenarioError, match=TI):
        load_sweep_file(bad)


def test_the_batch_run_benchmark_collects_the_same_outputs():
    """benchmarks/sweep_vs_batch_run.py compares like with like: its DataCollector holds the
    values of natosim's model and ally tables."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "sweep_vs_batch_run.py"
    spec = importlib.util.spec_from_file_location("sweep_vs_batch_run", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    model = bench.BatchModel(0.4, rng=3)
    while model.running:
        model.step()
    dc = model.datacollector
    agents = dc.get_agent_vars_dataframe().dropna(subset=["ally_iso3"])
    ours = model.recorder.ally_columns()
    assert len(agents) == len(ours["iso3"])
    assert agents["ally_iso3"].tolist() == list(ours.pop("iso3"))
    ours.pop("year")
    for col, values in ours.items():
        expected = values.astype(float).tolist()
        assert agents[f"ally_{col}"].astype(float).tolist() == pytest.approx(expected), col
    table = dc.get_model_vars_dataframe()
    for col, values in model.recorder.model_rows.items():
        if isinstance(values[0], str):
            assert table[col].tolist() == values, col
        else:
            assert table[col].tolist() == pytest.approx(values, rel=1e-12), col


# -- global sensitivity over every assumption ----------------------------------------------------
def test_all_factors_cover_every_assumption_within_bounds_and_rules():
    from sim.scenario import CATALOGUE
    from sim.scenario.catalogue import check_cross_fields
    from sim.sweeps.spec import all_factors, param_for

    base = sim.load_scenario(BASE)
    factors = all_factors(0.5, centre=base)
    keys = {f.key for f in factors}
    assert {f"mechanisms.{s}" for s in CATALOGUE.by_section["mechanisms"]} <= keys
    assert "run.end_year" not in keys and not any(k.startswith("verdict.") for k in keys)
    for f in factors:
        p = param_for(f.key)
        assert p.low <= f.low < f.high <= p.high if p.kind != "bool" else (f.low, f.high) == (0, 1)
    highs = {f.key: f.high for f in factors}
    params = {
        "allies": {
            "pledge_weight": highs["allies.pledge_weight"],
            "peer_weight": highs["allies.peer_weight"],
        }
    }
    check_cross_fields("test", params)  # the extremes together are valid


def test_a_flag_is_swept_as_0_to_1_and_nothing_else(tmp_path):
    from sim.scenario import ScenarioError
    from sim.sweeps.spec import parse_factor

    assert parse_factor("mechanisms.probing=0:1").high == 1.0
    with pytest.raises(ScenarioError):
        parse_factor("mechanisms.probing=0:2")


def test_lhs_sensitivity_gives_pawn_with_a_noise_floor_and_verdict_probabilities(tmp_path):
    """PAWN on a Latin hypercube finds the factor that matters above a dummy factor's noise
    floor; verdict probabilities per point are outputs like any other."""
    from sim.sweeps.analysis import sensitivity, top_factors

    out = tmp_path / "lhs"
    sim.sweep(
        str(ROOT / "scenarios" / "cajole.toml"),
        {
            TI: (0.0, 1.0),
            "mechanisms.pledge": (0.0, 1.0),
            "network.min_weight": (0.05, 0.15),
            # a name ending in _step, which SALib's delta refuses as a column name (fuzzing)
            "united_states.drawdown_step": (0.0, 1.0),
        },
        design="lhs",
        samples=40,
        reps=2,
        seed=3,
        out=out,
        workers=1,
        progress=False,
    )
    df = sensitivity(out, ("eu_core_pct_end", "p:verdict == 'burden_not_shifted'"))
    top = top_factors(df, "eu_core_pct_end", 3)
    print(top[["factor", "pawn_median", "pawn_median_noise"]])
    assert top.iloc[0]["factor"] in (TI, "mechanisms.pledge")
    assert top.iloc[0]["pawn_median"] > top.iloc[0]["pawn_median_noise"]
    assert {"delta", "S1"} <= set(df.columns)  # few factors: delta too
    assert "united_states.drawdown_step" in set(df["factor"])
    assert main(["sensitivity", str(out), "--method", "pawn"]) == 0


def test_load_results_reads_slices_joins_factors_and_carries_units(tmp_path):
    import json

    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    folder = tmp_path / "sw"
    sim.sweep(
        "cajole",
        {"united_states.threat_intensity": (0.0, 1.0)},
        design="lhs",
        samples=3,
        reps=2,
        seed=4,
        out=folder,
        workers=1,
        progress=False,
    )
    t = load_results(
        folder,
        tables=("model",),
        columns=["year", "eu_core_pct", "probe_target"],
        filter=pc.field("year") == 2030,
        factors=True,
    )
    m = t["model"]
    assert set(m["year"]) == {2030} and len(m) == 6
    assert "united_states.threat_intensity" in m.columns and "mean_trust" not in m.columns
    assert m["probe_target"].isna().all() or (m["probe_target"] != "").all()  # nulls, never ""
    part = next((folder / "parts" / "model").glob("task-*.parquet"))
    units = json.loads(pq.read_schema(part).metadata[b"natosim.units"])
    assert units["eu_core_pct"].endswith("% of GDP")


def test_a_sweep_in_sampled_worlds_writes_the_worlds_table(tmp_path):
    """Issue 24: one row per run, one column per sampled parameter; the factors are the points'
    (not sampled); replication r has the same world at every point (common random numbers);
    a run is the run of its point in that world."""
    from sim.runs.runner import run_one
    from sim.scenario import load_scenario

    out = tmp_path / "w"
    o = sim.sweep(
        BASE,
        {TI: [0.2, 0.8]},
        design="grid",
        reps=3,
        seed=5,
        out=out,
        progress=False,
        workers=1,
        worlds=True,
    )
    assert (o.runs, o.failed) == (6, 0)
    t = load_results(out)
    w = t["worlds"]
    assert sorted(w["run"]) == list(range(6)) and TI not in w.columns
    params = w.drop(columns=["point", "rep", "run", "seed"])
    assert (params.nunique() > 1).sum() >= 15
    assert (params.groupby(w["rep"]).nunique() == 1).all().all()  # same world at every point
    i = w.index[w["run"] == 4][0]  # point 1 (0.8), replication 1; column by column: the
    world = {k: params[k][i].item() for k in params.columns}  # ints stay ints, seeds exact
    again = run_one(load_scenario(BASE).with_params({TI: 0.8}), int(w["seed"][i]), 4, world)
    got = t["summary"].set_index("run").loc[4]
    assert got["eu_core_pct_end"] == pytest.approx(again.summary["eu_core_pct_end"])


def test_a_run_alone_gives_the_tables_it_has_inside_the_sweep(serial_sweep):
    """Determinism across batching (issue 25): a sweep's run, repeated alone from its point's
    parameters and its seed, gives the same model, ally and summary rows, whichever runs shared
    its task or process (the serial and 2-worker sweeps agree: test above)."""
    t = load_results(serial_sweep, factors=True)
    base = sim.load_scenario(BASE)
    for run in (1, 10):  # points 0 and 5, replications 1 and 0
        model = t["model"][t["model"]["run"] == run].reset_index(drop=True)
        first = model.iloc[0]
        sc = base.with_params({TI: float(first[TI]), PW: float(first[PW])})
        alone = sim.run_one(sc, int(first["seed"]), run)
        assert not alone.error, alone.error
        for name, cols in (("model", alone.model), ("allies", alone.allies)):
            keys = ["year", "iso3"] if name == "allies" else ["year"]
            swept = t[name][t[name]["run"] == run].sort_values(keys).reset_index(drop=True)
            mine = pd.DataFrame(cols).sort_values(keys).reset_index(drop=True)
            numeric = [c for c in mine.columns if mine[c].dtype.kind in "fiub"]
            pd.testing.assert_frame_equal(
                mine[numeric], swept[numeric], check_exact=True, check_dtype=False
            )
        row = t["summary"][t["summary"]["run"] == run].iloc[0]
        for k, v in alone.summary.items():
            if isinstance(v, float):
                assert row[k] == v or (np.isnan(v) and pd.isna(row[k])), k


def test_report_refuses_a_sweep_folder_whose_spec_is_not_natosims(tmp_path, capsys):
    """``natosim report`` checks a sweep's spec before any figure (the sweeps layer's check,
    handed down by the command): a ``sweep.json`` with every key but a spec natosim did not
    write is refused with one line naming the file, and nothing is written."""
    folder = tmp_path / "sweep"
    folder.mkdir()
    meta = {"spec": {"factors": "nonsense"}, "base": {}, "points": 1, "command": "x"}
    (folder / "sweep.json").write_text(json.dumps(meta))
    assert main(["report", str(folder)]) == 2
    assert "sweep.json" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["sweep.json"]


def test_a_column_missing_in_the_first_task_takes_its_type_from_a_later_one(tmp_path):
    """A summary column all missing in the first task (a deadline after that point's end year:
    type null) and filled in a later one (bool) is read whole, as bool with missing values,
    instead of failing to cast the later task to null (found by fuzzing: a sweep of
    ``united_states.deadline_year`` could not be read back)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sim.sweeps.store import SweepStore

    store = SweepStore(tmp_path / "sw")
    store.create({"spec": {}}, pd.DataFrame({"point": [0, 1]}))

    def part(run: int, met: list[bool | None]) -> bytes:
        sink = pa.BufferOutputStream()
        pq.write_table(pa.table({"run": [run], "deadline_met": pa.array(met)}), sink)
        return sink.getvalue().to_pybytes()

    store.write_task(0, {"summary": part(0, [None])}, {"runs": 1, "failed": 0})
    store.write_task(1, {"summary": part(1, [True])}, {"runs": 1, "failed": 0})
    assert (
        pq.read_schema(tmp_path / "sw/parts/summary/task-000000.parquet").field("deadline_met").type
        == pa.null()
    )
    table = store.read("summary")
    assert table["deadline_met"].tolist() == [None, True]
    assert store.schema("summary").field("deadline_met").type == pa.bool_()


def _short_sweep(tmp_path, end_year: int, factors: dict, design: str, samples: int):
    """A sweep of a baseline cut at ``end_year``, one replication a point, in ``tmp_path/sw``."""
    sc = tmp_path / "short.toml"
    sc.write_text(f'name = "short"\nextends = "baseline"\n[run]\nend_year = {end_year}\n')
    out = tmp_path / "sw"
    sim.sweep(
        str(sc),
        factors,
        design=design,
        samples=samples,
        reps=1,
        seed=3,
        out=out,
        workers=1,
        progress=False,
    )
    return out


def test_sensitivity_names_an_output_year_outside_the_runs(tmp_path, capsys):
    """Found by fuzzing: an output of a year after the runs' end was reported as an unfinished
    sweep ("0 of 6 points; finish it with --resume"); the sweep is whole, the year is not in
    it, and the message says so with the years the runs cover."""
    out = _short_sweep(tmp_path, 2028, {TI: (0.0, 1.0)}, "lhs", 4)
    capsys.readouterr()
    assert main(["sensitivity", str(out), "--outputs", "eu_core_pct@2030"]) == 2
    err = capsys.readouterr().err
    assert "2030 is outside the years their runs cover (2025-2028)" in err, err
    assert "resume" not in err


def test_sobol_from_too_few_samples_says_so(tmp_path, capsys):
    """Found by fuzzing: Sobol from one base sample printed S1 1.333 and ST 2.000 with no word
    that they mean nothing; a note says so and how many samples to sweep."""
    out = _short_sweep(tmp_path, 2027, {TI: (0.0, 1.0), "russia.fatigue": (0.1, 0.5)}, "sobol", 2)
    capsys.readouterr()
    assert main(["sensitivity", str(out), "--outputs", "eu_core_pct_end"]) == 0
    assert "2 base sample(s) are too few for sobol indices" in capsys.readouterr().err


def test_a_method_for_a_design_with_its_own_indices_is_refused(tmp_path, capsys):
    """Found by a user's walk through the README: ``--method pawn`` on a Sobol sweep gave
    Sobol's indices and exit 0 (the flag is for a Latin hypercube); now it is refused, with
    the design named, and ``auto`` still works."""
    out = _short_sweep(tmp_path, 2027, {TI: (0.0, 1.0), "russia.fatigue": (0.1, 0.5)}, "sobol", 2)
    capsys.readouterr()
    assert main(["sensitivity", str(out), "--outputs", "eu_core_pct_end", "--method", "pawn"]) == 2
    err = capsys.readouterr().err
    assert "--method" in err and "this one is sobol" in err, err
    assert main(["sensitivity", str(out), "--outputs", "eu_core_pct_end"]) == 0


def test_the_report_of_a_morris_sweep_leaks_no_numpy_warnings(tmp_path, capsys):
    """Found by fuzzing: the report of a one-trajectory Morris sweep printed NumPy's "Degrees
    of freedom <= 0" and "invalid value encountered in divide" ten times."""
    out = _short_sweep(tmp_path, 2027, {TI: (0.0, 1.0)}, "morris", 1)
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    err = capsys.readouterr().err
    assert "Degrees of freedom" not in err and "invalid value" not in err, err
