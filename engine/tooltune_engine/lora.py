"""LoRA (Hu et al. 2021, arXiv 2106.09685) on the decoder's linear layers, and the LoRA-off reference policy.

A LoRA layer computes W x + b + (alpha / r) * B A dropout(x), with A [r, in] random and B [out, r] zero, so training
starts exactly at the base model. The base weight keeps its HF name (`...q_proj.weight`); the adapter tensors are
named as PEFT names them (`...q_proj.lora_A.weight`, `...q_proj.lora_B.weight`), so `adapter_state_dict` with the
`base_model.model.` prefix is a PEFT-loadable adapter.

The GRPO KL reference is the base model, i.e. the same module with the adapters switched off (`lora_disabled`):
no second copy of the weights.
"""
from __future__ import annotations

import contextlib
import math
from typing import Dict, Iterable, Iterator, List

import torch
import torch.nn.functional as F
from torch import nn

from .errors import EngineError

Tensor = torch.Tensor

# PEFT's "all-linear": every linear layer of the decoder except the output head.
ALL_LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class LoraError(EngineError):
    """A LoRA configuration that cannot be applied (bad rank, target that matches nothing)."""


def _merge_dtype(w: Tensor) -> torch.dtype:
    return torch.float64 if w.dtype == torch.float64 else torch.float32


class LoRALinear(nn.Linear):
    """nn.Linear plus a low-rank update; shares (does not copy) the base weight and bias."""

    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float,
                 generator: "torch.Generator | None" = None):
        nn.Module.__init__(self)
        self.in_features, self.out_features = base.in_features, base.out_features
        self.weight = base.weight
        self.bias = base.bias
        self.r, self.alpha = r, alpha
        self.scaling = alpha / r
        # Adapters of a bf16/fp16 model are kept in fp32, as PEFT does by default (autocast_adapter_dtype): at
        # GRPO learning rates (1e-6..5e-6) most updates are below bf16's 8-bit mantissa and would round away.
        kw = dict(device=base.weight.device, dtype=_merge_dtype(base.weight))
        # Built on meta then given real tensors: nn.Linear's own init would draw from (and move) the global RNG.
        self.lora_A = nn.Linear(self.in_features, r, bias=False, device="meta")
        self.lora_B = nn.Linear(r, self.out_features, bias=False, device="meta")
        # PEFT's default init: A Kaiming-uniform (a = sqrt(5), i.e. U(+-1/sqrt(in))), B zero, so the adapted model
        # starts exactly at the base model.
        bound = 1.0 / math.sqrt(self.in_features)
        a = torch.empty((r, self.in_features), dtype=torch.float32).uniform_(-bound, bound, generator=generator)
        self.lora_A.weight = nn.Parameter(a.to(**kw))
        self.lora_B.weight = nn.Parameter(torch.zeros((self.out_features, r), **kw))
        self.lora_dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.lora_enabled = True

    def forward(self, x: Tensor) -> Tensor:
        out = F.linear(x, self.weight, self.bias)
        if not self.lora_enabled:
            return out
        a = self.lora_A.weight
        delta = self.lora_B(self.lora_A(self.lora_dropout(x.to(a.dtype)))) * self.scaling
        return out + delta.to(out.dtype)

    def delta_weight(self) -> Tensor:
        """(alpha / r) * B A, [out, in], in fp32 at least (an accurate merge under bf16)."""
        acc = _merge_dtype(self.weight)
        return (self.lora_B.weight.to(acc) @ self.lora_A.weight.to(acc)) * self.scaling


def _lora_modules(model: nn.Module) -> Iterator[tuple]:
    for name, m in model.named_modules():
        if isinstance(m, LoRALinear):
            yield name, m


def has_lora(model: nn.Module) -> bool:
    return any(True for _ in _lora_modules(model))


def apply_lora(model: nn.Module, r: int, alpha: float, dropout: float = 0.0,
               target_modules: Iterable[str] = ("q_proj", "k_proj", "v_proj", "o_proj"),
               seed: int = 0) -> List[str]:
    """Wrap the target linear layers with LoRA and freeze everything else; returns the wrapped module names.

    `target_modules`: leaf names (`q_proj`, `up_proj`, ...) or "all-linear". The output head is never wrapped.
    """
    if isinstance(r, bool) or not isinstance(r, int) or r < 1:
        raise LoraError(f"lora.r must be a positive integer, got {r!r}")
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or alpha <= 0:
        raise LoraError(f"lora.alpha must be a positive number, got {alpha!r}")
    if not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
        raise LoraError(f"lora.dropout must be in [0, 1), got {dropout!r}")
    targets = list(target_modules) if not isinstance(target_modules, str) else [target_modules]
    if not targets:
        raise LoraError("lora.target_modules is empty; list layers such as q_proj, v_proj, or use \"all-linear\"")
    if "all-linear" in targets:
        targets = list(ALL_LINEAR)
    unknown = [t for t in targets if t not in ALL_LINEAR]
    if unknown:
        raise LoraError(f"lora.target_modules: {unknown[0]!r} is not a linear layer of this model; "
                        f"choose from {', '.join(ALL_LINEAR)} or \"all-linear\"")
    if has_lora(model):
        raise LoraError("the model already has LoRA adapters; merge or reload before applying new ones")

    for p in model.parameters():
        p.requires_grad_(False)
    # A private generator: the adapter init is reproducible and leaves the global RNG (sampling seeds) alone.
    g = torch.Generator().manual_seed(int(seed))
    wrapped = []
    for name, m in list(model.named_modules()):
        leaf = name.rpartition(".")[2]
        if leaf in targets and type(m) is nn.Linear:
            parent = model.get_submodule(name.rpartition(".")[0])
            lm = LoRALinear(m, r, alpha, dropout, generator=g)
            setattr(parent, leaf, lm)
            wrapped.append(name)
    if not wrapped:
        raise LoraError(f"lora.target_modules {targets} matched no layer of the model")
    return wrapped


