"""Batched sampling for GRPO rollouts: n samples per prompt sharing one prefill, KV-cached decoding.

- Each prompt is prefilled once; its KV cache is repeated n times (prompt-major), so a group of G samples costs one
  prompt pass, not G. A prefix shared by all prompts of the batch (the tools block) is run once (`prefill`).
- The cache is preallocated for the whole generation and written in place (`KVCache.reserve`).
- Tokens are drawn by inverse CDF (softmax -> cumsum -> searchsorted): measured here ~9x faster than
  torch.multinomial at a 151,936-token vocabulary (see /work/shared/LEARNING.md), same distribution. The CDF is
  two-level (block sums, then a cumsum inside the chosen block) so no [R, V] cumsum is written.
- top-p looks for the nucleus among the 1,024 most likely tokens before falling back to a full sort.
- Rows that hit a stop token drop out of the batch once enough of them have finished, so they stop costing compute.
- Log-probs are those of the sampling distribution before top-k/top-p filtering, log_softmax(logits / T), which is
  what TRL stores and what `logprobs.completion_logprobs` recomputes at train time (T = 1 for greedy).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import torch

from .errors import EngineError
from .model import DecoderLM, position_ids_from_mask

Tensor = torch.Tensor

# Compact the batch (drop finished rows from the KV cache) once at most this share of the current rows is alive.
# Each compaction copies the whole cache, so it is batched rather than done at every single finish.
COMPACT_BELOW = 0.75


class SamplingError(EngineError):
    """Bad generate arguments (empty prompt, token id out of range, bad temperature)."""


def left_pad(prompts: Sequence[Sequence[int]], pad_id: int, device) -> tuple:
    """[B, P] ids and mask with each prompt right-aligned (left padding, as transformers.js batches)."""
    p = max(len(x) for x in prompts)
    ids = torch.full((len(prompts), p), pad_id, dtype=torch.long)
    mask = torch.zeros((len(prompts), p), dtype=torch.long)
    for i, x in enumerate(prompts):
        if len(x):
            ids[i, p - len(x):] = torch.tensor(list(x), dtype=torch.long)
            mask[i, p - len(x):] = 1
    return ids.to(device), mask.to(device)


# Prompts of one batch that start with the same tokens (the system turn with the tools block) run that prefix once;
# below this length the extra forward call costs more than it saves.
MIN_SHARED_PREFIX = 32


def common_prefix_len(prompts: Sequence[Sequence[int]]) -> int:
    first = prompts[0]
    c = min(len(p) for p in prompts)
    for p in prompts[1:]:
        i = 0
        while i < c and p[i] == first[i]:
            i += 1
        c = i
    return c


def prefill(model: DecoderLM, prompts: Sequence[Sequence[int]], pad_id: int = 0, share_prefix: bool = True) -> tuple:
    """Run the prompts once: returns (hidden of each prompt's last token [B, D], KV cache, mask [B, K],
    real length [B]).

    With a common prefix of at least MIN_SHARED_PREFIX tokens, the prefix runs once for the whole batch and the
    suffixes, left-padded, run on its repeated cache; the padding then sits between prefix and suffix, which the
    mask and the cumsum position ids handle exactly as left padding. Runs with gradient when grad is enabled.
    """
    device = model.device
    b = len(prompts)
    c = common_prefix_len(prompts) if share_prefix and b > 1 else 0
    c = min(c, min(len(p) for p in prompts) - 1)  # every prompt keeps a suffix token: its last hidden state
    if c < MIN_SHARED_PREFIX:
        ids, mask = left_pad(prompts, pad_id, device)
        hidden, cache = model.forward_hidden(ids, position_ids_from_mask(mask), mask, use_cache=True)
        return hidden[:, -1], cache, mask, mask.sum(1)
    _, cache = model.forward_hidden(torch.tensor([list(prompts[0][:c])], dtype=torch.long, device=device),
                                    use_cache=True)
    ids, mask_s = left_pad([p[c:] for p in prompts], pad_id, device)
    mask = torch.cat([torch.ones((b, c), dtype=torch.long, device=device), mask_s], 1)
    hidden, cache = model.forward_hidden(ids, position_ids_from_mask(mask)[:, c:], mask,
                                         past=cache.repeat_interleave(b), use_cache=True)
    return hidden[:, -1], cache, mask, mask.sum(1)


# top-p looks for the nucleus among this many most likely tokens first (a partial top-k instead of sorting all
# 151,936 logits every step); rows whose nucleus is wider fall back to a full sort, so the result is exact.
NUCLEUS_CANDIDATES = 1024


def filter_logits(scaled: Tensor, top_k: int = 0, top_p: float = 1.0) -> Optional[Tensor]:
    """Bool mask [R, V] of tokens removed by top-k and top-p (nucleus), or None when nothing is filtered.

    top-k keeps the k largest logits (and any tied with the k-th). top-p then keeps, of what is left, the smallest
    set of most likely tokens whose renormalised probability reaches top_p (always at least one token).
    """
    v = scaled.shape[-1]
    removed = None
    if 0 < top_k < v:
        kth = torch.topk(scaled, top_k, dim=-1).values[:, -1:]
        removed = scaled < kth
    if top_p < 1.0:
        s = scaled if removed is None else scaled.masked_fill(removed, float("-inf"))
        drop = _nucleus_drop(s, top_p, min(v, NUCLEUS_CANDIDATES))
        removed = drop if removed is None else (removed | drop)
    return removed


def _nucleus_drop(s: Tensor, top_p: float, candidates: int) -> Tensor:
    """Tokens outside the top-p nucleus of softmax(s), [R, V] bool."""
    vals, order = torch.topk(s, candidates, dim=-1)  # sorted, largest first
    # exp(logit - logsumexp) rather than softmax: at V = 151,936 softmax's fp32 normaliser was measured off by 5e-5
    # against float64, enough to move the nucleus edge; logsumexp's reduction was within 3e-7.
    probs = (vals - torch.logsumexp(s, -1, keepdim=True)).exp()
    cum = probs.cumsum(-1)
    # drop a token when the mass before it already reaches top_p; the first token is always kept
    drop_sorted = (cum - probs) >= top_p
    drop = torch.ones_like(s, dtype=torch.bool).scatter_(-1, order, drop_sorted)
    wide = cum[:, -1] < top_p  # the nucleus may extend past the candidates: sort those rows in full
    if bool(wide.any()):
        rows = wide.nonzero().squeeze(-1)
        sr = s.index_select(0, rows)
        sorted_logits, full_order = torch.sort(sr, dim=-1, descending=True)
        p = (sorted_logits - torch.logsumexp(sr, -1, keepdim=True)).exp()
        drop[rows] = torch.zeros_like(sr, dtype=torch.bool).scatter_(-1, full_order, (p.cumsum(-1) - p) >= top_p)
    return drop


# Two-level inverse CDF: block sums locate the block, then a cumsum inside one block of this many tokens locates the
# token. A full cumsum over [R, V] is a sequential scan that writes R x V floats; block sums are one read pass.
CDF_BLOCK = 256


def inverse_cdf_sample(probs: Tensor, generator: Optional[torch.Generator] = None,
                       block: Optional[int] = None) -> Tensor:
    """One token per row of (possibly unnormalised) non-negative weights [R, V]: the first index whose CDF exceeds
    u * total, u ~ U[0, 1). Zero-weight tokens are never chosen (searchsorted with right=True skips flat runs).

    Targets are kept strictly below each level's total, so rounding (block sums vs the cumsum inside the block)
    can never run off the end onto a zero-weight token.
    """
    r, v = probs.shape
    block = block or CDF_BLOCK
    shrink = 1 - 4 * torch.finfo(probs.dtype).eps
    u = torch.rand((r, 1), generator=generator, device=probs.device, dtype=probs.dtype)
    nb = v // block
    if nb < 2:
        cdf = probs.cumsum(-1)
        total = cdf[:, -1:]
        target = torch.minimum(u * total, total * shrink)
        return torch.searchsorted(cdf, target, right=True).squeeze(-1).clamp_(max=v - 1)
    main = nb * block
    sums = probs[:, :main].reshape(r, nb, block).sum(-1)
    if main < v:
        sums = torch.cat([sums, probs[:, main:].sum(-1, keepdim=True)], 1)
    bcdf = sums.cumsum(-1)
    total = bcdf[:, -1:]
    target = torch.minimum(u * total, total * shrink)
    blk = torch.searchsorted(bcdf, target, right=True).clamp_(max=bcdf.shape[1] - 1)  # [R, 1]
    prev = torch.where(blk > 0, bcdf.gather(1, (blk - 1).clamp(min=0)), torch.zeros_like(target))
    idx = blk * block + torch.arange(block, device=probs.device)[None]  # [R, block]
    w = probs.gather(1, idx.clamp(max=v - 1)).masked_fill_(idx >= v, 0.0)
    inner = w.cumsum(-1)
    rem = torch.minimum(target - prev, inner[:, -1:] * shrink)
    j = torch.searchsorted(inner, rem, right=True).clamp_(max=block - 1)
    return (blk * block + j).squeeze(-1)


def sample_next(logits: Tensor, temperature: float, top_k: int = 0, top_p: float = 1.0,
                generator: Optional[torch.Generator] = None, inplace: bool = False, scaled: bool = False) -> tuple:
    """(tokens [R], logprobs [R]) from logits [R, V] (fp32).

    `scaled`: the logits are already divided by the temperature (generate folds 1/T into the hidden state, which
    is [R, D] instead of [R, V]). `inplace`: the logits buffer may be overwritten. The log-prob of the drawn token
    is log(e_tok / sum e), e = exp(z - max z), over the unfiltered distribution: a few passes over [R, V] instead
    of log_softmax + exp + div, which dominated a decode step at V = 151,936.
    """
    if temperature == 0:
        tok = logits.argmax(-1)
        return tok, logits.gather(-1, tok[:, None]).squeeze(-1) - torch.logsumexp(logits, -1)
    z = logits if inplace else logits.clone()
    if not scaled and temperature != 1:
        z.div_(temperature)
    removed = filter_logits(z, top_k, top_p)
    e = z.sub_(z.amax(-1, keepdim=True)).exp_()
    total = e.sum(-1)  # unfiltered mass: the log-prob is that of the tempered distribution, as TRL stores it
    if removed is not None:
        e.masked_fill_(removed, 0.0)
    tok = inverse_cdf_sample(e, generator)
    return tok, e.gather(-1, tok[:, None]).squeeze(-1).log() - total.log()


def _check(model: DecoderLM, prompts, n, max_new_tokens, temperature, top_p, top_k, stop_token_ids):
    v = model.config.vocab_size
    if not isinstance(prompts, (list, tuple)) or not prompts:
        raise SamplingError("prompts must be a non-empty list of token-id lists")
    for i, p in enumerate(prompts):
        if not len(p):
            raise SamplingError(f"prompts[{i}] is empty; every prompt needs at least one token")
        bad = [t for t in p if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < v]
        if bad:
            raise SamplingError(f"prompts[{i}] holds token id {bad[0]!r} outside the vocabulary [0, {v}); "
                                "was the prompt tokenized with this model's tokenizer?")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise SamplingError(f"n must be a positive integer, got {n!r}")
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 0:
        raise SamplingError(f"max_new_tokens must be a non-negative integer, got {max_new_tokens!r}")
    if not isinstance(temperature, (int, float)) or temperature < 0:
        raise SamplingError(f"temperature must be >= 0 (0 = greedy), got {temperature!r}")
    if not isinstance(top_p, (int, float)) or not 0 < top_p <= 1:
        raise SamplingError(f"top_p must be in (0, 1], got {top_p!r}")
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0:
        raise SamplingError(f"top_k must be a non-negative integer (0 = off), got {top_k!r}")
    bad = [t for t in stop_token_ids if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < v]
    if bad:
        raise SamplingError(f"stop_token_ids holds {bad[0]!r}, outside the vocabulary [0, {v})")


@torch.no_grad()
def generate(model: DecoderLM, prompts: Sequence[Sequence[int]], n: int, max_new_tokens: int,
             temperature: float = 1.0, top_p: float = 1.0, top_k: int = 0, stop_token_ids: Sequence[int] = (),
             seed: Optional[int] = None, pad_id: int = 0, share_prefix: bool = True) -> List[Dict]:
    """Sample n completions per prompt. Returns len(prompts) * n dicts, prompt-major:
    `{"prompt_index", "ids", "logprobs", "finish_reason"}`; a completion that ends with a stop token includes it
    (finish_reason "stop"), one that runs out of budget has finish_reason "length"."""
    stop_token_ids = list(stop_token_ids)
    _check(model, prompts, n, max_new_tokens, temperature, top_p, top_k, stop_token_ids)
    device = model.device
    b, rows = len(prompts), len(prompts) * n
    results = [{"prompt_index": r // n, "ids": [], "logprobs": [], "finish_reason": "length"} for r in range(rows)]
    if max_new_tokens == 0:
        return results
    gen = None
    if seed is not None:
        gen = torch.Generator(device=device)
        gen.manual_seed(int(seed))
    stops = torch.tensor(stop_token_ids or [-1], dtype=torch.long, device=device)

    # ---- prefill: each prompt once (a prefix common to all prompts once for the batch) --------------------------
    last_hidden, cache, pmask, real_len = prefill(model, prompts, pad_id, share_prefix)
    p = pmask.shape[1]
    # 1/T is applied to the hidden state ([R, D]) rather than to the logits ([R, V]): the head is linear.
    inv_t = 1.0 / temperature if temperature > 0 else 1.0
    head_w = model.head_weight.t()
    # One logits buffer for the whole generation: [R, V] fp32 is 39 MB at R = 64, V = 151,936, and fresh
    # allocations of that size are page-faulted in at every step.
    logits_buf = torch.empty((rows, model.config.vocab_size), dtype=torch.float32, device=device)

    def head_logits(h: Tensor) -> Tensor:
        out = logits_buf[:h.shape[0]]
        if h.dtype == torch.float32:
            return torch.mm(h * inv_t, head_w, out=out)
        return out.copy_(torch.mm(h * inv_t, head_w))

    logits = head_logits(last_hidden.repeat_interleave(n, 0))
    cache = cache.repeat_interleave(n).reserve(p + max_new_tokens)
    mask = torch.zeros((rows, p + max_new_tokens), dtype=torch.long, device=device)
    mask[:, :p] = pmask.repeat_interleave(n, 0)
    next_pos = real_len.repeat_interleave(n)  # position id of the next token = real tokens so far

    # ---- decode -----------------------------------------------------------------------------------------------------
    row_of = torch.arange(rows, device=device)  # original row of each current batch row
    alive = torch.ones(rows, dtype=torch.bool, device=device)
    out_tok = torch.zeros((rows, max_new_tokens), dtype=torch.long, device=device)
    out_lp = torch.zeros((rows, max_new_tokens), dtype=torch.float32, device=device)
    lengths = torch.zeros(rows, dtype=torch.long, device=device)
    stopped = torch.zeros(rows, dtype=torch.bool, device=device)
    for step in range(max_new_tokens):
        tok, lp = sample_next(logits, temperature, top_k, top_p, gen, inplace=True, scaled=True)
        live_rows = row_of[alive]
        out_tok[live_rows, step] = tok[alive]
        out_lp[live_rows, step] = lp[alive].float()
        lengths[live_rows] += 1
        hit = alive & torch.isin(tok, stops)
        stopped[row_of[hit]] = True
        alive &= ~hit
        n_alive = int(alive.sum())
        if n_alive == 0 or step == max_new_tokens - 1:
            break
        if n_alive <= COMPACT_BELOW * alive.numel():
            keep = alive.nonzero().squeeze(-1)
            cache = cache.select(keep)
            row_of, tok, mask, next_pos = row_of[keep], tok[keep], mask[keep], next_pos[keep]
            alive = torch.ones(len(keep), dtype=torch.bool, device=device)
        col = p + step
        mask[:, col] = 1
        hidden, cache = model.forward_hidden(tok[:, None], next_pos[:, None], mask[:, :col + 1], past=cache,
                                             use_cache=True)
        next_pos = next_pos + 1
        logits = head_logits(hidden[:, 0])

    toks, lps, lens, stp = out_tok.tolist(), out_lp.tolist(), lengths.tolist(), stopped.tolist()
    for r in range(rows):
        results[r]["ids"] = toks[r][:lens[r]]
        results[r]["logprobs"] = lps[r][:lens[r]]
        results[r]["finish_reason"] = "stop" if stp[r] else "length"
    return results
