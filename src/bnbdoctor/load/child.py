"""The load's child process: load one model with bitsandbytes, measure it, run a short forward pass and a numerical
check, and print one JSON line. Run as `python -m bnbdoctor.load.child REQUEST_JSON`.

It prints `{"progress": STAGE}` lines while it works and ends with `{"result": {...}}` (a ChildReport); a crash,
hang or kill is judged by the parent. BNBDOCTOR_LOAD_TEST_FAULT simulates failures before torch is imported (only
the tests set it): `segfault`, `kill`, `hang`, `oom[:QUANT]` (a CUDA OOM with another process holding memory),
`busy[:FILE]` (CUDA busy until FILE exists; the child creates it), `sanity` (a wrong quantized layer).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import sys
import time
from pathlib import Path
from typing import Any

from ..childproc import answer, progress

FAULT = "BNBDOCTOR_LOAD_TEST_FAULT"
#: a --max-memory entry without a size (`cpu`, `disk`): as much as there is
UNLIMITED = "unlimited"
QUANTIZED = ("Linear4bit", "Linear8bitLt")
_SIMULATED_OOM = (
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 5.13 GiB. GPU 0 has a total capacity of 79.19 GiB "
    "of which 1.10 GiB is free. Process 4242 has 72.00 GiB memory in use. Including non-PyTorch memory, this process "
    "has 6.00 GiB memory in use. (simulated)"
)


def error_text(exc: BaseException) -> str:
    """The exception, short: its type and its first telling lines."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {' | '.join(lines[:4])}"[:1000]


class Stage(Exception):
    """An exception at a known stage (load, forward, sanity), so the parent knows how far it got."""

    def __init__(self, stage: str, exc: BaseException) -> None:
        super().__init__(error_text(exc))
        self.stage = stage


def _fault(request: dict[str, Any]) -> None:
    fault = os.environ.get(FAULT, "")
    kind, _, arg = fault.partition(":")
    if kind == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    if kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "hang":
        time.sleep(3600)
    if kind == "oom" and (not arg or arg == request.get("quant")):
        raise Stage("load", RuntimeError(_SIMULATED_OOM))
    if kind == "busy":
        marker = Path(arg)
        if not marker.exists():
            marker.write_text("busy once\n")
            raise Stage(
                "load",
                RuntimeError("CUDA error: CUDA-capable device(s) is/are busy or unavailable (simulated)"),
            )


def _rss() -> int | None:
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _nvml(index: int) -> tuple[int | None, int | None]:
    """(memory used on GPU `index`, memory used there by other processes), from NVML; None when unknown."""
    return _nvml_all([index]).get(index, (None, None))


def _nvml_all(indices: list[int]) -> dict[int, tuple[int | None, int | None]]:
    """_nvml for several GPUs with one NVML session. NVML counts GPUs in PCI order; with CUDA_VISIBLE_DEVICES unset
    (as on the recorded machines) that is torch's order too."""
    out: dict[int, tuple[int | None, int | None]] = {}
    try:
        import pynvml

        pynvml.nvmlInit()
    except Exception:
        return out
    try:
        for index in indices:
            try:
                handle = pynvml.nvmlDeviceGetHandleByIndex(index)
                used = int(pynvml.nvmlDeviceGetMemoryInfo(handle).used)
            except Exception:
                continue
            others = None
            with contextlib.suppress(Exception):
                procs = pynvml.nvmlDeviceGetComputeRunningProcesses(handle)
                others = sum(int(p.usedGpuMemory or 0) for p in procs if p.pid != os.getpid())
            out[index] = (used, others)
    finally:
        with contextlib.suppress(Exception):
            pynvml.nvmlShutdown()
    return out


