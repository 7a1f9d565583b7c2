"""Each loss type against a hand-computed example; clipping and KL against their formulas."""
import math

import pytest
import torch

from tooltune_engine.losses import (Normaliser, StepStats, build_normaliser, clip_flags, k3_kl, padded_batch_loss,
                                    token_terms)
from tooltune_engine.protocol import LossConfig

L = math.log


def example():
    """Three completions (see the comments for the per-token losses, eps 0.2/0.2):
    A: ratios [2, 1], adv +1  -> -min(2, 1.2) = -1.2 ; -1           (token 0 high-clipped)
    B: ratio 0.5, adv -2      -> -min(-1, 0.8 * -2) = 1.6           (low-clipped)
    C: ratios 1, adv +1, truncated -> -1, -1, -1
    """
    logp = [[L(0.5), L(0.25), 0, 0], [L(0.1), 0, 0, 0], [L(0.3), L(0.3), L(0.3), 0]]
    old = [[L(0.25), L(0.25), 0, 0], [L(0.2), 0, 0, 0], [L(0.3), L(0.3), L(0.3), 0]]
    mask = [[1, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 0]]
    return torch.tensor(logp), torch.tensor(old), torch.tensor(mask), torch.tensor([1.0, -2.0, 1.0])


# Hand-computed: sums A -2.2, B 1.6, C -3; 6 tokens; max_completion_length 4.
CASES = [
    # loss_type, mask_truncated, expected
    ('grpo', False, (-1.1 + 1.6 - 1.0) / 3),     # mean of per-sequence means
    ('bnpo', False, -3.6 / 6),                   # token mean
    ('dr_grpo', False, -3.6 / (3 * 4)),          # sum / (B * max_completion_length)
    ('dapo', False, -3.6 / 6),                   # sum / global tokens
    ('grpo', True, (-1.1 + 1.6 + 0.0) / 3),      # C masked, still counted as a sequence
    ('bnpo', True, -0.6 / 3),                    # C's tokens leave the denominator
    ('dr_grpo', True, -0.6 / 12),                # batch size still 3
    ('dapo', True, -0.6 / 6),                    # num_items_in_batch counted BEFORE truncation masking (TRL)
]


@pytest.mark.parametrize('loss_type,masked,expected', CASES)
def test_padded_batch_loss_matches_hand_computation(loss_type, masked, expected):
    logp, old, mask, adv = example()
    cfg = LossConfig(loss_type=loss_type, epsilon_low=0.2, epsilon_high=0.2, max_completion_length=4,
                     mask_truncated_completions=masked)
    m = mask.clone()
    if masked:
        m[2] = 0
    got = padded_batch_loss(logp, m, adv, cfg, old_logp=old, num_items_in_batch=int(mask.sum()))
    assert float(got) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize('loss_type,masked,expected', CASES)
def test_per_sequence_weights_give_the_same_loss(loss_type, masked, expected):
    logp, old, mask, adv = example()
    cfg = LossConfig(loss_type=loss_type, epsilon_low=0.2, epsilon_high=0.2, max_completion_length=4,
                     mask_truncated_completions=masked)
    lengths = [int(x) for x in mask.sum(1)]
    norm = build_normaliser(cfg, lengths, [False, False, True])
    total = 0.0
    for i, n in enumerate(lengths):
        if masked and i == 2:
            continue
        t = token_terms(logp[i, :n], old[i, :n], float(adv[i]), 0.2, 0.2)
        total += float(t.loss.sum()) * norm.weight(n)
    assert total == pytest.approx(expected, abs=1e-6)


def test_asymmetric_clipping_uses_epsilon_high_above_and_epsilon_low_below():
    logp = torch.log(torch.tensor([0.9, 0.1]))
    old = torch.log(torch.tensor([0.5, 0.5]))      # ratios 1.8 and 0.2
    up = token_terms(logp, old, 1.0, epsilon_low=0.2, epsilon_high=0.28)
    assert up.loss.tolist() == pytest.approx([-1.28, -0.2])  # 1.8 clipped to 1.28; 0.2 unclipped for A > 0
    down = token_terms(logp, old, -1.0, epsilon_low=0.2, epsilon_high=0.28)
    assert down.loss.tolist() == pytest.approx([1.8, 0.8])   # A < 0: min(-1.8, -1.28) = -1.8; 0.2 -> 0.8
    low, high, region = clip_flags(up.coef, 1.0, 0.2, 0.28)
    assert high.tolist() == [True, False] and low.tolist() == [False, False] and region.tolist() == [True, False]
    low, high, region = clip_flags(down.coef, -1.0, 0.2, 0.28)
    assert low.tolist() == [False, True] and high.tolist() == [False, False]


def test_clipped_tokens_have_no_policy_gradient():
    logp = torch.log(torch.tensor([0.9])).requires_grad_(True)
    t = token_terms(logp, torch.log(torch.tensor([0.5])), 1.0, 0.2, 0.2)
    t.loss.sum().backward()
    assert float(logp.grad) == 0.0  # ratio 1.8 > 1.2 with A > 0: the clipped branch is constant


def test_detached_old_logprobs_give_the_vanilla_policy_gradient():
    # num_iterations 1: ratio == 1, d(loss)/d(logp) = -A per token.
    logp = torch.tensor([-1.0, -2.0], requires_grad=True)
    t = token_terms(logp, None, 0.7, 0.2, 0.2)
    assert t.loss.tolist() == pytest.approx([-0.7, -0.7])
    t.loss.sum().backward()
    assert logp.grad.tolist() == pytest.approx([-0.7, -0.7])


def test_k3_kl_matches_formula_and_is_added_with_beta():
    ref = torch.log(torch.tensor([0.5, 0.2]))
    logp = torch.log(torch.tensor([0.25, 0.2]))
    kl = k3_kl(ref, logp)
    assert kl.tolist() == pytest.approx([2 - math.log(2) - 1, 0.0], abs=1e-6)
    t = token_terms(logp, None, 1.0, 0.2, 0.2, beta=0.1, ref_logp=ref)
    assert t.loss.tolist() == pytest.approx([-1 + 0.1 * (1 - math.log(2)), -1.0], abs=1e-6)
    with pytest.raises(ValueError):
        token_terms(logp, None, 1.0, 0.2, 0.2, beta=0.1)


def test_step_stats_count_skipped_tokens_in_denominators():
    s = StepStats()
    cfg = LossConfig(epsilon_low=0.2, epsilon_high=0.2)
    t = token_terms(torch.log(torch.tensor([0.9, 0.5])), torch.log(torch.tensor([0.5, 0.5])), 1.0, 0.2, 0.2)
    s.add_sequence(t, torch.tensor([1.0, 3.0]), 1.0, cfg, True)
    s.add_skipped(2)
    assert s.tokens == 4 and s.high == 1 and s.entropy_sum == 4.0 and s.entropy_tokens == 2
    assert StepStats.from_lists(s.as_lists()) == s


def test_dapo_weight_scales_with_world_size():
    n = Normaliser('dapo', 2, 10, 40, 4, 8)
    assert n.weight(3) == pytest.approx(4 / 40)  # (sum / (40 / 4)), averaged over 4 ranks = sum / 40
