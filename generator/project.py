"""Where a project keeps its facts, templates and catalogs."""

from __future__ import annotations

import datetime
import os
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


def today_for_build(given: datetime.date | None = None) -> datetime.date:
    """The build's "today": given explicitly, else from SOURCE_DATE_EPOCH, else the clock."""
    if given is not None:
        return given
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date()
        except (ValueError, OverflowError) as error:
            raise user_error("SOURCE_DATE_EPOCH", f"not a Unix timestamp: {epoch!r}") from error
    return datetime.datetime.now(tz=datetime.UTC).date()
