"""The class ``natosim seminar --resume`` played back to check it, handed to the server it runs in
the same process (:func:`sim.seminar.server.serve_resumed`), so :mod:`.live` serves it instead of
playing the saved class back a second time."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .session import ClassSession

SESSION: ClassSession | None = None
