import pytest
import torch

from _tiny import tiny_model
from tooltune_engine import logprobs as lpmod
from tooltune_engine.logprobs import (HeadLogprob, LogprobError, batched_completion_logprobs, completion_logprobs)

PROMPT = [3, 14, 15, 92, 65, 35]
COMPS = [[8, 9, 7], [9], [2, 3, 8, 4, 6, 2], [100, 200]]
ADV = [0.5, -1.0, 2.0, 0.25]


def naive(model, prompt, comps, temperature=1.0):
    """One full forward per sequence (prompt + completion), log_softmax over the whole logits tensor."""
    out, ents = [], []
    for c in comps:
        logits, _ = model(torch.tensor([list(prompt) + list(c)]))
        z = logits[0, len(prompt) - 1:len(prompt) - 1 + len(c)] / temperature
        logp = torch.log_softmax(z, -1)
        out.append(logp.gather(-1, torch.tensor(c)[:, None]).squeeze(-1))
        ents.append(-(logp.exp() * logp).sum(-1))
    return out, ents


def grads_of(model, fn):
    model.zero_grad()
    lps = fn()
    loss = sum(a * lp.sum() for a, lp in zip(ADV, lps))
    loss.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


@pytest.mark.parametrize("family", ["llama", "qwen2", "qwen3"])
def test_shared_prompt_equals_naive_values_and_gradients(family):
    model, _ = tiny_model(family, seed=1, dtype=torch.float64)
    got, ent = completion_logprobs(model, PROMPT, COMPS, temperature=0.9, with_entropy=True)
    want, want_ent = naive(model, PROMPT, COMPS, temperature=0.9)
    assert [g.shape[0] for g in got] == [len(c) for c in COMPS]
    for g, w, e, we in zip(got, want, ent, want_ent):
        assert torch.allclose(g.double(), w, atol=1e-6), (g - w).abs().max()
        assert torch.allclose(e.double(), we.detach(), atol=1e-5)
        assert not e.requires_grad
    g_shared = grads_of(model, lambda: completion_logprobs(model, PROMPT, COMPS, temperature=0.9)[0])
    g_naive = grads_of(model, lambda: naive(model, PROMPT, COMPS, temperature=0.9)[0])
    assert g_shared.keys() == g_naive.keys()
    for n in g_naive:
        assert torch.allclose(g_shared[n], g_naive[n], atol=1e-6, rtol=1e-5), n


def test_batched_prompts_of_different_lengths_equal_single_calls():
    model, _ = tiny_model("qwen3", seed=2, dtype=torch.float64)
    prompts = [PROMPT, [7, 7], [1, 2, 3, 4, 5, 6, 7, 8, 9]]
    comps = [COMPS[:2], [[5, 6, 7, 8]], [[1], [9, 9, 9], []]]
    got, _ = batched_completion_logprobs(model, prompts, comps)
    flat = [x for p, cs in zip(prompts, comps) for x in completion_logprobs(model, p, cs)[0]]
    assert len(got) == len(flat) == 6
    for g, w in zip(got, flat):
        assert g.shape == w.shape and torch.allclose(g, w, atol=1e-10)
    assert got[-1].numel() == 0


def test_float32_model_matches_naive():
    model, _ = tiny_model("llama", seed=3)
    got, _ = completion_logprobs(model, PROMPT, COMPS)
    want, _ = naive(model, PROMPT, COMPS)
    for g, w in zip(got, want):
        assert torch.allclose(g, w, atol=1e-4)


def test_head_chunking_gives_the_same_values_and_gradients(monkeypatch):
    model, cfg = tiny_model("qwen2", seed=4, dtype=torch.float64)
    g_big = grads_of(model, lambda: completion_logprobs(model, PROMPT, COMPS)[0])
    v_big = completion_logprobs(model, PROMPT, COMPS)[0]
    monkeypatch.setattr(lpmod, "HEAD_CHUNK_ELEMENTS", 3 * cfg.vocab_size)  # 3 rows per chunk
    g_small = grads_of(model, lambda: completion_logprobs(model, PROMPT, COMPS)[0])
    v_small = completion_logprobs(model, PROMPT, COMPS)[0]
    assert all(torch.allclose(a, b, atol=1e-12) for a, b in zip(v_big, v_small))
    assert all(torch.allclose(g_big[n], g_small[n], atol=1e-12) for n in g_big)


