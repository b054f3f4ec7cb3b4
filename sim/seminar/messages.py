"""Messages between seats: negotiation between players, as in ICONS-style negotiation
simulations and NetLogo HubNet, inside the fog of war.

Who may write to whom (:func:`may_send`) and who reads what (:func:`can_read`) are rules of
the seminar, not of the model: they decide nothing in the run, they let the students bargain.

* An ally writes to another ally, to the United States, to all allies (a European caucus, the
  US not included) or to the alliance (the US and all allies). The US writes to an ally or to all
  allies (the alliance would reach the same seats).
* Russia writes only public statements, addressed to everyone (every seat and the instructor
  read them), and nobody but the instructor writes to Russia. Russia is the adversary outside the
  alliance: in the seminar it signals in public (an ultimatum, a denial, a threat), as it does in
  the world, and the fog of war holds, because no private channel carries allied traffic to its
  seat (nor an offer from one ally to Russia behind the others' backs, which the model has no way
  to play).
* The instructor reads every message and may write to anyone (a seat, a group, everyone).
* A seat reads what it sent, what was sent to it, to a group it belongs to and to everyone. A
  seat's messages belong to the role, not the student: a student moved to another role reads that
  role's traffic, and a student who takes a released seat reads what was sent to it before.

Checks (:func:`clean_text`, :class:`MessageLog`): a message is text of at most
:data:`TEXT_LIMIT` characters after control and format characters are taken out (line breaks and
tabs become spaces), not empty; a seat sends at most :data:`RATE` messages in
:data:`RATE_SECONDS` seconds; the log keeps at most :data:`LOG_LIMIT` messages in memory and
refuses more (the log is the class's record for the after-action report: it is not trimmed).
The session calls all of this under its lock.
"""

from __future__ import annotations

import time
import unicodedata
from collections import deque
from dataclasses import asdict, dataclass
from html import escape
from typing import Any

from .errors import SeminarError

US, RUSSIA = "USA", "RUS"
INSTRUCTOR = "instructor"
ALLIES, ALLIANCE, EVERYONE = "allies", "alliance", "everyone"
GROUPS = {
    ALLIES: "all allies",
    ALLIANCE: "the US and all allies",
    EVERYONE: "everyone (a public statement)",
}
TEXT_LIMIT = 500  # characters
RATE, RATE_SECONDS = 3, 10.0  # at most RATE messages from one seat in RATE_SECONDS
LOG_LIMIT = 5_000  # messages kept: about 2.5 MB at the longest


@dataclass(frozen=True)
class Message:
    """One message: the year on the pages when it was sent, its sender (a role or the
    instructor) and the sender's name, its address (a role or a group) and its text."""

    year: int
    sender: str
    player: str
    to: str
    text: str
    at: float


def _ally(role: str) -> bool:
    return role not in (US, RUSSIA, INSTRUCTOR)


def reaches(to: str, role: str) -> bool:
    """Whether a message addressed ``to`` (a role or a group) is delivered to ``role``."""
    if to == EVERYONE:
        return True
    if to == ALLIANCE:
        return role == US or _ally(role)
    if to == ALLIES:
        return _ally(role)
    return to == role


def may_send(sender: str, to: str, roles: list[str] | set[str]) -> bool:
    """The rule of who may write to whom (``roles``: the roles of this run). The instructor: to
    anyone. Russia: a public statement to everyone, nothing else. The US: an ally or all allies
    (the alliance would reach the same seats). An ally: another ally, the US, all allies or the
    alliance. Nobody writes to itself; only the instructor writes to Russia; only Russia and
    the instructor to everyone."""
    if to != EVERYONE and to not in GROUPS and to not in roles:
        return False
    if sender == INSTRUCTOR:
        return True
    if sender == RUSSIA:
        return to == EVERYONE
    if to in (EVERYONE, RUSSIA, sender):
        return False
    if sender == US:
        return to == ALLIES or (to not in GROUPS and _ally(to))
    return _ally(sender)


def can_read(viewer: str, message: Message) -> bool:
    """Who reads a message: the instructor reads all; a seat reads what its role sent and what
    reaches its role (sent to it, to a group it belongs to, to everyone). Russia thus reads its
    own statements, everyone's and the instructor's to it, never the allies' or the US's."""
    return viewer in (INSTRUCTOR, message.sender) or reaches(message.to, viewer)


def addresses(sender: str, roles: list[str]) -> list[str]:
    """The addresses ``sender`` may use, groups first then seats in the order of ``roles``."""
    return [a for a in (*GROUPS, *roles) if may_send(sender, a, roles)]


