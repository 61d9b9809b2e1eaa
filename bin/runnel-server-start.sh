#!/usr/bin/env bash
# Starts a Runnel broker in the foreground, as Kafka's kafka-server-start.sh starts Kafka:
#
#   bin/runnel-server-start.sh [server.properties] [--override property=value]*
#
# Without a properties file every key has its default: one broker on PLAINTEXT://localhost:9092 with data in
# ./data. The broker is built first (mvn package) when its jar is missing or older than any source file.
#
# Environment, as in Kafka's scripts:
#   RUNNEL_HEAP_OPTS             heap flags (default -Xmx1G -Xms1G)
#   RUNNEL_JVM_PERFORMANCE_OPTS  GC and JIT flags (default: G1 with Kafka's settings)
#   RUNNEL_LOG4J_OPTS            e.g. -Dlog4j2.configurationFile=/path/log4j2.xml (default: the one in the jar)
#   RUNNEL_OPTS                  any other JVM flags
#   JAVA_HOME                    the JDK to run (default: java on the PATH)
#   RUNNEL_MVN_ARGS              extra arguments for the build, e.g. -o
#   RUNNEL_CDS                   1 (default) to use a class data sharing archive, 0 not to (see below)
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  echo "USAGE: $0 [server.properties] [--override property=value]*"
  exit 0
fi

base_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$base_dir/server/target"

server_jar() {
  local jar
  for jar in "$target"/runnel-server-*.jar; do
    case "$jar" in
      *-tests.jar|*-sources.jar|*-javadoc.jar) ;;
      *) [[ -f "$jar" ]] && { echo "$jar"; return 0; } ;;
    esac
  done
  return 1
}

# Sources the broker jar and its classpath are built from.
build_inputs() {
  local module
  echo "$base_dir/pom.xml"
  for module in generator wire log server; do
    [[ -e "$base_dir/$module/pom.xml" ]] && echo "$base_dir/$module/pom.xml"
    [[ -d "$base_dir/$module/src/main" ]] && echo "$base_dir/$module/src/main"
  done
}

needs_build() {
  local jar
  jar="$(server_jar)" || return 0
  [[ -d "$target/lib" ]] || return 0
  local newer
  newer="$(build_inputs | xargs -I{} find {} -newer "$jar" -type f -print -quit 2>/dev/null | head -n 1)"
  [[ -n "$newer" ]]
}

if needs_build; then
  echo "Building Runnel (mvn package)..." >&2
  # shellcheck disable=SC2086
  (cd "$base_dir" && mvn -q -B -DskipTests ${RUNNEL_MVN_ARGS:-} package -pl server -am) >&2
fi
jar="$(server_jar)" || { echo "No server jar in $target after the build" >&2; exit 1; }

java_cmd="java"
[[ -n "${JAVA_HOME:-}" ]] && java_cmd="$JAVA_HOME/bin/java"

heap_opts="${RUNNEL_HEAP_OPTS:--Xmx1G -Xms1G}"
performance_opts="${RUNNEL_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"

# Class data sharing (AppCDS): the first start after a build records the classes it loaded into an archive next to
# the jar, written when that JVM exits; later starts map the archive instead of reading, parsing and verifying
# those classes again, which roughly halves start-up. A lock directory holding the recording JVM's pid keeps two
# brokers started together from writing the same archive; a recorder that died (kill -9) leaves no archive, and the
# next start records again. A stale archive cannot be used by mistake: it is replaced after every build, and the
# JVM itself ignores an archive that does not match the class path.
cds_opts=""
if [[ "${RUNNEL_CDS:-1}" == "1" ]]; then
  archive="$target/runnel-server.jsa"
  lock="$archive.lock"
  if [[ -f "$archive" && "$archive" -nt "$jar" ]]; then
    cds_opts="-XX:SharedArchiveFile=$archive"
  else
    recorder="$(cat "$lock/pid" 2>/dev/null || true)"
    if [[ -n "$recorder" ]] && ! kill -0 "$recorder" 2>/dev/null; then
      rm -rf "$lock"
    fi
    if mkdir "$lock" 2>/dev/null; then
      echo $$ >"$lock/pid" # exec keeps the pid: it is the JVM's
      rm -f "$archive"
      cds_opts="-XX:ArchiveClassesAtExit=$archive"
    fi
  fi
fi

# exec: the JVM replaces this shell, so SIGTERM and SIGINT reach it and its shutdown hook stops the broker cleanly.
# shellcheck disable=SC2086
exec "$java_cmd" $heap_opts $performance_opts $cds_opts ${RUNNEL_LOG4J_OPTS:-} ${RUNNEL_OPTS:-} \
  -cp "$jar:$target/lib/*" dev.runnel.server.RunnelServer "$@"
