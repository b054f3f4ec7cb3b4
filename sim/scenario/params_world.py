"""Parameters of the shared mechanisms: perception and trust (M2, M3), the capability pipeline (M1),
agency and nuclear liability (M6, M7), the crisis game (M9), the network, the verdict, and the
time-varying inputs.
"""

from __future__ import annotations

from .params_actors import IDX, _f, _i
from .params_crisis import COERCION, CRISIS
from .schema import Param, Series

CATEGORIES = ("manoeuvre", "air_missile_defence", "isr", "enablers", "munitions")

RUN = (
    _i("run", "start_year", 2025, 2014, 2035, "year",
       "First year; its state is the data of that year.", "defence_pct_gdp.csv ends in 2025", ""),
    _i("run", "end_year", 2040, 2015, 2070, "year", "Last simulated year.",
       "MODEL.md: runs to 2040 by default", ""),
)

PE = "perception"
PERCEPTION = (
    _f(PE, "threat_adjustment", 0.4, 0, 1, "fraction per year",
       "Share of the gap to the situational threat closed each year.", "assumption", "M2"),
    _f(PE, "threat_network_weight", 0.25, 0, 1, "fraction per year",
       "Pull of an ally's threat toward its neighbours' (alarm spreads).", "assumption", "M2"),
    _f(PE, "threat_base", 0.1, 0, 1, IDX, "Threat felt by an ally far from Russia in calm times.",
       "assumption", "M2"),
    _f(PE, "threat_proximity_weight", 0.45, 0, 1, IDX,
       "Threat from Russia's capability for an ally of proximity 1.", "assumption", "M2"),
    _f(PE, "threat_war_weight", 0.3, 0, 1, IDX,
       "Threat added by Russia's war in Ukraine at full intensity, times proximity.",
       "assumption", "M2"),
    _f(PE, "threat_power_cap", 2.0, 0, 10, "multiple of start-year spending",
       "Largest Russian militarisation (military spending over the start year's) that still adds "
       "to threat.", "assumption: beyond twice the start, more spending does not alarm more",
       "M2"),
    _f(PE, "threat_greyzone_per_attack", 0.03, 0, 0.5, "index per attack",
       "Threat added by each grey-zone attack an ally suffers (C12).", "assumption", "M2"),
    _f(PE, "threat_probe_weight", 0.5, 0, 1, IDX,
       "Threat added by a Russian probe, times the network closeness to the target.",
       "assumption", "M2"),
    _f(PE, "shock_memory", 0.6, 0, 1, "fraction per year",
       "Share of last year's shock signal (probes, aggression) still felt this year.",
       "assumption", "M2"),
    _f(PE, "aggression_memory", 0.9, 0, 1, "fraction per year",
       "Share of the threat from Russian aggression elsewhere (Crimea 2014, the 2022 invasion) "
       "still felt a year later: intent, once shown, is remembered.", "assumption", "M2"),
    _f(PE, "trust_anchor", 0.6, 0, 1, IDX,
       "Trust toward which an ally relaxes when the US sends no signal.",
       "assumption: equal to the default initial trust", "M3"),
    _f(PE, "trust_recovery", 0.15, 0, 1, "fraction per year", "Speed of that relaxation.",
       "assumption", "M3"),
    _f(PE, "trust_threat_cost", 0.04, 0, 1, "index per unit threat",
       "Trust lost per unit of US abandonment threat (C9).", "seed 001", "M3"),
    _f(PE, "trust_drawdown_cost", 0.8, 0, 5, "index per unit posture cut",
       "Trust lost per unit of posture withdrawn, times the ally's US-posture closeness.",
       "assumption", "M3"),
    _f(PE, "trust_ambiguity_cost", 0.03, 0, 1, "index per unit ambiguity",
       "Trust lost per year per unit of ambiguity about US posture (C14).", "seed 001", "M3"),
    _f(PE, "trust_reassurance_gain", 0.1, 0, 1, "index per unit reassurance",
       "Trust gained per unit of reassurance (C13).", "seed 001", "M3"),
    _f(PE, "trust_exit_cost", 0.3, 0, 1, "fraction of trust at full exposure",
       "Share of its trust an ally loses when the US leaves coordination mechanisms, times its "
       "exposure (mean of US posture closeness and proximity to Russia): how it reads the exit "
       "(C15).",
       "assumption: the exposed allies that rely on US command and ISR read an exit as a step "
       "toward abandonment (seed 002); a distant ally shrugs", "M3"),
    _f(PE, "trust_crisis_gain", 0.2, 0, 1, IDX,
       "Trust gained by allies when the US answers a probe.", "assumption", "M3"),
    _f(PE, "trust_crisis_loss", 0.45, 0, 1, IDX,
       "Trust lost by allies when the US hesitates in a crisis (C11).", "seed 001", "M3"),
    _f(PE, "credibility_initial", 0.3, 0, 1, IDX,
       "Allies' initial belief that US threats will be carried out.",
       "assumption: earlier threats were not executed (C3)", "M3"),
    _f(PE, "credibility_execution_gain", 0.4, 0, 1, "fraction of the gap to 1",
       "Rise of coercion credibility when a threat is executed.", "MODEL.md M3", "M3"),
    _f(PE, "credibility_decay", 0.2, 0, 1, "fraction per year",
       "Decay of coercion credibility for each year of threats, executed or not (an execution "
       "then adds credibility_execution_gain).", "MODEL.md M3",
       "M3"),
    _f(PE, "resolve_initial", 0.6, 0, 1, IDX, "Russia's initial estimate of US resolve.",
       "assumption", "M3"),
    _f(PE, "europe_resolve_initial", 0.5, 0, 1, IDX,
       "Russia's initial estimate of European resolve (one half: it reads the allies as they "
       "are).", "assumption", "M3"),
    _f(PE, "resolve_learning", 0.3, 0, 1, "fraction per year",
       "Weight Russia gives to this year's signals when it updates its estimates of resolve.",
       "assumption", "M3"),
    _f(PE, "resolve_weight_posture", 0.35, 0, 1, "weight",
       "Weight of US posture in the signal of US resolve Russia reads (C13, C14).",
       "assumption: forces on the ground speak loudest", "M3"),
    _f(PE, "resolve_weight_threat", 0.25, 0, 1, "weight",
       "Weight of the absence of US abandonment threats in that signal (C9).", "seed 001", "M3"),
    _f(PE, "resolve_weight_reassurance", 0.2, 0, 1, "weight",
       "Weight of US reassurance in that signal (C13).", "seed 001", "M3"),
    _f(PE, "resolve_weight_ambiguity", 0.2, 0, 1, "weight",
       "Weight of the absence of ambiguity about US posture in that signal (C14).", "seed 001",
       "M3"),
    _f(PE, "resolve_exit_penalty", 0.1, 0, 1, IDX,
       "Signal of US resolve lost once the US has left NATO coordination mechanisms (C15).",
       "assumption", "M3"),
    _f(PE, "europe_resolve_weight_threat", 0.4, 0, 1, "weight",
       "Weight of the allies' mean threat perception in the signal of European resolve Russia "
       "reads (alarmed allies fight).", "assumption", "M3"),
    _f(PE, "europe_resolve_weight_cohesion", 0.3, 0, 1, "weight",
       "Weight of alliance cohesion in that signal.", "assumption", "M3"),
    _f(PE, "europe_resolve_weight_capability", 0.3, 0, 1, "weight",
       "Weight of Europe's mean capability coverage in that signal (Russia reads capability).",
       "seed 000: capability more than rhetoric; assumption", "M3"),
)

