"""A class in real browsers (Debian's Chromium, Playwright): an instructor and two students play
three years of a seminar; the students' decisions reach the log, the revealed decisions, the
debrief and the export; a student's page offers only their own role's decisions; nothing is
fetched from outside the server."""

from __future__ import annotations

import contextlib
import csv
import time

import pytest

from sim.seminar.launch import launch

from .conftest import CHROMIUM_FLAGS, require_chromium


@pytest.fixture
def seminar(tmp_path):
    server = launch("ceasefire", 0, tmp_path / "exports", cwd=tmp_path)
    yield server.join, server.instructor, tmp_path / "exports"
    server.stop()


def _advance(teacher) -> None:
    """The instructor presses Advance, at an instructor's pace: a press within
    ``ADVANCE_COOLDOWN`` of the last Advance is taken for a double click and refused."""
    from sim.seminar.instructor_page import ADVANCE_COOLDOWN

    time.sleep(ADVANCE_COOLDOWN + 0.1)
    teacher.locator(".advance").click()


def _submit(page) -> None:
    """A student presses Submit; in the first seconds of a year the page asks again (it may
    still have shown last year's form), and the student presses again."""
    page.locator(".submit").click()
    page.wait_for_selector(":text('is in'), :text('press Submit again')", timeout=30_000)
    if page.locator("text=press Submit again").count():
        page.locator(".submit").click()
    page.wait_for_selector("text=is in", timeout=30_000)


def _join(page, link: str, name: str, role_prefix: str) -> None:
    page.goto(link)
    page.wait_for_selector("text=Join the seminar", timeout=90_000)
    page.get_by_label("Your name").fill(name)
    page.locator(f".role-{role_prefix.rstrip(':')}").click()
    page.wait_for_selector(".briefing", timeout=30_000)
    page.locator(".join").click()
    try:
        page.wait_for_selector("text=you are", timeout=60_000)
    except Exception:  # say why (an error on the page, or none)
        alerts = page.locator(".v-alert").all_inner_texts()
        raise AssertionError(f"{name} did not join: {alerts}") from None


def test_an_instructor_and_two_students_play_three_years(seminar):
    browser_path = require_chromium()
    from playwright.sync_api import sync_playwright

    join, instructor, exports = seminar
    host = join.split("/?")[0]
    requested: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS)
        pages = [browser.new_page(viewport={"width": 1280, "height": 720}) for _ in range(3)]
        for p in pages:
            p.on("request", lambda r: requested.append(r.url))
        teacher, ada, cy = pages
        teacher.goto(instructor)
        teacher.wait_for_selector("text=Instructor", timeout=90_000)
        _join(ada, join, "Ada", "EST:")
        ada.wait_for_selector("text=you are Estonia", timeout=60_000)
        _join(cy, join, "Cy", "USA:")
        cy.wait_for_selector("text=you are the United States", timeout=60_000)
        # a seat shows only its own role's decisions
        assert (
            ada.locator(".decide-budget").count() == 1 and ada.locator(".decide-probe").count() == 0
        )
        assert (
            cy.locator(".decide-threat").count() == 1 and cy.locator(".decide-budget").count() == 0
        )
        # the countdown is counted down by the page itself (the server sends it once a state)
        first = ada.locator(".countdown").first.inner_text()
        assert "left for decisions on 2026" in first, first
        ada.wait_for_function(
            f"document.querySelector('.countdown').innerText !== {first!r}", timeout=10_000
        )
        # the seat survives a reload (its token is in the address)
        ada.reload()
        ada.wait_for_selector("text=you are Estonia", timeout=60_000)
        for year in (2026, 2027, 2028):
            ada.locator(".decide-answer button", has_text="resist").click()
            _submit(ada)
            cy.locator(".decide-threat").get_by_text("my agent decides").click()  # set it
            _submit(cy)
            teacher.wait_for_function(
                "document.querySelectorAll('.roster .seat.decided').length === 2",
                timeout=30_000,
            )
            _advance(teacher)
            for p in pages:
                p.wait_for_selector(f"text=Year {year}", timeout=60_000)
        # Russia's reading of US resolve is hidden: not on Estonia's page, on the instructor's
        hidden = "svg[aria-label*='estimate of US resolve']"
        assert ada.locator(hidden).count() == 0 and ada.locator(".chart-grid svg").count() == 3
        assert teacher.locator(hidden).count() == 1
        assert "hidden" in ada.locator(".status").inner_text()
        log = ada.locator(".event-log").text_content().lower()
        assert "estonia (human) answers the us: resist" in log
        assert "the us (human) sets its threat level" in log
        assert "Ada" in teacher.locator(".decisions").text_content()
        teacher.locator(".debrief").click()
        teacher.wait_for_selector("text=Verdict if the run ended now", timeout=60_000)
        assert "Ada played Estonia" in teacher.locator(".debrief-words").inner_text()
        ada.wait_for_selector("text=Ada played Estonia", timeout=30_000)  # every seat sees its own
        teacher.locator(".export").click()
        teacher.wait_for_selector("text=Exported to", timeout=60_000)
        teacher.screenshot(path=str(exports.parent / "instructor.png"))
        browser.close()
    outside = [u for u in requested if not u.startswith((host, "data:", "blob:"))]
    assert not outside, outside[:5]
    rows = list(csv.DictReader(next(exports.rglob("decisions.csv")).open()))
    assert {r["role"] for r in rows} == {"EST", "USA"}
    assert {int(r["year"]) for r in rows} == {2026, 2027, 2028}


