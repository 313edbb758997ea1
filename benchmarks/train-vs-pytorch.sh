#!/usr/bin/env bash
# Nerva's training and inference figures beside the PyTorch peer's, measured in one run, printed as
# one Markdown table with the CPU flags. Builds this tree (and, with --baseline REV, that revision
# exported into the work directory, with this tree's benchmark mains copied in), then runs, each process alone
# under `flock /tmp/bench.lock`:
#   Nerva:   FashionMlpBench (MLP 784-128-10 s/epoch at 1 and 2 threads, batch-1 latency, batch-64
#            throughput) and FashionCnnBench --peers (the peers' VALID CNN s/10k at 1 and 2 threads,
#            batch-64 throughput), all through the public fit/predict;
#   PyTorch: Debian's python3-torch 1.13 with OpenBLAS (shared/peers/pytorch with BLAS=openblas, copied
#            to the work directory; its setup unpacks libopenblas0-openmp with apt-get download), the
#            same figures from its bench.py, and the CNN batch-64 throughput from peers/cnn_infer_torch.py.
# Ratios are Nerva / PyTorch: below 1 is better for times, above 1 for throughputs.
# Usage: benchmarks/train-vs-pytorch.sh [--baseline REV|DIR]   (DIR: a source tree to compare with)
# Environment: NERVA_MVN_ARGS (extra mvn arguments, e.g. -Dmaven.repo.local=...), PEERS (the peers
# directory, default ../shared/peers from the repository's main checkout), BENCH_WORK (work
# directory, default /tmp/nerva-train-vs-pytorch), MLP_EPOCHS (timed Nerva MLP epochs, default 3),
# CNN_BATCHES (batches of the CNN epoch, both sides, default 503: 32 warm-up + 3 windows of 157; 0: all),
# REPORT_ONLY=1 (print the table again from the last run's logs, with the same --baseline),
# SKIP_LSTM=1 (leave out the LSTM rows: FashionLstmBench beside benchmarks/peers/lstm_torch.py),
# NERVA_JAVA_OPTS (JVM options of Nerva's runs, e.g. -Dnerva.gemm=onednn).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BASELINE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --baseline) BASELINE="$2"; shift 2 ;;
    *) echo "usage: $0 [--baseline REV]" >&2; exit 2 ;;
  esac
done
WORK="${BENCH_WORK:-/tmp/nerva-train-vs-pytorch}"
LOGS="$WORK/logs"
mkdir -p "$LOGS"
LOCK=(flock /tmp/bench.lock)
read -r -a MVN_ARGS <<< "${NERVA_MVN_ARGS:-}"

JAVA="${NERVA_BENCH_JAVA:-}"
if [[ -z "$JAVA" ]]; then
  for j in /usr/lib/jvm/temurin-25-jdk-amd64/bin/java "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java || true)"; do
    if [[ -x "$j" ]] && "$j" -version 2>&1 | grep -Eq 'version "(2[5-9]|[3-9][0-9])'; then JAVA="$j"; break; fi
  done
fi
[[ -n "$JAVA" ]] || { echo "$0: needs a JDK 25+ java; set NERVA_BENCH_JAVA" >&2; exit 1; }

PEERS="${PEERS:-}"
if [[ -z "$PEERS" ]]; then
  main_checkout=$(dirname "$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$ROOT/.git")")
  for d in "$main_checkout/../shared/peers" "$ROOT/../shared/peers"; do
    [[ -f "$d/pytorch/bench.py" ]] && { PEERS=$(cd "$d" && pwd); break; }
  done
fi
[[ -f "${PEERS:-/nonexistent}/pytorch/bench.py" ]] || { echo "$0: peers not found; set PEERS" >&2; exit 1; }

# build TREE: compiles the examples of TREE and writes its run-time class path to TREE/.bench-classpath
build() {
  local tree=$1 cp
  cp=$(mktemp)
  (cd "$tree" && mvn -B -q "${MVN_ARGS[@]}" -pl examples -am package -DskipTests \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
      -Dmdep.outputFile="$cp" -DincludeScope=runtime >/dev/null)
  echo "$tree/examples/target/classes:$(cat "$cp")" > "$tree/.bench-classpath"
  rm -f "$cp"
}

REPORT_ONLY="${REPORT_ONLY:-}" # set: only print the table again from the logs of the last run
CNN_BATCHES="${CNN_BATCHES:-503}" # the peers' 32 warm-up batches and three windows of 157
[[ -n "$REPORT_ONLY" ]] || { echo "building $ROOT" >&2; build "$ROOT"; }
TREES=("$ROOT")
if [[ -n "$BASELINE" && -n "$REPORT_ONLY" ]]; then
  TREES=("$WORK/baseline" "$ROOT")
