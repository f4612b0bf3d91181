"""Environment probe: the variables that change how CUDA, torch, bitsandbytes and the Hub behave, secrets redacted."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from ..snapshot import EnvInfo

#: Variables recorded by exact name.
NAMES = frozenset(
    {
        "CUDA_VISIBLE_DEVICES",
        "CUDA_DEVICE_ORDER",
        "CUDA_HOME",
        "CUDA_PATH",
        "CUDA_ROOT",
        "CUDA_LAUNCH_BLOCKING",
        "CUDA_MODULE_LOADING",
        "BNB_CUDA_VERSION",
        "LD_LIBRARY_PATH",
        "LD_PRELOAD",
        "DYLD_LIBRARY_PATH",
        "PATH",
        "PYTORCH_CUDA_ALLOC_CONF",
        "PYTORCH_ALLOC_CONF",
        "PYTORCH_NO_CUDA_MEMORY_CACHING",
        "HF_HUB_OFFLINE",
        "TRANSFORMERS_OFFLINE",
        "HF_HOME",
        "HF_HUB_CACHE",
        "TRANSFORMERS_CACHE",
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "HIP_VISIBLE_DEVICES",
        "ROCR_VISIBLE_DEVICES",
        "ROCM_PATH",
        "ROCM_HOME",
        "ZE_AFFINITY_MASK",
        "NVIDIA_VISIBLE_DEVICES",
        "NVIDIA_DRIVER_CAPABILITIES",
        "TORCH_CUDA_ARCH_LIST",
        "CONDA_PREFIX",
        "VIRTUAL_ENV",
        "OMP_NUM_THREADS",
        "WORLD_SIZE",
        "RANK",
        "LOCAL_RANK",
        "LOCAL_WORLD_SIZE",
        "MASTER_ADDR",
        "MASTER_PORT",
    }
)
#: Variables recorded by prefix (every BNB_*, HF_*, ... variable can matter).
PREFIXES = (
    "BNB_",
    "BITSANDBYTES_",
    "CUDA_",
    "HF_",
    "TRANSFORMERS_",
    "ACCELERATE_",
    "PYTORCH_",
    "TORCH_",
    "NCCL_",
)

_SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSW|PASSWD|CREDENTIAL|(^|_)AUTH|API_?KEY|PRIVATE|(^|_)KEY($|_)", re.I
)
#: Values that are secrets whatever their name: Hugging Face, GitHub, OpenAI-style and AWS keys.
_SECRET_VALUE = re.compile(
    r"\b(hf_[A-Za-z0-9]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16})\b"
)
_URL_PASSWORD = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]+):(?P<password>[^@/\s]+)@", re.I
)
REDACTED = "<redacted>"


def _wanted(name: str) -> bool:
    return name in NAMES or name.startswith(PREFIXES)


def redact(name: str, value: str) -> tuple[str, bool]:
    """Return the value to record and whether anything was hidden."""
    if _SECRET_NAME.search(name):
        return REDACTED, True
    cleaned = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", value)
    cleaned = _SECRET_VALUE.sub(REDACTED, cleaned)
    return cleaned, cleaned != value


def probe(environ: Mapping[str, str] | None = None) -> EnvInfo:
    source = os.environ if environ is None else environ
    variables: dict[str, str] = {}
    redacted: list[str] = []
    for name in sorted(source):
        if not _wanted(name):
            continue
        value, hidden = redact(name, source[name])
        variables[name] = value
        if hidden:
            redacted.append(name)
    return EnvInfo(status="ok", variables=variables, redacted=tuple(redacted))
