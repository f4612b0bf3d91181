"""Mine the CUDA runtime's and driver's error codes from NVIDIA's own wheels: names, numbers, the strings users see.

    python scripts/mine_cuda_status.py [--out src/bnbdoctor/explain/data/cuda_status.json] [--wheels DIR]
        [--check]

Every CUDA error a log can show reaches it in one of three forms: the runtime's string (torch's
`CUDA error: an illegal memory access was encountered`, bitsandbytes' `Error <string> at line N in file ops.cu`),
the enum's name (`cudaErrorNoKernelImageForDevice`, the driver API's `CUDA_ERROR_NO_BINARY_FOR_GPU`) or its number
(`cuda runtime error (209)`, `Error 804: ...`). The three come from one place, so they are taken from it rather than
from reports:

- `include/driver_types.h` of the `nvidia-cuda-runtime-cu11`, `-cu12` and `nvidia-cuda-runtime` (CUDA 13) wheels: the
  `cudaError` enum, every name, its number and NVIDIA's comment on it;
- `include/cuda.h` of the same wheels: the driver API's `CUresult` enum (`CUDA_ERROR_*`), likewise;
- `lib/libcudart.so.*`: what `cudaGetErrorString` returns for each number, asked of the library itself (it answers
  without a GPU or a driver), one child process per wheel so that two runtimes never share a process; a string
  an older runtime worded otherwise is kept as `older_strings` (logs of torch built for CUDA 11 show those).

The table ships as src/bnbdoctor/explain/data/cuda_status.json; what a code means for a bitsandbytes user (its
category) is curated in src/bnbdoctor/explain/cuda_status.py, which cites these comments. `--check` re-mines and
exits 1 when the shipped table differs (tests/explain/test_cuda_status.py runs it when the wheels can be downloaded).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "bnbdoctor" / "explain" / "data" / "cuda_status.json"
#: oldest first: a later wheel's comment or string replaces an earlier one; a code gone from a later one is kept
WHEELS = (
    "nvidia-cuda-runtime-cu11==11.8.89",
    "nvidia-cuda-runtime-cu12==12.9.79",
    "nvidia-cuda-runtime==13.5.37",
)
SCHEMA = 1

_ENTRY = re.compile(
    r"/\*\*(?P<doc>(?:(?!\*/).)*)\*/\s*(?P<name>(?:cudaError|CUDA_ERROR_)\w+)\s*=\s*(?P<value>\d+)", re.S
)


def _doc(raw: str) -> str:
    """NVIDIA's comment as one paragraph: its first two sentences, without the \\note / \\deprecated tails."""
    text = " ".join(line.strip().lstrip("*").strip() for line in raw.splitlines())
    text = re.sub(r"\s+", " ", re.split(r"\\(?:note|deprecated|sa)\b", text)[0]).strip()
    text = text.replace("::", "")
    sentences = re.split(r"(?<=\.)\s+(?=[A-Z])", text)
    return " ".join(sentences[:2])[:400]


def enum_entries(header: str, enum: str) -> list[dict[str, Any]]:
    """The documented members of one C enum of a header: name, number, comment."""
    start = header.index(enum)
    body = header[start : header.index("};", start)]
    return [
        {"name": m["name"], "value": int(m["value"]), "doc": _doc(m["doc"])} for m in _ENTRY.finditer(body)
    ]


_ASK = """
import ctypes, json, sys
lib = ctypes.CDLL(sys.argv[1])
lib.cudaGetErrorString.restype = ctypes.c_char_p
print(json.dumps({v: lib.cudaGetErrorString(int(v)).decode() for v in sys.argv[2:]}))
"""


def runtime_strings(library: Path, values: list[int]) -> dict[int, str]:
    """number -> what the runtime's cudaGetErrorString returns for it."""
    out = subprocess.run(
        [sys.executable, "-c", _ASK, str(library), *map(str, values)],
        check=True,
        capture_output=True,
        text=True,
    )
    return {int(v): s for v, s in json.loads(out.stdout).items()}


def mine_wheel(wheel: Path, folder: Path) -> dict[str, Any]:
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        driver_types = z.read(next(n for n in names if n.endswith("include/driver_types.h"))).decode(
            "utf-8", "replace"
        )
        cuda_h = z.read(next(n for n in names if n.endswith("include/cuda.h"))).decode("utf-8", "replace")
        member = next(n for n in names if re.search(r"lib/libcudart\.so\.[\d.]+$", n))  # .so.11.0, .so.12
        library = Path(z.extract(member, folder / wheel.stem))
    runtime = enum_entries(driver_types, "enum __device_builtin__ cudaError\n")
    strings = runtime_strings(library, [e["value"] for e in runtime])
    for entry in runtime:
        entry["string"] = strings[entry["value"]]
    return {"runtime": runtime, "driver": enum_entries(cuda_h, "typedef enum cudaError_enum")}


def download(spec: str, folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(folder), spec],
        check=True,
        capture_output=True,
    )
    name = spec.split("==")[0].replace("-", "_")
    return next(folder.glob(f"{name}-{spec.split('==')[1]}-*.whl"))


def mine(folder: Path) -> dict[str, Any]:
    table: dict[str, dict[str, dict[str, Any]]] = {"runtime": {}, "driver": {}}
    for spec in WHEELS:
        mined = mine_wheel(download(spec, folder), folder)
        for kind in table:
            for entry in mined[kind]:
                old = table[kind].get(entry["name"], {})
                merged = {**old, **{k: v for k, v in entry.items() if v is not None}}
                # an older runtime's wording of the same code stays findable: torch built for CUDA 11 prints "all
                # CUDA-capable devices are busy or unavailable" where CUDA 12 says "CUDA-capable device(s) is/are ..."
                said = [*old.get("older_strings", []), *([old["string"]] if old.get("string") else [])]
                older = sorted({x for x in said if x != merged.get("string")})
                if older:
                    merged["older_strings"] = older
                table[kind][entry["name"]] = merged
    return {
        "schema": SCHEMA,
        "generator": "scripts/mine_cuda_status.py",
        "wheels": list(WHEELS),
        "runtime": sorted(table["runtime"].values(), key=lambda e: e["value"]),
        "driver": sorted(table["driver"].values(), key=lambda e: e["value"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--wheels", type=Path, help="a folder to keep the downloaded wheels in")
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped table differs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        table = mine(args.wheels or Path(tmp))
    text = json.dumps(table, indent=1, sort_keys=True) + "\n"
    if args.check:
        same = args.out.read_text() == text
        print(
            "cuda_status.json agrees with the wheels"
            if same
            else f"{args.out} differs from what the wheels hold"
        )
        return 0 if same else 1
    args.out.write_text(text)
    print(f"{args.out}: {len(table['runtime'])} runtime codes, {len(table['driver'])} driver codes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
