"""The United States: engaged but pulled to Asia, coercing Europe to carry its defence (M5)."""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from ..engine.elementwise import exp, negate, pmax, pmin, where

if TYPE_CHECKING:
    from ..model.alliance import AllianceModel

THREAT_FLOOR = 0.05  # below this a threat is rhetoric nobody acts on (no laggards are named)


def threat_target(
    p: Mapping[str, Any], pressure: Any, progress: Any, china_pull: Any, escalation: Any
) -> Any:
    """M5: the abandonment threat the US aims for (C1, C3, C13).

    ``threat_intensity x us_pressure x (1 - exp(-urgency))`` with ``urgency = (1 - progress) x
    (1 + asia_pressure x china_pull) x (1 + escalation)``: the threat rises with the shortfall,
    the pull of Asia and escalation, but saturates below ``threat_intensity`` (a policy's
    rhetoric has a register it stays in; maximal threats are events, ``us_pressure`` events).
    Numbers or arrays over runs (parameters a number or a column per run).
    """
    shortfall = pmax(0.0, 1.0 - progress)
    urgency = shortfall * (1.0 + p["asia_pressure"] * china_pull) * (1.0 + escalation)
    return p["threat_intensity"] * pressure * (1.0 - exp(-urgency))


def raised_credibility(gain: Any, credibility: Any) -> Any:
    """M3: coercion credibility after an executed threat, ``gain`` of its gap to 1 closed."""
    return credibility + gain * (1.0 - credibility)


# The US's state the year's rules read and write, one (R,) array each over runs
# (:func:`gather`, :func:`scatter`); ``has_last`` is whether ``last_progress`` is set.
STATE = (
    "threat_level",
    "escalation",
    "reassurance_extra",
    "success_declared",
    "years_threatened",
    "coercion_credibility",
    "posture",
    "posture_target",
    "refocus_until",
)
_get_state = operator.attrgetter(*STATE)


_get_all = operator.attrgetter(*STATE, "last_progress", "ambiguity", "drawdown_this_year")


def gather(agents: Sequence[UnitedStates]) -> dict[str, Any]:
    """The US state of each agent (:data:`STATE`, ``last_progress``, ``ambiguity``,
    ``drawdown_this_year``) as arrays of shape (R,), in one pass; of a single agent, its own
    Python values (the rules take either: one run costs no arrays)."""
    if len(agents) == 1:
        us = agents[0]
        one = dict(zip(STATE, _get_state(us), strict=True))
        one["has_last"] = us.last_progress is not None
        one["last_progress"] = us.last_progress
        one["ambiguity"], one["drawdown_this_year"] = us.ambiguity, us.drawdown_this_year
        return one
    rows = [_get_all(us) for us in agents]
    values = np.array(rows, dtype=float)  # a last_progress of None: NaN (has_last False)
    s = {k: values[:, i] for i, k in enumerate(STATE)}
    n = len(STATE)
    s["has_last"] = np.array([r[n] is not None for r in rows])
    s["last_progress"], s["ambiguity"] = values[:, n], values[:, n + 1]
    s["drawdown_this_year"] = values[:, n + 2]
    s["success_declared"] = s["success_declared"] > 0
    return s


def scatter(
    agents: Sequence[UnitedStates], s: Mapping[str, Any], only: Sequence[int] | None = None
) -> None:
    """Write ``s`` (:func:`gather`'s arrays, the rules applied) back to the agents (those at
    the indices ``only`` if given), each field in its Python type."""
    if not isinstance(s["threat_level"], np.ndarray):  # one agent's own values
        us = agents[0]
        for k in STATE:
            setattr(us, k, s[k])
        us.last_progress = s["last_progress"] if s["has_last"] else None
        us.ambiguity, us.drawdown_this_year = s["ambiguity"], s["drawdown_this_year"]
        return
    if only is not None:
        picked = np.asarray(only, dtype=int)
        scatter([agents[i] for i in only], {k: np.asarray(v)[picked] for k, v in s.items()})
        return
    columns = zip(
        agents,
        s["threat_level"].tolist(),
        s["escalation"].tolist(),
        s["reassurance_extra"].tolist(),
        s["success_declared"].tolist(),
        s["years_threatened"].tolist(),
        s["coercion_credibility"].tolist(),
        s["posture"].tolist(),
        s["posture_target"].tolist(),
        s["has_last"].tolist(),
        s["last_progress"].tolist(),
        s["ambiguity"].tolist(),
        s["drawdown_this_year"].tolist(),
        strict=True,
    )
    for us, th, esc, extra, done, years, cred, post, target, has, last, amb, down in columns:
        us.threat_level, us.escalation, us.reassurance_extra = th, esc, extra
        us.success_declared, us.years_threatened = done, int(years)
        us.coercion_credibility, us.posture, us.posture_target = cred, post, target
        us.last_progress = last if has else None
        us.ambiguity, us.drawdown_this_year = amb, down


