"""What ``natosim ui`` tells the app at start-up (through the environment of the Solara process,
which the app cannot otherwise be given): the export root, whether export is allowed, and the
join token required on any address other than 127.0.0.1.

The browser never names a path: an export goes to ``<export root>/<label>/<timestamp>``, where the
label is reduced to letters, digits, '_' and '-' (:func:`safe_label`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

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


def safe_label(text: str) -> str:
    """A folder name made from what a browser typed: letters, digits, '_' and '-', at most 40
    characters, never empty (``"seminar"``). ``../../etc`` becomes ``etc``."""
    cleaned = re.sub(r"[^A-Za-z0-9_\-]+", "-", text or "").strip("-")[:40]
    return cleaned or "seminar"
