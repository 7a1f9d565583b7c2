"""Device smoke test: the engine's whole training path, through its own protocol handlers, on the device `auto` picks.

    python -m tooltune_engine.smoke [--device auto] [--size tiny|0.6b] [--json]

What it checks and prints (no test framework: it runs on a GPU machine where only torch is certain):
  1. initialize: torch version, device, dtype (bf16 + TF32 on CUDA), memory;
  2. parity with Hugging Face transformers (only when it is importable): our llama / qwen2 / qwen3 forward against
     transformers' own classes on the same safetensors folder, fp32, TF32 off — max |logit difference|;
  3. a Qwen3-0.6B-shaped model (151,936 vocabulary, random weights) in the auto dtype: generate 8 prompts × 8
     samples, GRPO train_step on them (full fine-tuning and LoRA r 64), sft_step, merged save → load → same logits;
     time and peak device memory of each.
The CUDA branches of the engine (device.py: bf16 autocast, fp32 master weights, TF32; model.py: SDPA) are written
for users' GPUs but CI has none: this script is how they are exercised when a GPU is at hand (README, "GPU").
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from typing import Any, Dict, List

import torch

from .protocol import PROTOCOL_VERSION
from .server import Session, call

SIZES: Dict[str, Dict[str, Any]] = {
    # Qwen3-0.6B's published shape (config.json of Qwen/Qwen3-0.6B), random weights.
    '0.6b': dict(model_type='qwen3', vocab_size=151936, hidden_size=1024, intermediate_size=3072,
                 num_hidden_layers=28, num_attention_heads=16, num_key_value_heads=8, head_dim=128,
                 rope_theta=1e6, tie_word_embeddings=True, rms_norm_eps=1e-6, max_position_embeddings=4096,
                 eos_token_id=151645),
    # For a CPU dry run of this script.
    'tiny': dict(model_type='qwen3', vocab_size=2048, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, head_dim=16, rope_theta=1e6,
                 tie_word_embeddings=True, rms_norm_eps=1e-6, max_position_embeddings=2048, eos_token_id=1),
}

PARITY_FAMILIES: Dict[str, Dict[str, Any]] = {
    'llama': dict(model_type='llama', vocab_size=512, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, rope_theta=500000.0, tie_word_embeddings=False,
                  rms_norm_eps=1e-5, max_position_embeddings=1024,
                  rope_scaling={'rope_type': 'llama3', 'factor': 8.0, 'low_freq_factor': 1.0,
                                'high_freq_factor': 4.0, 'original_max_position_embeddings': 64}),
    'qwen2': dict(model_type='qwen2', vocab_size=512, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, rope_theta=1e6, tie_word_embeddings=True,
                  rms_norm_eps=1e-6, max_position_embeddings=1024),
    'qwen3': dict(model_type='qwen3', vocab_size=512, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, head_dim=32, rope_theta=1e6,
                  tie_word_embeddings=True, rms_norm_eps=1e-6, max_position_embeddings=1024),
}


def _sync(dev: str) -> None:
    if dev.startswith('cuda'):
        torch.cuda.synchronize()


def _peak_reset(dev: str) -> None:
    if dev.startswith('cuda'):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


def _peak_mib(dev: str) -> float:
    return torch.cuda.max_memory_allocated() / 2**20 if dev.startswith('cuda') else float('nan')


def _timed(dev: str, fn):
    _peak_reset(dev)
    t0 = time.perf_counter()
    out = fn()
    _sync(dev)
    return out, time.perf_counter() - t0, _peak_mib(dev)


def hf_parity(device: str, work: str, log) -> Dict[str, Any]:
    """Our forward vs transformers' on the same folder (fp32, eager attention, TF32 off)."""
    try:
        import transformers  # noqa: F401  (only on machines that have it; the engine never needs it)
        from transformers import AutoModelForCausalLM
    except Exception as e:  # noqa: BLE001
        return {'skipped': f'transformers not importable: {e}'}
    out: Dict[str, Any] = {'transformers_version': transformers.__version__}
    tf32 = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    for fam, cfg in PARITY_FAMILIES.items():
        s = Session(lambda m, p: None)
        call(s, 'initialize', {'protocol_version': PROTOCOL_VERSION, 'device': device, 'dtype': 'float32', 'seed': 0})
        # after initialize, which turns TF32 on for CUDA training: the parity check compares plain fp32
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        folder = os.path.join(work, f'parity-{fam}')
        call(s, 'init_model', {'config': cfg, 'out': folder, 'seed': 1})
        model = s.model
        with torch.no_grad():  # init_model's small init gives near-uniform logits; make them differ per token
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.05)
        call(s, 'save', {'path': folder, 'kind': 'merged'})
        dev = s.info.device
        g = torch.Generator().manual_seed(0)
        ids = torch.randint(0, cfg['vocab_size'], (2, 48), generator=g).to(dev)
        mask = torch.ones_like(ids)
        mask[1, :7] = 0  # left padding on row 1
        from .model import position_ids_from_mask
        with torch.no_grad():
            h, _ = model.forward_hidden(ids, position_ids_from_mask(mask), mask)
            ours = model.head(h).float()
        try:
            try:
                hf = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation='eager')
            except TypeError:
                hf = AutoModelForCausalLM.from_pretrained(folder, torch_dtype=torch.float32, attn_implementation='eager')
            hf = hf.to(dev).eval()
            with torch.no_grad():
                theirs = hf(input_ids=ids, attention_mask=mask,
                            position_ids=position_ids_from_mask(mask)).logits.float()
            keep = mask.bool()
            diff = (ours - theirs).abs()[keep].max().item()
            out[fam] = {'max_abs_logit_diff': diff, 'logit_scale': ours[keep].abs().max().item(),
                        'same_argmax': bool((ours.argmax(-1) == theirs.argmax(-1))[keep].all())}
        except Exception as e:  # noqa: BLE001 - report, go on with the other families
            out[fam] = {'error': f'{type(e).__name__}: {e}'}
        log(f'parity {fam}: {out[fam]}')
        del s
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = tf32  # back to what they were before the parity check
    return out


