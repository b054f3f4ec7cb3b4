"""Where a results folder came from: the code's commit, every scientific dependency's version and
a checksum of every data file, recorded in each manifest and checked when a folder is read.

numpy's random streams, pandas' and SciPy's numerics and the data files can all change a result;
a folder read under a different combination gets a warning naming what differs (the numbers may
still be right, but a reader should know). The commit comes from git in a checkout; an installed
wheel carries the commit it was built from (``sim/_build_commit.txt``, written by ``setup.py``).
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import warnings
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from ..model.outputs import VERDICT_RULE

PACKAGES = ("mesa", "numpy", "pandas", "pyarrow", "scipy", "SALib", "networkx", "matplotlib")


@lru_cache(maxsize=1)
def git_commit() -> str:
    """The commit of the package source (``-dirty`` if it has changes), the commit an installed
    wheel was built from, or 'unknown'."""
    here = Path(__file__).resolve().parents[1]  # the sim package
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "."],
            cwd=here,
            check=False,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return out + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    built = here / "_build_commit.txt"
    if built.is_file():
        return built.read_text().strip() or "unknown"
    return "unknown"


def versions() -> dict[str, str]:
    """Python's and every scientific dependency's installed version."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@lru_cache(maxsize=1)
def data_checksums() -> dict[str, str]:
    """SHA-256 of every data file the model reads (``sim/data``)."""
    out = {}
    for entry in sorted(resources.files("sim.data").iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".csv", ".md")):
            out[entry.name] = hashlib.sha256(entry.read_bytes()).hexdigest()
    return out


def provenance() -> dict[str, Any]:
    """What a manifest records about the code and data that wrote it, and the version of the
    verdict rule its verdicts follow (:data:`sim.model.outputs.VERDICT_RULE`)."""
    return {
        "git_commit": git_commit(),
        "versions": versions(),
        "data_sha256": data_checksums(),
        "verdict_rule": VERDICT_RULE,
    }


def differences(manifest: dict[str, Any]) -> list[str]:
    """How the code and data reading a folder differ from those that wrote it (empty if they
    do not, or if the folder predates these records)."""
    if not isinstance(manifest, dict):  # not a manifest natosim wrote: nothing to compare
        return []
    versions_then = manifest.get("versions", {})
    recorded = manifest.get("data_sha256", {})
    if not isinstance(versions_then, dict) or not isinstance(recorded, dict):
        return []
    if not versions_then and not recorded and "verdict_rule" not in manifest:
        return []  # a manifest that records none of them (written before these records)
    out = []
    for name, then in versions_then.items():
        now = versions().get(name)
        if now is not None and now != then:
            out.append(f"{name} {then} -> {now}")
    changed = [f for f, h in recorded.items() if data_checksums().get(f) != h]
    if changed:
        out.append("data files changed: " + ", ".join(changed))
    rule = manifest.get("verdict_rule", 1)  # a manifest with versions but no rule: rule 1
    if rule != VERDICT_RULE:
        out.append(
            f"its verdicts follow rule {rule}, this natosim's rule {VERDICT_RULE} (rule 2 tells "
            "'Europe carries' from 'burden shifted': rerun it to compare verdicts)"
        )
    return out


def warn_if_different(manifest: dict[str, Any], folder: str | Path) -> list[str]:
    """Warn (``UserWarning``) when ``folder`` was written by other versions or data."""
    diffs = differences(manifest)
    if diffs:
        warnings.warn(
            f"{folder} was written with other versions or data than this natosim has: "
            + "; ".join(diffs),
            UserWarning,
            stacklevel=2,
        )
    return diffs
