"""The PDFs of the example companies, and one with a logo, read back with pypdf: what a client keeps.

Each must be a tagged PDF/A-3a in the policy's language that opens on its bookmarks, set
only in the embedded (subset) Noto Sans, with every heading followed on its page by what
it introduces and every line of text inside the page.
"""

from __future__ import annotations

import gc
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydyf
import pytest
from conftest import BUILD_DAY, MINIMAL, ROOT, copied, png
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream, Destination
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import TableBox

from generator.document import render_document
from generator.errors import UserError
from generator.languages import Language
from generator.pipeline import build
from generator.render import pdf as pdf_module
from generator.render.html import render_print_page
from generator.render.markdown import render_markdown
from generator.render.pdf import ProjectAssetFetcher, print_styles, render_pdf
from generator.resources import ASSETS, FONT_CHARACTER_RANGES
from generator.validation import load_company

COMPANIES = sorted((ROOT / "companies").glob("*.yaml"))
LANGUAGES: tuple[Language, ...] = ("pl", "en")
PDFS = [f"{facts.stem}/{language}" for facts in COMPANIES for language in LANGUAGES]
FONTS = sorted((ASSETS / "fonts").glob("NotoSans-*.ttf"))
MM = 72 / 25.4
PAGE_MARGINS = {"top": 20 * MM, "right": 18 * MM, "bottom": 22 * MM, "left": 18 * MM}
"""The @page margins of print.css: body text stays inside them, the footer below the bottom one."""
POLISH_DATE = "Ostatnia aktualizacja: 22\u00a0listopada\u00a02026"
ENGLISH_DATE = "Last updated: 22 November 2026"
CLUSTERIC = "NanoMedia Damian Kiełbasa"


@dataclass(frozen=True)
class Line:
    """One piece of text drawn on a page, at its baseline's start (PDF points, origin bottom left)."""

    text: str
    x: float
    y: float


@pytest.fixture(scope="module")
def pdf_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example's PDF in Polish and English, as ``<company>/<lang>/privacy-policy.pdf``."""
    out = tmp_path_factory.mktemp("pdfs")
    facts = [copied(path, out / "facts") for path in COMPANIES]
    build(facts, out_dir=out, formats=("pdf",), languages=LANGUAGES, today=BUILD_DAY)
    return out


@pytest.fixture(scope="module")
def pdfs(pdf_folder: Path) -> dict[str, PdfReader]:
    return {name: PdfReader(pdf_folder / name / "privacy-policy.pdf") for name in PDFS}


VERAPDF = shutil.which("verapdf")