def threats(
    p: Mapping[str, Any],
    s: dict[str, Any],
    progress: Any,
    pressure: Any,
    forced: Any,
    china_pull: Any,
    mean_trust: Any,
    base_ambiguity: Any,
) -> tuple[Any, Any, Any]:
    """M5: how hard the US threatens abandonment this year, a policy that moves (C1, C3, C13),
    for runs whose state is ``s`` (:func:`gather`; updated in place) and whose parameters are
    ``p`` (numbers or a column per run).

    The target threat is :func:`threat_target`: ``threat_intensity x us_pressure`` times a
    saturating urgency that grows with the shortfall, Asia's pull and escalation, so the threat
    uses its range and ``threat_intensity`` sets how far it can go. The US **escalates**
    (escalation up by ``escalation_step``) in a year of threats in which progress rose by less
    than ``progress_expected``, and winds escalation down otherwise; it **relents** when mean
    trust falls below ``relent_trust`` (the target times 1 - ``relent_share``) and **reassures**
    (``relent_reassurance`` added to its reassurance, fading at ``reassurance_memory`` a year);
    it **declares success** once progress reaches ``success_progress`` (threats end for good).
    The threat level moves toward the target at ``threat_adjustment`` a year, and is at least
    any ``us_pressure`` event of the year (``forced``). Ambiguity about US posture grows with
    the threat: ``us_ambiguity + ambiguity_per_threat x threat`` (C14). Cajoling is
    ``threat_intensity = 0``. Returns the runs' moves as masks: declares success, escalates,
    relents.
    """
    extra = s["reassurance_extra"] * p["reassurance_memory"]
    active = (p["threat_intensity"] > 0) & negate(s["success_declared"])
    declares = active & (progress >= p["success_progress"])
    go = active & negate(declares)
    has_last = s["has_last"]
    gained = progress - where(has_last, s["last_progress"], progress)
    level = s["threat_level"]
    moving = go & (level >= THREAT_FLOOR) & has_last
    up = moving & (gained < p["progress_expected"])
    escalation = s["escalation"]
    escalates = up & (escalation < 1.0)
    step = p["escalation_step"]
    escalation = where(
        up,
        pmin(1.0, escalation + step),
        where(moving, pmax(0.0, escalation - step), escalation),
    )
    target = threat_target(p, pressure, where(go, progress, 1.0), china_pull, escalation)
    relents = go & (mean_trust < p["relent_trust"]) & (target > 0)
    target = where(relents, target * (1.0 - p["relent_share"]), where(go, target, 0.0))
    extra = where(relents, pmin(1.0, extra + p["relent_reassurance"]), extra)
    level = level + p["threat_adjustment"] * (target - level)
    threat = pmin(1.0, pmax(pmax(forced, level), 0.0))
    s["escalation"], s["reassurance_extra"], s["threat_level"] = escalation, extra, threat
    s["success_declared"] = s["success_declared"] | declares
    s["last_progress"], s["has_last"] = progress, has_last | True
    s["ambiguity"] = pmin(1.0, base_ambiguity + p["ambiguity_per_threat"] * threat)
    return declares, escalates, relents


