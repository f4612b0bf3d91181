"""From a model name to its inventory, estimates per mode and fit plan: what `estimate` and `check --model` share."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..serde import SchemaError, from_json, to_json
from .analytic import inventory_from_config
from .estimate import MODES, Estimate, estimate
from .inventory import FLOATING, Inventory
from .plan import Gpu, Plan, make_plan
from .source import ModelSource, resolve

DEFAULT_QUANTS = ("nf4", "nf4-dq", "fp4", "int8", "bf16")
_DTYPE_ALIASES = {"bf16": "bfloat16", "fp16": "float16", "half": "float16", "fp32": "float32", "float": "float32"}


@dataclass(frozen=True)
class Assessment:
    source: ModelSource
    inventory: Inventory
    estimates: tuple[Estimate, ...]
    plan: Plan | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def estimate_for(self, quant: str) -> Estimate | None:
        return next((e for e in self.estimates if e.quant == quant), None)


def normalise_dtype(value: str) -> str:
    dtype = _DTYPE_ALIASES.get(value.lower().removeprefix("torch."), value.lower().removeprefix("torch."))
    if dtype not in FLOATING:
        raise InputError(f"unknown dtype {value!r}: use bfloat16, float16 or float32")
    return dtype


def load_dtype(source: ModelSource, explicit: str | None, transformers_major: int | None) -> tuple[str, str]:
    """The dtype transformers gives unquantized weights, and why: what `from_pretrained(dtype=...)` resolves to."""
    if explicit:
        return normalise_dtype(explicit), "--dtype"
    if transformers_major is not None and transformers_major < 5:
        # transformers 4's bitsandbytes quantizers: "Overriding torch_dtype=None with torch_dtype=torch.float16"
        return "float16", "transformers 4 bitsandbytes default"
    for key in ("dtype", "torch_dtype"):
        value = source.config.get(key)
        if isinstance(value, str) and value.removeprefix("torch.") in FLOATING:
            return value.removeprefix("torch."), f"config.json {key}"
    floats = [t.dtype for t in source.tensors if t.dtype in FLOATING]
    if floats:
        return floats[0], "safetensors header"
    return "float32", "torch default"


def _transformers_major() -> int | None:
    """The installed transformers' major version, from its metadata (no import)."""
    from ..probes.packages import probe

    info = probe().packages.get("transformers")
    try:
        return int(info.version.split(".")[0]) if info else None
    except ValueError:
        return None


def cache_dir() -> Path | None:
    """Where built inventories are kept (they depend only on config.json and the installed versions)."""
    if os.environ.get("BNBDOCTOR_NO_CACHE"):
        return None
    base = os.environ.get("BNBDOCTOR_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "bnbdoctor")
    return Path(base).expanduser() / "inventories"


def _cache_key(source: ModelSource, dtype: str, skip_modules: list[str] | None) -> str:
    from .. import __version__
    from ..probes.packages import probe

    packages = probe().packages
    versions = {name: (packages[name].version, packages[name].location) for name in ("torch", "transformers") if name in packages}
    material = json.dumps([source.config, dtype, skip_modules, versions, __version__], sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def _cached(key: str) -> Inventory | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        inventory: Inventory = from_json(Inventory, json.loads((folder / f"{key}.json").read_text(encoding="utf-8")))
        return inventory
    except (OSError, ValueError, SchemaError):
        return None  # absent or damaged: build it again


def _store(key: str, inventory: Inventory) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(to_json(inventory)), encoding="utf-8")
        os.replace(tmp, folder / f"{key}.json")
    except OSError:
        pass  # a read-only home is no reason to fail an estimate


def build_inventory(source: ModelSource, dtype: str, skip_modules: list[str] | None, timeout: float) -> tuple[Inventory, str | None]:
    """Build the exact inventory in a child process with transformers (cached); fall back to config.json arithmetic."""
    why_not: str | None = None
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None:
        why_not = "torch and transformers are not both installed"
    else:
        key = _cache_key(source, dtype, skip_modules)
        cached = _cached(key)
        if cached is not None:
            return cached, None
        request = json.dumps({"folder": str(source.folder), "dtype": dtype, "skip_modules": skip_modules})
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error", "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1"}
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "bnbdoctor.model.skeleton", request],
                capture_output=True, text=True, timeout=timeout, env=env,
            )
            line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            data: Any = json.loads(line) if line else {"error": f"no output (exit {proc.returncode}): {proc.stderr[-300:]}"}
        except subprocess.TimeoutExpired:
            data = {"error": f"building the model skeleton took more than {timeout:g} s"}
        except (OSError, json.JSONDecodeError) as exc:
            data = {"error": str(exc)}
        if "error" not in data:
            try:
                inventory: Inventory = from_json(Inventory, data)
                _store(key, inventory)
                return inventory, None
            except SchemaError as exc:
                data = {"error": f"unexpected inventory: {exc}"}
        first_line = str(data["error"]).strip().splitlines()[0] if str(data["error"]).strip() else "no reason given"
        why_not = f"transformers could not build it: {first_line[:300]}"
    try:
        return inventory_from_config(source.config, dtype), why_not
    except ValueError as exc:
        raise InputError(f"cannot estimate {source.name}: {why_not}; and {exc}") from None


def checkpoint_order(source: ModelSource) -> list[str]:
    """Tensor names in the order the loader reads them: file by file, names sorted (safetensors' own order)."""
    return [t.name for t in source.tensors]


def assess(
    model: str,
    quants: tuple[str, ...] = DEFAULT_QUANTS,
    dtype: str | None = None,
    context: int = 0,
    batch: int = 1,
    gpus: tuple[Gpu, ...] | None = None,
    skip_modules: list[str] | None = None,
    timeout: float = 120.0,
) -> Assessment:
    for quant in quants:
        if quant not in MODES:
            raise InputError(f"unknown mode {quant!r}: use one of {', '.join(MODES)}")
    if context < 0 or batch < 1:
        raise InputError("--context must be >= 0 and --batch >= 1")
    source = resolve(model)
    target, reason = load_dtype(source, dtype, _transformers_major())
    inventory, fallback = build_inventory(source, target, skip_modules, timeout)
    notes = [f"unquantized tensors in {target} ({reason})"]
    if fallback:
        notes.append(f"analytic estimate: {fallback}")
    order = checkpoint_order(source)
    estimates = tuple(estimate(inventory, q, source.config, order, context=context, batch=batch) for q in quants)
    plan = make_plan(list(estimates), gpus) if gpus is not None else None
    return Assessment(source, inventory, estimates, plan, tuple(notes))
