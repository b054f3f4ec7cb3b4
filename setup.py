"""Build hook (the project's metadata is in pyproject.toml): record the commit a wheel is built
from in ``sim/_build_commit.txt``, so that manifests written by an installed natosim name the
code that wrote them (``sim.runs.provenance.git_commit``). ``NATOSIM_COMMIT`` overrides it (a build
from an exported tree that is not a git checkout)."""

import os
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCommit(build_py):
    def run(self):
        super().run()
        commit = os.environ.get("NATOSIM_COMMIT", "")
        if not commit:
            try:
                commit = subprocess.run(
                    ["git", "rev-parse", "HEAD"],
                    cwd=Path(__file__).resolve().parent,
                    capture_output=True,
                    text=True,
                    timeout=5,
                    check=True,
                ).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                commit = "unknown"
        target = Path(self.build_lib) / "sim" / "_build_commit.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(commit + "\n")


setup(cmdclass={"build_py": BuildPyWithCommit})
