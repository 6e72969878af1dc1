#!/usr/bin/env bash
# Sluice's drain against BullMQ's, side by side, on one private Redis, interleaved round by round.
#
#   bench/side-by-side.sh                  # 50,000 no-op jobs, concurrency 8, 3 rounds
#   bench/side-by-side.sh jobs=100000 rounds=5
#
# Installs the peer (bullmq@6, ioredis@5) from the npm registry into bench/peer/node_modules (git-ignored)
# when missing, starts a redis-server of its own on a free loopback port (no persistence, noeviction),
# and in each round drains N jobs with BullMQ (concurrency 8), then N jobs with Sluice (8 workers), both
# enqueued first in batches of 1,000. Prints per round both figures and the ratios, then the medians,
# with the machine and the date. Absolute figures on shared machines move by ±50 % between hours: read
# the ratios. Run on purpose, never in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=50000; rounds=3; concurrency=8
for arg in "$@"; do
  case "$arg" in
    jobs=*) jobs="${arg#jobs=}" ;;
    rounds=*) rounds="${arg#rounds=}" ;;
    *) echo "unknown setting: $arg" >&2; exit 2 ;;
  esac
done

if [ ! -d bench/peer/node_modules/bullmq ]; then
  echo "installing the peer (bullmq@6, ioredis@5) into bench/peer/node_modules" >&2
  npm install --prefix bench/peer --no-audit --no-fund --silent bullmq@6 ioredis@5 >&2
fi

export MAVEN_ARGS="${MAVEN_ARGS:---batch-mode --no-transfer-progress --quiet}"
./mvnw -DskipTests package >&2
./mvnw dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
classpath="target/test-classes:target/classes:$(cat target/bench.classpath)"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --maxmemory-policy noeviction \
  --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
trap 'kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; rm -rf "$dir"' EXIT
url="redis://127.0.0.1:$port"
until redis-cli -p "$port" ping > /dev/null 2>&1; do sleep 0.1; done

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { awk -F'|' -v name="$1" 'index($3, name) { gsub(/[ ,]/, "", $5); print $5; exit }'; }
json() { python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }

echo "Side by side: $jobs no-op jobs, concurrency $concurrency, $rounds rounds, Redis $(redis-server --version | awk '{print $3}' | tr -d v=) on 127.0.0.1:$port"
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| round | BullMQ jobs/s | Sluice jobs/s | ratio | BullMQ Redis CPU ms/1,000 | Sluice Redis CPU ms/1,000 | ratio | BullMQ cmds/job | Sluice cmds/job |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
: > "$dir/rows"
for round in $(seq 1 "$rounds"); do
  peer=$(node bench/peer/bullmq-drain.mjs "$url" "$jobs" "$concurrency" 1000)
  ours=$(java -cp "$classpath" dev.sluice.bench.Benchmark "redis=$url" only=1 runs=1 "jobs=$jobs" \
    "workers=$concurrency" 2> /dev/null)
  p_rate=$(echo "$peer" | json jobsPerSecond); p_cpu=$(echo "$peer" | json redisCpuMsPer1000)
  p_cmd=$(echo "$peer" | json commandsPerJob)
  s_rate=$(echo "$ours" | field "jobs/s"); s_cpu=$(echo "$ours" | field "Redis CPU ms per 1,000 jobs")
  s_cmd=$(echo "$ours" | field "Redis commands per job (drain)")
  r_rate=$(python3 -c "print(round($s_rate / $p_rate, 2))"); r_cpu=$(python3 -c "print(round($s_cpu / $p_cpu, 2))")
  echo "$p_rate $s_rate $r_rate $p_cpu $s_cpu $r_cpu $p_cmd $s_cmd" >> "$dir/rows"
  printf '| %s | %.0f | %.0f | %s | %.1f | %.1f | %s | %.2f | %.2f |\n' "$round" "$p_rate" "$s_rate" "$r_rate" \
    "$p_cpu" "$s_cpu" "$r_cpu" "$p_cmd" "$s_cmd"
done
cols() { awk -v c="$1" '{ print $c }' "$dir/rows" | median; }
printf '| median | %.0f | %.0f | %s | %.1f | %.1f | %s | %.2f | %.2f |\n' "$(cols 1)" "$(cols 2)" "$(cols 3)" \
  "$(cols 4)" "$(cols 5)" "$(cols 6)" "$(cols 7)" "$(cols 8)"
echo
echo "ratio = Sluice / BullMQ. Targets (issue 13): jobs/s ratio >= 2, Redis CPU ratio <= 0.5."
