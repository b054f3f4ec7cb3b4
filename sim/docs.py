"""Documentation generated from the schema, so the ODD's parameter tables cannot drift.

``python -m sim.docs`` rewrites the block between the markers in ``docs/ODD.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .scenario import CATALOGUE, Param
from .scenario.uncertainty import JUDGEMENT, JUDGEMENT_LOGIT, describe, resolve

BEGIN = "<!-- BEGIN GENERATED PARAMETERS (python -m sim.docs) -->"
END = "<!-- END GENERATED PARAMETERS -->"
SECTION_TITLES = {
    "united_states": "United States (M5, M9)",
    "allies": "Allies (M1, M3, M4); `*` = may be overridden per ally",
    "russia": "Russia (M8)",
    "run": "Run",
    "perception": "Threat perception and trust (M2, M3)",
    "capability": "Capability pipeline (M1)",
    "alliance": "Agency and nuclear liability (M6, M7)",
    "coercion": "Answers to coercion and the summit bargain (M4)",
    "crisis": "Crisis game and local balance (M9)",
    "mechanisms": "Knock-out switches (all on by default; `description` says what off means)",
    "network": "Network",
    "verdict": "Verdict thresholds",
}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


RULES = {
    JUDGEMENT: "judgement rule: the default +-50%",
    JUDGEMENT_LOGIT: "judgement rule: the default +-1 in log-odds",
}


def _kind_cell(p: Param) -> str:
    """The kind, the plausible distribution and its source (``sim.scenario.uncertainty``):
    the judgement rules in a few words (docs/uncertainty.md states them), any other source
    whole."""
    u = resolve(p)
    return f"{describe(u)}: {RULES.get(u.source, u.source)}"


def parameter_tables() -> str:
    """Markdown tables of every parameter and series, with default, bounds, unit and source,
    and for a parameter its kind, plausible range and the range's source."""
    out = [BEGIN, ""]
    for section, params in CATALOGUE.by_section.items():
        out += [
            f"### `[{section}]` {SECTION_TITLES.get(section, '')}",
            "",
            (
                "| parameter | default | bounds | unit | meaning | mechanism | source "
                "| kind, plausible range [its source] |"
            ),
            "|---|---|---|---|---|---|---|---|",
        ]
        for p in params.values():
            bounds = (
                ", ".join(p.choices)
                if p.kind == "choice"
                else ("true/false" if p.kind == "bool" else f"[{p.low:g}, {p.high:g}]")
            )
            star = "*" if p.per_ally else ""
            out.append(
                f"| `{p.key}`{star} | {p.default} | {bounds} | {_cell(p.unit)} | "
                f"{_cell(p.description)} | {p.mechanism} | {_cell(p.source)} | "
                f"{_cell(_kind_cell(p))} |"
            )
        out.append("")
    out += [
        "### `[series.NAME]` Time-varying inputs",
        "",
        "| series | default points | bounds | unit | meaning | mechanism | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in CATALOGUE.series:
        pts = ", ".join(f"{y}: {v:g}" for y, v in s.default)
        out.append(
            f"| `series.{s.name}` | {pts} | [{s.low:g}, {s.high:g}] | {_cell(s.unit)} | "
            f"{_cell(s.description)} | {s.mechanism} | {_cell(s.source)} |"
        )
    out += ["", END]
    return "\n".join(out)


def update_odd(path: Path) -> bool:
    """Rewrite the generated block of ``path``; return whether it changed."""
    text = path.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + parameter_tables() + text[end:]
    if new != text:
        path.write_text(new)
    return new != text


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/ODD.md")
    print(f"{target}: {'updated' if update_odd(target) else 'already current'}")
