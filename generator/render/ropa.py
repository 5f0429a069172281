"""The record of processing activities (Art. 30(1) GDPR), from the facts the policy states.

One row per purpose, in the columns of the register template the President of UODO
publishes: controller and DPO contacts, purpose and basis, categories of data subjects and
of data, recipients, transfers with their safeguards, retention and security measures. The
workbook has one sheet per published language; the CSV holds the first published language,
for tools that import a register. The wording comes from ``templates/records/ropa.md.j2``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from babel import Locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from generator.document import render_blocks, unescape
from generator.facts import Company
from generator.languages import Language
from generator.languages import language as language_row
from generator.outputs import CompanyDraft, RenderedFile
from generator.render.office import pinned_archive, policy_moment
from generator.templating import template_environment

COLUMNS = (
    "activity",
    "controller",
    "dpo",
    "purpose",
    "basis",
    "subjects",
    "data",
    "recipients",
    "transfers",
    "retention",
    "security",
)
"""The cells of a row after its number, in the register template's order."""

_WIDTHS = {"number": 6, "activity": 28, "basis": 34, "retention": 30}
_DEFAULT_WIDTH = 44


@dataclass(frozen=True)
class Register:
    """The record in one language: column headings and one row of plain text per purpose."""

    language: Language
    title: str
    headings: list[str]
    rows: list[list[str]]


def processing_register(company: Company, language: Language) -> Register:
    """The record of every purpose of the facts, in ``language``."""
    template = template_environment(language, company.document.register).get_template("records/ropa.md.j2")
    context = {"company": company}
    title, *headings = (
        unescape(text)
        for text in render_blocks(template, context, "title", "number_heading", *(f"{c}_heading" for c in COLUMNS))
    )
    rows = []
    for number, purpose in enumerate(company.purposes, start=1):
        recipients = company.recipients_of(purpose)
        cells = render_blocks(
            template,
            {
                **context,
                "item": purpose,
                "categories": [
                    category for category in company.data_categories if category.id in purpose.data_categories
                ],
                "recipients": recipients,
                "transfers": [
                    (recipient, ground) for recipient in recipients for ground in recipient.transfer_grounds()
                ],
            },
            *COLUMNS,
        )
        rows.append([str(number), *(_plain(cell) for cell in cells)])
    return Register(language, title, headings, rows)


def _plain(cell: str) -> str:
    """A cell's text: facts unescaped, one paragraph a line."""
    return "\n".join(line.strip() for line in unescape(cell).split("\n") if line.strip())


def ropa_files(company: CompanyDraft) -> list[RenderedFile]:
    """The ``ropa`` output kind: the record as a workbook (a sheet per language) and as CSV."""
    facts = company.facts
    registers = [processing_register(facts, policy.document.language) for policy in company.policies]
    return [
        RenderedFile("ropa.xlsx", "xlsx", _workbook(registers, facts.controller.legal_name, company)),
        RenderedFile("ropa.csv", "csv", _csv(registers[0])),
    ]


def _workbook(registers: list[Register], controller: str, company: CompanyDraft) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for record in registers:
        sheet = workbook.create_sheet(
            str(Locale.parse(language_row(record.language).locale).language_name).capitalize()
        )
        sheet.append(record.headings)
        for row in record.rows:
            sheet.append(row)
        for cells in sheet.iter_rows():
            for cell in cells:
                # Facts are text: a cell that starts with "=" must not become a formula.
                cell.data_type = "s"
        sheet.freeze_panes = "C2"
        for index, name in enumerate(("number", *COLUMNS), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(name, _DEFAULT_WIDTH)
        for row in sheet.iter_rows():
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if cell.row == 1:
                    cell.font = Font(bold=True)
        sheet.auto_filter.ref = sheet.dimensions
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToHeight = 0
    properties = workbook.properties
    properties.title = registers[0].title
    properties.creator = properties.lastModifiedBy = controller
    properties.version = str(company.version)
    properties.created = properties.modified = policy_moment(company.date)
    saved = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook stamps the clock into the properties.
    with zipfile.ZipFile(saved, "w") as archive:
        ExcelWriter(workbook, archive).save()
    return pinned_archive(saved.getvalue(), company.date)


def _csv(record: Register) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(record.headings)
    writer.writerows([[_not_a_formula(cell) for cell in row] for row in record.rows])
    # With a byte-order mark, so that Excel opens the Polish letters as UTF-8.
    return ("\ufeff" + text.getvalue()).encode()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _not_a_formula(text: str) -> str:
    """A CSV cell that a spreadsheet opens as text: a leading quote before what would start a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
