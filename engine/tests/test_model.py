import json
import math
import os

import pytest
import torch

from _tiny import config, tiny_model
from tooltune_engine import safetensors_io
from tooltune_engine.errors import ModelError
from tooltune_engine.model import (KVCache, DecoderLM, init_model, load_model, position_ids_from_mask, save_model)

FAMILIES = ["llama", "qwen2", "qwen3"]


# ---- a slow, obviously-correct reference: one sequence, per head, per position, float64 ------------------------
def ref_inv_freq(cfg):
    hd = cfg.head_dim
    out = []
    for i in range(hd // 2):
        f = 1.0 / cfg.rope_theta ** (2 * i / hd)
        rs = cfg.rope_scaling
        if rs and rs["rope_type"] == "llama3":
            old, lo, hi, factor = (rs["original_max_position_embeddings"], rs["low_freq_factor"],
                                   rs["high_freq_factor"], rs["factor"])
            wl = 2 * math.pi / f
            if wl < old / hi:
                pass
            elif wl > old / lo:
                f = f / factor
            else:
                s = (old / wl - lo) / (hi - lo)
                f = (1 - s) * f / factor + s * f
        out.append(f)
    return out


def ref_logits(state, cfg, ids):
    W = {k: v.double() for k, v in state.items()}
    hd, H, KV = cfg.head_dim, cfg.num_attention_heads, cfg.num_key_value_heads
    freqs = ref_inv_freq(cfg)

    def rms(v, w):
        return w * v / torch.sqrt((v * v).mean() + cfg.rms_norm_eps)

    def rope(v, pos):
        # rotate pair (i, i + hd/2) as the complex number v[i] + j v[i + hd/2] by angle pos * freq_i
        half = hd // 2
        z = torch.complex(v[:half], v[half:])
        ang = torch.tensor([pos * f for f in freqs], dtype=torch.float64)
        z = z * torch.polar(torch.ones_like(ang), ang)
        return torch.cat([z.real, z.imag])

    def lin(name, x):
        y = W[name + ".weight"] @ x
        return y + W[name + ".bias"] if name + ".bias" in W else y

    xs = [W["model.embed_tokens.weight"][i] for i in ids]
    for l in range(cfg.num_hidden_layers):
        p = f"model.layers.{l}."
        hs = [rms(x, W[p + "input_layernorm.weight"]) for x in xs]
        qs = [lin(p + "self_attn.q_proj", h) for h in hs]
        ks = [lin(p + "self_attn.k_proj", h) for h in hs]
        vs = [lin(p + "self_attn.v_proj", h) for h in hs]
        outs = []
        for t in range(len(ids)):
            heads = []
            for h in range(H):
                kvh = h // (H // KV)
                q = qs[t][h * hd:(h + 1) * hd]
                if cfg.qk_norm:
                    q = rms(q, W[p + "self_attn.q_norm.weight"])
                q = rope(q, t)
                scores, values = [], []
                for s in range(t + 1):
                    k = ks[s][kvh * hd:(kvh + 1) * hd]
                    if cfg.qk_norm:
                        k = rms(k, W[p + "self_attn.k_norm.weight"])
                    k = rope(k, s)
                    scores.append(float(q @ k) / math.sqrt(hd))
                    values.append(vs[s][kvh * hd:(kvh + 1) * hd])
                m = max(scores)
                e = [math.exp(sc - m) for sc in scores]
                heads.append(sum(w / sum(e) * v for w, v in zip(e, values)))
            outs.append(lin(p + "self_attn.o_proj", torch.cat(heads)))
        xs = [x + o for x, o in zip(xs, outs)]
        new = []
        for x in xs:
            h = rms(x, W[p + "post_attention_layernorm.weight"])
            g, u = lin(p + "mlp.gate_proj", h), lin(p + "mlp.up_proj", h)
            new.append(x + lin(p + "mlp.down_proj", g * torch.sigmoid(g) * u))
        xs = new
    head = W["model.embed_tokens.weight"] if cfg.tie_word_embeddings else W["lm_head.weight"]
    return torch.stack([head @ rms(x, W["model.norm.weight"]) for x in xs])


@pytest.mark.parametrize("family", FAMILIES)
def test_forward_matches_reference(family):
    model, cfg = tiny_model(family, seed=1, dtype=torch.float64)
    ids = [5, 17, 250, 3, 99, 42, 7]
    logits, _ = model(torch.tensor([ids]))
    want = ref_logits(model.state_dict(), cfg, ids)
    assert logits.shape == (1, len(ids), cfg.vocab_size)
    assert torch.allclose(logits[0], want, atol=1e-10, rtol=1e-9), (logits[0] - want).abs().max()


def test_reference_is_sensitive_to_each_switch():
    """Guards the reference itself: flipping a family switch changes the logits it computes."""
    model, cfg = tiny_model("qwen3", seed=1, dtype=torch.float64)
    ids = [1, 2, 3, 4]
    base = ref_logits(model.state_dict(), cfg, ids)
    import dataclasses
    no_norm = dataclasses.replace(cfg, qk_norm=False)
    assert not torch.allclose(base, ref_logits(model.state_dict(), no_norm, ids))
    other_theta = dataclasses.replace(cfg, rope_theta=100.0)
    assert not torch.allclose(base, ref_logits(model.state_dict(), other_theta, ids))


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("buffered", [False, True])
def test_kv_cache_decoding_equals_full_recompute(family, buffered):
    model, cfg = tiny_model(family, seed=2, dtype=torch.float64)
    ids = torch.tensor([[11, 22, 33, 44, 55, 66, 77, 88, 99]])
    full, _ = model(ids)
    with torch.no_grad():
        h, cache = model.forward_hidden(ids[:, :5], use_cache=True)
        if buffered:
            cache.reserve(ids.shape[1])
        got = [model.head(h)]
        for t in range(5, ids.shape[1]):
            h, cache = model.forward_hidden(ids[:, t:t + 1], past=cache, use_cache=True)
            got.append(model.head(h))
    assert cache.length == ids.shape[1] and cache.buffered == buffered
    assert torch.allclose(torch.cat(got, 1), full, atol=1e-10)


@pytest.mark.parametrize("family", FAMILIES)
def test_left_padding_equals_no_padding(family):
    model, cfg = tiny_model(family, seed=3, dtype=torch.float64)
    a, b = [4, 8, 15, 16, 23, 42], [7, 9]
    ids = torch.tensor([a, [0] * 4 + b])
    mask = torch.tensor([[1] * 6, [0] * 4 + [1] * 2])
    pos = position_ids_from_mask(mask)
    assert pos[1].tolist() == [0, 0, 0, 0, 0, 1]
    logits, cache = model(ids, attention_mask=mask, position_ids=pos, use_cache=True)
    la, _ = model(torch.tensor([a]))
    lb, _ = model(torch.tensor([b]))
    assert torch.allclose(logits[0], la[0], atol=1e-10)
    assert torch.allclose(logits[1, 4:], lb[0], atol=1e-10)
    assert torch.isfinite(logits).all()  # padding rows are finite too (no NaN from fully masked softmax rows)
    # one decode step on the padded batch: still the same as each sequence alone
    nxt = torch.tensor([[3], [5]])
    mask2 = torch.cat([mask, torch.ones(2, 1, dtype=torch.long)], 1)
    step, _ = model(nxt, attention_mask=mask2, position_ids=torch.tensor([[6], [2]]), past=cache, use_cache=True)
    la2, _ = model(torch.tensor([a + [3]]))
    lb2, _ = model(torch.tensor([b + [5]]))
    assert torch.allclose(step[0, 0], la2[0, -1], atol=1e-10)
    assert torch.allclose(step[1, 0], lb2[0, -1], atol=1e-10)


def test_padding_gradients_are_finite_and_do_not_leak():
    model, _ = tiny_model("llama", seed=4, dtype=torch.float64)  # untied: the head does not touch row 0
    ids = torch.tensor([[0, 0, 0, 5, 6, 7]])
    mask = torch.tensor([[0, 0, 0, 1, 1, 1]])
    h, _ = model.forward_hidden(ids, attention_mask=mask)
    model.head(h[:, -1]).logsumexp(-1).sum().backward()
    emb_grad = model.model.embed_tokens.weight.grad
    assert torch.isfinite(emb_grad).all()
    assert emb_grad[0].abs().max() == 0  # the pad token (id 0) influenced nothing


def test_kv_cache_repeat_and_select():
    model, cfg = tiny_model("qwen2", seed=5)
    with torch.no_grad():
        _, cache = model.forward_hidden(torch.tensor([[1, 2, 3], [4, 5, 6]]), use_cache=True)
    rep = cache.repeat_interleave(3)
    assert rep.batch_size == 6 and rep.length == 3
    k0 = cache.layer(0)[0]
    assert torch.equal(rep.layer(0)[0][3], k0[1]) and torch.equal(rep.layer(0)[0][2], k0[0])
    sel = rep.select([5, 0])
    assert torch.equal(sel.layer(1)[1][0], cache.layer(1)[1][1])
    assert torch.equal(sel.layer(1)[1][1], cache.layer(1)[1][0])
    rep.reserve(10)
    assert rep.keys[0].shape[2] == 10 and rep.length == 3
    assert rep.select([1]).keys[0].shape[2] == 10  # select keeps the preallocated room
    back = KVCache.from_tensors(cache.to_tensors())
    assert back.length == 3 and torch.equal(back.layer(0)[0], k0)


def test_head_on_sliced_hidden_equals_full_logits():
    model, _ = tiny_model("llama", seed=6)
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    full, _ = model(ids)
    last, _ = model(ids, num_logits_to_keep=2)
    assert torch.allclose(last, full[:, -2:], atol=1e-6)


# ---- init, save, load -----------------------------------------------------------------------------------------
def test_init_model_is_seeded_and_leaves_global_rng_alone():
    cfg = config("qwen3")
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = init_model(cfg, seed=7)
    after = torch.rand(1)
    assert torch.equal(before, after)
    b = init_model(cfg, seed=7)
    c = init_model(cfg, seed=8)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not torch.equal(sa["model.embed_tokens.weight"], sc["model.embed_tokens.weight"])
    w = sa["model.layers.0.mlp.up_proj.weight"]
    assert abs(w.std().item() - 0.02) < 0.002
    assert torch.equal(sa["model.layers.1.self_attn.q_norm.weight"], torch.ones(cfg.head_dim))
    assert "lm_head.weight" not in dict(a.named_parameters())  # tied


@pytest.mark.parametrize("family", FAMILIES)
def test_save_load_round_trip_exact(tmp_path, family):
    model, cfg = tiny_model(family, seed=9)
    out = str(tmp_path / "m")
    save_model(model, cfg, out)
    files = sorted(os.listdir(out))
    assert files == ["config.json", "model.safetensors"]
    keys = safetensors_io.read_header(os.path.join(out, "model.safetensors"))[0]
    assert ("lm_head.weight" in keys) == (not cfg.tie_word_embeddings)  # a tied head is stored once
    d = json.load(open(os.path.join(out, "config.json")))
    assert d["model_type"] == family and d["torch_dtype"] == "float32"
    back, cfg2 = load_model(out, "cpu", torch.float32)
    assert cfg2.extra.pop("torch_dtype") == "float32"
    assert cfg2 == cfg
    sa, sb = model.state_dict(), back.state_dict()
    assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    ids = torch.tensor([[3, 1, 4, 1, 5]])
    assert torch.equal(model(ids)[0], back(ids)[0])
    if cfg.tie_word_embeddings:
        assert back.head_weight is back.model.embed_tokens.weight


def test_save_bf16_and_sharded_then_load(tmp_path):
    model, cfg = tiny_model("llama", seed=10)
    out = str(tmp_path / "m")
    save_model(model, cfg, out, dtype=torch.bfloat16, max_shard_bytes=40_000)
    assert "model.safetensors.index.json" in os.listdir(out)
    back, _ = load_model(out, "cpu", torch.bfloat16)
    assert back.dtype == torch.bfloat16
    ref = model.state_dict()
    for k, v in back.state_dict().items():
        assert torch.equal(v, ref[k].bfloat16()), k


def test_save_replaces_weights_and_keeps_other_files(tmp_path):
    model, cfg = tiny_model("qwen2", seed=11)
    out = tmp_path / "final"
    out.mkdir()
    (out / "tokenizer.json").write_text("{}")
    (out / "model-00001-of-00002.safetensors").write_bytes(b"stale")
    save_model(model, cfg, str(out))
    assert sorted(os.listdir(out)) == ["config.json", "model.safetensors", "tokenizer.json"]
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]  # no temp folders left behind
    load_model(str(out))


