"""Parameters of the allies' answer to coercion and the summit bargain (M4) and of the crisis
game and its local balance (M9).

Defaults marked "assumption" are the project's modelling choices, stated with a reason; none is a
measured figure. Defaults taken from data name the file in ``sim/data``.
"""

from __future__ import annotations

from .params_actors import IDX, LOGIT, _f, _i

CO = "coercion"
COERCION = (
    _f(CO, "comply_base", 0.0, -5, 5, LOGIT,
       "Baseline log-odds of complying with a US demand, against hedging and resisting.",
       "assumption: the three answers start even", "M4"),
    _f(CO, "comply_dependence", 2.0, 0, 10, "log-odds per unit dependence",
       "How dependence on US protection makes compliance likelier (the alliance security "
       "dilemma: fear of abandonment).", "Snyder (1984); assumption for the size", "M4"),
    _f(CO, "comply_credibility", 2.0, 0, 10, "log-odds per unit credibility",
       "How a credible threat makes compliance likelier (allies respond to abandonment threats "
       "only when they are credible).", "MODEL.md grounding; Blankenship (2021)", "M4"),
    _f(CO, "comply_threat", 1.0, 0, 10, "log-odds per unit threat",
       "How threat from Russia makes compliance likelier.", "assumption", "M4"),
    _f(CO, "hedge_base", -0.5, -5, 5, LOGIT,
       "Baseline log-odds of hedging (spending on European autonomy).", "assumption", "M4"),
    _f(CO, "hedge_distrust", 2.0, 0, 10, "log-odds per unit distrust",
       "How distrust of the US makes hedging likelier (C6).", "assumption", "M4"),
    _f(CO, "hedge_threat", 1.0, 0, 10, "log-odds per unit threat",
       "How threat from Russia makes hedging likelier.", "assumption", "M4"),
    _f(CO, "resist_base", -0.5, -5, 5, LOGIT,
       "Baseline log-odds of resisting (public backlash, defence as a bargaining chip).",
       "assumption", "M4"),
    _f(CO, "resist_politics", 1.5, 0, 10, "log-odds per unit domestic resistance",
       "How domestic resistance makes resisting likelier (C5).", "seed 000: Europe gets a vote",
       "M4"),
    _f(CO, "resist_harshness", 1.5, 0, 10, "log-odds per unit threat aimed at the ally",
       "How a harsher threat provokes backlash.", "assumption", "M4"),
    _f(CO, "resist_threat", 2.0, 0, 10, "log-odds per unit threat from Russia",
       "How threat from Russia makes resisting the US less likely.", "assumption", "M4"),
    _f(CO, "hedge_spending_pp", 0.3, 0, 3, "pp of GDP per unit threat signal",
       "Desired core spending a hedging ally adds for autonomy.", "assumption", "M4"),
    _f(CO, "backlash_pp", 0.5, 0, 3, "pp of GDP per unit threat signal",
       "Desired core spending a resisting ally withholds (backlash, bargaining chip; C5).",
       "assumption", "M4"),
    _f(CO, "hedge_buy_shift", 0.8, 0, 1, "fraction",
       "Share of its US purchases a fully hedging ally moves to European industry.",
       "assumption: buy European (seed 002)", "M4"),
    _f(CO, "hedge_isr_gain", 1.0, 0, 10, "multiplier",
       "How much Europe's hedging speeds sovereign ISR: the rate x (1 + gain x hedging index).",
       "assumption (C17)", "M4"),
    _f(CO, "summit_ambition_pp", 0.5, 0, 5, "pp of GDP",
       "How far above what it now wants an ally will pledge with no pressure (pledges are "
       "aspirations).", "assumption", "M4"),
    _f(CO, "summit_pressure_gain", 13.0, 0, 30, "fraction of the gap per unit pressure",
       "How far US pressure (threat x credibility x compliance) moves what an ally signs toward "
       "the US proposal (C4).",
       "calibrated: the smallest whole value at which the 2025 baseline agrees The Hague's 3.5% "
       "with Spain out (facts.csv: hague_core_defence_target, hague_spain_position), given the "
       "US threat rule (M5); a single historical summit, so the value is uncertain", "M4"),
    _f(CO, "summit_resistance_pp", 1.0, 0, 5, "pp of GDP per unit domestic resistance",
       "How far domestic resistance lowers what an ally signs (C5).", "assumption", "M4"),
    _f(CO, "summit_consensus_quantile", 0.25, 0, 1, "quantile",
       "Quantile of what members would sign that the alliance agrees: a consensus text most "
       "members can accept.", "assumption: three quarters of members accept the target",
       "M4"),
    _f(CO, "summit_opt_out_gap_pp", 0.8, 0, 5, "pp of GDP",
       "How far below the agreed target an ally's position must be for it to opt out (Spain in "
       "2025) rather than sign and lag.", "assumption", "M4"),
    _i(CO, "summit_horizon_years", 10, 1, 30, "years",
       "Years from a summit (or a pledge event) to the deadline of its pledge.",
       "facts.csv: Wales 2014 'within a decade'; The Hague 2025 to 2035", "M4"),
)

