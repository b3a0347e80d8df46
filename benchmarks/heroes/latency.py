"""Latency hero: a button whose click callback sets a label's text."""

from _bench import URL, report, wait_for_harness

import sidekick

sidekick.set_url(URL)
label = sidekick.Label("0")
clicks = [0]


def clicked(event):
    clicks[0] += 1
    label.text = f"pong {clicks[0]}"


button = sidekick.Button("ping", on_click=clicked)
sidekick.wait_for_connection()
report(ready=True)
wait_for_harness()
report(clicks=clicks[0])