@pytest.mark.parametrize("save_bytes", [0, 1 << 30])  # recompute the softmax in backward / keep it from forward
def test_head_logprob_gradcheck(monkeypatch, save_bytes):
    """Finite differences against the hand-written backward of the chunked head (float64)."""
    monkeypatch.setattr(lpmod, "SAVE_PROBS_BYTES", save_bytes)
    g = torch.Generator().manual_seed(5)
    h = torch.randn(5, 4, generator=g, dtype=torch.float64, requires_grad=True)
    w = torch.randn(7, 4, generator=g, dtype=torch.float64, requires_grad=True)
    tgt = torch.tensor([0, 6, 3, 3, 1])
    assert torch.autograd.gradcheck(lambda a, b: HeadLogprob.apply(a, b, tgt, 0.8, 2, False)[0], (h, w))
    assert torch.autograd.gradcheck(lambda a, b: HeadLogprob.apply(a, b, tgt, 0.8, 3, True)[0], (h, w))


def test_finite_difference_gradient_through_the_whole_model():
    """d loss / d theta by central differences on a few weights of each kind vs autograd (float64)."""
    model, _ = tiny_model("qwen3", seed=6, dtype=torch.float64, hidden_size=32, intermediate_size=48)

    def loss():
        lps, _ = completion_logprobs(model, PROMPT, COMPS)
        return sum(a * lp.sum() for a, lp in zip(ADV, lps))

    model.zero_grad()
    loss().backward()
    params = dict(model.named_parameters())
    eps = 1e-6
    checked = 0
    for name in ["model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                 "model.layers.0.self_attn.k_norm.weight", "model.layers.1.self_attn.v_proj.weight",
                 "model.layers.1.mlp.down_proj.weight", "model.norm.weight"]:
        p = params[name]
        flat = p.data.view(-1)
        # embedding rows that are used (prompt/completion tokens) and arbitrary positions elsewhere
        picks = [3 * p.shape[-1] + 1, 100 * p.shape[-1] + 2] if "embed" in name else [0, flat.numel() // 2 + 1]
        for i in picks:
            old = flat[i].item()
            with torch.no_grad():
                flat[i] = old + eps
                up = loss().item()
                flat[i] = old - eps
                down = loss().item()
                flat[i] = old
            fd = (up - down) / (2 * eps)
            assert abs(fd - p.grad.view(-1)[i].item()) < 1e-6 + 1e-5 * abs(fd), (name, i, fd)
            checked += 1
    assert checked == 12


def test_lora_model_gradients_reach_only_adapters():
    from tooltune_engine.lora import apply_lora, trainable_parameters
    model, _ = tiny_model("qwen2", seed=7, dtype=torch.float64)
    apply_lora(model, r=4, alpha=8, target_modules=["q_proj", "v_proj"])
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 0.1)
    lps, _ = completion_logprobs(model, PROMPT, COMPS)
    sum(a * lp.sum() for a, lp in zip(ADV, lps)).backward()
    want, _ = naive(model, PROMPT, COMPS)
    assert all(torch.allclose(g, w, atol=1e-8) for g, w in zip(lps, want))
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in trainable_parameters(model))
    assert all(p.grad is None for n, p in model.named_parameters() if "lora_" not in n)


def test_gradient_checkpointing_same_gradients():
    model, _ = tiny_model("llama", seed=8, dtype=torch.float64)
    plain = grads_of(model, lambda: completion_logprobs(model, PROMPT, COMPS)[0])
    model.gradient_checkpointing = True
    ck = grads_of(model, lambda: completion_logprobs(model, PROMPT, COMPS)[0])
    assert all(torch.allclose(plain[n], ck[n], atol=1e-10) for n in plain)


def test_no_grad_mode_and_edge_cases():
    model, _ = tiny_model("qwen3", seed=9)
    with torch.no_grad():
        lps, _ = completion_logprobs(model, PROMPT, [[5]])
    assert lps[0].shape == (1,) and not lps[0].requires_grad
    lps, ents = completion_logprobs(model, PROMPT, [[], []], with_entropy=True)
    assert [x.numel() for x in lps] == [0, 0] and [x.numel() for x in ents] == [0, 0]
    with pytest.raises(LogprobError, match="temperature must be > 0"):
        completion_logprobs(model, PROMPT, [[1]], temperature=0)
    with pytest.raises(LogprobError, match="outside the vocabulary"):
        completion_logprobs(model, PROMPT, [[1, 300]])
    with pytest.raises(LogprobError, match="at least one token"):
        completion_logprobs(model, [], [[1]])


