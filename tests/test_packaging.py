"""The package outside the repository: the built wheel, installed into a fresh virtual
environment, works from an unrelated folder (shipped scenarios and sweep files are package data);
a script that calls ``sim.sweep()`` without a ``__main__`` guard gets a message saying what to
do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import ROOT


def _sh(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding only the natosim wheel; its dependencies come from this venv's
    site-packages through a .pth line (no download, and not this checkout's editable install,
    whose finder is not loaded from a path added that way)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    for name in ("sim", "scenarios", "sweeps"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "NATOSIM_COMMIT": "0123abcd-test-build"}  # src is not a checkout
    wheel_cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
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
    wheel = next((tmp / "dist").glob("natosim-*.whl"))
    venv = tmp / "venv"
    made = _sh([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    assert made.returncode == 0, made.stderr
    py = venv / "bin" / "python"
    site = Path(
        _sh(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp
        ).stdout.strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
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
    work = tmp / "elsewhere"
    work.mkdir()
    return venv


def test_the_wheel_works_from_any_folder(installed):
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