def _saved(tmp_path, family="qwen3"):
    model, cfg = tiny_model(family, seed=12)
    out = str(tmp_path / "m")
    save_model(model, cfg, out)
    return out, safetensors_io.read_safetensors(os.path.join(out, "model.safetensors"))


def test_load_wrong_shape_names_the_tensor(tmp_path):
    out, st = _saved(tmp_path)
    st["model.layers.1.mlp.up_proj.weight"] = torch.zeros(3, 3)
    safetensors_io.write_safetensors(os.path.join(out, "model.safetensors"), st)
    with pytest.raises(ModelError, match=r"'model.layers.1.mlp.up_proj.weight' has shape \[3, 3\]"):
        load_model(out)


def test_load_missing_tensor_names_it(tmp_path):
    out, st = _saved(tmp_path)
    del st["model.layers.0.self_attn.k_norm.weight"]
    safetensors_io.write_safetensors(os.path.join(out, "model.safetensors"), st)
    with pytest.raises(ModelError, match="'model.layers.0.self_attn.k_norm.weight' is missing"):
        load_model(out)


def test_load_untied_config_without_head_hints_the_fix(tmp_path):
    out, _ = _saved(tmp_path)
    d = json.load(open(os.path.join(out, "config.json")))
    d["tie_word_embeddings"] = False
    json.dump(d, open(os.path.join(out, "config.json"), "w"))
    with pytest.raises(ModelError, match="'lm_head.weight' is missing.*tie_word_embeddings"):
        load_model(out)


