"""Learning-rate schedules against their formulas; AdamW with clipping and the decay split."""
import math

import pytest
import torch

from tooltune_engine.optim import Optimizer, schedule_factor
from tooltune_engine.protocol import OptimizerConfig, ParamError, parse_optimizer


def cfg(**kw):
    base = dict(lr=1.0, schedule='constant', warmup_steps=0, total_steps=10)
    base.update(kw)
    return OptimizerConfig(**base)


def test_warmup_is_linear_for_every_schedule():
    for s in ('constant', 'linear', 'cosine', 'cosine_with_restarts', 'exponential'):
        c = cfg(schedule=s, warmup_steps=4, gamma=0.5)
        assert [schedule_factor(c, k) for k in range(4)] == [0.0, 0.25, 0.5, 0.75]
        assert schedule_factor(c, 4) == pytest.approx(1.0)


@pytest.mark.parametrize('step', range(0, 13))
def test_schedules_match_formulas(step):
    w, s = 2, 10
    if step < w:
        return
    p = (step - w) / (s - w)
    assert schedule_factor(cfg(schedule='constant', warmup_steps=w), step) == 1.0
    assert schedule_factor(cfg(schedule='linear', warmup_steps=w), step) == pytest.approx(max(0.0, 1 - p))
    assert schedule_factor(cfg(schedule='cosine', warmup_steps=w), step) == pytest.approx(
        max(0.0, 0.5 * (1 + math.cos(math.pi * p))))
    restarts = 0.0 if p >= 1 else 0.5 * (1 + math.cos(math.pi * ((3 * p) % 1.0)))
    assert schedule_factor(cfg(schedule='cosine_with_restarts', warmup_steps=w, num_cycles=3), step) == \
        pytest.approx(restarts)
    assert schedule_factor(cfg(schedule='exponential', warmup_steps=w, gamma=0.9), step) == pytest.approx(
        0.9 ** (step - w))


def test_cosine_with_restarts_restarts():
    c = cfg(schedule='cosine_with_restarts', total_steps=8, num_cycles=2)
    f = [schedule_factor(c, k) for k in range(8)]
    assert f[0] == 1.0 and f[4] == 1.0  # a new cycle starts at the top
    assert f[3] < f[2] < f[1] < 1.0


def test_optimizer_step_uses_scheduled_lr_and_counts_steps():
    w = torch.nn.Parameter(torch.ones(2, 2))
    b = torch.nn.Parameter(torch.ones(2))
    opt = Optimizer([w, b], cfg(lr=0.1, schedule='linear', warmup_steps=1, total_steps=3, weight_decay=0.5))
    assert opt.torch.param_groups[0]['weight_decay'] == 0.5 and opt.torch.param_groups[1]['weight_decay'] == 0.0
    lrs = []
    for _ in range(3):
        (w.sum() + b.sum()).backward()
        opt.clip()
        lrs.append(opt.step())
        opt.zero_grad()
    assert lrs == pytest.approx([0.0, 0.1, 0.05])
    assert opt.step_count == 3


def test_adamw_update_matches_the_closed_form_first_step():
    # First AdamW step: p <- p * (1 - lr*wd) - lr * g / (|g| + eps) (bias-corrected moments = g, g^2).
    p = torch.nn.Parameter(torch.tensor([[1.0, -2.0]]))
    opt = Optimizer([p], cfg(lr=0.01, weight_decay=0.1, max_grad_norm=0.0))
    p.grad = torch.tensor([[0.5, -0.25]])
    opt.step()
    exp = torch.tensor([[1.0, -2.0]]) * (1 - 0.001) - 0.01 * torch.tensor([[1.0, -1.0]])
    assert torch.allclose(p.detach(), exp, atol=1e-6)


def test_grad_clipping_returns_the_norm_before_clipping():
    p = torch.nn.Parameter(torch.zeros(2))
    opt = Optimizer([p], cfg(max_grad_norm=1.0))
    p.grad = torch.tensor([3.0, 4.0])
    assert opt.clip() == pytest.approx(5.0)
    assert p.grad.norm().item() == pytest.approx(1.0, abs=1e-5)


def test_parse_optimizer_names_bad_fields():
    with pytest.raises(ParamError, match='params.schedule'):
        parse_optimizer({'lr': 1e-3, 'schedule': 'step'})
    with pytest.raises(ParamError, match='params.betas'):
        parse_optimizer({'lr': 1e-3, 'betas': [0.9]})
    with pytest.raises(ParamError, match='params.gamma'):
        parse_optimizer({'lr': 1e-3, 'schedule': 'exponential', 'gamma': 1.5})
    with pytest.raises(ParamError, match='params.lr'):
        parse_optimizer({})
