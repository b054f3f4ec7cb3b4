"""Many people on one ``natosim ui`` at once: N pages (Playwright, Debian's Chromium), each in its
own browser context (its own session, as on N laptops), all acting together. Each page

* opens the app, picks a scenario (a different one per page where there are enough), moves a
  lever of its own (a different lever or value per page), steps a year 1-3 times and then five
  years, and plays to the scenario's end at the fastest speed; half of them then export the run
  (20 replications), all under the same export name at the same moment;

and, in between, the script checks that the sessions are each their own:

* every page's year, settings ("Settings changed: ...") and chart are its own, and stay so while
  the others act (a lever moved in one session never shows in another; years advance only in
  the session that stepped);
* a page opened from another page's address (a copied link with its ``?run=``) gets a copy of
  that run, not the run itself: stepping the copy does not advance the original;
* a page reloaded finds its own run again;
* while every page plays, one more page's Step is timed (is the server still responsive?);
* the exports land in distinct folders (one results folder per export, none lost).

Measured per action: click -> the page shows the result (``Date.now()`` in the page before the
click and when a ``wait_for_function`` polling every 25 ms sees it), p50/p95/max. Counted:
tracebacks and errors in the server's output, pages showing a traceback. Recorded: the server's
CPU time and memory (RSS) before, after the actions, and after every tab was closed, the
machine's load (``os.getloadavg``).

    .venv/bin/python benchmarks/ui_load.py --pages 8

Every page runs on the same two cores as the server, so the figures are an upper bound on what a
room of separate laptops would see. Figures, not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.ui.server import free_port  # noqa: E402
from sim.ui.session import shipped_scenarios  # noqa: E402

# the float levers of the group shown open (United States): one per page, cycling
LEVERS = (
    "united_states.threat_intensity",
    "united_states.congress_floor",
    "united_states.refocus_drift",
    "united_states.crisis_response_base",
)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
EXPORT_LABEL = "class"


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def summary(values: list[float]) -> str:
    if not values:
        return "none"
    return (
        f"n={len(values)}: p50 {statistics.median(values):.2f} s, p95 {pct(values, 0.95):.2f} s,"
        f" max {max(values):.2f} s"
    )


class Server:
    """``python -m sim ui`` on a free port, as the tests start it, its output in files."""

    def __init__(self, tmp: Path, pages: int) -> None:
        self.out, self.err = tmp / "server.out", tmp / "server.err"
        self.exports = tmp / "exports"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "sim", "ui", "--port", str(free_port())]
                + ["--export-dir", str(self.exports)]
                + ["--connections-per-client", str(pages + 4)],
                cwd=tmp,
                env=env,
                stdout=out,
                stderr=err,
                text=True,
            )
        deadline = time.time() + 90
        self.link = ""
        while time.time() < deadline and not self.link:
            for line in self.out.read_text().splitlines():
                if "app: " in line:
                    self.link = line.split("app: ", 1)[1].split()[0]
            if self.proc.poll() is not None:
                sys.exit(f"the server stopped: {self.err.read_text()}")
            time.sleep(0.2)
        if not self.link:
            self.stop()
            sys.exit("the server printed no link")

    def usage(self) -> tuple[float, float, int]:
        """CPU seconds so far, RSS in MB, threads."""
        try:
            import psutil  # noqa: PLC0415

            p = psutil.Process(self.proc.pid)
            t = p.cpu_times()
            return t.user + t.system, p.memory_info().rss / 2**20, p.num_threads()
        except ImportError:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
            return cpu, rss, int(fields[17])

    def problems(self) -> tuple[int, int]:
        """Tracebacks, and lines saying error or exception, in the server's output so far."""
        text = self.out.read_text() + self.err.read_text()
        tracebacks = text.count("Traceback (most recent call last)")
        errors = sum(
            ("error" in line.lower() or "exception" in line.lower()) for line in text.splitlines()
        )
        return tracebacks, errors

    def close(self) -> str:
        """Stop the server; returns the line saying what its output showed going wrong."""
        tracebacks, errors = self.problems()
        self.stop()
        return f"server tracebacks: {tracebacks}, lines with error/exception: {errors}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Timings:
    def __init__(self) -> None:
        self.by: dict[str, list[float]] = {}
        self.failed: dict[str, int] = {}
        self.late_charts = 0  # charts that arrived after their year's text (settled_chart)

    def add(self, what: str, seconds: float | None) -> None:
        if seconds is None:
            say(f"not shown in time: {what}")
            self.failed[what] = self.failed.get(what, 0) + 1
        else:
            self.by.setdefault(what, []).append(seconds)


