"""A class on one machine, doing what a class does: N students (Playwright pages in Debian's
Chromium) each take a seat on one ``natosim seminar`` server; every year half of them change a
decision during the year, then all N press Submit within the last second before the instructor
advances (the normal end of a countdown). Every year a third of the students also write to
another seat (allies to allies, the US to an ally; Russia only speaks in public and is left out):
most send during the year, about a third of those in the last second with their Submit.
Measured every year, on every page:

* last Submit -> the instructor's roster shows every seat decided (a MutationObserver in the
  instructor's page);
* Advance -> each page shows the new year's charts and map (every drawing's ``data-year``, seen
  by a MutationObserver in each page);
* Send -> the message shows in its recipient's messages panel (a MutationObserver in each page
  reads the panel; ``--no-messages`` leaves messages out, for comparison);
* pages still showing an old chart 30 s after Advance, messages not shown 30 s after the year's
  last Send, or a traceback, counted;

and once: where the instructor's Advance and the year's story sit on a 1280x720 projector with N
seats, the server's memory, and the machine's load (``os.getloadavg``) before and after.

    .venv/bin/python benchmarks/seminar_load.py --participants 30 --years 5 [--no-messages]

Every page runs on the same two cores as the server, so the figures are an upper bound on what a
classroom of separate laptops would see. Figures, not a timed test.
"""

from __future__ import annotations

import argparse
import os
import re
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
from sim.seminar.seat_page import JUST_ADVANCED

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

# every message carries a tag (#m<id>); each page notes when it first shows each tag in its panel
WATCH_MESSAGES = """() => {
  window.__msg = {};
  const check = () => {
    const box = document.querySelector('.messages-box');
    if (!box) return;
    for (const m of box.textContent.matchAll(/#m(\\d+)/g))
      if (!(m[1] in window.__msg)) window.__msg[m[1]] = Date.now();
  };
  new MutationObserver(check).observe(document.body,
    {subtree: true, childList: true, characterData: true});
  check();
}"""


def compose(page, to: str, text: str) -> None:
    """Choose the recipient ``to`` (a role) in the messages panel and type ``text``, as a student
    would, without sending (the select's menu draws its options as it is scrolled)."""
    page.locator(".msg-to").click()
    menu = page.locator(".menuable__content__active")
    option = menu.get_by_role("option", name=re.compile(rf"\({to}\)$"))
    for _ in range(6):
        if option.count():
            break
        menu.evaluate("m => { m.scrollTop = m.scrollHeight; }")
        page.wait_for_timeout(150)
    option.click()
    box = page.locator(".msg-text-input input")
    box.fill(text)
    box.blur()  # the field sends its value when it loses focus


SEND = "(() => { const t = Date.now(); document.querySelector('.msg-send').click(); return t; })()"


def writers(n: int, year_index: int) -> list[tuple[int, int, bool]]:
    """This year's messages as (sender, recipient, in the last second): a third of the seats
    (another third each year), Russia left out; each writes to the next ally seat along, about a
    third of them in the last second."""
    allies = [i for i in range(n) if ROLES[i] not in ("USA", "RUS")]
    chosen = [i for i in range(n) if (i + year_index) % 3 == 0 and ROLES[i] != "RUS"]
    out = []
    for k, i in enumerate(chosen):
        others = [a for a in allies if a != i]
        if not others:
            continue
        to = others[(allies.index(i) + 1 if i in allies else year_index) % len(others)]
        out.append((i, to, k % 3 == 2))
    return out


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


