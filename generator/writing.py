"""Writing files: complete before they replace anything, and only inside the output folder.

Every output is first written completely into ``<out>/.staging/`` (by the build's workers,
in parallel); :mod:`generator.publishing` then moves the files into place together, so a
reader (a web server, a site generator) sees either the old file or the new one.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import user_error
from generator.manifest import ManifestEntry

STAGING = ".staging"


@dataclass(frozen=True)
class OutputFile:
    """One file of a build, with its path relative to the output folder and what it is."""

    relative_path: PurePosixPath
    content: bytes
    company: str
    kind: str
    format: str
    language: str
    version: int
    date: str
    archived: bool = False

    def manifest_entry(self) -> ManifestEntry:
        return ManifestEntry(
            path=str(self.relative_path),
            company=self.company,
            kind=self.kind,
            format=self.format,
            language=self.language,
            sha256=hashlib.sha256(self.content).hexdigest(),
            version=self.version,
            date=self.date,
            archived=self.archived,
        )


def inside(out_dir: Path, relative: PurePosixPath | str) -> Path:
    """``out_dir / relative``, refusing any path that would leave ``out_dir``."""
    root = out_dir.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        raise user_error(str(relative), f"refusing to write outside {out_dir}")
    return target


@dataclass(frozen=True)
class StagedFile:
    """An output written completely into the scratch folder, ready to replace its target."""

    target: Path
    temporary: Path | None
    """``None`` when the target already holds this very content."""
    entry: ManifestEntry
    """The output's line in the manifest."""


def stage_outputs(out_dir: Path, files: list[OutputFile]) -> list[StagedFile]:
    """Write every changed file into the scratch folder; the build's workers do this in parallel."""
    staging = out_dir / STAGING
    staged = []
    for output in files:
        target = inside(out_dir, output.relative_path)
        temporary = None if _holds(target, output.content) else staged_copy(staging, output.content)
        staged.append(StagedFile(target, temporary, output.manifest_entry()))
    return staged


def _holds(target: Path, content: bytes) -> bool:
    """Whether ``target`` already has ``content``: unchanged files keep their timestamps."""
    try:
        return target.stat().st_size == len(content) and target.read_bytes() == content
    except OSError:
        return False


def staged_copy(staging: Path, content: bytes) -> Path:
    """A new file in the scratch folder holding ``content``, on disk before it is used."""
    descriptor, name = tempfile.mkstemp(dir=staging, suffix=".tmp")
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(content)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(name, 0o644)
    return Path(name)


def write_atomically(target: Path, content: bytes, *, staging: Path | None = None) -> None:
    """Replace one file in one step.

    The new content is written first into ``staging`` (the build's scratch folder, so a
    killed build leaves no fragment beside the user's files) or, where that folder lies on
    another file system, beside ``target``.
    """
    if staging is not None:
        staging.mkdir(parents=True, exist_ok=True)
        temporary = staged_copy(staging, content)
        try:
            os.replace(temporary, target)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            if error.errno != errno.EXDEV:
                raise
        else:
            return
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
