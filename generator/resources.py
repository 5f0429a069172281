"""Where policygen finds its own templates, catalogs and assets.

In a source checkout they are the top-level ``templates/`` and ``locales/`` folders that
users edit; an installed wheel carries copies of them under ``generator/_project/``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_PACKAGE = Path(__file__).resolve().parent


def project_folder(name: str) -> Path:
    """The folder ``name`` (``templates``, ``locales`` or ``schema``) of this installation."""
    bundled = _PACKAGE / "_project" / name
    return bundled if bundled.is_dir() else _PACKAGE.parent / name


TEMPLATES = project_folder("templates")
LOCALES = project_folder("locales")
ASSETS = TEMPLATES / "assets"
DATA = _PACKAGE / "data"
"""The package's own data files: the table of languages and the legal facts."""
FONT_CHARACTER_RANGES = (
    (0x0009, 0x000A),  # tab and line break, which a block of text may hold
    (0x0020, 0x007E),  # ASCII: English, digits, punctuation
    (0x00A0, 0x017F),  # NBSP, Latin-1 (German umlauts, ß, §, ©, «») and Latin Extended-A (Polish)
    (0x0218, 0x021B),  # Ș ș Ț ț: names of companies and people from neighbouring countries
    (0x02C6, 0x02DD),  # spacing accents
    (0x1E9E, 0x1E9E),  # capital ẞ
    (0x2000, 0x2064),  # spaces, dashes, typographic quotes (U+2018-U+201E), bullets, ellipsis, primes
    (0x2066, 0x206F),  # direction isolates and the other format characters after U+2065, which is unassigned
    (0x20AC, 0x20AC),  # €
    (0x2116, 0x2116),  # №
    (0x2122, 0x2122),  # ™
    (0xFEFF, 0xFEFF),  # zero-width no-break space, which text pasted from a word processor may hold
    (0xFFFD, 0xFFFD),  # replacement character
)
"""Every character a policy in Polish, English or German may contain: the shipped Noto Sans files
(``templates/assets/fonts``, ``make fonts``) hold these and no others, and validation refuses any
other in the facts, which the PDF could only set in a font of the machine that builds it."""

_PROJECT_CACHES: list[functools._lru_cache_wrapper[Any]] = []


def project_cache(function: Callable[..., T]) -> functools._lru_cache_wrapper[T]:
    """``functools.cache`` for what is read from the templates, catalogs or data files: each such
    cache is listed, so :func:`forget_project` empties them all and none is forgotten."""
    return bounded_project_cache(None)(function)


def bounded_project_cache(
    maxsize: int | None,
) -> Callable[[Callable[..., T]], functools._lru_cache_wrapper[T]]:
    """:func:`project_cache` keeping only the ``maxsize`` most recent results (all with ``None``)."""

    def decorate(function: Callable[..., T]) -> functools._lru_cache_wrapper[T]:
        cached = functools.lru_cache(maxsize=maxsize)(function)
        _PROJECT_CACHES.append(cached)
        return cached

    return decorate


def forget_project() -> None:
    """Read the templates, catalogs, stylesheets and data files anew on next use: a long-running
    ``watch`` or ``serve`` otherwise keeps what it read when it started."""
    for cached in _PROJECT_CACHES:
        cached.cache_clear()
