"""The ``policygen`` command: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import datetime
import gc
import re
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

from generator import __version__
from generator.errors import InterruptedAfterPublishing, Terminated, UserError, choice_problem
from generator.outputs import OUTPUT_KINDS, default_kinds
from generator.project import STARTER_FOLDER

INTERRUPTED = "interrupted; earlier outputs are unchanged"


def _terminate(signal_number: int, frame: FrameType | None) -> None:
    raise Terminated


def run() -> NoReturn:
    """The installed ``policygen`` command: :func:`main`, then an exit without a search for garbage.

    Taking the interpreter apart searches every object the command made and kept (the facts'
    models, compiled templates, catalogs) for reference cycles, again and again: about a tenth
    of a second after a build. Frozen first, they are no longer searched, so those held in a
    cycle are never finalized: nothing may rely on a finalizer after :func:`main` returns
    (files are written and closed inside it, and the workers stopped).
    """
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``policygen`` command; returns the process exit code.

    Bad input and OS errors print located messages and exit 1; Ctrl-C exits 130 and SIGTERM
    143, each with one line, after the build has put every earlier output back.
    """
    from generator.workers import early_workers

    try:
        # A build's first worker loads WeasyPrint while this process loads the rest.
        with early_workers(sys.argv[1:] if argv is None else argv):
            return _run_command(argv)
    except KeyboardInterrupt:  # while the parser loaded the language table, before any command ran
        print(INTERRUPTED, file=sys.stderr)
        return 130


def _run_command(argv: Sequence[str] | None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    previous_handler = signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(arguments.run(arguments))
    except UserError as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:
        from generator.publishing import os_error

        print(os_error(error, "read or write"), file=sys.stderr)
        return 1
    except InterruptedAfterPublishing as interruption:
        print("interrupted after publishing; the new outputs are complete", file=sys.stderr)
        return interruption.exit_code
    except KeyboardInterrupt:
        print(arguments.stopped, file=sys.stderr)
        return 130
    except Terminated:
        print(arguments.stopped, file=sys.stderr)
        return 143
    finally:
        signal.signal(signal.SIGTERM, previous_handler)


def _parser() -> argparse.ArgumentParser:
    # The language table loads pydantic: after early_workers has forked, not at import.
    from generator.languages import language_codes

    parser = argparse.ArgumentParser(
        prog="policygen",
        description="GDPR privacy policies in several languages from one YAML file of facts per company.",
    )
    parser.add_argument("--version", action="version", version=f"policygen {__version__}")
    parser.set_defaults(stopped=INTERRUPTED)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check facts files against the schema and report every problem")
    _paths(validate)
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.set_defaults(run=_validate)

    lint = commands.add_parser("lint", help="GDPR Art. 13/14 checks: every error and warning, as text or JSON")
    _paths(lint)
    lint.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    lint.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    lint.set_defaults(run=_lint)

    build = commands.add_parser("build", help="validate facts and write every policy as Markdown, HTML and PDF")
    _paths(build)
    _out(build)
    _languages_and_formats(build)
    build.add_argument("--today", type=_date, help="the build's date, YYYY-MM-DD (default: SOURCE_DATE_EPOCH or today)")
    build.add_argument("--jobs", type=_positive, help="companies rendered in parallel (default: all cores)")
    build.add_argument("--strict", action="store_true", help="treat GDPR-check warnings as errors")
    build.add_argument(
        "--draft",
        action="store_true",
        help="render drafts into OUT/.preview/ without publishing: no state file, version, archive or manifest",
    )
    build.set_defaults(run=_build)

    check = commands.add_parser("check", help="exit 1, naming each stale file, when a build would change anything")
    _paths(check)
    _out(check)
    check.set_defaults(run=_check)

    diff = commands.add_parser("diff", help="what changed in the facts since the last published version")
    _paths(diff)
    diff.add_argument(
        "--lang",
        type=_choices(language_codes(), "language"),
        help="languages (default: every language a company publishes)",
    )
    diff.set_defaults(run=_diff)

    new = commands.add_parser("new", help="write a commented starter facts file for a new company")
    new.add_argument("slug", help="the company's short name: lowercase letters, digits and dashes")
    new.add_argument("--folder", type=_path, default=STARTER_FOLDER, help="where (default: companies/)")
    new.set_defaults(run=_new)

    watch = commands.add_parser(
        "watch", help="render drafts into OUT/.preview/, again whenever facts, templates or catalogs change"
    )
    _paths(watch)
    _out(watch)
    _languages_and_formats(watch)
    watch.add_argument(
        "--publish", action="store_true", help="build and publish on every change (state, version, archive)"
    )
    watch.set_defaults(run=_watch)

    _add_scan(commands)

    serve = commands.add_parser(
        "serve", help="preview drafts in a browser, side by side, reloaded on every change; publishes nothing"
    )
    _paths(serve)
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine)")
    serve.set_defaults(run=_serve, stopped="stopped serving")

    schema = commands.add_parser("schema", help="print the JSON Schema of a facts file")
    schema.set_defaults(run=_schema)
    return parser


