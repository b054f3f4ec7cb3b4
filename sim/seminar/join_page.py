"""The join page: the join code, a name and a free role."""

from __future__ import annotations

import html
from typing import Any, cast

import solara

from .live import SESSION
from .session import SeminarError, Snapshot


def _client() -> str:
    """The page's address (set by the server's guard) and its browser session."""
    try:
        headers = cast(Any, solara.lab).headers.value or {}
        where = (headers.get("x-natosim-client") or ["?"])[0]
    except Exception:
        where = "?"
    try:
        session = solara.get_session_id()
    except Exception:
        session = ""
    return f"{where}|{session}"


@solara.component
def JoinView(code0: str, snap: Snapshot, seats: int = 0) -> None:
    """The join form. ``seats`` (the session's seats version) re-renders it when a role is
    taken or freed, so the free roles shown stay current."""
    router = solara.use_router()
    code, set_code = solara.use_state(code0)
    name, set_name = solara.use_state("")
    role, set_role = solara.use_state("")
    error, set_error = solara.use_state("")
    taken = SESSION.taken()
    free = [r for r in SESSION.roles() if r not in taken and r not in SESSION.locked]

    # the newest values, whatever render bound the button's handler (a busy page may click
    # through a handler bound before the role was drawn)
    latest = solara.use_ref(cast(dict[str, str], {}))
    latest.current = {"code": code, "name": name, "role": role}
    # set before this page's join is made: the join wakes this page's watcher (the seats
    # changed), which drew "This browser holds ..." before the page went to its seat (a flash
    # seen in a browser check)
    joining = solara.use_ref(False)

    def join() -> None:
        now = latest.current
        if not now["role"]:
            set_error("choose a role first")
            return
        joining.current = True
        try:
            token = SESSION.join(now["code"], now["name"], now["role"], client=_client())
        except SeminarError as exc:
            joining.current = False
            set_error(str(exc))
            return
        router.push(f"?seat={token}")

    solara.HTML(tag="h3", unsafe_innerHTML="Join the seminar")
    mine = SESSION.seat_of_client(_client())
    if mine is not None and not joining.current:  # seated before: the way back (none was)
        solara.Info(
            f"This browser holds {SESSION.role_name(mine.role)} ({mine.name}); one seat per "
            "browser."
        )
        solara.Button(
            "Back to my seat",
            on_click=lambda: router.push(f"?seat={mine.token}"),
            classes=["back-to-seat"],
            color="primary",
        )
    solara.HTML(
        tag="p",
        unsafe_innerHTML=f"<b>{html.escape(SESSION.scenario.name)}</b>: "
        f"{html.escape(SESSION.scenario.description)}",
    )
    with solara.Div(classes=["join-code"]):
        solara.InputText("Join code", value=code, on_value=set_code, continuous_update=True)
    with solara.Div(classes=["join-name"]):
        # every keystroke reaches the server (sent on blur only, a name typed just before a
        # tap on a role was sometimes lost)
        solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
    solara.Text("Your role (tap one; the agents play every role nobody takes):")
    with solara.Div(classes=["join-roles"]):
        for r in free:
            # keyed by its role: a button stays its role's when the roles before it are taken
            # (by position, a tap on Latvia after two earlier roles were taken chose the role
            # two further on, found by a browser check)
            solara.Button(
                f"{r}: {SESSION.role_name(r)}",
                on_click=lambda r=r: set_role(r),
                classes=["role", f"role-{r}"],
                color="primary" if r == role else None,
                outlined=r != role,
                small=True,
            ).key(f"role-{r}")
    if role and role not in free and mine is None:  # taken or locked since it was tapped
        solara.Warning(f"{SESSION.role_name(role)} is no longer free: choose another role")
    if role:
        solara.HTML(tag="div", unsafe_innerHTML=snap.previews.get(role, ""))
    solara.Button("Join", on_click=join, classes=["join"], color="primary")
    if error:
        solara.Error(error)
