#!/usr/bin/env bash
# Bulk TCP throughput of MirageJ's stack over TAP against the Linux kernel's over veth, in one run.
# Usage: bench/tcp.sh [MiB per transfer (200)] [rounds (3)]. Needs root, iproute2, netcat-openbsd.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$root"
./mvnw -o -q -f mirage-tcpip/pom.xml test-compile
./mvnw -o -q -f mirage-tcpip/pom.xml dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test >/dev/null
cp="$here/target/classes:$here/target/test-classes:$(cat "$here/target/bench.classpath")"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" io.miragej.tcpip.bench.TcpBench "$@"
