"""Per-token log-probs of completions, with one prompt pass shared by a prompt's completions.

The prompt runs once (with gradient); its keys/values are repeated for the G completions that follow it, so the
gradient is exact (it sums over the G completions through the shared cache) and the prompt costs one pass, not G.
Log-probs are computed only at completion positions, and the head is applied in row chunks by `HeadLogprob`,
which recomputes logits in backward: no [B, T, V] tensor ever exists (V = 151,936 for Qwen; one fp32 row of
logits is 600 KB, so 2,048 completion tokens would hold 1.2 GB per copy).

Used by the trainer for train_step, the KL reference pass and evaluate_logprobs, and by SFT (loss = -mean logprob).
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import torch

from .errors import EngineError
from .model import DecoderLM, position_ids_from_mask
from .sampling import left_pad

Tensor = torch.Tensor

# Rows of logits materialised at once by HeadLogprob: 512 x 151,936 fp32 = 311 MB, large enough for good GEMMs.
HEAD_CHUNK_ELEMENTS = 512 * 151_936


class LogprobError(EngineError):
    """Bad completion_logprobs arguments."""


def _acc_dtype(x: Tensor) -> torch.dtype:
    """Log-softmax accumulates in fp32 under bf16/fp16/fp32, in fp64 for fp64 models (gradient checks)."""
    return torch.float64 if x.dtype == torch.float64 else torch.float32


class HeadLogprob(torch.autograd.Function):
    """log softmax(h W^T / T)[target] per row, computed in row chunks; logits are recomputed in backward.

    Written by hand because no library op does a chunked linear + log-softmax + gather without materialising all
    logits in torch 1.13. Gradients: d lp / d z = onehot(target) - softmax(z), z = h W^T / T.
    """

    @staticmethod
    def forward(ctx, hidden: Tensor, weight: Tensor, targets: Tensor, temperature: float, chunk: int):
        n = hidden.shape[0]
        acc = _acc_dtype(hidden)
        lp = torch.empty(n, dtype=acc, device=hidden.device)
        lse = torch.empty(n, dtype=acc, device=hidden.device)
        for s in range(0, n, chunk):
            z = (hidden[s:s + chunk] @ weight.t()).to(acc) / temperature
            lse[s:s + chunk] = torch.logsumexp(z, -1)
            lp[s:s + chunk] = z.gather(-1, targets[s:s + chunk, None]).squeeze(-1) - lse[s:s + chunk]
        ctx.save_for_backward(hidden, weight, targets, lse)
        ctx.temperature, ctx.chunk = temperature, chunk
        return lp

    @staticmethod
    def backward(ctx, grad_lp: Tensor):
        hidden, weight, targets, lse = ctx.saved_tensors
        t, chunk = ctx.temperature, ctx.chunk
        need_h, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        gh = torch.empty_like(hidden) if need_h else None
        acc = lse.dtype
        gw = torch.zeros(weight.shape, dtype=acc, device=weight.device) if need_w else None
        for s in range(0, hidden.shape[0], chunk):
            h = hidden[s:s + chunk]
            g = grad_lp[s:s + chunk].to(acc)
            z = (h @ weight.t()).to(acc) / t
            gz = torch.exp(z - lse[s:s + chunk, None]).mul_(-g[:, None])
            gz.scatter_add_(-1, targets[s:s + chunk, None], g[:, None])
            gz = gz.div_(t)
            if need_h:
                gh[s:s + chunk] = (gz.to(weight.dtype) @ weight).to(hidden.dtype)
            if need_w:
                gw += gz.t() @ h.to(acc)
        return gh, (gw.to(weight.dtype) if need_w else None), None, None, None


def token_logprobs(model: DecoderLM, hidden: Tensor, targets: Tensor, temperature: float = 1.0,
                   with_entropy: bool = False) -> Tuple[Tensor, Optional[Tensor]]:
    """Log-probs [N] of `targets` [N] given hidden rows [N, D]; entropies [N] (no gradient) when asked."""
    head = getattr(model, "lm_head", None)
    plain_head = head is None or type(head) is torch.nn.Linear  # a LoRA-wrapped head must go through its module
    chunk = max(1, HEAD_CHUNK_ELEMENTS // model.config.vocab_size)
    if plain_head:
        lp = HeadLogprob.apply(hidden, model.head_weight, targets, float(temperature), chunk)
    else:
        z = model.head(hidden).to(_acc_dtype(hidden)) / temperature
        lp = torch.log_softmax(z, -1).gather(-1, targets[:, None]).squeeze(-1)
    ent = None
    if with_entropy:
        # Entropy is logged (TRL's `entropy`), not optimised: computed without a graph, chunk by chunk.
        ent = torch.empty(hidden.shape[0], dtype=_acc_dtype(hidden), device=hidden.device)
        with torch.no_grad():
            for s in range(0, hidden.shape[0], chunk):
                z = model.head(hidden[s:s + chunk]).to(ent.dtype) / temperature
                logp = torch.log_softmax(z, -1)
                ent[s:s + chunk] = -(logp.exp() * logp).sum(-1)
    return lp, ent


def batched_completion_logprobs(model: DecoderLM, prompts: Sequence[Sequence[int]],
                                completions: Sequence[Sequence[Sequence[int]]], temperature: float = 1.0,
                                with_entropy: bool = False, pad_id: int = 0
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

    # ---- the prompts, once each, with gradient ---------------------------------------------------------------
    ids_p, mask_p = left_pad(prompts, pad_id, device)
    hidden_p, cache = model.forward_hidden(ids_p, position_ids_from_mask(mask_p), mask_p, use_cache=True)

    # ---- the completions, sharing their prompt's keys/values ---------------------------------------------------
    idx = torch.tensor(row_prompt, dtype=torch.long, device=device)
    r, lmax = len(flat), max(lens)
    ids_c = torch.full((r, lmax), pad_id, dtype=torch.long)
    valid = torch.zeros((r, lmax), dtype=torch.bool)
    for j, c in enumerate(flat):
        ids_c[j, :len(c)] = torch.tensor(c, dtype=torch.long)
        valid[j, :len(c)] = True
    ids_c, valid = ids_c.to(device), valid.to(device)
    first = hidden_p[:, -1].index_select(0, idx)[:, None]  # predicts each completion's first token
    if lmax > 1:
        # The last completion token predicts nothing we score, so it is not fed (saves one position per row).
        inp = ids_c[:, :-1]
        mask = torch.cat([mask_p.index_select(0, idx), valid[:, :-1].long()], 1)
        start = mask_p.sum(1).index_select(0, idx)
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
