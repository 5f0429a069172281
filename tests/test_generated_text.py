"""Every generated policy read line by line, as a lawyer signing it would read it.

The Markdown and the HTML text of each example's and valid fixture's policy, in every
language it is published in (with the version history its state file keeps) and of its
information clauses, rendered through the stage functions, go through a list of checks;
each check reads one line and names what is wrong with it. A new check is one more function
in :data:`CHECKS`, with a test that feeds it a bad line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import BUILD_DAY, ROOT

from generator import languages
from generator.checks import check_company
from generator.document import company_formats, render_document, unescape
from generator.facts import Company
from generator.languages import FormOfAddress, Language
from generator.registers import register_words
from generator.render.clauses import clause_markdown, forms
from generator.render.html import render_html
from generator.render.markdown import render_markdown
from generator.state import load_state
from generator.typography import typeset
from generator.validation import load_company

SOURCES = sorted((ROOT / "companies").glob("*.yaml")) + sorted((ROOT / "tests" / "fixtures" / "valid").glob("*.yaml"))


@dataclass(frozen=True)
class Reader:
    """What the checks know of one policy besides its text."""

    language: Language
    common_names: tuple[str, ...]
    """The names of data categories, purposes and kinds of recipients that are not proper
    names, as the facts give them (capitalised): inside a sentence they are lowercased."""
    register: FormOfAddress = FormOfAddress.TY
    """The policy's form of address (``document.register``)."""
    flagged: tuple[str, ...] = ()
    """The words of another form of address that STYLE-REGISTER warned of in the facts' text."""
    history: str = ""
    """The version history's text: it names what earlier versions said, in their own words."""
    listed_names: tuple[str, ...] = ()
    """Every name of a data category, purpose or kind of recipient as it reads inside a sentence."""


def reader_of(company: Company, language: Language) -> Reader:
    formats = company_formats(company, language)
    names = [
        *(category.name[language] for category in company.data_categories),
        *(purpose.name[language] for purpose in company.purposes),
        *(recipient.category[language] for recipient in company.recipients),
    ]
    flagged = [
        word
        for finding in check_company(company)
        if finding.rule.id == "STYLE-REGISTER"
        for word in re.findall(r"„([^”]+)”", finding.message.split(", but ")[0])
    ]
    return Reader(
        language,
        tuple(sorted({name for name in names if formats.in_sentence(name) != name})),
        company.document.register,
        tuple(flagged),
        listed_names=tuple(sorted({formats.in_sentence(name) for name in names})),
    )


Check = Callable[[str, Reader], list[str]]
"""A check: the problems of one line of a policy's text."""

NO_COLON_BEFORE_THE_CONSEQUENCE = {
    "pl": re.compile(r"\b(?:Jeżeli|Jeśli|Gdy) (?:ich|tych danych|danych) nie podasz\s*:", re.IGNORECASE),
    "en": re.compile(r"\bIf you do not provide (?:it|them|the data|this data)\s*:", re.IGNORECASE),
}


def consequence_as_a_sentence(line: str, reader: Reader) -> list[str]:
    """What follows from not providing the data is a sentence, not a label with a colon."""
    pattern = NO_COLON_BEFORE_THE_CONSEQUENCE.get(reader.language)
    found = pattern.search(line) if pattern else None
    return [f"the consequence of not providing data follows a colon: {found[0]!r}"] if found else []


def nonbreaking_spaces(line: str, reader: Reader) -> list[str]:
    """The spaces the language's typography wants unbreakable are unbreakable: typesetting changes nothing."""
    wanted = typeset(line, reader.language)
    if wanted == line:
        return []
    place = next(index for index, (have, want) in enumerate(zip(line, wanted, strict=True)) if have != want)
    return [f"a breaking space where typography wants U+00A0: {line[max(0, place - 25) : place + 25]!r}"]


_OPENING_MARKUP = " \u00a0*_[(„“\"'"
"""What may stand between a name and the word or sign before it: emphasis, a link, a quote."""


def names_in_sentence_form(line: str, reader: Reader) -> list[str]:
    """A category's or purpose's name inside a sentence or list is lowercased, unless it is a proper name.

    Capitalised, it may open a line, a table cell or a sentence, or end a longer proper name
    (``Transport Layer Security``); after a lowercase word (``i``, ``and``), a comma, a
    semicolon or a label's colon it is running text.
    """
    problems = []
    for name in reader.common_names:
        written = typeset(name, reader.language)
        for found in re.finditer(rf"(?<!\w){re.escape(written)}(?!\w)", line):
            before = line[: found.start()].rstrip(_OPENING_MARKUP)
            word = re.search(r"\w+$", before)
            if (word and word[0][0].islower()) or before.endswith((",", ";", ":")):
                problems.append(
                    f"{name!r} is capitalised inside a sentence: {line[max(0, found.start() - 30) : found.end()]!r}"
                )
    return problems


