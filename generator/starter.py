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
    content = _naming_the_schema((TEMPLATES / "starter.yaml").read_bytes(), folder)
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


PROJECT_SCHEMA = Path("schema", "company.schema.json")
"""The facts' JSON Schema of a project, below the folder policygen runs in, which every starter's first line
(``# yaml-language-server: $schema=...``) names, relative to its own folder."""
_SCHEMA_LINE = b"# yaml-language-server: $schema="


def _naming_the_schema(starter: bytes, folder: Path) -> bytes:
    """The starter with a first line naming the project's schema from ``folder``, wherever that is, in place
    of the template's own (which names it from ``companies/``)."""
    if starter.startswith(_SCHEMA_LINE):
        starter = starter.partition(b"\n")[2]
    relative = Path(os.path.relpath(Path.cwd() / PROJECT_SCHEMA, folder.resolve())).as_posix()
    return _SCHEMA_LINE + relative.encode() + b"\n" + starter


def write_project_schema() -> Path | None:
    """Write the project's schema, which the starter's first line names, unless a file is there.

    Without it an editor completes and explains nothing in a project of one's own: the
    schema is committed in policygen's repository only. A schema already there is the
    project's (it may be committed, or newer): it is left as it is; ``policygen schema``
    prints the current one.
    """
    from generator.schema import facts_schema_text

    if PROJECT_SCHEMA.exists():
        return None
    try:
        PROJECT_SCHEMA.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(PROJECT_SCHEMA, facts_schema_text().encode())
    except OSError as error:
        raise user_error(str(PROJECT_SCHEMA), f"cannot write the editor's schema: {error.strerror}") from error
    return PROJECT_SCHEMA
