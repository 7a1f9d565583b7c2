// The evaluation runner: greedy decoding on the eval split (temperature 0, one sample per row), judged by core's
// evaluation (core/evaluate.ts: the same matcher as the rewards), plus sampled pass@k. Logged as
//   eval/accuracy, eval/format_valid, eval/name_accuracy, eval/args_accuracy, eval/no_call_accuracy,
//   eval/<category>/accuracy (single, parallel, no_call) and eval/pass_at_k (k = eval.pass_at_k).
// A metric with nothing to measure (e.g. no_call accuracy without no-call rows) is NaN, written as null.
import { judgeRow, passAtK, summarise, type RowVerdict } from '../core/evaluate';
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
  [key: string]: number | undefined;
}

export interface EvalOutcome { scores: EvalScores; answers: Array<{ row_id: string; completion: string; correct: boolean }> }

/** Aggregate scored greedy answers (one per row, same order). Exported for tests. */
export function aggregate(rows: readonly DatasetRow[], answers: readonly Scored[]): EvalScores {
  const verdicts: RowVerdict[] = rows.map((r, i) => judgeRow(r, answers[i].parsed));
  const all = summarise(verdicts);
  const out: EvalScores = {
    n: all.n, 'eval/accuracy': all.accuracy, 'eval/format_valid': all.format_valid, 'eval/name_accuracy': all.name_accuracy,
    'eval/args_accuracy': all.args_accuracy, 'eval/no_call_accuracy': all.no_call_accuracy,
  };
  for (const c of ['single', 'parallel', 'no_call'] as const) {
    const sub = verdicts.filter((v) => v.category === c);
    if (sub.length) out[`eval/${c}/accuracy`] = summarise(sub).accuracy;
  }
  return out;
}

const BATCH = 32;

/** Greedy evaluation (+ pass@k when `passAtK` > 0). `onProgress(done, total)` after each batch. */
export async function evaluate(engine: EngineClient, policy: Policy, rows: readonly DatasetRow[], opts: {
  passAtK?: number; passAtKTemperature?: number; passAtKRows?: number; seed?: number; onProgress?: (done: number, total: number) => void;
} = {}): Promise<EvalOutcome> {
  const cfg = policy.cfg;
  const greedy: Scored[] = [];
  const k = opts.passAtK ?? 0;
  let passSum = 0;
  const passRows = k > 0 ? rows.slice(0, opts.passAtKRows || rows.length) : [];
  const total = rows.length + passRows.length;
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
    // pass@k from exactly k samples per row (core's unbiased estimator with n = k: "any of the k correct").
    const perBatch = Math.max(1, Math.floor(BATCH / k) * 2);
    for (let start = 0; start < passRows.length; start += perBatch) {
      const batch = passRows.slice(start, start + perBatch);
      const g = await engine.request('generate', {
        prompts: batch.map((r) => policy.prompt(r).ids), n: k, max_new_tokens: cfg.max_completion_length,
        temperature: opts.passAtKTemperature ?? 1.0, stop_token_ids: policy.stopIds, seed: (opts.seed ?? cfg.seed) + 1 + start,
      });
      batch.forEach((r, i) => {
        const c = g.completions.slice(i * k, (i + 1) * k).filter((x) => policy.score(r, policy.decode(x.ids)).correct).length;
        passSum += passAtK(k, c, k);
      });
      done += batch.length;
      opts.onProgress?.(done, total);
    }
  }
  const scores = aggregate(rows, greedy);
  if (k > 0) { scores['eval/pass_at_k'] = passRows.length ? passSum / passRows.length : 0; scores.k = k; scores.pass_at_k_n = passRows.length; }
  return { scores, answers: greedy.map((s, i) => ({ row_id: rows[i].id, completion: s.text, correct: s.correct })) };
}
