"""policygen as a MkDocs plugin: ``plugins: [policygen]`` in mkdocs.yml.

The policies are built on every ``mkdocs build`` and ``mkdocs serve`` rebuild into a folder the
plugin owns (only companies whose facts changed are rendered again), and their Markdown and PDFs
join the site as if they were in the docs folder. The compliance report and the manifest stay in
that folder: they are for the people who keep the facts, not for visitors. Each policy page gets
its language in ``<html lang>``, hreflang links to its translations, and a line of links to its
translations and downloads that MkDocs itself resolves, so they work with any theme and with or
without directory URLs. With ``consent: true`` every page of the site shows the company's consent
banner (vanilla-cookieconsent, from the site's own node_modules), its policy links leading to the
site's policy pages. MkDocs is imported only here; policygen itself does not need it.
"""

from __future__ import annotations

import json
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
from generator.render.consent import CONFIG_STEM, consent_module

log = get_plugin_logger("policygen")

DOWNLOADS = ("pdf",)
"""Formats a policy page links to, as files beside it."""
NEEDED_EXTENSIONS = ("attr_list", "tables")
"""``{#id}`` heading anchors (the same in every language) and GFM tables."""
CONSENT_LIBRARY = ("cookieconsent.umd.js", "cookieconsent.css")
"""The files of vanilla-cookieconsent's dist folder the banner loads."""
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
    consent = options.Type(bool, default=False)
    """Show the company's consent banner on every page (off by default: the site must provide the library)."""
    consent_library = options.Dir(default="node_modules/vanilla-cookieconsent/dist")
    """vanilla-cookieconsent v3's dist folder, published with the site (`npm install vanilla-cookieconsent`)."""


@dataclass(frozen=True)
class PolicyPage:
    """One policy page of the site and its siblings: translations and downloads."""

    company: str
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
        self.banner: list[File] = []
        """The consent banner's script, stylesheet and configuration, when the site shows it."""

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Defined so that MkDocs keeps one plugin object through all the rebuilds of ``mkdocs serve``."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        docs = Path(config.docs_dir).resolve()
        cache = Path(self.config.cache_dir).resolve()
        if cache == docs or docs in cache.parents:
            raise PluginError(f"policygen: cache_dir {cache} must be outside docs_dir {docs}: it holds reports")
        library = Path(self.config.consent_library)
        missing = [name for name in CONSENT_LIBRARY if not (library / name).is_file()] if self.config.consent else []
        if missing:
            raise PluginError(
                f"policygen: consent_library {library} lacks {', '.join(missing)}; "
                "install vanilla-cookieconsent v3 with npm beside mkdocs.yml"
            )
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
            result = build(
                facts,
                out_dir=out_dir,
                languages=self.config.languages,
                formats=("md", *self.config.formats, *(["consent"] if self.config.consent else [])),
                strict=config.strict,
            )
        except UserError as error:
            raise PluginError(f"policygen: the policies were not built:\n{error}") from error
        for warning in result.warnings:
            log.warning(str(warning))
        self.pages = {}
        for built in result.companies:
            self.add_company(files, config, out_dir, built.slug)
        self.banner = self.consent_banner(files, config, out_dir) if self.config.consent else []
        for file in self.banner:
            files.append(file)
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
                company=company,
                language=language,
                translations={
                    other: source_path(folder, company, other, "md") for other in languages if other != language
                },
                downloads={suffix: source_path(folder, company, language, suffix) for suffix in self.config.formats},
            )

    def consent_banner(self, files: Files, config: MkDocsConfig, out_dir: Path) -> list[File]:
        """The library and the company's configuration, its policy links pointing at this site's pages."""
        published = {policy.company for policy in self.pages.values()}
        companies = [company for company in sorted(published) if (out_dir / company / f"{CONFIG_STEM}.json").is_file()]
        if len(companies) != 1:
            raise PluginError(
                "policygen: consent: true needs exactly one published company with cookies, "
                f"found {len(companies)}; choose it with the companies option"
            )
        company = companies[0]
        library = Path(self.config.consent_library)
        banner = [
            File.generated(config, f"{self.config.path}/vendor/{name}", abs_src_path=str(library / name))
            for name in CONSENT_LIBRARY
        ]
        module = f"{self.config.path}/{company}/{CONFIG_STEM}.js"  # a script's address is its path
        pages = {
            policy.language: get_relative_url(site_file(source, files).url, module)
            for source, policy in self.pages.items()
            if policy.company == company
        }
        settings = json.loads((out_dir / company / f"{CONFIG_STEM}.json").read_text(encoding="utf-8"))
        return [*banner, File.generated(config, module, content=consent_module(company, settings, pages))]

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
        output = self.with_banner(output, page)
        policy = self.pages.get(page.file.src_uri)
        if policy is None:
            return output
        output = _HTML_TAG.sub(lambda tag: with_lang(tag[0], policy.language), output, count=1)
        head_end = output.lower().find("</head>")
        if head_end < 0:
            return output
        return output[:head_end] + self.alternates[page.file.src_uri] + output[head_end:]

    def with_banner(self, output: str, page: Page) -> str:
        """The page with the consent banner's tags at the end of its body, when the site shows it."""
        if not self.banner:
            return output
        script, stylesheet, module = (get_relative_url(file.url, page.url) for file in self.banner)
        module = module if module.startswith("../") else f"./{module}"  # an import needs ./ or ../
        tags = (
            f'<link rel="stylesheet" href="{stylesheet}">\n<script src="{script}"></script>\n'
            f'<script type="module">import config from "{module}"; window.CookieConsent.run(config);</script>\n'
        )
        body_end = output.lower().rfind("</body>")
        return output if body_end < 0 else output[:body_end] + tags + output[body_end:]


def url_of(source: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """The address of another page of the site: absolute with site_url, else relative to the page."""
    target = site_file(source, files)
    if config.site_url:
        return urljoin(config.site_url, target.url)
    return get_relative_url(target.url, page.url)


def site_file(source: str, files: Files) -> File:
    target = files.get_file_from_path(source)
    if target is None:
        raise PluginError(f"policygen: {source} is no longer among the site's files")
    return target


def relative(folder: PurePosixPath, source: str) -> str:
    """A link from a page in folder to another file of the site, by their source paths, as MkDocs resolves them."""
    return posixpath.relpath(source, folder)


def with_lang(tag: str, language: Language) -> str:
    """The ``<html>`` tag with the policy's language in place of the site's."""
    stripped = _LANG_ATTRIBUTE.sub("", tag)
    return f'{stripped[:5]} lang="{language}"{stripped[5:]}'