def clean_text(value: Any) -> str:
    """A message's text as a page sent it, checked: text, control and format characters taken
    out (line breaks and tabs become spaces; format characters such as the right-to-left override
    could disguise a message), at most :data:`TEXT_LIMIT` characters, not empty."""
    if not isinstance(value, str):
        raise SeminarError("message: expected text")
    if len(value) > 4 * TEXT_LIMIT:  # refused before any work on it
        raise SeminarError(f"message: at most {TEXT_LIMIT} characters")
    kept = []
    for ch in value:
        kind = unicodedata.category(ch)
        if ch in "\t\n\r\v\f":
            kept.append(" ")
        elif kind not in ("Cc", "Cf", "Cs"):
            kept.append(ch)
    text = "".join(kept).strip()
    if not text:
        raise SeminarError("message: nothing to send")
    if len(text) > TEXT_LIMIT:
        raise SeminarError(f"message: at most {TEXT_LIMIT} characters (this one has {len(text)})")
    return text


class MessageLog:
    """The class's messages in the order sent, with the per-seat rate limit and the cap (not
    thread-safe by itself: the session holds its lock around every call)."""

    def __init__(
        self, limit: int = LOG_LIMIT, rate: int = RATE, rate_seconds: float = RATE_SECONDS
    ) -> None:
        self.limit, self.rate, self.rate_seconds = limit, rate, rate_seconds
        self.messages: list[Message] = []
        self._sent: dict[str, deque[float]] = {}

    def add(self, message: Message, key: str | None, now: float | None = None) -> None:
        """Append ``message``; ``key`` (a seat's token) is rate-limited, ``None`` is not (the
        instructor)."""
        now = time.time() if now is None else now
        if len(self.messages) >= self.limit:
            raise SeminarError(
                f"the class's message log is full ({self.limit} messages): ask your instructor"
            )
        if key is not None:
            sent = self._sent.setdefault(key, deque())
            while sent and now - sent[0] >= self.rate_seconds:
                sent.popleft()
            if len(sent) >= self.rate:
                wait = max(1, round(self.rate_seconds - (now - sent[0]) + 0.5))
                raise SeminarError(
                    f"at most {self.rate} messages in {self.rate_seconds:g} s: "
                    f"wait {wait} s and send again"
                )
            sent.append(now)
            if len(self._sent) > 1_000:  # tokens of seats long gone
                for old in list(self._sent)[:500]:
                    self._sent.pop(old, None)
        self.messages.append(message)

    def visible_to(self, viewer: str) -> list[Message]:
        """The messages ``viewer`` (a role or the instructor) reads, oldest first."""
        return [m for m in self.messages if can_read(viewer, m)]

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(m) for m in self.messages]

    @classmethod
    def from_json(cls, rows: Any, roles: list[str]) -> MessageLog:
        """A saved log, each message checked again as if sent now (a hand-edited file cannot
        pass what a page could not); no rate limit (they were sent over the class)."""
        log = cls()
        if not isinstance(rows, list):
            raise SeminarError("messages: expected a list")
        for row in rows[:LOG_LIMIT]:
            if not isinstance(row, dict):
                raise SeminarError("messages: expected one record per message")
            sender, to = str(row.get("sender", "")), str(row.get("to", ""))
            if not (sender == INSTRUCTOR or sender in roles) or not may_send(sender, to, roles):
                raise SeminarError(f"messages: {sender!r:.20} may not write to {to!r:.20}")
            year, at = row.get("year"), row.get("at", 0.0)
            if isinstance(year, bool) or not isinstance(year, int):
                raise SeminarError("messages: a year must be a whole number")
            if isinstance(at, bool) or not isinstance(at, (int, float)):
                raise SeminarError("messages: a time must be a number")
            player = clean_text(row.get("player") or "?")[:40]
            log.messages.append(
                Message(year, sender, player, to, clean_text(row.get("text")), float(at))
            )
        return log


def label(address: str, names: dict[str, str]) -> str:
    """How an address (or a sender) reads on a page: a group's words, a seat's country."""
    if address in GROUPS:
        return GROUPS[address]
    if address == INSTRUCTOR:
        return "the instructor"
    return f"{names.get(address, address)} ({address})"


def messages_html(messages: list[Message], names: dict[str, str], viewer: str) -> str:
    """Messages grouped by year, oldest first (the newest at the bottom, as a chat): who wrote
    (the student and the country; "you" for ``viewer``'s own), to whom and when (the server's
    clock), the text escaped."""
    if not messages:
        return "<div class='msg-none'>No messages yet.</div>"
    parts = []
    years: dict[int, list[Message]] = {}
    for m in messages:
        years.setdefault(m.year, []).append(m)
    for year, group in sorted(years.items()):
        items = []
        for m in group:
            mine = m.sender == viewer
            if mine:
                who = "you"
            elif m.sender == INSTRUCTOR:
                who = "the instructor"
            else:
                who = f"{m.player} ({names.get(m.sender, m.sender)})"
            clock = time.strftime("%H:%M", time.localtime(m.at))
            items.append(
                f"<li class='msg{' mine' if mine else ''}{' public' if m.to == EVERYONE else ''}'>"
                f"<span class='msg-head'>{escape(who)} to {escape(label(m.to, names))}, "
                f"{clock}</span><br><span class='msg-text'>{escape(m.text)}</span></li>"
            )
        parts.append(
            f"<div class='msg-year' data-year='{year}'><b>Year {year}</b><ul>{''.join(items)}</ul>"
            "</div>"
        )
    return "".join(parts)
