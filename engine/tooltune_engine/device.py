"""Device and dtype selection: CUDA (bf16 where supported, TF32 matmuls) > MPS > CPU (fp32, all cores).

The CUDA and MPS branches are deliberately small: they are not exercised on the CPU-only CI machine, so each is a
few obviously-right lines. Memory figures are what torch or the OS reports; None when unknown.
"""
from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from typing import Optional

import torch

_DTYPES = {'float32': torch.float32, 'bfloat16': torch.bfloat16, 'float16': torch.float16}


class DeviceError(ValueError):
    """The requested device or dtype cannot be used here; the message names the fix."""


@dataclass
class DeviceInfo:
    device: torch.device
    dtype: torch.dtype
    name: str
    total_bytes: Optional[int]
    free_bytes: Optional[int]

    def describe(self) -> dict:
        return {'device': str(self.device), 'device_name': self.name, 'dtype': dtype_name(self.dtype),
                'memory': {'total_bytes': self.total_bytes, 'free_bytes': self.free_bytes}}


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace('torch.', '')


def _mps_available() -> bool:
    mps = getattr(torch.backends, 'mps', None)
    return bool(mps is not None and mps.is_available())


def pick_device(requested: str = 'auto', local_rank: int = 0) -> torch.device:
    if requested == 'auto':
        if torch.cuda.is_available():
            return torch.device('cuda', local_rank % torch.cuda.device_count())
        if _mps_available():
            return torch.device('mps')
        return torch.device('cpu')
    try:
        dev = torch.device(requested)
    except RuntimeError as e:
        raise DeviceError(f'device {requested!r} is not a torch device ({e}); use "auto", "cpu", "cuda" or "mps"')
    if dev.type == 'cuda' and not torch.cuda.is_available():
        raise DeviceError(f'device {requested!r} requested but torch {torch.__version__} sees no CUDA GPU; '
                          'use device "auto" or "cpu", or install a CUDA build of torch')
    if dev.type == 'mps' and not _mps_available():
        raise DeviceError('device "mps" requested but MPS is not available; use "auto" or "cpu"')
    if dev.type == 'cuda' and dev.index is None:
        dev = torch.device('cuda', local_rank % torch.cuda.device_count())
    return dev


def pick_dtype(device: torch.device, requested: str = 'auto') -> torch.dtype:
    if requested != 'auto':
        dtype = _DTYPES[requested]
        if device.type == 'cpu' and dtype == torch.float16:
            raise DeviceError('float16 is not supported for training on CPU; use "float32" (or "auto")')
        return dtype
    if device.type == 'cuda' and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float32


def configure(requested_device: str = 'auto', requested_dtype: str = 'auto', num_threads: Optional[int] = None,
              local_rank: int = 0) -> DeviceInfo:
    """Pick the device and dtype and set the process-wide switches that go with them."""
    device = pick_device(requested_device, local_rank)
    dtype = pick_dtype(device, requested_dtype)
    if device.type == 'cuda':
        torch.cuda.set_device(device)
        # TF32 for the fp32 matmuls that remain (optimizer maths, fp32 heads): ~free speed on Ampere and later.
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    else:
        # Debian's torch defaults to fewer threads than cores on some machines; use them all unless told otherwise.
        torch.set_num_threads(num_threads or os.cpu_count() or 1)
    return DeviceInfo(device, dtype, device_name(device), *memory(device))


def device_name(device: torch.device) -> str:
    if device.type == 'cuda':
        return torch.cuda.get_device_name(device)
    if device.type == 'mps':
        return 'Apple MPS'
    name = platform.processor() or ''
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as f:
            for line in f:
                if line.startswith('model name'):
                    name = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return f'{name or platform.machine()} ({os.cpu_count()} cores)'


def memory(device: torch.device) -> tuple:
    """(total_bytes, free_bytes) of the device's memory, None where unknown."""
    if device.type == 'cuda':
        free, total = torch.cuda.mem_get_info(device)
        return int(total), int(free)
    if device.type == 'cpu':
        try:
            total = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')
            free = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_AVPHYS_PAGES')
            return int(total), int(free)
        except (ValueError, OSError, AttributeError):
            return None, None
    return None, None


def is_out_of_memory(exc: BaseException) -> bool:
    """True for CUDA / MPS out-of-memory errors (torch 1.13 raises a RuntimeError; torch 2.x a subclass)."""
    oom_type = getattr(torch.cuda, 'OutOfMemoryError', None)
    if oom_type is not None and isinstance(exc, oom_type):
        return True
    msg = str(exc)
    return isinstance(exc, RuntimeError) and ('out of memory' in msg.lower() and ('CUDA' in msg or 'MPS' in msg))


def is_half(dtype: torch.dtype) -> bool:
    return dtype in (torch.bfloat16, torch.float16)


def master_weights_fp32(device: torch.device, dtype: torch.dtype) -> bool:
    """On CUDA with a 16-bit compute dtype, trainable weights stay fp32 and forwards run under autocast: AdamW
    updates at GRPO learning rates (1e-6..1e-5) are far below bf16's resolution (8 bits of mantissa), so pure bf16
    weights would silently stop learning. Frozen LoRA base weights are kept in the 16-bit dtype."""
    return device.type == 'cuda' and is_half(dtype)


def autocast(device: torch.device, dtype: torch.dtype):
    """bf16/fp16 autocast for forwards on CUDA (see master_weights_fp32); a no-op elsewhere."""
    import contextlib
    if master_weights_fp32(device, dtype):
        return torch.autocast('cuda', dtype=dtype)
    return contextlib.nullcontext()

