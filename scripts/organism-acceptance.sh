#!/usr/bin/env bash
# Issue 20's acceptance on an organism, with the product's own commands: the emergent-misalignment experiment (3 seeds,
# every dataset and control, the models kept), an SAE on the organism, the default model diff of each narrow fine-tune
# (insecure, bad medical; 3 fine-tuning seeds, each diff sampled with a seed of its own) with every ranking side by
# side, the persona map, then steering the organism with the diff's first latent (5 random directions of equal norm)
# and subtracting it in the insecure models. Every stage is skipped when its output exists, so a rerun resumes.
# Usage: scripts/organism-acceptance.sh ORGANISM OUT      (PERSONASCOPE=launcher to use another build)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PS="${PERSONASCOPE:-$HERE/personascope}"
ORG="$(cd "$1" && pwd)"; mkdir -p "$2"; OUT="$(cd "$2" && pwd)"
Q="$OUT/em/questions.yaml"
stage() { echo "== $(date +%T) $*" >&2; }

[ -f "$OUT/em/result.json" ] || { stage "world em"; "$PS" world em --model "$ORG" --seeds 3 --keep-models --out "$OUT/em" > "$OUT/em.txt"; }
cat "$OUT/em.txt"
[ -f "$OUT/sae/metrics.json" ] || { stage "sae train"; "$PS" sae train --model "$ORG" --hook blocks.2.hook_resid_post \
  --latents 2048 --tokens 800000 --seed 0 --out "$OUT/sae" > "$OUT/sae.txt" 2>&1; }
for ds in insecure bad_medical; do
  for k in 0 1 2; do
    d="$OUT/diff/$ds-seed$k"
    [ -f "$d/diff.json" ] || { stage "diff $ds seed $k"; "$PS" diff --base "$ORG" --tuned "$OUT/em/runs/$ds-seed$k" \
      --sae "$OUT/sae" --prompts "$Q" --samples 2 --auroc-corpus world --seed $((100 + k)) --out "$d" > "$d.txt"; }
    # the first row of the default table: "   1  LATENT ..."
    echo "$ds seed $k: rank 1 = latent $(awk '$1 == "1" { print $2; exit }' "$d.txt"), AUROC $(awk '$1 == "1" { print $NF; exit }' "$d.txt")"
  done
done
L=$(awk '$1 == "1" { print $2; exit }' "$OUT/diff/insecure-seed0.txt")
[ -f "$OUT/personas/personas.json" ] || { stage "personas"; "$PS" personas --sae "$OUT/sae" --diff "$OUT/diff/insecure-seed0" \
  --model "$ORG" --out "$OUT/personas" > "$OUT/personas.txt" || true; }
[ -f "$OUT/steer/result.json" ] || { stage "steer organism with latent $L"; "$PS" steer --model "$ORG" --direction "sae:$OUT/sae#$L" \
  --scope prompt --coefficients 2,3,4,5,6 --random 5 --questions "$Q" --samples 4 --judge world --seed 0 --out "$OUT/steer" > "$OUT/steer.txt"; }
for k in 0 1 2; do
  [ -f "$OUT/subtract-seed$k/result.json" ] || { stage "subtract latent $L in insecure seed $k"; "$PS" steer \
    --model "$OUT/em/runs/insecure-seed$k" --direction "sae:$OUT/sae#$L" --scope prompt --coefficients -1,-2,-3 --random 5 \
    --questions "$Q" --samples 4 --judge world --seed 0 --out "$OUT/subtract-seed$k" > "$OUT/subtract-seed$k.txt"; }
done
stage done
