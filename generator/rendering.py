"""The render stage of a build: each company's text, state and files, spread over the cores.

A company is validated and its text written in one piece (its version and date follow from
the text of all its languages), and its quick output kinds (Markdown, HTML...) are made
with it. The slow kinds (:attr:`OutputKind.own_task`: a PDF's layout takes seconds, the
rest of a company milliseconds) are then made one file per task, the longest first, so
that every worker stays busy to the end even when a few companies have unequal numbers of
languages. The files of a company go back to the build together, which publishes them
together or not at all.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, cast

from generator.changes import describe_changes
from generator.document import PolicyDocument, render_document
from generator.errors import LocatedMessage, UserError
from generator.facts import Company
from generator.languages import Language
from generator.loading import parse_facts
from generator.outputs import (
    CompanyDraft,
    OutputKind,
    PolicyDraft,
    SlowFile,
    kinds_for_company,
    output_folder,
    render_version,
)
from generator.publishing import os_error
from generator.state import (
    PolicyState,
    check_owner,
    controller_identity,
    first_version,
    next_state,
    state_bytes,
    text_hash,
)
from generator.templating import load_templates
from generator.validation import Checked, check_loaded
from generator.workers import FileTask, Invalid, Workers, collector_paused, run_task, start_workers
from generator.writing import STAGING, OutputFile, StagedFile, stage_outputs, staged_copy


@dataclass(frozen=True)
class Job:
    """One company to render, as the build planned it."""

    out_dir: Path
    slug: str
    source: str
    """The facts file as messages name it."""
    state_source: str
    raw: bytes
    strict: bool
    previous: PolicyState | None
    inputs: str
    languages: tuple[Language, ...]
    kinds: tuple[OutputKind, ...]
    formats_chosen: bool
    """``--format`` was given: the facts' switches add no kinds."""
    today: datetime.date
    archived: frozenset[int]
    """Archived versions whose files are on disk, rendered by these very templates."""


@dataclass(frozen=True)
class Rendered:
    """A company's new state and every file staged for its publication."""

    slug: str
    state: PolicyState
    outputs: list[StagedFile]
    warnings: tuple[LocatedMessage, ...]
    reused: frozenset[int]
    """Archived versions left as they were on disk."""
    staged_state: Path | None
    """The new state file's content, written and synced into the scratch folder where the
    company was prepared (a worker, in parallel with the others' rather than in the one
    publication); None when the state file on disk already holds it."""
    kinds: tuple[OutputKind, ...]
    """The build's kinds and those the company's facts switch on."""


class BuildStep(StrEnum):
    """What a build is doing, as its progress names it.

    A company's files are published with the others' at the end of the build, so what a
    build can show as it goes is how many companies it has prepared, then how many PDFs it
    has laid out; or, in one process, how many companies it has finished.
    """

    RENDERING = "rendering companies"
    """In one process (one job, one core, or one company without PDFs): each company whole."""
    PREPARING = "writing the text"
    """Each company validated, its text written in every language and its quick files made."""
    LAYING_OUT = "laying out PDFs"
    """The slow files (:attr:`OutputKind.own_task`), made by the workers."""
    DRAFTING = "writing drafts"
    """A draft build (``--draft``, ``watch``): each company whole, in the build's process."""


@dataclass(frozen=True)
class StepProgress:
    """``done`` of the ``total`` companies or files of a build's current ``step``."""

    step: BuildStep
    done: int
    total: int


@dataclass(frozen=True)
class Prepared:
    """A company rendered but for its slow files, which :attr:`tasks` make."""

    rendered: Rendered
    """``outputs`` holds the quick kinds' files; the tasks' files are added in :attr:`parts`' order."""
    parts: tuple[tuple[StagedFile, ...] | int, ...]
    """Every file in the order the registry lists the kinds: staged files, or a task's index."""
    tasks: tuple[FileTask, ...]