CA = "capability"
_LEAD = {"manoeuvre": 3, "air_missile_defence": 4, "isr": 5, "enablers": 4, "munitions": 2}
_DEP = {"manoeuvre": 0.06, "air_missile_defence": 0.07, "isr": 0.08, "enablers": 0.06,
        "munitions": 0.15}
_ALLOC = {"manoeuvre": 0.35, "air_missile_defence": 0.2, "isr": 0.1, "enablers": 0.15,
          "munitions": 0.2}
_US_SHARE = {"manoeuvre": 0.25, "air_missile_defence": 0.45, "isr": 0.7, "enablers": 0.6,
             "munitions": 0.35}
CAPABILITY = tuple(
    p
    for c in CATEGORIES
    for p in (
        _i(CA, f"lead_time_{c}", _LEAD[c], 0, 15, "years",
           f"Years from an order to delivered {c.replace('_', ' ')} capability (C16).",
           "assumption: seed 002 on order backlogs; munitions fastest, ISR slowest", "M1"),
        _f(CA, f"depreciation_{c}", _DEP[c], 0, 0.5, "fraction per year",
           f"Yearly depreciation of {c.replace('_', ' ')} capability.",
           "assumption: munitions are consumed or expire fastest", "M1"),
        _f(CA, f"allocation_{c}", _ALLOC[c], 0, 1, "weight",
           f"Weight of {c.replace('_', ' ')} in equipment orders from the start year on "
           "(weights are normalised).", "assumption", "M1"),
        _f(CA, f"stock_mix_{c}", _ALLOC[c], 0, 1, "weight",
           f"Weight of {c.replace('_', ' ')} in the equipment bought before the start year: "
           "splits the start stocks and the orders already in the pipeline (normalised).",
           "assumption: no category breakdown in sim/data", "M1"),
        _f(CA, f"us_share_{c}", _US_SHARE[c], 0, 0.95, "fraction",
           f"How much NATO's {c.replace('_', ' ')} capability in Europe depends on the US: "
           "its odds, share / (1 - share), times Europe's own capability weigh the category in "
           "the US contribution (us_contribution_bn sets the level).",
           "assumption: seeds 001 and 002 name ISR, airlift, missile defence and command as "
           "where Europe depends most", "M1"),
    )
) + (
    _f(CA, "gap_priority", 0.5, 0, 1, "fraction",
       "Share of orders steered to the categories with the lowest European coverage.",
       "assumption", "M1"),
    _f(CA, "industry_headroom", 0.3, 0, 3, "fraction of start-year deliveries",
       "Spare industrial capacity above the start year's deliveries (European and US lines).",
       "assumption: seed 002 on backlogs", "M1"),
    _f(CA, "capacity_growth", 0.1, 0, 1, "fraction per year",
       "Largest yearly growth of industrial capacity when orders exceed it.", "assumption", "M1"),
    _f(CA, "us_buy_share", 0.3, 0, 1, "fraction",
       "Share of European equipment orders placed with US industry.", "assumption", "M1"),
    _i(CA, "us_backlog_years", 2, 0, 10, "years",
       "Extra delay on orders placed with US industry (C16: US systems arrive years later).",
       "seed 002", "M1"),
    _f(CA, "isr_irreplaceable_share", 0.5, 0, 1, "fraction",
       "Part of the US ISR contribution that procurement cannot replace quickly (C17).",
       "seed 002", "M1"),
    _f(CA, "isr_sovereign_rate", 0.03, 0, 0.2, "fraction per year",
       "Yearly progress of Europe in building the irreplaceable part of ISR itself.",
       "assumption", "M1"),
    _f(CA, "requirement_russia_elasticity", 0.5, 0, 3, "elasticity",
       "How the capability Europe needs grows once Russia's ground forces exceed the "
       "reconstituted Russia NATO's targets are set against: target x max(1, forces / "
       "reconstituted) ^ elasticity.",
       "assumption: less than proportional; deterrence by denial must match what Russia can "
       "bring to one theatre (a probe is capped, logistics bind), not its whole army", "M1"),
    _f(CA, "nato_target_growth", 0.4, 0.3, 0.5, "fraction of the pre-2022 force",
       "How much larger than its pre-2022 force (2021: Europe's paid-for capability plus the US "
       "contribution) NATO's capability targets make the force it needs in Europe (runs that "
       "start after 2021).",
       "crisis_references.csv: NATO's new capability targets need a total force 30-50% larger "
       "than before 2022 (IISS, May 2025); the midpoint", "M1"),
    _f(CA, "us_contribution_bn", 285.0, 50, 2000, "bn US$ of equipment",
       "Value of the US conventional contribution in the categories IISS costs (all but ISR); "
       "the us_share_<c> split it over categories and ISR takes the same scale.",
       "crisis_references.csv: IISS (May 2025) USD 226-344 bn of one-off procurement to replace "
       "it like for like; the midpoint", "M1"),
    _f(CA, "coverage_goal", 0.75, 0, 1, "fraction",
       "Coverage of a category counted as 'taken over' by Europe.",
       "seed 002: 'most conventional capabilities'", "M1"),
    _f(CA, "canada_europe_share", 0.15, 0, 1, "fraction",
       "Share of Canada's capability committed to Europe.", "assumption", "M1"),
)

AG = "alliance"
ALLIANCE = (
    *(
        _f(AG, f"influence_weight_{channel}", 1.0, 0, 10, "weight",
           f"Weight of the {channel} channel in the US influence index (M6, "
           "sim.mechanisms.influence): " + what,
           "assumption: equal weights, the convention of composite indicators when no weighting "
           "is published (OECD/JRC, Handbook on Constructing Composite Indicators, 2008)", "M6")
        for channel, what in (
            ("compliance", "the share of allies that comply when the US asks (C3, C6)."),
            ("procurement", "the share of European equipment bought from the US (M1, C6)."),
            ("command", "an American Supreme Allied Commander Europe (C2)."),
            ("crisis", "allies following the US line in crises (C9, C11)."),
            ("basing", "US forces and bases in Europe (C1)."),
        )
    ),
    _f(AG, "influence_memory", 0.5, 0, 1, "weight of the latest crisis",
       "How much the latest crisis, against those before it, sets whether allies follow the US "
       "line (M6).", "assumption: a crisis is remembered, and a second one counts as much",
       "M6"),
    _f(AG, "nuclear_commitment", 1.0, 0, 1, IDX,
       "How fully the US keeps the nuclear guarantee (C7).",
       "seed 000: US nuclear contributions unaddressed", "M7"),
    _f(AG, "cohesion_heal_rate", 0.1, 0, 1, "fraction per year",
       "Share of the cohesion damage of Article 5 failures healed each year.", "assumption",
       "cohesion"),
    _f(AG, "cohesion_trust_weight", 0.5, 0, 1, "weight",
       "Weight of mean trust in the US, against agreement on the threat, in cohesion.",
       "assumption", "cohesion"),
)

