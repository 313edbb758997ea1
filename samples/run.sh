#!/usr/bin/env bash
# Builds and runs samples/consumer, a project of its own that uses Nerva exactly as the README's
# "Using Nerva in your project" says, against the artifacts `mvn install` put in the local Maven
# repository. Extra arguments go to every mvn call (e.g. -Dmaven.repo.local=...).
# Checks: the project compiles with -Xlint:all -Werror; the app trains, saves, loads and predicts;
# it runs without the JDK's native-access warning through the exec plugin and as an executable
# jar (Enable-Native-Access in its manifest); and, as a control, the warning does appear when the
# same classes run on a plain class path without the flag.
set -euo pipefail
cd "$(dirname "$0")/consumer"
mvn=(mvn -B -q "$@")
warning='WARNING: A restricted method'
fail() { echo "samples/run.sh: $*" >&2; exit 1; }

echo "== the README's \"Using Nerva in your project\" shows these files as they are"
# Each code block there that follows a <!-- samples/consumer/... --> line must equal that file.
readme=../../README.md
checked=0
while IFS= read -r path; do
  block=$(awk -v marker="<!-- $path -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$readme")
  [ "$block" == "$(cat "../../$path")" ] || fail "README.md's copy of $path differs from the file"
  checked=$((checked + 1))
done < <(sed -n 's/^<!-- \(samples\/consumer\/[^ ]*\) -->$/\1/p' "$readme")
[ "$checked" -ge 3 ] || fail "README.md shows $checked files of samples/consumer, expected the pom and two classes"
echo "$checked files match"

echo "== build (javac -Xlint:all -Werror, processor from the processor path)"
"${mvn[@]}" clean package
[ -f target/generated-sources/annotations/com/example/xor/XorNetModel.java ] || fail "no XorNetModel was generated"

echo "== run through the exec plugin (mvn compile exec:exec)"
out=$("${mvn[@]}" compile exec:exec 2>&1) || { echo "$out"; fail "exec:exec failed"; }
echo "$out"
grep -q '^4 of 4 right' <<<"$out" || fail "exec:exec: the app did not get XOR right"
! grep -q "$warning" <<<"$out" || fail "exec:exec printed the native-access warning"

# java -jar needs a JDK 25+ itself: JAVA_HOME if it is one, else the first under /usr/lib/jvm.
java25=""
for home in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
  [ -x "$home/bin/java" ] || continue
  if "$home/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then java25="$home/bin/java"; break; fi
done
[ -n "$java25" ] || fail "no JDK 25+ found (JAVA_HOME or /usr/lib/jvm)"

echo "== run the executable jar ($java25 -jar target/xor-1.0.jar)"
unzip -p target/xor-1.0.jar META-INF/MANIFEST.MF | grep -q '^Enable-Native-Access: ALL-UNNAMED' \
  || fail "the jar's manifest has no Enable-Native-Access: ALL-UNNAMED"
out=$("$java25" -jar target/xor-1.0.jar target/jar.safetensors 2>&1) || { echo "$out"; fail "java -jar failed"; }
echo "$out"
grep -q '^4 of 4 right' <<<"$out" || fail "java -jar: the app did not get XOR right"
! grep -q "$warning" <<<"$out" || fail "java -jar printed the native-access warning"

echo "== control: a plain class path without --enable-native-access warns"
cp="target/classes$(printf ':%s' target/lib/*.jar)"
out=$("$java25" -cp "$cp" com.example.xor.App target/plain.safetensors 2>&1) || { echo "$out"; fail "plain run failed"; }
grep -q "$warning" <<<"$out" || { echo "$out"; fail "no native-access warning without the flag: the checks above prove nothing"; }
echo "warned, as expected"

echo "samples/run.sh: consumer project OK"
