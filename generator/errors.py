"""The one error hierarchy of policygen.

Every problem a user can cause (bad facts, a broken YAML file, a stale output) is a
:class:`UserError` carrying located messages, so the command line can print them as
``file:line:col: field.path: message`` and exit 1. Anything else that escapes is a bug
in policygen itself and is allowed to show its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A point in a user's file, 1-based like every editor shows it."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line == 0:
            return self.path
        if self.column == 0:  # a line without a known column, as in a template's syntax error
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class LocatedMessage:
    """One problem, pinned to where the user can fix it."""

    location: Location
    field: str
    message: str

    @classmethod
    def about_file(cls, path: str, message: str) -> LocatedMessage:
        """A problem of a whole file (a state file, the manifest, an output), with no line or field."""
        return cls(Location(path), "", message)

    def __str__(self) -> str:
        if self.field:
            return f"{self.location}: {self.field}: {self.message}"
        return f"{self.location}: {self.message}"


class PolicygenError(Exception):
    """Root of every error policygen raises on purpose."""


class UserError(PolicygenError):
    """A problem in the user's input or project, reported without a traceback."""

    def __init__(self, messages: Iterable[LocatedMessage]) -> None:
        # Once each: a full disk stopped every company's files with the same words.
        self.messages = tuple(sorted(set(messages)))
        super().__init__("\n".join(str(message) for message in self.messages))

    def __reduce__(self) -> tuple[type[UserError], tuple[tuple[LocatedMessage, ...]]]:
        # A worker process sends its error back pickled; rebuilt from the joined text alone,
        # the messages would become single characters.
        return (UserError, (self.messages,))


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that a build stops the way Ctrl-C stops it."""


class InterruptedAfterPublishing(BaseException):
    """Ctrl-C or SIGTERM that arrived while a build published: it waited for the publication
    to finish, so the new outputs are complete and no longer the earlier ones."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


def user_error(path: str, message: str, *, line: int = 0, column: int = 0, field: str = "") -> UserError:
    """A single-message :class:`UserError`, for the many places that find one problem."""
    return UserError([LocatedMessage(Location(path, line, column), field, message)])


def choice_problem(what: str, chosen: Collection[str], allowed: Sequence[str]) -> str | None:
    """Why a user's choice of ``what`` (a language, an output kind) is refused, or None: the same words
    from the command line and ``build()``. Each value not ``allowed`` is quoted, with the allowed one it
    is likely a slip for (``'PL' (did you mean 'pl'?)``)."""
    unknown = [value for value in chosen if value not in allowed]
    if chosen and not unknown:
        return None
    named = []
    for value in unknown:
        close = difflib.get_close_matches(value.lower(), allowed, n=1)
        named.append(f"'{value}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    problem = f"unknown {what} {', '.join(named)}" if unknown else f"no {what} named"
    return f"{problem}; choose from {', '.join(allowed)}"