NE = "network"
NETWORK = (
    _f(NE, "border_weight", 1.0, 0, 5, "weight", "Edge weight of a land border between allies.",
       "ally_land_borders.csv", "network"),
    _f(NE, "distance_weight", 0.6, 0, 5, "weight",
       "Weight of capital proximity, times exp(-distance / distance_scale).", "allies.csv",
       "network"),
    _f(NE, "distance_scale_km", 700.0, 50, 5000, "km", "Distance over which proximity decays.",
       "assumption", "network"),
    _f(NE, "group_weight", 0.25, 0, 5, "weight per shared group",
       "Weight of each shared group (EU, JEF, NB8, B9, NORDEFCO, Weimar).", "allies.csv",
       "network"),
    _f(NE, "min_weight", 0.1, 0, 5, "weight", "Edges lighter than this are dropped.",
       "assumption", "network"),
    _f(NE, "russia_border", 1.0, 0, 1, "proximity", "Proximity of an ally bordering Russia.",
       "allies.csv: land_border_russia", "network"),
    _f(NE, "belarus_border", 0.8, 0, 1, "proximity", "Proximity of an ally bordering Belarus.",
       "allies.csv: land_border_belarus", "network"),
    _f(NE, "black_sea", 0.6, 0, 1, "proximity", "Proximity of a Black Sea ally.",
       "allies.csv: black_sea", "network"),
    _f(NE, "russia_distance_scale_km", 1200.0, 50, 10000, "km",
       "Decay distance of proximity for allies that do not border Russia.",
       "russia_reference.csv", "network"),
    _f(NE, "posture_tier_weight", 0.3, 0, 1, "weight per tier",
       "US-ally edge weight added per posture tier (0-3) to a base of 0.1.", "us_posture.csv",
       "network"),
)

