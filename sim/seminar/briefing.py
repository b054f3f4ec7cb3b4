"""What a student reads before and after playing: a briefing per role (its situation, its
interests, what it can do, what it can see), an objective with a score, a debrief in words (the
class against the agents alone) and the printable after-action report of the export.

The objectives and their scores are the seminar's, written for teaching: they are not model rules
and serve no claim. Each is a number from 0 to 100 computed from outputs the model records, the
same way for the class's run and the agents' run, so a seat can see whether it did better or
worse than its agent would have:

* an ally: 40 x its progress to the alliance's pledge (core spending / the pledge path's value
  that year, at most 1),
  + 30 x its trust in the US, + 30 unless a probe of it ended frozen or with an Article 5
  failure, - 10 for each point of GDP above 5% (what its voters would bear);
* the United States: 50 x European core spending / 3.5% (at most 1), + 25 x mean trust, + 25 x
  the share of probes repelled (all of them if none);
* Russia: 40 x (1 - mean trust in the US), + 30 x (1 - cohesion), + 30 x the share of its probes
  that ended frozen or with an Article 5 failure (0 if it never probed).
"""

from __future__ import annotations

import time
from html import escape
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from .session import ClassSession

US, RUSSIA = "USA", "RUS"
PLEDGE_FALLBACK = 3.5  # % of GDP: the Hague pledge, when a run records none
WON = ("frozen", "article5_failure")

OBJECTIVES = {
    "ally": "Keep your country safe and the alliance together, at a cost your voters accept: "
    "move toward the alliance's pledge, keep trust in the US, see no probe of you succeed.",
    US: "Get Europe to carry more of its own defence without breaking deterrence: European "
    "core spending toward 3.5%, allies that still trust you, every probe repelled.",
    RUSSIA: "Divide the alliance and show its guarantee is hollow, without a war you lose: "
    "lower trust in the US and cohesion, probes that end frozen rather than repelled.",
}

CAN_DO = {
    "ally": "set your core defence spending (% of GDP); answer the US demand (comply, hedge or "
    "resist); decide how much help to send if Russia probes an ally; choose what new equipment "
    "favours and how much of it you buy from the US. Leave any control on 'my agent decides' "
    "and your country's agent decides it as it would without you. Write to another ally, to "
    "the US, to all allies or to the whole alliance (Russia does not read it).",
    US: "set the spending you demand of the allies; your threat of abandonment (0-1); draw "
    "forces down; reassure; decide whether you answer a probe with force. Write to an ally or "
    "to all allies (Russia does not read it).",
    RUSSIA: "probe one ally (or none) and set the strength of your grey-zone campaign. Make a "
    "public statement: every seat reads it (you cannot write privately to anyone, and you do "
    "not read the allies' messages).",
}

CAN_SEE = {
    "ally": "the charts, the alliance map, the story of each year and every decision once its "
    "year has been played. Not: other students' decisions for the coming year, nor Russia's "
    "forces and its read of US resolve until the instructor reveals them. Messages: those sent "
    "to you, to all allies, to the alliance, Russia's public statements and your own.",
    US: "the same as the allies: charts, map, the story, decisions once played; Russia's forces "
    "only when the instructor reveals them. Messages: those sent to you, to the alliance, "
    "Russia's public statements and your own.",
    RUSSIA: "your own forces and your read of US and European resolve (always), the charts, "
    "the map, the story and the decisions once played. Messages: public statements only "
    "(yours, and the instructor's); never the allies' traffic.",
}


def _kind(role: str) -> str:
    return role if role in (US, RUSSIA) else "ally"


def _last(rows: dict[str, list[Any]], col: str) -> float:
    return float(rows[col][-1])


