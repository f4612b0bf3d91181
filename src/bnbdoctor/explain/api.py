"""Python's own errors about names, resolved against the libraries' API history (data/api.json.gz).

"cannot import name 'X' from 'M'", "No module named 'M.sub'", "module 'M' has no attribute 'X'",
"F() got an unexpected keyword argument 'k'", "F() missing 1 required positional argument: 'p'",
"F() takes 2 positional arguments but 3 were given", "'C' object has no attribute 'a'" and "name 'X' is not defined"
are written by Python, not by a library, so no mined message holds them; they are the commonest symptom of code
written for another release. The index (built by scripts/mine_api.py) records, per package, the release ranges of
every module, public name, parameter and (for the classes users meet in these errors) member. A name found there
gives its range ("`bnb_4bit_quant_storage` is a BitsAndBytesConfig argument from transformers 4.39.0 on"), the
rename the index shows next to it, and, when the report states the installed version, whether that version has it
(version_incompat); a name no release ever had is the caller's mistake (wrong_api: a typo, the wrong package or
object), with the release as the second cause.

Loaded lazily, only by `explain`: `bnbdoctor check` never imports this module.
"""

from __future__ import annotations

import difflib
import gzip
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from packaging.version import InvalidVersion, Version

# how sure each verdict is; tuned so that a verdict with a range outranks a signature's generic text
IN_RANGE = 0.7  # the name exists in some releases; no installed version is stated
STATED_LACKS = 0.15  # ... and the report states an installed version that lacks it
STATED_HAS = -0.1  # ... and the stated version has it: another installation runs, or another cause
TYPO = 0.8  # the name is in no release; a close spelling is
WRONG_PLACE = 0.78  # the name is in no release of this module/object; it belongs to another one
UNKNOWN = 0.55  # the name is in no release and nothing like it is: wrong_api, the release second
RUNNER_UP = 0.5  # the other category of a verdict
NAME_ERROR = 0.5  # a NameError inside a library's own code

#: Python's builtin types: their missing attributes are not a library's API
_BUILTIN_TYPES = frozenset(
    [
        "NoneType",
        "str",
        "bytes",
        "int",
        "float",
        "bool",
        "list",
        "dict",
        "tuple",
        "set",
        "frozenset",
        "object",
        "type",
        "function",
        "method",
        "module",
        "generator",
        "coroutine",
        "property",
        "staticmethod",
        "classmethod",
        "builtin_function_or_method",
        "method-wrapper",
        "Tensor",
        "Parameter",
        "ndarray",
    ]
)
#: a transformers model class by its name: its missing attributes are PreTrainedModel's
_MODEL_CLASS = re.compile(r"^[A-Z]\w*(?:For[A-Z]\w+|Model|LMHeadModel|PreTrainedModel)$")
_ITEM = r"'(?P<{0}>[\w.]+)'"
_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "import",
        re.compile(
            r"cannot import name '(?P<name>\w+)'(?: from '(?P<module>[\w.]+)')?(?! from partially)"
            r"(?: \((?P<path>[^)\n]*)\))?"
        ),
    ),
    ("module", re.compile(r"No module named '(?P<module>[\w.]+)'")),
    # transformers' auto classes look a config's model_type up in CONFIG_MAPPING: a release without the architecture
    # raises KeyError with the bare type name (`KeyError: 'mistral'` before 4.34.0)
    ("modeltype", re.compile(r"\bKeyError: '(?P<key>[a-z][a-z0-9_-]{1,40})'")),
    ("attribute", re.compile(r"\bmodule '(?P<module>[\w.]+)' has no attribute '(?P<name>\w+)'")),
    (
        "member",
        re.compile(
            r"(?:type object|object of type)? ?'(?P<cls>[\w.]+)' object has no attribute '(?P<name>\w+)'"
        ),
    ),
    ("classattr", re.compile(r"type object '(?P<cls>[\w.]+)' has no attribute '(?P<name>\w+)'")),
    ("keyword", re.compile(r"(?P<func>[\w.<>]+)\(\) got an unexpected keyword argument '(?P<name>\w+)'")),
    (
        "missing",
        re.compile(
            r"(?P<func>[\w.<>]+)\(\) missing \d+ required (?:positional|keyword-only) arguments?: "
            r"'(?P<name>\w+)'(?P<more>(?:,? (?:and )?'\w+')*)"
        ),
    ),
    (
        "takes",
        re.compile(
            r"(?P<func>[\w.<>]+)\(\) takes (?:from \d+ to )?(?P<n>\d+) positional arguments? but (?P<m>\d+) (?:were|was) given"
        ),
    ),
    ("nameerror", re.compile(r"\bname '(?P<name>\w+)' is not defined")),
)
#: a traceback frame; curly quotes where a forum or an editor replaced the straight ones
_FRAME = re.compile(
    r"File [\"\u201c\u201d](?P<path>[^\"\u201c\u201d]+)[\"\u201c\u201d], line \d+, in (?P<func>[\w<>]+)"
)
_SITE_PATH = re.compile(r"(?:site|dist)-packages[/\\](?P<rel>[\w./\\-]+?)\.pyi?\b")
_EGG_VERSION = re.compile(r"(?:site|dist)-packages[/\\](?P<pkg>[A-Za-z_]+)-(?P<version>\d+(?:\.\d+)+\w*)[-.]")
_CALL = re.compile(r"(?P<callee>[A-Za-z_][\w.]*)\s*\((?!.*[A-Za-z_][\w.]*\s*\()")
#: the distribution a report's facts name each indexed package by
_DISTRIBUTION = {
    "bitsandbytes": "bitsandbytes",
    "transformers": "transformers",
    "peft": "peft",
    "accelerate": "accelerate",
    "trl": "trl",
    "diffusers": "diffusers",
    "torch": "torch",
}