def _gpu_count() -> int:
    """GPUs torch will see, without creating a CUDA context (NVML's count when CUDA_VISIBLE_DEVICES is unset)."""
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def _unlimited(key: str | int) -> int:
    """accelerate needs a number: available RAM for the CPU, a petabyte for the disk."""
    if key == "cpu":
        import psutil  # type: ignore[import-untyped]  # accelerate's own dependency

        return int(psutil.virtual_memory().available)
    return 10**15


def _quant_config(quant: str, compute_dtype: Any, extra: dict[str, Any]) -> Any:
    from transformers import BitsAndBytesConfig

    if quant == "int8":
        return BitsAndBytesConfig(load_in_8bit=True, **extra)  # type: ignore[no-untyped-call]
    return BitsAndBytesConfig(  # type: ignore[no-untyped-call]
        load_in_4bit=True,
        bnb_4bit_quant_type=quant.split("-")[0],
        bnb_4bit_use_double_quant=quant.endswith("-dq"),
        bnb_4bit_compute_dtype=compute_dtype,
        **extra,
    )


def _device_map(text: str | None, device: str) -> Any:
    """The from_pretrained device_map of the request: a strategy, a device, or a JSON object."""
    if text is None:
        return {"": 0} if device == "cuda" else "cpu"
    if text.startswith("{"):
        return json.loads(text)
    if text.isdigit():
        return {"": int(text)}
    if text.startswith("cuda"):
        return {"": text}
    return text


def _model_bytes(model: Any) -> int:
    """Bytes of the model's own tensors: parameters, buffers and bitsandbytes' quantization state, each storage once."""
    import torch

    seen: set[tuple[str, int]] = set()
    total = 0

    def add(t: Any) -> None:
        nonlocal total
        if not isinstance(t, torch.Tensor) or t.device.type == "meta":
            return
        storage = t.untyped_storage()
        key = (str(t.device), storage.data_ptr())
        if key not in seen:
            seen.add(key)
            total += storage.nbytes()

    for tensor in list(model.parameters()) + list(model.buffers()):
        add(tensor)
        state = getattr(tensor, "quant_state", None)
        if state is not None:
            for value in (state.absmax, state.code, getattr(state, "offset", None)):
                add(value)
            if state.state2 is not None:
                add(state.state2.absmax)
                add(state.state2.code)
        add(getattr(tensor, "SCB", None))
    return total


def _collapse(devices: dict[str, str]) -> dict[str, str]:
    """{tensor name: device} -> the shortest module prefixes whose tensors all share a device (an hf_device_map)."""
    if len(set(devices.values())) <= 1:
        return {"": next(iter(devices.values()), "?")}
    out: dict[str, str] = {}

    def walk(prefix: str, names: list[str]) -> None:
        found = {devices[n] for n in names}
        if len(found) == 1 and prefix:
            out[prefix.rstrip(".")] = found.pop()
            return
        children: dict[str, list[str]] = {}
        for name in names:
            head = name[len(prefix) :].split(".", 1)[0]
            children.setdefault(head, []).append(name)
        for head, group in children.items():
            if group == [prefix + head]:
                out[prefix + head] = devices[group[0]]
            else:
                walk(f"{prefix}{head}.", group)

    walk("", sorted(devices))
    return out


def _placement(model: Any) -> tuple[dict[str, str], dict[str, int]]:
    """(hf_device_map, or where each module's tensors really are; bytes of parameters and buffers per device).
    transformers 5.17 sets no hf_device_map for these loads (recorded on two H200s), so the map is rebuilt from
    the tensors: a model split over GPUs still shows which modules went where."""
    per_device: dict[str, int] = {}
    where: dict[str, str] = {}
    for name, tensor in list(model.named_parameters()) + list(model.named_buffers()):
        device = str(tensor.device)
        per_device[device] = per_device.get(device, 0) + tensor.numel() * tensor.element_size()
        where[name] = device
    hf_map = getattr(model, "hf_device_map", None)
    if isinstance(hf_map, dict) and hf_map:
        return {str(k): str(v) for k, v in hf_map.items()}, per_device
    return _collapse(where), per_device


