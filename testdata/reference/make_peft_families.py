"""PEFT adapters on the other families' tiny models (written by PersonaScope, same method as make_peft.py).

make_peft.py covers qwen2 and llama; these add the layouts where PEFT's module names differ: GPT-2's Conv1D
(c_attn, c_proj, c_fc; PEFT sets fan_in_fan_out), Phi-3's fused qkv_proj / gate_up_proj, Gemma 2's sandwich
norms and soft-caps, OLMo-2 and Gemma 3 with DoRA.

    python make_peft_families.py peft hf-models
"""
import os
import sys

import make_peft

EXTRA = {
    "gpt2": {"lora-all-linear-r2": (dict(r=2, lora_alpha=8, target_modules="all-linear"), 3102,
                                    "(f) GPT-2 all-linear: c_attn, c_proj (attention and MLP), c_fc; Conv1D, fan_in_fan_out"),
             "dora-c_attn-r4": (dict(r=4, lora_alpha=8, target_modules=["c_attn"], use_dora=True), 3105,
                                "(g) GPT-2 DoRA on the fused Conv1D c_attn")},
    "phi3": {"lora-all-linear-r2": (dict(r=2, lora_alpha=8, target_modules="all-linear"), 3202,
                                    "(f) Phi-3 all-linear: qkv_proj, o_proj, gate_up_proj, down_proj (fused)"),
             "dora-qkv-r4": (dict(r=4, lora_alpha=8, target_modules=["qkv_proj"], use_dora=True), 3205,
                             "(g) Phi-3 DoRA on the fused qkv_proj")},
    "gemma2": {"lora-qv-r4": (dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]), 3301,
                              "(a) Gemma 2 LoRA on q_proj, v_proj")},
    "olmo2": {"dora-all-linear-r2": (dict(r=2, lora_alpha=8, target_modules="all-linear", use_dora=True), 3402,
                                     "(g) OLMo-2 DoRA all-linear")},
    "gemma3": {"rslora-layer0-r4": (dict(r=4, lora_alpha=8, target_modules=["k_proj", "o_proj", "down_proj"],
                                         use_rslora=True, layers_to_transform=[0]), 3503,
                                    "(c) Gemma 3 rsLoRA on k, o, down of layer 0")},
}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    make_peft.ensure_hash_seed()
    outdir = sys.argv[1]
    models_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(outdir, "..", "hf-models")
    make_peft.torch.set_num_threads(1)
    with open(os.path.join(models_dir, "inputs.json")) as f:
        inputs = make_peft.json.load(f)
    for base, variants in EXTRA.items():
        for variant, (kw, seed, note) in variants.items():
            make_peft.make_adapter(outdir, models_dir, base, variant, kw, seed, note, inputs)


if __name__ == "__main__":
    main()
