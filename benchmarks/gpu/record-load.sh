#!/usr/bin/env bash
# Records, on a GPU machine lent by the device tool, what issue 6 needs: `bnbdoctor load` of a random model of the
# Llama-3.1-8B shape in nf4 and int8 (predicted vs measured memory, within 1%), the offload trap with
# --max-memory 0=4GiB (category cpu_offload), the --fallback ladder out of it, and bench_load.py against a plain
# from_pretrained. The model is generated once (random bf16 weights, safetensors, /tmp).
# Usage there: bash benchmarks/gpu/record-load.sh "$OUT"   (bitsandbytes under /tmp/site, PYTHONPATH=/tmp/site:src)
# Writes at most 7 files into $OUT: record-load.log, load-nf4.json, load-int8.json, load-offload.json,
# load-fallback.txt, bench-load.json, summary.json.
set -u
out=${1:?output folder}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 BNBDOCTOR_CACHE=/tmp/bnbdoctor-cache
model=${MODEL:-/tmp/bnbdoctor-llama31-8b}
exec > >(tee -a "$out/record-load.log") 2>&1
start=$SECONDS
stamp() { echo "== [$((SECONDS - start)) s] $*"; }

stamp "machine"
nvidia-smi --query-gpu=name,driver_version,memory.used,memory.total --format=csv
python3 -c "import torch, transformers, bitsandbytes; print('torch', torch.__version__, '| transformers', transformers.__version__, '| bitsandbytes', bitsandbytes.__version__)"

stamp "generate $model (once)"
if ! ls "$model"/*.safetensors >/dev/null 2>&1; then
  timeout 420 python3 -m bnbdoctor.load.generate llama31-8b "$model" || { echo "generation failed"; exit 1; }
fi
du -sh "$model"

for quant in nf4 int8; do
  stamp "load $quant"
  timeout 300 python3 -m bnbdoctor load "$model" --quant "$quant" --format json --quiet > "$out/load-$quant.json"
  echo "rc=$?"
done

stamp "offload trap: --device-map auto --max-memory 0=4GiB"
timeout 300 python3 -m bnbdoctor load "$model" --quant nf4 --device-map auto --max-memory 0=4GiB --format json --quiet > "$out/load-offload.json"
echo "rc=$? (1 expected)"

stamp "the same with --fallback (text report)"
timeout 400 python3 -m bnbdoctor load "$model" --quant nf4 --device-map auto --max-memory 0=4GiB --fallback --quiet > "$out/load-fallback.txt"
echo "rc=$?"
cat "$out/load-fallback.txt"

stamp "summary: predicted vs measured"
python3 - "$out" <<'PY'
import json, sys
from pathlib import Path

out = Path(sys.argv[1])
summary, ok = {}, True
for name in ("nf4", "int8", "offload"):
    path = out / f"load-{name}.json"
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        print(f"{name}: no report ({exc})"); ok = False; continue
    result = doc.get("result") or {}
    rows = result.get("memory_comparison") or []
    report = result.get("report") or {}
    entry = {"status": doc["status"], "attempts": [(a["quant"], a["outcome"], a["category"]) for a in doc["attempts"]],
             "findings": [(f["rule"], f["category"]) for f in doc["findings"]], "load_seconds": report.get("load_seconds"),
             "tokens_per_second": (report.get("forward") or {}).get("tokens_per_second"),
             "layers": report.get("layers"), "memory": rows}
    summary[name] = entry
    print(f"{name}: status {doc['status']}; attempts {entry['attempts']}; findings {entry['findings']}")
    for row in rows:
        err = row["error"]
        print(f"   {row['name']:<44} measured {row['measured']:>14,} predicted {row['predicted'] or 0:>14,} "
              f"error {'-' if err is None else f'{err:+.3%}'}")
    if name in ("nf4", "int8"):
        judged = [r for r in rows if r["judged"]]
        good = doc["status"] == "passed" and bool(judged) and abs(judged[0]["error"]) <= 0.01
        print(f"   memory_allocated within 1% of the prediction: {'yes' if good else 'NO'}")
        ok &= good
    else:
        good = doc["status"] == "failed" and any(f["category"] == "cpu_offload" for f in doc["findings"])
        print(f"   offload trap named cpu_offload: {'yes' if good else 'NO'}")
        ok &= good
summary["acceptance"] = ok
(out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
print("ACCEPTANCE", "met" if ok else "MISSED")
PY

stamp "bench_load.py (nf4, interleaved)"
timeout 420 python3 benchmarks/bench_load.py --model "$model" --quant nf4 --rounds "${ROUNDS:-3}" --warmup 0 --json "$out/bench-load.json"
echo "rc=$?"
stamp "done"
