#!/usr/bin/env bash
# DNS benchmark: dnsperf against MirageJ's dns-server, NSD, Knot and BIND 9 serving the same
# 10,000-name zone on loopback, one server at a time, in one run. Prints queries per second, the
# CPU time each server spends per answered query (from /proc/PID/stat, all its processes and
# threads), and its memory (RSS and PSS), with ratios against NSD and BIND measured in this run.
#
# Usage: bench/dns.sh [SECONDS]   (default 10 s of measurement per server and round, after a warm-up)
# Needs: dnsperf nsd knot bind9 dnsutils (apt-get install -y dnsperf nsd knot bind9 dnsutils), JDK 25.
# Environment: NAMES (default 10000), WARMUP seconds (default 5), CLIENTS (dnsperf -c, default 4),
#              ROUNDS (default 3: every server is measured once per round, rounds interleaved, and
#              each figure is the median over rounds, so a burst of load elsewhere on the machine
#              moves one round and not the ratios), MIRAGE_JAVA_OPTS (JVM flags for MirageJ, below).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_RUN="${1:-10}"
NAMES="${NAMES:-10000}"
WARMUP="${WARMUP:-5}"
CLIENTS="${CLIENTS:-4}"
ROUNDS="${ROUNDS:-3}"
# Memory tuning for MirageJ (measured; see mirage-dns/README.md), in bench/mirage-jvm.opts: a serial
# collector whose heap keeps 5-10% free once the zones are compiled (up to 1 GB: compiling a
# million names peaks near 900 MB; only what is used becomes resident, and at 10,000 names the
# limit changes nothing; the server allocates nothing per query in its own code), compact object headers, classes parsed rather than mapped from the 14 MB default
# CDS archive, glibc's heap trimmed and held to one arena, one carrier thread. bench/jvm-floor.sh
# measures what the JVM itself costs with these flags.
MIRAGE_JAVA_OPTS="${MIRAGE_JAVA_OPTS:-$(cat "$ROOT/bench/mirage-jvm.opts")}"

die() { echo "bench/dns.sh: $*" >&2; exit 1; }
for c in dnsperf nsd knotd named dig; do
  command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || die "missing $c: apt-get install -y dnsperf nsd knot bind9 dnsutils"
done
export PATH="$PATH:/usr/sbin"
JDK="$("$ROOT/mirage" java)" || die "no JDK 25"

WORK="$(mktemp -d /tmp/dns-bench.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- the zone and the queries ----
ZONE="$WORK/bench.test.zone"
{
  echo '$ORIGIN bench.test.'
  echo '$TTL 3600'
  echo '@ SOA ns1 hostmaster 1 7200 3600 1209600 300'
  echo '  NS ns1'
  echo '  NS ns2'
  echo 'ns1 A 192.0.2.1'
  echo 'ns2 A 192.0.2.2'
  for ((i = 0; i < NAMES; i++)); do
    echo "h$i A 10.$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256))"
  done
} > "$ZONE"
QUERIES="$WORK/queries.txt"
awk -v n="$NAMES" 'BEGIN { srand(7); for (i = 0; i < 100000; i++) printf "h%d.bench.test A\n", int(rand() * n) }' > "$QUERIES"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_ready() { # port name
  for _ in $(seq 1 150); do
    if dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 bench.test SOA 2>/dev/null | grep -q hostmaster; then return 0; fi
    sleep 0.2
  done
  die "$2 did not start serving on port $1 (see $WORK)"
}