@contextlib.contextmanager
def lora_disabled(model: nn.Module):
    """The base model: every adapter bypassed inside the block (the KL reference, without a weight copy)."""
    mods = [m for _, m in _lora_modules(model)]
    prev = [m.lora_enabled for m in mods]
    for m in mods:
        m.lora_enabled = False
    try:
        yield model
    finally:
        for m, p in zip(mods, prev):
            m.lora_enabled = p


def merge_lora(model: nn.Module) -> nn.Module:
    """Fold every adapter into its base weight and put plain nn.Linear layers back (in place)."""
    for name, m in list(_lora_modules(model)):
        with torch.no_grad():
            merged = (m.weight.to(_merge_dtype(m.weight)) + m.delta_weight()).to(m.weight.dtype)
        lin = nn.Linear(m.in_features, m.out_features, bias=m.bias is not None,
                        device="meta", dtype=m.weight.dtype)
        lin.weight = nn.Parameter(merged, requires_grad=m.weight.requires_grad)
        if m.bias is not None:
            lin.bias = m.bias
        parent_name, _, leaf = name.rpartition(".")
        setattr(model.get_submodule(parent_name), leaf, lin)
    return model


def merged_state_dict(model: nn.Module) -> Dict[str, Tensor]:
    """HF-named weights with adapters folded in (the model is not modified); no lora_* tensors."""
    deltas = {f"{name}.weight": m for name, m in _lora_modules(model)}
    out: Dict[str, Tensor] = {}
    for k, v in model.state_dict().items():
        if ".lora_A." in k or ".lora_B." in k:
            continue
        v = v.detach()
        if k in deltas:
            v = (v.to(_merge_dtype(v)) + deltas[k].delta_weight().detach()).to(v.dtype)
        out[k] = v
    return out


def adapter_state_dict(model: nn.Module, peft_prefix: bool = True) -> Dict[str, Tensor]:
    """Only the adapter tensors, PEFT-named (`base_model.model.<module>.lora_A.weight`) unless peft_prefix=False."""
    prefix = "base_model.model." if peft_prefix else ""
    return {prefix + k: v.detach() for k, v in model.state_dict().items() if ".lora_A." in k or ".lora_B." in k}


def load_adapter_state_dict(model: nn.Module, state: Dict[str, Tensor]) -> None:
    """Inverse of `adapter_state_dict` (either naming); every adapter tensor must be present with its shape."""
    own = adapter_state_dict(model, peft_prefix=False)
    given = {k[len("base_model.model."):] if k.startswith("base_model.model.") else k: v for k, v in state.items()}
    for k, v in own.items():
        if k not in given:
            raise LoraError(f"adapter tensor {k!r} is missing; the adapter was made with other target modules")
        if tuple(given[k].shape) != tuple(v.shape):
            raise LoraError(f"adapter tensor {k!r} has shape {list(given[k].shape)}, expected {list(v.shape)} "
                            "(a different rank?)")
    extra = [k for k in given if k not in own]
    if extra:
        raise LoraError(f"adapter tensor {extra[0]!r} does not belong to this model's adapters")
    params = dict(model.named_parameters())
    with torch.no_grad():
        for k in own:
            params[k].copy_(given[k])


def adapter_config(model: nn.Module) -> dict:
    """A PEFT-style adapter_config.json for the applied adapters."""
    mods = [m for _, m in _lora_modules(model)]
    if not mods:
        raise LoraError("the model has no LoRA adapters")
    leaves = sorted({n.rpartition(".")[2] for n, _ in _lora_modules(model)})
    m0 = mods[0]
    drop = m0.lora_dropout.p if isinstance(m0.lora_dropout, nn.Dropout) else 0.0
    return {"peft_type": "LORA", "r": m0.r, "lora_alpha": m0.alpha, "lora_dropout": drop,
            "target_modules": leaves, "bias": "none", "task_type": "CAUSAL_LM"}


def trainable_parameters(model: nn.Module) -> List[nn.Parameter]:
    return [p for p in model.parameters() if p.requires_grad]
