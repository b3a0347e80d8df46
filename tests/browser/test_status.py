"""The page's connection state (`data-sidekick-status`) and script name."""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def status(page) -> str:
    return page.evaluate("() => document.documentElement.dataset.sidekickStatus")


def el(page, target: str):
    return page.locator(f'[data-sidekick-id="{target}"]')


def test_page_starts_connecting(server):
    with urllib.request.urlopen(server.http + "/") as response:
        assert b'data-sidekick-status="connecting"' in response.read()


def test_waiting_connected_ended_and_next_run(page, server, session_id, make_hero):
    assert status(page) == "waiting"
    script = page.locator('[data-sidekick-role="script"]')
    expect(script).to_be_hidden()

    first = make_hero(server, session_id, script="grid_demo.py")
    try:
        first.wait_ui()
        expect(page.locator("html")).to_have_attribute("data-sidekick-status", "connected")
        expect(script).to_have_text("grid_demo.py")
        first.spawn("label", "kept", {"text": "last picture"})
        expect(el(page, "kept")).to_have_text("last picture")
        first.announce("offline")
        expect(page.locator("html")).to_have_attribute("data-sidekick-status", "waiting")
    finally:
        first.close(announce_offline=False)
    # The picture stays, marked as ended, with the script it came from.
    expect(page.locator('[data-sidekick-role="status"]')).to_have_text("Script ended")
    expect(el(page, "kept")).to_have_text("last picture")
    expect(script).to_have_text("grid_demo.py")

    second = make_hero(server, session_id, script=None)
    try:
        second.wait_ui()
        expect(page.locator("html")).to_have_attribute("data-sidekick-status", "connected")
        # Without a script name the hero's version is shown.
        expect(script).to_contain_text("0.0-test")
        second.clear_all()
        expect(el(page, "kept")).to_have_count(0)
    finally:
        second.close()


def test_hero_socket_drop_without_announce(page, server, session_id, make_hero):
    hero = make_hero(server, session_id)
    hero.wait_ui()
    expect(page.locator("html")).to_have_attribute("data-sidekick-status", "connected")
    hero.close(announce_offline=False)  # the relay announces offline for it
    expect(page.locator("html")).to_have_attribute("data-sidekick-status", "waiting")


def test_disconnect_and_reconnect(context, make_server, make_hero):
    srv = make_server()
    pg = context.new_page()
    try:
        pg.goto(f"{srv.http}/session/recon")
        expect(pg.locator("html")).to_have_attribute("data-sidekick-status", "waiting")
        hero = make_hero(srv, "recon")
        hero.wait_ui()
        hero.spawn("label", "before", {"text": "before restart"})
        expect(el(pg, "before")).to_have_text("before restart")
        srv.stop()
        hero.close(announce_offline=False)
        expect(pg.locator("html")).to_have_attribute("data-sidekick-status", "disconnected")
        # The picture is kept while the server is away.
        expect(el(pg, "before")).to_have_text("before restart")
        srv = make_server(port=srv.port)
        expect(pg.locator("html")).to_have_attribute(
            "data-sidekick-status", "waiting", timeout=15_000
        )
        hero = make_hero(srv, "recon")
        hero.wait_ui()
        expect(pg.locator("html")).to_have_attribute("data-sidekick-status", "connected")
    finally:
        pg.close()


def test_token_from_page_url_reaches_the_socket(context, make_server, make_hero):
    srv = make_server("--token", "s3cret-token")
    pg = context.new_page()
    try:
        pg.goto(f"{srv.http}/session/tok?token=s3cret-token")
        expect(pg.locator("html")).to_have_attribute("data-sidekick-status", "waiting")
        hero = make_hero(srv, "tok", query="&token=s3cret-token")
        hero.wait_ui()
        hero.spawn("label", "t", {"text": "with token"})
        expect(el(pg, "t")).to_have_text("with token")
        hero.close()
        # Without the token the page cannot get in.
        pg.goto(f"{srv.http}/session/tok")
        pg.wait_for_timeout(700)
        assert status(pg) in ("connecting", "disconnected")
    finally:
        pg.close()


def test_ui_announce_payload(page, server, session_id, make_hero):
    hero = make_hero(server, session_id)
    try:
        # The relay replays the stored announce of the page to a newcomer.
        announce = hero.wait_ui()
        payload = announce["payload"]
        assert payload["role"] == "sidekick"
        assert payload["status"] == "online"
        assert "batch" in payload["capabilities"]
        assert isinstance(payload["peerId"], str) and payload["peerId"]
        assert isinstance(payload["version"], str)
        assert isinstance(payload["timestamp"], int)
        page.close()
        # Leaving the page announces offline (or the relay does it on close).
        offline = hero.wait_for(
            lambda m: (
                m.get("type") == "announce" and (m.get("payload") or {}).get("status") == "offline"
            )
        )
        assert offline["payload"]["peerId"] == payload["peerId"]
    finally:
        hero.close()


def test_page_loads_cleanly(context, server):
    """No failed requests and no console errors on a plain load."""
    pg = context.new_page()
    problems = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    pg.on(
        "response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )
    try:
        pg.goto(f"{server.http}/")
        expect(pg.locator("html")).to_have_attribute("data-sidekick-status", "waiting")
        expect(pg.locator("header")).to_contain_text("Waiting for a script")
        pg.wait_for_timeout(300)
    finally:
        pg.close()
    assert problems == []
