"""Studies built on runs: the claims as experiments (:mod:`.claims`, :mod:`.experiments`), the model
against published figures (:mod:`.checks`), comparing scenarios (:mod:`.compare`), the debate of the
three theses (:mod:`.debate`, :mod:`.debate_axes`), what decides an answer (:mod:`.cruxes`), why the
deadline is missed (:mod:`.deadline`), reasons in words (:mod:`.explain`) and the EMA Workbench
adapter (:mod:`.ema`).

Imports the model and the runs layers; the command line, the app and reports build on it.
"""
