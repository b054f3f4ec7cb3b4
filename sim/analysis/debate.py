"""The debate: each US policy under each thesis, and which thesis wins where.

The three articles disagree because they assume different mechanisms. Each thesis is a
documented set of assumptions (``scenarios/theses/``: every changed parameter quotes the sentence
of its article that justifies it); each US policy is an overlay (``scenarios/policies/``:
coerce, cajole, reassure, the 2027 deadline). :func:`debate` runs every policy under every thesis
with the same seeds, in a war or a ceasefire world, and reports per cell the probability of each
verdict and of an Article 5 failure with Wilson 95% intervals.

Each thesis makes a prediction that can win or lose (:data:`PREDICTIONS`), evaluated under every
thesis's assumptions:

* evolutionary: under coercion the burden shifts (coverage up, any "burden shifted" or "Europe
  carries" verdict) in at least half the runs, Article 5 fails in at most one run in ten, and
  coercion raises 2030 spending above cajoling (paired, 95% interval above 0);
* reckoning: Article 5 failures are likelier under coercion than without threats (cajoling; the
  95% interval of the difference above 0);
* deadline: under the 2027-deadline policy the deadline is missed in at least 90% of runs, and
  Europe's capability progress in 2027 is below half the US goal.

With ``worlds=True`` (the command line's default) each replication runs in its own world of
assumptions (:mod:`sim.runs.worlds`), the same world in every cell (common random numbers): the
probabilities are shares of worlds. Each prediction is then also judged world by world
(:func:`Debate.prediction_worlds`: the share of worlds in which it holds, with its Wilson
interval) and its cruxes named (:func:`Debate.cruxes`: which assumption would have to be true
for it to hold, :mod:`sim.analysis.cruxes`). A thesis narrows the ranges of the parameters it sets
(its
``[uncertainty]`` table: from the baseline's value, which its quoted sentence argues against, to
half as far again beyond its own value, under the same quote); every other assumption is drawn
from the common ranges.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..model.outputs import SHIFTED, VERDICTS
from ..runs.runner import Results, run_replications
from ..scenario import Scenario, load_scenario
from ..scenario.paths import PACKAGE_SCENARIOS
from .compare import europe_carries
from .cruxes import cruxes as crux_table
from .cruxes import in_words, label_frames, results_cruxes
from .debate_axes import POLICIES, THESES


def wilson(k: int, n: int) -> tuple[float, float, float]:
    """A proportion and its Wilson 95% interval."""
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    z = 1.96
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))


def cell_scenario(thesis: str, policy: str, ceasefire: int | None) -> Scenario:
    """A thesis with a policy laid over it, in a world with a ceasefire in ``ceasefire`` (None:
    the war in Ukraine goes on)."""
    root = PACKAGE_SCENARIOS
    sc = load_scenario(root / "theses" / f"{thesis}.toml", (root / "policies" / f"{policy}.toml",))
    if ceasefire is not None:
        series = dict(sc.series)
        series["ukraine_war"] = ((sc.get("run.start_year"), 1.0), (ceasefire, 0.0))
        sc = replace(sc, series=series)
    return sc


World = str  # "war" (the war in Ukraine goes on) or "ceasefire YEAR"


def world_name(ceasefire: int | None) -> World:
    return "war" if ceasefire is None else f"ceasefire {ceasefire}"


@dataclass
class Debate:
    """The runs of every cell (world, thesis, policy) and what they say."""

    cells: dict[tuple[World, str, str], Results]
    reps: int
    seed: int
    sampled: bool = False  # each replication in its own world (sim.runs.worlds)

    @property
    def worlds(self) -> list[World]:
        return list(dict.fromkeys(k[0] for k in self.cells))

    def table(self) -> pd.DataFrame:
        """One row per cell and outcome: probability with its Wilson 95% interval."""
        rows = []
        for (world, thesis, policy), res in self.cells.items():
            s = res.summary
            n = len(s)
            outcomes: dict[str, int] = {v: int((s["verdict"] == v).sum()) for v in VERDICTS}
            outcomes["article5_failure"] = int((s["n_article5_failures"] > 0).sum())
            outcomes["burden_shifted_any"] = int(s["verdict"].isin(SHIFTED).sum())
            outcomes["europe_carries"] = int(
                europe_carries(s, res.scenario.params["verdict"]).sum()
            )
            for name, k in outcomes.items():
                p, lo, hi = wilson(k, n)
                rows.append(
                    {
                        "world": world,
                        "thesis": thesis,
                        "policy": policy,
                        "outcome": name,
                        "p": p,
                        "low": lo,
                        "high": hi,
                        "runs": n,
                    }
                )
        return pd.DataFrame(rows)

    def summary(self, world: World, thesis: str, policy: str) -> pd.DataFrame:
        return self.cells[(world, thesis, policy)].summary

    def predictions(self) -> pd.DataFrame:
        """Each thesis's prediction evaluated under each thesis's assumptions, in each world."""
        rows = []
        theses = list(dict.fromkeys(k[1] for k in self.cells))
        for world in self.worlds:
            for assumptions in theses:
                for thesis, (text, check) in PREDICTIONS.items():
                    try:
                        holds, detail = check(self, world, assumptions)
                    except KeyError:  # a policy the prediction needs was not run
                        continue
                    rows.append(
                        {
                            "world": world,
                            "assumptions": assumptions,
                            "prediction_of": thesis,
                            "prediction": text,
                            "holds": holds,
                            "detail": detail,
                        }
                    )
        columns = ["world", "assumptions", "prediction_of", "prediction", "holds", "detail"]
        return pd.DataFrame(rows, columns=columns)  # no row when no prediction could be judged

    def prediction_worlds(self) -> pd.DataFrame:
        """Each prediction judged world by world (:data:`PER_WORLD`): in each world of the runs
        (and under each thesis's assumptions) the share of worlds where it holds, with its
        Wilson 95% interval."""
        rows = []
        for world, assumptions, thesis, holds in self._per_world():
            k, n = int(holds.sum()), len(holds)
            p, lo, hi = wilson(k, n)
            rows.append(
                {
                    "world": world,
                    "assumptions": assumptions,
                    "prediction_of": thesis,
                    "statement": PER_WORLD[thesis][0],
                    "holds_in": k,
                    "worlds": n,
                    "p": p,
                    "low": lo,
                    "high": hi,
                }
            )
        cols = ["world", "assumptions", "prediction_of", "statement", "holds_in", "worlds"]
        return pd.DataFrame(rows, columns=[*cols, "p", "low", "high"])

    def _per_world(self):
        theses = list(dict.fromkeys(k[1] for k in self.cells))
        for world in self.worlds:
            for assumptions in theses:
                for thesis, (_, check, _cell) in PER_WORLD.items():
                    try:
                        holds = check(self, world, assumptions)
                    except KeyError:  # a policy the prediction needs was not run
                        continue
                    yield world, assumptions, thesis, holds

    def cruxes(self) -> pd.DataFrame:
        """``cruxes.csv``: what each cell's headline outcomes turn on (``cell`` =
        world/thesis/policy) and what each prediction, judged world by world, turns on
        (``cell`` = world/assumptions/prediction of thesis); empty without sampled worlds."""
        if not self.sampled:
            return label_frames({}, "cell")
        frames = {
            f"{w}/{t}/{p}": results_cruxes(res, self.seed) for (w, t, p), res in self.cells.items()
        }
        for world, assumptions, thesis, holds in self._per_world():
            res = self.cells[(world, assumptions, PER_WORLD[thesis][2])]
            outcome = pd.DataFrame({f"prediction:{thesis}": holds.astype(float)})
            frames[f"{world}/{assumptions}/prediction of {thesis}"] = crux_table(
                res.worlds, outcome, seed=self.seed
            )
        frames.update(self._pooled_cruxes())
        return label_frames(frames, "cell")

    def _pooled_cruxes(self) -> dict[str, pd.DataFrame]:
        """Each prediction's cruxes over the worlds of every thesis's assumptions pooled (cell
        ``WORLD/all theses/prediction of T``), and over both worlds as well (``all worlds/all
        theses/...``). One cell's 60 worlds rarely hold a lopsided prediction's other side five
        times; pooled, a prediction that holds in a few worlds of each cell can name its crux,
        and the theses' narrowed ranges enter as what they are: assumptions. The pooled runs
        share their worlds (the same seeds); :func:`sim.analysis.cruxes.cruxes` (``pooled``)
        repeats its dummies with them, so the repetition does not lower the noise floor."""
        pooled: dict[tuple[str, str], list[tuple[pd.DataFrame, pd.Series]]] = {}
        for world, assumptions, thesis, holds in self._per_world():
            res = self.cells[(world, assumptions, PER_WORLD[thesis][2])]
            if res.worlds.empty:
                continue
            for where in (world, "all worlds"):
                pooled.setdefault((where, thesis), []).append((res.worlds, holds))
        if len(self.worlds) < 2:
            pooled = {k: v for k, v in pooled.items() if k[0] != "all worlds"}
        out: dict[str, pd.DataFrame] = {}
        for (where, thesis), parts in pooled.items():
            if len(parts) < 2:
                continue  # one cell: its own cruxes say it
            tables, outcomes = [], []
            for worlds, holds in parts:
                w = worlds.set_index("run")
                runs = [r for r in holds.index if r in w.index]
                tables.append(w.loc[runs].reset_index(drop=True))
                outcomes.append(holds.loc[runs].astype(float).to_numpy())
            table = pd.concat(tables, ignore_index=True)
            table = table.loc[:, table.notna().all()].copy()  # drop what some cells do not sample
            table.insert(0, "run", range(len(table)))
            y = pd.DataFrame({f"prediction:{thesis}": np.concatenate(outcomes)}, index=table["run"])
            out[f"{where}/all theses/prediction of {thesis}"] = crux_table(
                table, y, seed=self.seed, pooled=True
            )
        return out

    def prediction_cruxes(self) -> pd.DataFrame:
        """One line per prediction: its crux (the strongest parameter above the noise floor,
        from the most specific set of worlds that has one: a world under one thesis's
        assumptions, then a world under all three pooled, then all worlds), or why none is
        named. Columns ``prediction_of``, ``cell``, ``parameter``, ``sentence``."""
        cr = self.cruxes()
        judged = {t for _, _, t, _ in self._per_world()} if self.sampled else set()
        rows = []
        for thesis in PER_WORLD:
            if thesis not in judged:
                continue
            mine = cr[cr["cell"].str.endswith(f"/prediction of {thesis}")]
            if mine.empty:
                rows.append(
                    {
                        "prediction_of": thesis,
                        "cell": "",
                        "parameter": "",
                        "sentence": "no crux: fewer than 10 worlds in every set, too few to "
                        "rank the assumptions",
                    }
                )
                continue
            strong = mine[mine["above_noise"] == True]  # noqa: E712 (a column of bools)
            if not strong.empty:
                level = strong["cell"].map(
                    lambda c: 2 if c.startswith("all worlds/") else int("/all theses/" in c)
                )
                best = strong.assign(level=level).sort_values(
                    ["level", "index"], ascending=[True, False]
                )
                # every cell's leading crux above the floor, the most specific first
                top = best.groupby("cell", sort=False).head(1)
                for r in top.itertuples():
                    rows.append(
                        {
                            "prediction_of": thesis,
                            "cell": str(r.cell),
                            "parameter": str(r.parameter),
                            "sentence": f"{r.sentence} (PAWN {r.index:.2f}, noise "
                            f"{r.noise_floor:.2f})",
                        }
                    )
                continue
            pooled = mine[mine["cell"].str.startswith("all worlds/")]
            why = in_words(pooled if not pooled.empty else mine, limit=1)
            rows.append(
                {
                    "prediction_of": thesis,
                    "cell": "",
                    "parameter": "",
                    "sentence": "no crux above the noise floor in any set of worlds; "
                    + (why[0] if why else "no sampled worlds"),
                }
            )
        return pd.DataFrame(rows, columns=["prediction_of", "cell", "parameter", "sentence"])

    def wins(self) -> dict[str, list[World]]:
        """For each thesis, the worlds in which its prediction holds under its own assumptions."""
        p = self.predictions()
        own = p[(p["assumptions"] == p["prediction_of"]) & p["holds"]]
        return {t: own[own["prediction_of"] == t]["world"].tolist() for t in PREDICTIONS}


def _count(
    d: Debate, world: World, thesis: str, policy: str, test: Callable[[pd.DataFrame], pd.Series]
) -> tuple[int, int]:
    s = d.summary(world, thesis, policy)
    return int(test(s).sum()), len(s)


def _evolutionary(d: Debate, world: World, th: str) -> tuple[bool, str]:
    k, n = _count(d, world, th, "coerce", lambda s: s["verdict"].isin(SHIFTED))
    f, _ = _count(d, world, th, "coerce", lambda s: s["n_article5_failures"] > 0)
    a = d.summary(world, th, "coerce").sort_values("run")["eu_core_pct_2030"].to_numpy()
    b = d.summary(world, th, "cajole").sort_values("run")["eu_core_pct_2030"].to_numpy()
    diff = a - b
    if len(diff) < 2:  # one world: no spread, so no lower bound (and the prediction unshown)
        return False, (
            f"burden shifted {k}/{n}, Article 5 failures {f}/{n}, coercion's effect on 2030 "
            f"spending {diff.mean():+.2f} pp (one world: no interval, too few to judge)"
        )
    lo = diff.mean() - 1.96 * diff.std(ddof=1) / math.sqrt(len(diff))
    ok = k / n >= 0.5 and f / n <= 0.1 and lo > 0
    return ok, (
        f"burden shifted {k}/{n}, Article 5 failures {f}/{n}, coercion's effect on 2030 "
        f"spending {diff.mean():+.2f} pp (low {lo:+.2f})"
    )


def _reckoning(d: Debate, world: World, th: str) -> tuple[bool, str]:
    k1, n1 = _count(d, world, th, "coerce", lambda s: s["n_article5_failures"] > 0)
    k2, n2 = _count(d, world, th, "cajole", lambda s: s["n_article5_failures"] > 0)
    p1, p2 = k1 / n1, k2 / n2
    half = 1.96 * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    ok = p1 - p2 - half > 0
    return ok, (
        f"Article 5 failures under coercion {k1}/{n1}, without threats {k2}/{n2} "
        f"(difference {p1 - p2:+.2f} +- {half:.2f})"
    )


def _deadline(d: Debate, world: World, th: str) -> tuple[bool, str]:
    res = d.cells[(world, th, "deadline_2027")]
    missed = int((res.summary["deadline_met"] == False).sum())  # noqa: E712 (None: no deadline)
    n = len(res.summary)
    m = res.model
    progress = float(m[m["year"] == 2027]["progress_capability"].mean())
    goal = res.scenario.get("united_states.deadline_goal")
    ok = missed / n >= 0.9 and progress < 0.5 * goal
    return (
        ok,
        f"deadline missed {missed}/{n}, capability progress 2027 {progress:.2f} (goal {goal})",
    )


def _runs(d: Debate, world: World, th: str, policy: str) -> pd.DataFrame:
    return d.summary(world, th, policy).set_index("run").sort_index()


def _evolutionary_world(d: Debate, world: World, th: str) -> pd.Series:
    """In one world: coercion shifts the burden, Article 5 holds, and coercion's 2030 spending
    is above cajoling's in the same world."""
    a, b = _runs(d, world, th, "coerce"), _runs(d, world, th, "cajole")
    runs = a.index.intersection(b.index)
    a, b = a.loc[runs], b.loc[runs]
    return (
        a["verdict"].isin(SHIFTED)
        & (a["n_article5_failures"] == 0)
        & (a["eu_core_pct_2030"] > b["eu_core_pct_2030"])
    )


