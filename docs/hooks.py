"""mkdocs hook: list every generated rule page (docs/rules/BNBxxx.md) under the "Rules" section of the nav."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def on_config(config: Any, **_: Any) -> Any:
    pages = sorted(p.name for p in (Path(config["docs_dir"]) / "rules").glob("BNB[0-9][0-9][0-9].md"))
    for section in config["nav"]:
        if isinstance(section, dict) and "Rules" in section:
            section["Rules"] = ["rules/index.md", *(f"rules/{name}" for name in pages)]
    return config
