"""The side-by-side page of `policygen serve` in headless Chromium: axe-core's WCAG rules, the
in-page links, and the screenshot the README shows.

The page is fetched from a real server, then opened from a file by tests/browser/audit.mjs,
which lets a page load nothing from the network. With POLICYGEN_SCREENSHOTS=DIR the top of the
page is kept as DIR/serve-side-by-side.png (`POLICYGEN_SCREENSHOTS=docs` refreshes the README's).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, copied
from PIL import Image
from test_browser import AUDIT, PNG_SIGNATURE, chromium, missing, report
from test_serve import Server

pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))

SCREENSHOT = "serve-side-by-side.png"
TOP = (1280, 900)
"""The part of the page the README shows: one desktop screen."""


def test_the_side_by_side_page_in_a_browser(tmp_path: Path) -> None:
    project = tmp_path / "project"
    copied(ROOT / "companies" / "optingo.yaml", project / "companies")
    server = Server(project)
    try:
        server.wait_until_serving()
        page = server.page("/optingo/")
    finally:
        server.stop()
    saved = tmp_path / "serve" / "optingo" / "side-by-side.html"
    saved.parent.mkdir(parents=True)
    saved.write_text(page, encoding="utf-8")

    node = shutil.which("node")
    assert node is not None
    completed = subprocess.run(
        [node, str(AUDIT), "--out", str(tmp_path / "screenshots"), "--viewports", "desktop", str(saved)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "CHROMIUM": str(chromium())},
    )
    assert completed.returncode in (0, 1), completed.stderr
    [result] = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    assert not result["violations"]["desktop"], report(result["violations"]["desktop"])
    assert result["anchors"] > 10
    assert result["brokenAnchors"] == []
    assert result["blockedRequests"] == []
    assert result["pageErrors"] == []

    screenshot = Path(result["screenshot"])
    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)
    keep = os.environ.get("POLICYGEN_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        with Image.open(screenshot) as image:
            image.crop((0, 0, *TOP)).save(Path(keep) / SCREENSHOT, optimize=True)
