"""The output registry: every kind of file a build can make, in one table.

``build``, ``check``, the manifest, the archive and the command line's ``--format`` all read
:data:`OUTPUT_KINDS`, the way Sphinx registers its builders. An entry names its renderer as
``"module:function"``, imported only when that kind is made: WeasyPrint loads only when a PDF
is wanted, and the registry imports no renderer at all.

Adding an output kind is one renderer module (a function from a :class:`PolicyDraft` or a
:class:`CompanyDraft` to :class:`RenderedFile` objects) and one :func:`register` call.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol, cast

from generator.errors import choice_problem, user_error

if TYPE_CHECKING:
    from generator.document import PolicyDocument
    from generator.facts.company import Company, Document
    from generator.render.html import HtmlPolicy
    from generator.render.markdown import MarkdownPolicy

POLICY_STEM = "privacy-policy"
"""The file name, without suffix, of a policy in every per-language format."""


@dataclass(frozen=True)
class RenderedFile:
    """One file a renderer made, named relative to its kind's folder."""

    name: str
    """``privacy-policy.md``, or a path below the folder such as ``clauses/newsletter.md``."""
    format: str
    """Its label in the manifest (``html`` and ``html-fragment`` are both of kind ``html``)."""
    content: bytes


class SlowFile(Protocol):
    """What an :attr:`OutputKind.own_task` kind's renderer returns: the file, still to be made.

    Everything its making needs is prepared in the build's process, so it crosses to a worker
    light (a page and a date, not the company's facts) and the worker loads only the library
    that makes the file.
    """

    def make(self) -> RenderedFile: ...


@dataclass(frozen=True)
class PrintPage:
    """A PDF to lay out: its print page, the day it is dated and the one file outside the assets it shows."""

    name: str
    html: str
    day: datetime.date
    logo: Path | None = None

    def make(self) -> RenderedFile:
        from generator.render.pdf import render_pdf

        return RenderedFile(self.name, "pdf", render_pdf(self.html, self.day, logo=self.logo))


class PolicyDraft:
    """One language of one version of a policy, with its renderings made once and shared.

    The HTML is made from the Markdown and the PDF from the print HTML, so the renderers of
    the kinds a build asks for share this object instead of rendering the Markdown three times.
    """

    def __init__(self, document: PolicyDocument, version: int) -> None:
        self.document = document
        self.version = version
        """The version this text is, or would be when published: the PDF's title block shows it."""

    @property
    def language(self) -> str:
        return self.document.language

    @cached_property
    def markdown(self) -> MarkdownPolicy:
        from generator.render.markdown import render_markdown

        return render_markdown(self.document)

    @cached_property
    def html(self) -> HtmlPolicy:
        from generator.render.html import render_html

        return render_html(self.document, self.markdown)

    @cached_property
    def print_html(self) -> str:
        from generator.render.html import render_print_page

        logo = self.document.company.document.logo_file
        # The fragment is the print page's article too: reused when the HTML was made already.
        made = self.__dict__.get("html")
        fragment = made.fragment if made is not None else None
        return render_print_page(self.document, self.markdown, self.version, logo.as_uri() if logo else None, fragment)


@dataclass(frozen=True)
class CompanyDraft:
    """Every language of one version of a company's policy, for the per-company kinds."""

    slug: str
    version: int
    date: datetime.date
    policies: tuple[PolicyDraft, ...]

    @property
    def facts(self) -> Company:
        """The company's facts, the same in every language's policy."""
        return self.policies[0].document.company


