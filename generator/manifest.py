"""``<out>/manifest.json``: what the last build published, read and written in one place.

Site generators and deploy scripts read it to find the outputs; ``build`` and ``check`` read
it to decide whether a company's outputs are current. It is a file in the user's output
folder, so it is read as untrusted: a damaged entry is reported and dropped (the company is
built again), and it never names a file for deletion on its own: a file is removed only when
it lies in its company's folder and still has the hash policygen recorded when publishing it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator.errors import LocatedMessage
from generator.project import read_kept_file

MANIFEST = "manifest.json"


@dataclass(frozen=True, order=True)
class ManifestEntry:
    """One published file."""

    path: str
    """Relative to the output folder, with ``/``."""
    company: str
    kind: str
    """The output kind (``generator.outputs``) that made it."""
    format: str
    language: str
    """Empty for per-company files such as the coverage report."""
    sha256: str
    version: int
    date: str
    archived: bool = False
    """An earlier version, kept in ``<slug>/archive/v<N>/``."""


@dataclass(frozen=True)
class CompanyRecord:
    """What the last build of one company made: its version, and for which kinds and languages."""

    company: str
    version: int
    date: str
    kinds: tuple[str, ...]
    languages: tuple[str, ...]
    inputs: str = ""
    """The hash of the facts, templates and catalogs the outputs were made from (the state file's
    ``inputs_hash`` then): a build into another output folder, or a killed build put back, can
    leave the state file ahead of these outputs with the same version."""


@dataclass
class Manifest:
    """The manifest's content, and what was wrong with the file it was read from."""

    entries: list[ManifestEntry] = field(default_factory=list)
    companies: dict[str, CompanyRecord] = field(default_factory=dict)
    problems: list[LocatedMessage] = field(default_factory=list)
    """Damage found while reading: each dropped entry, named."""

    def of(self, slug: str) -> list[ManifestEntry]:
        return [entry for entry in self.entries if entry.company == slug]

    def replaced(self, slug: str, entries: Iterable[ManifestEntry], record: CompanyRecord) -> Manifest:
        """This manifest with one company's entries and record replaced."""
        others = [entry for entry in self.entries if entry.company != slug]
        return Manifest(sorted([*others, *entries]), {**self.companies, slug: record})

    def to_bytes(self, generator_version: str) -> bytes:
        document = {
            "generator": generator_version,
            "companies": [_record_json(self.companies[slug]) for slug in sorted(self.companies)],
            "outputs": [asdict(entry) for entry in sorted(self.entries)],
        }
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def _record_json(record: CompanyRecord) -> dict[str, Any]:
    return {**asdict(record), "kinds": list(record.kinds), "languages": list(record.languages)}


def read_manifest(out_dir: Path) -> Manifest:
    """The manifest of ``out_dir``; empty when there is none, with its problems when damaged."""
    path = out_dir / MANIFEST
    shown = str(path)
    try:
        document = json.loads(read_kept_file(path))
    except FileNotFoundError:
        return Manifest()
    except OSError as error:
        return _unusable(shown, f"cannot be read ({error.strerror})")
    except (ValueError, RecursionError):  # RecursionError: arrays nested deeper than Python's stack
        return _unusable(shown, "is not valid JSON")
    if not isinstance(document, dict) or not isinstance(document.get("outputs"), list):
        return _unusable(shown, "'outputs' is not a list")
    if "companies" not in document:
        return _unusable(shown, "written by an earlier release of policygen")
    manifest = Manifest()
    damaged: set[str | None] = set()
    for index, raw in enumerate(document["outputs"]):
        entry, problem = _entry(out_dir, raw)
        if entry is None:
            manifest.problems.append(
                LocatedMessage.about_file(shown, f"outputs[{index}]: {problem}; its company is built again")
            )
            company = raw.get("company") if isinstance(raw, dict) else None
            damaged.add(company if isinstance(company, str) else None)
        else:
            manifest.entries.append(entry)
    records = document.get("companies", [])
    for index, raw in enumerate(records if isinstance(records, list) else [None]):
        record = _record(raw)
        if record is None:
            manifest.problems.append(
                LocatedMessage.about_file(shown, f"companies[{index}] is damaged; its company is built again")
            )
        elif record.company not in damaged and None not in damaged:
            manifest.companies[record.company] = record
    return manifest


