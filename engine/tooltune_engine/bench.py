"""Engine benchmark: `python -m tooltune_engine.bench [--reps 3] [--json]` (also `npm run bench:engine`).

The model is ToolTune's demo shape: Qwen3, d 128, 4 layers, 4 q / 2 kv heads, head_dim 32, the real 151,936-token
vocabulary (tied), random init (~20M parameters, almost all of them in the embedding/head). Reports medians of
`--reps` runs of:
  1. the machine's fp32 matmul rate (a square GEMM, measured here, not quoted);
  2. train-step tokens/s and its share of that rate, two ways: nominal 6 * params * tokens (the usual MFU
     formula), and executed 6 * (body params * all tokens + head params * completion tokens) — the engine only
     runs the 151,936-row head at completion positions, so the nominal figure overstates the work done;
  3. rollout tokens/s for 8 prompts x 8 samples, and the speed-up of prefilling each prompt once (KV cache shared
     by its 8 samples) over 64 independent prompts producing the same number of tokens;
  4. peak memory of one train step (completion-only, chunked head) against a naive step that builds the full
     [B, T, V] logits, each in a fresh subprocess, read as the peak RSS (VmHWM on Linux, else ru_maxrss), both as
     the process peak and as the step's increment over the peak after building the model.
The machine's load average is printed with the figures: on a shared machine every timing moves with it, and with
more threads than free cores OpenMP's spinning barriers make 2 threads far slower than 1 (`--threads 1`).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List

import torch

BENCH_CONFIG = {
    'model_type': 'qwen3', 'vocab_size': 151936, 'hidden_size': 128, 'intermediate_size': 384,
    'num_hidden_layers': 4, 'num_attention_heads': 4, 'num_key_value_heads': 2, 'head_dim': 32,
    'rms_norm_eps': 1e-6, 'rope_theta': 10000.0, 'max_position_embeddings': 4096, 'tie_word_embeddings': True,
    'eos_token_id': 151645, 'bos_token_id': None,
}


def build(vocab: int):
    from .config import ModelConfig
    from .model import init_model
    cfg = ModelConfig.from_dict({**BENCH_CONFIG, 'vocab_size': vocab})
    model = init_model(cfg, seed=0)
    for p in model.parameters():
        p.requires_grad_(True)
    return model, cfg


CPU_SECONDS: Dict[str, float] = {}


def median_time(fn: Callable[[], None], reps: int, warmup: int = 1, name: str = '') -> float:
    """Median wall seconds of `reps` calls; the median process CPU seconds go to CPU_SECONDS[name] (CPU time counts
    all threads, so on a busy machine it shows what the work itself costs when the wall clock does not)."""
    for _ in range(warmup):
        fn()
    times, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if name:
        CPU_SECONDS[name] = statistics.median(cpu)
    return statistics.median(times)


def gemm_rate(n: int, reps: int) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    return 2 * n ** 3 / median_time(lambda: torch.mm(a, b), max(reps, 5))


def train_batch(vocab: int, n_seq: int, prompt_len: int, completion_len: int, seed: int = 0):
    from .protocol import TrainSequence
    g = torch.Generator().manual_seed(seed)
    seqs = []
    for i in range(n_seq):
        ids = torch.randint(2, vocab, (prompt_len + completion_len,), generator=g).tolist()
        seqs.append(TrainSequence(ids[:prompt_len], ids[prompt_len:], advantage=(i % 3) - 1.0 or 0.5, group=i))
    return seqs


def engine_step(model, seqs, micro_batch_tokens: int):
    from .logprobs import batched_completion_logprobs
    from .optim import Optimizer
    from .protocol import LossConfig, OptimizerConfig
    from .trainer import train_step
    opt = Optimizer(model.parameters(), OptimizerConfig(lr=1e-5))
    return lambda: train_step(model, opt, seqs, LossConfig(loss_type='dapo'), batched_completion_logprobs,
                              micro_batch_tokens=micro_batch_tokens)


def naive_step(model, seqs):
    """What a straightforward implementation does: full logits for every position, log-softmax, gather."""
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    ids = torch.tensor([s.prompt_ids + s.completion_ids for s in seqs])
    p = len(seqs[0].prompt_ids)
    adv = torch.tensor([s.advantage for s in seqs])

    def step():
        hidden, _ = model.forward_hidden(ids)
        logits = model.head(hidden)                                   # [B, T, V]
        lp = torch.log_softmax(logits[:, p - 1:-1].float(), -1)
        tok = lp.gather(-1, ids[:, p:, None]).squeeze(-1)
        loss = -(adv[:, None] * tok).mean()
        loss.backward()
        opt.step()
        opt.zero_grad()
    return step


def peak_rss_bytes() -> int:
    """Peak resident set size of this process. On Linux VmHWM, because getrusage's ru_maxrss survives fork + exec
    (a child started by a big parent would report the parent's peak); elsewhere ru_maxrss (bytes on macOS)."""
    try:
        with open('/proc/self/status', encoding='ascii') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(r) if sys.platform == 'darwin' else int(r) * 1024


def child_memory(variant: str, args) -> dict:
    """Runs in a fresh process: build the model, note the peak, run one step, note the peak again."""
    torch.manual_seed(0)
    model, _ = build(args.vocab)
    seqs = train_batch(args.vocab, args.train_seqs, args.train_prompt, args.train_completion)
    base = peak_rss_bytes()
    step = engine_step(model, seqs, args.micro_batch_tokens) if variant == 'engine' else naive_step(model, seqs)
    step()
    peak = peak_rss_bytes()
    return {'variant': variant, 'base_bytes': base, 'peak_bytes': peak, 'step_bytes': peak - base}


def run_child(variant: str, args) -> dict:
    cmd = [sys.executable, '-m', 'tooltune_engine.bench', '--child', variant, '--vocab', str(args.vocab),
           '--train-seqs', str(args.train_seqs), '--train-prompt', str(args.train_prompt),
           '--train-completion', str(args.train_completion), '--micro-batch-tokens', str(args.micro_batch_tokens),
           '--threads', str(args.threads)]
    env = dict(os.environ)
    env['PYTHONPATH'] = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.pathsep + env.get(
        'PYTHONPATH', '')
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f'memory child ({variant}) failed: {r.stderr[-2000:]}')
    return json.loads(r.stdout.strip().splitlines()[-1])


