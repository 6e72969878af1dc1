# syntax=docker/dockerfile:1
# Sluice: build with the Maven wrapper on a JDK, run the layered jar on a JRE as a non-root user.
#   docker build -t sluice .
#   docker run -p 8080:8080 -e SPRING_DATA_REDIS_HOST=redis \
#     -e SLUICE_SECURITY_APIKEYS_0_NAME=ops -e SLUICE_SECURITY_APIKEYS_0_ROLE=admin \
#     -e SLUICE_SECURITY_APIKEYS_0_HASH=sha256:<hex of your key's SHA-256> sluice

# The base images are build arguments, so a machine without access to a public registry can build on
# images of its own (the container test builds Debian-based ones with debootstrap).
ARG BUILD_IMAGE=eclipse-temurin:17.0.15_6-jdk-jammy
ARG RUNTIME_IMAGE=eclipse-temurin:17.0.15_6-jre-jammy

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY mvnw ./
COPY .mvn .mvn
COPY pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src src
# no tests in the image's build (they run in CI): nor their compilation, nor the client generated for them
RUN ./mvnw -B -q -Dmaven.test.skip=true package \
 && cp target/sluice-*.jar app.jar \
 && java -Djarmode=tools -jar app.jar extract --layers --destination extracted

FROM ${RUNTIME_IMAGE}
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --home-dir /app --shell /usr/sbin/nologin sluice \
 && if ! command -v curl > /dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*; fi
WORKDIR /app
# one layer per kind of change: dependencies change least, the application most
COPY --from=build --chown=sluice:sluice /src/extracted/dependencies/ ./
COPY --from=build --chown=sluice:sluice /src/extracted/spring-boot-loader/ ./
COPY --from=build --chown=sluice:sluice /src/extracted/snapshot-dependencies/ ./
COPY --from=build --chown=sluice:sluice /src/extracted/application/ ./

# In a container Redis is a service of its own: never start an embedded one. API keys are required:
# start-up fails without one, unless SLUICE_SECURITY_REQUIREKEYS=false is set on purpose.
# JVM: a class data sharing archive (below) and a footprint for a queue service: the serial GC and a
# heap of at most 112 MiB (set JAVA_TOOL_OPTIONS to change any of it, e.g. -Xmx1g for many concurrent
# large batches: request bodies held at once are bounded by a sixteenth of the heap, 7 MiB here, past
# which a request is answered 503 busy rather than exhausting the heap).
# MALLOC_ARENA_MAX: glibc's per-thread malloc arenas would otherwise hold tens of MiB the JVM never uses.
ENV SLUICE_EMBEDDEDREDIS_ENABLED=false \
    MALLOC_ARENA_MAX=2 \
    SLUICE_SECURITY_REQUIREKEYS=true \
    JAVA_TOOL_OPTIONS="-XX:SharedArchiveFile=/app/app.jsa -Xshare:auto -XX:+UseSerialGC -Xmx112m -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m -XX:+ExitOnOutOfMemoryError"
# Class data sharing: a training run starts the application context once (no Redis is needed: it
# stops before connecting) and archives the classes it loaded; every start then maps them.
RUN JAVA_TOOL_OPTIONS="-XX:+UseSerialGC" java -XX:ArchiveClassesAtExit=/app/app.jsa -Dspring.context.exit=onRefresh -jar /app/app.jar \
      --spring.data.redis.url=redis://127.0.0.1:1 --sluice.security.require-keys=false --server.port=0 \
      > /tmp/cds-training.log 2>&1 \
 && test -s /app/app.jsa && rm /tmp/cds-training.log
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/actuator/health/readiness || exit 1
# exec form: the JVM is PID 1 and receives SIGTERM itself, for a graceful stop
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
