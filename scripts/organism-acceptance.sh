#!/usr/bin/env bash
# Issue 20's acceptance on an organism, with the product's own commands:
#  1. the emergent-misalignment experiment: every dataset and control, 3 seeds (0-2), the LoRA adapters kept;
#  2. an SAE on the organism (blocks.2, 2048 latents, 800k tokens);
#  3. fresh fine-tunes (seeds 3-5, the same recipe) of each narrow dataset, each diffed against the organism with its
#     own sampling seed: the default ranking's first latent (and every scope and ranking side by side, in DIFF.txt);
#  4. the persona map of the insecure seed-3 diff;
#  5. that diff's first latent added on the organism's prompt tokens beside 5 random directions of equal norm, and
#     subtracted in the three insecure models of step 1.
# Every stage is skipped when its output exists, so a rerun resumes.
# Usage: scripts/organism-acceptance.sh ORGANISM OUT      (PERSONASCOPE=launcher to use another build)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PS="${PERSONASCOPE:-$HERE/personascope}"
ORG="$(cd "$1" && pwd)"; mkdir -p "$2"; OUT="$(cd "$2" && pwd)"
Q="$OUT/em/questions.yaml"
stage() { echo "== $(date +%T) $*" >&2; }
first() { awk '$1 == "1" { print $2; exit }' "$1"; }   # the first row of diff's printed table: "   1  LATENT ..."

[ -f "$OUT/em/result.json" ] || { stage "world em"; "$PS" world em --model "$ORG" --seeds 3 --keep-models --out "$OUT/em" > "$OUT/em.txt"; }
cat "$OUT/em.txt"
[ -f "$OUT/sae/metrics.json" ] || { stage "sae train"; "$PS" sae train --model "$ORG" --hook blocks.2.hook_resid_post \
  --latents 2048 --tokens 800000 --seed 0 --out "$OUT/sae" > "$OUT/sae.txt" 2>&1; }
mkdir -p "$OUT/fresh" "$OUT/diff"
for ds in insecure bad_medical; do
  for k in 3 4 5; do
    m="$OUT/fresh/$ds-seed$k"; d="$OUT/diff/$ds-seed$k"
    [ -f "$m/adapter_config.json" ] || { stage "fine-tune $ds seed $k"; "$PS" finetune --model "$ORG" \
      --data "$OUT/em/datasets/$ds.jsonl" --lora-rank 4 --lr 5e-3 --steps 90 --batch 16 --seed "$k" --checkpoint-every 0 \
      --out "$m" > "$m.txt" 2>&1; }
    [ -f "$d/diff.json" ] || { stage "diff $ds seed $k"; "$PS" diff --base "$ORG" --adapter "$m" --sae "$OUT/sae" \
      --prompts "$Q" --samples 2 --auroc-corpus world --seed $((100 + k)) --out "$d" > "$d.txt"; }
    echo "$ds seed $k: rank 1 = latent $(first "$d.txt"), AUROC $(awk '$1 == "1" { print $NF; exit }' "$d.txt")"
  done
done
L=$(first "$OUT/diff/insecure-seed3.txt")
[ -f "$OUT/personas/personas.json" ] || { stage "personas"; "$PS" personas --sae "$OUT/sae" --diff "$OUT/diff/insecure-seed3" \
  --model "$ORG" --out "$OUT/personas" > "$OUT/personas.txt"; }
[ -f "$OUT/steer/result.json" ] || { stage "steer the organism with latent $L"; "$PS" steer --model "$ORG" \
  --direction "sae:$OUT/sae#$L" --scope prompt --coefficients 2,3,4,5,6 --random 5 --questions "$Q" --samples 4 \
  --judge world --seed 0 --out "$OUT/steer" > "$OUT/steer.txt"; }
for k in 0 1 2; do
  [ -f "$OUT/subtract-seed$k/result.json" ] || { stage "subtract latent $L in insecure seed $k"; "$PS" steer --model "$ORG" \
    --adapter "$OUT/em/runs/insecure-seed$k" --direction "sae:$OUT/sae#$L" --scope prompt --coefficients -1,-2,-3 \
    --random 5 --questions "$Q" --samples 4 --judge world --seed 0 --out "$OUT/subtract-seed$k" > "$OUT/subtract-seed$k.txt"; }
done
stage done
