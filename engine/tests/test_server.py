"""The engine as a process: initialize, errors that keep it serving, garbage, EOF, SIGTERM, a killed parent."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ENGINE_DIR, TINY_CONFIG, EngineProcess, wait_for
from tooltune_engine import protocol as P


def init(e):
    return e.ok('initialize', {'protocol_version': P.PROTOCOL_VERSION, 'device': 'cpu', 'num_threads': 1})


@pytest.fixture(scope='module')
def shared(tmp_path_factory):
    """One engine for the tests that leave it running: starting torch costs seconds on 2 cores."""
    e = EngineProcess()
    init(e)
    e.ok('init_model', {'config': dict(TINY_CONFIG), 'out': str(tmp_path_factory.mktemp('tiny') / 'm'), 'seed': 0})
    yield e
    e.close()


def test_initialize_reports_versions_device_and_memory(shared):
    r = init(shared)
    assert r['protocol_version'] == P.PROTOCOL_VERSION and r['device'] == 'cpu' and r['dtype'] == 'float32'
    assert r['torch_version'] and r['python_version'] and r['world_size'] == 1
    assert r['memory']['total_bytes'] > 0


def test_protocol_mismatch_is_32002_and_engine_keeps_serving(shared):
    r = shared.request('initialize', {'protocol_version': 999})
    assert r['error']['code'] == P.PROTOCOL_MISMATCH and '999' in r['error']['message']
    assert init(shared)['protocol_version'] == P.PROTOCOL_VERSION


def test_errors_unknown_method_bad_params_no_model(engine):
    r = engine.request('load_model', {'path': '/x'})
    assert r['error']['code'] == P.INVALID_REQUEST and 'initialize' in r['error']['message']
    init(engine)
    engine.send({'jsonrpc': '2.0', 'method': '$/cancelRequest', 'params': {'id': 3}})  # notification: no reply
    assert engine.request('frobnicate')['error']['code'] == P.METHOD_NOT_FOUND
    r = engine.request('generate', {'prompts': [[1, 2]], 'n': 'eight', 'max_new_tokens': 4})
    assert r['error']['code'] == P.INVALID_PARAMS and r['error']['data']['field'] == 'n'
    r = engine.request('generate', {'prompts': [[1, 2]], 'n': 2, 'max_new_tokens': 4})
    assert r['error']['code'] == P.NO_MODEL and 'load_model' in r['error']['message']
    r = engine.request('load_model', {'path': '/nonexistent/model'})
    assert r['error']['code'] == P.BAD_MODEL and '/nonexistent/model' in r['error']['message']
    r = engine.request('train_step', 'not an object')
    assert r['error']['code'] == P.INVALID_PARAMS
    r = engine.request('init_model', {'config': {**TINY_CONFIG, 'model_type': 'gpt2'}, 'out': '/tmp/never'})
    assert r['error']['code'] == P.BAD_MODEL and 'gpt2' in r['error']['message']
    assert engine.ok('shutdown') == {'ok': True}
    assert engine.wait() == 0


def test_exception_in_a_method_returns_type_message_traceback(shared):
    # A token id beyond the vocabulary makes the embedding lookup fail inside the method.
    r = shared.request('evaluate_logprobs', {'sequences': [{'prompt_ids': [1], 'completion_ids': [10 ** 6]}]})
    err = r['error']
    assert err['code'] in (P.METHOD_FAILED, P.INVALID_PARAMS)
    assert err['data']['type'] and err['data']['message']
    assert shared.ok('logits', {'input_ids': [[1, 2, 3]]})['logits'][0].__len__() == TINY_CONFIG['vocab_size']


def test_garbage_client_gets_errors_and_engine_survives(shared):
    engine = shared
    engine.write_raw(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    assert engine.read_response()['error']['code'] == P.PARSE_ERROR
    engine.write_raw(b'Content-Length: 5\r\n\r\n{oops')
    assert engine.read_response()['error']['code'] == P.PARSE_ERROR
    engine.send({'jsonrpc': '2.0', 'id': 'x1', 'params': {}})
    r = engine.read_response()
    assert r['error']['code'] == P.INVALID_REQUEST and r['id'] == 'x1'
    engine.write_raw(os.urandom(64).replace(b'\n', b'.') + b'\r\n\r\n')
    assert engine.read_response()['error']['code'] == P.PARSE_ERROR
    assert init(engine)['device'] == 'cpu'


def test_split_and_merged_frames_over_a_real_pipe(shared):
    engine = shared
    a = json.dumps({'jsonrpc': '2.0', 'id': 'split', 'method': 'initialize',
                    'params': {'protocol_version': 1, 'device': 'cpu', 'num_threads': 1}}).encode()
    b = json.dumps({'jsonrpc': '2.0', 'id': 2, 'method': 'nope'}).encode()
    frame_a = b'Content-Length: %d\r\n\r\n' % len(a) + a
    for i in range(0, len(frame_a), 7):  # trickle: headers and body cut anywhere
        engine.write_raw(frame_a[i:i + 7])
        time.sleep(0.002)
    assert engine.read_response('split')['result']['device'] == 'cpu'
    both = b'Content-Length: %d\r\n\r\n' % len(b) + b + b'Content-Length: %d\r\n\r\n' % len(a) + a
    engine.write_raw(both)
    assert engine.read_response()['error']['code'] == P.METHOD_NOT_FOUND
    assert engine.read_response()['result']['protocol_version'] == 1


def test_log_and_progress_notifications(shared):
    seqs = [{'prompt_ids': [3, 4], 'completion_ids': [5, 6], 'advantage': 1.0},
            {'prompt_ids': [3, 4], 'completion_ids': [7], 'advantage': -1.0}]
    out = shared.ok('train_step', {'sequences': seqs, 'loss': {'loss_type': 'grpo'}, 'micro_batch_tokens': 4})
    assert out['num_tokens'] == 3 and out['kl'] is None and out['grad_norm'] > 0
    kinds = [(n['method'], n['params'].get('task')) for n in shared.notifications]
    assert ('log', None) in kinds and kinds.count(('progress', 'train_step')) >= 2


def test_eof_exits_cleanly(engine):
    init(engine)
    engine.proc.stdin.close()
    assert engine.wait() == 0
    assert 'end of input' in engine.proc.stderr.read().decode()


def test_sigterm_exits_cleanly(engine):
    init(engine)
    engine.proc.send_signal(signal.SIGTERM)
    assert engine.wait() == 0


def test_killed_parent_makes_the_engine_exit(tmp_path):
    pid_file = tmp_path / 'engine.pid'
    parent = ('import subprocess, sys, time\n'
              f'p = subprocess.Popen([sys.executable, "-m", "tooltune_engine"], stdin=subprocess.PIPE, '
              f'stdout=subprocess.PIPE, cwd={ENGINE_DIR!r})\n'
              f'open({str(pid_file)!r}, "w").write(str(p.pid))\n'
              'time.sleep(60)\n')
    proc = subprocess.Popen([sys.executable, '-c', parent], env={**os.environ, 'PYTHONPATH': ENGINE_DIR})
    try:
        assert wait_for(lambda: pid_file.exists() and pid_file.read_text().strip() != '', 20)
        child = int(pid_file.read_text())
        time.sleep(0.5)
        proc.kill()  # SIGKILL: the parent cannot clean up; the engine must notice EOF on its stdin
        proc.wait()

        def gone():
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                return True
            # A zombie re-parented to init counts as gone once it is reaped; check its state.
            try:
                with open(f'/proc/{child}/stat') as f:
                    return f.read().split()[2] == 'Z'
            except OSError:
                return True
        assert wait_for(gone, 20)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_out_of_memory_becomes_32001_with_a_hint():
    from tooltune_engine.server import RpcError, Session, call

    class Tight(Session):
        def logits(self, p):
            raise RuntimeError('CUDA out of memory. Tried to allocate 20.00 GiB')
    s = Tight(notify=lambda m, p: None)
    call(s, 'initialize', {'protocol_version': 1, 'device': 'cpu', 'num_threads': 1})
    with pytest.raises(RpcError) as e:
        call(s, 'logits', {'input_ids': [[1]]})
    assert e.value.code == P.OUT_OF_MEMORY and 'micro_batch_tokens' in e.value.data['hint']


def test_export_onnx_of_the_loaded_model_and_of_a_folder(tmp_path):
    from tooltune_engine.server import RpcError, Session, call
    s = Session(notify=lambda m, p: None)
    call(s, 'initialize', {'protocol_version': 1, 'device': 'cpu', 'num_threads': 1})
    with pytest.raises(RpcError) as e:
        call(s, 'export_onnx', {'out': str(tmp_path / 'x')})
    assert e.value.code == P.NO_MODEL
    call(s, 'init_model', {'config': dict(TINY_CONFIG), 'out': str(tmp_path / 'm'),
                           'lora': {'r': 2, 'alpha': 4, 'dropout': 0.0, 'target_modules': ['q_proj']}})
    r = call(s, 'export_onnx', {'out': str(tmp_path / 'out')})
    assert r['path'] == str(tmp_path / 'out' / 'onnx' / 'model.onnx') and r['bytes'] == os.path.getsize(r['path'])
    assert json.loads((tmp_path / 'out' / 'config.json').read_text())['model_type'] == 'qwen3'
    with pytest.raises(RpcError) as e:
        call(s, 'export_onnx', {'out': str(tmp_path / 'y'), 'model_path': str(tmp_path / 'missing')})
    assert e.value.code == P.BAD_MODEL


def test_save_merged_in_bfloat16_halves_the_weights_and_loads_back_as_float32(shared, tmp_path):
    """ToolTune Nano ships in bf16 (issue 11): `save` with dtype stores bf16; load_model reads it into fp32."""
    from tooltune_engine.safetensors_io import read_header
    full, half = tmp_path / 'f32', tmp_path / 'bf16'
    shared.ok('save', {'path': str(full), 'kind': 'merged'})
    shared.ok('save', {'path': str(half), 'kind': 'merged', 'dtype': 'bfloat16'})
    entries, _, _ = read_header(str(half / 'model.safetensors'))
    assert {str(e[0]) for e in entries.values()} == {'torch.bfloat16'}
    assert json.loads((half / 'config.json').read_text())['torch_dtype'] == 'bfloat16'
    assert (half / 'model.safetensors').stat().st_size < 0.6 * (full / 'model.safetensors').stat().st_size
    info = shared.ok('load_model', {'path': str(half)})
    assert info['num_parameters'] > 0
    bad = shared.request('save', {'path': str(tmp_path / 'x'), 'kind': 'merged', 'dtype': 'int8'})
    assert bad['error']['code'] == -32602 and 'dtype' in bad['error']['message']