def test_load_config_family_mismatch_names_unexpected_tensor(tmp_path):
    out, _ = _saved(tmp_path, "qwen3")
    d = json.load(open(os.path.join(out, "config.json")))
    d["model_type"] = "llama"
    json.dump(d, open(os.path.join(out, "config.json"), "w"))
    with pytest.raises(ModelError, match="unexpected tensor 'model.layers.0.self_attn.[qk]_norm.weight'"):
        load_model(out)


def test_load_unknown_model_type(tmp_path):
    out, _ = _saved(tmp_path)
    d = json.load(open(os.path.join(out, "config.json")))
    d["model_type"] = "mistral"
    json.dump(d, open(os.path.join(out, "config.json"), "w"))
    with pytest.raises(ModelError, match="model_type 'mistral' is not supported"):
        load_model(out)


def test_load_missing_folder_and_config(tmp_path):
    with pytest.raises(ModelError, match="not a folder"):
        load_model(str(tmp_path / "nope"))
    with pytest.raises(ModelError, match="no config.json"):
        load_model(str(tmp_path))
    (tmp_path / "config.json").write_text('{"model_type": "qwen2",\n "x": }')
    with pytest.raises(ModelError, match="line 2, column"):
        load_model(str(tmp_path))


def test_load_ignores_rotary_inv_freq(tmp_path):
    out, st = _saved(tmp_path, "llama")
    st["model.layers.0.self_attn.rotary_emb.inv_freq"] = torch.ones(4)
    safetensors_io.write_safetensors(os.path.join(out, "model.safetensors"), st)
    load_model(out)


