import pytest
import torch

from _tiny import tiny_model
from tooltune_engine import sampling
from tooltune_engine.model import KVCache
from tooltune_engine.sampling import (SamplingError, filter_logits, generate, inverse_cdf_sample, sample_next)

# chi-square critical value for 9 degrees of freedom at p = 0.001 (a fixed seed makes the test deterministic anyway)
CHI2_9_P001 = 27.877


def _naive_logprobs(model, prompt, ids, temperature=1.0):
    """Log-probs of `ids` after `prompt` from one full forward of the concatenation (no cache, no padding)."""
    with torch.no_grad():
        logits, _ = model(torch.tensor([list(prompt) + list(ids)]))
    steps = logits[0, len(prompt) - 1:len(prompt) - 1 + len(ids)].double()
    return torch.log_softmax(steps / temperature, -1), steps


def _chi2(counts, probs):
    n = counts.sum()
    expected = probs * n
    keep = expected > 0
    return float((((counts - expected) ** 2)[keep] / expected[keep]).sum())


def test_inverse_cdf_matches_the_distribution():
    probs = torch.tensor([0.30, 0.0, 0.05, 0.15, 0.0, 0.10, 0.02, 0.18, 0.08, 0.07, 0.05])
    draws = 40_000
    g = torch.Generator().manual_seed(0)
    tok = inverse_cdf_sample(probs.expand(draws, -1).contiguous(), g)
    counts = torch.bincount(tok, minlength=len(probs)).double()
    assert counts[1] == 0 and counts[4] == 0  # zero-probability tokens are never drawn
    assert _chi2(counts, probs.double()) < CHI2_9_P001


@pytest.mark.parametrize("block", [2, 3, 4])  # two-level path, with and without a short tail block
def test_two_level_inverse_cdf_matches_the_distribution(block):
    probs = torch.tensor([0.30, 0.0, 0.05, 0.15, 0.0, 0.10, 0.02, 0.18, 0.08, 0.07, 0.05])
    draws = 40_000
    tok = inverse_cdf_sample(probs.expand(draws, -1).contiguous(), torch.Generator().manual_seed(block), block=block)
    counts = torch.bincount(tok, minlength=len(probs)).double()
    assert counts[1] == 0 and counts[4] == 0
    assert _chi2(counts, probs.double()) < CHI2_9_P001


def test_two_level_never_picks_zero_weight_at_the_edges():
    """Rows whose only mass sits at the first or last token (of the whole vocabulary or of the tail block)."""
    w = torch.zeros(6, 1000)
    w[0, 0] = w[1, 999] = w[2, 767] = w[3, 768] = 1.0
    w[4, 998:] = 1e-30
    w[5] = 1.0
    for seed in range(20):
        tok = inverse_cdf_sample(w, torch.Generator().manual_seed(seed), block=256)
        assert tok[:4].tolist() == [0, 999, 767, 768]
        assert tok[4] in (998, 999) and 0 <= tok[5] < 1000


def test_inverse_cdf_accepts_unnormalised_weights():
    w = torch.tensor([[2.0, 0.0, 6.0]]).expand(20_000, -1).contiguous()
    tok = inverse_cdf_sample(w, torch.Generator().manual_seed(1))
    counts = torch.bincount(tok, minlength=3).double()
    assert counts[1] == 0
    assert abs(counts[2] / counts.sum() - 0.75) < 0.015


def test_sample_next_with_temperature_top_k_top_p_matches_filtered_softmax():
    logits = torch.tensor([2.0, 1.5, 1.0, 0.5, 0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -5.0])
    t, k, p = 0.7, 8, 0.9
    draws = 40_000
    tok, lp = sample_next(logits.expand(draws, -1).contiguous(), t, top_k=k, top_p=p,
                          generator=torch.Generator().manual_seed(2))
    probs = torch.softmax(logits / t, -1).double()
    # expected: top-k keeps the 8 largest; top-p keeps the shortest prefix reaching 0.9 of their renormalised mass
    pk = probs.clone()
    pk[k:] = 0
    pk /= pk.sum()
    cum = pk.cumsum(0)
    keep = (cum - pk) < p
    pk[~keep] = 0
    pk /= pk.sum()
    counts = torch.bincount(tok, minlength=len(logits)).double()
    assert counts[~keep].sum() == 0
    nz = int(keep.sum())
    assert nz >= 2
    assert _chi2(counts, pk) < {2: 10.83, 3: 13.82, 4: 16.27, 5: 18.47, 6: 20.52, 7: 22.46, 8: 24.32}[nz]
    # logprobs are those of the unfiltered tempered distribution (what the trainer recomputes)
    assert torch.allclose(lp, torch.log_softmax(logits / t, -1)[tok], atol=1e-6)


def _reference_nucleus(scaled, top_p):
    sorted_logits, order = torch.sort(scaled, dim=-1, descending=True)
    p = torch.softmax(sorted_logits, dim=-1)
    return torch.zeros_like(scaled, dtype=torch.bool).scatter(-1, order, (p.cumsum(-1) - p) >= top_p)


