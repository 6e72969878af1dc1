#!/usr/bin/env bash
# The container test: builds the image from the Dockerfile (unchanged) on Debian-based base images
# made here with debootstrap (no public registry is reachable), runs docker-compose.yml with
# podman-compose, and checks what a user relies on: readiness, a job through the published port,
# two nodes on one Redis, a graceful `podman stop`, a `podman kill` recovered by the other node, the
# Redis volume across a Redis restart, uid 10001, no build tools in the image.
#
#   .ci/container-test.sh          # needs root, podman, runc, podman-compose, debootstrap
#
# Skips with one line where Podman cannot run containers. Base images are cached in podman's own
# storage and their root file system in $SLUICE_CONTAINER_CACHE (default ~/.cache/sluice-containers);
# everything it starts listens on 127.0.0.1 and is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${SLUICE_CONTAINER_CACHE:-$HOME/.cache/sluice-containers}"
project=sluicect
port1=18080
port2=18081
key=container-test-admin-key
say() { echo "container test: $*"; }
skip() { say "SKIPPED: $*"; exit 0; }
fail() { say "FAILED: $*"; exit 1; }

for tool in podman runc podman-compose debootstrap curl python3; do
  command -v "$tool" > /dev/null || skip "$tool is not installed (apt-get install podman runc podman-compose debootstrap)"
done
mkdir -p "$cache"
# The machine's limits are below podman's default ulimits, and crun refuses the hybrid cgroups here.
cat > "$cache/containers.conf" <<'EOF'
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF="$cache/containers.conf"
podman info > /dev/null 2>&1 || skip "podman cannot run containers here: $(podman info 2>&1 | tail -1)"

# ---- base images from Debian's packages ------------------------------------------------------------
base=localhost/sluice-base
if ! podman image exists "$base/minbase:bookworm"; then
  if [ ! -f "$cache/minbase.tar" ]; then
    say "debootstrap of Debian bookworm (minbase) into $cache"
    rm -rf "$cache/rootfs"
    debootstrap --variant=minbase bookworm "$cache/rootfs" http://deb.debian.org/debian > "$cache/debootstrap.log"
    tar -C "$cache/rootfs" -cf "$cache/minbase.tar" .
    rm -rf "$cache/rootfs"
  fi
  podman import -q "$cache/minbase.tar" "$base/minbase:bookworm" > /dev/null
