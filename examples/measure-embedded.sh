#!/usr/bin/env bash
# Start-up and memory of the embedded classifier, measured as the peers measure theirs (one image
# read, one prediction): per variant one untimed warm-up run, then 5 whole-process runs (median
# wall time), then peak RSS under /usr/bin/time -v. Variants: plain java, and java with a JDK 25
# AOT cache (JEP 483/514: classes loaded and linked ahead of time, recorded by one training run;
# the cache needs a class path of jars only), and that cache with the pure-Java BLAS. Holds /tmp/bench.lock. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
cp=$(dev/classpath)   # builds the modules, examples jar included
cp=${cp/$PWD\/examples\/target\/classes/$PWD/examples/target/nerva-examples-0.1.0-SNAPSHOT.jar}
app=(io.nerva.examples.embedded.FashionClassifier /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz 0)
flags=(--enable-native-access=ALL-UNNAMED -Dnerva.threads=1 -cp "$cp")
aot=target/fashion-classifier.aot
mkdir -p target && rm -f "$aot"
"$JAVA" -XX:AOTCacheOutput="$aot" "${flags[@]}" "${app[@]}" >/dev/null 2>&1
# a small net needs no OpenBLAS: the pure-Java backend skips loading it (its own cache: other classes)
aot_java=target/fashion-classifier-java.aot
rm -f "$aot_java"
"$JAVA" -XX:AOTCacheOutput="$aot_java" -Dnerva.blas=java "${flags[@]}" "${app[@]}" >/dev/null 2>&1

measure() {
  local name=$1; shift
  flock /tmp/bench.lock bash -c '
    name=$1; shift; walls=()
    for i in 0 1 2 3 4 5; do
      s=$(date +%s%N); out=$("$@" 2>/dev/null | head -1); e=$(date +%s%N)
      [ "$i" = 0 ] && continue
      walls+=($(( (e - s) / 1000000 ))); echo "$name run $i: wall $(( (e - s) / 1000000 )) ms; $out"
    done
    printf "%s: median wall ms of 5: %s\n" "$name" "$(printf "%s\n" "${walls[@]}" | sort -n | sed -n 3p)"
    /usr/bin/time -v "$@" 2>&1 >/dev/null | grep -E "Maximum resident" | sed "s/^\s*/$name: /" || true
  ' _ "$name" "$@"
}
measure plain "$JAVA" "${flags[@]}" "${app[@]}"
measure aot-cache "$JAVA" -XX:AOTCache="$aot" "${flags[@]}" "${app[@]}"
measure aot-cache+java-blas "$JAVA" -XX:AOTCache="$aot_java" -Dnerva.blas=java "${flags[@]}" "${app[@]}"
echo "AOT cache: $(du -h "$aot" | cut -f1) ($aot)"
# shellcheck disable=SC2046
du -ch $(echo "$cp" | tr ':' ' ') 2>/dev/null | tail -1 | sed 's/^/install footprint (classes + runtime jars): /'