def _seat_menu(teacher, role: str) -> None:
    """Open the instructor's seat tools and choose ``role``."""
    if not teacher.locator(".release").is_visible():
        teacher.get_by_text("Seats: release, move, lock").click()
    teacher.locator(f".seat-pick-{role}").click()


def test_untouched_submit_release_and_resume(tmp_path):
    """A student's untouched Submit keeps the agent's values; a seat the instructor releases is
    taken by another student; the server stops promptly on SIGTERM and ``--resume`` brings back
    the year and the seats (the same links, on another port if the saved one was taken since).
    A student's page left open across the restart (on the same port) comes back by itself, in
    its seat: it stood under Solara's "Please refresh the page" until the student pressed it."""
    import time

    from sim.runs.store import read_table

    browser_path = require_chromium()
    from playwright.sync_api import sync_playwright

    exports, saves = tmp_path / "exports", tmp_path / "sessions"
    server = launch("ceasefire", 0, exports, cwd=tmp_path, save_dir=saves)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS)
            teacher, ada, bob = (
                browser.new_page(viewport={"width": 1280, "height": 720}) for _ in range(3)
            )
            teacher.goto(server.instructor)
            teacher.wait_for_selector("text=Instructor", timeout=90_000)
            _join(ada, server.join, "Ada", "EST:")
            ada.locator(".submit").click()  # untouched: every control on 'my agent decides'
            ada.wait_for_selector("text=is in", timeout=30_000)
            teacher.wait_for_selector(".roster .seat.decided", timeout=30_000)
            _advance(teacher)
            ada.wait_for_selector("text=Year 2026", timeout=60_000)
            assert "estonia (human)" not in ada.locator(".event-log").text_content().lower()
            # the new year's form starts again from the agent's value of this year (the same
            # controls, their values reset), and an untouched Submit again leaves it all to the
            # agent (an Estonia whose agent moved on must not be set back to last year's value)
            ada.wait_for_selector("text=Your decisions for 2027", timeout=30_000)
            assert "(agent)" in ada.locator(".decide-budget").inner_text()
            ada.wait_for_selector("text=Not submitted yet", timeout=30_000)
            _submit(ada)
            teacher.wait_for_selector(".roster .seat.decided", timeout=30_000)
            _advance(teacher)
            ada.wait_for_selector("text=Year 2027", timeout=60_000)
            assert "estonia (human)" not in ada.locator(".event-log").text_content().lower()
            teacher.locator(".export").click()
            teacher.wait_for_selector("text=Exported to", timeout=60_000)
            folder = next(exports.rglob("seminar.json")).parent
            cls, ag = (read_table(folder / k, "allies") for k in ("class", "agents"))
            for year in (2026, 2027):
                mine, agents = (
                    float(t[(t["iso3"] == "EST") & (t["year"] == year)]["core_pct"].iloc[0])
                    for t in (cls, ag)
                )
                assert mine == agents, (year, mine, agents)
            # the instructor releases Estonia; Ada's page says so; Bob takes the seat
            _seat_menu(teacher, "EST")
            teacher.locator(".release").click()
            ada.wait_for_selector("text=released by the instructor", timeout=30_000)
            _join(bob, server.join, "Bob", "EST:")
            bob_link = bob.url
            bob.evaluate("window.__before_restart = true")  # gone once the page reloads
            teacher.close()
            ada.close()
            t0 = time.time()
            server.process.terminate()
            server.process.wait(timeout=15)
            assert time.time() - t0 < 8, "SIGTERM did not stop the server promptly"
            # the saved port if it is still free (the same links); if another program took it
            # since, a free one (the command says so): the links keep the join code and the
            # tokens on the new port. Either way, so the test does not depend on the port
            # staying free.
            back = launch("", 0, exports, cwd=tmp_path, resume=server.folder)
            try:

                def now(link: str) -> str:  # a link as the resumed class serves it
                    return link.replace(f":{server.port}/", f":{back.port}/", 1)

                assert (back.join, back.instructor) == (now(server.join), now(server.instructor))
                if back.port == server.port:  # Bob's open page comes back by itself
                    deadline = time.time() + 90
                    while time.time() < deadline:
                        bob.wait_for_timeout(500)
                        with contextlib.suppress(Exception):  # while it navigates
                            if bob.evaluate("!window.__before_restart"):
                                break
                    else:
                        raise AssertionError("Bob's page did not reload after the restart")
                else:
                    bob.goto(now(bob_link))  # Bob's link works after the restart
                bob.wait_for_selector("text=Bob: you are Estonia", timeout=90_000)
                bob.wait_for_selector("text=Year 2027", timeout=30_000)
                teacher = browser.new_page(viewport={"width": 1280, "height": 720})
                teacher.goto(back.instructor)
                teacher.wait_for_selector("text=year 2027", timeout=60_000)
                assert "EST Bob" in teacher.locator(".roster").inner_text()
                _advance(teacher)  # and Bob's page is live: it shows the next year
                bob.wait_for_selector("text=Year 2028", timeout=60_000)
                browser.close()
            finally:
                back.stop()
    finally:
        server.stop()


