"""AdamW, gradient clipping and learning-rate schedules; one schedule step per train_step / sft_step.

Schedules follow the formulas of transformers' `get_scheduler` (what TRL users know), with a linear warm-up in
front of each, plus exponential decay (ToolExpander, arXiv 2510.07737, damps the oscillations of weak models):
    warm-up (step < W):       f = step / W                (f = 1 when W = 0)
    p = (step - W) / max(1, S - W)
    constant                  f = 1
    linear                    f = max(0, 1 - p)
    cosine                    f = max(0, 0.5 * (1 + cos(pi * p)))
    cosine_with_restarts      f = 0 when p >= 1, else max(0, 0.5 * (1 + cos(pi * ((num_cycles * p) % 1))))
    exponential               f = gamma ** (step - W)
lr(step) = lr0 * f(step), where `step` counts the updates already made (the first update uses step 0).
"""
from __future__ import annotations

import math
from typing import Iterable, List

import torch

from .protocol import OptimizerConfig


def schedule_factor(cfg: OptimizerConfig, step: int) -> float:
    w, s = cfg.warmup_steps, cfg.total_steps
    if step < w:
        return step / w
    p = (step - w) / max(1, s - w)
    if cfg.schedule == 'constant':
        return 1.0
    if cfg.schedule == 'linear':
        return max(0.0, 1.0 - p)
    if cfg.schedule == 'cosine':
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * p)))
    if cfg.schedule == 'cosine_with_restarts':
        if p >= 1.0:
            return 0.0
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((cfg.num_cycles * p) % 1.0))))
    if cfg.schedule == 'exponential':
        return cfg.gamma ** (step - w)
    raise ValueError(f'unknown schedule {cfg.schedule!r}')


class Optimizer:
    """torch AdamW over the trainable parameters plus the schedule and the update counter.

    Weight decay goes to matrices only (dim >= 2), not to biases and norm weights — the usual transformers split."""

    def __init__(self, params: Iterable[torch.nn.Parameter], cfg: OptimizerConfig):
        self.cfg = cfg
        self.params: List[torch.nn.Parameter] = [p for p in params if p.requires_grad]
        if not self.params:
            raise ValueError('the model has no trainable parameters (LoRA target_modules matched nothing?)')
        decay = [p for p in self.params if p.dim() >= 2]
        no_decay = [p for p in self.params if p.dim() < 2]
        groups = [{'params': decay, 'weight_decay': cfg.weight_decay}]
        if no_decay:
            groups.append({'params': no_decay, 'weight_decay': 0.0})
        self.torch = torch.optim.AdamW(groups, lr=cfg.lr, betas=tuple(cfg.betas), eps=cfg.eps)
        self.step_count = 0

    def current_lr(self) -> float:
        return self.cfg.lr * schedule_factor(self.cfg, self.step_count)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def clip(self) -> float:
        """Clip the gradient norm to max_grad_norm (0 = no clipping) and return the norm before clipping."""
        grads = [p.grad for p in self.params if p.grad is not None]
        if not grads:
            return 0.0
        if self.cfg.max_grad_norm > 0:
            return float(torch.nn.utils.clip_grad_norm_(self.params, self.cfg.max_grad_norm))
        return float(torch.norm(torch.stack([torch.norm(g.detach().float()) for g in grads])))

    def step(self) -> float:
        """Apply one update at the scheduled learning rate; return that learning rate."""
        lr = self.current_lr()
        for g in self.torch.param_groups:
            g['lr'] = lr
        self.torch.step()
        self.step_count += 1
        return lr

    def state_dict(self) -> dict:
        return {'step_count': self.step_count, 'torch': self.torch.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.step_count = int(state['step_count'])
        self.torch.load_state_dict(state['torch'])
