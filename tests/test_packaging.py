"""The package outside the repository: the built wheel, installed into a fresh virtual
environment, works from an unrelated folder (shipped scenarios and sweep files are package data);
a core install (no extras) has no Solara, Dask or scikit-learn and still runs, compares, sweeps
and reports, and a command whose extra is missing says which to install; the lock of exact
versions covers what pyproject.toml asks for; a script that calls ``sim.sweep()`` without a
``__main__`` guard gets a message saying what to do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from .conftest import ROOT


def _sh(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    """The natosim wheel built from a copy of the sources (not a checkout), and the build's log."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    for name in ("sim", "scenarios", "sweeps"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "NATOSIM_COMMIT": "0123abcd-test-build"}  # src is not a checkout
    wheel_cmd = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation"]
    built = subprocess.run(
        [*wheel_cmd, "-w", str(tmp / "dist"), str(src)],
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return next((tmp / "dist").glob("natosim-*.whl")), built.stdout + built.stderr


def _fresh_venv(tmp: Path, wheel: Path, deps: Path) -> Path:
    """A venv in ``tmp`` holding only ``wheel``, with the packages in the folder ``deps`` on its
    path (a .pth line)."""
    venv = tmp / "venv"
    made = _sh([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    assert made.returncode == 0, made.stderr
    py = venv / "bin" / "python"
    site = Path(
        _sh(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp
        ).stdout.strip()
    )
    (site / "deps.pth").write_text(str(deps) + "\n")
    done = _sh(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(py),
            "install",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        cwd=tmp,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (tmp / "elsewhere").mkdir()
    return venv


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv holding only the natosim wheel; its dependencies come from this venv's
    site-packages through a .pth line (no download, and not this checkout's editable install,
    whose finder is not loaded from a path added that way)."""
    tmp = tmp_path_factory.mktemp("full")
    return _fresh_venv(tmp, wheel[0], Path(sysconfig.get_paths()["purelib"]))


def _requires(wheel: Path) -> list[Requirement]:
    """The wheel's Requires-Dist: what pip installs with it."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(name).decode()
    return [
        Requirement(line.split(":", 1)[1].strip())
        for line in text.splitlines()
        if line.startswith("Requires-Dist:")
    ]


def _closure(roots: list[Requirement], extras: set[str]) -> dict[str, metadata.Distribution]:
    """The distributions (of this venv) that pip installs for ``roots`` with ``extras`` of
    natosim: each requirement's markers evaluated as pip would, recursively."""
    found: dict[str, metadata.Distribution] = {}
    todo = [
        (r, e)
        for r in roots
        for e in ({""} | extras)
        if not r.marker or r.marker.evaluate({"extra": e})
    ]
    while todo:
        req, _ = todo.pop()
        key = req.name.lower().replace("_", "-")
        dist = metadata.distribution(req.name)
        asked = set(req.extras)
        if key in found and not asked:
            continue
        found[key] = dist
        for sub in map(Requirement, dist.requires or []):
            if not sub.marker or any(sub.marker.evaluate({"extra": e}) for e in {""} | asked):
                todo.append((sub, ""))
    return found


@pytest.fixture(scope="module")
def core(wheel, tmp_path_factory) -> Path:
    """A fresh venv with natosim's core install: the wheel and exactly the distributions pip
    installs for its requirements without extras, linked from this venv's site-packages (no
    download); ``pip check`` confirms nothing they need is missing."""
    tmp = tmp_path_factory.mktemp("core")
    deps = tmp / "core-site"
    deps.mkdir()
    purelib = Path(sysconfig.get_paths()["purelib"])
    for dist in _closure(_requires(wheel[0]), set()).values():
        for f in dist.files or []:
            top = f.parts[0]
            if top in ("..", "__pycache__") or top.endswith(".pth") or (deps / top).exists():
                continue
            if (purelib / top).exists():
                (deps / top).symlink_to(purelib / top)
    venv = _fresh_venv(tmp, wheel[0], deps)
    checked = _sh(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "check"], tmp
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return venv


def test_a_core_install_runs_compares_sweeps_and_reports(core):
    """Done means (issue 30): no Solara, Dask or scikit-learn in a core install; run, compare,
    sweep and report work; a command whose extra is missing names it (exit 2)."""
    work = core.parent / "elsewhere"
    natosim, py = str(core / "bin" / "natosim"), str(core / "bin" / "python")
    for module in ("solara", "distributed", "dask", "sklearn", "ema_workbench", "ipyvuetify"):
        probe = _sh([py, "-c", f"import {module}"], work)
        assert probe.returncode != 0, f"{module} is importable in a core install"
    for args in (
        ["run", "baseline", "--reps", "2", "--out", "r1", "--no-report"],
        ["report", "r1"],
        ["compare", "baseline", "cajole", "--reps", "2", "--out", "c1"],
        [
            "sweep",
            "baseline",
            "--param",
            "united_states.threat_intensity=0:1",
            "--samples",
            "2",
            "--workers",
            "1",
            "--out",
            "s1",
            "--quiet",
        ],
    ):
        done = _sh([natosim, *args], work)
        assert done.returncode == 0, (args, done.stdout[-500:], done.stderr[-1500:])
    assert (work / "r1" / "report.html").exists() and (work / "c1" / "report.html").exists()
    for args, extra in (
        (["ui"], "ui"),
        (["seminar", "baseline"], "ui"),
        (["discover", "s1", "--outcome", "verdict == 'deterrence_failed'"], "ema"),
        (["sweep", "baseline", "--samples", "2", "--scheduler", "tcp://127.0.0.1:8786"], "dask"),
    ):
        done = _sh([natosim, *args], work)
        assert done.returncode == 2, (args, done.stdout[-500:], done.stderr[-1500:])
        said = done.stderr.strip()
        assert f"needs the '{extra}' extra" in said and f"pip install 'natosim[{extra}]'" in said
        assert "Traceback" not in said and len(said.splitlines()) == 1, said
    ema = _sh([py, "-c", "import sim.analysis.ema; sim.analysis.ema.ema_model('baseline')"], work)
    assert "pip install 'natosim[ema]'" in ema.stderr and "MissingExtraError" in ema.stderr


def test_the_build_says_nothing_about_ignored_packages(wheel):
    """Every folder the wheel carries is a listed package: setuptools warns of none it would
    ignore (the scenarios' subfolders were)."""
    log = wheel[1]
    assert "would be ignored" not in log and "SetuptoolsDeprecationWarning" not in log, log[-3000:]


def test_the_lock_pins_what_pyproject_asks_for():
    """constraints/py311.txt (the exact versions the suite passed with) names a version of
    every requirement of every extra but JupyterLab, and of every package a manifest records
    (sim/runs/provenance.py), each version allowed by pyproject.toml; `make` installs with it."""
    from sim.runs.provenance import PACKAGES

    def norm(name: str) -> str:
        return name.lower().replace("_", "-").replace(".", "-")

    pins = {}
    for line in (ROOT / "constraints" / "py311.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[norm(name)] = version.strip()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    for extra, reqs in project["optional-dependencies"].items():
        wanted += [Requirement(r) for r in reqs if extra != "notebook" or "jupyterlab" not in r]
    env = {"python_version": "3.11", "python_full_version": "3.11.0"}
    for req in wanted:
        if req.name == "natosim" or (req.marker and not req.marker.evaluate(env)):
            continue
        assert norm(req.name) in pins, f"{req.name} has no version in the lock"
        assert req.specifier.contains(pins[norm(req.name)], prereleases=True), (
            req,
            pins[norm(req.name)],
        )
    assert {norm(p) for p in PACKAGES} <= set(pins)
    assert "natosim" not in pins


def test_the_wheel_works_from_any_folder(installed):
    """A full install (every extra): every command, and the app's module."""
    work = installed.parent / "elsewhere"
    natosim = str(installed / "bin" / "natosim")
    py = str(installed / "bin" / "python")
    where = _sh([py, "-c", "import sim; print(sim.__file__)"], work)
    assert str(installed) in where.stdout, where.stdout + where.stderr
    listed = _sh([natosim, "list"], work)
    assert listed.returncode == 0, listed.stderr
    assert "baseline" in listed.stdout and "theses/reckoning" in listed.stdout
    for args in (
        ["run", "baseline", "--reps", "2", "--out", "r1"],
        ["compare", "baseline", "cajole", "--reps", "2", "--out", "c1", "--no-report"],
        [
            "sweep",
            "baseline",
            "--param",
            "united_states.threat_intensity=0:1",
            "--samples",
            "2",
            "--workers",
            "1",
            "--out",
            "s1",
            "--quiet",
        ],
        ["sweep", "measurement_list", "--reps", "1", "--workers", "1", "--out", "s2", "--quiet"],
        [
            "debate",
            "--reps",
            "1",
            "--worlds",
            "war",
            "--policies",
            "cajole",
            "--theses",
            "reckoning",
            "--out",
            "d1",
        ],
    ):
        done = _sh([natosim, *args], work)
        assert done.returncode == 0, (args, done.stdout[-500:], done.stderr[-1500:])
    assert (work / "r1" / "report.html").exists()
    manifest = json.loads((work / "r1" / "manifest.json").read_text())
    assert manifest["git_commit"] == "0123abcd-test-build"  # recorded when the wheel was built
    # a user's own file extends a shipped scenario by name
    (work / "mine.toml").write_text('extends = "baseline"\nname = "mine"\n')
    assert _sh([natosim, "validate", "mine.toml"], work).returncode == 0
    app = _sh([py, "-c", "import sim.ui.app as a; print(len(a.SCENARIOS))"], work)
    assert app.returncode == 0 and int(app.stdout.strip()) >= 10, app.stderr[-1500:]


def test_every_package_is_listed_for_the_wheel():
    """pyproject.toml lists the packages by hand (two are folders outside sim/): a new
    subpackage must be added there, or the wheel ships without it."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "sim").rglob("__init__.py")
    }
    assert found <= listed, sorted(found - listed)


def test_a_script_without_a_main_guard_is_told_what_to_do(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import sim\n"
        "sim.sweep('baseline', {'united_states.threat_intensity': (0.0, 1.0)}, samples=4,"
        " out='sw', workers=2, progress=False)\n"
    )
    done = _sh([sys.executable, str(script)], tmp_path, timeout=180)
    assert done.returncode != 0
    assert 'if __name__ == "__main__":' in done.stderr
    assert "workers=1" in done.stderr
