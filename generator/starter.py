"""A new company's facts file, started from ``templates/starter.yaml`` by ``policygen new``, and
the JSON Schema its first line names for the editor.

The starter's placeholders are values that fail validation, so a half-filled file can
never become a published policy that says "TODO": ``policygen validate`` points at each
placeholder still left.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.errors import user_error
from generator.project import SLUG, SLUG_RULE
from generator.resources import TEMPLATES
from generator.writing import write_atomically


def write_starter(slug: str, folder: Path) -> Path:
    """Start a company's facts where its mistakes will be reported, in ``folder/<slug>.yaml``.

    The slug is checked now rather than at the first build because it becomes a file name
    and an output folder, and must not reach outside ``folder``. An existing file holds
    someone's facts, so it is refused, never replaced: the name is claimed with an
    exclusive create before the content is moved into place, which closes the gap a
    separate existence check would leave.
    """
    target = folder / f"{slug}.yaml"
    if not SLUG.fullmatch(slug):
        raise user_error(
            str(target),
            f"'{slug}' cannot name a company: {SLUG_RULE} (it names the facts file and the output folder)",
        )
    content = (TEMPLATES / "starter.yaml").read_bytes()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise user_error(str(folder), f"cannot create the folder: {error.strerror}") from error
    try:
        target.open("xb").close()
    except FileExistsError:
        raise user_error(str(target), "already exists; choose another slug or edit that file") from None
    except OSError as error:
        raise user_error(str(target), f"cannot create the file: {error.strerror}") from error
    try:
        write_atomically(target, content)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


SCHEMA_FROM_FACTS = Path("..", "schema", "company.schema.json")
"""Where the starter's first line (``# yaml-language-server: $schema=...``) looks for the schema."""


def write_schema_for(facts_folder: Path) -> Path | None:
    """Write the facts' JSON Schema where the starter's first line names it, unless a file is there or
    that place is outside the project (``--folder /srv/facts`` would put it in ``/srv/schema``).

    Without it an editor completes and explains nothing in a project of one's own: the
    schema is committed in policygen's repository only. A schema already there is the
    project's (it may be committed, or newer): it is left as it is; ``policygen schema``
    prints the current one.
    """
    from generator.schema import facts_schema_text

    target = Path(os.path.normpath(facts_folder / SCHEMA_FROM_FACTS))
    if target.exists() or not target.resolve().is_relative_to(Path.cwd().resolve()):
        return None  # the project's own schema, or a place outside the project (the folder policygen runs in)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, facts_schema_text().encode())
    except OSError as error:
        raise user_error(str(target), f"cannot write the editor's schema: {error.strerror}") from error
    return target