def rollout(model, args) -> Dict[str, float]:
    from .sampling import generate
    g = torch.Generator().manual_seed(1)
    prompts = [torch.randint(2, args.vocab, (args.rollout_prompt,), generator=g).tolist() for _ in range(8)]
    new = args.rollout_new
    model.eval()

    def shared():
        with torch.no_grad():
            generate(model, prompts, 8, new, temperature=1.0, seed=0)

    def independent():
        with torch.no_grad():
            generate(model, [p for p in prompts for _ in range(8)], 1, new, temperature=1.0, seed=0)
    t_shared = median_time(shared, args.reps, name='rollout_shared')
    t_indep = median_time(independent, args.reps, name='rollout_independent')
    tokens = 64 * new
    return {'rollout_tokens_per_s': tokens / t_shared, 'independent_tokens_per_s': tokens / t_indep,
            'shared_prefill_speedup': t_indep / t_shared, 'rollout_seconds': t_shared,
            'independent_seconds': t_indep}


def memory_part(args, say) -> dict:
    mem: Dict[str, List[dict]] = {'engine': [], 'naive': []}
    for _ in range(args.reps):
        for v in ('engine', 'naive'):
            mem[v].append(run_child(v, args))
    med = {v: {k: statistics.median(m[k] for m in runs) for k in ('base_bytes', 'peak_bytes', 'step_bytes')}
           for v, runs in mem.items()}
    out = {'memory': med, 'memory_peak_ratio': med['engine']['peak_bytes'] / med['naive']['peak_bytes'],
           'memory_step_ratio': med['engine']['step_bytes'] / max(med['naive']['step_bytes'], 1)}
    mib = lambda b: f'{b / 2 ** 20:.0f} MiB'  # noqa: E731
    say(f'peak RSS of a train step: engine {mib(med["engine"]["peak_bytes"])} vs naive '
        f'{mib(med["naive"]["peak_bytes"])} ({out["memory_peak_ratio"]:.2f}x); above the model: engine '
        f'{mib(med["engine"]["step_bytes"])} vs naive {mib(med["naive"]["step_bytes"])} '
        f'({out["memory_step_ratio"]:.2f}x)')
    return out