@pytest.mark.skipif(
    VERAPDF is None,
    reason="veraPDF is not installed (it is no Debian, PyPI or npm package: see https://verapdf.org); "
    "with `verapdf` on PATH this test validates every example's PDF as PDF/A-3a",
)
def test_verapdf_finds_every_pdf_compliant_with_pdf_a_3a(pdf_folder: Path) -> None:
    assert VERAPDF is not None
    for name in PDFS:
        report = subprocess.run(
            [VERAPDF, "--flavour", "3a", "--format", "xml", str(pdf_folder / name / "privacy-policy.pdf")],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert 'isCompliant="true"' in report.stdout, f"{name}: {report.stdout[-2000:]}{report.stderr[-2000:]}"


def lines(page: Any) -> list[Line]:
    found: list[Line] = []

    def visit(text: str, matrix: list[float], text_matrix: list[float], _font: Any, _size: float) -> None:
        if text.strip():
            x = text_matrix[4] * matrix[0] + text_matrix[5] * matrix[2] + matrix[4]
            y = text_matrix[4] * matrix[1] + text_matrix[5] * matrix[3] + matrix[5]
            found.append(Line(text.strip(), x, y))

    page.extract_text(visitor_text=visit)
    return found


def bookmarks(reader: PdfReader) -> list[Destination]:
    def walk(items: list[Any]) -> list[Destination]:
        return [entry for item in items for entry in (walk(item) if isinstance(item, list) else [item])]

    return walk(reader.outline)


@pytest.mark.parametrize("name", PDFS)
def test_tagged_archival_and_in_the_policys_language(pdfs: dict[str, PdfReader], name: str) -> None:
    reader = pdfs[name]
    catalog: Any = reader.trailer["/Root"]
    assert catalog["/Lang"] == name.split("/")[1]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    tags = {str(node["/S"]) for node in structure_nodes(catalog["/StructTreeRoot"])}
    assert {"/Document", "/H1", "/H2", "/P", "/L", "/LI", "/Table", "/TR", "/TH", "/TD", "/Link"} <= tags
    metadata = reader.xmp_metadata
    assert metadata is not None
    assert b'pdfaid:part="3" pdfaid:conformance="A"' in metadata.stream.get_data()


@pytest.mark.parametrize("name", PDFS)
def test_all_text_is_tagged_in_the_tree_and_the_footer_is_an_artifact(pdfs: dict[str, PdfReader], name: str) -> None:
    # A screen reader reads the structure tree: every text is in it, except the running footer,
    # which is page furniture (a pagination artifact) and would interrupt the text on every page.
    reader = pdfs[name]
    catalog: Any = reader.trailer["/Root"]
    root = catalog["/StructTreeRoot"]
    in_tree = {node.indirect_reference.idnum for node in structure_nodes(root)}
    parents = pdf_tree(root["/ParentTree"], "/Nums")
    pages: list[Any] = list(reader.pages)
    for number, page in enumerate(pages, start=1):
        owners = parents[str(page["/StructParents"])]
        shown = marked_text(page)
        untagged = [mcid for mcid, _artifact in shown if mcid is not None and owners[mcid].idnum not in in_tree]
        assert untagged == [], f"page {number}: marked content outside the structure tree"
        assert (None, None) not in shown, f"page {number}: text neither tagged nor an artifact"
        assert shown.count((None, "/Pagination")) == 2, f"page {number}: the footer's two texts"


def test_no_link_inside_a_link_and_every_link_in_its_element(pdfs: dict[str, PdfReader]) -> None:
    # The contents' entries link their page numbers too: one link element each, not one in another.
    reader = pdfs["optingo/pl"]
    catalog: Any = reader.trailer["/Root"]
    root = catalog["/StructTreeRoot"]
    links = [node for node in structure_nodes(root) if node["/S"] == "/Link"]
    assert [node for node in links if node["/P"].get_object()["/S"] == "/Link"] == []
    parents = pdf_tree(root["/ParentTree"], "/Nums")
    pages: list[Any] = list(reader.pages)
    annotations = [
        annotation.get_object()
        for page in pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object()["/Subtype"] == "/Link"
    ]
    assert len(annotations) > 40
    in_tree = {node.indirect_reference.idnum for node in structure_nodes(root)}
    for annotation in annotations:
        element = parents[str(annotation["/StructParent"])]
        assert element["/S"] == "/Link"
        assert element.indirect_reference.idnum in in_tree
        kids = [kid.get_object() for kid in element["/K"]]
        assert any(hasattr(kid, "get") and kid.get("/Obj") == annotation.indirect_reference for kid in kids)


def test_a_link_holding_boxes_of_its_own_is_one_link(tmp_path: Path) -> None:
    # A contents entry whose page number follows a dotted leader: the leader is a link of its own
    # inside the number's link, inside the entry's. All three are the entry's one link.
    page = """<html lang="en"><head><style>
    a.entry::after { content: leader(".") target-counter(attr(href), page); }
    </style></head><body><p><a class="entry" href="#one">One</a></p><h2 id="one">One</h2></body></html>"""
    (tmp_path / "leader.pdf").write_bytes(render_pdf(page, BUILD_DAY))
    catalog: Any = PdfReader(tmp_path / "leader.pdf").trailer["/Root"]
    links = [node for node in structure_nodes(catalog["/StructTreeRoot"]) if node["/S"] == "/Link"]
    assert len(links) == 1
    kids = [kid.get_object() for kid in links[0]["/K"]]
    assert sum(1 for kid in kids if not isinstance(kid, int) and kid.get("/Type") == "/OBJR") == 3


@pytest.mark.parametrize("name", PDFS)
def test_table_headers_are_column_headers_that_the_cells_name(pdfs: dict[str, PdfReader], name: str) -> None:
    catalog: Any = pdfs[name].trailer["/Root"]
    root = catalog["/StructTreeRoot"]
    identified = pdf_tree(root["/IDTree"], "/Names")
    keys = [str(key) for key in root["/IDTree"]["/Names"][::2]]
    assert keys == sorted(keys, key=lambda key: key.encode())  # a name tree is looked up by its order
    tables = [node for node in structure_nodes(root) if node["/S"] == "/Table"]
    for table in tables:
        cells = [node for node in structure_nodes(table) if node["/S"] in ("/TH", "/TD")]
        headers = [cell for cell in cells if cell["/S"] == "/TH"]
        # A table has a header row; a wide table, stacked on A4, is no table there (next test).
        assert headers != []
        for header in headers:
            assert header["/A"]["/Scope"] == "/Column"
            assert identified[str(header["/ID"])] is header
        for cell in cells:
            if cell["/S"] == "/TD":
                named = [identified[str(header)] for header in cell["/A"]["/Headers"]]
                assert len(named) == 1
                assert any(named[0] is header for header in headers)


@pytest.mark.parametrize("name", PDFS)
def test_an_element_going_on_over_a_page_break_is_one_element(pdfs: dict[str, PdfReader], name: str) -> None:
    # WeasyPrint tags page by page: a screen reader met one article per page, and a list going on
    # over a page break as two lists. The article is one; each marked content's owner, found
    # through the parent tree, holds it, and names its page when that is not its own.
    reader = pdfs[name]
    catalog: Any = reader.trailer["/Root"]
    root = catalog["/StructTreeRoot"]
    nodes = structure_nodes(root)
    assert [str(node["/S"]) for node in nodes].count("/Art") == 1
    assert [str(node["/S"]) for node in nodes].count("/Part") == 1
    parents = pdf_tree(root["/ParentTree"], "/Nums")
    pages: list[Any] = list(reader.pages)
    for page in pages:
        owners = parents[str(page["/StructParents"])]
        for mcid, _artifact in marked_text(page):
            if mcid is not None:
                assert (page.indirect_reference.idnum, mcid) in held_content(owners[mcid])


def held_content(element: Any) -> set[tuple[int | None, int]]:
    """The (page, MCID) of each marked content that is a kid of ``element``."""
    own_page = element.raw_get("/Pg").idnum if "/Pg" in element else None
    kids = element["/K"] if isinstance(element["/K"], list) else [element["/K"]]
    held = set()
    for kid in (kid.get_object() for kid in kids):
        if isinstance(kid, int):
            held.add((own_page, kid))
        elif kid.get("/Type") == "/MCR":
            held.add((kid.raw_get("/Pg").idnum, int(kid["/MCID"])))
    return held


def test_a_list_going_on_over_a_page_break_is_one_list_and_two_lists_stay_two(tmp_path: Path) -> None:
    items = "".join(f"<li>Item {number}</li>" for number in range(60))
    paragraph = " ".join(["A paragraph long enough to go on over the page break."] * 90)
    page = f"""<html lang="en"><head><title>Breaks</title></head><body><main><article>
    <ul>{items}</ul><ul><li>Another list</li></ul><p>{paragraph}</p><p>Next</p>
    </article></main></body></html>"""
    (tmp_path / "breaks.pdf").write_bytes(render_pdf(page, BUILD_DAY))
    reader = PdfReader(tmp_path / "breaks.pdf")
    assert len(reader.pages) >= 3
    catalog: Any = reader.trailer["/Root"]
    nodes = structure_nodes(catalog["/StructTreeRoot"])
    lists = sorted((node for node in nodes if node["/S"] == "/L"), key=lambda node: len(node["/K"]))
    assert [len(node["/K"]) for node in lists] == [1, 60]
    assert len(kid_pages(lists[1])) == 2
    paragraphs = sorted((node for node in nodes if node["/S"] == "/P"), key=lambda node: len(node["/K"]))
    assert len(paragraphs) == 2
    assert len(kid_pages(paragraphs[1])) == 2


def test_a_list_item_going_on_over_a_page_break_is_one_item_with_one_body(tmp_path: Path) -> None:
    item = " ".join(["A list item long enough to go on over the page break."] * 120)
    page = f"""<html lang="en"><head><title>Item</title></head><body><main><article>
    <ul><li>Short</li><li>{item}</li></ul></article></main></body></html>"""
    (tmp_path / "item.pdf").write_bytes(render_pdf(page, BUILD_DAY))
    catalog: Any = PdfReader(tmp_path / "item.pdf").trailer["/Root"]
    nodes = structure_nodes(catalog["/StructTreeRoot"])
    items = [node for node in nodes if node["/S"] == "/LI"]
    assert len(items) == 2
    long_item = max(items, key=lambda node: len(kid_pages(node)) + sum(1 for _ in structure_nodes(node)))
    bodies = [kid.get_object() for kid in long_item["/K"] if kid.get_object()["/S"] == "/LBody"]
    assert len(bodies) == 1
    assert len(kid_pages(bodies[0])) == 2


def _outer_and_nested_lists(tmp_path: Path, items: str, pages: int) -> tuple[list[Any], Any]:
    """The items of the outer list and the nested list of a page holding the list ``items``, checked to
    fill ``pages`` pages."""
    page = f"""<html lang="en"><head><title>Nested</title></head><body><main><article>
    <ul>{items}</ul></article></main></body></html>"""
    (tmp_path / "nested.pdf").write_bytes(render_pdf(page, BUILD_DAY))
    reader = PdfReader(tmp_path / "nested.pdf")
    assert len(reader.pages) == pages
    catalog: Any = reader.trailer["/Root"]
    [outer, nested] = sorted(
        (node for node in structure_nodes(catalog["/StructTreeRoot"]) if node["/S"] == "/L"),
        key=lambda node: node.indirect_reference.idnum,
    )
    assert len(kid_pages(nested)) == pages
    return [kid.get_object() for kid in outer["/K"]], nested


@pytest.mark.parametrize("inner_items", [3, 70], ids=["on-one-page", "over-a-page-break"])
def test_a_nested_list_is_in_the_body_of_its_item(tmp_path: Path, inner_items: int) -> None:
    # WeasyPrint puts a nested list beside its item, in the outer list, and over a page break
    # leaves an empty item before the list's second part.
    inner = "".join(f"<li>Inner item {number}</li>" for number in range(inner_items))
    items, nested = _outer_and_nested_lists(
        tmp_path, f"<li>Outer one</li><li>Outer two<ul>{inner}</ul></li><li>Outer three</li>", inner_items // 60 + 1
    )
    assert [str(item["/S"]) for item in items] == ["/LI", "/LI", "/LI"]
    assert [[str(kid.get_object()["/S"]) for kid in item["/K"]] for item in items] == [["/Lbl", "/LBody"]] * 3
    body = items[1]["/K"][1].get_object()
    assert [str(kid.get_object()["/S"]) for kid in body["/K"]][-1] == "/L"
    assert body["/K"][-1].get_object() == nested
    assert nested["/P"].get_object() == body
    assert [str(kid.get_object()["/S"]) for kid in nested["/K"]] == ["/LI"] * inner_items


@pytest.mark.parametrize("inner_items", [3, 70], ids=["on-one-page", "over-a-page-break"])
def test_a_loose_item_holds_its_paragraphs_and_nested_list_in_reading_order(tmp_path: Path, inner_items: int) -> None:
    # A loose item (Markdown's paragraphs in an item, from a company's own section) is tagged by
    # WeasyPrint with its paragraphs beside its label, outside any body, and its nested list beside
    # the item: a screen reader read the paragraph after the list before the list.
    inner = "".join(f"<li>Inner item {number}</li>" for number in range(inner_items))
    items, nested = _outer_and_nested_lists(
        tmp_path,
        f"<li><p>Loose first</p><ul>{inner}</ul><p>Loose after</p></li><li>Outer two</li>",
        inner_items // 60 + 1,
    )
    assert [[str(kid.get_object()["/S"]) for kid in item["/K"]] for item in items] == [["/Lbl", "/LBody"]] * 2
    body = items[0]["/K"][1].get_object()
    assert [str(kid.get_object()["/S"]) for kid in body["/K"]] == ["/P", "/L", "/P"]
    assert body["/K"][1].get_object() == nested
    assert all(kid.get_object()["/P"].get_object() == body for kid in body["/K"])


def kid_pages(element: Any) -> set[int]:
    """The pages of the kid elements of ``element``."""
    return {kid.get_object().raw_get("/Pg").idnum for kid in element["/K"] if "/Pg" in kid.get_object()}


def test_a_stacked_table_is_tagged_as_the_groups_it_shows(pdfs: dict[str, PdfReader]) -> None:
    # Clusteric's cookie tables have five columns: on A4 each row is a group of "column: value" lines,
    # which a screen reader reads as such, not as a table without a header row.
    reader = pdfs["clusteric/pl"]
    catalog: Any = reader.trailer["/Root"]
    nodes = structure_nodes(catalog["/StructTreeRoot"])
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Nazwa: clusteric_session" in text
    stacked = [node for node in nodes if node["/S"] == "/Div" and "/A" not in node and node.get("/K")]
    assert len(stacked) > 10
    assert not [node for node in nodes if node["/S"] == "/TD" and "/Headers" not in node["/A"]]


def marked_text(page: Any) -> list[tuple[int | None, str | None]]:
    """Each text shown on ``page``: the marked content it is in (its MCID) or the artifact type it belongs to."""
    shown: list[tuple[int | None, str | None]] = []
    open_marks: list[tuple[int | None, str | None]] = []
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator in (b"BDC", b"BMC"):
            properties = operands[1] if operator == b"BDC" else {}
            if operands[0] == "/Artifact":
                open_marks.append((None, str(properties.get("/Type", "/Artifact"))))
            else:
                open_marks.append((properties.get("/MCID"), None))
        elif operator == b"EMC":
            open_marks.pop()
        elif operator in (b"Tj", b"TJ", b"'", b'"'):
            tagged = next((mark for mark in reversed(open_marks) if mark != (None, None)), (None, None))
            shown.append(tagged)
    return shown


def pdf_tree(node: Any, entries: str) -> dict[str, Any]:
    """A PDF number tree (``/Nums``: the structure's parent tree) or name tree (``/Names``: its element
    identifiers) as a dictionary of its keys, as text, and its values."""
    node = node.get_object()
    found: dict[str, Any] = {}
    for kid in node.get("/Kids", []):
        found |= pdf_tree(kid, entries)
    pairs = node.get(entries, [])
    found |= {str(pairs[index]): pairs[index + 1].get_object() for index in range(0, len(pairs), 2)}
    return found


def structure_nodes(element: Any) -> list[Any]:
    """Every structure element (a dictionary with a type, /S) in the tree below ``element``."""
    found: list[Any] = []
    pending = [element]
    while pending:
        node = pending.pop().get_object()
        if not hasattr(node, "get"):
            continue
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        if kids is None:
            continue
        kids = kids.get_object()
        pending.extend(kids if isinstance(kids, list) else [kids])
    return found


@pytest.mark.parametrize("name", PDFS)
def test_opens_on_its_bookmarks(pdfs: dict[str, PdfReader], name: str) -> None:
    catalog: Any = pdfs[name].trailer["/Root"]
    assert catalog["/PageMode"] == "/UseOutlines"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert len(bookmarks(pdfs[name])) > 10


@pytest.mark.parametrize("name", PDFS)
def test_every_glyph_is_in_embedded_noto_sans(pdfs: dict[str, PdfReader], name: str) -> None:
    _assert_set_in_noto_sans(pdfs[name])


def test_a_nested_list_is_set_in_noto_sans(tmp_path: Path) -> None:
    # A company's own section may nest lists: their default bullets came from the machine's DejaVu Sans.
    page = """<html lang="pl"><body><ul><li>Jeden<ul><li>Dwa<ul><li>Trzy</li></ul></li></ul></li></ul>
    <ol><li>Raz<ol><li>Dwa</li></ol></li></ol></body></html>"""
    (tmp_path / "nested.pdf").write_bytes(render_pdf(page, BUILD_DAY))
    _assert_set_in_noto_sans(PdfReader(tmp_path / "nested.pdf"))


def _assert_set_in_noto_sans(reader: PdfReader) -> None:
    for number, page in enumerate(reader.pages, start=1):
        resources: Any = page["/Resources"]
        for reference in resources["/Font"].values():
            font = reference.get_object()
            base = str(font["/BaseFont"])
            assert base.split("+", 1)[1].startswith("Noto-Sans"), f"page {number} uses {base}"
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, f"{base} is not embedded"


@pytest.mark.parametrize("name", PDFS)
def test_no_heading_ends_a_page(pdfs: dict[str, PdfReader], name: str) -> None:
    assert headings_ending_a_page(pdfs[name]) == []


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        # A heading pushed to the foot of page 1 and free to stay there: the check finds it.
        ("break-after: auto", ["'Stranded' ends page 1"]),
        # The same heading under print.css alone moves to page 2 with its text.
        ("", []),
    ],
)
def test_a_heading_at_the_foot_of_a_page_is_found(tmp_path: Path, style: str, expected: list[str]) -> None:
    page = f"""<html lang="en"><body><div style="height: 240mm"></div>
    <h2 style="{style}">Stranded</h2><p>Its text.</p></body></html>"""
    (tmp_path / "stranded.pdf").write_bytes(render_pdf(page, BUILD_DAY))
    assert headings_ending_a_page(PdfReader(tmp_path / "stranded.pdf")) == expected


