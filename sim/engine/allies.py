"""Step 4 of the year over a batch of runs: the allies' threat, trust, answer to coercion and
budgets (M2, M3, M4), each rule of :mod:`sim.agents.ally_rules`, :mod:`sim.mechanisms.coercion`
and :mod:`sim.agents.budget_why` applied once to the allies of every run (arrays of shape
(runs, allies), a run's numbers a column of shape (runs, 1): :class:`sim.engine.batch.Batch`).

Per run: the draws (each model's own stream, in its own order: the budget shocks, then the
compliance draws of a pledge fallen due) and the human players' decisions with their events
(the seminar: :class:`sim.model.decisions.Decisions`). The network products (``W @ x``) are one
stacked ``matmul`` call over the batch, which runs for each run the routine a run alone calls,
so each run's sums are added in the order they are alone (:func:`_products`). The state is
gathered in one call; the allies' flags and per-ally parameters, the network's weights and the
budget's start terms are kept between years while the models hold them
(:meth:`~sim.engine.batch.Batch.bound`, :meth:`~sim.engine.batch.Batch.kept`). What the phase
writes, each run a row (a view) of the batch's arrays, is handed out with the arrays
(:meth:`~sim.engine.batch.Batch.hand_out`): a later phase reads them where every run still
holds its rows (:meth:`~sim.engine.batch.Batch.handed`, keyed on the rows' identity), as the
year's record does (:func:`sim.model.outputs.record_years`): the state written
(:data:`HANDED_STATE`, in the order of :data:`WRITTEN`), the answers' shares
(:data:`HANDED_SHARES`), the US's signals (:data:`HANDED_SIGNALS`) and the budget's reasons, one
block of (runs, :data:`~sim.agents.budget_why.TERMS`, allies) whose row each run holds as its
``budget_why`` (a :class:`~sim.engine.batch.Terms`: no array per term and run made unless read;
:func:`reasons`).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..agents import ally_rules as rules
from ..agents import budget_why
from ..mechanisms import coercion
from ..model.decisions import ANSWERS
from ..model.pledge import member_weights
from .batch import Batch, Terms, rows

if TYPE_CHECKING:
    from ..model.alliance import AllianceModel

# The allies' state the phase reads (AllyState's arrays), and what it writes back. Over a batch
# the flags are gathered in one call (booleans), the state in another (floats:
# ``greyzone_attacks``, a count, is read only multiplied by a float, which converts it to the
# same float), the per-ally parameters kept as rows of one array (:meth:`Batch.bound`).
FLAGS = ("member", "armed", "holdout")  # bound (Batch.bound): seldom set anew
STATE = (
    "threat",
    "shock",
    "aggression",
    "trust",
    "greyzone_attacks",
    "core_pct",
    "reclassified_pct",
    "related_pct",
)
FIXED = (
    "posture_weight",
    "proximity",
    "resistance",
    "base_pct",
    "size",
    "holdout_cap",
    "adjustment",
    "max_rise",
    "max_cut",
    "reclassify_max",
    "gdp_growth",
)
READ = FLAGS + STATE + FIXED
_GET_STATE = operator.attrgetter(*STATE)
WRITTEN = (
    "threat",
    "shock",
    "aggression",
    "trust",
    "drafted_threat",
    "war_urgency",
    "core_pct",
    "reclassified_pct",
    "related_pct",
)


def act(batch: Batch) -> None:
    """M2, M3, M4 for every ally of every run at once: threat from last year's network, then
    trust, then the answer to coercion and budgets (allies with armed forces); each model's
    ``laggards`` are the allies the US named this year.

    Budgets are drafted a year ahead (M4; C10, C12; issue 26): the budget a parliament
    passes for year t answers the threat and the war as they stood when it was drafted, in
    t-1 (this year's perceived threat is updated after it; the war term reads last year's
    intensity; the budget's pace, :func:`~sim.agents.ally_rules.budget_rate`, and the
    pledge's threat gain read the same drafted threat). Source: the annual budget cycle;
    in the EU, draft budgetary plans for year t are due by 15 October of t-1 (Regulation
    (EU) No 473/2013, art. 6). It is what the record shows after 24 February 2022: the
    front line's budgets of 2022 were already law, its jump came in 2023-2024
    (``sim/data/defence_pct_gdp.csv``). Trust, the US's demand and the pledge are read as
    they are this year (supplementary budgets and one-off measures answer them in-year)."""
    models = batch.models
    first = models[0]
    n = len(first.allies)
    pp, pa, pc = (batch.params(k) for k in ("perception", "allies", "coercion"))
    if len(models) == 1:  # a batch of one: views of its arrays (nothing below writes into them)
        st = first.ally_state
        s = {name: getattr(st, name)[None] for name in READ}
        start = {k: v[None] for k, v in first.budget_start.items()}
    else:  # one call per dtype, (runs, names, allies): each name's (runs, allies) a view of it
        states = [m.ally_state for m in models]
        numbers = np.concatenate([x for st in states for x in _GET_STATE(st)], dtype=float)
        numbers = numbers.reshape(len(states), len(STATE), n)
        s = dict(zip(FLAGS, batch.bound("ally_state.flags", states, FLAGS, bool), strict=True))
        s.update(zip(STATE, numbers.transpose(1, 0, 2), strict=True))
        s.update(zip(FIXED, batch.bound("ally_state.fixed", states, FIXED), strict=True))
        start = batch.kept("budget_start", _stack_terms)
    # Per run: its numbers this year, last year's network products and its budget shocks.
    cols: list[float] = []  # run by run, each run's in the order of _COLUMNS
    shocks, bars, exited = [], [], []
    wars: dict[tuple[int, int], tuple[float, float]] = {}  # per scenario and year (_wars)
    for m in models:
        us, now, year = m.united_states, m.now, m.year
        key = (id(m.config), year)
        war = wars.get(key)
        if war is None:
            war = wars[key] = _wars(m)
        pledge = m.pledge.year(year, now["pledge_core_pct"])  # (level, goal, elapsed, bar)
        cols.extend(_columns(m, us, now, war, pledge))
        if us.exited_this_year:
            exited.append(us)
        shocks.append(m.rng.normal(0.0, m.p_allies["budget_noise_sd"], n))
        bars.append(pledge[3])  # a pledge (or a floor it raised) fallen due
    if len(models) == 1:
        neighbours_a = (first.norm_weights @ first.ally_state.threat)[None]
        peers_a = first._peers()[None]
    else:  # each run's W @ x in one stacked matmul call (module docstring)
        neighbours_a = _products(batch.kept("norm_weights"), s["threat"])
        core = s["core_pct"]
        peers_a = rules.peer_spending(
            _products(batch.kept("peer_weights"), core),
            batch.kept("has_peers"),
            batch.kept("peer_rows"),
            core,
        )
    c: dict[str, Any]
    if len(models) == 1:  # a batch of one: its numbers as they are (:func:`_numbers`)
        c = dict(zip(_COLUMNS, cols, strict=True))
    else:  # (runs, numbers) in one call, each number's column a view of it
        table = np.array(cols, dtype=float).reshape(len(models), len(_COLUMNS))  # flat: faster
        c = {k: table[:, i : i + 1] for i, k in enumerate(_COLUMNS)}
    laggards = rows([m.laggards for m in models])
    shocks_a = rows(shocks)

    signals = c["threat_level"] * np.where(laggards, 1.0, pa["non_laggard_signal"])
    signals = np.where(s["member"], signals, 0.0)  # the US asks members (pledge weights)
    drafted = s["threat"].copy()  # the threat the budget was drafted on (docstring)
    situational = rules.situational_threat(
        pp,
        s["proximity"],
        c["militarisation"],
        c["war"],
        s["greyzone_attacks"],
        s["shock"],
        s["aggression"],
    )
    threat = rules.perceive_threat(pp, s["threat"], situational, neighbours_a)
    shock, aggression = rules.decay_shocks(pp, s["shock"], s["aggression"])
    trust = rules.update_trust(
        pp,
        s["trust"],
        signals,
        c["drawdown"],
        s["posture_weight"],
        c["ambiguity"],
        c["reassurance"],
        c["exited"] != 0.0,
        0.5 * (s["posture_weight"] + s["proximity"]),
    )
    shares = coercion.answer_shares(
        pc,
        c["eu_share"],
        s["posture_weight"],
        s["proximity"],
        c["credibility"],
        threat,
        trust,
        signals,
        s["resistance"],
    )
    for r, m in enumerate(models):  # human players' answers (the seminar)
        for iso3, ans in m.decided.answer.items():
            i = m.ally_index[iso3]
            for k, share in enumerate(shares):
                share[r, i] = 1.0 if ANSWERS[k] == ans else 0.0
            m.recorder.event("human", f"{m.allies[i].record.country} (human) answers the US: {ans}")
    leverage = pa["compliance_gain"] * c["credibility"] * c["us_influence"]
    war = rules.war_urgency(pa, s["proximity"], c["war_drafted"], c["war_start"])
    need = rules.need_pct(pa, s["base_pct"], drafted, trust, s["size"], war)
    for m in models:  # a human US's demand (the seminar; in the run's numbers above)
        if m.decided.us_demand_pct is not None:
            m.recorder.event(
                "human",
                f"the US (human) demands {m.decided.us_demand_pct:.1f}% of GDP in core spending",
            )
    push = coercion.coercion_pp(pc, signals, shares, leverage, c["demand"], need)
    weights = member_weights(pa, c["elapsed"], drafted, s["member"])  # the rule and its reasons
    desired = rules.desired_core_pct(
        pa,
        need,
        push,
        c["goal"],
        peers_a,
        shocks_a,
        s["holdout"],
        s["holdout_cap"],
        weights,
    )
    armed = s["armed"]
    core_before = s["core_pct"]
    reported_before = core_before + s["reclassified_pct"]
    core = rules.set_budget(
        core_before,
        desired,
        s["adjustment"],
        s["max_rise"],
        s["max_cut"],
        drafted,
        pa["urgency_gain"],
    )
    core = np.where(armed, core, core_before)
    why = budget_why.budget_terms(
        budget_why.situation_terms(
            pa,
            s["base_pct"],
            drafted,
            trust,
            s["size"],
            peers_a,
            c["goal"],
            weights,
            war,
        ),
        start,
        rules.budget_rate(s["adjustment"], drafted, pa["urgency_gain"]),
        push,
        shocks_a,
        core_before,
        core,
    )
    by_rule = core.copy()
    human = np.zeros(core.shape, dtype=bool)  # allies a human player budgets for
    for r, m in enumerate(models):  # human players' budgets (the seminar)
        for iso3, pct in m.decided.budget_pct.items():
            i = m.ally_index[iso3]
            human[r, i] = True
            if armed[r, i]:
                core[r, i] = pct
                m.recorder.event(
                    "human",
                    f"{m.allies[i].record.country} (human) sets core spending to {pct:.2f}% of GDP",
                )
    willing = (
        rules.reclassify_willingness(pa, s["holdout"], signals, c["elapsed"]) * s["member"]
    )  # a bar binds members only (pledge weights)
    headline = first.united_states.p["measurement"] == "headline"  # a text: the batch's
    reclassified = rules.reclassify(
        s["reclassified_pct"],
        core,
        willing if batch.on("reclassification") else np.zeros_like(willing),
        c["pledge"],
        headline,
        s["reclassify_max"],
        s["max_cut"],
    )
    reclassified = np.where(armed, reclassified, s["reclassified_pct"])
    related = rules.adjust_related(pa, s["related_pct"], s["holdout"], c["pledge_related"])
    related = np.where(armed, related, s["related_pct"])
    why["human"] = core - by_rule
    why["reclassification"] = reclassified - (reported_before - core_before)
    core_due, recl_due = core, reclassified
    due = [r for r, bar in enumerate(bars) if bar is not None]
    if due:  # meet it? (sim.model.pledge.Pledge.due_bar); the others draw nothing
        bar = _numbers([0.0 if b is None else b for b in bars])
        kept = reported_before >= bar - 0.005
        chance = rules.compliance_chance(pa, signals, kept)
        drawn = np.zeros(core.shape, dtype=bool)
        for r in due:
            drawn[r] = models[r].rng.random(n) < chance[r]
        comply = armed & s["member"] & ~human & drawn
        met_core, met_recl = rules.meet_deadline(
            pa,
            core,
            reclassified,
            core_before,
            bar,
            comply,
            s["max_rise"],
            headline and batch.on("reclassification"),
        )
        if len(due) == len(models):
            core, reclassified = met_core, met_recl
        else:
            picked = np.zeros((len(models), 1), dtype=bool)
            picked[due] = True
            core = np.where(picked, met_core, core)
            reclassified = np.where(picked, met_recl, reclassified)
    why["deadline"] = core - core_due
    why["deadline_oneoff"] = reclassified - recl_due
    before_gdp = core + reclassified
    surprise = c["gdp_surprise"]
    moved = surprise != 0.0  # GDP grew other than planned (NaN counts, as Python's ``if``)
    if moved.any() if isinstance(moved, np.ndarray) else moved:  # a batch of one: a bool
        scale = rules.money_budget_scale(s["gdp_growth"], surprise)
        core = np.where(moved, core * scale, core)
        reclassified = np.where(moved, reclassified * scale, reclassified)
        related = np.where(moved, related * scale, related)
    why["gdp"] = core + reclassified - before_gdp
    # Each run's rows bound to it, the batch's arrays kept for the year's record
    # (:func:`sim.model.outputs.record_years`: :meth:`~sim.engine.batch.Batch.handed`).
    written = batch.hand_out(
        HANDED_STATE, [threat, shock, aggression, trust, drafted, war, core, reclassified, related]
    )  # in the order of WRITTEN
    answers = batch.hand_out(HANDED_SHARES, list(shares))
    sigs = batch.hand_out(HANDED_SIGNALS, [signals])
    # The reasons, one block (runs, TERMS, allies): the rule moves only allies with armed
    # forces, so its terms are 0.0 for the others (``np.where(armed, term, 0.0)``, written
    # into the block where armed)
    block = np.zeros((len(models), len(budget_why.TERMS), n))
    for j, term in enumerate(budget_why.TERMS):
        if term in _RULE_TERMS:
            np.copyto(block[:, j], why[term], where=armed)
        else:
            block[:, j] = why[term]
    (why_rows,) = zip(*batch.hand_out(HANDED_WHY, [block]), strict=True)  # (TERMS, allies) each
    for m, state, answer, sig, reason in zip(models, written, answers, sigs, why_rows, strict=True):
        st = m.ally_state
        (
            st.threat,
            st.shock,
            st.aggression,
            st.trust,
            st.drafted_threat,
            st.war_urgency,
            st.core_pct,
            st.reclassified_pct,
            st.related_pct,
        ) = state
        m.shares, (m.signals,) = answer, sig  # type: ignore[assignment]
        m.budget_why = Terms(_TERM_INDEX, reason)
    for us in exited:  # an exit at the end of last year now felt
        us.exited_this_year = False


# The keys under which the phase hands out its arrays (:meth:`Batch.hand_out`): the state it
# writes (WRITTEN's order), the answers' shares (comply, hedge, resist), the US's signals, the
# budget's reasons (one block, runs x ``budget_why.TERMS`` x allies: :func:`reasons`).
HANDED_STATE, HANDED_SHARES = "allies.state", "allies.shares"
HANDED_SIGNALS, HANDED_WHY = "allies.signals", "allies.why"
_TERM_INDEX = {k: j for j, k in enumerate(budget_why.TERMS)}  # a term's place in the block
_RULE_TERMS = frozenset(budget_why.RULE_TERMS)


def reasons(batch: Batch) -> np.ndarray | None:
    """The budget's reasons the allies' phase gave every run of ``batch`` this year, one block
    (runs x :data:`sim.agents.budget_why.TERMS` x allies), while every run still holds its row
    of it as its ``budget_why`` (a :class:`~sim.engine.batch.Terms` whose ``row`` is the row
    handed out: keyed on the rows' identity, :meth:`Batch.handed`; a run whose reasons were
    set anew, or a key of them, is seen); else None (read each run's ``budget_why``). A write
    into a run's reason (a view of the block) is in the block. Read it; do not write into it."""
    rows_held = [getattr(m.budget_why, "row", None) for m in batch.models]
    handed = batch.handed(HANDED_WHY, rows_held)  # type: ignore[arg-type]
    return None if handed is None else handed[0]


_COLUMNS = (
    "threat_level",
    "militarisation",
    "war",
    "drawdown",
    "ambiguity",
    "reassurance",
    "exited",
    "eu_share",
    "credibility",
    "us_influence",
    "pledge",
    "goal",
    "elapsed",
    "war_drafted",
    "war_start",
    "demand",
    "pledge_related",
    "gdp_surprise",
)


def _wars(m: AllianceModel) -> tuple[float, float]:
    """The war's intensity in Ukraine last year (the year the budget was drafted, the start
    year's at the start) and at the start, from the run's scenario's series: the same for
    every run of one scenario in one year (the models of a batch share their start year), so
    :func:`act` reads them once per scenario and year (keyed on the scenario's identity, for
    the phase's own call only: the models hold their scenarios meanwhile, and a lever moved
    mid-run binds a new one, :meth:`AllianceModel.change_params`)."""
    series = m.config.series_year
    return (
        series(max(m.start_year, m.year - 1))["ukraine_war"],
        series(m.start_year)["ukraine_war"],  # drafted last year too
    )


def _columns(
    m: AllianceModel,
    us: Any,
    now: Any,
    war: tuple[float, float],
    pledge: tuple[float, float, float, float | None],
) -> tuple[float, ...]:
    """A run's numbers this year, in the order of :data:`_COLUMNS` (``war``: :func:`_wars`;
    ``pledge``: its pledge this year, :meth:`~sim.model.pledge.Pledge.year`)."""
    return (
        us.threat_level,
        m.russia.militarisation,
        now["ukraine_war"],
        us.drawdown_this_year,
        us.ambiguity,
        us.reassurance_now(now),
        float(bool(us.exited_this_year)),
        m.eu_share,
        us.coercion_credibility,
        m.us_influence,
        pledge[0],  # AllianceModel.pledge_level()
        pledge[1],  # AllianceModel.pledge_goal()
        pledge[2],  # Pledge.elapsed(year)
        *war,
        now["us_demand_pct"] if m.decided.us_demand_pct is None else m.decided.us_demand_pct,
        now["pledge_related_pct"],
        now["gdp_surprise_pct"],
    )


def _stack_terms(terms: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The runs' budget terms (a dict of per-ally arrays each) as a dict of (runs, allies)
    arrays, in one call."""
    keys = tuple(terms[0])
    values = np.array([operator.itemgetter(*keys)(t) for t in terms], dtype=float)
    return dict(zip(keys, values.transpose(1, 0, 2), strict=True))


def _products(weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Each run's ``weights[r] @ x[r]`` (runs, allies, allies) by (runs, allies), in one
    stacked ``matmul`` call: NumPy calls for each run the routine (BLAS's matrix-vector
    product) it calls for one run's ``w @ x``, so each run's sums are added in the order they
    are alone (``tests/test_engine_allies.py`` checks they agree to the bit)."""
    return np.matmul(weights, x[:, :, None])[:, :, 0]


def _numbers(values: list[float]) -> Any:
    """The runs' numbers as a column of shape (runs, 1); a batch of one's as its float."""
    return values[0] if len(values) == 1 else np.array(values, dtype=float)[:, None]
