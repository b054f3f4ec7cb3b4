"""A class on one machine: N participants' browsers (Playwright pages in Debian's Chromium) and
the instructor on one ``natosim seminar`` server. The instructor advances the year; each page
records (a MutationObserver, in the page) the moment it shows the new year. Prints the latency
from the click to each page's update (median, p95, max) over several years, and the server's
memory (resident set) before and after.

    .venv/bin/python benchmarks/seminar_load.py --participants 30 --years 3

Pages all run on the same two cores as the server, so the figures are an upper bound on what a
classroom of separate laptops would see.
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
from sim.ui.server import free_port

WATCH = """target => {
  window.__seen = null;
  const check = () => {
    if (!window.__seen && document.body.innerText.includes(target)) window.__seen = Date.now();
  };
  new MutationObserver(check).observe(document.body,
    {subtree: true, childList: true, characterData: true});
  check();
}"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=30)
    ap.add_argument("--years", type=int, default=3)
    args = ap.parse_args()
    browser_path = shutil.which("chromium") or sys.exit("needs Debian's chromium")
    tmp = tempfile.mkdtemp()
    server = launch("ceasefire", free_port(), tmp)
    proc, join, teacher_link = server.process, server.join, server.instructor
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            teacher = browser.new_page(viewport={"width": 1280, "height": 720})
            teacher.goto(teacher_link)
            teacher.wait_for_selector("text=Instructor", timeout=120_000)
            print(f"server before the class: {rss_mb(proc.pid):.0f} MB")
            t_join = time.time()
            pages = []
            for _ in range(args.participants):
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.goto(join)
                pages.append(page)
            for page in pages:
                page.wait_for_selector("text=Year 2025", timeout=300_000)
            print(
                f"{args.participants} participants connected in {time.time() - t_join:.1f} s; "
                f"server {rss_mb(proc.pid):.0f} MB"
            )
            latencies = []
            for k in range(args.years):
                year = 2026 + k
                for page in pages:
                    page.evaluate(WATCH, f"Year {year}")
                t0 = teacher.evaluate("Date.now()")
                teacher.locator(".advance").click()
                for page in pages:
                    page.wait_for_function("window.__seen !== null", timeout=120_000)
                seen = [page.evaluate("window.__seen") - t0 for page in pages]
                latencies += seen
                print(
                    f"year {year}: every view updated within {max(seen) / 1000:.2f} s "
                    f"(median {statistics.median(seen) / 1000:.2f} s)"
                )
            latencies.sort()
            p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
            print(
                f"advance -> view shows the new year, {len(latencies)} views: median "
                f"{statistics.median(latencies) / 1000:.2f} s, p95 {p95 / 1000:.2f} s, "
                f"max {latencies[-1] / 1000:.2f} s"
            )
            print(f"server with the class connected: {rss_mb(proc.pid):.0f} MB")
            for page in pages:
                page.close()
            time.sleep(5)
            print(f"server 5 s after every participant left: {rss_mb(proc.pid):.0f} MB")
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