@pytest.mark.parametrize("collecting", [True, False])
def test_the_garbage_collector_is_left_as_it_was(collecting: bool) -> None:
    # Paused while a PDF is made, it runs again afterwards, unless the caller had stopped it.
    page = '<html lang="en"><body><p>Text.</p></body></html>'
    if not collecting:
        gc.disable()
    try:
        assert render_pdf(page, BUILD_DAY).startswith(b"%PDF")
        assert gc.isenabled() is collecting
    finally:
        gc.enable()


def test_each_object_is_made_once_and_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    # A PDF/A names the file by a hash of its objects, for which pydyf made every object's bytes
    # again, each stream compressed again at zlib's level 9: a twentieth of a policy's PDF.
    page = '<html lang="en"><body><h1>Title</h1><p>Text of <em>the</em> policy.</p><ul><li>One</li></ul></body></html>'
    finished: list[Any] = []

    def finish(document: Any, pdf: Any) -> None:
        finish_as_before(document, pdf)
        finished.extend(pdf.objects)

    finish_as_before = pdf_module._finish
    monkeypatch.setattr(pdf_module, "_finish", finish)
    made: Counter[int] = Counter()
    for kind in (pydyf.Stream, pydyf.Dictionary):

        def counted(pdf_object: Any, making: property = kind.data) -> bytes:
            made[id(pdf_object)] += 1
            data: bytes = making.fget(pdf_object)  # type: ignore[misc]
            return data

        monkeypatch.setattr(kind, "data", property(counted))
    pdf = render_pdf(page, BUILD_DAY)
    objects = [item for item in finished if isinstance(item, pydyf.Stream | pydyf.Dictionary)]
    assert len(objects) > 20  # the pages, fonts, structure elements...
    assert {made[id(item)] for item in objects} == {1}
    monkeypatch.setattr(pdf_module, "bytes_made_once", lambda pdf: None)
    assert render_pdf(page, BUILD_DAY) == pdf  # the bytes pydyf makes of each object, twice or once


