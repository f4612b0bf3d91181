"""Record what torch really prints for CUDA errors on a GPU, as fixtures for explain's CUDA codes.

    python scripts/record_cuda_errors.py OUT_DIR [CASE ...]

Each case runs in its own child process (a device-side assert leaves the CUDA context unusable), and the last TAIL
lines of what the child wrote to stderr are saved as OUT_DIR/<case>.txt with the machine and versions in a header.
Used on the lent H200 (2026-11-30, sessions 2, 7 and 8); the files live in tests/fixtures/explain/gpu/ and
tests/explain/test_cuda_status.py checks that explain names the code (or the signature) and the category of each.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

TAIL = (
    60  # lines of the child's stderr kept (a torchrun launch prints its summary after the rank's traceback)
)
#: a tiny Llama (random weights) saved once to a folder, for the cases that load it quantized
_TINY = (
    "import os, torch, transformers\n"
    "path = '/tmp/bnbdoctor-tiny-llama'\n"
    "if not os.path.isdir(path):\n"
    "    cfg = transformers.LlamaConfig(vocab_size=128, hidden_size=256, intermediate_size=512, num_hidden_layers=2,"
    " num_attention_heads=4, num_key_value_heads=4)\n"
    "    transformers.LlamaForCausalLM(cfg).save_pretrained(path)\n"
)

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
    # session 7: the families explain learned from dev-v/dev-w/dev-x, reproduced where one GPU can show them
    # CUDA initialised in the parent, then used in a forked child (the child's traceback goes to stderr)
    "fork-after-cuda-init": (
        "import torch, multiprocessing as mp\n"
        "torch.zeros(1, device='cuda')\n"
        "def child():\n    torch.zeros(1, device='cuda')\n"
        "mp.set_start_method('fork')\np = mp.Process(target=child)\np.start()\np.join()\n"
    ),
    # the properties of a GPU index the process cannot see
    "device-properties-out-of-range": "import torch; torch.cuda.get_device_properties(5)",
    # a convolution whose input is on the GPU and whose weight stayed on the CPU
    "conv-input-on-gpu-weight-on-cpu": (
        "import torch; torch.nn.functional.conv2d(torch.randn(1, 3, 8, 8, device='cuda'), torch.randn(4, 3, 3, 3))"
    ),
    # a checkpoint whose tensors were saved from cuda:5, read where one GPU is visible (the legacy format keeps the
    # location as a plain string, so the saved cuda:0 is rewritten to cuda:5)
    "deserialize-on-missing-gpu": (
        "import io, torch\n"
        "buf = io.BytesIO(); torch.save(torch.zeros(2, device='cuda'), buf, _use_new_zipfile_serialization=False)\n"
        "torch.load(io.BytesIO(buf.getvalue().replace(b'cuda:0', b'cuda:5')), weights_only=False)\n"
    ),
    # DistributedDataParallel (one rank, NCCL) over a module with a parameter the forward never uses
    "ddp-unused-parameter": (
        "import os, torch, torch.distributed as dist\n"
        "os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT='29511')\n"
        "dist.init_process_group('nccl', rank=0, world_size=1)\n"
        "class M(torch.nn.Module):\n"
        "    def __init__(self):\n        super().__init__(); self.a = torch.nn.Linear(4, 4); self.b = torch.nn.Linear(4, 4)\n"
        "    def forward(self, x):\n        return self.a(x)\n"
        "m = torch.nn.parallel.DistributedDataParallel(M().cuda(), device_ids=[0])\n"
        "for _ in range(2):\n    m(torch.randn(2, 4, device='cuda')).sum().backward()\n"
    ),
    # the same, a layer run twice under reentrant gradient checkpointing with find_unused_parameters
    "ddp-reentrant-checkpoint-twice": (
        "import os, torch, torch.distributed as dist\n"
        "from torch.utils.checkpoint import checkpoint\n"
        "os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT='29512')\n"
        "dist.init_process_group('nccl', rank=0, world_size=1)\n"
        "class M(torch.nn.Module):\n"
        "    def __init__(self):\n        super().__init__(); self.a = torch.nn.Linear(4, 4)\n"
        "    def forward(self, x):\n"
        "        return checkpoint(self.a, checkpoint(self.a, x, use_reentrant=True), use_reentrant=True)\n"
        "m = torch.nn.parallel.DistributedDataParallel(M().cuda(), device_ids=[0], find_unused_parameters=True)\n"
        "m(torch.randn(2, 4, device='cuda', requires_grad=True)).sum().backward()\n"
    ),
    # a model accelerate dispatched with one layer offloaded to the CPU, then moved
    "move-dispatched-model": (
        "import torch\nfrom accelerate import dispatch_model\n"
        "m = dispatch_model(torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 4)), "
        "device_map={'0': 0, '1': 'cpu'})\n"
        "m.to('cuda')\n"
    ),
    # triton 3.1 removed triton.ops (code written for triton 2.x imports it)
    "triton-submodule-missing": "import triton.ops",
    # session 8: torch's other index asserts (dev-y's embedding one is device-side-assert above)
    # a label at or above the number of classes (aten/src/ATen/native/cuda/Loss.cu)
    "nll-loss-label-out-of-range": (
        "import torch; torch.nn.functional.cross_entropy(torch.randn(4, 10, device='cuda'), "
        "torch.tensor([1, 2, 12, 3], device='cuda')); torch.cuda.synchronize()"
    ),
    # advanced indexing past the end (aten/src/ATen/native/cuda/IndexKernel.cu)
    "index-out-of-bounds": (
        "import torch; x = torch.zeros(10, device='cuda'); y = x[torch.tensor([20], device='cuda')]; "
        "torch.cuda.synchronize()"
    ),
    # two GPUs (the nvidia-h200-x2 kind): every rank of a two-process NCCL launch on GPU 0 (no set_device / no
    # device_map={"": local_rank}), then tensors and a layer on two GPUs, then generate() fed inputs on the CPU
    "nccl-ranks-on-one-gpu": (
        "import subprocess, sys, tempfile\n"
        "src = 'import torch, torch.distributed as dist\\ndist.init_process_group(\"nccl\")\\n'"
        " 'x = torch.ones(1, device=\"cuda:0\")\\ndist.all_reduce(x)\\ntorch.cuda.synchronize()\\n'\n"
        "f = tempfile.NamedTemporaryFile('w', suffix='.py', delete=False); f.write(src); f.close()\n"
        "r = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', f.name],"
        " capture_output=True, text=True)\n"
        "sys.stderr.write(r.stdout + r.stderr); sys.exit(r.returncode)\n"
    ),
    "tensors-on-two-gpus": (
        "import torch; torch.randn(2, 2, device='cuda:0') @ torch.randn(2, 2, device='cuda:1')"
    ),
    "layer-on-gpu1-input-on-gpu0": (
        "import torch; torch.nn.Linear(4, 4).to('cuda:1')(torch.randn(2, 4, device='cuda:0'))"
    ),
    "generate-input-on-cpu": (
        "import torch, transformers\n"
        "cfg = transformers.LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=2,"
        " num_attention_heads=4, num_key_value_heads=4)\n"
        "m = transformers.LlamaForCausalLM(cfg).to('cuda:0')\n"
        "m.generate(torch.tensor([[1, 2, 3]]), max_new_tokens=2, do_sample=False)\n"
    ),
    # session 8: the quantized-load messages users meet most, in the wording of the releases on the GPU image
    # (bitsandbytes carried in with ../shared/gpu/fetch-wheels.sh): a tiny Llama saved once, then loaded in 4/8-bit
    "bnb-8bit-moved-with-to": _TINY
    + (
        "m = transformers.AutoModelForCausalLM.from_pretrained(path, device_map={'': 0},"
        " quantization_config=transformers.BitsAndBytesConfig(load_in_8bit=True))\n"
        "m.to(torch.float16)\n"
    ),
    "bnb-4bit-cast-with-half": _TINY
    + (
        "m = transformers.AutoModelForCausalLM.from_pretrained(path, device_map={'': 0},"
        " quantization_config=transformers.BitsAndBytesConfig(load_in_4bit=True))\n"
        "m.half()\n"
    ),
    "bnb-8bit-dispatched-to-cpu": _TINY
    + (
        "transformers.AutoModelForCausalLM.from_pretrained(path, device_map='auto', max_memory={0: '1MiB', 'cpu': '8GiB'},"
        " quantization_config=transformers.BitsAndBytesConfig(load_in_8bit=True))\n"
    ),
    # session 9: a Triton kernel handed a tensor on the CPU (an offloaded layer reaching a Triton kernel); @triton.jit
    # reads its function's source, so the kernel is written to a file and run from there
    "triton-cpu-tensor": (
        "import runpy, tempfile\n"
        "src = '''import torch, triton, triton.language as tl\n"
        "@triton.jit\n"
        "def add_one(x_ptr, n, BLOCK: tl.constexpr):\n"
        "    i = tl.arange(0, BLOCK)\n"
        "    tl.store(x_ptr + i, tl.load(x_ptr + i, mask=i < n) + 1, mask=i < n)\n"
        "add_one[(1,)](torch.zeros(16), 16, BLOCK=16)\n'''\n"
        "f = tempfile.NamedTemporaryFile('w', suffix='.py', delete=False); f.write(src); f.close()\n"
        "runpy.run_path(f.name)\n"
    ),
    # gather with an index past the dimension (aten/src/ATen/native/cuda/ScatterGatherKernel.cu)
    "gather-index-out-of-bounds": (
        "import torch; torch.gather(torch.zeros(2, 3, device='cuda'), 1, torch.tensor([[0, 7]], device='cuda')); "
        "torch.cuda.synchronize()"
    ),
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
    wanted = sys.argv[2:] or list(CASES)  # the cases to run (all by default)
    for name, code in ((n, CASES[n]) for n in wanted):
        env = {"PATH": "/usr/bin:/bin", **({"CUDA_VISIBLE_DEVICES": ""} if name == "no-visible-gpu" else {})}
        import os

        env = {**os.environ, **env}
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
        )
        tail = "\n".join(done.stderr.strip().splitlines()[-TAIL:])
        (out / f"{name}.txt").write_text(header + f"# case: {name}; exit status {done.returncode}\n{tail}\n")
        print(name, done.returncode, tail.splitlines()[-1] if tail else "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
