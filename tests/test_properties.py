"""Properties over generated facts: valid facts always build; broken files always fail located.

(a) Valid facts are made from ``tests/fixtures/valid/minimal.yaml`` by replacing its free
texts with generated Unicode and adding purposes, data categories, recipients (inside and
outside the EEA, the latter with a safeguard) and cookies, keeping every GDPR rule satisfied.
Each builds in Polish and English to Markdown and HTML with contiguous section numbers, the
same anchors in both languages, and every generated name shown literally.

(b) The four example companies, mutated as a hurried editor would (a line deleted or
repeated, two characters swapped, one character inserted, the file cut short), either
validate or fail with a :class:`UserError` whose every message is located in the file.
"""

from __future__ import annotations

import copy
import json
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from conftest import BUILD_DAY, MINIMAL, ROOT, markdown_headings, pdf_outline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile import check_clean

from generator.errors import UserError
from generator.loading import parse_facts, read_facts_file
from generator.pipeline import build
from generator.resources import FONT_CHARACTER_RANGES
from generator.validation import check_loaded

COMPANIES = sorted((ROOT / "companies").glob("*.yaml"))
EEA = ["PL", "DE", "FR", "IE", "NL", "CZ"]
OUTSIDE_EEA = ["US", "JP", "CH", "IN", "BR", "GB"]

# Any character the PDF's fonts set (validation refuses others: STYLE-CHARACTERS) that a reader could
# type or paste: no control, unassigned or line/paragraph separator characters (YAML 1.1 breaks lines there).
CHARACTERS = st.one_of(
    [
        st.characters(min_codepoint=first, max_codepoint=last, exclude_categories=("Cc", "Cs", "Cn", "Zl", "Zp"))
        for first, last in FONT_CHARACTER_RANGES
        if last >= 0x20
    ]
)
MARKUP = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "![i](file:///etc/passwd)",
        "| a | b |",
        "# h",
        "\n---\n",
        "{#scope}",
        "&amp;",
        "\\",
        "*",
        "_",
        "`",
        "1. ",
        "- ",
        "\u202e",
        "\u200b",
    ]
)
TEXT = (
    st.lists(st.one_of(st.text(CHARACTERS, min_size=1, max_size=12), MARKUP), min_size=1, max_size=5)
    .map("".join)
    .filter(lambda text: any(not char.isspace() and unicodedata.category(char) != "Cf" for char in text))
)


@st.composite
def localized(draw: st.DrawFn) -> dict[str, str]:
    return {"pl": draw(TEXT), "en": draw(TEXT)}


