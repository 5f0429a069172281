"""`policygen serve` as a user meets it: a real server process on 127.0.0.1, driven over HTTP.

Pages side by side, a reload event after each save, located errors above the last good draft,
the PDF on demand, a port in use, a client that vanishes, Ctrl-C; and afterwards not one byte
of the facts, state files or outputs changed.
"""

from __future__ import annotations

import html
import http.client
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MINIMAL, fingerprint
from pypdf import PdfReader

from generator.resources import forget_project
from generator.serve import Drafts, Pages

PATIENCE = 60.0
"""Seconds the server may take to start (a cold import and the first drafts) or to follow a save."""

CONTACT_DETAILS = "name, e-mail address"
BAD_NIP = 'nip: "5252345676"'
BAD_NIP_MESSAGE = "companies/minimal.yaml:14:8: controller.nip: NIP checksum does not match; check the digits"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """A ``policygen serve`` process and an HTTP client for it."""

    def __init__(self, project: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--port", str(self.port)],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve ended with {self.process.returncode}: {self.process.communicate()[1]}")
            try:
                if self.get("/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail("serve did not answer")

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=PATIENCE)

    def get(self, path: str) -> tuple[int, bytes, str]:
        connection = self.connection()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read(), response.getheader("Content-Type", "")
        finally:
            connection.close()

    def page(self, path: str) -> str:
        status, body, kind = self.get(path)
        assert (status, kind) == (200, "text/html; charset=utf-8"), body[:500]
        return body.decode()

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C, as a terminal sends it; returns the exit code and what was printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        stdout, stderr = self.process.communicate(timeout=PATIENCE)
        return self.process.returncode, stdout, stderr


