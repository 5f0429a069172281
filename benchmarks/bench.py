"""Timings of policygen on many companies: ``make bench`` (or ``.venv/bin/python benchmarks/bench.py``).

Timings live here, never in the tests. Every measurement runs in a fresh temporary project
(``companies/`` + ``output/``) holding N variants of ``tests/fixtures/valid/minimal.yaml``;
the results go to stdout and, except for ``--quick`` smoke runs, to ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from documents import (
    command_peak_memory,
    examples_against_weasyprint,
    pdf_per_document,
    pdf_process_against_frozen_page,
    text_formats_per_document,
    worker_memory,
)
from preview import ROUNDS as SAVES
from preview import save_to_refreshed_page, summary
from scanning import SCANNED_PAGES, twenty_page_scan

from generator import __version__
from generator.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "valid" / "minimal.yaml"
RESULTS = ROOT / "benchmarks" / "results.md"
BIN = Path(sys.executable).parent
POLICYGEN = BIN / "policygen"
TODAY = datetime.date(2025, 1, 1)
ALL_FORMATS = ("md", "html", "pdf")
TEXT_FORMATS = ("md", "html")

DEFAULT_COMPANIES = 100
QUICK_COMPANIES = 10
ROUNDS = 5
"""How often the cheap measurements (no-op rebuild, subprocesses) are repeated; the median is reported."""
JOBS_ROUNDS = 3
"""How often the --jobs 1 and --jobs 2 builds are made, in turns; the medians are compared."""
HELP_BEST_OF = 5
VALIDATE_BEST_OF = 3

# Each variant changes these lines of the fixture, so that every company is distinct.
VARIED_LINES = (
    "  brand_name: Przykład\n",
    "      pl: Wykonanie umowy\n",
    "      en: Performing the contract\n",
)


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    figure: str
    measured: str
    reference: str = "—"
    ratio: str = "—"
    target: str = "—"
    met: str = "—"


def write_companies(folder: Path, count: int) -> list[Path]:
    """``company-001.yaml`` ...: the minimal fixture with its own brand name and purpose text."""
    template = FIXTURE.read_text(encoding="utf-8")
    for line in VARIED_LINES:
        if template.count(line) != 1:
            raise SystemExit(f"{FIXTURE}: expected the line {line.strip()!r} exactly once")
    folder.mkdir(parents=True)
    paths = []
    for number in range(1, count + 1):
        text = template
        for line in VARIED_LINES:
            text = text.replace(line, f"{line.rstrip()} {number:03d}\n")
        path = folder / f"company-{number:03d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def timed(action: Callable[[], object]) -> float:
    """Wall time of one call, in seconds."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run_quietly(command: Sequence[str | Path], cwd: Path) -> None:
    """Run a command, its output discarded; stop the benchmark, showing why, when it fails."""
    finished = subprocess.run(command, cwd=cwd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if finished.returncode != 0:
        shown = " ".join(str(part) for part in command)
        problems = finished.stderr.decode(errors="replace").splitlines()
        raise SystemExit(f"`{shown}` exited with {finished.returncode}:\n" + "\n".join(problems[:5]))


def best_of(times: int, command: Sequence[str | Path], cwd: Path) -> float:
    return min(timed(lambda: run_quietly(command, cwd)) for _ in range(times))


def median_of_rounds(measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(ROUNDS))


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def measure(count: int) -> list[Row]:
    """Every figure, each in its own fresh temporary project."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="policygen-bench-") as temporary:
        base = Path(temporary)

        # a, b: full build in every format with all cores, then no-op rebuilds of the same project.
        project = base / "full"
        paths = write_companies(project / "companies", count)
        out = project / "output"
        progress(f"checking that the {count} generated companies are valid")
        run_quietly([POLICYGEN, "validate", "companies"], project)
        progress(f"full build of {count} companies (md, html, pdf; jobs = all {os.cpu_count()} cores)")
        full = timed(lambda: build(paths, out_dir=out, formats=ALL_FORMATS, today=TODAY))
        progress(f"no-op rebuild, {ROUNDS} rounds")
        noops = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            result = build(paths, out_dir=out, formats=ALL_FORMATS, today=TODAY)
            noops.append(time.perf_counter() - started)
            if any(company.rendered for company in result.companies) or result.written:
                raise SystemExit("the no-op rebuild rendered or wrote something")
        noop = statistics.median(noops)
        rows.append(Row(f"full build, {count} companies, md+html+pdf, all cores", seconds(full)))
        rows.append(
            Row(
                f"no-op rebuild (median of {ROUNDS}) / full build",
                seconds(noop),
                seconds(full),
                f"{noop / full:.4f}",
                "<= 0.02",
                verdict(noop / full <= 0.02),
            )
        )

        # c: --jobs 1 against --jobs 2, md+html, each in a fresh project, in turns (median of 3):
        # one build of each moved the speed-up by a fifth between runs.
        samples: dict[int, list[float]] = {1: [], 2: []}
        for round_number in range(JOBS_ROUNDS):
            for jobs in (1, 2):
                project = base / f"jobs-{jobs}-{round_number}"
                paths = write_companies(project / "companies", count)
                progress(f"build of {count} companies (md, html) with --jobs {jobs}, round {round_number + 1}")
                started = time.perf_counter()
                build(paths, out_dir=project / "output", formats=TEXT_FORMATS, today=TODAY, jobs=jobs)
                samples[jobs].append(time.perf_counter() - started)
        by_jobs = {jobs: statistics.median(times) for jobs, times in samples.items()}
        speedup = by_jobs[1] / by_jobs[2]
        rows.append(Row(f"build, {count} companies, md+html, --jobs 1 (median of {JOBS_ROUNDS})", seconds(by_jobs[1])))
        rows.append(
            Row(
                f"build, {count} companies, md+html, --jobs 2 (median of {JOBS_ROUNDS}; speed-up; "
                f"os.cpu_count() = {os.cpu_count()})",
                seconds(by_jobs[2]),
                seconds(by_jobs[1]),
                f"{speedup:.2f}x",
                ">= 1.8x",
                verdict(speedup >= 1.8),
            )
        )

        # d: the command line, as a user starts it.
        project = base / "cli"
        write_companies(project / "companies", count)
        progress(f"`policygen --help` and `policygen validate`, {ROUNDS} rounds")
        interpreter = median_of_rounds(lambda: best_of(HELP_BEST_OF, [sys.executable, "-c", "pass"], project))
        help_time = median_of_rounds(lambda: best_of(HELP_BEST_OF, [POLICYGEN, "--help"], project))
        validate = median_of_rounds(lambda: best_of(VALIDATE_BEST_OF, [POLICYGEN, "validate", "companies"], project))
        rows.append(
            Row(
                f"`policygen --help` (best of {HELP_BEST_OF}, median of {ROUNDS}) / bare `python -c pass`",
                seconds(help_time),
                seconds(interpreter),
                f"{help_time / interpreter:.1f}x",
                "<= 300 ms",
                verdict(help_time <= 0.3),
            )
        )
        rows.append(
            Row(
                f"`policygen validate` {count} companies (best of {VALIDATE_BEST_OF}, median of {ROUNDS})"
                " / `policygen --help`",
                seconds(validate),
                seconds(help_time),
                f"{validate / help_time:.1f}x",
                "<= 1 s",
                verdict(validate <= 1.0),
            )
        )
        progress("peak memory of `policygen --help` and `policygen validate`")
        help_memory = command_peak_memory([str(POLICYGEN), "--help"], project)
        validate_memory = command_peak_memory([str(POLICYGEN), "validate", "companies"], project)
        rows.append(Row("`policygen --help`, peak memory", f"{help_memory / 1024:.0f} MB"))
        rows.append(Row(f"`policygen validate` {count} companies, peak memory", f"{validate_memory / 1024:.0f} MB"))
    return rows


def measure_documents() -> list[Row]:
    """One document, against the libraries that do the heavy lifting, and a worker's memory."""
    rows: list[Row] = []
    progress("Markdown + HTML of one seed-sized policy, and markdown-it-py alone")
    ours, parser = text_formats_per_document()
    rows.append(
        Row(
            "Markdown + HTML of one seed-sized policy (median of 20) / markdown-it-py's render of its Markdown",
            seconds(ours),
            seconds(parser),
            f"{ours / parser:.2f}",
            "<= 1.3",
            verdict(ours / parser <= 1.3),
        )
    )
    progress("Optingo's Polish PDF: a whole `policygen build` process, and WeasyPrint on the frozen page")
    ours, frozen = pdf_process_against_frozen_page(POLICYGEN)
    rows.append(
        Row(
            "one Polish PDF of Optingo, whole `policygen build` process (median of 5)"
            " / WeasyPrint in a fresh process on the frozen print page (benchmarks/reference)",
            seconds(ours),
            seconds(frozen),
            f"{ours / frozen:.2f}",
            "<= 0.6",
            verdict(ours / frozen <= 0.6),
        )
    )
    progress("PDF of one policy, and WeasyPrint alone on the same page")
    ours, alone = pdf_per_document()
    rows.append(
        Row(
            "PDF/A-3a of one seed-sized policy (median of 5) / WeasyPrint alone on the same page, one process",
            seconds(ours),
            seconds(alone),
            f"{ours / alone:.2f}",
            "<= 1.05",
            verdict(ours / alone <= 1.05),
        )
    )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    progress(f"full build of the example companies, and WeasyPrint alone on each of their pages / {cores} cores")
    full, weasyprint_share, largest = examples_against_weasyprint(cores)
    rows.append(
        Row(
            f"full build of the examples, md+html+pdf, all languages (median of 3) / (their PDFs' WeasyPrint times"
            f" / {cores} cores)",
            seconds(full),
            seconds(weasyprint_share),
            f"{full / weasyprint_share:.2f}",
            "<= 1.15",
            verdict(full / weasyprint_share <= 1.15),
        )
    )
    rows.append(
        Row(
            "largest PDF of the examples",
            f"{largest / 1024:.0f} KB",
            target="<= 150 KB",
            met=verdict(largest <= 150 * 1024),
        )
    )
    progress("peak memory of one rendering process over 1,000 documents")
    peaks = worker_memory()
    growth = peaks[1000] / peaks[100]
    rows.append(
        Row(
            "peak memory of one rendering process after 1,000 documents / after 100",
            f"{peaks[1000] / 1024:.0f} MB",
            f"{peaks[100] / 1024:.0f} MB",
            f"{growth:.2f}",
            "<= 1.10 (flat)",
            verdict(growth <= 1.10),
        )
    )
    return rows


def measure_scan() -> list[Row]:
    """``policygen scan`` of a local site, Chromium's start included."""
    progress(f"policygen scan of {SCANNED_PAGES} pages of a local site")
    elapsed = twenty_page_scan()
    figure = f"`policygen scan --pages {SCANNED_PAGES}` of a site on 127.0.0.1, Chromium's start included"
    if elapsed is None:
        return [Row(figure, "not measured: Chromium or Playwright for Python is missing")]
    return [Row(figure, seconds(elapsed), target="<= 10 s", met=verdict(elapsed <= 10))]


def measure_preview() -> list[Row]:
    """``policygen serve``: a save of the largest example's facts to its refreshed page."""
    progress("policygen serve: saving optingo.yaml until the refreshed page shows the change")
    median, slowest = summary(save_to_refreshed_page())
    return [
        Row(
            "`policygen serve`: save of optingo.yaml -> reload event -> refreshed side-by-side page"
            f" (median of {SAVES} saves; reference: the slowest)",
            seconds(median),
            seconds(slowest),
            f"{slowest / median:.2f}",
            "<= 300 ms, the slowest too",
            verdict(slowest <= 0.3),
        )
    ]


def verdict(met: bool) -> str:
    return "yes" if met else "**no**"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def source() -> str:
    """The commit measured, and whether the working tree had uncommitted changes."""
    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", "generator", "templates", "locales")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"git {commit}" + (" with uncommitted changes in generator/, templates/ or locales/" if dirty else "")


def git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def machine() -> list[str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- date (UTC): {datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d %H:%M}",
        f"- platform: {platform.platform()}",
        f"- CPU: {cpu_model()}",
        f"- cores: os.cpu_count() = {os.cpu_count()}, usable by this process = {usable}",
        "- load average when the table was written (1, 5, 15 min): {:.1f}, {:.1f}, {:.1f}".format(*os.getloadavg()),
        f"- Python: {platform.python_version()} ({platform.python_implementation()})",
        f"- policygen: {__version__}, {source()}",
    ]


def table(rows: list[Row]) -> list[str]:
    lines = ["| figure | measured | reference | ratio | target | met? |", "| --- | ---: | ---: | ---: | --- | --- |"]
    lines += [f"| {r.figure} | {r.measured} | {r.reference} | {r.ratio} | {r.target} | {r.met} |" for r in rows]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time policygen's builds and commands on many companies.")
    parser.add_argument(
        "--companies", type=int, default=DEFAULT_COMPANIES, help=f"how many companies (default: {DEFAULT_COMPANIES})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run with {QUICK_COMPANIES} companies; prints the table and leaves results.md alone",
    )
    arguments = parser.parse_args(argv)
    count = QUICK_COMPANIES if arguments.quick else arguments.companies
    if count < 1:
        parser.error("--companies must be at least 1")
    # The per-document figures come first, from a process that has not yet run whole builds:
    # a long-lived process full of their garbage slows whichever side the collector hits.
    documents = measure_documents()
    rows = measure(count) + documents + measure_scan() + measure_preview()
    report = [
        "# policygen benchmark results",
        "",
        *machine(),
        f"- companies: {count} (variants of tests/fixtures/valid/minimal.yaml), build date {TODAY}",
        "",
        *table(rows),
        "",
    ]
    text = "\n".join(report)
    print(text, end="")
    if not arguments.quick:
        RESULTS.write_text(text, encoding="utf-8")
        progress(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
