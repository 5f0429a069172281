"""The time ``policygen scan`` takes on a local site, for ``make bench``.

A site of many linked pages is served on 127.0.0.1 in a thread; each page sets a declared
cookie and a localStorage key, as a shop's pages do. The measurement covers what a user
waits for: Chromium starting, the crawl, and the comparison with the facts.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

from generator.errors import UserError
from generator.scan import ScanOptions, chromium_path
from generator.scan_report import scan_site

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "tests" / "fixtures" / "scan" / "shop.yaml"
SCANNED_PAGES = 20


class _Shop(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        number = int(self.path.rsplit("/", 1)[1] or 0)
        links = "".join(f"<a href='/p/{(number + step) % 500}'>page</a> " for step in (1, 2, 3))
        body = (
            f"<!doctype html><html lang='en'><head><title>page {number}</title></head><body><h1>Page {number}</h1>"
            f"{links}<script>localStorage.setItem('cart', '[]');</script></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Set-Cookie", "shop_session=abc; Path=/; HttpOnly")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the benchmark's output clean."""


def twenty_page_scan() -> float | None:
    """Seconds for ``policygen scan --pages 20`` of the local site; None without Chromium or Playwright."""
    try:
        chromium_path(None)
        import playwright  # noqa: F401
    except (UserError, ImportError):
        return None
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Shop)
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.perf_counter()
        seen, _findings = scan_site(
            [f"http://127.0.0.1:{server.server_address[1]}/p/0"], SHOP, ScanOptions(pages=SCANNED_PAGES)
        )
        elapsed = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    if len(seen.pages) != SCANNED_PAGES:
        raise RuntimeError(f"the scan opened {len(seen.pages)} pages instead of {SCANNED_PAGES}")
    return elapsed
