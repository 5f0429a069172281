"""``build()``: the pipeline from facts files to published policies, stage after stage.

Under the locks of the output folder and of the folders of the facts, for each company
whose inputs or outputs changed since its last build: load and validate (nothing is
published if any file is invalid) -> render the text in every language -> decide the
version and date from the text (state) -> every output kind of the registry, for the
current and every archived version, staged by the workers -> one publication of the
outputs, state files and manifest, all or nothing.
Companies whose facts, templates, catalogs and outputs are unchanged are not even parsed
(:mod:`generator.planning` decides which).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator import __version__
from generator.drafts import write_drafts
from generator.errors import InterruptedAfterPublishing, LocatedMessage, Terminated, UserError
from generator.languages import Language, language_codes, languages_named
from generator.locks import folder_locks
from generator.manifest import MANIFEST, CompanyRecord, Manifest, ManifestEntry, read_manifest, removable
from generator.outputs import OutputKind, default_kinds, kinds_for_company, kinds_named
from generator.planning import CompanyBuilt, plan_company, switched_kind
from generator.project import company_slug, facts_files, given_path, today_for_build
from generator.publishing import Publication, clear_staging, os_error, prepare_staging, signals_held
from generator.rendering import BuildStep, Job, Rendered, StepProgress, render_all
from generator.state import state_path
from generator.validation import legal_facts_warnings, validate_files
from generator.workers import Invalid
from generator.writing import inside


@dataclass
class BuildResult:
    """Every company's outcome and every file written."""

    companies: list[CompanyBuilt] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    warnings: list[LocatedMessage] = field(default_factory=list)
    """GDPR-check warnings of the companies rendered (unchanged ones were checked before), and
    damage found in the manifest."""


