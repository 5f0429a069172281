"""``policygen scan`` against small sites served on 127.0.0.1 by the tests; ``localhost`` is the third party.

One Chromium serves the whole module. Skipped, with the reason, where Chromium or Playwright
for Python is missing (`make browser-deps` installs Chromium).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import ROOT, chromium_missing, serving

from generator.errors import UserError
from generator.scan import ScanOptions
from generator.scan_report import Finding, scan_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SHOP = ROOT / "tests" / "fixtures" / "scan" / "shop.yaml"
FAST = ScanOptions(page_timeout=3, scan_timeout=60)


pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))

Reply = tuple[int, dict[str, str], bytes]
NEVER_ENDS = b"<never ends>"
HOLDING: Reply = (200, {"Content-Type": "text/html"}, NEVER_ENDS)


@dataclass
class Site:
    """A site on 127.0.0.1: a function from path to reply, and the paths it was asked for."""

    reply: Callable[[str], Reply]
    asked: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def page(body: str, *, cookies: tuple[str, ...] = ()) -> Reply:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    html = f"<!doctype html><html lang='en'><head><title>shop</title></head><body>{body}</body></html>"
    reply: Reply = (200, headers, html.encode())
    for number, cookie in enumerate(cookies):
        headers[f"Set-Cookie{number}"] = cookie
    return reply


@contextmanager
def serve(site: Site) -> Iterator[int]:
    """Serve ``site`` on 127.0.0.1 in a thread; yields the port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.asked.append(self.path)
            status, headers, body = site.reply(self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.rstrip("0123456789"), value)
            if body is NEVER_ENDS:
                # The headers and half a page, then nothing until the test ends.
                self.end_headers()
                self.wfile.write(b"<!doctype html><html><body>loading")
                self.wfile.flush()
                site.release.wait(30)
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output clean."""

    with serving(Handler) as port:
        try:
            yield port
        finally:
            site.release.set()


def scanned(browser: Browser, site: Site, options: ScanOptions = FAST, path: str = "/") -> list[Finding]:
    with serve(site) as port:
        _seen, findings = scan_site([f"http://127.0.0.1:{port}{path}"], SHOP, options, browser=browser)
    return findings


CONSENT_API = """<script>window.CookieConsent = {acceptCategory(all) {
  document.cookie = "_ex_G12AB=1; max-age=86400"; document.cookie = "ad_id=1; max-age=86400";
}};</script>"""
STORES_CART = "<script>localStorage.setItem('cart', '[]');</script>"
CLEAN = (
    "<a href='/about'>about</a> <a href='/about#team'>team</a> <a href='/price-list.pdf'>prices</a>"
    + STORES_CART
    + CONSENT_API
)
NECESSARY = ("shop_session=abc; Path=/; HttpOnly", "cookie_consent=x; Path=/; Max-Age=86400")


def clean(path: str) -> Reply:
    return page(CLEAN, cookies=NECESSARY) if path == "/" else page("<a href='/'>home</a>")


def policygen_scan(*arguments: str) -> tuple[int, str, str]:
    """``policygen scan`` in its own process (Playwright's sync API allows one driver per thread)."""
    command = [sys.executable, "-m", "generator", "scan", *arguments, "--facts", str(SHOP)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd=ROOT)
    return completed.returncode, completed.stdout, completed.stderr


def texts(findings: list[Finding]) -> list[str]:
    return [str(finding.message) for finding in findings]


def test_a_clean_site_gives_no_finding(browser: Browser) -> None:
    site = Site(clean)
    assert texts(scanned(browser, site)) == []
    assert sorted(site.asked) == ["/", "/about"]


def test_accepting_all_finds_the_consent_cookies_declared(browser: Browser) -> None:
    findings = scanned(browser, Site(clean), ScanOptions(page_timeout=3, accept="all"))
    assert texts(findings) == []


def test_an_undeclared_cookie_is_an_error_located_at_the_cookies(browser: Browser) -> None:
    site = Site(lambda path: page(CLEAN, cookies=(*NECESSARY, "visitor_id=7; Path=/")))
    (finding,) = scanned(browser, site)
    assert finding.error
    assert str(finding.message).startswith(
        f"{SHOP.relative_to(ROOT)}:88:1: cookies: SCAN-UNDECLARED-COOKIE: the cookie 'visitor_id' (127.0.0.1, "
        "first party) is set (first seen on http://127.0.0.1:"
    )


def test_a_marketing_cookie_before_consent_is_an_error_at_its_category(browser: Browser) -> None:
    site = Site(
        lambda path: page(CLEAN + "<script>document.cookie = 'ad_id=1; max-age=600';</script>", cookies=NECESSARY)
    )
    (finding,) = scanned(browser, site)
    assert finding.error
    assert str(finding.message).startswith(
        f"{SHOP.relative_to(ROOT)}:114:5: cookies[3].category: SCAN-BEFORE-CONSENT: the marketing cookie 'ad_id'"
    )


def test_a_pattern_matches_and_a_longer_lifetime_is_a_warning(browser: Browser) -> None:
    long_lived = ("shop_session=abc; Path=/", "cookie_consent=x; Path=/; Max-Age=34560000")
    site = Site(lambda path: page(CLEAN, cookies=long_lived))
    (finding,) = scanned(browser, site)
    assert not finding.error
    assert "cookies[0].lifetime: warning: SCAN-LIFETIME: the cookie 'cookie_consent'" in str(finding.message)
    assert "is kept 400 days" in str(finding.message)
    assert "longer than the declared 6 months" in str(finding.message)


def test_an_unknown_third_party_host_is_named_and_never_crawled(browser: Browser) -> None:
    other = Site(lambda path: (200, {"Content-Type": "image/gif"}, b"GIF89a"))
    with serve(other) as other_port:
        third_party = f"http://localhost:{other_port}"
        body = f"<img src='{third_party}/pixel.gif' alt=''><a href='{third_party}/elsewhere'>elsewhere</a>"
        (finding,) = scanned(browser, Site(lambda path: page(CLEAN + body, cookies=NECESSARY)))
    assert not finding.error
    assert str(finding.message).startswith(
        f"{SHOP.relative_to(ROOT)}:73:1: recipients: warning: SCAN-UNKNOWN-HOST: "
        "the site contacts localhost (first from"
    )
    assert set(other.asked) == {"/pixel.gif"}


def test_the_crawl_stops_at_the_page_limit_on_a_site_of_a_thousand_pages(browser: Browser) -> None:
    def thousand(path: str) -> Reply:
        number = int(path.rsplit("/", 1)[1] or 0)
        links = "".join(f"<a href='/p/{(number + step) % 1000}'>next</a>" for step in (1, 2, 3))
        return page(links + STORES_CART, cookies=NECESSARY)

    site = Site(thousand)
    with serve(site) as port:
        seen, findings = scan_site([f"http://127.0.0.1:{port}/p/0"], SHOP, ScanOptions(pages=7), browser=browser)
    assert len(seen.pages) == 7
    assert len(set(site.asked)) == 7
    assert texts(findings) == []


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ((302, {"Location": "/"}, b""), "the page redirects in a loop (net::ERR_TOO_MANY_REDIRECTS)"),
        (HOLDING, "the page did not finish loading within 3 s"),
        ((200, {"Content-Type": "application/json"}, b"{}"), "not an HTML page (Content-Type: application/json)"),
        ((500, {"Content-Type": "text/html"}, b"oops"), "the server answered 500"),
    ],
    ids=["redirect-loop", "never-finishes", "not-html", "server-error"],
)
def test_a_page_that_cannot_be_scanned_gives_one_message(browser: Browser, reply: Reply, message: str) -> None:
    with pytest.raises(UserError) as raised, serve(Site(lambda path: reply)) as port:
        scan_site([f"http://127.0.0.1:{port}/"], SHOP, FAST, browser=browser)
    assert str(raised.value) == f"http://127.0.0.1:{port}/: {message}"


