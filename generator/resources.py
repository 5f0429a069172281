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
