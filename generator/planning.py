"""Planning a build: which companies are current, and what rendering the others need.

A company is current when its facts, templates and catalogs hash as its state file records
and the manifest lists every output the build wants, unchanged since it was published: then
it is neither parsed nor rendered. Every other company becomes a :class:`~generator.rendering.Job`,
told which archived versions are still on disk as published, so that only those missing are
rendered again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from generator.languages import Language
from generator.loading import read_facts_bytes
from generator.manifest import Manifest, removable, stale_outputs
from generator.outputs import OUTPUT_KINDS, OutputKind
from generator.project import company_slug, display_name
from generator.rendering import Job
from generator.state import (
    PolicyState,
    check_date_after_history,
    check_owner,
    inputs_hash,
    load_state,
    project_digest,
    state_path,
)


@dataclass(frozen=True)
class CompanyBuilt:
    """What happened to one company in a build, for progress output."""

    slug: str
    version: int
    date: datetime.date
    rendered: bool
    """False when its inputs were unchanged and nothing was rendered."""
    draft: bool = False
    """Rendered as a draft (``build(draft=True)``): ``version`` is the one publishing would give."""
    published: tuple[Language, ...] = ()
    """The languages the company publishes, whichever the build asked for."""
    kinds: tuple[str, ...] = ()
    """The kinds the build made of it: the build's, and those its facts switch on."""


def plan_company(
    path: Path,
    out_dir: Path,
    manifest: Manifest,
    *,
    languages: tuple[Language, ...],
    kinds: tuple[OutputKind, ...],
    formats_chosen: bool,
    day: datetime.date,
    strict: bool,
) -> Job | CompanyBuilt:
    """What to do with one company: nothing (its outputs are current), or a rendering job."""
    slug = company_slug(path)
    raw = read_facts_bytes(path, display_name(path))
    previous = load_state(path)
    state_source = display_name(state_path(path))
    inputs = inputs_hash(raw, path)
    if previous is not None:
        check_owner(state_source, previous, slug, None)
        check_date_after_history(state_source, previous, day)
        wanted = [language for language in previous.published_languages if language in languages]
        kind_names = [kind.name for kind in kinds]
        record = manifest.companies.get(slug)
        if not formats_chosen and record is not None:
            # Kinds a company's facts switched on are checked as well as the build's own.
            kind_names += [name for name in record.kinds if name not in kind_names and switched_kind(name)]
        current = previous.inputs_hash == inputs and not stale_outputs(
            out_dir,
            manifest,
            slug,
            version=previous.version,
            date=previous.date,
            inputs=inputs,
            kinds=kind_names,
            languages=wanted,
        )
        if current:
            return CompanyBuilt(
                slug,
                previous.version,
                previous.date,
                rendered=False,
                published=tuple(previous.published_languages),
                kinds=tuple(kind_names),
            )
    archived = archived_on_disk(out_dir, slug, previous, manifest, languages=languages, kinds=kinds)
    return Job(
        out_dir,
        slug,
        display_name(path),
        state_source,
        raw,
        strict,
        previous,
        inputs,
        languages,
        kinds,
        formats_chosen,
        day,
        archived,
    )


def switched_kind(name: str) -> bool:
    """Whether a kind of that name is made only where a company's facts switch it on."""
    kind = OUTPUT_KINDS.get(name)
    return kind is not None and kind.facts_switch is not None


def archived_on_disk(
    out_dir: Path,
    slug: str,
    previous: PolicyState | None,
    manifest: Manifest,
    *,
    languages: tuple[Language, ...],
    kinds: tuple[OutputKind, ...],
) -> frozenset[int]:
    """Archived versions whose every wanted file is on disk as published, by these templates."""
    if previous is None or previous.project_hash != project_digest():
        return frozenset()
    complete = set()
    archived = [entry for entry in manifest.of(slug) if entry.archived]
    for version in previous.history[:-1]:
        entries = [entry for entry in archived if entry.version == version.version]
        wanted_languages = [language for language in previous.languages_of(version) if language in languages]
        needed = {(kind.name, language) for kind in kinds if kind.archived for language in wanted_languages}
        present = {(entry.kind, entry.language) for entry in entries}
        if needed <= present and all(removable(out_dir, entry) for entry in entries):
            complete.add(version.version)
    return frozenset(complete)
