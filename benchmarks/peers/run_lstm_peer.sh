#!/usr/bin/env bash
# PyTorch 1.13 (Debian's python3-torch) with OpenBLAS, as shared/peers/pytorch does with BLAS=openblas:
# Debian's libopenblas0-openmp unpacked beside this script, first on LD_LIBRARY_PATH for these processes only.
# Each run holds /tmp/bench.lock. Needs: apt-get install -y python3-torch python3-numpy
set -euo pipefail
cd "$(dirname "$0")"
OB="$PWD/.openblas/root/usr/lib/x86_64-linux-gnu/openblas-openmp"
if [ ! -f "$OB/libblas.so.3" ]; then
  mkdir -p .openblas && (cd .openblas && apt-get download libopenblas0-openmp >/dev/null && dpkg -x libopenblas0-openmp_*.deb root)
fi
grep -o -w -E 'avx512f|avx2|fma' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
for th in 1 2; do
  flock /tmp/bench.lock env LD_LIBRARY_PATH="$OB" OMP_NUM_THREADS="$th" BENCH_TAG=openblas /usr/bin/python3 lstm_torch.py "$th"
done
