#!/usr/bin/env bash
# Compile a kernel that uses bfloat16 intrinsics for each architecture with the image's nvcc, and keep what nvcc
# prints: the evidence for explain's `bf16-intrinsics-before-ampere` signature (tests/fixtures/explain/gpu/).
# Run on the lent GPU machine: bash benchmarks/gpu/nvcc_bf16_probe.sh "$OUT"
set -u
out="${1:-.}"
NVCC="$(command -v nvcc || ls /usr/local/cuda*/bin/nvcc 2>/dev/null | head -1)"
if [ -z "$NVCC" ]; then
  NVCC="$(python -c 'import nvidia.cuda_nvcc, os; print(os.path.join(os.path.dirname(nvidia.cuda_nvcc.__file__), "bin", "nvcc"))' 2>/dev/null)"
fi
echo "nvcc: ${NVCC:-none}"
[ -n "$NVCC" ] && [ -x "$NVCC" ] || { echo "no nvcc in this image"; exit 3; }
"$NVCC" --version | tail -2
cat > /tmp/bf16.cu <<'CU'
#include <cuda_bf16.h>
__global__ void k(__nv_bfloat16 *out, const __nv_bfloat162 *in) {
    __nv_bfloat162 v = in[threadIdx.x];
    __nv_bfloat16 hi = __high2bfloat16(v);
    atomicAdd(out, hi);
}
CU
for arch in sm_70 sm_75 sm_80; do
  echo "=== $arch"
  "$NVCC" -arch="$arch" -c /tmp/bf16.cu -o /tmp/bf16_$arch.o 2>&1 | tee "$out/nvcc-bf16-$arch.txt"
  echo "exit ${PIPESTATUS[0]}"
done
