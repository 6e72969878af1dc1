#!/usr/bin/env bash
# Sluice's benchmark, run on purpose (never in CI; CI runs a smoke-sized pass: BenchmarkSmokeIT).
#
#   bench/run.sh                                  # its own embedded Redis, full sizes, 3 runs
#   bench/run.sh redis=redis://127.0.0.1:6400     # a Redis you started (keys in random bench-* namespaces,
#                                                 # deleted after each scenario; never flushed)
#   bench/run.sh smoke                            # tiny sizes, one run
#   bench/run.sh side-by-side [jobs=50000 rounds=3]  # the drain against BullMQ's on one private Redis
#                                                 # (bench/side-by-side.sh; needs node and npm)
#
# Other settings (name=value): jobs=100000 seconds=20 warmup=3 rate=500 connections=64 batch=1000
# runs=3 workers=8 only=1,3 (scenario numbers; 4 comes with 1; 8: WAIT's cost on a master + replica,
# 9: the drain on a 3-master cluster beside one redis-server, both started here from redis-server 7, and the one server
# again beside two bounded busy loops, redis-cli --intrinsic-latency); keys=1000 (the drain's jobs spread
# over that many fair-share keys), limits (a cap and a rate set on the drain's type, not binding). JAVA_OPTS reach the JVM (e.g. a JFR
# recording). Prints one Markdown table. Everything listens on and targets 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "side-by-side" ]; then
  shift
  exec bench/side-by-side.sh "$@"
fi
export MAVEN_ARGS="${MAVEN_ARGS:---batch-mode --no-transfer-progress --quiet}"
./mvnw -DskipTests package
./mvnw dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
jar=$(ls target/sluice-*.jar | grep -v original | head -1)
exec java ${JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.sluice.bench.Benchmark "jar=$jar" "$@"
