#!/usr/bin/env bash
# Bulk TCP throughput of MirageJ's stack (mirage-tcpip) over TAP against the Linux kernel's over a
# veth pair, measured in one run with the same tools (nc from /dev/zero into nc into /dev/null),
# printed as MB/s and ratios, with the load average before and after.
#
# Usage: bench/tcp.sh [MiB per transfer (200)] [rounds, best of (3)] [all|in|out|veth (all)]
# Needs root, iproute2, netcat-openbsd, JDK 25. JAVA_OPTS adds JVM flags (for example a JFR
# recording: JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/tcp.jfr,settings=profile"). The TAP device
# has receive offloads (TSO/checksum, --tap-offload) unless JAVA_OPTS has -Dbench.offload=false, and
# the stack sends large segments for the kernel to cut (segmentation offload) unless -Dbench.tso=false.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
here="$root/mirage-tcpip"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$root"
./mvnw -o -q -f mirage-tcpip/pom.xml test-compile
./mvnw -o -q -f mirage-tcpip/pom.xml dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test >/dev/null
cp="$here/target/classes:$here/target/test-classes:$(cat "$here/target/bench.classpath")"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" ${JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -cp "$cp" io.miragej.tcpip.bench.TcpBench "$@" \
  2> >(grep -v '^SLF4J' >&2)
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
