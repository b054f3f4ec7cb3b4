"""What ``natosim ui`` tells the app at start-up (through the environment of the Solara process,
which the app cannot otherwise be given): the export root, whether export is allowed, and the
join token required on any address other than 127.0.0.1.

The browser never names a path: an export goes to ``<export root>/<label>/<timestamp>``, where the
label is reduced to letters, digits, '_' and '-' (:func:`safe_label`).

Importing it also chooses reacton's renderer for both apps (the seminar and ``natosim ui``, whose
modules import it before any page renders). reacton's default renderer walks a page's whole tree
at every render and updates every widget in it, also those whose element did not change: a
student's Submit re-rendered the instructor's roster block and, with it, updated all ~75 widgets
of the console (``benchmarks/seminar_render_count.py``, 12 students: 73 updates per Submit, 654
per Advance over 13 pages). Its fast renderer (``REACTON_FAST=1``, read when a page's render
context is made) walks only down to the components whose state changed and skips a subtree whose
element is the one it rendered last time (3 updates per Submit, 300 per Advance). Both draw the
same widgets with the same values (reacton's fuzz test compares them; so does
``tests/test_seminar_render.py`` for the seminar's pages). ``REACTON_FAST=0`` in the server's
environment keeps the default; a reacton without the fast renderer ignores the variable. One
choice for both apps and for the test process, so that what the suite tests is what is served.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("REACTON_FAST", "1")

ENV_EXPORT_DIR = "NATOSIM_EXPORT_DIR"
ENV_ALLOW_EXPORT = "NATOSIM_ALLOW_EXPORT"
ENV_TOKEN = "NATOSIM_TOKEN"


@dataclass(frozen=True)
class AppConfig:
    export_root: Path
    allow_export: bool
    token: str  # "" on 127.0.0.1: no token needed


def app_config() -> AppConfig:
    """The configuration the server was started with (defaults for a bare ``solara run``)."""
    return AppConfig(
        export_root=Path(os.environ.get(ENV_EXPORT_DIR, str(Path("results") / "ui"))).resolve(),
        allow_export=os.environ.get(ENV_ALLOW_EXPORT, "1") == "1",
        token=os.environ.get(ENV_TOKEN, ""),
    )


# letters NFKD does not decompose to an ASCII base, written as their usual ASCII spelling
# (``Łódź`` gave ``odz``, ``Straße`` ``Strae``)
_ASCII_SPELLING = str.maketrans(
    {
        "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE",
        "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th",
        "ħ": "h", "Ħ": "H", "ı": "i", "ŀ": "l", "Ŀ": "L", "ŧ": "t", "Ŧ": "T", "ŋ": "ng",
        "Ŋ": "Ng", "ĸ": "k",
    }
)  # fmt: skip


def safe_label(text: str, fallback: str = "seminar") -> str:
    """A folder name made from what a browser typed: letters, digits, '_' and '-', at most 40
    characters; a letter with a combining accent folded to its base letter (``ünïcödé`` gives
    ``unicode``), a Latin letter with no such base written as usual in ASCII (``ł`` ``l``, ``ø``
    ``o``, ``ß`` ``ss``, ``æ`` ``ae``, ``đ`` ``d``), any other (``名``) dropped; never
    empty: ``fallback`` (itself made safe) when nothing is left, whether the text was empty,
    blank or only punctuation. ``../../etc`` becomes ``etc``.

    >>> safe_label("ünïcödé-名前"), safe_label("  ", "baseline"), safe_label("..", "baseline")
    ('unicode', 'baseline', 'baseline')
    >>> safe_label("Łódź Øresund Straße Æsir Đakovo")
    'Lodz-Oresund-Strasse-AEsir-Dakovo'
    """
    folded = (
        unicodedata.normalize("NFKD", (text or "").translate(_ASCII_SPELLING))
        .encode("ascii", "ignore")
        .decode()
    )
    cleaned = re.sub(r"[^A-Za-z0-9_\-]+", "-", folded).strip("-")[:40]
    if cleaned:
        return cleaned
    return safe_label(fallback) if fallback != "seminar" else "seminar"
