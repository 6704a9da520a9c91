#!/usr/bin/env bash
# Runs a module's JMH benchmarks (classes named *Benchmark in its test sources).
#   bench/jmh.sh MODULE [JMH arguments]     e.g.  bench/jmh.sh mirage-types -prof gc PacketBuffer
# Benchmarks print their own figures; -prof gc shows allocation per operation (gc.alloc.rate.norm),
# which is how "no allocation on the hot path" is shown.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JDK="$("$ROOT/mirage" java)"
module="${1:?usage: bench/jmh.sh MODULE [JMH arguments]}"
shift
cd "$ROOT"
JAVA_HOME="$JDK" ./mvnw -q install -DskipTests -pl "$module" -am
JAVA_HOME="$JDK" ./mvnw -q test-compile dependency:build-classpath -pl "$module" \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/jmh.classpath")"
exec "$JDK/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main "$@"
