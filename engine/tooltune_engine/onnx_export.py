"""Export a (merged) DecoderLM to ONNX in the layout transformers.js loads, for inline use in the editor.

    out_dir/config.json              model_type + num_hidden_layers (transformers.js reads both), written if missing
    out_dir/generation_config.json   eos ids, greedy defaults
    out_dir/onnx/model.onnx          the graph (fp32)
    out_dir/onnx/model_int8.onnx     `variant="int8"`: the same graph with the output head stored as int8 (see below)

Graph contract (ARCHITECTURE.md "Model formats"; what transformers.js feeds a decoder-only model):
  inputs   input_ids [batch_size, sequence_length] int64, attention_mask [batch_size, past_sequence_length +
           sequence_length] int64, position_ids [batch_size, sequence_length] int64, num_logits_to_keep 0-d int64
           (0 = every position, k = the last k), past_key_values.{i}.key/value [batch_size, n_kv, past, head_dim]
  outputs  logits [batch_size, kept, vocab], present.{i}.key/value [batch_size, n_kv, past + sequence_length,
           head_dim]
Head count and head_dim are static (they come from the weights); batch and the two lengths are dynamic, and an empty
past (length 0) works because the graph only concatenates it. Position ids come from the caller (transformers.js and
our own loop use cumsum(mask) - 1, as training does).

The int8 variant: on CPU a decode step is dominated by the head, a [V, D] matrix (V = 151,936 for Qwen) read in full
for every token (ARCHITECTURE.md). It is stored once as int8 [D, V] with one fp32 scale per vocabulary row
(symmetric, scale = max|row| / 127): the head is DynamicQuantizeLinear(hidden) -> MatMulInteger -> scales, 4x fewer
bytes per step; a tied embedding gathers its rows from the same int8 tensor and rescales them. Everything else stays
fp32. `tooltune bench inline` and the parity tests measure what this costs in accuracy and gains in speed.

`do_constant_folding=False` keeps a tied embedding a single initializer: folding would materialise the head's
transposed copy, doubling the file (152k x D floats). Run with `python -m tooltune_engine.onnx_export MODEL OUT`.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from typing import List, Optional, Tuple

import torch
from torch import nn

from .config import ModelConfig
from .errors import EngineError
from .model import DecoderLM, KVCache, load_model, load_state, model_state_dict

VARIANT_FILES = {"fp32": "model.onnx", "int8": "model_int8.onnx"}  # transformers.js dtype suffixes ("" and "_int8")
OPSET_MIN = 14  # Trilu/Range/dynamic Slice and friends; transformers.js models are exported at 14+ (17 default).


class ExportError(EngineError):
    """The model cannot be exported (unsupported opset, unwritable folder)."""


class _OnnxDecoder(nn.Module):
    """The exported signature around DecoderLM: flat past tensors in, logits + flat presents out."""

    def __init__(self, lm: DecoderLM, int8_head: Optional[Tuple[nn.Parameter, nn.Parameter]] = None):
        super().__init__()
        self.lm = lm
        self.num_layers = lm.config.num_hidden_layers
        self.int8_head = int8_head

    def forward(self, input_ids, attention_mask, position_ids, num_logits_to_keep, *past_flat):
        past = KVCache.from_tensors([(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(self.num_layers)])
        hidden, cache = self.lm.forward_hidden(input_ids, position_ids, attention_mask, past, use_cache=True)
        # Keep the last k positions (k = 0: all). Gathered with a traced index, so k stays a graph input and the
        # head only runs over the kept rows (decode steps: 1 row instead of the whole prompt).
        t = hidden.shape[1]
        start = torch.where(num_logits_to_keep > 0, t - num_logits_to_keep, torch.zeros_like(num_logits_to_keep))
        idx = torch.arange(start, t, device=hidden.device)
        kept = hidden.index_select(1, idx)
        if self.int8_head is None:
            logits = self.lm.head(kept)
        else:
            b, k, d = kept.shape
            logits = _Int8HeadMatMul.apply(kept.reshape(b * k, d), *self.int8_head).reshape(b, k, -1)
        out: List[torch.Tensor] = [logits]
        for k, v in cache.to_tensors():
            out += [k, v]
        return tuple(out)


class _Int8HeadMatMul(torch.autograd.Function):
    """logits = (x @ wq_t) * scale with x fp32 [N, D], wq_t int8 [D, V], scale fp32 [V].

    Eager forward (used while tracing) is the dequantised product; the exported graph quantises x per call
    (DynamicQuantizeLinear: uint8 + scale + zero point) and multiplies in integers (MatMulInteger), which
    onnxruntime fuses into one int8 GEMM with the rescale.
    """

    @staticmethod
    def forward(ctx, x, wq_t, scale):  # noqa: D401 - autograd signature
        return torch.matmul(x, wq_t.float()) * scale

    @staticmethod
    def symbolic(g, x, wq_t, scale):
        xq, xs, xzp = g.op("DynamicQuantizeLinear", x, outputs=3)
        acc = g.op("MatMulInteger", xq, wq_t, xzp)
        return g.op("Mul", g.op("Mul", g.op("Cast", acc, to_i=1), xs), scale)


def quantize_rows(w: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Symmetric per-row int8 of a [V, D] matrix: returns (int8 [D, V] transposed for the head, fp32 scales [V])."""
    w = w.detach().float()
    scale = w.abs().amax(dim=1).clamp(min=1e-12) / 127.0
    q = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8)
    return q.t().contiguous(), scale


