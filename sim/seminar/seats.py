"""Who holds a seat (:class:`Participant`) and the door to the seats: join attempts with a wrong
code limited per client and in total (:class:`JoinGate`)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from .errors import SeminarError


@dataclass
class Participant:
    token: str
    name: str
    role: str
    client: str = ""
    joined: float = field(default_factory=time.time)


class JoinGate:
    """Join attempts with a wrong code, limited per client and in total.

    A client (a browser, known by the address it connects from) gets ``free`` wrong codes; after
    that each further attempt must wait twice as long as the last (1, 2, 4, ... s, at most
    ``max_wait``), and a refused attempt made too early counts too. In total, more than
    ``total_per_minute`` wrong codes in a minute close the door to every new join for the rest
    of that minute (seated students are unaffected). With a six-digit code that is at most
    ~43,000 guesses a day for the whole world: on average 11 days to find it.
    """

    def __init__(self, free: int = 5, max_wait: float = 300.0, total_per_minute: int = 30):
        self.free, self.max_wait, self.total_per_minute = free, max_wait, total_per_minute
        self.failures: dict[str, int] = {}
        self.next_try: dict[str, float] = {}
        self.recent: list[float] = []

    def check(self, client: str, now: float) -> None:
        self.recent = [t for t in self.recent if now - t < 60.0]
        if len(self.recent) >= self.total_per_minute:
            raise SeminarError("too many wrong join codes just now: ask your instructor")
        wait = self.next_try.get(client, 0.0) - now
        if wait > 0:
            raise SeminarError(f"too many wrong join codes: try again in {math.ceil(wait)} s")

    def failed(self, client: str, now: float) -> None:
        self.recent.append(now)
        n = self.failures.get(client, 0) + 1
        self.failures[client] = n
        if n >= self.free:
            self.next_try[client] = now + min(self.max_wait, 2.0 ** (n - self.free))
        if len(self.failures) > 10_000:  # a flood of made-up clients: forget the oldest
            for key in list(self.failures)[:5_000]:
                self.failures.pop(key, None)
                self.next_try.pop(key, None)

    def succeeded(self, client: str) -> None:
        self.failures.pop(client, None)
        self.next_try.pop(client, None)
