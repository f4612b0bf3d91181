"""Regenerate the release tables in src/bnbdoctor/releases/ from the real wheels of bitsandbytes and transformers.

What it does, per bitsandbytes release from 0.37 on (the list comes from `pip index versions bitsandbytes`):
  1. `pip download --no-deps --only-binary=:all:` the wheel pip would pick for Linux x86-64, Linux aarch64,
     Windows x86-64 and macOS arm64 (`--platform` tags) into the cache folder (pip skips files already there);
     a platform pip finds nothing for is recorded as having no wheel.
  2. Reads each wheel straight from the zip: its tags (platform, glibc), METADATA (Requires-Dist,
     Requires-Python), every libbitsandbytes_* file and, with bnbdoctor's own fat binary reader
     (src/bnbdoctor/native/: ELF and PE), the SASS and PTX architectures in each (a library is copied to a
     temporary file because the reader seeks by path).
  3. Reads the release's own Python source (cextension.py, cuda_setup/main.py, cuda_specs.py, consts.py,
     backends/) and derives, with regular expressions over that source, how the release picks its library:
     where the CUDA version comes from, exact or nearest matching, `_nocublaslt` below compute capability 7.5,
     what BNB_CUDA_VERSION does, what happens when the library is missing. Every derived field carries the
     file and line it was read from (`evidence`).
Per transformers release from 4.30 on (the last patch of every minor): the smallest bitsandbytes its 4-bit and
8-bit quantizers accept, read from the wheel's source with `ast`, with the file and function of the check.
The CUDA driver table (cuda.json) is hand-kept in this script with its source named (NVIDIA's release notes).

Usage (rerunnable; a second run only re-reads what changed, analyses are cached beside the wheels):
    python scripts/gen_release_tables.py                 # download what is missing, analyse, write JSON
    python scripts/gen_release_tables.py --offline       # use only the wheels already in the cache
    python scripts/gen_release_tables.py --bnb-cache /work/cache/bnb --tf-cache /work/cache/transformers
    python scripts/gen_release_tables.py --index-only    # only rewrite bitsandbytes-index.json for the table
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from packaging.version import Version  # noqa: E402

from bnbdoctor.native.elf import FormatError, glibc_needed, read_elf  # noqa: E402
from bnbdoctor.native.fatbin import read_fatbin  # noqa: E402
from bnbdoctor.native.pe import read_pe  # noqa: E402
from bnbdoctor.releases.derive import SOURCE_FILES, analyse_selection  # noqa: E402

OUT = ROOT / "src" / "bnbdoctor" / "releases"
#: Bump when the analysis of a wheel changes, so cached analyses are redone.
ANALYSIS_VERSION = 5

#: Our platform keys -> pip --platform tags (pip expands macosx tags to older versions itself, not manylinux).
PLATFORMS: dict[str, list[str]] = {
    # every manylinux_2_17 .. 2_39 tag: pip does not expand manylinux_2_X tags to older glibc versions itself
    "linux-x86_64": [f"manylinux_2_{n}_x86_64" for n in range(39, 16, -1)]
    + ["manylinux2014_x86_64", "linux_x86_64"],
    "linux-aarch64": [f"manylinux_2_{n}_aarch64" for n in range(39, 16, -1)]
    + ["manylinux2014_aarch64", "linux_aarch64"],
    "windows-x86_64": ["win_amd64"],
    "macos-arm64": ["macosx_15_0_arm64"],
}
FIRST_BNB = Version("0.37.0")
FIRST_TRANSFORMERS = Version("4.30.0")


def run_pip(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=900)


def index_versions(package: str) -> list[str]:
    """Every version on the index, newest first (`pip index versions`)."""
    done = run_pip(["index", "versions", package])
    match = re.search(r"Available versions: (.+)", done.stdout)
    if done.returncode != 0 or not match:
        raise SystemExit(f"pip index versions {package} failed: {done.stderr.strip()[-300:]}")
    return [v.strip() for v in match.group(1).split(",")]


def download(package: str, version: str, cache: Path, platform: str | None) -> bool:
    args = ["download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(cache), f"{package}=={version}"]
    if platform is not None:
        args += ["--python-version", "3.11"]
        for tag in PLATFORMS[platform]:
            args += ["--platform", tag]
    return run_pip(args).returncode == 0


# ---------------------------------------------------------------------------------------------- wheel tags


def wheel_tags(filename: str) -> dict[str, Any]:
    """name-version(-build)?-python-abi-platform.whl -> its tags, and the glibc a manylinux tag demands."""
    parts = filename[: -len(".whl")].split("-")
    python, abi, platform = parts[-3], parts[-2], parts[-1]
    glibc = None
    for tag in platform.split("."):
        m = re.match(r"manylinux_(\d+)_(\d+)_", tag)
        legacy = {"manylinux1": "2.5", "manylinux2010": "2.12", "manylinux2014": "2.17"}
        if m:
            glibc = f"{m.group(1)}.{m.group(2)}"
        elif tag.split("_")[0] in legacy:
            glibc = legacy[tag.split("_")[0]]
    return {"python": python, "abi": abi, "platform": platform, "glibc": glibc}


def fits(platform_tag: str, platform: str) -> bool:
    """Does a wheel's platform tag serve one of our platforms (an `any` wheel serves all)?"""
    if platform_tag == "any":
        return True
    tags = platform_tag.split(".")
    if platform == "linux-x86_64":
        return any(t.endswith("_x86_64") and "linux" in t for t in tags)
    if platform == "linux-aarch64":
        return any(t.endswith("_aarch64") and "linux" in t for t in tags)
    if platform == "windows-x86_64":
        return "win_amd64" in tags
    if platform == "macos-arm64":
        return any(
            t.startswith("macosx") and (t.endswith("_arm64") or t.endswith("_universal2")) for t in tags
        )
    return False


