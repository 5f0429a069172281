"""The HTML pages in a real browser: Debian's headless Chromium, driven by tests/browser/audit.mjs.

Per company and language, at 1280 and at 375 CSS pixels (and at 375 in a dark colour scheme): a
full-page screenshot, nothing wider than the viewport, no table hiding columns in its scrolling
wrapper, no WCAG 2.1 A/AA violation that axe-core finds,
every in-page link (contents, cross-references) landing on an element, and no request beyond the
page's own files. Skipped where Chromium, Node.js or the npm packages are missing; `make browser-deps`
installs them. POLICYGEN_SCREENSHOTS=folder keeps a copy of the screenshots.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILD_DAY, ROOT, copied

from generator.pipeline import build
from generator.validation import load_company

BROWSER = ROOT / "tests" / "browser"
AUDIT = BROWSER / "audit.mjs"
COMPANIES = sorted((ROOT / "companies").glob("*.yaml"))
PAGES = [f"{facts.stem}/{language}" for facts in COMPANIES for language in load_company(facts).document.languages]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# A page with one fault of each kind the audit must catch, so that a clean report means something.
CANARY = """<!DOCTYPE html>
<html><head><title>canary</title><link rel="stylesheet" href="https://example.invalid/site.css"></head>
<body><main><img src="missing.png"><a href="#nowhere">gone</a> <a href="#here">here</a><p id="here">x</p>
<p style="width: 1400px">wide</p>
<div class="table-wrap" style="overflow-x: auto"><table style="width: 1500px"><tr><td>x</td></tr></table></div>
</main>
</body></html>
"""

Result = dict[str, Any]


def chromium() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if chromium() is None:
        return "Chromium is not installed (/usr/bin/chromium or chromium on PATH); `make browser-deps` installs it"
    if shutil.which("node") is None:
        return "Node.js is not installed (node on PATH)"
    for package in ("playwright-core", "axe-core"):
        if not (BROWSER / "node_modules" / package).is_dir():
            return f"tests/browser/node_modules/{package} is missing; run `npm ci --prefix tests/browser`"
    return None


pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    """Every example company built (Markdown and HTML) and audited, with the canary, in one browser run."""
    root = tmp_path_factory.mktemp("browser")
    out = root / "out"
    facts = [copied(path, root / "facts") for path in COMPANIES]
    build(facts, out_dir=out, formats=("md", "html"), today=BUILD_DAY)
    canary = root / "canary" / "page" / "canary.html"
    canary.parent.mkdir(parents=True)
    canary.write_text(CANARY, encoding="utf-8")

    pages = [out / page / "privacy-policy.html" for page in PAGES]
    node = shutil.which("node")
    assert node is not None
    completed = subprocess.run(
        [node, str(AUDIT), "--out", str(root / "screenshots"), *map(str, pages), str(canary)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "CHROMIUM": str(chromium())},
    )
    # 0: all clean, 1: some page has a finding (the canary always does); anything else is a crash.
    assert completed.returncode in (0, 1), completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    by_page = {str(Path(result["page"]).relative_to(out).parent): result for result in results[:-1]}
    by_page["canary"] = results[-1]

    keep = os.environ.get("POLICYGEN_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for result in results[:-1]:
            for screenshot in result["screenshots"].values():
                shutil.copy2(screenshot, keep)
    return by_page


def report(violations: list[Result]) -> str:
    return "\n".join(
        f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
        + "\n".join(f"  {node['target']}: {node['failureSummary']}" for node in violation["nodes"])
        for violation in violations
    )


def test_every_page_audited(audited: dict[str, Result]) -> None:
    assert sorted(audited) == sorted([*PAGES, "canary"])


def test_the_audit_catches_faults(audited: dict[str, Result]) -> None:
    canary = audited["canary"]
    for viewport in ("desktop", "phone"):
        assert {"html-has-lang", "image-alt"} <= {violation["id"] for violation in canary["violations"][viewport]}
    assert canary["brokenAnchors"] == [{"href": "#nowhere", "text": "gone"}]
    assert canary["anchors"] == 2
    assert canary["blockedRequests"] == ["https://example.invalid/site.css"]
    for viewport in ("desktop", "phone"):
        assert "p spans 8..1408px" in canary["overflowing"][viewport]
        assert len(canary["scrolled"][viewport]) == 1


@pytest.mark.parametrize("page", PAGES)
def test_screenshot(audited: dict[str, Result], page: str) -> None:
    assert sorted(audited[page]["screenshots"]) == ["desktop", "phone", "phone-dark"]
    for screenshot in audited[page]["screenshots"].values():
        data = Path(screenshot).read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 10_000, f"{screenshot} is almost empty"


@pytest.mark.parametrize("page", PAGES)
def test_no_wcag_violations(audited: dict[str, Result], page: str) -> None:
    violations = audited[page]["violations"]["desktop"]
    assert not violations, f"axe found in {page}:\n{report(violations)}"


@pytest.mark.parametrize("viewport", ["phone", "phone-dark"])
def test_no_wcag_violations_on_a_phone(audited: dict[str, Result], viewport: str) -> None:
    found = {page: audited[page]["violations"][viewport] for page in PAGES}
    assert not any(found.values()), "\n".join(f"{page}:\n{report(found[page])}" for page in PAGES if found[page])


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_nothing_wider_than_the_viewport(audited: dict[str, Result], viewport: str) -> None:
    # 1280 and 375 CSS pixels: the page never scrolls sideways; only a table's own wrapper may.
    found = {page: audited[page]["overflowing"][viewport] for page in PAGES}
    assert not any(found.values()), found


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_table_shows_all_its_columns(audited: dict[str, Result], viewport: str) -> None:
    # A table of five or more columns is stacked at every width, the others fit the page's column.
    found = {page: audited[page]["scrolled"][viewport] for page in PAGES}
    assert not any(found.values()), found


@pytest.mark.parametrize("page", PAGES)
def test_in_page_links_resolve(audited: dict[str, Result], page: str) -> None:
    result = audited[page]
    assert result["anchors"] > 10, "the table of contents is missing"
    assert result["brokenAnchors"] == []


@pytest.mark.parametrize("page", PAGES)
def test_nothing_loaded_from_outside(audited: dict[str, Result], page: str) -> None:
    assert audited[page]["blockedRequests"] == []
    assert audited[page]["pageErrors"] == []