def _entry(out_dir: Path, raw: object) -> tuple[ManifestEntry | None, str]:
    if not isinstance(raw, dict):
        return None, "not an object"
    path = raw.get("path")
    if not isinstance(path, str) or not path:
        return None, "has no 'path' string"
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or len(relative.parts) < 2:
        return None, f"'{path}' is not a file inside a company's folder of {out_dir}"
    if (out_dir / relative).is_dir():
        return None, f"'{path}' names a folder"
    text_fields = ("company", "kind", "format", "language", "sha256", "date")
    if (
        not all(isinstance(raw.get(name), str) for name in text_fields)
        or type(raw.get("version")) is not int
        or type(raw.get("archived", False)) is not bool
    ):
        return None, f"'{path}' lacks one of {', '.join(text_fields)}, version"
    if raw["company"] != relative.parts[0]:
        return None, f"'{path}' lies outside the folder of its company '{raw['company']}'"
    fields = {name: raw[name] for name in (*text_fields, "version")}
    return ManifestEntry(path=path, archived=raw.get("archived", False), **fields), ""


def _record(raw: object) -> CompanyRecord | None:
    if not isinstance(raw, dict):
        return None
    kinds, languages = raw.get("kinds"), raw.get("languages")
    # A manifest of an earlier policygen names no inputs: its outputs are made again, once.
    inputs = raw.get("inputs", "")
    if not (
        isinstance(raw.get("company"), str)
        and type(raw.get("version")) is int
        and isinstance(raw.get("date"), str)
        and isinstance(kinds, list)
        and isinstance(languages, list)
        and all(isinstance(item, str) for item in [*kinds, *languages])
        and isinstance(inputs, str)
    ):
        return None
    return CompanyRecord(raw["company"], raw["version"], raw["date"], tuple(kinds), tuple(languages), inputs)


def _unusable(shown: str, why: str) -> Manifest:
    """An empty manifest, so that every company is built again, and why."""
    return Manifest(problems=[LocatedMessage.about_file(shown, f"{why}; every company is built again")])


def file_hash(path: Path) -> str | None:
    """SHA-256 of a regular file, or ``None`` when there is none (or a link or folder) at ``path``."""
    try:
        if not path.is_file() or path.is_symlink():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def removable(out_dir: Path, entry: ManifestEntry) -> bool:
    """Whether a file the manifest lists may be deleted: still exactly what policygen published."""
    return file_hash(out_dir / entry.path) == entry.sha256


def stale_outputs(
    out_dir: Path,
    manifest: Manifest,
    slug: str,
    *,
    version: int,
    date: datetime.date,
    inputs: str,
    kinds: Sequence[str],
    languages: Sequence[str],
) -> list[tuple[str, str]]:
    """Why the outputs of one company are not those of its current state: (path, reason) pairs.

    ``build`` renders a company again when this is not empty; ``check`` reports it. Every
    file listed for the kinds and languages asked for must be on disk with its recorded hash.
    """
    shown = str(out_dir / slug)
    record = manifest.companies.get(slug)
    if record is None:
        return [(shown, "not built")]
    if record.version != version or record.date != date.isoformat():
        return [(shown, f"built as version {record.version} of {record.date}, not {version} of {date}")]
    if record.inputs != inputs:
        return [(shown, "built from other facts, templates or catalogs than its state file records")]
    missing_kinds = [kind for kind in kinds if kind not in record.kinds]
    missing_languages = [language for language in languages if language not in record.languages]
    if missing_kinds or missing_languages:
        return [(shown, f"not built in {', '.join([*missing_kinds, *missing_languages])}")]
    return [
        (str(out_dir / entry.path), "missing or changed since the last build")
        for entry in manifest.of(slug)
        if entry.kind in kinds
        and (not entry.language or entry.language in languages)
        and file_hash(out_dir / entry.path) != entry.sha256
    ]
