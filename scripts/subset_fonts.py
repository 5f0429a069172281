"""Cut the four Noto Sans files down to the letters of the policies' languages.

Run as `make fonts` after changing the character ranges (generator/resources.py). WeasyPrint subsets every
embedded font again for each PDF, and subsetting a full Noto Sans (about 500 KB, thousands of
glyphs of Latin, Greek and Cyrillic) costs more than laying out a whole policy; a font of
only Polish, English and German letters is subset in a fraction of that time and keeps the
PDFs small. The full files are the reference fonts kept in benchmarks/reference/fonts; the
results are committed in templates/assets/fonts (OFL.txt, the licence, stays beside them).
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from generator.resources import FONT_CHARACTER_RANGES

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "benchmarks" / "reference" / "fonts"
TARGET = ROOT / "templates" / "assets" / "fonts"
STYLES = ("Regular", "Bold", "Italic", "BoldItalic")


def characters() -> list[int]:
    return [code for first, last in FONT_CHARACTER_RANGES for code in range(first, last + 1) if code >= 0x20]


def subset_font(source: Path, target: Path) -> None:
    """``source`` cut down to ``FONT_CHARACTER_RANGES``, its kerning and ligatures kept, hinting dropped."""
    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]  # keep the family name, copyright and licence records
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    font = TTFont(source, recalcTimestamp=False)  # the same bytes on every run
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    font.save(target)


def main() -> None:
    for style in STYLES:
        name = f"NotoSans-{style}.ttf"
        subset_font(SOURCE / name, TARGET / name)
        print(f"{name}: {(SOURCE / name).stat().st_size // 1024} KB -> {(TARGET / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
