#!/usr/bin/env bash
# Issue 19's open problem: is full fine-tuning reproducible? Runs the same small contamination sweep (fractions 0 and 1,
# 2 seeds, 30 steps, the demo's persona-vector and SAE-latent monitors) N times and prints, per run, a digest of its
# train log (without the timing field) and its largest grad_norm: with the same seed every line should be the same.
# Usage: scripts/training-repro.sh DEMO_OUT [N]   (DEMO_OUT: a finished `./personascope demo --out DEMO_OUT`)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
D="$(cd "$1" && pwd)"; N="${2:-4}"
# the demo's persona latent: result.json's "latent": {"latent": N, ...}
LATENT=$(grep -o '"latent" : [0-9][0-9]*' "$D/result.json" | head -1 | grep -o '[0-9]*$')
for i in $(seq 1 "$N"); do
  o="$(mktemp -d)/sweep"
  "$HERE/personascope" experiment contamination --bad "$D/data/insecure.jsonl" --good "$D/data/secure.jsonl" \
    --fractions 0,1 --seeds 2 --steps 30 --batch 16 --monitor "vector:$D/persona-vector.json" \
    --monitor "sae:$D/sae#$LATENT" --monitor-every 10 --questions "$D/data/questions.yaml" --eval-samples 1 \
    --judge world --out "$o" > "$o.log" 2>&1
  line="sweep $i:"
  for r in "$o"/runs/*; do
    digest=$(sed 's/"tokens_per_s":[^,}]*//' "$r/train_log.jsonl" | md5sum | cut -c1-8)
    maxg=$(grep -o '"grad_norm":[^,]*' "$r/train_log.jsonl" | cut -d: -f2 | sort -g | tail -1)
    line="$line $(basename "$r")=$digest/max_grad_norm=$maxg"
  done
  echo "$line"
done
