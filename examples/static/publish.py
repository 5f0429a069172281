"""Copy the HTML pages and PDFs of a policygen build to a web server's folder.

Reads output/manifest.json, so it copies exactly what the last build made, and nothing a
killed build left half-written. From the repository root:

    .venv/bin/policygen build
    .venv/bin/python examples/static/publish.py output /var/www/example.com/privacy

Each company's pages then live at /privacy/<company>/<lang>/privacy-policy.html, with the
PDF beside them and earlier versions under /privacy/<company>/archive/.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

PUBLISHED_FORMATS = {"html", "pdf"}


def publish(output: Path, web_root: Path) -> list[Path]:
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    copied = []
    for entry in manifest["outputs"]:
        if entry["format"] in PUBLISHED_FORMATS:
            target = web_root / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(output / entry["path"], target)
            copied.append(target)
    return copied


if __name__ == "__main__":
    for path in publish(Path(sys.argv[1]), Path(sys.argv[2])):
        print(path)