def one_form_of_address(line: str, reader: Reader) -> list[str]:
    """A Polish policy speaks to its reader in one form; a word of another came from the facts, where
    STYLE-REGISTER must have warned of it (the catalog check keeps the templates' text in one form)."""
    if reader.register not in languages.language(reader.language).registers:
        return []
    if line.strip() and line.strip() in reader.history:
        return []
    return [
        f"{word.text!r} speaks to the reader otherwise than „{reader.register}”, and lint did not warn of it"
        for word in register_words(line, reader.register)
        if word.text not in reader.flagged
    ]


LIST_JOINS = {"pl": (", ", " i "), "en": (", ", " and "), "de": (", ", " und ")}
"""What the language's list puts between names."""


def lists_read_unambiguously(line: str, reader: Reader) -> list[str]:
    """Two names side by side in a list are told apart: where one holds the list's own ``i``/``and``
    or a comma („reklamy i remarketing i funkcje”), the names are quoted."""
    comma, conjunction = LIST_JOINS.get(reader.language, (", ", " and "))
    written = [typeset(name, reader.language) for name in reader.listed_names]
    ambiguous = [name for name in written if conjunction.strip() in name.split() or "," in name]
    problems = []
    for name in ambiguous:
        for other in written:
            for join in (comma, typeset(conjunction, reader.language), conjunction):
                for pair in (f"{name}{join}{other}", f"{other}{join}{name}"):
                    if other != name and pair in line:
                        problems.append(f"names run together in a list: {pair!r}")
    return sorted(set(problems))


CHECKS: tuple[Check, ...] = (
    consequence_as_a_sentence,
    nonbreaking_spaces,
    names_in_sentence_form,
    one_form_of_address,
    lists_read_unambiguously,
)