def headings_ending_a_page(reader: PdfReader) -> list[str]:
    """Each bookmarked heading with no text below it on its page, above the footer."""
    stranded = []
    for bookmark in bookmarks(reader):
        number = reader.get_destination_page_number(bookmark)
        assert number is not None, f"'{bookmark.title}' points at no page"
        top = float(bookmark.top or 0)
        below = [
            line
            for line in lines(reader.pages[number])
            if line.y < top - 4 and line.y > PAGE_MARGINS["bottom"] and line.text not in str(bookmark.title)
        ]
        if not below:
            stranded.append(f"'{bookmark.title}' ends page {number + 1}")
    return stranded


@pytest.mark.parametrize("name", PDFS)
def test_all_text_inside_the_page(pdfs: dict[str, PdfReader], name: str) -> None:
    assert text_outside_the_margins(pdfs[name]) == []


def test_text_pushed_off_the_page_is_found(tmp_path: Path) -> None:
    page = """<html lang="en"><body><p>Inside.</p>
    <p style="margin-left: 190mm; white-space: nowrap">Off</p></body></html>"""
    (tmp_path / "off.pdf").write_bytes(render_pdf(page, BUILD_DAY))
    assert [line.text for line in text_outside_the_margins(PdfReader(tmp_path / "off.pdf"))] == ["Off"]


