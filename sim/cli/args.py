"""Argument types of the command line: every number bounded, so that a typo or a fuzzer's
``--reps 10000000000`` is refused at once (exit 2, the flag named) instead of running for days
or running out of memory.

Each bound is a limit of what one command on one machine can sensibly do, not of the model:
``MAX_REPS`` replications of a 16-year run take about three minutes at 14 ms a run.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

from ..runs.pool import MAX_WORKERS

MAX_REPS = 10_000
MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers in Parquet tables
# the first port a server of natosim may listen on: the ports below are the system's (ssh, http,
# ...), refused even for root (a decision: a seminar never needs one, and a typo must not take
# one over); 0 asks for any free port
FIRST_PORT = 1024
LAST_PORT = 65535
MAX_HOST = 253  # the longest domain name

# what a number on the command line may look like: ASCII digits, a sign, a point, an exponent
# (Python's int() and float() also take 1_000 and other scripts' digits, ١ for 1)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _integer(text: str) -> int:
    text = text.strip()
    if not _INTEGER.fullmatch(text) or len(text) > 30:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text[:30]!r}")
    return int(text)


def _grouped(value: int) -> str:
    """``value`` with thousands separators from five digits on: 10,000 but 2024 (a year)."""
    return f"{value:,}" if abs(value) >= 10_000 else str(value)


def count(high: int, low: int = 1) -> Callable[[str], int]:
    """An integer in [low, high]."""

    def parse(text: str) -> int:
        # a whole number of more than 30 digits is out of range, not "not an integer" (found by
        # fuzzing: --seed 10**40 said "expected an integer, got '1000...'")
        long = _INTEGER.fullmatch(text.strip()) is not None and len(text.strip()) > 30
        value = low - 1 if long else _integer(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected an integer from {_grouped(low)} to {_grouped(high)}"
            )
        return value

    parse.__name__ = "integer"  # argparse names the type in its messages
    return parse


def number(low: float, high: float, low_open: bool = False) -> Callable[[str], float]:
    """A finite number in [low, high] (or (low, high] with ``low_open``)."""

    def parse(text: str) -> float:
        if not _NUMBER.fullmatch(text.strip()) or len(text) > 400:
            raise argparse.ArgumentTypeError(f"expected a number, got {text[:30]!r}")
        value = float(text)
        ok = (low < value if low_open else low <= value) and value <= high
        if not ok:  # NaN fails both comparisons
            bracket = "(" if low_open else "["
            raise argparse.ArgumentTypeError(f"expected a number in {bracket}{low:g}, {high:g}]")
        return value

    parse.__name__ = "number"
    return parse


def port(text: str) -> int:
    """0 (any free port) or a port from :data:`FIRST_PORT` to 65535."""
    value = _integer(text)
    if value != 0 and not FIRST_PORT <= value <= LAST_PORT:
        raise argparse.ArgumentTypeError(
            f"expected 0 (any free port) or a port from {FIRST_PORT} to {LAST_PORT} "
            f"(ports below {FIRST_PORT} are the system's, refused even for root)"
        )
    return value


port.__name__ = "port"


def host(text: str) -> str:
    """An address to listen on, as written (a name or a number; an IPv6 address with or without
    its brackets): no control character, no space, not empty, not longer than a domain name. Its
    resolution is checked when the command starts (:func:`sim.ui.server.listen`)."""
    if re.search(r"[\x00-\x20\x7f-\x9f]", text):
        shown = re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: repr(m.group())[1:-1], text[:40])
        raise argparse.ArgumentTypeError(
            f"expected an address without spaces or control characters, got '{shown}'"
        )
    if text.startswith("[") and text.endswith("]"):  # [::1], as in a link
        text = text[1:-1]
    if not text:
        raise argparse.ArgumentTypeError("expected an address (this is empty)")
    if len(text) > MAX_HOST:
        raise argparse.ArgumentTypeError(f"expected an address of at most {MAX_HOST} characters")
    return text


host.__name__ = "host"

PORT_HELP = (
    f"port (default 0: a free one; else {FIRST_PORT}-{LAST_PORT}: the ports below are the "
    "system's and are refused, even for root)"
)

positive = count(MAX_REPS)
seed = count(MAX_SEED, 0)
workers = count(MAX_WORKERS)


# --workers: one default per kind of job, said with its reason (the results never depend on it)
WORKERS_HELP = (
    "worker processes (default 1: a small job finishes sooner in this process than a pool "
    "of processes starts; results do not depend on it)"
)
SWEEP_WORKERS_HELP = (
    "local workers, this process included (default: all cores, as a sweep is thousands of runs; "
    "results do not depend on it)"
)
