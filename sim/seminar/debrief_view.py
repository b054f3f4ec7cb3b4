"""The debrief as a page shows it: the class against the agents, for one seat or all."""

from __future__ import annotations

import html

import solara

from .live import SESSION
from .session import Snapshot


@solara.component
def DebriefView(snap: Snapshot, role: str | None = None) -> None:
    d = SESSION.debrief()
    from .briefing import outcomes_table  # noqa: PLC0415

    solara.HTML(tag="h4", unsafe_innerHTML=f"Debrief ({d['year']})")
    solara.HTML(
        tag="p",
        unsafe_innerHTML="<b>Verdict if the run ended now</b>: the class: "
        f"{d['class_verdict'].replace('_', ' ')}; the agents alone: "
        f"{d['agents_verdict'].replace('_', ' ')}",
    )
    solara.HTML(tag="div", unsafe_innerHTML=outcomes_table(d), classes=["debrief-outcomes"])
    words = d["words"]
    chosen = [role] if role is not None and role in words else sorted(words)
    text = "".join(
        f"<p><b>{html.escape(SESSION.role_name(r))}</b>: {words[r]['text']}</p>" for r in chosen
    )
    solara.HTML(tag="div", unsafe_innerHTML=text, classes=["debrief-words"])
    if role is None and len(d["seats"]):
        with solara.Details("The seats year by year"):
            solara.HTML(
                tag="div", unsafe_innerHTML=d["seats"].to_html(index=False, classes="debrief-table")
            )