def text_outside_the_margins(reader: PdfReader) -> list[Line]:
    """Text starting left of the left margin, right of the right one, or above the top one."""
    outside = []
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        for line in lines(page):
            across = PAGE_MARGINS["left"] - 1 <= line.x <= width - PAGE_MARGINS["right"]
            if not across or not 0 < line.y < height - PAGE_MARGINS["top"]:
                outside.append(line)
    return outside


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("optingo/pl", ["Optingo", "Optingo Digital Sp.\u00a0z\u00a0o.o.", f"Wersja 1 · {POLISH_DATE}"]),
        ("optingo/en", ["Optingo", "Optingo Digital Sp. z o.o.", f"Version 1 · {ENGLISH_DATE}"]),
        # A sole trader's brand above the trader's name.
        ("clusteric/pl", ["Clusteric", CLUSTERIC, f"Wersja 1 · {POLISH_DATE}"]),
    ],
)
def test_page_one_opens_with_the_title_block(pdfs: dict[str, PdfReader], name: str, expected: list[str]) -> None:
    first = [line.text for line in lines(pdfs[name].pages[0])]
    assert first[: len(expected)] == expected
    # The date stands in the title block and the footer; the article's own date line is not repeated.
    label = "Ostatnia aktualizacja" if name.endswith("/pl") else "Last updated"
    assert sum(label in line for line in first) == 2


