"""The PDF: WeasyPrint renders the print version of the HTML page.

This is the only module that imports WeasyPrint (slow to import, and needs Pango), so
commands that make no PDF never pay for it. WeasyPrint fetches every resource through
:class:`ProjectAssetFetcher`, which serves the project's own fonts (and the company's logo,
when its facts name one) and nothing else: no network, no ``file://`` elsewhere, whatever a
policy's text contains.

The file is PDF/A-3a: archival (PDF/A-3, fonts embedded, colour profile, XMP metadata) and
accessible at once (the "a" level requires a tagged structure tree with the document's
language, which :mod:`generator.render.pdf_structure` repairs where WeasyPrint leaves it
short), and it opens with its bookmarks shown.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf

from generator.native_libraries import libraries_from_loader_cache
from generator.render.pdf_structure import repair_structure
from generator.resources import ASSETS
from generator.workers import collector_paused

with libraries_from_loader_cache():
    from weasyprint import CSS, HTML
    from weasyprint.document import Document, Page
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox, ParentBox
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

PDF_VARIANT = "pdf/a-3a"
PRINT_STYLESHEETS = ("policy.css", "print.css")


class ProjectAssetFetcher(URLFetcher):  # type: ignore[misc]
    """Serves files below the assets folder and the files named in ``extra``; refuses every other URL."""

    def __init__(self, assets: Path = ASSETS, extra: tuple[Path, ...] = ()) -> None:
        super().__init__(allowed_protocols=("file",))
        self.assets = assets.resolve()
        self.extra = frozenset(path.resolve() for path in extra)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" and not parts.netloc else None
        allowed = path is not None and (path.is_relative_to(self.assets) or path in self.extra)
        if path is None or not allowed or not path.is_file():
            self.refused.append(url)
            raise URLFetchingError(f"policygen reads only its own assets; refused {url}")
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {}, 200)


@cache
def print_styles() -> tuple[FontConfiguration, tuple[CSS, ...]]:
    """The fonts and parsed print stylesheets, made once per process and shared by its PDFs.

    Parsing the stylesheets and registering the four @font-face files with fontconfig costs
    as much as laying out a page; a worker rendering many documents does it only once. It is
    not a :func:`~generator.resources.project_cache`: a font configuration dropped while the
    process runs is released by WeasyPrint only at the interpreter's exit, where that fails, so
    a running ``serve`` sees an edited ``print.css`` after a restart.
    """
    fonts = FontConfiguration()
    fetcher = ProjectAssetFetcher()
    sheets = tuple(
        CSS(filename=str(ASSETS / name), base_url=ASSETS.as_uri() + "/", url_fetcher=fetcher, font_config=fonts)
        for name in PRINT_STYLESHEETS
    )
    return fonts, sheets


@contextmanager
def _font_timestamps(day: datetime.date) -> Iterator[None]:
    """Make fontTools stamp subset fonts with the policy's date instead of the clock.

    fontTools writes the time of subsetting into each embedded font unless
    SOURCE_DATE_EPOCH is set; pinning it keeps two builds of one policy byte-identical.
    """
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def _finish(document: Document, pdf: pydyf.PDF) -> None:
    """Repair the structure tree (:mod:`generator.render.pdf_structure`); show the outline when the
    file opens, and the title (not the file name) in the window; have each object's bytes made once."""
    repair_structure(pdf, continued_elements(document))
    pdf.catalog["PageMode"] = "/UseOutlines"
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    bytes_made_once(pdf)


def bytes_made_once(pdf: pydyf.PDF) -> None:
    """Have each stream and dictionary of ``pdf`` make its bytes once, when the file is written.

    pydyf makes an object's bytes (a stream's content joined and compressed at zlib's level 9)
    each time they are asked for, and asks twice for every object when it names the file by a
    hash of them all, as a PDF/A must be named: about a twentieth of a policy's PDF. Nothing
    changes an object after the finisher, so its first bytes are its final ones. The objects
    pydyf adds as it writes (the document information, the object stream) are made twice still.
    """
    for pdf_object in pdf.objects:
        if isinstance(pdf_object, pydyf.Stream | pydyf.Dictionary):
            kind: Any = type(pdf_object)
            pdf_object.__class__ = _made_once(kind)


class _BytesMadeOnce:
    """Placed before a pydyf class (or WeasyPrint's subclass of one): its ``data``, kept once made."""

    @cached_property
    def data(self) -> bytes:
        made: bytes = super().data  # type: ignore[misc]
        return made


@cache
def _made_once(kind: Any) -> Any:
    """``kind`` with its bytes made once: its own class otherwise, whatever else it overrides."""
    return type(kind.__name__, (_BytesMadeOnce, kind), {"__module__": __name__})


def continued_elements(document: Document) -> list[tuple[str, ...]]:
    """For each page break, the tags of the HTML elements that go on over it, outermost first.

    An element goes on over a break when the last box of the page before it and the first box
    of the page after it are boxes of that element, at every level from the root down. Lines
    never do (a line is on one page), and the boxes one element makes inside another of its own
    (a table in its wrapper, a list item's body) count once: the structure elements each element
    makes (a list item's ``LI`` and ``LBody``) are :mod:`generator.render.pdf_structure`'s to know.
    The boxes are the layout each page keeps (``Page._page_box``), from which WeasyPrint's tags
    are made: they have no public name.
    """
    return [_continued(*pair) for pair in pairwise(_root_box(page) for page in document.pages)]


def _continued(last: Any, first: Any) -> tuple[str, ...]:
    """The tags of the elements that ``last``, before a break, and ``first``, after it, are both boxes of."""
    tags: list[str] = []
    element = None
    while last.element is not None and last.element is first.element and last.element_tag == first.element_tag:
        if last.element is not element and last.element_tag not in ("html", "body"):
            tags.append(last.element_tag)
        element = last.element
        if not _has_blocks(last) or not _has_blocks(first):
            break
        last, first = last.children[-1], first.children[0]
    return tuple(tags)


def _root_box(page: Page) -> Any:
    return next(box for box in page._page_box.children if not isinstance(box, MarginBox))


def _has_blocks(box: Any) -> bool:
    return isinstance(box, ParentBox) and not isinstance(box, LineBox) and bool(box.children)


def render_pdf(
    print_page: str,
    day: datetime.date,
    *,
    fetcher: ProjectAssetFetcher | None = None,
    logo: Path | None = None,
) -> bytes:
    """A4 PDF/A-3a of the print page dated ``day``: tagged, fonts embedded, bookmarks open.

    ``logo`` is the one file outside the assets the page may show (the company's logo).
    """
    fonts, sheets = print_styles()
    with _font_timestamps(day), collector_paused():
        document = HTML(
            string=print_page,
            base_url=ASSETS.as_uri() + "/",
            url_fetcher=fetcher or ProjectAssetFetcher(extra=(logo,) if logo else ()),
        )
        pdf: bytes = document.write_pdf(
            stylesheets=sheets,
            font_config=fonts,
            pdf_variant=PDF_VARIANT,
            custom_metadata=False,
            finisher=_finish,
        )
    return pdf
