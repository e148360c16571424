#!/usr/bin/env python3
"""Peer benchmark for `personascope bench sae`: a TopK SAE (Gao et al. 2024) trained in plain PyTorch the way
SAELens and most research code do it on a CPU: dense encoder, top-k, the k codes scattered into a dense
[batch, d_sae] matrix and multiplied by W_dec densely, autograd for the backward, AdamW, the decoder-gradient
projection and row renormalisation of `SaeTrainer`. Same shapes, batch and token count as the Java benchmark.

Run: PYTHON sae_peer_bench.py [--threads 2] [--d-in 896] [--latents 16384] [--k 32] [--batch 1024] [--tokens 100000]
Prints one JSON line.
"""
import argparse, json, time
import torch

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--d-in", type=int, default=896)
p.add_argument("--latents", type=int, default=16384)
p.add_argument("--k", type=int, default=32)
p.add_argument("--batch", type=int, default=1024)
p.add_argument("--tokens", type=int, default=100_000)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

d, n, k, B = a.d_in, a.latents, a.k, a.batch
dec = torch.randn(n, d); dec /= dec.norm(dim=1, keepdim=True)
W_dec = dec.clone().requires_grad_(True)
W_enc = dec.t().contiguous().requires_grad_(True)
b_enc = torch.zeros(n, requires_grad=True)
b_dec = torch.zeros(d, requires_grad=True)
params = [W_enc, b_enc, W_dec, b_dec]
opt = torch.optim.AdamW(params, lr=4e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
# synthetic activations: sparse combinations of a fixed dictionary, as SyntheticDictionary makes them
atoms = torch.randn(4 * d, d)


def batch():
    idx = torch.randint(0, atoms.shape[0], (B, 16))
    coef = torch.rand(B, 16)
    return torch.einsum("bj,bjd->bd", coef, atoms[idx])


def step():
    x = batch()
    pre = (x - b_dec) @ W_enc + b_enc
    vals, idx = pre.topk(k, dim=-1)
    z = torch.zeros_like(pre).scatter(-1, idx, torch.relu(vals))
    x_hat = z @ W_dec + b_dec
    loss = (x - x_hat).pow(2).sum(-1).mean()
    loss.backward()
    with torch.no_grad():
        W_dec.grad -= (W_dec.grad * W_dec).sum(-1, keepdim=True) * W_dec
    opt.step(); opt.zero_grad(set_to_none=True)
    with torch.no_grad():
        W_dec.div_(W_dec.norm(dim=1, keepdim=True))


out = {"torch": torch.__version__, "threads": a.threads}
for _ in range(2):
    step()  # warm-up
steps = max(1, a.tokens // B)
t = time.perf_counter()
for _ in range(steps):
    step()
secs = time.perf_counter() - t
out["sae_tok_s"] = round(steps * B / secs, 1)
out["sae_steps"] = steps
print(json.dumps(out))
