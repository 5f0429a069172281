"""``policygen check``: is every state file and output current? For CI and pre-commit.

Fast by design: it hashes inputs and outputs and compares them with what the last build
recorded, without rendering anything. State files are always checked; outputs are checked
when the output folder has a manifest (a fresh clone usually has none). Whether a company's
outputs are current is decided by :func:`generator.manifest.stale_outputs`, the function
``build`` uses, so ``check`` says "up to date" exactly when ``build`` would change nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from generator.errors import LocatedMessage, UserError
from generator.loading import read_facts_bytes
from generator.locks import check_output_folder, folder_locks
from generator.manifest import MANIFEST, Manifest, read_manifest, stale_outputs
from generator.outputs import default_kinds
from generator.project import company_slug, display_name, facts_files
from generator.publishing import JOURNAL
from generator.state import PolicyState, check_owner, inputs_hash, load_state, state_path
from generator.writing import STAGING


class CheckResult(NamedTuple):
    """What ``check`` found current."""

    companies: int
    outputs: bool
    """Whether their outputs were compared too: the output folder holds a build (its manifest)."""


def check(paths: Iterable[Path], out_dir: Path = Path("output")) -> CheckResult:
    """Raise :class:`UserError` naming every stale file; say how many companies are current, and whether
    their outputs were compared or their state files alone."""
    files = facts_files(paths)
    check_output_folder(out_dir)
    has_manifest = (out_dir / MANIFEST).exists()
    stale: list[LocatedMessage] = []
    # A build publishes its outputs and state files all at once: wait for one of the same
    # folder or facts rather than read half of it.
    with folder_locks(out_dir if out_dir.is_dir() else None, files, shared=True):
        if (out_dir / STAGING / JOURNAL).exists():
            stale.append(
                LocatedMessage.about_file(
                    str(out_dir / STAGING / JOURNAL), "a build was interrupted while publishing: run `policygen build`"
                )
            )
        manifest = read_manifest(out_dir)
        stale.extend(manifest.problems)
        for path in files:
            slug = company_slug(path)
            shown_state = display_name(state_path(path))
            try:
                state = load_state(path)
                if state is not None:
                    check_owner(shown_state, state, slug, None)
            except UserError as error:
                stale.extend(error.messages)
                continue
            if state is None:
                stale.append(LocatedMessage.about_file(shown_state, "missing: run `policygen build`"))
                continue
            current = state.inputs_hash == inputs_hash(read_facts_bytes(path, display_name(path)), path)
            if not current:
                stale.append(
                    LocatedMessage.about_file(
                        shown_state, f"out of date with {display_name(path)}, templates or catalogs"
                    )
                )
            if has_manifest:
                stale.extend(_stale_outputs(out_dir, manifest, slug, state, current=current))
    if stale:
        raise UserError(stale)
    return CheckResult(len(files), outputs=has_manifest)


def _stale_outputs(
    out_dir: Path, manifest: Manifest, slug: str, state: PolicyState, *, current: bool
) -> list[LocatedMessage]:
    """The outputs of one company that a build with the kinds and languages it last had would change."""
    record = manifest.companies.get(slug)
    kinds = record.kinds if record else default_kinds()
    languages = record.languages if record else state.published_languages
    found = [
        LocatedMessage.about_file(display_name(Path(path)), reason)
        for path, reason in stale_outputs(
            out_dir,
            manifest,
            slug,
            version=state.version,
            date=state.date,
            inputs=state.inputs_hash,
            kinds=kinds,
            languages=languages,
        )
    ]
    named = {message.location.path for message in found}  # a file missing is not out of date as well
    # With the facts changed every output is stale for that one reason: they are counted, not listed.
    outdated = 0
    for entry in manifest.of(slug):
        earlier_kind = entry.kind not in kinds or (entry.language and entry.language not in languages)
        shown = display_name(out_dir / entry.path)
        if entry.archived or shown in named:
            continue
        if not current:
            outdated += 1
        elif earlier_kind:
            found.append(LocatedMessage.about_file(shown, "out of date: run `policygen build`"))
    if outdated:
        others = "other " if found else ""
        counted = f"its {outdated} {others}outputs are" if outdated > 1 else f"its {others}output is"
        found.append(
            LocatedMessage.about_file(display_name(out_dir / slug), f"{counted} out of date: run `policygen build`")
        )
    return found