def briefing_html(session: ClassSession, role: str, private: bool = True) -> str:
    """A role's briefing for the year reached (called under the session's lock); without
    ``private``, Russia's situation leaves out its forces and readings (the join page shows a
    briefing to anyone who taps the role, before any seat is taken)."""
    m = session.model
    rows = m.recorder.model_rows
    kind = _kind(role)
    name = session.role_name(role)
    if kind == "ally":
        i = m.ally_index[role]
        s = m.ally_state
        pledge = _last(rows, "pledge_core_pct") or PLEDGE_FALLBACK
        situation = (
            f"{escape(name)} spends {float(s.core_pct[i]):.2f}% of GDP on core defence "
            f"(the alliance's pledge path asks {pledge:.1f}% this year). Its trust in the US is "
            f"{float(s.trust[i]):.2f} and the threat it perceives {float(s.threat[i]):.2f} "
            f"(0-1). European allies on average spend {_last(rows, 'eu_core_pct'):.2f}%."
        )
        interests = (
            "Your security against Russia, a US guarantee you can believe, and a budget your "
            "government can defend at home. Spending more buys capability only after years of "
            "orders; answering the US with resistance costs trust, compliance costs money."
        )
    elif kind == US:
        situation = (
            f"European allies spend {_last(rows, 'eu_core_pct'):.2f}% of GDP on core defence "
            f"on average; their trust in you is {_last(rows, 'mean_trust'):.2f}; your posture "
            f"in Europe is {_last(rows, 'us_posture'):.2f} of 2025's and your threat level "
            f"{_last(rows, 'us_threat_level'):.2f}."
        )
        interests = (
            "Forces free for Asia and allies that pay, without a Russian probe that succeeds: "
            "a threat that is believed moves allies, one that is carried out may invite Russia."
        )
    else:
        situation = (
            (
                f"Your forces: {_last(rows, 'russia_forces_bde'):.1f} brigade-equivalents, "
                f"{_last(rows, 'russia_free_bde'):.1f} free of Ukraine; you read US resolve at "
                f"{_last(rows, 'russia_resolve_estimate'):.2f} and Europe's at "
                f"{_last(rows, 'europe_resolve_estimate'):.2f}."
            )
            if private
            else "Your forces and your reading of US and European resolve are shown once you "
            "hold the seat."
        )
        interests = (
            "A divided alliance and a US guarantee shown to be hollow; a probe that is repelled "
            "costs you and unites them."
        )
    return (
        f"<div class='briefing'><h4>Your briefing: {escape(name)}, {m.year}</h4>"
        f"<p><b>Situation.</b> {situation}</p><p><b>Interests.</b> {interests}</p>"
        f"<p><b>Objective.</b> {OBJECTIVES[kind]}</p>"
        f"<p><b>What you can do</b> each year: {CAN_DO[kind]}</p>"
        f"<p><b>What you can see</b>: {CAN_SEE[kind]}</p></div>"
    )


def _probes(model_rows: pd.DataFrame, target: str | None = None) -> list[str]:
    probes = model_rows[model_rows["probe_outcome"].astype(str) != ""]
    if target is not None:
        probes = probes[probes["probe_target"] == target]
    return [str(o) for o in probes["probe_outcome"]]


def score(role: str, model_rows: pd.DataFrame, allies: pd.DataFrame) -> float:
    """The role's objective as a number 0-100 at the last year of ``model_rows`` (see the
    module's docstring)."""
    last = model_rows.iloc[-1]
    if role == US:
        probes = _probes(model_rows)
        repelled = probes.count("repelled") / len(probes) if probes else 1.0
        value = (
            50 * min(float(last["eu_core_pct"]) / 3.5, 1.0)
            + 25 * float(last["mean_trust"])
            + 25 * repelled
        )
    elif role == RUSSIA:
        probes = _probes(model_rows)
        won = sum(o in WON for o in probes) / len(probes) if probes else 0.0
        value = 40 * (1 - float(last["mean_trust"])) + 30 * (1 - float(last["cohesion"])) + 30 * won
    else:
        me = allies[(allies["iso3"] == role) & (allies["year"] == last["year"])].iloc[0]
        pledge = float(last["pledge_core_pct"]) or PLEDGE_FALLBACK
        core = float(me["core_pct"])
        lost = any(o in WON for o in _probes(model_rows, role))
        value = (
            40 * min(core / pledge, 1.0)
            + 30 * float(me["trust"])
            + (0 if lost else 30)
            - 10 * max(core - 5.0, 0.0)
        )
    return round(max(0.0, min(100.0, value)), 1)


def _verb(a: float, b: float, unit: str = "", digits: int = 2) -> str:
    if abs(a - b) < 10 ** (-digits):
        return f"the same as the agents alone ({a:.{digits}f}{unit})"
    more = "more" if a > b else "less"
    return f"{a:.{digits}f}{unit}, {more} than the agents alone ({b:.{digits}f}{unit})"


