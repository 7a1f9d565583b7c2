"""train_step / sft_step: the update equals TRL's batch formula, micro-batching equals one batch, zero-advantage
sequences are skipped without changing the result."""
import copy

import pytest
import torch

from conftest import make_tiny_model, naive_logprobs
from tooltune_engine.logprobs import batched_completion_logprobs
from tooltune_engine.losses import padded_batch_loss
from tooltune_engine.optim import Optimizer
from tooltune_engine.protocol import LossConfig, OptimizerConfig, SftExample, TrainSequence
from tooltune_engine.trainer import (Group, TrainInputError, group_by_prompt, plan_micro_batches, sft_step,
                                     train_step)


def naive_batched(model, prompts, comps, temperature=1.0, with_entropy=False):
    lps, ents = [], []
    for p, cs in zip(prompts, comps):
        a, b = naive_logprobs(model, p, cs, temperature, with_entropy)
        lps += a
        ents += b or []
    return lps, (ents if with_entropy else None)


def batch():
    """Two groups of three; one zero advantage per group, one truncated, old log-probs on one sequence."""
    p0, p1 = [3, 4, 5, 6], [7, 8]
    return [
        TrainSequence(p0, [10, 11, 12], 1.0, group=0),
        TrainSequence(p0, [13, 14], -0.5, old_logprobs=[-4.0, -4.3], group=0),
        TrainSequence(p0, [15, 16, 17, 18], 0.0, group=0),
        TrainSequence(p1, [20, 21, 22, 23, 24], 0.8, truncated=True, group=1),
        TrainSequence(p1, [25], -1.2, group=1),
        TrainSequence(p1, [26, 27], 0.0, group=1),
    ]


OPT = OptimizerConfig(lr=0.05, weight_decay=0.01, max_grad_norm=1.0)


def manual_update(model, seqs, cfg: LossConfig):
    """TRL's formula on padded tensors, every sequence included (nothing skipped), plus the same optimiser."""
    T = max(len(s.completion_ids) for s in seqs)
    lps = []
    for s in seqs:
        lp, _ = naive_logprobs(model, s.prompt_ids, [s.completion_ids], cfg.temperature)
        lps.append(lp[0])
    pad = lambda xs: torch.stack([torch.cat([x, x.new_zeros(T - len(x))]) for x in xs])  # noqa: E731
    logp = pad(lps)
    old = pad([torch.tensor(s.old_logprobs) if s.old_logprobs else lp.detach() for s, lp in zip(seqs, lps)])
    mask = pad([torch.ones(len(s.completion_ids)) for s in seqs])
    items = int(mask.sum())
    if cfg.mask_truncated_completions:
        for i, s in enumerate(seqs):
            if s.truncated:
                mask[i] = 0
    ref = None
    if cfg.beta > 0:
        ref = logp.detach().clone()  # the reference is the starting policy
    loss = padded_batch_loss(logp, mask, torch.tensor([s.advantage for s in seqs]), cfg, old_logp=old,
                             ref_logp=ref, num_items_in_batch=items)
    opt = Optimizer(model.parameters(), OPT)
    loss.backward()
    opt.clip()
    opt.step()
    return float(loss)


def reference_for(model):
    frozen = copy.deepcopy(model)

    def ref(prompts, comps, temperature):
        with torch.no_grad():
            return naive_batched(frozen, prompts, comps, temperature)[0]
    return ref


@pytest.mark.parametrize('loss_type', ['grpo', 'bnpo', 'dr_grpo', 'dapo'])
@pytest.mark.parametrize('masked', [False, True])
def test_update_equals_trl_batch_formula(loss_type, masked):
    cfg = LossConfig(loss_type=loss_type, epsilon_low=0.2, epsilon_high=0.28, max_completion_length=6,
                     mask_truncated_completions=masked, temperature=0.9)
    a, _ = make_tiny_model(seed=1)
    b = copy.deepcopy(a)
    out = train_step(a, Optimizer(a.parameters(), OPT), batch(), cfg, naive_batched)
    expected_loss = manual_update(b, batch(), cfg)
    assert out.loss == pytest.approx(expected_loss, abs=1e-6)
    assert out.skipped_sequences == (3 if masked else 2)
    for (n, pa), pb in zip(a.named_parameters(), b.parameters()):
        assert torch.allclose(pa, pb, atol=1e-6), n


def test_kl_term_matches_formula_and_keeps_zero_advantage_sequences():
    cfg = LossConfig(loss_type='dapo', beta=0.1, max_completion_length=6, temperature=1.0)
    a, _ = make_tiny_model(seed=2)
    b = copy.deepcopy(a)
    out = train_step(a, Optimizer(a.parameters(), OPT), batch(), cfg, naive_batched, reference=reference_for(a))
    manual_update(b, batch(), cfg)
    assert out.skipped_sequences == 0  # beta > 0: zero-advantage sequences still carry a KL gradient
    assert out.kl == pytest.approx(0.0, abs=1e-7)  # policy == reference at the first step
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.allclose(pa, pb, atol=1e-6)


