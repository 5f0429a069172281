"""The rendered Markdown and HTML of example companies, compared with reviewed copies.

Optingo in Polish and English, SmartCP's German policy, and the formal Polish policy of
``tests/fixtures/valid/formal.yaml`` (``document.register: panstwo``).

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

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("POLICYGEN_UPDATE_GOLDEN") == "1"
LANGUAGES = {"optingo": ("pl", "en"), "smartcp": ("de",), "formal": ("pl",)}
FACTS = {company: ROOT / "companies" / f"{company}.yaml" for company in ("optingo", "smartcp")} | {
    "formal": ROOT / "tests" / "fixtures" / "valid" / "formal.yaml"
}
FILES = [
    f"{company}/{language}/privacy-policy.{suffix}"
    for company, languages in LANGUAGES.items()
    for language in languages
    for suffix in ("md", "html")
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden")
    facts = [copied(FACTS[company], out / "facts") for company in LANGUAGES]
    build(facts, out_dir=out, formats=("md", "html"), today=BUILD_DAY)
    return out


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
