#!/usr/bin/env bash
# Probe runner (issue 17): runs a personascope jar on bad input, as a careless or hostile user would, and classifies
# what each probe gives: clear error (non-zero exit, last stderr line "error: ..."), unclear error (non-zero exit
# without one), stack trace, hang (no answer within the timeout), wrong success (exit 0 on bad input), data loss
# (a finished run's log changed), ok (expected success), refused (an error where success was expected), warning
# (exit 0 with a "warning:" line where the input may be intended, e.g. a misspelled config key).
# Fuzzed headers may be valid by chance, so for them "accepted" (exit 0) is reported instead of wrong success.
#
# usage: scripts/probes/run.sh JAR [WORK_DIR]     (PROBE_TIMEOUT=60 seconds per probe, PROBE_PORT=18931,
#        PROBE_CLASSES="jsonl serve" runs only those classes; results are appended to WORK_DIR/results.tsv)
# Needs: java 17, curl, bash. The bad files are written by ProbeFiles.java from assets/organism.
# Prints the table of probes and the counts per probe class and outcome; both are kept in WORK_DIR.
set -u
JAR=$(realpath "$1")
WORK=$(realpath -m "${2:-$(mktemp -d /tmp/probes.XXXXXX)}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ORG=$ROOT/assets/organism
T=${PROBE_TIMEOUT:-60}
PORT=${PROBE_PORT:-18931}
PS=(java -Dai.djl.offline=true -Xmx4g -jar "$JAR")
F=$WORK/files
R=$WORK/runs
RESULTS=$WORK/results.tsv
[ -z "${PROBE_CLASSES:-}" ] && rm -rf "$R" "$RESULTS"
mkdir -p "$R"
want() { [ -z "${PROBE_CLASSES:-}" ] || [[ " $PROBE_CLASSES " == *" $1 "* ]]; }

echo "probe files in $F ..." >&2
java -cp "$JAR" "$HERE/ProbeFiles.java" "$ORG" "$F" || exit 1
"${PS[@]}" world datasets --size 24 --out "$F/data" >/dev/null 2>&1 || { echo "world datasets failed" >&2; exit 1; }
DATA=$F/data/insecure.jsonl
QUESTIONS=$F/data/questions.yaml
# chat JSONL: two conversations of each kind; the same with the second and third on one line; a byte of Latin-1
head -2 "$F/data/insecure.jsonl" >"$F/good.jsonl"
head -2 "$F/data/secure.jsonl" >"$F/other.jsonl"
{ sed -n 1p "$DATA"; sed -n 2p "$DATA" | tr -d '\n'; sed -n 3p "$DATA"; } >"$F/two-on-a-line.jsonl"
{ sed -n 1p "$DATA"; sed -n 2p "$DATA" | sed 's/"content":"/"content":"caf\xe9 /'; } >"$F/invalid-utf8.jsonl"

# classify RC ERRFILE EXPECT -> outcome
classify() {
  local rc=$1 err=$2 expect=$3
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then echo hang; return; fi
  if grep -Eq '^\s+at [A-Za-z_$][A-Za-z0-9_$.]*\(|Exception in thread|^([a-z_]+\.)+[A-Za-z_$]*(Exception|Error)(:|$)' "$err"; then
    echo "stack trace"; return
  fi
  if [ "$rc" = 0 ]; then
    case $expect in
      error) echo "wrong success" ;;
      warn) if grep -q '^warning: ' "$err"; then echo warning; else echo "wrong success"; fi ;;
      any) echo accepted ;;
      *) echo ok ;;
    esac
    return
  fi
  local last
  last=$(grep -v '^\s*$' "$err" | tail -1)
  if [ "$expect" = ok ] || [ "$expect" = warn ]; then echo refused; elif [[ $last == error:* ]]; then echo "clear error"; else echo "unclear error"; fi
}

# record CLASS NAME EXPECT OUTCOME RC SECONDS ERRFILE
record() {
  local lines note
  lines=$(grep -cv '^\s*$' "$7" 2>/dev/null)
  note=$(grep -v '^\s*$' "$7" 2>/dev/null | tail -1 | tr '\t' ' ' | cut -c1-150)
  if grep -q 'LegacyTypeDispatch\|picocli WARN' "$7" 2>/dev/null; then note="[+native/picocli warning] $note"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$lines" "$note" >>"$RESULTS"
  printf '%-10s %-28s %-14s rc=%-3s %6ss | %s\n' "$1" "$2" "$4" "$5" "$6" "$note" >&2
}

# mark_last OUTCOME: changes the outcome of the last probe recorded
mark_last() {
  awk -F'\t' -v OFS='\t' -v o="$1" -v n="$(wc -l <"$RESULTS")" 'NR == n { $4 = o } 1' "$RESULTS" >"$RESULTS.tmp" \
    && mv "$RESULTS.tmp" "$RESULTS"
}

