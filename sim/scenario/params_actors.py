"""Parameters of the three kinds of actor: the United States (M5), the allies (M4) and Russia (M8).

Defaults marked "assumption" are the project's modelling choices, stated with a reason; none is a
measured figure. Defaults taken from data name the file in ``sim/data``.
"""

from __future__ import annotations

from .schema import Param

IDX = "index 0-1"
LOGIT = "log-odds"


def _f(sec, name, default, low, high, unit, desc, source, mech, per_ally=False):
    return Param(sec, name, "float", default, unit, desc, source, low, high, (), per_ally, mech)


def _i(sec, name, default, low, high, unit, desc, source, mech, per_ally=False):
    return Param(sec, name, "int", default, unit, desc, source, low, high, (), per_ally, mech)


def _b(sec, name, default, desc, source, mech, per_ally=False):
    return Param(sec, name, "bool", default, "flag", desc, source, None, None, (), per_ally, mech)


US = "united_states"
UNITED_STATES = (
    _f(US, "threat_intensity", 0.7, 0, 1, IDX,
       "How hard the US threatens abandonment when allies lag; multiplies the us_pressure series. "
       "0 is cajoling: asking without threats (C3).",
       "assumption: strong but short of maximal, as the 2025 rhetoric (seed 000, 001)", "M5"),
    _b(US, "execute_threats", True,
       "Whether the US carries out its threats (drawdown, leaving coordination mechanisms).",
       "C3: this administration attaches consequences; cajole.toml sets false", "M5"),
    _f(US, "execution_probability", 0.35, 0, 1, "probability per year",
       "Chance per year that the US executes a drawdown against persistent laggards once its "
       "patience has run out.", "assumption: executions are rarer than threats", "M5"),
    _i(US, "patience_years", 2, 1, 10, "years",
       "Years of threats against lagging allies before an execution becomes possible.",
       "assumption", "M5"),
    Param(US, "measurement", "choice", "headline", "mode",
          "How the US measures European progress (C19): 'headline' is the share of European "
          "GDP-weighted spending on the Hague path, 'capability' is real coverage of conventional "
          "capability by category.", "C19: nobody said how progress would be measured",
          choices=("headline", "capability"), mechanism="M5"),
    _i(US, "deadline_year", 2027, 2014, 2060, "year",
       "Year by which Europe must take over most conventional capabilities (C15).",
       "seed 002: the 2027 deadline", "M5"),
    _f(US, "deadline_goal", 0.75, 0, 1, "fraction",
       "Progress the US requires at the deadline under its chosen measurement.",
       "seed 002: 'most conventional capabilities'; assumption that most means three quarters",
       "M5"),
    _b(US, "exit_mechanisms", True,
       "Whether a missed deadline makes the US leave NATO coordination mechanisms (C15).",
       "seed 002", "M5"),
    _f(US, "exit_capability_loss", 0.3, 0, 1, "fraction",
       "Share of the US ISR and enabler contribution lost to Europe when the US leaves the "
       "coordination mechanisms.", "assumption: ISR and command links run through them (seed 002)",
       "M5"),
    _f(US, "drawdown_step", 0.1, 0, 1, "fraction of 2025 posture",
       "Posture cut by one executed drawdown.", "assumption", "M5"),
    _f(US, "congress_floor", 0.6, 0, 1, "fraction of 2025 posture",
       "Posture below which Congress does not let the US go.",
       "assumption: Congress constrains withdrawals (seed 002: 'worrisome' on Capitol Hill)", "M5"),
    _f(US, "refocus_drift", 0.04, 0, 0.5, "fraction of posture per year per unit China pull",
       "Yearly drift of US posture out of Europe as Asia and home pull attention (C1).",
       "assumption", "M5"),
    _f(US, "handover_gain", 1.0, 0, 5, "multiplier per unit progress",
       "How much Europe's measured progress speeds the drawdown: the yearly drift is multiplied "
       "by 1 + handover_gain x progress (C1: a Europe that carries more lets Washington leave).",
       "seed 002: the 2027 deadline is for Europe to take over so the US can turn to Asia; "
       "assumption that full progress doubles the pace", "M5"),
    _f(US, "max_posture_change", 0.15, 0, 1, "fraction of 2025 posture per year",
       "Largest posture change in one year, up or down.", "assumption: basing moves take years",
       "M5"),
    _f(US, "ambiguity_per_threat", 0.3, 0, 1, IDX,
       "Ambiguity about US posture created by each unit of threat (C14).", "assumption", "M5"),
    _f(US, "refocus_boost", 0.2, 0, 1, "fraction of 2025 posture",
       "Posture the US sends back to Europe after a crisis (C8).",
       "seed 000: a crisis would pull the US back", "M5"),
    _i(US, "refocus_years", 5, 0, 30, "years",
       "Years during which a crisis suspends the China-driven drift (C8).", "assumption", "M5"),
    _f(US, "crisis_response_base", 1.0, -5, 5, LOGIT,
       "Baseline log-odds that the US responds militarily when Russia probes an ally (M9).",
       "assumption: a response is more likely than not", "M9"),
    _f(US, "crisis_response_posture", 1.5, 0, 5, "log-odds per unit posture",
       "How much US forces on the ground raise the odds of a US response (tripwire).",
       "assumption", "M9"),
    _f(US, "crisis_response_china", 1.5, 0, 5, "log-odds per unit China pull",
       "How much the pull of Asia lowers the odds of a US response.", "assumption", "M9"),
    _f(US, "crisis_response_liability", 2.0, 0, 5, "log-odds per unit liability",
       "How much nuclear liability without control makes the US hesitate (C7).",
       "seed 000: 'the last full nuclear measure or allied abandonment'", "M9"),
    _f(US, "crisis_response_reassurance", 1.5, 0, 5, "log-odds per unit reassurance",
       "How much standing reassurance commitments (contingency plans, Congress) bind the US to "
       "respond (C13).", "seed 001", "M9"),
    _f(US, "crisis_response_threat", 1.0, 0, 5, "log-odds per unit threat",
       "How much the US's own abandonment threats make it hesitate (C9).", "seed 001", "M9"),
    _f(US, "threat_adjustment", 0.5, 0, 1, "fraction per year",
       "Share of the gap between this year's threat level and the threat the US aims for closed "
       "in a year.", "assumption: rhetoric moves fast, within a year or two", "M5"),
    _f(US, "asia_pressure", 0.5, 0, 5, "multiplier per unit China pull",
       "How much the pull of Asia and home sharpens US pressure on Europe: the threat the US "
       "aims for is multiplied by 1 + asia_pressure x china_pull (C1).",
       "seed 000: constraining itself in Europe lets Washington focus on Asia; assumption",
       "M5"),
    _f(US, "progress_expected", 0.05, 0, 1, "progress per year",
       "Yearly gain in measured progress below which a threatening US escalates.",
       "assumption: a twentieth of the way each year is the least a deadline-minded "
       "administration accepts", "M5"),
    _f(US, "escalation_step", 0.2, 0, 1, "per year",
       "How far one year of stalled progress escalates the threat (the threat aimed for is "
       "multiplied by 1 + escalation, escalation at most 1); a year of progress winds it down "
       "as far.", "assumption", "M5"),
    _f(US, "relent_trust", 0.35, 0, 1, IDX,
       "Mean trust in the US below which the US relents and reassures (C13).",
       "assumption: the verdict's trust floor; an administration sees allies drifting away",
       "M5"),
    _f(US, "relent_share", 0.5, 0, 1, "fraction",
       "Share of the threat the US drops in a year it relents.", "assumption", "M5"),
    _f(US, "relent_reassurance", 0.3, 0, 1, IDX,
       "Reassurance the US adds in a year it relents (C13).", "assumption", "M5"),
    _f(US, "reassurance_memory", 0.7, 0, 1, "fraction per year",
       "Share of the reassurance the US offered itself still standing a year later.",
       "assumption", "M5"),
    _f(US, "success_progress", 0.9, 0, 1, "fraction",
       "Measured progress at which the US declares success and stops threatening.",
       "assumption: near complete by its own measure (C19)", "M5"),
    _f(US, "posture_ceiling", 1.5, 1, 3, "fraction of 2025 posture",
       "Most posture the US will send back to Europe after crises (C8).",
       "assumption: half again the 2025 posture (about the 2022 surge, crisis_references.csv: "
       "84,000 in 2025 after more than 100,000)", "M5"),
    _b(US, "european_command", False,
       "Whether a European officer holds the Supreme Allied Command Europe from the start (C2).",
       "seed 000", "M6"),
    _b(US, "accepts_european_command", True,
       "Whether the US would nominate a European as Supreme Allied Commander Europe at a change "
       "of command once Europe carries enough of its own defence (C2; the rule: "
       "UnitedStates.choose_commander).",
       "seed 000: the administration 'reportedly considered nominating the first European to "
       "serve as NATO's military head', a break with earlier administrations", "M6"),
    _f(US, "command_handover_coverage", 0.75, 0, 1, "share of the requirement",
       "Europe's mean coverage of its capability requirement at which the US hands NATO's "
       "command to a European at the next change of command (C2, C6).",
       "assumption: seed 000 ties the European SACEUR to Europe taking 'primary responsibility "
       "for defense of the continent'; 'most' of conventional defence read as three quarters, "
       "as seed 002's ask is read elsewhere (capability.coverage_goal, verdict.carry_coverage)",
       "M6"),
    _i(US, "command_term_years", 3, 1, 10, "years",
       "Years between changes of NATO's Supreme Allied Commander Europe: the occasions on which "
       "the US can hand the command over (C2).",
       "data: SHAPE, 4 July 2025: Gen. Grynkewich succeeded Gen. Cavoli, in post since 2022, as "
       "the 21st SACEUR (3 years; 21 commanders since 1951 average about 3.5)", "M6"),
    _i(US, "command_change_year", 2025, 1951, 2100, "year",
       "The year of the last change of command before the run's future: the next come every "
       "command_term_years after it; none is a handover before or in it (C2).",
       "data: SHAPE, 4 July 2025 (an American, Gen. Grynkewich, took command)", "M6"),
)

