"""Remake the report screenshots in docs/ (run, compare and debate reports at 1280 pixels wide):
``.venv/bin/python docs/screenshots.py``; the seminar's instructor and student views with
``--seminar``. Needs Debian's chromium (Playwright drives it)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from sim.cli.commands import main

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


if __name__ == "__main__" and "--seminar" not in sys.argv:
    shoot()


def shoot_seminar() -> None:
    """The instructor's and a student's view of a seminar after two years, at 1280x720."""
    import time  # noqa: PLC0415

    from sim.seminar.launch import launch  # noqa: PLC0415
    from sim.ui.server import free_port  # noqa: PLC0415

    browser_path = shutil.which("chromium") or sys.exit("needs Debian's chromium")
    with tempfile.TemporaryDirectory() as tmp:
        server = launch("ceasefire", free_port(), tmp)
        join, teacher = server.join, server.instructor
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
                t = browser.new_page(viewport={"width": 1280, "height": 720})
                t.goto(teacher)
                t.wait_for_selector("text=Instructor", timeout=120_000)
                students = []
                for name, role in (("Ada", "EST:"), ("Cy", "USA:")):
                    s = browser.new_page(viewport={"width": 1280, "height": 720})
                    s.goto(join)
                    s.wait_for_selector("text=Join the seminar", timeout=120_000)
                    s.get_by_label("Your name").fill(name)
                    s.locator(f".role-{role.rstrip(':')}").click()  # the role buttons
                    s.locator(".join").click()
                    s.wait_for_selector("text=you are", timeout=60_000)
                    students.append(s)
                for year in (2026, 2027):
                    for s in students:
                        s.locator(".submit").click()
                    time.sleep(1)
                    t.locator(".advance").click()
                    t.wait_for_selector(f"text=Year {year}", timeout=60_000)
                students[0].locator(".submit").click()
                time.sleep(2)
                t.screenshot(path=str(DOCS / "seminar_instructor.png"))
                students[0].screenshot(path=str(DOCS / "seminar_student.png"))
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__" and "--seminar" in sys.argv:
    shoot_seminar()
