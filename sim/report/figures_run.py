"""Figures of a set of replications (one scenario): fan charts, the network map, per-ally
spending, capability coverage and the event timeline. Each function returns a matplotlib
``Figure`` titled, labelled with units and captioned with the scenario and seed."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..model.network import cached_network
from ..scenario import CATEGORIES, Scenario
from .small_multiples import GENUINE, HEADLINE, ally_panels
from .style import (
    ALERT,
    BAND,
    OKABE_ITO,
    PALETTE,
    attach_data,
    caption,
    fan,
    font,
    new_figure,
    quantiles,
    title,
)

EDGE_SHOWN = 0.5  # weaker ties (a shared EU membership alone) are drawn only as weight

FAN_PANELS = (
    ("eu_core_pct", "European defence spending", "% of GDP (core, GDP-weighted)"),
    ("eu_capability_share", "European share of NATO capability in Europe", "share (0-1)"),
    ("mean_trust", "Mean trust in the United States", "index (0-1)"),
    ("russia_resolve_estimate", "Russia's estimate of US resolve", "index (0-1)"),
    ("us_posture", "US conventional posture in Europe", "fraction of 2025 posture"),
)


def _cap(scenario: Scenario, runs: int, seed: int | None) -> str:
    s = f"Scenario: {scenario.name}; {runs} replications"
    return s + (f"; root seed {seed}" if seed is not None else "")


def fan_charts(model: pd.DataFrame, scenario: Scenario, seed: int | None):
    """Median, 50% and 90% bands over replications of the five headline outputs."""
    fig = new_figure(11, 6.5)
    axes = fig.subplots(2, 3).ravel()
    data = []
    for ax, (col, heading, unit) in zip(axes, FAN_PANELS, strict=False):
        q = fan(ax, model, col)
        data.append(q.rename(columns=lambda c: f"q{round(100 * c):02d}").assign(output=col))
        ax.set_title(heading, fontsize=font(10))
        ax.set_xlabel("year")
        ax.set_ylabel(unit)
        # honest scales: from zero; indices over their whole 0-1 range
        top = 1.0 if "0-1" in unit else max(1.05 * float(q[0.95].max()), 0.1)
        ax.set_ylim(0, top)
    spend = axes[0]
    top = max(spend.get_ylim()[1], 3.8)
    spend.set_ylim(0, top)
    for level, name in ((2.0, "2%"), (3.5, "Hague core 3.5%")):
        spend.axhline(level, color="#999999", linestyle="--", linewidth=1)
        spend.annotate(
            name,
            (0.02, level),
            xycoords=("axes fraction", "data"),
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=7,
            color="#555555",
            va="bottom",
        )
    for ax in axes[:5]:
        for year in (2027, 2030):
            if model["year"].min() <= year <= model["year"].max():
                ax.axvline(year, color="#cccccc", linewidth=0.8, zorder=0)
    spend.legend(fontsize=7, loc="lower right")
    axes[-1].axis("off")
    title(fig, f"{scenario.name}: the alliance over time", fontsize=12)
    caption(fig, _cap(scenario, model["run"].nunique(), seed))
    return attach_data(fig, pd.concat(data).rename_axis("year").reset_index())


def network_map(
    allies: pd.DataFrame,
    scenario: Scenario,
    seed: int | None,
    year: int | None = None,
    colour_by: str = "core_pct",
    model: pd.DataFrame | None = None,
    year_in_text: bool = True,
):
    """The alliance network on capital coordinates, nodes coloured by spending or threat
    (median over replications) in ``year``; edge widths show the tie weights. With the model
    table, every ally Russia probed in any run is ringed (red: an Article 5 failure in some run,
    orange: frozen, blue: repelled) and the CSV counts the crises by target and outcome.
    ``year_in_text``: the title and the colour scale's label name the year (the ``ui`` app's
    map, drawn again every year over what stays the same, leaves it out: its page names the
    year above it)."""
    graph = cached_network(tuple(sorted(scenario.params["network"].items())))[0]
    year = int(allies["year"].max()) if year is None else year
    values = allies[allies["year"] == year].groupby("iso3")[colour_by].median()
    fig = new_figure(9, 7.5)
    ax = fig.subplots()
    pos = {n: d["pos"] for n, d in graph.nodes(data=True)}
    # the ties as two collections (one artist each, not one line per tie: a third of the
    # figure's drawing time went to ~200 Line2D)
    ties = [(a, b, d) for a, b, d in graph.edges(data=True) if d["kind"] == "ally"]
    ties = [(a, b, d["weight"]) for a, b, d in ties if d["weight"] >= EDGE_SHOWN]
    near = [(a, b, d["weight"]) for a, b, d in graph.edges(data=True) if d["kind"] == "russia"]
    near = [(a, b, w) for a, b, w in near if w >= 0.5]
    ax.add_collection(
        LineCollection(
            [(pos[a], pos[b]) for a, b, _ in ties],
            colors="#777777",
            alpha=0.6,
            linewidths=[0.3 + 1.5 * w for _, _, w in ties],
            zorder=1,
        )
    )
    ax.add_collection(
        LineCollection(
            [(pos[a], pos[b]) for a, b, _ in near],
            colors=ALERT,
            alpha=0.5,
            linestyles="--",
            linewidths=[2 * w for _, _, w in near],
            zorder=1,
        )
    )
    member = allies[allies["year"] == year].groupby("iso3")["member"].max().astype(bool)
    codes = [
        n
        for n, d in graph.nodes(data=True)
        if d["kind"] == "ally" and n in values.index and member.get(n, True)
    ]
    outside = [n for n in values.index if not member.get(n, True) and n in pos]
    if colour_by == "threat":
        norm, cmap, unit = Normalize(0, 1), colormaps["Reds"], "threat perception (0-1)"
    else:
        # the scale spans the values shown (rounded out to half points): a fixed 0-5 scale made
        # 2.4% and 3.3% look alike
        spending = values[[c for c in codes if values[c] > 0]]  # Iceland has no forces: grey
        lo = math.floor(2 * float(spending.min())) / 2 if len(spending) else 0.0
        hi = math.ceil(2 * float(spending.max())) / 2 if len(spending) else 1.0
        norm, cmap, unit = (
            Normalize(lo, max(hi, lo + 0.5)),
            colormaps["viridis"],
            "core defence spending, % of GDP",
        )
    shown = {c: pos[c] for c in codes}
    if "CAN" in shown:  # Ottawa is off the map: drawn at the left edge, at its latitude
        shown["CAN"] = (-28.0, pos["CAN"][1])
    unarmed = [c for c in codes if colour_by == "core_pct" and values[c] <= 0]
    if unarmed:
        ax.scatter(
            [shown[c][0] for c in unarmed],
            [shown[c][1] for c in unarmed],
            s=160,
            color="#bbbbbb",
            edgecolors="black",
            linewidths=0.6,
            zorder=3,
            label="no armed forces",
        )
    codes = [c for c in codes if c not in unarmed]
    xs = [shown[c][0] for c in codes]
    ys = [shown[c][1] for c in codes]
    sc = ax.scatter(
        xs,
        ys,
        c=[values[c] for c in codes],
        cmap=cmap,
        norm=norm,
        s=160,
        edgecolors="black",
        linewidths=0.6,
        zorder=3,
    )
    if outside:
        ax.scatter(
            [pos[c][0] for c in outside],
            [pos[c][1] for c in outside],
            s=160,
            facecolors="none",
            edgecolors="#999999",
            linestyle="--",
            zorder=3,
            label=f"not yet a member in {year}",
        )
    if outside or unarmed:
        ax.legend(loc="lower left", fontsize=7)
    labels = []
    for c in codes + unarmed + outside:
        # white text on a dark node: the high end of Reds, the low end of viridis
        level = float(norm(values[c])) if c in codes else 0.0
        dark = c in codes and (level > 0.6 if colour_by == "threat" else level < 0.6)
        labels.append(
            ax.annotate(
                c,
                shown.get(c, pos[c]),
                fontsize=6,
                ha="center",
                va="center",
                zorder=4,
                color="white" if dark else "black",
            )
        )
    _separate_labels(fig, labels)
    crises = _crises(model)
    for iso3, row in crises.iterrows():
        where = shown.get(str(iso3), pos.get(str(iso3)))
        if where is None:
            continue
        x, y = where
        worst = (
            ALERT
            if row.get("article5_failure", 0)
            else OKABE_ITO["orange"]
            if row.get("frozen", 0)
            else OKABE_ITO["blue"]
        )
        ax.scatter([x], [y], s=420, facecolors="none", edgecolors=worst, linewidths=2, zorder=2)
    ax.scatter([-28.0], [39.0], marker="s", s=120, color="#444444", zorder=3)
    ax.annotate(
        "USA (off-map)",
        (-28.0, 39.0),
        xytext=(9, 0),
        textcoords="offset points",
        fontsize=7,
        va="center",
    )
    rx, ry = pos["RUS"]
    ax.scatter([rx], [ry], marker="s", s=180, color=ALERT, zorder=3)
    ax.annotate(
        "RUS",
        pos["RUS"],
        fontsize=7,
        ha="center",
        va="bottom",
        xytext=(0, 8),
        textcoords="offset points",
    )
    runs = allies["run"].nunique()
    stat = "the run" if runs == 1 else f"median of {runs} runs"
    scale = f"{unit} ({stat}, {year})" if year_in_text else f"{unit} ({stat})"
    fig.colorbar(sc, ax=ax, label=scale, shrink=0.7)
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.set_xlim(-30, 45)
    ax.set_ylim(34, 68)
    when = f" in {year}" if year_in_text else ""
    title(ax, f"{scenario.name}: the alliance network{when}", fontsize=11)
    caption(
        fig,
        _cap(scenario, runs, seed)
        + f"; grey lines: ally ties of weight >= {EDGE_SHOWN}, width by weight; vermillion dashed: "
        "proximity to Russia >= 0.5; Canada drawn at the left edge, the US off-map",
    )
    data = pd.DataFrame({"iso3": values.index, colour_by: values.to_numpy(), "year": year})
    data["member"] = data["iso3"].map(member).fillna(True)
    if len(crises):
        data = data.merge(
            crises.add_prefix("probes_").rename_axis("iso3").reset_index(), on="iso3", how="left"
        )
    return attach_data(fig, data)


def _crises(model: pd.DataFrame | None) -> pd.DataFrame:
    """Probes by target and outcome over every run and year (empty without a model table)."""
    if model is None or "probe_target" not in model:
        return pd.DataFrame()
    probes = model[model["probe_target"].fillna("").astype(str) != ""]
    if probes.empty:
        return pd.DataFrame()
    return pd.crosstab(probes["probe_target"], probes["probe_outcome"])


def _separate_labels(fig, labels) -> None:
    """Move a node's label below its node when it would overprint an earlier label (capitals
    close together: Zagreb and Ljubljana)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415

    renderer = FigureCanvasAgg(fig).get_renderer()
    placed: list[Any] = []
    for label in labels:
        box = label.get_window_extent(renderer)
        if any(box.overlaps(other) for other in placed):
            label.set_position((0, -11))
            label.set_anncoords("offset points")
            label.set_color("black")
            label.set_va("top")
            box = label.get_window_extent(renderer)
        placed.append(box)


