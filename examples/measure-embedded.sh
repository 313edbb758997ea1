#!/usr/bin/env bash
# Start-up of the embedded classifier beside the PyTorch peer's cold start, measured alike: whole
# processes that read one image and predict it, wall time from outside. Run from anywhere.
#
# The peer is shared/peers/pytorch with BLAS=openblas (Debian's PyTorch 1.13 under /usr/bin/python3,
# OpenBLAS 0.3.21), copied to a writable directory (PEER_DIR, default target/peer-pytorch; its
# source PEER_SRC, default /work/shared/peers/pytorch): `run.sh setup`, then `run.sh cold`, the
# peer's own measurement (it takes /tmp/bench.lock itself, and saves the model it loads on its
# first run). Then, holding /tmp/bench.lock once for all of it, ROUNDS (default 5) rounds, after
# one untimed warm-up round, each running once the peer's cold command (as run.sh runs it) and
# every Nerva variant in turn, so that all of them see the same machine; medians of the rounds, and
# each one's ratio to the peer's median. Then peak RSS of one run of each, under /usr/bin/time -v.
#
# Nerva variants (all -Dnerva.threads=1, as the peer runs with OMP_NUM_THREADS=1):
#   plain            java -cp <jars> FashionClassifier
#   aot              with a JDK 25 AOT cache (JEP 483/514/515: classes loaded and linked ahead of
#                    time), recorded by one run of the classifier itself (needs a class path of jars)
#   aot+java-blas    and -Dnerva.blas=java: a net this small needs no OpenBLAS, and the pure-Java
#                    backend never touches the FFM Linker (its own cache: other classes)
#   launcher         as aot+java-blas, plus JVM flags a launcher script can set for a process
#                    that lives for one prediction: -XX:TieredStopAtLevel=1 (C1 only: compiles
#                    sooner and cheaper), -XX:+UseSerialGC (sets up faster than G1 on a small heap),
#                    -XX:-UsePerfData (no hsperfdata file); its cache recorded with the same flags
#   java-version     not the application: `java -version` with the launcher flags, the JVM's own
#                    start and exit, for scale
# SKIP_PEER=1 measures Nerva only (ratios then omitted).
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
ROUNDS=${ROUNDS:-5}
PEER_SRC=${PEER_SRC:-/work/shared/peers/pytorch}
PEER_DIR=${PEER_DIR:-$PWD/target/peer-pytorch}
IMAGES=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz

cp=$(dev/classpath)   # builds the modules, examples jar included
cp=${cp/$PWD\/examples\/target\/classes/$PWD/examples/target/nerva-examples-0.1.0-SNAPSHOT.jar}
app=(io.nerva.examples.embedded.FashionClassifier "$IMAGES" 0)
base=(--enable-native-access=ALL-UNNAMED -Dnerva.threads=1)
launcher=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData)
mkdir -p target
record() { # record CACHE FLAGS...: one run of the classifier that writes an AOT cache
  local cache=$1; shift
  rm -f "$cache"
  "$JAVA" -XX:AOTCacheOutput="$cache" "$@" -cp "$cp" "${app[@]}" >/dev/null 2>&1
}
record target/fashion-classifier.aot "${base[@]}"
record target/fashion-classifier-java.aot "${base[@]}" -Dnerva.blas=java
record target/fashion-classifier-launcher.aot "${launcher[@]}" "${base[@]}" -Dnerva.blas=java

# the floor: the same JVM with the launcher flags, starting and exiting (-version), no application
names=(java-version plain aot aot+java-blas launcher)
cmds=(
  "$(printf '%q ' "$JAVA" "${launcher[@]}" -version)"
  "$(printf '%q ' "$JAVA" "${base[@]}" -cp "$cp" "${app[@]}")"
  "$(printf '%q ' "$JAVA" -XX:AOTCache=target/fashion-classifier.aot "${base[@]}" -cp "$cp" "${app[@]}")"
  "$(printf '%q ' "$JAVA" -XX:AOTCache=target/fashion-classifier-java.aot "${base[@]}" -Dnerva.blas=java -cp "$cp" "${app[@]}")"
  "$(printf '%q ' "$JAVA" -XX:AOTCache=target/fashion-classifier-launcher.aot "${launcher[@]}" "${base[@]}" -Dnerva.blas=java -cp "$cp" "${app[@]}")"
)

