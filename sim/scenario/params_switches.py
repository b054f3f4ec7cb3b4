"""The knock-out switches of the ``[mechanisms]`` table (issue: the claims as experiments).

Every mechanism and sub-rule can be switched off to a stated neutral form; each switch is a
``bool`` parameter of the schema (default on). Most neutral forms are parameter values (a rule
with its gains at zero is the rule switched off), listed in :attr:`Switch.neutral`; a few rules
have no such value and read their switch in the code (their ``neutral`` is empty). How a model
applies them: :mod:`sim.mechanisms.switches`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .params_world import CATEGORIES
from .schema import Param


@dataclass(frozen=True)
class Switch:
    """One knock-out switch.

    Attributes:
        name: Key under ``[mechanisms]``.
        mechanism: M1-M9 or the sub-rule's mechanism.
        claims: Claims whose tests knock it out.
        description: What the rule does, in a sentence.
        neutral: Parameter values (``section.name``) that switch it off; empty when the code
            reads the switch itself.
        off: What the model does with it off, in a sentence.
    """

    name: str
    mechanism: str
    claims: tuple[str, ...]
    description: str
    off: str
    neutral: Mapping[str, Any] = field(default_factory=dict)


def _zero(section: str, *names: str) -> dict[str, Any]:
    return {f"{section}.{n}": 0.0 for n in names}


SWITCHES: tuple[Switch, ...] = (
    Switch("lead_times", "M1", ("C16", "C18"), "Orders become capability after category lead times "
           "and a US backlog.", "every order is delivered the year it is placed",
           {**{f"capability.lead_time_{c}": 0 for c in CATEGORIES}, "capability.us_backlog_years": 0}),
    Switch("industrial_capacity", "M1", ("C16",), "Industry delivers at most its capacity; "
           "the rest waits in a backlog.", "industry delivers whatever is due"),
    Switch("irreplaceable_isr", "M1", ("C17",), "Part of the US ISR contribution cannot be "
           "bought.", "all of it can be bought", {"capability.isr_irreplaceable_share": 0.0}),
    Switch("threat_perception", "M2", ("C5", "C12"), "Allies' threat follows Russia's "
           "militarisation, war, attacks and probes.", "every ally's threat stays at its start",
           _zero("perception", "threat_adjustment", "threat_network_weight")),
    Switch("threat_network", "M2", ("C5",), "Alarm spreads to network neighbours.",
           "threat follows each ally's own situation only",
           _zero("perception", "threat_network_weight")),
    Switch("greyzone", "M8", ("C12",), "Russia's grey-zone campaign.", "no grey-zone attacks, surges included",
           _zero("russia", "greyzone_base")),
    Switch("trust", "M3", ("C9", "C13", "C14"), "Trust in the US moves with threats, drawdowns, "
           "ambiguity, reassurance, exits and crises.", "trust stays at its start",
           _zero("perception", "trust_recovery", "trust_threat_cost", "trust_drawdown_cost",
                 "trust_ambiguity_cost", "trust_reassurance_gain", "trust_exit_cost",
                 "trust_crisis_gain", "trust_crisis_loss")),
    Switch("coercion_credibility", "M3", ("C3", "C4"), "Executed threats raise coercion "
           "credibility (every year of threats wears it down, executed or not).",
           "an execution raises nothing: credibility only wears down",
           _zero("perception", "credibility_execution_gain")),
    Switch("threat_reading", "M3", ("C9",), "Russia reads US abandonment threats as weak "
           "resolve.", "threats say nothing to Moscow about US resolve",
           _zero("perception", "resolve_weight_threat")),
    Switch("reassurance_reading", "M3", ("C13",), "Reassurance shows resolve: Russia reads "
           "it, and a reassuring US stands more often in crises and Article 4 consultations.",
           "reassurance neither tells Moscow anything nor changes what the US does in a crisis",
           {**_zero("perception", "resolve_weight_reassurance"),
            **_zero("united_states", "crisis_response_reassurance")}),
    Switch("russia_reads_resolve", "M3", ("C9", "C13"), "Russia updates its estimates of US "
           "and European resolve from signals and crises.", "its estimates stay at their start",
           {**_zero("perception", "resolve_learning"),
            **_zero("crisis", "resolve_gain_repelled", "resolve_loss_failure",
                    "europe_resolve_gain", "europe_resolve_loss")}),
    Switch("compliance", "M4", ("C3", "C4"), "Allies that comply with a US threat spend toward "
           "its demand.", "complying adds nothing", _zero("allies", "compliance_gain")),
    Switch("hedging", "M4", ("C6",), "Allies that hedge spend on European autonomy, buy "
           "European and build sovereign ISR, lowering US influence.", "hedging changes nothing",
           _zero("coercion", "hedge_spending_pp", "hedge_buy_shift", "hedge_isr_gain")),
    Switch("backlash", "M4", ("C5",), "Allies that resist a US threat withhold spending.",
           "resisting withholds nothing", _zero("coercion", "backlash_pp")),
    Switch("pledge", "M4", ("C4",), "The alliance pledge pulls budgets.",
           "pledges pull nothing", _zero("allies", "pledge_weight", "pledge_deadline_gain")),
    Switch("pledge_bargain", "M4", ("C4", "C5"), "At a summit the pledge and the opt-outs follow "
           "from the allies' positions and US pressure.",
           "a summit agrees the US proposal and nobody opts out"),
    Switch("peers", "M4", ("C5",), "Budgets are pulled toward neighbours' spending.",
           "no peer pull", _zero("allies", "peer_weight")),
    Switch("self_help", "M4", ("C9",), "Threatened allies that distrust the US spend more.",
           "no self-help", _zero("allies", "self_help_gain")),
    Switch("free_riding", "M4", ("C5",), "Small trusting allies free-ride.", "no free-riding",
           _zero("allies", "free_ride_gain")),
    Switch("reclassification", "M4", ("C5", "C19"), "Allies under pressure reclassify spending "
           "to reach the bar the US checks.", "nobody reclassifies"),
    Switch("us_threats", "M5", ("C3", "C4", "C9"), "The US threatens abandonment when allies "
           "lag.", "the US cajoles: no threats", {"united_states.threat_intensity": 0.0}),
    Switch("executions", "M5", ("C3", "C4"), "The US carries out threats (drawdowns, leaving "
           "coordination mechanisms).", "threats are never carried out",
           {"united_states.execute_threats": False}),
    Switch("policy_dynamics", "M5", ("C13",), "The US escalates for want of progress, relents and "
           "reassures when trust frays, declares success.", "the threat follows progress only",
           {"united_states.escalation_step": 0.0, "united_states.relent_trust": 0.0,
            "united_states.success_progress": 1.0}),
    Switch("asia_pull", "M5", ("C1",), "Asia and home pull US posture and pressure.",
           "no pull", {"united_states.refocus_drift": 0.0, "united_states.asia_pressure": 0.0}),
    Switch("refocus", "M5", ("C8",), "A crisis pulls the US back to Europe.", "no refocus",
           {"united_states.refocus_boost": 0.0, "united_states.refocus_years": 0}),
    Switch("deadline_exit", "M5", ("C15",), "A missed deadline makes the US leave coordination "
           "mechanisms.", "nothing follows a missed deadline",
           {"united_states.exit_mechanisms": False}),
    Switch("command_handover", "M6", ("C2",), "At a change of command the US hands NATO's "
           "military command to a European once Europe covers enough of its requirement.",
           "an American stays in command (unless a scenario event says otherwise)",
           {"united_states.accepts_european_command": False}),
    Switch("agency", "M6", ("C2", "C6"), "US influence is read from what allies do: comply, buy "
           "American, follow its command and its line in crises, host its forces.",
           "US influence stays whole"),
    Switch("nuclear_liability", "M7", ("C7",), "The US carries the nuclear guarantee with "
           "shrinking control.", "no liability", _zero("alliance", "nuclear_commitment")),
    Switch("war_economy", "M8", ("C10",), "Russia keeps war-economy spending while the war lasts "
           "and through reconstitution.", "its spending falls toward its peacetime level at once"),
    Switch("russia_reaction", "M8", ("C8", "C10"), "Russia's spending reacts to European "
           "spending (Richardson).", "Russia's reaction is nil",
           _zero("russia", "reaction_coefficient", "balance_sensitivity")),
    Switch("reconstitution", "M8", ("C11",), "After a ceasefire Russia releases and refits its "
           "forces.", "forces stay tied down after a ceasefire",
           _zero("russia", "release_rate", "refit_rate")),
    Switch("probing", "M8", ("C8", "C9", "C11"), "Russia decides whether and where to probe.",
           "Russia probes only when a scenario event says so"),
    Switch("incursions", "M8", ("C9", "C12"), "Russia tests the allies with air, drone and sea "
           "incursions below the threshold of war; they answer, and both learn.",
           "no incursions",
           _zero("russia", "incursion_rate_air_war", "incursion_rate_air_peace",
                 "incursion_rate_drone", "incursion_rate_sea")),
    Switch("misperception", "M8", ("C8",), "Russia misreads resolve.", "it reads it exactly",
           _zero("russia", "misperception_sd")),
    Switch("local_balance", "M9", ("C11", "C13"), "Forces in place and reinforcements decide "
           "whether a probe seizes its objective.",
           "even odds whatever the forces, in Russia's reckoning and in the crisis"),
    Switch("solidarity", "M9", ("C5", "C11"), "Each ally decides whether to send help.",
           "no ally sends help"),
    Switch("nuclear_coercion", "M9", ("C7", "C11"), "Russia threatens nuclear use; the US or "
           "Europe may back down.", "no nuclear threats",
           _zero("crisis", "nuclear_threat_probability")),
    Switch("crisis_feedback", "M9", ("C9", "C11"), "Crisis outcomes feed trust, threat, "
           "cohesion, Russia's resolve estimates and its confidence.", "crises leave no trace"),
)

BY_NAME = {s.name: s for s in SWITCHES}


MECHANISMS: tuple[Param, ...] = tuple(
    Param(
        "mechanisms",
        s.name,
        "bool",
        True,
        "switch",
        f"{s.description} Off: {s.off}.",
        f"knock-out switch for {s.mechanism} (claims {', '.join(s.claims)})",
        mechanism=s.mechanism,
    )
    for s in SWITCHES
)