@st.composite
def valid_facts(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """Facts that pass every check, and the names they give that the policy must show."""
    facts: dict[str, Any] = copy.deepcopy(read_facts_file(MINIMAL).data)
    controller = facts["controller"]
    controller["legal_name"] = draw(TEXT)
    controller["brand_name"] = draw(TEXT)
    controller["address"]["street"] = draw(TEXT)
    controller["address"]["city"] = draw(TEXT)
    controller["registry_court"] = draw(localized())
    names = [controller["legal_name"]]
    for category in facts["data_categories"]:
        category["name"] = draw(localized())
        names.extend(category["name"].values())
    for index in range(draw(st.integers(0, 3))):
        name = draw(localized())
        facts["data_categories"].append({"id": f"generated-{index}", "name": name, "source": "automatic"})
        names.extend(name.values())
    category_ids = [category["id"] for category in facts["data_categories"]]
    if draw(st.booleans()):
        facts["purposes"].pop()  # analytics; its recipient then serves no listed purpose
        facts["recipients"][1].pop("purposes")
    for purpose in facts["purposes"]:
        purpose["name"] = draw(localized())
        names.extend(purpose["name"].values())
    for index in range(draw(st.integers(0, 3))):
        name = draw(localized())
        facts["purposes"].append(
            {
                "id": f"purpose{index}",
                "name": name,
                "legal_basis": "consent",
                "data_categories": draw(st.lists(st.sampled_from(category_ids), min_size=1, max_size=3, unique=True)),
                "retention": {"period": f"{draw(st.integers(1, 99))} months"},
            }
        )
        names.extend(name.values())
    for _ in range(draw(st.integers(0, 3))):
        recipient: dict[str, Any] = {"name": draw(TEXT), "category": draw(localized())}
        countries = draw(st.lists(st.sampled_from(EEA + OUTSIDE_EEA), min_size=1, max_size=3, unique=True))
        recipient["countries"] = countries
        if any(country in OUTSIDE_EEA for country in countries):
            recipient["safeguard"] = "scc"
        facts["recipients"].append(recipient)
        names.append(recipient["name"])
    if draw(st.booleans()):
        facts.pop("cookies")
    else:
        for index in range(draw(st.integers(0, 3))):
            cookie = {
                "name": draw(TEXT),
                "provider": facts["controller"]["legal_name"],  # first party: set for ourselves
                "category": draw(st.sampled_from(["necessary", "preferences", "analytics", "marketing"])),
                "purpose": draw(localized()),
                "lifetime": f"{index + 1} days",
            }
            facts["cookies"].append(cookie)
            names.append(cookie["name"])
    return facts, names


@settings(max_examples=30, deadline=None)
@given(valid_facts())
def test_valid_facts_always_build_in_both_languages(generated: tuple[dict[str, Any], list[str]]) -> None:
    facts, names = generated
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        path = folder / "generated.yaml"
        # JSON is YAML, so the generated data needs no YAML emitter.
        path.write_text(json.dumps(facts, ensure_ascii=False, indent=1), encoding="utf-8")
        build([path], out_dir=folder / "out", formats=("md", "html"), today=BUILD_DAY, jobs=1)
        check_clean(folder / "out" / "generated", names)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_facts())
def test_valid_facts_always_make_a_pdf_whose_bookmarks_are_the_headings(
    generated: tuple[dict[str, Any], list[str]],
) -> None:
    # Few examples: a PDF takes about a second, and the text formats are covered above.
    facts, _names = generated
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        path = folder / "generated.yaml"
        path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
        build([path], out_dir=folder / "out", formats=("md", "pdf"), today=BUILD_DAY, jobs=1)
        for language in ("pl", "en"):
            policy = folder / "out" / "generated" / language / "privacy-policy"
            headings = markdown_headings(policy.with_suffix(".md").read_text(encoding="utf-8"))
            assert pdf_outline(policy.with_suffix(".pdf")) == [(level, title) for level, title, _ in headings]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """An example company's file as a hurried edit may leave it."""
    path = draw(st.sampled_from(COMPANIES))
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate"]))
    if kind == "delete":
        del lines[draw(st.integers(0, len(lines) - 1))]
        text = "\n".join(lines)
    elif kind == "duplicate":
        index = draw(st.integers(0, len(lines) - 1))
        lines.insert(index, lines[index])
        text = "\n".join(lines)
    elif kind == "swap":
        index = draw(st.integers(0, len(text) - 2))
        text = text[:index] + text[index + 1] + text[index] + text[index + 2 :]
    elif kind == "insert":
        index = draw(st.integers(0, len(text)))
        inserted = draw(st.one_of(st.characters(), st.sampled_from(list(":-[]{}&*!|>'\"#%@`\t\n\\"))))
        text = text[:index] + inserted + text[index:]
    else:
        text = text[: draw(st.integers(0, len(text)))]
    # A lone surrogate becomes bytes that are not UTF-8, as a broken editor would write them.
    return f"companies/{path.name}", text.encode("utf-8", errors="surrogatepass")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_a_mutated_company_validates_or_fails_located(case: tuple[str, bytes]) -> None:
    name, raw = case
    error = _user_error_of(raw, name)
    messages = error.messages if error else ()
    assert error is None or messages
    for message in messages:
        location = message.location
        assert location.path == name
        assert (location.line >= 1 and location.column >= 1) or (location.line, location.column) == (0, 0)
        assert str(message).startswith(f"{name}:{location.line}:{location.column}: " if location.line else name)


def _user_error_of(raw: bytes, name: str) -> UserError | None:
    """The error validating ``raw`` raises; any exception but a :class:`UserError` fails the test."""
    try:
        check_loaded(parse_facts(raw, name))
    except UserError as error:
        return error
    return None
