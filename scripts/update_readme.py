"""Rewrite the parts of README.md made from the code: the table of output kinds (``make readme``)."""

from __future__ import annotations

import re
from pathlib import Path

from generator.outputs import kinds_table

README = Path(__file__).resolve().parent.parent / "README.md"
MARKED = re.compile(r"(<!-- output-kinds -->\n).*?(<!-- /output-kinds -->)", re.DOTALL)


def main() -> None:
    text = README.read_text(encoding="utf-8")
    if not MARKED.search(text):
        raise SystemExit("README.md has no <!-- output-kinds --> markers")
    README.write_text(MARKED.sub(lambda match: match[1] + kinds_table() + match[2], text), encoding="utf-8")


if __name__ == "__main__":
    main()
