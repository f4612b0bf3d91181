#!/usr/bin/env bash
# Records, on a GPU machine lent by the device tool, what issue 2 and 3 need: real snapshots (healthy, GPUs
# hidden, BNB_CUDA_VERSION override), `check` output, an import-time trace, the check benchmark, and
# cuobjdump's view of the bitsandbytes libraries to compare with `bnbdoctor inspect-lib`.
# Usage there: bash benchmarks/gpu/record-check.sh "$OUT"   (bitsandbytes installed under /tmp/site first)
set -u
out=${1:?output folder}
export PYTHONUNBUFFERED=1
day=$(date -u +%Y-%m-%d)
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
note="recorded $day on the device tool's machine ($gpu), $(python3 -c 'import torch;print("torch",torch.__version__)') , bitsandbytes 0.50.2 wheel"
python3 -c "import typer, rich, pynvml, packaging; print('typer', typer.__version__)"
python3 -m bnbdoctor snapshot -o "$out/gpu.json" --note "$note"
CUDA_VISIBLE_DEVICES= python3 -m bnbdoctor snapshot -o "$out/gpu-cvd-empty.json" --note "$note; CUDA_VISIBLE_DEVICES=''"
BNB_CUDA_VERSION=126 python3 -m bnbdoctor snapshot -o "$out/gpu-bnb126.json" --note "$note; BNB_CUDA_VERSION=126"
echo "== check"; python3 -m bnbdoctor check; echo "rc=$?"
echo "== check --expect-gpu, GPUs hidden"; CUDA_VISIBLE_DEVICES= python3 -m bnbdoctor check --expect-gpu; echo "rc=$?"
python3 -X importtime -m bnbdoctor check -q 2> "$out/importtime.txt"
echo "== heavy imports in check: $(grep -cE ' (torch|transformers|bitsandbytes)(\.|$)' "$out/importtime.txt")"
echo "== benchmark"; python3 benchmarks/bench_check.py --rounds "${ROUNDS:-5}" --json "$out/bench.json"
echo "== cuobjdump"
{
  for lib in /tmp/site/bitsandbytes/libbitsandbytes_cuda*.so; do
    elf=$(cuobjdump --list-elf "$lib" 2>&1 | grep -o 'sm_[0-9]*[a-z]*' | sort -u -V | tr '\n' ' ')
    ptx=$(cuobjdump --list-ptx "$lib" 2>&1 | grep -o 'sm_[0-9]*[a-z]*\|compute_[0-9]*[a-z]*' | sort -u -V | tr '\n' ' ')
    echo "$(basename "$lib") | elf: $elf| ptx: $ptx"
  done
} | tee "$out/cuobjdump.txt"
torch_lib="$(python3 -c "import importlib.util,os;print(os.path.dirname(importlib.util.find_spec('torch').origin))")/lib/libtorch_cuda.so"
if [ -f "$torch_lib" ]; then
  elf=$(timeout 180 cuobjdump --list-elf "$torch_lib" 2>&1 | grep -o 'sm_[0-9]*[a-z]*' | sort -u -V | tr '\n' ' ')
  ptx=$(timeout 180 cuobjdump --list-ptx "$torch_lib" 2>&1 | grep -o 'sm_[0-9]*[a-z]*\|compute_[0-9]*[a-z]*' | sort -u -V | tr '\n' ' ')
  echo "libtorch_cuda.so | elf: $elf| ptx: $ptx" | tee -a "$out/cuobjdump.txt"
  ls -la "$torch_lib" | tee -a "$out/cuobjdump.txt"
fi