def render_all(
    jobs: list[Job], workers: int | None, on_progress: Callable[[StepProgress], None] | None = None
) -> list[Rendered | Invalid]:
    """Every company's files; on Ctrl-C, SIGTERM or any failure every worker is stopped.

    With one worker asked for, or nothing slow to make for a single company, everything
    happens in this process. A single company is prepared here while the workers load what
    its slow files need (WeasyPrint, fonts, stylesheets); the command line starts the first
    before it even parses its arguments (:func:`generator.workers.early_workers`). Several companies
    are prepared by the workers, which inherit those and the compiled templates from this
    process. Then the slow files, prepared here down to their print pages, are shared out,
    the longest first, unless a company turned out invalid: then only the invalid ones are
    returned, as the build publishes nothing. ``on_progress`` hears each step begin (at 0 of its
    total) and each company prepared or slow file made.
    """
    if not jobs:
        return []
    report = on_progress or (lambda progress: None)

    def counting(step: BuildStep, total: int) -> Callable[[int], None]:
        """Report ``step`` at 0 of ``total`` at once, then at each count the returned function is given."""
        report(StepProgress(step, 0, total))
        return lambda done: report(StepProgress(step, done, total))

    wanted = workers or os.cpu_count() or 1
    slow_files = sum(len(job.languages) for job in jobs if any(kind.own_task for kind in job.kinds))
    size = min(wanted, max(len(jobs), slow_files) if len(jobs) > 1 else slow_files)
    if wanted <= 1 or size < 1:
        rendered: list[Rendered | Invalid] = []
        invalid: list[Rendered | Invalid] = []
        finished = counting(BuildStep.RENDERING, len(jobs))
        for count, job in enumerate(jobs, start=1):
            outcome = prepare_company(job)
            if isinstance(outcome, Invalid):
                invalid.append(outcome)
            elif not invalid:  # once one has failed, nothing is published: no more PDFs are laid out
                rendered.append(_run_here(outcome))
            finished(count)
        return invalid or rendered
    prepared_count = counting(BuildStep.PREPARING, len(jobs))  # before the warm-up, which takes a while
    kinds = tuple({kind for job in jobs for kind in job.kinds})
    if len(jobs) > 1:
        for kind in kinds:
            kind.warm_up()
        load_templates({language for job in jobs for language in job.languages})
        kinds = ()
    started = start_workers(size, kinds)
    try:
        if len(jobs) == 1:
            prepared = [prepare_company(jobs[0])]
            prepared_count(1)
        else:
            prepared = _prepared_by(started, jobs, prepared_count)
        invalid = [outcome for outcome in prepared if isinstance(outcome, Invalid)]
        if invalid:  # the build publishes nothing: it reports their problems without laying out the others' PDFs
            return list(invalid)
        tasks = [
            (company, number, task)
            for company, outcome in enumerate(prepared)
            if isinstance(outcome, Prepared)
            for number, task in enumerate(outcome.tasks)
        ]
        tasks.sort(key=lambda entry: -entry[2].cost)
        laid_out = counting(BuildStep.LAYING_OUT, len(tasks)) if tasks else None
        made = started.map(run_task, [task for _, _, task in tasks], laid_out)
    finally:
        # Every task has answered, or the build stops: either way no worker is waited for,
        # not even one still loading WeasyPrint for a company whose facts turned out invalid.
        started.stop()
    files = {(company, number): result for (company, number, _), result in zip(tasks, made, strict=True)}
    return [
        _finished(outcome, [files[index, number] for number in range(len(outcome.tasks))])
        if isinstance(outcome, Prepared)
        else outcome
        for index, outcome in enumerate(prepared)
    ]


def _prepared_by(started: Workers, jobs: list[Job], on_answer: Callable[[int], None]) -> list[Prepared | Invalid]:
    """Every company prepared by the workers, the biggest policies first, in the jobs' order."""
    order = sorted(range(len(jobs)), key=lambda index: -len(jobs[index].raw) * len(jobs[index].languages))
    outcomes = started.map(prepare_company, [jobs[index] for index in order], on_answer)
    by_job = dict(zip(order, outcomes, strict=True))
    return [by_job[index] for index in range(len(jobs))]


def _run_here(outcome: Prepared) -> Rendered | Invalid:
    return _finished(outcome, [run_task(task) for task in outcome.tasks])


def _finished(prepared: Prepared, made: list[tuple[StagedFile, ...] | Invalid]) -> Rendered | Invalid:
    """The company with every file in place, or the problems of staging its slow files."""
    staged: list[tuple[StagedFile, ...]] = []
    problems: list[LocatedMessage] = []
    for result in made:
        if isinstance(result, Invalid):
            problems.extend(result.messages)
        else:
            staged.append(result)
    if problems:
        return Invalid(tuple(problems))
    outputs = [file for part in prepared.parts for file in (staged[part] if isinstance(part, int) else part)]
    return replace(prepared.rendered, outputs=outputs)


def prepare_company(job: Job) -> Prepared | Invalid:
    """Validate one company, write its text, decide its state and make its quick files; plan the slow ones."""
    with collector_paused():
        return _prepare(job)


