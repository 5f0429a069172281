"""``build()``: the pipeline from facts files to published policies, stage after stage.

For each company whose inputs changed since its last build: load and validate (nothing is
written if any file is invalid) -> render the text in every language -> decide the
version and date from the text (state) -> Markdown, HTML, PDF of the current and of every
archived version -> atomic writes -> state file -> manifest. Companies whose facts,
templates and catalogs are unchanged are not even parsed.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator import __version__
from generator.changes import describe_changes
from generator.compliance import coverage_report
from generator.document import PolicyDocument, render_document
from generator.errors import LocatedMessage, UserError
from generator.facts import Company
from generator.facts.base import LANGUAGES, PUBLISHED_LANGUAGES, Language
from generator.loading import parse_facts, read_facts_bytes
from generator.project import facts_files, today_for_build
from generator.render.html import render_html, render_print_page
from generator.render.markdown import render_markdown
from generator.state import (
    PolicyState,
    Version,
    inputs_hash,
    load_state,
    next_state,
    project_digest,
    state_bytes,
    state_path,
    text_hash,
)
from generator.validation import check_loaded, display_name, legal_facts_warnings
from generator.writing import (
    MANIFEST,
    STAGING,
    OutputFile,
    StagedFile,
    clear_staging,
    company_slug,
    inside,
    manifest_bytes,
    publish_staged,
    read_manifest,
    stage_outputs,
    write_atomically,
)

FORMATS = ("md", "html", "pdf")
POLICY_STEM = "privacy-policy"
FILE_FORMATS = {"md": ("md",), "html": ("html", "fragment.html"), "pdf": ("pdf",)}


@dataclass(frozen=True)
class CompanyBuilt:
    """What happened to one company in a build, for progress output."""

    slug: str
    version: int
    date: datetime.date
    rendered: bool
    """False when its inputs were unchanged and nothing was rendered."""


@dataclass
class BuildResult:
    """Every company's outcome and every file written."""

    companies: list[CompanyBuilt] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    warnings: list[LocatedMessage] = field(default_factory=list)
    """GDPR-check warnings of the companies rendered (unchanged ones were checked before)."""


@dataclass(frozen=True)
class _Job:
    out_dir: Path
    slug: str
    source: str
    """The facts file as messages name it."""
    raw: bytes
    strict: bool
    previous: PolicyState | None
    inputs: str
    languages: tuple[Language, ...]
    formats: tuple[str, ...]
    today: datetime.date
    archived: frozenset[int]
    """Archived versions whose files are on disk, rendered by these very templates."""


@dataclass(frozen=True)
class _Invalid:
    """A company whose facts failed validation, sent back from a worker."""

    messages: tuple[LocatedMessage, ...]


@dataclass(frozen=True)
class _Rendered:
    slug: str
    state: PolicyState
    outputs: list[StagedFile]
    warnings: tuple[LocatedMessage, ...]
    reused: frozenset[int]
    """Archived versions left as they were on disk."""


