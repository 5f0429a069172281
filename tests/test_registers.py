"""Forms of address: the lexicon, the formal variant catalog and what a formal policy says.

A Polish policy speaks to its reader as „Ty” (``messages.po``) or formally as „Państwo”
(``panstwo.po`` before ``messages.po``); no word of the other form, nor „Użytkownik”, may
reach a policy from the catalogs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import BUILD_DAY, MINIMAL, ROOT, copied, update_catalogs_script

from generator.cli import main
from generator.document import render_document
from generator.errors import UserError
from generator.i18n import catalog_path, translations
from generator.languages import FormOfAddress, language
from generator.pipeline import build
from generator.registers import register_words
from generator.render.markdown import render_markdown
from generator.validation import load_company

TY, PANSTWO = FormOfAddress.TY, FormOfAddress.PANSTWO
FORMAL = ROOT / "tests" / "fixtures" / "valid" / "formal.yaml"
THIRD_PERSON = ["Użytkownik", "Użytkowników"]
SPEAKS_FORMALLY = "formally, in the third person plural, as „Państwo”, „Państwa dane”, „mogą Państwo”"


@pytest.mark.parametrize(
    ("text", "off_ty", "off_panstwo"),
    [
        ("Przysługują Ci prawa, a Twoje dane chronimy; możesz je pobrać.", [], ["Ci", "Twoje", "możesz"]),
        (
            "Jeśli nie podasz danych, zgodziłeś się, gdybyś zmienił zdanie, skontaktuj się z nami.",
            [],
            ["podasz", "zgodziłeś", "gdybyś", "skontaktuj"],
        ),
        ("Przysługuje Państwu prawo, a mogą Państwo je wykonać.", ["Państwu", "Państwo"], []),
        ("Pana/Pani dane przetwarzamy.", ["Pana/Pani"], []),
        (
            "Użytkownik może, a dane Użytkowników chronimy.",
            ["Użytkownik", "Użytkowników"],
            ["Użytkownik", "Użytkowników"],
        ),
        # No address: a third country, our own, a name, the State Treasury, Member States, „these”.
        ("Dane trafiają do państwa trzeciego.", [], []),
        ("To nasz serwis; prowadzi go Tomasz Nowak, spółka Skarbu Państwa.", [], []),
        ("Zgodnie z prawem Państwa Członkowskiego. Ci dostawcy przetwarzają dane.", [], []),
        ("Państwa dane są bezpieczne.", ["Państwa"], []),
        # A label the reader clicks is quoted, not said to them.
        ('Aby zrezygnować, prosimy kliknąć link „wypisz się” albo przycisk "Zapisz".', [], []),
        ("Kliknij „Zapisz”, a Twoje ustawienia zostaną zapamiętane.", [], ["Kliknij", "Twoje"]),
        # A lone straight quote hides nothing; a city or a key is no verb.
        ('Ekran 24" i Twoje dane, a potem "cytat".', [], ["Twoje"]),
        ("Biuro w Kaliszu, nie w Kalisz; klawisz Enter; gulasz.", [], []),
        # The honorific opening a sentence, where nothing else can be meant; not „Państwa, do których”.
        ("Państwa dane przechowujemy 3 lata. Państwo mogą je pobrać.", ["Państwa", "Państwo"], []),
        ("Państwa, do których przekazujemy dane, wymieniamy niżej.", [], []),
    ],
)
def test_each_form_of_address_has_its_words(text: str, off_ty: list[str], off_panstwo: list[str]) -> None:
    assert [word.text for word in register_words(text, TY)] == off_ty
    assert [word.text for word in register_words(text, PANSTWO)] == off_panstwo


def test_polish_offers_both_forms_and_writes_the_familiar_one_in_messages_po() -> None:
    assert language("pl").registers == [TY, PANSTWO]
    assert language("pl").variant_register(PANSTWO) is PANSTWO
    assert language("pl").variant_register(TY) is None
    assert language("de").variant_register(PANSTWO) is None


HEADER = 'msgid ""\nmsgstr ""\n"Language: pl\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'


def _catalogs(tmp_path: Path, main: str, variant: str) -> tuple[Path, Path, Path]:
    """A locales folder with a Polish messages.po and panstwo.po of these messages (from line 6)."""
    main_path, variant_path = catalog_path("pl", tmp_path), catalog_path("pl", tmp_path, PANSTWO)
    main_path.parent.mkdir(parents=True)
    main_path.write_text(HEADER + main, encoding="utf-8")
    variant_path.write_text(HEADER + variant, encoding="utf-8")
    return tmp_path, main_path, variant_path


def test_a_formal_policy_reads_the_variant_first_and_messages_po_for_the_rest(tmp_path: Path) -> None:
    locales, main, _variant = _catalogs(
        tmp_path,
        'msgid "Your rights"\nmsgstr "Twoje prawa"\n\nmsgid "Contents"\nmsgstr "Spis treści"\n',
        'msgid "Your rights"\nmsgstr "Państwa prawa"\n',
    )
    formal = translations("pl", locales, PANSTWO)
    assert (formal.gettext("Your rights"), formal.gettext("Contents")) == ("Państwa prawa", "Spis treści")
    assert translations("pl", locales, TY).gettext("Your rights") == "Twoje prawa"
    with pytest.raises(UserError) as raised:
        formal.gettext("A sentence nobody translated")
    assert str(raised.value).startswith(f"{main}: template text 'A sentence nobody translated' is missing")


@pytest.mark.parametrize(
    ("main", "variant", "expected"),
    [
        pytest.param(
            'msgid "Your rights"\nmsgstr "Twoje prawa"\n\nmsgid "Contents"\nmsgstr "Spis treści"\n',
            "",
            "{main}:6:1: msgid 'Your rights': „Twoje” is not how a panstwo policy speaks, and {variant} has no "
            f"panstwo form of this message; add one, written {SPEAKS_FORMALLY}",
            id="missing",
        ),
        pytest.param(
            'msgid "Contents"\nmsgstr "Spis treści"\n',
            'msgid "Your old rights"\nmsgstr "Państwa prawa"\n',
            "{variant}:6:1: msgid 'Your old rights': stale: {main} has no such message; remove it, "
            "or give it the msgid of the message it rephrases",
            id="stale",
        ),
        pytest.param(
            'msgid "Your rights"\nmsgstr "Twoje prawa"\n',
            'msgid "Your rights"\nmsgstr "Prawa, które możesz wykonać"\n',
            "{variant}:6:1: msgid 'Your rights': „możesz” does not belong to the panstwo form of address; "
            f"write it {SPEAKS_FORMALLY}",
            id="saying-ty",
        ),
    ],
)
def test_a_variant_catalog_that_lacks_a_message_keeps_a_stale_one_or_says_ty_stops_a_formal_build(
    tmp_path: Path, main: str, variant: str, expected: str
) -> None:
    locales, main_path, variant_path = _catalogs(tmp_path, main, variant)
    with pytest.raises(UserError) as raised:
        translations("pl", locales, PANSTWO)
    assert str(raised.value) == expected.format(main=main_path, variant=variant_path)
    translations("pl", locales, TY)


def test_messages_po_may_not_say_panstwo_nor_uzytkownik(tmp_path: Path) -> None:
    locales, main, _variant = _catalogs(tmp_path, 'msgid "Your rights"\nmsgstr "Prawa Użytkownika"\n', "")
    with pytest.raises(UserError) as raised:
        translations("pl", locales)
    assert str(raised.value) == (
        f"{main}:6:1: msgid 'Your rights': „Użytkownika” does not belong to the ty form of address; "
        "write it in the second person, as „Ty”, „Twoje dane”, „możesz”"
    )


def test_a_formal_policy_says_panstwo_throughout_and_a_familiar_one_is_unchanged() -> None:
    formal = render_markdown(render_document(load_company(FORMAL), "formal", "pl", BUILD_DAY)).text
    assert "Państwa dane osobowe" in formal
    assert "mogą Państwo" in formal
    assert register_words(formal, PANSTWO) == []
    familiar = render_markdown(render_document(load_company(MINIMAL), "minimal", "pl", BUILD_DAY)).text
    assert "Twoje dane osobowe" in familiar
    assert "Państw" not in familiar


def test_every_polish_output_of_a_formal_policy_says_panstwo(tmp_path: Path) -> None:
    """The banner, the clauses, the summary and the record of processing come from the same catalogs.

    The record, kept for the supervisory authority, speaks to no reader: it says neither "Ty" nor "Państwo"."""
    build(
        [copied(FORMAL, tmp_path / "facts")],
        out_dir=tmp_path / "out",
        formats=("md", "html", "clauses", "summary", "consent", "ropa"),
        today=BUILD_DAY,
    )
    company = tmp_path / "out" / "formal"
    polish = company / "pl"
    texts = {str(path.relative_to(polish)): path.read_text(encoding="utf-8") for path in polish.rglob("*.*")}
    texts["ropa.csv"] = (company / "ropa.csv").read_text(encoding="utf-8")
    banner = json.loads((company / "cookie-consent.json").read_text(encoding="utf-8"))
    texts["cookie-consent.json"] = json.dumps(banner["language"]["translations"]["pl"], ensure_ascii=False)
    assert sorted(texts) == [
        "clauses/contract.fragment.html",
        "clauses/contract.md",
        "cookie-consent.json",
        "privacy-policy.fragment.html",
        "privacy-policy.html",
        "privacy-policy.md",
        "ropa.csv",
        "summary.fragment.html",
    ]
    for name, text in texts.items():
        assert register_words(text, PANSTWO) == [], name
        assert ("Państw" in text) is (name != "ropa.csv"), name


def test_free_text_in_a_formal_policy_that_says_ty_is_warned_of(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The STYLE-REGISTER fixture of tests/fixtures/rules is a familiar policy; this one is formal."""
    monkeypatch.chdir(ROOT)
    facts = Path("tests/fixtures/style/panstwo.yaml")
    assert main(["lint", str(facts)]) == 0
    assert capsys.readouterr().out == facts.with_suffix(".expected").read_text(encoding="utf-8")
    assert main(["lint", "--strict", str(facts)]) == 1


def test_make_i18n_adds_the_missing_variants_untranslated_and_keeps_the_stale_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = update_catalogs_script()
    locales, main_path, variant_path = _catalogs(
        tmp_path,
        'msgid "Your rights"\nmsgstr "Twoje prawa"\n\nmsgid "Contents"\nmsgstr "Spis treści"\n',
        'msgid "Your old rights"\nmsgstr "Państwa prawa"\n',
    )
    monkeypatch.setattr(script, "LOCALES", locales)
    script._update_variant("pl", main_path, script._read(main_path), PANSTWO)
    with variant_path.open("rb") as stream:
        variant = {message.id: message.string for message in read_po(stream) if message.id}
    assert variant == {"Your old rights": "Państwa prawa", "Your rights": ""}
    report = capsys.readouterr().out.splitlines()
    assert report[0] == f"{variant_path.relative_to(tmp_path.parent)}: 2 messages, 1 untranslated"
    assert report[1].startswith(f"  {variant_path}:")
    assert report[1].endswith(
        ": msgid 'Your old rights': stale: "
        + f"{main_path} has no such message; remove it, or give it the msgid of the message it rephrases"
    )
