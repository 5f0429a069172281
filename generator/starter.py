"""A new company's facts file, started from ``templates/starter.yaml`` by ``policygen new``.

The starter's placeholders are values that fail validation, so a half-filled file can
never become a published policy that says "TODO": ``policygen validate`` points at each
placeholder still left.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import user_error
from generator.resources import TEMPLATES
from generator.writing import SLUG, write_atomically


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
            f"'{slug}' cannot name a company: use lowercase letters, digits and dashes, "
            "starting with a letter or digit (it names the facts file and the output folder)",
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
