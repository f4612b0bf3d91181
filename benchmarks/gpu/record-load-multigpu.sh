#!/usr/bin/env bash
# Records, on a two-GPU machine lent by the device tool, what issue 16 (sections 1-3) needs, with a random model of
# the Llama-3.2-1B shape cut to 12 layers (`mid-llama`: 84 Linear4bit layers): a healthy single-GPU load, a load with
# --max-memory 0=300MiB,1=20GiB (the model lands on cuda:1), a normal 2-GPU split (balanced), the silent CPU
# placement (--max-memory 0=200MiB,cpu=30GiB) through bnbdoctor and through plain transformers 5.17 (the image)
# and 5.24 (a carried wheel), the smallest GPU budget found by bisection, --fallback under a user's cap, and
# `check --model`.
# Usage there: bash benchmarks/gpu/record-load-multigpu.sh "$OUT" [WHEELS_5_24_FOLDER]
#   (bitsandbytes under /tmp/site, PYTHONPATH=/tmp/site:<this tree>/src)
set -u
out=${1:?output folder}
wheels=${2:-}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 BNBDOCTOR_CACHE=/tmp/bnbdoctor-cache
here=$(cd "$(dirname "$0")/../.." && pwd)
model=/tmp/bnbdoctor-mid-llama
exec > >(tee -a "$out/record.log") 2>&1
start=$SECONDS
stamp() { echo "== [$((SECONDS - start)) s] $*"; }
load() {  # name, then bnbdoctor load arguments
  local name=$1; shift
  stamp "load $name: $*"
  timeout 240 python3 -m bnbdoctor load "$model" "$@" --format json --quiet > "$out/load-$name.json"
  echo "rc=$?"
  python3 - "$out/load-$name.json" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as exc:
    print("no report:", exc); raise SystemExit
for a in d["attempts"]:
    r = a.get("report") or {}
    print(f"  #{a['number']} {a['quant']} max_memory={a['max_memory']} {a['outcome']} {a['category']} | why: {a['reason']}")
    print(f"     placement={r.get('placement')} quantized_by_device={(r.get('layers') or {}).get('quantized_by_device')} model.device={r.get('model_device')}")
    for dev in ((r.get("memory") or {}).get("devices") or []):
        print(f"     {dev['device']}: allocated {dev['allocated_bytes']:,} peak {dev['max_allocated_bytes']:,} nvml delta {dev['nvml_used_delta_bytes']}")
    if a.get("error"):
        print("     error:", a["error"][:400])
for row in (d.get("result") or {}).get("memory_comparison") or []:
    print(f"  row {row['name']}: measured {row['measured']:,} predicted {row['predicted']} error {row['error']} judged {row['judged']}")
for f in d["findings"]:
    print(f"  {f['rule']} {f['severity']} {f['category']}: {f['message'][:300]} | fix: {f['fix'][:200]}")
print("  status", d["status"])
PY
}

stamp "machine"
date -u
nvidia-smi --query-gpu=index,name,driver_version,memory.used,memory.total --format=csv
python3 -c "import torch, transformers, accelerate, bitsandbytes; print('torch', torch.__version__, '| transformers', transformers.__version__, '| accelerate', accelerate.__version__, '| bitsandbytes', bitsandbytes.__version__, '| gpus', torch.cuda.device_count())"

stamp "generate $model"
timeout 240 python3 -m bnbdoctor.load.generate mid-llama "$model" || { echo "generation failed"; exit 1; }

load single
load maxmem-0-300MiB-1-20GiB --max-memory 0=300MiB,1=20GiB
load balanced --device-map balanced
load silent-cpu --max-memory 0=200MiB,cpu=30GiB
load fallback-cap --max-memory 0=200MiB --fallback
load fallback-cap-cpu --max-memory 0=200MiB,cpu=30GiB --fallback

stamp "plain transformers: the issue's snippet, and the smallest GPU budget (bisection)"
timeout 240 python3 "$here/benchmarks/gpu/silent_cpu_placement.py" "$model" "$out/snippet-transformers-image.json" --bisect
echo "rc=$?"

stamp "check --model (the plan line) and a snapshot of this machine"
timeout 120 python3 -m bnbdoctor check --model "$model" > "$out/check-model.txt" 2>&1; echo "rc=$?"; cat "$out/check-model.txt"
timeout 120 python3 -m bnbdoctor snapshot -o "$out/snapshot-h200x2.json" --note "recorded $(date -u +%F) on the device tool's nvidia-h200-x2 machine, bitsandbytes 0.50.2 wheel"; echo "rc=$?"

if [ -n "$wheels" ] && ls "$wheels"/transformers-*.whl >/dev/null 2>&1; then
  stamp "transformers from $wheels"
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site-t "$wheels"/*.whl && {
    PYTHONPATH=/tmp/site-t:$PYTHONPATH timeout 200 python3 "$here/benchmarks/gpu/silent_cpu_placement.py" "$model" "$out/snippet-transformers-new.json"
    echo "rc=$?"
    ( export PYTHONPATH=/tmp/site-t:$PYTHONPATH; load silent-cpu-transformers-new --max-memory 0=200MiB,cpu=30GiB )
  }
fi
stamp "done"
