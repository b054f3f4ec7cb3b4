"""Remake the report screenshots in docs/ (run, compare and debate reports at 1280 pixels wide):
``.venv/bin/python docs/screenshots.py``. Needs Debian's chromium (Playwright drives it)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from sim.cli import main

DOCS = Path(__file__).resolve().parent
JOBS = {
    "report_run.png": ["run", "baltic_probe", "--reps", "30", "--seed", "4"],
    "report_compare.png": ["compare", "baseline", "ceasefire", "--reps", "30", "--seed", "4"],
    "report_debate.png": ["debate", "--reps", "30", "--seed", "1", "--workers", "2"],
}


def shoot() -> None:
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser_path is None:
        sys.exit("needs Debian's chromium")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        for name, args in JOBS.items():
            out = Path(tmp) / name.removesuffix(".png")
            if main([*args, "--out", str(out)]) != 0:
                sys.exit(f"natosim {' '.join(args)} failed")
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.goto((out / "report.html").as_uri())
            page.screenshot(path=str(DOCS / name))
            page.close()
        browser.close()


if __name__ == "__main__":
    shoot()