def test_layouts_phone_laptop_projector(seminar):
    """A seat on a phone (390 px): nothing wider than the screen, Submit whole and full width;
    on a laptop (1024 px) a slider keeps its track; on a projector (1280x720) the instructor's
    Advance and the year's story are above the fold. The phone's student typed a 40-letter
    name as one word: it ran past the phone's edge, cut off (the seat's heading, the decisions
    table after a year), and past the edge of the instructor's roster on a phone."""
    browser_path = require_chromium()
    from playwright.sync_api import sync_playwright

    join, instructor, _ = seminar
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS)
        teacher = browser.new_page(viewport={"width": 1280, "height": 720})
        teacher.goto(instructor)
        teacher.wait_for_selector("text=Instructor", timeout=90_000)
        sizes = {"phone": (390, 844), "laptop": (1024, 768)}
        pages = {}
        for (kind, (w, h)), (name, role) in zip(
            sizes.items(), (("Pia" + "a" * 37, "POL:"), ("Lou", "LTU:")), strict=True
        ):
            page = browser.new_page(viewport={"width": w, "height": h})
            _join(page, join, name, role)
            pages[kind] = page
        phone, laptop = pages["phone"], pages["laptop"]
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        submit = phone.locator(".submit")
        assert submit.bounding_box()["width"] >= 300
        assert submit.evaluate("e => e.scrollWidth <= e.clientWidth")
        assert submit.inner_text().strip().lower() == "submit my decisions"
        for page in (phone, laptop):
            track = page.locator(".decide-budget .v-slider").bounding_box()
            assert track["width"] >= 200, track
        for sel in (".advance", ".log-year", ".status"):
            box = teacher.locator(sel).first.bounding_box()
            assert box["y"] + min(box["height"], 40) <= 720, (sel, box)
        # charts wide enough to read: on the projector at most three a row (four were ~200 px,
        # their labels ~5 px), on the phone one a row
        for page, least in ((teacher, 250), (phone, 350)):
            charts = page.locator(".chart-grid svg")
            widths = [charts.nth(i).bounding_box()["width"] for i in range(charts.count())]
            assert widths and min(widths) >= least, widths
        # the long name, after a year with her decision revealed, on her phone and on the
        # instructor's console opened on a phone
        phone.locator(".decide-answer button", has_text="resist").click()
        _submit(phone)
        console = browser.new_page(viewport={"width": 390, "height": 844})
        console.goto(instructor)
        console.wait_for_selector(".roster .seat.decided", timeout=90_000)
        _advance(teacher)
        for page in (phone, console):
            page.wait_for_selector(".decisions", state="attached", timeout=60_000)
            page.get_by_text("Decisions revealed so far").click()  # the table opened
            page.wait_for_selector(".decisions", timeout=30_000)
        past_the_edge = """() => [...document.querySelectorAll('.sem-wrap *')]
            .filter(e => e.getBoundingClientRect().right > 391
                         || e.scrollWidth > e.clientWidth + 1 && e.children.length === 0
                            && getComputedStyle(e).overflowX === 'visible'
                            && e.tagName !== 'I' && (e.innerText || '').trim())
            .map(e => e.tagName + '.' + e.className).slice(0, 5)"""
        for page in (phone, console):
            assert page.evaluate(past_the_edge) == [], page.url
        browser.close()


