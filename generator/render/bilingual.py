"""One PDF with two languages side by side, for clients who publish both.

The first two published languages fill two columns, one table row per section, so that the
same numbers stand beside each other; each row is one bookmark labelled in both languages.
The sections come from the documents every other format renders, through the same
markdown-it parser, and the PDF through :func:`generator.render.pdf.render_pdf` with its
fetcher that reads only the project's assets. Not made by default: ``--format pdf-bilingual``
or ``document.bilingual_pdf: true`` in the facts asks for it.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markupsafe import Markup

from generator.document import RenderedSection
from generator.outputs import POLICY_STEM, CompanyDraft, PolicyDraft, RenderedFile
from generator.render.html import markdown_parser, page_environment, stylesheet
from generator.render.pdf import render_pdf

_TAG = re.compile(r"<[^>]+>")


def bilingual_page(first: PolicyDraft, second: PolicyDraft) -> str:
    """The print page: a header row with both titles, then one row per section."""
    parser = markdown_parser()
    pairs = zip(first.document.walk(), second.document.walk(), strict=True)
    rows = []
    for left, right in pairs:
        titles = [Markup(parser.renderInline(section.numbered_title)) for section in (left, right)]
        rows.append(
            {
                "level": left.outline.number.count(".") + 1,
                "bookmark": " / ".join(html.unescape(_TAG.sub("", title)) for title in titles),
                "cells": [
                    _cell(policy, section, title, parser.render(section.body), first_column=policy is first)
                    for policy, section, title in ((first, left, titles[0]), (second, right, titles[1]))
                ],
            }
        )
    company = first.document.company
    return (
        page_environment()
        .get_template("bilingual.html.j2")
        .render(
            columns=[
                {"language": policy.language, "title": policy.markdown.title, "updated": policy.markdown.updated}
                for policy in (first, second)
            ],
            rows=rows,
            day=first.document.last_updated,
            author=company.controller.legal_name,
            footer=f"{company.controller.legal_name} · {first.markdown.updated} · {second.markdown.updated}",
            stylesheet=Markup(stylesheet("print.css") + stylesheet("bilingual.css")),
        )
    )


def _cell(
    policy: PolicyDraft, section: RenderedSection, title: Markup, body: str, *, first_column: bool
) -> dict[str, Any]:
    # The first column keeps the anchors, so the policy's cross-references land on the row.
    anchor = section.outline.anchor if first_column else f"{policy.language}-{section.outline.anchor}"
    return {"language": policy.language, "id": anchor, "title": title, "body": Markup(body)}


def bilingual_files(company: CompanyDraft) -> list[RenderedFile]:
    """The ``pdf-bilingual`` output kind: the first two published languages in one PDF."""
    if len(company.policies) < 2:
        return []
    first, second = company.policies[:2]
    page = bilingual_page(first, second)
    name = f"{POLICY_STEM}.{first.language}-{second.language}.pdf"
    return [RenderedFile(name, "pdf", render_pdf(page, company.date))]
