"""save -> load round trips; resume from a checkpoint gives the same next steps as no interruption, bit for bit."""
import json
import os

import pytest
import torch

from conftest import TINY_CONFIG
from tooltune_engine import checkpoint as ckpt
from tooltune_engine import protocol as P
from tooltune_engine.server import RpcError, Session, call

LOSS = {'loss_type': 'dapo', 'epsilon_low': 0.2, 'epsilon_high': 0.28, 'beta': 0.0, 'max_completion_length': 6,
        'mask_truncated_completions': False, 'temperature': 1.0}


def session(tmp_path, lora=None, model_dir='tiny'):
    s = Session(notify=lambda m, p: None)
    call(s, 'initialize', {'protocol_version': 1, 'device': 'cpu', 'num_threads': 1, 'seed': 0})
    call(s, 'init_model', {'config': dict(TINY_CONFIG), 'out': str(tmp_path / model_dir), 'seed': 0, 'lora': lora})
    call(s, 'configure_optimizer', {'lr': 0.02, 'weight_decay': 0.01, 'schedule': 'cosine', 'warmup_steps': 1,
                                    'total_steps': 6})
    return s


def rl_step(s, beta=0.0):
    """Sample with the global RNG (no seed), score by length, update: every source of randomness is involved."""
    g = call(s, 'generate', {'prompts': [[3, 4, 5], [6, 7]], 'n': 3, 'max_new_tokens': 5, 'stop_token_ids': [1]})
    seqs = []
    for c in g['completions']:
        prompt = [3, 4, 5] if c['prompt_index'] == 0 else [6, 7]
        seqs.append({'prompt_ids': prompt, 'completion_ids': c['ids'], 'advantage': (sum(c['ids']) % 7) / 7 - 0.4,
                     'group': c['prompt_index'], 'truncated': c['finish_reason'] == 'length'})
    out = call(s, 'train_step', {'sequences': seqs, 'loss': {**LOSS, 'beta': beta}, 'micro_batch_tokens': 12})
    return g['completions'], out


def weights(s):
    return {n: p.detach().clone() for n, p in s.model.named_parameters()}


@pytest.mark.parametrize('lora,beta', [(None, 0.0), (None, 0.05),
                                       ({'r': 2, 'alpha': 4, 'dropout': 0.2, 'target_modules': ['q_proj', 'v_proj']},
                                        0.05)])
def test_resume_is_bit_for_bit(tmp_path, lora, beta):
    a = session(tmp_path, lora, 'a')
    rl_step(a, beta)
    call(a, 'sft_step', {'examples': [{'prompt_ids': [3, 4], 'target_ids': [5, 6, 1]}]})
    saved = call(a, 'save', {'path': str(tmp_path / 'ckpt'), 'kind': 'checkpoint', 'trainer_state': {'row': 17}})
    assert saved['bytes'] > 0
    cont = [rl_step(a, beta) for _ in range(2)]

    b = Session(notify=lambda m, p: None)
    call(b, 'initialize', {'protocol_version': 1, 'device': 'cpu', 'num_threads': 1, 'seed': 123})
    res = call(b, 'load_checkpoint', {'path': str(tmp_path / 'ckpt')})
    assert res == {'step': 2, 'trainer_state': {'row': 17}}
    resumed = [rl_step(b, beta) for _ in range(2)]
    for (ca, oa), (cb, ob) in zip(cont, resumed):
        assert ca == cb  # same samples: the RNG state came back
        for k in ('loss', 'grad_norm', 'learning_rate', 'kl', 'entropy'):
            assert oa[k] == ob[k], k
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for n in wa:
        assert torch.equal(wa[n], wb[n]), n


def test_merged_and_adapter_saves_load_back(tmp_path):
    lora = {'r': 2, 'alpha': 4, 'dropout': 0.0, 'target_modules': ['q_proj', 'v_proj']}
    s = session(tmp_path, lora)
    rl_step(s)
    rl_step(s)
    ids = {'input_ids': [[3, 4, 5, 6]]}
    before = call(s, 'logits', ids)['logits']
    merged = call(s, 'save', {'path': str(tmp_path / 'merged'), 'kind': 'merged'})
    assert merged['bytes'] > 0 and os.path.exists(tmp_path / 'merged' / 'model.safetensors')
    adapter = call(s, 'save', {'path': str(tmp_path / 'adapter'), 'kind': 'adapter'})
    assert adapter['bytes'] > 0
    conf = json.loads((tmp_path / 'adapter' / 'adapter_config.json').read_text())
    assert conf['r'] == 2 and conf['base_model_name_or_path'] == str(tmp_path / 'tiny')
    call(s, 'load_model', {'path': str(tmp_path / 'merged')})
    after = call(s, 'logits', ids)['logits']
    assert torch.allclose(torch.tensor(before), torch.tensor(after), atol=1e-5)
    with pytest.raises(RpcError) as e:  # no LoRA now: an adapter cannot be saved
        call(s, 'save', {'path': str(tmp_path / 'adapter2'), 'kind': 'adapter'})
    assert e.value.code == P.INVALID_PARAMS


def test_atomic_write_keeps_the_old_folder_when_writing_fails(tmp_path):
    target = tmp_path / 'ck'
    ckpt.write_folder_atomically(str(target), lambda d: open(os.path.join(d, 'a.txt'), 'w').write('old'))

    def boom(d):
        open(os.path.join(d, 'a.txt'), 'w').write('new')
        raise OSError('disk full')
    with pytest.raises(OSError):
        ckpt.write_folder_atomically(str(target), boom)
    assert (target / 'a.txt').read_text() == 'old'
    assert sorted(os.listdir(tmp_path)) == ['ck']  # no temp folder left behind
    ckpt.write_folder_atomically(str(target), lambda d: open(os.path.join(d, 'b.txt'), 'w').write('x'))
    assert sorted(os.listdir(target)) == ['b.txt'] and sorted(os.listdir(tmp_path)) == ['ck']


def test_bad_checkpoints_are_clear_errors(tmp_path):
    s = Session(notify=lambda m, p: None)
    call(s, 'initialize', {'protocol_version': 1, 'device': 'cpu', 'num_threads': 1})
    (tmp_path / 'empty').mkdir()
    with pytest.raises(RpcError) as e:
        call(s, 'load_checkpoint', {'path': str(tmp_path / 'empty')})
    assert e.value.code == P.BAD_MODEL and 'engine_state.json' in str(e.value)
    (tmp_path / 'bad').mkdir()
    (tmp_path / 'bad' / 'engine_state.json').write_text('{"format": 1,\n "step": }')
    with pytest.raises(RpcError) as e:
        call(s, 'load_checkpoint', {'path': str(tmp_path / 'bad')})
    assert 'line 2' in str(e.value)


def test_optimizer_state_round_trips_without_pickle():
    p = torch.nn.Parameter(torch.randn(3, 2))
    opt = torch.optim.AdamW([p], lr=0.1)
    p.grad = torch.randn(3, 2)
    opt.step()
    tensors, meta = ckpt.optimizer_to_files(opt.state_dict())
    meta = json.loads(json.dumps(meta))  # it really is plain JSON
    back = ckpt.optimizer_from_files(tensors, meta)
    opt2 = torch.optim.AdamW([torch.nn.Parameter(p.detach().clone())], lr=0.1)
    opt2.load_state_dict(back)
    for k, v in opt.state_dict()['state'][0].items():
        v2 = opt2.state_dict()['state'][0][k]
        assert torch.equal(torch.as_tensor(v), torch.as_tensor(v2)), k
