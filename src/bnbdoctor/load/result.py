"""What a load did, as plain data: the child's report, each attempt, the prediction beside it, and the whole
result that the rules judge and the reporters render (`bnbdoctor.load/1`). No torch here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..documents import LOAD_SCHEMA
from ..vocab import Finding

#: passed: loaded, forward pass and numerical check fine; failed: the child answered with an error or a wrong
#: result; crashed: it died (a signal) or exited without its answer; timeout: killed at --timeout; skipped: the
#: ladder passed over this step (the estimator said it cannot help).
Outcome = Literal["passed", "failed", "crashed", "timeout", "skipped"]


@dataclass(frozen=True)
class DeviceMemory:
    """One GPU's share of a CUDA load: torch's allocator counters for that device and NVML's delta there."""

    device: str  # cuda:N, as torch numbers it
    name: str | None = None
    allocated_bytes: int | None = None
    max_allocated_bytes: int | None = None
    reserved_bytes: int | None = None
    nvml_used_delta_bytes: int | None = None
    nvml_other_processes_bytes: int | None = None
    forward_max_allocated_bytes: int | None = None


@dataclass(frozen=True)
class Memory:
    """Memory the child measured. On CUDA: torch's allocator counters and NVML; on CPU (no allocator counters):
    the bytes of the model's tensors and the process's resident set."""

    method: Literal["cuda", "cpu"]
    allocated_bytes: int | None = None  # torch.cuda.memory_allocated() after the load
    max_allocated_bytes: int | None = None  # torch.cuda.max_memory_allocated() during the load
    reserved_bytes: int | None = None  # torch.cuda.memory_reserved() after the load
    nvml_used_delta_bytes: int | None = None  # NVML used after the load minus before CUDA was initialised
    nvml_other_processes_bytes: int | None = None  # GPU memory other processes held before the load
    forward_max_allocated_bytes: int | None = None  # peak during the forward pass
    model_bytes: int | None = None  # parameters + buffers + quantization state, each storage once
    rss_bytes: int | None = None  # resident set after the load
    rss_delta_bytes: int | None = None  # resident set growth during from_pretrained
    peak_rss_bytes: int | None = None
    #: every GPU torch saw, one entry each; the fields above are the totals over them (they were cuda:0 alone
    #: before this field existed)
    devices: tuple[DeviceMemory, ...] = ()


@dataclass(frozen=True)
class Layers:
    linear4bit: int = 0  # bitsandbytes.nn.Linear4bit modules
    linear8bit: int = 0  # bitsandbytes.nn.Linear8bitLt modules
    linear: int = 0  # nn.Linear left unquantized (lm_head, skipped modules)
    quantized_names: tuple[str, ...] = ()  # the first few
    unquantized_names: tuple[str, ...] = ()
    quantized_by_device: dict[str, int] = field(default_factory=dict)  # device -> quantized layers there
    quantized_bytes_by_device: dict[str, int] = field(default_factory=dict)  # device -> their weights' bytes


@dataclass(frozen=True)
class Forward:
    tokens: int
    seconds: float  # the second pass (the first pays one-off costs)
    first_seconds: float
    tokens_per_second: float
    finite: bool  # every logit finite


@dataclass(frozen=True)
class Sanity:
    """A quantized layer's output against the same layer computed in float32 from its dequantized weight
    (dequantize_4bit for 4-bit; int8 weight x SCB / 127 for 8-bit)."""

    layer: str
    kind: Literal["4bit", "int8"]
    max_abs_error: float
    tolerance: float
    output_scale: float
    finite: bool
    ok: bool


