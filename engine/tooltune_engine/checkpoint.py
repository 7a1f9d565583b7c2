"""Checkpoints for bit-for-bit resume, written atomically (temp folder beside the target, then rename).

A checkpoint folder holds:
    engine_state.json        format, update count, LoRA config + base model path, optimizer config, python RNG,
                             AdamW param_groups and scalar state
    model/                   full fine-tuning: the HF folder (config.json + model.safetensors) — loadable as a model
    trainable.safetensors    LoRA: the adapter parameters by their parameter names (the base is reloaded from
                             `base_path`, which must not change between save and resume)
    optimizer.safetensors    AdamW moments (exp_avg, exp_avg_sq, step) per parameter index
    rng.safetensors          torch CPU RNG state (+ CUDA states)
    reference.safetensors    the KL reference weights, only for full fine-tuning with beta > 0
    trainer_state.json       the orchestrator's own state, verbatim
Everything is safetensors + JSON: nothing here is pickled, so loading a checkpoint cannot run code.
"""
from __future__ import annotations

import copy
import json
import os
import random
import shutil
import tempfile
from dataclasses import asdict
from typing import Any, Callable, Dict, Optional, Tuple

import torch

from .errors import ModelError
from .protocol import OptimizerConfig
from .safetensors_io import read_safetensors, write_safetensors

FORMAT = 1
STATE_FILE = 'engine_state.json'


class CheckpointError(ModelError):
    """A checkpoint folder that cannot be resumed from; the message says which file and why."""


# ---- atomic folders -----------------------------------------------------------------------------------------------
def write_folder_atomically(path: str, fill: Callable[[str], None]) -> int:
    """Call `fill(tmp)` to populate a temp folder beside `path`, then swap it in; returns the bytes written.
    A crash leaves either the old folder or the new one, never a half-written one."""
    path = os.path.abspath(path)
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.' + os.path.basename(path) + '.tmp-', dir=parent)
    try:
        fill(tmp)
        size = folder_bytes(tmp)
        old = None
        if os.path.exists(path):
            old = tempfile.mkdtemp(prefix='.' + os.path.basename(path) + '.old-', dir=parent)
            os.replace(path, os.path.join(old, 'x'))
        os.replace(tmp, path)
        if old:
            shutil.rmtree(old, ignore_errors=True)
        return size
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def folder_bytes(path: str) -> int:
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def write_json(path: str, obj: Any) -> None:
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=2)
        f.write('\n')


def read_json(path: str) -> Any:
    try:
        with open(path, 'r', encoding='utf-8') as f:
            return json.load(f)
    except FileNotFoundError:
        raise CheckpointError(f'{path}: missing; is this a checkpoint folder written by save(kind="checkpoint")?')
    except json.JSONDecodeError as e:
        raise CheckpointError(f'{path}: line {e.lineno} column {e.colno}: not valid JSON ({e.msg})')


# ---- optimizer state as tensors + JSON ----------------------------------------------------------------------------
def optimizer_to_files(state: dict) -> Tuple[Dict[str, torch.Tensor], dict]:
    """Split a torch optimizer state_dict into tensors (for safetensors) and plain JSON."""
    tensors: Dict[str, torch.Tensor] = {}
    scalars: Dict[str, Dict[str, Any]] = {}
    for idx, st in state['state'].items():
        for name, v in st.items():
            if isinstance(v, torch.Tensor):
                tensors[f'{idx}.{name}'] = v.detach().contiguous()
            else:
                scalars.setdefault(str(idx), {})[name] = v
    return tensors, {'param_groups': state['param_groups'], 'scalars': scalars}


def optimizer_from_files(tensors: Dict[str, torch.Tensor], meta: dict) -> dict:
    state: Dict[int, Dict[str, Any]] = {}
    for key, t in tensors.items():
        idx, _, name = key.partition('.')
        state.setdefault(int(idx), {})[name] = t
    for idx, sc in meta.get('scalars', {}).items():
        state.setdefault(int(idx), {}).update(sc)
    return {'state': state, 'param_groups': meta['param_groups']}


