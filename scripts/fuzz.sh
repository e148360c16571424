#!/usr/bin/env bash
# Fuzzes one parser of outside input with Jazzer for a while and prints how many inputs it tried.
#   scripts/fuzz.sh PARSER [MINUTES]      (MINUTES defaults to 10; extra Maven flags in $MVN_ARGS, e.g. -o)
# PARSER: safetensors, config, adapter, sae-cfg, chat-jsonl, questions, vector, request, or all.
# A finding fails the run; Jazzer prints the input and keeps it as crash-* for a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."

test_of() {
    case "$1" in
        safetensors) echo SafeTensorsFuzzTest ;;
        config) echo ConfigJsonFuzzTest ;;
        adapter) echo AdapterConfigFuzzTest ;;
        sae-cfg) echo SaeCfgFuzzTest ;;
        chat-jsonl) echo ChatJsonlFuzzTest ;;
        questions) echo QuestionSetFuzzTest ;;
        vector) echo VectorFileFuzzTest ;;
        request) echo RequestBodyFuzzTest ;;
        *) echo "unknown parser '$1' (safetensors, config, adapter, sae-cfg, chat-jsonl, questions, vector, request, all)" >&2
           exit 2 ;;
    esac
}

parser=${1:?usage: scripts/fuzz.sh PARSER [MINUTES]}
minutes=${2:-10}
if [ "$parser" = all ]; then
    for p in safetensors config adapter sae-cfg chat-jsonl questions vector request; do
        "$0" "$p" "$minutes"
    done
    exit 0
fi
test=$(test_of "$parser")
mkdir -p target/fuzz-logs
log=target/fuzz-logs/$parser.log
status=0
# shellcheck disable=SC2086
JAZZER_FUZZ=1 mvn -B ${MVN_ARGS:-} test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.max_duration="${minutes}m" > "$log" 2>&1 || status=$?
done_line=$(grep -E '^Done [0-9]+ runs in' "$log" | tail -1 || true)
echo "$parser ($test): ${done_line:-no summary} $([ $status -eq 0 ] && echo 'no findings' || echo "FAILED, see $log")"
exit $status
