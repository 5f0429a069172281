"""The publication state of each company's policy, kept in git next to its facts.

``companies/acme.state.json`` records the version and date of the policy's current text,
a hash of that text, a hash of every input of the last build, and each published
version's facts with its change notes. The date a policy shows moves only when its text
changes, and survives a fresh clone or a CI runner that builds ``output/`` from scratch.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, ValidationError, model_serializer

from generator import __version__
from generator.errors import UserError, user_error
from generator.facts import Company
from generator.facts.base import PUBLISHED_LANGUAGES, IsoDate
from generator.languages import default_languages, language_codes
from generator.loading import parse_facts
from generator.logo import LogoError, checked_logo
from generator.project import STATE_SUFFIX, read_kept_file
from generator.resources import DATA, LOCALES, TEMPLATES, bounded_project_cache, project_cache

STARTER = TEMPLATES / "starter.yaml"
"""The starter facts file of ``policygen new``: no policy is rendered from it."""
PREVIEW_TEMPLATES = TEMPLATES / "serve"
"""The pages of ``policygen serve`` around the drafts: no output is made from them."""


class ChangeNote(BaseModel):
    """One change of the facts between two versions, stored without language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    """What changed, e.g. ``recipient_added`` or ``retention_changed``."""
    subject: dict[str, str] = {}
    """The name of what changed, per language (``{"pl": ..., "en": ...}``)."""
    before: Any = None
    """The earlier value, for changes of a value."""
    after: Any = None
    """The new value."""
    material: bool = False
    """Whether readers must be told before the change takes effect."""
    languages: list[str] = []
    """The languages whose wording alone changed (a translation corrected), where the other languages'
    text and every value stayed as they were; empty for a change of every language. A reader of
    another language is not told of it: their text did not change."""

    @model_serializer(mode="wrap")
    def _stored(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Without ``languages`` when it is empty: a state file written before notes had it stays as it was."""
        stored: dict[str, Any] = handler(self)
        if not self.languages:
            stored.pop("languages", None)
        return stored

    def concerns(self, language: str) -> bool:
        """Whether the text of ``language`` is what changed (every language's, unless ``languages`` names some)."""
        return not self.languages or language in self.languages


class Version(BaseModel):
    """One published version of the policy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    date: IsoDate
    changes: list[ChangeNote] = []
    facts: dict[str, Any]
    """The facts of this version, as validated, so it can be rendered again and compared."""


class PolicyState(BaseModel):
    """The state file of one company."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    company: str | None = None
    """The slug of the company whose policy this is (absent in files of policygen 0.1)."""
    controller: str | None = None
    """Who the controller is (registry numbers, else the legal name): a state file copied
    from another company's folder must not publish that company's history as this one's."""
    version: int = Field(ge=1)
    date: IsoDate
    content_hash: str
    """SHA-256 of the policy's text in every language, without dates and history."""
    inputs_hash: str
    """SHA-256 of the facts file, templates, catalogs, assets and policygen's version."""
    project_hash: str
    """SHA-256 of the templates, catalogs, assets and policygen's version alone: while it
    stays the same, archived versions already rendered need not be rendered again."""
    history: list[Version]

    @property
    def current(self) -> Version:
        return self.history[-1]

    @property
    def published_languages(self) -> tuple[str, ...]:
        """The languages the current version is published in."""
        return self.languages_of(self.current)

    def languages_of(self, version: Version) -> tuple[str, ...]:
        """The languages a version was published in; the default set when its facts name none,
        or name something other than known language codes (a damaged file, which validating
        those facts then reports)."""
        document = version.facts.get("document")
        languages = document.get("languages") if isinstance(document, dict) else None
        if isinstance(languages, list) and languages and all(code in language_codes() for code in languages):
            return tuple(languages)
        return tuple(default_languages())

    def company_of(self, version: Version) -> Company:
        """The validated facts of a published version, to render it again."""
        return Company.model_validate(version.facts, context={PUBLISHED_LANGUAGES: self.languages_of(version)})


def state_path(facts_file: Path) -> Path:
    """``companies/acme.yaml`` keeps its state in ``companies/acme.state.json``."""
    return facts_file.with_name(facts_file.stem + STATE_SUFFIX)


def load_state(facts_file: Path) -> PolicyState | None:
    """The company's state, or ``None`` before its first build."""
    path = state_path(facts_file)
    try:
        raw = read_kept_file(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise user_error(str(path), f"cannot read the state file: {error.strerror}") from error
    try:
        return _checked_state(raw)
    except _DamagedStateError as damage:
        raise _damaged(path, str(damage)) from damage.__cause__


STATES_KEPT = 8
"""How many state files' checked contents a process keeps (:func:`_checked_state`)."""


@bounded_project_cache(STATES_KEPT)
def _checked_state(raw: bytes) -> PolicyState:
    """A state file's content, parsed, its history checked; kept for the next read of the same bytes.

    ``serve`` reads the state again at every save of the facts, and checking that every
    version's facts are still valid facts was half of each redraft; a build reads it more than once.
    """
    try:
        state = PolicyState.model_validate_json(raw)
    except ValidationError as error:
        count = error.error_count()
        problems = "1 problem" if count == 1 else f"{count} problems, the first"
        raise _DamagedStateError(f"{problems} at {_where(error)}") from error
    _check_history(state)
    return state


class _DamagedStateError(Exception):
    """What is wrong with a state file's content, named with the file's path by :func:`load_state`."""


def _where(error: ValidationError) -> str:
    first = error.errors()[0]
    return ".".join(str(part) for part in first["loc"]) + f": {first['msg']}"


def _damaged(path: Path, what: str) -> UserError:
    return user_error(
        str(path),
        f"the state file is damaged ({what}); restore it from git, or delete it to start a new version history",
    )


def _check_history(state: PolicyState) -> None:
    """The history must be one version after another, ending at the current one, each renderable."""
    numbers = [version.version for version in state.history]
    if not numbers or numbers != list(range(1, len(numbers) + 1)):
        raise _DamagedStateError(f"the history's versions are {numbers or 'none'}, not 1, 2, 3...")
    if state.version != numbers[-1] or state.date != state.current.date:
        raise _DamagedStateError(f"version {state.version} of {state.date} is not the last version of its history")
    for version in state.history:
        try:
            state.company_of(version)
        except (ValidationError, AttributeError, TypeError) as error:
            raise _DamagedStateError(f"the facts of version {version.version} are no longer valid facts") from error


def check_owner(path: str, state: PolicyState, slug: str, controller: str | None) -> None:
    """Refuse a state file that records another company's policy."""
    if state.company is not None and state.company != slug:
        raise user_error(
            path,
            f"this state file records the policy of '{state.company}', not of '{slug}' (copied from another "
            "company?); restore this company's own state file from git, or delete it to start a new history",
        )
    if controller is not None and state.controller is not None and state.controller != controller:
        raise user_error(
            path,
            f"this state file records the policy of the controller {state.controller}, but the facts name "
            f"{controller}; "
            "restore this company's own state file from git, or delete it to start a new history",
        )


def check_date_after_history(path: str, state: PolicyState, day: datetime.date) -> None:
    """Refuse a build or draft dated before the last published version, whose history would then run backwards."""
    if day < state.date:
        raise user_error(
            path,
            f"the build's date {day} is earlier than version {state.version} of {state.date}: "
            "a policy's history never goes back; check --today, SOURCE_DATE_EPOCH or the clock",
        )


def controller_identity(company: Company) -> str:
    """How a state file names its controller: by a registry number, which survives a change of
    name; by the legal name only where the controller has no number."""
    controller = company.controller
    for name, number in (("NIP", controller.nip), ("REGON", controller.regon), ("KRS", controller.krs)):
        if number:
            return f"{name} {number}"
    return controller.legal_name


def state_bytes(state: PolicyState) -> bytes:
    """The state file's content: stable key order and formatting, so git diffs stay readable."""
    return (json.dumps(state.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode()


def text_hash(texts: list[str]) -> str:
    """The hash that decides whether the policy's text changed."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()


@project_cache
def project_digest() -> str:
    """One hash of everything besides the facts that shapes the output.

    The data files count too: the table of languages (locales) and the legal facts (the
    supervisory authority's names, and the law that decides whether a build succeeds).
    """
    digest = hashlib.sha256(__version__.encode())
    for folder in (TEMPLATES, LOCALES, DATA):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path != STARTER and not path.is_relative_to(PREVIEW_TEMPLATES):
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_hash(facts_bytes: bytes, facts_file: Path) -> str:
    """The cache key of one company's outputs: what its facts say, the logo file they name, and the
    project's templates, catalogs and data (:func:`project_digest`).

    The facts count as parsed, in their order: a comment or a blank line added is no change, so it
    leaves the state file, the manifest and the outputs as they are, and ``check`` green. Facts that
    do not parse count as their bytes: their build stops on the parser's message.
    """
    digest = hashlib.sha256(project_digest().encode())
    try:
        facts = parse_facts(facts_bytes, str(facts_file)).data
    except UserError:
        digest.update(b"unparsed:" + facts_bytes)
        return digest.hexdigest()
    digest.update(json.dumps(facts, ensure_ascii=False, separators=(",", ":")).encode())
    digest.update(_logo_bytes(facts, facts_file))
    return digest.hexdigest()


def _logo_bytes(facts: Any, facts_file: Path) -> bytes:
    """The bytes of the logo the facts name (the PDF shows them), if validation accepts the file; else none,
    as the build then stops on validation's message."""
    document = facts.get("document") if isinstance(facts, dict) else None
    logo = document.get("logo") if isinstance(document, dict) else None
    if not isinstance(logo, str):
        return b""
    try:
        return checked_logo(logo, facts_file, Path.cwd()).read_bytes()
    except (LogoError, OSError):
        return b""


def first_version(date: datetime.date, facts: dict[str, Any]) -> Version:
    """The first version of a policy, dated ``date``: what its history holds once published."""
    return Version(version=1, date=date, facts=facts)


def next_state(
    previous: PolicyState | None,
    *,
    content_hash: str,
    inputs: str,
    facts: dict[str, Any],
    changes: list[ChangeNote],
    today: datetime.date,
    pinned_date: datetime.date | None,
    company: str,
    controller: str,
) -> PolicyState:
    """The state after a build: a new version only when the text changed."""
    if previous is not None and previous.content_hash == content_hash:
        date = pinned_date or previous.date
        history = previous.history
        if pinned_date is not None and pinned_date != previous.date:
            history = [*history[:-1], previous.current.model_copy(update={"date": pinned_date})]
        return previous.model_copy(
            update={
                "company": company,
                "controller": controller,
                "inputs_hash": inputs,
                "project_hash": project_digest(),
                "date": date,
                "history": history,
            }
        )
    date = pinned_date or today
    if previous is None:
        published = first_version(date, facts)
    else:
        published = Version(version=previous.version + 1, date=date, changes=changes, facts=facts)
    version = published.version
    return PolicyState(
        company=company,
        controller=controller,
        version=version,
        date=date,
        content_hash=content_hash,
        inputs_hash=inputs,
        project_hash=project_digest(),
        history=[*(previous.history if previous else []), published],
    )
