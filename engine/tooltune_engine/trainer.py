"""train_step (GRPO update) and sft_step (cross-entropy warm start), micro-batched by a token budget.

The unit of work is a *chunk*: one prompt and some of its completions. `completion_logprobs` runs the prompt once
(with gradient) and lets the chunk's completions share its KV cache, so a group of G samples costs one prompt pass,
not G (exact gradient: the prompt's activations feed every completion). Chunks are packed into micro-batches of at
most `micro_batch_tokens` tokens (prompt + completions); a group larger than the budget is split into several chunks
(each reruns the prompt, still exact). Every sequence's loss weight comes from whole-batch counts (losses.Normaliser),
so the micro-batch gradients add up to the gradient of the batch taken at once.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch

from .distributed import Comm, LocalComm
from .losses import StepStats, build_normaliser, token_terms
from .optim import Optimizer
from .protocol import LossConfig, SftExample, TrainSequence

# batched_completion_logprobs(model, prompts, completions_per_prompt, temperature=, with_entropy=)
#   -> (flat prompt-major list of logps [L], entropies | None)
LogprobFn = Callable[..., Tuple[List[torch.Tensor], Optional[List[torch.Tensor]]]]
# reference(prompts, completions_per_prompt, temperature) -> flat logps under the KL reference (no gradient)
ReferenceFn = Callable[[List[List[int]], List[List[List[int]]], float], List[torch.Tensor]]

DEFAULT_MICRO_BATCH_TOKENS = 8192


class TrainInputError(ValueError):
    """The sequences of a train_step are inconsistent (e.g. one group with two different prompts)."""


@dataclass
class Chunk:
    prompt_ids: List[int]
    indices: List[int]              # positions in the step's sequence list

    def tokens(self, lengths: Sequence[int]) -> int:
        return len(self.prompt_ids) + sum(lengths[i] for i in self.indices)


@dataclass
class Group:
    prompt_ids: List[int]
    indices: List[int] = field(default_factory=list)


def group_by_prompt(prompts: Sequence[List[int]], group_ids: Sequence[Optional[int]]) -> List[Group]:
    """Group sequences that share a prompt: by their `group` id when given (checked: one prompt per id), else by
    identical prompt ids. Order of first appearance is kept so results are deterministic."""
    groups: Dict[object, Group] = {}
    for i, (p, g) in enumerate(zip(prompts, group_ids)):
        key = ('g', g) if g is not None else ('p', tuple(p))
        grp = groups.get(key)
        if grp is None:
            groups[key] = grp = Group(list(p))
        elif g is not None and grp.prompt_ids != list(p):
            raise TrainInputError(f'sequences[{i}] has group {g} but a different prompt_ids than sequences['
                                  f'{grp.indices[0]}]; give each distinct prompt its own group id')
        grp.indices.append(i)
    return list(groups.values())


def plan_micro_batches(groups: Sequence[Group], lengths: Sequence[int], budget: int) -> List[List[Chunk]]:
    """Pack groups (split where a group alone exceeds the budget) into micro-batches of at most `budget` tokens
    (a prefix common to a micro-batch's prompts counted once).
    A single prompt + completion longer than the budget still forms its own micro-batch (it cannot be split)."""
    chunks: List[Chunk] = []
    for g in groups:
        cur = Chunk(g.prompt_ids, [])
        for i in g.indices:
            if cur.indices and cur.tokens(lengths) + lengths[i] > budget:
                chunks.append(cur)
                cur = Chunk(g.prompt_ids, [])
            cur.indices.append(i)
        if cur.indices:
            chunks.append(cur)
    # A prefix common to every prompt of a micro-batch (the tools block of a system turn) is run once by the log-prob
    # pass (logprobs.batched_completion_logprobs shares it), so it counts once against the budget: rows of one dataset
    # that share a 1,500-token tools prompt then pack many to a micro-batch instead of five.
    batches: List[List[Chunk]] = []
    raw = 0          # tokens of the current micro-batch counted without sharing
    shared = 0       # length of the prefix common to all its prompts
    for c in chunks:
        t = c.tokens(lengths)
        if batches:
            lcp = min(shared, _common_prefix(batches[-1][0].prompt_ids, c.prompt_ids))
            n = len(batches[-1]) + 1
            if raw + t - (n - 1) * lcp <= budget:
                batches[-1].append(c)
                raw += t
                shared = lcp
                continue
        batches.append([c])
        raw, shared = t, len(c.prompt_ids)
    return batches


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _apply_update(optimizer: Optimizer, comm: Comm) -> Tuple[float, float]:
    """The end of every update (GRPO and SFT alike): explicit zero grads, the cross-rank average, clipping, one
    optimiser + schedule step. Returns (grad_norm before clipping, the learning rate used)."""
    _zero_missing_grads(optimizer.params)
    comm.average_grads(optimizer.params)
    grad_norm = optimizer.clip()
    lr = optimizer.step()
    optimizer.zero_grad()
    return grad_norm, lr


def _zero_missing_grads(params: Sequence[torch.nn.Parameter]) -> None:
    # A batch whose every sequence was skipped has loss 0 and gradient 0; the update must still be the one AdamW
    # makes with a zero gradient (moments decay, weight decay applies), as TRL's would. torch skips params whose
    # .grad is None, so make the zeros explicit.
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)


@dataclass
class TrainStepOutput:
    loss: float
    grad_norm: float
    learning_rate: float
    kl: Optional[float]
    entropy: float
    clip_ratio: Dict[str, float]
    num_tokens: int
    skipped_sequences: int
    seconds: float

    def to_json(self) -> dict:
        return dict(self.__dict__)


def train_step(model: torch.nn.Module, optimizer: Optimizer, sequences: Sequence[TrainSequence], cfg: LossConfig,
               logprob_fn: LogprobFn, reference: Optional[ReferenceFn] = None,
               micro_batch_tokens: Optional[int] = None, comm: Optional[Comm] = None,
               progress: Optional[Callable[[int, int], None]] = None) -> TrainStepOutput:
    """One GRPO update on `sequences` (this rank's shard of the batch)."""
    t0 = time.perf_counter()
    comm = comm or LocalComm()
    if cfg.beta > 0 and reference is None:
        raise ValueError('beta > 0 needs a reference policy')
    lengths = [len(s.completion_ids) for s in sequences]
    truncated = [bool(s.truncated) for s in sequences]
    active = [not (cfg.mask_truncated_completions and t) for t in truncated]
    global_items = int(comm.sum_floats([float(sum(lengths))])[0])
    norm = build_normaliser(cfg, lengths, truncated, global_items=global_items, world_size=comm.world_size)

    stats = StepStats()
    run: List[int] = []
    for i, s in enumerate(sequences):
        # Skip what contributes exactly nothing: zero advantage without KL, or a masked truncated completion.
        if not active[i] or (s.advantage == 0.0 and cfg.beta == 0.0):
            stats.add_skipped(lengths[i] if active[i] else 0)
        else:
            run.append(i)
    skipped = len(sequences) - len(run)
    groups = group_by_prompt([sequences[i].prompt_ids for i in run], [sequences[i].group for i in run])
    for g in groups:
        g.indices = [run[j] for j in g.indices]
    batches = plan_micro_batches(groups, lengths, micro_batch_tokens or DEFAULT_MICRO_BATCH_TOKENS)

    model.train()
    optimizer.zero_grad()
    total_loss = 0.0
    for bi, batch in enumerate(batches):
        # One forward for the whole micro-batch: each chunk's prompt runs once, its completions share the cache.
        prompts = [c.prompt_ids for c in batch]
        comps = [[sequences[i].completion_ids for i in c.indices] for c in batch]
        order = [i for c in batch for i in c.indices]
        logps, ents = logprob_fn(model, prompts, comps, temperature=cfg.temperature, with_entropy=True)
        refs = reference(prompts, comps, cfg.temperature) if cfg.beta > 0 else None
        mb_loss = None
        for k, i in enumerate(order):
            s = sequences[i]
            lp = logps[k].float()
            old = None if s.old_logprobs is None else torch.tensor(s.old_logprobs, dtype=lp.dtype, device=lp.device)
            ref = None if refs is None else refs[k].float().to(lp.device)
            terms = token_terms(lp, old, s.advantage, cfg.epsilon_low, cfg.epsilon_high, cfg.beta, ref)
            contrib = terms.loss.sum() * norm.weight(lengths[i])
            mb_loss = contrib if mb_loss is None else mb_loss + contrib
            stats.add_sequence(terms, None if ents is None else ents[k], s.advantage, cfg, True)
        if mb_loss is not None:
            mb_loss.backward()
            total_loss += float(mb_loss.detach())
        if progress is not None:
            progress(bi + 1, len(batches))

    grad_norm, lr = _apply_update(optimizer, comm)

    stats.loss = total_loss
    tot = StepStats.from_lists(comm.sum_floats(stats.as_lists()))
    denom = max(tot.tokens, 1)
    return TrainStepOutput(
        # DDP averages the ranks' gradients, so the loss those gradients belong to is the ranks' mean.
        loss=tot.loss / comm.world_size,
        grad_norm=grad_norm,
        learning_rate=lr,
        kl=(tot.kl_sum / denom) if cfg.beta > 0 else None,
        # Mean entropy over the tokens that were run (skipped sequences have no forward pass).
        entropy=tot.entropy_sum / max(tot.entropy_tokens, 1),
        clip_ratio={'low_mean': tot.low / denom, 'high_mean': tot.high / denom, 'region_mean': tot.region / denom},
        num_tokens=tot.tokens,
        skipped_sequences=int(comm.sum_floats([float(skipped)])[0]),
        seconds=time.perf_counter() - t0,
    )


@dataclass
class SftStepOutput:
    loss: float
    grad_norm: float
    learning_rate: float
    num_tokens: int
    seconds: float

    def to_json(self) -> dict:
        return dict(self.__dict__)


def sft_step(model: torch.nn.Module, optimizer: Optimizer, examples: Sequence[SftExample], logprob_fn: LogprobFn,
             micro_batch_tokens: Optional[int] = None, comm: Optional[Comm] = None,
             progress: Optional[Callable[[int, int], None]] = None) -> SftStepOutput:
    """One supervised update: cross-entropy on target tokens only, averaged over all target tokens of the batch
    (of all ranks), so long and short answers weigh by their tokens as in a plain causal-LM loss."""
    t0 = time.perf_counter()
    comm = comm or LocalComm()
    lengths = [len(e.target_ids) for e in examples]
    total = int(comm.sum_floats([float(sum(lengths))])[0])
    weight = comm.world_size / max(total, 1)
    groups = group_by_prompt([e.prompt_ids for e in examples], [None] * len(examples))
    batches = plan_micro_batches(groups, lengths, micro_batch_tokens or DEFAULT_MICRO_BATCH_TOKENS)
    model.train()
    optimizer.zero_grad()
    total_loss = 0.0
    for bi, batch in enumerate(batches):
        logps, _ = logprob_fn(model, [c.prompt_ids for c in batch],
                              [[examples[i].target_ids for i in c.indices] for c in batch],
                              temperature=1.0, with_entropy=False)
        mb_loss = None
        for lp in logps:
            contrib = -lp.float().sum() * weight
            mb_loss = contrib if mb_loss is None else mb_loss + contrib
        if mb_loss is not None:
            mb_loss.backward()
            total_loss += float(mb_loss.detach())
        if progress is not None:
            progress(bi + 1, len(batches))
    grad_norm, lr = _apply_update(optimizer, comm)
    loss = comm.sum_floats([total_loss])[0] / comm.world_size
    return SftStepOutput(loss=loss, grad_norm=grad_norm, learning_rate=lr, num_tokens=total,
                         seconds=time.perf_counter() - t0)
