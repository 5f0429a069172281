"""Finding WeasyPrint's C libraries (Pango, HarfBuzz, fontconfig) without a compiler.

WeasyPrint opens each library by trying up to six names, one per platform's naming
(``libpango-1.0-0``, ``pango-1.0``, ``libpango-1.0.so.0``, ``libpango-1.0.dylib``...). For
every name the dynamic loader cannot open as it is, cffi asks
:func:`ctypes.util.find_library`, which on Linux runs ``ldconfig -p`` and then, when the
name is not in its listing, ``gcc`` and ``ld`` to search the linker's paths. Sixteen names
miss on a Debian system (the Windows and macOS ones, and ``harfbuzz-vector`` when HarfBuzz
predates it): a fifth of a second of subprocesses, paid by every build that makes a PDF
before its first page is laid out.

While WeasyPrint loads, :func:`libraries_from_loader_cache` answers those questions from one
reading of the loader's cache. The answer for a library in the cache is the one
``find_library`` gives first; a library outside it is still found, since WeasyPrint also
tries each library's Linux file name (``libpango-1.0.so.0``), which cffi hands to the
loader itself, and the loader also searches ``LD_LIBRARY_PATH``. The listing's ABI tags are
not compared: the answer is a file name, which the loader opens for this process's ABI or
refuses, as it would ``find_library``'s. Where there is no glibc cache to read (another C
library, another system), nothing is changed. The replacement holds for the whole process
while WeasyPrint loads, once: no other thread looks for a library then.
"""

from __future__ import annotations

import ctypes.util
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_LOADER_CACHE = ("/sbin/ldconfig", "-p")
_CACHED_NAME = re.compile(rb"^\s+(lib\S+)\s+\(", re.MULTILINE)
"""A library's file name at the start of a line of ``ldconfig -p``: ``\\tlibpango-1.0.so.0 (libc6,x86-64) => ...``."""


@contextmanager
def libraries_from_loader_cache() -> Iterator[None]:
    """Within the block, :func:`ctypes.util.find_library` looks only in the loader's cache, read once."""
    names = _cached_library_names() if sys.platform == "linux" else None
    if names is None:
        yield
        return

    def find_library(name: str) -> str | None:
        prefix = f"lib{name}."  # what ctypes matches: libpango-1.0. finds libpango-1.0.so.0
        return next((cached for cached in names if cached.startswith(prefix)), None)

    searching = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = searching


def _cached_library_names() -> list[str] | None:
    """The file names listed by the loader's cache, in its order; None when it cannot be read."""
    try:
        listing = subprocess.run(
            _LOADER_CACHE, capture_output=True, check=True, env={"LC_ALL": "C", "LANG": "C"}, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names = [name.decode("utf-8", "surrogateescape") for name in _CACHED_NAME.findall(listing)]
    return names or None  # not glibc's listing: nothing to answer from
