"""Screenshots of the seminar for docs/ and its layouts measured: a student's briefing (laptop,
1280 px wide), a seat on a phone (390x844) and the printable after-action report of the export;
prints where the instructor's controls and the year's story sit on a 1280x720 projector.

    .venv/bin/python benchmarks/seminar_screenshots.py

Needs Debian's chromium (Playwright drives it). Writes docs/seminar_briefing.png,
docs/seminar_phone.png and docs/seminar_after_action.png.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from sim.seminar.launch import launch

DOCS = Path(__file__).resolve().parent.parent / "docs"


def join(browser, link: str, name: str, role: str, width: int = 1280, height: int = 720):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(link)
    page.wait_for_selector("text=Join the seminar", timeout=120_000)
    page.get_by_label("Your name").fill(name)
    page.locator(f".role-{role.rstrip(':')}").click()
    page.wait_for_selector(".briefing", timeout=30_000)
    return page


def main() -> None:
    browser_path = shutil.which("chromium") or sys.exit("needs Debian's chromium")
    tmp = Path(tempfile.mkdtemp())
    server = launch("ceasefire", 0, tmp / "exports", cwd=tmp)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            teacher = browser.new_page(viewport={"width": 1280, "height": 720})
            teacher.goto(server.instructor)
            teacher.wait_for_selector("text=Instructor", timeout=120_000)
            # a student's briefing: the join page shows the chosen role's briefing
            ada = join(browser, server.join, "Ada", "EST:")
            ada.wait_for_selector(".briefing", timeout=30_000)
            ada.set_viewport_size({"width": 1280, "height": 1180})
            ada.screenshot(path=str(DOCS / "seminar_briefing.png"))
            ada.set_viewport_size({"width": 1280, "height": 720})
            ada.locator(".join").click()
            ada.wait_for_selector("text=you are Estonia", timeout=60_000)
            phone = join(browser, server.join, "Olu", "POL:", 390, 844)
            phone.locator(".join").click()
            phone.wait_for_selector("text=you are Poland", timeout=60_000)
            bo = join(browser, server.join, "Bo", "RUS:")
            bo.locator(".join").click()
            bo.wait_for_selector("text=you are Russia", timeout=60_000)
            for year in (2026, 2027, 2028):
                ada.locator(".decide-answer button", has_text="hedge").click()
                ada.locator(".submit").click()
                phone.locator(".decide-budget").get_by_text("my agent decides").click()
                phone.locator(".submit").click()
                bo.locator(".submit").click()
                teacher.wait_for_function(
                    "document.querySelectorAll('.roster .seat.decided').length === 3",
                    timeout=60_000,
                )
                teacher.locator(".advance").click()
                phone.wait_for_selector(f"text=Year {year}", timeout=60_000)
            time.sleep(1)
            phone.screenshot(path=str(DOCS / "seminar_phone.png"))
            over = phone.evaluate("document.documentElement.scrollWidth")
            submit = phone.locator(".submit").bounding_box()
            print(f"phone 390 px: page width {over} px; Submit {submit['width']:.0f} px wide")
            for what, sel in (
                ("Advance", ".advance"),
                ("year's story", ".log-year"),
                ("status", ".status"),
            ):
                box = teacher.locator(sel).first.bounding_box()
                print(f"projector 1280x720, instructor: {what} at y = {box['y']:.0f}")
            teacher.locator(".export").click()
            teacher.wait_for_selector("text=Exported to", timeout=120_000)
            report = next((tmp / "exports").rglob("after_action.html"))
            page = browser.new_page(viewport={"width": 1000, "height": 1300})
            page.goto(report.as_uri())
            page.screenshot(path=str(DOCS / "seminar_after_action.png"))
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("wrote docs/seminar_briefing.png, docs/seminar_phone.png, docs/seminar_after_action.png")


if __name__ == "__main__":
    main()
