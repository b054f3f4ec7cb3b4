"""Does ``natosim ui`` give back what closed pages held? Pages come and go as in a day of classes.

Each cycle opens N pages (each its own browser context, as N laptops), steps each run 15 years
(three "Step 5 years"), closes them all and waits; the server's resident memory is printed after
every cycle. A server that keeps something per page grows by about the same amount every cycle;
one that frees closed pages levels off once its allocator and its bounded caches (the charts'
layouts, the runs' recipes) are full. Figures, not a test.

    .venv/bin/python benchmarks/ui_memory.py --cycles 16 --pages 4
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright
from ui_load import FLAGS, YEAR, Server, say


async def one_page(browser, link: str, steps: int) -> None:
    """Open the app in a context of its own, step its run ``steps`` x 5 years, close it."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(link)
    await page.wait_for_function(f"() => ({YEAR}) && ({YEAR}).includes('20')", timeout=90_000)
    for _ in range(steps):
        before = await page.evaluate(YEAR)
        await page.evaluate("document.querySelector('.step-5').click()")
        await page.wait_for_function(f"() => ({YEAR}) != {before!r}", timeout=90_000)
    await context.close()


async def main(cycles: int, pages: int, wait_s: float) -> None:
    server = Server(Path(tempfile.mkdtemp()), pages)
    sizes = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            say(f"server before: {server.usage()[1]:.0f} MB")
            for cycle in range(1, cycles + 1):
                await asyncio.gather(*(one_page(browser, server.link, 3) for _ in range(pages)))
                await asyncio.sleep(wait_s)
                _, rss, threads = server.usage()
                sizes.append(rss)
                say(
                    f"after cycle {cycle} ({cycle * pages} pages opened and closed): "
                    f"{rss:.0f} MB, {threads} threads"
                )
            await browser.close()
    finally:
        said = server.close()
    half = len(sizes) // 2
    if len(sizes) - 1 > half:
        grew = (sizes[-1] - sizes[half]) / (len(sizes) - 1 - half)
        print(f"second half of the cycles: {grew:+.1f} MB per cycle ({pages} pages each)")
    print(said)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=16)
    ap.add_argument("--pages", type=int, default=4)
    ap.add_argument("--wait", type=float, default=8.0, help="seconds after closing (default 8)")
    a = ap.parse_args()
    asyncio.run(main(a.cycles, a.pages, a.wait))