def build(
    paths: Iterable[str | os.PathLike[str]],
    *,
    out_dir: str | os.PathLike[str] = Path("output"),
    languages: Sequence[Language] = LANGUAGES,
    formats: Sequence[str] = FORMATS,
    today: datetime.date | None = None,
    jobs: int | None = None,
    strict: bool = False,
    on_company: Callable[[CompanyBuilt], None] | None = None,
) -> BuildResult:
    """Bring every company's policies, state file and the manifest up to date.

    With ``strict``, GDPR-check warnings stop the build like errors. Paths may be strings,
    as a site generator's configuration gives them.
    """
    out_dir = Path(out_dir)
    files = facts_files([Path(path) for path in paths])
    day = today_for_build(today)
    manifest = read_manifest(out_dir)
    result = BuildResult(warnings=legal_facts_warnings(day))
    if strict and result.warnings:
        raise UserError(result.warnings)
    jobs_to_render: list[_Job] = []
    for path in files:
        slug = company_slug(path)
        raw = read_facts_bytes(path, display_name(path))
        previous = load_state(path)
        inputs = inputs_hash(raw)
        if previous is not None and _up_to_date(
            out_dir=out_dir,
            slug=slug,
            state=previous,
            inputs=inputs,
            manifest=manifest,
            languages=languages,
            formats=formats,
        ):
            result.companies.append(CompanyBuilt(slug, previous.version, previous.date, rendered=False))
            continue
        archived = _archived_on_disk(out_dir, slug, previous, manifest)
        jobs_to_render.append(
            _Job(
                out_dir,
                slug,
                display_name(path),
                raw,
                strict,
                previous,
                inputs,
                tuple(languages),
                tuple(formats),
                day,
                archived,
            )
        )
    # Workers validate, render and stage their files in the scratch folder; nothing takes the
    # place of an output unless every company is valid.
    clear_staging(out_dir)
    out_dir_existed = out_dir.exists()
    outcomes = _render_all(jobs_to_render, jobs)
    problems = [message for outcome in outcomes if isinstance(outcome, _Invalid) for message in outcome.messages]
    if problems:
        clear_staging(out_dir)
        if not out_dir_existed and out_dir.exists() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        raise UserError(problems)
    rendered = [outcome for outcome in outcomes if isinstance(outcome, _Rendered)]
    result.warnings.extend(warning for outcome in rendered for warning in outcome.warnings)
    by_slug = {path.stem: path for path in files}
    for outcome in rendered:
        manifest = _publish(out_dir, outcome, by_slug[outcome.slug], manifest, result.written)
        built = CompanyBuilt(outcome.slug, outcome.state.version, outcome.state.date, rendered=True)
        result.companies.append(built)
        if on_company:
            on_company(built)
    if rendered or not (out_dir / MANIFEST).exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(out_dir / MANIFEST, manifest_bytes(manifest, __version__), staging=out_dir / STAGING)
    clear_staging(out_dir)
    for built in result.companies:
        if not built.rendered and on_company:
            on_company(built)
    return result


def _publish(
    out_dir: Path, outcome: _Rendered, facts_file: Path, manifest: list[dict[str, Any]], written: list[Path]
) -> list[dict[str, Any]]:
    """Write one company's outputs, then its state; return the manifest with its new entries.

    The state is written after the outputs, so a build killed in between renders the
    company again next time instead of trusting outputs it never finished.
    """
    kept = [
        entry
        for entry in manifest
        if entry.get("company") == outcome.slug and _archive_version(entry) in outcome.reused
    ]
    produced = [output.entry for output in outcome.outputs] + kept
    paths_now = {entry["path"] for entry in produced}
    for entry in manifest:
        if entry.get("company") == outcome.slug and entry.get("path") not in paths_now:
            inside(out_dir, entry["path"]).unlink(missing_ok=True)
    written.extend(publish_staged(outcome.outputs))
    state_file = state_path(facts_file)
    new_state = state_bytes(outcome.state)
    if not state_file.exists() or state_file.read_bytes() != new_state:
        write_atomically(state_file, new_state, staging=out_dir / STAGING)
        written.append(state_file)
    return [entry for entry in manifest if entry.get("company") != outcome.slug] + produced


def _up_to_date(
    *,
    out_dir: Path,
    slug: str,
    state: PolicyState,
    inputs: str,
    manifest: list[dict[str, object]],
    languages: Sequence[Language],
    formats: Sequence[str],
) -> bool:
    """Whether the last build used these very inputs and its outputs are all still there."""
    if state.inputs_hash != inputs:
        return False
    published = state.current.facts.get("document", {}).get("languages", LANGUAGES)
    expected = {
        f"{slug}/{language}/{POLICY_STEM}.{suffix}"
        for language in published
        if language in languages
        for file_format in formats
        for suffix in FILE_FORMATS[file_format]
    }
    # A build killed after writing a state file but before the manifest leaves entries of the
    # earlier version behind: those do not count as up to date.
    listed = {
        str(entry.get("path"))
        for entry in manifest
        if entry.get("company") == slug
        and entry.get("version") == state.version
        and entry.get("date") == state.date.isoformat()
    }
    return expected <= listed and all((out_dir / path).is_file() for path in expected)


def _archive_version(entry: dict[str, object]) -> int | None:
    parts = str(entry.get("path", "")).split("/")
    if len(parts) > 2 and parts[1] == "archive" and parts[2].startswith("v") and parts[2][1:].isdigit():
        return int(parts[2][1:])
    return None