class Events:
    """The Server-Sent Events stream a page listens to."""

    def __init__(self, server: Server) -> None:
        self.connection = server.connection()
        self.connection.request("GET", "/events")
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")

    def next(self) -> tuple[str, str]:
        """The next event's name and data."""
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline().decode()
            assert line, "the event stream ended"
            if line == "\n":
                if fields:
                    return fields.get("event", "message"), fields.get("data", "")
                continue
            name, _, value = line.rstrip("\n").partition(": ")
            fields[name] = value

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def server(published: Path) -> Iterator[Server]:
    running = Server(published)
    try:
        running.wait_until_serving()
        yield running
    finally:
        running.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def sections(page: str, language: str) -> list[str]:
    """The section numbers and titles of one language's column, in order."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", title))
        for title in re.findall(rf'<section lang="{language}">\s*<h[23]>(.*?)</h[23]>', page)
    ]


def test_pages_side_by_side_each_language_and_the_index(server: Server) -> None:
    index = server.page("/")
    assert '<a href="/minimal/">Przykład</a>' in index
    assert '<span class="status status-valid">valid</span>' in index

    page = server.page("/minimal/")
    polish, english = sections(page, "pl"), sections(page, "en")
    assert len(polish) == len(english) > 10
    # The unnumbered summary is the first row; the numbered sections follow, number beside number.
    assert [title.split(" ")[0] for title in polish[1:]] == [title.split(" ")[0] for title in english[1:]]
    assert polish[:2] == ["W\u00a0skrócie", "1. Czego dotyczy ta polityka"]
    assert english[:2] == ["At a glance", "1. About this policy"]
    assert "Wersja robocza z" in page
    assert "Draft of" in page

    single = server.page("/minimal/en/")
    assert '<html lang="en">' in single
    assert '<p class="draft-banner" role="note">Draft of' in single
    assert 'new EventSource("/events")' in single
    assert server.page("/minimal/pl/privacy-policy.html").startswith('<!DOCTYPE html>\n<html lang="pl">')

    assert server.get("/nobody/")[0] == 404
    # No draft of that language: the 404 also covers a company broken from the start, whose page lists its errors.
    assert server.get("/minimal/de/")[:2] == (
        404,
        b"no such company or language, or no good draft of it yet: the company's page lists its errors",
    )


def test_the_pdf_on_demand_is_a_marked_draft(server: Server, tmp_path: Path) -> None:
    status, content, kind = server.get("/minimal/pl/privacy-policy.pdf")
    assert (status, kind) == (200, "application/pdf")
    pdf = tmp_path / "draft.pdf"
    pdf.write_bytes(content)
    text = "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    assert "WERSJA ROBOCZA Z" in text
    assert "Wersja robocza z" in text  # the footer of every page


def test_a_save_sends_a_reload_event_and_errors_show_located_above_the_last_good_draft(
    server: Server, published: Path
) -> None:
    facts = published / "companies" / "minimal.yaml"
    events = Events(server)
    try:
        name, first = events.next()
        assert name == "reload"

        edit(facts, CONTACT_DETAILS, "name, e-mail address, job title")
        name, second = events.next()
        assert (name, int(second)) == ("reload", int(first) + 1)
        assert "name, e-mail address, job title" in server.page("/minimal/")

        edit(facts, 'nip: "5252345675"', BAD_NIP)
        name, third = events.next()
        assert (name, int(third)) == ("reload", int(second) + 1)
    finally:
        events.close()

    page = server.page("/minimal/")
    problems, _, rest = page.partition('<div class="last-good">')
    assert f"<li>{BAD_NIP_MESSAGE}</li>" in problems
    assert "name, e-mail address, job title" in rest
    assert "Wersja robocza z" in rest
    assert '<span class="status status-errors">errors: 1</span>' in server.page("/")
    single = server.page("/minimal/pl/")
    assert f"<li>{BAD_NIP_MESSAGE}</li>" in single
    assert "main { opacity: 0.5;" in single


def test_nothing_is_written_and_a_vanished_client_or_ctrl_c_stop_nothing_else(published: Path) -> None:
    before = fingerprint(published)
    server = Server(published)
    try:
        server.wait_until_serving()
    except BaseException:
        server.stop()
        raise
    facts = published / "companies" / "minimal.yaml"

    vanishing = Events(server)
    vanishing.next()
    vanishing.response.close()
    vanishing.close()
    listening = Events(server)
    listening.next()
    edit(facts, CONTACT_DETAILS, "name, e-mail address, job title")
    listening.next()
    assert "job title" in server.page("/minimal/")
    edit(facts, "name, e-mail address, job title", CONTACT_DETAILS)
    listening.next()

    code, stdout, stderr = server.stop()  # with an event stream still open
    listening.close()
    assert code == 130
    assert stdout == f"serving drafts of companies at http://127.0.0.1:{server.port}/\n"
    assert stderr == "stopped serving\n"
    assert fingerprint(published) == before


def test_a_port_in_use_is_a_message(server: Server, published: Path) -> None:
    second = Server(published, port=server.port)
    code, stderr = second.process.wait(timeout=PATIENCE), second.process.communicate()[1]
    assert code == 1
    assert stderr == f"--port: port {server.port} on 127.0.0.1 is in use; stop what uses it or choose another --port\n"


def test_new_renamed_and_removed_facts_files_follow_the_folder(tmp_path: Path) -> None:
    """The drafts behind the pages, in process: a refresh re-reads the folder as well as the files."""
    companies = tmp_path / "companies"
    companies.mkdir()
    first = companies / "alpha.yaml"
    shutil.copyfile(MINIMAL, first)
    drafts = Drafts([companies])
    drafts.refresh()
    assert sorted(drafts.companies) == ["alpha"]

    second = companies / "beta.yaml"
    shutil.copyfile(MINIMAL, second)
    drafts.refresh([second])
    assert sorted(drafts.companies) == ["alpha", "beta"]
    assert drafts.companies["beta"].status == "valid"

    first.unlink()
    second.unlink()
    drafts.refresh([first, second])
    assert drafts.companies == {}
    assert [str(problem) for problem in drafts.problems] == [f"{companies}: no facts files (*.yaml) found"]
    assert f"<li>{companies}: no facts files (*.yaml) found</li>" in Pages(drafts).index()


def test_a_broken_template_is_a_located_problem_and_not_the_end_of_the_preview(
    broken_template: Path, tmp_path: Path
) -> None:
    broken = broken_template.read_text(encoding="utf-8")
    broken_template.write_text(broken.replace("{% if %}", "", 1), encoding="utf-8")
    forget_project()
    (tmp_path / "facts").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "facts" / "minimal.yaml")
    drafts = Drafts([tmp_path / "facts"])
    drafts.refresh()
    broken_template.write_text(broken, encoding="utf-8")
    forget_project()
    drafts.refresh()
    company = drafts.companies["minimal"]
    assert [str(problem) for problem in company.problems] == [
        f"{broken_template}:3: Expected an expression, got 'end of statement block'"
    ]
    assert company.good is not None


def test_a_company_with_no_good_draft_says_so_and_names_no_greyed_draft(tmp_path: Path) -> None:
    # Facts broken from the first read on promised "the last good draft shown greyed below", where there was none.
    companies = tmp_path / "companies"
    companies.mkdir()
    shutil.copyfile(MINIMAL, companies / "alpha.yaml")
    drafts = Drafts([companies])
    drafts.refresh()
    edit(companies / "alpha.yaml", 'nip: "5252345675"', BAD_NIP)  # the good draft stays
    drafts.refresh([companies / "alpha.yaml"])
    fresh = Drafts([companies])  # a server started on the broken facts: no good draft
    fresh.refresh()
    page = Pages(fresh).company("alpha")
    assert page is not None
    heading = re.search(r'<h2 id="problems-title">(.*?)</h2>', page)
    assert heading is not None
    assert (
        html.unescape(heading[1]) == f"1 error stops the draft of {companies / 'alpha.yaml'}; it has no good draft yet"
    )
    page = Pages(drafts).company("alpha")
    assert page is not None
    assert "; the last good draft is shown greyed below</h2>" in page
