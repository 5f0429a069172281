"""The README's site-generator examples work: MkDocs, Hugo and a plain static host."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BUILD_DAY, ROOT, copied

from generator.pipeline import build

EXAMPLES = ROOT / "examples"
COMPANY = ROOT / "companies" / "optingo.yaml"


def test_mkdocs_publishes_the_markdown_with_its_anchors(tmp_path: Path) -> None:
    site = tmp_path / "mkdocs"
    shutil.copytree(EXAMPLES / "mkdocs", site)
    build([copied(COMPANY, tmp_path / "facts")], out_dir=site / "docs" / "privacy", formats=("md",), today=BUILD_DAY)
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(site / "mkdocs.yml")], check=True
    )
    for language in ("pl", "en"):
        page = (site / "site" / "privacy" / "optingo" / language / "privacy-policy" / "index.html").read_text()
        assert 'id="controller"' in page
        assert 'id="purpose-accounting"' in page
        assert "<table>" in page


@pytest.mark.skipif(shutil.which("hugo") is None, reason="Hugo is not installed (Debian: apt-get install hugo)")
def test_hugo_mounts_both_languages_as_translations(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "hugo", tmp_path / "examples" / "hugo")
    build([copied(COMPANY, tmp_path / "facts")], out_dir=tmp_path / "output", formats=("md",), today=BUILD_DAY)
    subprocess.run(["hugo", "--source", str(tmp_path / "examples" / "hugo"), "--quiet"], check=True)
    public = tmp_path / "examples" / "hugo" / "public"
    polish = (public / "privacy" / "polityka-prywatnosci" / "index.html").read_text()
    assert 'id="controller"' in polish
    assert 'hreflang="en" href="/en/privacy/privacy-policy/"' in polish
    assert 'id="controller"' in (public / "en" / "privacy" / "privacy-policy" / "index.html").read_text()


def test_the_static_publish_script_copies_pages_and_pdfs_from_the_manifest(tmp_path: Path) -> None:
    build([copied(COMPANY, tmp_path / "facts")], out_dir=tmp_path / "output", formats=("md", "html"), today=BUILD_DAY)
    spec = importlib.util.spec_from_file_location("publish", EXAMPLES / "static" / "publish.py")
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    copied_files = script.publish(tmp_path / "output", tmp_path / "www")
    names = sorted(str(path.relative_to(tmp_path / "www")) for path in copied_files)
    assert names == [
        "optingo/en/privacy-policy.html",
        "optingo/pl/privacy-policy.html",
    ]
