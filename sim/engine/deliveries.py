"""Step 5 of the year over a batch of runs (:mod:`sim.engine`): orders, deliveries (M1) and the
alliance's indices (M1, M6, M7).

The arithmetic is written once over the batch: the runs' allies as (R, allies) arrays, their
orders and stocks as (R, allies, categories) (:func:`sim.mechanisms.capability.order` and
:func:`~sim.mechanisms.capability.deliver`), each run's numbers as a column (R, 1). Products
over the allies are each run's own: ``np.vecdot`` and a stacked ``matmul`` call, run by run,
the routine ``w @ x`` calls for one run (``tests/test_engine_deliver.py`` checks they agree to
the bit). What stays per run: the human seats' purchases and command choice (``m.decided``)
with their log lines, the US's choice of commander (:meth:`AllianceModel._choose_commander`)
and the growth of NATO's requirement (a power of each run's own numbers,
:func:`~sim.mechanisms.capability.requirement_growth`). The runs' per-ally arrays are gathered
in one call (:func:`_gather`) and handed on to the indices; the fixed ones (allocation, masks,
weights, the US's and NATO's start levels) are kept between years
(:meth:`~sim.engine.batch.Batch.kept`), and so are the runs' parameters, while their tables are
the ones read (:meth:`~sim.engine.batch.Batch.numbers`, :meth:`~sim.engine.batch.Batch.table`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..mechanisms import capability as cap
from ..mechanisms import influence
from ..model.alliance import US_BUY_SHARE_2025
from .batch import rows

if TYPE_CHECKING:
    from ..model.alliance import AllianceModel
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
    now = _gather(models, _deliver_arrays, _DELIVER_NAMES)
    base = batch.kept("base_allocation")
    weights = cap.allocation_weights(base, batch.stack(_COVERAGE), p["gap_priority"])
    spending = now["gdp_bn"] * now["core_pct"] / 100.0  # AllyState.spending_bn
    equip = np.where(batch.kept("armed"), spending * now["equipment_share"], 0.0)
    hedge = now["hedge_share"] * now["signals"]
    us_share = p["us_buy_share"] * (1.0 - pc["hedge_buy_shift"] * hedge)
    orders = equip[:, :, None] * weights[:, None, :]
    humans = [r for r, m in enumerate(models) if m.decided.equipment_mix or m.decided.us_buy_share]
    for r in humans:  # human allies' purchases (sim.model.decisions), in the runs that have any
        m = models[r]
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
    eu_gdp = np.where(batch.kept("european"), now["gdp_bn"], 0.0)
    hedging = np.vecdot(eu_gdp, hedge) / np.maximum(eu_gdp.sum(axis=1), 1e-9)
    rate = p["isr_sovereign_rate"][:, 0] * (1.0 + pc["hedge_isr_gain"][:, 0] * hedging)
    sovereign = np.minimum(
        p["isr_irreplaceable_share"][:, 0],
        batch.column(_SOVEREIGN_ISR)[:, 0]
        + rate * weights[:, cap.ISR] / np.maximum(base[:, cap.ISR], 1e-9),
    )
    for m, e, u, h, i in zip(
        models, equip, us_share, hedging.tolist(), sovereign.tolist(), strict=True
    ):
        m.equipment_bn, m.us_buy_shares, m.hedging, m.sovereign_isr = e, u, h, i
    now["equipment_bn"], now["us_buy_shares"] = equip, us_share
    update_indices(batch, now)


# What the deliveries read of each run (one call: :func:`_gather`), and what the indices read
# (the deliveries pass theirs on; the equipment and its US share are the year's, just set).
_DELIVER_NAMES = (
    "gdp_bn", "core_pct", "equipment_share", "threat", "trust", "comply", "hedge_share", "signals",
)  # fmt: skip
_INDEX_NAMES = ("gdp_bn", "threat", "trust", "comply", "equipment_bn", "us_buy_shares")
_ALLY = operator.attrgetter("gdp_bn", "core_pct", "equipment_share", "threat", "trust")
_COVERAGE = operator.attrgetter("coverage")
_SOVEREIGN_ISR = operator.attrgetter("sovereign_isr")


def _deliver_arrays(m: AllianceModel) -> tuple[np.ndarray, ...]:
    """A run's arrays of :data:`_DELIVER_NAMES`."""
    return (*_ALLY(m.ally_state), m.shares[0], m.shares[1], m.signals)


def _index_arrays(m: AllianceModel) -> tuple[np.ndarray, ...]:
    """A run's arrays of :data:`_INDEX_NAMES`."""
    st = m.ally_state
    return (st.gdp_bn, st.threat, st.trust, m.shares[0], m.equipment_bn, m.us_buy_shares)


def _gather(
    models: Sequence[AllianceModel],
    get: Callable[[AllianceModel], tuple[np.ndarray, ...]],
    names: Sequence[str],
) -> dict[str, np.ndarray]:
    """The runs' per-ally arrays ``get(model)`` (floats), each name's (runs, allies), in one
    call (each a view of it; a batch of one's, views of its own arrays: read them)."""
    if len(models) == 1:
        return {k: v[None] for k, v in zip(names, get(models[0]), strict=True)}
    values = np.array(list(map(get, models)), dtype=float).transpose(1, 0, 2)
    return dict(zip(names, values, strict=True))


