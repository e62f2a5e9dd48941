"""The demo dashboard in a real browser: Debian's headless Chromium, driven by Playwright.

Playwright's own browser download cannot work here, so the tests launch the system's
`chromium` (`apt-get install chromium`; `.ci/run` installs it). In CI a missing Chromium
fails these tests with a message saying so; elsewhere they are skipped with that reason.
Screenshots of the overview and the gallery go under each test's tmp dir; their paths
are printed at the end of the run.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import IMAGES

UI = "/_ulmock/ui"
ACME_KEY = "ul_f8a4be67435ee1949c942d5dc740cd98d9850ad0"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDE = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
demo = pytest.mark.ulmock(scenario="demo")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}; the dashboard's browser tests cannot run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (it is in the test extras: pip install -e '.[test]')")
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("Chromium could not be installed: no `chromium` on PATH (apt-get install -y chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Any]:
    """`open_page(url, viewport=WIDE)`: a fresh browser context; no script error may occur."""
    contexts, errors = [], []

    def open_(url: str, viewport: dict[str, int] = WIDE) -> Any:
        context = chromium.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, errors


def screenshot(page: Any, request: pytest.FixtureRequest, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    request.node.user_properties.append(("screenshot", str(path)))
    print(f"screenshot: {path}")


def epochs_drawn(page: Any) -> int:
    return int(page.locator("article.training svg.curve").first.get_attribute("data-epochs-done"))


@demo
def test_overview_shows_the_demo_worlds_accounts(ulmock, open_page, request, tmp_path):
    ulmock.clock.advance(seconds=90)  # a few epochs in, so the screenshot has curves
    page = open_page(f"{ulmock.url}{UI}/")
    rows = page.locator("table.accounts tbody tr")
    assert rows.count() == 3
    for username, plan in (("lena", "free"), ("acme-vision", "pro"), ("globex", "enterprise")):
        row = page.locator(f'tr[data-account="{username}"]')
        assert row.is_visible()
        assert row.locator(".plan").inner_text() == plan
        assert row.locator("button.copy").count() == 1
    assert page.locator("[data-scenario]").inner_text() == "demo"
    assert "manual clock" in page.locator(".clock").inner_text()
    assert epochs_drawn(page) > 0
    screenshot(page, request, tmp_path / "overview-1400.png")
    phone = open_page(f"{ulmock.url}{UI}/", PHONE)
    assert phone.locator('tr[data-account="globex"]').count() == 1
    # Nothing but the tables' own scrolling is wider than a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, request, tmp_path / "overview-390.png")


@pytest.mark.ulmock(scenario="demo", admin_token="demo-admin")
def test_a_trainings_curve_grows_after_advancing_the_clock_from_the_page(ulmock, open_page):
    page = open_page(f"{ulmock.url}{UI}/?token=demo-admin")  # behind the admin token, as a demo would be
    assert page.url == f"{ulmock.url}{UI}/"
    assert epochs_drawn(page) == 0  # queued: no epoch yet
    page.click("button[data-seconds='60']")
    page.wait_for_function("() => +document.querySelector('article.training svg.curve').dataset.epochsDone > 0")
    first = epochs_drawn(page)
    points = page.locator('polyline[data-metric="metrics/mAP50(B)"]').first.get_attribute("points")
    assert len(points.split()) == first
    page.fill("#advance-amount", "1")
    page.select_option("#advance-unit", "60")
    page.click("button[data-action='advance-custom']")
    page.wait_for_function(f"() => +document.querySelector('article.training svg.curve').dataset.epochsDone > {first}")
    assert len(page.locator('polyline[data-metric="metrics/mAP50(B)"]').first.get_attribute("points").split()) > first
    with ulmock.emulator.lock:
        training = next(t for a in ulmock.platform.world.trainings.by_account.values() for t in a.values())
        assert training.current_epoch == epochs_drawn(page)


@demo
def test_the_journal_shows_a_request_just_made(ulmock, open_page):
    page = open_page(f"{ulmock.url}{UI}/")
    assert page.locator("table.journal td.path", has_text="/api/projects").count() == 0
    assert ulmock.http_client(ACME_KEY).get("/api/projects?limit=2").status_code == 200
    row = page.locator("table.journal tbody tr", has_text="/api/projects?limit=2")
    row.wait_for()  # the page refreshes itself, once a second
    assert re.sub(r"\s+", " ", row.inner_text()).strip().endswith("GET /api/projects?limit=2 200 acme-vision")


@demo
def test_the_gallery_draws_boxes_over_the_real_images(ulmock, open_page, request, tmp_path):
    page = open_page(f"{ulmock.url}{UI}/accounts/acme-vision")
    page.locator("tr[data-dataset]", has_text="Street Scenes").get_by_role("link", name="Gallery").click()
    page.wait_for_selector("figure.tile")
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    tile = page.locator('figure.tile[data-image="dog.jpg"]')
    image, boxes = tile.locator("img").bounding_box(), tile.locator("svg.boxes rect")
    assert boxes.count() == 3
    for n in range(boxes.count()):
        box = boxes.nth(n).bounding_box()
        assert box["width"] > 10 and box["height"] > 10
        assert image["x"] - 2 <= box["x"] and box["x"] + box["width"] <= image["x"] + image["width"] + 2
        assert image["y"] - 2 <= box["y"] and box["y"] + box["height"] <= image["y"] + image["height"] + 2
    assert sorted(tile.locator(".tag").all_inner_texts()) == ["bicycle", "car", "dog"]
    screenshot(page, request, tmp_path / "gallery-1400.png")
    phone = open_page(page.url, PHONE)
    phone.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    screenshot(phone, request, tmp_path / "gallery-390.png")


@demo
def test_the_playground_answers_an_image(ulmock, open_page):
    with ulmock.emulator.lock:
        model = next(
            m
            for t in ulmock.platform.world.models.by_account.values()
            for m in t.values()
            if m.name == "street-detector-v1"
        )
    page = open_page(f"{ulmock.url}{UI}/accounts/acme-vision")
    page.locator(f'tr[data-model="{model.id}"]').get_by_role("link", name="Try it").click()
    assert page.locator("select[name=modelId]").input_value() == model.id
    page.set_input_files("#predict-file", str(IMAGES / "dog.jpg"))
    page.wait_for_selector("#predict-result:not([hidden])")
    assert "by bundled/yolov3-tiny" in page.locator("#predict-status").inner_text()
    assert page.locator("#predict-boxes rect").count() >= 2
    assert any(t.startswith("dog ") for t in page.locator("#predict-frame .tag").all_inner_texts())


@demo
def test_steering_from_the_page_goes_through_the_control_api(ulmock, open_page):
    page = open_page(f"{ulmock.url}{UI}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.fill("#clock-speed", "60")
    page.click("button[data-action=clock-speed]")
    page.locator(".clock", has_text="real time ×60").wait_for()
    page.click("button[data-mode=manual]")
    page.locator(".clock", has_text="manual clock").wait_for()
    assert ulmock.emulator.clock.describe()["mode"] == "manual" and ulmock.emulator.clock.describe()["speed"] == 60
    page.fill("form[data-action=account-create] input[name=username]", "newcomer")
    page.select_option("form[data-action=account-create] select[name=plan]", "pro")
    page.click("form[data-action=account-create] button[type=submit]")
    page.locator('tr[data-account="newcomer"]').wait_for()
    page.fill("form[data-action=fault-add] input[name=path]", "/api/projects")
    page.fill("form[data-action=fault-add] input[name=status]", "503")
    page.click("form[data-action=fault-add] button[type=submit]")
    page.locator("tr[data-fault]", has_text="/api/projects").wait_for()
    assert ulmock.http_client(ACME_KEY).get("/api/projects").status_code == 503
    page.click("button[data-action=faults-clear]")
    page.locator("tr[data-fault]").wait_for(state="detached")
    with page.expect_download() as download:
        page.click("button[data-action=snapshot-download]")
    snapshot = Path(download.value.path()).read_text()
    assert '"newcomer"' in snapshot
    page.select_option("form[data-action=scenario] select", "minimal")
    page.click("form[data-action=scenario] button[type=submit]")
    page.locator('tr[data-account="ci-user"]').wait_for()
    page.set_input_files(
        "input[data-action=snapshot-upload]",
        files=[{"name": "s.json", "mimeType": "application/json", "buffer": snapshot.encode()}],
    )
    page.locator('tr[data-account="newcomer"]').wait_for()
    # Loading the scenario cleared the journal; what the page did since is control-API calls.
    assert [(e.method, e.path) for e in ulmock.requests(path="/_ulmock/")] == [
        ("POST", "/_ulmock/scenario"),
        ("PUT", "/_ulmock/snapshot"),
    ]
    page.click("button[data-action=reset]")  # back to the start of the scenario now loaded: minimal
    page.locator('tr[data-account="newcomer"]').wait_for(state="detached")
    assert page.locator('tr[data-account="ci-user"]').count() == 1


@demo
def test_billing_opens_the_checkout_page_ulmock_hosts_and_paying_shows_in_the_balance(ulmock, open_page):
    page = open_page(f"{ulmock.url}{UI}/accounts/lena")
    assert page.locator("dl.balance dd").first.inner_text() == "$5.00"  # the sign-up credit
    page.fill("#topup-amount", "25")
    with page.context.expect_page() as opened:
        page.click("button[data-action=checkout]")
    checkout = opened.value
    checkout.wait_for_url(re.compile(r"/billing/checkout/cs_"))
    checkout.click("button[type=submit]")
    checkout.get_by_text("Payment succeeded").first.wait_for()
    page.locator("ul.plain li", has_text="Credit top-up $25").wait_for()
    assert page.locator("dl.balance dd").first.inner_text() == "$30.00"