def test_a_linked_page_that_fails_is_a_warning_and_the_crawl_goes_on(browser: Browser) -> None:
    def broken_link(path: str) -> Reply:
        if path == "/slow":
            return HOLDING
        return page(CLEAN + "<a href='/slow'>slow</a>", cookies=NECESSARY)

    (finding,) = scanned(browser, Site(broken_link))
    assert str(finding.message).endswith("/slow: warning: SCAN-PAGE: the page did not finish loading within 3 s")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "file:///etc/passwd: only http:// and https:// pages can be scanned"),
        ("javascript:alert(1)", "javascript:alert(1): only http:// and https:// pages can be scanned"),
    ],
)
def test_only_web_pages_are_scanned(url: str, message: str) -> None:
    assert policygen_scan(url) == (1, "", message + "\n")


def test_unreachable_and_tls_errors_exit_1_with_one_line() -> None:
    with serve(Site(clean)) as port:
        tls = policygen_scan(f"https://127.0.0.1:{port}/", "--page-timeout", "5")
    refused = policygen_scan(f"http://127.0.0.1:{port}/", "--page-timeout", "5")
    assert tls == (1, "", f"https://127.0.0.1:{port}/: the TLS connection failed (net::ERR_SSL_PROTOCOL_ERROR)\n")
    assert refused == (
        1,
        "",
        f"http://127.0.0.1:{port}/: nothing answers at that address (connection refused)"
        " (net::ERR_CONNECTION_REFUSED)\n",
    )


