"""Writing outputs: atomically, only inside the output folder, with a manifest.

Every file is first written completely into ``<out>/.staging/`` (by the build's workers, in
parallel) and then moved into place with ``os.replace``, so a reader (a web server, a site
generator) sees either the old file or the new one; a build killed half-way leaves earlier
outputs whole, and the next build clears whatever it left in the staging folder.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from generator.errors import user_error

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
STAGING = ".staging"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class OutputFile:
    """One file of a build, with its path relative to the output folder and what it is."""

    relative_path: PurePosixPath
    content: bytes
    company: str
    language: str
    format: str
    version: int
    date: str

    def manifest_entry(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "language": self.language,
            "format": self.format,
            "path": str(self.relative_path),
            "sha256": hashlib.sha256(self.content).hexdigest(),
            "date": self.date,
            "version": self.version,
        }


def company_slug(facts_file: Path) -> str:
    """The company's slug, from its facts file name; it names the company's output folder."""
    slug = facts_file.stem
    if not SLUG.fullmatch(slug):
        raise user_error(
            str(facts_file),
            f"the file name '{slug}' cannot name an output folder: use lowercase letters, digits and dashes",
        )
    return slug


def inside(out_dir: Path, relative: PurePosixPath | str) -> Path:
    """``out_dir / relative``, refusing any path that would leave ``out_dir``."""
    root = out_dir.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        raise user_error(str(relative), f"refusing to write outside {out_dir}")
    return target


def clear_staging(out_dir: Path) -> None:
    """Remove what a killed build left half-written."""
    shutil.rmtree(out_dir / STAGING, ignore_errors=True)


@dataclass(frozen=True)
class StagedFile:
    """An output written completely into the scratch folder, ready to replace its target."""

    target: Path
    temporary: Path | None
    """``None`` when the target already holds this very content."""
    entry: dict[str, Any]
    """The output's line in the manifest."""


def stage_outputs(out_dir: Path, files: list[OutputFile]) -> list[StagedFile]:
    """Write every changed file into the scratch folder; the build's workers do this in parallel."""
    staging = out_dir / STAGING
    staging.mkdir(parents=True, exist_ok=True)
    staged = []
    for output in files:
        target = inside(out_dir, output.relative_path)
        temporary = None if _holds(target, output.content) else _staged_copy(staging, output.content)
        staged.append(StagedFile(target, temporary, output.manifest_entry()))
    return staged


def publish_staged(files: list[StagedFile]) -> list[Path]:
    """Move each staged file into place, one ``os.replace`` each; returns the paths written."""
    written = []
    for file in files:
        if file.temporary is not None:
            file.target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file.temporary, file.target)
            written.append(file.target)
    return written


def _holds(target: Path, content: bytes) -> bool:
    """Whether ``target`` already has ``content``: unchanged files keep their timestamps."""
    try:
        return target.stat().st_size == len(content) and target.read_bytes() == content
    except OSError:
        return False


def _staged_copy(staging: Path, content: bytes) -> Path:
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
        temporary = _staged_copy(staging, content)
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


def read_manifest(out_dir: Path) -> list[dict[str, Any]]:
    """The entries of ``<out>/manifest.json``; none when it is missing or unreadable."""
    try:
        entries = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [entry for entry in entries if isinstance(entry, dict)]


def manifest_bytes(entries: list[dict[str, Any]], generator_version: str) -> bytes:
    """The manifest site generators and deploy scripts read: every output, sorted by path."""
    document = {"generator": generator_version, "outputs": sorted(entries, key=lambda entry: entry["path"])}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
