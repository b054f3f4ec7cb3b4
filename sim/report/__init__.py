"""Reports: a results folder (run, compare or sweep) turned into figures and one HTML file.

The HTML is self-contained: figures are embedded as data URIs and the stylesheet is inline, so
it opens offline and refers to nothing outside itself. A PNG of every figure and the CSV of the
numbers it draws are written beside it (``DIR/report/``), and an SVG too on request
(``svg=True``, ``--svg``). Each figure is drawn once: the PNG written to the file is the one
embedded in the page. The report is built in a temporary folder and moved into place
(``staging``), so an interrupted command leaves the whole report or none.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.claims import CLAIMS, sentence
from ..model.outputs import VERDICTS
from ..runs.store import read_table
from ..scenario import scenario_from_dict
from .figures_other import (
    compare_distributions,
    compare_trajectories,
    debate_heatmaps,
    sensitivity_bars,
    sweep_heatmap,
    verdict_shares,
    verdicts_by_bin,
)
from .figures_run import representative_run, run_figures
from .staging import staged_report
from .style import STYLES, figure_caption, figure_data, figure_style, save

CSS = """
body{font-family:Georgia,serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:2em}
figure{margin:1.5em 0}img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9em;color:#555}table{border-collapse:collapse;font-size:.9em}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}.meta{color:#666;font-size:.9em}
.narrative li{margin:.2em 0}.files{color:#777;font-size:.85em}
dl.verdicts dt{font-weight:bold;margin-top:.4em}.warning{color:#8a1c1c}
details{margin:1em 0}summary{cursor:pointer;color:#444}pre{overflow-x:auto}
"""


def _page(title: str, body: list[str]) -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


@dataclass(frozen=True)
class Target:
    """Where a report is being written: ``root`` (a temporary folder, moved into place when
    the report is whole) holds ``report.html`` and the figure files in ``root/report``."""

    root: Path
    svg: bool = False

    @property
    def figures(self) -> Path:
        return self.root / "report"

    def write_page(self, title: str, body: list[str]) -> None:
        (self.root / "report.html").write_text(_page(title, body))


def _figure(out: Target, name: str, fig: Any, text: str) -> str:
    """A figure in the page: the image, its caption in HTML (never on the canvas, where it
    overprinted labels) with the run's provenance, and links to the PNG, the SVG (if asked for)
    and the CSV of the numbers drawn."""
    _, b64 = save(fig, out.figures, name, svg=out.svg)
    files = [f"<a href='report/{name}.png'>png</a>"]
    if out.svg:
        files.append(f"<a href='report/{name}.svg'>svg</a>")
    data = figure_data(fig)
    if data is not None:
        data.to_csv(out.figures / f"{name}.csv", index=False)
        files.append(f"<a href='report/{name}.csv'>data (csv)</a>")
    extra = figure_caption(fig)
    full = text + (f" {extra}." if extra else "")
    return (
        f"<figure id='{name}'><img alt='{html.escape(text)}' src='data:image/png;base64,{b64}'>"
        f"<figcaption>{html.escape(full)} <span class='files'>Files: {', '.join(files)}"
        "</span></figcaption></figure>"
    )


def _table(df: pd.DataFrame) -> str:
    return df.to_html(border=0, float_format=lambda v: f"{v:.3g}")


def _scenario_block(sc: Any) -> list[str]:
    items = "".join(f"<li>{html.escape(sentence(c))}</li>" for c in sc.claims if c in CLAIMS)
    out = [
        f"<p>{html.escape(sc.description or 'No description.')}</p>",
        f"<p><b>Claims tested:</b></p><ul>{items or '<li>none listed</li>'}</ul>",
    ]
    if sc.hypothesis:
        out.append(f"<p><b>Hypothesis:</b> {html.escape(sc.hypothesis)}</p>")
    return out


def narrative(tables: dict[str, pd.DataFrame]) -> list[str]:
    """A short story of one representative run, from its event log."""
    summary, model, events = tables["summary"], tables["model"], tables["events"]
    run = representative_run(summary)
    row = summary[summary["run"] == run].iloc[0]
    m = model[model["run"] == run]
    first, last = m.iloc[0], m.iloc[-1]
    text = (
        f"In run {run} (seed {row['seed']}), chosen because its verdict is the most common "
        f"one and its end spending the closest to that verdict's median, European core "
        f"spending goes from {first['eu_core_pct']:.2f}% of GDP in {int(first['year'])} to "
        f"{last['eu_core_pct']:.2f}% in {int(last['year'])}; Europe's share of NATO "
        f"capability in Europe from {first['eu_capability_share']:.0%} to "
        f"{last['eu_capability_share']:.0%}; mean trust in the US from "
        f"{first['mean_trust']:.2f} to {last['mean_trust']:.2f}. Verdict: "
        f"{row['verdict'].replace('_', ' ')}."
    )
    ev = events[events["run"] == run]["event"].tolist() if not events.empty else []
    items = "".join(f"<li>{html.escape(e)}</li>" for e in ev[:25])
    more = f"<li>... and {len(ev) - 25} more events</li>" if len(ev) > 25 else ""
    return [
        f"<p>{html.escape(text)}</p>",
        f"<ul class='narrative'>{items}{more or ''}</ul>" if ev else "<p>No events.</p>",
    ]


def _verdict_counts(summary: pd.DataFrame) -> pd.DataFrame:
    counts = summary["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0)
    return counts.rename("runs").rename_axis(None).to_frame()


def _all_failed(man: dict[str, Any]) -> str:
    n = len(man.get("failed_runs", [])) or man.get("replications", "every")
    return (
        f"<p class='warning'><strong>No replication finished</strong> ({n} failed): there is "
        "nothing to draw. The tracebacks are in <code>failures.json</code> beside this report.</p>"
    )


def _reasons(tables: dict[str, pd.DataFrame], sc: Any) -> list[str]:
    """Why, in the representative run (:mod:`sim.analysis.explain`): the verdict's margin to each
    threshold and the reasons of the three allies whose budgets moved most in its last year."""
    from .. import data  # noqa: PLC0415
    from ..analysis.explain import ally_reasons, largest_movers, verdict_reasons  # noqa: PLC0415

    summary, allies = tables["summary"], tables["allies"]
    if "why_budget_level" not in allies.columns:
        return []
    run = representative_run(summary)
    last = int(allies["year"].max())
    names = {r.iso3: r.country for r in data.allies()}
    row = {str(k): v for k, v in summary[summary["run"] == run].iloc[0].items()}
    lines = verdict_reasons(row, sc.params["verdict"]).split("\n")
    moves = [
        ally_reasons(allies, run, last, code, names.get(code, code))
        for code in largest_movers(allies, run, last, 3)
    ]
    items = "".join(f"<li>{html.escape(t.strip())}</li>" for t in lines[1:] + moves)
    return [
        "<h2>Why</h2>",
        (
            f"<p>{html.escape(lines[0])} Its margins, and the budgets that moved most in {last} "
            "with their reasons in points of GDP (<code>natosim explain</code> gives any run, year "
            "and ally):</p>"
        ),
        f"<ul>{items}</ul>",
    ]


def _cruxes(folder: Path) -> list[str]:
    """The cruxes the run wrote (``cruxes.csv``, when its replications sampled worlds)."""
    path = folder / "cruxes.csv"
    if not path.is_file():
        return []
    from ..analysis.cruxes import cruxes_html  # noqa: PLC0415

    table = pd.read_csv(path)
    for col in ("parameter", "sentence"):
        table[col] = table[col].fillna("")
    return [cruxes_html(table)]


def run_report(folder: Path, out: Target, year: int | None = None) -> None:
    man = json.loads((folder / "manifest.json").read_text())
    sc = scenario_from_dict(man["scenario"])
    tables = {t: read_table(folder, t) for t in ("model", "allies", "events", "summary")}
    seed = man.get("root_seed")
    body = [
        f"<h1>natosim report: {html.escape(sc.name)}</h1>",
        (
            f"<p class='meta'>{man['replications']} replications, root seed {seed}; "
            f"natosim {html.escape(str(man['natosim_version']))}, commit "
            f"{html.escape(str(man['git_commit']))}; command: "
            f"<code>{html.escape(man['command'])}</code></p>"
        ),
        "<h2>Scenario</h2>",
        *_scenario_block(sc),
    ]
    if "verdict" not in tables["summary"].columns or not len(tables["summary"]):
        body.append(_all_failed(man))
    else:
        body += [
            "<h2>Verdicts</h2>",
            _table(_verdict_counts(tables["summary"])),
            "<h2>A representative run</h2>",
            *narrative(tables),
            *_reasons(tables, sc),
            *_cruxes(folder),
            "<h2>Figures</h2>",
        ]
        for name, (fig, text) in run_figures(tables, sc, seed, year).items():
            body.append(_figure(out, name, fig, text))
    out.write_page(f"natosim: {sc.name}", body)


def _verdict_definitions() -> str:
    from ..model.outputs import VERDICT_TEXT  # noqa: PLC0415

    items = "".join(
        f"<dt>{html.escape(v.replace('_', ' '))}</dt><dd>{html.escape(VERDICT_TEXT[v])}</dd>"
        for v in VERDICTS
    )
    return (
        "<details open><summary>What each verdict means (first that applies, in this order)"
        f"</summary><dl class='verdicts'>{items}</dl></details>"
    )


def paired_differences(
    models: dict[str, pd.DataFrame], reference: str, years: list[int]
) -> pd.DataFrame:
    """Mean paired difference (scenario - reference) and its 95% interval, per outcome and year;
    runs are paired by replication number (the same seed)."""
    from .figures_other import TRAJECTORY_OUTCOMES  # noqa: PLC0415

    ref = models[reference].set_index(["run", "year"])
    rows = []
    for name, m in models.items():
        if name == reference:
            continue
        other = m.set_index(["run", "year"])
        for key in TRAJECTORY_OUTCOMES:
            for year in years:
                a = other.xs(year, level="year")[key]
                b = ref.xs(year, level="year")[key]
                d = (a - b).dropna()
                if d.empty:
                    continue
                se = float(d.std(ddof=1) / len(d) ** 0.5) if len(d) > 1 else float("nan")
                mean = float(d.mean())
                rows.append(
                    {
                        "scenario": name,
                        "outcome": key,
                        "year": year,
                        "difference": f"{mean:+.3f}",
                        "95% interval": f"[{mean - 1.96 * se:+.3f}, {mean + 1.96 * se:+.3f}]",
                        "runs": len(d),
                    }
                )
    return pd.DataFrame(rows)


def compare_report(folder: Path, out: Target, year: int | None = None) -> None:
    man = json.loads((folder / "manifest.json").read_text())
    all_names = man["scenarios"]
    tables = {n: read_table(folder / n, "model") for n in all_names}
    failed = [n for n, m in tables.items() if m.empty or "year" not in m.columns]
    models = {n: m for n, m in tables.items() if n not in failed}  # what can be drawn
    names = list(models)
    verdicts = pd.read_csv(folder / "verdicts.csv", index_col="scenario").loc[names]
    seed = man.get("root_seed")
    body = [
        f"<h1>natosim comparison: {html.escape(', '.join(all_names))}</h1>",
        (
            f"<p class='meta'>{man['replications']} replications each, shared root seed {seed}; "
            f"command: <code>{html.escape(man['command'])}</code></p>"
        ),
    ]
    if failed:
        body.append(
            f"<p class='warning'>No replication of {html.escape(', '.join(failed))} finished: "
            "left out below (the tracebacks are in each one's failures.json).</p>"
        )
    if not models:
        out.write_page("natosim comparison", body)
        return
    end = year or min(int(m["year"].max()) for m in models.values())
    for n in names:
        sc = scenario_from_dict(json.loads((folder / n / "manifest.json").read_text())["scenario"])
        body += [f"<h2>{html.escape(n)}</h2>", *_scenario_block(sc)]
    years = [
        y for y in (2027, 2030, 2035, 2040) if all(y in set(m["year"]) for m in models.values())
    ]
    body += [
        "<h2>Trajectories</h2>",
        _figure(
            out,
            "compare_trajectories",
            compare_trajectories(models, seed),
            "The scenarios over time: median (line) and 90% of runs (band); grey lines at "
            "2027 and 2030; dotted lines at 2% and 3.5% of GDP.",
        ),
        "<h2>Verdicts</h2>",
        _figure(
            out,
            "compare_verdicts",
            verdict_shares(verdicts, seed, "Verdicts"),
            "Share of runs per verdict, scenario by scenario (n: runs).",
        ),
        _verdict_definitions(),
    ]
    if len(names) > 1 and years:
        body += [
            f"<h2>Differences from {html.escape(names[0])}</h2>",
            (
                "<p>Replication i of every scenario uses the same seed (common random numbers), "
                "so each difference is paired run by run; the interval is the mean difference "
                "+- 1.96 standard errors of the paired differences.</p>"
            ),
            _table(paired_differences(models, names[0], years)),
        ]
    body += [
        "<h2>Outcomes in one year</h2>",
        _figure(
            out,
            "compare_distributions",
            compare_distributions(models, end, seed),
            f"Outcome distributions in {end}, scenario by scenario, on scales from zero (indices "
            "over their whole 0-1 range).",
        ),
        (
            "<details><summary>The full table (medians and 5th-95th percentiles, as printed "
            "by natosim compare)</summary>"
            f"<pre>{html.escape((folder / 'comparison.txt').read_text())}</pre></details>"
        ),
    ]
    out.write_page("natosim comparison", body)


def sweep_report(
    folder: Path,
    out: Target,
    x: str | None = None,
    y: str | None = None,
    outcome: str = "eu_core_pct_end",
) -> None:
    from ..sweeps import load_results  # noqa: PLC0415 (keeps report import light)
    from ..sweeps.analysis import sensitivity  # noqa: PLC0415

    man = json.loads((folder / "sweep.json").read_text())
    t = load_results(folder, tables=("summary",))
    if not len(t["summary"]) or "verdict" not in t["summary"].columns:
        title = f"natosim sweep: {html.escape(folder.name)}"
        out.write_page(title, [f"<h1>{title}</h1>", _all_failed(man)])
        return
    data = t["summary"].merge(t["design"], on="point")
    factors = [f["key"] for f in man["spec"]["factors"]]
    numeric = [
        f for f in factors if pd.api.types.is_numeric_dtype(data[f]) and data[f].nunique() > 1
    ]
    from ..scenario import ScenarioError  # noqa: PLC0415

    for flag, value in (("--x", x), ("--y", y)):
        if value is not None and value not in numeric:
            raise ScenarioError(
                flag, value, "a numeric factor of this sweep: " + ", ".join(numeric)
            )
    outcomes = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
    if outcome not in outcomes and len(data):
        raise ScenarioError(
            "--outcome", outcome, "a numeric summary column: " + ", ".join(outcomes)
        )
    seed = man["spec"]["seed"]
    body = [
        f"<h1>natosim sweep: {html.escape(folder.name)}</h1>",
        (
            f"<p class='meta'>{man['spec']['design']} design, {man['points']} points x "
            f"{man['spec']['reps']} replications, root seed {seed}; base scenario "
            f"{html.escape(man['base']['name'])}; command: "
            f"<code>{html.escape(man['command'])}</code></p>"
        ),
        "<h2>Base scenario</h2>",
        *_scenario_block(scenario_from_dict(man["base"])),
        "<h2>Factors</h2>",
        _table(_factor_table(man["spec"]["factors"])),
        "<h2>Verdicts</h2>",
        _table(_verdict_counts(data)),
        _verdict_definitions(),
    ]
    if len(numeric) >= 2:
        xa, ya = x or numeric[0], y or numeric[1]
        body.append(
            _figure(
                out,
                "sweep_heatmap",
                sweep_heatmap(data, xa, ya, outcome, seed),
                f"Mean {outcome} over {xa} and {ya}.",
            )
        )
    for f in numeric[:4]:
        body.append(
            _figure(
                out,
                f"verdicts_by_{f.replace('.', '_')}",
                verdicts_by_bin(data, f, seed),
                f"Verdict shares by {f}.",
            )
        )
    if man["spec"]["design"] in ("sobol", "morris"):
        from ..sweeps.said import library_warnings  # noqa: PLC0415

        with library_warnings():  # SALib's and NumPy's warnings in the project's words, once
            sens = sensitivity(folder)
        body.append(
            _figure(
                out,
                "sensitivity",
                sensitivity_bars(sens, seed),
                "Sensitivity indices with 95% intervals.",
            )
        )
        body += _wide_intervals(sens, man["points"])
    out.write_page("natosim sweep", body)


def _factor_table(factors: list[dict[str, Any]]) -> pd.DataFrame:
    """The swept factors with their ranges or values and the schema's unit and meaning."""
    from ..sweeps.spec import param_for  # noqa: PLC0415

    rows = []
    for f in factors:
        p = param_for(f["key"])
        swept = (
            f"{f['low']:g} to {f['high']:g}"
            if f.get("low") is not None
            else ", ".join(str(v) for v in f.get("values", ()))
        )
        rows.append({"factor": f["key"], "swept": swept, "unit": p.unit, "meaning": p.description})
    return pd.DataFrame(rows)


def _wide_intervals(sens: pd.DataFrame, points: int) -> list[str]:
    """A warning for every index whose 95% interval is wider than the index itself."""
    pairs = [("S1", "S1_conf"), ("ST", "ST_conf"), ("mu_star", "mu_star_conf")]
    wide = []
    for index, conf in pairs:
        if index in sens and conf in sens:
            rows = sens[(2 * sens[conf]) > sens[index].abs()]
            wide += [f"{r.output}: {r.factor} ({index})" for r in rows.itertuples()]
    if not wide:
        return []
    shown = ", ".join(html.escape(w) for w in wide[:12]) + (" ..." if len(wide) > 12 else "")
    return [
        (
            f"<p class='warning'>{len(wide)} indices have a 95% interval wider than the index "
            f"({points} points): {shown}. Read them as 'not distinguishable from zero at this "
            "sample size'; more base samples narrow the intervals.</p>"
        )
    ]


def _claims_section(folder: Path) -> list[str]:
    """The claims as experiments (``natosim debate --claims``): each claim's effect with its
    mechanism on and knocked out, with 95% intervals."""
    path = folder / "claims.csv"
    if not path.exists():
        text = (
            "<h2>The claims</h2><p>Run <code>natosim debate --claims</code> to add each "
            "claim's effect with its mechanism on and off.</p>"
        )
        return [text]
    t = pd.read_csv(path)

    def cell(m: float, lo: float, hi: float, holds: bool) -> str:
        return f"{m:+.3f} [{lo:+.3f}, {hi:+.3f}] {'holds' if holds else 'does not hold'}"

    rows = pd.DataFrame(
        {
            "claim": t["claim"],
            "what the model says": t["model says"],
            "unit": t["unit"].fillna(""),
            "mechanism on": [
                cell(r["effect on"], r["on low"], r["on high"], r["holds on"])
                for _, r in t.iterrows()
            ],
            "knocked out": [
                cell(r["effect off"], r["off low"], r["off high"], r["holds off"])
                for _, r in t.iterrows()
            ],
            "switch": t["mechanism"],
        }
    )
    return [
        "<h2>The claims: each effect with its mechanism on and knocked out</h2>",
        (
            "<p>Effect and 95% interval; a claim passes when it holds with its mechanism and "
            "fails with it switched off (the data: <code>claims.csv</code>).</p>"
        ),
        rows.to_html(index=False, border=0),
    ]


def debate_report(folder: Path, out: Target) -> None:
    """The debate as a page: the thesis x policy grids with intervals, the verdicts of every
    cell, each thesis's prediction judged under each set of assumptions, and who wins where."""
    man = json.loads((folder / "manifest.json").read_text())
    table = pd.read_csv(folder / "debate.csv")
    predictions = pd.read_csv(folder / "predictions.csv")
    counts = table[table["outcome"].isin(VERDICTS)].assign(
        n=lambda t: (t["p"] * t["runs"]).round().astype(int),
        cell=lambda t: t["world"].astype(str) + " / " + t["thesis"] + " / " + t["policy"],
    )
    verdicts = counts.pivot_table(index="cell", columns="outcome", values="n", sort=False)
    wins = man.get("wins", {})
    win_items = "".join(
        f"<li><b>{html.escape(t)}</b>: "
        + (html.escape(", ".join(str(w) for w in ws)) if ws else "in no world run")
        + "</li>"
        for t, ws in wins.items()
    )
    body = [
        "<h1>natosim debate: three theses, US policies, worlds</h1>",
        (
            f"<p class='meta'>{man['replications']} replications per cell, shared root seed "
            f"{man['root_seed']}; worlds: {html.escape(', '.join(map(str, man['worlds'])))}; "
            f"command: <code>{html.escape(man['command'])}</code></p>"
        ),
        (
            "<p>A thesis is a set of assumptions (scenarios/theses/) and a prediction about "
            "which US policy does better; a US policy is an overlay (scenarios/policies/). A "
            "thesis wins in a world when its prediction holds under its own assumptions.</p>"
        ),
        f"<h2>Who wins</h2><ul>{win_items}</ul>",
        _figure(
            out,
            "debate_heatmaps",
            debate_heatmaps(table),
            "Probability of an Article 5 failure, of a shifted burden and of Europe carrying "
            "its own defence in every cell.",
        ),
        "<h2>Verdicts per cell</h2>",
        _figure(
            out,
            "debate_verdicts",
            verdict_shares(verdicts.fillna(0), man.get("root_seed"), "Verdicts per cell"),
            "Share of runs per verdict in every world / thesis / policy cell (n: runs).",
        ),
        _verdict_definitions(),
        *_claims_section(folder),
        "<h2>Predictions judged</h2>",
        _table(predictions)
        if len(predictions)
        else "<p>No prediction could be judged with "
        "the policies run (each compares two or more).</p>",
        *_prediction_cruxes(folder),
    ]
    out.write_page("natosim debate", body)


def _prediction_cruxes(folder: Path) -> list[str]:
    """What each prediction turns on (``prediction_cruxes.csv``, written when the debate's
    replications sampled worlds): its crux above the noise floor, or why none is named."""
    path = folder / "prediction_cruxes.csv"
    if not path.exists():
        return []
    rows = pd.read_csv(path, keep_default_na=False)
    items = "".join(
        f"<li><b>{html.escape(str(r.prediction_of))}</b>: "
        + (f"[{html.escape(str(r.cell))}] " if r.cell else "")
        + f"{html.escape(str(r.sentence))}</li>"
        for r in rows.itertuples()
    )
    return [
        "<h2>What each prediction turns on</h2>",
        (
            "<p>PAWN sensitivity of each prediction, judged world by world, to each sampled "
            "assumption, over one cell's worlds and over the worlds of every thesis pooled; a "
            "crux counts above the noise floor of dummy columns (all of them in "
            "<code>cruxes.csv</code>).</p>"
        ),
        f"<ul>{items}</ul>",
    ]


def build_report(
    folder: str | Path,
    year: int | None = None,
    svg: bool = False,
    style: str = "screen",
    **sweep_options: Any,
) -> Path:
    """Write ``DIR/report.html`` and ``DIR/report/*.png`` (and ``*.svg`` with ``svg``) for a
    run, compare, debate or sweep folder; return the HTML path. The report is built in a
    temporary folder inside ``DIR`` and moved into place when whole (``staging``).

    ``style``: ``screen`` (figures sized for a page, 110 dpi, titled) or ``paper`` (300 dpi,
    3.5 or 7 inches wide, no title on the canvas: :mod:`sim.report.style`)."""
    from ..runs.provenance import warn_if_different  # noqa: PLC0415

    if style not in STYLES:
        raise ValueError(f"style {style!r}: expected one of {', '.join(STYLES)}")
    folder = Path(folder)
    for name in ("sweep.json", "manifest.json"):
        if (folder / name).is_file():
            warn_if_different(json.loads((folder / name).read_text()), folder)
            break
    write: Callable[[Target], None]
    if (folder / "sweep.json").exists():
        write = partial(sweep_report, folder, **sweep_options)
    elif (folder / "comparison.csv").exists():
        write = partial(compare_report, folder, year=year)
    elif (folder / "debate.csv").exists():
        write = partial(debate_report, folder)
    elif (folder / "manifest.json").exists():
        write = partial(run_report, folder, year=year)
    else:
        raise FileNotFoundError(
            f"{folder} is not a results folder (no manifest.json or sweep.json)"
        )
    with staged_report(folder) as tmp, figure_style(style):
        write(Target(tmp, svg))
    return folder / "report.html"