def ally_spending(allies: pd.DataFrame, scenario: Scenario, seed: int | None):
    """Per-ally small multiples of core spending (median and 90% band) and headline spending,
    against the 2%, 3.5% and 5% lines (one Axes with a panel per ally: ``small_multiples``)."""
    armed = allies[allies.groupby("iso3")["core_pct"].transform("max") > 0]
    codes = sorted(armed["iso3"].unique())
    top = max(6.0, float(armed["headline_pct"].quantile(0.99)) + 0.5)
    by = armed.groupby(["iso3", "year"])
    q = by["core_pct"].quantile(np.array([0.05, 0.25, 0.5, 0.75, 0.95])).unstack()
    q.columns = ["q05", "q25", "q50", "q75", "q95"]
    q["headline"] = by["headline_pct"].median()
    q["genuine"] = by["genuine_core_pct"].median()
    series = {str(code): s.droplevel("iso3") for code, s in q.groupby(level="iso3")}
    reclassified = set(armed.loc[armed["reclassified_pct"] > 1e-9, "iso3"])
    rows = math.ceil(len(codes) / 6)
    fig = new_figure(13, 2.0 * rows + 0.8)
    ax = fig.subplots()
    ally_panels(ax, series, top, reclassified)
    ax.set_xlabel("year", fontsize=9)
    ax.set_ylabel("% of GDP", fontsize=9)
    # the key as a legend under the panels (it was written into the y-axis label)
    key = [
        Line2D([], [], color=BAND, linewidth=2, label="core as reported (median)"),
        Patch(facecolor=BAND, alpha=0.3, label="50% and 90% of runs"),
        Line2D([], [], color=GENUINE, linestyle="--", label="genuine core"),
        Line2D([], [], color=HEADLINE, label="headline"),
        Line2D([], [], color="#999999", linestyle=":", label="2%, 3.5%, 5%"),
    ]
    ncol = 5 if fig.get_figwidth() > 9 else 3
    fig.legend(handles=key, loc="outside lower center", ncol=ncol, fontsize=8, frameon=False)
    title(fig, f"{scenario.name}: defence spending per ally against 2%, 3.5% and 5%", fontsize=12)
    dropped = sorted(set(allies["iso3"]) - set(codes))
    caption(
        fig,
        _cap(scenario, allies["run"].nunique(), seed)
        + "; core as reported includes spending reclassified as defence, genuine core does not"
        + (
            f"; not drawn (no armed forces, no core spending): {', '.join(dropped)}"
            if dropped
            else ""
        ),
    )
    drawn = ["core_pct", "genuine_core_pct", "reclassified_pct", "headline_pct"]
    data = by[drawn].median().reset_index()
    return attach_data(fig, data)


