"""Tiny model configs and helpers shared by the engine's model tests (vocab ~300, d 32-64, 2 layers)."""
import torch

from tooltune_engine.config import ModelConfig
from tooltune_engine.model import init_model

BASE = dict(vocab_size=300, hidden_size=64, intermediate_size=96, num_hidden_layers=2, rms_norm_eps=1e-6)

CONFIGS = {
    # untied head, Llama-3 RoPE scaling with a short original context so the tiny head_dim spans all three bands
    "llama": dict(BASE, model_type="llama", num_attention_heads=4, num_key_value_heads=2, rope_theta=10000.0,
                  tie_word_embeddings=False,
                  rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
    # q/k/v bias, tied head, MHA with head_dim from hidden/heads
    "qwen2": dict(BASE, model_type="qwen2", num_attention_heads=4, num_key_value_heads=4, rope_theta=1e6,
                  tie_word_embeddings=True),
    # q/k norm, explicit head_dim != hidden/heads, GQA 4:1
    "qwen3": dict(BASE, model_type="qwen3", num_attention_heads=4, num_key_value_heads=1, head_dim=8,
                  rope_theta=1e6, tie_word_embeddings=True),
}


def config(family: str, **over) -> ModelConfig:
    return ModelConfig.from_dict(dict(CONFIGS[family], **over))


def randomize(model: torch.nn.Module, seed: int = 0, scale: float = 0.1) -> torch.nn.Module:
    """Every parameter random (norm weights around 1, non-zero biases) so no switch goes untested by a zero."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g, dtype=torch.float64).to(p.dtype)
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.2 * noise)
            elif name.endswith(".bias"):
                p.copy_(0.5 * noise)
            else:
                p.copy_(scale * noise)
    return model


def tiny_model(family: str, seed: int = 0, dtype=torch.float32, **over):
    cfg = config(family, **over)
    return randomize(init_model(cfg, seed), seed).to(dtype), cfg
