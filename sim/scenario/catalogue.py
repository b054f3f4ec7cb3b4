"""The schema's catalogue of parameters, the scenario error, and single-value checks."""

from __future__ import annotations

import reprlib
from dataclasses import replace
from typing import Any

from .. import data
from .params_actors import ALLIES, RUSSIA, UNITED_STATES
from .params_switches import MECHANISMS
from .params_world import SERIES, WORLD
from .paths import did_you_mean
from .schema import Catalogue

# The United States' policy choices (the levers of exploratory modelling): how hard it threatens,
# whether it carries threats out, what it measures, whether it leaves the coordination mechanisms,
# how far it draws down per step, its deadline goal, whether a European holds SACEUR from the start
# and whether it would hand the command over (the rule decides when). Every other
# parameter is an assumption about the world (an uncertainty).
LEVERS = (
    "united_states.threat_intensity",
    "united_states.execute_threats",
    "united_states.measurement",
    "united_states.exit_mechanisms",
    "united_states.drawdown_step",
    "united_states.deadline_goal",
    "united_states.european_command",
    "united_states.accepts_european_command",
)

CATALOGUE = Catalogue(
    params=tuple(
        replace(p, lever=True) if p.key in LEVERS else p
        for p in UNITED_STATES + ALLIES + RUSSIA + WORLD + MECHANISMS
    ),
    series=SERIES,
)


_SHORT = reprlib.Repr()  # keyword arguments only from Python 3.12
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong = 3, 80, 80, 40
_SHORT.maxlist = _SHORT.maxdict = 6


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ScenarioError(ValueError):
    """Bad scenario input: names the file, the key and what was expected.

    The message is one line whatever was given: a 5,000-character path, a 400-digit number or
    an array nested 2,000 deep is shown shortened.
    """

    def __init__(self, file: str, key: str, expected: str, got: Any = None) -> None:
        self.file, self.key, self.expected, self.got = file, key, expected, got
        got_txt = "" if got is None else f", got {_SHORT.repr(got)}"
        text = f"{_short(str(file))}: {_short(str(key))}: expected {expected}{got_txt}"
        super().__init__(" ".join(text.split("\n")))


def check_param(file: str, section: str, name: str, value: Any, iso3: str | None = None) -> Any:
    """Validate one parameter value; return it converted, or raise :class:`ScenarioError`."""
    where = f"{section}.overrides.{iso3}.{name}" if iso3 else f"{section}.{name}"
    if iso3 is not None and iso3 not in data.ally_codes():
        raise ScenarioError(
            file,
            f"{section}.overrides.{iso3}",
            "an ally's ISO3 code (" + ", ".join(sorted(data.ally_codes())) + ")",
        )
    # found by fuzzing with_params: an unknown section said "a known parameter of [x] ()", and
    # a misspelt name listed every parameter of its section where a file's got "did you mean"
    if section not in CATALOGUE.by_section:
        sections = sorted(CATALOGUE.by_section)
        hint = did_you_mean(section, sections)
        raise ScenarioError(
            file, where, "a key whose section is one of " + ", ".join(sections) + hint
        )
    param = CATALOGUE.by_section[section].get(name)
    if param is None:
        hint = did_you_mean(name, CATALOGUE.by_section[section])
        known = hint or " (" + ", ".join(sorted(CATALOGUE.by_section[section])) + ")"
        raise ScenarioError(file, where, f"a known parameter of [{section}]{known}")
    if iso3 is not None and not param.per_ally:
        raise ScenarioError(file, where, "a per-ally parameter (this one applies to all allies)")
    try:
        return param.check(value)
    except ValueError as exc:
        raise ScenarioError(file, where, str(exc), value) from None


CROSS_FIELD_KEYS = ("run.start_year", "run.end_year", "allies.pledge_weight", "allies.peer_weight")


def check_cross_fields(file: str, params: dict[str, dict[str, Any]]) -> None:
    """Checks that involve more than one parameter."""
    run = {**CATALOGUE.section_defaults("run"), **params.get("run", {})}
    if run["end_year"] <= run["start_year"]:
        raise ScenarioError(
            file,
            "run.end_year",
            f"a year after run.start_year ({run['start_year']})",
            run["end_year"],
        )
    allies = {**CATALOGUE.section_defaults("allies"), **params.get("allies", {})}
    if allies["pledge_weight"] + allies["peer_weight"] >= 0.95:
        raise ScenarioError(
            file,
            "allies.pledge_weight",
            "pledge_weight + peer_weight below 0.95 (the budget rule must still respond to "
            f"threat and trust; peer_weight is {allies['peer_weight']})",
            allies["pledge_weight"],
        )
