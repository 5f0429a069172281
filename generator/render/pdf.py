"""The PDF: WeasyPrint renders the print version of the HTML page.

This is the only module that imports WeasyPrint (slow to import, and needs Pango), so
commands that make no PDF never pay for it. WeasyPrint fetches every resource through
:class:`ProjectAssetFetcher`, which serves the project's own fonts and nothing else: no
network, no ``file://`` outside the assets folder, whatever a policy's text contains.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from generator.outputs import POLICY_STEM, PolicyDraft, RenderedFile
from generator.resources import ASSETS

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


class ProjectAssetFetcher(URLFetcher):  # type: ignore[misc]
    """Serves files below the assets folder; refuses every other URL and remembers it."""

    def __init__(self, assets: Path = ASSETS) -> None:
        super().__init__(allowed_protocols=("file",))
        self.assets = assets.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" and not parts.netloc else None
        if path is None or not path.is_relative_to(self.assets) or not path.is_file():
            self.refused.append(url)
            raise URLFetchingError(f"policygen reads only its own assets; refused {url}")
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {}, 200)


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


def render_pdf(print_page: str, day: datetime.date, *, fetcher: ProjectAssetFetcher | None = None) -> bytes:
    """A4 PDF/A-3u of the print page dated ``day``: fonts embedded, bookmarks from the headings."""
    document = HTML(string=print_page, base_url=ASSETS.as_uri() + "/", url_fetcher=fetcher or ProjectAssetFetcher())
    with _font_timestamps(day):
        pdf: bytes = document.write_pdf(pdf_variant="pdf/a-3u", custom_metadata=False)
    return pdf


def pdf_files(policy: PolicyDraft) -> list[RenderedFile]:
    """The ``pdf`` output kind: the print page of one language as a PDF."""
    return [RenderedFile(f"{POLICY_STEM}.pdf", "pdf", render_pdf(policy.print_html, policy.document.last_updated))]
