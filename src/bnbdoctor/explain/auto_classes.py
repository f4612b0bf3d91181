"""Which transformers Auto class loads which configuration, in every release (data/auto_classes.json.gz, built by
scripts/mine_auto_classes.py from each release's models/auto/ sources).

transformers raises "Unrecognized configuration class <class '...Qwen2VLConfig'> for this kind of AutoModel:
AutoModelForCausalLM" (models/auto/auto_factory.py) when it knows the configuration but the Auto class has no model
for it. The table tells the two causes apart: when some release loads that configuration with that Auto class, the
installed one predates it (or dropped it): a release question; when no release ever did, the caller picked the wrong
class, and the table names the classes that do load it.

Loaded lazily, only by `explain` when the message is in the text: `bnbdoctor check` never imports this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from packaging.version import InvalidVersion, Version

from ..vocab import Reference
from .packaged import gz_json

SCHEMA = "bnbdoctor.auto_classes/1"
DATA = "auto_classes.json.gz"
#: the message, with the configuration class as Python prints it (<class 'transformers.models....XConfig'>), as a
#: remote-code module path, or as a bare name in a title
MESSAGE = re.compile(
    r"Unrecognized configuration class\s+(?:<class\s+'?)?([\w.]+\.)?(\w+)'?>?\s+for this kind of AutoModel:?\s*(\w+)"
)
SOURCE = Reference(
    "source",
    "huggingface/transformers src/transformers/models/auto/modeling_auto.py and configuration_auto.py of every "
    "release 4.20-5.24: which Auto class loads which configuration (scripts/mine_auto_classes.py)",
    "https://github.com/huggingface/transformers/blob/main/src/transformers/models/auto/modeling_auto.py",
)
#: how sure each verdict is: above the signature's own 0.6 (auto-class-not-for-model), which it replaces
SURE = 0.7
OTHER = 0.2  # the other category of a verdict


@dataclass(frozen=True)
class Verdict:
    category: str  # version_incompat or wrong_api
    confidence: float
    cause: str
    fix: str
    line: str
    other_cause: str  # the other category's reading, in the table's terms
    other_fix: str


@cache
def table() -> dict[str, Any]:
    return gz_json(DATA, SCHEMA)


def indexes(ranges: str) -> list[int]:
    """'0-2,5' -> [0, 1, 2, 5] (release indexes)."""
    out: list[int] = []
    for part in ranges.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def _span(releases: list[str], indexes: list[int]) -> str:
    first, last = releases[indexes[0]], releases[indexes[-1]]
    return first if first == last else f"{first}-{last}"


def verdict(text: str, installed: str | None = None) -> Verdict | None:
    """The cause the release history gives for the message in `text`, or None (no message, or a configuration no
    release knows: remote code, which the signature's own cause covers). `installed`: the transformers release the
    report states, if any."""
    found = MESSAGE.search(text)
    if found is None:
        return None
    module, config, auto = found.group(1) or "", found.group(2), found.group(3)
    if module.startswith("transformers_modules."):
        return None  # the model's own code on the Hub: a class of that name in transformers is another class
    data = table()
    releases: list[str] = data["releases"]
    classes: dict[str, str] | None = data["classes"].get(config)
    if not classes:
        return None
    line = next(
        (x.strip() for x in text.splitlines() if "Unrecognized configuration class" in x), found.group(0)
    )
    span = f"transformers {releases[0]}-{releases[-1]}"
    newest = len(releases) - 1
    now = sorted(a for a, r in classes.items() if newest in indexes(r) and a != auto)
    others = ", ".join(now or sorted(a for a in classes if a != auto)) or "none"
    loads = indexes(classes[auto]) if auto in classes else []
    if not loads:
        return Verdict(
            "wrong_api",
            SURE,
            f"No release of {span} loads {config} with {auto}: it is not a model of that kind. The Auto classes "
            f"that load it (transformers {releases[-1]}): {others}.",
            f"Load it with one of {others} (or the model's own class its card names).",
            line,
            f"Only a transformers release newer than {releases[-1]} could load {config} with {auto} (none of {span} "
            "does): a model whose card asks for a newer or source install of transformers.",
            "pip install -U transformers (or the release the model card names), then restart the process.",
        )
    if installed:
        try:
            have = Version(installed)
            if any(Version(releases[i]) == have for i in loads):
                return None  # the stated release does load it: another installation runs, or another cause
        except InvalidVersion:
            pass
    gone = loads[-1] != newest
    when = f"transformers {_span(releases, loads)} loads {config} with {auto}" + (
        f"; later releases load it with {others}" if gone else ""
    )
    return Verdict(
        "version_incompat",
        SURE,
        f"The installed transformers has no {auto} model for {config}: {when} (every release of {span} read).",
        (
            f"pip install 'transformers>={releases[loads[0]]}' (then restart the process)"
            if not gone
            else f"Use one of {others}, or pip install 'transformers=={releases[loads[-1]]}'"
        ),
        line,
        f"Or keep the installed release and load {config} with a class it has for it (the model's own class, or "
        f"one of {others}).",
        f"Load it with the model's own class (or one of {others}).",
    )
