"""The consent banner of the static example in real Chromium, in Polish and English.

The pages are built from companies/smartcp.yaml (with a marketing cookie added, so that the banner
has two categories to choose between), published by examples/static/publish.py with
vanilla-cookieconsent from npm, and served on 127.0.0.1. Each page gets one script per consent
category, held back by the banner until that category is accepted, that sets the category's
first-party cookies, as Google Analytics and the Meta pixel would. Skipped where Chromium,
Playwright for Python or the example's npm packages are missing.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import BUILD_DAY, ROOT, chromium_missing, copied, serving

from generator.pipeline import build
from generator.scan import AS_A_VISITOR_SCRIPT, ScanOptions
from generator.scan_report import scan_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

STATIC = ROOT / "examples" / "static"
SMARTCP = ROOT / "companies" / "smartcp.yaml"
TRACKERS = """<script type="text/plain" data-category="analytics">
document.cookie = "_ga=GA1.1.1; path=/; max-age=86400"; document.cookie = "_ga_X1Y2=GS1.1; path=/; max-age=86400";
document.cookie = "_fbp=fb.1.1; path=/; max-age=86400";
</script>
<script type="text/plain" data-category="marketing">document.cookie = "ad_id=1; path=/; max-age=86400";</script>
"""
AD_COOKIE = """  - name: ad_id
    provider: SmartAction.io Sp. z o.o.
    party: first
    category: marketing
    purpose: {pl: pomiar kampanii reklamowych, en: measures ad campaigns, de: misst Werbekampagnen}
    lifetime: 1 day
    legal_basis: consent
"""
"""A marketing cookie the example does not set, added to its facts here: the banner then has two
categories to choose between."""
NECESSARY = {"cookie_consent", "smartcp_session"}


def missing() -> str | None:
    if chromium_missing() is not None:
        return chromium_missing()
    if not (STATIC / "node_modules" / "vanilla-cookieconsent").is_dir():
        return "examples/static/node_modules is missing; run `npm ci --prefix examples/static`"
    return None


pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))


@pytest.fixture(scope="module")
def site_facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SmartCP's facts with :data:`AD_COOKIE` added."""
    facts = copied(SMARTCP, tmp_path_factory.mktemp("facts"))
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("\nautomated_decisions:", AD_COOKIE + "\nautomated_decisions:", 1), encoding="utf-8")
    return facts


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, site_facts: Path) -> Iterator[str]:
    """The published example on 127.0.0.1; yields its base address."""
    root = tmp_path_factory.mktemp("banner")
    build([site_facts], out_dir=root / "output", formats=("html", "consent"), today=BUILD_DAY)
    spec = importlib.util.spec_from_file_location("publish", STATIC / "publish.py")
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    www = root / "www"
    script.publish(root / "output", www)
    for page in www.glob("smartcp/*/privacy-policy.html"):
        page.write_text(page.read_text(encoding="utf-8").replace("</body>", TRACKERS + "</body>"), encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output clean."""

    with serving(functools.partial(Quiet, directory=str(www))) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(params=["pl", "en"])
def page(request: pytest.FixtureRequest, browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context()
    context.add_init_script(AS_A_VISITOR_SCRIPT)
    opened = context.new_page()
    opened.goto(f"{site}/smartcp/{request.param}/privacy-policy.html", wait_until="load")
    opened.wait_for_selector("#cc-main .cm", state="visible", timeout=10_000)
    try:
        yield opened
    finally:
        context.close()


def cookie_names(page: Page) -> set[str]:
    return {cookie.get("name", "") for cookie in page.context.cookies()}


def test_the_banner_appears_in_the_pages_language(page: Page) -> None:
    title = page.inner_text("#cc-main .cm__title")
    assert (
        title == {"pl": "Używamy plików cookie", "en": "We use cookies"}[page.evaluate("document.documentElement.lang")]
    )
    assert cookie_names(page) == set()


def test_reject_all_leaves_only_necessary_cookies(page: Page) -> None:
    page.click("#cc-main .cm [data-role='necessary']")
    page.wait_for_timeout(200)
    assert cookie_names(page) == {"cookie_consent"} <= NECESSARY


def test_accepting_one_category_enables_that_category_only(page: Page) -> None:
    page.click("#cc-main .cm [data-role='show']")
    page.wait_for_selector("#cc-main .pm", state="visible")
    page.check("#cc-main .pm input.section__toggle[value='analytics']", force=True)
    page.click("#cc-main .pm [data-role='save']")
    page.wait_for_timeout(200)
    assert cookie_names(page) == {"cookie_consent", "_ga", "_ga_X1Y2", "_fbp"}
    assert page.evaluate("CookieConsent.acceptedCategory('analytics')") is True
    assert page.evaluate("CookieConsent.acceptedCategory('marketing')") is False


TABLES = """() => Object.fromEntries([...document.querySelectorAll(%s)].map(table => [
  %s,
  [...table.querySelectorAll('tbody tr')].map(row => [...row.querySelectorAll('td')].slice(0, 4)
    .map(cell => cell.textContent.trim()))
]))"""


def test_the_preferences_list_the_policys_cookie_tables(page: Page) -> None:
    page.click("#cc-main .cm [data-role='show']")
    page.wait_for_selector("#cc-main .pm", state="visible")
    in_banner: dict[str, Any] = page.evaluate(
        TABLES
        % ("'#cc-main .pm table'", "table.closest('.pm__section--toggle').querySelector('input.section__toggle').value")
    )
    in_policy: dict[str, Any] = page.evaluate(
        TABLES % ("'h3[id^=cookies-] + .table-wrap table'", "table.parentElement.previousElementSibling.id.slice(8)")
    )
    assert in_banner == in_policy
    assert set(in_policy) == {"necessary", "analytics", "marketing"}


def test_scanning_the_example_after_accepting_all_finds_only_declared_cookies(
    browser: Browser, site: str, site_facts: Path
) -> None:
    options = ScanOptions(accept="all", page_timeout=10)
    seen, findings = scan_site([f"{site}/smartcp/pl/privacy-policy.html"], site_facts, options, browser=browser)
    assert sorted(seen.pages) == [f"{site}/smartcp/{language}/privacy-policy.html" for language in ("de", "en", "pl")]
    assert {name for name, _domain in seen.cookies} == {"cookie_consent", "_ga", "_ga_X1Y2", "_fbp", "ad_id"}
    assert not any(cookie.before_consent for cookie in seen.cookies.values() if cookie.name != "cookie_consent")
    # The example sets no session cookie.
    assert [(finding.rule, finding.error) for finding in findings] == [("SCAN-NOT-SEEN", False)]
    assert "'smartcp_session' was not seen on the 3 pages scanned after accepting all cookies" in str(
        findings[0].message
    )