# ---- precision and memory switches ----------------------------------------------------------------------------
def test_bf16_forward_is_close_to_fp32():
    model, _ = tiny_model("qwen3", seed=13)
    ids = torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8]])
    ref, _ = model(ids)
    lo = DecoderLM(model.config)
    lo.load_state_dict(model.state_dict())
    lo = lo.to(torch.bfloat16)
    got, _ = lo(ids)
    assert got.dtype == torch.bfloat16 and torch.isfinite(got).all()
    assert (got.float() - ref).abs().max() < 0.05 * ref.abs().max()


def test_gradient_checkpointing_gives_same_gradients():
    model, _ = tiny_model("qwen2", seed=14, dtype=torch.float64)
    ids = torch.tensor([[1, 2, 3, 4, 5, 6]])

    def grads():
        model.zero_grad()
        h, _ = model.forward_hidden(ids)
        model.head(h).logsumexp(-1).sum().backward()
        return {n: p.grad.clone() for n, p in model.named_parameters()}

    plain = grads()
    model.gradient_checkpointing = True
    ck = grads()
    model.gradient_checkpointing = False
    assert all(torch.allclose(plain[n], ck[n], atol=1e-12) for n in plain)


def test_sdpa_branch_calling_convention(monkeypatch):
    """On torch 1.13 there is no SDPA; stand in torch 2.x's documented semantics (boolean mask, True = attend,
    scale 1/sqrt(head_dim), same head count for q/k/v) to check the branch's shapes, mask and GQA expansion."""
    from tooltune_engine import model as model_mod

    calls = []

    def fake_sdpa(q, k, v, attn_mask=None):
        calls.append((q.shape, k.shape, attn_mask.shape))
        assert q.shape[1] == k.shape[1] == v.shape[1] and attn_mask.dtype == torch.bool
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
        return torch.softmax(scores.masked_fill(~attn_mask, float("-inf")), -1) @ v

    model, _ = tiny_model("qwen3", seed=16, dtype=torch.float64)  # 4 q heads, 1 kv head
    ids = torch.tensor([[0, 0, 3, 4, 5], [6, 7, 8, 9, 10]])
    mask = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    eager, _ = model(ids, attention_mask=mask)
    monkeypatch.setattr(model_mod, "_HAS_SDPA", True)
    monkeypatch.setattr(model_mod.F, "scaled_dot_product_attention", fake_sdpa, raising=False)
    sdpa, _ = model(ids, attention_mask=mask)
    assert calls and calls[0] == (torch.Size([2, 4, 5, 8]), torch.Size([2, 4, 5, 8]), torch.Size([2, 1, 5, 5]))
    assert torch.allclose(sdpa, eager, atol=1e-10)


@pytest.mark.skipif(not hasattr(torch.nn.functional, "scaled_dot_product_attention"), reason="torch < 2.0: no SDPA")
def test_sdpa_path_matches_eager(monkeypatch):
    model, _ = tiny_model("qwen3", seed=15, dtype=torch.float64)
    ids = torch.tensor([[0, 0, 3, 4, 5], [6, 7, 8, 9, 10]])
    mask = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    sdpa, _ = model(ids, attention_mask=mask)
    monkeypatch.setenv("TOOLTUNE_ATTENTION", "eager")
    eager, _ = model(ids, attention_mask=mask)
    assert torch.allclose(sdpa, eager, atol=1e-9)
