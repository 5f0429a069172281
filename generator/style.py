"""Style rules: the facts' own text read beside the catalog's, so a policy speaks with one voice.

The templates address the reader in the form the facts choose (``document.register``); a
purpose or a note written in another form („Twoje dane” in a formal policy, „Państwa” in one
that says „Ty”, or „Użytkownik”, which speaks of the reader instead of to them) would sit in
the same paragraph. These are warnings: the text is the company's, and ``--strict`` fails on them.
The rules register themselves with :func:`generator.checks.rule` like the GDPR checks.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import Severity, company_texts, rule
from generator.facts import Company
from generator.languages import language
from generator.loading import DataPath
from generator.registers import quoted, register_words, speaks


@rule(
    "STYLE-REGISTER",
    "form of address",
    "document.register",
    "rephrase it in the policy's form of address",
    Severity.WARNING,
)
def _one_form_of_address(company: Company) -> Iterator[tuple[DataPath, str]]:
    register = company.document.register
    for path, text in company_texts(company):
        written_in = path[-1] if path else None
        if not isinstance(written_in, str) or written_in not in company.document.languages:
            continue
        if register not in language(written_in).registers:
            continue
        words = register_words(text, register)
        if words:
            yield (
                path,
                f"the text says {quoted(words)}, but this policy addresses the reader {speaks(register)} "
                f"(document.register: {register})",
            )
