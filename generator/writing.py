"""Writing outputs: atomically, and only inside the output folder.

Each file is written to a temporary sibling and moved into place with ``os.replace``, so
a reader (a web server, a site generator, a build killed half-way) sees either the old
file or the new one, never a partial file.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import user_error

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class OutputFile:
    """One file of a build, with its path relative to the output folder."""

    relative_path: PurePosixPath
    content: bytes


def company_slug(facts_file: Path) -> str:
    """The company's slug, from its facts file name; it names the company's output folder."""
    slug = facts_file.stem
    if not SLUG.fullmatch(slug):
        raise user_error(
            str(facts_file),
            f"the file name '{slug}' cannot name an output folder: use lowercase letters, digits and dashes",
        )
    return slug


def write_outputs(out_dir: Path, files: list[OutputFile]) -> list[Path]:
    """Write every file atomically below ``out_dir``; returns the paths written."""
    root = out_dir.resolve()
    written = []
    for output in files:
        target = (root / output.relative_path).resolve()
        if not target.is_relative_to(root):
            raise user_error(str(output.relative_path), f"refusing to write outside {out_dir}")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, output.content)
        written.append(target)
    return written


def write_atomically(target: Path, content: bytes) -> None:
    """Replace ``target`` with ``content`` in one step."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
