"""The ``policygen`` command: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import datetime
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from generator import __version__
from generator.errors import UserError
from generator.facts.base import LANGUAGES
from generator.outputs import OUTPUT_KINDS, default_kinds

DEFAULT_COMPANIES = "companies"
INTERRUPTED = "interrupted; earlier outputs are unchanged"


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so a build stops the way Ctrl-C stops it."""


def _terminate(signal_number: int, frame: FrameType | None) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``policygen`` command; returns the process exit code.

    Bad input and OS errors print located messages and exit 1; Ctrl-C exits 130 and SIGTERM
    143, each with one line, after the build has put every earlier output back.
    """
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
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except Terminated:
        print(INTERRUPTED, file=sys.stderr)
        return 143
    finally:
        signal.signal(signal.SIGTERM, previous_handler)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policygen", description="Bilingual GDPR privacy policies from one YAML file of facts per company."
    )
    parser.add_argument("--version", action="version", version=f"policygen {__version__}")
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
    build.add_argument(
        "--lang",
        type=_choices(LANGUAGES),
        default=LANGUAGES,
        help=f"languages to build, e.g. {','.join(LANGUAGES)} (default: all)",
    )
    build.add_argument(
        "--format",
        type=_choices(tuple(OUTPUT_KINDS)),
        default=None,
        help=f"output kinds, from {', '.join(OUTPUT_KINDS)} (default: {','.join(default_kinds())})",
    )
    build.add_argument("--today", type=_date, help="the build's date, YYYY-MM-DD (default: SOURCE_DATE_EPOCH or today)")
    build.add_argument("--jobs", type=_positive, help="companies rendered in parallel (default: all cores)")
    build.add_argument("--strict", action="store_true", help="treat GDPR-check warnings as errors")
    build.set_defaults(run=_build)

    check = commands.add_parser("check", help="exit 1, naming each stale file, when a build would change anything")
    _paths(check)
    _out(check)
    check.set_defaults(run=_check)

    diff = commands.add_parser("diff", help="what changed in the facts since the last published version")
    _paths(diff)
    diff.add_argument("--lang", type=_choices(LANGUAGES), default=LANGUAGES, help="languages (default: all)")
    diff.set_defaults(run=_diff)

    new = commands.add_parser("new", help="write a commented starter facts file for a new company")
    new.add_argument("slug", help="the company's short name: lowercase letters, digits and dashes")
    new.add_argument("--folder", type=Path, default=Path(DEFAULT_COMPANIES), help="where (default: companies/)")
    new.set_defaults(run=_new)

    watch = commands.add_parser("watch", help="build, then rebuild whenever facts, templates or catalogs change")
    _paths(watch)
    _out(watch)
    watch.set_defaults(run=_watch)

    schema = commands.add_parser("schema", help="print the JSON Schema of a facts file")
    schema.set_defaults(run=_schema)
    return parser


def _validate(arguments: argparse.Namespace) -> int:
    from generator.project import facts_files, today_for_build
    from generator.validation import display_name, legal_facts_warnings, validate_files

    files = facts_files(arguments.paths or [Path(DEFAULT_COMPANIES)])
    stale = legal_facts_warnings(today_for_build())
    if arguments.strict and stale:
        raise UserError(stale)
    checked = validate_files(files, strict=arguments.strict)
    for message in [*stale, *(warning for result in checked for warning in result.warnings)]:
        print(message, file=sys.stderr)
    for path in files:
        print(f"{display_name(path)}: valid")
    return 0


def _lint(arguments: argparse.Namespace) -> int:
    from generator.lint import lint

    report, failed = lint(
        arguments.paths or [Path(DEFAULT_COMPANIES)], strict=arguments.strict, as_json=arguments.format == "json"
    )
    sys.stdout.write(report)
    return 1 if failed else 0


def _paths(command: argparse.ArgumentParser) -> None:
    command.add_argument("paths", nargs="*", type=Path, help="facts files or folders (default: companies/)")


def _out(command: argparse.ArgumentParser) -> None:
    command.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")


def _choices(allowed: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    def parse(text: str) -> tuple[str, ...]:
        chosen = tuple(part.strip() for part in text.split(",") if part.strip())
        unknown = [part for part in chosen if part not in allowed]
        if unknown or not chosen:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)}, separated by commas")
        return chosen

    return parse


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError("expected a date as YYYY-MM-DD") from error


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a whole number of at least 1")
    return int(text)


def _build(arguments: argparse.Namespace) -> int:
    from generator.pipeline import build
    from generator.progress import BuildProgress

    with BuildProgress() as progress:
        result = build(
            arguments.paths or [Path(DEFAULT_COMPANIES)],
            out_dir=arguments.out,
            languages=arguments.lang,
            formats=arguments.format,
            today=arguments.today,
            jobs=arguments.jobs,
            strict=arguments.strict,
            on_company=progress.company_done,
            on_wait=_say,
        )
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    rendered = sum(1 for company in result.companies if company.rendered)
    print(f"{rendered} of {len(result.companies)} companies rendered, {len(result.written)} files written")
    return 0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _check(arguments: argparse.Namespace) -> int:
    from generator.check import check

    current = check(arguments.paths or [Path(DEFAULT_COMPANIES)], arguments.out)
    print(f"{current} companies up to date")
    return 0


def _diff(arguments: argparse.Namespace) -> int:
    from generator.diffing import change_report

    sys.stdout.write(change_report(arguments.paths or [Path(DEFAULT_COMPANIES)], arguments.lang))
    return 0


def _new(arguments: argparse.Namespace) -> int:
    from generator.starter import write_starter

    written = write_starter(arguments.slug, arguments.folder)
    print(f"wrote {written}: fill in every TODO, then run `policygen validate {written}`")
    return 0


def _watch(arguments: argparse.Namespace) -> int:
    from generator.pipeline import build
    from generator.watch import watch

    paths = arguments.paths or [Path(DEFAULT_COMPANIES)]

    def rebuild() -> None:
        result = build(paths, out_dir=arguments.out, on_wait=_say)
        rendered = [company.slug for company in result.companies if company.rendered]
        print(f"rebuilt {', '.join(rendered)}" if rendered else "everything up to date", flush=True)

    def report(error: UserError) -> None:
        print(error, file=sys.stderr, flush=True)

    watch(paths, rebuild, on_error=report, ignore=[arguments.out])
    return 0


def _schema(arguments: argparse.Namespace) -> int:
    from generator.schema import facts_schema_text

    sys.stdout.write(facts_schema_text())
    return 0
