#!/usr/bin/env bash
# Records `bnbdoctor check --distributed` on a machine with 2 GPUs (issue 9), for the lead to run when the device
# tool lends one (nvidia-h200-x2): every rank's exit code, rank 0's text and JSON reports, the snapshots each rank
# took, and a failure case (the second rank's GPU hidden) to compare with the derived test clusters.
# Usage there: bash benchmarks/gpu/record-distributed.sh "$OUT"   (bnbdoctor importable, torch with CUDA installed)
set -u
out=${1:?output folder}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 NO_COLOR=1
py=${PYTHON:-python3}
nvidia-smi -L | tee "$out/nvidia-smi-L.txt" || echo "no nvidia-smi: a CPU dry run"
port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wrapper="$out/rank.sh"
cat > "$wrapper" <<'SH'
#!/bin/sh
trap '' TERM  # keep the shell when torchrun stops the group, to record the rank's own exit code
[ -n "${HIDE_ON_RANK:-}" ] && [ "$RANK" = "$HIDE_ON_RANK" ] && export CUDA_VISIBLE_DEVICES=
"$PY" -m bnbdoctor snapshot -o "$CASE_DIR/snapshot-rank$RANK.json" 2>/dev/null
"$PY" -m bnbdoctor check --distributed --join-timeout 60 "$@"
rc=$?
echo "$rc" > "$CASE_DIR/rc.$RANK"
exit "$rc"
SH
run_case() {  # name, extra env...
  name=$1; shift
  dir="$out/$name"; mkdir -p "$dir"
  echo "== $name"
  start=$(date +%s.%N)
  env "$@" PY="$py" CASE_DIR="$dir" "$py" -m torch.distributed.run --nproc-per-node 2 --rdzv-backend static \
    --master-addr 127.0.0.1 --master-port "$(port)" --no-python sh "$wrapper" > "$dir/text.txt" 2> "$dir/stderr.txt"
  echo "torchrun rc=$? wall=$("$py" -c "import sys; print(round($(date +%s.%N) - $start, 2))") s" | tee "$dir/summary.txt"
  cat "$dir/text.txt"
  mkdir -p "$dir/json"
  env "$@" PY="$py" CASE_DIR="$dir/json" "$py" -m torch.distributed.run --nproc-per-node 2 --rdzv-backend static \
    --master-addr 127.0.0.1 --master-port "$(port)" --no-python sh "$wrapper" -f json -o "$dir/json/report.json" \
    > /dev/null 2>> "$dir/stderr.txt"
  echo "exit codes: text $(cat "$dir"/rc.* | tr '\n' ' ') json $(cat "$dir"/json/rc.* | tr '\n' ' ')" | tee -a "$dir/summary.txt"
}
run_case healthy
run_case hidden-gpu-on-rank1 HIDE_ON_RANK=1
echo "== --snapshots over the per-rank snapshots"
"$py" -m bnbdoctor check --snapshots "$out/healthy" | tee "$out/snapshots-healthy.txt"; echo "rc=$?"
