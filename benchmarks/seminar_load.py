"""A class on one machine, doing what a class does: N students (Playwright pages in Debian's
Chromium) each take a seat on one ``natosim seminar`` server; every year half of them change a
decision during the year, then all N press Submit within the last second before the instructor
advances (the normal end of a countdown). Measured every year, on every page:

* last Submit -> the instructor's roster shows every seat decided (a MutationObserver in the
  instructor's page);
* Advance -> each page shows the new year's charts and map (every drawing's ``data-year``, seen
  by a MutationObserver in each page);
* pages still showing an old chart 30 s after Advance, or a traceback, counted;

and once: where the instructor's Advance and the year's story sit on a 1280x720 projector with N
seats, the server's memory, and the machine's load (``os.getloadavg``) before and after.

    .venv/bin/python benchmarks/seminar_load.py --participants 30 --years 5

Every page runs on the same two cores as the server, so the figures are an upper bound on what a
classroom of separate laptops would see. Figures, not a timed test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from sim.seminar.launch import launch
from sim.ui.server import free_port

ROLES = [
    "USA", "RUS", "ALB", "BEL", "BGR", "CAN", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA",
    "GBR", "GRC", "HRV", "HUN", "ITA", "LTU", "LUX", "LVA", "MKD", "MNE", "NLD", "NOR", "POL",
    "PRT", "ROU", "SVK", "SVN", "SWE", "TUR",
]  # fmt: skip

WATCH_YEAR = """target => {
  window.__seen = null;
  const check = () => {
    if (window.__seen) return;
    const d = [...document.querySelectorAll('.chart-grid svg, .map svg')]
      .map(s => s.getAttribute('data-year'));
    // 3 shared charts and the map; Russia's and the instructor's pages one chart more
    if (d.length >= 4 && d.every(y => y === String(target))) window.__seen = Date.now();
  };
  if (window.__obsYear) window.__obsYear.disconnect();  // last year's would still see the old year
  window.__obsYear = new MutationObserver(check);
  window.__obsYear.observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
  check();
}"""

WATCH_ROSTER = """n => {
  window.__all = null;
  const check = () => {
    if (!window.__all && document.querySelectorAll('.roster .seat.decided').length >= n)
      window.__all = Date.now();
  };
  if (window.__obsRoster) window.__obsRoster.disconnect();  // last year's would fire too
  window.__obsRoster = new MutationObserver(check);
  window.__obsRoster.observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
  check();
}"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """A process's CPU time so far (user + system), 0 if it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _kind(pid: int) -> str:
    """Which part of the browsers a process is: Playwright's driver, Chromium's page renderers
    or the rest of Chromium (browser, GPU, network, ...)."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return "chromium"
    if b"--type=renderer" in cmd:
        return "renderers"
    return "chromium" if b"chromium" in cmd or b"chrome" in cmd else "driver"


def browsers_cpu_s(server_pid: int) -> dict[str, float]:
    """CPU time of every process under this one (Playwright's driver and the Chromium pages),
    the server excepted, by kind (see ``_kind``) and in all ("all")."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, ppid = int(stat.parent.name), int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(pid)
    out = {"all": 0.0, "renderers": 0.0, "chromium": 0.0, "driver": 0.0}
    todo = list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        if pid != server_pid:
            used = cpu_s(pid)
            out["all"] += used
            out[_kind(pid)] += used
            todo += children.get(pid, [])
    return out


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def join(browser, link: str, name: str, role: str):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(link)
    page.wait_for_selector("text=Join the seminar", timeout=300_000)
    page.get_by_label("Your name").fill(name)
    page.locator(f".role-{role}").click()
    page.wait_for_selector(".briefing", timeout=120_000)
    for _ in range(3):  # as a student would: press Join again if nothing happened
        page.locator(".join").click()
        try:
            page.wait_for_selector("text=you are", timeout=40_000)
            return page
        except Exception:
            print(f"{name}: no seat after Join ({page.locator('.v-alert').all_inner_texts()})")
    raise RuntimeError(f"{name} could not join")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=30)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument(
        "--py-spy",
        metavar="FILE",
        help="sample the server with py-spy (collapsed stacks, all threads) during the years",
    )
    args = ap.parse_args()
    n = min(args.participants, len(ROLES))
    if args.py_spy and not shutil.which("py-spy"):
        sys.exit("--py-spy needs py-spy on the PATH (pip install py-spy)")
    browser_path = shutil.which("chromium") or sys.exit("needs Debian's chromium")
    tmp = Path(tempfile.mkdtemp())
    print(f"machine load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    server = launch("ceasefire", free_port(), tmp / "exports", cwd=tmp, seconds=3600)
    proc = server.process
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            teacher = browser.new_page(viewport={"width": 1280, "height": 720})
            teacher.goto(server.instructor)
            teacher.wait_for_selector("text=Instructor", timeout=120_000)
            print(f"server before the class: {rss_mb(proc.pid):.0f} MB")
            t_join = time.time()
            pages = [join(browser, server.join, f"S{k:02d}", ROLES[k]) for k in range(n)]
            print(
                f"{n} students seated in {time.time() - t_join:.0f} s; "
                f"server {rss_mb(proc.pid):.0f} MB"
            )
            for what, sel in (("Advance", ".advance"), ("the year's story", ".log-year")):
                box = teacher.locator(sel).first.bounding_box()
                y = f"{box['y']:.0f}" if box else "(not shown)"
                print(f"instructor at 1280x720 with {n} seats: {what} at y = {y}")
            spy = None
            if args.py_spy:
                spy = subprocess.Popen(
                    ["py-spy", "record", "--pid", str(proc.pid)]
                    + ["--format", "raw", "--threads", "--rate", "50"]
                    + ["--output", args.py_spy, "--nonblocking"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            roster_s, view_s, stale, tracebacks = [], [], 0, 0
            server_cpu, browser_cpu, parts = [], [], []
            for k in range(args.years):
                year = 2026 + k
                # during the year: half the students change a decision (not timed)
                for i, page in enumerate(pages):
                    if i % 2 and ROLES[i] not in ("USA", "RUS"):
                        page.locator(".decide-answer button", has_text="hedge").click()
                time.sleep(2)
                teacher.evaluate(WATCH_ROSTER, n)
                # the last second: everyone presses Submit
                # (each page's own clock at its click: one machine, one clock; the instructor's
                # clock read after the 30 clicks could come after the roster had changed)
                t_last = max(
                    page.evaluate("(document.querySelector('.submit').click(), Date.now())")
                    for page in pages
                )
                try:
                    teacher.wait_for_function("window.__all !== null", timeout=120_000)
                except Exception:
                    print(teacher.locator(".roster").inner_text())
                    print([p.locator(".v-alert").all_inner_texts() for p in pages])
                    raise
                roster_s.append((teacher.evaluate("window.__all") - t_last) / 1000)
                for page in (*pages, teacher):
                    page.evaluate(WATCH_YEAR, year)
                cpu0 = cpu_s(proc.pid), browsers_cpu_s(proc.pid)
                t0 = teacher.evaluate("Date.now()")
                teacher.evaluate("document.querySelector('.advance').click()")
                seen = []
                for page in pages:
                    try:
                        page.wait_for_function("window.__seen !== null", timeout=30_000)
                        seen.append((page.evaluate("window.__seen") - t0) / 1000)
                    except Exception:
                        stale += 1
                # CPU spent from Advance until every page showed the new year (or timed out)
                server_cpu.append(cpu_s(proc.pid) - cpu0[0])
                used = {k: v - cpu0[1][k] for k, v in browsers_cpu_s(proc.pid).items()}
                browser_cpu.append(used["all"])
                parts.append(used)
                tracebacks += sum("Traceback" in p.locator("body").inner_text() for p in pages)
                view_s += seen
                print(
                    f"year {year}: last Submit -> roster all decided {roster_s[-1]:.2f} s; "
                    f"Advance -> new charts on {len(seen)}/{n} pages: median "
                    f"{statistics.median(seen) if seen else float('nan'):.2f} s, max "
                    f"{max(seen, default=float('nan')):.2f} s; CPU from Advance to the last "
                    f"page: server {server_cpu[-1]:.2f} s, browsers {browser_cpu[-1]:.2f} s "
                    f"(renderers {used['renderers']:.2f}, rest of Chromium "
                    f"{used['chromium']:.2f}, Playwright's driver {used['driver']:.2f}); "
                    f"load {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
            print(
                f"\n{n} students, {args.years} years: last Submit -> roster all decided: median "
                f"{statistics.median(roster_s):.2f} s, p95 {pct(roster_s, 0.95):.2f} s "
                f"(goal < 2 s)\nAdvance -> a page shows the new year's charts, {len(view_s)} "
                f"page-years: median {statistics.median(view_s):.2f} s, p95 "
                f"{pct(view_s, 0.95):.2f} s, max {max(view_s):.2f} s (goal p95 < 1.5 s)\n"
                f"pages with a stale chart 30 s after Advance: {stale}; pages with a traceback: "
                f"{tracebacks} (goal 0)\nCPU from Advance until every page showed the new year, "
                f"median of the years: server {statistics.median(server_cpu):.2f} s, browsers "
                f"{statistics.median(browser_cpu):.2f} s (renderers "
                f"{statistics.median(p['renderers'] for p in parts):.2f}, rest of Chromium "
                f"{statistics.median(p['chromium'] for p in parts):.2f}, Playwright's driver "
                f"{statistics.median(p['driver'] for p in parts):.2f})"
            )
            print(f"server with the class connected: {rss_mb(proc.pid):.0f} MB")
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=60)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"machine load after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
