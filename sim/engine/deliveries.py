"""Step 5 of the year over a batch of runs (:mod:`sim.engine`): orders, deliveries (M1) and the
alliance's indices (M1, M6, M7).

The arithmetic is written once over the batch: the runs' allies as (R, allies) arrays, their
orders and stocks as (R, allies, categories) (:func:`sim.mechanisms.capability.order` and
:func:`~sim.mechanisms.capability.deliver`), each run's numbers as a column (R, 1). Products
over the allies are each run's own: ``np.vecdot`` and a stacked ``matmul`` call, run by run,
the routine ``w @ x`` calls for one run (``tests/test_engine_deliver.py`` checks they agree to
the bit). What stays per run: the human seats' purchases and command choice (``m.decided``)
with their log lines, the US's choice of commander (:meth:`AllianceModel._choose_commander`)
and NATO's requirement (a power of each run's own numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..mechanisms import capability as cap
from ..mechanisms import influence
from ..model.alliance import US_BUY_SHARE_2025

if TYPE_CHECKING:
    from .batch import Batch


def deliver(batch: Batch) -> None:
    """Orders and deliveries (M1), then the indices (:func:`update_indices`).

    * orders: each armed ally's equipment spending (``equipment_share`` of its core spending)
      split over the categories by :func:`sim.mechanisms.capability.allocation_weights` (its
      base allocation steered to Europe's lowest coverage, ``gap_priority``) and over the two
      suppliers: US industry takes ``us_buy_share`` x (1 - ``hedge_buy_shift`` x hedging),
      hedging being an ally's hedge share times the US threat it faces (C6); a human ally's
      mix and US share (``Decisions.equipment_mix``, ``us_buy_share``) replace its own;
    * the pipeline books them and delivers the year (:mod:`sim.mechanisms.capability`);
    * sovereign ISR grows at ``isr_sovereign_rate`` x (1 + ``hedge_isr_gain`` x Europe's
      GDP-weighted hedging) times the ISR weight of orders over its base weight, up to
      ``isr_irreplaceable_share`` (C17).
    """
    models = batch.models
    p = batch.numbers(
        "capability",
        "gap_priority",
        "us_buy_share",
        "isr_sovereign_rate",
        "isr_irreplaceable_share",
    )
    pc = batch.numbers("coercion", "hedge_buy_shift", "hedge_isr_gain")
    base = batch.stack(lambda m: m.base_allocation)
    weights = cap.allocation_weights(base, batch.stack(lambda m: m.coverage), p["gap_priority"])
    equip = np.where(
        batch.stack(lambda m: m.armed),
        batch.stack(lambda m: m.ally_state.spending_bn)
        * batch.stack(lambda m: m.ally_state.equipment_share),
        0.0,
    )
    hedge = batch.stack(lambda m: m.shares[1]) * batch.stack(lambda m: m.signals)
    us_share = p["us_buy_share"] * (1.0 - pc["hedge_buy_shift"] * hedge)
    orders = equip[:, :, None] * weights[:, None, :]
    for r, m in enumerate(models):  # human allies' purchases (sim.model.decisions)
        d = m.decided
        for iso3, mix in d.equipment_mix.items():
            i = m.ally_index[iso3]
            w = np.array([float(mix.get(c, 0.0)) for c in cap.CATEGORIES])
            orders[r, i] = equip[r, i] * w / w.sum()
            m.recorder.event(
                "human",
                f"{m.allies[i].record.country} (human) buys mostly "
                f"{cap.CATEGORIES[int(w.argmax())].replace('_', ' ')}",
            )
        for iso3, share in d.us_buy_share.items():
            us_share[r, m.ally_index[iso3]] = share
            m.recorder.event(
                "human",
                f"{m.allies[m.ally_index[iso3]].record.country} (human) buys "
                f"{share:.0%} of its equipment from the US",
            )
    pipes = [m.pipeline for m in models]
    cap.order(pipes, orders, us_share)
    cap.deliver(pipes)
    eu_gdp = np.where(
        batch.stack(lambda m: m.european), batch.stack(lambda m: m.ally_state.gdp_bn), 0.0
    )
    hedging = np.vecdot(eu_gdp, hedge) / np.maximum(eu_gdp.sum(axis=1), 1e-9)
    rate = p["isr_sovereign_rate"][:, 0] * (1.0 + pc["hedge_isr_gain"][:, 0] * hedging)
    sovereign = np.minimum(
        p["isr_irreplaceable_share"][:, 0],
        batch.column(lambda m: m.sovereign_isr)[:, 0]
        + rate * weights[:, cap.ISR] / np.maximum(base[:, cap.ISR], 1e-9),
    )
    for r, m in enumerate(models):
        m.equipment_bn, m.us_buy_shares = equip[r], us_share[r]
        m.hedging, m.sovereign_isr = float(hedging[r]), float(sovereign[r])
    update_indices(batch)


def update_indices(batch: Batch) -> None:
    """Coverage (M1), European share and US influence (M6), nuclear liability (M7), cohesion.

    * coverage per category = European capability / requirement
      (:func:`sim.mechanisms.capability.requirement`: NATO's planning target, growing only
      once Russia's forces exceed their reconstituted level);
    * European share = European / (European + US) capability in Europe;
    * US influence: the index of what the allies do (:mod:`sim.mechanisms.influence`:
      compliance, purchases from the US, command, following the US in crises, US basing),
      1 throughout with the ``agency`` switch off (C2, C6);
    * nuclear liability = ``nuclear_commitment`` x (1 - influence) x mean threat (C7);
    * cohesion = (1 - damage) x (``cohesion_trust_weight`` x mean trust + (1 - that weight)
      x (1 - 2 x mean absolute deviation of threat)), where Article 5 failures add damage
      that heals at ``cohesion_heal_rate`` a year.

    A model's own :meth:`AllianceModel._update_indices` (at its start) is this for its batch of
    one.
    """
    models = batch.models
    pa = batch.numbers(
        "alliance", "nuclear_commitment", "cohesion_heal_rate", "cohesion_trust_weight"
    )
    europe = cap.in_europe(
        batch.stack(lambda m: m.europe_weights), batch.stack(lambda m: m.pipeline.stock)
    )
    us = batch.stack(lambda m: m.us_capability_in_europe())
    requirement = batch.stack(
        lambda m: cap.requirement(
            m.requirement_start,
            m.russia.forces.total,
            m.russia_reference,
            m.p_capability["requirement_russia_elasticity"],
        ),
    )
    coverage = cap.coverage(europe, requirement, batch.column(lambda m: m.isr_cap())[:, 0])
    for r, m in enumerate(models):
        m.coverage = coverage[r]
    first = models[0]
    if first.year > first.start_year:  # the same year in every run of a batch
        mean_coverage = np.add.reduce(coverage, axis=1) / coverage.shape[1]  # .mean()'s values
        for r, m in enumerate(models):
            m._choose_commander(float(mean_coverage[r]))
    eu_total = europe.sum(axis=1)
    eu_share = eu_total / (eu_total + us.sum(axis=1))
    channels = influence_channels(batch)
    agency = batch.on("agency")
    us_influence = (
        influence.index(batch.table("alliance", *influence.WEIGHTS), channels)
        if agency
        else np.ones(len(models))
    )
    threats = batch.stack(lambda m: m.ally_state.threat)
    mean = batch.stack(lambda m: m.mean_weights)
    mean_threat = np.vecdot(mean, threats)
    mean_trust = np.vecdot(mean, batch.stack(lambda m: m.ally_state.trust))
    nuclear = pa["nuclear_commitment"][:, 0] * (1.0 - us_influence) * mean_threat
    damage = batch.column(lambda m: m.cohesion_damage)[:, 0] * (
        1.0 - pa["cohesion_heal_rate"][:, 0]
    )
    spread = np.vecdot(mean, np.abs(threats - mean_threat[:, None]))
    w = pa["cohesion_trust_weight"][:, 0]
    cohesion = (1.0 - damage) * np.maximum(
        0.0, np.minimum(1.0, w * mean_trust + (1.0 - w) * (1.0 - 2.0 * spread))
    )
    for r, m in enumerate(models):
        m.eu_share = float(eu_share[r])
        m.influence_channels = channels[r]
        m.us_influence = float(us_influence[r])
        m.nuclear_liability = float(nuclear[r])
        m.cohesion_damage = float(damage[r])
        m.cohesion = float(cohesion[r])


def influence_channels(batch: Batch) -> list[dict[str, float]]:
    """This year's five channels of US influence in each run (:mod:`sim.mechanisms.influence`):
    the allies' compliance is asked from the year after the start, once the US has taken its
    stance (``comply_start``)."""
    models = batch.models
    european = batch.stack(lambda m: m.european)
    first = models[0]
    if first.year > first.start_year:  # the same year in every run of a batch
        eu_gdp = np.where(
            european & batch.stack(lambda m: m.ally_state.member),
            batch.stack(lambda m: m.ally_state.gdp_bn),
            0.0,
        )
        comply = batch.stack(lambda m: m.shares[0])
        share = influence.gdp_weighted(comply, eu_gdp)
        compliance = influence.compliance(share, batch.column(lambda m: m.comply_start)[:, 0])
    else:
        compliance = np.ones(len(models))
    equip = np.where(european, batch.stack(lambda m: m.equipment_bn), 0.0)
    buys = batch.stack(lambda m: m.us_buy_shares)
    share = influence.gdp_weighted(buys, equip)
    procurement = influence.procurement(share, equip.sum(axis=1), US_BUY_SHARE_2025)
    return [
        {
            "compliance": float(compliance[r]),
            "procurement": float(procurement[r]),
            "command": 0.0 if m.united_states.european_command else 1.0,
            "crisis": m.crisis_alignment,
            "basing": min(1.0, m.united_states.posture),
        }
        for r, m in enumerate(models)
    ]
