import copy
import os

import pytest
import torch

from _tiny import tiny_model
from tooltune_engine import safetensors_io
from tooltune_engine.lora import (LoraError, adapter_config, adapter_state_dict, apply_lora, has_lora,
                                  load_adapter_state_dict, lora_disabled, merge_lora, merged_state_dict,
                                  trainable_parameters)
from tooltune_engine.model import DecoderLM, load_model, save_model

IDS = torch.tensor([[5, 9, 2, 77, 31, 8, 250]])


def lora_model(family="qwen2", targets=("q_proj", "v_proj", "down_proj"), dropout=0.0, seed=0):
    model, cfg = tiny_model(family, seed=seed, dtype=torch.float64)
    base = copy.deepcopy(model)
    apply_lora(model, r=4, alpha=16, dropout=dropout, target_modules=list(targets), seed=seed)
    with torch.no_grad():  # B starts at zero; make the adapters do something
        for n, p in model.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 0.2, generator=torch.Generator().manual_seed(len(n)))
    return model.eval(), base.eval(), cfg


def test_fresh_adapters_start_at_the_base_model():
    model, cfg = tiny_model("qwen3", seed=1, dtype=torch.float64)
    before, _ = model(IDS)
    apply_lora(model, r=8, alpha=16, target_modules="all-linear")
    after, _ = model(IDS)
    assert torch.equal(before, after)


def test_merged_equals_unmerged_and_disabled_equals_base():
    model, base, _ = lora_model()
    adapted, _ = model(IDS)
    ref, _ = base(IDS)
    assert not torch.allclose(adapted, ref, atol=1e-3)
    with lora_disabled(model):
        off, _ = model(IDS)
    assert torch.equal(off, ref)
    again, _ = model(IDS)
    assert torch.equal(again, adapted)  # re-enabled after the block

    fresh = DecoderLM(model.config).double()
    fresh.load_state_dict(merged_state_dict(model))
    assert torch.allclose(fresh(IDS)[0], adapted, atol=1e-10)
    merge_lora(model)
    assert not has_lora(model)
    assert torch.allclose(model(IDS)[0], adapted, atol=1e-10)


def test_lora_disabled_restores_after_an_exception():
    model, _, _ = lora_model()
    adapted, _ = model(IDS)
    with pytest.raises(RuntimeError):
        with lora_disabled(model):
            raise RuntimeError("boom")
    assert torch.equal(model(IDS)[0], adapted)


def test_only_adapters_train_and_weights_are_shared_not_copied():
    model, _ = tiny_model("llama", seed=2)
    q_weight = model.model.layers[0].self_attn.q_proj.weight
    wrapped = apply_lora(model, r=2, alpha=4, target_modules=["q_proj", "k_proj"])
    assert wrapped == [f"model.layers.{i}.self_attn.{m}" for i in range(2) for m in ("q_proj", "k_proj")]
    assert model.model.layers[0].self_attn.q_proj.weight is q_weight
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert len(names) == 8 and all(".lora_A." in n or ".lora_B." in n for n in names)
    # per layer: q_proj A [2, 64] + B [64, 2]; k_proj (2 kv heads x 16) A [2, 64] + B [32, 2]
    assert sum(p.numel() for p in trainable_parameters(model)) == 2 * ((2 * 64 + 64 * 2) + (2 * 64 + 32 * 2))


def test_dropout_is_active_in_train_mode_only():
    model, _, _ = lora_model(dropout=0.5)
    model.eval()
    a, b = model(IDS)[0], model(IDS)[0]
    assert torch.equal(a, b)
    model.train()
    torch.manual_seed(0)
    c = model(IDS)[0]
    assert not torch.allclose(a, c)


def test_save_writes_merged_weights(tmp_path):
    model, _, cfg = lora_model("qwen3")
    adapted, _ = model(IDS)
    out = str(tmp_path / "merged")
    save_model(model, cfg, out)
    keys = safetensors_io.read_header(os.path.join(out, "model.safetensors"))[0]
    assert not any("lora" in k for k in keys)
    back, _ = load_model(out, "cpu", torch.float64)
    assert torch.allclose(back(IDS)[0], adapted, atol=1e-10)
    assert has_lora(model)  # saving did not merge in place


