#!/usr/bin/env bash
# The follow-up of record-load-multigpu.sh (same machine kind, same model): a real split of the model over two GPUs
# (--max-memory 0=600MiB,1=20GiB: the embeddings fit on GPU 0, the rest goes to GPU 1), --fallback under a cap
# with the budget computed as accelerate counts the model (944.55 -> 945 MiB), the plain-transformers snippet with
# its bisection kept, a snapshot of the two-GPU machine, and the snippet under transformers 5.24 (a carried wheel,
# with the image's huggingface_hub and tokenizers). Everything goes into one archive, $OUT/record-2.tgz.
# Usage there: bash benchmarks/gpu/record-load-multigpu-2.sh "$OUT" [WHEELS_FOLDER]
set -u
out=${1:?output folder}
wheels=${2:-}
work=/tmp/record-2
mkdir -p "$work"
here=$(cd "$(dirname "$0")/../.." && pwd)
# the first script's load() and header, writing into $work
sed -n '/^load() {/,/^}/p' "$here/benchmarks/gpu/record-load-multigpu.sh" > /tmp/load-fn.sh
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 BNBDOCTOR_CACHE=/tmp/bnbdoctor-cache
model=/tmp/bnbdoctor-mid-llama
start=$SECONDS
stamp() { echo "== [$((SECONDS - start)) s] $*"; }
out_final=$out
out=$work
# shellcheck disable=SC1091
. /tmp/load-fn.sh
{
stamp "machine"; date -u
nvidia-smi --query-gpu=index,name,driver_version,memory.used,memory.total --format=csv
python3 -c "import torch, transformers, accelerate, bitsandbytes, safetensors, huggingface_hub, tokenizers; print('torch', torch.__version__, '| transformers', transformers.__version__, '| accelerate', accelerate.__version__, '| bitsandbytes', bitsandbytes.__version__, '| safetensors', safetensors.__version__, '| hub', huggingface_hub.__version__, '| tokenizers', tokenizers.__version__)"
stamp "generate $model"
timeout 240 python3 -m bnbdoctor.load.generate mid-llama "$model" || { echo "generation failed"; exit 1; }
load split-0-600MiB-1-20GiB --max-memory 0=600MiB,1=20GiB
load fallback-cap-cpu-2 --max-memory 0=200MiB,cpu=30GiB --fallback
stamp "plain transformers (image): snippet + bisection"
timeout 200 python3 "$here/benchmarks/gpu/silent_cpu_placement.py" "$model" "$work/snippet-transformers-image.json" --bisect 2>/dev/null
echo "rc=$?"
timeout 120 python3 -m bnbdoctor snapshot -o "$work/snapshot-h200x2.json" --note "recorded $(date -u +%F) on the device tool's nvidia-h200-x2 machine (2x NVIDIA H200), bitsandbytes 0.50.2 wheel"; echo "rc=$?"
if [ -n "$wheels" ]; then
  stamp "transformers from $wheels"
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site-t "$wheels"/*.whl && {
    PYTHONPATH=/tmp/site-t:$PYTHONPATH timeout 200 python3 "$here/benchmarks/gpu/silent_cpu_placement.py" "$model" "$work/snippet-transformers-new.json" 2>/dev/null
    echo "rc=$?"
    ( export PYTHONPATH=/tmp/site-t:$PYTHONPATH; load silent-cpu-transformers-new --max-memory 0=200MiB,cpu=30GiB )
  }
fi
stamp "done"
} 2>&1 | tee "$work/record-2.log"
tar -czf "$out_final/record-2.tgz" -C "$work" .
