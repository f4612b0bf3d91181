"""Record what torch really prints for CUDA errors on a GPU, as fixtures for explain's CUDA codes.

    python scripts/record_cuda_errors.py OUT_DIR

Each case runs in its own child process (a device-side assert leaves the CUDA context unusable), and the last 40
lines of what the child wrote to stderr are saved as OUT_DIR/<case>.txt with the machine and versions in a header.
Used on the lent H200 (2026-11-30); the files live in tests/fixtures/explain/gpu/ and tests/explain/test_cuda_status.py
checks that explain names the code and the category of each.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

CASES = {
    # an index outside an embedding table: the kernel's assert (cudaErrorAssert, 710)
    "device-side-assert": (
        "import torch; e = torch.nn.Embedding(10, 4).cuda(); e(torch.tensor([12], device='cuda')); "
        "torch.cuda.synchronize()"
    ),
    # a GPU index the process cannot see (cudaErrorInvalidDevice, 101)
    "invalid-device-ordinal": "import torch; torch.zeros(1, device='cuda:7')",
    # more memory than the GPU has: torch's caching allocator message
    "out-of-memory": "import torch; torch.empty(400 * 2**30, dtype=torch.uint8, device='cuda')",
    # no GPU visible at all (CUDA_VISIBLE_DEVICES empty)
    "no-visible-gpu": "import torch; torch.zeros(1, device='cuda')",
}


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    import torch  # the parent only reads versions

    header = (
        f"# recorded by scripts/record_cuda_errors.py on {platform.node()} ({platform.platform()}), "
        f"torch {torch.__version__}, CUDA {torch.version.cuda}, GPU "
        f"{torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'}\n"
    )
    for name, code in CASES.items():
        env = {"PATH": "/usr/bin:/bin", **({"CUDA_VISIBLE_DEVICES": ""} if name == "no-visible-gpu" else {})}
        import os

        env = {**os.environ, **env}
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
        )
        tail = "\n".join(done.stderr.strip().splitlines()[-40:])
        (out / f"{name}.txt").write_text(header + f"# case: {name}; exit status {done.returncode}\n{tail}\n")
        print(name, done.returncode, tail.splitlines()[-1] if tail else "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