def pick_wheel(wheels: list[Path], platform: str) -> Path | None:
    """The wheel pip installs on a platform: a platform wheel before an `any` wheel."""
    specific = [
        w
        for w in wheels
        if wheel_tags(w.name)["platform"] != "any" and fits(wheel_tags(w.name)["platform"], platform)
    ]
    if specific:
        return sorted(specific)[-1]
    generic = [w for w in wheels if wheel_tags(w.name)["platform"] == "any"]
    return generic[0] if generic else None


# ---------------------------------------------------------------------------------------------- libraries

_LIB = re.compile(r"^bitsandbytes/(libbitsandbytes_[A-Za-z0-9_]+)\.(so|dll|dylib)$")
_ELF_MACHINES = {62: "x86_64", 183: "aarch64", 21: "ppc64"}


def library_kind(stem: str) -> dict[str, Any]:
    """What the file name says: backend, CUDA/ROCm version, the _nocublaslt variant."""
    rest = stem[len("libbitsandbytes_") :]
    m = re.match(r"(cuda|rocm|xpu)(\d*)(.*)$", rest)
    if not m:
        return {"backend": rest, "version": None, "nocublaslt": False}
    backend, digits, tail = m.groups()
    version = None
    if digits and backend == "cuda" and len(digits) >= 3:
        version = f"{int(digits[:2])}.{int(digits[2:])}"
    elif digits and backend == "cuda":
        version = f"{digits[:-1]}.{digits[-1]}"  # cuda92 -> 9.2 in the oldest wheels
    elif digits and backend == "rocm":
        version = f"{digits[:1]}.{digits[1:]}"
    elif digits:
        version = digits
    return {"backend": backend, "version": version, "nocublaslt": "nocublaslt" in tail}