async def until(page, condition: str, timeout_s: float) -> float | None:
    """The page's clock when ``condition`` (a JS expression) first holds; None on timeout."""
    try:
        handle = await page.wait_for_function(
            f"() => ({condition}) ? Date.now() : false", polling=25, timeout=timeout_s * 1000
        )
    except Exception:
        return None
    return float(await handle.json_value())


async def timed(page, act, condition: str, timeout_s: float = 60) -> float | None:
    """Seconds from just before ``act()`` to ``condition`` holding on the page."""
    t0 = await page.evaluate("Date.now()")
    await act()
    t1 = await until(page, condition, timeout_s)
    return None if t1 is None else (t1 - t0) / 1000


def js(s: str) -> str:
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


YEAR = "(document.querySelector('.year')||{}).textContent"
CHART = "(document.querySelector('.charts img')||{}).src"
CHANGED = "(document.querySelector('.changed')||{}).textContent||''"
PICKER_TEXT = "(document.querySelector('.scenario-picker')||{parentElement:{}}).parentElement"


# the chart's image is a blob: address, new at every render; its bytes are what it shows
CHART_DIGEST = """async () => {
  const img = document.querySelector('.charts img');
  if (!img) return '';
  const bytes = await (await fetch(img.src)).arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, '0')).join('');
}"""


async def settled_chart(page, t: Timings | None = None) -> str:
    """The chart's digest once it has stopped changing (two reads 0.5 s apart agree; at most
    20 s). The page shows a new year's text a moment before its new chart: the two are separate
    widget updates, and the image's bytes are decoded after the text is set (12-37 ms on a quiet
    machine, longer with the browsers loaded). A digest read as soon as the year showed could be
    the year before's, and a later check then took the chart's arrival for a change made by
    another session. ``t`` counts the times the first read was not the settled one."""
    first = last = await page.evaluate(CHART_DIGEST)
    for _ in range(40):
        await page.wait_for_timeout(500)
        now = await page.evaluate(CHART_DIGEST)
        if now == last:
            break
        last = now
    if t is not None and first != last:
        t.late_charts += 1
    return last


async def state(page) -> dict[str, str]:
    got = await page.evaluate(
        "() => ({year: (document.querySelector('.year')||{}).textContent||'',"
        " changed: (document.querySelector('.changed')||{}).textContent||'',"
        " traceback: document.body.innerText.includes('Traceback')})"
    )
    got["chart"] = await page.evaluate(CHART_DIGEST)
    return got


async def choose(page, select: str, item: str) -> None:
    await page.locator(f"{select} .v-select").click()
    await page.locator(".menuable__content__active .v-list-item", has_text=item).first.click()


async def step(page, button: str, year: int, t: Timings, what: str) -> bool:
    before = await page.evaluate(CHART)

    async def act():
        if not await page.evaluate(f"!!document.querySelector('{button}')"):
            text = (await page.evaluate("document.body.innerText"))[:300]
            say(f"{what}: no {button} on the page ({page.url}): {text!r}")
            await page.screenshot(path=f"/tmp/ui_load-missing-{time.time():.0f}.png")
        await page.evaluate(f"(document.querySelector('{button}') || {{click() {{}}}}).click()")

    cond = f"{YEAR} === 'Year {year}' && {CHART} !== {js(before or '')}"
    s = await timed(page, act, cond)
    t.add(what, s)
    return s is not None


class Student:
    def __init__(self, i: int, context, page, scenario: str, description: str, start: int):
        self.i, self.context, self.page = i, context, page
        self.scenario, self.description, self.year = scenario, description, start
        self.lever = LEVERS[i % len(LEVERS)]
        self.steps = 1 + i % 3
        self.changed = ""
        self.chart = ""


async def open_page(browser, link: str, t: Timings, what: str = "open -> Year shown"):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    t0 = time.time()
    await page.goto(link)
    try:
        await page.wait_for_selector(".year", timeout=180_000)
        t.add(what, time.time() - t0)
    except Exception:
        t.add(what, None)
    return context, page


async def pick_and_lever(st: Student, n: int, t: Timings) -> None:
    page = st.page

    async def pick():
        await choose(page, ".scenario-picker", st.scenario)

    key = js(st.description[:40])
    s = await timed(page, pick, f"({PICKER_TEXT}.textContent||'').includes({key})")
    t.add("pick a scenario", s)
    track = page.locator(f".lever-{st.lever.replace('.', '-')} .v-slider")
    await track.scroll_into_view_if_needed()
    box = await track.bounding_box()
    frac = 0.1 + 0.8 * st.i / max(1, n - 1)
    short = st.lever.split(".")[-1]

    async def move():
        await page.mouse.click(box["x"] + frac * box["width"], box["y"] + box["height"] / 2)

    s = await timed(page, move, f"({CHANGED}).includes({js(short + ' = ')})")
    t.add("move a lever", s)
    st.changed = await page.evaluate(CHANGED)


