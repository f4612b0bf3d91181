"""From a model name to its inventory, estimates per mode and fit plan: what `estimate` and `check --model` share."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..childproc import ChildOutcome, RunningChild, last_json, tail
from ..errors import InputError
from ..serde import SchemaError, from_json, to_json
from ..vocab import canonical_dtype
from .analytic import inventory_from_config
from .estimate import MODES, Estimate, estimate, text_config
from .inventory import FLOATING, Inventory
from .plan import Gpu, Plan, make_plan
from .safetensors import TensorHeader
from .source import ModelSource, bnbdoctor_cache, resolve
from .stored import StoredQuantization, stored_quantization

DEFAULT_QUANTS = ("nf4", "nf4-dq", "fp4", "int8", "bf16")


@dataclass(frozen=True)
class Assessment:
    source: ModelSource
    inventory: Inventory
    estimates: tuple[Estimate, ...]
    plan: Plan | None
    notes: tuple[str, ...] = field(default_factory=tuple)
    stored: StoredQuantization | None = None  # the checkpoint was saved already quantized with this

    @property
    def default_quant(self) -> str:
        """The mode a load of this checkpoint gets unless told otherwise: its own, for a bitsandbytes checkpoint."""
        return self.stored.mode if self.stored is not None and self.stored.mode else "nf4"

    def estimate_for(self, quant: str) -> Estimate | None:
        return next((e for e in self.estimates if e.quant == quant), None)


def normalise_dtype(value: str) -> str:
    dtype = canonical_dtype(value)
    if dtype is None:
        raise InputError(f"unknown dtype {value!r}: use bfloat16, float16 or float32")
    return dtype


#: why an estimate is in bfloat16 when nothing says which dtype the checkpoint has
ASSUMED_DTYPE = (
    "assumed: config.json names no dtype and no safetensors headers were read; transformers loads the "
    "checkpoint's own dtype, bfloat16 for most published checkpoints (a float32 one doubles the "
    "unquantized part: pass --dtype)"
)


def load_dtype(source: ModelSource, explicit: str | None, transformers_major: int | None) -> tuple[str, str]:
    """The dtype transformers gives unquantized weights, and why: what `from_pretrained(dtype=...)` resolves to."""
    if explicit:
        return normalise_dtype(explicit), "--dtype"
    if transformers_major is not None and transformers_major < 5:
        # transformers 4's bitsandbytes quantizers: "Overriding torch_dtype=None with torch_dtype=torch.float16"
        return "float16", "transformers 4 bitsandbytes default"
    # transformers 5 loads with dtype="auto": the config's dtype, else the checkpoint's first floating tensor's
    # (modeling_utils._get_dtype); a multimodal config may name it only in its text model's part
    nested = text_config(source.config)
    for part, where in ((source.config, "config.json"), (nested, "config.json text_config")):
        for key in ("dtype", "torch_dtype"):
            value = part.get(key)
            if isinstance(value, str) and value.removeprefix("torch.") in FLOATING:
                return value.removeprefix("torch."), f"{where} {key}"
    floats = [t.dtype for t in source.tensors if t.dtype in FLOATING]
    if floats:
        return floats[0], "the checkpoint's safetensors headers"
    return "bfloat16", ASSUMED_DTYPE


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
    base = bnbdoctor_cache()
    return None if base is None else base / "inventories"


def _cache_key(source: ModelSource, dtype: str, skip_modules: list[str] | None) -> str:
    from .. import __version__
    from ..probes.packages import probe

    packages = probe().packages
    versions = {
        name: (packages[name].version, packages[name].location)
        for name in ("torch", "transformers")
        if name in packages
    }
    # the Inventory's fields name its format: an inventory cached before a field was added is built again
    fields = [f.name for f in dataclasses.fields(Inventory)]
    material = json.dumps(
        [source.config, dtype, skip_modules, versions, __version__, fields], sort_keys=True, default=str
    )
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def _cached(key: str) -> Inventory | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        inventory: Inventory = from_json(
            Inventory, json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        )
        return inventory
    except (OSError, ValueError, SchemaError):
        return None  # absent or damaged: build it again


def _store(key: str, inventory: Inventory) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"{key}.json", json.dumps(to_json(inventory)))
    except (OSError, InputError):
        pass  # a read-only home is no reason to fail an estimate


def remote_code(config: dict[str, Any]) -> str | None:
    """The class config.json's auto_map names for a model (its own code on the Hub), or None."""
    auto_map = config.get("auto_map")
    if not isinstance(auto_map, dict):
        return None
    for key in ("AutoModelForCausalLM", "AutoModel", "AutoModelForSeq2SeqLM", *sorted(auto_map)):
        value = auto_map.get(key)
        if isinstance(value, str) and key != "AutoConfig":
            return value
    return None


