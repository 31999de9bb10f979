"""The stack's UI in a real browser (Debian's Chromium, driven by Playwright): the asset catalog
shows every group; the screenshot is kept in test-artifacts/ for a person to look at."""

import contextlib
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dagster_project.definitions import defs

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPOSITORY_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def dismiss_first_visit_dialog(page: Page) -> None:
    """The UI opens a dialog on a first visit ("Notify me about Dagster security updates") over
    whatever the test clicks, at a moment of its own: skip it whenever it shows."""
    page.add_locator_handler(
        page.get_by_text("Notify me about Dagster security updates"),
        lambda: page.get_by_role("button", name="Skip").first.click(),
    )


def screenshot_asset_catalog(webserver_url: str, screenshot: Path) -> str:
    """Open the UI's asset catalog, wait until every group of the code location shows, save a
    full-page screenshot; return the page's text."""
    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.materializable_asset_keys}
    screenshot.parent.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            # tall enough that the virtualised table renders every asset row
            page = browser.new_page(viewport={"width": 1400, "height": 3200})
            dismiss_first_visit_dialog(page)
            page.goto(f"{webserver_url}/assets")
            page.get_by_text("reference_code_location").first.wait_for(timeout=60_000)
            for group in sorted(groups):  # each asset row links to its group's lineage
                page.locator(f"a[href*='group%3A\"{group}\"']").first.wait_for(timeout=30_000)
            # For the person looking at the screenshot (not a condition of the test): the
            # statuses loaded and the first-visit dialog dismissed.
            # (The UI's content security policy forbids evaluating strings: poll from here.)
            loading = page.get_by_text("Loading...", exact=True)
            for _ in range(60):
                if loading.count() == 0:
                    break
                page.wait_for_timeout(500)
            with contextlib.suppress(PlaywrightTimeoutError):
                page.get_by_role("button", name="Skip").first.click(timeout=5_000)
            page.screenshot(path=str(screenshot), full_page=True)
            return page.inner_text("body")
        finally:
            browser.close()


def test_the_asset_catalog_shows_every_group(native_stack):
    screenshot = ARTIFACTS / "asset-catalog.png"

    screenshot_asset_catalog(native_stack.webserver_url, screenshot)

    assert screenshot.stat().st_size > 10_000
