"""Read safetensors headers (names, dtypes, shapes) without reading a single weight.

A safetensors file starts with a little-endian u64 header length and a JSON header; that is all we read.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

#: safetensors dtype codes -> torch dtype names (and their sizes in bytes)
DTYPES = {
    "F64": ("float64", 8),
    "F32": ("float32", 4),
    "F16": ("float16", 2),
    "BF16": ("bfloat16", 2),
    "F8_E4M3": ("float8_e4m3fn", 1),
    "F8_E5M2": ("float8_e5m2", 1),
    "I64": ("int64", 8),
    "I32": ("int32", 4),
    "I16": ("int16", 2),
    "I8": ("int8", 1),
    "U8": ("uint8", 1),
    "BOOL": ("bool", 1),
    "U16": ("uint16", 2),
    "U32": ("uint32", 4),
    "U64": ("uint64", 8),
}
MAX_HEADER = 100 * 1024 * 1024  # the format's own limit


@dataclass(frozen=True)
class TensorHeader:
    name: str
    dtype: str  # torch name, e.g. "bfloat16"
    shape: tuple[int, ...]
    file: str

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


def parse_header(raw: dict[str, object], file: str) -> list[TensorHeader]:
    tensors = []
    for name, entry in raw.items():
        if name == "__metadata__" or not isinstance(entry, dict):
            continue
        code = entry.get("dtype")
        shape = entry.get("shape")
        if (
            not isinstance(code, str)
            or not isinstance(shape, list)
            or not all(isinstance(d, int) for d in shape)
        ):
            raise ValueError(f"tensor {name!r} has no valid dtype/shape")
        dtype = DTYPES.get(code, (code.lower(), 0))[0]
        tensors.append(TensorHeader(name=name, dtype=dtype, shape=tuple(shape), file=file))
    return sorted(tensors, key=lambda t: t.name)


def read_header(path: Path) -> list[TensorHeader]:
    """The tensors of one .safetensors file; raises InputError for a file that is not one."""
    try:
        with path.open("rb") as f:
            prefix = f.read(8)
            if len(prefix) != 8:
                raise InputError(f"{path} is not a safetensors file (too short)")
            (length,) = struct.unpack("<Q", prefix)
            if length > MAX_HEADER:
                raise InputError(f"{path} is not a safetensors file (header length {length})")
            raw = json.loads(f.read(length))
            if not isinstance(raw, dict):
                raise InputError(f"{path} is not a safetensors file (header is not an object)")
            return parse_header(raw, path.name)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path} is not a safetensors file ({exc})") from None


def read_folder(folder: Path) -> list[TensorHeader]:
    """Every tensor of every *.safetensors file in a model folder, in the order a loader meets them."""
    tensors: list[TensorHeader] = []
    for file in sorted(folder.glob("*.safetensors")):
        tensors.extend(read_header(file))
    return tensors