def _reckoning_world(d: Debate, world: World, th: str) -> pd.Series:
    """In one world: Article 5 fails under coercion and not without threats (cajoling)."""
    a, b = _runs(d, world, th, "coerce"), _runs(d, world, th, "cajole")
    runs = a.index.intersection(b.index)
    return (a.loc[runs, "n_article5_failures"] > 0) & (b.loc[runs, "n_article5_failures"] == 0)


def _deadline_world(d: Debate, world: World, th: str) -> pd.Series:
    """In one world: the 2027 deadline is missed and capability progress in 2027 is below half
    the US goal."""
    res = d.cells[(world, th, "deadline_2027")]
    s = res.summary.set_index("run").sort_index()
    m = res.model[res.model["year"] == 2027].set_index("run")["progress_capability"]
    goal = res.scenario.get("united_states.deadline_goal")
    missed = s["deadline_met"].map(lambda v: v is False or v is np.False_)
    return missed & (m.reindex(s.index) < 0.5 * goal)


# each prediction world by world: the statement, the test, and the cell whose worlds it reads
PER_WORLD: dict[str, tuple[str, Callable[[Debate, World, str], pd.Series], str]] = {
    "evolutionary": (
        "coercion shifts the burden, Article 5 holds and coercion out-raises cajoling (2030)",
        _evolutionary_world,
        "coerce",
    ),
    "reckoning": (
        "Article 5 fails under coercion and not under cajoling",
        _reckoning_world,
        "coerce",
    ),
    "deadline": (
        "the 2027 deadline is missed, capability progress below half the goal",
        _deadline_world,
        "deadline_2027",
    ),
}