def test_a_message_reaches_its_reader_and_no_other_seat(seminar):
    """Ada (Estonia) writes to Bo (Latvia): it shows in Bo's messages and not in Pia's (Poland),
    whose panel does show the message Ada then sends to all allies."""
    browser_path = require_chromium()
    from playwright.sync_api import sync_playwright

    join, _, _ = seminar
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS)
        ada, bo, pia = (browser.new_page(viewport={"width": 1280, "height": 720}) for _ in range(3))
        for page, name, role in ((ada, "Ada", "EST:"), (bo, "Bo", "LVA:"), (pia, "Pia", "POL:")):
            _join(page, join, name, role)

        def send(to: str, text: str) -> None:
            ada.locator(".msg-to").click()
            menu = ada.locator(".menuable__content__active")
            menu.get_by_role("option", name=to, exact=True).click()
            ada.locator(".msg-text-input input").fill(text)
            ada.locator(".msg-send").click()
            ada.locator(".messages-box", has_text=text).wait_for(timeout=15_000)

        send("Latvia (LVA)", "Bo: 3% together, or neither of us?")
        bo.locator(".messages-box", has_text="3% together").wait_for(timeout=15_000)
        assert "Ada" in bo.locator(".messages-box").inner_text()
        assert ada.locator(".msg-text-input input").input_value() == ""  # cleared once sent
        send("all allies", "Caucus at the break.")
        pia.locator(".messages-box", has_text="Caucus at the break").wait_for(timeout=15_000)
        assert "3% together" not in pia.locator(".messages-box").inner_text()
        browser.close()