AL = "allies"
ALLIES = (
    _f(AL, "gdp_growth_pct", 1.5, -5, 10, "% per year (real)",
       "Real GDP growth of the ally after the last data year.",
       "assumption: trend growth of advanced economies", "M4", per_ally=True),
    _f(AL, "initial_trust", 0.6, 0, 1, IDX,
       "Trust at the start that the US would defend the ally.",
       "assumption: no survey in sim/data; more than even, after the 2025 rhetoric", "M3",
       per_ally=True),
    _b(AL, "holdout", False,
       "Whether the ally caps its core spending and bargains instead of following the Hague path "
       "(C5).", "seed 000: Spain refused 5%", "M4", per_ally=True),
    _f(AL, "holdout_cap_pct", 2.1, 0, 10, "% of GDP",
       "Core spending a holdout will not exceed.", "facts.csv: hague_spain_position (2.1%)", "M4",
       per_ally=True),
    _f(AL, "reclassify_max_pct", 0.3, 0, 2, "% of GDP",
       "Most spending a holdout can reclassify as defence to reach a headline number (C5, C19).",
       "assumption; SOURCES.md notes allies at exactly 2.00% in 2025", "M4", per_ally=True),
    _f(AL, "initial_reclassified_pct", 0.0, 0, 2, "% of GDP",
       "Part of the start year's reported core spending that is reclassified and buys no "
       "capability.", "no data: 0 unless a scenario says otherwise", "M4", per_ally=True),
    _f(AL, "max_rise_pp", 0.35, 0, 3, "percentage points of GDP per year",
       "Fiscal and political limit on how fast core spending can rise.",
       "assumption: Poland rose about 1 pp in 2023 (defence_pct_gdp.csv); most allies far less",
       "M4", per_ally=True),
    _f(AL, "max_cut_pp", 0.15, 0, 3, "percentage points of GDP per year",
       "Limit on how fast core spending can fall.", "assumption: budgets are sticky", "M4",
       per_ally=True),
    _f(AL, "adjustment_rate", 0.4, 0, 1, "fraction of the gap per year",
       "Share of the gap between desired and current spending closed each year.", "assumption",
       "M4", per_ally=True),
    _f(AL, "urgency_gain", 0.0, 0, 20, "per unit of threat",
       "How much faster a threatened ally closes the gap to its desired spending: the rate is "
       "adjustment_rate x (1 + urgency_gain x threat), at most 1 (special funds, supplementary "
       "budgets).", "fitted (natosim calibrate); 0: every ally at the same pace", "M4"),
    _f(AL, "domestic_resistance", 0.0, 0, 3, "index",
       "Domestic resistance to raising defence spending under foreign pressure: raises the "
       "share of resistance in the ally's answer to US coercion and lowers what it signs at a "
       "summit (C5).", "assumption: 0 unless a scenario documents it (baseline: Spain, "
       "facts.csv: hague_spain_position)", "M4", per_ally=True),
    _f(AL, "non_laggard_signal", 0.5, 0, 1, "fraction",
       "Share of the US threat felt by an ally that is not itself lagging (threats are aimed at "
       "laggards but heard by all).", "assumption", "M4"),
    _f(AL, "reclassify_pressure", 2.0, 0, 10, "per unit threat",
       "How readily an ally under a US threat reclassifies spending to reach the bar: its "
       "willingness is this x the threat aimed at it (at most 1) x the share of the pledge's "
       "period gone by (bunching comes at the deadline); holdouts are always willing (C5, C19).",
       "assumption; SOURCES.md notes allies at exactly 2.00% in 2025", "M4"),
    _f(AL, "pledge_deadline_gain", 1.0, 0, 5, "multiplier",
       "How much the pledge's pull grows by its deadline: pledge_weight x (1 + gain x elapsed "
       "share of the pledge period).",
       "assumption: deadlines concentrate minds (Wales 2014: 2% within a decade)", "M4"),
    _f(AL, "pledge_threat_gain", 1.0, 0, 10, "multiplier per unit threat",
       "How much more an ally under threat takes the pledge to heart: the pull x (1 + gain x "
       "threat).", "NATO's 2014-2021 record (defence_pct_gdp.csv): the front line went to the "
       "Wales 2% within a few years, others crept; fitted by natosim calibrate", "M4"),
    _f(AL, "deadline_compliance_soft", 0.35, 0, 1, "probability per year",
       "Chance that an ally below a pledge's target meets it in a year once the deadline has "
       "come, with no US threat aimed at it (issue 26; sim.agents.ally_rules.compliance_chance).",
       "deadline_references.csv: NATO's national plans of February 2018 put 15 allies at 2% by "
       "2024 against 8 in 2018: (15 - 8) of the 20 below 2% with armed forces", "M4"),
    _f(AL, "deadline_compliance_hard", 0.92, 0, 1, "probability per year",
       "The same chance under a fully credible US threat aimed at the ally (the chance rises "
       "linearly from the soft one with the threat).",
       "deadline_references.csv: the Maastricht 3% deficit criterion in the 1997 qualifying "
       "year, met by 11 of the 12 states seeking to join the euro in 1999 (all but Greece)",
       "M4"),
    _f(AL, "deadline_oneoff_max_pct", 0.45, 0, 2, "% of GDP",
       "Most of the gap to a pledge fallen due that an ally closes by one-off measures and "
       "reclassification in a year (reported, buys nothing; C19).",
       "deadline_references.csv: the France Telecom pension transfer that brought France's 1997 "
       "deficit to 3.0% of GDP, 0.45% of GDP", "M4"),
    _f(AL, "war_urgency_gain", 0.0, 0, 5, "pp of GDP per unit of war intensity x proximity",
       "Spending a front-line ally needs when Russia's war escalates beyond the start year's "
       "(series ukraine_war), on top of the threat index (C10; issue 26).",
       "fitted (natosim calibrate) on windows that hold 2022; 0 (none) by default and in "
       "fits whose window ends before the escalation", "M4"),
    _b(AL, "anchor_to_start", True,
       "Whether each ally's base_pct is solved from its start-year spending (an ally fixed "
       "effect from the start year's data only) instead of taken from base_pct.",
       "assumption: allies differ for reasons the rule does not model (history, geography, "
       "politics); the start year's data say by how much", "M4"),
    _i(AL, "record_start_year", 0, 0, 2100, "year",
       "The start year whose run applies each ally's own-record terms (record_level_pp, "
       "record_target_pp); 0, or any other start year, leaves them out (issue 26).",
       "fitted (natosim calibrate, second stage): the calibration window's start; the terms "
       "describe a run from that year only (a forward run starts from the latest data)", "M4"),
    _f(AL, "record_level_pp", 0.0, -3, 3, "pp of GDP",
       "Each ally's underlying start-year level against NATO's single start-year figure (lumpy "
       "procurement, revisions): the run starts from the figure plus this (issue 26).",
       "fitted (natosim calibrate, second stage) from the ally's own record in the window, "
       "shrunk toward 0 by empirical Bayes; 0 for an ally without a record", "M4",
       per_ally=True),
    _f(AL, "record_target_pp", 0.0, -3, 5, "pp of GDP",
       "How far the spending an ally was heading for at the start lies above the budget rule's "
       "start-year level: the ally's own drift, which the budget closes at its adjustment rate "
       "(partial adjustment toward an ally-specific target; issue 26).",
       "fitted (natosim calibrate, second stage) from the ally's own record in the window, "
       "shrunk toward 0 by empirical Bayes; 0 for an ally without a record", "M4",
       per_ally=True),
    _f(AL, "base_pct", 1.0, 0, 5, "% of GDP",
       "Spending an ally would choose with no threat, no pledge and no pressure (used only when "
       "anchor_to_start is false).",
       "assumption: near the 2014 European median (defence_pct_gdp.csv)", "M4", per_ally=True),
    _f(AL, "threat_gain", 3.5, 0, 10, "pp of GDP per unit threat",
       "Desired spending added by threat perception (C5).", "assumption", "M4"),
    _f(AL, "self_help_gain", 1.5, 0, 10, "pp of GDP per unit threat x distrust",
       "Desired spending added when a threatened ally distrusts the US (self-help).",
       "assumption", "M4"),
    _f(AL, "compliance_gain", 0.8, 0, 2, "fraction of the gap to the US demand",
       "Share of the gap to the US demand a complying ally closes under fully credible coercion "
       "and full US influence (C3, C4).", "assumption", "M4"),
    _f(AL, "pledge_weight", 0.5, 0, 1, "fraction of the gap to the pledge",
       "Pull of the alliance pledge (Wales 2%, Hague path) without coercion.",
       "assumption: pledges are partly honoured (Wales 2014-2024 record)", "M4"),
    _f(AL, "peer_weight", 0.2, 0, 1, "fraction of the gap to neighbours",
       "Pull toward the network-weighted spending of neighbours (peer norms).", "assumption",
       "M4"),
    _f(AL, "free_ride_gain", 0.6, 0, 5, "pp of GDP",
       "Desired spending removed by free-riding, for a small ally that fully trusts the US "
       "(Olson and Zeckhauser 1966).", "assumption", "M4"),
    _f(AL, "budget_noise_sd", 0.15, 0, 2, "pp of GDP",
       "Standard deviation of a yearly shock to the spending an ally desires (elections, "
       "coalitions, fiscal surprises); the source of most variation between replications.",
       "assumption", "M4"),
    _f(AL, "related_adjustment_rate", 0.3, 0, 1, "fraction of the gap per year",
       "Share of the gap to the pledged defence-related spending closed each year.",
       "assumption", "M4"),
    _f(AL, "equipment_share", 0.3, 0.05, 0.7, "fraction of core spending",
       "Share of core spending on major equipment; the rest is personnel and operations.",
       "facts.csv: Wales guideline 20%; assumption that allies exceed it after 2022", "M1",
       per_ally=True),
)