PREDICTIONS: dict[str, tuple[str, Callable[[Debate, World, str], tuple[bool, str]]]] = {
    "evolutionary": ("coercion shifts the burden without breaking deterrence", _evolutionary),
    "reckoning": ("abandonment threats invite aggression: Article 5 fails more often", _reckoning),
    "deadline": ("the 2027 deadline is missed; capability cannot follow money in time", _deadline),
}


def debate(
    reps: int = 200,
    seed: int = 1,
    ceasefires: Sequence[int | None] = (None, 2027),
    theses: Sequence[str] = THESES,
    policies: Sequence[str] = POLICIES,
    executor: Executor | None = None,
    worlds: bool = False,
    progress: bool = False,
) -> Debate:
    """Run every policy under every thesis in every world (:mod:`sim.analysis.debate`):
    ``ceasefires``
    lists the worlds (None: the war goes on; a year: a ceasefire then). All cells share the
    root seed (common random numbers); with ``worlds`` each replication also draws its world
    of assumptions from its seed, the same in every cell. ``progress``: a bar over the cells and
    one over each cell's runs on standard error when it is a terminal (tqdm)."""
    from tqdm import tqdm  # noqa: PLC0415

    grid = [(c, t, p) for c in ceasefires for t in theses for p in policies]
    cells = {}
    for ceasefire, thesis, policy in tqdm(
        grid, desc="debate", unit="cell", disable=None if progress else True
    ):
        sc = cell_scenario(thesis, policy, ceasefire)
        res = run_replications(sc, reps, seed, executor=executor, worlds=worlds, progress=progress)
        if res.failures:
            raise RuntimeError(f"{thesis} x {policy}: {res.failures[0].error}")
        cells[(world_name(ceasefire), thesis, policy)] = res
    return Debate(cells, reps, seed, worlds)


