"""ToolTune's policy engine: a small decoder-only LM (llama / qwen2 / qwen3) in plain PyTorch, with LoRA, batched
KV-cache sampling and GRPO training, driven over JSON-RPC by the TypeScript orchestrator.

torch is the only dependency; the code runs on torch 1.13 (Debian, CPU) and 2.x (CUDA, bf16).
"""

__version__ = "0.1.0"