class _Ungrouped(Mapping[str, dict[str, str]]):
    """The file's tables are grouped by range ({"0-40": "Name1 Name2"}); each is turned into {name: ranges} the
    first time it is read, so a lookup never pays for the whole index."""

    def __init__(self, raw: dict[str, dict[str, str]]) -> None:
        self._raw = raw
        self._done: dict[str, dict[str, str]] = {}

    def __getitem__(self, key: str) -> dict[str, str]:
        got = self._done.get(key)
        if got is None:
            got = self._done[key] = {n: r for r, ns in self._raw[key].items() for n in ns.split(" ")}
        return got

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, key: object) -> bool:
        return key in self._raw


@dataclass(frozen=True, eq=False)
class ApiIndex:
    releases: dict[str, list[str]]
    modules: Mapping[str, dict[str, str]]  # package -> module -> ranges
    names: Mapping[
        str, dict[str, str]
    ]  # module -> name -> ranges ("~": "partial", only the names that changed)
    params: Mapping[
        str, dict[str, str]
    ]  # "module:Qual.name" -> parameter -> ranges ("(": the callable itself)
    members: Mapping[str, dict[str, str]]  # "module:Class" -> method/attribute -> ranges
    generated: str = ""

    def spans(self, package: str, ranges: str) -> list[tuple[str, str]]:
        """'0-3,7-9' -> [(first, last), ...] as release versions."""
        versions = self.releases.get(package) or []
        out = []
        for part in ranges.split(","):
            a, _, b = part.partition("-")
            out.append((versions[int(a)], versions[int(b or a)]))
        return out

    def says(self, package: str, ranges: str) -> str:
        """'transformers 4.39.0 on', 'peft 0.4.0-0.9.0', 'bitsandbytes 0.39.0-0.41.1 and 0.43.0 on'."""
        versions = self.releases.get(package) or []
        parts = []
        for first, last in self.spans(package, ranges):
            if versions and last == versions[-1] and first == versions[0]:
                parts.append(f"every release ({first}-{last})")
            elif versions and last == versions[-1]:
                parts.append(f"{first} on")
            elif first == last:
                parts.append(first)
            else:
                parts.append(f"{first}-{last}")
        return f"{package} " + " and ".join(parts)

    def contains(self, package: str, ranges: str, version: str) -> bool | None:
        """Whether `version` (a release, a dev build or a partial '4.38') lies in one of the ranges; None: unknown."""
        try:
            v = Version(version)
        except InvalidVersion:
            return None
        base = Version(v.base_version)
        for first, last in self.spans(package, ranges):
            if Version(first) <= base <= Version(last) or (
                v.is_devrelease and Version(first) <= Version(last) and base == Version(first)
            ):
                return True
            if len(v.release) == 2 and Version(first).release[:2] <= v.release <= Version(last).release[:2]:
                return True
        return False

    def full(self, package: str, ranges: str) -> bool:
        versions = self.releases.get(package) or []
        return self.spans(package, ranges) == [(versions[0], versions[-1])] if versions else False

    def edges(self, package: str, ranges: str) -> tuple[str | None, str | None]:
        """(the release that added it when not the first indexed, the release that removed it when it is gone)."""
        versions = self.releases.get(package) or []
        idx = [p.partition("-") for p in ranges.split(",")]
        first, last = int(idx[0][0]), int(idx[-1][2] or idx[-1][0])
        added = versions[first] if first > 0 else None
        removed = versions[last + 1] if last + 1 < len(versions) else None
        return added, removed

    @property
    def by_name(self) -> dict[str, list[str]]:
        return _reverse_names(self)

    @property
    def callables(self) -> dict[str, list[str]]:
        return _reverse_callables(self)


@cache
def _reverse_names(ix: ApiIndex) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for module, table in ix.names.items():
        for name in table:
            if name != "~":
                out.setdefault(name, []).append(module)
    return out