@pytest.mark.parametrize('budget', [1, 9, 14])
def test_micro_batching_gives_the_same_update_as_one_batch(budget):
    cfg = LossConfig(loss_type='grpo', max_completion_length=6)
    a, _ = make_tiny_model(seed=3)
    b = copy.deepcopy(a)
    opt_a, opt_b = Optimizer(a.parameters(), OPT), Optimizer(b.parameters(), OPT)
    grads_a, grads_b = _record_grads(opt_a), _record_grads(opt_b)
    big = train_step(a, opt_a, batch(), cfg, batched_completion_logprobs, micro_batch_tokens=100000)
    calls = []
    small = train_step(b, opt_b, batch(), cfg, batched_completion_logprobs,
                       micro_batch_tokens=budget, progress=lambda d, t: calls.append((d, t)))
    assert len(calls) > 1 and calls[-1][0] == calls[-1][1]
    assert small.loss == pytest.approx(big.loss, abs=1e-6)
    assert small.grad_norm == pytest.approx(big.grad_norm, rel=1e-5)
    # The accumulated gradient is what micro-batching must preserve. (Weights after AdamW's first step are not a
    # fair check: it moves every weight by about ±lr whatever |g|, so a component whose gradient is rounding noise
    # flips sign between summation orders — seen on torch 2.11, where this compared weights and failed at budget 1.)
    assert len(grads_a) == len(grads_b) == len(list(a.parameters()))
    for ga, gb in zip(grads_a, grads_b):
        assert torch.allclose(ga, gb, atol=1e-7, rtol=1e-4)


def _record_grads(opt: Optimizer) -> list:
    """Snapshot the (clipped) gradients each time `opt.step()` runs."""
    seen: list = []
    step = opt.step

    def recording_step():
        seen.extend(p.grad.detach().clone() for p in opt.params)
        return step()
    opt.step = recording_step
    return seen


def test_shared_prefix_logprobs_give_the_same_update_as_naive():
    cfg = LossConfig(loss_type='dapo', max_completion_length=6)
    a, _ = make_tiny_model(seed=4)
    b = copy.deepcopy(a)
    fast = train_step(a, Optimizer(a.parameters(), OPT), batch(), cfg, batched_completion_logprobs)
    slow = train_step(b, Optimizer(b.parameters(), OPT), batch(), cfg, naive_batched)
    assert fast.loss == pytest.approx(slow.loss, abs=1e-6)
    assert fast.entropy == pytest.approx(slow.entropy, rel=1e-5)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.allclose(pa, pb, atol=1e-6)


def test_metrics_count_tokens_and_clipping():
    cfg = LossConfig(loss_type='dapo', epsilon_low=0.2, epsilon_high=0.2, max_completion_length=6)
    m, _ = make_tiny_model(seed=5)
    seqs = [TrainSequence([3, 4], [5, 6], 1.0, old_logprobs=[-20.0, -20.0]),   # ratio huge, A > 0: high-clipped
            TrainSequence([3, 4], [7, 8], -1.0, old_logprobs=[0.0, 0.0]),      # ratio tiny, A < 0: low-clipped
            TrainSequence([3, 4], [9, 10], 0.0)]                               # skipped, counted in tokens
    out = train_step(m, Optimizer(m.parameters(), OPT), seqs, cfg, naive_batched)
    assert out.num_tokens == 6 and out.skipped_sequences == 1
    assert out.clip_ratio == pytest.approx({'low_mean': 2 / 6, 'high_mean': 2 / 6, 'region_mean': 4 / 6})
    assert out.kl is None and out.entropy > 0 and out.learning_rate == pytest.approx(0.05)


def test_all_zero_advantages_still_make_an_adamw_step_with_zero_gradient():
    m, _ = make_tiny_model(seed=6)
    before = [p.detach().clone() for p in m.parameters()]
    opt = Optimizer(m.parameters(), OptimizerConfig(lr=0.1, weight_decay=0.5))
    out = train_step(m, opt, [TrainSequence([3], [4, 5], 0.0)], LossConfig(), naive_batched)
    assert out.skipped_sequences == 1 and out.loss == 0.0 and out.grad_norm == 0.0
    assert opt.step_count == 1
    # Weight decay still shrinks the matrices, exactly as a zero-gradient AdamW step does.
    emb = [p for p in m.parameters() if p.dim() >= 2][0]
    assert torch.allclose(emb, before[0] * (1 - 0.1 * 0.5), atol=1e-7)