def train_part(model, cfg, args, say) -> dict:
    gemm = gemm_rate(args.gemm_n, args.reps)
    say(f'matmul fp32 {args.gemm_n}^3: {gemm / 1e9:.1f} GFLOP/s')
    n_params = sum(p.numel() for p in model.parameters())
    n_head = cfg.vocab_size * cfg.hidden_size
    n_body = n_params - n_head  # tied: the embedding matrix is the head
    seqs = train_batch(args.vocab, args.train_seqs, args.train_prompt, args.train_completion)
    tokens = sum(len(s.prompt_ids) + len(s.completion_ids) for s in seqs)
    comp_tokens = sum(len(s.completion_ids) for s in seqs)
    t_train = median_time(engine_step(model, seqs, args.micro_batch_tokens), args.reps, name='train_step')
    nominal = 6 * n_params * tokens / t_train
    executed = 6 * (n_body * tokens + n_head * comp_tokens) / t_train
    out = {'gemm_flops_per_s': gemm, 'train_step_seconds': t_train, 'train_tokens_per_s': tokens / t_train,
           'train_fraction_of_gemm_nominal': nominal / gemm, 'train_fraction_of_gemm_executed': executed / gemm}
    say(f'train step ({args.train_seqs} x {args.train_prompt}+{args.train_completion} tokens): {t_train:.2f} s, '
        f'{tokens / t_train:.0f} tokens/s; {100 * nominal / gemm:.0f}% of the matmul rate by 6*N*T, '
        f'{100 * executed / gemm:.0f}% counting the FLOPs executed (head at completion positions only)')
    t_naive = median_time(naive_step(model, seqs), args.reps, name='naive_train_step')
    out.update({'naive_train_step_seconds': t_naive, 'train_speedup_vs_naive': t_naive / t_train})
    say(f'naive full-logits step: {t_naive:.2f} s ({t_naive / t_train:.2f}x the engine step)')
    return out


def rollout_part(model, args, say) -> dict:
    r = rollout(model, args)
    r['shared_prefill_speedup_cpu'] = CPU_SECONDS['rollout_independent'] / CPU_SECONDS['rollout_shared']
    say(f'rollout 8 prompts x 8 samples ({args.rollout_prompt}-token prompts, {args.rollout_new} new tokens): '
        f'{r["rollout_tokens_per_s"]:.0f} tokens/s; 64 independent prompts: {r["independent_tokens_per_s"]:.0f} '
        f'tokens/s; shared prefill speed-up {r["shared_prefill_speedup"]:.2f}x wall, '
        f'{r["shared_prefill_speedup_cpu"]:.2f}x CPU time')
    return r


def main(argv: List[str] = None) -> int:
    ap = argparse.ArgumentParser(prog='python -m tooltune_engine.bench', description=__doc__.split('\n\n')[0])
    ap.add_argument('--reps', type=int, default=3, help='timed repetitions per figure (median reported)')
    ap.add_argument('--vocab', type=int, default=BENCH_CONFIG['vocab_size'])
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--train-seqs', type=int, default=8)
    ap.add_argument('--train-prompt', type=int, default=128)
    ap.add_argument('--train-completion', type=int, default=128)
    ap.add_argument('--micro-batch-tokens', type=int, default=8192)
    ap.add_argument('--rollout-prompt', type=int, default=512, help='prompt tokens (tool prompts run 400-700)')
    ap.add_argument('--rollout-new', type=int, default=32, help='new tokens per sample (a tool call is ~30-60)')
    ap.add_argument('--gemm-n', type=int, default=2048)
    ap.add_argument('--json', action='store_true', help='print one JSON object instead of text')
    ap.add_argument('--parts', default='memory,train,rollout', help='comma-separated subset of memory,train,rollout')
    ap.add_argument('--child', choices=['engine', 'naive'], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.child:
        print(json.dumps(child_memory(args.child, args)))
        return 0

    def say(msg: str) -> None:
        if not args.json:
            print(msg, flush=True)
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else None
    say(f'torch {torch.__version__}, {args.threads} threads, {args.reps} reps (medians), '
        f'load average {load if load is None else round(load, 1)} on {os.cpu_count()} cores')
    out: Dict[str, object] = {'torch_version': torch.__version__, 'threads': args.threads, 'reps': args.reps,
                              'load_average_start': load}
    parts = set(args.parts.split(','))
    unknown = parts - {'memory', 'train', 'rollout'}
    if unknown:
        ap.error(f'--parts: unknown part(s) {", ".join(sorted(unknown))}; use memory, train, rollout')
    if 'memory' in parts:
        out.update(memory_part(args, say))
    if parts & {'train', 'rollout'}:
        model, cfg = build(args.vocab)
        n_params = sum(p.numel() for p in model.parameters())
        out['parameters'] = n_params
        say(f'model: qwen3 d{cfg.hidden_size} x{cfg.num_hidden_layers}, vocab {cfg.vocab_size}: '
            f'{n_params / 1e6:.2f}M parameters ({(n_params - cfg.vocab_size * cfg.hidden_size) / 1e6:.2f}M outside '
            'the embedding/head)')
        if 'train' in parts:
            out.update(train_part(model, cfg, args, say))
        if 'rollout' in parts:
            out.update(rollout_part(model, args, say))
        del model
    out['cpu_seconds'] = dict(CPU_SECONDS)
    say('process CPU seconds (all threads), medians: ' + ', '.join(f'{k} {v:.2f}' for k, v in CPU_SECONDS.items()))
    if hasattr(os, 'getloadavg'):
        out['load_average_end'] = os.getloadavg()[0]
        say(f'load average at the end: {out["load_average_end"]:.1f}')
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
