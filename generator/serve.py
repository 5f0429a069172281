"""``policygen serve``: drafts in a browser while the facts are edited, reloaded on every save.

Starlette answers the pages and uvicorn serves them; ``watchfiles`` watches the facts,
templates, catalogs and stylesheets. A change re-drafts what it affects (one company for its
facts file, every company for a template) in memory, then a Server-Sent Event tells the
open pages to reload. Nothing is written: no output, state file or version. A facts file
with errors shows them, located, above its last good draft; bad input never stops the server.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
import watchfiles
from anyio import to_thread
from jinja2 import TemplateError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from generator.drafts import Preview, draft_company
from generator.errors import LocatedMessage, Location, UserError, user_error
from generator.languages import language as language_row
from generator.outputs import POLICY_STEM, PolicyDraft
from generator.project import company_slug, display_name, facts_files, today_for_build
from generator.render.html import aligned_sections, page_environment, stylesheet
from generator.resources import forget_project
from generator.watch import Sources

SAVE_SETTLES_MS = 50
"""Changes arriving this close together are one save; short, so a page follows a save at once."""

STOP_CHECK_S = 0.25
"""How often an open event stream looks whether the server is stopping."""


@dataclass
class Company:
    """One facts file: its last good draft, and the problems of its current content if any."""

    path: Path
    good: Preview | None = None
    problems: tuple[LocatedMessage, ...] = ()
    pdfs: dict[str, bytes] = field(default_factory=dict)
    """PDFs of the last good draft, by language, made when first asked for."""

    @property
    def slug(self) -> str:
        return self.path.stem

    @property
    def findings(self) -> int:
        """How many errors, or else warnings, its facts file has."""
        return len(self.problems) or (len(self.good.warnings) if self.good else 0)

    @property
    def status(self) -> str:
        if self.problems:
            return "errors"
        return "warnings" if self.good and self.good.warnings else "valid"


class Drafts:
    """Every company's drafts, re-made when their files change; shared by the server's threads."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)
        self.companies: dict[str, Company] = {}
        self.problems: tuple[LocatedMessage, ...] = ()
        """Problems with the paths themselves (no facts files, a bad file name)."""
        self.generation = 0
        """Counts the refreshes; a page showing an older one reloads."""
        self.lock = threading.Lock()
        self.printing = threading.Lock()
        """One PDF at a time: WeasyPrint's font timestamps go through the environment."""

    def refresh(self, changed: Collection[Path] | None = None) -> None:
        """Re-draft the companies whose facts files changed (``None``: every company)."""
        with self.lock:
            today = today_for_build()
            try:
                files = facts_files(self.paths)
                slugs = {company_slug(path): path for path in files}
                self.problems = ()
            except UserError as error:
                slugs, self.problems = {}, error.messages
            for slug in set(self.companies) - set(slugs):
                del self.companies[slug]
            wanted = None if changed is None else {path.resolve() for path in changed}
            for slug, path in slugs.items():
                company = self.companies.get(slug)
                if company is not None and wanted is not None and path.resolve() not in wanted:
                    continue
                company = self.companies.setdefault(slug, Company(path))
                try:
                    company.good = draft_company(path, today)
                    company.problems = ()
                except UserError as error:
                    company.problems = error.messages
                except TemplateError as error:
                    company.problems = (_template_problem(error),)
                company.pdfs = {}
            self.generation += 1

    def pdf(self, slug: str, language: str) -> bytes | None:
        """The PDF of a company's draft in one language, made once per draft.

        WeasyPrint takes seconds, so it runs outside the lock: a save meanwhile is drafted
        at once, and the PDF of the draft it replaced is not kept.
        """
        from generator.render.pdf import render_pdf

        with self.lock:
            company = self.companies.get(slug)
            policy = _policy(company, language)
            if company is None or policy is None or company.problems:
                return None
            made = company.pdfs.get(language)
            draft = company.good
            print_page = policy.print_html
        if made is None:
            with self.printing:
                made = render_pdf(print_page, policy.document.last_updated)
            with self.lock:
                if company.good is draft:
                    company.pdfs[language] = made
        return made


def _template_problem(error: TemplateError) -> LocatedMessage:
    """A template being edited is often broken for a moment, like a facts file. A syntax error
    is already a located :class:`UserError` (:class:`generator.templating.PolicyEnvironment`);
    an error while rendering names no line."""
    return LocatedMessage(Location("templates"), "", f"template error: {error.message}")


def _policy(company: Company | None, language: str) -> PolicyDraft | None:
    if company is None or company.good is None:
        return None
    return next((policy for policy in company.good.company.policies if policy.language == language), None)


class Pages:
    """The HTML of the preview: the list of companies, one company side by side, one language."""

    def __init__(self, drafts: Drafts) -> None:
        self.drafts = drafts

    def _render(self, template: str, **context: Any) -> str:
        return (
            page_environment()
            .get_template(f"serve/{template}")
            .render(stylesheet=stylesheet("policy.css"), draft_stylesheet=stylesheet("draft.css"), **context)
        )

    def reloader(self) -> str:
        return self._render("reload.html.j2", generation=self.drafts.generation)

    def index(self) -> str:
        with self.drafts.lock:
            companies = sorted(self.drafts.companies.values(), key=lambda company: company.slug)
            return self._render(
                "index.html.j2",
                companies=companies,
                problems=self.drafts.problems,
                reloader=self.reloader(),
            )

    def company(self, slug: str) -> str | None:
        with self.drafts.lock:
            company = self.drafts.companies.get(slug)
            if company is None:
                return None
            good = company.good
            return self._render(
                "company.html.j2",
                company=company,
                source=display_name(company.path),
                problems=company.problems,
                shown=good is not None,
                name=good.name if good else slug,
                policies=[
                    {
                        "language": policy.language,
                        "language_name": language_row(policy.document.language).name,
                        "title": policy.markdown.title,
                        "label": policy.markdown.updated,
                    }
                    for policy in (good.company.policies if good else ())
                ],
                rows=aligned_sections(good.company.policies) if good else [],
                warnings=good.warnings if good else (),
                reloader=self.reloader(),
            )

    def language(self, slug: str, language: str) -> str | None:
        """The standalone page of one language, with the reloader and the company's problems."""
        with self.drafts.lock:
            company = self.drafts.companies.get(slug)
            policy = _policy(company, language)
            if company is None or policy is None:
                return None
            page = policy.html.page
            added = self._render(
                "problems.html.j2",
                problems=company.problems,
                source=display_name(company.path),
                shown=True,
                grey_main=True,
            )
            head, body, rest = page.partition("<body>\n")
            closing, _, end = rest.rpartition("</body>")
            return f"{head}{body}{added}{closing}{self.reloader()}</body>{end}"