VE = "verdict"
VERDICT = (
    _f(VE, "shift_coverage_gain", 0.1, 0, 1, "coverage (fraction of the requirement)",
       "Gain in Europe's mean capability coverage over the run counted as 'burden shifted': "
       "an absolute scale that US withdrawal does not move.", "assumption", "verdict"),
    _f(VE, "carry_coverage", 0.75, 0, 1, "coverage (fraction of the requirement)",
       "Europe's mean capability coverage at the end counted as 'Europe carries its own "
       "defence' (the question's word): most of the requirement covered by European "
       "capability, against the smaller gain that counts as 'burden shifted'.",
       "assumption (a definition): seed 002, the US wants Europe to 'take over most of NATO's "
       "conventional defense capabilities'; most read as three quarters, as "
       "capability.coverage_goal and united_states.deadline_goal read it. A reader could "
       "defend 0.6-0.9 (a clear majority to nearly all); run and compare print the share "
       "carrying at 0.6, 2/3, 0.75, 0.8 and 0.9", "verdict"),
    _f(VE, "trust_floor", 0.35, 0, 1, IDX,
       "Mean trust in the US below which the alliance is not 'intact'.", "assumption", "verdict"),
    _f(VE, "headline_met_pct", 3.5, 0, 10, "% of GDP",
       "GDP-weighted European headline spending counted as 'targets met'.",
       "facts.csv: hague_core_defence_target", "verdict"),
)

SERIES = (
    Series("china_pull", IDX, 0, 1, ((2025, 0.4), (2035, 0.6)),
           "Pull of Asia and domestic priorities on US attention (C1).", "assumption", "M5"),
    Series("us_pressure", IDX, 0, 1, ((2025, 1.0),),
           "Whether the US is pressing allies this year (times threat_intensity).",
           "seed 000: coercion from 2025", "M5"),
    Series("us_reassurance", IDX, 0, 1, ((2025, 0.2),),
           "Reassurance signals: Article 5 reaffirmed, Congress speaking, contingency plans (C13).",
           "assumption", "M3"),
    Series("us_ambiguity", IDX, 0, 1, ((2025, 0.3),),
           "Ambiguity about US force posture apart from threats (C14).", "seed 001", "M3"),
    Series("ukraine_war", IDX, 0, 1, ((2025, 1.0),),
           "Intensity of Russia's war in Ukraine (1 full war, 0 ceasefire).", "assumption", "M8"),
    Series("greyzone_escalation", "multiplier", 0, 10, ((2025, 1.0),),
           "Multiplier on Russia's grey-zone campaign (C12).", "assumption", "M8"),
    Series("pledge_core_pct", "% of GDP", 0, 10, ((2025, 2.0), (2035, 3.5)),
           "Core defence spending the allies have pledged (linear Hague path to 3.5% in 2035).",
           "facts.csv: hague_core_defence_target, wales_2pct_guideline", "M4"),
    Series("pledge_related_pct", "% of GDP", 0, 5, ((2025, 0.0), (2035, 1.5)),
           "Defence-related spending pledged (Hague: up to 1.5% by 2035).",
           "facts.csv: hague_defence_related_target", "M4"),
    Series("gdp_surprise_pct", "pp of real growth", -20, 20, ((2025, 0.0),),
           "Real GDP growth above (below) what budgets were planned on this year: budgets are "
           "decided in money, so a recession raises the share of GDP they take (2009, 2020).",
           "assumption 0 ahead; hindcast_2014 takes Eurostat's 2020-2021 figures", "M4"),
    Series("russia_milex_pct_gdp", "% of GDP", 0, 25, ((2025, 0.0),),
           "Russia's military spending as observed, an input for a hindcast (0: Russia's own "
           "spending rule, M8). Like GDP, it is what the allies read, not what is scored.",
           "0 ahead; hindcast_2014 takes SIPRI's series (russia.csv)", "M8"),
    Series("us_demand_pct", "% of GDP", 0, 10, ((2025, 3.5),),
           "Core spending the US demands of each ally now.",
           "facts.csv: hague_core_defence_target", "M5"),
)

WORLD: tuple[Param, ...] = (
    RUN + PERCEPTION + CAPABILITY + ALLIANCE + COERCION + CRISIS + NETWORK + VERDICT
)