elif [[ -n "$BASELINE" ]]; then
  base="$WORK/baseline"
  rm -rf "$base" && mkdir -p "$base"
  if [[ -d "$BASELINE" ]]; then cp -r "$BASELINE/." "$base/"; else git archive "$BASELINE" | tar -x -C "$base"; fi
  # The benchmark mains and their networks from this tree, so both trees run the same measurement.
  for f in FashionMlpBench FashionCnnBench FashionLstmBench FashionDeepMlpNet FashionCnnPeerNet; do
    cp "$ROOT/examples/src/main/java/io/nerva/examples/$f.java" "$base/examples/src/main/java/io/nerva/examples/"
  done
  echo "building baseline $BASELINE in $base" >&2
  build "$base"
  TREES=("$base" "$ROOT")
fi

# The PyTorch peer: a writable copy whose venv python is the system's (so its setup skips pip).
PT="$WORK/pytorch"
if [[ ! -f "$PT/bench.py" ]]; then
  mkdir -p "$PT" && cp -r "$PEERS/pytorch/." "$PT/" && chmod -R u+w "$PT"
fi
mkdir -p "$PT/.venv/bin" && ln -sf /usr/bin/python3 "$PT/.venv/bin/python"
[[ -n "$REPORT_ONLY" ]] || (cd "$PT" && BLAS=openblas ./run.sh setup >/dev/null 2>&1) || true
OB="$PT/.openblas/root/usr/lib/x86_64-linux-gnu/openblas-openmp"
[[ -f "$OB/libblas.so.3" ]] || { echo "$0: could not unpack libopenblas0-openmp into $PT/.openblas" >&2; exit 1; }
torch_py() { # THREADS ARGS...
  local th=$1; shift
  "${LOCK[@]}" env LD_LIBRARY_PATH="$OB" OMP_NUM_THREADS="$th" BENCH_TAG=openblas /usr/bin/python3 "$@"
}

if [[ -n "$REPORT_ONLY" ]]; then
  LOAD_BEFORE="(not measured: REPORT_ONLY)"; LOAD_AFTER=$LOAD_BEFORE
else
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# Interleaved by figure, so that every contender of a figure runs under the same conditions.
nerva() { # INDEX MAIN ARGS... (a tree's benchmark main under the lock)
  local i=$1; shift
  # shellcheck disable=SC2086
  "${LOCK[@]}" "$JAVA" --enable-native-access=ALL-UNNAMED ${NERVA_JAVA_OPTS:-} -Dcnn.maxBatches="$CNN_BATCHES" -cp "$(cat "${TREES[$i]}/.bench-classpath")" "$@"
}
echo "MLP: Nerva, PyTorch" >&2
for i in "${!TREES[@]}"; do nerva "$i" io.nerva.examples.FashionMlpBench "${MLP_EPOCHS:-3}" > "$LOGS/nerva$i-mlp.log" 2>&1; done
(cd "$PT" && torch_py 1 bench.py mlp 1 4 models/mlp.pt > "$LOGS/torch-mlp-t1.log" 2>&1)
(cd "$PT" && torch_py 2 bench.py mlp 2 4 > "$LOGS/torch-mlp-t2.log" 2>&1)
(cd "$PT" && torch_py 1 bench.py infer models/mlp.pt 5000 20000 200 3000 > "$LOGS/torch-infer.log" 2>&1)
echo "CNN: Nerva, PyTorch" >&2
for i in "${!TREES[@]}"; do nerva "$i" io.nerva.examples.FashionCnnBench --peers > "$LOGS/nerva$i-cnn.log" 2>&1; done
(cd "$PT" && CNN_MAX_BATCHES="$CNN_BATCHES" torch_py 1 bench.py cnn 1 32 157 > "$LOGS/torch-cnn-t1.log" 2>&1)
(cd "$PT" && CNN_MAX_BATCHES="$CNN_BATCHES" torch_py 2 bench.py cnn 2 32 157 > "$LOGS/torch-cnn-t2.log" 2>&1)
torch_py 1 "$ROOT/benchmarks/peers/cnn_infer_torch.py" "$PT" > "$LOGS/torch-cnn-infer.log" 2>&1
if [[ -z "${SKIP_LSTM:-}" ]]; then
  echo "LSTM: Nerva, PyTorch" >&2
  for i in "${!TREES[@]}"; do nerva "$i" io.nerva.examples.FashionLstmBench 1 > "$LOGS/nerva$i-lstm.log" 2>&1; done
  for th in 1 2; do torch_py "$th" "$ROOT/benchmarks/peers/lstm_torch.py" "$th" > "$LOGS/torch-lstm-t$th.log" 2>&1; done
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
fi

