"""How a bitsandbytes release picks its native library, derived from its own Python source with regular expressions.

Used by scripts/gen_release_tables.py on every released wheel, and by the native probe on an installed
bitsandbytes the tables do not know (a newer or a source build), so that no release is judged by another's logic.
Every derived field carries the file and line it was read from (`evidence`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

SOURCE_FILES = (
    "bitsandbytes/cextension.py",
    "bitsandbytes/cuda_setup/main.py",
    "bitsandbytes/cuda_specs.py",
    "bitsandbytes/consts.py",
    "bitsandbytes/__init__.py",
)


def find(
    sources: dict[str, str], pattern: str, files: Iterable[str] | None = None, flags: int = 0
) -> str | None:
    """'file:line' of the first match of `pattern` in the given files (all by default), else None."""
    regex = re.compile(pattern, flags)
    for file in files or sources:
        text = sources.get(file)
        if text is None:
            continue
        m = regex.search(text)
        if m:
            return f"{file}:{text.count(chr(10), 0, m.start()) + 1}"
    return None


def _which(sources: dict[str, str], patterns: dict[str, str]) -> tuple[str, str] | None:
    """The first value of `patterns` (value -> regular expression) whose expression is found, and where."""
    for value, pattern in patterns.items():
        where = find(sources, pattern)
        if where:
            return value, where
    return None


def snippet(sources: dict[str, str], pattern: str, files: Iterable[str] | None = None) -> str | None:
    regex = re.compile(pattern, re.S)
    for file in files or sources:
        m = regex.search(sources.get(file, ""))
        if m:
            return m.group(1) if m.groups() else m.group(0)
    return None


def analyse_selection(sources: dict[str, str], backends: list[str]) -> dict[str, Any]:
    """How a release picks its native library, derived from its own source with regular expressions."""
    ev: dict[str, str | None] = {}
    sel: dict[str, Any] = {}
    setup = (
        "bitsandbytes/cuda_setup/main.py"
        if "bitsandbytes/cuda_setup/main.py" in sources
        else "bitsandbytes/cextension.py"
    )
    sel["selection_file"] = setup
    # where the CUDA version in the library name comes from
    cudart = find(sources, r"cudaRuntimeGetVersion", [setup])
    torch_cuda = find(sources, r"torch\.version\.cuda", [setup, "bitsandbytes/cuda_specs.py"])
    if cudart:
        sel["cuda_version_from"], ev["cuda_version_from"] = "libcudart", cudart
    elif torch_cuda:
        sel["cuda_version_from"], ev["cuda_version_from"] = "torch", torch_cuda
    else:
        sel["cuda_version_from"] = None
    # how the version becomes the digits of the file name: "12.9" -> "129" either way, ROCm "7.12" -> "712" or "82"
    sum_form = find(sources, r"\{major \* 10 \+ minor\}", ["bitsandbytes/cuda_specs.py", setup])
    concat = find(sources, r"\{major\}\{minor\}", ["bitsandbytes/cuda_specs.py", setup])
    sel["version_digits"] = "major*10+minor" if sum_form else "major_minor" if concat else None
    ev["version_digits"] = sum_form or concat
    # exact or nearest matching
    nearest = find(sources, r"v\[0\]\s*==\s*runtime_version\[0\]\s*and\s*v\s*<\s*runtime_version")
    if nearest:
        sel["cuda_match"], ev["cuda_match"] = "nearest_same_major", nearest
        lower_first = find(sources, r"if lower:\s*\n\s*selected = max\(lower\)")
        sel["nearest_order"] = "newest_lower_then_oldest_higher" if lower_first else None
        ev["nearest_order"] = lower_first
    else:
        exact = find(sources, r"libbitsandbytes_(?:\{prefix\}|cuda)\{(?:cuda_specs\.)?cuda_version_string\}")
        sel["cuda_match"], ev["cuda_match"] = ("exact", exact) if exact else (None, None)
        sel["nearest_order"] = None
    # the _nocublaslt library below compute capability 7.5
    nocublaslt = find(sources, r"_nocublaslt", [setup, "bitsandbytes/cextension.py"])
    threshold = find(
        sources,
        r"highest_compute_capability\s*>=\s*\(7,\s*5\)|int\(cc_major\)\s*<\s*7\s*or\s*\(int\(cc_major\)\s*==\s*7\s*and\s*int\(cc_minor\)\s*<\s*5\)",
    )
    sel["nocublaslt_below"] = [7, 5] if nocublaslt and threshold else None
    ev["nocublaslt_below"] = nocublaslt
    ev["nocublaslt_threshold"] = threshold if nocublaslt else None
    # which GPU's compute capability decides it
    chosen = _which(
        sources,
        {"highest": r"sorted\(torch\.cuda\.get_device_capability", "last_device": r"ccs\[-1\]"},
    )
    if chosen:
        sel["capability_of"], ev["capability_of"] = chosen
    else:
        sel["capability_of"] = None
    # the file suffix: per platform (consts.DYNAMIC_LIBRARY_SUFFIX) or .so everywhere
    platform_suffix = find(sources, r"DYNAMIC_LIBRARY_SUFFIX\s*=\s*\{", ["bitsandbytes/consts.py", setup])
    sel["suffix_per_platform"], ev["suffix_per_platform"] = (
        bool(platform_suffix),
        platform_suffix or find(sources, r"libbitsandbytes_cpu\.so"),
    )
    # BNB_CUDA_VERSION
    override = find(sources, r"BNB_CUDA_VERSION", [setup, "bitsandbytes/cextension.py"])
    if override:
        o: dict[str, Any] = {"variable": "BNB_CUDA_VERSION"}
        # how the override builds the file name (modes emulated by bnbdoctor.releases.override_library)
        chosen = _which(
            sources,
            {
                "replace_last_6_chars": r"binary_name\[:-6\]\s*\+",
                "strip_trailing_digits": r"rstrip\(\"0123456789\"\)",
                "replace_cuda_digits": r're\.sub\(r?"cuda\\d\+"',
                "names_library": r'library_name = f"libbitsandbytes_\{prefix\}\{override_value\}',
            },
        )
        if chosen:
            o["mode"], ev["override_mode"] = chosen
        else:
            o["mode"] = None
        empty = find(
            sources,
            r"if override_value:|if not override_value:|len\(os\.environ\['BNB_CUDA_VERSION'\]\)\s*>\s*0",
        )
        o["empty_is_unset"], ev["override_empty"] = (
            (True, empty) if empty else (False, find(sources, r"override_value is not None"))
        )
        digits = find(sources, r"if not override_value\.isdigit\(\)")
        o["digits_required"], ev["override_digits"] = bool(digits), digits
        rocm_error = find(sources, r"BNB_CUDA_VERSION=\{override_value\} detected for ROCm")
        rocm_var = find(sources, r'"BNB_ROCM_VERSION"')
        o["rocm"] = "raises" if rocm_error else "BNB_ROCM_VERSION" if rocm_var else "ignored"
        ev["override_rocm"] = rocm_error or rocm_var
        sel["override"], ev["override"] = o, override
    else:
        sel["override"] = None
    # what happens when the chosen library is not in the package
    if find(
        sources,
        r"raise RuntimeError\(\s*'''\s*CUDA Setup failed despite GPU being available",
        ["bitsandbytes/cextension.py"],
    ):
        sel["on_missing"] = "import_error"
        ev["on_missing"] = find(
            sources, r"CUDA Setup failed despite GPU being available", ["bitsandbytes/cextension.py"]
        )
        sel["missing_message"] = (
            "CUDA Setup failed despite GPU being available. Please run the following command to get more information: python -m bitsandbytes"
        )
    elif find(sources, r"Could not find the bitsandbytes CUDA binary"):
        sel["on_missing"], ev["on_missing"] = (
            "cpu_fallback",
            find(sources, r"Could not find the bitsandbytes CUDA binary"),
        )
        sel["missing_message"] = "Could not find the bitsandbytes CUDA binary at <path>"
    else:
        raised = snippet(
            sources,
            r'raise RuntimeError\(f"((?:Configured|No compatible) [^"]*binary[^"]*)"\)',
            ["bitsandbytes/cextension.py"],
        )
        if raised and find(sources, r"ErrorHandlerMockBNBNativeLibrary\(", ["bitsandbytes/cextension.py"]):
            sel["on_missing"] = "error_on_first_call"
            ev["on_missing"] = find(
                sources,
                r'raise RuntimeError\(f"(?:Configured|No compatible) [^"]*binary',
                ["bitsandbytes/cextension.py"],
            )
            sel["missing_message"] = raised.replace("{BNB_BACKEND}", "CUDA").replace(
                "{cuda_binary_path}", "<path>"
            )
        else:
            sel["on_missing"], sel["missing_message"] = None, None
    # other backends
    rocm = find(sources, r'"rocm" if (?:torch\.version\.hip|is_hip)')
    sel["rocm_libraries"], ev["rocm_libraries"] = bool(rocm), rocm
    xpu = find(sources, r"get_xpu_bnb_library_path|libbitsandbytes_xpu", ["bitsandbytes/cextension.py"])
    sel["xpu_library"], ev["xpu_library"] = bool(xpu), xpu
    cpu = find(sources, r"libbitsandbytes_cpu", [setup, "bitsandbytes/cextension.py"])
    sel["cpu_library_without_gpu"], ev["cpu_library_without_gpu"] = bool(cpu), cpu
    sel["backends"] = backends
    sel["evidence"] = {k: v for k, v in ev.items() if v}
    return sel
