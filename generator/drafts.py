"""Drafts: a company's policies rendered from its facts as they are now, without publishing.

A draft goes through the same stages as a build (loading, validation, the document, the
renderers of the output registry) but only reads the state file: it takes no version, moves
no date and writes no state, archive or manifest. Each page says it is a draft of the day it
was made, so a preview can never pass for the published policy. ``policygen serve`` keeps
drafts in memory; ``build --draft`` and ``watch`` write them into a preview folder.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.document import render_document
from generator.errors import LocatedMessage, UserError
from generator.languages import Language
from generator.loading import read_facts_bytes
from generator.outputs import CompanyDraft, OutputKind, PolicyDraft, kinds_for_company, render_version
from generator.project import company_slug, display_name
from generator.rendering import checked_facts, state_publishing
from generator.state import check_date_after_history, inputs_hash, load_state, state_path
from generator.writing import inside, write_atomically

PREVIEW = ".preview"
"""The folder, inside the output folder, that drafts are written to; no slug starts with a dot."""


@dataclass(frozen=True)
class Preview:
    """One company's draft and what its checks found."""

    company: CompanyDraft
    """Its version is the one publishing these facts would give; its date is the draft's day."""
    warnings: tuple[LocatedMessage, ...]

    @property
    def name(self) -> str:
        """The company's name as its policy gives it."""
        controller = self.company.facts.controller
        return controller.brand_name or controller.legal_name


def draft_company(path: Path, today: datetime.date, *, strict: bool = False) -> Preview:
    """Validate one facts file and render its policies as drafts of ``today``, in memory.

    The text shows the published version history; raises :class:`UserError` with every
    problem of the file, as ``build`` would.
    """
    slug = company_slug(path)
    source = display_name(path)
    raw = read_facts_bytes(path, source)
    previous = load_state(path)
    checked = checked_facts(raw, source, slug, previous, display_name(state_path(path)), strict=strict)
    if previous is not None:  # once the state file is known to be this company's
        check_date_after_history(display_name(state_path(path)), previous, today)
    company = checked.company
    history = previous.history if previous else []
    documents = [
        render_document(company, slug, language, today, history, draft=True) for language in company.document.languages
    ]
    facts = company.model_dump(mode="json")
    would_publish = state_publishing(
        previous, company, facts, documents, slug=slug, inputs=inputs_hash(raw, path), today=today
    )
    return Preview(
        CompanyDraft(
            slug,
            would_publish.version,
            today,
            tuple(PolicyDraft(document, would_publish.version) for document in documents),
        ),
        warnings=checked.warnings,
    )


@dataclass(frozen=True)
class DraftWritten:
    """One company's draft and the files of it that changed on disk."""

    preview: Preview
    written: list[Path]


def write_drafts(
    files: Sequence[Path],
    out_dir: Path,
    *,
    languages: Sequence[Language],
    kinds: Sequence[OutputKind],
    formats_chosen: bool,
    today: datetime.date,
    strict: bool,
) -> Iterator[DraftWritten]:
    """``build(draft=True)``: draft every company into ``<out_dir>/.preview/<slug>/``, one after the other.

    Nothing is written unless every file is valid, as in a build; files whose content is
    unchanged are left alone, so a preview server sees only real changes.
    """
    previews: list[Preview] = []
    problems: list[LocatedMessage] = []
    for path in files:
        try:
            previews.append(draft_company(path, today, strict=strict))
        except UserError as error:
            problems.extend(error.messages)
    if problems:
        raise UserError(problems)
    for preview in previews:
        wanted = kinds_for_company(kinds, preview.company.facts.document, formats_chosen=formats_chosen)
        written: list[Path] = []
        for _kind, _language, relative, file in render_version(preview.company, wanted, languages, current=True):
            # Resolved against the output folder: a .preview that links elsewhere is refused.
            target = inside(out_dir, PurePosixPath(PREVIEW) / relative)
            if target.is_file() and target.read_bytes() == file.content:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, file.content)
            written.append(target)
        yield DraftWritten(preview, written)