def _repeat_diagnosis(s: Session, prompts, a: dict, b: dict) -> Dict[str, Any]:
    """Why two generate calls with one seed differed: are the model's own forwards bit-identical run to run?"""
    from .model import position_ids_from_mask
    first = None
    for i, (x, y) in enumerate(zip(a['completions'], b['completions'])):
        for t, (u, v) in enumerate(zip(x['ids'], y['ids'])):
            if u != v:
                first = first or {'row': i, 'token': t,
                                  'logprob_a': x['logprobs'][t], 'logprob_b': y['logprobs'][t]}
    dev = s.info.device
    ids = torch.tensor(prompts, device=dev)
    mask = torch.ones_like(ids)
    outs = []
    with torch.no_grad(), s.compute():
        for _ in range(3):
            h, _ = s.model.forward_hidden(ids, position_ids_from_mask(mask), mask)
            outs.append(s.model.head(h[:, -1]).float())
    return {'first_difference': first, 'forward_bit_identical': all(torch.equal(outs[0], o) for o in outs[1:]),
            'forward_max_abs_diff': max(float((outs[0] - o).abs().max()) for o in outs[1:])}


def training_path(device: str, size: str, work: str, log) -> Dict[str, Any]:
    cfg = SIZES[size]
    res: Dict[str, Any] = {'size': size}
    vocab = cfg['vocab_size']
    g = torch.Generator().manual_seed(0)
    prompt_len, new = (512, 64) if size != 'tiny' else (64, 16)
    prompts = [torch.randint(0, vocab, (prompt_len,), generator=g).tolist() for _ in range(8)]
    for mode in ('full', 'lora'):
        s = Session(lambda m, p: None)
        init = call(s, 'initialize', {'protocol_version': PROTOCOL_VERSION, 'device': device, 'seed': 0})
        res['device'] = {k: init[k] for k in ('device', 'device_name', 'dtype', 'torch_version', 'memory')}
        dev = str(s.info.device)
        lora = None if mode == 'full' else {'r': 64, 'alpha': 128, 'dropout': 0.05,
                                            'target_modules': ['q_proj', 'k_proj', 'v_proj', 'o_proj',
                                                               'gate_proj', 'up_proj', 'down_proj']}
        folder = os.path.join(work, f'model-{size}')
        t0 = time.perf_counter()
        if not os.path.isdir(folder):
            info = call(s, 'init_model', {'config': cfg, 'out': folder, 'seed': 0, 'lora': lora})
        else:
            info = call(s, 'load_model', {'path': folder, 'lora': lora})
        r: Dict[str, Any] = {'parameters': info['num_parameters'], 'trainable': info['trainable_parameters'],
                             'load_s': time.perf_counter() - t0}
        call(s, 'configure_optimizer', {'lr': 1e-5, 'schedule': 'constant', 'total_steps': 10})
        gen, secs, peak = _timed(dev, lambda: call(s, 'generate', {
            'prompts': prompts, 'n': 8, 'max_new_tokens': new, 'temperature': 1.0, 'seed': 0}))
        comps = gen['completions']
        toks = sum(len(c['ids']) for c in comps)
        r['generate'] = {'sequences': len(comps), 'new_tokens': toks, 'seconds': secs, 'tokens_per_s': toks / secs,
                         'peak_mib': peak}
        # Same seed, same tokens (the sampler's determinism on this device).
        again = call(s, 'generate', {'prompts': prompts[:2], 'n': 2, 'max_new_tokens': 8, 'temperature': 1.0, 'seed': 5})
        again2 = call(s, 'generate', {'prompts': prompts[:2], 'n': 2, 'max_new_tokens': 8, 'temperature': 1.0, 'seed': 5})
        r['generate']['seeded_repeatable'] = [c['ids'] for c in again['completions']] == [c['ids'] for c in again2['completions']]
        if not r['generate']['seeded_repeatable']:
            r['generate']['repeat_diagnosis'] = _repeat_diagnosis(s, prompts[:2], again, again2)
        adv = [((k % 8) - 3.5) / 2.3 for k in range(len(comps))]
        seqs = [{'prompt_ids': prompts[c['prompt_index']], 'completion_ids': c['ids'] or [1], 'advantage': a,
                 'group': c['prompt_index']} for c, a in zip(comps, adv)]
        upd, secs, peak = _timed(dev, lambda: call(s, 'train_step', {'sequences': seqs, 'loss': {'loss_type': 'dapo', 'beta': 0.0}}))
        tokens = sum(len(x['prompt_ids']) + len(x['completion_ids']) for x in seqs)
        r['train_step'] = {'loss': upd['loss'], 'grad_norm': upd['grad_norm'], 'entropy': upd['entropy'],
                           'seconds': secs, 'tokens_per_s': tokens / secs, 'peak_mib': peak}
        if mode == 'lora':
            upd, secs, peak = _timed(dev, lambda: call(s, 'train_step', {'sequences': seqs, 'loss': {'loss_type': 'dapo', 'beta': 0.04}}))
            r['train_step_kl'] = {'kl': upd['kl'], 'seconds': secs, 'peak_mib': peak}
        ex = [{'prompt_ids': prompts[i % 8], 'target_ids': comps[i]['ids'] or [1]} for i in range(16)]
        sft, secs, peak = _timed(dev, lambda: call(s, 'sft_step', {'examples': ex}))
        r['sft_step'] = {'loss': sft['loss'], 'seconds': secs, 'peak_mib': peak}
        finite = all(v == v and abs(v) != float('inf') for v in (r['train_step']['loss'], r['train_step']['grad_norm'], sft['loss']))
        r['finite'] = finite
        # merged save → load → same last-position logits
        probe = {'input_ids': [prompts[0][:32], prompts[1][:32]]}
        before = torch.tensor(call(s, 'logits', probe)['logits'])
        out_dir = os.path.join(work, f'saved-{mode}')
        t0 = time.perf_counter()
        call(s, 'save', {'path': out_dir, 'kind': 'merged'})
        r['save_s'] = time.perf_counter() - t0
        call(s, 'load_model', {'path': out_dir})
        after = torch.tensor(call(s, 'logits', probe)['logits'])
        r['save_load_max_abs_logit_diff'] = (before - after).abs().max().item()
        res[mode] = r
        log(f'{mode}: {json.dumps(r)}')
        del s
        if dev.startswith('cuda'):
            torch.cuda.empty_cache()
    return res


def main(argv: List[str] = None) -> int:
    ap = argparse.ArgumentParser(prog='python -m tooltune_engine.smoke', description=__doc__.split('\n\n')[0])
    ap.add_argument('--device', default='auto')
    ap.add_argument('--size', choices=sorted(SIZES), default='0.6b')
    ap.add_argument('--no-parity', action='store_true', help='skip the transformers comparison')
    ap.add_argument('--json', action='store_true', help='print one JSON object last')
    a = ap.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    out: Dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix='tooltune-smoke-') as work:
        if not a.no_parity:
            out['hf_parity'] = hf_parity(a.device, work, log)
        out['training'] = training_path(a.device, a.size, work, log)
    ok = all(out['training'][m]['finite'] for m in ('full', 'lora'))
    par = out.get('hf_parity', {})
    for fam in PARITY_FAMILIES:
        if fam in par:
            ok = ok and 'error' not in par[fam] and par[fam]['max_abs_logit_diff'] < 1e-3 and par[fam]['same_argmax']
    out['ok'] = ok
    print(json.dumps(out, indent=None if a.json else 2))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