@pytest.mark.parametrize("name", ["optingo/pl", "clusteric/en"])
def test_every_page_ends_with_brand_date_and_page_x_of_y(pdfs: dict[str, PdfReader], name: str) -> None:
    brand, updated = {"optingo/pl": ("Optingo", POLISH_DATE), "clusteric/en": ("Clusteric", ENGLISH_DATE)}[name]
    count = len(pdfs[name].pages)
    for number, page in enumerate(pdfs[name].pages, start=1):
        footer = sorted((line for line in lines(page) if line.y < PAGE_MARGINS["bottom"]), key=lambda line: line.x)
        assert [line.text for line in footer] == [f"{brand} · {updated}", f"{number} / {count}"]


def test_no_column_is_empty_in_every_row(pdfs: dict[str, PdfReader]) -> None:
    # Clusteric states what none of its recipients does: the column is left out, not left blank.
    # A header may wrap in its column: the words are compared with the lines joined.
    text = " ".join(" ".join(page.extract_text() for page in pdfs["clusteric/pl"].pages).split())
    assert "Czym się zajmuje" not in text
    assert "Miejsce przetwarzania" in text


@pytest.mark.parametrize("font", FONTS, ids=lambda path: path.stem)
def test_the_subset_fonts_have_every_character_validation_lets_through(font: Path) -> None:
    # STYLE-CHARACTERS refuses facts with other characters: the PDF sets every glyph in these fonts.
    allowed = {code for first, last in FONT_CHARACTER_RANGES for code in range(max(first, 0x20), last + 1)}
    cmap = TTFont(font).getBestCmap()
    assert sorted(hex(code) for code in allowed if code not in cmap) == []
    typographic = "\u00a0\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2026\u20ac\u00a7"
    assert {ord(character) for character in "ąćęłńóśźżĄĆĘŁŃÓŚŹŻäöüßÄÖÜẞ" + typographic} <= set(cmap)


