"""``build()``: the pipeline from facts files to policies, one stage after another.

load and validate every file (nothing is written if any is invalid) -> outline and
per-language document -> Markdown -> HTML -> PDF -> atomic writes.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from generator.document import PolicyDocument, render_document
from generator.errors import user_error
from generator.facts import Company
from generator.facts.base import LANGUAGES, Language
from generator.project import facts_files
from generator.render.html import render_html
from generator.render.markdown import render_markdown
from generator.validation import validate_files
from generator.writing import OutputFile, company_slug, write_outputs

FORMATS = ("md", "html", "pdf")
POLICY_STEM = "privacy-policy"


def today_for_build(given: datetime.date | None = None) -> datetime.date:
    """The build's "today": given explicitly, else from SOURCE_DATE_EPOCH, else the clock."""
    if given is not None:
        return given
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date()
        except (ValueError, OverflowError) as error:
            raise user_error("SOURCE_DATE_EPOCH", f"not a Unix timestamp: {epoch!r}") from error
    return datetime.datetime.now(tz=datetime.UTC).date()


def build(
    paths: Iterable[Path],
    *,
    out_dir: Path = Path("output"),
    languages: Sequence[Language] = LANGUAGES,
    formats: Sequence[str] = FORMATS,
    today: datetime.date | None = None,
) -> list[Path]:
    """Validate every facts file, then render and write its policies; returns the files written."""
    files = facts_files(paths)
    companies = validate_files(files)
    day = today_for_build(today)
    outputs: list[OutputFile] = []
    for path, company in zip(files, companies, strict=True):
        outputs.extend(render_company(company_slug(path), company, languages, formats, day))
    return write_outputs(out_dir, outputs)


def render_company(
    slug: str, company: Company, languages: Sequence[Language], formats: Sequence[str], day: datetime.date
) -> list[OutputFile]:
    """Every requested format of every published, requested language of one company."""
    outputs: list[OutputFile] = []
    for language in company.document.languages:
        if language in languages:
            document = render_document(company, slug, language, day)
            outputs.extend(_formats_of(document, formats))
    return outputs


def _formats_of(document: PolicyDocument, formats: Sequence[str]) -> list[OutputFile]:
    folder = PurePosixPath(document.slug, document.language)
    markdown = render_markdown(document)
    outputs = []
    if "md" in formats:
        outputs.append(OutputFile(folder / f"{POLICY_STEM}.md", markdown.text.encode()))
    if "html" in formats:
        html = render_html(document, markdown)
        outputs.append(OutputFile(folder / f"{POLICY_STEM}.html", html.page.encode()))
        outputs.append(OutputFile(folder / f"{POLICY_STEM}.fragment.html", html.fragment.encode()))
    if "pdf" in formats:
        from generator.render.pdf import render_pdf  # WeasyPrint loads only when a PDF is made

        print_page = render_html(document, markdown, for_print=True).page
        outputs.append(OutputFile(folder / f"{POLICY_STEM}.pdf", render_pdf(print_page, document.last_updated)))
    return outputs
