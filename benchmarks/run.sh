#!/usr/bin/env bash
# Builds the JMH benchmarks and runs them all (~10 minutes), printing one Markdown table:
# sgemm/sgemv GFLOP/s through FFM, the pure-Java fallback, and the downcall-vs-Java-loop
# crossover for tiny products. Under `flock /tmp/bench.lock` so that two benchmark runs on this
# machine never overlap. Usage: benchmarks/run.sh [--quick]   (--quick: harness check, ~1 min)
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA="${NERVA_BENCH_JAVA:-}"
if [[ -z "$JAVA" ]]; then
  for j in /usr/lib/jvm/temurin-25-jdk-amd64/bin/java "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java || true)"; do
    if [[ -x "$j" ]] && "$j" -version 2>&1 | grep -Eq 'version "(2[5-9]|[3-9][0-9])'; then JAVA="$j"; break; fi
  done
fi
[[ -n "$JAVA" ]] || { echo "run.sh: needs a JDK 25+ java; set NERVA_BENCH_JAVA" >&2; exit 1; }

# Tests are the native module's job (mvn -pl native test); here only compile and package.
mvn -B -q -P bench -pl benchmarks -am -DskipTests package

QUICK=()
[[ "${1:-}" == "--quick" ]] && QUICK=(-Dbench.quick=true)

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
flock /tmp/bench.lock "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  "${QUICK[@]}" -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
  io.nerva.bench.BenchMain benchmarks/target/jmh.log benchmarks/target/results.md
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "(table saved to benchmarks/target/results.md; JMH logs in benchmarks/target/jmh.log.*)" >&2
