"""One PDF with two languages side by side, for clients who publish both.

The first two published languages fill two columns, one table row per section, so that the
same numbers stand beside each other; each row is one bookmark labelled in both languages.
The sections come from the documents every other format renders, through the same
markdown-it parser; a build's worker lays the page out (a :class:`PrintPage`) through
:func:`generator.render.pdf.render_pdf`, with its fetcher that reads only the project's
assets. Not made by default: ``--format pdf-bilingual`` or ``document.bilingual_pdf: true``
in the facts asks for it.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

from generator.outputs import POLICY_STEM, CompanyDraft, PolicyDraft, PrintPage
from generator.render.html import aligned_sections, page_environment, stylesheet

_TAG = re.compile(r"<[^>]+>")


def bilingual_page(first: PolicyDraft, second: PolicyDraft) -> str:
    """The print page: a header row with both titles, then one row per section."""
    rows = aligned_sections((first, second))
    # Each row is one bookmark, labelled in both languages.
    bookmarks = [" / ".join(html.unescape(_TAG.sub("", cell.title)) for cell in row.cells) for row in rows]
    company = first.document.company
    return (
        page_environment()
        .get_template("bilingual.html.j2")
        .render(
            columns=[
                {"language": policy.language, "title": policy.markdown.title, "updated": policy.markdown.updated}
                for policy in (first, second)
            ],
            rows=zip(rows, bookmarks, strict=True),
            day=first.document.last_updated,
            author=company.controller.legal_name,
            footer=f"{company.controller.legal_name} · {first.markdown.updated} · {second.markdown.updated}",
            stylesheet=Markup(stylesheet("print.css") + stylesheet("bilingual.css")),
        )
    )


def bilingual_files(company: CompanyDraft) -> list[PrintPage]:
    """The ``pdf-bilingual`` output kind: the first two published languages the build covers in one PDF, laid
    out by a worker (the registry makes none for fewer: its ``languages_needed``)."""
    first, second = company.policies[:2]
    name = f"{POLICY_STEM}.{first.language}-{second.language}.pdf"
    return [PrintPage(name, bilingual_page(first, second), company.date)]