def test_adapter_state_dict_is_peft_named_and_round_trips(tmp_path):
    model, _, _ = lora_model()
    sd = adapter_state_dict(model)
    assert "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight" in sd
    assert sd["base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"].shape == (64, 4)
    assert len(sd) == 2 * 3 * 2
    cfg = adapter_config(model)
    assert cfg["r"] == 4 and cfg["lora_alpha"] == 16 and cfg["target_modules"] == ["down_proj", "q_proj", "v_proj"]
    p = str(tmp_path / "adapter_model.safetensors")
    safetensors_io.write_safetensors(p, sd)
    other, _, _ = lora_model(seed=0)
    with torch.no_grad():
        for n, q in other.named_parameters():
            if "lora_" in n:
                q.zero_()
    load_adapter_state_dict(other, safetensors_io.read_safetensors(p))
    assert torch.equal(other(IDS)[0], model(IDS)[0])


def test_adapter_load_mismatch_is_clear():
    model, _, _ = lora_model()
    sd = adapter_state_dict(model)
    sd.pop("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
    with pytest.raises(LoraError, match="q_proj.lora_A.weight' is missing"):
        load_adapter_state_dict(model, sd)


def test_init_is_seeded_and_leaves_global_rng_alone():
    a, _ = tiny_model("qwen3", seed=3)
    b, _ = tiny_model("qwen3", seed=3)
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    apply_lora(a, r=4, alpha=8, seed=11)
    assert torch.equal(torch.rand(1), before)
    apply_lora(b, r=4, alpha=8, seed=11)
    assert torch.equal(adapter_state_dict(a)["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"],
                       adapter_state_dict(b)["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"])


@pytest.mark.parametrize("kwargs,needle", [
    (dict(r=0), "lora.r must be a positive integer"),
    (dict(alpha=0), "lora.alpha must be a positive number"),
    (dict(dropout=1.0), r"lora.dropout must be in \[0, 1\)"),
    (dict(target_modules=["lm_head"]), "'lm_head' is not a linear layer of this model"),
    (dict(target_modules=[]), "target_modules is empty"),
])
def test_bad_lora_config(kwargs, needle):
    model, _ = tiny_model("qwen2")
    args = dict(r=4, alpha=8, dropout=0.0, target_modules=["q_proj"])
    args.update(kwargs)
    with pytest.raises(LoraError, match=needle):
        apply_lora(model, **args)


def test_applying_twice_is_refused():
    model, _ = tiny_model("qwen2")
    apply_lora(model, r=2, alpha=2)
    with pytest.raises(LoraError, match="already has LoRA adapters"):
        apply_lora(model, r=2, alpha=2)


def test_bf16_model_keeps_fp32_adapters():
    model, _ = tiny_model("qwen3", seed=4)
    model = model.to(torch.bfloat16)
    apply_lora(model, r=4, alpha=8, target_modules="all-linear")
    assert all(p.dtype == torch.float32 for p in trainable_parameters(model))
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 0.05, generator=torch.Generator().manual_seed(1))
    out, _ = model(IDS)
    assert out.dtype == torch.bfloat16
    out.float().logsumexp(-1).sum().backward()
    assert all(p.grad is not None and p.grad.dtype == torch.float32 for p in trainable_parameters(model))
    # a step far below bf16 resolution still moves an fp32 adapter
    b = model.model.layers[0].self_attn.q_proj.lora_B.weight
    before = b.detach().clone()
    with torch.no_grad():
        b.add_(1e-6)
    assert not torch.equal(before, b)
    with torch.no_grad():
        merged = DecoderLM(model.config).to(torch.bfloat16)
        merged.load_state_dict(merged_state_dict(model))
        assert (merged(IDS)[0].float() - model(IDS)[0].float()).abs().max() < 0.05
