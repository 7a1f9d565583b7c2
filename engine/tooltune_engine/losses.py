"""GRPO policy losses as TRL's GRPOTrainer defines them (PAPERS.md §4), per token and per batch.

Per token (all loss types):
    ratio  = exp(logp - old_logp)            old_logp = sampling-time log-probs, or logp.detach() (num_iterations 1)
    loss_t = -min(ratio * A, clamp(ratio, 1 - epsilon_low, 1 + epsilon_high) * A)  [+ beta * k3 KL]
    k3 KL  = exp(ref - logp) - (ref - logp) - 1                                    (Schulman's k3 estimator)

Per batch — how the token losses are averaged is the only difference between the loss types. With m_it the
completion mask (all ones, or all zeros for a truncated completion under mask_truncated_completions):
    grpo     mean over sequences of (sum_t m_it * loss_it / max(sum_t m_it, 1))
    bnpo     sum m * loss / max(sum m, 1)                   over the local (this rank's) batch
    dr_grpo  sum m * loss / (num_sequences * max_completion_length)
    dapo     sum m * loss / (num_items_in_batch / world_size), num_items_in_batch = completion tokens of the GLOBAL
             batch counted BEFORE truncation masking (TRL computes it from the unmasked completion lengths)
A train_step's `sequences` are the batch (TRL's generation batch, with one optimisation step per train_step).

Each loss is a weighted sum of per-sequence token sums, `sum_i w_i * sum_t m_it * loss_it`, so `Normaliser`
precomputes the weight w_i of every sequence from whole-batch counts. That is what makes micro-batching exact: a
micro-batch contributes `sum over its sequences`, and the micro-batch gradients add up to the one-batch gradient.
It is also why sequences with advantage exactly 0 may be skipped when beta == 0: their policy term is exactly
-min(r*0, clip(r)*0) = 0 with zero gradient, so leaving them out changes nothing, while they stay counted in the
normalisers (num_sequences for grpo/dr_grpo, tokens for bnpo/dapo) exactly as TRL counts them. With beta > 0 their
KL term has a gradient, so they are not skipped.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

import torch

from .protocol import LossConfig


def k3_kl(ref_logp: torch.Tensor, logp: torch.Tensor) -> torch.Tensor:
    """Per-token k3 estimate of KL(pi || ref): exp(ref - logp) - (ref - logp) - 1 (>= 0, unbiased)."""
    d = ref_logp - logp
    return torch.exp(d) - d - 1


@dataclass
class TokenTerms:
    loss: torch.Tensor              # [L] per-token loss (policy term + beta * kl)
    coef: torch.Tensor              # [L] importance ratio exp(logp - old_logp)
    kl: Optional[torch.Tensor]      # [L] k3 KL, when beta > 0


def token_terms(logp: torch.Tensor, old_logp: Optional[torch.Tensor], advantage: float, epsilon_low: float,
                epsilon_high: float, beta: float = 0.0, ref_logp: Optional[torch.Tensor] = None) -> TokenTerms:
    """PPO-clipped per-token loss of one completion (TRL's token-level importance sampling)."""
    old = logp.detach() if old_logp is None else old_logp
    coef_1 = torch.exp(logp - old)
    coef_2 = torch.clamp(coef_1, 1 - epsilon_low, 1 + epsilon_high)
    loss = -torch.min(coef_1 * advantage, coef_2 * advantage)
    kl = None
    if beta != 0.0:
        if ref_logp is None:
            raise ValueError('beta > 0 needs the reference log-probs')
        kl = k3_kl(ref_logp, logp)
        loss = loss + beta * kl
    return TokenTerms(loss, coef_1, kl)


def clip_flags(coef: torch.Tensor, advantage: float, epsilon_low: float, epsilon_high: float):
    """TRL's clip metrics: a token is low-clipped when its ratio is below 1 - eps_low AND the advantage is negative
    (the clip is active there), high-clipped when above 1 + eps_high with a positive advantage."""
    low = (coef < 1 - epsilon_low) & (advantage < 0)
    high = (coef > 1 + epsilon_high) & (advantage > 0)
    return low, high, low | high


@dataclass
class Normaliser:
    """Per-sequence weights of one batch. `lengths[i]` = completion length, `active[i]` = whether its tokens count
    (False = truncated and masked)."""
    loss_type: str
    num_sequences: int              # local batch, including skipped and masked sequences (TRL's .mean()/size(0))
    active_tokens: int              # local tokens with mask 1
    global_items: int               # global completion tokens before truncation masking (dapo)
    world_size: int
    max_completion_length: int

    def weight(self, active_length: int) -> float:
        """w_i such that the batch loss is sum_i w_i * sum_t m_it * loss_it."""
        t = self.loss_type
        if t == 'grpo':
            return 1.0 / (self.num_sequences * max(active_length, 1))
        if t == 'bnpo':
            return 1.0 / max(self.active_tokens, 1)
        if t == 'dr_grpo':
            return 1.0 / (self.num_sequences * self.max_completion_length)
        if t == 'dapo':
            return self.world_size / max(self.global_items, 1)
        raise ValueError(f'unknown loss_type {t!r}; one of grpo, bnpo, dr_grpo, dapo')


def build_normaliser(cfg: LossConfig, lengths: Sequence[int], truncated: Sequence[bool],
                     global_items: Optional[int] = None, world_size: int = 1) -> Normaliser:
    active = [n for n, tr in zip(lengths, truncated) if not (cfg.mask_truncated_completions and tr)]
    return Normaliser(cfg.loss_type, len(lengths), sum(active),
                      sum(lengths) if global_items is None else global_items, world_size, cfg.max_completion_length)


def padded_batch_loss(logp: torch.Tensor, mask: torch.Tensor, advantages: torch.Tensor, cfg: LossConfig,
                      old_logp: Optional[torch.Tensor] = None, ref_logp: Optional[torch.Tensor] = None,
                      num_items_in_batch: Optional[int] = None, world_size: int = 1) -> torch.Tensor:
    """The same losses written the way TRL writes them, on padded [B, T] tensors: the reference the per-sequence
    path (`token_terms` + `Normaliser`) is checked against. `mask` is the completion mask AFTER truncation masking;
    `num_items_in_batch` is the dapo count before it (default: mask.sum())."""
    old = logp.detach() if old_logp is None else old_logp
    coef_1 = torch.exp(logp - old)
    coef_2 = torch.clamp(coef_1, 1 - cfg.epsilon_low, 1 + cfg.epsilon_high)
    a = advantages.unsqueeze(1)
    ptl = -torch.min(coef_1 * a, coef_2 * a)
    if cfg.beta != 0.0:
        ptl = ptl + cfg.beta * k3_kl(ref_logp, logp)
    m = mask.to(ptl.dtype)
    if cfg.loss_type == 'grpo':
        return ((ptl * m).sum(-1) / m.sum(-1).clamp(min=1.0)).mean()
    if cfg.loss_type == 'bnpo':
        return (ptl * m).sum() / m.sum().clamp(min=1.0)
    if cfg.loss_type == 'dr_grpo':
        return (ptl * m).sum() / (ptl.size(0) * cfg.max_completion_length)
    if cfg.loss_type == 'dapo':
        items = float(m.sum()) if num_items_in_batch is None else float(num_items_in_batch)
        return (ptl * m).sum() / (items / world_size)
    raise ValueError(f'unknown loss_type {cfg.loss_type!r}')


@dataclass
class StepStats:
    """Running sums for one train_step's metrics; token means are over active tokens, as TRL's masked_batch_mean."""
    loss: float = 0.0
    tokens: int = 0                 # active tokens (denominator of the token means), skipped sequences included
    entropy_sum: float = 0.0
    entropy_tokens: int = 0         # tokens whose entropy was computed (skipped sequences have none)
    kl_sum: float = 0.0
    low: float = 0.0
    high: float = 0.0
    region: float = 0.0

    def add_sequence(self, terms: TokenTerms, entropy: Optional[torch.Tensor], advantage: float, cfg: LossConfig,
                     active: bool) -> None:
        if not active:
            return
        n = int(terms.coef.numel())
        self.tokens += n
        low, high, region = clip_flags(terms.coef.detach(), advantage, cfg.epsilon_low, cfg.epsilon_high)
        self.low += float(low.sum())
        self.high += float(high.sum())
        self.region += float(region.sum())
        if terms.kl is not None:
            self.kl_sum += float(terms.kl.detach().sum())
        if entropy is not None:
            self.entropy_sum += float(entropy.detach().sum())
            self.entropy_tokens += n

    def add_skipped(self, active_length: int) -> None:
        # A zero-advantage sequence is never clipped (both clip conditions need A != 0) and, since it is only
        # skipped when beta == 0, has no KL; it still counts in the token denominators.
        self.tokens += active_length

    def as_lists(self) -> List[float]:
        return [self.loss, float(self.tokens), self.entropy_sum, float(self.entropy_tokens), self.kl_sum,
                self.low, self.high, self.region]

    @classmethod
    def from_lists(cls, v: Sequence[float]) -> 'StepStats':
        return cls(v[0], int(v[1]), v[2], int(v[3]), v[4], v[5], v[6], v[7])