@cache
def _reverse_callables(ix: ApiIndex) -> dict[str, list[str]]:
    """'BitsAndBytesConfig' / 'PreTrainedModel.from_pretrained' / 'from_pretrained' -> index keys."""
    out: dict[str, list[str]] = {}
    for key in ix.params:
        qual = key.partition(":")[2]
        out.setdefault(qual, []).append(key)
        if "." in qual:
            out.setdefault(qual.rpartition(".")[2], []).append(key)
    return out


def _package_of(module: str) -> str:
    return module.split(".")[0]


@cache
def api_index() -> ApiIndex:
    raw = resources.files("bnbdoctor.explain").joinpath("data/api.json.gz").read_bytes()
    data = json.loads(gzip.decompress(raw))
    return ApiIndex(
        data["releases"],
        _Ungrouped(data["modules"]),
        _Ungrouped(data["names"]),
        _Ungrouped(data["params"]),
        _Ungrouped(data["members"]),
        data.get("generated", ""),
    )


# ---- what the text says ----


@dataclass
class Verdict:
    """A cause for one name error: its category, how sure, the words, and the other category as runner-up."""

    category: str
    confidence: float
    cause: str
    fix: str
    line: str
    line_index: int
    runner_up: str | None = None
    runner_up_confidence: float = RUNNER_UP
    detail: dict[str, Any] = field(default_factory=dict)
    #: the runner-up's own words, where it is another story than the verdict's (else the verdict's are shown)
    runner_up_cause: str | None = None
    runner_up_fix: str | None = None


def traceback_frames(lines: list[str], upto: int) -> list[tuple[str, str]]:
    """(module, function) of the traceback frames in installed packages above line `upto`, innermost last."""
    out = []
    for line in lines[max(0, upto - 80) : upto]:
        m = _FRAME.search(line)
        if not m:
            continue
        site = _SITE_PATH.search(m["path"].replace("\\", "/"))
        if site:
            rel = site["rel"].replace("\\", "/")
            rel = re.sub(r"^[\w.-]+\.egg/", "", rel)
            module = rel.removesuffix("/__init__").replace("/", ".")
            out.append((module, m["func"]))
        else:
            out.append(("", m["func"]))
    return out


def _previous_call(lines: list[str], upto: int) -> str | None:
    """The callee of the source line just above an error line ('bnb_config = BitsAndBytesConfig(' -> BitsAndBytesConfig)."""
    for line in reversed(lines[max(0, upto - 4) : upto]):
        if not line or line.startswith(("File ", "Traceback", "^", "~")):
            if line.startswith("File "):
                return None
            continue
        m = _CALL.search(line)
        if m:
            return m["callee"].rpartition(".")[2]
        return None
    return None


def _installed(text: str, versions: dict[str, str], package: str) -> tuple[str | None, str]:
    """The installed release of `package` the report states, and where that came from."""
    stated = versions.get(_DISTRIBUTION.get(package, package))
    if stated:
        return stated, "the report"
    for m in _EGG_VERSION.finditer(text):
        if m["pkg"].lower() == package:
            return m["version"], "the traceback's path"
    return None, ""