def _add_scan(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scan = commands.add_parser(
        "scan", help="open a site in headless Chromium and check its cookies, storage and hosts against the facts"
    )
    scan.add_argument("urls", nargs="+", metavar="URL", help="pages to start from; the crawl stays on their hosts")
    scan.add_argument("--facts", type=_path, required=True, help="the company's facts file")
    scan.add_argument("--pages", type=_positive, default=20, help="pages to open at most (default: 20)")
    scan.add_argument(
        "--accept", choices=("none", "all"), default="none", help="consent through the banner first (default: none)"
    )
    scan.add_argument("--accept-selector", help="CSS selector of the banner's accept-all button (default: its API)")
    scan.add_argument("--page-timeout", type=_positive, default=15, help="seconds per page (default: 15)")
    scan.add_argument("--timeout", type=_positive, default=120, help="seconds for the whole scan (default: 120)")
    scan.add_argument("--chromium", type=_path, help="the Chromium to drive (default: /usr/bin/chromium)")
    scan.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    scan.set_defaults(run=_scan)


def _validate(arguments: argparse.Namespace) -> int:
    from generator.project import display_name, facts_files, today_for_build
    from generator.validation import legal_facts_warnings, validate_files

    files = facts_files(arguments.paths)
    stale = legal_facts_warnings(today_for_build())
    if arguments.strict and stale:
        raise UserError(stale)
    checked = validate_files(files, strict=arguments.strict)
    for message in [*stale, *(message for result in checked for message in (*result.warnings, *result.notes))]:
        print(message, file=sys.stderr)
    for path in files:
        print(f"{display_name(path)}: valid")
    return 0


def _lint(arguments: argparse.Namespace) -> int:
    from generator.lint import lint

    report, failed = lint(arguments.paths, strict=arguments.strict, as_json=arguments.format == "json")
    sys.stdout.write(report)
    return 1 if failed else 0


def _paths(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "paths",
        nargs="*",
        type=_path,
        default=[STARTER_FOLDER],
        help="facts files or folders (default: companies/)",
    )


def _out(command: argparse.ArgumentParser) -> None:
    command.add_argument("--out", type=_path, default=Path("output"), help="output folder (default: output/)")


def _languages_and_formats(command: argparse.ArgumentParser) -> None:
    from generator.languages import default_languages, language_codes

    command.add_argument(
        "--lang",
        type=_choices(language_codes(), "language"),
        help=f"languages to build, e.g. {','.join(default_languages())} (default: every language a company publishes)",
    )
    command.add_argument(
        "--format",
        type=_choices(tuple(OUTPUT_KINDS), "output kind"),
        help=f"output kinds, from {', '.join(OUTPUT_KINDS)} (default: {','.join(default_kinds())}, and the kinds"
        " a company's facts switch on)",
    )


def _choices(allowed: tuple[str, ...], what: str) -> Callable[[str], tuple[str, ...]]:
    def parse(text: str) -> tuple[str, ...]:
        chosen = tuple(part.strip() for part in text.split(",") if part.strip())
        problem = choice_problem(what, chosen, allowed)
        if problem:
            raise argparse.ArgumentTypeError(f"{problem}, separated by commas")
        return chosen

    return parse


def _date(text: str) -> datetime.date:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, found '{text}'")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:  # 2026-13-01, 2026-02-30
        raise argparse.ArgumentTypeError(f"'{text}' is not a real date ({error})") from error


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError("expected a port number from 1 to 65535")
    return int(text)


def _path(text: str) -> Path:
    if not text:  # pathlib reads "" as the current folder
        raise argparse.ArgumentTypeError("an empty path names no file or folder")
    return Path(text)


def _positive(text: str) -> int:
    if not re.fullmatch("[0-9]+", text) or int(text) < 1:  # not str.isdigit: '²' is a digit to it
        raise argparse.ArgumentTypeError("expected a whole number of at least 1")
    return int(text)


def _build(arguments: argparse.Namespace) -> int:
    from generator.workers import fit_early_workers

    jobs = 1 if arguments.draft else arguments.jobs  # drafts are made in this process
    # The workers of a one-company PDF load WeasyPrint while this process loads the pipeline.
    fit_early_workers(arguments.paths, languages=arguments.lang, formats=arguments.format, jobs=jobs)
    from generator.pipeline import build
    from generator.progress import BuildProgress

    with BuildProgress(arguments.lang) as progress:
        result = build(
            arguments.paths,
            out_dir=arguments.out,
            languages=arguments.lang,
            formats=arguments.format,
            today=arguments.today,
            jobs=arguments.jobs,
            strict=arguments.strict,
            on_company=progress.company_done,
            on_wait=_say,
            on_progress=progress.step_progressed,
            draft=arguments.draft,
        )
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    rendered = sum(1 for company in result.companies if company.rendered)
    files = _plural(len(result.written), "file", "files")
    print(f"{rendered} of {len(result.companies)} companies rendered, {len(result.written)} {files} written")
    return 0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _check(arguments: argparse.Namespace) -> int:
    from generator.check import check

    current = check(arguments.paths, arguments.out)
    counted = f"{current.companies} {_plural(current.companies, 'company', 'companies')} up to date"
    if current.outputs:
        print(counted)
    else:  # a fresh clone: nothing built to compare, which "up to date" alone would hide
        files = _plural(current.companies, "its state file", "their state files")
        print(f"{counted}: {files} only, as {arguments.out.as_posix()}/ holds no build (no manifest.json)")
    return 0


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _diff(arguments: argparse.Namespace) -> int:
    from generator.diffing import change_report

    sys.stdout.write(change_report(arguments.paths, arguments.lang))
    return 0


def _new(arguments: argparse.Namespace) -> int:
    from generator.starter import write_project_schema, write_starter

    written = write_starter(arguments.slug, arguments.folder)
    print(f"wrote {written}: fill in every TODO, then run `policygen validate {written}`")
    schema = write_project_schema()
    if schema is not None:
        print(f"wrote {schema}: the schema of the facts, which its first line names for the editor")
    return 0


def _watch(arguments: argparse.Namespace) -> int:
    from generator.drafts import PREVIEW
    from generator.pipeline import build
    from generator.progress import company_line
    from generator.project import display_name
    from generator.watch import watch

    paths = arguments.paths
    target = arguments.out if arguments.publish else arguments.out / PREVIEW

    def started(folders: list[Path]) -> None:
        watched = ", ".join(display_name(folder) for folder in folders)
        print(f"watching {watched}; {'publishing' if arguments.publish else 'drafts'} into {target}", flush=True)

    def rebuild() -> None:
        result = build(
            arguments.paths,
            out_dir=arguments.out,
            languages=arguments.lang,
            formats=arguments.format,
            on_wait=_say,
            draft=not arguments.publish,
        )
        for warning in result.warnings:
            print(warning, file=sys.stderr, flush=True)
        for company in result.companies:
            print(company_line(company, arguments.lang), flush=True)

    def report(error: UserError) -> None:
        print(error, file=sys.stderr, flush=True)

    watch(paths, rebuild, on_error=report, ignore=[arguments.out], on_start=started)
    return 0


def _serve(arguments: argparse.Namespace) -> int:
    from generator.serve import serve

    def started(address: str) -> None:
        print(address, flush=True)

    serve(arguments.paths, host=arguments.host, port=arguments.port, on_start=started)
    return 0


def _scan(arguments: argparse.Namespace) -> int:
    from generator.scan import ScanOptions
    from generator.scan_report import scan_report, scan_site

    options = ScanOptions(
        pages=arguments.pages,
        accept=arguments.accept,
        accept_selector=arguments.accept_selector,
        page_timeout=arguments.page_timeout,
        scan_timeout=arguments.timeout,
    )
    seen, findings = scan_site(arguments.urls, arguments.facts, options, executable=arguments.chromium)
    report, failed = scan_report(seen, findings, as_json=arguments.format == "json")
    sys.stdout.write(report)
    return 1 if failed else 0


def _schema(arguments: argparse.Namespace) -> int:
    from generator.schema import facts_schema_text

    sys.stdout.write(facts_schema_text())
    return 0