@dataclass(frozen=True)
class ChildReport:
    """The child's answer (bnbdoctor.load.child): how far it got, and what it measured."""

    ok: bool
    stage: str  # import, generate, load, sanity, forward, done: where it stopped
    error: str | None = None
    device: str | None = None  # cuda or cpu, as the child resolved --device
    device_name: str | None = None
    compute_dtype: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    generate_seconds: float | None = None
    load_seconds: float | None = None
    device_map_requested: str | None = None  # what from_pretrained got
    device_map: dict[str, str] = field(
        default_factory=dict
    )  # hf_device_map, or {"": device} from the parameters
    placement: dict[str, int] = field(default_factory=dict)  # device -> bytes of parameters and buffers
    gpu_count: int | None = None  # GPUs torch saw (CUDA loads)
    gpu_names: tuple[str, ...] = ()
    model_device: str | None = None  # model.device after the load (where inputs go by default)
    hf_device_map_empty: bool | None = (
        None  # transformers set no hf_device_map (seen when all went to the CPU)
    )
    layers: Layers | None = None
    memory: Memory | None = None
    sanity: Sanity | None = None
    forward: Forward | None = None


@dataclass(frozen=True)
class MemoryRow:
    """One measured quantity beside the estimator's prediction of it."""

    name: str  # e.g. "memory_allocated after load"
    measured: int
    predicted: int | None
    error: float | None  # (measured - predicted) / predicted
    judged: bool = False  # BNB082 holds the estimator to this row
    device: str | None = None  # cuda:N for a per-GPU row; None for the total over the devices


@dataclass(frozen=True)
class Attempt:
    number: int
    quant: str
    reason: str  # "requested", "retry 1 after a transient error", "fallback: ..."
    device_map: str | None  # as given to from_pretrained (None: the child's default for the device)
    max_memory: dict[str, str] | None
    outcome: Outcome
    duration: float  # seconds, the whole child process
    error: str | None = None
    category: str | None = None  # the shared taxonomy, from the error text
    stage: str | None = None
    transient: bool = False  # a retry could help (another process held the GPU briefly)
    transient_reason: str | None = None
    returncode: int | None = None
    signal: str | None = None
    stderr_tail: str | None = None
    report: ChildReport | None = None
    memory_comparison: tuple[MemoryRow, ...] = ()


@dataclass(frozen=True)
class Prediction:
    """The estimator's view of one mode (model/estimate.py), and the fit plan's verdict on this machine."""

    quant: str
    weights_bytes: int  # predicted memory_allocated() after the load
    peak_load_bytes: int  # predicted max_memory_allocated()
    model_bytes: int  # quantized weights + quantization state + unquantized tensors
    total_bytes: int  # what the GPU must have free, with the CUDA context and allocator slack
    cuda_context_bytes: int
    allocator_overhead_bytes: int
    quantized_modules: int
    verdict: str | None = None  # fits, fits_with_device_map_0, fits_multi_gpu, needs_offload, no_gpu
    explanation: str | None = None
    #: what accelerate counts when it places the model with device_map="auto": quantized weights (4-bit as half a
    #: byte, int8 as one) and unquantized tensors, no quantization state
    device_map_bytes: int | None = None


@dataclass(frozen=True)
class ModelInfo:
    name: str
    folder: str
    origin: str  # folder, hub-cache, generated
    architecture: str | None = None
    params: int | None = None
    generated: str | None = None  # the preset or config file the random weights were built from


@dataclass(frozen=True)
class LoadResult:
    """The document `bnbdoctor load --format json` prints (schema bnbdoctor.load/1)."""

    status: Literal["passed", "failed"]
    model: ModelInfo
    device: str  # as requested: auto, cuda, cpu
    quant: str  # as requested
    compute_dtype: str | None
    prediction: tuple[Prediction, ...]
    attempts: tuple[Attempt, ...]
    findings: tuple[Finding, ...]
    result: Attempt | None  # the attempt that passed, else the last one that ran
    notes: tuple[str, ...] = ()
    schema: str = LOAD_SCHEMA
    max_memory: dict[str, str] | None = (
        None  # the user's --max-memory, as given (a cap the ladder must respect)
    )
    tool: dict[str, str] = field(default_factory=dict)


def child_report(data: dict[str, Any]) -> ChildReport:
    """The child's JSON as a ChildReport; an answer of the wrong shape is an error report, not a crash here."""
    from ..serde import SchemaError, from_json

    try:
        report: ChildReport = from_json(ChildReport, data)
        return report
    except SchemaError as exc:
        return ChildReport(
            ok=False, stage=str(data.get("stage", "?")), error=f"malformed child report: {exc}"
        )
