"""The class of this server process: the one :class:`ClassSession` every page shares (made
from the environment ``natosim seminar`` sets, or resumed), the clock thread that advances when
the countdown ends, and what the pages' watchers share (how long they wait, the lock that
re-renders pages one at a time).

The pages render with reacton's fast renderer (:mod:`sim.ui.config`, which both apps import)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara

from ..scenario import load_scenario
from ..ui.config import app_config
from . import handover
from .session import ClassSession

log = logging.getLogger("natosim.seminar")
CONFIG = app_config()


def _session_from_environment() -> ClassSession:
    if handover.SESSION is not None:  # played back already by the command (--resume)
        return handover.SESSION
    folder = os.environ.get("NATOSIM_SEMINAR_FOLDER") or None
    if folder and os.environ.get("NATOSIM_SEMINAR_RESUME"):
        return ClassSession.resume(Path(folder))
    scenario = load_scenario(os.environ.get("NATOSIM_SEMINAR_SCENARIO", "baseline"))
    session = ClassSession(
        scenario,
        seed=int(os.environ.get("NATOSIM_SEMINAR_SEED", "7")),
        code=os.environ.get("NATOSIM_SEMINAR_CODE") or None,
        instructor_token=os.environ.get("NATOSIM_SEMINAR_INSTRUCTOR") or None,
        seconds_per_year=int(os.environ.get("NATOSIM_SEMINAR_SECONDS", "180")),
        folder=Path(folder) if folder else None,
    )
    session.save()
    return session


SESSION = _session_from_environment()


WAIT_SECONDS = 0.5  # longest a page's watcher sleeps before it looks whether its page closed


# A new snapshot re-renders the pages one after another, not all at once: thirty renders
# interleaved under the GIL each finished near the end and trickled their messages out, so every
# browser drew several partial frames late; one at a time, each page's updates leave together and
# the first pages show the new year while the last are still being rendered.
RENDER_ONE_AT_A_TIME = threading.Lock()


def _clock() -> None:
    """Advance when the countdown ends, if the instructor chose automatic advance."""
    while True:
        threading.Event().wait(0.5)
        try:
            SESSION.tick()
        except Exception:
            log.exception("automatic advance failed")


def use_handler(handler: Callable[..., Any]) -> Callable[..., Any]:
    """``handler`` as one function for the life of the component, calling the newest render's
    ``handler``: a new function at every render makes reacton run again the component it is
    given to (a button, a select) and update its widget, though nothing it shows changed."""
    newest = solara.use_ref(handler)
    newest.current = handler
    return solara.use_memo(
        # not ``lambda: newest.current``: that is the first render's handler, kept for good
        lambda: lambda *args, **kwargs: newest.current(*args, **kwargs),  # noqa: PLW0108
        dependencies=[],
    )


threading.Thread(target=_clock, daemon=True, name="seminar-clock").start()
