#!/usr/bin/env bash
# Start-up time and resident memory of the packaged service, with default JVM settings and with the
# lean settings the README documents (Class Data Sharing archive, serial GC, small heap). Run on purpose:
#   bench/footprint.sh [redis-url]        (default redis://127.0.0.1:6379/14; keys go to a random
#                                          fp-* namespace, removed when the service stops)
# Each variant: java starts -> readiness answers 200 (ms), then 100,000 no-op jobs are submitted in
# batches of 1,000 and drained, then VmRSS is read. Everything runs on 127.0.0.1; every loop is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
redis=${1:-redis://127.0.0.1:6379/14}
./mvnw -q -B -DskipTests package
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp target/sluice-*[0-9T].jar "$work/sluice.jar"
java -Djarmode=tools -jar "$work/sluice.jar" extract --destination "$work/app" > /dev/null
common=(--server.address=127.0.0.1 "--spring.data.redis.url=$redis" --sluice.embedded-redis.enabled=false)
# training run for the CDS archive: start the context once, archive the classes it loaded, exit
java -XX:ArchiveClassesAtExit="$work/app.jsa" -Dspring.context.exit=onRefresh -jar "$work/app/sluice.jar" \
  "${common[@]}" --server.port=0 --sluice.namespace=fp-training > "$work/training.log" 2>&1 || true

batch=$(python3 -c 'import json; print(json.dumps({"jobs": [{"type": "noop"}] * 1000}))')
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
drained() { curl -s "http://127.0.0.1:$1/api/queues" | python3 -c \
  'import json, sys; q = json.load(sys.stdin); sys.exit(0 if sum(q["queues"].values()) + q["running"] == 0 else 1)'; }

measure() {
  local label=$1; shift
  local port; port=$(free_port)
  local start; start=$(date +%s%N)
  java "$@" "${common[@]}" --server.port="$port" --sluice.namespace="fp-$RANDOM$RANDOM" > "$work/$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 3000); do curl -fs "http://127.0.0.1:$port/actuator/health/readiness" > /dev/null 2>&1 && break; sleep 0.02; done
  local ready=$(( ($(date +%s%N) - start) / 1000000 ))
  for _ in $(seq 1 100); do
    curl -s -o /dev/null -X POST "http://127.0.0.1:$port/api/jobs/batch" -H 'Content-Type: application/json' -d "$batch"
  done
  for _ in $(seq 1 600); do drained "$port" && break; sleep 0.2; done
  local rss; rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2> /dev/null || true
  printf '| %s | %s ms | %s MiB |\n' "$label" "$ready" "$rss"
}

echo "| JVM settings | start-up to ready | resident memory after draining 100,000 jobs |"
echo "| --- | ---: | ---: |"
measure "default (java -jar)" -jar "$work/sluice.jar"
measure "lean: -XX:SharedArchiveFile -XX:+UseSerialGC -Xmx160m -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m" \
  -XX:SharedArchiveFile="$work/app.jsa" -XX:+UseSerialGC -Xmx160m -Xss512k -XX:ReservedCodeCacheSize=64m \
  -XX:MaxMetaspaceSize=128m -jar "$work/app/sluice.jar"
