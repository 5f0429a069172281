"""Per-document figures: one policy's HTML and PDF against the libraries doing the work.

Used by bench.py; each function returns seconds or kilobytes measured in this process,
or in a child process where peak memory must start from nothing.
"""

from __future__ import annotations

import datetime
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from generator.document import render_document
from generator.render.html import markdown_parser, render_html
from generator.render.markdown import render_markdown
from generator.validation import load_company

ROOT = Path(__file__).resolve().parent.parent
SEED_SIZED = ROOT / "companies" / "optingo.yaml"
"""The largest example company, about the size of the longest hand-written seed policy."""
DAY = datetime.date(2025, 1, 1)


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


def pdf_per_document(repeat: int = 5) -> tuple[float, float]:
    """(policygen's PDF of one policy, WeasyPrint alone on the very same page, also as PDF/A-3u).

    The reference makes the same kind of file, so the ratio is policygen's own overhead:
    the restricted fetcher and the pinned font timestamps.
    """
    from weasyprint import HTML

    from generator.render.pdf import render_pdf
    from generator.resources import ASSETS

    company = load_company(SEED_SIZED)
    document = render_document(company, "optingo", "pl", DAY)
    page = render_html(document, render_markdown(document), for_print=True).page
    return _paired_medians(
        lambda: render_pdf(page, DAY),
        lambda: HTML(string=page, base_url=ASSETS.as_uri() + "/").write_pdf(pdf_variant="pdf/a-3u"),
        repeat,
    )


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
