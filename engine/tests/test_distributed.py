"""Two ranks under torchrun (gloo on CPU) end with the same weights as one process on the whole batch."""
import sys

import pytest
import torch

from conftest import TINY_CONFIG, EngineProcess
from tooltune_engine.model import load_model
from tooltune_engine.server import Session, call

PROMPTS = [[3, 4, 5], [6, 7], [8, 9, 10, 11], [12]]
LOSS = {'loss_type': 'grpo', 'epsilon_low': 0.2, 'epsilon_high': 0.28, 'beta': 0.0, 'max_completion_length': 5,
        'mask_truncated_completions': False, 'temperature': 1.0}
OPT = {'lr': 0.05, 'weight_decay': 0.01, 'schedule': 'linear', 'warmup_steps': 0, 'total_steps': 4}


def batch(step):
    """4 groups x 2 completions, so each rank gets two whole groups."""
    seqs = []
    for g, p in enumerate(PROMPTS):
        for j in range(2):
            comp = [(13 + 5 * g + 3 * j + step + k) % 60 + 2 for k in range(2 + (g + j) % 3)]
            seqs.append({'prompt_ids': p, 'completion_ids': comp, 'advantage': 1.0 if j == 0 else -1.0 + 0.25 * g,
                         'group': g})
    return seqs


def run(do, out):
    do('initialize', {'protocol_version': 1, 'device': 'cpu', 'num_threads': 1})
    do('init_model', {'config': dict(TINY_CONFIG), 'out': out + '-init', 'seed': 3})
    do('configure_optimizer', OPT)
    results = []
    for step, loss_type in enumerate(['grpo', 'dapo', 'dr_grpo']):
        results.append(do('train_step', {'sequences': batch(step), 'loss': {**LOSS, 'loss_type': loss_type},
                                         'micro_batch_tokens': 8}))
    results.append(do('sft_step', {'examples': [{'prompt_ids': p, 'target_ids': [20, 21, 1]} for p in PROMPTS]}))
    gen = do('generate', {'prompts': PROMPTS, 'n': 3, 'max_new_tokens': 4, 'seed': 7})
    do('save', {'path': out, 'kind': 'merged'})
    return results, gen


def test_two_gloo_ranks_match_one_process(tmp_path):
    one = Session(notify=lambda m, p: None)
    single, _ = run(lambda m, p: call(one, m, p), str(tmp_path / 'single'))

    # `--redirects 1:2 --tee 1:2`: rank 1's stderr goes through a file, tee'd to ours. Spelled out because
    # torch 1.13's flag parser returns None on Python 3.11 for 0 and 3 (IntFlag iteration yields single bits only);
    # rank 0 keeps the inherited stdin/stdout the protocol needs either way.
    e = EngineProcess(argv=[sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2',
                            '--redirects', '1:2', '--tee', '1:2', '-m', 'tooltune_engine'],
                      extra_env={'OMP_NUM_THREADS': '1', 'TOOLTUNE_DEVICE': 'cpu'})  # gloo even where a GPU is present
    try:
        info = e.ok('initialize', {'protocol_version': 1, 'device': 'cpu', 'num_threads': 1})
        assert info['world_size'] == 2
        ddp, gen = run(e.ok, str(tmp_path / 'ddp'))
        assert e.ok('shutdown') == {'ok': True}
        assert e.wait(60) == 0
    finally:
        e.close()

    for a, b in zip(single, ddp):
        assert b['loss'] == pytest.approx(a['loss'], abs=1e-6)
        assert b['grad_norm'] == pytest.approx(a['grad_norm'], rel=1e-5)
        assert b['num_tokens'] == a['num_tokens']
    # generate: each rank sampled its half of the prompts; rank 0 returned all of them in prompt order
    assert [c['prompt_index'] for c in gen['completions']] == [i for i in range(4) for _ in range(3)]
    w1, _ = load_model(str(tmp_path / 'single'))
    w2, _ = load_model(str(tmp_path / 'ddp'))
    for (n, p1), p2 in zip(w1.named_parameters(), w2.parameters()):
        assert torch.allclose(p1, p2, atol=1e-6), n
