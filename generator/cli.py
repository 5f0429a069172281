"""The ``policygen`` command: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.errors import UserError

DEFAULT_COMPANIES = "companies"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``policygen`` command; returns the process exit code."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    try:
        return int(arguments.run(arguments))
    except UserError as error:
        print(error, file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policygen", description="Bilingual GDPR privacy policies from one YAML file of facts per company."
    )
    parser.add_argument("--version", action="version", version=f"policygen {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check facts files against the schema and report every problem")
    validate.add_argument("paths", nargs="*", type=Path, help="facts files or folders (default: companies/)")
    validate.set_defaults(run=_validate)

    schema = commands.add_parser("schema", help="print the JSON Schema of a facts file")
    schema.set_defaults(run=_schema)
    return parser


def _validate(arguments: argparse.Namespace) -> int:
    from generator.project import facts_files
    from generator.validation import display_name, validate_files

    files = facts_files(arguments.paths or [Path(DEFAULT_COMPANIES)])
    validate_files(files)
    for path in files:
        print(f"{display_name(path)}: valid")
    return 0


def _schema(arguments: argparse.Namespace) -> int:
    from generator.schema import facts_schema_text

    sys.stdout.write(facts_schema_text())
    return 0
