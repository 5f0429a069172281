"""Where policygen finds its own templates, catalogs and assets.

In a source checkout they are the top-level ``templates/`` and ``locales/`` folders that
users edit; an installed wheel carries copies of them under ``generator/_project/``.
"""

from __future__ import annotations

from pathlib import Path

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
