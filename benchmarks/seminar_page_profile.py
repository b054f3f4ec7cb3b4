"""What one student's page does when the instructor advances: Chromium's own counters (from the
DevTools protocol's ``Performance.getMetrics``) from Advance until the page has settled, and the
WebSocket messages the page received, per year.

    .venv/bin/python benchmarks/seminar_page_profile.py --years 4 --role EST

Counters: CPU time of the page's main thread in tasks (TaskDuration), in script
(ScriptDuration), in layout (LayoutDuration) and style (RecalcStyleDuration), the number of
layouts and style recalculations, and the DOM nodes afterwards. The load benchmark
(``seminar_load.py``) says how long a class waits; this says where one page's work goes.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from sim.seminar.launch import launch

COUNTERS = (
    "TaskDuration",
    "ScriptDuration",
    "LayoutDuration",
    "RecalcStyleDuration",
    "LayoutCount",
    "RecalcStyleCount",
    "Nodes",
)


def metrics(cdp) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--years", type=int, default=4)
    ap.add_argument("--role", default="EST", help="the role the profiled student takes")
    ap.add_argument("--settle", type=float, default=4.0, help="seconds after Advance to count")
    args = ap.parse_args()
    if args.years < 1 or args.settle <= 0:
        print("--years must be at least 1 and --settle positive", file=sys.stderr)
        sys.exit(2)
    browser_path = shutil.which("chromium") or sys.exit("needs Debian's chromium")
    tmp = Path(tempfile.mkdtemp())
    server = launch("ceasefire", 0, tmp / "exports", cwd=tmp, seconds=3600)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            teacher = browser.new_page(viewport={"width": 1280, "height": 720})
            teacher.goto(server.instructor)
            teacher.wait_for_selector("text=Instructor", timeout=120_000)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(server.join)
            page.wait_for_selector("text=Join the seminar", timeout=120_000)
            page.get_by_label("Your name").fill("Ada")
            page.locator(f".role-{args.role}").click()
            page.wait_for_selector(".briefing", timeout=60_000)
            page.locator(".join").click()
            page.wait_for_selector("text=you are", timeout=60_000)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            cdp.send("Network.enable")
            frames: list[int] = []
            cdp.on(
                "Network.webSocketFrameReceived",
                lambda e: frames.append(len(e["response"]["payloadData"])),
            )
            rows = []
            for k in range(args.years):
                # clicks in script, as the load benchmark's: a mouse left over a button would
                # add hover and mouse-move work to the page being measured
                page.evaluate("document.querySelector('.submit').click()")
                time.sleep(1.5)
                before, n0 = metrics(cdp), len(frames)
                teacher.evaluate("document.querySelector('.advance').click()")
                page.wait_for_selector(f"text=Year {2026 + k}", timeout=60_000)
                time.sleep(args.settle)
                after = metrics(cdp)
                got = frames[n0:]
                row = {c: after[c] - before[c] for c in COUNTERS if c != "Nodes"}
                row["Nodes"] = after["Nodes"]
                row["frames"], row["kB"] = len(got), sum(got) / 1000
                rows.append(row)
                print(
                    f"year {2026 + k}: task {row['TaskDuration'] * 1000:.0f} ms (script "
                    f"{row['ScriptDuration'] * 1000:.0f}, layout {row['LayoutDuration'] * 1000:.0f}"
                    f" x{row['LayoutCount']:.0f}, style {row['RecalcStyleDuration'] * 1000:.0f} "
                    f"x{row['RecalcStyleCount']:.0f}); {row['frames']} messages, "
                    f"{row['kB']:.0f} kB; {row['Nodes']:.0f} DOM nodes",
                    flush=True,
                )
            med = {c: statistics.median(r[c] for r in rows) for c in rows[0]}
            print(
                f"median of {len(rows)} years: task {med['TaskDuration'] * 1000:.0f} ms, script "
                f"{med['ScriptDuration'] * 1000:.0f} ms, layout {med['LayoutDuration'] * 1000:.0f}"
                f" ms, style {med['RecalcStyleDuration'] * 1000:.0f} ms; {med['frames']:.0f} "
                f"messages, {med['kB']:.0f} kB"
            )
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