def test_a_half_written_message_and_the_form_outlive_other_pages_changes(seminar):
    """Ada writes a message without sending it, and picks an answer without submitting it: a
    message arriving from the instructor, the instructor's Advance and the debrief shown to the
    class each re-render her page. The text was set back to what the server last had (empty
    until the field lost focus), and the debrief, shown above the form, made the form and the
    messages panel anew (the choice and the text lost); Send then sends the whole text."""
    browser_path = require_chromium()
    from playwright.sync_api import sync_playwright

    join, instructor, _ = seminar
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS)
        teacher, ada = (browser.new_page(viewport={"width": 1280, "height": 720}) for _ in range(2))
        teacher.goto(instructor)
        teacher.wait_for_selector("text=Instructor", timeout=90_000)
        _join(ada, join, "Ada", "EST:")
        ada.wait_for_selector("text=you are Estonia", timeout=60_000)
        box = ada.locator(".msg-text-input input")
        box.click()
        box.press_sequentially("half a thought", delay=20)
        assert box.input_value() == "half a thought"
        teacher.get_by_text("Messages between seats (all of them)").click()
        teacher.locator(".msg-text-input input").fill("Break in five minutes.")
        teacher.locator(".msg-send").click()
        ada.locator(".messages-box", has_text="Break in five").wait_for(timeout=30_000)
        assert box.input_value() == "half a thought", "a message arriving"
        _advance(teacher)
        ada.wait_for_selector("text=Year 2026", timeout=60_000)
        ada.wait_for_selector("text=Your decisions for 2027", timeout=30_000)
        assert box.input_value() == "half a thought", "the Advance"
        box.press_sequentially(" on", delay=20)  # still writing: the caret where it was
        assert box.input_value() == "half a thought on"
        ada.locator(".decide-answer button", has_text="resist").click()
        ada.locator(".decide-answer .v-btn--active", has_text="resist").wait_for(timeout=15_000)
        teacher.locator(".debrief").click()
        ada.wait_for_selector("text=Ada played Estonia", timeout=60_000)
        assert box.input_value() == "half a thought on", "the debrief shown"
        active = ada.locator(".decide-answer .v-btn--active").all_inner_texts()
        assert [t.lower() for t in active] == ["resist"], active
        box.click()
        box.press("End")
        box.press_sequentially(" Tallinn", delay=20)
        ada.locator(".msg-send").click()
        ada.locator(".messages-box", has_text="half a thought on Tallinn").wait_for(timeout=30_000)
        assert box.input_value() == ""  # emptied once sent
        browser.close()


def test_the_instructors_closed_messages_panel_gets_no_traffic(seminar):
    """The console's panel of all the class's messages starts closed; closed, it was still
    rendered at every message, the whole traffic each time, and sent to the instructor's page
    (on the server and the page that show the roster). It is drawn once opened.

    Not a fixed wait (a frame sent after it went unchecked, so a loaded machine could pass by
    accident): the message has reached another student's page (it went out), then the console
    has shown the roster change of a Submit made after it (the instructor's connection carried
    what the server sent it after the message), then a further window is watched; every frame
    the console received up to the opening of the panel is checked, and at the end no frame
    with the message may have come before that opening."""
    browser_path = require_chromium()
    from playwright.sync_api import sync_playwright

    join, instructor, _ = seminar
    frames: list[str] = []
    text = "Caucus at noon"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS)
        teacher, ada, bo = (
            browser.new_page(viewport={"width": 1280, "height": 720}) for _ in range(3)
        )
        teacher.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
        teacher.goto(instructor)
        teacher.wait_for_selector("text=Instructor", timeout=90_000)
        _join(ada, join, "Ada", "EST:")
        _join(bo, join, "Bo", "LVA:")
        ada.locator(".msg-to").click()
        ada.locator(".menuable__content__active").get_by_role(
            "option", name="all allies", exact=True
        ).click()
        ada.locator(".msg-text-input input").fill(text)
        ada.locator(".msg-send").click()
        bo.locator(".messages-box", has_text=text).wait_for(timeout=30_000)  # it went out
        ada.locator(".submit").click()  # after the message: the console's roster shows it
        ada.wait_for_selector("text=is in", timeout=30_000)
        teacher.wait_for_selector(".roster .seat.decided", timeout=30_000)
        teacher.wait_for_timeout(2_000)  # and a window more for anything sent late
        opened = len(frames)
        assert opened and not [f for f in frames[:opened] if text in f]
        teacher.get_by_text("Messages between seats (all of them)").click()
        teacher.locator(".messages-box", has_text=text).wait_for(timeout=30_000)
        browser.close()
    carrying = [i for i, f in enumerate(frames) if text in f]
    assert carrying and min(carrying) >= opened, (opened, carrying)
