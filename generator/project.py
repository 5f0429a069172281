"""Where a project keeps its facts, templates and catalogs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.errors import user_error

FACTS_SUFFIXES = (".yaml", ".yml")


def facts_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into the facts files they hold, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(child for child in path.iterdir() if child.suffix in FACTS_SUFFIXES and child.is_file())
            )
        elif path.is_file():
            found.append(path)
        else:
            raise user_error(str(path), "no such file or folder")
    if not found:
        raise user_error(", ".join(str(path) for path in paths), "no facts files (*.yaml) found")
    return found
