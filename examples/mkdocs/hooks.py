"""Copies vanilla-cookieconsent from the example's node_modules into the built site's vendor/."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

DIST = Path(__file__).resolve().parent / "node_modules" / "vanilla-cookieconsent" / "dist"


def on_post_build(config: Any, **kwargs: Any) -> None:
    if not DIST.is_dir():
        return  # `npm ci --prefix examples/mkdocs` not run: the pages simply show no banner
    vendor = Path(config["site_dir"]) / "vendor"
    vendor.mkdir(parents=True, exist_ok=True)
    for name in ("cookieconsent.umd.js", "cookieconsent.css"):
        shutil.copyfile(DIST / name, vendor / name)
