"""policygen: GDPR privacy policies in several languages from one YAML file of facts per company.

The library API, for site-generator plugins and scripts::

    from generator import build, load_company

    company = load_company("companies/acme.yaml")   # validated facts, or UserError
    written = build(["companies"], out_dir=Path("public/privacy"))

Both raise :class:`generator.errors.UserError`, whose ``messages`` are located problems.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.pipeline import build
    from generator.validation import load_company

__version__ = "0.1.0"
"""The package's version (pyproject.toml reads it from here): a constant, because looking it up in
the installed metadata costs every command a twentieth of a second of imports."""

__all__ = ["__version__", "build", "load_company"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so `policygen --help` does not load the rendering stack.
    if name == "build":
        from generator.pipeline import build

        return build
    if name == "load_company":
        from generator.validation import load_company

        return load_company
    raise AttributeError(name)