def _commander(model_rows: pd.DataFrame) -> str:
    """Who held NATO's command in a run's model table (the ``influence_command`` channel: 1
    while an American holds it), in words (C2)."""
    european = model_rows[model_rows["influence_command"] < 0.5]["year"]
    if not len(european):
        return "an American throughout"
    first = int(european.iloc[0])
    if first == int(model_rows["year"].iloc[0]):
        return "a European throughout"
    return f"a European from {first}"


def seat_debrief(
    role: str,
    role_name: str,
    player: str,
    cls_model: pd.DataFrame,
    ag_model: pd.DataFrame,
    cls_allies: pd.DataFrame,
    ag_allies: pd.DataFrame,
    decisions: list[dict[str, Any]],
    fallbacks: list[dict[str, Any]],
) -> dict[str, Any]:
    """One seat in words: what the student did, where the run ended against the agents alone,
    and the role's score for both."""
    year = int(cls_model["year"].iloc[-1])
    n_years = len(cls_model) - 1
    decided_years = sorted({int(d["year"]) for d in decisions})
    lines = [
        f"{escape(player)} played {escape(role_name)} for {n_years} year(s) and decided in "
        f"{len(decided_years)} of them"
        + (f"; the agent decided in {len(fallbacks)} year(s) nobody submitted" if fallbacks else "")
        + "."
    ]
    last_c, last_a = cls_model.iloc[-1], ag_model.iloc[-1]
    if role == US:
        lines.append(
            f"By {year} European core spending was "
            f"{_verb(float(last_c['eu_core_pct']), float(last_a['eu_core_pct']), '%')}; trust "
            f"in the US {_verb(float(last_c['mean_trust']), float(last_a['mean_trust']))}; "
            f"the US posture in Europe "
            f"{_verb(float(last_c['us_posture']), float(last_a['us_posture']))}; US influence "
            f"{_verb(float(last_c['us_influence']), float(last_a['us_influence']))}. NATO's "
            f"command: {_commander(cls_model)} (the agents alone: {_commander(ag_model)})."
        )
    elif role == RUSSIA:
        mine = cls_model[cls_model["probe_target"].astype(str) != ""]
        theirs = ag_model[ag_model["probe_target"].astype(str) != ""]
        said = ", ".join(
            f"{t} in {y} ({o or 'no result yet'})"
            for y, t, o in zip(
                mine["year"], mine["probe_target"], mine["probe_outcome"], strict=True
            )
        )
        lines.append(
            f"The class's Russia probed {len(mine)} time(s)"
            + (f": {escape(said)}" if said else "")
            + f"; the agents alone probed {len(theirs)} time(s). Trust in the US ended "
            f"{_verb(float(last_c['mean_trust']), float(last_a['mean_trust']))}."
        )
    else:
        c = cls_allies[(cls_allies["iso3"] == role) & (cls_allies["year"] == year)].iloc[0]
        a = ag_allies[(ag_allies["iso3"] == role) & (ag_allies["year"] == year)].iloc[0]
        lines.append(
            f"By {year} {escape(role_name)} spent "
            f"{_verb(float(c['core_pct']), float(a['core_pct']), '% of GDP')} on core "
            f"defence; its capability was {_verb(float(c['capability']), float(a['capability']))};"
            f" its trust in the US {_verb(float(c['trust']), float(a['trust']))}."
        )
        probes = _probes(cls_model, role)
        if probes:
            lines.append(f"Russia probed {escape(role_name)}: {', '.join(probes)}.")
        lines += _budget_reasons(role, role_name, year, cls_allies, ag_allies)
    s_cls = score(role, cls_model, cls_allies)
    s_ag = score(role, ag_model, ag_allies)
    lines.append(f"Score for the objective: {s_cls:g} (the agents alone: {s_ag:g}).")
    return {
        "role": role,
        "player": player,
        "text": " ".join(lines),
        "score": s_cls,
        "agents_score": s_ag,
    }


def _budget_reasons(
    role: str, role_name: str, year: int, cls_allies: pd.DataFrame, ag_allies: pd.DataFrame
) -> list[str]:
    """Why the seat's budget moved in the last year played, in the class's run and in the
    agents' alone (the model's ``why_budget_`` terms, :func:`sim.analysis.explain.ally_reasons`)."""
    from ..analysis.explain import ally_reasons  # noqa: PLC0415

    if "why_budget_level" not in cls_allies.columns or year <= int(cls_allies["year"].min()):
        return []
    out = []
    for who, frame in (("In the class's run", cls_allies), ("The agents alone", ag_allies)):
        runs = frame if "run" in frame.columns else frame.assign(run=0)
        out.append(f"{who}: {escape(ally_reasons(runs, 0, year, role, role_name))}.")
    return out


