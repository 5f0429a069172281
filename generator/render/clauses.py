"""Information clauses for forms: the first layer of a layered privacy notice.

Every form the facts name (a purpose's ``form``) gets ``<lang>/clauses/<purpose>.md`` and
``.fragment.html``, named after its first purpose, to place beside the form: the controller, each
purpose the form collects data for with its basis and retention, the recipients, the rights in one
sentence, consent withdrawal where consent is a basis, and links to the purposes' sections of the
full policy, which sits one folder up. A contact form that serves both a contract and questions on
legitimate interests has one clause naming both: a clause per purpose would leave the reader of the
form without the other's basis and right to object. The wording is ``templates/clauses/clause.md.j2``;
the HTML comes from the same Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.document import PolicyDocument, render_blocks
from generator.facts.processing import Purpose, RecipientRole
from generator.legal import is_in_eea
from generator.markdown_text import Markdown
from generator.outputs import POLICY_STEM, PolicyDraft, RenderedFile
from generator.render.html import markdown_parser

CLAUSES = "clauses"
"""The folder of a language's clauses, beside its policy."""

PARAGRAPHS = ("controller", "purpose", "recipients", "rights", "more")
"""The clause's blocks, one paragraph each, in reading order."""

POLICY_FROM_CLAUSE = f"../{POLICY_STEM}.html"
"""The full policy as a clause links to it: one folder up from ``clauses/``."""


def clause_markdown(document: PolicyDocument, purposes: Sequence[Purpose]) -> Markdown:
    """The clause of one form, collecting data for ``purposes``, in the document's language, as Markdown."""
    company = document.company
    template = document.environment.get_template("clauses/clause.md.j2")
    recipients = [recipient for purpose in purposes for recipient in company.recipients_of(purpose)]
    numbers = {section.outline.anchor: section.outline.number for section in document.walk()}
    context = {
        "company": company,
        "items": purposes,
        # The roles, not every recipient: the details are one click away, in the full policy.
        "roles": [value for value in RecipientRole if any(recipient.role is value for recipient in recipients)],
        # A right only some of the purposes' bases give is named beside those purposes, not for all the form's data.
        "objection_for_all": all(purpose.open_to_objection for purpose in purposes),
        "portability_for_all": all(purpose.open_to_portability for purpose in purposes),
        "transfers": any(not is_in_eea(country) for recipient in recipients for country in recipient.countries),
        "sections": [
            (numbers[f"purpose-{purpose.id}"], f"{POLICY_FROM_CLAUSE}#purpose-{purpose.id}") for purpose in purposes
        ],
    }
    title, *paragraphs = render_blocks(template, context, "title", *PARAGRAPHS)
    return Markdown("\n\n".join([f"**{title}**", *paragraphs]) + "\n")


def forms(purposes: Sequence[Purpose]) -> list[list[Purpose]]:
    """The purposes of each form, in the order the facts first name the form; purposes naming the same
    form (the same name in every language, whatever its capitals) share it."""
    by_form: dict[tuple[tuple[str, str], ...], list[Purpose]] = {}
    for purpose in purposes:
        if purpose.form is not None:
            # "Contact form" and "contact form" are one form: a name is capitalised where the clause's heading needs it.
            name = tuple(sorted((language, text.strip().casefold()) for language, text in purpose.form.root.items()))
            by_form.setdefault(name, []).append(purpose)
    return list(by_form.values())


def clause_files(policy: PolicyDraft) -> list[RenderedFile]:
    """The ``clauses`` output kind: a clause per form, named after the form's first purpose."""
    document = policy.document
    files = []
    for purposes in forms(document.company.purposes):
        markdown = clause_markdown(document, purposes)
        body = markdown_parser().render(markdown)
        fragment = f'<aside class="information-clause" lang="{document.language}">\n{body}</aside>\n'
        stem = f"{CLAUSES}/{purposes[0].id}"
        files.append(RenderedFile(f"{stem}.md", "clause-md", markdown.encode()))
        files.append(RenderedFile(f"{stem}.fragment.html", "clause-html", fragment.encode()))
    return files