def _archived_on_disk(
    out_dir: Path, slug: str, previous: PolicyState | None, manifest: list[dict[str, object]]
) -> frozenset[int]:
    if previous is None or previous.project_hash != project_digest():
        return frozenset()
    found: dict[int, bool] = {}
    for entry in manifest:
        version = _archive_version(entry)
        if entry.get("company") == slug and version is not None:
            found[version] = found.get(version, True) and (out_dir / str(entry["path"])).is_file()
    return frozenset(version for version, complete in found.items() if complete)


def _render_all(jobs: list[_Job], workers: int | None) -> list[_Rendered | _Invalid]:
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    if workers <= 1:
        return [render_company(job) for job in jobs]
    if any("pdf" in job.formats for job in jobs):
        from generator.render.pdf import print_styles

        print_styles()  # loaded once here, inherited by every forked worker instead of loaded in each
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(render_company, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def render_company(job: _Job) -> _Rendered | _Invalid:
    """Validate one company, then render its current policy and archive; or its problems."""
    try:
        checked = check_loaded(parse_facts(job.raw, job.source), strict=job.strict)
    except UserError as error:
        return _Invalid(error.messages)
    company = checked.company
    facts = company.model_dump(mode="json")
    previous = job.previous
    # Drafted with the date and history the policy keeps when its text is unchanged, so that
    # in that common case the drafts are the final documents and nothing is rendered twice.
    draft_date = company.document.last_updated or (previous.date if previous else job.today)
    draft_history = previous.history if previous else []
    drafts = {
        language: render_document(company, job.slug, language, draft_date, draft_history)
        for language in company.document.languages
    }
    changes = describe_changes(previous.current.facts, facts) if previous else []
    state = next_state(
        previous,
        content_hash=text_hash([drafts[language].text() for language in company.document.languages]),
        inputs=job.inputs,
        facts=facts,
        changes=changes,
        today=job.today,
        pinned_date=company.document.last_updated,
    )
    outputs: list[OutputFile] = []
    reused = frozenset(version.version for version in state.history[:-1]) & job.archived
    for index, version in enumerate(state.history):
        is_current = index == len(state.history) - 1
        if version.version in reused:
            continue
        snapshot = company if is_current else _facts_of(version)
        folder = PurePosixPath(job.slug) if is_current else PurePosixPath(job.slug, "archive", f"v{version.version}")
        history = state.history[: index + 1]
        if is_current and version.date == draft_date and history == draft_history:
            documents = list(drafts.values())
        else:
            documents = [
                render_document(snapshot, job.slug, language, version.date, history)
                for language in snapshot.document.languages
            ]
        for document in documents:
            if document.language in job.languages:
                outputs.extend(_formats_of(document, folder / document.language, job.formats, version))
        if is_current:
            report = coverage_report(documents, version.version).encode()
            outputs.append(
                OutputFile(
                    folder / "compliance.md",
                    report,
                    job.slug,
                    "",
                    "compliance",
                    version.version,
                    version.date.isoformat(),
                )
            )
    return _Rendered(job.slug, state, stage_outputs(job.out_dir, outputs), checked.warnings, reused)


def _facts_of(version: Version) -> Company:
    languages = tuple(version.facts.get("document", {}).get("languages", LANGUAGES))
    return Company.model_validate(version.facts, context={PUBLISHED_LANGUAGES: languages})


def _formats_of(
    document: PolicyDocument, folder: PurePosixPath, formats: Sequence[str], version: Version
) -> list[OutputFile]:
    markdown = render_markdown(document)

    def output(suffix: str, file_format: str, content: bytes) -> OutputFile:
        return OutputFile(
            relative_path=folder / f"{POLICY_STEM}.{suffix}",
            content=content,
            company=document.slug,
            language=document.language,
            format=file_format,
            version=version.version,
            date=version.date.isoformat(),
        )

    outputs = []
    fragment = None
    if "md" in formats:
        outputs.append(output("md", "md", markdown.text.encode()))
    if "html" in formats:
        html = render_html(document, markdown)
        fragment = html.fragment
        outputs.append(output("html", "html", html.page.encode()))
        outputs.append(output("fragment.html", "html-fragment", html.fragment.encode()))
    if "pdf" in formats:
        from generator.render.pdf import render_pdf  # WeasyPrint loads only when a PDF is made

        logo = document.company.document.logo_file
        logo_url = logo.as_uri() if logo else None
        print_page = render_print_page(document, markdown, version.version, logo_url, fragment)
        outputs.append(output("pdf", "pdf", render_pdf(print_page, document.last_updated, logo=logo)))
    return outputs