async def steps(st: Student, t: Timings) -> None:
    for _ in range(st.steps):
        st.year += 1
        await step(st.page, ".step-1", st.year, t, "Step (1 year)")
    st.year += 5
    await step(st.page, ".step-5", st.year, t, "Step 5 years")
    st.chart = await settled_chart(st.page, t)


async def play_to_end(st: Student, end: int, t: Timings) -> None:
    page = st.page
    await choose(page, ".speed", "0.2")
    await page.wait_for_timeout(300)

    async def play():
        await page.evaluate("document.querySelector('.play').click()")

    s = await timed(page, play, f"{YEAR} === 'Year {end}'", timeout_s=300)
    t.add(f"Play -> Year {end} shown", s)
    st.year = end


async def export(st: Student, t: Timings) -> str:
    page = st.page
    box = page.get_by_label("Export name (letters, digits, - and _)")
    await box.fill(EXPORT_LABEL)
    await box.press("Enter")
    await page.wait_for_timeout(300)

    async def go():
        await page.evaluate("document.querySelector('.export').click()")

    cond = "((document.querySelector('.exported')||{}).textContent||'').startsWith('Export')"
    s = await timed(page, go, cond, timeout_s=300)
    t.add("Export (20 replications)", s)
    return await page.evaluate("(document.querySelector('.exported')||{}).textContent||''")


def check(st_states: list[tuple[Student, dict[str, str]]], stage: str, leaks: list[str]) -> None:
    """Every page shows its own year, settings and chart."""
    charts = [s["chart"] for _, s in st_states]
    for st, s in st_states:
        if s["year"] != f"Year {st.year}":
            leaks.append(f"{stage}: page {st.i} shows {s['year']!r}, its own is {st.year}")
        if st.changed and s["changed"] != st.changed:
            leaks.append(f"{stage}: page {st.i} settings {s['changed']!r}, its own {st.changed!r}")
        others = {o.lever.split(".")[-1] for o, _ in st_states if o.lever != st.lever}
        for short in others:
            if f"{short} =" in s["changed"]:
                leaks.append(f"{stage}: page {st.i} shows another session's lever {short}")
        if st.chart and s["chart"] != st.chart:
            leaks.append(f"{stage}: page {st.i}'s chart changed while others acted")
        if charts.count(s["chart"]) > 1:
            leaks.append(f"{stage}: page {st.i} shows the same chart as another page")
        if s["traceback"]:
            leaks.append(f"{stage}: page {st.i} shows a traceback")


