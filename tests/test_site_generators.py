"""The site-generator examples, built with the real tools and visited in Chromium.

Each example is built once per session, as its README says, in a copy of the repository's
layout: MkDocs with the policygen plugin (mkdocs-material, and a plain theme), Hugo with the
policygen module, and the static publish script. Each site is served on 127.0.0.1 and every
link of its policy pages is followed (tests/browser/crawl.mjs): no 404, each page in its own
language, a language switch to the translation, the PDF, contents that land, and no report or
manifest published. Each example shows the company's consent banner, vanilla-cookieconsent from
its own node_modules, in the page's language, with a link to the site's policy page. Run with
POLICYGEN_EXAMPLE_SCREENSHOTS=1, the tests refresh examples/<name>/screenshot.png.
"""

from __future__ import annotations

import datetime
import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.error import URLError
from urllib.parse import urlsplit

import pytest
from conftest import BUILD_DAY, MINIMAL, ROOT, chromium_missing
from test_browser import chromium
from test_browser import missing as browser_missing

from generator.pipeline import build
from generator.scan import AS_A_VISITOR_SCRIPT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Route

EXAMPLES = ROOT / "examples"
CRAWL = ROOT / "tests" / "browser" / "crawl.mjs"
RULES = ROOT / "tests" / "fixtures" / "rules"
INVALID = ROOT / "tests" / "fixtures" / "invalid"
# What the examples reach outside their own folder, copied to the same places.
REPOSITORY_PARTS = ("examples", "integrations/hugo", "templates/assets/policy.css", "companies/optingo.yaml")
BUILD_EPOCH = str(int(datetime.datetime.combine(BUILD_DAY, datetime.time(), tzinfo=datetime.UTC).timestamp()))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NO_HUGO = "Hugo is not installed (Debian: apt-get install hugo; `make site-deps` does it)"
WITH_NPM_PACKAGES = ("mkdocs", "hugo", "static")
"""The examples that show the consent banner, with vanilla-cookieconsent from their node_modules."""
PUBLISHED_NEVER = {"compliance.md", "compliance.html", "compliance", "manifest.json"}
PLAIN_MKDOCS = """site_name: Optingo
theme:
  name: mkdocs
  highlightjs: false
plugins:
  - search
  - policygen:
      facts: [../companies/optingo.yaml]
      formats: []
"""

Crawled = dict[str, Any]


@dataclass(frozen=True)
class Site:
    """A built example and where its policy pages are."""

    name: str
    folder: Path
    pages: dict[str, str]
    """Language -> the page's path on the site."""
    links_pdf: bool


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=600, check=False)


def mkdocs_build(config: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "mkdocs", "build", *options, "-f", str(config)], config.parent)