def _layers(model: Any) -> dict[str, Any]:
    """Counts of quantized and plain linear layers, and where the quantized ones are (device -> count, bytes)."""
    from torch import nn

    counts = {"Linear4bit": 0, "Linear8bitLt": 0, "Linear": 0}
    quantized: list[str] = []
    plain: list[str] = []
    by_device: dict[str, int] = {}
    bytes_by_device: dict[str, int] = {}
    for name, module in model.named_modules():
        kind = type(module).__name__
        if kind in QUANTIZED:
            counts[kind] += 1
            quantized.append(name)
            weight = getattr(module, "weight", None)
            device = str(weight.device) if weight is not None else "?"
            by_device[device] = by_device.get(device, 0) + 1
            if weight is not None:
                bytes_by_device[device] = (
                    bytes_by_device.get(device, 0) + weight.numel() * weight.element_size()
                )
        elif isinstance(module, nn.Linear):
            counts["Linear"] += 1
            plain.append(name)
    return {
        "linear4bit": counts["Linear4bit"],
        "linear8bit": counts["Linear8bitLt"],
        "linear": counts["Linear"],
        "quantized_names": quantized[:5],
        "unquantized_names": plain[:5],
        "quantized_by_device": by_device,
        "quantized_bytes_by_device": bytes_by_device,
    }


def _sanity(model: Any, device: str, broken: bool) -> dict[str, Any]:
    """One quantized layer against the same layer computed in float32 from its dequantized weight.

    Dequantize before the layer's first forward: on CPU bitsandbytes repacks 4-bit weights at that point."""
    import bitsandbytes.functional as F
    import torch

    name, layer = next((n, m) for n, m in model.named_modules() if type(m).__name__ in QUANTIZED)
    weight = layer.weight
    if type(layer).__name__ == "Linear4bit":
        kind = "4bit"
        reference_weight = F.dequantize_4bit(weight.data, weight.quant_state).float()
        in_dtype = layer.compute_dtype or torch.float32
    else:
        kind = "int8"
        scb = getattr(weight, "SCB", None)
        if scb is None:
            scb = layer.state.SCB
        reference_weight = weight.data.float() * scb.float().unsqueeze(1) / 127.0
        in_dtype = torch.float16 if device.startswith("cuda") else torch.bfloat16
    if broken:
        reference_weight = reference_weight * 1.5
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(4, reference_weight.shape[1], generator=generator).to(
        device=weight.device, dtype=in_dtype
    )
    with torch.no_grad():
        out = layer(x).float()
    reference = x.float() @ reference_weight.t()
    if layer.bias is not None:
        reference = reference + layer.bias.float()
    error = (out - reference).abs().max().item()
    scale = reference.abs().max().item()
    # bf16/fp16 compute rounds inputs and products to 8 (bf16) or 11 (fp16) bits of mantissa, and int8 matmul
    # also quantizes the activations per row: a few percent of the output's scale is the expected error
    tolerance = 0.05 * max(scale, 1e-3)
    finite = bool(torch.isfinite(out).all().item())
    return {
        "layer": name,
        "kind": kind,
        "max_abs_error": error,
        "tolerance": tolerance,
        "output_scale": scale,
        "finite": finite,
        "ok": finite and error <= tolerance,
    }


def _forward(model: Any, device: str, tokens: int) -> dict[str, Any]:
    import torch

    vocab = model.config.get_text_config().vocab_size
    first_device = next(model.parameters()).device
    ids = torch.randint(0, vocab, (1, tokens), generator=torch.Generator().manual_seed(0)).to(first_device)
    timings = []
    logits = None
    for _ in range(
        2
    ):  # the first pass pays one-off costs (cuBLAS workspace, kernel selection, CPU repacking)
        start = time.perf_counter()
        with torch.no_grad():
            logits = model(ids).logits
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        timings.append(time.perf_counter() - start)
    finite = bool(torch.isfinite(logits).all().item()) if logits is not None else False
    return {
        "tokens": tokens,
        "first_seconds": round(timings[0], 4),
        "seconds": round(timings[1], 4),
        "tokens_per_second": round(tokens / max(timings[1], 1e-9), 1),
        "finite": finite,
    }


