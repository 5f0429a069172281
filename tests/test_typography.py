"""Polish typography: no line may break where Polish typesetting forbids it.

Every Polish text built from the examples and the valid fixtures is read for a breaking
space after a one-letter word, inside a legal reference, in ``Sp. z o.o.``, between a number
and its unit and inside a date; the rules that forbid them are written here independently
of generator/typography.py, as a reader of the policy would state them.
"""

from __future__ import annotations

import re

import pytest
from conftest import BUILD_DAY, ROOT, copied
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from generator.pipeline import build
from generator.typography import NBSP, typeset, typeset_all

SOURCES = sorted((ROOT / "companies").glob("*.yaml")) + sorted((ROOT / "tests" / "fixtures" / "valid").glob("*.yaml"))
MONTHS = "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia"
UNITS = "lat|lata|rok|miesiąc|miesiące|miesięcy|tydzień|tygodnie|tygodni|dzień|dni|godzin|godziny|godzinę|minut|zł"
BREAKING = {
    "one-letter word": re.compile(r"(?<![\w.\\])[aiouwzAIOUWZ] (?=[^\s|])"),
    "legal reference": re.compile(r"(?<!\w)(?:art\.|ust\.|lit\.|pkt|§) |(?<!\w)art\.\S+ (?:§|ust\.|pkt|lit\.)"),
    "company form": re.compile(r"(?<!\w)[Ss]p\. z|(?<!\w)z o\.o\."),
    "number and unit": re.compile(rf"\d (?:{UNITS})(?!\w)"),
    "date": re.compile(rf"(?<!\d)\d{{1,2}} (?:{MONTHS})(?!\w)|(?:{MONTHS}) \d{{4}}"),
}
PROTECTED_SYNTAX = re.compile(r"\]\(<?[^)\n]*>?\)|\{#[^}\n]*\}|`[^`\n]*`")


@pytest.fixture(scope="module")
def polish_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("typography")
    facts = [copied(source, out / "facts" / source.parent.name) for source in SOURCES]
    build(facts, out_dir=out / "output", languages=["pl"], formats=("md", "clauses", "summary"), today=BUILD_DAY)
    texts = {
        str(path.relative_to(out / "output")): path.read_text(encoding="utf-8")
        for path in sorted((out / "output").glob("*/pl/**/*.md"))
    }
    assert {name.split("/")[0] for name in texts} == {source.stem for source in SOURCES}
    return texts


def breaking_spaces(text: str) -> list[str]:
    """Each place, with its rule, where a regular space stands where a non-breaking one belongs."""
    prose = PROTECTED_SYNTAX.sub("", text)
    return [
        f"{rule}: {prose[max(0, found.start() - 30) : found.end() + 20]!r}"
        for rule, pattern in BREAKING.items()
        for found in pattern.finditer(prose)
    ]


def test_every_polish_text_keeps_its_nonbreaking_spaces(polish_texts: dict[str, str]) -> None:
    problems = {name: found for name, text in polish_texts.items() if (found := breaking_spaces(text))}
    assert not problems, problems


def test_the_scan_finds_what_the_rules_forbid() -> None:
    text = "Foo Sp. z o.o. w Warszawie, art. 6 ust. 1 lit. f RODO, art. 86 § 1, przez 5 lat, 22 listopada 2026"
    assert {problem.split(":")[0] for problem in breaking_spaces(text)} == set(BREAKING)
    assert breaking_spaces(typeset(text, "pl")) == []


def test_a_date_keeps_its_year_and_the_year_its_abbreviation() -> None:
    """One search reads dates and numbers with units: the year of a date is a number too."""
    text = "od 22 listopada 2026 r. do 1 maja, przez 1,5 roku; Sp. z o.o. i sp. k."
    wanted = "od 22_listopada_2026_r. do 1_maja, przez 1,5_roku; Sp._z_o.o. i_sp._k."
    assert typeset(text, "pl") == wanted.replace("_", NBSP)


def test_markdown_syntax_is_left_alone() -> None:
    markdown = (
        "## W skrócie {#w-a}\n\n| a | b |\n| --- | --- |\n| x | z |\n\n"
        "[o nas](https://example.com/a b) `w x` *a b* _w domu_ \\* i"
    )
    typeset_markdown = typeset(markdown, "pl")
    assert "{#w-a}" in typeset_markdown
    assert "| a | b |\n| --- | --- |\n| x | z |" in typeset_markdown
    assert "(https://example.com/a b)" in typeset_markdown
    assert "`w x`" in typeset_markdown
    assert f"*a{NBSP}b* _w{NBSP}domu_" in typeset_markdown
    parser = MarkdownIt("commonmark").enable("table")
    assert parser.render(typeset_markdown).replace(NBSP, " ") == parser.render(markdown)


def test_other_languages_are_untouched() -> None:
    text = "a 5 lat art. 6 § 1 Sp. z o.o. 22 listopada 2026"
    assert typeset(text, "en") == typeset(text, "de") == text


# What the rules and the protected syntax look at, with the characters that begin and end a text.
PIECES = st.sampled_from(
    [
        *"aiwzAWZ .,0123_\\`[]()<>{}#|-:\x1f\n",
        *["art. ", "ust. ", "lit. ", "pkt ", "§ ", "nr ", "Sp. ", "sp. ", "z o.o.", "5 lat", "22 listopada 2026"],
        *["2026 r.", "100 zł", "](<https://a.pl/w domu>)", "{#w-a}", "| --- | :-: |", "---", "\u00a0", "ą"],
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(PIECES).map("".join), max_size=6))
def test_texts_typeset_together_are_each_typeset_alone(texts: list[str]) -> None:
    """render_document typesets a whole policy in one pass and cuts it apart again."""
    assert typeset_all(texts, "pl") == [typeset(text, "pl") for text in texts]
