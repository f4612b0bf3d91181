"""The versions a file's own project pins (requirements*.txt, pyproject.toml, setup.py), for version-dependent rules.

A rule whose outcome depends on the transformers or peft release (a ValueError since transformers 4.38, a helper
peft removed in 0.10) names the releases that the code's pins reach, not only the installed one. The nearest
folder above the file (up to the linted root) with a packaging file that mentions the package decides; no pin
anywhere means every release is reachable, the newest included.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

TRACKED = ("transformers", "peft")
_REQ_FILES = ("requirements*.txt", "requirements/*.txt", "requirements*.in")
_SETUP_STRING = re.compile(r"""(?<!name=)["']((?:transformers|peft)\b[^"']*)["']""")
_SETUP_NAME = re.compile(r"""\bname\s*=\s*["']([A-Za-z0-9_.-]+)["']""")


@dataclass(frozen=True)
class Pin:
    package: str
    spec: SpecifierSet
    source: str  # the file the pin was read from, or "" when nothing pins the package
    itself: bool = (
        False  # the code is the package (peft's own sources): its release is not a pin, so no rule judges
    )

    def text(self) -> str:
        if self.itself:
            return f"{self.package} itself ({_short(self.source)})"
        if not self.source:
            return f"{self.package} unpinned"
        return f"{self.package}{self.spec or ' (any version)'} ({_short(self.source)})"

    def reaches(self, low: str, high: str | None = None) -> bool:
        """Whether some release in [low, high) satisfies the pin (tested on each minor series' .0 and .9)."""
        if self.itself:
            return False
        return any(self.spec.contains(v, prereleases=True) for v in _probe(low, high))


def _short(source: str) -> str:
    """A pin's file as the user would name it: relative to the working folder when inside it."""
    try:
        return str(Path(source).resolve().relative_to(Path.cwd()))
    except ValueError:
        return source


@dataclass(frozen=True)
class Pins:
    pins: dict[str, Pin] = field(default_factory=dict)

    def get(self, package: str) -> Pin:
        return self.pins.get(package) or Pin(package, SpecifierSet(), "")


#: Release points probed for "does the pin reach [low, high)": every minor release in the families that matter.
_SERIES = (
    [f"4.{m}.0" for m in range(20, 58)]
    + [f"5.{m}.0" for m in range(0, 40)]
    + [f"0.{m}.0" for m in range(1, 40)]
    + ["1.0.0", "2.0.0"]
)


def _probe(low: str, high: str | None) -> Iterable[str]:
    lo, hi = Version(low), Version(high) if high else None
    for v in _SERIES:
        ver = Version(v)
        if ver >= lo and (hi is None or ver < hi):
            yield v
            # patch releases inside a minor series matter for `<4.38.2`-style pins
            yield f"{ver.major}.{ver.minor}.9"


def _requirements(lines: Iterable[str]) -> dict[str, SpecifierSet]:
    found: dict[str, SpecifierSet] = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        name = req.name.lower().replace("_", "-")
        if name in TRACKED:
            found[name] = found.get(name, SpecifierSet()) & req.specifier
    return found


def _from_pyproject(path: Path) -> dict[str, SpecifierSet]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    project = data.get("project", {})
    lines = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
    for name, spec in poetry.items():
        if isinstance(spec, str) and name.lower() in TRACKED:
            lines.append(f"{name}{'' if spec == '*' else spec.replace('^', '>=')}")
    return _requirements(x for x in lines if isinstance(x, str))


def _pkg_info(path: Path) -> tuple[str | None, list[str]]:
    """An sdist's PKG-INFO: its Name and the Requires-Dist lines (what setup.py computed from files not shipped)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, []
    name = next((line[5:].strip() for line in text.splitlines() if line.startswith("Name:")), None)
    return name, [
        line[len("Requires-Dist:") :].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:")
    ]


@lru_cache(maxsize=4096)
def _folder_pins(folder: Path) -> tuple[tuple[str, SpecifierSet, str, bool], ...]:
    found: dict[str, tuple[SpecifierSet, str]] = {}
    own: set[str] = set()

    def add(specs: dict[str, SpecifierSet], source: Path) -> None:
        for name, spec in specs.items():
            old = found.get(name)
            found[name] = ((old[0] & spec) if old else spec, old[1] if old else str(source))

    for pattern in _REQ_FILES:
        for path in sorted(folder.glob(pattern)):
            try:
                add(_requirements(path.read_text(encoding="utf-8", errors="replace").splitlines()), path)
            except OSError:
                continue
    if (folder / "pyproject.toml").is_file():
        add(_from_pyproject(folder / "pyproject.toml"), folder / "pyproject.toml")
    if (folder / "setup.py").is_file():
        try:
            text = (folder / "setup.py").read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        add(_requirements(_SETUP_STRING.findall(text)), folder / "setup.py")
        own.update(m.lower() for m in _SETUP_NAME.findall(text))
    if (folder / "PKG-INFO").is_file():
        name, requires = _pkg_info(folder / "PKG-INFO")
        if name:
            own.add(name.lower())
        if not found:  # an sdist whose requirement files were not shipped
            add(_requirements(r.split(";")[0] for r in requires), folder / "PKG-INFO")
    if (folder / "pyproject.toml").is_file():
        try:
            name = (
                tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8", errors="replace"))
                .get("project", {})
                .get("name")
            )
        except (OSError, tomllib.TOMLDecodeError):
            name = None
        if isinstance(name, str):
            own.add(name.lower())
    rows = [(name, spec, source, False) for name, (spec, source) in found.items() if name not in own]
    source = str(folder / ("setup.py" if (folder / "setup.py").is_file() else "pyproject.toml"))
    rows += [(name, SpecifierSet(), source, True) for name in sorted(own & set(TRACKED))]
    return tuple(rows)


def pins_for(path: Path, root: Path | None = None) -> Pins:
    """The pins that apply to `path`: for each package, the nearest folder (not above `root`) that mentions it."""
    folder = path.resolve().parent
    stop = root.resolve() if root is not None else None
    found: dict[str, Pin] = {}
    for candidate in [folder, *folder.parents]:
        for name, spec, source, itself in _folder_pins(candidate):
            found.setdefault(name, Pin(name, spec, source, itself))
        if candidate == stop or (candidate / ".git").exists():
            break
    return Pins(found)