def read_library(data: bytes, suffix: str) -> dict[str, Any]:
    """Format, machine and GPU code of one library, read with bnbdoctor's readers from a temporary copy."""
    info: dict[str, Any] = {"size": len(data)}
    if data[:4] == b"\x7fELF":
        info["format"] = "elf"
    elif data[:2] == b"MZ":
        info["format"] = "pe"
    elif data[:4] in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\xbe\xba\xfe\xca"):
        info["format"] = "macho"
        info["gpu_code"] = "none: a Mach-O library (macOS has no CUDA)"
        return info
    else:
        info["format"] = "unknown"
        return info
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            header = read_elf(tmp.name) if info["format"] == "elf" else read_pe(tmp.name)
            machine = header.machine
            info["machine"] = (
                _ELF_MACHINES if info["format"] == "elf" else {0x8664: "x86_64", 0xAA64: "arm64"}
            ).get(machine, str(machine))
            if info["format"] == "elf":
                info["needed"] = list(header.needed)  # type: ignore[union-attr]
                # what the loader demands of the C and C++ runtimes, whatever the manylinux tag says
                glibc = glibc_needed(header)  # type: ignore[arg-type]
                glibcxx = glibc_needed(header, "GLIBCXX_")  # type: ignore[arg-type]
                info["glibc"] = ".".join(map(str, glibc)) if glibc else None
                info["glibcxx"] = ".".join(map(str, glibcxx)) if glibcxx else None
            fat = read_fatbin(tmp.name, header)
            info["sass"] = [a.sass() for a in fat.sass]
            info["ptx"] = [a.ptx() for a in fat.ptx]
        except FormatError as exc:
            text = str(exc).replace(tmp.name, "<library>")
            if "no .nv_fatb" in text:
                info["sass"], info["ptx"] = [], []
                info["gpu_code"] = "none: no fat binary section"
            else:
                info["error"] = text
    return info


def analyse_wheel(path: Path, cache_dir: Path) -> dict[str, Any]:
    cached = cache_dir / (path.name + ".json")
    if cached.is_file() and cached.stat().st_mtime >= path.stat().st_mtime:
        data = json.loads(cached.read_text())
        if data.get("analysis_version") == ANALYSIS_VERSION:
            return data
    result: dict[str, Any] = {
        "analysis_version": ANALYSIS_VERSION,
        "file": path.name,
        **wheel_tags(path.name),
    }
    libraries: dict[str, Any] = {}
    with zipfile.ZipFile(path) as wheel:
        meta_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        result["metadata"] = metadata(wheel.read(meta_name).decode("utf-8", "replace"))
        for name in sorted(wheel.namelist()):
            m = _LIB.match(name)
            if not m:
                continue
            stem, ext = m.groups()
            libraries[f"{stem}.{ext}"] = {**library_kind(stem), **read_library(wheel.read(name), "." + ext)}
    result["libraries"] = libraries
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(result, indent=1))
    return result


def metadata(text: str) -> dict[str, Any]:
    headers: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line:
            break  # the body; a whitespace-only line folds a blank line into a header (0.45's License)
        if line[0] in " \t":
            continue
        key, sep, value = line.partition(":")
        if sep and key.lower() in ("requires-dist", "requires-python"):
            headers.setdefault(key.lower(), []).append(value.strip())
    requires = headers.get("requires-dist", [])
    torch = [r for r in requires if re.match(r"torch\b", r) and "extra" not in r]
    return {
        "requires_dist": requires,
        "requires_python": (headers.get("requires-python") or [None])[0],
        "torch": torch[0][len("torch") :].strip(" ()") if torch else None,
    }


# ---------------------------------------------------------------------------------------------- selection


def read_sources(path: Path) -> tuple[dict[str, str], list[str]]:
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        sources = {n: wheel.read(n).decode("utf-8", "replace") for n in SOURCE_FILES if n in names}
        backends = sorted(
            {n.split("/")[2] for n in names if n.startswith("bitsandbytes/backends/") and n.count("/") >= 3}
        )
    return sources, backends


# ---------------------------------------------------------------------------------------------- transformers

TF_FILES = {
    "4bit": ("transformers/quantizers/quantizer_bnb_4bit.py", "validate_environment"),
    "8bit": ("transformers/quantizers/quantizer_bnb_8bit.py", "validate_environment"),
}
TF_LEGACY = ("transformers/modeling_utils.py", "from_pretrained")
TF_IMPORT_UTILS = "transformers/utils/import_utils.py"