# ---- RNG ----------------------------------------------------------------------------------------------------------
def rng_tensors() -> Dict[str, torch.Tensor]:
    out = {'torch_cpu': torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            out[f'cuda_{i}'] = s
    return out


def python_rng_json() -> list:
    version, internal, gauss = random.getstate()
    return [version, list(internal), gauss]


def restore_rng(tensors: Dict[str, torch.Tensor], py_state: Optional[list]) -> None:
    torch.set_rng_state(tensors['torch_cpu'].to(torch.uint8))
    cuda = sorted((k for k in tensors if k.startswith('cuda_')), key=lambda k: int(k[5:]))
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([tensors[k].to(torch.uint8) for k in cuda])
    if py_state is not None:
        random.setstate((py_state[0], tuple(py_state[1]), py_state[2]))


# ---- the checkpoint -----------------------------------------------------------------------------------------------
def engine_state(step: int, lora: Optional[dict], base_path: Optional[str], opt_cfg: Optional[OptimizerConfig],
                 optimizer_meta: Optional[dict]) -> dict:
    return {'format': FORMAT, 'step': step, 'lora': lora, 'base_path': base_path,
            'optimizer_config': None if opt_cfg is None else asdict(opt_cfg), 'optimizer': optimizer_meta,
            'python_rng': python_rng_json()}


def read_engine_state(path: str) -> dict:
    st = read_json(os.path.join(path, STATE_FILE))
    if not isinstance(st, dict) or st.get('format') != FORMAT:
        raise CheckpointError(f'{os.path.join(path, STATE_FILE)}: format {st.get("format") if isinstance(st, dict) else st!r}'
                              f' is not {FORMAT}; this checkpoint was written by another engine version')
    if st.get('lora') and not st.get('base_path'):
        raise CheckpointError(f'{os.path.join(path, STATE_FILE)}: a LoRA checkpoint without base_path; '
                              'it cannot be resumed')
    return st


def read_tensors(path: str, name: str, required: bool = True) -> Optional[Dict[str, torch.Tensor]]:
    p = os.path.join(path, name)
    if not os.path.exists(p):
        if required:
            raise CheckpointError(f'{p}: missing; the checkpoint is incomplete (re-save it)')
        return None
    return read_safetensors(p)


def optimizer_config_from(st: dict) -> Optional[OptimizerConfig]:
    d = st.get('optimizer_config')
    if d is None:
        return None
    d = dict(d)
    d['betas'] = tuple(d['betas'])
    return OptimizerConfig(**d)


def save_tensors(folder: str, name: str, tensors: Dict[str, torch.Tensor]) -> None:
    write_safetensors(os.path.join(folder, name), {k: v.detach().cpu().contiguous() for k, v in tensors.items()})


def write_checkpoint(folder: str, model: torch.nn.Module, cfg, lora: Optional[dict], base_path: Optional[str],
                     opt_cfg: OptimizerConfig, optimizer, reference: Optional[torch.nn.Module],
                     trainer_state: Any) -> None:
    """Fill `folder` (a temp folder; see write_folder_atomically) with everything a resume needs."""
    from .model import save_model
    opt_meta = None
    if optimizer is not None:
        tensors, opt_meta = optimizer_to_files(optimizer.torch.state_dict())
        save_tensors(folder, 'optimizer.safetensors', tensors)
    if lora is not None:
        save_tensors(folder, 'trainable.safetensors',
                     {n: p for n, p in model.named_parameters() if p.requires_grad})
    else:
        save_model(model, cfg, os.path.join(folder, 'model'))
    if reference is not None:
        save_tensors(folder, 'reference.safetensors', dict(reference.state_dict()))
    save_tensors(folder, 'rng.safetensors', rng_tensors())
    step = optimizer.step_count if optimizer is not None else 0
    state = engine_state(step, lora, base_path, opt_cfg, opt_meta)
    state['gradient_checkpointing'] = bool(getattr(model, 'gradient_checkpointing', False))
    write_json(os.path.join(folder, STATE_FILE), state)
    write_json(os.path.join(folder, 'trainer_state.json'), trainer_state)


def load_trainable(model: torch.nn.Module, path: str, base_path: str) -> None:
    """Copy the saved LoRA parameters into a model rebuilt from `base_path` with the saved LoRA config."""
    own = dict(model.named_parameters())
    for name, t in read_tensors(path, 'trainable.safetensors').items():
        if name not in own or tuple(own[name].shape) != tuple(t.shape):
            raise CheckpointError(f'{path}/trainable.safetensors: tensor {name!r} does not match the model rebuilt '
                                  f'from {base_path} with this LoRA config')
        with torch.no_grad():
            own[name].copy_(t)


def load_reference(model: torch.nn.Module, path: str) -> Optional[torch.nn.Module]:
    """The frozen KL reference of full fine-tuning, when the checkpoint has one."""
    ref = read_tensors(path, 'reference.safetensors', required=False)
    if ref is None:
        return None
    frozen = copy.deepcopy(model).eval()
    frozen.load_state_dict(ref)
    for p in frozen.parameters():
        p.requires_grad_(False)
    return frozen


def load_optimizer(optimizer, path: str, st: dict, device: torch.device) -> None:
    tensors = read_tensors(path, 'optimizer.safetensors')
    # AdamW keeps `step` on the CPU (torch 1.13); the moments live with their parameters.
    moved = {k: v if k.endswith('.step') else v.to(device) for k, v in tensors.items()}
    optimizer.torch.load_state_dict(optimizer_from_files(moved, st['optimizer']))
    optimizer.step_count = int(st['step'])