fi
# extra certificate authorities of this machine (an egress proxy's), so Maven Central is trusted inside
certs="$cache/certs"
rm -rf "$certs" && mkdir -p "$certs"
cp /usr/local/share/ca-certificates/*.crt "$certs/" 2>/dev/null || true
base_image() { # name, packages...
  local name=$1; shift
  podman image exists "$base/$name:bookworm" && return
  say "building $base/$name:bookworm from Debian's packages: $*"
  cat > "$certs/Containerfile" <<EOF
FROM $base/minbase:bookworm
COPY . /usr/local/share/ca-certificates/
RUN rm /usr/local/share/ca-certificates/Containerfile && apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates $* \\
 && update-ca-certificates && rm -rf /var/lib/apt/lists/* && mkdir -p /data
WORKDIR /data
EOF
  podman build -q -t "$base/$name:bookworm" "$certs" > /dev/null
}
base_image jdk17 openjdk-17-jdk-headless
base_image jre17 openjdk-17-jre-headless curl
base_image redis redis-server

# ---- the project's image, from the Dockerfile as it is -------------------------------------------
image=localhost/sluice:container-test
say "building $image"
mkdir -p "$HOME/.m2"
podman build -q --format docker -v "$HOME/.m2:/root/.m2" \
  --build-arg BUILD_IMAGE="$base/jdk17:bookworm" --build-arg RUNTIME_IMAGE="$base/jre17:bookworm" \
  -t "$image" . > /dev/null
size=$(podman image inspect "$image" --format '{{.Size}}')
uid=$(podman run --rm --entrypoint id "$image" -u)
[ "$uid" = 10001 ] || fail "the image runs as uid $uid, not 10001"
tools=$(podman run --rm --entrypoint sh "$image" -c 'for t in javac jar mvn gcc make apt-get; do command -v $t; done; true')
for t in javac mvn gcc make; do
  if echo "$tools" | grep -q "/$t\$"; then fail "the image holds a build tool: $t"; fi
done
say "image $image: $((size / 1024 / 1024)) MiB, runs as uid 10001, no javac/mvn/gcc/make"

# ---- docker-compose.yml, run by podman-compose -----------------------------------------------------
export REDIS_PASSWORD="ct-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export REDIS_IMAGE="$base/redis:bookworm" SLUICE_IMAGE="$image" SLUICE_PORTS="127.0.0.1:$port1"
export SLUICE_API_KEY_HASH="sha256:$(printf %s "$key" | sha256sum | cut -d' ' -f1)"
compose() { podman-compose -p "$project" "$@" > "$cache/compose.log" 2>&1 || { cat "$cache/compose.log"; fail "podman-compose $*"; }; }
cleanup() {
  if [ -n "${SLUICE_CT_KEEP:-}" ]; then return; fi
  podman rm -f -t 0 "${project}_sluice_2" > /dev/null 2>&1 || true
  podman-compose -p "$project" down -v > /dev/null 2>&1 || true
  podman volume rm -f "${project}_redis-data" > /dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

api() { # method, port, path, [body] -> prints the body; fails on a transport error
  local method=$1 port=$2 path=$3
  local args=(-sS -m 70 -X "$method" "http://127.0.0.1:$port$path" -H "X-API-Key: $key")
  if [ $# -ge 4 ]; then args+=(-H 'Content-Type: application/json' --data "$4"); fi
  curl "${args[@]}"
}
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }
wait_until() { # seconds, description, command...
  local deadline=$((SECONDS + $1)) limit=$1 what=$2; shift 2
  until "$@" > /dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${limit}s waiting for: $what"
    sleep 0.5
  done
}
ready() { curl -fsS -m 2 "http://127.0.0.1:$1/actuator/health/readiness" | grep -q '"UP"'; }
state() { api GET "$1" "/api/jobs/$2" | field "['state']"; }
all_final() { # port, ids file: every job succeeded
  local port=$1
  while read -r id; do [ "$(state "$port" "$id")" = succeeded ] || return 1; done < "$2"
}

say "podman-compose up (Redis with its volume, one Sluice on 127.0.0.1:$port1)"
compose up -d
wait_until 90 "node 1 ready" ready $port1
podman healthcheck run "${project}_sluice_1" > /dev/null || fail "the image's HEALTHCHECK is not healthy"
[ "$(podman exec "${project}_sluice_1" id -u)" = 10001 ] || fail "the container does not run as uid 10001"
podman exec "${project}_sluice_1" sh -c 'tr "\0" " " < /proc/1/cmdline' | grep -q '^java ' \
  || fail "PID 1 of the container is not the JVM"
id=$(api POST $port1 /api/jobs '{"type":"add","payload":{"x":2,"y":3}}' | field "['id']")
[ "$(api GET $port1 "/api/jobs/$id?wait=30s" | field "['result']")" = 5 ] || fail "a job through the published port"
say "ready, healthy, uid 10001, the JVM is PID 1, a job ran through the published port"

# A second node exactly as the compose file defines one (podman takes no port range for --scale):
# the same image, network and environment, another published port.
env_args=$(podman inspect "${project}_sluice_1" --format '{{range .Config.Env}}{{println .}}{{end}}' \
  | grep -E '^(SPRING|SLUICE)_' | sed 's/^/-e /' | tr '\n' ' ')
# shellcheck disable=SC2086
podman run -d --name "${project}_sluice_2" --net "${project}_default" -p "127.0.0.1:$port2:8080" $env_args \
  "$image" > /dev/null
wait_until 90 "node 2 ready" ready $port2
nodes=$(api GET $port1 /api/queues | field "['nodes'].__len__()")
[ "$nodes" = 2 ] || fail "two nodes share the Redis: /api/queues shows $nodes"
say "two nodes share the Redis"

# podman stop: SIGTERM reaches the JVM, which finishes what it runs; nothing is lost or run twice.
batch='{"jobs":['$(for i in $(seq 1 24); do printf '{"type":"sleep","payload":{"duration":"1500ms"}},'; done | sed 's/,$//')']}'
api POST $port1 /api/jobs/batch "$batch" | field "['ids']" | tr -d "[]' " | tr ',' '\n' > "$cache/stop.ids"
wait_until 20 "node 1 running jobs" sh -c "curl -s -H 'X-API-Key: $key' http://127.0.0.1:$port1/api/queues | grep -q '\"runningJobs\":[1-9]'"
podman stop -t 30 "${project}_sluice_1" > /dev/null
podman logs "${project}_sluice_1" 2>&1 | grep -q "Node .* left;" || fail "node 1 did not stop gracefully (it did not log that it left)"
wait_until 120 "every job of the graceful stop finished" all_final $port2 "$cache/stop.ids"
while read -r id; do
  attempts=$(api GET $port2 "/api/jobs/$id" | field "['attempts']")
  [ "$attempts" = 1 ] || fail "job $id ran $attempts times across a graceful stop"
done < "$cache/stop.ids"
say "podman stop: 24 jobs, none lost, none run twice"

# podman kill: the other node recovers the jobs it held once its lease runs out.
podman start "${project}_sluice_1" > /dev/null
wait_until 90 "node 1 ready again" ready $port1
api POST $port1 /api/jobs/batch "$batch" | field "['ids']" | tr -d "[]' " | tr ',' '\n' > "$cache/kill.ids"
wait_until 20 "node 1 running jobs" sh -c "curl -s -H 'X-API-Key: $key' http://127.0.0.1:$port1/api/queues | grep -q '\"runningJobs\":[1-9]'"
podman kill "${project}_sluice_1" > /dev/null
wait_until 150 "every job of the killed node finished on node 2" all_final $port2 "$cache/kill.ids"
say "podman kill: 24 jobs, all finished by the other node"

# The Redis volume keeps queued jobs across a Redis container restart (append-only file).
api POST $port2 /api/queues/low/pause > /dev/null
for i in 1 2 3; do
  api POST $port2 /api/jobs '{"type":"echo","priority":"low","payload":{"n":'$i'}}' | field "['id']"
done > "$cache/volume.ids"
podman restart "${project}_redis_1" > /dev/null
wait_until 60 "node 2 ready after the Redis restart" ready $port2
while read -r id; do
  [ "$(state $port2 "$id")" = queued ] || fail "job $id is not queued after the Redis restart"
done < "$cache/volume.ids"
api POST $port2 /api/queues/low/resume > /dev/null
wait_until 60 "the jobs kept by the volume ran" all_final $port2 "$cache/volume.ids"
say "the Redis volume kept 3 queued jobs across a Redis restart; they ran"
say "passed (image $((size / 1024 / 1024)) MiB)"