def with_logo(folder: Path, logo: str) -> Path:
    """The minimal facts in ``folder``, naming ``logo`` (relative to them) as the company's logo."""
    facts = copied(MINIMAL, folder)
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("document:\n", f"document:\n  logo: {logo}\n", 1), encoding="utf-8")
    return facts


def test_the_logo_heads_the_title_block_with_the_brand_as_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "facts" / "logos").mkdir(parents=True)
    (tmp_path / "facts" / "logos" / "logo.png").write_bytes(png(120, 40))
    facts = with_logo(tmp_path / "facts", "logos/logo.png")
    build([facts], out_dir=tmp_path / "out", formats=("pdf",), languages=("pl",), today=BUILD_DAY)
    reader = PdfReader(tmp_path / "out" / "minimal" / "pl" / "privacy-policy.pdf")
    catalog: Any = reader.trailer["/Root"]
    figures = [node for node in structure_nodes(catalog["/StructTreeRoot"]) if node["/S"] == "/Figure"]
    assert [str(figure["/Alt"]) for figure in figures] == ["Przykład"]
    page_one: Any = reader.pages[0]["/Resources"]
    assert [str(image["/Subtype"]) for image in page_one["/XObject"].values()] == ["/Image"]


@pytest.mark.parametrize(
    ("picture", "problem"),
    [
        (png(1, 1, padding=2 * 1024 * 1024), "has 2.0 MB; a logo may have at most 2 MB"),
        (png(6000, 1), "is 6000 x 1 pixels; a logo may have at most 5000 a side"),
    ],
    ids=["heavy", "huge"],
)
def test_a_logo_too_big_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, picture: bytes, problem: str
) -> None:
    monkeypatch.chdir(tmp_path)
    facts = with_logo(tmp_path / "facts", "logo.png")
    (tmp_path / "facts" / "logo.png").write_bytes(picture)
    with pytest.raises(UserError) as raised:
        load_company(facts)
    assert str(raised.value) == f"facts/minimal.yaml:3:9: document.logo: 'logo.png' {problem}"


