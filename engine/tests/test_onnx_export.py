"""ONNX export: the graph's inputs/outputs, a single tied embedding, merged LoRA weights, the folder layout.

The numeric parity (ONNX logits vs engine logits, greedy tokens) runs on the TypeScript side with onnxruntime-node
(test/integration/infer/onnx-parity.test.ts): Python here has torch only, no onnx/onnxruntime. So this file reads
the .onnx protobuf itself — a few wire-format fields of ModelProto/GraphProto/TensorProto are all it needs.
"""
import json
import os
import struct

import pytest
import torch

from tooltune_engine.config import ModelConfig
from tooltune_engine.lora import apply_lora
from tooltune_engine.model import init_model, save_model
from tooltune_engine.onnx_export import ExportError, export_folder, export_onnx, io_names


# ---- a minimal protobuf reader (wire format: varint keys, length-delimited submessages) --------------------------
def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf):
    """(field number, wire type, value) for each field of one message; value is bytes for length-delimited."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wt}")
        yield num, wt, v


def _graph(path):
    with open(path, "rb") as f:
        model = f.read()
    opset = None
    graph = None
    for num, _, v in _fields(model):
        if num == 7:  # ModelProto.graph
            graph = v
        if num == 8:  # ModelProto.opset_import (OperatorSetIdProto: domain 1, version 2)
            d = dict((n, x) for n, _, x in _fields(v))
            if not d.get(1):
                opset = d.get(2)
    inputs, outputs, inits, ops = [], [], {}, []
    for num, _, v in _fields(graph):
        if num == 1:  # NodeProto: op_type 4
            ops.append(next(x for n, _, x in _fields(v) if n == 4).decode())
        elif num == 5:  # initializer TensorProto: dims 1, data_type 2, name 8, raw_data 9
            dims, name, raw = [], None, b""
            for n, wt, x in _fields(v):
                if n == 1:
                    if wt == 2:  # packed
                        j = 0
                        while j < len(x):
                            d, j = _varint(x, j)
                            dims.append(d)
                    else:
                        dims.append(x)
                elif n == 8:
                    name = x.decode()
                elif n == 9:
                    raw = x
            inits[name] = (dims, raw)
        elif num in (11, 12):  # input / output ValueInfoProto: name 1
            name = next(x for n, _, x in _fields(v) if n == 1).decode()
            (inputs if num == 11 else outputs).append(name)
    return {"opset": opset, "inputs": inputs, "outputs": outputs, "inits": inits, "ops": ops}


def _tensor(dims, raw):
    return torch.tensor(struct.unpack(f"<{len(raw) // 4}f", raw)).view(*dims)


def _cfg(model_type="qwen3", tied=True, **kw):
    d = dict(model_type=model_type, vocab_size=512, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
             num_attention_heads=4, num_key_value_heads=2, head_dim=8, tie_word_embeddings=tied, eos_token_id=7)
    d.update(kw)
    return ModelConfig.from_dict(d)


# ---- tests ---------------------------------------------------------------------------------------------------
def test_graph_has_the_transformers_js_signature_and_one_tied_embedding(tmp_path):
    cfg = _cfg()
    path = export_onnx(init_model(cfg, seed=0), cfg, str(tmp_path))
    assert path == str(tmp_path / "onnx" / "model.onnx")
    g = _graph(path)
    ins, outs = io_names(2)
    assert g["inputs"] == ins
    assert ins[:4] == ["input_ids", "attention_mask", "position_ids", "num_logits_to_keep"]
    assert ins[4:] == ["past_key_values.0.key", "past_key_values.0.value", "past_key_values.1.key",
                       "past_key_values.1.value"]
    assert g["outputs"] == outs == ["logits", "present.0.key", "present.0.value", "present.1.key", "present.1.value"]
    assert g["opset"] == 17
    # Tied head: the [512, 32] embedding is stored once, no transposed copy (do_constant_folding=False).
    big = [n for n, (dims, _) in g["inits"].items() if dims == [512, 32] or dims == [32, 512]]
    assert len(big) == 1, big
    total_floats = sum(len(raw) // 4 for _, raw in g["inits"].values())
    n_params = sum(p.numel() for p in init_model(cfg, seed=0).parameters())
    # Within a few small tensors of the parameter count: torch merges identical initializers (the all-ones norms),
    # adds small constants; a second 512 x 32 head would add 16,384 floats.
    assert n_params - 1000 <= total_floats < n_params + 2000


def test_untied_llama_and_qwen2_bias_models_export(tmp_path):
    for mt in ("llama", "qwen2"):
        cfg = _cfg(mt, tied=False)
        g = _graph(export_onnx(init_model(cfg, seed=1), cfg, str(tmp_path / mt)))
        shapes = sorted(dims for dims, _ in g["inits"].values() if 512 in dims)
        assert len(shapes) == 2  # embedding and the separate head
        if mt == "qwen2":
            assert any(d == [16] for d, _ in g["inits"].values())  # k/v bias of 2 kv heads x 8


def test_folder_layout_config_and_generation_config(tmp_path):
    cfg = _cfg()
    export_onnx(init_model(cfg, seed=0), cfg, str(tmp_path))
    c = json.loads((tmp_path / "config.json").read_text())
    assert c["model_type"] == "qwen3" and c["num_hidden_layers"] == 2 and c["tie_word_embeddings"] is True
    gen = json.loads((tmp_path / "generation_config.json").read_text())
    assert gen["eos_token_id"] == 7 and gen["do_sample"] is False
    # no temp folders left behind
    assert sorted(os.listdir(tmp_path / "onnx")) == ["model.onnx"]


def test_existing_config_is_kept(tmp_path):
    cfg = _cfg()
    (tmp_path / "config.json").write_text(json.dumps({**cfg.to_dict(), "tooltune": {"codec": "hermes"}}))
    export_onnx(init_model(cfg, seed=0), cfg, str(tmp_path))
    assert json.loads((tmp_path / "config.json").read_text())["tooltune"] == {"codec": "hermes"}


def test_lora_is_merged_into_the_exported_weights(tmp_path):
    cfg = _cfg()
    model = init_model(cfg, seed=0)
    base_q = model.model.layers[0].self_attn.q_proj.weight.detach().clone()
    apply_lora(model, r=4, alpha=8, dropout=0.0, target_modules=["q_proj", "v_proj"])
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.05)
    lora = model.model.layers[0].self_attn.q_proj
    merged = base_q + lora.scaling * lora.lora_B.weight @ lora.lora_A.weight
    g = _graph(export_onnx(model, cfg, str(tmp_path)))
    q = [(_tensor(*v)) for n, v in g["inits"].items() if n.endswith("layers.0.self_attn.q_proj.weight")]
    assert len(q) == 1, list(g["inits"])
    assert torch.allclose(q[0], merged, atol=1e-6)
    assert not torch.allclose(q[0], base_q, atol=1e-4)
    assert not any("lora" in n for n in g["inits"])


def test_bf16_model_exports_as_fp32(tmp_path):
    cfg = _cfg()
    model = init_model(cfg, seed=0, dtype=torch.bfloat16)
    g = _graph(export_onnx(model, cfg, str(tmp_path)))
    emb = [v for n, v in g["inits"].items() if n.endswith("embed_tokens.weight")]
    assert len(emb) == 1 and len(emb[0][1]) == 512 * 32 * 4  # float32 bytes
    assert model.dtype == torch.bfloat16  # the caller's model is untouched


def test_export_folder_from_a_saved_model(tmp_path):
    cfg = _cfg()
    src = tmp_path / "model"
    save_model(init_model(cfg, seed=3), cfg, str(src))
    r = export_folder(str(src))
    assert r["path"] == str(src / "onnx" / "model.onnx") and r["bytes"] > 512 * 32 * 4
    assert (src / "model.safetensors").exists()


def test_old_opset_is_a_clear_error(tmp_path):
    cfg = _cfg()
    with pytest.raises(ExportError, match="opset 11 is too old"):
        export_onnx(init_model(cfg, seed=0), cfg, str(tmp_path), opset=11)


def test_int8_variant_stores_the_tied_head_once_as_int8(tmp_path):
    cfg = _cfg()
    model = init_model(cfg, seed=0)
    path = export_onnx(model, cfg, str(tmp_path), variant="int8")
    assert path == str(tmp_path / "onnx" / "model_int8.onnx")
    g = _graph(path)
    assert g["inputs"] == io_names(2)[0] and g["outputs"] == io_names(2)[1]
    assert "MatMulInteger" in g["ops"] and "DynamicQuantizeLinear" in g["ops"]
    big = {n: (dims, raw) for n, (dims, raw) in g["inits"].items() if 512 in dims and len(dims) == 2}
    assert len(big) == 1, list(big)  # one [32, 512] int8 tensor serves the embedding and the head
    (dims, raw), = big.values()
    assert dims == [32, 512] and len(raw) == 32 * 512  # one byte per weight
    assert any(dims == [512] for dims, _ in g["inits"].values())  # + one fp32 scale per vocabulary row
    # the caller's module is untouched (the int8 embedding was swapped in for the export only)
    assert isinstance(model.model.embed_tokens, torch.nn.Embedding)


def test_quantize_rows_is_within_half_a_step():
    from tooltune_engine.onnx_export import quantize_rows
    w = torch.randn(300, 16) * torch.linspace(0.01, 3, 300)[:, None]
    q_t, scale = quantize_rows(w)
    assert q_t.dtype == torch.int8 and q_t.shape == (16, 300) and scale.shape == (300,)
    err = (q_t.t().float() * scale[:, None] - w).abs()
    assert bool((err <= scale[:, None] / 2 + 1e-6).all())
    assert int(q_t.abs().max()) == 127


def test_unknown_variant_is_a_clear_error(tmp_path):
    cfg = _cfg()
    with pytest.raises(ExportError, match="unknown ONNX variant 'q4'"):
        export_onnx(init_model(cfg, seed=0), cfg, str(tmp_path), variant="q4")
