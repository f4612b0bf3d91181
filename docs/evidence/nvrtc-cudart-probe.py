"""Reproduce two messages `explain` recognises, from NVIDIA's own wheels, on any Linux x86_64 machine (no GPU):

1. NVRTC refusing an architecture its CUDA release predates: "nvrtc: error: invalid value for --gpu-architecture
   (-arch)" (signature nvrtc-unknown-architecture);
2. which CUDA runtime entry points a libcudart exports: cudaSetupArgument / cudaLaunch / cudaConfigureCall (what nvcc
   generated before CUDA 9.2-10.1) versus __cudaPushCallConfiguration / __cudaRegisterFatBinaryEnd (what it generates
   since), the cause of "undefined symbol: cudaSetupArgument" (signature cuda-runtime-internal-symbol).

Usage: python docs/evidence/nvrtc-cudart-probe.py [WORKDIR]   (downloads four wheels with pip, about 100 MB)
Recorded output: docs/evidence/nvrtc-cudart-probe.md
"""

from __future__ import annotations

import ctypes
import glob
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEELS = [
    "nvidia-cuda-nvrtc-cu11==11.7.99",
    "nvidia-cuda-runtime-cu11==11.7.99",
    "nvidia-cuda-nvrtc-cu12==12.4.127",
    "nvidia-cuda-runtime-cu12==12.4.127",
]
ARCHS = ("compute_80", "compute_89", "compute_90", "compute_120")
SYMBOLS = (
    "cudaSetupArgument",
    "cudaLaunch",
    "cudaConfigureCall",
    "__cudaPushCallConfiguration",
    "__cudaPopCallConfiguration",
    "__cudaRegisterFatBinaryEnd",
    "cudaLaunchKernel",
)


def compile_for(lib: str, arch: str) -> tuple[int, str, str]:
    nvrtc = ctypes.CDLL(lib)
    nvrtc.nvrtcGetErrorString.restype = ctypes.c_char_p
    prog = ctypes.c_void_p()
    source = b'extern "C" __global__ void k(float* x) { x[0] = 1.0f; }'
    if nvrtc.nvrtcCreateProgram(ctypes.byref(prog), source, b"k.cu", 0, None, None) != 0:
        raise RuntimeError("nvrtcCreateProgram failed")
    options = (ctypes.c_char_p * 1)(f"--gpu-architecture={arch}".encode())
    rc = nvrtc.nvrtcCompileProgram(prog, 1, options)
    size = ctypes.c_size_t()
    nvrtc.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    nvrtc.nvrtcGetProgramLog(prog, log)
    return rc, nvrtc.nvrtcGetErrorString(rc).decode(), log.value.decode().strip()


def exported(lib: str) -> set[str]:
    out = subprocess.run(
        ["nm", "-D", "--defined-only", lib], capture_output=True, text=True, check=True
    ).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def main() -> int:
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="nvprobe-"))
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", *WHEELS, "-d", str(work)], check=True
    )
    for wheel in sorted(work.glob("*.whl")):
        with zipfile.ZipFile(wheel) as z:
            z.extractall(work / wheel.stem)
    for lib in sorted(glob.glob(str(work / "*" / "nvidia" / "cuda_nvrtc" / "lib" / "libnvrtc.so.1*"))):
        release = Path(lib).parts[len(work.parts)]
        for arch in ARCHS:
            _, name, log = compile_for(lib, arch)
            print(f"{release}  --gpu-architecture={arch}: {name} {log}".rstrip())
    for lib in sorted(glob.glob(str(work / "*" / "nvidia" / "cuda_runtime" / "lib" / "libcudart.so.1*"))):
        release = Path(lib).parts[len(work.parts)]
        have = exported(lib)
        print(f"{release}  " + ", ".join(f"{s}: {'exported' if s in have else 'absent'}" for s in SYMBOLS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