@pytest.mark.parametrize("candidates", [4, 64, 5000])
def test_nucleus_from_candidates_equals_a_full_sort(monkeypatch, candidates):
    """Peaked rows (nucleus inside the candidates) and flat rows (nucleus wider: the full-sort fallback)."""
    monkeypatch.setattr(sampling, "NUCLEUS_CANDIDATES", candidates)
    g = torch.Generator().manual_seed(candidates)
    logits = torch.randn(6, 3000, generator=g)
    logits[:3] *= 8.0  # peaked
    logits[3:] *= 0.1  # nearly flat
    for top_p in (0.3, 0.9, 0.999):
        got = filter_logits(logits, top_p=top_p)
        assert torch.equal(got, _reference_nucleus(logits, top_p)), top_p
        assert (~got).sum(-1).min() >= 1
    # combined with top-k: the nucleus is taken over the renormalised top-k survivors
    got = filter_logits(logits, top_k=50, top_p=0.8)
    kth = torch.topk(logits, 50).values[:, -1:]
    masked = logits.masked_fill(logits < kth, float("-inf"))
    assert torch.equal(got, (logits < kth) | _reference_nucleus(masked, 0.8))


def test_filter_logits_keeps_at_least_one_token():
    scaled = torch.tensor([[5.0, 0.0, -1.0]])
    removed = filter_logits(scaled, top_k=0, top_p=0.01)
    assert removed.tolist() == [[False, True, True]]
    assert filter_logits(scaled) is None


def test_same_seed_same_tokens_and_different_seed_differs():
    model, _ = tiny_model("qwen3", seed=1)
    prompts = [[1, 2, 3], [4, 5, 6, 7, 8]]
    a = generate(model, prompts, n=3, max_new_tokens=12, seed=42)
    b = generate(model, prompts, n=3, max_new_tokens=12, seed=42)
    c = generate(model, prompts, n=3, max_new_tokens=12, seed=43)
    assert [x["ids"] for x in a] == [x["ids"] for x in b]
    assert [x["logprobs"] for x in a] == [x["logprobs"] for x in b]
    assert [x["ids"] for x in a] != [x["ids"] for x in c]
    assert [x["prompt_index"] for x in a] == [0, 0, 0, 1, 1, 1]
    assert len({tuple(x["ids"]) for x in a[:3]}) > 1  # samples within a group differ


@pytest.mark.parametrize("family", ["llama", "qwen2", "qwen3"])
def test_greedy_equals_argmax_of_full_recompute(family):
    model, _ = tiny_model(family, seed=2, dtype=torch.float64)
    prompts = [[5, 6, 7, 8, 9, 10], [11, 12]]  # different lengths: the short one is left-padded
    out = generate(model, prompts, n=2, max_new_tokens=10, temperature=0)
    assert out[0]["ids"] == out[1]["ids"] and out[2]["ids"] == out[3]["ids"]
    for o in out:
        logp, steps = _naive_logprobs(model, prompts[o["prompt_index"]], o["ids"])
        assert o["ids"] == steps.argmax(-1).tolist()
        assert o["finish_reason"] == "length" and len(o["ids"]) == 10
        got = torch.tensor(o["logprobs"], dtype=torch.float64)
        assert torch.allclose(got, logp.gather(-1, torch.tensor(o["ids"])[:, None]).squeeze(-1), atol=1e-5)


def test_sampled_logprobs_match_full_recompute_with_stops_and_compaction(monkeypatch):
    model, cfg = tiny_model("qwen2", seed=3, dtype=torch.float64)
    selects = []
    real_select = KVCache.select
    monkeypatch.setattr(KVCache, "select", lambda self, idx: selects.append(len(idx)) or real_select(self, idx))
    monkeypatch.setattr(sampling, "CDF_BLOCK", 16)  # the two-level CDF path at this tiny vocabulary (18 blocks + tail)
    stops = list(range(0, cfg.vocab_size, 9))  # ~1 in 9 tokens stops: rows finish at different steps
    prompts = [[1, 2, 3, 4], [7], [9, 8, 7, 6, 5, 4, 3]]
    out = generate(model, prompts, n=4, max_new_tokens=16, temperature=0.8, stop_token_ids=stops, seed=5)
    assert selects, "finished rows were never dropped from the batch"
    reasons = {o["finish_reason"] for o in out}
    assert reasons == {"stop", "length"}
    for o in out:
        ids = o["ids"]
        if o["finish_reason"] == "stop":
            assert ids[-1] in stops and not any(t in stops for t in ids[:-1])
        else:
            assert len(ids) == 16 and not any(t in stops for t in ids)
        logp, _ = _naive_logprobs(model, prompts[o["prompt_index"]], ids, temperature=0.8)
        want = logp.gather(-1, torch.tensor(ids)[:, None]).squeeze(-1)
        assert torch.allclose(torch.tensor(o["logprobs"], dtype=torch.float64), want, atol=1e-5)