@dataclass(frozen=True)
class OutputKind:
    """One kind of output: its ``--format`` name, where its files go, and what makes them."""

    name: str
    """Its name on the command line and in the manifest's ``kind``."""
    per_language: bool
    """One set of files per language (``<slug>/<lang>/``) or one per company (``<slug>/``)."""
    files: str
    """How its files are named, for ``--help`` and the README."""
    description: str
    renderer: str
    """``"module:function"``: from a :class:`PolicyDraft` (per language) or a
    :class:`CompanyDraft` (per company) to a list of :class:`RenderedFile`, or of
    :class:`SlowFile` for an :attr:`own_task` kind."""
    default: bool = True
    """Made by a build that names no ``--format``."""
    archived: bool = True
    """Made for earlier versions in ``<slug>/archive/v<N>/`` too (reports are not)."""
    shared_setup: str | None = None
    """``"module:function"`` making what every rendering of this kind reuses (fonts, parsed
    stylesheets), called by each of the build's workers as it starts, while the work is prepared."""
    own_task: bool = False
    """Slow to make (a PDF's layout takes seconds, the other kinds milliseconds): each of its
    files is one task of the build's workers, shared out longest first, instead of being made
    with the rest of its company. Its renderer returns :class:`SlowFile` objects, made by
    the workers."""

    def warm_up(self) -> None:
        if self.shared_setup is not None:
            _resolve(self.shared_setup)()

    facts_switch: str | None = None
    """A yes/no key of the facts' ``document`` that adds this kind to a build naming no
    ``--format``, for that company alone (``bilingual_pdf``)."""
    of_every_language: bool = True
    """For a per-company kind: made of every language the company publishes, whatever ``--lang``
    (the record's sheets, the banner's translations), or of the build's languages alone (the
    bilingual PDF, whose file names its two languages)."""
    languages_needed: int = 1
    """How many of the company's languages one file of this kind is made of (the bilingual PDF:
    two). A build covering fewer makes none of it, and the command line says so."""

    def render(self, company: CompanyDraft, languages: Sequence[str]) -> list[tuple[str, RenderedFile]]:
        """This kind's files of one version, each with its language (empty for per-company files)."""
        return [
            (language, cast(SlowFile, file).make() if self.own_task else cast(RenderedFile, file))
            for language, file in self.prepare(company, languages)
        ]

    def prepare(self, company: CompanyDraft, languages: Sequence[str]) -> list[tuple[str, RenderedFile | SlowFile]]:
        """What the renderer returns for one version: the files, or for an own-task kind the files to make."""
        make = _resolve(self.renderer)
        if not self.per_language:
            if not self.of_every_language:
                built = tuple(policy for policy in company.policies if policy.language in languages)
                company = replace(company, policies=built)
            if len(company.policies) < self.languages_needed:
                return []
            return [("", file) for file in cast(Callable[[CompanyDraft], list[RenderedFile]], make)(company)]
        make_one = cast(Callable[[PolicyDraft], list[RenderedFile]], make)
        return [
            (policy.language, file)
            for policy in company.policies
            if policy.language in languages
            for file in make_one(policy)
        ]


def _resolve(name: str) -> Callable[..., object]:
    module, _, function = name.partition(":")
    return cast(Callable[..., object], getattr(importlib.import_module(module), function))


OUTPUT_KINDS: dict[str, OutputKind] = {}
"""Every output kind, by name, in the order the README and ``--help`` list them."""


def register(kind: OutputKind) -> OutputKind:
    """Add an output kind; its name must be new."""
    if kind.name in OUTPUT_KINDS:
        raise ValueError(f"an output kind named {kind.name!r} is registered already")
    OUTPUT_KINDS[kind.name] = kind
    return kind


def default_kinds() -> tuple[str, ...]:
    """The kinds a build makes when no ``--format`` is given."""
    return tuple(name for name, kind in OUTPUT_KINDS.items() if kind.default)


def kinds_for_company(
    kinds: Sequence[OutputKind], document: Document, *, formats_chosen: bool
) -> tuple[OutputKind, ...]:
    """The kinds one company gets: those of the build, and without ``--format`` those its facts switch on."""
    switched_on = {
        name
        for name, kind in OUTPUT_KINDS.items()
        if not formats_chosen and kind.facts_switch is not None and getattr(document, kind.facts_switch)
    }
    return tuple(kind for name, kind in OUTPUT_KINDS.items() if kind in kinds or name in switched_on)


def kinds_named(names: Iterable[str] | str) -> tuple[OutputKind, ...]:
    """The registered kinds of these names, in registry order (one name may stand alone); an unknown
    name, or none, is an error, as ``--format`` has it."""
    wanted = {names} if isinstance(names, str) else set(names)
    problem = choice_problem("output kind", sorted(wanted), tuple(OUTPUT_KINDS))
    if problem:
        raise user_error("--format", problem)
    return tuple(kind for name, kind in OUTPUT_KINDS.items() if name in wanted)


