"""Per-document figures: one policy's HTML and PDF against the libraries doing the work.

Used by bench.py; each function returns seconds or kilobytes measured in this process,
or in a child process where peak memory must start from nothing.
"""

from __future__ import annotations

import datetime
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generator.document import render_document
from generator.facts.company import Company
from generator.languages import Language
from generator.pipeline import build
from generator.render.html import markdown_parser, render_html, render_print_page
from generator.render.markdown import render_markdown
from generator.resources import ASSETS
from generator.validation import load_company

ROOT = Path(__file__).resolve().parent.parent
SEED_SIZED = ROOT / "companies" / "optingo.yaml"
"""The largest example company, about the size of the longest hand-written seed policy."""
DAY = datetime.date(2025, 1, 1)
FROZEN_PAGE = ROOT / "benchmarks" / "reference" / "optingo-pl-print.html"
"""Optingo's Polish print page as policygen made it before issue 14, with that day's CSS and fonts."""
PDF_TARGET_KINDS = ("md", "html", "pdf")
"""The output kinds of the examples' build measured against WeasyPrint's time for their PDFs."""


def _paired_medians(ours: Callable[[], object], reference: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median times of both, measured in turns so that a busy moment of the machine hits both alike."""
    ours()  # warm caches: templates, catalogs, fonts
    reference()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for action, times in ((ours, samples[0]), (reference, samples[1])):
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
    return statistics.median(samples[0]), statistics.median(samples[1])


def text_formats_per_document(repeat: int = 20) -> tuple[float, float]:
    """(policygen's Markdown + HTML of one policy, markdown-it-py's own render of that Markdown)."""
    company = load_company(SEED_SIZED)

    def ours() -> None:
        document = render_document(company, "optingo", "pl", DAY)
        render_html(document, render_markdown(document))

    body = render_markdown(render_document(company, "optingo", "pl", DAY)).body
    return _paired_medians(ours, lambda: markdown_parser().render(body), repeat)


def _print_page(company: Company, slug: str, language: Language) -> str:
    document = render_document(company, slug, language, DAY)
    return render_print_page(document, render_markdown(document), 1)


def _weasyprint_alone(page: str) -> bytes:
    """What a plain WeasyPrint user would write: fresh stylesheets and fonts, the same kind of PDF."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from generator.render.pdf import PDF_VARIANT, PRINT_STYLESHEETS

    fonts = FontConfiguration()
    sheets = [CSS(filename=str(ASSETS / name), font_config=fonts) for name in PRINT_STYLESHEETS]
    document = HTML(string=page, base_url=ASSETS.as_uri() + "/")
    pdf: bytes = document.write_pdf(stylesheets=sheets, font_config=fonts, pdf_variant=PDF_VARIANT)
    return pdf


def pdf_per_document(repeat: int = 5) -> tuple[float, float]:
    """(policygen's PDF of one policy, WeasyPrint alone on the very same page), in this process.

    Both make a PDF/A-3a of the same page with the same stylesheets; the reference parses
    them and loads the fonts for every document, as WeasyPrint's own API does by default.
    """
    from generator.render.pdf import render_pdf

    page = _print_page(load_company(SEED_SIZED), "optingo", "pl")
    return _paired_medians(lambda: render_pdf(page, DAY), lambda: _weasyprint_alone(page), repeat)


_FROZEN_REFERENCE = """
import sys
from weasyprint import HTML
HTML(filename=sys.argv[1]).write_pdf(sys.argv[2], pdf_variant="pdf/a-3u")
"""


def pdf_process_against_frozen_page(policygen: Path, repeat: int = 5) -> tuple[float, float]:
    """(a whole `policygen build` of Optingo's Polish PDF, WeasyPrint on the frozen print page), each a fresh process.

    The reference is the print page as policygen made it before the PDF was made cheaper
    (benchmarks/reference: its CSS and full Noto Sans fonts), rendered as policygen then did.
    """
    with tempfile.TemporaryDirectory(prefix="policygen-bench-pdf-") as temporary:
        base = Path(temporary)
        runs = iter(range(10 * repeat))

        def ours() -> None:
            project = base / f"project-{next(runs)}"
            (project / "companies").mkdir(parents=True)
            shutil.copyfile(SEED_SIZED, project / "companies" / SEED_SIZED.name)
            command = [str(policygen), "build", "--lang", "pl", "--format", "pdf", "--today", DAY.isoformat()]
            subprocess.run(command, cwd=project, check=True, capture_output=True)

        def reference() -> None:
            target = base / "reference.pdf"
            subprocess.run([sys.executable, "-c", _FROZEN_REFERENCE, str(FROZEN_PAGE), str(target)], check=True)

        return _paired_medians(ours, reference, repeat)


def examples_against_weasyprint(cores: int, repeat: int = 3) -> tuple[float, float, int]:
    """(full build of the example companies, their PDFs' WeasyPrint times / cores, largest PDF in bytes).

    The build is validation, Markdown, HTML and PDF of every language, state and manifest,
    with all cores: the kinds the target was set for, as ``--format md,html,pdf``. The other
    kinds (DOCX, the bilingual PDF, records, clauses...) are left out, since the reference
    has no counterpart for them. The reference is WeasyPrint alone on each print page, one
    after the other in this process, divided by the cores a build can use. Each is the median
    of ``repeat`` rounds taken in turns: a single round of each moved by a fifth between runs.
    """
    examples = sorted((ROOT / "companies").glob("*.yaml"))
    pages = [
        _print_page(company, facts.stem, language)
        for facts in examples
        for company in [load_company(facts)]
        for language in company.document.languages
    ]
    largest = 0

    def weasyprint_alone() -> None:
        for page in pages:
            _weasyprint_alone(page)

    def full_build() -> None:
        nonlocal largest
        with tempfile.TemporaryDirectory(prefix="policygen-bench-examples-") as temporary:
            project = Path(temporary)
            (project / "companies").mkdir()
            for facts in examples:
                shutil.copyfile(facts, project / "companies" / facts.name)
            build(
                sorted((project / "companies").iterdir()),
                out_dir=project / "output",
                formats=PDF_TARGET_KINDS,
                today=DAY,
            )
            largest = max(path.stat().st_size for path in (project / "output").rglob("*.pdf"))

    full, alone = _paired_medians(full_build, weasyprint_alone, repeat)
    return full, alone / cores, largest


_MEMORY_PROBE = """
import datetime, resource, sys
from pathlib import Path
from generator.document import render_document
from generator.render.html import render_html
from generator.render.markdown import render_markdown
from generator.validation import load_company
company = load_company(Path(sys.argv[1]))
checkpoints = {int(value) for value in sys.argv[2:]}
for count in range(1, max(checkpoints) + 1):
    document = render_document(company, "optingo", "pl" if count % 2 else "en", datetime.date(2025, 1, 1))
    render_html(document, render_markdown(document))
    if count in checkpoints:
        print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""


def worker_memory(checkpoints: tuple[int, ...] = (100, 500, 1000)) -> dict[int, int]:
    """Peak resident memory (KB) of one rendering process after each checkpoint's document count."""
    finished = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(SEED_SIZED), *map(str, checkpoints)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return {int(count): int(peak) for count, peak in (line.split() for line in finished.stdout.splitlines())}


def command_peak_memory(command: list[str], cwd: Path) -> int:
    """Peak resident memory (KB) of one command, measured from a fresh parent."""
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    finished = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True, cwd=cwd
    )
    return int(finished.stdout.strip())
