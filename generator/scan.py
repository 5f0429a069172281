"""``policygen scan``: what a real site stores and contacts, seen through headless Chromium.

The browser is Debian's ``chromium``, driven by Playwright for Python through
``executable_path``: no browser is downloaded. A scan opens each page it was given, follows
the links that stay on those hosts up to a number of pages, and records every cookie (with
whether it appeared before any consent), the keys of localStorage and sessionStorage, and the
host of every request. :mod:`generator.scan_report` compares that with the facts.

Every way a page can fail (unreachable, TLS, not HTML, redirect loop, never finishing) ends in
one message; each page and the whole scan have a time limit, so a scan never hangs.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urlsplit

from generator.errors import UserError, user_error

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
INSTALL_CHROMIUM = "install Debian's chromium (as root: apt-get install chromium) or give its path with --chromium"
INSTALL_PLAYWRIGHT = "policygen scan needs Playwright for Python: pip install 'policygen[scan]'"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]
SKIPPED_SUFFIXES = (".pdf", ".zip", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".mp4", ".docx", ".xlsx")
"""Links to files rather than pages, which a crawl does not open."""

SETTLE_MS = 100
"""How long a page may run its scripts after ``load`` before its cookies are read."""

ACCEPT_ALL_SCRIPT = """() => {
  if (!window.CookieConsent || typeof window.CookieConsent.acceptCategory !== "function") return false;
  window.CookieConsent.acceptCategory("all");
  return true;
}"""

AS_A_VISITOR_SCRIPT = "Object.defineProperty(Navigator.prototype, 'webdriver', {get: () => false});"
"""Banners such as vanilla-cookieconsent hide from automated browsers; a scan must see what visitors see."""

STORAGE_KEYS_SCRIPT = """() => {
  try { return {localStorage: Object.keys(localStorage), sessionStorage: Object.keys(sessionStorage)}; }
  catch (error) { return {}; }
}"""

_NETWORK_ERRORS = {
    "ERR_NAME_NOT_RESOLVED": "the host name does not resolve",
    "ERR_CONNECTION_REFUSED": "nothing answers at that address (connection refused)",
    "ERR_CONNECTION_RESET": "the server closed the connection",
    "ERR_ADDRESS_UNREACHABLE": "the address cannot be reached",
    "ERR_TOO_MANY_REDIRECTS": "the page redirects in a loop",
    "ERR_CERT_": "its TLS certificate is not valid",
    "ERR_SSL_": "the TLS connection failed",
    "ERR_EMPTY_RESPONSE": "the server sent an empty answer",
    "ERR_ABORTED": "the page left the scanned hosts or started a download",
    "ERR_BLOCKED_BY_CLIENT": "the page redirects to a host that is not scanned",
    "ERR_UNSAFE_PORT": "browsers refuse to open that port; serve the site on another one, such as 8080",
}


@dataclass(frozen=True)
class ScanOptions:
    """How far and how long a scan goes, and whether it consents."""

    pages: int = 20
    accept: str = "none"
    """``none``: every cookie is seen before consent; ``all``: then accept through the banner and look again."""
    accept_selector: str | None = None
    """A CSS selector of the banner's "accept all" button, for banners other than vanilla-cookieconsent."""
    page_timeout: float = 15.0
    scan_timeout: float = 120.0


@dataclass(frozen=True)
class SeenCookie:
    name: str
    domain: str
    expires: float | None
    """When it expires (seconds since the epoch), or ``None`` for a session cookie."""
    first_party: bool
    before_consent: bool
    page: str
    """The page after whose loading it was first seen."""


