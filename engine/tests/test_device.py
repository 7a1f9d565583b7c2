"""Device and dtype selection; out-of-memory detection. CUDA-only branches are skipped visibly without a GPU."""
import pytest
import torch

from tooltune_engine.device import DeviceError, configure, is_out_of_memory, pick_device, pick_dtype

no_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU (CPU-only machine)')


def test_auto_picks_cpu_fp32_here_and_uses_the_requested_threads():
    if torch.cuda.is_available():
        pytest.skip('a GPU is present: auto picks cuda')
    info = configure('auto', 'auto', num_threads=1)
    assert info.device.type == 'cpu' and info.dtype == torch.float32 and torch.get_num_threads() == 1
    d = info.describe()
    assert d['dtype'] == 'float32' and d['memory']['total_bytes'] > 0 and 'cores' in d['device_name']


def test_unavailable_devices_and_bad_dtypes_name_the_fix():
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match='no CUDA GPU'):
            pick_device('cuda')
    with pytest.raises(DeviceError, match='not a torch device'):
        pick_device('tpu9')
    with pytest.raises(DeviceError, match='float16'):
        pick_dtype(torch.device('cpu'), 'float16')
    assert pick_dtype(torch.device('cpu'), 'bfloat16') == torch.bfloat16


def test_out_of_memory_is_recognised_by_message_on_torch_1_13():
    assert is_out_of_memory(RuntimeError('CUDA out of memory. Tried to allocate 2.00 GiB'))
    assert is_out_of_memory(RuntimeError('MPS backend out of memory (MPS allocated: 1 GB)'))
    assert not is_out_of_memory(RuntimeError('shape mismatch'))
    assert not is_out_of_memory(ValueError('CUDA out of memory'))


@no_cuda
def test_cuda_auto_is_bf16_with_tf32():
    info = configure('auto', 'auto')
    assert info.device.type == 'cuda'
    assert info.dtype == (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32)
    assert torch.backends.cuda.matmul.allow_tf32 and info.total_bytes > 0


def test_master_weights_rule():
    from tooltune_engine.device import autocast, master_weights_fp32
    cpu, cuda = torch.device('cpu'), torch.device('cuda', 0)
    assert not master_weights_fp32(cpu, torch.bfloat16) and not master_weights_fp32(cuda, torch.float32)
    assert master_weights_fp32(cuda, torch.bfloat16) and master_weights_fp32(cuda, torch.float16)
    with autocast(cpu, torch.float32):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32


@no_cuda
def test_cuda_training_keeps_fp32_trainable_weights(tmp_path):
    from conftest import TINY_CONFIG
    from tooltune_engine.server import Session, call
    s = Session(notify=lambda m, p: None)
    call(s, 'initialize', {'protocol_version': 1, 'device': 'cuda'})
    call(s, 'init_model', {'config': dict(TINY_CONFIG), 'out': str(tmp_path / 'm'),
                           'lora': {'r': 2, 'alpha': 4, 'dropout': 0.0, 'target_modules': ['q_proj']}})
    assert all(p.dtype == torch.float32 for p in s.model.parameters() if p.requires_grad)
    out = call(s, 'train_step', {'sequences': [{'prompt_ids': [3, 4], 'completion_ids': [5, 6], 'advantage': 1.0}],
                                 'loss': {'loss_type': 'dapo'}})
    assert out['grad_norm'] > 0