def format_debate(d: Debate) -> str:
    """The table in words: per cell, verdict shares and Article 5 failures with intervals, then
    the predictions."""
    t = d.table()
    per = "world of assumptions (each run draws its own)" if d.sampled else "run (fixed parameters)"
    lines = [
        f"natosim debate: {d.reps} replications per cell, seed {d.seed}; worlds: "
        + ", ".join(d.worlds)
        + " (war: the war in Ukraine goes on)",
        f"probability [Wilson 95% interval] of each outcome per {per}",
        "",
    ]
    shown = ("article5_failure", "burden_shifted_any", "europe_carries", *VERDICTS)
    # each outcome's column as wide as its whole name (never cut: "europe carries, us lost
    # control" and "europe carries, alliance intact" differ only at the end)
    widths = [max(len(o), 18) for o in shown]
    head = f"{'world':<14} {'thesis':<13} {'policy':<14} " + " ".join(
        f"{o:>{w}}" for o, w in zip(shown, widths, strict=True)
    )
    lines.append(head)
    for keys, group in t.groupby(["world", "thesis", "policy"], sort=False):
        world, thesis, policy = (str(k) for k in keys)
        g: dict[Any, dict[Any, Any]] = group.set_index("outcome").to_dict("index")
        cells = [f"{g[o]['p']:.2f} [{g[o]['low']:.2f},{g[o]['high']:.2f}]" for o in shown]
        lines.append(
            f"{world:<14} {thesis:<13} {policy:<14} "
            + " ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
        )
    lines += ["", "Each thesis's prediction under each thesis's assumptions:"]
    for r in d.predictions().itertuples():
        mark = "holds" if r.holds else "fails"
        lines.append(
            f"  [{r.world}] {r.prediction_of:<13} under {r.assumptions:<13} {mark}: {r.detail}"
        )
    if d.sampled:
        lines += ["", "Each prediction world by world (share of worlds where it holds):"]
        for r in d.prediction_worlds().itertuples():
            lines.append(
                f"  [{r.world}] {r.prediction_of:<13} under {r.assumptions:<13} {r.p:.2f} "
                f"[{r.low:.2f}, {r.high:.2f}] ({r.holds_in}/{r.worlds}): {r.statement}"
            )
        cr = d.cruxes()
        own = cr[cr["cell"].str.contains("/prediction of ", regex=False)]
        if not own.empty:
            lines += ["", "What each prediction turns on (cruxes.csv):"]
            lines += ["  " + t for t in in_words(own, limit=2)]
            lines += ["", "The crux of each prediction (its strongest above the noise floor):"]
            for r in d.prediction_cruxes().itertuples():
                where = f"[{r.cell!s}] " if r.cell else ""
                lines.append(f"  {r.prediction_of}: {where}{r.sentence}")
    wins = d.wins()
    lines.append("")
    judged = set(d.predictions()["prediction_of"])
    for thesis, worlds in wins.items():
        if thesis not in judged:
            lines.append(f"{thesis}: not judged (its prediction compares policies not run here)")
            continue
        if worlds:
            lines.append(f"{thesis} wins under its own assumptions in: {', '.join(worlds)}")
        else:
            lines.append(
                f"{thesis} cannot win under its own assumptions in any world run "
                "(see the README: a finding, not a failure to hide)"
            )
    return "\n".join(lines)