# value FILE KEY: the number after KEY= on the file's RESULT lines
value() { grep '^RESULT' "$1" | grep -o "$2=[0-9.]*" | head -1 | cut -d= -f2; }
tmlp1=$(value "$LOGS/torch-mlp-t1.log" median_ep2_4_s)
tmlp2=$(value "$LOGS/torch-mlp-t2.log" median_ep2_4_s)
tcnn1=$(value "$LOGS/torch-cnn-t1.log" median_s_per_10k)
tcnn2=$(value "$LOGS/torch-cnn-t2.log" median_s_per_10k)
tlat=$(grep '^RESULT latency' "$LOGS/torch-infer.log" | grep 'api=forward/no_grad ' | grep -o 'median_us=[0-9.]*' | cut -d= -f2)
tb64=$(grep '^RESULT batch64' "$LOGS/torch-infer.log" | grep 'api=forward/no_grad ' | grep -o 'samples_per_s=[0-9.]*' | cut -d= -f2)
tcnnb64=$(value "$LOGS/torch-cnn-infer.log" samples_per_s)
tlstm1=$(grep -s '^RESULT lstm_train' "$LOGS/torch-lstm-t1.log" | grep -o 's_per_epoch=[0-9.]*' | cut -d= -f2 || true)
tlstm2=$(grep -s '^RESULT lstm_train' "$LOGS/torch-lstm-t2.log" | grep -o 's_per_epoch=[0-9.]*' | cut -d= -f2 || true)
tlstmlat=$(grep -s '^RESULT lstm_latency' "$LOGS/torch-lstm-t1.log" | grep -o 'median_us=[0-9.]*' | cut -d= -f2 || true)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "?"; else printf "%.2f×", a / b }'; }
row() { # NAME PEER KEY LOGKIND
  local name=$1 peer=$2 key=$3 kind=$4 line="| $1 | $2 |"
  for i in "${!TREES[@]}"; do
    local v
    v=$(value "$LOGS/nerva$i-$kind.log" "$key")
    line="$line ${v:-?} | $(ratio "$v" "$peer") |"
  done
  echo "$line"
}

echo
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores;" \
     "flags: $(grep -o -w -E 'avx512f|avx2|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "Nerva BLAS: $(grep -m1 '^| BLAS' "$LOGS/nerva$((${#TREES[@]} - 1))-mlp.log" | cut -d'|' -f3 | sed 's/^ //;s/ $//');" \
     "PyTorch: $(head -1 "$LOGS/torch-mlp-t1.log" | grep -o 'torch=[^ ]*') + $(grep -m1 -o 'libopenblas[^ ]*' "$LOGS/torch-mlp-t1.log" || echo 'OpenBLAS (openmp)')"
header="| figure | PyTorch 1.13 + OpenBLAS |"
sep="| --- | ---: |"
for i in "${!TREES[@]}"; do
  if [[ ${#TREES[@]} -gt 1 && $i -eq 0 ]]; then label="Nerva $(basename "$BASELINE")"; else label="Nerva $(git rev-parse --short HEAD 2>/dev/null || basename "$ROOT")"; fi
  label="$label${NERVA_JAVA_OPTS:+ $NERVA_JAVA_OPTS}"
  header="$header $label | ratio |"
  sep="$sep ---: | ---: |"
done
echo "$header"
echo "$sep"
row "MLP 784-128-10 training, s/epoch, 1 thread" "$tmlp1" mlp_train_t1_s_per_epoch mlp
row "MLP training, s/epoch, 2 threads" "$tmlp2" mlp_train_t2_s_per_epoch mlp
row "CNN (peers' VALID net) training, s/10k samples, 1 thread" "$tcnn1" cnn_train_t1_s_per_10k cnn
row "CNN training, s/10k samples, 2 threads" "$tcnn2" cnn_train_t2_s_per_10k cnn
row "MLP batch-64 inference, samples/s, 1 thread" "$tb64" mlp_infer_b64_per_s mlp
row "CNN batch-64 inference, samples/s, 1 thread" "$tcnnb64" cnn_infer_b64_per_s cnn
row "MLP batch-1 latency, median µs" "$tlat" mlp_latency_b1_median_us mlp
if [[ -f "$LOGS/nerva0-lstm.log" ]]; then
  row "LSTM(128) on rows training, s/epoch, 1 thread" "$tlstm1" lstm_train_t1_s_per_epoch lstm
  row "LSTM training, s/epoch, 2 threads" "$tlstm2" lstm_train_t2_s_per_epoch lstm
  row "LSTM batch-1 latency per sequence, median µs" "$tlstmlat" lstm_latency_b1_median_us lstm
fi
echo
echo "(load average before: $LOAD_BEFORE, after: $LOAD_AFTER — other processes share the cores; PyTorch inference figures: forward under no_grad, its fastest API; CNN: $CNN_BATCHES batches. Logs: $LOGS)"