RU = "russia"
RUSSIA = (
    _f(RU, "gdp_growth_pct", 1.0, -10, 10, "% per year (real)",
       "Russia's real GDP growth.", "assumption", "M8"),
    _f(RU, "reaction_coefficient", 0.03, 0, 0.3, "per year",
       "Richardson reaction: yearly change in Russian spending per unit of European spending.",
       "MODEL.md: reaction coefficients of a few hundredths per year", "M8"),
    _f(RU, "fatigue", 0.15, 0, 1, "per year",
       "Richardson fatigue: yearly fall in Russian spending per unit of its own spending.",
       "assumption: chosen so the reaction stays in a stable regime (reaction << fatigue)", "M8"),
    _f(RU, "balance_sensitivity", 0.5, 0, 5, "multiplier",
       "How hard Russia reacts to European rearmament beyond the Richardson term: the reaction "
       "is multiplied by 1 + sensitivity x growth of European spending since the start (C8).",
       "assumption", "M8"),
    _f(RU, "war_ceiling_pct", 10.0, 2, 25, "% of GDP",
       "Highest share of GDP Russia will spend on its military.",
       "assumption above the 7.2% planned for 2025 (russia.csv)", "M8"),
    _f(RU, "floor_pct", 3.0, 0, 10, "% of GDP",
       "Lowest share of GDP Russia will spend.",
       "russia.csv: the 2014-2021 low was 3.6%", "M8"),
    _i(RU, "reconstitution_years", 4, 0, 20, "years",
       "Years after a ceasefire during which Russia keeps war-economy spending to rebuild.",
       "assumption", "M8"),
    _f(RU, "war_memory", 0.5, 0, 1, "fraction per year",
       "After reconstitution, the share of the war's weight in Russia's spending grievance kept "
       "each year.", "assumption: spending unwinds over a few years", "M8"),
    _f(RU, "equipment_share", 0.4, 0.05, 0.8, "fraction of spending",
       "Share of Russian military spending that buys equipment.", "assumption", "M8"),
    _f(RU, "cost_factor", 2.0, 0.5, 5, "capability per US$ relative to NATO",
       "How much more equipment a dollar buys in Russia (C10: Russia out-produces NATO in "
       "munitions).", "assumption: purchasing-power and wage differences", "M8"),
    _f(RU, "ground_share", 0.5, 0.05, 1, "fraction",
       "Share of Russia's equipment that equips ground forces (the forces of a land incursion).",
       "assumption: a land power at war", "M8"),
    _i(RU, "production_lead_years", 1, 0, 10, "years",
       "Years from an order to a delivered Russian unit (refurbished and new equipment).",
       "assumption: a war economy refurbishing stored Soviet equipment", "M8"),
    _f(RU, "production_headroom", 0.2, 0, 3, "fraction of start-year output",
       "Spare capacity of Russia's defence industry above its start-year output.",
       "assumption", "M8"),
    _f(RU, "production_growth", 0.15, 0, 1, "fraction per year",
       "Largest yearly growth of Russia's defence-industrial capacity when orders exceed it.",
       "assumption: C10, a war economy expanding", "M8"),
    _f(RU, "depreciation", 0.08, 0, 0.5, "fraction per year",
       "Yearly wear of Russia's ground forces' equipment.", "assumption", "M8"),
    _f(RU, "war_attrition", 0.25, 0, 1, "fraction of committed forces per year at full war",
       "Forces committed to Ukraine destroyed per year of full war.",
       "assumption: heavy equipment losses of the 2022-2025 war", "M8"),
    _f(RU, "war_commitment", 0.97, 0, 1, "fraction at full war",
       "Share of Russia's ground forces tied down in Ukraine at full war intensity.",
       "assumption: nearly all of its combat-ready ground forces fight in Ukraine", "M8"),
    _f(RU, "release_rate", 1.0, 0, 20, "per year (continuous)",
       "Rate at which forces leave the Ukrainian front after a ceasefire (a share 1 - exp(-rate "
       "x t) has left after t years).",
       "assumption; checked against the Danish intelligence service's 2025 timelines "
       "(crisis_references.csv)", "M8"),
    _f(RU, "refit_rate", 0.5, 0, 20, "per year (continuous)",
       "Rate at which units released from Ukraine are refitted and ready again.",
       "assumption; checked as release_rate", "M8"),
    _f(RU, "greyzone_base", 1.0, 0, 20, "attacks per year",
       "Expected grey-zone attacks per year on an ally of proximity 1 (C12).", "assumption", "M8"),
    _f(RU, "greyzone_resolve_sensitivity", 1.5, 0, 5, "multiplier",
       "How much a low estimate of US resolve scales up the grey-zone campaign.", "assumption",
       "M8"),
    _f(RU, "probe_force_share", 0.5, 0, 1, "fraction",
       "Share of Russia's free ground forces committed to a probe (C11: a small incursion), "
       "up to probe_force_max_bde.", "assumption", "M8"),
    _f(RU, "probe_force_max_bde", 3.3, 0, 50, "bde-e",
       "Largest force Russia commits to a probe: a small incursion, not an invasion.",
       "Die Welt and the German Wargaming Center's December 2025 game (as reported by the Wall "
       "Street Journal): 15,000 troops to seize a corridor in Lithuania (/ troops_per_bde)",
       "M8"),
    _f(RU, "theatre_share", 0.1, 0, 1, "fraction",
       "Share of Russia's free ground forces it can mass against one theatre at short notice "
       "(about a week): the force of a drive on the Baltic capitals in the wargame check "
       "(sim.analysis.checks.rand_baltic), not used by the yearly model.",
       "assumption: a week's build-up in one military district; the check reports how the "
       "result turns on it", "M8"),
    _f(RU, "projection_elasticity", 2.0, 0, 5, "elasticity",
       "How the force Russia can bring to a target falls with its distance from Russia: the "
       "probe force x proximity ^ elasticity (across the Black Sea, 0.6^2 = 0.36 of it).",
       "assumption; proximity from the network (allies.csv borders)", "M8"),
    _f(RU, "probe_gain", 1.0, 0, 5, "utility",
       "Value to Russia of a fait accompli against an ally of proximity 1 (C11).",
       "assumption", "M8"),
    _f(RU, "probe_cost", 1.5, 0, 5, "utility",
       "Expected cost of escalation when NATO answers a probe (times the resolve Russia reads).",
       "assumption", "M8"),
    _f(RU, "probe_overstretch", 1.0, 0, 10, "multiplier",
       "How much more escalation costs a Russia not ready for the regional war a probe could "
       "start: the cost x (1 + overstretch x (1 - readiness)).",
       "assumption: a second front while tied down in Ukraine", "M8"),
    _f(RU, "probe_repelled_cost", 0.5, 0, 5, "utility",
       "Cost to Russia of a probe that is halted (losses, prestige).", "assumption", "M8"),
    _f(RU, "probe_threshold", 0.6, -5, 5, "utility",
       "Utility of not probing: the bar a probe must clear to be chosen.", "assumption", "M8"),
    _f(RU, "probe_sharpness", 5.0, 0, 100, "per unit utility",
       "Sharpness of the choice among targets and not probing (logit; 0 chooses at random).",
       "assumption", "M8"),
    _f(RU, "probe_us_weight", 0.65, 0, 1, "fraction",
       "Weight Russia gives to US resolve, against European resolve, in judging whether NATO "
       "would answer (C9).", "seed 001: 'more precisely, the United States'", "M8"),
    _f(RU, "misperception_sd", 0.15, 0, 1, IDX,
       "Standard deviation of Russia's error in reading US and European resolve (C8).",
       "assumption", "M8"),
    _i(RU, "probe_cooldown_years", 3, 0, 20, "years",
       "Years after a probe before Russia considers another.", "assumption", "M8"),
    _f(RU, "confidence_memory", 0.8, 0, 1, "fraction per year",
       "Share of what past probes taught Russia (emboldened or deterred) kept each year.",
       "assumption", "M8"),
    # incursions below the threshold of war (sim.mechanisms.incursions)
    _f(RU, "incursion_rate_air_war", 1.7, 0, 50, "incursions per year",
       "Air incursions (manned aircraft in allied airspace) a year while the war in Ukraine runs "
       "at full intensity, with no US threat or ambiguity and Russia's start readings (C12).",
       "incursions.csv: 5 found in 2022-2024 (Estonia 3, Finland 2), before the 2025 threats",
       "M8"),
    _f(RU, "incursion_rate_air_peace", 4.1, 0, 50, "incursions per year",
       "Air incursions a year without the war (its aircraft are not busy in Ukraine).",
       "incursions.csv: Estonia alone had at least 33 in 2014-2021 (more than 40 since 2014 less "
       "7 in 2022-2025): a lower bound for the flank", "M8"),
    _f(RU, "incursion_rate_drone", 3.9, 0, 50, "incursions per year",
       "Drone and missile incursions a year at full war intensity (strikes on Ukraine near the "
       "border), as incursion_rate_air_war; none without the war.",
       "incursions.csv: 14 found from February 2022 to September 2025 (Romania 10, Poland 3, "
       "Latvia 1) over 3.6 years", "M8"),
    _f(RU, "incursion_rate_sea", 0.5, 0, 20, "incursions per year",
       "Sea incursions (vessels in allied waters) a year, war or not, as incursion_rate_air_war.",
       "incursions.csv: 2 found in 2022-2025 (Estonia: Narva 2024, Vaindloo 2025)", "M8"),
    _f(RU, "incursion_scale", 1.0, 0, 10, "multiplier",
       "Scenario multiplier of every incursion rate (a campaign of testing, or restraint).",
       "assumption: 1 is the record's rate", "M8"),
    _f(RU, "incursion_resolve_sensitivity", 2.0, 0, 10, "per unit of perceived resolve",
       "Log-rate of incursions per unit of resolve Russia reads below its start reading (US and "
       "European, weighted by probe_us_weight): doubted resolve invites testing (C9).",
       "assumption", "M8"),
    _f(RU, "incursion_threat_sensitivity", 0.7, 0, 5, "per unit US threat",
       "Log-rate of incursions per unit of this year's US abandonment threat: a public rift "
       "puts the commitment in question, and testing is how Russia learns the answer (C9).",
       "assumption; the record (incursions.csv) is consistent with it, not a measure of it: "
       "at least 9 incursions found in 2025, under US threats, against about 5 a year in "
       "2022-2024 (Romania's 10 drone violations spread evenly over February 2022 - September "
       "2025)", "M8"),
    _f(RU, "incursion_ambiguity_sensitivity", 0.7, 0, 5, "per unit ambiguity",
       "Log-rate of incursions per unit of ambiguity about US posture (C14).", "assumption",
       "M8"),
    _f(RU, "incursion_confidence_sensitivity", 1.0, 0, 5, "per unit utility",
       "Log-rate of incursions per unit of Russia's confidence (what probes and incursions "
       "taught it).", "assumption", "M8"),
    _f(RU, "incursion_exposure_elasticity", 2.0, 0, 5, "elasticity",
       "How an ally's exposure to incursions grows with its exposure measure: proximity to "
       "Russia ^ elasticity for air and sea (Baltic states, Finland, Norway, Poland 1; Black Sea "
       "allies 0.36), (land border with Ukraine / Romania's) ^ elasticity for drones.",
       "assumption, as projection_elasticity; proximity from the network", "M8"),
    _f(RU, "incursion_belarus_weight", 0.2, 0, 2, "fraction",
       "Exposure to drone incursions of an ally bordering Belarus, relative to the longest land "
       "border with Ukraine (Romania's); drones otherwise go to Ukraine's NATO neighbours in "
       "proportion to the border (ukraine_land_borders.csv).",
       "assumption: 1 of the 14 drone incursions found came through Belarus (incursions.csv)",
       "M8"),
    _f(RU, "incursion_target_sensitivity", 1.0, 0, 10, "per unit firmness",
       "How much the firmness Russia expects from an ally steers incursions elsewhere: the "
       "target weight x exp(-sensitivity x expected firmness).", "assumption", "M8"),
    _f(RU, "incursion_firm_base", -1.5, -10, 10, LOGIT,
       "Log-odds that an ally answers an incursion firmly (intercepts the aircraft, shoots the "
       "drone down, escorts the vessel out) at no threat and no forward presence.",
       "assumption: Romania did not shoot its 50-minute drone of September 2025 "
       "(incursions.csv)", "M8"),
    _f(RU, "incursion_firm_threat", 3.0, 0, 20, LOGIT + " per unit threat",
       "Firmness gained per unit of the target's threat perception.", "assumption", "M8"),
    _f(RU, "incursion_firm_presence", 1.0, 0, 10, LOGIT,
       "Firmness gained by allied and US forces in the target: x presence / (1 + presence), "
       "presence in bde-e.", "assumption: fighters and air defence come with the battlegroups",
       "M8"),
    _f(RU, "incursion_serious_share", 0.1, 0, 1, "fraction",
       "Share of incursions that are serious (a swarm, fighters lingering minutes): met firmly, "
       "a serious incursion brings an Article 4 request.",
       "incursions.csv: 2 Article 4 requests after at least 26 incursions found in 2022-2025 "
       "(8%), over a firm share of about three quarters", "M8"),
    _f(RU, "incursion_threat_weight", 0.03, 0, 1, IDX,
       "Threat shock to the target of an incursion (as a grey-zone attack's "
       "perception.threat_greyzone_per_attack).", "assumption", "M8"),
    _f(RU, "incursion_article4_threat_weight", 0.1, 0, 1, IDX,
       "Threat shock of an Article 4 consultation: the target's, and every ally's times its "
       "network closeness to the target (a fifth of a probe's perception.threat_probe_weight).",
       "assumption", "M8"),
    _f(RU, "incursion_trust_gain", 0.05, 0, 1, IDX,
       "Share of the distrust left that allies regain when the US stands with the target in "
       "Article 4 consultations.", "assumption: a quarter of perception.trust_crisis_gain",
       "M8"),
    _f(RU, "incursion_trust_loss", 0.1, 0, 1, IDX,
       "Share of their trust allies lose when the US stays aloof in Article 4 consultations "
       "(C9).", "assumption: about a quarter of perception.trust_crisis_loss", "M8"),
    _f(RU, "incursion_cohesion_loss", 0.05, 0, 1, IDX,
       "Cohesion damage when the US stays aloof in Article 4 consultations.", "assumption",
       "M8"),
    _f(RU, "incursion_deter_gain", 0.02, 0, 1, "utility",
       "Russia's confidence lost when an incursion is met firmly (a lesson in caution).",
       "assumption: a fifteenth of crisis.deter_gain", "M8"),
    _f(RU, "incursion_embolden_gain", 0.03, 0, 1, "utility",
       "Russia's confidence gained when an incursion goes unanswered.",
       "assumption: a tenth of crisis.embolden_gain", "M8"),
    _f(RU, "incursion_resolve_gain", 0.02, 0, 1, IDX,
       "Share of the gap to 1 Russia's estimate of European resolve gains after a firm answer "
       "(of US resolve, after the US stood in Article 4 consultations).", "assumption", "M8"),
    _f(RU, "incursion_resolve_loss", 0.02, 0, 1, IDX,
       "Share of itself that estimate loses after an unanswered incursion (US resolve: the US "
       "aloof in Article 4 consultations).", "assumption", "M8"),
)