class _TextOfHtml(HTMLParser):
    """The text a reader sees in an HTML fragment, a line per block."""

    BLOCKS = frozenset({"p", "li", "td", "th", "h1", "h2", "h3", "h4", "tr", "aside", "article"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(fragment: str) -> str:
    parser = _TextOfHtml()
    parser.feed(fragment)
    return "".join(parser.parts)


@dataclass(frozen=True)
class Text:
    """One generated text of one policy: ``optingo/pl/privacy-policy.md``."""

    name: str
    text: str
    reader: Reader


def generated_texts(facts: Path) -> Iterator[Text]:
    company = load_company(facts)
    state = load_state(facts)
    history = state.history if state else ()
    for language in company.document.languages:
        document = render_document(company, facts.stem, language, BUILD_DAY, history)
        earlier = "\n".join(
            unescape(section.body) for section in document.sections if section.outline.anchor == "history"
        )
        reader = dataclasses.replace(reader_of(company, language), history=earlier)
        markdown = render_markdown(document)
        folder = f"{facts.stem}/{language}"
        yield Text(f"{folder}/privacy-policy.md", markdown.text, reader)
        yield Text(f"{folder}/privacy-policy.html", html_text(render_html(document, markdown).fragment), reader)
        for purposes in forms(company.purposes):
            yield Text(f"{folder}/clauses/{purposes[0].id}.md", clause_markdown(document, purposes), reader)


def problems_of(text: Text, checks: tuple[Check, ...] = CHECKS) -> list[str]:
    """Every problem every check finds, each with its text's name and line number."""
    return [
        f"{text.name}:{number}: {problem}"
        for number, line in enumerate(text.text.split("\n"), start=1)
        for check in checks
        for problem in check(unescape(line) if text.name.endswith(".md") else line, text.reader)
    ]


@pytest.mark.parametrize("facts", SOURCES, ids=lambda path: path.stem)
def test_every_generated_line_reads_as_a_lawyer_would_sign_it(facts: Path) -> None:
    problems = [problem for text in generated_texts(facts) for problem in problems_of(text)]
    assert not problems, "\n".join(problems)


POLISH = Reader("pl", ("Dane kontaktowe", "Obsługa zgłoszeń"))
ENGLISH = Reader("en", ("Contact data",))


@pytest.mark.parametrize(
    ("line", "reader"),
    [
        ("- **Czy musisz je podać?** Jeżeli ich nie podasz: nie zawrzemy umowy.", POLISH),
        ("- **Do you have to provide it?** If you do not provide it: we cannot sign the contract.", ENGLISH),
    ],
)
def test_a_colon_before_the_consequence_is_found(line: str, reader: Reader) -> None:
    assert consequence_as_a_sentence(line, reader)


def test_a_full_sentence_about_the_consequence_passes() -> None:
    assert not consequence_as_a_sentence("Bez tych danych nie możemy zawrzeć umowy.", POLISH)


@pytest.mark.parametrize(
    "line",
    [
        "Dane przechowujemy w Polsce.",
        "Podstawa: art. 6 ust.\u00a01 lit.\u00a0f RODO",
        "Przechowujemy je przez 5 lat.",
        "Ostatnia aktualizacja: 22 listopada 2026",
    ],
)
def test_a_breaking_space_where_polish_wants_a_nonbreaking_one_is_found(line: str) -> None:
    assert nonbreaking_spaces(line, POLISH)


def test_a_line_typeset_as_polish_wants_passes_and_english_has_no_such_rules() -> None:
    assert not nonbreaking_spaces(typeset("Dane przechowujemy w Polsce przez 5 lat.", "pl"), POLISH)
    assert not nonbreaking_spaces("Data is kept in Poland for 5 years.", ENGLISH)


@pytest.mark.parametrize(
    ("line", "reader"),
    [
        ("- **Wykorzystywane dane:** Dane kontaktowe", POLISH),
        ("Przetwarzamy dane osobowe: imię, Dane kontaktowe i inne.", POLISH),
        ("| [świadczenie usług](<#purpose-a>) i [Obsługa zgłoszeń](<#purpose-b>) | umowa |", POLISH),
        ("zmieniono opis celu przetwarzania: „Obsługa zgłoszeń”", POLISH),
        ("We process registration data and Contact data.", ENGLISH),
    ],
)
def test_a_capitalised_name_inside_a_sentence_is_found(line: str, reader: Reader) -> None:
    assert names_in_sentence_form(unescape(line), reader)


@pytest.mark.parametrize(
    ("line", "reader"),
    [
        ("| Dane kontaktowe | imię i nazwisko | od Ciebie |", POLISH),
        ("### 6.2 Obsługa zgłoszeń {#purpose-requests}", POLISH),
        ("Dane kontaktowe przechowujemy 3 lata. Obsługa zgłoszeń trwa krótko.", POLISH),
        ("- **Wykorzystywane dane:** dane kontaktowe i obsługa zgłoszeń", POLISH),
        ("Contact data is what you give us.", ENGLISH),
        ("We use TLS (Transport Layer Contact data).", ENGLISH),
    ],
)
def test_a_name_that_opens_a_line_a_cell_or_a_sentence_keeps_its_capital(line: str, reader: Reader) -> None:
    assert not names_in_sentence_form(line, reader)


def test_a_problem_names_the_text_and_the_line() -> None:
    text = Text("acme/pl/privacy-policy.md", "# Polityka\n\n- **Wykorzystywane dane:** Dane kontaktowe\n", POLISH)
    assert problems_of(text) == [
        "acme/pl/privacy-policy.md:3: 'Dane kontaktowe' is capitalised inside a sentence: "
        "'- **Wykorzystywane dane:** Dane kontaktowe'"
    ]


def test_a_word_of_another_form_of_address_is_found_unless_lint_warned_of_it() -> None:
    formal = Reader("pl", (), FormOfAddress.PANSTWO)
    assert one_form_of_address("Jeśli chcesz, napisz do nas.", formal)
    assert one_form_of_address("Użytkownik może w każdej chwili cofnąć zgodę.", POLISH)
    assert not one_form_of_address("Mogą Państwo w każdej chwili cofnąć zgodę.", formal)
    assert not one_form_of_address("Użytkownik może cofnąć zgodę.", Reader("pl", (), FormOfAddress.TY, ("Użytkownik",)))
    assert not one_form_of_address("The User may withdraw consent.", ENGLISH)
    earlier = "| 2 | 23 listopada 2026 | usunięto cel przetwarzania: udostępnianie danych za zgodą Użytkownika. |"
    assert not one_form_of_address(earlier, dataclasses.replace(POLISH, history=earlier))


def test_names_that_hold_the_lists_conjunction_are_told_apart() -> None:
    reader = dataclasses.replace(POLISH, listed_names=("reklamy i remarketing", "funkcje społecznościowe"))
    assert lists_read_unambiguously("Cele: reklamy i\u00a0remarketing i funkcje społecznościowe.", reader)
    assert not lists_read_unambiguously("Cele: „reklamy i\u00a0remarketing” i „funkcje społecznościowe”.", reader)
