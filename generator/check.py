"""``policygen check``: is every state file and output current? For CI and pre-commit.

Fast by design: it hashes inputs and outputs and compares them with what the last build
recorded, without rendering anything. State files are always checked; outputs are
checked when the output folder has a manifest (a fresh clone usually has none).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from generator.errors import LocatedMessage, Location, UserError
from generator.loading import read_facts_bytes
from generator.project import facts_files
from generator.state import inputs_hash, load_state, state_path
from generator.validation import display_name
from generator.writing import MANIFEST, company_slug, read_manifest


def check(paths: Iterable[Path], out_dir: Path = Path("output")) -> int:
    """Raise :class:`UserError` naming every stale file; return how many companies are current."""
    files = facts_files(paths)
    manifest = read_manifest(out_dir)
    has_manifest = (out_dir / MANIFEST).exists()
    stale: list[LocatedMessage] = []
    for path in files:
        slug = company_slug(path)
        state = load_state(path)
        shown_state = display_name(state_path(path))
        if state is None:
            stale.append(_stale(shown_state, "missing: run `policygen build`"))
            continue
        current = state.inputs_hash == inputs_hash(read_facts_bytes(path, display_name(path)))
        if not current:
            stale.append(_stale(shown_state, f"out of date with {display_name(path)}, templates or catalogs"))
        if not has_manifest:
            continue
        entries = [entry for entry in manifest if entry.get("company") == slug]
        if not entries:
            stale.append(_stale(display_name(out_dir / slug), "not built"))
        for entry in entries:
            output = out_dir / str(entry["path"])
            if not output.is_file() or hashlib.sha256(output.read_bytes()).hexdigest() != entry.get("sha256"):
                stale.append(_stale(display_name(output), "missing or changed since the last build"))
            elif not current:
                stale.append(_stale(display_name(output), "out of date"))
    if stale:
        raise UserError(stale)
    return len(files)


def _stale(path: str, message: str) -> LocatedMessage:
    return LocatedMessage(Location(path), "", message)