def kinds_table() -> str:
    """The README's table of output kinds, made from the registry (``make readme``)."""
    rows = [
        "| `--format` | files | one per | default | archived | what |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for kind in OUTPUT_KINDS.values():
        folder = "`<slug>/<lang>/`" if kind.per_language else "`<slug>/`"
        rows.append(
            f"| `{kind.name}` | {folder} `{kind.files}` | {'language' if kind.per_language else 'company'} "
            f"| {'yes' if kind.default else 'no'} | {'yes' if kind.archived else 'no'} | {kind.description} |"
        )
    return "\n".join(rows) + "\n"


def render_version(
    company: CompanyDraft, kinds: Sequence[OutputKind], languages: Sequence[str], *, current: bool
) -> list[tuple[str, str, PurePosixPath, RenderedFile]]:
    """Every file of one version: (kind, language, path relative to the output folder, file).

    The layout: ``<slug>/[archive/v<N>/][<lang>/]<file name>``.
    """
    return [
        (kind.name, language, output_folder(company, language, current=current) / file.name, file)
        for kind in kinds
        if current or kind.archived
        for language, file in kind.render(company, languages)
    ]


def output_folder(company: CompanyDraft, language: str, *, current: bool) -> PurePosixPath:
    """The folder of one version's files of ``language`` (of the whole company if empty), below the output folder."""
    root = PurePosixPath(company.slug) if current else PurePosixPath(company.slug, "archive", f"v{company.version}")
    return root / language if language else root


register(
    OutputKind(
        "md",
        per_language=True,
        files=f"{POLICY_STEM}.md",
        description="CommonMark with GFM tables and YAML front matter",
        renderer="generator.render.markdown:markdown_files",
    )
)
register(
    OutputKind(
        "html",
        per_language=True,
        files=f"{POLICY_STEM}.html, {POLICY_STEM}.fragment.html",
        description="a standalone page and a body-only fragment",
        renderer="generator.render.html:html_files",
    )
)
register(
    OutputKind(
        "pdf",
        per_language=True,
        files=f"{POLICY_STEM}.pdf",
        description="A4 PDF/A-3a (archival and tagged) with embedded fonts, contents, bookmarks, title block",
        renderer="generator.render.html:pdf_pages",
        shared_setup="generator.render.pdf:print_styles",
        own_task=True,
    )
)
register(
    OutputKind(
        "compliance",
        per_language=False,
        files="compliance.md",
        description="the GDPR coverage report: each Art. 13/14 item and the section that states it",
        renderer="generator.compliance:compliance_files",
        archived=False,
    )
)
register(
    OutputKind(
        "consent",
        per_language=False,
        files="cookie-consent.json, cookie-consent.js",
        description="the consent banner's configuration for vanilla-cookieconsent v3, when the facts declare cookies",
        renderer="generator.render.consent:consent_files",
        archived=False,
    )
)
register(
    OutputKind(
        "docx",
        per_language=True,
        files=f"{POLICY_STEM}.docx",
        description="the policy for review in Word or LibreOffice: heading styles, Word tables, properties",
        renderer="generator.render.docx:docx_files",
    )
)
register(
    OutputKind(
        "ropa",
        per_language=False,
        files="ropa.xlsx, ropa.csv",
        description="the record of processing activities (Art. 30(1) GDPR), one row per purpose",
        renderer="generator.render.ropa:ropa_files",
        archived=False,
    )
)
register(
    OutputKind(
        "clauses",
        per_language=True,
        files="clauses/<purpose>.md, clauses/<purpose>.fragment.html",
        description="a short information clause for each purpose the facts collect through a form",
        renderer="generator.render.clauses:clause_files",
        archived=False,
    )
)
register(
    OutputKind(
        "pdf-bilingual",
        per_language=False,
        files=f"{POLICY_STEM}.<lang1>-<lang2>.pdf",
        description=(
            "one PDF with two languages side by side, section beside section; also made by default "
            "for a company whose facts set `document.bilingual_pdf: true`"
        ),
        renderer="generator.render.bilingual:bilingual_files",
        shared_setup="generator.render.pdf:print_styles",
        own_task=True,
        default=False,
        archived=False,
        facts_switch="bilingual_pdf",
        of_every_language=False,
        languages_needed=2,
    )
)
register(
    OutputKind(
        "summary",
        per_language=True,
        files="summary.fragment.html",
        description=(
            "the policy's first layer (“At a glance”: who, what and why, how long, recipients, rights) "
            "as an HTML fragment for a site's footer or a form, linking into the full policy"
        ),
        renderer="generator.render.summary:summary_files",
        archived=False,
    )
)