def executions(
    p: Mapping[str, Any],
    per: Mapping[str, Any],
    s: dict[str, Any],
    laggards: Any,
    rngs: Sequence[np.random.Generator],
    exempt: Any = None,
) -> Any:
    """M5/M3: carry out a drawdown against persistent laggards, or let the threat lapse, for
    runs whose state is ``s`` (:func:`gather`; updated in place) facing ``laggards`` (a count
    per run); ``per`` the ``[perception]`` parameters; the runs in ``exempt`` (a human decided)
    are left as they are. Returns which runs executed.

    After ``patience_years`` of threats with laggards left, an execution happens with
    probability ``execution_probability`` (if ``execute_threats``) and if posture is above the
    Congress floor: the posture target falls by ``drawdown_step`` and coercion credibility
    rises by ``credibility_execution_gain`` of its gap to 1 (C3: consequences make threats
    credible). Every year of threats wears credibility by ``credibility_decay`` first,
    executed or not (threats repeated lose force), so an execution differs from a lapse by
    the gain alone and the ``coercion_credibility`` knock-out removes exactly that. The draw
    is each run's own (``rngs``), made only where an execution can happen.
    """
    quiet = (s["threat_level"] < THREAT_FLOOR) | (laggards == 0)
    years = where(quiet, 0, s["years_threatened"] + 1)
    credibility = s["coercion_credibility"]
    credibility = where(quiet, credibility, credibility * (1.0 - per["credibility_decay"]))
    target, floor = s["posture_target"], p["congress_floor"]
    can = (
        negate(quiet)
        & bool(p["execute_threats"])
        & (years > p["patience_years"])
        & (target > floor + 1e-9)
    )
    if exempt is not None:
        can = can & negate(exempt)
    if isinstance(can, np.ndarray):
        executed = np.zeros(len(can), dtype=bool)
        if can.any():
            chance = np.broadcast_to(p["execution_probability"], can.shape).tolist()
            for i in np.flatnonzero(can).tolist():
                executed[i] = rngs[i].random() < chance[i]
    else:
        executed = can and rngs[0].random() < p["execution_probability"]
    cut = pmin(p["drawdown_step"], target - floor)
    target = where(executed, target - cut, target)
    gain = per["credibility_execution_gain"]
    credibility = where(executed, raised_credibility(gain, credibility), credibility)
    years = where(executed, 0, years)
    if exempt is not None:
        years = where(exempt, s["years_threatened"], years)
        credibility = where(exempt, s["coercion_credibility"], credibility)
    s["years_threatened"], s["coercion_credibility"] = years, credibility
    s["posture_target"] = target
    return executed


def postures(
    p: Mapping[str, Any], s: dict[str, Any], year: Any, china_pull: Any, progress: Any
) -> None:
    """M5: the drawdown as a decision (C1, C8): Asia pulls, Europe's progress lets the US
    hand over, Congress resists, crises pull the US back; for runs whose state is ``s``
    (:func:`gather`; updated in place).

    Unless refocused on Europe after a crisis (C8), the target falls each year by
    ``refocus_drift x china_pull x (1 + handover_gain x progress) x room``, where
    ``progress`` is Europe's progress as the US measures it (a Europe that carries more
    lets Washington leave sooner: the burden-shifting strategy of seed 002) and ``room`` =
    (target - ``congress_floor``) / (1 - ``congress_floor``) is Congress's resistance, each
    cut harder to pass as forces near the floor it would defend (so the floor is approached,
    not a destination). Posture moves toward the target by at most ``max_posture_change``;
    neither goes below ``congress_floor`` nor above ``posture_ceiling``.
    """
    floor, ceiling = p["congress_floor"], p["posture_ceiling"]
    target, posture = s["posture_target"], s["posture"]
    drifts = year > s["refocus_until"]
    room = pmax(0.0, target - floor) / pmax(1e-9, 1.0 - floor)
    handover = 1.0 + p["handover_gain"] * pmax(0.0, progress)
    cut = p["refocus_drift"] * china_pull * handover * pmin(1.0, room)
    target = where(drifts, target - cut, target)
    target = pmin(ceiling, pmax(floor, target))
    most = p["max_posture_change"]
    step = pmax(-most, pmin(most, target - posture))
    moved = pmin(ceiling, pmax(floor, posture + step))
    s["drawdown_this_year"] = pmax(0.0, posture - moved)
    s["posture_target"], s["posture"] = target, moved


def move_names(declares: np.ndarray, escalates: np.ndarray, relents: np.ndarray) -> list[list[str]]:
    """Each run's moves of the year in words, in the order the US makes them
    (:func:`threats`' masks): ``declares_success``, or ``escalates`` then ``relents``."""
    out: list[list[str]] = []
    masks = (np.atleast_1d(declares), np.atleast_1d(escalates), np.atleast_1d(relents))
    for d, e, r in zip(*(x.tolist() for x in masks), strict=True):
        out.append(["declares_success"] if d else ["escalates"] * e + ["relents"] * r)
    return out


