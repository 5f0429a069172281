"""The tables of the HTML: a label for every cell, stacked rows for wide tables, and the columns' widths.

One markup serves every layout: a table of :data:`WIDE_TABLE_COLUMNS` columns or more, and any
table on a phone, is shown as stacked rows whose cells show their column's name (``data-label``)
with CSS alone; the others keep their columns, each as wide as its text asks
(:func:`column_widths`). Widths and alignments are classes of policy.css, never inline styles,
which a site's Content Security Policy may refuse.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from math import ceil

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from generator.document import unescape

WIDE_TABLE_COLUMNS = 5
"""From this many columns a table is laid out as stacked rows on A4 and on a phone."""


TABLE_LINE_CHARACTERS = 100
"""About how many characters of a table's text fill a line of its full width (A4 at 8.5 pt; a screen page)."""

WIDTH_STEP = 2
"""The columns' widths go in steps of this many percent, each a class of policy.css (``th.w-24``): an inline
``style`` would be refused by a site whose Content Security Policy allows no inline styles. Two percent
is two characters of a line, finer than a reader sees, in 49 rules; five made the summary's last column
four characters narrower and pushed its last paragraph off page 1."""

_LINK_DESTINATION = re.compile(r"\]\(<[^>]*>\)|\]\([^)]*\)")


def column_widths(columns: Sequence[Sequence[str]], line: int = TABLE_LINE_CHARACTERS) -> list[int]:
    """The share of a table's width, in steps of :data:`WIDTH_STEP` percent, of each column but the last,
    which takes what is left: widths summing to 100 % would leave the cells' padding outside the table,
    past the margin.

    ``columns`` holds each column's cells, its header first. The tables are laid out with
    ``table-layout: fixed``, which halves WeasyPrint's layout but shares the width equally: a
    version history's changes then had a third of the page, and a row ran longer than a page.
    Estimated from the characters of the cells instead, about as an automatic layout would: a
    column whose longest cell fits in an equal share of the line is given all it needs, so a legal
    basis or a date is never wrapped; the others share the rest, each its longest unbreakable run
    (a no-break space binds, as in a date) and more in proportion to what its longest cell lacks.
    Each share is rounded to a step, and up to what the column cannot do without (at most an equal
    share); where that adds up to more than the line, the columns with the most to spare give a step
    back. Tables of :data:`WIDE_TABLE_COLUMNS` columns or more are stacked and get no widths.
    """
    narrow = line / len(columns)
    # A word longer than an equal share (a web address) is broken anyway (overflow-wrap).
    shortest = [min(max(len(word) for cell in cells for word in cell.split(" ")), narrow) or 1 for cells in columns]
    longest = [max(len(cell) for cell in cells) or 1 for cells in columns]
    wanted: list[float] = [float(most) for most in longest]
    if sum(longest) > line:
        wide = [index for index, most in enumerate(longest) if most > narrow]
        left = max(line - sum(longest) + sum(longest[index] - shortest[index] for index in wide), 0)
        lacking = sum(longest[index] - shortest[index] for index in wide) or 1
        for index in wide:
            wanted[index] = shortest[index] + left * (longest[index] - shortest[index]) / lacking
    total = sum(wanted)
    # What each column cannot do without, in whole steps: a column that fits, all of its longest
    # cell; any other, its longest unbreakable run. No more than an equal share, so that together
    # they leave the last column its own.
    equal = 100 // len(columns) // WIDTH_STEP * WIDTH_STEP
    needs = [
        min(ceil(100 * (most if most <= narrow else least) / line / WIDTH_STEP) * WIDTH_STEP, equal)
        for most, least in zip(longest, shortest, strict=True)
    ]
    widths = [
        max(round(100 * width / total / WIDTH_STEP) * WIDTH_STEP, need)
        for width, need in zip(wanted, needs, strict=True)
    ]
    while sum(widths) > 100:  # rounded up too often: a step less for the column that can best spare it
        _spare, index = max(
            (width - need, index) for index, (width, need) in enumerate(zip(widths, needs, strict=True))
        )
        widths[index] -= WIDTH_STEP
    return widths[:-1]


def label_table_cells(state: StateCore) -> None:
    """Give each data cell its column's header as ``data-label``, wide tables the class ``wide``
    and the header cells of the others their column's width as a class (:func:`column_widths`); a
    column aligned in a company's own Markdown table (``|--:|``) gets a class too, not the inline
    style markdown-it writes.

    A stacked row (each cell on its own line, on A4 or on a phone) shows the label before the
    value with CSS alone, so the stacked and the tabular layout come from one markup.
    """
    tokens = state.tokens
    header_cells: list[Token] = []
    headers: list[str] = []
    columns: list[list[str]] = []
    column = 0
    table_open: Token | None = None
    for index, token in enumerate(tokens):
        if token.type in ("th_open", "td_open") and (alignment := token.attrs.pop("style", None)):
            token.attrJoin("class", f"align-{str(alignment).removeprefix('text-align:')}")
        if token.type == "table_open":
            table_open, header_cells, headers, columns = token, [], [], []
        elif token.type == "th_open":
            header_cells.append(token)
            headers.append(unescape(tokens[index + 1].content))
            columns.append([_cell_text(tokens[index + 1].content)])
        elif token.type == "tr_open":
            column = 0
        elif token.type == "td_open":
            if column < len(header_cells):
                token.attrSet("data-label", headers[column])  # escaped again when rendered
                columns[column].append(_cell_text(tokens[index + 1].content))
            column += 1
        elif token.type == "table_close" and table_open is not None:
            if len(header_cells) >= WIDE_TABLE_COLUMNS:
                table_open.attrSet("class", "wide")
            else:
                for cell, percent in zip(header_cells[:-1], column_widths(columns), strict=True):
                    cell.attrJoin("class", f"w-{percent}")


def _cell_text(markdown: str) -> str:
    """About the text a reader sees in a cell: its Markdown without link destinations, brackets, emphasis or escapes."""
    return unescape(_LINK_DESTINATION.sub("", markdown).replace("[", "").replace("**", ""))