def outcomes_table(d: dict[str, Any]) -> str:
    """The run's outcomes, class against agents, at the year reached."""
    c, a = d["class"].iloc[-1], d["agents"].iloc[-1]
    rows = [
        ("European core spending, % of GDP", f"{c['eu_core_pct']:.2f}", f"{a['eu_core_pct']:.2f}"),
        ("Mean trust in the US", f"{c['mean_trust']:.2f}", f"{a['mean_trust']:.2f}"),
        ("US posture in Europe (2025 = 1)", f"{c['us_posture']:.2f}", f"{a['us_posture']:.2f}"),
        ("Cohesion", f"{c['cohesion']:.2f}", f"{a['cohesion']:.2f}"),
        (
            "Probes and their result",
            ", ".join(_probes(d["class"])) or "none",
            ", ".join(_probes(d["agents"])) or "none",
        ),
        (
            "Verdict if the run ended now",
            d["class_verdict"].replace("_", " "),
            d["agents_verdict"].replace("_", " "),
        ),
    ]
    body = "".join(
        f"<tr><td>{escape(k)}</td><td>{escape(x)}</td><td>{escape(y)}</td></tr>" for k, x, y in rows
    )
    return (
        "<table class='outcomes'><tr><th></th><th>the class</th><th>the agents alone</th></tr>"
        f"{body}</table>"
    )


def after_action_html(session: ClassSession, role: str | None = None) -> str:
    """A printable report of the class: outcomes against the agents, each seat in words with
    its score (only ``role``'s, for a seat's own copy), the instructor's injections and
    reveals, the messages between seats (a seat's copy: those it read) and the story by
    year."""
    from .messages import INSTRUCTOR, messages_html  # noqa: PLC0415
    from .views import log_html  # noqa: PLC0415

    d = session.debrief()
    seats = "".join(
        f"<section class='seat'><h3>{escape(session.role_name(r))} ({escape(w['player'])})</h3>"
        f"<p>{w['text']}</p></section>"
        for r, w in d["words"].items()
        if role is None or r == role
    )
    inj = "".join(
        f"<li>{e['year']}: {escape(e['kind'].replace('_', ' '))}"
        + (f" ({escape(e['target'])})" if e.get("target") else "")
        + "</li>"
        for e in d["injections"]
    )
    rev = "".join(
        f"<li>{r['year']}: {'hidden' if r['fog'] else 'revealed'}</li>" for r in d["reveals"]
    )
    who = f", {escape(session.role_name(role))}" if role else ""
    viewer = role or INSTRUCTOR
    names = {r: session.role_name(r) for r in session.roles()}
    msgs = messages_html(session.messages_for(viewer), names, viewer)
    with session.lock:
        log = log_html(session.model.recorder.events, years=100).replace(
            "<details>", "<details open>"
        )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>After-action report: {escape(session.scenario.name)}{who}</title>
<style>
body {{ font-family: Georgia, serif; max-width: 46em; margin: 2em auto; line-height: 1.45; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #bbb; padding: 0.2em 0.6em; }}
section.seat {{ break-inside: avoid; }} h1 {{ font-size: 1.6em; }}
@media print {{ body {{ margin: 0; font-size: 11pt; }} details > summary {{ display: none; }} }}
</style></head><body>
<h1>After-action report: {escape(session.scenario.name)}{who}</h1>
<p>Seed {session.seed}; the class played to {d["year"]}; written
{time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}. "The agents alone" is the same scenario and
seed with every role played by its agent and the instructor's injections replayed.</p>
<h2>Outcomes</h2>{outcomes_table(d)}
<h2>Seats</h2>{seats or "<p>Nobody held a seat.</p>"}
<h2>The instructor</h2><p>Injected events:</p><ul>{inj or "<li>none</li>"}</ul>
<p>Reveals of hidden information:</p><ul>{rev or "<li>none</li>"}</ul>
<h2>Messages</h2><p>{"Every message of the class" if role is None else "What this seat read"}, by
the year on the pages when it was sent.</p><div class="messages">{msgs}</div>
<h2>The story</h2>{log}
</body></html>"""