def write_debate(d: Debate, folder: Path, style: str = "screen") -> None:
    """``debate.csv``, ``predictions.csv``, ``debate.txt`` and ``debate.png`` (in the figure
    ``style``: ``screen`` or ``paper``, :mod:`sim.report.style`) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    d.table().to_csv(folder / "debate.csv", index=False)
    d.predictions().to_csv(folder / "predictions.csv", index=False)
    if d.sampled:
        d.prediction_worlds().to_csv(folder / "prediction_worlds.csv", index=False)
        d.cruxes().to_csv(folder / "cruxes.csv", index=False)
        d.prediction_cruxes().to_csv(folder / "prediction_cruxes.csv", index=False)
        worlds = [
            r.worlds.assign(cell=f"{w}/{t}/{p}")
            for (w, t, p), r in d.cells.items()
            if not r.worlds.empty
        ]
        if worlds:
            pd.concat(worlds, ignore_index=True).to_csv(folder / "worlds.csv", index=False)
    (folder / "debate.txt").write_text(format_debate(d) + "\n")
    _figure(d, folder / "debate.png", style)


def _figure(d: Debate, path: Path, style: str = "screen") -> None:
    from ..report.figures_other import debate_heatmaps  # noqa: PLC0415 (plotting on demand)
    from ..report.style import figure_style  # noqa: PLC0415

    with figure_style(style) as drawn:
        debate_heatmaps(d.table()).savefig(path, dpi=drawn.dpi)