def load(request: dict[str, Any], result: dict[str, Any]) -> None:
    """Fill `result` as the load goes, so that a failure still reports what was known (versions, device, NVML)."""
    result.update(ok=False, stage="import")
    _fault(request)
    progress("importing torch, transformers and bitsandbytes")
    import bitsandbytes
    import torch
    import transformers

    result["versions"] = {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "bitsandbytes": bitsandbytes.__version__,
        "cuda": str(torch.version.cuda),
    }
    folder = Path(request["folder"])
    # NVML's baseline before anything creates the CUDA context (generating weights on the GPU would), so that the
    # delta holds context + weights + slack, as the prediction does
    gpus = _gpu_count() if request.get("device") != "cpu" else 0
    baseline = _nvml_all(list(range(gpus))) if gpus else {}
    if request.get("generate"):
        result["stage"] = "generate"
        progress("generating random weights")
        from .generate import has_weights, make_weights

        if not has_weights(folder):
            result["generate_seconds"] = round(make_weights(folder, request.get("device") or "auto"), 3)
    device = request.get("device") or "auto"
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise Stage(
            "load",
            RuntimeError(
                f"CUDA is required but not available for bitsandbytes: torch {torch.__version__} sees no GPU "
                f"(torch.cuda.is_available() is False; compiled with CUDA {torch.version.cuda})"
            ),
        )
    result["device"] = device
    dtype = getattr(torch, request.get("dtype") or "bfloat16")
    compute = getattr(torch, request.get("compute_dtype") or "bfloat16")
    result["compute_dtype"] = str(compute).removeprefix("torch.")
    extra: dict[str, Any] = {}
    extra_kwargs: dict[str, Any] = {}
    device_map = _device_map(request.get("device_map"), device)
    result["device_map_requested"] = (
        json.dumps(device_map) if isinstance(device_map, dict) else str(device_map)
    )
    max_memory = request.get("max_memory") or None
    if max_memory:
        max_memory = {
            int(k) if str(k).isdigit() else k: _unlimited(k) if v == UNLIMITED else v
            for k, v in max_memory.items()
        }
    if (max_memory and "disk" in max_memory) or "disk" in result["device_map_requested"]:
        # accelerate writes disk-offloaded weights here: the child's own temporary folder, removed when it exits
        import atexit
        import shutil
        import tempfile

        extra_kwargs["offload_folder"] = tempfile.mkdtemp(prefix="bnbdoctor-offload-")
        atexit.register(shutil.rmtree, extra_kwargs["offload_folder"], True)
    memory: dict[str, Any] = {"method": "cuda" if device == "cuda" else "cpu"}
    result["memory"] = memory
    bases: list[int] = []
    if device == "cuda":
        result["device_name"] = torch.cuda.get_device_name(0)
        result["gpu_count"] = gpus
        result["gpu_names"] = [torch.cuda.get_device_name(i) for i in range(gpus)]
        known = [baseline[i][1] for i in baseline if baseline[i][1] is not None]
        memory["nvml_other_processes_bytes"] = sum(known) if known else None
        for index in range(gpus):
            torch.cuda.reset_peak_memory_stats(index)
            bases.append(torch.cuda.memory_allocated(index))
    rss_before = _rss()
    result["stage"] = "load"
    progress(f"loading {request['quant']} weights")
    start = time.perf_counter()
    try:
        model = transformers.AutoModelForCausalLM.from_pretrained(
            folder,
            quantization_config=_quant_config(request["quant"], compute, extra),
            dtype=dtype,
            device_map=device_map,
            max_memory=max_memory,
            trust_remote_code=bool(request.get("trust_remote_code")),
            use_safetensors=None if request.get("allow_pickle") else True,
            **extra_kwargs,
        )
        if device == "cuda":
            torch.cuda.synchronize()
    except Exception as exc:
        raise Stage("load", exc) from exc
    result["load_seconds"] = round(time.perf_counter() - start, 3)
    if device == "cuda":
        # every GPU torch sees, not only cuda:0: device_map="auto" and max_memory place the model anywhere; the old
        # fields are the totals over the GPUs
        after = _nvml_all(list(range(gpus)))
        devices = []
        for index in range(gpus):
            before_used = baseline.get(index, (None, None))[0]
            after_used = after.get(index, (None, None))[0]
            devices.append(
                {
                    "device": f"cuda:{index}",
                    "name": result["gpu_names"][index],
                    "allocated_bytes": torch.cuda.memory_allocated(index) - bases[index],
                    "max_allocated_bytes": torch.cuda.max_memory_allocated(index) - bases[index],
                    "reserved_bytes": torch.cuda.memory_reserved(index),
                    "nvml_used_delta_bytes": after_used - before_used
                    if after_used is not None and before_used is not None
                    else None,
                    "nvml_other_processes_bytes": baseline.get(index, (None, None))[1],
                }
            )
        memory["devices"] = devices
        memory["allocated_bytes"] = sum(d["allocated_bytes"] for d in devices)
        memory["max_allocated_bytes"] = sum(d["max_allocated_bytes"] for d in devices)
        memory["reserved_bytes"] = sum(d["reserved_bytes"] for d in devices)
        deltas = [d["nvml_used_delta_bytes"] for d in devices]
        if deltas and all(x is not None for x in deltas):
            memory["nvml_used_delta_bytes"] = sum(deltas)
    rss_after = _rss()
    memory["model_bytes"] = _model_bytes(model)
    memory["rss_bytes"] = rss_after
    memory["rss_delta_bytes"] = (
        rss_after - rss_before if rss_after is not None and rss_before is not None else None
    )
    memory["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result["device_map"], result["placement"] = _placement(model)
    result["hf_device_map_empty"] = not getattr(model, "hf_device_map", None)
    result["model_device"] = str(getattr(model, "device", "?"))
    result["layers"] = _layers(model)
    result["stage"] = "sanity"
    if result["layers"]["linear4bit"] + result["layers"]["linear8bit"]:
        progress("checking a quantized layer against its dequantized weight")
        try:
            result["sanity"] = _sanity(model, device, os.environ.get(FAULT) == "sanity")
        except Exception as exc:
            raise Stage("sanity", exc) from exc
    result["stage"] = "forward"
    progress("running a forward pass")
    if device == "cuda":
        for index in range(gpus):
            torch.cuda.reset_peak_memory_stats(index)
    try:
        result["forward"] = _forward(model, device, int(request.get("tokens") or 32))
    except Exception as exc:
        raise Stage("forward", exc) from exc
    if device == "cuda":
        peaks = [torch.cuda.max_memory_allocated(index) - bases[index] for index in range(gpus)]
        for entry, peak in zip(memory["devices"], peaks, strict=True):
            entry["forward_max_allocated_bytes"] = peak
        memory["forward_max_allocated_bytes"] = sum(peaks)
    result["stage"] = "done"
    result["ok"] = True


def main(argv: list[str]) -> int:
    request = json.loads(argv[0])
    result: dict[str, Any] = {}
    try:
        load(request, result)
    except Stage as exc:
        result.update(ok=False, stage=exc.stage, error=str(exc))
    except Exception as exc:  # an import error, a bad request: still an answer
        result.update(ok=False, error=error_text(exc))
    answer({"result": result})
    return 0


if __name__ == "__main__":
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    raise SystemExit(main(sys.argv[1:]))
