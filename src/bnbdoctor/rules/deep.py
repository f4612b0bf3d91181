"""Rules on what `check --deep` saw when bitsandbytes really ran a 4-bit matmul in a child process."""

from __future__ import annotations

from collections.abc import Iterator

from ..deep.result import DeepResult
from . import derive
from .base import Context, Hit, rule
from .refs import BNB_LIBRARY_SELECTION, H100_FACTS


def classify(text: str, cuda_override: bool) -> str:
    """The taxonomy category of an error message from torch or bitsandbytes."""
    lowered = text.lower()
    if (
        "libcudart" in lowered
        or "cannot open shared object" in lowered
        or "no compatible cuda binary" in lowered
    ):
        return "cuda_mismatch" if cuda_override else "missing_libs"
    if "no kernel image" in lowered or "invalid device function" in lowered:
        return "arch_unsupported"
    if "out of memory" in lowered:
        return "oom"
    if "driver version is insufficient" in lowered:
        return "driver_too_old"
    return "other"


def _where(deep: DeepResult) -> str:
    names = [f"{d.device} ({d.name})" if d.name else d.device for d in deep.devices]
    return ", ".join(names) or "this machine"


@rule(
    id="BNB068",
    name="deep-check-passed",
    category="other",
    severity="info",
    title="The deep check ran a real 4-bit matmul and it was right",
    references=(H100_FACTS,),
)
def deep_check_passed(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Reports, with `check --deep`, that bitsandbytes quantized a weight to NF4, ran `matmul_4bit` and matched
    the dequantized reference on every visible GPU (or on the CPU when there is none).

    ## Why it matters
    It is the evidence a static check cannot give: the native library loaded and its kernels ran here.

    ## Fix
    Nothing to fix.
    """
    deep = ctx.deep
    if deep is None or deep.status != "passed":
        return
    yield Hit(
        f"bitsandbytes {deep.versions.get('bitsandbytes', '')} ran a 4-bit quantize -> matmul -> compare on "
        f"{_where(deep)} in {deep.duration or 0:.1f} s using {deep.library or 'its native library'}.",
        "none needed",
        {
            **deep.facts(),
            "deep.devices": [{"device": d.device, "max_abs_error": d.max_abs_error} for d in deep.devices],
        },
    )


@rule(
    id="BNB069",
    name="deep-check-failed",
    category="other",
    severity="error",
    title="The deep check's real 4-bit matmul failed",
    references=(BNB_LIBRARY_SELECTION, H100_FACTS),
)
def deep_check_failed(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    With `check --deep`, a child process imports torch and bitsandbytes and, on every visible GPU (the CPU when
    there is none), quantizes a weight to NF4, runs `bitsandbytes.matmul_4bit` and compares it with a matmul of
    the dequantized weight. A crash (signal), a hang (timeout), an exception or a wrong result is this finding;
    its category comes from the error text ('cannot open shared object' -> missing_libs, or cuda_mismatch when
    BNB_CUDA_VERSION is set; 'no kernel image' / 'invalid device function' -> arch_unsupported; 'out of memory'
    -> oom; else other).

    ## Why it matters
    Static checks predict; this observes. A load that fails here fails the same way in the real program.

    ## Fix
    Depends on the error, which the message quotes; the static findings next to it usually name the cause.
    """
    deep = ctx.deep
    if deep is None or deep.status == "passed":
        return
    override = derive.env(ctx.snapshot, "BNB_CUDA_VERSION") is not None
    facts = deep.facts()
    if deep.status == "timeout":
        yield Hit(
            f"The deep check did not finish within {deep.timeout:g} s (a hang in CUDA initialisation or a kernel): "
            "it was killed.",
            "Run `nvidia-smi` and check `dmesg` for Xid errors; rerun with a longer --deep-timeout if the machine is "
            "just slow.",
            facts,
        )
        return
    if deep.status == "crashed":
        yield Hit(
            f"The deep check's child process died{' from ' + deep.signal if deep.signal else ''} "
            f"(exit code {deep.returncode}) while running bitsandbytes: {deep.error or 'no report'}.",
            "A native crash in torch or bitsandbytes: compare the versions with the static findings, and rerun the "
            "failing step with CUDA_LAUNCH_BLOCKING=1.",
            facts,
        )
        return
    failed = [d for d in deep.devices if not d.ok]
    if not failed:
        text = deep.error or "unknown error"
        yield Hit(
            f"The deep check failed before any device ran: {text}",
            "Read the error; " + _fix(classify(text, override)),
            {**facts, "deep.error": text},
            category=classify(text, override),
        )
        return
    for device in failed:
        text = device.error or "wrong result"
        category = classify(text, override)
        label = f"{device.device} ({device.name})" if device.name else device.device
        yield Hit(
            f"bitsandbytes' 4-bit matmul failed on {label}: {text}",
            _fix(category),
            {
                **facts,
                "deep.device": device.device,
                "deep.capability": list(device.capability) if device.capability else None,
                "deep.error": text,
                "deep.max_abs_error": device.max_abs_error,
                "deep.tolerance": device.tolerance,
            },
            category=category,
        )


_FIXES = {
    "cuda_mismatch": "unset BNB_CUDA_VERSION (or set it to a version of torch's CUDA major); see BNB062.",
    "missing_libs": "install the CUDA runtime libraries the library needs and put them on LD_LIBRARY_PATH; see BNB063/BNB064.",
    "arch_unsupported": "install a torch/bitsandbytes build with code for this GPU; see BNB060/BNB061.",
    "oom": "free GPU memory (other processes hold it: nvidia-smi) and retry.",
    "driver_too_old": "upgrade the NVIDIA driver; see BNB010/BNB066.",
    "other": "report it with `bnbdoctor snapshot` output attached; the static findings may name the cause.",
}


def _fix(category: str) -> str:
    return _FIXES.get(category, _FIXES["other"])