CR = "crisis"
CRISIS = (
    _f(CR, "bde_cost_bn", 3.0, 0.5, 20, "bn US$ of equipment stock",
       "Equipment of one brigade-equivalent (the unit of forces in a crisis) at NATO prices.",
       "assumption: an armoured brigade's tanks, infantry fighting vehicles, artillery and "
       "vehicles at replacement cost, of the order of a few bn US$", "M9"),
    _f(CR, "troops_per_bde", 4500.0, 1000, 10000, "troops",
       "Troops of one brigade-equivalent, to count forward presence and US forces.",
       "LSM (June 2022): NATO brigades of 3,000 to 5,000 troops; a US brigade combat team "
       "about 4,500", "M9"),
    _f(CR, "ppp_elasticity", 0.5, 0, 2, "elasticity",
       "How much more combat power a dollar buys where wages are lower: (reference GDP per "
       "head / the ally's) ^ elasticity.",
       "assumption: about half of defence spending is personnel (as Russia's cost_factor, C10)",
       "M9"),
    _f(CR, "own_readiness", 0.5, 0, 1, "fraction",
       "Share of the target's own forces ready at the onset; the rest mobilises.", "assumption",
       "M9"),
    _f(CR, "mobilisation_hours", 72.0, 0, 720, "hours",
       "Hours for the target's reserves to mobilise.",
       "assumption: front-line reserve systems mobilise in days", "M9"),
    _f(CR, "reinforce_share", 0.15, 0, 1, "fraction",
       "Share of an answering ally's forces sent to the crisis.",
       "NATO Force Model (LSM, June 2022: rapid reaction forces from 40,000 to 300,000, "
       "against some 1.9 million European troops); assumption for the share", "M9"),
    _f(CR, "staging_hours", 48.0, 0, 720, "hours",
       "Hours from a decision to help until forces move.",
       "assumption: NATO's very high readiness forces move within days", "M9"),
    _f(CR, "move_kmh", 15.0, 1, 100, "km per hour (average)",
       "Average speed of a brigade moving by road and rail across Europe, halts included.",
       "assumption: a few hundred km a day", "M9"),
    _f(CR, "arrival_spread_hours", 72.0, 1, 720, "hours",
       "Over how long one ally's reinforcements arrive (first to last unit).", "assumption",
       "M9"),
    _f(CR, "enabler_elasticity", 1.0, 0, 5, "elasticity",
       "How reinforcement delays scale with the airlift, refuelling and command available "
       "(C13): delay / (enablers now / at the start) ^ elasticity.", "seed 001 (C13)", "M9"),
    _f(CR, "us_reinforce_share", 0.5, 0, 1, "fraction",
       "Share of US ground forces elsewhere in Europe sent when the US answers.", "assumption",
       "M9"),
    _f(CR, "us_conus_bde", 1.0, 0, 20, "bde-e at 2025 posture",
       "Forces the US flies in from home when it answers (times posture).",
       "assumption: an airborne immediate response force", "M9"),
    _f(CR, "us_conus_hours", 96.0, 0, 720, "hours", "Hours until forces from the US arrive.",
       "assumption", "M9"),
    _f(CR, "advance_km_per_day", 150.0, 1, 500, "km per day",
       "Speed of a Russian advance as resistance vanishes (its asymptote): a mechanised "
       "column's road march over a day.",
       "assumption: some six hours of movement at 25 km/h; raised from 100 when the pace law "
       "stopped saturating at rout_ratio (100 was the pace at and above it; the new law gives "
       "half the asymptote there); the RAND check (36-60 hours to Tallinn and Riga, "
       "crisis_references.csv) tests it", "M9"),
    _f(CR, "halt_ratio", 1.5, 0.1, 10, "ratio",
       "Attacker-to-defender force ratio at or below which an advance stops; also the advantage "
       "a counterattack needs and, times the NATO forces a war would meet, the free forces "
       "Russia needs for it (so in Russia's reckoning it cuts both ways).",
       "assumption: the attacker needs local superiority", "M9"),
    _f(CR, "rout_ratio", 6.0, 0.2, 50, "ratio",
       "Force ratio at which the defence halves the attacker's pace (the advance law in "
       "sim.mechanisms.local_balance: speed x s / (s + rout - halt), s = ratio - halt).",
       "assumption", "M9"),
    _f(CR, "probe_depth_km", 40.0, 1, 500, "km",
       "Depth of a probe's objective inside the target (C11: a small incursion, a slice of "
       "territory).", "assumption", "M9"),
    _f(CR, "horizon_days", 28.0, 1, 180, "days",
       "How long a crisis's race is followed; what has not happened by then is a longer war.",
       "crisis_references.csv: seven brigades could hold 28 days (RAND 2017)", "M9"),
    _f(CR, "race_step_hours", 6.0, 1, 48, "hours", "Time step of the race.",
       "assumption: fine against hours-to-days arrivals", "M9"),
    _f(CR, "balance_sharpness", 2.0, 0, 20, "per unit log-ratio",
       "How sharply Russia's estimate of a fait accompli follows its reckoned reach over the "
       "objective's depth.", "assumption", "M9"),
    _f(CR, "outcome_noise_sd", 0.25, 0, 2, "log-ratio",
       "Noise on the attacking force in an actual crisis (fog of war).", "assumption", "M9"),
    _f(CR, "ally_aid_base", -1.5, -5, 5, LOGIT,
       "Baseline log-odds that an ally sends help to a probed ally.", "assumption", "M9"),
    _f(CR, "ally_aid_closeness", 2.0, 0, 10, "log-odds per unit closeness",
       "How network closeness to the target raises the odds of help.", "assumption", "M9"),
    _f(CR, "ally_aid_threat", 2.0, 0, 10, "log-odds per unit threat",
       "How an ally's own threat perception raises the odds of help.", "assumption", "M9"),
    _f(CR, "ally_aid_trust", 1.0, 0, 10, "log-odds per unit trust",
       "How trust in the alliance's leader raises the odds of collective action.",
       "assumption", "M9"),
    _f(CR, "ally_aid_distance", 0.5, 0, 5, "log-odds per 1,000 km",
       "How distance from the target lowers the odds of help.", "assumption", "M9"),
    _f(CR, "ally_aid_capability", 1.0, 0, 10, "log-odds per unit size",
       "How an ally's economic size (its means) raises the odds of help.", "assumption", "M9"),
    _f(CR, "ally_aid_us_responds", 2.0, 0, 10, LOGIT,
       "Extra odds of help when the US answers (allies follow a leader).", "assumption", "M9"),
    _f(CR, "ally_aid_tripwire", 2.5, 0, 10, LOGIT,
       "Extra odds of help from an ally with troops in the target (forward presence as a "
       "tripwire).", "assumption", "M9"),
    _f(CR, "nuclear_threat_probability", 0.5, 0, 1, "probability",
       "Chance that Russia threatens nuclear use once NATO answers a probe (C11).",
       "seed 001: a small incursion 'alongside nuclear threats'", "M9"),
    _f(CR, "us_backdown_base", -2.0, -10, 10, LOGIT,
       "Baseline log-odds that the US backs down under Russian nuclear threats.", "assumption",
       "M9"),
    _f(CR, "us_backdown_liability", 4.0, 0, 20, "log-odds per unit liability",
       "How nuclear liability without conventional control makes the US back down (C7: 'the "
       "last full nuclear measure or allied abandonment').", "seed 000", "M9"),
    _f(CR, "eu_backdown_base", -1.0, -10, 10, LOGIT,
       "Baseline log-odds that the European helpers back down under nuclear threats.",
       "assumption", "M9"),
    _f(CR, "eu_backdown_without_us", 2.0, 0, 10, LOGIT,
       "Extra odds that Europe backs down when the US is not standing with it (C7).",
       "seed 000", "M9"),
    _f(CR, "eu_backdown_nuclear", 1.0, 0, 10, LOGIT,
       "Lower odds of backing down when a European nuclear power (France, the UK) helps.",
       "allies.csv: nuclear_weapon_state; assumption for the size", "M9"),
    _f(CR, "eu_backdown_capability", 1.0, 0, 10, "log-odds per unit coverage",
       "Lower odds of backing down the more of its requirement Europe covers.", "assumption",
       "M9"),
    _f(CR, "resolve_gain_repelled", 0.3, 0, 1, IDX,
       "Rise of Russia's estimate of US resolve after a crisis in which the US stood.",
       "assumption", "M9"),
    _f(CR, "resolve_loss_failure", 0.5, 0, 1, IDX,
       "Fall of Russia's estimate of US resolve after a crisis in which the US did not stand.",
       "seed 001", "M9"),
    _f(CR, "europe_resolve_gain", 0.3, 0, 1, IDX,
       "Rise of Russia's estimate of European resolve after a crisis in which Europe stood.",
       "assumption", "M9"),
    _f(CR, "europe_resolve_loss", 0.4, 0, 1, IDX,
       "Fall of Russia's estimate of European resolve after a crisis in which it did not.",
       "assumption", "M9"),
    _f(CR, "embolden_gain", 0.3, 0, 5, "utility",
       "Russia's confidence gained from a fait accompli or a failed Article 5 response.",
       "assumption", "M9"),
    _f(CR, "deter_gain", 0.3, 0, 5, "utility",
       "Russia's confidence lost to a repelled probe (a failure deters).", "assumption", "M9"),
    _f(CR, "cohesion_loss_failure", 0.5, 0, 1, IDX,
       "Cohesion lost after an Article 5 failure.", "assumption", "M9"),
    _f(CR, "loss_share_if_repelled", 0.5, 0, 1, "fraction",
       "Share of the trust loss from a US that did not stand when the probe was repelled all "
       "the same.", "assumption", "M9"),
)