@pytest.fixture(scope="session")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The parts of the repository the examples use, in their places, without state files or outputs."""
    root = tmp_path_factory.mktemp("checkout")
    for part in REPOSITORY_PARTS:
        source, target = ROOT / part, root / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("site", "public", ".cache", "*.png"))
        else:
            shutil.copyfile(source, target)
    return root


@pytest.fixture(scope="session")
def policies(checkout: Path) -> Path:
    """`policygen build` as the Hugo and static READMEs run it: output/ beside examples/."""
    build([checkout / "companies" / "optingo.yaml"], out_dir=checkout / "output", today=BUILD_DAY)
    return checkout / "output"


def built_mkdocs(checkout: Path) -> Site:
    config = checkout / "examples" / "mkdocs" / "mkdocs.yml"
    completed = mkdocs_build(config, "--strict")
    assert completed.returncode == 0, completed.stderr
    pages = {language: f"/privacy/optingo/{language}/privacy-policy/" for language in ("pl", "en")}
    return Site("mkdocs", config.parent / "site", pages, links_pdf=True)


def built_plain_mkdocs(checkout: Path) -> Site:
    folder = checkout / "plain"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text("# Optingo\n", encoding="utf-8")
    (folder / "mkdocs.yml").write_text(PLAIN_MKDOCS, encoding="utf-8")
    completed = mkdocs_build(folder / "mkdocs.yml", "--strict")
    assert completed.returncode == 0, completed.stderr
    pages = {language: f"/privacy/optingo/{language}/privacy-policy/" for language in ("pl", "en")}
    return Site("mkdocs-plain", folder / "site", pages, links_pdf=False)


def built_hugo(checkout: Path, hugo: str) -> Site:
    source = checkout / "examples" / "hugo"
    completed = run([hugo, "--source", str(source), "--quiet"], checkout)
    assert completed.returncode == 0, completed.stderr
    pages = {"pl": "/privacy/polityka-prywatnosci/", "en": "/en/privacy/privacy-policy/"}
    return Site("hugo", source / "public", pages, links_pdf=True)


def built_static(checkout: Path, policies: Path) -> Site:
    spec = importlib.util.spec_from_file_location("publish", checkout / "examples" / "static" / "publish.py")
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    www = checkout / "www"
    script.publish(policies, www)
    pages = {language: f"/optingo/{language}/privacy-policy.html" for language in ("pl", "en")}
    return Site("static", www, pages, links_pdf=False)


def not_buildable(name: str) -> str | None:
    """Why that example cannot be built here, or None."""
    if name == "hugo" and shutil.which("hugo") is None:
        return NO_HUGO
    if name in WITH_NPM_PACKAGES and not (EXAMPLES / name / "node_modules" / "vanilla-cookieconsent").is_dir():
        return f"examples/{name}/node_modules is missing; run `npm ci --prefix examples/{name}` (make browser-deps)"
    return None


@pytest.fixture(scope="session")
def sites(checkout: Path, policies: Path) -> dict[str, Site]:
    builders: dict[str, Callable[[], Site]] = {
        "mkdocs": lambda: built_mkdocs(checkout),
        "mkdocs-plain": lambda: built_plain_mkdocs(checkout),
        "static": lambda: built_static(checkout, policies),
        "hugo": lambda: built_hugo(checkout, str(shutil.which("hugo"))),
    }
    return {name: builder() for name, builder in builders.items() if not_buildable(name) is None}


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """The folder as a web site on 127.0.0.1, as a static host serves it."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Requests are the crawl's business, not the test output's."""

    handler = functools.partial(Quiet, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


def crawl(site: Site, screenshot: Path) -> dict[str, Crawled]:
    node = shutil.which("node")
    assert node is not None
    with served(site.folder) as base:
        completed = subprocess.run(
            [node, str(CRAWL), "--screenshot", str(screenshot), *(base + path for path in site.pages.values())],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env={**os.environ, "CHROMIUM": str(chromium())},
        )
    assert completed.returncode == 0, completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    return dict(zip(site.pages, results, strict=True))


@pytest.fixture(scope="session")
def visited(sites: dict[str, Site], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Crawled]]:
    """Site -> language -> what the browser found on that policy page."""
    if browser_missing() is not None:
        pytest.skip(str(browser_missing()))
    shots = tmp_path_factory.mktemp("screenshots")
    found = {name: crawl(site, shots / f"{name}.png") for name, site in sites.items()}
    for name in sites:
        data = (shots / f"{name}.png").read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 10_000, f"the screenshot of {name} is almost empty"
        if os.environ.get("POLICYGEN_EXAMPLE_SCREENSHOTS") == "1" and (EXAMPLES / name).is_dir():
            shutil.copyfile(shots / f"{name}.png", EXAMPLES / name / "screenshot.png")
    return found


SITES = ("mkdocs", "mkdocs-plain", "hugo", "static")
PAGES = [(site, language) for site in SITES for language in ("pl", "en")]


def built_site(sites: dict[str, Site], name: str) -> Site:
    if name not in sites:
        pytest.skip(str(not_buildable(name)))
    return sites[name]


def page_of(visited: dict[str, dict[str, Crawled]], site: str, language: str) -> Crawled:
    if site not in visited:
        pytest.skip(str(not_buildable(site)))
    return visited[site][language]


@pytest.mark.parametrize(("site", "language"), PAGES)
def test_the_policy_page_is_in_its_language(visited: dict[str, dict[str, Crawled]], site: str, language: str) -> None:
    page = page_of(visited, site, language)
    assert page["status"] == 200
    assert page["lang"] == language


@pytest.mark.parametrize(("site", "language"), PAGES)
def test_every_link_of_the_policy_page_resolves(
    visited: dict[str, dict[str, Crawled]], site: str, language: str
) -> None:
    page = page_of(visited, site, language)
    followed = [link for link in page["links"] if link["status"] is not None]
    broken = [link for link in followed if link["status"] != 200 or link["anchorFound"] is False]
    assert broken == []
    wrong_language = [link for link in followed if link["hreflang"] and link["lang"] != link["hreflang"]]
    assert wrong_language == []
    contents = [link for link in followed if link["href"].startswith("#") and link["anchorFound"]]
    assert len(contents) > 20, "the contents are missing"
    assert page["blockedRequests"] == []
    assert page["pageErrors"] == []


@pytest.mark.parametrize(("site", "language"), PAGES)
def test_the_language_switch_leads_to_the_translation(
    visited: dict[str, dict[str, Crawled]], sites: dict[str, Site], site: str, language: str
) -> None:
    page = page_of(visited, site, language)
    other = "en" if language == "pl" else "pl"
    switch = [link for link in page["links"] if link["hreflang"] == other]
    assert switch, "no link to the translation"
    assert {urlsplit(link["url"]).path for link in switch} == {sites[site].pages[other]}


