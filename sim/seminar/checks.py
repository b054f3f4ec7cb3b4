"""What a page sends, checked before it reaches the model: text (its type and size), names,
numbers (a ``True`` is not a number; finite, in bounds), choices; a role's decision fields
(:func:`clean_fields`) and the model's decision record made from them (:func:`decisions_for`);
the decisions each kind of seat makes (:data:`DECISION_FIELDS`)."""

from __future__ import annotations

import math
import re
import secrets
from typing import Any

from ..model.decisions import ANSWERS, BUDGET_RANGE, DRAWDOWN_RANGE, GREYZONE_RANGE, Decisions
from ..scenario import CATEGORIES
from .errors import SeminarError
from .messages import RUSSIA, US

MAX_TEXT = 200  # characters: any text a page sends (a name, a code, a role)


def _text(value: Any, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise SeminarError(f"{what}: expected text")
    if len(value) > limit:
        raise SeminarError(f"{what}: at most {limit} characters")
    return value


def _name(text: Any) -> str:
    text = _text(text if text is not None else "", "name")
    cleaned = re.sub(r"[^\w .'-]+", "", text, flags=re.UNICODE).strip()[:40]
    if not cleaned:
        raise SeminarError("a name of letters, digits, spaces, '.', '-' or apostrophes")
    return cleaned


def _number(key: str, value: Any, low: float, high: float) -> float | None:
    """A number a page sent: ``None``/"" (the agent decides) or an int or float, finite, in
    [low, high]; a bool, a string, a huge integer or NaN is refused with a message."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SeminarError(f"{key}: expected a number in [{low:g}, {high:g}], got {value!r:.40}")
    if isinstance(value, int) and not -(10**9) < value < 10**9:
        raise SeminarError(f"{key}: expected a number in [{low:g}, {high:g}]")
    out = float(value)
    if not math.isfinite(out) or not low <= out <= high:
        raise SeminarError(f"{key}: expected a number in [{low:g}, {high:g}], got {out:g}")
    return out


def _choice(key: str, value: Any, options: tuple[str, ...] | list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in options:
        raise SeminarError(f"{key}: expected one of {', '.join(options)}")
    return value


def _yes_no(key: str, value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "false", "no"):
        return value.lower() in ("true", "yes")
    raise SeminarError(f"{key}: expected yes or no, got {value!r:.40}")


ALLOWED = {
    US: ("demand", "threat", "drawdown", "reassurance", "respond", "command"),
    RUSSIA: ("probe", "greyzone"),
    "ally": ("budget", "answer", "help", "priority", "us_share"),
}


def clean_fields(role: str, fields: dict[str, Any], members: set[str]) -> dict[str, Any]:
    """A role's decision fields checked one by one; ``None`` means: the agent decides."""
    kind = role if role in (US, RUSSIA) else "ally"
    allowed = ALLOWED[kind]
    if not isinstance(fields, dict) or len(fields) > len(allowed):
        raise SeminarError("expected a few decision fields")
    for key in fields:
        if key not in allowed:
            raise SeminarError(f"{role} cannot decide {str(key)[:40]!r}")
    f = fields.get
    if kind == US:
        return {
            "demand": _number("demand", f("demand"), *BUDGET_RANGE),
            "threat": _number("threat", f("threat"), 0.0, 1.0),
            "drawdown": _number("drawdown", f("drawdown"), *DRAWDOWN_RANGE),
            "reassurance": _number("reassurance", f("reassurance"), 0.0, 1.0),
            "respond": _yes_no("respond", f("respond")),
            "command": _yes_no("command", f("command")),
        }
    if kind == RUSSIA:
        probe = f("probe")
        if probe is not None:
            _text(probe, "probe", 8)
            if probe != "" and probe not in members:
                raise SeminarError(f"probe: {probe!r} is not an ally in this run")
        return {"probe": probe, "greyzone": _number("greyzone", f("greyzone"), *GREYZONE_RANGE)}
    return {
        "budget": _number("budget", f("budget"), *BUDGET_RANGE),
        "answer": _choice("answer", f("answer"), ANSWERS),
        "help": _number("help", f("help"), 0.0, 1.0),
        "priority": _choice("priority", f("priority") or None, CATEGORIES),
        "us_share": _number("us_share", f("us_share"), 0.0, 1.0),
    }


def decisions_for(role: str, fields: dict[str, Any]) -> Decisions:
    """The model's decision record for one role's (clean) fields."""
    f = fields.get
    if role == US:
        return Decisions(
            us_demand_pct=f("demand"),
            us_threat=f("threat"),
            us_drawdown=f("drawdown"),
            us_reassurance=f("reassurance"),
            us_crisis_response=f("respond"),
            us_command=f("command"),
        )
    if role == RUSSIA:
        return Decisions(russia_probe=f("probe"), russia_greyzone=f("greyzone"))
    out = Decisions()
    budget, answer, help_, priority, share = (
        fields.get(k) for k in ("budget", "answer", "help", "priority", "us_share")
    )
    if budget is not None:
        out.budget_pct = {role: float(budget)}
    if answer is not None:
        out.answer = {role: str(answer)}
    if help_ is not None:
        out.crisis_help = {role: float(help_)}
    if priority:
        out.equipment_mix = {role: priority_mix(str(priority))}
    if share is not None:
        out.us_buy_share = {role: float(share)}
    return out


def priority_mix(priority: str) -> dict[str, float]:
    """A seat's equipment mix from one priority: half of new orders to it, the rest shared
    equally by the other categories."""
    if priority not in CATEGORIES:
        raise SeminarError(f"priority: expected one of {', '.join(CATEGORIES)}")
    rest = 0.5 / (len(CATEGORIES) - 1)
    return {c: 0.5 if c == priority else rest for c in CATEGORIES}


def _same(given: str, secret: str) -> bool:
    """A constant-time comparison that also takes what a browser may send (any characters:
    ``secrets.compare_digest`` refuses non-ASCII strings, so compare UTF-8 bytes)."""
    return secrets.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8"))


DECISION_FIELDS = {
    "ally": (
        ("budget", f"core spending, % of GDP ({BUDGET_RANGE[0]:g}-{BUDGET_RANGE[1]:g})"),
        ("answer", "answer to the US demand: " + " | ".join(ANSWERS)),
        ("help", "if Russia probes an ally this year: how much help to send"),
        ("priority", "equipment: the category new orders favour"),
        ("us_share", "equipment: share bought from the US"),
    ),
    US: (
        ("demand", "core spending demanded of the allies, % of GDP"),
        ("threat", "abandonment threat level (0-1)"),
        ("drawdown", f"drawdown, fraction of 2025 posture ({DRAWDOWN_RANGE[1]:g} at most)"),
        ("reassurance", "reassurance (0-1)"),
        ("respond", "if Russia probes an ally this year, answer with force"),
        ("command", "hand NATO's military command (SACEUR) to a European, for good"),
    ),
    RUSSIA: (
        ("probe", "probe an ally, or none"),
        ("greyzone", f"grey-zone campaign, x the usual ({GREYZONE_RANGE[1]:g} at most)"),
    ),
}