def test_groups_must_share_one_prompt():
    with pytest.raises(TrainInputError, match=r'sequences\[1\] has group 0'):
        group_by_prompt([[1, 2], [1, 3]], [0, 0])
    groups = group_by_prompt([[1, 2], [1, 3], [1, 2]], [None, None, None])
    assert [g.indices for g in groups] == [[0, 2], [1]]


def test_plan_splits_large_groups_and_packs_small_ones():
    lengths = [3, 3, 3, 1, 1]
    groups = [Group([0, 0], [0, 1, 2]), Group([0], [3, 4])]
    plan = plan_micro_batches(groups, lengths, budget=8)
    # group 0: 2 + 3 + 3 = 8 fits, the third completion starts a new chunk (2 + 3 = 5); group 1 (1 + 2 = 3) packs
    assert [[c.indices for c in b] for b in plan] == [[[0, 1]], [[2], [3, 4]]]
    assert all(sum(c.tokens(lengths) for c in b) <= 8 for b in plan)


def test_plan_counts_a_shared_prompt_prefix_once():
    # 6 rows whose prompts share a 100-token prefix (as every row of one dataset shares its tools block): counted
    # naively they need 6 × 103 = 618 tokens; with the prefix counted once, 100 + 6 × 3 = 118 fit a budget of 200.
    prefix = list(range(100))
    groups = [Group(prefix + [500 + i], [i]) for i in range(6)]
    lengths = [2] * 6
    assert [[c.indices for c in b] for b in plan_micro_batches(groups, lengths, budget=200)] == [[[i] for i in range(6)]]
    # a prompt with another prefix does not share it: it starts its own micro-batch
    groups.append(Group([9] * 101, [6]))
    lengths.append(2)
    assert len(plan_micro_batches(groups, lengths, budget=200)) == 2


def test_sft_step_is_token_mean_cross_entropy_on_targets():
    m, _ = make_tiny_model(seed=7)
    ex = [SftExample([3, 4, 5], [6, 7]), SftExample([8], [9, 10, 11])]
    with torch.no_grad():
        lps = naive_batched(m, [e.prompt_ids for e in ex], [[e.target_ids] for e in ex])[0]
    expected = -float(torch.cat(lps).mean())
    out = sft_step(m, Optimizer(m.parameters(), OptimizerConfig(lr=0.01)), ex, batched_completion_logprobs,
                   micro_batch_tokens=4)
    assert out.loss == pytest.approx(expected, abs=1e-5) and out.num_tokens == 5
    with torch.no_grad():
        after = -float(torch.cat(naive_batched(m, [e.prompt_ids for e in ex], [[e.target_ids] for e in ex])[0]).mean())
    assert after < expected  # one step on the same data lowers its loss


def test_evaluate_logprobs_matches_naive_and_respects_disable_adapter(tmp_path):
    from conftest import TINY_CONFIG
    from tooltune_engine.server import Session, call
    s = Session(notify=lambda m, p: None)
    call(s, 'initialize', {'protocol_version': 1, 'device': 'cpu', 'num_threads': 1})
    call(s, 'init_model', {'config': dict(TINY_CONFIG), 'out': str(tmp_path / 'm'),
                           'lora': {'r': 2, 'alpha': 4, 'dropout': 0.0, 'target_modules': ['q_proj', 'v_proj']}})
    seqs = [{'prompt_ids': [3, 4], 'completion_ids': [5, 6, 7]}, {'prompt_ids': [8], 'completion_ids': [9]},
            {'prompt_ids': [3, 4], 'completion_ids': [10]}]
    base = call(s, 'evaluate_logprobs', {'sequences': seqs, 'temperature': 0.5})['logprobs']
    with torch.no_grad():
        want = [naive_logprobs(s.model, q['prompt_ids'], [q['completion_ids']], 0.5)[0][0].tolist() for q in seqs]
    for got, exp in zip(base, want):
        assert got == pytest.approx(exp, abs=1e-5)
    # Train the adapter a little: the policy moves, the LoRA-disabled base does not.
    call(s, 'configure_optimizer', {'lr': 0.05})
    for _ in range(2):
        call(s, 'train_step', {'sequences': [{**q, 'advantage': a} for q, a in zip(seqs, [1.0, -1.0, 0.5])],
                               'loss': {'loss_type': 'grpo', 'temperature': 0.5}})
    moved = call(s, 'evaluate_logprobs', {'sequences': seqs, 'temperature': 0.5})['logprobs']
    off = call(s, 'evaluate_logprobs', {'sequences': seqs, 'temperature': 0.5, 'disable_adapter': True})['logprobs']
    assert moved[0] != pytest.approx(base[0], abs=1e-4)
    for got, exp in zip(off, base):
        assert got == pytest.approx(exp, abs=1e-6)