def fallback_inventory(
    name: str, config: dict[str, Any], dtype: str, why_not: str | None
) -> tuple[Inventory, str | None]:
    """When transformers cannot build the model: config.json arithmetic (a number for a layout it knows, else a
    range), with the reason. A remote-code model says so, not what its config lacks."""
    remote = remote_code(config)
    if remote:
        why_not = (
            f"it needs its own modelling code ({remote} in config.json's auto_map; from_pretrained needs "
            "trust_remote_code=True), which bnbdoctor never runs"
        )
    try:
        return inventory_from_config(config, dtype, why_not), why_not
    except ValueError as exc:
        raise InputError(f"cannot estimate {name}: {why_not}; and {exc}") from None


class InventoryBuild:
    """The exact inventory, built by transformers in a child process that starts at once, so the caller's own work
    (the machine's probes) runs beside its 2 s of imports; a cached inventory needs no child. `result()` waits for
    it and falls back to config.json arithmetic when transformers is missing or fails. The child runs in its own
    process group (bnbdoctor.childproc), so a timeout or `cancel()` stops whatever it started too."""

    def __init__(
        self, source: ModelSource, dtype: str, skip_modules: list[str] | None, timeout: float
    ) -> None:
        self.source, self.dtype, self.timeout = source, dtype, timeout
        self.inventory: Inventory | None = None
        self.why_not: str | None = None
        self.child: RunningChild | None = None
        self.key = ""
        if importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None:
            self.why_not = "torch and transformers are not both installed"
            return
        self.key = _cache_key(source, dtype, skip_modules)
        self.inventory = _cached(self.key)
        if self.inventory is not None:
            return
        request = json.dumps({"folder": str(source.folder), "dtype": dtype, "skip_modules": skip_modules})
        env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_VERBOSITY": "error",
            "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
        }
        try:
            self.child = RunningChild("bnbdoctor.model.skeleton", [request], env=env)
        except OSError as exc:
            self.why_not = f"transformers could not build it: {exc}"

    def cancel(self) -> None:
        """Stop the child (the caller failed before it needed the result, or is done)."""
        if self.child is not None:
            self.child.kill()
            self.child.wait(0)

    def result(self) -> tuple[Inventory, str | None]:
        if self.inventory is not None:
            return self.inventory, None
        if self.child is not None:
            self.why_not = f"transformers could not build it: {self._collect(self.child.wait(self.timeout))}"
            if self.inventory is not None:
                return self.inventory, None
        inventory, self.why_not = fallback_inventory(
            self.source.name, self.source.config, self.dtype, self.why_not
        )
        return inventory, self.why_not

    def _collect(self, outcome: ChildOutcome) -> str:
        """Keep the child's inventory, or return the first line of why there is none."""
        if outcome.timed_out:
            return f"building the model skeleton took more than {self.timeout:g} s"
        data: Any = last_json(outcome.stdout)
        if data is None:
            ending = outcome.signal or f"exit {outcome.returncode}"
            data = {"error": f"no output ({ending}): {tail(outcome.stderr, 1)[-300:]}"}
        if "error" not in data:
            try:
                self.inventory = from_json(Inventory, data)
                _store(self.key, self.inventory)
                return ""
            except SchemaError as exc:
                data = {"error": f"unexpected inventory: {exc}"}
        text = str(data["error"]).strip()
        return text.splitlines()[0][:300] if text else "no reason given"


def assumed_checkpoint(inventory: Inventory) -> tuple[TensorHeader, ...]:
    """The checkpoint a model type's published weights have, from the inventory's checkpoint_layout (names and
    shapes; floating tensors in the inventory's dtype)."""
    return tuple(
        TensorHeader(name, inventory.dtype, shape, "assumed") for name, shape in inventory.checkpoint_layout
    )


def _layout_change(inventory: Inventory) -> str:
    """One phrase on how the assumed checkpoint differs from the model: 'N fused tensors stored in M pieces'."""
    stored = {name for name, _ in inventory.checkpoint_layout}
    own = {t.name for t in inventory.tensors if t.kind == "param"}
    merged = own - stored
    pieces = stored - own
    if not merged:
        return f"{len(pieces)} tensors renamed"
    return f"{len(merged)} fused tensors stored as {len(pieces)} pieces, merged while loading"


