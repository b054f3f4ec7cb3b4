"""A seat's messages panel, or the instructor's view of all the class's messages."""

from __future__ import annotations

import threading
from typing import Any, cast

import reacton.ipyvuetify as rv
import solara

from .live import SESSION, WAIT_SECONDS, use_handler
from .messages import GROUPS, INSTRUCTOR, TEXT_LIMIT, addresses, messages_html
from .messages import label as address_label
from .session import RUSSIA, SeminarError


def _message_versions(viewer: str) -> tuple[int, int]:
    """What a messages panel watches: the messages its viewer reads, and who holds a seat (the
    seats it may write to)."""
    read = (
        SESSION.messages_version if viewer == INSTRUCTOR else SESSION.inbox_versions.get(viewer, 0)
    )
    return read, SESSION.seats_version


@solara.component
def MessagesPanel(token: str, viewer: str) -> None:
    """A seat's messages (``viewer``: its role) or all the class's (the instructor): the inbox
    by year, newest at the bottom, and a box to write one. Its own watcher, on the session's
    ``messages_changed``: a message re-renders the panels of the seats that read it (and the
    instructor's), nothing else on any page; who holds a seat is looked at when it wakes."""
    versions, set_versions = solara.use_state(_message_versions(viewer))

    def watch(cancel: threading.Event) -> None:
        seen = versions
        while not cancel.is_set():
            with SESSION.messages_changed:  # checked and waited for under one lock
                if _message_versions(viewer) == seen:
                    SESSION.messages_changed.wait(WAIT_SECONDS)
            now = _message_versions(viewer)
            if now != seen:
                set_versions(now)  # renders this panel, outside the lock
            seen = now

    solara.use_thread(watch, dependencies=[viewer], intrusive_cancel=False)
    roles = SESSION.roles()
    names = solara.use_memo(lambda: {r: SESSION.role_name(r) for r in roles}, dependencies=[])
    inbox = solara.use_memo(
        lambda: messages_html(SESSION.messages_for(viewer), names, viewer),
        dependencies=[viewer, versions[0]],
    )
    # the seats a student may write to are those held by students (an agent reads nothing);
    # the groups always
    held = set(SESSION.taken())
    options = {
        address_label(a, names): a for a in addresses(viewer, roles) if a not in roles or a in held
    }
    to, set_to = solara.use_state("")
    error, set_error = solara.use_state("")
    shown_to = to if to in options else next(iter(options), "")
    # the newest address, whatever render bound the Send button's handler
    latest = solara.use_ref(cast(dict[str, str], {}))
    latest.current = {"to": shown_to}

    def put_to(value: str | None) -> None:
        latest.current = {"to": value or ""}
        set_to(value or "")

    # the text being written lives in the text field's widget alone (the browser sends it at
    # every key): a render never sets it, so an Advance, a message arriving or any other
    # re-render of the panel keeps a half-written message (it set the field back to the last
    # value the server had, "" until the field lost focus); Send reads it and empties it
    box = solara.use_ref(cast(Any, None))

    def send() -> None:
        widget = box.current
        text = str(getattr(widget, "v_model", "") or "")
        # any address by its label: the session checks who may write to whom
        every = {address_label(a, names): a for a in (*GROUPS, *roles)}
        try:
            SESSION.send_message(token, every.get(latest.current["to"], ""), text)
        except SeminarError as exc:
            set_error(str(exc))
            return
        if widget is not None:
            widget.v_model = ""
        set_error("")

    with solara.Div(classes=["messages-panel"]):
        title = "Messages: all the class's" if viewer == INSTRUCTOR else "Messages"
        solara.HTML(tag="h4", unsafe_innerHTML=title)
        solara.HTML(tag="div", unsafe_innerHTML=f"<div>{inbox}</div>", classes=["messages-box"])
        if viewer == RUSSIA:
            solara.Text("Russia writes public statements: every seat reads them.")
        solara.Select(
            "To",
            value=shown_to,
            values=list(options),
            on_value=use_handler(put_to),
            classes=["msg-to"],
        )
        field = rv.TextField(
            label=f"Message (at most {TEXT_LIMIT} characters)",
            class_="msg-text-input",
            hide_details="auto",
        )
        solara.Button("Send", on_click=use_handler(send), classes=["msg-send"], small=True)
        if error:
            solara.Error(error)

    def grab() -> None:
        box.current = solara.get_widget(field)
        box.current.v_model = ""  # bound from now on (a field made without one is not)

    solara.use_effect(grab, [])