# Sum of utime+stime (clock ticks) of a process and all its descendants' threads.
cpu_ticks() {
  local total=0 p
  for p in $(pids_of "$1"); do
    for t in /proc/"$p"/task/*/stat; do
      [ -r "$t" ] || continue
      total=$((total + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "$t")))
    done
  done
  echo "$total"
}
pids_of() { # the process and its descendants
  local p="$1"
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do pids_of "$c"; done
}
mem_kb() { # field (Rss or Pss) summed over the process tree
  local total=0 p v
  for p in $(pids_of "$1"); do
    v=$(awk -v f="$2:" '$1 == f { print $2 }' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

CLK_TCK="$(getconf CLK_TCK)"
SERVERS=(MirageJ NSD Knot BIND)
declare -A QPS CPU_US RSS PSS   # space-separated values, one per round

measure() { # name pid port
  local name="$1" pid="$2" port="$3"
  wait_ready "$port" "$name"
  dnsperf -s 127.0.0.1 -p "$port" -d "$QUERIES" -l "$WARMUP" -c "$CLIENTS" -q 500 >/dev/null 2>&1 || true
  local before after out completed qps cpu rss pss lost
  before="$(cpu_ticks "$pid")"
  out="$(dnsperf -s 127.0.0.1 -p "$port" -d "$QUERIES" -l "$SECONDS_RUN" -c "$CLIENTS" -q 500 2>&1)"
  after="$(cpu_ticks "$pid")"
  completed="$(echo "$out" | awk '/Queries completed:/ { print $3 }')"
  qps="$(echo "$out" | awk '/Queries per second:/ { printf "%.0f", $4 }')"
  cpu="$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v q="$completed" 'BEGIN { printf "%.2f", t / hz * 1e6 / q }')"
  rss="$(mem_kb "$pid" Rss)"
  pss="$(mem_kb "$pid" Pss)"
  lost="$(echo "$out" | awk '/Queries lost:/ { print $3 }')"
  QPS[$name]+="$qps "; CPU_US[$name]+="$cpu "; RSS[$name]+="$rss "; PSS[$name]+="$pss "
  printf '  %-8s %8s q/s  %7s us CPU/query  RSS %6.1f MB  PSS %6.1f MB  (lost %s)\n' "$name" "$qps" "$cpu" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$(awk -v k="$pss" 'BEGIN { print k / 1024 }')" "$lost"
}

stop() { kill "$1" 2>/dev/null || true; for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; kill -9 "$1" 2>/dev/null || true; }

# ---- the servers: each start_X writes its configuration, starts it and sets pid and port ----
start_MirageJ() {
  port="$(free_port)"
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=1 "$JDK/bin/java" $MIRAGE_JAVA_OPTS -jar "$ROOT/examples/dns-server/target/dns-server.jar" --zone="$ZONE" \
    --address=127.0.0.1 --port="$port" --reload-interval=0s > "$WORK/mirage.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
}

start_NSD() {
  port="$(free_port)"; mkdir -p "$WORK/nsd"; rm -f "$WORK/nsd/xfrd.state" "$WORK/nsd/zone.list"
  cat > "$WORK/nsd/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1
  port: $port
  server-count: 1
  username: ""
  chroot: ""
  database: ""
  zonesdir: "$WORK"
  pidfile: "$WORK/nsd/nsd.pid"
  xfrdfile: "$WORK/nsd/xfrd.state"
  zonelistfile: "$WORK/nsd/zone.list"
  logfile: "$WORK/nsd/nsd.log"
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: bench.test
  zonefile: $ZONE
CONF
  nsd -d -c "$WORK/nsd/nsd.conf" > "$WORK/nsd/out.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
}

start_Knot() {
  port="$(free_port)"; rm -rf "$WORK/knot"; mkdir -p "$WORK/knot"
  cat > "$WORK/knot/knot.conf" <<CONF
server:
  listen: 127.0.0.1@$port
  rundir: $WORK/knot
database:
  storage: $WORK/knot
zone:
  - domain: bench.test
    file: $ZONE
    journal-content: none
log:
  - target: stderr
    any: warning
CONF
  knotd -c "$WORK/knot/knot.conf" > "$WORK/knot/out.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
}

start_BIND() {
  port="$(free_port)"; mkdir -p "$WORK/bind"
  cat > "$WORK/bind/named.conf" <<CONF
options {
  directory "$WORK/bind";
  listen-on port $port { 127.0.0.1; };
  listen-on-v6 { none; };
  pid-file "$WORK/bind/named.pid";
  recursion no;
};
zone "bench.test" { type primary; file "$ZONE"; };
CONF
  named -g -c "$WORK/bind/named.conf" -u root > "$WORK/bind/out.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
}

echo "DNS benchmark: $NAMES names, dnsperf -c $CLIENTS, ${WARMUP}s warm-up + ${SECONDS_RUN}s per server, $ROUNDS rounds, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "building dns-server ..."
(cd "$ROOT" && JAVA_HOME="$JDK" ./mvnw -q -o install -DskipTests -f mirage-dns/pom.xml && JAVA_HOME="$JDK" ./mvnw -q -o package -DskipTests -f examples/dns-server/pom.xml) >&2

for ((round = 1; round <= ROUNDS; round++)); do
  echo "round $round:"
  for server in "${SERVERS[@]}"; do
    "start_$server"
    measure "$server" "$pid" "$port"; stop "$pid"
  done
done

# ---- medians and ratios ----
median() { echo "$1" | tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A M_QPS M_CPU M_RSS M_PSS
echo
echo "medians over $ROUNDS rounds:"
for server in "${SERVERS[@]}"; do
  M_QPS[$server]="$(median "${QPS[$server]}")"; M_CPU[$server]="$(median "${CPU_US[$server]}")"
  M_RSS[$server]="$(median "${RSS[$server]}")"; M_PSS[$server]="$(median "${PSS[$server]}")"
  printf '  %-8s %8.0f q/s  %7.2f us CPU/query  RSS %6.1f MB  PSS %6.1f MB\n' "$server" "${M_QPS[$server]}" "${M_CPU[$server]}" \
    "$(awk -v k="${M_RSS[$server]}" 'BEGIN { print k / 1024 }')" "$(awk -v k="${M_PSS[$server]}" 'BEGIN { print k / 1024 }')"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "MirageJ against the others (same run, medians):"
echo "  queries/s        vs NSD: $(ratio "${M_QPS[MirageJ]}" "${M_QPS[NSD]}")x   vs Knot: $(ratio "${M_QPS[MirageJ]}" "${M_QPS[Knot]}")x   vs BIND: $(ratio "${M_QPS[MirageJ]}" "${M_QPS[BIND]}")x   (aim: >= 1 vs NSD)"
echo "  CPU per query    vs NSD: $(ratio "${M_CPU[MirageJ]}" "${M_CPU[NSD]}")x   vs Knot: $(ratio "${M_CPU[MirageJ]}" "${M_CPU[Knot]}")x   vs BIND: $(ratio "${M_CPU[MirageJ]}" "${M_CPU[BIND]}")x   (aim: <= 0.5 vs BIND)"
echo "  RSS              vs NSD: $(ratio "${M_RSS[MirageJ]}" "${M_RSS[NSD]}")x   vs Knot: $(ratio "${M_RSS[MirageJ]}" "${M_RSS[Knot]}")x   vs BIND: $(ratio "${M_RSS[MirageJ]}" "${M_RSS[BIND]}")x   (aim: <= 1 vs BIND)"