def test_a_port_browsers_refuse_is_named_so() -> None:
    # Port 9 (discard) is one of the ports Chromium never opens: the scan printed Playwright's own words for it.
    assert policygen_scan("http://127.0.0.1:9/", "--page-timeout", "5") == (
        1,
        "",
        "http://127.0.0.1:9/: browsers refuse to open that port; serve the site on another one, such as 8080"
        " (net::ERR_UNSAFE_PORT)\n",
    )


def test_json_for_ci_and_exit_1_on_errors() -> None:
    site = Site(lambda path: page(CLEAN, cookies=(*NECESSARY, "visitor_id=7; Path=/")))
    with serve(site) as port:
        code, out, _err = policygen_scan(f"http://127.0.0.1:{port}/", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["pages"] == [f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/about"]
    assert [(row["rule"], row["severity"], row["field"], row["line"]) for row in report["findings"]] == [
        ("SCAN-UNDECLARED-COOKIE", "error", "cookies", 88)
    ]


def test_a_clean_site_exits_0_with_a_summary() -> None:
    with serve(Site(clean)) as port:
        assert policygen_scan(f"http://127.0.0.1:{port}/") == (0, "2 pages scanned: 0 errors, 0 warnings\n", "")


def test_without_chromium_the_scan_says_how_to_install_it(tmp_path: Path) -> None:
    absent = tmp_path / "chromium"
    assert policygen_scan("http://127.0.0.1:9/", "--chromium", str(absent)) == (
        1,
        "",
        f"{absent}: Chromium is not installed; install Debian's chromium (as root: apt-get install chromium) "
        "or give its path with --chromium\n",
    )


def test_without_playwright_the_scan_says_how_to_install_it() -> None:
    without = (
        "import sys; sys.modules['playwright'] = None; from generator.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    command = [sys.executable, "-c", without, "scan", "http://127.0.0.1:9/", "--facts", str(SHOP)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, cwd=ROOT)
    assert (completed.returncode, completed.stdout, completed.stderr) == (
        1,
        "",
        "playwright: policygen scan needs Playwright for Python: pip install 'policygen[scan]'\n",
    )


def test_an_undeclared_storage_key_is_a_warning(browser: Browser) -> None:
    writes = "<script>sessionStorage.setItem('ab_test', 'b');</script>"
    (finding,) = scanned(browser, Site(lambda path: page(CLEAN + writes, cookies=NECESSARY)))
    assert not finding.error
    assert str(finding.message).startswith(
        f"{SHOP.relative_to(ROOT)}:88:1: cookies: warning: SCAN-UNDECLARED-STORAGE: sessionStorage key 'ab_test' is "
        "written (first seen on http://127.0.0.1:"
    )
