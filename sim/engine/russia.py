"""Russia's spending and forces of a year over a batch (M8, C8, C10).

The rules are :func:`sim.agents.russia.spending_reaction` (the Richardson-type reaction with a
war-economy ceiling) and :func:`sim.mechanisms.forces.advance_forces` (production, losses,
commitment and release), applied once to the runs' Russian state gathered as (R,) arrays and
written back; a run alone applies them to its own Python numbers. Europe's spending (a dot
product over the European allies, run by run: :func:`europe_spending_bn`) is read from the
runs' allies stacked in one call. Per run: the production pipeline's orders (each Russia's
list) and a ceasefire logged.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..agents.russia import spending_reaction
from ..mechanisms.forces import advance_forces, production_bde
from .batch import Batch

# the [russia] numbers the two rules read (a column per run in a batch)
NUMBERS = (
    "reconstitution_years",
    "war_memory",
    "reaction_coefficient",
    "balance_sensitivity",
    "fatigue",
    "floor_pct",
    "war_ceiling_pct",
    "equipment_share",
    "cost_factor",
    "ground_share",
    "production_growth",
    "depreciation",
    "war_attrition",
    "release_rate",
    "refit_rate",
    "war_commitment",
)
_russia = operator.attrgetter(
    "gdp_bn",
    "milex_bn",
    "years_since_war",
    "war_demand",
    "gdp_growth",
    "europe_start_bn",
    "grievance_war",
    "grievance_peace",
)
_forces = operator.attrgetter("total", "committed", "reconstituting", "capacity", "bde_cost")
_now = operator.itemgetter("ukraine_war", "russia_milex_pct_gdp")
_spending = operator.attrgetter("gdp_bn", "core_pct")


def europe_spending_bn(gdp: np.ndarray, core: np.ndarray, european: np.ndarray) -> np.ndarray:
    """Genuine core defence spending of the European allies, bn US$, of each run (shape (R,)):
    GDP times core spending (% of GDP) summed over the European allies with armed forces
    (``european``), / 100; ``gdp``, ``core`` and ``european`` (R, allies). The sum is each
    run's own dot product over its European allies taken out in their order (``np.vecdot`` of
    C-contiguous rows calls, run by run, the routine ``g[eu] @ c[eu]`` calls for one run:
    ``tests/test_engine_russia.py``). :meth:`AllianceModel.europe_spending_bn` is this for one
    run."""
    r = len(gdp)
    if r > 1:
        counts = np.add.reduce(european, axis=1)
        if (counts == counts[0]).all():  # the same allies counted in every run (one structure)
            g, c = gdp[european].reshape(r, -1), core[european].reshape(r, -1)
            return np.vecdot(g, c) / 100.0
    return np.array([g[e] @ c[e] for g, c, e in zip(gdp, core, european, strict=True)]) / 100.0


def prepare(batch: Batch) -> None:
    """Every run's Russian spending reaction and a year of its forces (M8), and a ceasefire
    logged in the year the war stops (the war's forces committed and its demand alive a year
    before, at peace now, for the first year)."""
    models = batch.models
    russias = [m.russia for m in models]
    forces = [r.forces for r in russias]
    rows = [
        (*_russia(r), *_forces(f), *_now(m.now))
        for m, r, f in zip(models, russias, forces, strict=True)
    ]
    if len(models) == 1:  # a run alone: its own arrays
        gdp_now, core_now = (a[None] for a in _spending(models[0].ally_state))
    else:
        allies = [x for m in models for x in _spending(m.ally_state)]
        allies_now = np.concatenate(allies).reshape(len(models), 2, len(allies[0]))
        gdp_now, core_now = allies_now[:, 0], allies_now[:, 1]
    europe: Any = europe_spending_bn(gdp_now, core_now, batch.kept("european"))
    table = batch.params("russia")
    if len(models) == 1:
        values: Any = rows[0]
        p: Any = table
        europe = float(europe[0])
    else:
        values = list(np.array(rows, dtype=float).T)
        p = {k: table[k][:, 0] for k in NUMBERS}
    gdp, milex, years, demand, growth, start, g_war, g_peace = values[:8]
    total, committed, reconstituting, capacity, bde_cost, war, observed = values[8:]
    was_at_war = (committed > 0) & (demand > 0)
    gdp, milex, years, demand = spending_reaction(
        p,
        batch.on("war_economy"),
        (gdp, milex, years, demand),
        (growth, start, g_war, g_peace),
        europe,
        war,
        observed,
    )
    made: Any = production_bde(p, bde_cost, milex) * 1.0
    if len(models) == 1:
        due: Any = forces[0].queue(made)
    else:
        due = np.array([f.queue(x) for f, x in zip(forces, made.tolist(), strict=True)])
    _, over, backlog, capacity, total, committed, reconstituting = advance_forces(
        p, 1.0, war, due, capacity, total, committed, reconstituting
    )
    ceasefire = was_at_war & (war == 0) & (years == 1)
    if len(models) == 1:
        r, f = russias[0], forces[0]
        r.gdp_bn, r.milex_bn, r.years_since_war, r.war_demand = gdp, milex, years, demand
        f.capacity, f.total, f.committed, f.reconstituting = (
            capacity,
            total,
            committed,
            reconstituting,
        )
        if over and f.orders:  # what the factories could not make waits for next year
            f.orders[0] += backlog
        if ceasefire:
            _log_ceasefire(models[0])
        return
    columns = zip(
        russias,
        forces,
        gdp.tolist(),
        milex.tolist(),
        years.tolist(),
        demand.tolist(),
        capacity.tolist(),
        total.tolist(),
        committed.tolist(),
        reconstituting.tolist(),
        strict=True,
    )
    for r, f, g, mx, y, d, cap, tot, com, rec in columns:
        r.gdp_bn, r.milex_bn, r.years_since_war, r.war_demand = g, mx, int(y), d
        f.capacity, f.total, f.committed, f.reconstituting = cap, tot, com, rec
    if over.any():
        for i in np.flatnonzero(over).tolist():
            if forces[i].orders:
                forces[i].orders[0] += float(backlog[i])
    if ceasefire.any():
        for i in np.flatnonzero(ceasefire).tolist():
            _log_ceasefire(models[i])


def _log_ceasefire(m: Any) -> None:
    m.recorder.event("ceasefire", "the war in Ukraine stops; Russia begins to reconstitute")