class Reloads:
    """The open pages' event streams; each hears the generation after every refresh."""

    def __init__(self) -> None:
        self.listeners: set[asyncio.Queue[int]] = set()

    def announce(self, generation: int) -> None:
        for queue in self.listeners:
            queue.put_nowait(generation)

    async def stream(self, generation: int, stopping: Callable[[], bool]) -> AsyncIterator[str]:
        """Server-Sent Events: the current generation at once, then each new one.

        A page that missed a refresh (it loaded while one ran) reloads on the first event.
        The stream ends when the server stops; a client that goes away ends it too, when
        Starlette cancels it.
        """
        queue: asyncio.Queue[int] = asyncio.Queue()
        self.listeners.add(queue)
        try:
            yield f"event: reload\ndata: {generation}\n\n"
            while not stopping():
                try:
                    latest = await asyncio.wait_for(queue.get(), STOP_CHECK_S)
                except TimeoutError:
                    continue
                yield f"event: reload\ndata: {latest}\n\n"
        finally:
            self.listeners.discard(queue)


def preview_app(paths: Sequence[Path], *, stopping: Callable[[], bool]) -> Starlette:
    """The preview server's application: pages, the PDF on demand, the reload events.

    The watcher starts before the first drafts are made, so no save is missed; requests
    wait for those first drafts.
    """
    sources = Sources(list(paths), ignore=())
    drafts = Drafts(paths)
    pages = Pages(drafts)
    reloads = Reloads()
    ready = asyncio.Event()

    async def follow_changes(stop: asyncio.Event) -> None:
        async for changes in watchfiles.awatch(
            *sources.roots, **sources.watcher_settings(settle_ms=SAVE_SETTLES_MS), stop_event=stop
        ):
            changed = [Path(path) for _change, path in changes]
            if ready.is_set() and not changed:
                continue
            everything = not ready.is_set() or any(sources.in_project(path) for path in changed)
            if everything:
                await to_thread.run_sync(forget_project)
            await to_thread.run_sync(drafts.refresh, None if everything else changed)
            ready.set()
            reloads.announce(drafts.generation)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        watcher = asyncio.create_task(follow_changes(stop))
        try:
            yield
        finally:
            stop.set()
            await watcher

    async def answer(make: Callable[[], str | None]) -> Response:
        await ready.wait()
        page = await to_thread.run_sync(make)
        if page is None:
            return PlainTextResponse(
                "no such company or language, or no good draft of it yet: the company's page lists its errors",
                status_code=404,
            )
        return HTMLResponse(page)

    async def index(_request: Request) -> Response:
        return await answer(pages.index)

    async def company(request: Request) -> Response:
        return await answer(lambda: pages.company(request.path_params["slug"]))

    async def language(request: Request) -> Response:
        return await answer(lambda: pages.language(request.path_params["slug"], request.path_params["language"]))

    async def pdf(request: Request) -> Response:
        await ready.wait()
        slug, language = request.path_params["slug"], request.path_params["language"]
        content = await to_thread.run_sync(drafts.pdf, slug, language)
        if content is None:
            return PlainTextResponse(
                "no PDF: no such company or language, or its facts file has errors", status_code=404
            )
        return Response(content, media_type="application/pdf")

    async def events(_request: Request) -> Response:
        await ready.wait()
        return StreamingResponse(
            reloads.stream(drafts.generation, stopping),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store"},
        )

    return Starlette(
        routes=[
            Route("/", index),
            Route("/events", events),
            Route("/{slug}/", company),
            Route("/{slug}/{language}/", language),
            Route(f"/{{slug}}/{{language}}/{POLICY_STEM}.html", language),
            Route(f"/{{slug}}/{{language}}/{POLICY_STEM}.pdf", pdf),
        ],
        lifespan=lifespan,
    )


def listening_socket(host: str, port: int) -> socket.socket:
    """Bind before serving, so that a port in use is a message and not a server that fails."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise user_error(
                "--port", f"port {port} on {host} is in use; stop what uses it or choose another --port"
            ) from error
        raise user_error("--host", f"cannot listen on {host} port {port}: {error.strerror or error}") from error


def serve(paths: Sequence[Path], *, host: str, port: int, on_start: Callable[[str], None]) -> None:
    """Serve the previews until Ctrl-C, which ends this with ``KeyboardInterrupt``."""
    server: uvicorn.Server

    def stopping() -> bool:
        return server.should_exit

    app = preview_app(paths, stopping=stopping)
    listener = listening_socket(host, port)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    on_start(f"serving drafts of {', '.join(map(str, paths))} at http://{shown}:{listener.getsockname()[1]}/")
    server.run(sockets=[listener])
