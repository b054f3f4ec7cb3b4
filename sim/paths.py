"""Where scenario files are found by name."""

from __future__ import annotations

from pathlib import Path

PACKAGE_SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def scenario_dirs() -> list[Path]:
    """Where scenario names are looked up: ./scenarios, then the project's own folder."""
    dirs = [Path("scenarios"), PACKAGE_SCENARIOS]
    return [d for d in dict.fromkeys(d.resolve() for d in dirs) if d.is_dir()]


def resolve_scenario_path(ref: str) -> Path:
    """A path as given, or a scenario name found in :func:`scenario_dirs`."""
    path = Path(ref)
    if path.exists() or path.suffix == ".toml":
        return path
    for d in scenario_dirs():  # a name, or a name in a subfolder ("theses/reckoning")
        if (d / f"{ref}.toml").exists():
            return d / f"{ref}.toml"
    return path
