"""Per-token log-probs of completions, with one prompt pass shared by a prompt's completions.

The prompt runs once (with gradient); its keys/values are repeated for the G completions that follow it, so the
gradient is exact (it sums over the G completions through the shared cache) and the prompt costs one pass, not G.
A prefix common to all prompts of the call runs once for all of them (`sampling.prefill`). Log-probs are computed
only at completion positions, and the head is applied in row chunks by `HeadLogprob`: no [B, T, V] logits tensor
with an autograd graph ever exists (V = 151,936 for Qwen; one fp32 row of logits is 600 KB, so 2,048 completion
tokens would hold 1.2 GB per copy, and autograd keeps several copies).

Used by the trainer for train_step, the KL reference pass and evaluate_logprobs, and by SFT (loss = -mean logprob).
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import torch

from .errors import EngineError
from .model import DecoderLM
from .sampling import prefill

Tensor = torch.Tensor

# Rows of logits materialised at once by HeadLogprob: 256 x 151,936 fp32 = 156 MB, large enough for good GEMMs.
HEAD_CHUNK_ELEMENTS = 256 * 151_936
# Below this size the forward keeps the softmax for backward (saves one of the four head matmuls); above it the
# logits are recomputed chunk by chunk, so memory stays flat however many tokens a micro-batch holds.
# 2 GiB holds 2 x 1,024 completion tokens at V = 151,936 in fp32.
SAVE_PROBS_BYTES = 2 << 30


class LogprobError(EngineError):
    """Bad completion_logprobs arguments."""


def _acc_dtype(x: Tensor) -> torch.dtype:
    """Log-softmax accumulates in fp32 under bf16/fp16/fp32, in fp64 for fp64 models (gradient checks)."""
    return torch.float64 if x.dtype == torch.float64 else torch.float32


class HeadLogprob(torch.autograd.Function):
    """log softmax(h W^T / T)[target] per row, computed in row chunks; no [N, V] logits tensor with a graph.

    Backward needs softmax(z): kept from the forward (as exp(z - max) and 1 / sum) when it fits SAVE_PROBS_BYTES,
    else recomputed per chunk.

    Written by hand because no library op does a chunked linear + log-softmax + gather without materialising all
    logits in torch 1.13. Gradients: d lp / d z = onehot(target) - softmax(z), z = (h / T) W^T. The chunk's logits
    live in one reused buffer and every elementwise step is in place (at V = 151,936 these passes over memory,
    not the matmuls, were half the time). Optionally returns the entropy of each row's distribution (no gradient)
    from the same pass: H = log s - sum(e * (z - m)) / s with e = exp(z - m), s = sum e.
    """

    @staticmethod
    def forward(ctx, hidden: Tensor, weight: Tensor, targets: Tensor, temperature: float, chunk: int,
                with_entropy: bool):
        n, v = hidden.shape[0], weight.shape[0]
        acc = _acc_dtype(hidden)
        lp = torch.empty(n, dtype=acc, device=hidden.device)
        lse = torch.empty(n, dtype=acc, device=hidden.device)
        ent = torch.empty(n if with_entropy else 0, dtype=acc, device=hidden.device)
        buf = torch.empty((min(chunk, n), v), dtype=acc, device=hidden.device)
        needs_grad = ctx.needs_input_grad[0] or ctx.needs_input_grad[1]
        itemsize = torch.empty((), dtype=acc).element_size()
        probs = (torch.empty((n, v), dtype=acc, device=hidden.device)
                 if needs_grad and n * v * itemsize <= SAVE_PROBS_BYTES else None)
        scale = torch.empty(n if probs is not None else 0, dtype=acc, device=hidden.device)
        buf2 = torch.empty_like(buf) if with_entropy and probs is None else None
        wt = weight.t()
        for s in range(0, n, chunk):
            hs = hidden[s:s + chunk] / temperature
            z = _head_into(buf, hs, wt)
            tgt = z.gather(-1, targets[s:s + chunk, None]).squeeze(-1)
            m = z.amax(-1)
            zc = z.sub_(m[:, None])
            if probs is not None:
                e = torch.exp(zc, out=probs[s:s + zc.shape[0]])
            elif with_entropy:
                e = torch.exp(zc, out=buf2[:zc.shape[0]])
            else:
                e = zc.exp_()
            tot = e.sum(-1)
            if with_entropy:
                ent[s:s + chunk] = tot.log() - zc.mul_(e).sum(-1) / tot  # zc is no longer needed
            lse[s:s + chunk] = m + tot.log()
            if probs is not None:
                scale[s:s + chunk] = tot.reciprocal()  # softmax = e / tot; the division is folded into backward
            lp[s:s + chunk] = tgt - lse[s:s + chunk]
        ctx.save_for_backward(hidden, weight, targets, lse, probs if probs is not None else lse.new_empty(0), scale)
        ctx.temperature, ctx.chunk, ctx.saved_probs = temperature, chunk, probs is not None
        ctx.mark_non_differentiable(ent)
        return lp, ent

    @staticmethod
    def backward(ctx, grad_lp: Tensor, _grad_ent):
        hidden, weight, targets, lse, probs, scale = ctx.saved_tensors
        t, chunk = ctx.temperature, ctx.chunk
        need_h, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        acc = lse.dtype
        gh = torch.empty_like(hidden) if need_h else None
        gw = torch.zeros(weight.shape, dtype=acc, device=weight.device) if need_w else None
        buf = torch.empty((min(chunk, hidden.shape[0]), weight.shape[0]), dtype=acc, device=hidden.device)
        wt = weight.t()
        for s in range(0, hidden.shape[0], chunk):
            hs = hidden[s:s + chunk] / t
            g = grad_lp[s:s + chunk].to(acc)
            # gz = g * (onehot - softmax), built in the chunk buffer (the saved softmax is left untouched)
            if ctx.saved_probs:
                gz = torch.mul(probs[s:s + chunk], (-g * scale[s:s + chunk])[:, None], out=buf[:hs.shape[0]])
            else:
                gz = _head_into(buf, hs, wt).sub_(lse[s:s + chunk, None]).exp_().mul_(-g[:, None])
            gz.scatter_add_(-1, targets[s:s + chunk, None], g[:, None])
            if need_h:
                gh[s:s + chunk] = ((gz.to(weight.dtype) @ weight) / t).to(hidden.dtype)
            if need_w:
                gw.addmm_(gz.t(), hs.to(acc))
        return gh, (gw.to(weight.dtype) if need_w else None), None, None, None, None


def _head_into(buf: Tensor, hs: Tensor, wt: Tensor) -> Tensor:
    out = buf[:hs.shape[0]]
    if hs.dtype == out.dtype:
        return torch.mm(hs, wt, out=out)
    return out.copy_(torch.mm(hs, wt))  # bf16/fp16 matmul, then fp32 statistics


def token_logprobs(model: DecoderLM, hidden: Tensor, targets: Tensor, temperature: float = 1.0,
                   with_entropy: bool = False) -> Tuple[Tensor, Optional[Tensor]]:
    """Log-probs [N] of `targets` [N] given hidden rows [N, D]; entropies [N] (no gradient) when asked."""
    head = getattr(model, "lm_head", None)
    plain_head = head is None or type(head) is torch.nn.Linear  # a LoRA-wrapped head must go through its module
    chunk = max(1, HEAD_CHUNK_ELEMENTS // model.config.vocab_size)
    if plain_head:
        lp, ent = HeadLogprob.apply(hidden, model.head_weight, targets, float(temperature), chunk, with_entropy)
        return lp, (ent if with_entropy else None)
    z = model.head(hidden).to(_acc_dtype(hidden)) / temperature
    logp = torch.log_softmax(z, -1)
    lp = logp.gather(-1, targets[:, None]).squeeze(-1)
    ent = None
    if with_entropy:
        # Entropy is logged (TRL's `entropy`), not optimised: no graph.
        with torch.no_grad():
            ent = -(logp.exp() * logp).sum(-1)
    return lp, ent


def batched_completion_logprobs(model: DecoderLM, prompts: Sequence[Sequence[int]],
                                completions: Sequence[Sequence[Sequence[int]]], temperature: float = 1.0,
                                with_entropy: bool = False, pad_id: int = 0, share_prefix: bool = True
                                ) -> Tuple[List[Tensor], Optional[List[Tensor]]]:
    """Log-probs of `completions[i][j]` after `prompts[i]`, for several prompts in one batch.

    Returns flat lists in prompt-major order (all completions of prompt 0, then prompt 1, ...), one tensor [L] per
    completion (empty completions give empty tensors). Runs with gradient when grad is enabled.
    """
    if len(prompts) != len(completions):
        raise LogprobError(f"{len(prompts)} prompts but {len(completions)} completion groups")
    if not prompts:
        return [], ([] if with_entropy else None)
    if any(len(p) == 0 for p in prompts):
        raise LogprobError("every prompt needs at least one token")
    if not temperature or temperature <= 0:
        raise LogprobError(f"temperature must be > 0 (use 1.0 for greedy samples), got {temperature!r}")
    device = model.device
    v = model.config.vocab_size
    flat = [c for group in completions for c in group]
    for c in flat:
        if any(not 0 <= t < v for t in c):
            raise LogprobError(f"completion token id outside the vocabulary [0, {v})")
    row_prompt = [i for i, group in enumerate(completions) for _ in group]
    lens = [len(c) for c in flat]
    if not flat or max(lens) == 0:
        empty = [torch.zeros(0, device=device) for _ in flat]
        return empty, ([torch.zeros(0, device=device) for _ in flat] if with_entropy else None)

    # ---- the prompts, once each (a common prefix once for all), with gradient -----------------------------------
    last_p, cache, mask_p, len_p = prefill(model, prompts, pad_id, share_prefix)

    # ---- the completions, sharing their prompt's keys/values ---------------------------------------------------
    idx = torch.tensor(row_prompt, dtype=torch.long, device=device)
    r, lmax = len(flat), max(lens)
    ids_c = torch.full((r, lmax), pad_id, dtype=torch.long)
    valid = torch.zeros((r, lmax), dtype=torch.bool)
    for j, c in enumerate(flat):
        ids_c[j, :len(c)] = torch.tensor(c, dtype=torch.long)
        valid[j, :len(c)] = True
    ids_c, valid = ids_c.to(device), valid.to(device)
    first = last_p.index_select(0, idx)[:, None]  # predicts each completion's first token
    if lmax > 1:
        # The last completion token predicts nothing we score, so it is not fed (saves one position per row).
        inp = ids_c[:, :-1]
        mask = torch.cat([mask_p.index_select(0, idx), valid[:, :-1].long()], 1)
        start = len_p.index_select(0, idx)
        pos = start[:, None] + torch.arange(lmax - 1, device=device)[None]
        hidden_c, _ = model.forward_hidden(inp, pos, mask, past=cache.select(idx), use_cache=False)
        hidden_all = torch.cat([first, hidden_c], 1)
    else:
        hidden_all = first
    lp, ent = token_logprobs(model, hidden_all[valid], ids_c[valid], temperature, with_entropy)
    lps = list(torch.split(lp, lens))
    ents = list(torch.split(ent, lens)) if ent is not None else None
    return lps, ents


def completion_logprobs(model: DecoderLM, prompt_ids: Sequence[int], completions: Sequence[Sequence[int]],
                        temperature: float = 1.0, with_entropy: bool = False, pad_id: int = 0
                        ) -> Tuple[List[Tensor], Optional[List[Tensor]]]:
    """Log-probs [L_i] of each completion after one prompt (one shared prompt pass); entropies when asked."""
    return batched_completion_logprobs(model, [prompt_ids], [completions], temperature, with_entropy, pad_id)
