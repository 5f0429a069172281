"""How fast ``policygen serve`` follows a save: from writing a facts file to the refreshed page.

A real server on 127.0.0.1 serves the largest example (optingo); a client listens to its
reload events as a browser page does. Each round changes one fact, then times the write, the
reload event and the fetch of the side-by-side page until that page shows the change.
"""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "companies" / "optingo.yaml"
ROUNDS = 10
SETTLE_S = 0.5
"""Pause between saves, so that each is one change of its own and not a burst."""
ORIGINAL = "the Optingo newsletter"
START_TIMEOUT_S = 60.0


def save_to_refreshed_page() -> list[float]:
    """Seconds from each save to the refreshed HTML page, for :data:`ROUNDS` saves."""
    with tempfile.TemporaryDirectory(prefix="policygen-preview-") as temporary:
        project = Path(temporary)
        (project / "companies").mkdir()
        facts = project / "companies" / EXAMPLE.name
        shutil.copyfile(EXAMPLE, facts)
        shutil.copyfile(EXAMPLE.with_name("optingo.state.json"), project / "companies" / "optingo.state.json")
        text = facts.read_text(encoding="utf-8")
        if text.count(ORIGINAL) < 1:
            raise SystemExit(f"{EXAMPLE}: expected {ORIGINAL!r} in the facts")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--port", str(port)],
            cwd=project,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            events = _listen(port)
            latencies = []
            for round_number in range(1, ROUNDS + 1):
                marker = f"{ORIGINAL} {round_number}"
                time.sleep(SETTLE_S)
                started = time.perf_counter()
                facts.write_text(text.replace(ORIGINAL, marker, 1), encoding="utf-8")
                _next_event(events)
                page = _get(port, "/optingo/")
                latencies.append(time.perf_counter() - started)
                if marker not in page:
                    raise SystemExit("the page after the reload event does not show the change")
            events.close()
        finally:
            server.send_signal(signal.SIGINT)
            server.communicate(timeout=START_TIMEOUT_S)
    return latencies


def _listen(port: int) -> http.client.HTTPResponse:
    """The reload events, once the server answers and has sent the first one."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=START_TIMEOUT_S)
            connection.request("GET", "/events")
            response = connection.getresponse()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("policygen serve did not start") from None
            time.sleep(0.1)
    _next_event(response)
    return response


def _next_event(events: http.client.HTTPResponse) -> None:
    while (line := events.readline()) != b"\n":
        if not line:
            raise SystemExit("the event stream ended")


def _get(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=START_TIMEOUT_S)
    try:
        connection.request("GET", path)
        return connection.getresponse().read().decode()
    finally:
        connection.close()


def summary(latencies: list[float]) -> tuple[float, float]:
    """The median and the slowest round."""
    return statistics.median(latencies), max(latencies)