async def main_async(args) -> None:
    browser_path = shutil.which("chromium") or sys.exit("needs Debian's chromium")
    tmp = Path(tempfile.mkdtemp(prefix="ui_load-"))
    scenarios = {
        name: sc for name, sc in shipped_scenarios().items() if sc.get("run.start_year") == 2025
    }
    names = sorted(scenarios)
    load0 = os.getloadavg()
    print(
        f"machine load before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, {os.cpu_count()} cores"
    )
    server = Server(tmp, args.pages)
    t, leaks = Timings(), []
    n = args.pages
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=browser_path, args=FLAGS)
            # a first page to warm the server (imports, first render), then the usage baseline
            ctx, _first = await open_page(browser, server.link, Timings())
            await ctx.close()
            cpu0, rss0, threads0 = server.usage()
            print(f"server before: {rss0:.0f} MB, {threads0} threads, {cpu0:.1f} s CPU so far")
            t_start = time.time()
            opened = await asyncio.gather(*(open_page(browser, server.link, t) for _ in range(n)))
            students = []
            for i, (ctx, page) in enumerate(opened):
                name = names[(i * 5 + 1) % len(names)]  # spread over the list, baseline first
                sc = scenarios[name]
                students.append(
                    Student(i, ctx, page, name, sc.description, int(sc.get("run.start_year")))
                )
            end = int(scenarios[names[0]].get("run.end_year"))
            assert all(int(sc.get("run.end_year")) == end for sc in scenarios.values())
            say("pages open; pick and lever")
            await asyncio.gather(*(pick_and_lever(st, n, t) for st in students))
            say("steps")
            await asyncio.gather(*(steps(st, t) for st in students))
            states = await asyncio.gather(*(state(st.page) for st in students))
            check(list(zip(students, states, strict=True)), "after the steps", leaks)

            say("copied link and reload")
            # a copied address (with the run's id): a copy of the run, not the run itself
            copy_ctx, copy = await open_page(browser, students[0].page.url, t, "open a copied link")
            copy_year = int((await copy.evaluate(YEAR) or "Year 0").split()[-1])
            if copy_year != students[0].year:
                leaks.append(f"the copied link shows year {copy_year}, its run {students[0].year}")
            await step(copy, ".step-1", copy_year + 1, t, "Step (1 year)")
            students[0].year += 1
            await step(students[0].page, ".step-1", students[0].year, t, "Step (1 year)")
            shown = await students[0].page.evaluate(YEAR)
            if shown != f"Year {students[0].year}":
                leaks.append(
                    f"stepping a copied link's page moved the original run: {shown!r}, "
                    f"expected Year {students[0].year}"
                )
            students[0].chart = await settled_chart(students[0].page, t)
            # a reload finds its own run
            if n > 1:
                st = students[1]
                await st.page.reload()
                got = await until(
                    st.page, f"{YEAR} === 'Year {st.year}' && ({CHANGED}) === {js(st.changed)}", 120
                )
                if got is None:
                    leaks.append(f"page 1 after a reload: {await state(st.page)}")
                st.chart = await settled_chart(st.page, t)
            states = await asyncio.gather(*(state(st.page) for st in students))
            check(list(zip(students, states, strict=True)), "after the copy and reload", leaks)

            # everyone plays to the end at once; meanwhile one more page steps, timed
            async def probe():
                await copy.wait_for_timeout(500)
                year = copy_year + 1
                for _ in range(3):
                    year += 1
                    await step(copy, ".step-1", year, t, "Step while the others play")

            say("play to the end")
            cpu1 = server.usage()[0]
            t_play = time.time()
            await asyncio.gather(probe(), *(play_to_end(st, end, t) for st in students))
            play_s, play_cpu = time.time() - t_play, server.usage()[0] - cpu1
            for st in students:
                st.chart = await settled_chart(st.page, t)

            # half of them export, all at once, under the same name
            say("exports")
            cpu2 = server.usage()[0]
            t_exp = time.time()
            exporters = students[::2]
            said = await asyncio.gather(*(export(st, t) for st in exporters))
            export_s, export_cpu = time.time() - t_exp, server.usage()[0] - cpu2
            states = await asyncio.gather(*(state(st.page) for st in students))
            check(list(zip(students, states, strict=True)), "at the end", leaks)
            actions_s = time.time() - t_start
            cpu3, rss3, threads3 = server.usage()
            tracebacks_pages = sum(s["traceback"] for s in states)

            say("closing")
            # close every tab; what is left on the server
            # (as a person closes a tab: the page's unload handlers run, Solara's among them)
            await copy.close(run_before_unload=True)
            for st in students:
                await st.page.close(run_before_unload=True)
            await asyncio.sleep(1)
            await copy_ctx.close()
            for st in students:
                await st.context.close()
            await asyncio.sleep(args.settle)
            _, rss4, threads4 = server.usage()
            await browser.close()
        manifests = sorted(server.exports.rglob("manifest.json"))
        folders = {m.parent for m in manifests}
        tracebacks, errors = server.problems()
    finally:
        server.stop()
    load1 = os.getloadavg()

    print(f"\n{n} pages, each its own session; actions over {actions_s:.0f} s")
    for what, values in t.by.items():
        failed = t.failed.get(what, 0)
        print(f"  {what}: {summary(values)}" + (f"; {failed} never shown" if failed else ""))
    for what, failed in t.failed.items():
        if what not in t.by:
            print(f"  {what}: all {failed} never shown")
    print(
        f"play to the end, all {n} at once: {play_s:.1f} s wall, server CPU {play_cpu:.1f} s; "
        f"exports ({len(exporters)} at once): {export_s:.1f} s wall, server CPU {export_cpu:.1f} s"
    )
    print(
        f"exports: {len(exporters)} asked, {sum(s.startswith('Exported') for s in said)} said "
        f"exported, {len(manifests)} results folders written, {len(folders)} distinct"
    )
    print(
        f"isolation problems: {len(leaks)} (charts read as their year showed that were still "
        f"the year before's, read again once settled: {t.late_charts})"
    )
    for leak in leaks:
        print(f"  - {leak}")
    print(
        f"server tracebacks: {tracebacks}, lines with error/exception: {errors}; pages "
        f"showing a traceback: {tracebacks_pages}"
    )
    print(
        f"server: before {rss0:.0f} MB / {threads0} threads; after the actions {rss3:.0f} MB / "
        f"{threads3} threads, CPU {cpu3 - cpu0:.1f} s; {args.settle:.0f} s after every tab "
        f"closed {rss4:.0f} MB / {threads4} threads"
    )
    print(f"machine load after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    if args.keep:
        print(f"server output: {server.out} {server.err}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    if tracebacks or leaks or t.failed:
        sys.exit(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=8, help="sessions at once (default 8)")
    ap.add_argument("--settle", type=float, default=5.0, help="seconds after closing the tabs")
    ap.add_argument("--keep", action="store_true", help="keep the server's output")
    args = ap.parse_args()
    if args.pages < 1:
        sys.exit("--pages must be at least 1")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
