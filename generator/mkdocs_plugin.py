"""policygen as a MkDocs plugin: ``plugins: [policygen]`` in mkdocs.yml.

The policies are built on every ``mkdocs build`` and ``mkdocs serve`` rebuild into a folder the
plugin owns (only companies whose facts changed are rendered again), and their Markdown and PDFs
join the site as if they were in the docs folder. The compliance report and the manifest stay in
that folder: they are for the people who keep the facts, not for visitors. Each policy page gets
its language in ``<html lang>``, hreflang links to its translations, and a line of links to its
translations and downloads that MkDocs itself resolves, so they work with any theme and with or
without directory URLs. MkDocs is imported only here; policygen itself does not need it.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import urljoin

from mkdocs.config import base
from mkdocs.config import config_options as options
from mkdocs.config.base import ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from generator.errors import UserError
from generator.languages import Language, language_codes
from generator.languages import language as language_row
from generator.outputs import POLICY_STEM
from generator.pipeline import build
from generator.project import facts_files
from generator.validation import validate_files

log = get_plugin_logger("policygen")

DOWNLOADS = ("pdf",)
"""Formats a policy page links to, as files beside it."""
NEEDED_EXTENSIONS = ("attr_list", "tables")
"""``{#id}`` heading anchors (the same in every language) and GFM tables."""
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_LANG_ATTRIBUTE = re.compile(r"""\s(?:xml:)?lang=(?:"[^"]*"|'[^']*'|[^\s>]*)""", re.IGNORECASE)


class SiteFolder(options.Type[str]):
    """A folder of the site, relative to its root, that stays inside it."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        folder = PurePosixPath(super().run_validation(value))
        if folder.is_absolute() or ".." in folder.parts or not folder.parts:
            raise ValidationError(f"'{value}' must be a folder inside the site, such as 'privacy'")
        return folder.as_posix()


class PolicygenConfig(base.Config):  # type: ignore[no-untyped-call]  # MkDocs leaves its hook untyped
    """The plugin's options in mkdocs.yml; paths are relative to mkdocs.yml."""

    facts = options.ListOfItems(options.FilesystemObject(exists=True), default=["companies"])
    """Facts files, or folders of them."""
    companies = options.ListOfItems(options.Type(str), default=[])
    """The companies (facts file names without .yaml) to publish; all of them when empty."""
    languages = options.ListOfItems(options.Choice(language_codes()), default=list(language_codes()))
    path = SiteFolder(default="privacy")
    """Where in the site the policies live: <path>/<company>/<language>/privacy-policy/."""
    formats = options.ListOfItems(options.Choice(DOWNLOADS), default=list(DOWNLOADS))
    """Downloads each policy page links to."""
    cache_dir = options.Dir(default=".cache/policygen")
    """The plugin's own build folder, kept between builds so unchanged policies are not rendered again."""


@dataclass(frozen=True)
class PolicyPage:
    """One policy page of the site and its siblings: translations and downloads."""

    language: Language
    translations: dict[Language, str]
    """Language -> source path of that translation's page, this page's language excluded."""
    downloads: dict[str, str]
    """Format -> source path of the file."""


def source_path(folder: str, company: str, language: Language, suffix: str) -> str:
    return f"{folder}/{company}/{language}/{POLICY_STEM}.{suffix}"


class PolicygenPlugin(BasePlugin[PolicygenConfig]):  # type: ignore[no-untyped-call]
    """Builds the policies into the site; see the module docstring."""

    def __init__(self) -> None:
        self.pages: dict[str, PolicyPage] = {}
        self.alternates: dict[str, str] = {}
        """Source path -> the hreflang links of that page's head."""

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Defined so that MkDocs keeps one plugin object through all the rebuilds of ``mkdocs serve``."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        docs = Path(config.docs_dir).resolve()
        cache = Path(self.config.cache_dir).resolve()
        if cache == docs or docs in cache.parents:
            raise PluginError(f"policygen: cache_dir {cache} must be outside docs_dir {docs}: it holds reports")
        for extension in NEEDED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        return config

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Callable[..., Any]
    ) -> LiveReloadServer:
        for path in self.config.facts:
            server.watch(path)
        return server

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        out_dir = Path(self.config.cache_dir)
        try:
            facts = self.selected_facts()
            if config.strict:
                # build() checks only the companies it renders; --strict fails on unchanged ones too.
                validate_files(facts, strict=True)
            result = build(
                facts,
                out_dir=out_dir,
                languages=self.config.languages,
                formats=("md", *self.config.formats),
                strict=config.strict,
            )
        except UserError as error:
            raise PluginError(f"policygen: the policies were not built:\n{error}") from error
        for warning in result.warnings:
            log.warning(str(warning))
        self.pages = {}
        for built in result.companies:
            self.add_company(files, config, out_dir, built.slug)
        return files

    def selected_facts(self) -> list[Path]:
        found = facts_files(Path(path) for path in self.config.facts)
        wanted = set(self.config.companies)
        unknown = wanted - {path.stem for path in found}
        if unknown:
            raise PluginError(f"policygen: no facts file for the companies {', '.join(sorted(unknown))}")
        return [path for path in found if not wanted or path.stem in wanted]

    def add_company(self, files: Files, config: MkDocsConfig, out_dir: Path, company: str) -> None:
        folder = self.config.path
        languages = [
            language
            for language in self.config.languages
            if (out_dir / company / language / f"{POLICY_STEM}.md").is_file()
        ]
        for language in languages:
            for suffix in ("md", *self.config.formats):
                source = source_path(folder, company, language, suffix)
                if files.get_file_from_path(source) is not None:
                    raise PluginError(
                        f"policygen: {os.path.join(config.docs_dir, source)} is in the docs folder, "
                        "where the plugin publishes its own; delete it (and any other policygen output there)"
                    )
                built = out_dir / company / language / f"{POLICY_STEM}.{suffix}"
                files.append(File.generated(config, source, abs_src_path=str(built)))
            self.pages[source_path(folder, company, language, "md")] = PolicyPage(
                language=language,
                translations={
                    other: source_path(folder, company, other, "md") for other in languages if other != language
                },
                downloads={suffix: source_path(folder, company, language, suffix) for suffix in self.config.formats},
            )

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        policy = self.pages.get(page.file.src_uri)
        if policy is None:
            return markdown
        self.alternates[page.file.src_uri] = "".join(
            f'<link rel="alternate" hreflang="{language}" href="{url_of(source, page, config, files)}">\n'
            for language, source in {policy.language: page.file.src_uri, **policy.translations}.items()
        )
        here = PurePosixPath(page.file.src_uri).parent
        links = [
            f'[{language_row(code).name}]({relative(here, source)}){{: hreflang="{code}" lang="{code}" }}'
            for code, source in policy.translations.items()
        ] + [
            f'[{suffix.upper()}]({relative(here, source)}){{: type="application/{suffix}" }}'
            for suffix, source in policy.downloads.items()
        ]
        if not links:
            return markdown
        # After the title, so that a theme that takes the first heading as the title still finds it.
        title, _, rest = markdown.partition("\n")
        return f"{title}\n\n{' · '.join(links)}\n{{: .policygen-links }}\n{rest}"

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        policy = self.pages.get(page.file.src_uri)
        if policy is None:
            return output
        output = _HTML_TAG.sub(lambda tag: with_lang(tag[0], policy.language), output, count=1)
        head_end = output.lower().find("</head>")
        if head_end < 0:
            return output
        return output[:head_end] + self.alternates[page.file.src_uri] + output[head_end:]


def url_of(source: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """The address of another page of the site: absolute with site_url, else relative to the page."""
    target = files.get_file_from_path(source)
    if target is None:
        raise PluginError(f"policygen: {source} is no longer among the site's files")
    if config.site_url:
        return urljoin(config.site_url, target.url)
    return get_relative_url(target.url, page.url)


def relative(folder: PurePosixPath, source: str) -> str:
    """A link from a page in folder to another file of the site, by their source paths, as MkDocs resolves them."""
    return posixpath.relpath(source, folder)


def with_lang(tag: str, language: Language) -> str:
    """The ``<html>`` tag with the policy's language in place of the site's."""
    stripped = _LANG_ATTRIBUTE.sub("", tag)
    return f'{stripped[:5]} lang="{language}"{stripped[5:]}'
