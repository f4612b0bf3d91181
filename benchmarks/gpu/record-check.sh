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
echo "== check --deep (healthy)"; python3 -m bnbdoctor check --deep; echo "rc=$?"
echo "== BNB_CUDA_VERSION=126 check (no --deep)"; BNB_CUDA_VERSION=126 python3 -m bnbdoctor check; echo "rc=$?"
echo "== BNB_CUDA_VERSION=126 check --deep (json findings)"
BNB_CUDA_VERSION=126 python3 -m bnbdoctor check --deep --format json > "$out/deep-bnb126.json"; echo "rc=$?"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); [print(f['rule'], f['category'], f['severity'], f['message'][:300]) for f in d['findings']]" "$out/deep-bnb126.json"
echo "== BNB_CUDA_VERSION=132 check --deep"; BNB_CUDA_VERSION=132 python3 -m bnbdoctor check --deep; echo "rc=$?"
echo "== benchmark"; python3 benchmarks/bench_check.py --rounds "${ROUNDS:-5}" --json "$out/bench.json"
echo "== inspect-lib vs cuobjdump"
for lib in /tmp/site/bitsandbytes/libbitsandbytes_cuda*.so; do
  echo "$(basename "$lib") | bnbdoctor: $(python3 -m bnbdoctor inspect-lib "$lib" --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(d["sass"]), "| ptx:", " ".join(d["ptx"]))')"
done
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
  echo "libtorch_cuda.so | bnbdoctor: $(python3 -m bnbdoctor inspect-lib "$torch_lib" --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(d["sass"]), "| ptx:", " ".join(d["ptx"]))')"
  for i in 1 2 3; do /usr/bin/time -f "inspect-lib libtorch_cuda.so: %e s" python3 -m bnbdoctor inspect-lib "$torch_lib" > /dev/null; done
fi
echo "== probe timings"
python3 - <<'PY'
import time
t = time.perf_counter(); from bnbdoctor.probes import packages, platform, env, nvml, native; t0 = time.perf_counter()
p = packages.probe(); t1 = time.perf_counter(); pl = platform.probe(); e = env.probe(); t2 = time.perf_counter()
n = nvml.probe(); t3 = time.perf_counter(); nat = native.probe(p, e, pl); t4 = time.perf_counter()
print(f"imports {t0-t:.3f}s packages {t1-t0:.3f}s platform+env {t2-t1:.3f}s nvml {t3-t2:.3f}s native {t4-t3:.3f}s")
PY