def build_inventory(
    source: ModelSource, dtype: str, skip_modules: list[str] | None, timeout: float
) -> tuple[Inventory, str | None]:
    """Build the exact inventory in a child process with transformers (cached); fall back to config.json arithmetic."""
    return InventoryBuild(source, dtype, skip_modules, timeout).result()


@dataclass
class PendingAssessment:
    """An assessment whose inventory is being built: `begin()` it first, do other work, then `finish()` it."""

    source: ModelSource
    quants: tuple[str, ...]
    dtype: str
    dtype_reason: str
    context: int
    batch: int
    build: InventoryBuild
    stored: StoredQuantization | None = None

    def cancel(self) -> None:
        self.build.cancel()

    def finish(self, gpus: tuple[Gpu, ...] | None) -> Assessment:
        inventory, fallback = self.build.result()
        notes = [f"unquantized tensors in {self.dtype} ({self.dtype_reason})"]
        if fallback and not inventory.notes:
            notes.append(f"analytic estimate: {fallback}")
        own = self.stored.mode if self.stored is not None else None
        if own is not None:
            how = (
                "loaded from its quantized tensors"
                if self.source.tensors
                else "its safetensors headers are absent, so as if quantized while loading"
            )
            notes.append(
                f"checkpoint saved already quantized in {own}: transformers loads it in that mode whatever "
                f"BitsAndBytesConfig is passed; {own} is estimated {how}"
            )
        elif self.stored is not None:
            notes.append(f"checkpoint quantized with {self.stored.method}, not bitsandbytes: see BNB074")
        checkpoint = self.source.tensors
        if not checkpoint and inventory.checkpoint_layout:
            checkpoint = assumed_checkpoint(inventory)
            notes.append(
                f"no safetensors headers: assuming the layout transformers' save_pretrained writes for "
                f"{inventory.model_type or 'this model type'} ({_layout_change(inventory)}), as its published "
                "checkpoints have; the load's peak depends on it"
            )
        estimates = tuple(
            estimate(
                inventory,
                q,
                self.source.config,
                checkpoint,
                context=self.context,
                batch=self.batch,
                prequantized=q == own and bool(self.source.tensors),
            )
            for q in self.quants
        )
        plain = next((e for e in estimates if e.quant in ("bf16", "fp16")), None)
        bigger = [
            e.quant
            for e in estimates
            if e.quant not in ("bf16", "fp16", "fp32")
            and plain is not None
            and e.weights_bytes > plain.weights_bytes
        ]
        if bigger and plain is not None:
            notes.append(
                f"{', '.join(bigger)} needs more memory than {plain.quant} here: the tensors bitsandbytes leaves "
                f"alone stay in {self.dtype} ({self.dtype_reason}); with --dtype {plain.dtype} they would not"
            )
        plan = make_plan(list(estimates), gpus) if gpus is not None else None
        return Assessment(self.source, inventory, estimates, plan, tuple(notes), self.stored)


def begin(
    model: str,
    quants: tuple[str, ...] | None = None,
    dtype: str | None = None,
    context: int = 0,
    batch: int = 1,
    skip_modules: list[str] | None = None,
    timeout: float = 120.0,
    offline: bool = False,
) -> PendingAssessment:
    """Check the request, resolve the model and start building its inventory. No `quants`: every mode, or for a
    checkpoint saved already quantized by bitsandbytes, the one it loads in."""
    for quant in quants or ():
        if quant not in MODES:
            raise InputError(f"unknown mode {quant!r}: use one of {', '.join(MODES)}")
    if context < 0 or batch < 1:
        raise InputError("--context must be >= 0 and --batch >= 1")
    source = resolve(model, offline=offline)
    stored = stored_quantization(source.config)
    if not quants:
        quants = (stored.mode,) if stored is not None and stored.mode else DEFAULT_QUANTS
    target, reason = load_dtype(source, dtype, _transformers_major())
    build = InventoryBuild(source, target, skip_modules, timeout)
    return PendingAssessment(source, quants, target, reason, context, batch, build, stored)


def assess(
    model: str,
    quants: tuple[str, ...] | None = None,
    dtype: str | None = None,
    context: int = 0,
    batch: int = 1,
    gpus: tuple[Gpu, ...] | None = None,
    skip_modules: list[str] | None = None,
    timeout: float = 120.0,
) -> Assessment:
    return begin(model, quants, dtype, context, batch, skip_modules, timeout).finish(gpus)
