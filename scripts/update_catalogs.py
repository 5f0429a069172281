"""Extract template strings into locales/messages.pot and merge them into every catalog.

Run as `make i18n`. Every language of the table (generator/data/languages.yaml) but the
templates' own gets a catalog: a new language's is created with every message
untranslated, for a translator to fill in. Babel's command line stamps dates and
placeholder contacts into the headers on every run; this writes the same headers every
time, so a catalog changes in git only when its messages do.

A language with a choice of forms of address (``registers`` in the table) has a variant
catalog per form besides its default (``panstwo.po``): it holds only the messages that read
differently. A message of ``messages.po`` that needs a variant and has none is added to it
untranslated, for the translator to write; a variant message whose msgid left the templates
is kept and reported as stale, never dropped unseen.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from generator.i18n import catalog_path
from generator.languages import FormOfAddress, Language, language, language_codes, source_language
from generator.registers import catalog_register_problems, needs_variant, variant_problems
from generator.resources import LOCALES, TEMPLATES

METHOD_MAP = [("**.j2", "jinja2")]
OPTIONS = {"**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


HEADER_COMMENT = (
    "# {language} translations of the policygen templates.\n"
    "# Update with `make i18n`; every message must be translated and none may be fuzzy."
)
VARIANT_HEADER_COMMENT = (
    "# {language} translations of the policygen templates, for policies that address the reader\n"
    "# in the {register} form (document.register: {register}): only the messages that read otherwise\n"
    "# than in messages.po, which gives all the others. `make i18n` adds every message that needs\n"
    "# one untranslated; every message must be translated and none may be fuzzy."
)
VOLATILE_HEADER_LINE = re.compile(
    rb'^"(POT-Creation-Date|PO-Revision-Date|Report-Msgid-Bugs-To|Last-Translator): .*\n', re.M
)


def _write(path: Path, catalog: Catalog, *, omit_header: bool) -> None:
    """Write the catalog without the header lines that would change on every run."""
    catalog.project = "policygen"
    catalog.version = ""
    catalog.language_team = "policygen"
    buffer = BytesIO()
    write_po(buffer, catalog, width=0, no_location=True, omit_header=omit_header, sort_output=True)
    path.write_bytes(VOLATILE_HEADER_LINE.sub(b"", buffer.getvalue()))


def extract_template_catalog() -> Catalog:
    """Every translatable string of the templates."""
    template = Catalog(fuzzy=False)
    for _filename, _lineno, message, comments, context in extract_from_dir(
        TEMPLATES, METHOD_MAP, OPTIONS, strip_comment_tags=True
    ):
        template.add(message, None, [], auto_comments=comments, context=context)
    return template


def main() -> None:
    template = extract_template_catalog()
    _write(LOCALES / "messages.pot", template, omit_header=True)
    for code in language_codes():
        if code == source_language():
            continue
        path = catalog_path(code, LOCALES)
        if path.exists():
            catalog = _read(path)
        else:
            catalog = Catalog(locale=code, fuzzy=False)
            path.parent.mkdir(parents=True)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.header_comment = HEADER_COMMENT.format(language=catalog.locale.english_name if catalog.locale else "")
        _write(path, catalog, omit_header=False)
        written = _read(path)
        _report(path, written)
        for register in language(code).registers[1:]:
            _update_variant(code, path, written, register)


def _read(path: Path) -> Catalog:
    with path.open("rb") as stream:
        return read_po(stream)


def _report(path: Path, catalog: Catalog) -> None:
    untranslated = sum(1 for message in catalog if message.id and not _translated(message.string))
    messages = sum(1 for message in catalog if message.id)
    print(f"{path.relative_to(LOCALES.parent)}: {messages} messages, {untranslated} untranslated")


def _translated(string: str | tuple[str, ...] | list[str] | None) -> bool:
    """Whether a message has its translation: a plural message one for each of its forms."""
    return all(string) if isinstance(string, tuple | list) else bool(string)


def _update_variant(code: Language, main_path: Path, main: Catalog, register: FormOfAddress) -> None:
    """Add the messages the variant lacks, untranslated; keep the rest, sorted; report what is wrong.

    ``main`` is the main catalog as written to ``main_path``, with the line numbers problems cite.
    """
    path = catalog_path(code, LOCALES, register)
    variant = _read(path) if path.exists() else Catalog(locale=code, fuzzy=False)
    for message in main:
        if message.id not in variant and needs_variant(message, register):
            variant.add(message.id, "", flags=message.flags)
    variant.header_comment = VARIANT_HEADER_COMMENT.format(
        language=variant.locale.english_name if variant.locale else "", register=register
    )
    _write(path, variant, omit_header=False)
    written = _read(path)
    _report(path, written)
    for problem in [
        *variant_problems(main, main_path, written, path, register),
        *catalog_register_problems(written, path, register),
    ]:
        print(f"  {problem}")


if __name__ == "__main__":
    main()