def _bnb_version_compare(node: ast.AST, names: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """(operator, version) when `node` compares the installed bitsandbytes version with a constant."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id in names:
            return names[sub.id]
        if isinstance(sub, ast.Compare) and len(sub.ops) == 1 and "bitsandbytes" in ast.unparse(sub.left):
            right = sub.comparators[0]
            consts = [
                c.value for c in ast.walk(right) if isinstance(c, ast.Constant) and isinstance(c.value, str)
            ]
            if consts and re.match(r"^\d+\.\d+", consts[0]):
                return type(sub.ops[0]).__name__, consts[0]
    return None


def _raises_directly(body: list[ast.stmt]) -> bool:
    return any(isinstance(s, ast.Raise) for s in body)


def version_checks(source: str, function: str, mode_filter: str | None) -> list[dict[str, Any]]:
    """Checks in `function` that raise when the installed bitsandbytes is older than a constant."""
    tree = ast.parse(source)
    found: list[dict[str, Any]] = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef) or fn.name != function:
            continue
        names: dict[str, tuple[str, str]] = {}
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                compare = _bnb_version_compare(node.value, {})
                if compare:
                    names[node.targets[0].id] = compare

        def visit(
            stmts: list[ast.stmt], conditions: list[str], names: dict[str, tuple[str, str]] = names
        ) -> None:
            for stmt in stmts:
                if isinstance(stmt, ast.If):
                    test = ast.unparse(stmt.test)
                    compare = _bnb_version_compare(stmt.test, names)
                    if compare and not (mode_filter and ("load_in_" in test and mode_filter not in test)):
                        direct = _raises_directly(stmt.body)
                        nested = [
                            ast.unparse(s.test)
                            for s in stmt.body
                            if isinstance(s, ast.If) and _raises_directly(s.body)
                        ]
                        if direct or nested:
                            op, version = compare
                            # `installed < X: raise` and `not (installed >= X): raise` both make X the floor
                            if op in ("Lt", "GtE", "Gt"):
                                found.append(
                                    {
                                        "version": version,
                                        "line": stmt.lineno,
                                        "function": function,
                                        "condition": " and ".join(conditions + ([] if direct else nested))
                                        or None,
                                    }
                                )
                    # an enclosing `if load_in_8bit or load_in_4bit:` only says a bitsandbytes mode was asked for
                    inner = conditions if "load_in_" in test and compare is None else [*conditions, test]
                    visit(stmt.body, inner)
                    visit(stmt.orelse, [*conditions, f"not ({test})"])
                elif isinstance(stmt, (ast.For, ast.While, ast.With, ast.Try)):
                    for field in ("body", "orelse", "finalbody", "handlers"):
                        inner = getattr(stmt, field, [])
                        for item in inner:
                            visit(
                                getattr(item, "body", [item])
                                if isinstance(item, ast.ExceptHandler)
                                else [item],
                                conditions,
                            )

        visit(fn.body, [])
    return found


def transformers_minimums(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())

        def text(name: str) -> str | None:
            return wheel.read(name).decode("utf-8", "replace") if name in names else None

        result: dict[str, Any] = {}
        import_utils = text(TF_IMPORT_UTILS) or ""
        constant = re.search(r'^BITSANDBYTES_MIN_VERSION\s*=\s*"([^"]+)"', import_utils, re.M)
        gate = re.search(
            r"def is_bitsandbytes_available\(min_version[^)]*BITSANDBYTES_MIN_VERSION", import_utils
        )
        for mode, (file, function) in TF_FILES.items():
            source = text(file)
            checks: list[dict[str, Any]] = []
            where_file = file
            if source is not None:
                checks = version_checks(source, function, None)
                if constant and gate and "is_bitsandbytes_available()" in source:
                    line = source[: source.index("is_bitsandbytes_available()")].count("\n") + 1
                    checks.append(
                        {
                            "version": constant.group(1),
                            "line": line,
                            "function": function,
                            "condition": None,
                            "via": f"{TF_IMPORT_UTILS}: BITSANDBYTES_MIN_VERSION in is_bitsandbytes_available()",
                        }
                    )
            else:
                legacy = text(TF_LEGACY[0])
                where_file = TF_LEGACY[0]
                if legacy is not None:
                    checks = version_checks(legacy, TF_LEGACY[1], "load_in_" + mode)
                else:
                    where_file = None  # neither file: the release's checks are not known
            unconditional = [c for c in checks if c["condition"] is None]
            floor = max(unconditional, key=lambda c: Version(c["version"])) if unconditional else None
            result[mode] = {
                "known": where_file is not None,
                "minimum": floor["version"] if floor else None,  # None with known: no version floor at all
                "file": where_file,
                "function": floor["function"]
                if floor
                else (TF_FILES[mode][1] if where_file == file else TF_LEGACY[1]),
                "line": floor["line"] if floor else None,
                "via": floor.get("via") if floor else None,
                "conditional": [c for c in checks if c["condition"] is not None],
            }
        # accelerate: the 4-bit path's is_accelerate_available() and the constant it defaults to
        acc_constant = re.search(r'^ACCELERATE_MIN_VERSION\s*=\s*"([^"]+)"', import_utils, re.M)
        acc_gate = re.search(
            r"def is_accelerate_available\(min_version[^)=]*=\s*ACCELERATE_MIN_VERSION", import_utils
        )
        # 4.36: the default is a literal, `def is_accelerate_available(min_version: str = "0.21.0")`
        acc_literal = re.search(r'def is_accelerate_available\(min_version[^)=]*=\s*"([^"]+)"', import_utils)
        if acc_literal and not acc_gate:
            acc_constant, acc_gate = acc_literal, acc_literal
        file = TF_FILES["4bit"][0] if text(TF_FILES["4bit"][0]) is not None else TF_LEGACY[0]
        source = text(file) or ""
        # the check on the bitsandbytes path (modeling_utils also calls it at import, for other reasons)
        call = source.find("is_accelerate_available() and is_bitsandbytes_available()")
        call = call if call >= 0 else source.find("is_accelerate_available()")
        result["accelerate"] = {
            "known": call >= 0,
            "minimum": acc_constant.group(1) if call >= 0 and acc_constant and acc_gate else None,
            "file": file,
            "function": TF_FILES["4bit"][1] if file == TF_FILES["4bit"][0] else TF_LEGACY[1],
            "line": source[:call].count("\n") + 1 if call >= 0 else None,
            "via": f"{TF_IMPORT_UTILS}: the default min_version of is_accelerate_available()"
            if acc_constant and acc_gate
            else None,
            "conditional": [],
        }
    return result


# ---------------------------------------------------------------------------------------------- CUDA drivers

#: NVIDIA CUDA Toolkit release notes, Table 3 "CUDA Toolkit and Corresponding Driver Versions" (GA release of
#: each minor; https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/index.html#id6), hand-copied. The 11.x
#: rows were cross-checked against copies of the table (search of 2026-11-30); the Linux 12.x/13.0 rows equal
#: the table bnbdoctor already used (rules/driver.py). None: not recorded (CUDA 13.x no longer lists a Windows
#: driver in that table; the 13.1+ rows were not verified here).
CUDA_DRIVERS: dict[str, tuple[str | None, str | None]] = {
    "11.0": ("450.51.05", "451.48"),
    "11.1": ("455.23", "456.38"),
    "11.2": ("460.27.03", "460.82"),
    "11.3": ("465.19.01", "465.89"),
    "11.4": ("470.42.01", "471.11"),
    "11.5": ("495.29.05", "496.04"),
    "11.6": ("510.39.01", "511.23"),
    "11.7": ("515.43.04", "516.01"),
    "11.8": ("520.61.05", "520.06"),
    "12.0": ("525.60.13", "527.41"),
    "12.1": ("530.30.02", "531.14"),
    "12.2": ("535.54.03", "536.25"),
    "12.3": ("545.23.06", "545.84"),
    "12.4": ("550.54.14", "551.61"),
    "12.5": ("555.42.02", "555.85"),
    "12.6": ("560.28.03", "560.76"),
    "12.8": ("570.26", "570.65"),
    "12.9": ("575.51.03", "576.02"),
    "13.0": ("580.65.06", None),
}
#: Table 2 "CUDA Toolkit and Minimum Required Driver Version for CUDA Minor Version Compatibility": a runtime of
#: this major runs on this driver or newer, except for features that need the newer driver (PTX JIT of newer PTX).
CUDA_MINOR_COMPAT: dict[str, tuple[str | None, str | None]] = {
    "11": ("450.80.02", "452.39"),
    "12": ("525.60.13", "527.41"),
    "13": ("580.65.06", None),
}


def cuda_table() -> dict[str, Any]:
    return {
        "source": "NVIDIA CUDA Toolkit release notes: Table 3 'CUDA Toolkit and Corresponding Driver Versions' and "
        "Table 2 'CUDA Toolkit and Minimum Required Driver Version for CUDA Minor Version Compatibility'",
        "url": "https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/index.html",
        "note": "hand-copied in scripts/gen_release_tables.py; GA release of each minor; null: not recorded",
        "toolkit_driver": {k: {"linux": v[0], "windows": v[1]} for k, v in CUDA_DRIVERS.items()},
        "minor_version_compat": {k: {"linux": v[0], "windows": v[1]} for k, v in CUDA_MINOR_COMPAT.items()},
    }


# ---------------------------------------------------------------------------------------------- main


def first_and_last_patches(versions: list[str], first: Version) -> list[str]:
    """The oldest and the newest final release of every minor from `first` on (4.36.0 and 4.36.2): a patch between
    them is judged by the table's newest patch of its minor, and the finding says so."""
    chosen: dict[tuple[int, int], list[Version]] = {}
    for text in versions:
        try:
            v = Version(text)
        except ValueError:
            continue
        if v < first or v.is_prerelease or v.is_devrelease:
            continue
        chosen.setdefault((v.major, v.minor), []).append(v)
    return [str(v) for _, vs in sorted(chosen.items()) for v in sorted({min(vs), max(vs)})]


def bnb_tables(cache: Path, offline: bool) -> dict[str, Any]:
    cache.mkdir(parents=True, exist_ok=True)
    if offline:
        versions = sorted(
            {p.name.split("-")[1] for p in cache.glob("bitsandbytes-*.whl")}, key=Version, reverse=True
        )
    else:
        versions = index_versions("bitsandbytes")
    versions = [v for v in versions if Version(v) >= FIRST_BNB and not Version(v).is_prerelease]
    releases: dict[str, Any] = {}
    for version in sorted(versions, key=Version):
        if not offline:
            for platform in PLATFORMS:
                download("bitsandbytes", version, cache, platform)
        wheels = sorted(cache.glob(f"bitsandbytes-{version}-*.whl"))
        if not wheels:
            print(f"bitsandbytes {version}: no wheel", file=sys.stderr)
            continue
        analysed = {w.name: analyse_wheel(w, cache / "analysis") for w in wheels}
        platforms = {p: (w.name if (w := pick_wheel(wheels, p)) else None) for p in PLATFORMS}
        source_wheel = next((w for w in wheels if platforms["linux-x86_64"] == w.name), wheels[0])
        sources, backends = read_sources(source_wheel)
        first = analysed[source_wheel.name]
        releases[version] = {
            "requires_python": first["metadata"]["requires_python"],
            "requires_dist": first["metadata"]["requires_dist"],
            "torch": first["metadata"]["torch"],
            "platforms": platforms,
            "wheels": {
                name: {k: a[k] for k in ("python", "abi", "platform", "glibc", "libraries")}
                for name, a in analysed.items()
                if name in platforms.values()
            },
            "selection": {"source_wheel": source_wheel.name, **analyse_selection(sources, backends)},
        }
        print(
            f"bitsandbytes {version}: "
            + ", ".join(f"{p}={'yes' if n else 'none'}" for p, n in platforms.items()),
            file=sys.stderr,
        )
    return releases


def tf_tables(cache: Path, offline: bool) -> dict[str, Any]:
    cache.mkdir(parents=True, exist_ok=True)
    if offline:
        versions = sorted({p.name.split("-")[1] for p in cache.glob("transformers-*.whl")}, key=Version)
    else:
        versions = index_versions("transformers")
    chosen = first_and_last_patches(versions, FIRST_TRANSFORMERS)
    releases: dict[str, Any] = {}
    for version in chosen:
        wheel = next(iter(cache.glob(f"transformers-{version}-*.whl")), None)
        if wheel is None and not offline:
            download("transformers", version, cache, None)
            wheel = next(iter(cache.glob(f"transformers-{version}-*.whl")), None)
        if wheel is None:
            print(f"transformers {version}: no wheel", file=sys.stderr)
            continue
        releases[version] = transformers_minimums(wheel)
    return releases


def bnb_index(table: bytes) -> dict[str, Any]:
    """bitsandbytes-index.json for the bytes of bitsandbytes.json: where each release's entry lies in the file
    ([offset, length] in bytes), so that `check` reads the one release installed instead of the whole table."""
    text = table.decode("utf-8")
    releases = json.loads(text)["releases"]
    decoder = json.JSONDecoder()
    index: dict[str, list[int]] = {}
    at = text.index('"releases": {')
    for version, entry in releases.items():
        key = text.index(json.dumps(version) + ": ", at)
        start = key + len(json.dumps(version) + ": ")
        value, end = decoder.raw_decode(text, start)
        assert value == entry, f"bitsandbytes {version}: the entry found is not the table's"
        offset = len(text[:start].encode("utf-8"))
        index[version] = [offset, len(text[start:end].encode("utf-8"))]
        at = end
    return {
        "generated_by": "scripts/gen_release_tables.py",
        "table": "bitsandbytes.json",
        "table_bytes": len(table),
        "releases": index,
    }


def write_bnb_index(out: Path) -> None:
    index = bnb_index((out / "bitsandbytes.json").read_bytes())
    (out / "bitsandbytes-index.json").write_text(json.dumps(index, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bnb-cache", type=Path, default=Path("/work/cache/bnb"))
    parser.add_argument("--tf-cache", type=Path, default=Path("/work/cache/transformers"))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--offline", action="store_true", help="use only the wheels already in the caches")
    parser.add_argument(
        "--index-only", action="store_true", help="only rewrite bitsandbytes-index.json for bitsandbytes.json"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.index_only:
        write_bnb_index(args.out)
        return
    generated = "scripts/gen_release_tables.py"
    bnb = bnb_tables(args.bnb_cache, args.offline)
    # the selection of each release in a file of its own: the native probe of every `check` reads only that
    selection = {v: r.pop("selection") for v, r in bnb.items()}
    (args.out / "bitsandbytes-selection.json").write_text(
        json.dumps({"generated_by": generated, "releases": selection}, indent=1) + "\n"
    )
    (args.out / "bitsandbytes.json").write_text(
        json.dumps(
            {"generated_by": generated, "platforms": list(PLATFORMS), "releases": bnb},
            indent=1,
            sort_keys=False,
        )
        + "\n"
    )
    write_bnb_index(args.out)
    tf = tf_tables(args.tf_cache, args.offline)
    (args.out / "transformers.json").write_text(
        json.dumps({"generated_by": generated, "releases": tf}, indent=1) + "\n"
    )
    (args.out / "cuda.json").write_text(
        json.dumps({"generated_by": generated, **cuda_table()}, indent=1) + "\n"
    )
    libraries = sum(len(w["libraries"]) for r in bnb.values() for w in r["wheels"].values())
    read = sum(
        1
        for r in bnb.values()
        for w in r["wheels"].values()
        for lib in w["libraries"].values()
        if "sass" in lib
    )
    pairs = sum(1 for r in bnb.values() for n in r["platforms"].values() if n)
    print(
        f"bitsandbytes: {len(bnb)} releases, {pairs} release x platform pairs with a wheel, "
        f"{sum(len(r['wheels']) for r in bnb.values())} wheels, {libraries} libraries ({read} with GPU code read); "
        f"transformers: {len(tf)} releases",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
