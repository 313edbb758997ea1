#!/usr/bin/env bash
# Start-up and memory of the embedded classifier, measured as the peers measure theirs: one
# untimed warm-up run, then 5 whole-process runs (median wall time), then peak RSS under
# /usr/bin/time -v. Holds /tmp/bench.lock. Run from the repository root after `mvn package`.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
cp=$(dev/classpath)
run=("$JAVA" --enable-native-access=ALL-UNNAMED -Dnerva.threads=1 -cp "$cp"
     io.nerva.examples.embedded.FashionClassifier /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz 0)
flock /tmp/bench.lock bash -c '
  walls=()
  for i in 0 1 2 3 4 5; do
    s=$(date +%s%N); out=$("$@" 2>/dev/null | head -1); e=$(date +%s%N)
    [ "$i" = 0 ] && continue
    walls+=($(( (e - s) / 1000000 ))); echo "run $i: wall $(( (e - s) / 1000000 )) ms; $out"
  done
  printf "median wall ms of 5: %s\n" "$(printf "%s\n" "${walls[@]}" | sort -n | sed -n 3p)"
  /usr/bin/time -v "$@" 2>&1 >/dev/null | grep -E "Maximum resident" || true
' _ "${run[@]}"
# shellcheck disable=SC2046
du -ch $(echo "$cp" | tr ':' ' ') 2>/dev/null | tail -1 | sed 's/^/install footprint (classes + runtime jars): /'
