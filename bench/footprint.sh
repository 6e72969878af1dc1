#!/usr/bin/env bash
# Start-up time and resident memory of the packaged service, with default JVM settings and with the
# lean settings the README documents (Class Data Sharing archive, serial GC, small heap). Run on purpose:
#   bench/footprint.sh [redis-url] [image] (image: only the image, under podman, with its own JVM
#                                          settings or SLUICE_IMAGE_JAVA_TOOL_OPTIONS in their place; default redis://127.0.0.1:6379/14; keys go to a random
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

# one start: prints "<ms to ready> <pid>"; the service keeps running
start() {
  local port=$1; shift
  local begin; begin=$(date +%s%N)
  java "$@" "${common[@]}" --server.port="$port" --sluice.namespace="fp-$RANDOM$RANDOM" > "$work/run.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 3000); do curl -fs "http://127.0.0.1:$port/actuator/health/readiness" > /dev/null 2>&1 && break; sleep 0.02; done
  echo "$(( ($(date +%s%N) - begin) / 1000000 )) $pid"
}
drain_and_rss() { # port, pid -> MiB resident after 100,000 no-op jobs
  for _ in $(seq 1 100); do
    curl -s -o /dev/null -X POST "http://127.0.0.1:$1/api/jobs/batch" -H 'Content-Type: application/json' -d "$batch"
  done
  for _ in $(seq 1 600); do drained "$1" && break; sleep 0.2; done
  awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$2/status"
}
stats() { sort -n | awk '{v[NR]=$1} END {printf "%.1f / %.1f / %.1f s", v[1]/1000, v[int((NR+1)/2)]/1000, v[NR]/1000}'; }

# three starts (min / median / max to ready), and the memory after a drain in the last one
measure() {
  local label=$1; shift
  local port; port=$(free_port)
  local times=() rss=0
  for run in 1 2 3; do
    read -r ms pid < <(start "$port" "$@")
    times+=("$ms")
    if [ "$run" = 3 ]; then rss=$(drain_and_rss "$port" "$pid"); fi
    kill "$pid"; wait "$pid" 2> /dev/null || true
  done
  printf '| %s | %s | %s MiB |\n' "$label" "$(printf '%s\n' "${times[@]}" | stats)" "$rss"
}

# The image (built by .ci/container-test.sh, or set SLUICE_IMAGE) with its own settings, under podman,
# against a Redis container: podman run -> readiness, and VmRSS of the JVM (PID 1) after the drain.
measure_image() {
  local image=${SLUICE_IMAGE:-localhost/sluice:container-test}
  export CONTAINERS_CONF="${SLUICE_CONTAINER_CACHE:-$HOME/.cache/sluice-containers}/containers.conf"
  command -v podman > /dev/null && podman image exists "$image" || { echo "| image | (no podman or no $image) | |"; return; }
  podman rm -f fp-redis fp-sluice > /dev/null 2>&1 || true
  podman network exists fp-net || podman network create fp-net > /dev/null
  podman run -d --name fp-redis --net fp-net localhost/sluice-base/redis:bookworm redis-server --save '' \
    --appendonly no --requirepass fp-secret > /dev/null
  local port; port=$(free_port)
  local times=() rss=0
  for run in 1 2 3; do
    local begin; begin=$(date +%s%N)
    podman run -d --name fp-sluice --net fp-net -p "127.0.0.1:$port:8080" -e SPRING_DATA_REDIS_HOST=fp-redis \
      -e SPRING_DATA_REDIS_PASSWORD=fp-secret -e SLUICE_SECURITY_REQUIREKEYS=false \
      ${SLUICE_IMAGE_JAVA_TOOL_OPTIONS:+-e "JAVA_TOOL_OPTIONS=$SLUICE_IMAGE_JAVA_TOOL_OPTIONS"} "$image" > /dev/null
    for _ in $(seq 1 3000); do curl -fs "http://127.0.0.1:$port/actuator/health/readiness" > /dev/null 2>&1 && break; sleep 0.02; done
    times+=("$(( ($(date +%s%N) - begin) / 1000000 ))")
    if [ "$run" = 3 ]; then
      for _ in $(seq 1 100); do
        curl -s -o /dev/null -X POST "http://127.0.0.1:$port/api/jobs/batch" -H 'Content-Type: application/json' -d "$batch"
      done
      for _ in $(seq 1 600); do drained "$port" && break; sleep 0.2; done
      rss=$(podman exec fp-sluice awk '/VmRSS/ {print int($2 / 1024)}' /proc/1/status)
    fi
    podman rm -f -t 20 fp-sluice > /dev/null
  done
  podman rm -f fp-redis > /dev/null; podman network rm fp-net > /dev/null
  local size; size=$(podman image inspect "$image" --format '{{.Size}}')
  printf '| image (%s MiB), %s, `podman run` to ready | %s | %s MiB |\n' "$((size / 1024 / 1024))" \
    "${SLUICE_IMAGE_JAVA_TOOL_OPTIONS:-its own settings}" \
    "$(printf '%s\n' "${times[@]}" | stats)" "$rss"
}

echo "| JVM settings | start-up to ready, min / median / max of 3 | resident memory after draining 100,000 jobs |"
echo "| --- | ---: | ---: |"
if [ "${2:-}" = image ]; then measure_image; exit; fi
measure "default (java -jar)" -jar "$work/sluice.jar"
measure "class data sharing only: -XX:SharedArchiveFile (extracted jar)" -XX:SharedArchiveFile="$work/app.jsa" \
  -jar "$work/app/sluice.jar"
measure "lean: -XX:SharedArchiveFile -XX:+UseSerialGC -Xmx160m -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m" \
  -XX:SharedArchiveFile="$work/app.jsa" -XX:+UseSerialGC -Xmx160m -Xss512k -XX:ReservedCodeCacheSize=64m \
  -XX:MaxMetaspaceSize=128m -jar "$work/app/sluice.jar"
measure_image