if [ "${SKIP_PEER:-}" != 1 ]; then
  if [ ! -x "$PEER_DIR/run.sh" ]; then
    mkdir -p "$PEER_DIR" && cp -r "$PEER_SRC"/. "$PEER_DIR"/ && chmod -R u+w "$PEER_DIR"
  fi
  (cd "$PEER_DIR" && BLAS=openblas ./run.sh setup >/dev/null 2>&1 || true)
  (cd "$PEER_DIR" && BLAS=openblas ./run.sh cold >/dev/null)
  echo "peer's own run.sh cold: $(grep RESULT "$PEER_DIR/results/cold_openblas.log")"
  ob="$PEER_DIR/.openblas/root/usr/lib/x86_64-linux-gnu/openblas-openmp"
  # run.sh's cold step: py openblas 1 cold.py models/mlp.pt
  names=(pytorch "${names[@]}")
  cmds=("cd $(printf '%q' "$PEER_DIR") && env LD_LIBRARY_PATH=$(printf '%q' "$ob") OMP_NUM_THREADS=1 BENCH_TAG=openblas /usr/bin/python3 cold.py models/mlp.pt" "${cmds[@]}")
fi

flock /tmp/bench.lock bash -c '
  rounds=$1; shift; n=$(($# / 2)); names=("${@:1:n}"); cmds=("${@:n+1}")
  declare -A walls
  for r in $(seq 0 "$rounds"); do
    for k in "${!names[@]}"; do
      s=$(date +%s%N); out=$(bash -c "${cmds[$k]}" 2>/dev/null | head -1); e=$(date +%s%N)
      [ "$r" = 0 ] && continue   # warm-up round: page cache, first-run effects
      ms=$(( (e - s) / 1000000 )); walls[$k]+="$ms "
      printf "round %d %-14s %5d ms  %s\n" "$r" "${names[$k]}" "$ms" "$out"
    done
  done
  median() { tr " " "\n" <<<"$1" | grep . | sort -n | awk "{a[NR]=\$1} END {print a[int((NR + 1) / 2)]}"; }
  peer=""; [ "${names[0]}" = pytorch ] && peer=$(median "${walls[0]}")
  echo
  printf "%-14s %10s %8s   %s\n" variant "median ms" "÷ peer" "runs (ms)"
  for k in "${!names[@]}"; do
    m=$(median "${walls[$k]}")
    ratio=""; [ -n "$peer" ] && ratio=$(awk -v a="$m" -v b="$peer" "BEGIN {printf \"%.2f×\", a / b}")
    printf "%-14s %10d %8s   %s\n" "${names[$k]}" "$m" "$ratio" "${walls[$k]}"
  done
  echo
  for k in "${!names[@]}"; do
    rss=$(/usr/bin/time -v bash -c "${cmds[$k]}" 2>&1 >/dev/null | sed -n "s/.*Maximum resident set size (kbytes): //p" | tail -1)
    printf "%-14s peak RSS %d MB\n" "${names[$k]}" "$(( rss / 1024 ))"
  done
' _ "$ROUNDS" "${names[@]}" "${cmds[@]}"
for c in target/fashion-classifier*.aot; do echo "AOT cache: $(du -h "$c" | cut -f1) ($c)"; done
# shellcheck disable=SC2046
du -ch $(echo "$cp" | tr ':' ' ') 2>/dev/null | tail -1 | sed 's/^/install footprint (classes + runtime jars): /'
