"""The rendered Markdown and HTML of one example company, compared with reviewed copies.

A change to templates, catalogs or rendering shows up here as a diff to read. After an
intended change, refresh the copies and review them before committing::

    make golden        # POLICYGEN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py
    git diff tests/golden
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import BUILD_DAY, ROOT, copied

from generator.pipeline import build

COMPANY = "optingo"
GOLDEN = ROOT / "tests" / "golden" / COMPANY
UPDATE = os.environ.get("POLICYGEN_UPDATE_GOLDEN") == "1"
FILES = [f"{language}/privacy-policy.{suffix}" for language in ("pl", "en") for suffix in ("md", "html")]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden")
    facts = copied(ROOT / "companies" / f"{COMPANY}.yaml", out / "facts")
    build([facts], out_dir=out, formats=("md", "html"), today=BUILD_DAY)
    return out / COMPANY


@pytest.mark.parametrize("name", FILES)
def test_output_matches_the_reviewed_copy(rendered: Path, name: str) -> None:
    actual = (rendered / name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        pytest.skip(f"updated {golden.relative_to(ROOT)}")
    assert golden.exists(), f"no reviewed copy of {name}: run `make golden` and review it"
    assert actual == golden.read_text(encoding="utf-8"), f"{name} differs from tests/golden: see `make golden`"
