"""The docs page in a real browser: headless Chromium (Debian's `chromium`, driven by
Playwright pointed at it; nothing downloads a browser) opens /elements/api-v2/docs, sees the
operations rendered, authorizes with an Element token and runs "try it out" on
GET /hubs/crm/contacts against the sandbox.

Without a browser the test skips, saying how to get one; with CONNECTOR_REQUIRE_BROWSER=1
(set by .ci/run) it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

CHROMIUM = os.environ.get("CONNECTOR_CHROMIUM") or shutil.which("chromium") or ""
HOW = (
    "install Debian's browser (`apt-get install -y chromium`) and the test extra "
    "(`pip install -e '.[test]'`, which brings Playwright); never `playwright install`"
)
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "Playwright is not installed"
    if missing is None and not os.access(CHROMIUM, os.X_OK):
        missing = "no Chromium found"
    if missing is not None:
        if os.environ.get("CONNECTOR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{missing} and CONNECTOR_REQUIRE_BROWSER=1: {HOW}")
        pytest.skip(f"{missing}: {HOW}")
    with sync_playwright() as driver:
        launched = driver.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=LAUNCH_ARGS,
        )
        try:
            yield launched
        finally:
            launched.close()


def test_try_it_out_lists_contacts_from_the_sandbox(browser, hub, live_server):
    expected = hub.ok("GET", "contacts", params={"pageSize": 2})
    page = browser.new_page()
    page.set_default_timeout(20_000)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url),
    )
    page.goto(f"{live_server.url}/elements/api-v2/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 20  # every operation of openapi.yaml rendered

    page.click("button.authorize")
    scheme = page.locator(".auth-container").filter(has_text="hub")
    scheme.locator("input").fill(hub.headers["Authorization"])
    scheme.locator("button.authorize").click()
    page.click("button.btn-done")

    operation = page.locator("#operations-hub-listRecords")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    # any hub segment is served since #18: a text field, not a choice of crm and helpdesk
    operation.locator("tr[data-param-name='hub'] input").fill("crm")
    operation.locator("tr[data-param-name='object'] input").fill("contacts")
    operation.locator("tr[data-param-name='pageSize'] input").fill("2")
    operation.locator("button.execute").click()

    status = operation.locator(".live-responses-table .response .response-col_status")
    status.wait_for()
    assert status.first.inner_text().strip().startswith("200")
    shown = operation.locator(".live-responses-table .response-col_description pre").first
    rows = json.loads(shown.inner_text())
    assert [r["id"] for r in rows] == [r["id"] for r in expected]
    assert [r.get("lastName") for r in rows] == [r.get("lastName") for r in expected]
    assert outside == []  # nothing fetched from anywhere but this service
