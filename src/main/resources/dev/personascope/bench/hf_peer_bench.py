#!/usr/bin/env python3
"""Peer benchmark: Hugging Face transformers + PEFT (official PyTorch CPU wheel, MKL) on the exact
shapes and measurements of `personascope bench forward` and `bench train`.

Setup (wheels that this machine kind keeps on disk; find them with `find / -name 'transformers-*.whl'`):
  python3 -m venv venv && venv/bin/pip install --no-index --find-links DIR1 --find-links DIR2 \
      "torch==2.13.0+cpu" transformers peft safetensors numpy
Run: venv/bin/python hf_peer_bench.py [--threads 2] [--small] [--only forward|train]
Prints one JSON line. `personascope bench forward|train --compare PYTHON` runs this copy (bundled in the jar) right
after its own figures and prints both side by side; the shapes, FLOP counts and timing rules are the same as there.
"""
import argparse, json, time
import torch
import transformers
import peft
from transformers import Qwen2Config, Qwen2ForCausalLM

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--small", action="store_true")
p.add_argument("--prompt", type=int, default=512)
p.add_argument("--decode", type=int, default=32)
p.add_argument("--seq", type=int, default=256)
p.add_argument("--batch", type=int, default=4)
p.add_argument("--steps", type=int, default=3)
p.add_argument("--skip-train", action="store_true")
p.add_argument("--only", choices=["forward", "train"], help="run only one half")
a = p.parse_args()
if a.only == "forward":
    a.skip_train = True
torch.set_num_threads(a.threads)
torch.manual_seed(0)


def qwen(vocab, hidden, layers, heads, kv, inter):
    return Qwen2Config(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                       num_key_value_heads=kv, intermediate_size=inter, tie_word_embeddings=True,
                       rope_theta=1e6, max_position_embeddings=4096, torch_dtype="float32",
                       attn_implementation="sdpa")


shape = qwen(4096, 256, 4, 4, 2, 704) if a.small else qwen(151936, 896, 24, 14, 2, 4864)
H, L, NH, KV, I, V = (shape.hidden_size, shape.num_hidden_layers, shape.num_attention_heads,
                      shape.num_key_value_heads, shape.intermediate_size, shape.vocab_size)
D = H // NH


def linear_flops_per_token():
    per_layer = H * NH * D * 2 + 2.0 * H * KV * D + 3.0 * H * I
    return 2 * per_layer * L


def attention_flops(start, n):
    keys = sum(start + i + 1 for i in range(n))
    return 2.0 * 2.0 * NH * D * keys * L


def matmul_peak():
    n = 2048
    x, y = torch.randn(n, n), torch.randn(n, n)
    best = 1e9
    for i in range(6):
        t = time.perf_counter(); (x @ y)[0, 0].item(); t = time.perf_counter() - t
        if i: best = min(best, t)
    return 2.0 * n ** 3 / best / 1e9


out = {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__,
       "threads": a.threads}
peak = matmul_peak(); out["matmul_gflops"] = round(peak, 1)
model = Qwen2ForCausalLM(shape).eval()
g = torch.Generator().manual_seed(7)
with torch.inference_mode():
    if a.only != "train":
        ids = torch.randint(0, V, (1, a.prompt), generator=g)
        model(ids, logits_to_keep=1)  # warm-up
        best = 1e9
        for _ in range(3):
            t = time.perf_counter(); model(ids, logits_to_keep=1).logits.sum().item(); best = min(best, time.perf_counter() - t)
        fl = linear_flops_per_token() * a.prompt + attention_flops(0, a.prompt) + 2.0 * V * H
        out["prefill_tok_s"] = round(a.prompt / best, 1); out["prefill_mfu"] = round(fl / best / 1e9 / peak, 3)
        for b in (1, 8):
            prompts = torch.randint(0, V, (b, 32), generator=g)
            o = model(prompts, use_cache=True, logits_to_keep=1)
            cache, nxt = o.past_key_values, o.logits[:, -1].argmax(-1, keepdim=True)
            t = time.perf_counter()
            for _ in range(a.decode):
                o = model(nxt, past_key_values=cache, use_cache=True)
                cache, nxt = o.past_key_values, o.logits[:, -1].argmax(-1, keepdim=True)
            secs = time.perf_counter() - t
            out[f"decode_b{b}_tok_s"] = round(b * a.decode / secs, 2)
            # the same through model.generate, the call users make
            t = time.perf_counter()
            model.generate(prompts, attention_mask=torch.ones_like(prompts), max_new_tokens=a.decode,
                           min_new_tokens=a.decode, do_sample=False, pad_token_id=0)
            out[f"generate_b{b}_tok_s_incl_prefill"] = round(b * a.decode / (time.perf_counter() - t), 2)

if not a.skip_train:
    from peft import LoraConfig, get_peft_model
    model.train()
    pm = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0,
                                          target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
    params = [q for q in pm.parameters() if q.requires_grad]
    trainable = sum(q.numel() for q in params)
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)

    def step():
        ids = torch.randint(0, V, (a.batch, a.seq), generator=g)
        labels = ids.clone(); labels[:, : a.seq // 2] = -100
        loss = pm(input_ids=ids, labels=labels).loss
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)

    step()
    t = time.perf_counter()
    for _ in range(a.steps): step()
    secs = time.perf_counter() - t
    tokens = a.steps * a.batch * a.seq; targets = a.steps * a.batch * (a.seq - a.seq // 2)
    n = linear_flops_per_token() / 2
    fl = tokens * (4 * n + 6.0 * trainable) + targets * 4 * V * H + 3 * attention_flops(0, a.seq) * a.steps * a.batch
    out["lora_r8_train_tok_s"] = round(tokens / secs, 1); out["lora_r8_mfu"] = round(fl / secs / 1e9 / peak, 3)
print(json.dumps(out))
