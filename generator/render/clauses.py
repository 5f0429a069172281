"""Information clauses for forms: the first layer of a layered privacy notice.

Every purpose whose facts name a ``form`` gets ``<lang>/clauses/<purpose>.md`` and
``.fragment.html``, to place beside the form: the controller, purpose and basis, retention,
recipients, the rights in one sentence, consent withdrawal where consent is the basis, and a
link to the purpose's section of the full policy, which sits one folder up. The wording is
``templates/clauses/clause.md.j2``; the HTML comes from the same Markdown.
"""

from __future__ import annotations

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


def clause_markdown(document: PolicyDocument, purpose: Purpose) -> Markdown:
    """The clause of one purpose in the document's language, as Markdown."""
    company = document.company
    template = document.environment.get_template("clauses/clause.md.j2")
    recipients = company.recipients_of(purpose)
    anchor = f"purpose-{purpose.id}"
    section = next(section for section in document.walk() if section.outline.anchor == anchor)
    context = {
        "company": company,
        "item": purpose,
        # The roles, not every recipient: the details are one click away, in the full policy.
        "roles": [value for value in RecipientRole if any(recipient.role is value for recipient in recipients)],
        "transfers": any(not is_in_eea(country) for recipient in recipients for country in recipient.countries),
        "section": section.outline.number,
        "policy_link": f"{POLICY_FROM_CLAUSE}#{anchor}",
    }
    title, *paragraphs = render_blocks(template, context, "title", *PARAGRAPHS)
    return Markdown("\n\n".join([f"**{title}**", *paragraphs]) + "\n")


def clause_files(policy: PolicyDraft) -> list[RenderedFile]:
    """The ``clauses`` output kind: a clause per purpose collected through a form."""
    document = policy.document
    files = []
    for purpose in document.company.purposes:
        if purpose.form is None:
            continue
        markdown = clause_markdown(document, purpose)
        body = markdown_parser().render(markdown)
        fragment = f'<aside class="information-clause" lang="{document.language}">\n{body}</aside>\n'
        files.append(RenderedFile(f"{CLAUSES}/{purpose.id}.md", "clause-md", markdown.encode()))
        files.append(RenderedFile(f"{CLAUSES}/{purpose.id}.fragment.html", "clause-html", fragment.encode()))
    return files
