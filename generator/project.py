"""Where a project keeps its facts, templates and catalogs."""

from __future__ import annotations

import datetime
import errno
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from generator.errors import LocatedMessage, Location, UserError, user_error

FACTS_SUFFIXES = (".yaml", ".yml")
STATE_SUFFIX = ".state.json"
"""``companies/acme.state.json``: the state a build keeps beside ``companies/acme.yaml``."""


SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
SLUG_RULE = "use lowercase letters, digits and dashes, starting with a letter or digit, at most 63 characters"
"""What :data:`SLUG` accepts, as the messages that refuse a slug say it."""


def company_slug(facts_file: Path) -> str:
    """The company's slug, from its facts file name; it names the company's output folder."""
    slug = facts_file.stem
    if not SLUG.fullmatch(slug):
        raise user_error(str(facts_file), f"the file name '{slug}' cannot name an output folder: {SLUG_RULE}")
    return slug


STARTER_FOLDER = Path("companies")
"""Where the commands look for facts when given none, and where ``policygen new`` writes them."""


_START = "; `policygen new <company>` writes a starter facts file there"
"""What a project with no company yet is told, in the folder the commands read by default."""


def missing_facts_path(path: Path) -> UserError:
    """A facts file or folder named that is not there; in the default folder, how to start one."""
    return user_error(str(path), "no such file or folder" + (_START if _is_starter_folder(path) else ""))


def _is_starter_folder(path: Path) -> bool:
    return path.absolute() == STARTER_FOLDER.absolute()


def given_path(path: str | os.PathLike[str], argument: str, names: str) -> Path:
    """``path``, a setting of the library's API, as a path; refused when empty, which pathlib reads
    as the current folder (``Path("") == Path(".")``): a site generator's setting left empty built
    the current folder's YAML files, or wrote the policies into it. ``names`` is what it should name."""
    if not os.fspath(path):
        raise user_error(argument, f"an empty path names no {names}")
    return Path(path)


def facts_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into the facts files they hold, in a stable order, each file once; state files
    named among them are left out.

    Two files with one name (``acme.yaml`` and ``acme.yml``, or ``a/acme.yaml`` and
    ``b/acme.yaml``) are refused: the name is the company's slug, which names its output
    folder, so one would overwrite the other's policies on every build.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(child for child in path.iterdir() if child.suffix in FACTS_SUFFIXES and child.is_file())
            )
        elif path.name.endswith(STATE_SUFFIX):
            continue  # beside the facts, so in a shell pattern naming them: ``companies/*``
        elif path.is_file():
            if path.suffix not in FACTS_SUFFIXES:
                raise user_error(str(path), "not a facts file: facts files are named <company>.yaml or <company>.yml")
            found.append(path)
        elif path.exists():
            raise user_error(str(path), "not a regular file or folder")
        else:
            raise missing_facts_path(path)
    if not found:
        starting = any(_is_starter_folder(path) for path in paths)
        raise user_error(
            ", ".join(str(path) for path in paths), "no facts files (*.yaml) found" + (_START if starting else "")
        )
    # Every command refuses what `build` could not name an output folder after: a pre-commit hook that
    # validates the facts must not pass a file the build in CI then stops on.
    misnamed: list[LocatedMessage] = []
    for path in found:
        try:
            company_slug(path)
        except UserError as error:
            misnamed.extend(error.messages)
    if misnamed:
        raise UserError(misnamed)
    return _one_file_per_slug(found)


def read_kept_file(path: Path) -> bytes:
    """The bytes of a file policygen keeps in the user's folders: a state file, the manifest, a journal.

    Something else may stand in its place: a FIFO would block the read forever, a link to
    ``/dev/zero`` fill the memory. Only a regular file is read; anything else is an
    :class:`OSError` ("not a regular file") that the callers report as they report any other.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens without waiting for a writer
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return file.read()


def _one_file_per_slug(found: list[Path]) -> list[Path]:
    by_slug: dict[str, Path] = {}
    unique: list[Path] = []
    clashes: list[LocatedMessage] = []
    for path in found:
        # The slug is the file name without its suffix (company_slug).
        first = by_slug.setdefault(path.stem, path)
        if first is path:
            unique.append(path)
        elif first.resolve() != path.resolve():
            clashes.append(
                LocatedMessage(
                    Location(str(path)),
                    "",
                    f"has the same company name '{path.stem}' as {first}; the file name names the company's"
                    " output folder, so rename or remove one of them",
                )
            )
    if clashes:
        raise UserError(clashes)
    return unique


def today_for_build(given: datetime.date | None = None) -> datetime.date:
    """The build's "today": given explicitly, else from SOURCE_DATE_EPOCH, else the clock."""
    if given is not None:
        return given
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date()
        except (ValueError, OverflowError) as error:
            raise user_error("SOURCE_DATE_EPOCH", f"not a Unix timestamp: {epoch!r}") from error
    return datetime.datetime.now(tz=datetime.UTC).date()


def display_name(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative
