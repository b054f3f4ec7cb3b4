"""The countdown every page shows, counted down in the browser."""

from __future__ import annotations

import ipyvue
import solara
import traitlets

from .session import Snapshot


class CountdownWidget(ipyvue.VueTemplate):
    """The countdown, counted down by the browser: the server sends the seconds left when a
    state is published (``stamp`` is the snapshot's sequence), the page ticks by itself. A
    server-side tick would send a message to every page every second and re-render it."""

    template = traitlets.Unicode(
        """<template><span class="countdown">{{ text }}</span></template>
<script>
module.exports = {
  data() { return { now: Date.now(), base: Date.now() }; },
  watch: {
    left() { this.base = Date.now(); this.now = this.base; },
    stamp() { this.base = Date.now(); this.now = this.base; },
  },
  mounted() { this.timer = setInterval(() => { this.now = Date.now(); }, 1000); },
  destroyed() { clearInterval(this.timer); },
  computed: {
    text() {
      if (this.done) return "the run is over";
      if (this.left < 0) return "clock paused";
      const s = Math.max(0, Math.round(this.left - (this.now - this.base) / 1000));
      const mm = Math.floor(s / 60), ss = String(s % 60).padStart(2, "0");
      return mm + ":" + ss + " left for decisions on " + this.next
        + (this.auto ? ", then the year advances" : "");
    },
  },
};
</script>"""
    ).tag(sync=True)
    left = traitlets.Int(-1).tag(sync=True)
    stamp = traitlets.Int(0).tag(sync=True)
    done = traitlets.Bool(False).tag(sync=True)
    auto = traitlets.Bool(False).tag(sync=True)
    next = traitlets.Int(0).tag(sync=True)


@solara.component
def Countdown(snap: Snapshot) -> None:
    """Seconds left for this year's decisions (ticking in the browser, see CountdownWidget)."""
    CountdownWidget.element(
        left=-1 if snap.done else snap.seconds_left(),
        stamp=snap.seq,
        done=snap.done,
        auto=snap.auto,
        next=snap.year + 1,
    )
