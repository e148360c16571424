#!/usr/bin/env bash
# Resident memory of `personascope serve` under abuse on 127.0.0.1 (issue 17): starts serve on the organism with the
# launcher's Java options, runs ServeAbuse.java against it (50 half headers, 20 prompts of 7 MB at once, 6 half bodies,
# then a normal request) and stops it. Prints RSS before / peak / after and the normal request's latency.
# usage: scripts/serve-abuse.sh [JAR] [PORT] [SLOW_HEADERS HUGE_PROMPTS HALF_BODIES]
#        (default: target/personascope.jar, port 18932, 50 20 6)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
JAR="$(realpath "${1:-$ROOT/target/personascope.jar}")"
PORT="${2:-18932}"
LOG="$(mktemp /tmp/serve-abuse.XXXXXX)"
java -Dai.djl.offline=true ${PERSONASCOPE_JAVA_OPTS:--Xmx8g} -jar "$JAR" serve --model "$ROOT/assets/organism" --port "$PORT" \
  >"$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  curl -s -m 2 -o /dev/null "http://127.0.0.1:$PORT/v1/models" && break
  sleep 1
done
MODEL=$(curl -s -m 5 "http://127.0.0.1:$PORT/v1/models" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
java "$HERE/ServeAbuse.java" "$PID" "$PORT" "$MODEL" "${@:3}"
echo "serve's output: $LOG" >&2
