"""The policy as a Word document, for a lawyer's review with track changes.

Built from the same Markdown as every other format, parsed by the HTML renderer's
markdown-it (raw HTML off), so the numbering and text cannot drift: the title is the
``Title`` style, sections and subsections are ``Heading 1`` and ``Heading 2`` (styles, not
direct formatting, so Word's navigation pane and LibreOffice's navigator list them), GFM
tables are Word tables, and in-page links jump to bookmarks named by the sections' anchors.
The document's language is set on its default style, so spelling and hyphenation follow it.
"""

from __future__ import annotations

from io import BytesIO

import docx
from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from markdown_it.token import Token

from generator.languages import language as language_row
from generator.outputs import POLICY_STEM, PolicyDraft, RenderedFile
from generator.render.html import markdown_parser
from generator.render.office import pinned_archive, policy_moment

_MONOSPACE = "Consolas"
_LINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)
_DEEPEST_LIST_STYLE = 3
"""Word's template has list styles for three levels; deeper items share the third."""
_LIST_STYLES = {"bullet_list_open": "List Bullet", "ordered_list_open": "List Number"}


def docx_files(policy: PolicyDraft) -> list[RenderedFile]:
    """The ``docx`` output kind: the policy of one language for review in Word or LibreOffice."""
    return [RenderedFile(f"{POLICY_STEM}.docx", "docx", render_docx(policy))]


PROPERTY_LENGTH = 255
"""The longest text a Word file's core property holds (python-docx refuses a longer one)."""


def _property_text(text: str) -> str:
    """``text`` as a core property: a legal name of any length is shortened with an ellipsis, not refused."""
    return text if len(text) <= PROPERTY_LENGTH else text[: PROPERTY_LENGTH - 1] + "…"


def render_docx(policy: PolicyDraft) -> bytes:
    """The Word document of one policy, byte-identical for the same text and date."""
    document, markdown = policy.document, policy.markdown
    word = docx.Document()
    language_tag = language_row(document.language).locale.replace("_", "-")
    _set_default_language(word, language_tag)
    properties = word.core_properties
    legal_name = _property_text(document.company.controller.legal_name)
    properties.title = _property_text(markdown.title)
    properties.subject = properties.author = properties.last_modified_by = legal_name
    properties.language = language_tag
    properties.comments = markdown.updated
    properties.version = str(policy.version)
    properties.revision = policy.version
    properties.identifier = f"{document.slug}-{POLICY_STEM}-{document.language}"
    properties.created = properties.modified = policy_moment(document.last_updated)
    _Writer(word).blocks(markdown_parser().parse(markdown.body))
    saved = BytesIO()
    word.save(saved)
    return pinned_archive(saved.getvalue(), document.last_updated)


def _set_default_language(word: WordDocument, tag: str) -> None:
    """Set ``w:lang`` on the document defaults: python-docx has no API for it."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None  # python-docx's template always has them
    run_properties = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert run_properties is not None
    language = run_properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_properties.append(language)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        language.set(qn(attribute), tag)


class _Writer:
    """Walks markdown-it's block tokens and writes the matching Word paragraphs and tables."""

    def __init__(self, word: WordDocument) -> None:
        self.word = word
        self.lists: list[str] = []
        self.bookmarks = 0

    def blocks(self, tokens: list[Token]) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type == "heading_open":
                self.heading(int(token.tag[1]), token.attrGet("id"), tokens[index + 1])
                index += 3
                continue
            if token.type in _LIST_STYLES:
                self.lists.append(_LIST_STYLES[token.type])
            elif token.type in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif token.type == "inline":
                self.inline(self.paragraph(), token)
            elif token.type in ("fence", "code_block"):
                for line in token.content.rstrip("\n").split("\n"):
                    self.paragraph().add_run(line).font.name = _MONOSPACE
            elif token.type == "table_open":
                end = next(position for position in range(index, len(tokens)) if tokens[position].type == "table_close")
                self.table(tokens[index:end])
                index = end
            index += 1

    def paragraph(self) -> Paragraph:
        if not self.lists:
            return self.word.add_paragraph()
        depth = min(len(self.lists), _DEEPEST_LIST_STYLE)
        style = self.lists[-1] + (f" {depth}" if depth > 1 else "")
        return self.word.add_paragraph(style=style)

    def heading(self, level: int, anchor: object, inline: Token) -> None:
        # The Markdown's title is level 1; its sections and subsections become Heading 1 and 2.
        paragraph = self.word.add_heading(level=0 if level == 1 else level - 1)
        if isinstance(anchor, str):
            self.bookmark(paragraph, anchor)
        self.inline(paragraph, inline)

    def bookmark(self, paragraph: Paragraph, name: str) -> None:
        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), str(self.bookmarks))
        start.set(qn("w:name"), name)
        end.set(qn("w:id"), str(self.bookmarks))
        paragraph._p.append(start)
        paragraph._p.append(end)
        self.bookmarks += 1

    def table(self, tokens: list[Token]) -> None:
        rows: list[list[Token]] = []
        for token in tokens:
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline":
                rows[-1].append(token)
        table: Table = self.word.add_table(rows=len(rows), cols=max(len(row) for row in rows))
        table.style = self.word.styles["Table Grid"]
        header = OxmlElement("w:tblHeader")  # the header row repeats on every page the table spans
        table.rows[0]._tr.get_or_add_trPr().append(header)
        for row_index, row in enumerate(rows):
            for column, inline in enumerate(row):
                paragraph = table.cell(row_index, column).paragraphs[0]
                self.inline(paragraph, inline, bold=row_index == 0)
        self.word.add_paragraph()

    def inline(self, paragraph: Paragraph, token: Token, *, bold: bool = False) -> None:
        emphasis = {"strong": bold, "em": False}
        link: BaseOxmlElement | None = None
        for child in token.children or []:
            if child.type in ("strong_open", "strong_close"):
                emphasis["strong"] = child.type == "strong_open" or bold
            elif child.type in ("em_open", "em_close"):
                emphasis["em"] = child.type == "em_open"
            elif child.type == "link_open":
                link = self.hyperlink(paragraph, str(child.attrGet("href") or ""))
            elif child.type == "link_close":
                link = None
            elif child.type == "hardbreak":
                paragraph.add_run().add_break()
            elif child.type == "softbreak":
                paragraph.add_run(" ")
            elif child.type in ("text", "code_inline"):
                run = paragraph.add_run(child.content)
                run.bold = emphasis["strong"] or None
                run.italic = emphasis["em"] or None
                if child.type == "code_inline":
                    run.font.name = _MONOSPACE
                if link is not None:
                    run.font.underline = True
                    run.font.color.rgb = _LINK_COLOUR
                    link.append(run._r)

    def hyperlink(self, paragraph: Paragraph, href: str) -> BaseOxmlElement:
        """A ``w:hyperlink`` in the paragraph: to a bookmark for ``#anchor``, else to the address."""
        element = OxmlElement("w:hyperlink")
        if href.startswith("#"):
            element.set(qn("w:anchor"), href[1:])
        else:
            relation = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            element.set(qn("r:id"), relation)
        paragraph._p.append(element)
        return element