@pytest.mark.parametrize(("site", "language"), PAGES)
def test_the_policy_page_links_its_pdf_where_asked(
    visited: dict[str, dict[str, Crawled]], sites: dict[str, Site], site: str, language: str
) -> None:
    page = page_of(visited, site, language)
    pdfs = [link for link in page["links"] if link["contentType"] == "application/pdf"]
    assert [link["status"] for link in pdfs] == ([200] if sites[site].links_pdf else [])


@pytest.mark.parametrize("site", SITES)
def test_no_report_or_manifest_is_published(sites: dict[str, Site], site: str) -> None:
    published = {path.name for path in built_site(sites, site).folder.rglob("*")}
    assert not published & PUBLISHED_NEVER


@pytest.mark.parametrize(
    ("site", "page", "head"),
    [
        (
            "mkdocs",
            "privacy/optingo/pl/privacy-policy/index.html",
            ['<link rel="alternate" hreflang="en" href="../../en/privacy-policy/">'],
        ),
        (
            "hugo",
            "privacy/polityka-prywatnosci/index.html",
            [
                '<link rel="alternate" hreflang="en" href="https://example.com/en/privacy/privacy-policy/">',
                f'<meta name="dcterms.modified" content="{BUILD_DAY.isoformat()}">',
            ],
        ),
    ],
)
def test_the_head_names_the_translations(sites: dict[str, Site], site: str, page: str, head: list[str]) -> None:
    text = (built_site(sites, site).folder / page).read_text(encoding="utf-8")
    for line in head:
        assert line in text.split("</head>")[0]


def test_mkdocs_nests_the_contents(sites: dict[str, Site]) -> None:
    page = (sites["mkdocs-plain"].folder / "privacy" / "optingo" / "en" / "privacy-policy" / "index.html").read_text()
    assert re.search(r'<a href="#purposes">6\. Why we process your data and on what legal basis</a>\s*<ul>', page)


def test_the_hugo_home_lists_the_policies_by_their_titles(sites: dict[str, Site]) -> None:
    home = (built_site(sites, "hugo").folder / "index.html").read_text()
    assert "Polityka prywatności \u2013 Optingo" in home
    assert "Privacies" not in home


def mkdocs_site_of(facts: Path, folder: Path) -> Path:
    """A plain MkDocs site publishing one facts file (as acme.yaml), without PDFs."""
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text("# Site\n", encoding="utf-8")
    shutil.copyfile(facts, folder / "acme.yaml")
    config = folder / "mkdocs.yml"
    config.write_text(PLAIN_MKDOCS.replace("../companies/optingo.yaml", "acme.yaml"), encoding="utf-8")
    return config


def test_mkdocs_stops_on_a_located_facts_error(tmp_path: Path) -> None:
    config = mkdocs_site_of(INVALID / "bad-email.yaml", tmp_path)
    completed = mkdocs_build(config)
    expected = (INVALID / "bad-email.expected").read_text(encoding="utf-8").strip()
    assert completed.returncode == 1
    assert expected.replace("tests/fixtures/invalid/bad-email", "acme") in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (tmp_path / "site").exists()


def test_mkdocs_strict_makes_gdpr_warnings_errors(tmp_path: Path) -> None:
    config = mkdocs_site_of(RULES / "cur-giodo.yaml", tmp_path)
    warning = "acme.yaml:73:9: security_measures[0].pl: warning: CUR-GIODO (currency)"
    lenient = mkdocs_build(config)
    assert lenient.returncode == 0, lenient.stderr
    assert warning in lenient.stderr
    # The policies are up to date now: --strict still finds the warnings.
    strict = mkdocs_build(config, "--strict")
    assert strict.returncode == 1
    assert warning in strict.stderr
    assert "Traceback" not in strict.stderr


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("path: ../outside", "'../outside' must be a folder inside the site, such as 'privacy'"),
        ("companies: [nobody]", "policygen: no facts file for the companies nobody"),
        ("cache_dir: docs/cache", "must be outside docs_dir"),
        ("languages: [fr]", "but received: 'fr'"),
        ("consent: true", "lacks cookieconsent.umd.js, cookieconsent.css; install vanilla-cookieconsent v3 with npm"),
    ],
)
def test_mkdocs_refuses_bad_plugin_options(tmp_path: Path, option: str, message: str) -> None:
    config = mkdocs_site_of(MINIMAL, tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + f"      {option}\n", encoding="utf-8")
    completed = mkdocs_build(config)
    assert completed.returncode == 1
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def page_once_it_shows(url: str, text: str, server: subprocess.Popen[str]) -> str:
    """The page at url as soon as it contains text; fails when the server stops or after a minute."""
    for _ in range(240):
        assert server.poll() is None, "mkdocs serve stopped"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                page = str(response.read().decode("utf-8"))
        except URLError:
            page = ""
        if text in page:
            return page
        time.sleep(0.25)
    raise AssertionError(f"{url} never showed {text!r}")


