"""What opening ``natosim ui`` costs the server: one page alone, then N pages at once (a class
following the link together), each in its own browser context (its own session).

Prints the wall time from ``goto`` to the page showing its year and charts, and the server's CPU
for the pages opened (the server is one Python interpreter: its CPU per page is what a room of
separate laptops queues on; the browsers here share the machine's two cores with it, so the wall
times are an upper bound). Figures, not a test.

    .venv/bin/python benchmarks/ui_open.py --pages 8
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright
from ui_load import FLAGS, YEAR, Server, say

SHOWN = f"() => ({YEAR}) && ({YEAR}).includes('20') && document.querySelector('.charts img')"


async def open_page(browser, link: str):
    """A page of its own on ``link``; returns its context and the seconds until it showed."""
    context = await browser.new_context()
    page = await context.new_page()
    t0 = time.perf_counter()
    await page.goto(link)
    await page.wait_for_function(SHOWN, timeout=180_000)
    return context, time.perf_counter() - t0


async def main(pages: int) -> None:
    server = Server(Path(tempfile.mkdtemp()), pages)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            _, took = await open_page(browser, server.link)
            say(f"first page (the server's first session): {took:.2f} s")
            cpu0 = server.usage()[0]
            _, took = await open_page(browser, server.link)
            cpu1 = server.usage()[0]
            say(f"one more page alone: {took:.2f} s, server CPU {cpu1 - cpu0:.2f} s")
            opened = await asyncio.gather(*(open_page(browser, server.link) for _ in range(pages)))
            cpu2 = server.usage()[0]
            times = sorted(t for _, t in opened)
            say(
                f"{pages} pages at once: median {times[len(times) // 2]:.2f} s, max "
                f"{times[-1]:.2f} s; server CPU {cpu2 - cpu1:.2f} s "
                f"({(cpu2 - cpu1) / pages:.2f} s a page)"
            )
            await browser.close()
    finally:
        said = server.close()
    print(said)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=8)
    asyncio.run(main(ap.parse_args().pages))