def closest(name: str, choices: Iterable[str], cutoff: float = 0.82, slip: bool = True) -> str | None:
    """The name spelt most like `name`, if alike enough; never one that differs only in its digits (Linear4bitLt,
    Linear8bitLt: another thing), nor, for a slip of the keyboard (`slip`), one with a prefix added in front
    (quantize, dequantize: the opposite; a successor may drop one: TFAutoModel, AutoModel)."""
    pool = [
        c
        for c in choices
        if c != name
        and abs(len(c) - len(name)) <= max(3, len(name) // 3)
        and not another_thing(name, c, prefix=slip)
    ]
    got = difflib.get_close_matches(name, pool, n=1, cutoff=cutoff)
    return got[0] if got else None


def another_thing(a: str, b: str, prefix: bool = True) -> bool:
    """Two names spelt alike that name different things: they differ only in digits, or (`prefix`) one is the other
    with a prefix in front."""
    x, y = _stems(a, b)
    if not x + y:
        return False
    return (x + y).isdigit() or (prefix and (not x or not y) and (a.endswith(b) or b.endswith(a)))


#: names of one table removed in the same release from which a removal is a clean-up, not a rename
MASS_REMOVAL = 10


def _stems(a: str, b: str) -> tuple[str, str]:
    """What differs between two names once their common start and end are set aside."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    end = 0
    while end < min(len(a), len(b)) and a[-1 - end] == b[-1 - end]:
        end += 1
    return a[: len(a) - end], b[: len(b) - end]


def _renamed(name: str, choices: Iterable[str], cutoff: float) -> str | None:
    """The successor (or predecessor) of `name` among names spelt alike: a rename adds or drops a part
    (print_cuda_runtime_diagnostics -> print_runtime_diagnostics), or changes one alike
    (prepare_model_for_int8_training -> ..._kbit_...); two names that differ by a whole other word
    (is_flax_available, is_mlx_available; is_peft_available, is_diffusers_available) are neighbours."""
    pool = []
    for other in choices:
        a, b = _stems(name, other)
        if (
            not a
            or not b
            or (len(a) <= 3 and len(b) <= 3)
            or difflib.SequenceMatcher(None, a, b).ratio() >= 0.5
        ):
            pool.append(other)
    return closest(name, pool, cutoff, slip=False)


def _rename(ix: ApiIndex, package: str, table: dict[str, str], name: str) -> tuple[str | None, str | None]:
    """(the name that replaced `name`, the name `name` replaced), from the same table (module or signature): one
    spelt alike that is there in the release `name` went (and came after it), or the only one that appeared in that
    very release; likewise one spelt alike that went by the release `name` came."""
    ranges = table.get(name)
    if not ranges:
        return None, None
    added, removed = ix.edges(package, ranges)
    others = {o: r for o, r in table.items() if o not in (name, "(", "*", "**", "~")}
    replaced_by = replaces = None
    if removed is not None:
        versions = ix.releases[package]
        i = versions.index(removed)
        first_of_name = versions.index(ix.spans(package, ranges)[0][0])
        later = {
            o: r
            for o, r in others.items()
            if ix.contains(package, r, removed) and versions.index(ix.spans(package, r)[0][0]) > first_of_name
        }
        present = {o: r for o, r in others.items() if ix.contains(package, r, removed)}
        # a release that removed many names of this table at once (transformers 5.0 dropping every TensorFlow and
        # Flax class) renamed none of them: a name spelt a little alike is a neighbour, not the successor
        gone_with = sum(1 for r in others.values() if ix.edges(package, r)[1] == removed)
        loose = 0.6 if gone_with < MASS_REMOVAL else 0.9
        replaced_by = _renamed(name, later, loose) or _renamed(name, present, max(loose, 0.8))
        if replaced_by is None and "(" in table:
            same = [o for o, r in later.items() if versions.index(ix.spans(package, r)[0][0]) == i]
            replaced_by = same[0] if len(same) == 1 else None
    if added is not None:
        gone = {
            o: r
            for o, r in others.items()
            if not ix.contains(package, r, ix.releases[package][-1])
            and ix.edges(package, r)[1] is not None
            and Version(ix.edges(package, r)[1] or "0") <= Version(ix.releases[package][-1])
        }
        # gone in the very release `name` came (a name spelt alike that left earlier or later is no rename: a
        # TensorFlow class removed in transformers 5.0 did not make way for a model class added in 4.45)
        before = {
            o: r
            for o, r in gone.items()
            if ix.contains(package, r, ix.releases[package][max(0, ix.releases[package].index(added) - 1)])
            and ix.edges(package, r)[1] == added
        }
        replaces = _renamed(name, before, 0.6 if len(before) < MASS_REMOVAL else 0.9)
    return replaced_by, replaces


def _have(
    ix: ApiIndex, package: str, ranges: str, installed: str | None, source: str
) -> tuple[str, bool | None]:
    if not installed:
        return "", None
    inside = ix.contains(package, ranges, installed)
    if inside is None:
        return "", None
    if inside:
        return (
            f" {source.capitalize()} states {package} {installed}, which has it: the code runs with another "
            f"{package} than the one stated (a second environment, a stale install or a local folder named "
            f"{package}).",
            True,
        )
    return f" You have {package} {installed} ({source}), which does not.", False


def _range_fix(ix: ApiIndex, package: str, ranges: str, replaced_by: str | None, replaces: str | None) -> str:
    added, removed = ix.edges(package, ranges)
    spans = ix.spans(package, ranges)
    first, last = spans[0][0], spans[-1][1]
    if removed and not added:
        use = f"update the code to `{replaced_by}`, or " if replaced_by else "update the code, or "
        return f"It was removed in {package} {removed}: {use}install `{package}<{removed}` (e.g. {package}=={last})."
    if added and not removed:
        old = f" (before it, `{replaces}`)" if replaces else ""
        return f"It came in {package} {added}{old}: `pip install -U '{package}>={added}'`, then restart."
    if added and removed:
        return f"Install a {package} release in {first}-{last} (e.g. `pip install '{package}=={last}'`), or update the code."
    return f"Reinstall {package} cleanly (`pip install --force-reinstall {package}`) in the environment that runs."


def _version_verdict(
    ix: ApiIndex,
    package: str,
    what: str,
    ranges: str,
    table: dict[str, str],
    name: str,
    installed: tuple[str | None, str],
    line: str,
    index: int,
) -> Verdict | None:
    replaced_by, replaces = _rename(ix, package, table, name)
    added, removed = ix.edges(package, ranges)
    say = ix.says(package, ranges)
    have, inside = _have(ix, package, ranges, *installed)
    if ix.full(package, ranges) and inside is not False:
        return None  # every release has it: not a question of releases
    if removed and replaced_by:
        cause = f"{what} exists in {say}; it was removed in {package} {removed}, replaced by `{replaced_by}`."
    elif removed:
        cause = f"{what} exists in {say}: it was removed in {package} {removed}."
    elif added and replaces:
        cause = f"{what} exists from {package} {added} on, replacing `{replaces}`: the code was written for a newer {package}."
    else:
        cause = f"{what} exists in {say}: the code was written for a release that has it."
    return Verdict(
        "version_incompat",
        IN_RANGE + (STATED_LACKS if inside is False else STATED_HAS if inside else 0.0),
        cause + have,
        _range_fix(ix, package, ranges, replaced_by, replaces),
        line,
        index,
        "wrong_api",
        detail={
            "package": package,
            "file": what,
            "function": name,
            "type": None,
            "first": ix.spans(package, ranges)[0][0],
            "last": ix.spans(package, ranges)[-1][1],
            "newest_release": ix.releases[package][-1],
            "where": f"{what}: {say}",
            "template": name,
            "truncated": False,
            "ranges": say,
            "installed": installed[0],
            "has_it": inside,
        },
    )


def _never(
    what: str,
    name: str,
    close: str | None,
    elsewhere: list[str],
    package: str,
    newest: str,
    line: str,
    index: int,
) -> Verdict:
    if close:
        return Verdict(
            "wrong_api",
            TYPO,
            f"{what} is in no release of {package} (up to {newest}): a misspelling of `{close}`.",
            f"Correct the name to `{close}`.",
            line,
            index,
            "version_incompat",
            detail={"package": package, "name": name, "close": close},
        )
    if elsewhere:
        homes = ", ".join(f"`{h}`" for h in elsewhere[:3])
        return Verdict(
            "wrong_api",
            WRONG_PLACE,
            f"{what} is in no release of {package} (up to {newest}); `{name}` belongs to {homes}.",
            f"Take it from where it lives ({homes}).",
            line,
            index,
            "version_incompat",
            detail={"package": package, "name": name, "elsewhere": elsewhere[:3]},
        )
    return Verdict(
        "wrong_api",
        UNKNOWN,
        f"{what} is in no release of {package} up to {newest}: a name of other code (a fork, the main branch, "
        f"a newer release) or a mistake.",
        f"Check the name against the {package} documentation; if it is newer than {newest}, install {package} "
        f"from source.",
        line,
        index,
        "version_incompat",
        RUNNER_UP - 0.02,
        detail={"package": package, "name": name},
    )


def _homes(ix: ApiIndex, name: str, exclude: str) -> list[str]:
    return [m for m in ix.by_name.get(name, []) if m != exclude and not m.startswith(exclude + ".dummy")][:5]


def _on_import(
    ix: ApiIndex, m: re.Match[str], text: str, versions: dict[str, str], line: str, i: int, lines: list[str]
) -> Verdict | None:
    module, name = m["module"], m["name"]
    if module is None:
        return None
    package = _package_of(module)
    if package not in ix.releases:
        return None
    table = ix.names.get(module)
    if table is None:
        return _on_module(ix, module, text, versions, line, i)
    installed = _installed(text, versions, package)
    newest = ix.releases[package][-1]
    what = f"`{name}` in `{module}`"
    if name in table:
        return _version_verdict(ix, package, what, table[name], table, name, installed, line, i)
    sub = ix.modules.get(package, {}).get(f"{module}.{name}")
    if sub:
        return _submodule_verdict(ix, package, f"{module}.{name}", sub, installed, line, i)
    if table.get("~") == "partial":
        return None  # a per-model file: only its changing names are kept, so absence proves nothing
    elsewhere = _homes(ix, name, module)
    close = None if elsewhere else closest(name, set(table))
    return _never(what, name, close, elsewhere, package, newest, line, i)


def _submodule_verdict(
    ix: ApiIndex, package: str, path: str, ranges: str, installed: tuple[str | None, str], line: str, i: int
) -> Verdict | None:
    """`name` is no attribute of `module` but a submodule of it: the releases that have that submodule."""
    return _version_verdict(
        ix, package, f"the module `{path}`", ranges, ix.modules[package], path, installed, line, i
    )


def _on_module(
    ix: ApiIndex, module: str, text: str, versions: dict[str, str], line: str, i: int
) -> Verdict | None:
    package = _package_of(module)
    table = ix.modules.get(package)
    if not table or module == package:
        return None
    installed = _installed(text, versions, package)
    what = f"the module `{module}`"
    if module in table:
        return _version_verdict(ix, package, what, table[module], table, module, installed, line, i)
    parent = module.rpartition(".")[0]
    siblings = [m for m in table if m.rpartition(".")[0] == parent]
    close = closest(module, siblings, 0.85)
    if parent not in table and parent != package:
        return None  # a deeper path of a module the index does not know: nothing to add
    if any(part.startswith("_") for part in module.split(".")[1:]):
        # a private module (torch.utils._python_dispatch): the index keeps the public API and only a few private
        # modules, so its absence there proves nothing
        return None
    return _never(what, module, close, [], package, ix.releases[package][-1], line, i)


def _on_attribute(
    ix: ApiIndex, m: re.Match[str], text: str, versions: dict[str, str], line: str, i: int, lines: list[str]
) -> Verdict | None:
    module, name = m["module"], m["name"]
    package = _package_of(module)
    if package not in ix.releases or module not in ix.names:
        return None
    table = ix.names[module]
    installed = _installed(text, versions, package)
    what = f"`{module}.{name}`"
    if name in table:
        return _version_verdict(ix, package, what, table[name], table, name, installed, line, i)
    sub = ix.modules.get(package, {}).get(f"{module}.{name}")
    if sub:
        if ix.full(package, sub):
            return Verdict(
                "wrong_api",
                WRONG_PLACE - 0.1,
                f"`{module}.{name}` is a submodule (in {ix.says(package, sub)}) that `import {module}` does not load.",
                f"`import {module}.{name}` before using it.",
                line,
                i,
                "version_incompat",
            )
        return _submodule_verdict(ix, package, f"{module}.{name}", sub, installed, line, i)
    elsewhere = _homes(ix, name, module)
    close = None if elsewhere else closest(name, set(table))
    return _never(what, name, close, elsewhere, package, ix.releases[package][-1], line, i)


def _class_tables(ix: ApiIndex, cls: str) -> list[str]:
    return [k for k in ix.members if k.endswith(":" + cls)]


def _on_member(
    ix: ApiIndex, m: re.Match[str], text: str, versions: dict[str, str], line: str, i: int, lines: list[str]
) -> Verdict | None:
    cls, name = m["cls"].rpartition(".")[2], m["name"]
    if cls in _BUILTIN_TYPES or not cls[:1].isupper():
        return None
    keys = _class_tables(ix, cls)
    model = not keys and bool(_MODEL_CLASS.match(cls))
    if model:
        keys = _class_tables(ix, "PreTrainedModel")
    if not keys:
        return None
    key = keys[0]
    package = _package_of(key)
    table = ix.members[key]
    installed = _installed(text, versions, package)
    newest = ix.releases[package][-1]
    what = f"`{cls}.{name}`" if not model else f"`{name}` on a transformers model ({cls}, a PreTrainedModel)"
    if name in table:
        return _version_verdict(ix, package, what, table[name], table, name, installed, line, i)
    # the attribute of another class the index knows: the object is not what the code thinks it is
    owners = [k for k in ix.members if k != key and name in ix.members[k]]
    if owners:
        owner = owners[0].partition(":")[2]
        where = _package_of(owners[0])
        return Verdict(
            "wrong_api",
            WRONG_PLACE,
            f"`{name}` is an attribute of {where}'s {owner} ({ix.says(where, ix.members[owners[0]][name])}), never "
            f"of {cls}: the object is not a {owner} (e.g. a model not wrapped by get_peft_model / PeftModel).",
            f"Call it on a {owner} (wrap or load the object as one first), not on the {cls}.",
            line,
            i,
            "version_incompat",
            RUNNER_UP - 0.1,
            detail={"package": where, "name": name, "owner": owner},
        )
    close = closest(name, set(table))
    if not close and model:
        return None  # a model's own attribute (its remote code, a submodule): the index cannot tell
    return _never(what, name, close, [], package, newest, line, i)


def _callable_keys(ix: ApiIndex, func: str, lines: list[str], i: int) -> tuple[str, list[str]]:
    """The index keys a message's callable names: 'BitsAndBytesConfig.__init__', '__init__' (the class from the
    line above), 'prepare_model_for_kbit_training', 'PreTrainedModel.from_pretrained'."""
    qual = func.removesuffix(".__init__").removesuffix(".__new__")
    if qual in ("__init__", "__new__"):
        qual = _previous_call(lines, i) or ""
    if not qual or qual.startswith("<"):
        return qual, []
    keys = ix.callables.get(qual) or []
    if not keys:
        owner, _, bare = qual.rpartition(".")
        # a bare name stands for itself; `Class.method` of a class the index does not know (GPTQQuantizer) is not
        # some other package's function of the same name
        keys = [
            k for k in ix.callables.get(bare, []) if not owner or k.partition(":")[2].startswith(owner + ".")
        ]
    frames = {module for module, _ in traceback_frames(lines, i)}
    keys = sorted(
        keys, key=lambda k: (k.partition(":")[0] not in frames, _package_of(k) != "transformers", k)
    )
    return qual, keys


def _on_keyword(
    ix: ApiIndex, m: re.Match[str], text: str, versions: dict[str, str], line: str, i: int, lines: list[str]
) -> Verdict | None:
    _qual, keys = _callable_keys(ix, m["func"], lines, i)
    name = m["name"]
    having = [k for k in keys if name in ix.params[k]]
    if not having:
        # a keyword passed on through **kwargs (from_pretrained hands load_in_4bit to the model's __init__ in the
        # releases that do not know it): the callables of the traceback's frames, then from_pretrained
        frame_keys = [
            k
            for module, func in traceback_frames(lines, i)
            for k in ix.callables.get(func, [])
            if k.startswith(module + ":")
        ]
        if "from_pretrained" in text:
            frame_keys += [k for k in ix.callables.get("PreTrainedModel.from_pretrained", [])]
        having = [k for k in frame_keys if name in ix.params[k]]
        if having:
            keys = having
    if having:
        key = having[0]
        package = _package_of(key)
        table = ix.params[key]
        shown = key.partition(":")[2]
        label = "argument" if "." not in shown else "keyword"
        what = f"`{name}` as a `{shown}` {label}"
        return _version_verdict(
            ix, package, what, table[name], table, name, _installed(text, versions, package), line, i
        )
    if not keys:
        return _model_init_keyword(ix, m["func"], name, text, line, i)
    key = keys[0]
    package = _package_of(key)
    table = ix.params[key]
    shown = key.partition(":")[2]
    close = closest(name, [p for p in table if p not in ("(", "*", "**")], 0.75)
    what = f"`{name}` as a `{shown}` argument"
    return _never(what, name, close, [], package, ix.releases[package][-1], line, i)


#: a model class's constructor: transformers' from_pretrained hands every keyword that neither it nor the config
#: takes to it ("LlamaForCausalLM.__init__() got an unexpected keyword argument 'bf16'")
_MODEL_INIT = re.compile(r"(?:For[A-Z]\w*|Model|LMHeadModel)\.__init__$")


def _model_init_keyword(ix: ApiIndex, func: str, name: str, text: str, line: str, i: int) -> Verdict | None:
    """A keyword a model's constructor refused, where the index knows no such callable: an argument of some other
    callable (`device_map` is from_pretrained's, `bf16` TrainingArguments') passed to the model, or a name no release
    of the indexed libraries takes."""
    if not (_MODEL_INIT.search(func) or (func == "__init__" and "from_pretrained" in text)):
        return None
    loaders = [k for k in ix.callables.get("PreTrainedModel.from_pretrained", []) if name in ix.params[k]]
    if (
        loaders
        and all(ix.full(_package_of(k), ix.params[k][name]) for k in loaders)
        and "from_pretrained" not in text
    ):
        # an argument every from_pretrained takes, given to the constructor (Model(config, device_map=...))
        elsewhere = ["PreTrainedModel.from_pretrained"]
    elif loaders:
        # from_pretrained takes it in some releases only: an older one handed it on to the model (the release
        # question, which the signatures and the version verdicts answer)
        return None
    else:
        elsewhere = sorted({k.partition(":")[2] for k, table in ix.params.items() if name in table})
    newest = ix.releases["transformers"][-1] if "transformers" in ix.releases else "?"
    return _never(
        f"`{name}` as an argument of the model's constructor ({func})",
        name,
        None,
        elsewhere,
        "transformers",
        newest,
        line,
        i,
    )


def _on_missing(
    ix: ApiIndex, m: re.Match[str], text: str, versions: dict[str, str], line: str, i: int, lines: list[str]
) -> Verdict | None:
    _qual, keys = _callable_keys(ix, m["func"], lines, i)
    name = m["name"]
    having = [k for k in keys if name in ix.params[k] and not ix.full(_package_of(k), ix.params[k][name])]
    if not having:
        return None
    key = having[0]
    package = _package_of(key)
    table = ix.params[key]
    what = f"`{name}` as a `{key.partition(':')[2]}` parameter"
    return _version_verdict(
        ix, package, what, table[name], table, name, _installed(text, versions, package), line, i
    )


def _on_takes(
    ix: ApiIndex, m: re.Match[str], text: str, versions: dict[str, str], line: str, i: int, lines: list[str]
) -> Verdict | None:
    _qual, keys = _callable_keys(ix, m["func"], lines, i)
    for key in keys:
        table = ix.params[key]
        package = _package_of(key)
        changed = [
            p
            for p, r in table.items()
            if p not in ("(", "*", "**")
            and not ix.full(package, r)
            and ix.edges(package, r) != ix.edges(package, table["("])
        ]
        if changed:
            p = changed[0]
            what = f"`{key.partition(':')[2]}`'s parameters changed between releases: `{p}`"
            return _version_verdict(
                ix, package, what, table[p], table, p, _installed(text, versions, package), line, i
            )
    return None


def _on_nameerror(
    ix: ApiIndex, m: re.Match[str], text: str, versions: dict[str, str], line: str, i: int, lines: list[str]
) -> Verdict | None:
    name = m["name"]
    frames = traceback_frames(lines, i + 1)
    inner = frames[-1][0] if frames else ""
    package = _package_of(inner) if inner else ""
    if package in ix.releases:
        table = ix.names.get(inner, {})
        # the library's module imports the name from another package (trl's `LoraConfig` from peft): the import is
        # guarded (`if is_peft_available()`, a try/except), so the name is missing because that package is not
        # installed or failed to import, whatever the release
        foreign = [h for h in ix.by_name.get(name, []) if "." not in h and h != package and h in ix.releases]
        if name in table and foreign:
            return Verdict(
                "missing_libs",
                NAME_ERROR + 0.1,
                f"`{inner}` uses `{name}` of {foreign[0]}, which it imports only when {foreign[0]} is installed and "
                f"imports cleanly: {foreign[0]} is missing from this environment (or its import failed).",
                f"pip install {foreign[0]} (a release that works with the installed {package}), then restart; "
                f"`python -c 'import {foreign[0]}'` shows an import failure.",
                line,
                i,
                "version_incompat",
                RUNNER_UP - 0.1,
                runner_up_cause=f"Or {foreign[0]} is installed but its release does not go with the installed "
                f"{package}, so its import failed.",
                runner_up_fix=f"Install the {foreign[0]} release the installed {package} requires (its requirements "
                "name the range), then restart.",
            )
        if name in table and not ix.full(package, table[name]):
            verdict = _version_verdict(
                ix,
                package,
                f"`{name}` in `{inner}`",
                table[name],
                table,
                name,
                _installed(text, versions, package),
                line,
                i,
            )
            if verdict:
                verdict.confidence = NAME_ERROR
            return verdict
        return None
    homes = [h for h in ix.by_name.get(name, []) if h.count(".") == 0]
    if homes and inner == "" and name[:1].isupper():
        return Verdict(
            "wrong_api",
            NAME_ERROR,
            f"`{name}` is used without being imported: it is a public name of {', '.join(homes[:2])}.",
            f"Add `from {homes[0]} import {name}` at the top of the script (and install {homes[0]} if it is not).",
            line,
            i,
            # a library's own code without a traceback to show it reads the same: its guarded import of a package
            # that is not installed
            "missing_libs",
            RUNNER_UP - 0.1,
            runner_up_cause=f"Or a library's own code uses `{name}` and imports it only when {homes[0]} is installed: "
            f"{homes[0]} is missing from this environment.",
            runner_up_fix=f"pip install {homes[0]}, then restart.",
        )
    return None


def _on_model_type(
    ix: ApiIndex, m: re.Match[str], text: str, versions: dict[str, str], line: str, i: int, lines: list[str]
) -> Verdict | None:
    """`KeyError: 'mistral'`: a model type some transformers releases have (transformers.models.<type>) and the one
    that raised lacks."""
    key = m["key"].replace("-", "_")
    module = f"transformers.models.{key}"
    table = ix.modules.get("transformers") or {}
    if module not in table:
        return None
    return _version_verdict(
        ix,
        "transformers",
        f"the model type `{m['key']}` ({module})",
        table[module],
        {module: table[module]},  # an architecture replaces none: no rename to look for
        module,
        _installed(text, versions, "transformers"),
        line,
        i,
    )


_HANDLERS = {
    "modeltype": _on_model_type,
    "import": _on_import,
    "attribute": _on_attribute,
    "member": _on_member,
    "classattr": _on_member,
    "keyword": _on_keyword,
    "missing": _on_missing,
    "takes": _on_takes,
    "nameerror": _on_nameerror,
}
_QUICK = re.compile(
    r"cannot import name|No module named|has no attribute|unexpected keyword argument|required (?:positional|keyword)"
    r"|positional arguments? but|is not defined|KeyError: '"
)


def diagnose(
    lines: list[str], text: str, versions: dict[str, str] | None = None, limit: int = 3
) -> list[Verdict]:
    """The verdicts for the name errors in the (cleaned) lines, the first error first; [] when there are none."""
    if not _QUICK.search(text):
        return []
    ix = api_index()
    versions = versions or {}
    out: list[Verdict] = []
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if not line or len(line) > 2000 or not _QUICK.search(line):
            continue
        # a message wrapped over two or three lines (a rich panel, a terminal's width): read it joined
        joined = [line, *(" ".join(lines[i : i + k]) for k in (2, 3) if i + k <= len(lines))]
        for shape, regex in _SHAPES:
            m = next((m for m in map(regex.search, joined) if m), None)
            if not m:
                continue
            key = shape + ":" + m.group(0)
            if key in seen:
                break
            seen.add(key)
            if shape == "module":
                verdict = _on_module(ix, m["module"], text, versions, line, i)
            else:
                verdict = _HANDLERS[shape](ix, m, text, versions, line, i, lines)
            if verdict is not None:
                out.append(verdict)
            break
        if len(out) >= limit:
            break
    return out