def _prepare(job: Job) -> Prepared | Invalid:
    """:func:`prepare_company`; a company whose facts fail or whose files cannot be staged is Invalid, not an error,
    so that the build reports the problems of every company at once."""
    try:
        checked = checked_facts(job.raw, job.source, job.slug, job.previous, job.state_source, strict=job.strict)
    except UserError as error:
        return Invalid(error.messages)
    company = checked.company
    facts = company.model_dump(mode="json")
    previous = job.previous
    # Drafted with the date and history the policy keeps when its text is unchanged (a new
    # policy: its first version), so that in those common cases the drafts are the final
    # documents and nothing is rendered twice.
    draft_date = company.document.last_updated or (previous.date if previous else job.today)
    draft_history = previous.history if previous else [first_version(draft_date, facts)]
    drafts = [
        render_document(company, job.slug, language, draft_date, draft_history)
        for language in company.document.languages
    ]
    state = state_publishing(previous, company, facts, drafts, slug=job.slug, inputs=job.inputs, today=job.today)
    kinds = kinds_for_company(job.kinds, company.document, formats_chosen=job.formats_chosen)
    planned: list[list[OutputFile] | FileTask] = []
    reused = frozenset(version.version for version in state.history[:-1]) & job.archived
    for index, version in enumerate(state.history):
        is_current = index == len(state.history) - 1
        if version.version in reused:
            continue
        history = state.history[: index + 1]
        if is_current and version.date == draft_date and history == draft_history:
            documents = drafts
        else:
            snapshot = company if is_current else state.company_of(version)
            documents = [
                render_document(snapshot, job.slug, language, version.date, history)
                for language in snapshot.document.languages
            ]
        policies = tuple(PolicyDraft(document, version.version) for document in documents)
        draft = CompanyDraft(job.slug, version.version, version.date, policies)
        for kind in kinds:
            if not (is_current or kind.archived):
                continue
            if not kind.own_task:
                planned.append(_output_files(draft, kind, job.languages, current=is_current))
            elif not kind.per_language:
                planned.append(_task(job, draft, kind, job.languages, is_current))
            else:
                planned.extend(
                    _task(
                        job,
                        CompanyDraft(job.slug, version.version, version.date, (policy,)),
                        kind,
                        (policy.language,),
                        is_current,
                    )
                    for policy in policies
                    if policy.language in job.languages
                )
    tasks: list[FileTask] = []
    parts: list[tuple[StagedFile, ...] | int] = []
    content = state_bytes(state)
    try:
        unchanged = previous is not None and state_bytes(previous) == content
        staged_state = None if unchanged else staged_copy(job.out_dir / STAGING, content)
        for part in planned:
            if isinstance(part, FileTask):
                parts.append(len(tasks))
                tasks.append(part)
            else:
                parts.append(tuple(stage_outputs(job.out_dir, part)))
    except OSError as error:
        return Invalid(os_error(error, "write a staged output").messages)
    rendered = Rendered(
        job.slug,
        state,
        [],
        checked.warnings,
        reused,
        staged_state=staged_state,
        kinds=kinds,
    )
    return Prepared(rendered, tuple(parts), tuple(tasks))


def checked_facts(
    raw: bytes, source: str, slug: str, previous: PolicyState | None, state_source: str, *, strict: bool
) -> Checked:
    """A company's facts validated and its GDPR checks run, its state file checked to be its own.

    Raises :class:`UserError` with every problem, for a build and for a draft alike.
    """
    checked = check_loaded(parse_facts(raw, source, keep_going=True), strict=strict)
    if previous is not None:
        check_owner(state_source, previous, slug, controller_identity(checked.company))
    return checked


def state_publishing(
    previous: PolicyState | None,
    company: Company,
    facts: dict[str, Any],
    documents: Sequence[PolicyDocument],
    *,
    slug: str,
    inputs: str,
    today: datetime.date,
) -> PolicyState:
    """The state that publishing these documents of ``company`` would give: a new version
    and date only when their text changed, with notes on what changed in the facts."""
    return next_state(
        previous,
        content_hash=text_hash([document.text() for document in documents]),
        inputs=inputs,
        facts=facts,
        changes=describe_changes(previous.current.facts, facts) if previous else [],
        today=today,
        pinned_date=company.document.last_updated,
        company=slug,
        controller=controller_identity(company),
    )


def _task(job: Job, draft: CompanyDraft, kind: OutputKind, languages: tuple[str, ...], current: bool) -> FileTask:
    """The files of a slow kind, prepared here to be made by a worker."""
    cost = sum(len(policy.document.text()) for policy in draft.policies if policy.language in languages)
    files = tuple(
        (language, output_folder(draft, language, current=current), cast(SlowFile, file))
        for language, file in kind.prepare(draft, languages)
    )
    archived = not current
    return FileTask(job.out_dir, job.slug, draft.version, draft.date.isoformat(), kind.name, archived, files, cost)


def _output_files(
    draft: CompanyDraft, kind: OutputKind, languages: Sequence[str], *, current: bool
) -> list[OutputFile]:
    """One kind's files of one version, named and labelled for the manifest."""
    return [
        OutputFile(
            relative,
            file.content,
            draft.slug,
            kind_name,
            file.format,
            language,
            draft.version,
            draft.date.isoformat(),
            archived=not current,
        )
        for kind_name, language, relative, file in render_version(draft, [kind], languages, current=current)
    ]
