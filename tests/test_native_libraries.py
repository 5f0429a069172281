"""WeasyPrint's libraries are found from the loader's cache, without a compiler run per name it tries."""

from __future__ import annotations

import ctypes.util
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from generator import native_libraries
from generator.native_libraries import libraries_from_loader_cache

ROOT = Path(__file__).resolve().parent.parent

LISTING = """\
3 libs found in cache `/etc/ld.so.cache'
\tlibpangoft2-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpangoft2-1.0.so.0
\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpango-1.0.so.0
\tlibharfbuzz.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libharfbuzz.so.0
"""


def _executable(path: Path, script: str) -> Path:
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.skipif(sys.platform != "linux", reason="the loader cache is glibc's")
def test_names_are_answered_from_one_reading_of_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readings = tmp_path / "readings"
    ldconfig = _executable(tmp_path / "ldconfig", f"echo read >> {readings}\ncat <<'END'\n{LISTING}END\n")
    monkeypatch.setattr(native_libraries, "_LOADER_CACHE", (str(ldconfig), "-p"))
    searching = ctypes.util.find_library
    with libraries_from_loader_cache():
        found = {
            name: ctypes.util.find_library(name) for name in ("pango-1.0", "harfbuzz", "libpango-1.0-0", "gobject-2.0")
        }
    assert found == {
        "pango-1.0": "libpango-1.0.so.0",
        "harfbuzz": "libharfbuzz.so.0",
        "libpango-1.0-0": None,
        "gobject-2.0": None,
    }
    assert readings.read_text() == "read\n"
    assert ctypes.util.find_library is searching


def test_without_a_cache_to_read_lookups_are_left_as_they_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native_libraries, "_LOADER_CACHE", (str(tmp_path / "no-ldconfig"), "-p"))
    searching = ctypes.util.find_library
    with libraries_from_loader_cache():
        assert ctypes.util.find_library is searching
    assert ctypes.util.find_library is searching


@pytest.mark.skipif(sys.platform != "linux", reason="the loader cache is glibc's")
def test_a_listing_that_is_not_glibcs_leaves_lookups_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ldconfig = _executable(tmp_path / "ldconfig", "echo 'ldconfig: unrecognized option -p'\n")
    monkeypatch.setattr(native_libraries, "_LOADER_CACHE", (str(ldconfig), "-p"))
    searching = ctypes.util.find_library
    with libraries_from_loader_cache():
        assert ctypes.util.find_library is searching


@pytest.mark.skipif(sys.platform != "linux", reason="ctypes runs gcc and ld on Linux only")
def test_loading_the_pdf_renderer_runs_no_compiler(tmp_path: Path) -> None:
    """gcc and ld on the PATH record each run; WeasyPrint must still load and render."""
    runs = tmp_path / "runs"
    for tool in ("gcc", "cc", "ld"):
        _executable(tmp_path / tool, f'echo "{tool} $*" >> {runs}\nexit 1\n')
    probe = (
        "import datetime\n"
        "from generator.render.pdf import render_pdf\n"
        "pdf = render_pdf('<p>Polityka</p>', datetime.date(2026, 11, 23))\n"
        "assert pdf.startswith(b'%PDF-'), pdf[:8]\n"
    )
    environment = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=environment, check=True, timeout=120)
    assert not runs.exists(), runs.read_text()
