"""Facts are data: hostile text in any free-text field shows literally and injects nothing."""

from __future__ import annotations

import io
import json
import re
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import tinycss2
from conftest import BUILD_DAY, MINIMAL, ROOT, markdown_headings
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement
from pydantic import ValidationError
from pypdf import PdfReader

from generator.document import render_document
from generator.facts.company import MarkdownText
from generator.loading import read_facts_file
from generator.markdown_text import FOLDED_WHITESPACE, _needs_escaping, escape, is_safe_link, link
from generator.pipeline import build
from generator.render.html import css_string, markdown_parser, render_print_page
from generator.render.markdown import render_markdown
from generator.render.pdf import ProjectAssetFetcher, render_pdf
from generator.validation import load_company

HOSTILE = (
    "<script>alert(1)</script> *star* _under_ | pipe [x](javascript:alert(1)) "
    "![i](file:///etc/passwd) <http://169.254.169.254/> &amp; {#fake} # hash\n---\n# heading"
)
FREE_TEXT_KEYS = {"legal_name", "brand_name", "owner", "street", "city", "name", "service", "provider"}


def _poison(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {name: _poison(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_poison(item, key) for item in value]
    if isinstance(value, str) and (key in {"pl", "en"} or key in FREE_TEXT_KEYS):
        return f"{value} {HOSTILE}"
    return value


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    facts = folder / "hostile.yaml"
    # JSON is YAML 1.2, so the poisoned data can be written back without a YAML emitter.
    facts.write_text(json.dumps(_poison(read_facts_file(MINIMAL).data), ensure_ascii=False), encoding="utf-8")
    build([facts], out_dir=folder / "out", today=BUILD_DAY)
    return folder / "out" / "hostile"


@pytest.mark.parametrize("language", ["pl", "en"])
def test_html_carries_hostile_text_as_text(hostile_output: Path, language: str) -> None:
    for name in ("privacy-policy.html", "privacy-policy.fragment.html"):
        page = (hostile_output / language / name).read_text(encoding="utf-8")
        assert "<script" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert 'href="javascript:' not in page
        assert "<img" not in page
        assert 'href="http://169.254.169.254/' not in page.split("<main>")[0]
        assert "[x](javascript:alert(1))" in page
        assert 'id="fake"' not in page


@pytest.mark.parametrize("language", ["pl", "en"])
def test_markdown_structure_survives(hostile_output: Path, minimal_output: Path, language: str) -> None:
    hostile = (hostile_output / language / "privacy-policy.md").read_text(encoding="utf-8")
    plain = (minimal_output / language / "privacy-policy.md").read_text(encoding="utf-8")
    assert [anchor for *_, anchor in markdown_headings(hostile)] == [anchor for *_, anchor in markdown_headings(plain)]
    assert hostile.count("\n---\n") == plain.count("\n---\n") == 1, "only the front matter's closing line"
    for table in re.findall(r"(?:^\|.*\|$\n?)+", hostile, re.MULTILINE):
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table.strip().splitlines()}
        assert len(widths) == 1, f"a fact broke a table:\n{table}"


def test_pdf_renderer_reads_only_its_own_assets() -> None:
    page = """<html><head><style>@import url("http://169.254.169.254/x.css");
    body { background: url("file:///etc/passwd") }</style>
    <link rel="stylesheet" href="file:///etc/passwd"></head>
    <body><p>x</p><img src="file:///etc/passwd"><img src="http://example.com/a.png">
    <a rel="attachment" href="file:///etc/hostname">a</a></body></html>"""
    fetcher = ProjectAssetFetcher()
    pdf = render_pdf(page, BUILD_DAY, fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert "http://169.254.169.254/x.css" in fetcher.refused
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://example.com/a.png" in fetcher.refused
    assert b"root:" not in pdf


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00")))
def test_a_css_string_reads_back_as_the_text_it_was_made_of(text: str) -> None:
    # The PDF's footer is a CSS string in the page's <style>: parsed by WeasyPrint's own CSS
    # parser, it is one string token holding exactly the text, and it ends no element.
    written = css_string(text)
    tokens = [token for token in tinycss2.parse_component_value_list(written) if token.type != "whitespace"]
    assert [(token.type, token.value) for token in tokens] == [("string", text)]
    assert "<" not in written
    assert "\n" not in written


def test_a_hostile_brand_is_the_text_of_the_pdfs_footer() -> None:
    brand = 'Acme"; } } @page { @bottom-left { content: "pwned" } } </style><p>x</p> \\ end'
    company = load_company(MINIMAL)
    hostile = company.model_copy(update={"controller": company.controller.model_copy(update={"brand_name": brand})})
    document = render_document(hostile, "minimal", "en", BUILD_DAY)
    markdown = render_markdown(document)
    pdf = PdfReader(io.BytesIO(render_pdf(render_print_page(document, markdown, 1), BUILD_DAY)))
    footers: list[str] = []

    def visit(text: str, matrix: list[float], text_matrix: list[float], _font: object, _size: float) -> None:
        if text.strip() and text_matrix[5] * matrix[3] + matrix[5] < 22 * 72 / 25.4:  # below the bottom margin
            footers.append(text.strip())

    pdf.pages[0].extract_text(visitor_text=visit)
    # pypdf reads a space that WeasyPrint draws as a glyph's advance as no space at all
    expected = [f"{brand} · {markdown.updated}", f"1 / {len(pdf.pages)}"]
    assert ["".join(text.split()) for text in footers] == ["".join(text.split()) for text in expected]


def test_pdf_of_a_policy_with_links_in_its_sections_fetches_nothing_but_fonts(hostile_output: Path) -> None:
    # The hostile facts built above put file:// and http:// addresses into every section.
    assert (hostile_output / "en" / "privacy-policy.pdf").read_bytes().startswith(b"%PDF")
    fetcher = ProjectAssetFetcher()
    html = (hostile_output / "en" / "privacy-policy.html").read_text(encoding="utf-8")
    render_pdf(html, BUILD_DAY, fetcher=fetcher)
    assert fetcher.refused == []


def test_weasyprint_releases_before_70_are_excluded_and_the_installed_one_is_newer() -> None:
    # Releases before 70 have advisories about what their default URL fetcher reads.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirement = next(
        parsed for parsed in map(Requirement, project["dependencies"]) if parsed.name.lower() == "weasyprint"
    )
    assert not requirement.specifier.contains("69.0")
    assert requirement.specifier.contains("70.0")
    assert requirement.specifier.contains(version("weasyprint"))


SAFE_LINKS = [
    "https://przyklad.example",
    "http://przyklad.example/o-nas?strona=2#zespol",
    "HTTPS://PRZYKLAD.EXAMPLE/",
    "https://xn--przykad-d5a.example/",
    "mailto:biuro@przyklad.example",
    "mailto:o'brien@przyklad.example",
    "#purposes",
    "#purpose-contract",
]
UNSAFE_LINKS = [
    "https:evil.example",
    "https:/evil.example",
    "https:///evil.example",
    "https://:443/",
    "http://[::1",
    "//evil.example/",
    "evil.example",
    "privacy.html",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "vbscript:msgbox",
    "data:text/html,x",
    "file:///etc/passwd",
    "ftp://przyklad.example/",
    "tel:+48221234567",
    "mailto:",
    "mailto:biuro",
    "mailto:@przyklad.example",
    "#",
    "#Purposes",
    "#a b",
    "https://przyklad.example/a b",
    "https://przyklad.example/<x>",
    "https://przyklad.example/\\x",
]


@pytest.mark.parametrize("address", SAFE_LINKS)
def test_the_safe_link_rule_lets_web_mail_and_anchor_links_through(address: str) -> None:
    assert is_safe_link(address)
    assert link("x", address) == f"[x](<{address}>)"


@pytest.mark.parametrize("address", UNSAFE_LINKS)
def test_the_safe_link_rule_refuses_everything_else(address: str) -> None:
    assert not is_safe_link(address)
    with pytest.raises(ValueError, match="unsafe link destination"):
        link("x", address)


def test_the_html_renderer_makes_no_link_the_rule_refuses() -> None:
    # Validation refuses these in the facts already; the renderer is the second line of defence.
    refused = [address for address in UNSAFE_LINKS if not re.search(r"[\s<>\\]", address)]
    markdown = "\n\n".join(f"[link {index}]({address})" for index, address in enumerate(refused))
    html = markdown_parser().render(markdown + "\n\n<https:evil.example> <javascript:alert(1)>")
    assert "href" not in html
    assert html.count("<p>") == len(refused) + 1


def test_the_html_renderer_links_what_the_rule_allows() -> None:
    markdown = " ".join(f"[link {index}]({address})" for index, address in enumerate(SAFE_LINKS))
    html = markdown_parser().render(markdown)
    assert re.findall(r'href="([^"]*)"', html) == SAFE_LINKS


@pytest.mark.parametrize(
    "markdown",
    [
        "[a](https:evil.example)",
        "[b](JaVaScRiPt:alert(1))",
        "[c](java&#115;cript:alert(1))",
        "[d](<javascript:alert(1)>)",
        "[e](vbscript:msgbox)",
        "[f](data:text/html,x)",
        "[g](file:///etc/passwd)",
        "[h]( javascript:alert(1))",
        "[i]\n\n[i]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "<https:evil.example>",
        "| a |\n|---|\n| [t](javascript:alert(1)) |",
        "- *[l](ftp://przyklad.example/)*",
    ],
)
def test_validation_refuses_each_unsafe_link_in_a_section(markdown: str) -> None:
    with pytest.raises(ValidationError, match=r"cannot link to '[^']+': a link may go to a full web address"):
        MarkdownText.model_validate({"pl": markdown, "en": "x"})


@pytest.mark.parametrize(
    "text", ["100\u00a0000,00\u00a0zł", "art.\u00a06 ust.\u00a01", "5\u202f000 €", "Sp.\u00a0z\u00a0o.o. *firma*"]
)
def test_a_no_break_space_in_a_fact_or_a_formatted_amount_stays_unbreakable(text: str) -> None:
    """Babel writes `100 000,00 zł` with U+00A0; escaping folds line breaks and runs of spaces, not those."""
    assert escape(text).replace("\\*", "*") == text


def test_the_folded_whitespace_is_all_whitespace_but_the_spaces_kept() -> None:
    folded, whitespace = re.compile(f"[{FOLDED_WHITESPACE}]"), re.compile(r"\s")
    every_whitespace = {chr(code) for code in range(sys.maxunicode + 1) if whitespace.match(chr(code))}
    assert {space for space in every_whitespace if folded.match(space)} == every_whitespace - {" ", "\u00a0", "\u202f"}


NEEDS_ESCAPING = re.compile(r"[\\`*_{}\[\]<>|~&!#$]|\s\s|[^\S \u00a0\u202f]|^\s|\s$|^([-+=>]|\d+[.)])")
"""The one expression escape() used to search, which its faster checks must agree with."""


SYNTAX_AND_SPACES = st.sampled_from([*"\\`*_{}[]<>|~&!#$-+=>.)1a ", "\u00a0", "\u202f", "\t", "\n", "\u3000"])


@settings(max_examples=2000, deadline=None)
@given(st.text(SYNTAX_AND_SPACES | st.characters()))
def test_what_needs_escaping_is_what_the_one_expression_found(text: str) -> None:
    assert _needs_escaping(text) == bool(NEEDS_ESCAPING.search(text))
