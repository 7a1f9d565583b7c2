"""protocol.py mirrors src/engine/protocol.ts; params parsing names the bad field."""
import os
import re

import pytest

from tooltune_engine import protocol as P

TS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'src', 'engine',
                  'protocol.ts')


def ts_source() -> str:
    with open(TS, encoding='utf-8') as f:
        return f.read()


def test_version_error_codes_and_methods_match_the_typescript_side():
    src = ts_source()
    assert int(re.search(r'PROTOCOL_VERSION = (\d+)', src).group(1)) == P.PROTOCOL_VERSION
    codes = dict((k, int(v)) for k, v in re.findall(r'(\w+): (-320\d\d),', src))
    assert codes == {'MethodFailed': P.METHOD_FAILED, 'OutOfMemory': P.OUT_OF_MEMORY,
                     'ProtocolMismatch': P.PROTOCOL_MISMATCH, 'NoModel': P.NO_MODEL, 'BadModel': P.BAD_MODEL}
    methods_block = src[src.index('export interface EngineMethods'):]
    methods_block = methods_block[:methods_block.index('\n}')]
    assert set(re.findall(r'^\s+(\w+): \[', methods_block, re.M)) == set(P.METHODS)
    assert re.search(r"LossType = 'grpo' \| 'bnpo' \| 'dr_grpo' \| 'dapo'", src)
    for s in P.SCHEDULES:
        assert f"'{s}'" in src


def test_train_step_params_parse_with_defaults():
    p = P.parse_train_step({'sequences': [{'prompt_ids': [1, 2], 'completion_ids': [3], 'advantage': 0.5}],
                            'loss': {'loss_type': 'grpo', 'epsilon_low': 0.2, 'epsilon_high': 0.28, 'beta': 0,
                                     'max_completion_length': 64, 'mask_truncated_completions': True,
                                     'temperature': 0.7}})
    assert p.sequences[0].truncated is False and p.sequences[0].group is None
    assert p.loss.epsilon_high == 0.28 and p.loss.mask_truncated_completions and p.micro_batch_tokens is None


@pytest.mark.parametrize('params,field', [
    ({}, 'sequences'),
    ({'sequences': {}}, 'sequences'),
    ({'sequences': [{'prompt_ids': [1], 'completion_ids': [], 'advantage': 1}]}, 'sequences[0].completion_ids'),
    ({'sequences': [{'prompt_ids': [1, -2], 'completion_ids': [3], 'advantage': 1}]}, 'sequences[0].prompt_ids[1]'),
    ({'sequences': [{'prompt_ids': [1], 'completion_ids': [3], 'advantage': 'x'}]}, 'sequences[0].advantage'),
    ({'sequences': [{'prompt_ids': [1], 'completion_ids': [3, 4], 'advantage': 1, 'old_logprobs': [0.0]}]},
     'sequences[0].old_logprobs'),
    ({'sequences': [{'prompt_ids': [1], 'completion_ids': [3], 'advantage': 1}], 'loss': {'loss_type': 'ppo'}},
     'loss.loss_type'),
    ({'sequences': [{'prompt_ids': [1], 'completion_ids': [3], 'advantage': 1}], 'loss': {'temperature': 0}},
     'loss.temperature'),
    ({'sequences': [{'prompt_ids': [True], 'completion_ids': [3], 'advantage': 1}]}, 'sequences[0].prompt_ids[0]'),
    ({'sequences': [{'prompt_ids': [1], 'completion_ids': [3], 'advantage': 1}], 'micro_batch_tokens': 0},
     'micro_batch_tokens'),
])
def test_bad_train_step_params_name_the_field(params, field):
    with pytest.raises(P.ParamError) as e:
        P.parse_train_step(params)
    assert e.value.field == field and f'params.{field}' in str(e.value)


def test_other_methods_validate_their_params():
    with pytest.raises(P.ParamError, match='params.n'):
        P.parse_generate({'prompts': [[1]], 'n': 0, 'max_new_tokens': 4})
    with pytest.raises(P.ParamError, match='params.top_p'):
        P.parse_generate({'prompts': [[1]], 'n': 1, 'max_new_tokens': 4, 'top_p': 0})
    with pytest.raises(P.ParamError, match='params.kind'):
        P.parse_save({'path': '/x', 'kind': 'zip'})
    with pytest.raises(P.ParamError, match=r'params.input_ids\[1\]'):
        P.parse_logits({'input_ids': [[1, 2], [3]]})
    with pytest.raises(P.ParamError, match='params.lora.r'):
        P.parse_load_model({'path': '/m', 'lora': {'r': 0, 'alpha': 16, 'target_modules': ['q_proj']}})
    with pytest.raises(P.ParamError, match='params.protocol_version'):
        P.parse_initialize({})
    with pytest.raises(P.ParamError, match=r'params.examples\[0\].target_ids'):
        P.parse_sft_step({'examples': [{'prompt_ids': [1], 'target_ids': []}]})
    g = P.parse_generate({'prompts': [[1, 2]], 'n': 2, 'max_new_tokens': 3, 'seed': 5.0})
    assert g.seed == 5 and g.temperature == 1.0 and g.stop_token_ids == []