def test_mkdocs_serve_rebuilds_when_the_facts_change(tmp_path: Path) -> None:
    config = mkdocs_site_of(MINIMAL, tmp_path)
    facts = tmp_path / "acme.yaml"
    address = f"127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", address, "-f", str(config)]
    environment = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    with subprocess.Popen(
        command, cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
    ) as server:
        try:
            url = f"http://{address}/privacy/acme/en/privacy-policy/"
            page_once_it_shows(url, "Privacy policy of Przykład", server)
            facts.write_text(facts.read_text(encoding="utf-8").replace("brand_name: Przykład", "brand_name: Nowa"))
            page_once_it_shows(url, "Privacy policy of Nowa", server)
        finally:
            server.terminate()


BANNER_SITES = [(site, language) for site in WITH_NPM_PACKAGES for language in ("pl", "en")]
BANNER_TITLE = {"pl": "Używamy plików cookie", "en": "We use cookies"}
MARKETING = """<script type="text/plain" data-category="marketing">
document.cookie = "_fbp=fb.1.1; path=/; max-age=86400"; document.cookie = "_gcl_au=1.1.1; path=/; max-age=86400";
</script>
"""
"""What optingo's marketing cookies stand for: a script the banner holds back until they are accepted."""


@dataclass(frozen=True)
class Choice:
    """What a visitor did with the banner on a policy page, and what the browser kept."""

    title: str
    policy_link: str
    policy_link_status: int
    cookies: set[str]


def with_marketing_script(route: Route) -> None:
    response = route.fetch()
    page = response.text()
    route.fulfill(response=response, body=page.replace("</body>", MARKETING + "</body>", 1))


@pytest.fixture(scope="module")
def banner_choices(sites: dict[str, Site], browser: Browser) -> dict[tuple[str, str], dict[str, Choice]]:
    """(site, language) -> button ("necessary" or "all") -> the choice, on each example's policy pages."""
    found: dict[tuple[str, str], dict[str, Choice]] = {}
    for name in WITH_NPM_PACKAGES:
        if name not in sites:
            continue
        with served(sites[name].folder) as base:
            for language, path in sites[name].pages.items():
                found[name, language] = {
                    button: banner_choice(browser, base + path, button) for button in ("necessary", "all")
                }
    return found


def banner_choice(browser: Browser, url: str, button: str) -> Choice:
    context = browser.new_context()
    try:
        context.add_init_script(AS_A_VISITOR_SCRIPT)
        page = context.new_page()
        page.route(url, with_marketing_script)
        page.goto(url, wait_until="load")
        page.wait_for_selector("#cc-main .cm", state="visible", timeout=10_000)
        title = page.inner_text("#cc-main .cm__title")
        link = str(page.eval_on_selector("#cc-main .cm__footer a", "link => link.href"))
        status = context.request.get(link).status
        page.click(f"#cc-main .cm [data-role='{button}']")
        page.wait_for_timeout(200)
        cookies = {cookie.get("name", "") for cookie in context.cookies()}
        return Choice(title, urlsplit(link).path, status, cookies)
    finally:
        context.close()


def choice_on(
    banner_choices: dict[tuple[str, str], dict[str, Choice]], site: str, language: str, button: str
) -> Choice:
    if chromium_missing() is not None:
        pytest.skip(str(chromium_missing()))
    if (site, language) not in banner_choices:
        pytest.skip(str(not_buildable(site)))
    return banner_choices[site, language][button]


@pytest.mark.parametrize(("site", "language"), BANNER_SITES)
def test_the_banner_speaks_the_pages_language_and_links_its_policy(
    banner_choices: dict[tuple[str, str], dict[str, Choice]], sites: dict[str, Site], site: str, language: str
) -> None:
    choice = choice_on(banner_choices, site, language, "necessary")
    assert choice.title == BANNER_TITLE[language]
    assert (choice.policy_link, choice.policy_link_status) == (sites[site].pages[language], 200)


@pytest.mark.parametrize(("site", "language"), BANNER_SITES)
def test_reject_all_leaves_only_the_consent_cookie(
    banner_choices: dict[tuple[str, str], dict[str, Choice]], site: str, language: str
) -> None:
    assert choice_on(banner_choices, site, language, "necessary").cookies == {"cookie_consent"}
    assert choice_on(banner_choices, site, language, "all").cookies == {"cookie_consent", "_fbp", "_gcl_au"}


def test_a_site_without_consent_loads_no_banner(sites: dict[str, Site]) -> None:
    page = sites["mkdocs-plain"].folder / "privacy" / "optingo" / "en" / "privacy-policy" / "index.html"
    assert "cookieconsent" not in page.read_text(encoding="utf-8")
