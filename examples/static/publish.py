"""Copy the HTML pages and PDFs of a policygen build to a web server's folder, with the consent banner.

Reads output/manifest.json, so it copies exactly what the last build made, and nothing a
killed build left half-written. From the repository root:

    .venv/bin/policygen build
    npm ci --prefix examples/static          # vanilla-cookieconsent, for the banner
    .venv/bin/python examples/static/publish.py output /var/www/example.com/privacy

Each company's pages then live at /privacy/<company>/<lang>/privacy-policy.html, with the
PDF beside them and earlier versions under /privacy/<company>/archive/. Where the build made
the company's banner configuration (output kind `consent`), it is copied to
/privacy/<company>/cookie-consent.js, vanilla-cookieconsent to /privacy/vendor/, and every
current page of the company shows the banner. On a site of your own, put the same three tags
into the layout of every page.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

PUBLISHED_FORMATS = {"html", "pdf", "consent-js"}
VENDOR = Path(__file__).resolve().parent / "node_modules" / "vanilla-cookieconsent" / "dist"
VENDOR_FILES = ("cookieconsent.umd.js", "cookieconsent.css")
BANNER = """<link rel="stylesheet" href="../../vendor/cookieconsent.css">
<script src="../../vendor/cookieconsent.umd.js"></script>
<script type="module">import config from "../cookie-consent.js"; window.CookieConsent.run(config);</script>
"""
"""The banner on a page at <company>/<lang>/: the library, then the company's configuration."""


def publish(output: Path, web_root: Path) -> list[Path]:
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    entries = [entry for entry in manifest["outputs"] if entry["format"] in PUBLISHED_FORMATS]
    with_banner = {entry["company"] for entry in entries if entry["format"] == "consent-js"}
    copied = [*_vendor(web_root)] if with_banner else []
    for entry in entries:
        target = web_root / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(output / entry["path"], target)
        current_page = entry["format"] == "html" and "/archive/" not in entry["path"]
        if current_page and entry["company"] in with_banner:
            page = target.read_text(encoding="utf-8")
            target.write_text(page.replace("</body>", BANNER + "</body>", 1), encoding="utf-8")
        copied.append(target)
    return copied


def _vendor(web_root: Path) -> list[Path]:
    if not VENDOR.is_dir():
        sys.exit(f"{VENDOR} is missing: run `npm ci --prefix examples/static` first")
    (web_root / "vendor").mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(VENDOR / name, web_root / "vendor" / name)) for name in VENDOR_FILES]


if __name__ == "__main__":
    for path in publish(Path(sys.argv[1]), Path(sys.argv[2])):
        print(path)