def coverage(model: pd.DataFrame, scenario: Scenario, seed: int | None):
    """European coverage per capability category against the 2027 deadline and 2030."""
    fig = new_figure(9, 5)
    ax = fig.subplots()
    for k, cat in enumerate(CATEGORIES):
        colour = PALETTE[k % len(PALETTE)]
        med = model.groupby("year")[f"coverage_{cat}"].median()
        q = quantiles(model, f"coverage_{cat}", (0.05, 0.95))
        ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.15, linewidth=0)
        ax.plot(med.index, med.to_numpy(), color=colour, linewidth=2, label=cat.replace("_", " "))
    goal = scenario.get("capability.coverage_goal")
    ax.axhline(goal, color="black", linestyle="--", linewidth=1)
    ax.text(model["year"].min(), goal + 0.01, f"'taken over' ({goal:.0%})", fontsize=8)
    for year, label in ((2027, "2027 deadline"), (2030, "EU 2030 goal")):
        if model["year"].min() <= year <= model["year"].max():
            ax.axvline(year, color=ALERT, linewidth=1, linestyle=":")
            ax.text(year + 0.1, 0.02, label, fontsize=8, color=ALERT, rotation=90, va="bottom")
    ax.set_ylim(0, max(1.1, float(model[[f"coverage_{c}" for c in CATEGORIES]].max().max())))
    ax.set_xlabel("year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("coverage (European capability / requirement)")
    title(ax, f"{scenario.name}: capability coverage by category (median, 90% band)")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    caption(
        fig,
        _cap(scenario, model["run"].nunique(), seed)
        + "; the requirement is NATO's start-year capability in Europe, adjusted to Russia's",
    )
    parts = [
        quantiles(model, f"coverage_{c}", (0.05, 0.5, 0.95)).rename(
            columns={0.05: f"{c}_q05", 0.5: f"{c}_q50", 0.95: f"{c}_q95"}
        )
        for c in CATEGORIES
    ]
    return attach_data(fig, pd.concat(parts, axis=1).rename_axis("year").reset_index())


TIMELINE_KINDS = (
    ("probe: repelled", OKABE_ITO["blue"]),
    ("probe: frozen", OKABE_ITO["orange"]),
    ("probe: article5_failure", OKABE_ITO["vermillion"]),
    ("threat executed (drawdown)", OKABE_ITO["reddish_purple"]),
    ("US leaves coordination mechanisms", OKABE_ITO["black"]),
    ("ceasefire in Ukraine", OKABE_ITO["bluish_green"]),
)


def timeline(model: pd.DataFrame, events: pd.DataFrame, scenario: Scenario, seed: int | None):
    """Share of runs in which each kind of event happens, by year."""
    runs = model["run"].nunique()
    rows = []
    for outcome in ("repelled", "frozen", "article5_failure"):
        hit = model[model["probe_outcome"] == outcome].groupby("year")["run"].nunique()
        rows += [("probe: " + outcome, y, n / runs) for y, n in hit.items()]
    ex = model[model["us_exited_mechanisms"].astype(bool)].groupby("run")["year"].min()
    rows += [
        ("US leaves coordination mechanisms", y, n / runs) for y, n in ex.value_counts().items()
    ]
    if not events.empty:
        for kind, label in (
            ("threat_executed", "threat executed (drawdown)"),
            ("ceasefire", "ceasefire in Ukraine"),
        ):
            hit = events[events["kind"] == kind].groupby("year")["run"].nunique()
            rows += [(label, y, n / runs) for y, n in hit.items()]
    fig = new_figure(10, 4.2)
    ax = fig.subplots()
    # dot areas in points squared, scaled with the figure's width (a paper figure is narrower)
    k = (fig.get_figwidth() / 10) ** 2
    for i, (label, colour) in enumerate(TIMELINE_KINDS):
        pts = [(y, s) for lab, y, s in rows if lab == label]
        if pts:
            ys, shares = zip(*pts, strict=True)
            ax.scatter(
                ys,
                [i] * len(ys),
                s=[k * (20 + 400 * s) for s in shares],
                color=colour,
                alpha=0.8,
                edgecolors="black",
                linewidths=0.4,
            )
            # the row's peak share, above its dot (inside, a percentage was cut by small dots)
            y, s = max(pts, key=lambda p: p[1])
            radius = math.sqrt(k * (20 + 400 * s) / math.pi)
            ax.annotate(
                f"{s:.0%}",
                (y, i),
                xytext=(0, radius + 1),
                textcoords="offset points",
                fontsize=6,
                ha="center",
                va="bottom",
            )
    ax.set_yticks(range(len(TIMELINE_KINDS)), [k for k, _ in TIMELINE_KINDS], fontsize=8)
    ax.set_xlim(model["year"].min() - 0.5, model["year"].max() + 0.5)
    ax.set_ylim(-0.7, len(TIMELINE_KINDS) - 0.1)
    ax.set_xlabel("year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    title(ax, f"{scenario.name}: events (dot area = share of runs in which it happens)")
    ax.grid(alpha=0.3, axis="x")
    caption(
        fig,
        _cap(scenario, runs, seed)
        + "; the number above a row: its highest share of runs in a year; rows without dots: "
        "no run had that event",
    )
    return attach_data(fig, pd.DataFrame(rows, columns=["event", "year", "share_of_runs"]))


def run_figures(
    tables: dict[str, pd.DataFrame], scenario: Scenario, seed: int | None, year: int | None = None
) -> dict[str, tuple[object, str]]:
    """Every figure of a run folder, with its caption text for the report."""
    model, allies, events = tables["model"], tables["allies"], tables["events"]
    end = int(model["year"].max()) if year is None else year
    return {
        "fan_charts": (
            fan_charts(model, scenario, seed),
            "Median (line), 50% and 90% of replications (bands) of five outputs.",
        ),
        "network_spending": (
            network_map(allies, scenario, seed, end, "core_pct", model),
            (
                f"The alliance network in {end}, coloured by core spending; rings mark the "
                "allies Russia probed in some run (red: an Article 5 failure in at least one, "
                "orange: a frozen conflict, blue: repelled; counts in the CSV)."
            ),
        ),
        "network_threat": (
            network_map(allies, scenario, seed, end, "threat"),
            f"The alliance network in {end}, coloured by threat perception.",
        ),
        "ally_spending": (
            ally_spending(allies, scenario, seed),
            (
                "Core (blue) and headline (orange) spending per ally; dotted lines "
                "at 2%, 3.5% and 5% of GDP."
            ),
        ),
        "coverage": (
            coverage(model, scenario, seed),
            (
                "European coverage per capability category against the 2027 deadline "
                "and the EU's 2030 goal."
            ),
        ),
        "timeline": (
            timeline(model, events, scenario, seed),
            "When probes, Article 5 outcomes, executed threats and exits happen.",
        ),
    }


def representative_run(summary: pd.DataFrame) -> int:
    """The run whose verdict is the most common one and whose end spending is closest to that
    verdict's median."""
    modal = summary["verdict"].mode().iloc[0]
    sub = summary[summary["verdict"] == modal]
    gap = (sub["eu_core_pct_end"] - sub["eu_core_pct_end"].median()).abs()
    return int(sub.loc[gap.idxmin(), "run"])