IDLE_S = 5.0  # s: the browsers' idle CPU measured once, before the first year


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
        "--messages",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="a third of the students write to another seat every year (default: on)",
    )
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
    server = launch("ceasefire", 0, tmp / "exports", cwd=tmp, seconds=3600)
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
            if args.messages:
                for page in pages:
                    page.evaluate(WATCH_MESSAGES)
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
            # the browsers' CPU while nothing happens (the countdowns ticking), per second: an
            # Advance's window counts it too, for as long as the slowest page takes
            idle0, t_idle = browsers_cpu_s(proc.pid)["all"], time.monotonic()
            time.sleep(IDLE_S)
            idle = (browsers_cpu_s(proc.pid)["all"] - idle0) / (time.monotonic() - t_idle)
            window_s: list[float] = []  # each Advance's window: from the click to the last page
            msg_s, msg_last_s, lost = [], [], 0
            advanced_at = 0.0  # the first year starts with the session, not an Advance
            for k in range(args.years):
                year = 2026 + k
                # during the year: half the students change a decision, a third write to another
                # seat (most send now, some compose now and send in the last second; not timed
                # but the sends)
                sent: dict[str, tuple[int, int, bool]] = {}  # tag -> (recipient, sent at, last)
                late = {}
                for i, page in enumerate(pages):
                    if i % 2 and ROLES[i] not in ("USA", "RUS"):
                        page.locator(".decide-answer button", has_text="hedge").click()
                for i, to, last in writers(n, k) if args.messages else ():
                    tag = f"{year}{i:02d}"
                    compose(pages[i], ROLES[to], f"{ROLES[i]} to {ROLES[to]}, {year}: #m{tag}")
                    if last:
                        late[i] = (tag, to)
                    else:
                        sent[tag] = (to, pages[i].evaluate(SEND), False)
                time.sleep(2)
                # a Submit within JUST_ADVANCED of the Advance is asked again (a page may still
                # show last year's form): the class's last second comes after it, as in a class
                time.sleep(max(0.0, JUST_ADVANCED + 0.5 - (time.monotonic() - advanced_at)))
                teacher.evaluate(WATCH_ROSTER, n)
                # the last second: everyone presses Submit, some Send first
                # (each page's own clock at its click: one machine, one clock; the instructor's
                # clock read after the 30 clicks could come after the roster had changed)
                t_last = 0
                for i, page in enumerate(pages):
                    if i in late:
                        tag, to = late[i]
                        sent[tag] = (to, page.evaluate(SEND), True)
                    t_last = max(
                        t_last,
                        page.evaluate("(document.querySelector('.submit').click(), Date.now())"),
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
                t_cpu0 = time.monotonic()
                t0 = teacher.evaluate("Date.now()")
                teacher.evaluate("document.querySelector('.advance').click()")
                advanced_at = time.monotonic()
                seen = []
                for page in pages:
                    try:
                        # polled every 100 ms, not at every frame (Playwright's default): the
                        # time is the page's own stamp, and frames drawn for the polling would
                        # add the page's CPU to what is measured
                        page.wait_for_function(
                            "window.__seen !== null", timeout=30_000, polling=100
                        )
                        seen.append((page.evaluate("window.__seen") - t0) / 1000)
                    except Exception:
                        stale += 1
                # CPU spent from Advance until every page showed the new year (or timed out)
                server_cpu.append(cpu_s(proc.pid) - cpu0[0])
                used = {k: v - cpu0[1][k] for k, v in browsers_cpu_s(proc.pid).items()}
                browser_cpu.append(used["all"])
                window_s.append(time.monotonic() - t_cpu0)
                parts.append(used)
                tracebacks += sum("Traceback" in p.locator("body").inner_text() for p in pages)
                view_s += seen
                # every message of the year on its recipient's page (30 s at most after Advance)
                got: dict[str, float] = {}
                deadline = time.time() + 30
                while sent and time.time() < deadline:
                    for tag, (to, t_sent, _last) in sent.items():
                        if tag not in got:
                            shown = pages[to].evaluate(f"window.__msg['{tag}'] || null")
                            if shown is not None:
                                got[tag] = (shown - t_sent) / 1000
                    if len(got) == len(sent):
                        break
                    time.sleep(0.5)
                lost += len(sent) - len(got)
                msg_s += [v for t, v in got.items() if not sent[t][2]]
                msg_last_s += [v for t, v in got.items() if sent[t][2]]
                year_msgs = (
                    f"; {len(got)}/{len(sent)} messages shown to their recipient, send -> shown "
                    f"max {max(got.values()):.2f} s"
                    if got
                    else ""
                )
                print(
                    f"year {year}: last Submit -> roster all decided {roster_s[-1]:.2f} s; "
                    f"Advance -> new charts on {len(seen)}/{n} pages: median "
                    f"{statistics.median(seen) if seen else float('nan'):.2f} s, max "
                    f"{max(seen, default=float('nan')):.2f} s; CPU from Advance to the last "
                    f"page: server {server_cpu[-1]:.2f} s, browsers {browser_cpu[-1]:.2f} s "
                    f"(renderers {used['renderers']:.2f}, rest of Chromium "
                    f"{used['chromium']:.2f}, Playwright's driver {used['driver']:.2f}; "
                    f"counted over {window_s[-1]:.2f} s)"
                    f"{year_msgs}; load {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
            own = [b - idle * w for b, w in zip(browser_cpu, window_s, strict=True)]
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
                f"{statistics.median(p['driver'] for p in parts):.2f})\n"
                f"  counted over {statistics.median(window_s):.2f} s (median); the browsers idle "
                f"(before the first year) use {idle:.2f} s per s, so the Advance's own, less that "
                f"rate times each window: median {statistics.median(own):.2f} s"
            )
            if args.messages:
                every = msg_s + msg_last_s
                print(
                    f"messages: {len(every)} shown to their recipient ({len(msg_last_s)} sent in "
                    f"the last second), {lost} not shown 30 s after Advance (goal 0)"
                )
                for what, got_s in (
                    ("all", every),
                    ("during the year", msg_s),
                    ("in the last second", msg_last_s),
                ):
                    if got_s:
                        print(
                            f"  Send -> shown on the recipient's page, {what}: median "
                            f"{statistics.median(got_s):.2f} s, p95 {pct(got_s, 0.95):.2f} s, "
                            f"max {max(got_s):.2f} s"
                        )
            else:
                print("messages: off (--no-messages)")
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
