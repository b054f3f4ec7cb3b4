"""The United States: engaged but pulled to Asia, coercing Europe to carry its defence (M5)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from ..model.alliance import AllianceModel

THREAT_FLOOR = 0.05  # below this a threat is rhetoric nobody acts on (no laggards are named)


def threat_target(
    p: Mapping[str, float], pressure: float, progress: float, china_pull: float, escalation: float
) -> float:
    """M5: the abandonment threat the US aims for (C1, C3, C13).

    ``threat_intensity x us_pressure x (1 - exp(-urgency))`` with ``urgency = (1 - progress) x
    (1 + asia_pressure x china_pull) x (1 + escalation)``: the threat rises with the shortfall,
    the pull of Asia and escalation, but saturates below ``threat_intensity`` (a policy's
    rhetoric has a register it stays in; maximal threats are events, ``us_pressure`` events).
    """
    shortfall = max(0.0, 1.0 - progress)
    urgency = shortfall * (1.0 + p["asia_pressure"] * china_pull) * (1.0 + escalation)
    return p["threat_intensity"] * pressure * (1.0 - math.exp(-urgency))


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
        """M5: how hard the US threatens abandonment this year, a policy that moves (C1, C3, C13).

        The target threat is :func:`threat_target`: ``threat_intensity x us_pressure`` times a
        saturating urgency that grows with the shortfall, Asia's pull and escalation, so the threat
        uses its range and ``threat_intensity`` sets how far it can go. The US **escalates**
        (escalation up by ``escalation_step``) in a year of threats in which progress rose by less
        than ``progress_expected``, and winds escalation down otherwise; it **relents** when mean
        trust falls below ``relent_trust`` (the target times 1 - ``relent_share``) and **reassures**
        (``relent_reassurance`` added to its reassurance, fading at ``reassurance_memory`` a year);
        it **declares success** once progress reaches ``success_progress`` (threats end for good).
        The threat level moves toward the target at ``threat_adjustment`` a year, and is at least
        any ``us_pressure`` event of the year. Ambiguity about US posture grows with the threat:
        ``us_ambiguity + ambiguity_per_threat x threat`` (C14). Cajoling is ``threat_intensity =
        0``.
        """
        p = self.p
        self.moves = []
        self.reassurance_extra *= p["reassurance_memory"]
        target = 0.0
        if p["threat_intensity"] > 0 and not self.success_declared:
            if progress >= p["success_progress"]:
                self.success_declared = True
                self.moves.append("declares_success")
            else:
                gained = progress - (progress if self.last_progress is None else self.last_progress)
                threatening = self.threat_level >= THREAT_FLOOR
                if threatening and self.last_progress is not None:
                    step = p["escalation_step"]
                    if gained < p["progress_expected"]:
                        if self.escalation < 1.0:
                            self.moves.append("escalates")
                        self.escalation = min(1.0, self.escalation + step)
                    else:
                        self.escalation = max(0.0, self.escalation - step)
                target = threat_target(p, pressure, progress, china_pull, self.escalation)
                if mean_trust < p["relent_trust"] and target > 0:
                    target *= 1.0 - p["relent_share"]
                    self.reassurance_extra = min(
                        1.0, self.reassurance_extra + p["relent_reassurance"]
                    )
                    self.moves.append("relents")
        self.last_progress = progress
        level = self.threat_level + p["threat_adjustment"] * (target - self.threat_level)
        self.threat_level = min(1.0, max(forced, level, 0.0))
        base_ambiguity = self.model.now["us_ambiguity"]
        self.ambiguity = min(1.0, base_ambiguity + p["ambiguity_per_threat"] * self.threat_level)
        return self.threat_level

    def execute_threats(self, laggards: int) -> bool:
        """M5/M3: carry out a drawdown against persistent laggards, or let the threat lapse.

        After ``patience_years`` of threats with laggards left, an execution happens with
        probability ``execution_probability`` (if ``execute_threats``) and if posture is above the
        Congress floor: the posture target falls by ``drawdown_step`` and coercion credibility
        rises by ``credibility_execution_gain`` of its gap to 1 (C3: consequences make threats
        credible). Every year of threats wears credibility by ``credibility_decay`` first,
        executed or not (threats repeated lose force), so an execution differs from a lapse by
        the gain alone and the ``coercion_credibility`` knock-out removes exactly that.
        """
        per = self.model.p_perception
        if self.threat_level < THREAT_FLOOR or laggards == 0:
            self.years_threatened = 0
            return False
        self.years_threatened += 1
        self.coercion_credibility *= 1.0 - per["credibility_decay"]
        can = (
            self.p["execute_threats"]
            and self.years_threatened > self.p["patience_years"]
            and self.posture_target > self.p["congress_floor"] + 1e-9
        )
        if can and self.model.rng.random() < self.p["execution_probability"]:
            cut = min(self.p["drawdown_step"], self.posture_target - self.p["congress_floor"])
            self.posture_target -= cut
            self.raise_credibility()
            self.years_threatened = 0
            return True
        return False

    def raise_credibility(self) -> None:
        """M3: an executed threat raises coercion credibility toward 1."""
        gain = self.model.p_perception["credibility_execution_gain"]
        self.coercion_credibility += gain * (1.0 - self.coercion_credibility)

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
        """M5: the drawdown as a decision (C1, C8): Asia pulls, Europe's progress lets the US
        hand over, Congress resists, crises pull the US back.

        Unless refocused on Europe after a crisis (C8), the target falls each year by
        ``refocus_drift x china_pull x (1 + handover_gain x progress) x room``, where
        ``progress`` is Europe's progress as the US measures it (a Europe that carries more
        lets Washington leave sooner: the burden-shifting strategy of seed 002) and ``room`` =
        (target - ``congress_floor``) / (1 - ``congress_floor``) is Congress's resistance, each
        cut harder to pass as forces near the floor it would defend (so the floor is approached,
        not a destination). Posture moves toward the target by at most ``max_posture_change``;
        neither goes below ``congress_floor`` nor above ``posture_ceiling``.
        """
        floor, ceiling = self.p["congress_floor"], self.p["posture_ceiling"]
        if self.model.year > self.refocus_until:
            room = max(0.0, self.posture_target - floor) / max(1e-9, 1.0 - floor)
            handover = 1.0 + self.p["handover_gain"] * max(0.0, progress)
            self.posture_target -= self.p["refocus_drift"] * china_pull * handover * min(1.0, room)
        self.posture_target = min(ceiling, max(floor, self.posture_target))
        step = self.posture_target - self.posture
        step = max(-self.p["max_posture_change"], min(self.p["max_posture_change"], step))
        old = self.posture
        self.posture = min(ceiling, max(floor, self.posture + step))
        self.drawdown_this_year = max(0.0, old - self.posture)

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
