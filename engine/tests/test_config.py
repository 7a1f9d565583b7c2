import pytest

from tooltune_engine.config import ModelConfig
from tooltune_engine.errors import ModelError
from tooltune_engine.model import init_model

# Published configs (values from the models' config.json) and their published parameter counts.
QWEN25_05B = dict(model_type="qwen2", vocab_size=151936, hidden_size=896, intermediate_size=4864,
                  num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2, rms_norm_eps=1e-6,
                  rope_theta=1000000.0, max_position_embeddings=32768, tie_word_embeddings=True,
                  use_sliding_window=False, sliding_window=32768, hidden_act="silu", bos_token_id=151643,
                  eos_token_id=151645, torch_dtype="bfloat16", architectures=["Qwen2ForCausalLM"])
LLAMA32_1B = dict(model_type="llama", vocab_size=128256, hidden_size=2048, intermediate_size=8192,
                  num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8, head_dim=64,
                  rms_norm_eps=1e-5, rope_theta=500000.0, max_position_embeddings=131072,
                  tie_word_embeddings=True, attention_bias=False, mlp_bias=False,
                  rope_scaling={"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                "original_max_position_embeddings": 8192, "rope_type": "llama3"},
                  bos_token_id=128000, eos_token_id=[128001, 128008, 128009])
QWEN3_06B = dict(model_type="qwen3", vocab_size=151936, hidden_size=1024, intermediate_size=3072,
                 num_hidden_layers=28, num_attention_heads=16, num_key_value_heads=8, head_dim=128,
                 rms_norm_eps=1e-6, rope_theta=1000000, max_position_embeddings=40960, tie_word_embeddings=True,
                 attention_bias=False, eos_token_id=151645)


@pytest.mark.parametrize("d,count", [(QWEN25_05B, 494_032_768), (LLAMA32_1B, 1_235_814_400),
                                     (QWEN3_06B, 596_049_920)])
def test_real_configs_parse_and_count_parameters(d, count):
    cfg = ModelConfig.from_dict(d)
    assert cfg.num_parameters() == count


def test_family_switches():
    q2 = ModelConfig.from_dict(QWEN25_05B)
    assert q2.qkv_bias and not q2.o_bias and not q2.qk_norm and q2.head_dim == 64
    l = ModelConfig.from_dict(LLAMA32_1B)
    assert not l.qkv_bias and not l.qk_norm and l.rope_scaling["rope_type"] == "llama3"
    assert l.eos_token_ids == [128001, 128008, 128009]
    q3 = ModelConfig.from_dict(QWEN3_06B)
    assert q3.qk_norm and not q3.qkv_bias and q3.head_dim == 128 and q3.eos_token_ids == [151645]
    # llama with attention_bias puts it on o_proj too, as transformers does
    lb = ModelConfig.from_dict(dict(LLAMA32_1B, attention_bias=True))
    assert lb.qkv_bias and lb.o_bias


def test_defaults_for_missing_keys():
    cfg = ModelConfig.from_dict(dict(model_type="llama", vocab_size=10, hidden_size=8, intermediate_size=16,
                                     num_hidden_layers=1, num_attention_heads=2))
    assert cfg.num_key_value_heads == 2 and cfg.head_dim == 4
    assert cfg.rope_theta == 10000.0 and cfg.rope_scaling is None and cfg.tie_word_embeddings is False
    assert cfg.eos_token_ids == []


def test_to_dict_round_trip_keeps_unknown_keys():
    cfg = ModelConfig.from_dict(QWEN25_05B)
    d = cfg.to_dict()
    assert d["sliding_window"] == 32768 and d["use_sliding_window"] is False
    assert d["architectures"] == ["Qwen2ForCausalLM"]
    assert ModelConfig.from_dict(d) == cfg
    q3 = ModelConfig.from_dict(QWEN3_06B)
    assert "qk_norm" not in q3.to_dict()  # implied by model_type, unknown to transformers' Qwen3Config
    assert ModelConfig.from_dict(q3.to_dict()) == q3
    assert q3.to_dict()["architectures"] == ["Qwen3ForCausalLM"]  # filled in for other tools reading the folder


@pytest.mark.parametrize("tied", [True, False])
def test_num_parameters_matches_module(tied):
    cfg = ModelConfig.from_dict(dict(model_type="qwen2", vocab_size=50, hidden_size=16, intermediate_size=24,
                                     num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                     tie_word_embeddings=tied))
    m = init_model(cfg, 0)
    assert cfg.num_parameters() == sum(p.numel() for p in m.parameters())


@pytest.mark.parametrize("change,needle", [
    (dict(model_type="gpt2"), "model_type 'gpt2' is not supported"),
    (dict(model_type=None), "model_type None is not supported"),
    (dict(hidden_size=0), "'hidden_size' must be an integer >= 1"),
    (dict(hidden_size="896"), "'hidden_size' must be an integer"),
    (dict(num_key_value_heads=3), "multiple of num_key_value_heads (3)"),
    (dict(hidden_size=900), "not divisible by num_attention_heads"),
    (dict(rope_theta=-1), "'rope_theta' must be a positive number"),
    (dict(hidden_act="gelu"), "'hidden_act' is 'gelu'"),
    (dict(use_sliding_window=True), "sliding-window attention is not implemented"),
    (dict(rope_scaling={"rope_type": "yarn", "factor": 4.0}), "rope_scaling type 'yarn' is not supported"),
    (dict(rope_scaling={"rope_type": "llama3", "factor": 8.0}), "rope_scaling.low_freq_factor"),
    (dict(tie_word_embeddings="yes"), "'tie_word_embeddings' must be true or false"),
    (dict(eos_token_id="</s>"), "'eos_token_id' must be an integer or a list"),
])
def test_bad_configs_name_the_field(change, needle):
    with pytest.raises(ModelError) as e:
        ModelConfig.from_dict(dict(QWEN25_05B, **change), source="/m/config.json")
    assert "/m/config.json" in str(e.value)
    assert needle in str(e.value)


def test_not_an_object():
    with pytest.raises(ModelError, match="expected a JSON object"):
        ModelConfig.from_dict([1, 2], source="x/config.json")


def test_rope_scaling_default_type_means_none():
    cfg = ModelConfig.from_dict(dict(QWEN25_05B, rope_scaling={"rope_type": "default"}))
    assert cfg.rope_scaling is None
