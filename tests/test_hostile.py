"""Facts from many hands: every hostile input builds clean or fails with a located error.

The corpus lives in ``tests/fixtures/hostile/``: each ``NAME.yaml`` is a facts file (most
start from ``tests/fixtures/valid/minimal.yaml``, with a comment on their first line saying
what they attack), and ``NAME.expected`` says what must happen:

- ``clean`` (``clean pdf`` to make the PDF too): the build succeeds and :func:`check_clean`
  holds for every output. Each following ``shows: TEXT`` line (TEXT may be a JSON string,
  for invisible characters) is text that must appear literally in the HTML's visible text.
- anything else: the exact stderr of the failed build, which must write nothing.

Each case is copied to ``facts/NAME.yaml`` in a scratch folder and built from there with the
real command line, so messages name the file ``facts/NAME.yaml``. Cases too big to commit
(sizes, file names) are generated below in :data:`GENERATED`.

After an intended change of a message, rewrite the error cases' expected files with::

    POLICYGEN_UPDATE_EXPECTED=1 .venv/bin/pytest tests/test_hostile.py

and review ``git diff tests/fixtures/hostile`` before committing.
"""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from conftest import MINIMAL, ROOT, html_headings, markdown_headings
from markdown_it import MarkdownIt

from generator.cli import main
from generator.facts.company import SUMMARY_ANCHOR
from generator.markdown_text import is_safe_link
from generator.render.html import stylesheet
from generator.resources import ASSETS

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
UPDATE_EXPECTED = os.environ.get("POLICYGEN_UPDATE_EXPECTED") == "1"
TIME_LIMIT = 60
"""Seconds any one case may take; a hang fails the case instead of blocking the run."""
MAX_FILE_BYTES = 1024 * 1024
LANGUAGES = ("pl", "en")
FRONT_MATTER_KEYS = ["title", "lang", "date", "lastmod", "slug", "translationKey"]
ALLOWED_TAGS = {
    # The page shell
    *("html", "head", "meta", "title", "link", "style", "body", "nav", "main", "div"),
    # What markdown-it makes of CommonMark with tables, raw HTML and images off
    *("article", "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "em", "strong", "code", "pre", "a", "hr", "br"),
    *("blockquote", "table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {"lang", "charset", "name", "content", "rel", "hreflang", "href", "class", "id", "scope"}
# No "style": widths and alignments are classes, which a site's Content Security Policy lets through.
ALLOWED_ATTRIBUTES |= {"aria-label", "aria-labelledby", "data-label", "start", "tabindex"}
TRANSLATION_HREF = re.compile(r"^\.\./(pl|en|de)/privacy-policy\.html$")


@pytest.fixture(autouse=True)
def _time_limit() -> Iterator[None]:
    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"a hostile case ran longer than {TIME_LIMIT} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TIME_LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Case:
    """One hostile input: where it goes under ``facts/``, its bytes, what must happen."""

    name: str
    file_name: str
    content: Callable[[], bytes]
    expected: str
    expected_file: Path | None = None

    @property
    def clean(self) -> bool:
        return self.expected.startswith("clean")

    @property
    def pdf(self) -> bool:
        return self.expected.splitlines()[0] == "clean pdf" if self.clean else False

    @property
    def shows(self) -> list[str]:
        shown = [line.removeprefix("shows: ") for line in self.expected.splitlines()[1:]]
        return [json.loads(text) if text.startswith('"') else text for text in shown]


def _file_cases() -> list[Case]:
    return [
        Case(
            path.stem,
            path.name,
            path.read_bytes,
            (HOSTILE / f"{path.stem}.expected").read_text(encoding="utf-8"),
            HOSTILE / f"{path.stem}.expected",
        )
        for path in sorted(HOSTILE.glob("*.yaml"))
    ]


def _minimal() -> str:
    return MINIMAL.read_text(encoding="utf-8")


def _padded(target: int) -> bytes:
    return (_minimal() + "#" * (target - len(_minimal().encode()))).encode()


def _replaced(old: str, new: str) -> Callable[[], bytes]:
    return lambda: _minimal().replace(old, new, 1).encode()


def _appended(text: Callable[[], str]) -> Callable[[], bytes]:
    return (_minimal() + text()).encode


def _too_big(name: str, size: int) -> str:
    return f"facts/{name}.yaml: file is {size} bytes; facts files are limited to {MAX_FILE_BYTES} bytes\n"


def _bad_name(path: str, stem: str) -> str:
    return (
        f"facts/{path}: the file name '{stem}' cannot name an output folder: use lowercase letters, digits"
        " and dashes, starting with a letter or digit, at most 63 characters\n"
    )


BIG_NAME = " ".join(f"Firma{index}" for index in range(25_000))
BIG_WORD = "Ż" + "x" * 200_000
LEGAL_NAME = "  legal_name: Przykład Sp. z o.o."
NESTED = "[" * 100_000 + "]" * 100_000
ALIASES = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}' if i else 'x'] * 9)}]\n" for i in range(30))


def _security_measures(count: int) -> str:
    return "security_measures:\n" + "".join(f"  - {{pl: Środek {i} <b>, en: Measure {i} | x}}\n" for i in range(count))


def _many_categories(count: int) -> str:
    categories = "".join(f"  - id: c{i}\n    name: {{pl: 'Kat {i}', en: 'Cat {i}'}}\n" for i in range(count))
    ids = ", ".join(f"c{i}" for i in range(count))
    return (
        _minimal()
        .replace("data_categories:\n", "data_categories:\n" + categories, 1)
        .replace("data_categories: [contact]", f"data_categories: [contact, {ids}]", 1)
    )


def _many_cookies(count: int) -> str:
    return "".join(
        f"  - {{name: 'c{i}|x', provider: 'Przykład <i>', category: analytics, lifetime: {i + 1} days,"
        f" purpose: {{pl: 'cel {i}', en: 'purpose {i}'}}}}\n"
        for i in range(count)
    )


GENERATED = [
    Case(
        "size-just-over-limit",
        "size-just-over-limit.yaml",
        lambda: _padded(MAX_FILE_BYTES + 1),
        _too_big("size-just-over-limit", MAX_FILE_BYTES + 1),
    ),
    Case("size-at-limit", "size-at-limit.yaml", lambda: _padded(MAX_FILE_BYTES), "clean\nshows: Przykład Sp. z o.o.\n"),
    Case(
        "size-many-megabytes",
        "size-many-megabytes.yaml",
        lambda: _padded(8 * MAX_FILE_BYTES),
        _too_big("size-many-megabytes", 8 * MAX_FILE_BYTES),
    ),
    Case(
        "size-huge-values",
        "size-huge-values.yaml",
        _appended(lambda: _security_measures(30_000)),
        _too_big("size-huge-values", len((_minimal() + _security_measures(30_000)).encode())),
    ),
    Case(
        "string-200k-name",
        "string-200k-name.yaml",
        _replaced(LEGAL_NAME, f"  legal_name: {BIG_NAME}"),
        f"clean\nshows: {BIG_NAME}\n",
    ),
    Case(
        "string-200k-word",
        "string-200k-word.yaml",
        _replaced(LEGAL_NAME, f"  legal_name: {BIG_WORD}"),
        f"clean\nshows: {BIG_WORD}\n",
    ),
    Case("string-long-comment-line", "string-long-comment-line.yaml", lambda: _padded(900_000), "clean\n"),
    Case(
        "many-security-measures",
        "many-security-measures.yaml",
        _appended(lambda: _security_measures(3000)),
        "clean\nshows: Measure 2999 | x\n",
    ),
    Case(
        "many-data-categories",
        "many-data-categories.yaml",
        lambda: _many_categories(400).encode(),
        "clean\nshows: Cat 399\n",
    ),
    Case(
        "many-cookies",
        "many-cookies.yaml",
        _replaced("cookies:\n", "cookies:\n" + _many_cookies(1000)),
        "clean\nshows: c999|x\n",
    ),
    Case(
        "nesting-100k-flow",
        "nesting-100k-flow.yaml",
        _appended(lambda: f"extra: {NESTED}\n"),
        "facts/nesting-100k-flow.yaml:95:31: nested deeper than 24 levels; the facts schema is far shallower\n",
    ),
    Case(
        "alias-bomb-30-levels",
        "alias-bomb-30-levels.yaml",
        (ALIASES + _minimal()).encode,
        "facts/alias-bomb-30-levels.yaml:1:5: l0: anchors (&l0) are not allowed;"
        " facts files use no anchors or aliases\n",
    ),
    Case(
        "many-duplicate-keys",
        "many-duplicate-keys.yaml",
        _appended(lambda: "minimum_age: 18\n" * 10_000),
        "facts/many-duplicate-keys.yaml:96:1: minimum_age: duplicate key 'minimum_age' (first defined at line 95)\n",
    ),
    Case("name-traversal", "sub/../traversal.yaml", MINIMAL.read_bytes, "clean\n"),
    Case("name-yml-suffix", "policy.yml", MINIMAL.read_bytes, "clean\n"),
    Case(
        "name-no-suffix",
        "nosuffix",
        MINIMAL.read_bytes,
        "facts/nosuffix: not a facts file: facts files are named <company>.yaml or <company>.yml\n",
    ),
    Case("name-space", "has space.yaml", MINIMAL.read_bytes, _bad_name("has space.yaml", "has space")),
    Case("name-dots", "dots.in.name.yaml", MINIMAL.read_bytes, _bad_name("dots.in.name.yaml", "dots.in.name")),
    Case("name-uppercase", "Upper.yaml", MINIMAL.read_bytes, _bad_name("Upper.yaml", "Upper")),
    Case("name-unicode", "zażółć.yaml", MINIMAL.read_bytes, _bad_name("zażółć.yaml", "zażółć")),
    Case("name-hidden", ".hidden.yaml", MINIMAL.read_bytes, _bad_name(".hidden.yaml", ".hidden")),
    Case("name-dot-only", "..yaml", MINIMAL.read_bytes, _bad_name("..yaml", ".")),
    Case("name-leading-dash", "-dash.yaml", MINIMAL.read_bytes, _bad_name("-dash.yaml", "-dash")),
    Case("name-encoded-traversal", "%2e%2e.yaml", MINIMAL.read_bytes, _bad_name("%2e%2e.yaml", "%2e%2e")),
    Case("name-too-long", "a" * 64 + ".yaml", MINIMAL.read_bytes, _bad_name("a" * 64 + ".yaml", "a" * 64)),
]
"""Cases built here: sizes too big to commit, and hostile file names (with valid facts)."""

HUGE_INTEGER = Case(
    "huge-integer", "huge-integer.yaml", _appended(lambda: "minimum_age: " + "9" * 5000 + "\n"), "located error"
)
CASES = _file_cases() + GENERATED


def test_the_corpus_is_complete() -> None:
    stems = sorted(path.stem for path in HOSTILE.glob("*.yaml"))
    assert sorted(path.stem for path in HOSTILE.glob("*.expected")) == stems
    assert not list(HOSTILE.glob("*.state.json")), "a test built the corpus in place"
    assert len(CASES) >= 60
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_hostile_input_builds_clean_or_fails_located(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    facts = Path("facts", case.file_name)
    (tmp_path / "facts" / "sub").mkdir(parents=True)
    (tmp_path / facts).write_bytes(case.content())
    asked = _spy_on_the_pdf_fetcher(monkeypatch) if case.pdf else []
    formats = "md,html,pdf" if case.pdf else "md,html"
    code = main(["build", str(facts), "--out", "out", "--format", formats, "--today", "2026-11-22", "--jobs", "1"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    if UPDATE_EXPECTED and not case.clean and case.expected_file is not None:
        case.expected_file.write_text(captured.err, encoding="utf-8")
        pytest.skip(f"rewrote {case.expected_file.name}; review it with git diff")
    if not case.clean:
        assert (code, captured.err) == (1, case.expected)
        assert captured.out == ""
        assert _files_under(tmp_path) == [facts.resolve().relative_to(tmp_path)], "a failed build wrote something"
        return
    assert code == 0, captured.err
    slug = facts.resolve().stem
    state = (tmp_path / facts).resolve().with_name(f"{slug}.state.json").relative_to(tmp_path)
    for written in _files_under(tmp_path):
        assert written.parts[0] == "out" or written in (facts.resolve().relative_to(tmp_path), state), written
    check_clean(tmp_path / "out" / slug, case.shows)
    if case.pdf:
        check_pdfs(tmp_path / "out" / slug, asked)


def test_a_huge_integer_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "facts").mkdir()
    (tmp_path / "facts" / HUGE_INTEGER.file_name).write_bytes(HUGE_INTEGER.content())
    code = main(["build", "facts/huge-integer.yaml", "--out", "out", "--format", "md", "--today", "2026-11-22"])
    assert code == 1
    assert capsys.readouterr().err.startswith("facts/huge-integer.yaml:95:14: minimum_age: ")
    assert not (tmp_path / "out").exists()


def _files_under(folder: Path) -> list[Path]:
    return sorted(path.relative_to(folder) for path in folder.rglob("*") if path.is_file())


def _spy_on_the_pdf_fetcher(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Every URL WeasyPrint asks for while the case builds, and whether it was refused."""
    from generator.render import pdf

    asked: list[tuple[str, bool]] = []

    class SpyFetcher(pdf.ProjectAssetFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                response = super().fetch(url, headers)
            except Exception:
                asked.append((url, True))
                raise
            asked.append((url, False))
            return response

    monkeypatch.setattr(pdf, "ProjectAssetFetcher", SpyFetcher)
    pdf.print_styles.cache_clear()  # the shared fonts and stylesheets load again, through the spy
    return asked


def check_pdfs(folder: Path, asked: list[tuple[str, bool]]) -> None:
    """The PDFs exist and WeasyPrint asked for nothing but the project's own assets."""
    assert asked, "the spy saw no fetch at all: is it still the fetcher WeasyPrint uses?"
    for url, _refused in asked:
        assert url.startswith(ASSETS.as_uri() + "/"), f"WeasyPrint was asked for {url}"
    assert not [url for url, refused in asked if refused]
    for language in LANGUAGES:
        pdf = (folder / language / "privacy-policy.pdf").read_bytes()
        assert pdf.startswith(b"%PDF")
        assert b"root:x:0:0" not in pdf


class _Page(HTMLParser):
    """Start tags with their attributes, the visible text, the stylesheets and each table's row widths."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self.tables: list[list[int]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "link", "br", "hr"):
            self.open.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append(0)
        elif tag in ("td", "th"):
            self.tables[-1][-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] == "style":
            self.styles.append(data)
        elif not self.open or self.open[-1] != "title":
            self.text.append(data)


def _whitespace_folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check_html(text: str, *, page: bool) -> _Page:
    """No live markup, no script-capable URL, nothing to fetch; tables keep their shape."""
    parsed = _Page()
    parsed.feed(text)
    parsed.close()
    ids: list[str] = []
    for tag, attributes in parsed.tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> in the HTML"
        for name, value in attributes.items():
            assert name in ALLOWED_ATTRIBUTES, f"<{tag} {name}=...>"
            assert not name.startswith("on")
            if name == "href":
                assert value is not None
                assert is_safe_link(value) or TRANSLATION_HREF.match(value), f"<{tag} href={value!r}>"
            if name == "id" and value is not None:
                ids.append(value)
        if tag == "link":
            assert attributes.get("rel") == "alternate", attributes
    assert len(ids) == len(set(ids)), f"repeated ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    for widths in parsed.tables:
        assert len(set(widths)) == 1, f"a table's rows have {widths} cells"
    if page:
        assert "".join(parsed.styles).strip() == stylesheet("policy.css").strip()
    else:
        assert not parsed.styles
        assert not [tag for tag, _ in parsed.tags if tag in ("link", "style", "html", "meta")]
    lowered = text.lower()
    for live in ("<script", "<img", "<iframe", "<svg", "<object", "<embed", "<base", "<form"):
        assert live not in lowered, f"{live} in the HTML"
    return parsed


def _link_destinations(markdown: str) -> list[str]:
    """Every link a Markdown reader would make of ``markdown``, whatever its destination."""
    reader = MarkdownIt("commonmark").enable("table")
    reader.validateLink = lambda url: True  # type: ignore[method-assign]
    return [
        str(part.attrGet("href"))
        for token in reader.parse(markdown)
        for part in token.children or []
        if part.type == "link_open"
    ]


def check_markdown(text: str) -> list[tuple[int, str, str]]:
    """One front matter block of known keys; tables keep their column counts; links are safe; headings parse."""
    lines = text.split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    matter = [re.fullmatch(r"([A-Za-z]+): (.*)", line) for line in lines[1:end]]
    assert all(matter), lines[1:end]
    assert [match[1] for match in matter if match] == FRONT_MATTER_KEYS
    for match in matter:
        assert match is not None
        assert isinstance(json.loads(match[2]), str)
    assert lines.count("---") == 2, "a fact made a second front matter fence"
    for block in re.findall(r"(?:^\|.*\|$\n?)+", text, re.MULTILINE):
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in block.strip().splitlines()}
        assert len(widths) == 1, f"a fact broke a table:\n{block}"
    # Site generators read the front matter as YAML, never as Markdown.
    unsafe = [address for address in _link_destinations("\n".join(lines[end + 1 :])) if not is_safe_link(address)]
    assert not unsafe, f"the Markdown links to {unsafe}"
    return markdown_headings(text)


def check_numbering(headings: list[tuple[int, str, str]]) -> None:
    """The summary unnumbered, then sections numbered 1., 2., ... and their subsections n.1, n.2, ... without gaps."""
    assert headings[0][2] == SUMMARY_ANCHOR
    section, subsection = 0, 0
    for level, title, _anchor in headings[1:]:
        if level == 1:
            section, subsection = section + 1, 0
            assert title.startswith(f"{section}. "), (section, title)
        else:
            subsection += 1
            assert title.startswith(f"{section}.{subsection} "), (section, subsection, title)


def check_clean(folder: Path, shows: list[str]) -> dict[str, str]:
    """Every check of a clean build's Markdown and HTML; returns each language's visible HTML text."""
    visible: dict[str, str] = {}
    anchors: dict[str, list[str]] = {}
    for language in LANGUAGES:
        markdown = (folder / language / "privacy-policy.md").read_text(encoding="utf-8")
        headings = check_markdown(markdown)
        check_numbering(headings)
        page_text = (folder / language / "privacy-policy.html").read_text(encoding="utf-8")
        page = check_html(page_text, page=True)
        check_html((folder / language / "privacy-policy.fragment.html").read_text(encoding="utf-8"), page=False)
        assert [anchor for *_, anchor in html_headings(page_text)] == [anchor for *_, anchor in headings]
        anchors[language] = [anchor for *_, anchor in headings]
        visible[language] = _whitespace_folded("".join(page.text))
    assert anchors["pl"] == anchors["en"]
    both = " ".join(visible.values())
    for text in shows:
        assert _whitespace_folded(text) in both, f"{text[:80]!r} is not shown literally"
    return visible