@dataclass
class Observation:
    """Everything one scan saw."""

    started: float
    scanned: set[str]
    """The hosts (with ports) of the pages given: the crawl stays on them, their cookies are first-party."""
    pages: list[str] = field(default_factory=list)
    cookies: dict[tuple[str, str], SeenCookie] = field(default_factory=dict)
    storage: dict[tuple[str, str], str] = field(default_factory=dict)
    """(``localStorage`` or ``sessionStorage``, key) and the first page it was seen on."""
    hosts: dict[str, str] = field(default_factory=dict)
    """Every host a request went to, and the first page that made one."""
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(page, what went wrong): linked pages that could not be scanned, a crawl cut short."""


def start_urls(urls: list[str]) -> list[str]:
    """The pages given on the command line, each an http(s) address, fragments dropped."""
    checked = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise user_error(url, "only http:// and https:// pages can be scanned")
        checked.append(urldefrag(url).url)
    return checked


def chromium_path(given: Path | None) -> Path:
    """The Chromium to drive: the one given, else Debian's."""
    found = given or (DEBIAN_CHROMIUM if DEBIAN_CHROMIUM.is_file() else None)
    if found is None:
        on_path = shutil.which("chromium")
        found = Path(on_path) if on_path else None
    if found is None or not found.is_file():
        raise user_error(str(given or "chromium"), f"Chromium is not installed; {INSTALL_CHROMIUM}")
    return found