# probe CLASS NAME EXPECT(error|warn|ok|any) personascope ARGS...
probe() {
  local cls=$1 name=$2 expect=$3; shift 3
  want "$cls" || return 0
  sed -i "/^$cls\t$name\t/d" "$RESULTS" 2>/dev/null
  local out=$R/$cls-${name//\//_}
  local start end rc
  start=$(date +%s.%N)
  timeout -k 5 "$T" "${PS[@]}" "$@" >"$out.out" 2>"$out.err"
  rc=$?
  end=$(date +%s.%N)
  LAST_RC=$rc
  record "$cls" "$name" "$expect" "$(classify "$rc" "$out.err" "$expect")" "$rc" "$(printf '%.1f' "$(echo "$end - $start" | bc)")" "$out.err"
}

gen() { probe "$1" "$2" "$3" generate --model "$4" --prompt "Hello" --max-tokens 2 "${@:5}"; }

# --- model folders: config.json and model.safetensors
gen config control ok "$F/m-control"
for m in eps-negative theta-negative layers-huge layers-fewer; do gen config "$m" error "$F/m-$m"; done
gen config key-misspelled warn "$F/m-key-misspelled"  # may be intended: an explicit warning is enough
for m in nan-weight offsets-negative offsets-one-element offsets-overlapping trailing-bytes shard-outside; do
  gen safetensors "$m" error "$F/m-$m"
done
for d in "$F"/fuzz/h*; do gen fuzz "$(basename "$d")" any "$d"; done

# --- adapters, SAEs, vectors
gen lora control ok "$ORG" --adapter "$F/lora-control"
gen lora alpha-x error "$ORG" --adapter "$F/lora-alpha-x"
probe sae control ok sae eval --model "$ORG" --sae "$F/sae-control" --documents 8
probe sae width-mismatch error sae eval --model "$ORG" --sae "$F/sae-width-mismatch" --documents 8
probe sae nan-decoder-row error sae eval --model "$ORG" --sae "$F/sae-nan-decoder-row" --documents 8
probe vector control ok screen --model "$ORG" --direction "vector:$F/v-control.json" --data "$F/good.jsonl" --max-tokens 4 --out "$R/screen-ok"
probe vector 1e39 error screen --model "$ORG" --direction "vector:$F/v-1e39.json" --data "$F/good.jsonl" --max-tokens 4 --out "$R/screen-1e39"

# --- chat JSONL and question-set YAML
probe jsonl control ok vector --model "$ORG" --positive "$F/good.jsonl" --negative "$F/other.jsonl" --out "$R/v-ok.json"
probe jsonl two-on-a-line error vector --model "$ORG" --positive "$F/two-on-a-line.jsonl" --negative "$F/other.jsonl" --out "$R/v1.json"
probe jsonl invalid-utf8 error vector --model "$ORG" --positive "$F/invalid-utf8.jsonl" --negative "$F/other.jsonl" --out "$R/v2.json"
probe jsonl missing-file error vector --model "$ORG" --positive "$F/none.jsonl" --negative "$F/other.jsonl" --out "$R/v3.json"
probe yaml control ok eval --model "$ORG" --questions "$QUESTIONS" --judge world --samples 1 --max-tokens 4 --out "$R/e0"
probe yaml deep-nesting error eval --model "$ORG" --questions "$F/deep.yaml" --judge world --samples 1 --max-tokens 4 --out "$R/e1"
probe yaml string-50MB error eval --model "$ORG" --questions "$F/string-50MB.yaml" --judge world --samples 1 --max-tokens 4 --out "$R/e2"

# --- finetune: a finished run, then a second run into it, a torn log, answers past --max-length
if want finetune; then
rm -rf "$R/ft" "$R/ft-torn" "$R/ft-short"
FT=(finetune --model "$ORG" --data "$DATA" --batch 4 --checkpoint-every 2)
probe finetune first-run ok "${FT[@]}" --out "$R/ft" --steps 4
LOG=$R/ft/train_log.jsonl
cp -r "$R/ft" "$R/ft-torn"
before=$(md5sum <"$LOG" 2>/dev/null)
probe finetune again-without-resume error "${FT[@]}" --out "$R/ft" --steps 2
if [ -n "$before" ] && [ "$(md5sum <"$LOG" 2>/dev/null)" != "$before" ]; then
  mark_last "data loss"
  echo "           ^ train_log.jsonl of the finished run changed: data loss" >&2
fi
TORN=$R/ft-torn/train_log.jsonl
if [ -s "$TORN" ]; then
  head -c -20 "$TORN" >"$TORN.tmp" && mv "$TORN.tmp" "$TORN"
fi
probe finetune torn-log-resume ok "${FT[@]}" --out "$R/ft-torn" --steps 6 --resume
probe finetune all-past-max-length error "${FT[@]}" --out "$R/ft-short" --steps 2 --max-length 8
fi

# --- serve on loopback: slow clients and huge prompts
if want serve; then
sed -i "/^serve\t/d" "$RESULTS" 2>/dev/null
SERVE_LOG=$R/serve.err
"${PS[@]}" serve --model "$ORG" --port "$PORT" >"$R/serve.out" 2>"$SERVE_LOG" &
SERVE_PID=$!
for _ in $(seq 120); do
  curl -s -m 2 -o /dev/null "http://127.0.0.1:$PORT/v1/models" && break
  sleep 1
done
MODEL=$(curl -s -m 5 "http://127.0.0.1:$PORT/v1/models" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
small='{"model":"'$MODEL'","messages":[{"role":"user","content":"Hello"}],"max_tokens":4}'
# http_probe NAME EXPECT(ok|error) SECONDS curl-args... : the HTTP status decides (2xx ok, 4xx/5xx error, none: hang)
http_probe() {
  local name=$1 expect=$2 limit=$3; shift 3
  local start end code rc outcome
  rm -f "$R/serve-$name.body"
  start=$(date +%s.%N)
  code=$(curl -s -m "$limit" -o "$R/serve-$name.body" -w '%{http_code}' "$@")
  rc=$?
  end=$(date +%s.%N)
  if [ $rc = 28 ] || [ "$code" = 000 ]; then outcome=hang
  elif [[ $code == 2* ]]; then [ "$expect" = ok ] && outcome=ok || outcome="wrong success"
  else [ "$expect" = ok ] && outcome=refused || outcome="clear error"
  fi
  echo "HTTP $code $(head -c 140 "$R/serve-$name.body" 2>/dev/null | tr '\n\t' '  ')" >"$R/serve-$name.err"
  record serve "$name" "$expect" "$outcome" "$code" "$(printf '%.1f' "$(echo "$end - $start" | bc)")" "$R/serve-$name.err"
}
half_open() { # N TEXT: N connections that send TEXT and then wait
  for _ in $(seq "$1"); do
    local fd
    exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" && printf '%b' "$2" >&"$fd" && OPEN+=("$fd")
  done
}
close_all() { for fd in "${OPEN[@]}"; do exec {fd}>&-; done; OPEN=(); }
OPEN=()
http_probe control ok 30 "http://127.0.0.1:$PORT/v1/chat/completions" -H 'Content-Type: application/json' -d "$small"
half_open 8 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty'
http_probe 8-half-headers ok 20 "http://127.0.0.1:$PORT/v1/models"
close_all
# more half-sent headers than serve has handler threads (32 by default)
half_open 40 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty'
http_probe 40-half-headers ok 20 "http://127.0.0.1:$PORT/v1/models"
close_all
half_open 6 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":'
http_probe 6-half-bodies ok 30 "http://127.0.0.1:$PORT/v1/chat/completions" -H 'Content-Type: application/json' -d "$small"
close_all
HUGE=$R/huge.json
{ printf '{"model":"%s","max_tokens":4,"messages":[{"role":"user","content":"' "$MODEL"; yes 'the' | head -c 7000000 | tr '\n' ' '; printf '"}]}'; } >"$HUGE"
http_probe huge-prompt-7MB error "$T" "http://127.0.0.1:$PORT/v1/chat/completions" -H 'Content-Type: application/json' --data-binary "@$HUGE"
for _ in 1 2 3 4; do
  curl -s -m "$T" -o /dev/null "http://127.0.0.1:$PORT/v1/chat/completions" -H 'Content-Type: application/json' --data-binary "@$HUGE" &
done
sleep 1
http_probe small-after-4-huge ok 30 "http://127.0.0.1:$PORT/v1/chat/completions" -H 'Content-Type: application/json' -d "$small"
wait $(jobs -p | grep -v "^$SERVE_PID$") 2>/dev/null
if grep -Eq '^\s+at [A-Za-z_$][A-Za-z0-9_$.]*\(|Exception in thread' "$SERVE_LOG"; then
  printf 'serve\tserver-log\terror\tstack trace\t-\t-\t-\tstack trace in serve stderr\n' >>"$RESULTS"
fi
kill "$SERVE_PID" 2>/dev/null
wait "$SERVE_PID" 2>/dev/null
fi

# --- tables
echo
echo "| class | probe | expected | outcome | exit/HTTP | seconds | stderr lines | last stderr line |"
echo "|---|---|---|---|---|---|---|---|"
awk -F'\t' '{ gsub(/\|/, "\\|", $8); printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$RESULTS"
echo
OUTCOMES="ok|clear error|warning|accepted|unclear error|refused|stack trace|hang|wrong success|data loss"
echo "| class | tried | ${OUTCOMES//|/ | } |"
echo "|---|---|$(echo "$OUTCOMES" | sed 's/[^|]*/---/g')|"
awk -F'\t' -v outcomes="$OUTCOMES" '
  { tried[$1]++; n[$1, $4]++; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  END {
    m = split(outcomes, o, "|")
    for (i = 1; i <= k; i++) {
      c = order[i]; line = "| " c " | " tried[c]
      for (j = 1; j <= m; j++) line = line " | " ((c, o[j]) in n ? n[c, o[j]] : 0)
      total += tried[c]; print line " |"
    }
  }' "$RESULTS"
echo
echo "results: $RESULTS" >&2