def test_top_k_one_is_greedy():
    model, _ = tiny_model("llama", seed=4)
    g = generate(model, [[3, 4, 5]], n=1, max_new_tokens=8, temperature=0)
    k1 = generate(model, [[3, 4, 5]], n=2, max_new_tokens=8, temperature=1.3, top_k=1, seed=9)
    assert k1[0]["ids"] == g[0]["ids"] == k1[1]["ids"]


def test_sampling_leaves_global_rng_alone_when_seeded():
    model, _ = tiny_model("qwen3", seed=5)
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    generate(model, [[1, 2]], n=2, max_new_tokens=4, seed=1)
    assert torch.equal(torch.rand(1), before)


def test_zero_new_tokens_and_immediate_stop():
    model, _ = tiny_model("qwen3", seed=6)
    out = generate(model, [[1, 2]], n=2, max_new_tokens=0)
    assert out == [{"prompt_index": 0, "ids": [], "logprobs": [], "finish_reason": "length"}] * 2
    first = generate(model, [[1, 2]], n=1, max_new_tokens=1, temperature=0)[0]["ids"][0]
    out = generate(model, [[1, 2]], n=1, max_new_tokens=5, temperature=0, stop_token_ids=[first])
    assert out[0]["ids"] == [first] and out[0]["finish_reason"] == "stop"


@pytest.mark.parametrize("kwargs,needle", [
    (dict(prompts=[]), "non-empty list"),
    (dict(prompts=[[1], []]), r"prompts\[1\] is empty"),
    (dict(prompts=[[1, 300]]), r"prompts\[0\] holds token id 300 outside the vocabulary \[0, 300\)"),
    (dict(n=0), "n must be a positive integer"),
    (dict(temperature=-1), "temperature must be >= 0"),
    (dict(top_p=0), r"top_p must be in \(0, 1\]"),
    (dict(top_k=-2), "top_k must be a non-negative integer"),
    (dict(stop_token_ids=[999]), "stop_token_ids holds 999"),
])
def test_bad_arguments_are_clear_errors(kwargs, needle):
    model, _ = tiny_model("qwen3", seed=7)
    args = dict(prompts=[[1, 2]], n=1, max_new_tokens=2)
    args.update(kwargs)
    with pytest.raises(SamplingError, match=needle):
        generate(model, **args)


def test_bf16_model_generates_and_reports_fp32_logprobs():
    model, _ = tiny_model("llama", seed=8)
    model = model.to(torch.bfloat16)
    out = generate(model, [[1, 2, 3], [4]], n=2, max_new_tokens=6, temperature=0.9, top_p=0.95, seed=1)
    assert all(len(o["ids"]) == 6 and all(lp <= 0 for lp in o["logprobs"]) for o in out)
    greedy = generate(model, [[1, 2, 3]], n=1, max_new_tokens=6, temperature=0)
    with torch.no_grad():
        logits, _ = model(torch.tensor([[1, 2, 3] + greedy[0]["ids"]]))
    assert greedy[0]["ids"] == logits[0, 2:-1].float().argmax(-1).tolist()


def _shared_prefix_prompts():
    g = torch.Generator().manual_seed(3)
    prefix = torch.randint(1, 300, (40,), generator=g).tolist()
    return [prefix + [5, 6, 7], prefix + [9], prefix + [11, 12, 13, 14, 15, 16]]


def test_shared_prefix_runs_once_and_changes_nothing(monkeypatch):
    model, _ = tiny_model("qwen3", seed=9, dtype=torch.float64)
    prompts = _shared_prefix_prompts()
    widths = []
    real = type(model).forward_hidden
    monkeypatch.setattr(type(model), "forward_hidden",
                        lambda self, ids, *a, **k: widths.append(tuple(ids.shape)) or real(self, ids, *a, **k))
    shared = generate(model, prompts, n=3, max_new_tokens=8, temperature=0.9, seed=4)
    assert widths[:2] == [(1, 40), (3, 6)]  # the prefix once, then the left-padded suffixes
    widths.clear()
    plain = generate(model, prompts, n=3, max_new_tokens=8, temperature=0.9, seed=4, share_prefix=False)
    assert widths[0] == (3, 46)
    assert [o["ids"] for o in shared] == [o["ids"] for o in plain]
    for a, b in zip(shared, plain):
        assert torch.allclose(torch.tensor(a["logprobs"]), torch.tensor(b["logprobs"]), atol=1e-6)
    for o in shared:  # and both equal a full recompute of each sequence alone
        logp, _ = _naive_logprobs(model, prompts[o["prompt_index"]], o["ids"], temperature=0.9)
        want = logp.gather(-1, torch.tensor(o["ids"])[:, None]).squeeze(-1)
        assert torch.allclose(torch.tensor(o["logprobs"], dtype=torch.float64), want, atol=1e-5)
