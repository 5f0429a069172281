"""Shared fixtures: policies built once per session, and how to read their headings back."""

from __future__ import annotations

import datetime
import hashlib
import html
import importlib.util
import re
import shutil
import signal
import struct
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader

from generator.document import unescape
from generator.facts.company import SUMMARY_ANCHOR
from generator.logo import PNG_SIGNATURE
from generator.pipeline import build
from generator.resources import forget_project

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "valid" / "minimal.yaml"
BUILD_DAY = datetime.date(2026, 11, 22)
SESSION_COOKIE = """  - name: PHPSESSID
    provider: Przykład Sp. z o.o.
    category: necessary
    purpose:
      pl: utrzymanie sesji
      en: keeping the session
    lifetime: session
"""
"""A necessary first-party session cookie, as an entry to append to a facts file's ``cookies`` list."""

# A suite started in the background of a non-interactive shell (`make test &`) inherits Ctrl-C
# ignored, and so would every policygen it starts, which then never hears the Ctrl-C the tests of
# interruption send. Python's own handler in this process lets the processes it starts hear it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

Heading = tuple[int, str, str]
"""(level, numbered title, anchor); level 1 for sections, 2 for subsections."""


def update_catalogs_script() -> ModuleType:
    """``scripts/update_catalogs.py`` (``make i18n``) as a module, to call its functions."""
    spec = importlib.util.spec_from_file_location("update_catalogs", ROOT / "scripts" / "update_catalogs.py")
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` and a hash of its content: what "nothing was written" compares."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def copied(facts: Path, folder: Path) -> Path:
    """A copy of a facts file, without its state, so a test build leaves the repository alone."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / facts.name
    shutil.copyfile(facts, target)
    return target


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A project whose one company, the minimal one, was published (Markdown, HTML) on the build day."""
    (tmp_path / "companies").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "companies" / "minimal.yaml")
    build([tmp_path / "companies"], out_dir=tmp_path / "output", formats=("md", "html"), today=BUILD_DAY)
    return tmp_path


@pytest.fixture(scope="session")
def minimal_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal company built in every language and format."""
    out = tmp_path_factory.mktemp("minimal")
    build([copied(MINIMAL, out / "facts")], out_dir=out, today=BUILD_DAY)
    return out / "minimal"


def markdown_headings(text: str) -> list[Heading]:
    return [
        (len(match[1]) - 1, unescape(match[2]), match[3])
        for match in re.finditer(r"^(#{2,3}) (.+) \{#([a-z0-9_-]+)\}$", text, re.MULTILINE)
    ]


def numbers_and_anchors(headings: list[Heading]) -> list[tuple[int, str, str]]:
    """Each heading's level, number and anchor, which every language shares; the summary has no number."""
    return [
        (level, "" if anchor == SUMMARY_ANCHOR else title.split(" ")[0], anchor) for level, title, anchor in headings
    ]


def section_skeleton(markdown: str) -> list[tuple[int, str, str]]:
    """:func:`numbers_and_anchors` of a Markdown policy."""
    return numbers_and_anchors(markdown_headings(markdown))


def html_headings(text: str) -> list[Heading]:
    return [
        (int(match[1]) - 1, html.unescape(re.sub(r"<[^>]+>", "", match[3])), match[2])
        for match in re.finditer(r'<h([23]) id="([^"]+)">(.*?)</h\1>', text)
    ]


def pdf_outline(path: Path) -> list[tuple[int, str]]:
    reader = PdfReader(path)

    def walk(items: Sequence[object], level: int) -> Iterator[tuple[int, str]]:
        for item in items:
            if isinstance(item, list):
                yield from walk(item, level + 1)
            else:
                yield level, str(getattr(item, "title", ""))

    return list(walk(reader.outline, 1))


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def chromium_missing() -> str | None:
    """Why Playwright cannot drive Debian's Chromium here, or None (`make browser-deps` installs it)."""
    from generator.errors import UserError
    from generator.scan import chromium_path

    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (pip install 'policygen[scan]')"
    try:
        chromium_path(None)
    except UserError as error:
        return str(error)
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for a whole test module."""
    from generator.scan import chromium, chromium_path

    with chromium(chromium_path(None)) as started:
        yield started


@contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[int]:
    """An HTTP server on 127.0.0.1 in a thread while the block runs; yields its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def broken_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shipped templates, with ``sections/rights.md.j2`` edited into a syntax error on its
    third line, read by both Jinja environments (the policy's and the pages')."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    broken = templates / "sections" / "rights.md.j2"
    lines = broken.read_text(encoding="utf-8").split("\n")
    lines[2] = "{% if %}" + lines[2]
    broken.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr("generator.templating.TEMPLATES", templates)
    monkeypatch.setattr("generator.render.html.TEMPLATES", templates)
    forget_project()
    yield broken
    forget_project()


def png(width: int, height: int, padding: int = 0) -> bytes:
    """A grey PNG of ``width`` x ``height``, with ``padding`` bytes of private chunk to make it heavy."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    extra = chunk(b"prVt", b"\x00" * padding) if padding else b""
    return PNG_SIGNATURE + chunk(b"IHDR", header) + extra + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
