"""One decoder-only transformer for the llama, qwen2 and qwen3 families, with Hugging Face parameter names.

Shape of a layer (all three families): x + Attn(RMSNorm(x)), then h + SwiGLU(RMSNorm(h)). Switches from the config:
q/k/v bias (qwen2, or `attention_bias`), per-head q/k RMSNorm before RoPE (qwen3), grouped-query attention,
Llama-3 RoPE scaling, tied or untied head.

Why a module of our own rather than transformers: the engine runs with torch only (no transformers, no network),
on Debian's torch 1.13 (no `scaled_dot_product_attention`) as on torch 2.x with CUDA. The attention is written out
(softmax in fp32) and is the tested path; SDPA is used on torch 2.x behind a guard (`TOOLTUNE_ATTENTION=eager`
turns it off).

Conventions shared with the ONNX export and with transformers.js at inference:
- `attention_mask` is [B, past + new] with 1 = real token, 0 = padding (left padding in batches);
- position ids are `cumsum(mask) - 1` clamped at 0 (`position_ids_from_mask`);
- `forward_hidden` returns hidden states after the final norm; callers slice them and call `head` on the rows they
  need, so training never builds a [B, T, V] logits tensor (V is 151,936 for Qwen).
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from typing import Callable, Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig
from .kv_cache import KVCache  # noqa: F401  (part of this module's interface)
from .errors import ModelError
from . import safetensors_io

Tensor = torch.Tensor

_HAS_SDPA = hasattr(F, "scaled_dot_product_attention")


def _use_sdpa() -> bool:
    # Tracing (ONNX export) takes the written-out path: plain MatMul/Softmax nodes that every runtime executes.
    return (_HAS_SDPA and os.environ.get("TOOLTUNE_ATTENTION", "auto") != "eager"
            and not torch.jit.is_tracing())


# ---- building blocks ---------------------------------------------------------------------------------------------
def _upcast(x: Tensor) -> Tensor:
    """fp32 for half-precision tensors (softmax and norm statistics); fp32/fp64 stay as they are."""
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float, device=None, dtype=None):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim, device=device, dtype=dtype))

    def forward(self, x: Tensor) -> Tensor:
        # Statistics in fp32 under bf16/fp16, cast back before the weight, as transformers does (so bf16 runs match).
        dtype = x.dtype
        x32 = _upcast(x)
        x32 = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x32.to(dtype)


def rope_inv_freq(cfg: ModelConfig) -> Tensor:
    """Inverse frequencies of the rotary embedding (float64), with linear or Llama-3 scaling applied."""
    hd = cfg.head_dim
    inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    rs = cfg.rope_scaling
    if rs:
        kind = rs.get("rope_type", rs.get("type"))
        factor = float(rs["factor"])
        if kind == "linear":
            inv = inv / factor
        elif kind == "llama3":
            # Llama 3.1 scaling: long wavelengths are divided by `factor`, short ones kept, and the band between
            # low_freq_factor and high_freq_factor blended linearly in 1/wavelength (Meta's reference model code).
            old_ctx = float(rs["original_max_position_embeddings"])
            lo, hi = float(rs["low_freq_factor"]), float(rs["high_freq_factor"])
            wavelen = 2 * math.pi / inv
            smooth = (old_ctx / wavelen - lo) / (hi - lo)
            blended = (1 - smooth) * inv / factor + smooth * inv
            inv = torch.where(wavelen > old_ctx / lo, inv / factor, torch.where(wavelen < old_ctx / hi, inv, blended))
    return inv


def _rotate_half(x: Tensor) -> Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def apply_rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    """x [B, T, H, hd]; cos/sin [B, T, hd] (the half-split layout transformers uses for these families)."""
    cos, sin = cos.unsqueeze(2), sin.unsqueeze(2)
    return x * cos + _rotate_half(x) * sin


def position_ids_from_mask(mask: Tensor) -> Tensor:
    """Positions that skip left padding: cumsum(mask) - 1, clamped at 0 (what transformers.js feeds the ONNX model)."""
    return (mask.long().cumsum(-1) - 1).clamp(min=0)


# ---- layers ------------------------------------------------------------------------------------------------------
class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig, device=None, dtype=None):
        super().__init__()
        d, hd = cfg.hidden_size, cfg.head_dim
        self.n_heads, self.n_kv, self.head_dim = cfg.num_attention_heads, cfg.num_key_value_heads, hd
        kw = dict(device=device, dtype=dtype)
        self.q_proj = nn.Linear(d, self.n_heads * hd, bias=cfg.qkv_bias, **kw)
        self.k_proj = nn.Linear(d, self.n_kv * hd, bias=cfg.qkv_bias, **kw)
        self.v_proj = nn.Linear(d, self.n_kv * hd, bias=cfg.qkv_bias, **kw)
        self.o_proj = nn.Linear(self.n_heads * hd, d, bias=cfg.o_bias, **kw)
        if cfg.qk_norm:
            self.q_norm = RMSNorm(hd, cfg.rms_norm_eps, **kw)
            self.k_norm = RMSNorm(hd, cfg.rms_norm_eps, **kw)
        else:
            self.q_norm = self.k_norm = None

    def forward(self, x: Tensor, cos: Tensor, sin: Tensor, allowed: Tensor,
                kv_fn: Callable[[Tensor, Tensor], Tuple[Tensor, Tensor]]) -> Tensor:
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.n_heads, self.head_dim)
        k = self.k_proj(x).view(b, t, self.n_kv, self.head_dim)
        v = self.v_proj(x).view(b, t, self.n_kv, self.head_dim)
        if self.q_norm is not None:  # qwen3: per-head RMSNorm, before RoPE
            q, k = self.q_norm(q), self.k_norm(k)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        k, v = kv_fn(k.transpose(1, 2), v.transpose(1, 2))  # [B, KV, S, hd]
        out = attend(q.transpose(1, 2), k, v, allowed)  # [B, H, T, hd]
        return self.o_proj(out.transpose(1, 2).reshape(b, t, self.n_heads * self.head_dim))


def attend(q: Tensor, k: Tensor, v: Tensor, allowed: Tensor) -> Tensor:
    """Grouped-query attention. q [B,H,T,hd]; k, v [B,KV,S,hd]; allowed [B,T,S] bool (True = may attend).

    Query head h reads kv head h // (H/KV), as transformers' repeat_kv does; the eager path groups the query heads
    instead of copying k/v H/KV times.
    """
    b, h, t, hd = q.shape
    n_kv, s = k.shape[1], k.shape[2]
    rep = h // n_kv
    if _use_sdpa():
        if rep > 1:
            k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=allowed.unsqueeze(1))
    qg = (q * (1.0 / math.sqrt(hd))).reshape(b, n_kv, rep * t, hd)
    scores = _upcast(torch.matmul(qg, k.transpose(-1, -2)).view(b, n_kv, rep, t, s))
    # Every row has at least one allowed key (its own position, see `_allowed`), so the softmax never sees a row
    # of -inf and never produces NaN, even for left-padding queries.
    scores = scores.masked_fill(~allowed[:, None, None], float("-inf"))
    probs = torch.softmax(scores, dim=-1).to(v.dtype).view(b, n_kv, rep * t, s)
    return torch.matmul(probs, v).view(b, h, t, hd)


class MLP(nn.Module):
    def __init__(self, cfg: ModelConfig, device=None, dtype=None):
        super().__init__()
        kw = dict(bias=cfg.mlp_bias, device=device, dtype=dtype)
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, **kw)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, **kw)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, **kw)

    def forward(self, x: Tensor) -> Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig, device=None, dtype=None):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps, device=device, dtype=dtype)
        self.self_attn = Attention(cfg, device=device, dtype=dtype)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps, device=device, dtype=dtype)
        self.mlp = MLP(cfg, device=device, dtype=dtype)

    def forward(self, x, cos, sin, allowed, kv_fn):
        h = x + self.self_attn(self.input_layernorm(x), cos, sin, allowed, kv_fn)
        return h + self.mlp(self.post_attention_layernorm(h))


class DecoderBody(nn.Module):
    """The `model.` prefix of HF checkpoints: embeddings, layers, final norm."""

    def __init__(self, cfg: ModelConfig, device=None, dtype=None):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size, device=device, dtype=dtype)
        self.layers = nn.ModuleList([DecoderLayer(cfg, device=device, dtype=dtype)
                                     for _ in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps, device=device, dtype=dtype)


def _allowed(mask: Tensor, past_len: int, t: int) -> Tensor:
    """[B, T, P+T] bool: causal AND key is a real token, OR the key is the query itself.

    The diagonal is always allowed so that padding queries (which have no real key before them) still get a finite
    softmax; real queries lose nothing, their own position is a real token anyway.
    """
    s = mask.shape[1]
    key = torch.arange(s, device=mask.device)
    query = torch.arange(past_len, past_len + t, device=mask.device)
    causal = key[None, :] <= query[:, None]
    diag = key[None, :] == query[:, None]
    return (causal[None] & mask[:, None, :].bool()) | diag[None]


class DecoderLM(nn.Module):
    def __init__(self, cfg: ModelConfig, device=None, dtype=None):
        super().__init__()
        self.config = cfg
        self.model = DecoderBody(cfg, device=device, dtype=dtype)
        if not cfg.tie_word_embeddings:
            self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False, device=device, dtype=dtype)
        # Recompute each layer in backward instead of storing its activations (load_model's gradient_checkpointing).
        self.gradient_checkpointing = False
        self._inv_freq = rope_inv_freq(cfg)
        self._inv_freq_by_device: Dict[str, Tensor] = {}

    # -- weights -----------------------------------------------------------------------------------------------
    @property
    def head_weight(self) -> Tensor:
        """[V, D]: the embedding matrix when tied, else lm_head.weight."""
        if self.config.tie_word_embeddings:
            return self.model.embed_tokens.weight
        return self.lm_head.weight

    @property
    def device(self) -> torch.device:
        return self.model.embed_tokens.weight.device

    @property
    def dtype(self) -> torch.dtype:
        return self.model.embed_tokens.weight.dtype

    def head(self, hidden: Tensor) -> Tensor:
        """Logits for the given hidden rows ([..., D] -> [..., V]); slice before calling."""
        if self.config.tie_word_embeddings:
            return F.linear(hidden, self.model.embed_tokens.weight)
        return self.lm_head(hidden)

    # -- rotary tables -----------------------------------------------------------------------------------------
    def rope(self, position_ids: Tensor, dtype: torch.dtype) -> Tuple[Tensor, Tensor]:
        # Angles in fp32 (fp64 for a float64 model, e.g. gradient checks): bf16 would lose integer positions.
        adt = torch.float64 if dtype == torch.float64 else torch.float32
        key = f"{position_ids.device}/{adt}"
        inv = self._inv_freq_by_device.get(key)
        if inv is None:
            inv = self._inv_freq_by_device[key] = self._inv_freq.to(device=position_ids.device, dtype=adt)
        freqs = position_ids.to(adt)[..., None] * inv
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(dtype), emb.sin().to(dtype)

    # -- forward -----------------------------------------------------------------------------------------------
    def forward_hidden(self, input_ids: Tensor, position_ids: Optional[Tensor] = None,
                       attention_mask: Optional[Tensor] = None, past: Optional[KVCache] = None,
                       use_cache: bool = False) -> Tuple[Tensor, Optional[KVCache]]:
        """Hidden states after the final norm, [B, T, D], and the updated cache when `use_cache`.

        `attention_mask` covers past and new tokens ([B, P+T]); default all ones. `position_ids` default to
        `cumsum(mask) - 1` over the new columns. With `past` and `use_cache=False` the past is read, not extended.
        """
        b, t = input_ids.shape
        p = past.length if past is not None else 0
        if attention_mask is None:
            attention_mask = torch.ones((b, p + t), dtype=torch.long, device=input_ids.device)
        if attention_mask.shape != (b, p + t):
            raise ValueError(f"attention_mask has shape {tuple(attention_mask.shape)}; expected {(b, p + t)} "
                             "(batch, past + new tokens)")
        if position_ids is None:
            position_ids = position_ids_from_mask(attention_mask)[:, p:]
        x = self.model.embed_tokens(input_ids)
        cos, sin = self.rope(position_ids, x.dtype)
        allowed = _allowed(attention_mask, p, t)

        cache = past if use_cache else None
        if use_cache and cache is None:
            cache = KVCache(self.config.num_hidden_layers)
        checkpointing = self.gradient_checkpointing and torch.is_grad_enabled()
        for i, layer in enumerate(self.model.layers):
            if checkpointing:
                x = self._checkpointed_layer(layer, i, x, cos, sin, allowed, past, cache)
                continue
            if cache is not None:
                kv_fn = (lambda c, j: (lambda k, v: c.update(j, k, v)))(cache, i)
            elif past is not None:
                kv_fn = (lambda pk, pv: (lambda k, v: (torch.cat([pk, k], 2), torch.cat([pv, v], 2))))(*past.layer(i))
            else:
                kv_fn = _identity_kv
            x = layer(x, cos, sin, allowed, kv_fn)
        return self.model.norm(x), cache

    def _checkpointed_layer(self, layer, i, x, cos, sin, allowed, past, cache):
        from torch.utils.checkpoint import checkpoint

        # The layer runs twice (forward, then again in backward), so the cache is updated outside it: the
        # checkpointed function is pure and returns the full keys/values.
        pk, pv = past.layer(i) if past is not None else (None, None)

        def run(x_, pk_, pv_):
            kv = {}

            def kv_fn(k, v):
                if pk_ is not None:
                    k, v = torch.cat([pk_, k], 2), torch.cat([pv_, v], 2)
                kv["k"], kv["v"] = k, v
                return k, v
            out = layer(x_, cos, sin, allowed, kv_fn)
            return out, kv["k"], kv["v"]

        out, k, v = checkpoint(run, x, pk, pv, use_reentrant=False)
        if cache is not None:
            cache.keys[i], cache.values[i], cache.lengths[i] = k, v, k.shape[2]
        return out

    def forward(self, input_ids: Tensor, attention_mask: Optional[Tensor] = None,
                position_ids: Optional[Tensor] = None, past: Optional[KVCache] = None, use_cache: bool = False,
                num_logits_to_keep: int = 0) -> Tuple[Tensor, Optional[KVCache]]:
        """Logits [B, T', V] (the last `num_logits_to_keep` positions; 0 = all) and the cache. For inference and
        tests; training slices hidden states through `forward_hidden` + `head` instead."""
        hidden, cache = self.forward_hidden(input_ids, position_ids, attention_mask, past, use_cache)
        if num_logits_to_keep > 0:
            hidden = hidden[:, -num_logits_to_keep:]
        return self.head(hidden), cache


def _identity_kv(k: Tensor, v: Tensor) -> Tuple[Tensor, Tensor]:
    return k, v


# ---- init, load, save --------------------------------------------------------------------------------------------
def init_model(cfg: ModelConfig, seed: int = 0, dtype: torch.dtype = torch.float32, device="cpu") -> DecoderLM:
    """Random weights like transformers' `_init_weights`: normal(0, 0.02) for linear and embedding weights, zero
    biases, norms at 1. Seeded with a private generator so the global RNG is untouched."""
    # Built on meta then materialised: nn.Linear's own init would spend time and draw from the global RNG.
    model = DecoderLM(cfg, device="meta", dtype=torch.float32).to_empty(device="cpu")
    g = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.fill_(1.0)
            elif name.endswith(".bias"):
                p.zero_()
            else:
                p.normal_(0.0, 0.02, generator=g)
    return model.to(device=device, dtype=dtype)


def read_config(path: str) -> ModelConfig:
    cfg_path = os.path.join(path, "config.json")
    try:
        with open(cfg_path, "r", encoding="utf-8") as f:
            d = json.load(f)
    except FileNotFoundError:
        raise ModelError(f"{path}: no config.json; point at a Hugging Face model folder "
                         "(config.json + model.safetensors)") from None
    except json.JSONDecodeError as e:
        raise ModelError(f"{cfg_path}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from e
    return ModelConfig.from_dict(d, source=cfg_path)


# Tensors some checkpoints carry that the module computes itself.
_IGNORED_SUFFIXES = ("rotary_emb.inv_freq",)


def load_state(model: DecoderLM, state: Dict[str, Tensor], source: str, device=None, dtype=None) -> None:
    """Move `state` into `model`'s parameters (replacing them), checking every name and shape.

    Consumes `state` (pops tensors) so a large checkpoint is not held twice.
    """
    cfg = model.config
    if cfg.tie_word_embeddings:
        state.pop("lm_head.weight", None)  # transformers also ignores a stored copy of a tied head
    params = dict(model.named_parameters())
    missing = [n for n in params if n not in state]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        hint = ""
        if missing[0] == "lm_head.weight":
            hint = "; if the head is tied to the embeddings, set \"tie_word_embeddings\": true in config.json"
        raise ModelError(f"{source}: tensor {missing[0]!r} is missing{more}; the checkpoint does not match its "
                         f"config.json (model_type {cfg.model_type!r}){hint}")
    unexpected = [n for n in state if n not in params and not n.endswith(_IGNORED_SUFFIXES)]
    if unexpected:
        raise ModelError(f"{source}: unexpected tensor {unexpected[0]!r} ({len(unexpected)} in all); the checkpoint "
                         f"does not match model_type {cfg.model_type!r} in config.json (e.g. q_norm weights belong "
                         "to qwen3, q/k/v biases to qwen2)")
    for name, p in params.items():
        t = state.pop(name)
        if tuple(t.shape) != tuple(p.shape):
            raise ModelError(f"{source}: tensor {name!r} has shape {list(t.shape)} but config.json implies "
                             f"{list(p.shape)}; the config and the weights do not belong together")
        if not t.is_floating_point():
            raise ModelError(f"{source}: tensor {name!r} has dtype {t.dtype}; weights must be floating point")
        owner_name, _, attr = name.rpartition(".")
        owner = model.get_submodule(owner_name)
        owner._parameters[attr] = nn.Parameter(
            t.to(device=device or p.device, dtype=dtype or p.dtype), requires_grad=p.requires_grad)


def load_model(path: str, device="cpu", dtype: Optional[torch.dtype] = torch.float32) -> Tuple[DecoderLM, ModelConfig]:
    """A DecoderLM from a HF folder (config.json + model.safetensors or a sharded index), weights never unpickled."""
    if not os.path.isdir(path):
        raise ModelError(f"{path}: not a folder; point at a Hugging Face model folder (config.json + model.safetensors)")
    cfg = read_config(path)
    dtype = dtype or torch.float32
    # Built on the meta device (no memory, no random init); load_state swaps in the real tensors.
    model = DecoderLM(cfg, device="meta", dtype=dtype)
    state = safetensors_io.read_folder(path)
    load_state(model, state, source=path, device=device, dtype=dtype)
    model._inv_freq_by_device.clear()
    return model.eval(), cfg


def model_state_dict(model: DecoderLM) -> Dict[str, Tensor]:
    """HF-named weights with any LoRA merged in; a tied head is stored once (as the embedding)."""
    from .lora import merged_state_dict  # lora imports nothing from here at module level; keep it that way

    state = merged_state_dict(model)
    if model.config.tie_word_embeddings:
        state.pop("lm_head.weight", None)
    return state


def save_model(model: DecoderLM, cfg: Optional[ModelConfig], path: str, dtype: Optional[torch.dtype] = None,
               max_shard_bytes: Optional[int] = None) -> None:
    """Write config.json + model.safetensors (LoRA merged) to `path` atomically: a temp folder beside it, renamed.

    Files already in `path` that we do not write (tokenizer files, onnx/) are carried over into the new folder.
    """
    cfg = cfg or model.config
    state = model_state_dict(model)
    if dtype is not None:
        state = {k: v.to(dtype) for k, v in state.items()}
    stored = next(iter(state.values())).dtype
    path = os.path.abspath(path)
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="." + os.path.basename(path) + ".tmp-", dir=parent)
    try:
        d = cfg.to_dict()
        d["torch_dtype"] = str(stored).replace("torch.", "")
        if "dtype" in d:  # newer transformers write "dtype" instead; keep whichever names the file has in step
            d["dtype"] = d["torch_dtype"]
        with open(os.path.join(tmp, "config.json"), "w", encoding="utf-8") as f:
            json.dump(d, f, indent=2)
            f.write("\n")
        safetensors_io.write_folder(tmp, state, metadata={"format": "pt"}, max_shard_bytes=max_shard_bytes)
        ours = set(os.listdir(tmp))
        old = None
        if os.path.isdir(path):
            for name in os.listdir(path):
                stale_weights = name.startswith("model") and (name.endswith(".safetensors") or name == safetensors_io.INDEX_NAME)
                if name not in ours and not stale_weights:
                    os.replace(os.path.join(path, name), os.path.join(tmp, name))
            old = tempfile.mkdtemp(prefix="." + os.path.basename(path) + ".old-", dir=parent)
            os.replace(path, os.path.join(old, "x"))
        os.replace(tmp, path)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
