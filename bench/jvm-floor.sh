#!/usr/bin/env bash
# What the JVM itself costs in resident memory with the DNS benchmark's flags (bench/mirage-jvm.opts),
# before any server code: a program that sleeps in main, then one that has also run a lambda, then
# one that has linked one and ten foreign functions (the socket stack's way to the kernel). Each
# figure is the RSS after the program settled, with the ratio to the bare JVM measured in this run.
# Compare with BIND's RSS in bench/dns.sh: the foreign-function floor is about as large.
#
# Usage: bench/jvm-floor.sh   (needs JDK 25; about 1 minute)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JDK="$("$ROOT/mirage" java)" || { echo "bench/jvm-floor.sh: no JDK 25" >&2; exit 1; }
OPTS="$(cat "$ROOT/bench/mirage-jvm.opts")"
SETTLE="${SETTLE:-12}"
WORK="$(mktemp -d /tmp/jvm-floor.XXXXXX)"
PID=""
cleanup() { [ -z "$PID" ] || kill "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

cat > "$WORK/Floor.java" <<'JAVA'
import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;

public class Floor {
    public static void main(String[] a) throws Throwable {
        String mode = a.length > 0 ? a[0] : "bare";
        if (mode.equals("lambda")) {
            Runnable r = () -> System.nanoTime();
            r.run();
        } else if (mode.startsWith("ffm")) {
            int n = Integer.parseInt(mode.substring(3));
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            ValueLayout.OfInt i = ValueLayout.JAVA_INT;
            ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
            String[] names = {"getpid", "close", "dup", "umask", "getuid", "alarm", "sleep", "setuid", "getgid", "lseek"};
            FunctionDescriptor[] shapes = {FunctionDescriptor.of(i), FunctionDescriptor.of(i, i),
                FunctionDescriptor.of(i, i), FunctionDescriptor.of(i, i), FunctionDescriptor.of(i),
                FunctionDescriptor.of(i, i), FunctionDescriptor.of(i, i), FunctionDescriptor.of(i, i),
                FunctionDescriptor.of(i), FunctionDescriptor.of(l, i, l, i)};
            for (int k = 0; k < n; k++) {
                MethodHandle h = linker.downcallHandle(libc.find(names[k]).orElseThrow(), shapes[k],
                        Linker.Option.captureCallState("errno"));
            }
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
JAVA
"$JDK/bin/javac" -d "$WORK" "$WORK/Floor.java"

rss_kb() { awk '/^Rss:/ { print $2 }' "/proc/$1/smaps_rollup"; }
declare -A RSS
for mode in bare lambda ffm1 ffm10; do
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=1 "$JDK/bin/java" $OPTS --enable-native-access=ALL-UNNAMED -cp "$WORK" Floor "$mode" &
  PID=$!
  sleep "$SETTLE"
  RSS[$mode]="$(rss_kb "$PID")"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
done
echo "JVM resident memory with bench/mirage-jvm.opts, after ${SETTLE} s (same run):"
for mode in bare lambda ffm1 ffm10; do
  printf '  %-7s %6.1f MB  %5.2fx bare\n' "$mode" "$(awk -v k="${RSS[$mode]}" 'BEGIN { print k / 1024 }')" \
    "$(awk -v k="${RSS[$mode]}" -v b="${RSS[bare]}" 'BEGIN { print k / b }')"
done
echo "  (bare: sleeps in main; lambda: ran one lambda; ffm1/ffm10: linked 1 or 10 foreign functions)"