class _Int8Embedding(nn.Module):
    """A tied embedding read from the head's int8 [D, V] tensor: gather columns, rescale, back to [B, T, D]."""

    def __init__(self, wq_t: torch.Tensor, scale: torch.Tensor):
        super().__init__()
        self.wq_t = nn.Parameter(wq_t, requires_grad=False)
        self.scale = nn.Parameter(scale, requires_grad=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        flat = ids.reshape(-1)
        cols = self.wq_t.index_select(1, flat).float() * self.scale.index_select(0, flat)
        return cols.t().reshape(ids.shape[0], ids.shape[1], -1)


def io_names(num_layers: int) -> Tuple[List[str], List[str]]:
    inputs = ["input_ids", "attention_mask", "position_ids", "num_logits_to_keep"]
    outputs = ["logits"]
    for i in range(num_layers):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    return inputs, outputs


def _cpu_fp32_copy(model: DecoderLM, cfg: ModelConfig) -> DecoderLM:
    """The merged weights as a CPU float32 module: ONNX for CPU inference is exported in fp32 whatever the model
    trained in (bf16 on CUDA, LoRA adapters on top). A model that already is plain CPU fp32 is used as it is."""
    from .lora import has_lora

    if not has_lora(model) and model.device.type == "cpu" and model.dtype == torch.float32:
        return model
    fresh = DecoderLM(cfg, device="meta", dtype=torch.float32)
    state = {k: v.detach().to("cpu", torch.float32) for k, v in model_state_dict(model).items()}
    load_state(fresh, state, source="the loaded model", device="cpu", dtype=torch.float32)
    fresh._inv_freq_by_device.clear()
    return fresh.eval()


def _write_json(path: str, value: dict) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def _generation_config(cfg: ModelConfig) -> dict:
    g = {"do_sample": False, "max_new_tokens": 256}
    if cfg.bos_token_id is not None:
        g["bos_token_id"] = cfg.bos_token_id
    if cfg.eos_token_id is not None:
        g["eos_token_id"] = cfg.eos_token_id
    return g


def _tracing_exporter() -> dict:
    """The TorchScript-tracing exporter on every torch: torch >= 2.9 defaults to the dynamo exporter, which rejects
    `dynamic_axes` ("Failed to convert 'dynamic_axes' to 'dynamic_shapes'", seen on torch 2.11 + CUDA); torch 1.13
    has no `dynamo` argument at all."""
    import inspect
    return {'dynamo': False} if 'dynamo' in inspect.signature(torch.onnx.export).parameters else {}


def _dummy_inputs(cfg: ModelConfig, dtype=torch.float32):
    # Traced with a non-empty past (2) and new tokens (3) of different lengths, so no size is mistaken for another
    # and every length stays symbolic; batch 2 for the same reason.
    b, past, t = 2, 2, 3
    ids = torch.randint(0, cfg.vocab_size, (b, t), dtype=torch.long)
    mask = torch.ones((b, past + t), dtype=torch.long)
    pos = torch.arange(past, past + t, dtype=torch.long)[None].expand(b, t).contiguous()
    keep = torch.tensor(1, dtype=torch.long)
    kv = []
    for _ in range(cfg.num_hidden_layers):
        kv += [torch.zeros((b, cfg.num_key_value_heads, past, cfg.head_dim), dtype=dtype)] * 2
    return (ids, mask, pos, keep, *kv)


def export_onnx(model: DecoderLM, cfg: Optional[ModelConfig], out_dir: str, opset: int = 17,
                variant: str = "fp32") -> str:
    """Write `out_dir/onnx/model.onnx` (variant "int8": `model_int8.onnx`) + config.json, generation_config.json;
    returns the .onnx path.

    The .onnx file is written to a temp folder and renamed into place, so a reader never sees half a file.
    """
    cfg = cfg or model.config
    if opset < OPSET_MIN:
        raise ExportError(f"opset {opset} is too old for the decoder graph; use {OPSET_MIN} or newer (default 17)")
    if variant not in VARIANT_FILES:
        raise ExportError(f"unknown ONNX variant {variant!r}; use one of {', '.join(VARIANT_FILES)}")
    out_dir = os.path.abspath(out_dir)
    onnx_dir = os.path.join(out_dir, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)

    lm = _cpu_fp32_copy(model, cfg)
    int8_head = None
    saved_embedding = lm.model.embed_tokens
    if variant == "int8":
        wq_t, scale = quantize_rows(lm.head_weight)
        int8_head = (nn.Parameter(wq_t, requires_grad=False), nn.Parameter(scale, requires_grad=False))
        if cfg.tie_word_embeddings:
            # Swapped in for the export only (the caller's model may be this very module), restored below.
            lm.model.embed_tokens = _Int8Embedding(int8_head[0], int8_head[1])
            int8_head = (lm.model.embed_tokens.wq_t, lm.model.embed_tokens.scale)
    wrapper = _OnnxDecoder(lm, int8_head).eval()
    name = VARIANT_FILES[variant]
    inputs, outputs = io_names(cfg.num_hidden_layers)
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(cfg.num_hidden_layers):
        for kind in ("key", "value"):
            axes[f"past_key_values.{i}.{kind}"] = {0: "batch_size", 2: "past_sequence_length"}
            axes[f"present.{i}.{kind}"] = {0: "batch_size", 2: "total_sequence_length"}

    tmp = tempfile.mkdtemp(prefix=".export-", dir=onnx_dir)
    prev_attention = os.environ.get("TOOLTUNE_ATTENTION")
    # The written-out attention (fp32 softmax) is the tested path and exports to plain ONNX ops on every torch;
    # torch 2.x's SDPA would export too, but as a different op mix than the one the parity test checks.
    os.environ["TOOLTUNE_ATTENTION"] = "eager"
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # The tracer warns about Python-side shape checks in forward_hidden; they hold for every input shape.
            warnings.simplefilter("ignore")
            tmp_path = os.path.join(tmp, name)
            torch.onnx.export(wrapper, _dummy_inputs(cfg), tmp_path, input_names=inputs, output_names=outputs,
                              dynamic_axes=axes, opset_version=opset, do_constant_folding=False,
                              **_tracing_exporter())
        final = os.path.join(onnx_dir, name)
        _replace_model_files(tmp, onnx_dir, name)
    finally:
        lm.model.embed_tokens = saved_embedding
        shutil.rmtree(tmp, ignore_errors=True)
        if prev_attention is None:
            os.environ.pop("TOOLTUNE_ATTENTION", None)
        else:
            os.environ["TOOLTUNE_ATTENTION"] = prev_attention

    cfg_path = os.path.join(out_dir, "config.json")
    if not os.path.exists(cfg_path):
        d = cfg.to_dict()
        d.setdefault("torch_dtype", "float32")
        _write_json(cfg_path, d)
    _write_json(os.path.join(out_dir, "generation_config.json"), _generation_config(cfg))
    return final


def _replace_model_files(src_dir: str, dst_dir: str, main: str) -> None:
    """Move the exported file(s) into place (large models also write external tensor files next to the graph)."""
    for name in os.listdir(src_dir):
        if name != main:
            os.replace(os.path.join(src_dir, name), os.path.join(dst_dir, name))
    os.replace(os.path.join(src_dir, main), os.path.join(dst_dir, main))


def export_folder(model_path: str, out_dir: Optional[str] = None, opset: int = 17, variant: str = "fp32") -> dict:
    """Load a HF folder and export it (CLI / server helper); returns {path, bytes, seconds}."""
    t0 = time.time()
    model, cfg = load_model(model_path, device="cpu", dtype=torch.float32)
    path = export_onnx(model, cfg, out_dir or model_path, opset=opset, variant=variant)
    return {"path": path, "bytes": os.path.getsize(path), "seconds": round(time.time() - t0, 3)}


def main(argv: List[str]) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m tooltune_engine.onnx_export",
                                description="Export a Hugging Face model folder to onnx/model.onnx for transformers.js")
    p.add_argument("model", help="model folder (config.json + model.safetensors)")
    p.add_argument("out", nargs="?", help="output folder (default: the model folder)")
    p.add_argument("--opset", type=int, default=17)
    p.add_argument("--variant", choices=sorted(VARIANT_FILES), default="fp32",
                   help="fp32 (onnx/model.onnx) or int8 (onnx/model_int8.onnx: int8 output head)")
    a = p.parse_args(argv)
    try:
        torch.set_num_threads(os.cpu_count() or 1)
        print(json.dumps(export_folder(a.model, a.out, a.opset, a.variant)))
        return 0
    except EngineError as e:
        print(f"export failed: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