def update_indices(batch: Batch, now: Mapping[str, np.ndarray] | None = None) -> None:
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

    ``now``: the runs' per-ally arrays of :data:`_INDEX_NAMES` as :func:`deliver` has them
    (else gathered here). A model's own :meth:`AllianceModel._update_indices` (at its start) is
    this for its batch of one.
    """
    models = batch.models
    if now is None:
        now = _gather(models, _index_arrays, _INDEX_NAMES)
    pa = batch.numbers(
        "alliance", "nuclear_commitment", "cohesion_heal_rate", "cohesion_trust_weight"
    )
    europe = cap.in_europe(batch.kept("europe_weights"), cap.stocks([m.pipeline for m in models]))
    if len(models) == 1:  # a batch of one: its model's own numbers
        first = models[0]
        us = first.us_capability_in_europe()[None]
        requirement = cap.requirement(
            first.requirement_start,
            first.russia.forces.total,
            first.russia_reference,
            first.p_capability["requirement_russia_elasticity"],
        )[None]
        isr_cap = np.array([first.isr_cap()], dtype=float)
        damage_before = np.array([first.cohesion_damage], dtype=float)
    else:
        us_states = [m.united_states for m in models]
        us = cap.us_in_europe_of(batch.kept("us_base"), us_states)
        # each run's numbers in one pass: the growth of its requirement (a power of its own
        # numbers), its ISR cap and last year's cohesion damage
        numbers = np.array(
            [
                (
                    cap.requirement_growth(
                        m.russia.forces.total,
                        m.russia_reference,
                        m.p_capability["requirement_russia_elasticity"],
                    ),
                    m.isr_cap(),
                    m.cohesion_damage,
                )
                for m in models
            ],
            dtype=float,
        )
        # cap.requirement of each run
        requirement = batch.kept("requirement_start") * numbers[:, 0:1]
        isr_cap, damage_before = numbers[:, 1], numbers[:, 2]
    coverage = cap.coverage(europe, requirement, isr_cap)
    for m, row in zip(models, coverage, strict=True):
        m.coverage = row
    first = models[0]
    if first.year > first.start_year:  # the same year in every run of a batch
        mean_coverage = np.add.reduce(coverage, axis=1) / coverage.shape[1]  # .mean()'s values
        for m, mean_cov in zip(models, mean_coverage.tolist(), strict=True):
            m._choose_commander(mean_cov)
    eu_total = europe.sum(axis=1)
    eu_share = eu_total / (eu_total + us.sum(axis=1))
    channels, values = influence_channels(batch, now)
    agency = batch.on("agency")
    us_influence = (
        influence.index(batch.table("alliance", *influence.WEIGHTS), values)
        if agency
        else np.ones(len(models))
    )
    threats = now["threat"]
    mean = batch.kept("mean_weights")
    mean_threat = np.vecdot(mean, threats)
    mean_trust = np.vecdot(mean, now["trust"])
    nuclear = pa["nuclear_commitment"][:, 0] * (1.0 - us_influence) * mean_threat
    damage = damage_before * (1.0 - pa["cohesion_heal_rate"][:, 0])
    spread = np.vecdot(mean, np.abs(threats - mean_threat[:, None]))
    w = pa["cohesion_trust_weight"][:, 0]
    cohesion = (1.0 - damage) * np.maximum(
        0.0, np.minimum(1.0, w * mean_trust + (1.0 - w) * (1.0 - 2.0 * spread))
    )
    for m, share, channel, infl, nuc, dmg, coh in zip(
        models,
        eu_share.tolist(),
        channels,
        us_influence.tolist(),
        nuclear.tolist(),
        damage.tolist(),
        cohesion.tolist(),
        strict=True,
    ):
        m.eu_share, m.influence_channels, m.us_influence = share, channel, infl
        m.nuclear_liability, m.cohesion_damage, m.cohesion = nuc, dmg, coh


def influence_channels(
    batch: Batch, now: Mapping[str, np.ndarray] | None = None
) -> tuple[list[dict[str, float]], list[tuple[float, ...]]]:
    """This year's five channels of US influence in each run (:mod:`sim.mechanisms.influence`),
    as a dict per run and as a tuple per run in the order of :data:`influence.CHANNELS`:
    the allies' compliance is asked from the year after the start, once the US has taken its
    stance (``comply_start``). ``now``: as :func:`update_indices` has it."""
    models = batch.models
    if now is None:
        now = _gather(models, _index_arrays, _INDEX_NAMES)
    european = batch.kept("european")
    # each run's US command and posture, its crisis alignment and its allies' compliance at
    # the start, in one pass
    facts = [(m.united_states, m.crisis_alignment, m.comply_start) for m in models]
    first = models[0]
    if first.year > first.start_year:  # the same year in every run of a batch
        member = rows([m.ally_state.member for m in models])
        eu_gdp = np.where(european & member, now["gdp_bn"], 0.0)
        share = influence.gdp_weighted(now["comply"], eu_gdp)
        start = np.array([f[2] for f in facts], dtype=float)
        compliance = influence.compliance(share, start)
    else:
        compliance = np.ones(len(models))
    equip = np.where(european, now["equipment_bn"], 0.0)
    share = influence.gdp_weighted(now["us_buy_shares"], equip)
    procurement = influence.procurement(share, equip.sum(axis=1), US_BUY_SHARE_2025)
    values: list[tuple[float, ...]] = [
        (c, p, 0.0 if us.european_command else 1.0, crisis, min(1.0, us.posture))
        for (us, crisis, _), c, p in zip(
            facts, compliance.tolist(), procurement.tolist(), strict=True
        )
    ]
    channels = [
        {"compliance": c, "procurement": p, "command": k, "crisis": x, "basing": b}
        for c, p, k, x, b in values
    ]
    return channels, values
