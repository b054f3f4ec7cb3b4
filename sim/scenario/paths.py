"""Where scenario and sweep files are found by name.

In a checkout the shipped files are the repository's ``scenarios/`` and ``sweeps/`` folders; an
installed wheel carries the same files as package data (``sim/_scenarios``, ``sim/_sweeps``, mapped
in ``pyproject.toml``), so ``natosim run baseline`` works from any folder.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

_HERE = Path(__file__).resolve().parents[1]  # the sim package
_REPO = _HERE.parent


def _shipped(folder: str) -> Path:
    """``<repo>/<folder>`` in a checkout, else the copy installed inside the package."""
    in_repo = _REPO / folder
    if in_repo.is_dir() and (_REPO / "pyproject.toml").is_file():
        return in_repo
    return _HERE / f"_{folder}"


PACKAGE_SCENARIOS = _shipped("scenarios")
PACKAGE_SWEEPS = _shipped("sweeps")


def scenario_dirs() -> list[Path]:
    """Where scenario names are looked up: ./scenarios, then the shipped scenarios."""
    dirs = [Path("scenarios"), PACKAGE_SCENARIOS]
    return [d for d in dict.fromkeys(d.resolve() for d in dirs) if d.is_dir()]


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long for the file system, say: not a file that exists
        return False


def shipped_scenario(ref: str) -> Path | None:
    """The file of a scenario name (``baseline``, ``theses/reckoning``), or None."""
    if not ref or len(ref) > 255 or ref.startswith(("/", ".")) or "\\" in ref:
        return None
    name = ref[:-5] if ref.endswith(".toml") else ref
    for d in scenario_dirs():
        if _exists(d / f"{name}.toml"):
            return d / f"{name}.toml"
    return None


def _local(ref: str) -> Path | None:
    """``./NAME.toml`` for a bare ``NAME`` (a file of one's own in the current folder)."""
    if not ref or len(ref) > 250 or ref.endswith(".toml") or "\x00" in ref:
        return None
    local = Path(f"{ref}.toml")
    return local if _exists(local) else None


def resolve_scenario_path(ref: str) -> Path:
    """A path as given; else ``./NAME.toml`` (``natosim compare baseline soft_us`` with
    ``soft_us.toml`` in the current folder); else a scenario name found in
    :func:`scenario_dirs` (``./scenarios``, then the shipped scenarios)."""
    path = Path(ref)
    if _exists(path) or path.suffix == ".toml":
        return path
    return _local(ref) or shipped_scenario(ref) or path


def scenario_names() -> list[str]:
    """Every name :func:`resolve_scenario_path` knows: ``./*.toml`` and the scenario folders'
    files and theses (for "did you mean")."""
    names = {p.stem for p in Path().glob("*.toml")}
    for d in scenario_dirs():
        names |= {p.relative_to(d).with_suffix("").as_posix() for p in d.glob("*.toml")}
        names |= {p.relative_to(d).with_suffix("").as_posix() for p in d.glob("theses/*.toml")}
    return sorted(names)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean X?"`` for the closest of ``candidates`` to a misspelt ``word`` (difflib),
    or ``""`` when none is close."""
    close = difflib.get_close_matches(str(word)[:200], list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def resolve_sweep_path(ref: str) -> Path:
    """A sweep file as given, or the name of a shipped one (``coercion_signs``)."""
    path = Path(ref)
    if _exists(path):
        return path
    local = _local(ref)
    if local is not None:
        return local
    name = ref[:-5] if ref.endswith(".toml") else ref
    if len(name) <= 255 and not name.startswith(("/", ".")):
        for d in (Path("sweeps"), PACKAGE_SWEEPS):
            if _exists(d / f"{name}.toml"):
                return d / f"{name}.toml"
    return path