@pytest.mark.parametrize("name", PDFS)
def test_no_word_in_a_table_is_hyphenated(pdfs: dict[str, PdfReader], name: str) -> None:
    """A cookie's or a recipient's name broken with a hyphen (cook-ie_consent) reads as another name.

    WeasyPrint marks a word it hyphenated with U+2010, which no policy text holds otherwise.
    """
    text = "\n".join(page.extract_text() for page in pdfs[name].pages)
    assert "\u2010" not in text


@pytest.mark.parametrize("facts", COMPANIES, ids=lambda path: path.stem)
def test_every_table_stays_within_the_margins(facts: Path) -> None:
    """Where each line ends is not in the PDF's text, so the tables' boxes are read from WeasyPrint's layout."""
    company = load_company(facts)
    document = render_document(company, facts.stem, "pl", BUILD_DAY)
    page = render_print_page(document, render_markdown(document), 1)
    fonts, sheets = print_styles()
    laid_out = HTML(string=page, base_url=ASSETS.as_uri() + "/", url_fetcher=ProjectAssetFetcher()).render(
        stylesheets=sheets, font_config=fonts
    )
    tables = 0
    for number, laid_out_page in enumerate(laid_out.pages, start=1):
        page_box = laid_out_page._page_box
        right = page_box.content_box_x() + page_box.width
        for box in page_box.descendants():
            if isinstance(box, TableBox):
                tables += 1
                assert box.position_x + box.margin_width() <= right + 0.5, f"page {number}: a table past the margin"
    assert tables > 0