class UnitedStates(mesa.Agent):
    """US posture and policy toward the European allies.

    State: ``posture`` (conventional forces committed to Europe, fraction of the start year's),
    ``posture_target``, ``threat_level`` (index 0-1, this year's abandonment threat),
    ``escalation`` (0-1, how far it has escalated for want of progress), ``coercion_credibility``
    (index 0-1, allies' belief that threats are carried out), ``ambiguity`` (index 0-1),
    ``reassurance_extra`` (reassurance it has offered itself, on top of the scenario's series),
    ``success_declared``, ``exited_mechanisms``, ``years_threatened`` (consecutive years of
    unexecuted threats), ``refocus_until`` (year), and this year's ``moves`` (what it did, for
    the event log: ``escalates``, ``relents``, ``declares_success``).
    """

    model: AllianceModel

    def __init__(self, model: AllianceModel) -> None:
        super().__init__(model)
        self.p = model.params["united_states"]
        self.posture = 1.0
        self.posture_target = 1.0
        self.threat_level = 0.0
        self.escalation = 0.0
        self.last_progress: float | None = None
        self.coercion_credibility = model.p_perception["credibility_initial"]
        self.ambiguity = 0.0
        self.reassurance_extra = 0.0
        self.success_declared = False
        self.exited_mechanisms = False
        self.european_command = bool(self.p["european_command"])
        self.years_threatened = 0
        self.refocus_until = -1
        self.drawdown_this_year = 0.0
        self.exited_this_year = False
        self.moves: list[str] = []

    def measure_progress(self, headline_share: float, capability_progress: float) -> float:
        """M5: European progress as the US measures it (C19).

        ``headline``: the GDP-weighted share of European allies whose reported core spending
        reaches the US demand; ``capability``: the share of the US contribution (per category,
        averaged) that European capability delivered since the start replaces. Both in [0, 1].
        """
        return headline_share if self.p["measurement"] == "headline" else capability_progress

    def reassurance_now(self, now: Mapping[str, float]) -> float:
        """Reassurance this year: the scenario's series plus what the US has offered itself."""
        return min(1.0, now["us_reassurance"] + self.reassurance_extra)

    def initial_stance(
        self, measures: tuple[float, float], now: Mapping[str, float], pressure: float
    ) -> None:
        """The threat the US brings to the start year (and to a summit held then): the target of
        :meth:`issue_threats` without escalation, at least any ``us_pressure`` event of the start
        year."""
        p = self.p
        progress = self.measure_progress(*measures)
        self.last_progress = progress
        target = threat_target(p, now["us_pressure"], progress, now["china_pull"], 0.0)
        self.threat_level = min(1.0, max(pressure, target, 0.0))
        self.ambiguity = min(
            1.0, now["us_ambiguity"] + p["ambiguity_per_threat"] * self.threat_level
        )

    def issue_threats(
        self,
        progress: float,
        pressure: float,
        forced: float,
        china_pull: float = 0.0,
        mean_trust: float = 1.0,
    ) -> float:
        """M5: how hard the US threatens abandonment this year (:func:`threats` for this US
        alone; this year's moves in ``moves``); returns the threat level."""
        s = gather([self])
        moves = threats(
            self.p,
            s,
            progress,
            pressure,
            forced,
            china_pull,
            mean_trust,
            self.model.now["us_ambiguity"],
        )
        scatter([self], s)
        self.moves = move_names(*moves)[0]
        return self.threat_level

    def execute_threats(self, laggards: int) -> bool:
        """M5/M3: carry out a drawdown against persistent laggards, or let the threat lapse
        (:func:`executions` for this US alone). Returns whether it executed."""
        s = gather([self])
        executed = executions(self.p, self.model.p_perception, s, laggards, [self.model.rng])
        scatter([self], s)
        return bool(executed)

    def raise_credibility(self) -> None:
        """M3: an executed threat raises coercion credibility toward 1
        (:func:`raised_credibility`)."""
        gain = self.model.p_perception["credibility_execution_gain"]
        self.coercion_credibility = raised_credibility(gain, self.coercion_credibility)

    def deadline_due(self) -> bool:
        """Whether this is the year the US judges its deadline (``deadline_year``)."""
        return self.model.year == self.p["deadline_year"]

    def judge_deadline(self, progress: float) -> bool | None:
        """M5: at ``deadline_year`` the US judges Europe's takeover of conventional defence (C15).

        Returns None in other years. If progress is below ``deadline_goal``, a US that executes
        threats and has ``exit_mechanisms`` leaves NATO coordination mechanisms (raising coercion
        credibility); a US that does not lets the deadline pass, and credibility decays.
        Returns whether the deadline was met.
        """
        if not self.deadline_due():
            return None
        met = progress >= self.p["deadline_goal"]
        if not met:
            if self.p["execute_threats"] and self.p["exit_mechanisms"]:
                self.exited_mechanisms = True
                self.exited_this_year = True
                self.raise_credibility()
            elif self.p["threat_intensity"] > 0:
                self.coercion_credibility *= 1.0 - self.model.p_perception["credibility_decay"]
        return met

    def adjust_posture(self, china_pull: float, progress: float = 0.0) -> None:
        """M5: the drawdown as a decision (C1, C8): :func:`postures` for this US alone."""
        s = gather([self])
        postures(self.p, s, self.model.year, china_pull, progress)
        scatter([self], s)

    def choose_commander(self, year: int, coverage: float) -> bool:
        """M6: at a change of NATO's command the US decides who holds it (C2, C6, C8).

        Rule: in a change-of-command year (every ``command_term_years`` after
        ``command_change_year``, the last change before the run's future) a US that
        ``accepts_european_command`` nominates a European Supreme Allied Commander Europe when
        Europe's mean coverage of its capability requirement (``coverage``, after this year's
        deliveries) has reached ``command_handover_coverage``, unless a crisis has pulled it
        back to Europe (``refocus_until``, C8). Otherwise an American stays in command until
        the next change. A handover is not reversed. A change in a run's start year belongs to
        the start's data, not to the run (the model calls this from the year after it). Source:
        seed 000 (the administration "reportedly considered nominating the first European to
        serve as NATO's military head" as Europe takes "primary responsibility for defense of
        the continent"). Returns whether a European was nominated this year.

        >>> from types import SimpleNamespace as NS
        >>> us = NS(european_command=False, refocus_until=-1, p={
        ...     "accepts_european_command": True, "command_handover_coverage": 0.75,
        ...     "command_term_years": 3, "command_change_year": 2025})
        >>> [UnitedStates.choose_commander(us, y, 0.8) for y in (2027, 2028)]
        [False, True]
        """
        p = self.p
        since = year - int(p["command_change_year"])
        change = since > 0 and since % max(1, int(p["command_term_years"])) == 0
        if self.european_command or not change or not p["accepts_european_command"]:
            return False
        if year <= self.refocus_until or coverage < p["command_handover_coverage"]:
            return False
        self.european_command = True
        return True

    def forced_drawdown(self, magnitude: float) -> None:
        """An exogenous drawdown event: the target falls by ``magnitude``, not below the floor."""
        self.posture_target = max(self.p["congress_floor"], self.posture_target - magnitude)

    def refocus(self) -> None:
        """M5: a crisis pulls the US back to Europe (C8): posture target up by ``refocus_boost``,
        China-driven drift suspended for ``refocus_years``."""
        self.posture_target = min(
            self.p["posture_ceiling"], self.posture_target + self.p["refocus_boost"]
        )
        self.refocus_until = self.model.year + self.p["refocus_years"]

    def respond_probability(self, china_pull: float, liability: float, reassurance: float) -> float:
        """M9: probability that the US answers a Russian probe militarily (C7, C9, C11, C13).

        ``logistic(crisis_response_base + crisis_response_posture x posture
        - crisis_response_china x china_pull - crisis_response_liability x nuclear liability
        - crisis_response_threat x this year's threat + crisis_response_reassurance x
        reassurance)``.
        """
        p = self.p
        z = (
            p["crisis_response_base"]
            + p["crisis_response_posture"] * self.posture
            - p["crisis_response_china"] * china_pull
            - p["crisis_response_liability"] * liability
            - p["crisis_response_threat"] * self.threat_level
            + p["crisis_response_reassurance"] * reassurance
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def step(self) -> None:
        """The US acts inside the model's schedule (``AllianceModel.step``)."""
