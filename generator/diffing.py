"""``policygen diff``: the change notes of each company since its last published version."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from generator.changes import describe_changes
from generator.document import company_formats, unescape
from generator.i18n import Formats, translations
from generator.languages import FormOfAddress, Language
from generator.project import display_name, facts_files
from generator.state import ChangeNote, load_state
from generator.templating import template_environment
from generator.validation import validate_files


def change_report(paths: Iterable[Path], languages: Sequence[Language] | None = None) -> str:
    """Every company's changes, each note in the languages it publishes (of ``languages``, when given)."""
    files = facts_files(paths)
    lines: list[str] = []
    for path, checked in zip(files, validate_files(files), strict=True):
        company = checked.company
        state = load_state(path)
        name = display_name(path)
        if state is None:
            lines.append(f"{name}: not published yet; the first build makes version 1")
            continue
        shown = [language for language in company.document.languages if languages is None or language in languages]
        if not shown:
            lines.append(f"{name}: publishes none of {', '.join(languages or ())}")
            continue
        every = describe_changes(state.current.facts, company.model_dump(mode="json"))
        notes = [note for note in every if any(note.concerns(language) for language in shown)]
        material = sum(1 for note in notes if note.material)
        since = f"since version {state.version} of {state.date.isoformat()}"
        if not notes:
            lines.append(f"{name}: no changes {since}")
            continue
        counted = f"{len(notes)} change" + ("" if len(notes) == 1 else "s")
        lines.append(f"{name}: {counted} {since}, {material} material")
        for note in notes:
            register = company.document.register
            # A text changed in some languages alone may be a translation corrected, or one forgotten.
            alone = (
                f" [{', '.join(note.languages)} only: do the other languages need it too?]" if note.languages else ""
            )
            lines.extend(
                f"  {language}: {word_note(note, company_formats(company, language), register)}{alone}"
                for language in shown
                if note.concerns(language)
            )
    return "\n".join(lines) + "\n"


def word_note(note: ChangeNote, formats: Formats, register: FormOfAddress) -> str:
    """One note as a sentence in the language of ``formats`` and the policy's form of address, marked when
    material."""
    language = formats.language
    environment = template_environment(language, register)
    phrase: Callable[[ChangeNote, Formats], str] = environment.globals["change_note"]  # type: ignore[assignment]
    text = phrase(note, formats)
    if note.material:
        text += " " + translations(language, register=register).gettext("(material change)")
    return unescape(text)