def build(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    out_dir: str | os.PathLike[str] = Path("output"),
    languages: Sequence[Language] | None = None,
    formats: Sequence[str] | None = None,
    today: datetime.date | None = None,
    jobs: int | None = None,
    strict: bool = False,
    on_company: Callable[[CompanyBuilt], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
    on_progress: Callable[[StepProgress], None] | None = None,
    draft: bool = False,
) -> BuildResult:
    """Bring every company's policies, state file and the manifest up to date.

    ``formats`` names output kinds of :mod:`generator.outputs` (default: the default kinds).
    With ``strict``, GDPR-check warnings stop the build like errors. Paths may be strings,
    as a site generator's configuration gives them, and one path may be given alone.
    ``languages`` limits the languages written; by default every language a company publishes.
    ``on_wait`` hears that another build of the same output folder or facts is running and this
    one waits for it; ``on_progress`` hears how far rendering has come, and ``on_company`` each
    company's outcome at the end (rendered and published, unchanged, or drafted).
    """
    out_dir = given_path(out_dir, "out_dir", "output folder")
    wanted = languages_named(languages) if languages is not None else language_codes()
    # A string is itself iterable, letter by letter.
    given = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    files = facts_files([given_path(path, "paths", "facts file or folder") for path in given])
    day = today_for_build(today)
    kinds = kinds_named(default_kinds() if formats is None else formats)
    result = BuildResult(warnings=legal_facts_warnings(day))
    if strict and result.warnings:
        raise UserError(result.warnings)
    if draft:
        with folder_locks(out_dir, on_wait=on_wait):
            if on_progress:
                on_progress(StepProgress(BuildStep.DRAFTING, 0, len(files)))
            for drafted in write_drafts(
                files,
                out_dir,
                languages=wanted,
                kinds=kinds,
                formats_chosen=formats is not None,
                today=day,
                strict=strict,
            ):
                company = drafted.preview.company
                published = tuple(company.facts.document.languages)
                built = CompanyBuilt(
                    company.slug,
                    company.version,
                    day,
                    rendered=True,
                    draft=True,
                    published=published,
                    kinds=tuple(
                        kind.name
                        for kind in kinds_for_company(kinds, company.facts.document, formats_chosen=formats is not None)
                    ),
                )
                result.written.extend(drafted.written)
                result.warnings.extend(drafted.preview.warnings)
                result.companies.append(built)
                if on_progress:
                    on_progress(StepProgress(BuildStep.DRAFTING, len(result.companies), len(files)))
                if on_company:
                    on_company(built)
        return result
    publishing = _Publishing()
    try:
        planned, rendered = _build_locked(
            out_dir,
            files,
            result,
            languages=wanted,
            kinds=kinds,
            formats_chosen=formats is not None,
            day=day,
            strict=strict,
            jobs=jobs,
            on_wait=on_wait,
            on_progress=on_progress,
            publishing=publishing,
        )
    except (KeyboardInterrupt, Terminated) as interruption:
        if publishing.done:
            code = 130 if isinstance(interruption, KeyboardInterrupt) else 143
            raise InterruptedAfterPublishing(code) from interruption
        raise
    by_slug = {outcome.slug: outcome for outcome in rendered}
    for job in planned:
        built = job if not isinstance(job, Job) else _rendered(by_slug[job.slug])
        result.companies.append(built)
        if on_company:
            on_company(built)
    return result


def _rendered(rendered: Rendered) -> CompanyBuilt:
    state = rendered.state
    published = tuple(state.published_languages)
    kinds = tuple(kind.name for kind in rendered.kinds)
    return CompanyBuilt(rendered.slug, state.version, state.date, rendered=True, published=published, kinds=kinds)


@dataclass
class _Publishing:
    done: bool = False
    """Whether the build's publication finished: an interruption after it changed nothing back."""


def _build_locked(
    out_dir: Path,
    files: list[Path],
    result: BuildResult,
    *,
    languages: tuple[Language, ...],
    kinds: tuple[OutputKind, ...],
    formats_chosen: bool,
    day: datetime.date,
    strict: bool,
    jobs: int | None,
    on_wait: Callable[[str], None] | None,
    on_progress: Callable[[StepProgress], None] | None,
    publishing: _Publishing,
) -> tuple[list[Job | CompanyBuilt], list[Rendered]]:
    """Plan, render and publish under the locks of the output and facts folders; Ctrl-C waits for a publication."""
    with folder_locks(out_dir, files, on_wait=on_wait):
        try:
            prepare_staging(out_dir)
            manifest = read_manifest(out_dir)
            result.warnings.extend(manifest.problems)
            planned = [
                plan_company(
                    path,
                    out_dir,
                    manifest,
                    languages=languages,
                    kinds=kinds,
                    formats_chosen=formats_chosen,
                    day=day,
                    strict=strict,
                )
                for path in files
            ]
            if strict:
                # A company whose outputs are current is not rendered, nor checked, again; yet
                # --strict fails on its warnings too.
                validate_files(
                    [path for path, plan in zip(files, planned, strict=True) if isinstance(plan, CompanyBuilt)],
                    strict=True,
                )
            outcomes = render_all([job for job in planned if isinstance(job, Job)], jobs, on_progress)
            problems = [message for outcome in outcomes if isinstance(outcome, Invalid) for message in outcome.messages]
            if problems:
                raise UserError(problems)
            rendered = [outcome for outcome in outcomes if isinstance(outcome, Rendered)]
            result.warnings.extend(warning for outcome in rendered for warning in outcome.warnings)
            if rendered or manifest.problems or not (out_dir / MANIFEST).exists():
                with signals_held():  # Ctrl-C waits for the publication, then says it is done
                    _publish_all(
                        out_dir,
                        rendered,
                        files,
                        manifest,
                        languages=languages,
                        formats_chosen=formats_chosen,
                        written=result.written,
                    )
                    publishing.done = True
        except BaseException:
            clear_staging(out_dir)
            raise
        clear_staging(out_dir)
    return planned, rendered


def _publish_all(
    out_dir: Path,
    rendered: list[Rendered],
    files: list[Path],
    manifest: Manifest,
    *,
    languages: tuple[Language, ...],
    formats_chosen: bool,
    written: list[Path],
) -> None:
    """Publish every rendered company's outputs and state, and the manifest, as one change."""
    by_slug = {company_slug(path): path for path in files}
    try:
        with Publication(out_dir) as publication:
            for outcome in rendered:
                facts = by_slug[outcome.slug]
                manifest = _publish(
                    publication, out_dir, outcome, facts, manifest, languages=languages, formats_chosen=formats_chosen
                )
            publication.write(out_dir / MANIFEST, manifest.to_bytes(__version__))
    except OSError as error:
        raise os_error(error, "publish") from error
    for outcome in rendered:
        written.extend(file.target for file in outcome.outputs if file.temporary is not None)
        state_file = state_path(by_slug[outcome.slug])
        if outcome.staged_state is not None:
            written.append(state_file)


def _publish(
    publication: Publication,
    out_dir: Path,
    outcome: Rendered,
    facts_file: Path,
    manifest: Manifest,
    *,
    languages: tuple[Language, ...],
    formats_chosen: bool,
) -> Manifest:
    """Add one company's files and state to the publication; return the manifest it makes.

    Files of the kinds and languages built that this version no longer has are removed, but
    only where they are still exactly what policygen published; the files of other kinds and
    languages stay, with their entries.
    """
    state = outcome.state
    built_languages = [language for language in state.published_languages if language in languages]
    kind_names = {kind.name for kind in outcome.kinds}

    def covered(entry: ManifestEntry) -> bool:
        """Whether this build decides the entry's fate: its kind and language were built, or the
        company no longer publishes its language or no longer switches its kind on."""
        if entry.archived:
            return entry.kind in kind_names
        if entry.language and entry.language not in state.published_languages:
            return True
        switched_off = not formats_chosen and switched_kind(entry.kind) and entry.kind not in kind_names
        return switched_off or (entry.kind in kind_names and (not entry.language or entry.language in built_languages))

    earlier = manifest.of(outcome.slug)
    kept = [entry for entry in earlier if not covered(entry) or (entry.archived and entry.version in outcome.reused)]
    produced = [file.entry for file in outcome.outputs]
    paths_now = {entry.path for entry in [*produced, *kept]}
    for entry in earlier:
        if entry.path not in paths_now and covered(entry) and removable(out_dir, entry):
            publication.remove(inside(out_dir, entry.path))
    for file in outcome.outputs:
        if file.temporary is not None:
            publication.replace(file.target, file.temporary)
    if outcome.staged_state is not None:
        publication.replace(state_path(facts_file), outcome.staged_state)
    # The kinds and languages built before still count when they were made from these very inputs.
    record = manifest.companies.get(outcome.slug)
    if record is None or (record.version, record.inputs) != (state.version, state.inputs_hash):
        record = None
    record = CompanyRecord(
        outcome.slug,
        state.version,
        state.date.isoformat(),
        tuple(sorted(kind_names.union(record.kinds if record else ()))),
        tuple(sorted(set(built_languages).union(record.languages if record else ()))),
        state.inputs_hash,
    )
    return manifest.replaced(outcome.slug, [*produced, *kept], record)
