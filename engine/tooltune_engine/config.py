"""The subset of a Hugging Face `config.json` the decoder needs, checked when it is read.

One dataclass covers the three families ToolTune tunes; they differ only in switches:
- `llama` (Llama 3.x, SmolLM2): optional bias on q/k/v/o (`attention_bias`), optional Llama-3 RoPE scaling.
- `qwen2` (Qwen2.5): q/k/v always carry a bias (Qwen2's attention hard-codes it), o_proj never does.
- `qwen3`: per-head RMSNorm on q and k before RoPE (`qk_norm`), no bias unless `attention_bias`.
Keys we do not use are kept in `extra` so a config written back by `to_dict` loses nothing.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Optional, Union

from .errors import ModelError

MODEL_TYPES = ("llama", "qwen2", "qwen3")

# HF class names, written into config.json so other tools (transformers, transformers.js) recognise the folder.
ARCHITECTURES = {"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM", "qwen3": "Qwen3ForCausalLM"}

# Library defaults of transformers' LlamaConfig / Qwen2Config / Qwen3Config for keys a config.json may leave out.
_DEFAULT_MAX_POSITIONS = {"llama": 2048, "qwen2": 32768, "qwen3": 32768}
_DEFAULT_TIED = {"llama": False, "qwen2": False, "qwen3": False}

_TYPED_KEYS = (
    "model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
    "num_key_value_heads", "head_dim", "rms_norm_eps", "rope_theta", "rope_scaling", "max_position_embeddings",
    "tie_word_embeddings", "attention_bias", "mlp_bias", "qk_norm", "bos_token_id", "eos_token_id",
)


@dataclasses.dataclass
class ModelConfig:
    model_type: str
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: int
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    rope_scaling: Optional[dict] = None
    max_position_embeddings: int = 2048
    tie_word_embeddings: bool = False
    # Bias on q/k/v (and on o_proj for llama/qwen3, as transformers does). Always true for qwen2.
    attention_bias: bool = False
    mlp_bias: bool = False
    qk_norm: bool = False
    bos_token_id: Optional[int] = None
    eos_token_id: Union[int, list, None] = None
    extra: dict = dataclasses.field(default_factory=dict)

    # ---- derived switches -------------------------------------------------------------------------------------
    @property
    def qkv_bias(self) -> bool:
        return self.attention_bias or self.model_type == "qwen2"

    @property
    def o_bias(self) -> bool:
        # Qwen2's o_proj has no bias even though q/k/v do; llama/qwen3 put `attention_bias` on all four.
        return self.attention_bias and self.model_type != "qwen2"

    @property
    def eos_token_ids(self) -> list:
        if self.eos_token_id is None:
            return []
        return list(self.eos_token_id) if isinstance(self.eos_token_id, list) else [self.eos_token_id]

    # ---- reading and writing ----------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, d: Any, source: str = "config.json") -> "ModelConfig":
        if not isinstance(d, dict):
            raise ModelError(f"{source}: expected a JSON object, got {type(d).__name__}")
        mt = d.get("model_type")
        if mt not in MODEL_TYPES:
            raise ModelError(
                f"{source}: model_type {mt!r} is not supported; ToolTune trains {', '.join(MODEL_TYPES)} "
                "models (Llama 3.x / SmolLM2, Qwen2.5, Qwen3). Pick a checkpoint of one of these families.")

        def req_int(key: str, minimum: int = 1) -> int:
            v = d.get(key)
            if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
                raise ModelError(f"{source}: field {key!r} must be an integer >= {minimum}, got {v!r}")
            return v

        def opt_num(key: str, default: float, positive: bool = True) -> float:
            v = d.get(key)
            if v is None:
                return default
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or (positive and v <= 0):
                raise ModelError(f"{source}: field {key!r} must be a positive number, got {v!r}")
            return float(v)

        def opt_bool(key: str, default: bool) -> bool:
            v = d.get(key)
            if v is None:
                return default
            if not isinstance(v, bool):
                raise ModelError(f"{source}: field {key!r} must be true or false, got {v!r}")
            return v

        act = d.get("hidden_act", "silu")
        if act != "silu":
            raise ModelError(f"{source}: field 'hidden_act' is {act!r}; the {mt} decoder implements 'silu' only")
        if d.get("use_sliding_window"):
            raise ModelError(f"{source}: 'use_sliding_window' is true; sliding-window attention is not implemented. "
                             "Set it to false (Qwen2.5 checkpoints ship it false).")

        hidden = req_int("hidden_size")
        heads = req_int("num_attention_heads")
        kv = d.get("num_key_value_heads")
        kv = heads if kv is None else req_int("num_key_value_heads")
        if heads % kv != 0:
            raise ModelError(f"{source}: num_attention_heads ({heads}) must be a multiple of "
                             f"num_key_value_heads ({kv}) for grouped-query attention")
        if d.get("head_dim") is None:
            if hidden % heads != 0:
                raise ModelError(f"{source}: hidden_size ({hidden}) is not divisible by num_attention_heads "
                                 f"({heads}); give 'head_dim' explicitly")
            head_dim = hidden // heads
        else:
            head_dim = req_int("head_dim")
        if head_dim % 2 != 0:
            raise ModelError(f"{source}: head_dim ({head_dim}) must be even for rotary embeddings")

        eos = d.get("eos_token_id")
        if eos is not None and not (isinstance(eos, int) or (isinstance(eos, list) and all(isinstance(e, int) for e in eos))):
            raise ModelError(f"{source}: field 'eos_token_id' must be an integer or a list of integers, got {eos!r}")
        bos = d.get("bos_token_id")
        if bos is not None and (isinstance(bos, bool) or not isinstance(bos, int)):
            raise ModelError(f"{source}: field 'bos_token_id' must be an integer, got {bos!r}")

        cfg = cls(
            model_type=mt,
            vocab_size=req_int("vocab_size"),
            hidden_size=hidden,
            intermediate_size=req_int("intermediate_size"),
            num_hidden_layers=req_int("num_hidden_layers"),
            num_attention_heads=heads,
            num_key_value_heads=kv,
            head_dim=head_dim,
            rms_norm_eps=opt_num("rms_norm_eps", 1e-6),
            rope_theta=opt_num("rope_theta", 10000.0),
            rope_scaling=_check_rope_scaling(d.get("rope_scaling"), source),
            max_position_embeddings=int(opt_num("max_position_embeddings", _DEFAULT_MAX_POSITIONS[mt])),
            tie_word_embeddings=opt_bool("tie_word_embeddings", _DEFAULT_TIED[mt]),
            attention_bias=opt_bool("attention_bias", mt == "qwen2"),
            mlp_bias=opt_bool("mlp_bias", False),
            qk_norm=opt_bool("qk_norm", mt == "qwen3"),
            bos_token_id=bos,
            eos_token_id=eos,
            extra={k: v for k, v in d.items() if k not in _TYPED_KEYS},
        )
        cfg.extra.setdefault("architectures", [ARCHITECTURES[mt]])
        cfg.extra.setdefault("hidden_act", "silu")
        if cfg.mlp_bias and mt != "llama":
            raise ModelError(f"{source}: 'mlp_bias' is only defined for llama models")
        return cfg

    def to_dict(self) -> dict:
        """A HF-style config dict: the untouched extra keys, then every typed field."""
        out = dict(self.extra)
        for k in _TYPED_KEYS:
            v = getattr(self, k)
            if k == "qk_norm" and self.model_type == "qwen3" and v:
                continue  # implied by model_type; transformers' Qwen3Config has no such key
            if k == "mlp_bias" and self.model_type != "llama":
                continue
            out[k] = v
        return out

    def num_parameters(self) -> int:
        """Parameter count of the decoder (tied head counted once)."""
        d, hd = self.hidden_size, self.head_dim
        q, kv = self.num_attention_heads * hd, self.num_key_value_heads * hd
        attn = d * q + 2 * d * kv + q * d
        if self.qkv_bias:
            attn += q + 2 * kv
        if self.o_bias:
            attn += d
        if self.qk_norm:
            attn += 2 * hd
        mlp = 3 * d * self.intermediate_size + (2 * self.intermediate_size + d if self.mlp_bias else 0)
        layer = attn + mlp + 2 * d
        head = 0 if self.tie_word_embeddings else self.vocab_size * d
        return self.vocab_size * d + self.num_hidden_layers * layer + d + head


def _check_rope_scaling(rs: Any, source: str) -> Optional[dict]:
    """Accept no scaling, linear scaling, or Llama-3 scaling; refuse the rest by name rather than silently ignore."""
    if rs is None:
        return None
    if not isinstance(rs, dict):
        raise ModelError(f"{source}: field 'rope_scaling' must be an object or null, got {rs!r}")
    kind = rs.get("rope_type", rs.get("type"))
    if kind in (None, "default"):
        return None
    if kind == "linear":
        f = rs.get("factor")
        if not isinstance(f, (int, float)) or isinstance(f, bool) or f <= 0:
            raise ModelError(f"{source}: rope_scaling.factor must be a positive number, got {f!r}")
        return dict(rs)
    if kind == "llama3":
        for k in ("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"):
            v = rs.get(k)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v <= 0:
                raise ModelError(f"{source}: rope_scaling.{k} must be a positive number for llama3 scaling, got {v!r}")
        if rs["high_freq_factor"] <= rs["low_freq_factor"]:
            raise ModelError(f"{source}: rope_scaling.high_freq_factor must be greater than low_freq_factor")
        return dict(rs)
    raise ModelError(f"{source}: rope_scaling type {kind!r} is not supported (supported: default, linear, llama3). "
                     "Remove 'rope_scaling' to train at the model's native context length.")
