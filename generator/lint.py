"""``policygen lint``: every GDPR finding of every file, errors and warnings, as text or JSON."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.errors import LocatedMessage, UserError
from generator.loading import read_facts_file
from generator.project import display_name, facts_files, today_for_build
from generator.validation import legal_facts_warnings, located_findings, validate_loaded


def lint(paths: Iterable[Path], *, strict: bool, as_json: bool) -> tuple[str, bool]:
    """The report, and whether it fails: any error, or with ``strict`` any warning."""
    rows: list[dict[str, Any]] = [
        report_row(message, "warning", "LEGAL-FACTS-STALE") for message in legal_facts_warnings(today_for_build())
    ]
    for path in facts_files(paths):
        try:
            loaded = read_facts_file(path, display_name(path), keep_going=True)
            company = validate_loaded(loaded)
        except UserError as error:
            rows.extend(report_row(message, "error", "SCHEMA") for message in error.messages)
            continue
        for finding, message in located_findings(loaded, company):
            row = report_row(message, finding.severity.value, finding.rule.id)
            row.update(article=finding.rule.article, fact=finding.rule.fact, hint=finding.rule.hint)
            rows.append(row)
    failing = {"error", "warning"} if strict else {"error"}
    failed = any(row["severity"] in failing for row in rows)
    if as_json:
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n", failed
    counts = Counter(row["severity"] for row in rows)
    summary = ", ".join(counted(counts[severity], severity) for severity in ("error", "warning"))
    if counts["note"]:
        summary += ", " + counted(counts["note"], "note on missing facts", "notes on missing facts")
    if strict and counts["warning"]:
        summary += "; --strict makes the warnings errors"
    return "".join(f"{row['text']}\n" for row in rows) + summary + "\n", failed


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 error``, ``2 errors``: the counts ``lint`` and ``scan`` end their reports with."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def report_row(message: LocatedMessage, severity: str, rule: str) -> dict[str, Any]:
    """One finding as a row of a JSON report (``lint`` and ``scan`` share the shape)."""
    return {
        "file": message.location.path,
        "line": message.location.line,
        "column": message.location.column,
        "field": message.field,
        "rule": rule,
        "severity": severity,
        "message": message.message,
        "text": str(message),
    }
