"""Golden check: a speed change must leave every output table identical, bit for bit.

Runs every scenario under ``scenarios/`` (the top level and the theses), a few sampled worlds
and a few knock-out switches, for a few seeds each, and writes every table of every run
(model, allies, events, summary, probe options, worlds) to a folder (``--save DIR``), or
compares them exactly with a folder saved before (``--check DIR``): the same values, dtypes,
column order and row order, floats compared bit for bit (NaN equal to NaN).

The intended use: save from the commit before an optimisation, check after it::

    git stash; PYTHONPATH=$PWD python benchmarks/golden.py --save /tmp/golden; git stash pop
    PYTHONPATH=$PWD python benchmarks/golden.py --check /tmp/golden

``--digest`` prints one SHA-256 over every table (what ``--save`` also writes to
``DIR/digest.txt``), for comparing two commits without sharing a folder. A script, not a test:
it takes about 15 s on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.runs.runner import run_replications

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (1, 2, 3)  # root seeds; each runs REPS replications
REPS = 4

# (label, scenario file, parameter changes, sample worlds)
VARIANTS: list[tuple[str, str, dict[str, object], bool]] = [
    *(
        (p.stem if p.parent.name == "scenarios" else f"theses_{p.stem}", str(p), {}, False)
        for p in sorted((ROOT / "scenarios").glob("*.toml"))
        + sorted((ROOT / "scenarios" / "theses").glob("*.toml"))
    ),
    ("baseline_worlds", str(ROOT / "scenarios" / "baseline.toml"), {}, True),
    ("war_worlds", str(ROOT / "scenarios" / "baltic_probe.toml"), {}, True),
    (
        "baseline_no_local_balance",
        str(ROOT / "scenarios" / "baseline.toml"),
        {"mechanisms.local_balance": False},
        False,
    ),
    (
        "baseline_no_solidarity_no_incursions",
        str(ROOT / "scenarios" / "baseline.toml"),
        {"mechanisms.solidarity": False, "mechanisms.incursions": False},
        False,
    ),
    (
        "baseline_threats",
        str(ROOT / "scenarios" / "baseline.toml"),
        {"united_states.threat_intensity": 1.0},
        False,
    ),
]


def tables() -> dict[str, pd.DataFrame]:
    """Every table of every variant, keyed ``label/seed/table``."""
    out: dict[str, pd.DataFrame] = {}
    for label, path, params, worlds in VARIANTS:
        scenario = sim.load_scenario(path)
        if params:
            scenario = scenario.with_params(params)
        for seed in SEEDS:
            res = run_replications(scenario, REPS, seed=seed, worlds=worlds)
            assert not res.failures, res.failures[0].error
            for name, frame in res.tables.items():
                out[f"{label}/{seed}/{name}"] = frame
    return out


def _digest(frames: dict[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for key in sorted(frames):
        f = frames[key]
        h.update(key.encode())
        h.update(repr([(c, str(t)) for c, t in f.dtypes.items()]).encode())
        h.update(pd.util.hash_pandas_object(f, index=True).to_numpy().tobytes())
    return h.hexdigest()


def _file(folder: Path, key: str) -> Path:
    return folder / (key.replace("/", "__") + ".pkl")


def save(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    frames = tables()
    for key, frame in frames.items():
        frame.to_pickle(_file(folder, key))
    digest = _digest(frames)
    (folder / "digest.txt").write_text(digest + "\n")
    print(f"saved {len(frames)} tables to {folder}; digest {digest}")


def check(folder: Path) -> int:
    frames = tables()
    saved = {p.stem.replace("__", "/") for p in folder.glob("*.pkl")}
    bad = sorted(saved ^ set(frames))
    for key in bad:
        print(f"MISSING {key} ({'now' if key in saved else 'in the saved copy'})")
    for key in sorted(saved & set(frames)):
        old, new = pd.read_pickle(_file(folder, key)), frames[key]
        try:
            pd.testing.assert_frame_equal(new, old, check_exact=True)
        except AssertionError as err:
            bad.append(key)
            print(f"DIFFERS {key}: {str(err).splitlines()[0:6]}")
            continue
        # assert_frame_equal treats -0.0 == 0.0; bit identity is checked here too
        for col in new.columns:
            a, b = new[col].to_numpy(), old[col].to_numpy()
            if a.dtype.kind == "f" and not np.array_equal(a.view(np.int64), b.view(np.int64)):
                bad.append(key)
                print(f"DIFFERS {key}: {col} not bit-identical")
                break
    print(
        f"golden check: {len(frames)} tables, {len(bad)} differ or missing; "
        f"digest {_digest(frames)}"
    )
    return 1 if bad else 0


def main() -> int:
    try:  # a batch of runs that fails is an error here, not run again one at a time
        from sim.engine import lockstep  # noqa: PLC0415 (absent before the engine)

        lockstep.STRICT = True
    except ImportError:
        pass
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--save", type=Path, metavar="DIR")
    g.add_argument("--check", type=Path, metavar="DIR")
    g.add_argument("--digest", action="store_true")
    a = ap.parse_args()
    if a.save:
        save(a.save)
        return 0
    if a.check:
        return check(a.check)
    print(_digest(tables()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