def test_bf16_model_runs_with_fp32_statistics():
    """The CUDA path keeps bf16 weights; here on CPU it must give fp32 log-probs close to the fp32 model's."""
    model, _ = tiny_model("qwen3", seed=10)
    want, want_ent = completion_logprobs(model, PROMPT, COMPS, with_entropy=True)
    model = model.to(torch.bfloat16)
    got, ent = completion_logprobs(model, PROMPT, COMPS, with_entropy=True)
    assert all(g.dtype == torch.float32 for g in got)
    for g, w, e, we in zip(got, want, ent, want_ent):
        assert torch.allclose(g, w, atol=0.1), (g - w).abs().max()
        assert torch.allclose(e, we, atol=0.1)
    sum(a * lp.sum() for a, lp in zip(ADV, got)).backward()
    grads = [p.grad for p in model.parameters()]
    assert all(gr is not None and gr.dtype == torch.bfloat16 and torch.isfinite(gr).all() for gr in grads)


def test_shared_prefix_values_and_gradients_equal_unshared():
    model, _ = tiny_model("qwen2", seed=11, dtype=torch.float64)
    g = torch.Generator().manual_seed(1)
    prefix = torch.randint(1, 300, (36,), generator=g).tolist()
    prompts = [prefix + [4, 5], prefix + [6], prefix + [7, 8, 9, 10]]
    comps = [[[1, 2, 3], [4]], [[5, 6, 7, 8]], [[9, 9], [], [3, 1, 4, 1, 5]]]

    def run(share):
        model.zero_grad()
        lps, _ = batched_completion_logprobs(model, prompts, comps, share_prefix=share)
        sum((i + 1) * 0.3 * lp.sum() for i, lp in enumerate(lps)).backward()
        return [lp.detach() for lp in lps], {n: p.grad.clone() for n, p in model.named_parameters()}

    v_shared, g_shared = run(True)
    v_plain, g_plain = run(False)
    assert all(torch.allclose(a, b, atol=1e-10) for a, b in zip(v_shared, v_plain))
    assert all(torch.allclose(g_shared[n], g_plain[n], atol=1e-10) for n in g_plain)
    want = [x for p, cs in zip(prompts, comps) for x in naive(model, p, cs)[0]]
    assert all(torch.allclose(a, b.detach(), atol=1e-8) for a, b in zip(v_shared, want))


def test_saved_and_recomputed_softmax_paths_agree(monkeypatch):
    model, _ = tiny_model("llama", seed=12, dtype=torch.float64)

    def run():
        model.zero_grad()
        lps, ents = completion_logprobs(model, PROMPT, COMPS, temperature=0.7, with_entropy=True)
        sum(a * lp.sum() for a, lp in zip(ADV, lps)).backward()
        return lps, ents, {n: p.grad.clone() for n, p in model.named_parameters()}

    saved = run()
    monkeypatch.setattr(lpmod, "SAVE_PROBS_BYTES", 0)
    recomputed = run()
    for a, b in zip(saved[0] + saved[1], recomputed[0] + recomputed[1]):
        assert torch.allclose(a, b, atol=1e-12)
    assert all(torch.allclose(saved[2][n], recomputed[2][n], atol=1e-12) for n in saved[2])


def test_backward_twice_with_retain_graph_is_consistent():
    """The saved softmax must not be modified by backward."""
    model, _ = tiny_model("qwen3", seed=13, dtype=torch.float64)
    lps, _ = completion_logprobs(model, PROMPT, COMPS)
    loss = sum(a * lp.sum() for a, lp in zip(ADV, lps))
    loss.backward(retain_graph=True)
    first = {n: p.grad.clone() for n, p in model.named_parameters()}
    model.zero_grad()
    loss.backward()
    assert all(torch.allclose(first[n], p.grad, atol=1e-12) for n, p in model.named_parameters())
