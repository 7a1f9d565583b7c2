// The evaluation runner: greedy decoding on the eval split (temperature 0, one sample per row) scored with the same
// codec and matcher as the rewards (core/match.ts), plus sampled pass@k. Metrics:
//   eval/accuracy        exact multiset match of calls with clean output (no-call rows: clean and no call)
//   eval/format_valid    the codec parsed everything and nothing else was written
//   eval/name_accuracy   rows with expected calls whose called names equal the expected names (as a multiset)
//   eval/args_accuracy   over expected arguments of rows with calls: share right in correctly named calls
//   eval/no_call_accuracy  no-call rows answered without a call
//   eval/pass_at_k       rows with at least one correct answer among k samples (k = eval.pass_at_k)
import { matchCalls, namesMatched } from '../core/match';
import type { DatasetRow } from '../core/types';
import type { EngineClient } from '../engine/client';
import type { Policy, Scored } from './policy';

export interface EvalScores {
  n: number;
  'eval/accuracy': number;
  'eval/format_valid': number;
  'eval/name_accuracy': number;
  'eval/args_accuracy': number;
  'eval/no_call_accuracy': number;
  'eval/pass_at_k'?: number;
  /** per category: single / parallel / no_call accuracy */
  [key: string]: number | undefined;
}

export interface EvalOutcome { scores: EvalScores; answers: Array<{ row_id: string; completion: string; correct: boolean }> }

/** Aggregate scored greedy answers (one per row, same order). Exported for tests. */
export function aggregate(rows: readonly DatasetRow[], answers: readonly Scored[]): EvalScores {
  let correct = 0, format = 0, namesOk = 0, withCalls = 0, argsRight = 0, argsTotal = 0, noCallOk = 0, noCall = 0;
  const cat: Record<string, { n: number; ok: number }> = { single: { n: 0, ok: 0 }, parallel: { n: 0, ok: 0 }, no_call: { n: 0, ok: 0 } };
  rows.forEach((row, i) => {
    const a = answers[i];
    if (a.correct) correct++;
    if (a.formatValid) format++;
    const c = row.expected.length === 0 ? 'no_call' : row.expected.length === 1 ? 'single' : 'parallel';
    cat[c].n++;
    if (a.correct) cat[c].ok++;
    if (row.expected.length === 0) {
      noCall++;
      if (a.formatValid && a.parsed.calls.length === 0) noCallOk++;
      return;
    }
    withCalls++;
    const calls = a.formatValid ? a.parsed.calls : [];
    if (namesMatched(row.expected, calls) === row.expected.length && calls.length === row.expected.length) namesOk++;
    const m = matchCalls(row.expected, calls);
    for (const e of row.expected) argsTotal += new Set([...Object.keys(e.arguments ?? {}), ...Object.keys(e.accept ?? {})]).size;
    for (const p of m.pairs) argsRight += p.args.matched.length;
  });
  const frac = (a: number, b: number) => (b ? a / b : 0);
  const out: EvalScores = {
    n: rows.length,
    'eval/accuracy': frac(correct, rows.length),
    'eval/format_valid': frac(format, rows.length),
    'eval/name_accuracy': frac(namesOk, withCalls),
    'eval/args_accuracy': frac(argsRight, argsTotal),
    'eval/no_call_accuracy': frac(noCallOk, noCall),
  };
  for (const [k, v] of Object.entries(cat)) if (v.n) out[`eval/accuracy_${k}`] = v.ok / v.n;
  return out;
}

const BATCH = 32;

/** Greedy evaluation (+ pass@k when `passAtK` > 0). `onProgress(done, total)` after each batch. */
export async function evaluate(engine: EngineClient, policy: Policy, rows: readonly DatasetRow[], opts: {
  passAtK?: number; passAtKTemperature?: number; seed?: number; onProgress?: (done: number, total: number) => void;
} = {}): Promise<EvalOutcome> {
  const cfg = policy.cfg;
  const greedy: Scored[] = [];
  const k = opts.passAtK ?? 0;
  let passHits = 0;
  const total = rows.length * (k > 0 ? 2 : 1);
  let done = 0;
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const prompts = batch.map((r) => policy.prompt(r).ids);
    const g = await engine.request('generate', {
      prompts, n: 1, max_new_tokens: cfg.max_completion_length, temperature: 0, stop_token_ids: policy.stopIds, seed: opts.seed ?? cfg.seed,
    });
    g.completions.forEach((c, i) => greedy.push(policy.score(batch[i], policy.decode(c.ids))));
    done += batch.length;
    opts.onProgress?.(done, total);
  }
  if (k > 0) {
    // pass@k with exactly k samples per row: the unbiased estimator 1 − C(n−c, k)/C(n, k) equals "any correct" at n = k.
    const perBatch = Math.max(1, Math.floor(BATCH / k) * 2);
    for (let start = 0; start < rows.length; start += perBatch) {
      const batch = rows.slice(start, start + perBatch);
      const g = await engine.request('generate', {
        prompts: batch.map((r) => policy.prompt(r).ids), n: k, max_new_tokens: cfg.max_completion_length,
        temperature: opts.passAtKTemperature ?? 1.0, stop_token_ids: policy.stopIds, seed: (opts.seed ?? cfg.seed) + 1 + start,
      });
      batch.forEach((r, i) => {
        const any = g.completions.slice(i * k, (i + 1) * k).some((c) => policy.score(r, policy.decode(c.ids)).correct);
        if (any) passHits++;
      });
      done += batch.length;
      opts.onProgress?.(done, total);
    }
  }
  const scores = aggregate(rows, greedy);
  if (k > 0) { scores['eval/pass_at_k'] = rows.length ? passHits / rows.length : 0; scores.k = k; }
  return { scores, answers: greedy.map((s, i) => ({ row_id: rows[i].id, completion: s.text, correct: s.correct })) };
}