@contextmanager
def chromium(executable: Path) -> Iterator[Browser]:
    """Headless Chromium for one or more scans; closed on leaving, whatever happened."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise user_error("playwright", INSTALL_PLAYWRIGHT) from None
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, chromium_sandbox=False, timeout=60_000
            )
        except Error as error:
            raise user_error(str(executable), f"Chromium did not start: {_first_line(error)}") from None
        try:
            yield browser
        finally:
            browser.close()


def observe(browser: Browser, urls: list[str], options: ScanOptions) -> Observation:
    """Crawl from ``urls`` without consent, then, with ``accept == "all"``, accept and look again."""
    seen = Observation(started=time.time(), scanned={urlsplit(url).netloc for url in urls})
    context = browser.new_context(service_workers="block")
    try:
        context.add_init_script(AS_A_VISITOR_SCRIPT)
        context.route("**/*", lambda route: _only_our_hosts(route, seen))
        visit = _Visitor(context.new_page(), options, seen)
        visit.crawl(urls)
        if options.accept == "all":
            visit.accept(urls[0])
            for url in list(seen.pages):
                if visit.out_of_time():
                    break
                visit.load(url, before_consent=False)
    finally:
        context.close()
    return seen


class _Visitor:
    """One browser tab going from page to page within the scan's time limit."""

    def __init__(self, page: Page, options: ScanOptions, seen: Observation) -> None:
        self.page, self.options, self.seen = page, options, seen
        self.deadline = time.monotonic() + options.scan_timeout

    def out_of_time(self) -> bool:
        if time.monotonic() < self.deadline:
            return False
        stopped = f"the scan stopped at its time limit of {self.options.scan_timeout:g} s"
        self.seen.problems.append((self.page.url, stopped))
        return True

    def time_left(self) -> float:
        """The page's time limit, cut short by the scan's (seconds)."""
        return max(0.1, min(self.options.page_timeout, self.deadline - time.monotonic()))

    def crawl(self, urls: list[str]) -> None:
        """Breadth first from the given pages, on their hosts, up to ``options.pages`` pages."""
        queue, queued = list(urls), set(urls)
        while queue and len(self.seen.pages) < self.options.pages and not self.out_of_time():
            url = queue.pop(0)
            try:
                links = self.load(url, before_consent=True)
            except UserError as error:
                if url in urls:
                    raise
                self.seen.problems.extend((url, message.message) for message in error.messages)
                continue
            for link in links:
                target = urldefrag(link).url
                parts = urlsplit(target)
                if (
                    parts.scheme in ("http", "https")
                    and parts.netloc in self.seen.scanned
                    and target not in queued
                    and not parts.path.lower().endswith(SKIPPED_SUFFIXES)
                ):
                    queued.add(target)
                    queue.append(target)

    def load(self, url: str, *, before_consent: bool) -> list[str]:
        """Load one page, record what it left behind, and return its links."""
        from playwright.sync_api import Error

        limit = self.time_left()
        try:
            response = self.page.goto(url, wait_until="load", timeout=limit * 1000)
        except Error as error:
            raise user_error(url, _page_failure(error, limit)) from None
        if response is None:
            raise user_error(url, "the browser got no answer")
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith(("text/html", "application/xhtml+xml")):
            raise user_error(url, f"not an HTML page (Content-Type: {content_type or 'none'})")
        if response.status >= 400:
            raise user_error(url, f"the server answered {response.status}")
        landed = urlsplit(self.page.url).netloc
        if landed not in self.seen.scanned:
            raise user_error(url, f"the page redirects to {landed}, which is not among the scanned hosts")
        self.page.wait_for_timeout(SETTLE_MS)
        if before_consent:
            self.seen.pages.append(url)
        self._record(url, before_consent=before_consent)
        links: list[str] = self.page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
        return links

    def _record(self, url: str, *, before_consent: bool) -> None:
        seen = self.seen
        site = {urlsplit(f"//{netloc}").hostname or "" for netloc in seen.scanned}
        for cookie in self.page.context.cookies():
            name, domain = cookie.get("name", ""), cookie.get("domain", "").lstrip(".")
            if (name, domain) in seen.cookies:
                continue
            expires = cookie.get("expires", -1)
            seen.cookies[name, domain] = SeenCookie(
                name=name,
                domain=domain,
                expires=None if expires < 0 else float(expires),
                first_party=any(host == domain or host.endswith("." + domain) for host in site),
                before_consent=before_consent,
                page=url,
            )
        stored: dict[str, list[str]] = self.page.evaluate(STORAGE_KEYS_SCRIPT)
        for area, keys in stored.items():
            for key in keys:
                seen.storage.setdefault((area, key), url)

    def accept(self, url: str) -> None:
        """Consent to everything on the first page, through the banner's API or its button."""
        from playwright.sync_api import Error

        limit = self.time_left() * 1000
        try:
            self.page.goto(url, wait_until="load", timeout=limit)
            if self.options.accept_selector:
                self.page.click(self.options.accept_selector, timeout=limit)
            elif not self.page.evaluate(ACCEPT_ALL_SCRIPT):
                raise user_error(
                    url,
                    "no vanilla-cookieconsent banner (window.CookieConsent) on this page; "
                    "give the accept button's CSS selector with --accept-selector",
                )
            self.page.wait_for_timeout(SETTLE_MS)
        except Error as error:
            raise user_error(url, f"could not accept the cookies: {_first_line(error)}") from None


def _only_our_hosts(route: Route, seen: Observation) -> None:
    """Record every request's host; a page loaded in the main frame must stay on the scanned hosts."""
    request = route.request
    parts = urlsplit(request.url)
    if parts.scheme in ("http", "https") and parts.hostname:
        frame_url = request.frame.url if request.frame else ""
        seen.hosts.setdefault(parts.hostname, frame_url or request.url)
    leaves = request.is_navigation_request() and request.frame.parent_frame is None and parts.netloc not in seen.scanned
    if leaves:
        route.abort("blockedbyclient")
    else:
        route.continue_()


def _page_failure(error: Exception, limit: float) -> str:
    text = str(error)
    if type(error).__name__ == "TimeoutError" or "Timeout" in text.split("\n", 1)[0]:
        return f"the page did not finish loading within {limit:g} s"
    reported = re.search(r"net::ERR_[A-Z_]+", text)
    for code, meaning in _NETWORK_ERRORS.items():
        if reported and reported[0].startswith(f"net::{code}"):
            return f"{meaning} ({reported[0]})"
    return f"the page could not be opened: {_first_line(error)}"


def _first_line(error: Exception) -> str:
    return str(error).strip().split("\n", 1)[0]
