// The evaluation runner: greedy decoding on the eval split (temperature 0, one sample per row), judged by core's
// evaluation (core/evaluate.ts: the same matcher as the rewards), plus sampled pass@k. Logged as
//   eval/accuracy, eval/format_valid, eval/name_accuracy, eval/args_accuracy, eval/no_call_accuracy,
//   eval/call_accuracy (greedy exact on rows that expect calls: a policy that stops calling cannot hide behind the
//   no-call rows), eval/<category>/accuracy (single, parallel, no_call) and, with pass@k (k = eval.pass_at_k),
//   eval/pass_at_k and the learnability of the start (`learnability` below): eval/learnable_rows, eval/pass_gap,
//   eval/call_pass_at_k.
// A metric with nothing to measure (e.g. no_call accuracy without no-call rows) is NaN, written as null.
import { judgeRow, passAtK, summarise, type RowVerdict } from '../core/evaluate';
import { isCorrect } from '../core/rewards';
import type { DatasetRow, MatchMode } from '../core/types';
import type { EngineClient } from '../engine/client';
import type { Policy, Scored } from './policy';

export interface EvalScores {
  n: number;
  'eval/accuracy': number;
  'eval/format_valid': number;
  'eval/name_accuracy': number;
  'eval/args_accuracy': number;
  'eval/no_call_accuracy': number;
  'eval/call_accuracy': number;
  'eval/pass_at_k'?: number;
  [key: string]: number | undefined;
}

export interface EvalAnswer {
  row_id: string;
  completion: string;
  correct: boolean;
  /** With pass@k: how many of the row's k samples were right. */
  samples_correct?: number;
}

export interface EvalOutcome { scores: EvalScores; answers: EvalAnswer[] }

const share = (k: number, d: number) => (d === 0 ? NaN : k / d);

/** Aggregate scored greedy answers (one per row, same order). Exported for tests. */
export function aggregate(rows: readonly DatasetRow[], answers: readonly Scored[], match: MatchMode = 'exact'): EvalScores {
  const verdicts: RowVerdict[] = rows.map((r, i) => judgeRow(r, answers[i].parsed, match));
  const all = summarise(verdicts);
  const calls = verdicts.filter((v) => v.category !== 'no_call');
  const out: EvalScores = {
    n: all.n, 'eval/accuracy': all.accuracy, 'eval/format_valid': all.format_valid, 'eval/name_accuracy': all.name_accuracy,
    'eval/args_accuracy': all.args_accuracy, 'eval/no_call_accuracy': all.no_call_accuracy,
    'eval/call_accuracy': share(calls.filter((v) => v.correct).length, calls.length),
  };
  for (const c of ['single', 'parallel', 'no_call'] as const) {
    const sub = verdicts.filter((v) => v.category === c);
    if (sub.length) out[`eval/${c}/accuracy`] = summarise(sub).accuracy;
  }
  return out;
}

/** One pass@k row: does it expect calls, was its greedy answer right, and how many of its k samples were. */
export interface PassRow { call: boolean; greedy: boolean; correct: number }

/**
 * How much GRPO can move this start (issue 11; Yue et al., arXiv 2504.13837: RL sharpens what the model can already
 * sample, so the ceiling on held-out rows is about the start's pass@k):
 *   learnable_rows   share of rows with 1..k-1 of k samples right: only their groups have a reward spread to learn from
 *   pass_gap         pass@k − greedy accuracy on the same rows: what sharpening can still win
 *   call_pass_at_k   pass@k on rows that expect calls (NaN without any), reported apart from no-call rows
 * pass@k uses exactly k samples per row: a row counts when any sample is right.
 * Example, k = 8: rows (call, greedy ✗, 3/8), (call, greedy ✓, 8/8), (no call, greedy ✓, 8/8), (call, greedy ✗, 0/8)
 *   → learnable 1/4, pass@8 3/4, greedy 2/4, gap 0.25, call-row pass@8 2/3.
 */
export function learnability(rows: readonly PassRow[], k: number): { pass_at_k: number; learnable_rows: number; pass_gap: number; call_pass_at_k: number } {
  const any = (r: PassRow) => passAtK(k, r.correct, k);
  const callRows = rows.filter((r) => r.call);
  const pass = share(rows.reduce((a, r) => a + any(r), 0), rows.length);
  const greedy = share(rows.filter((r) => r.greedy).length, rows.length);
  return {
    pass_at_k: pass,
    learnable_rows: share(rows.filter((r) => r.correct > 0 && r.correct < k).length, rows.length),
    pass_gap: pass - greedy,
    call_pass_at_k: share(callRows.reduce((a, r) => a + any(r), 0), callRows.length),
  };
}

/** The learnability figures of an eval record, as one line for logs (pass@k must have run). */
export function describeLearnability(s: Record<string, unknown>): string | undefined {
  const num = (k: string) => (typeof s[k] === 'number' ? s[k] as number : NaN);
  const k = num('k');
  if (!Number.isFinite(num('eval/learnable_rows'))) return undefined;
  const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');
  const pts = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} points` : '—');
  return `learnability: ${pct(num('eval/learnable_rows'))} of rows have 1–${k - 1} of ${k} samples right; ` +
    `pass@${k} − greedy ${pts(num('eval/pass_gap'))}; call rows: pass@${k} ${pct(num('eval/call_pass_at_k'))}, greedy ${pct(num('eval/call_accuracy'))}`;
}

/** The figures of one evaluation (an eval record or EvalScores) as the CLI's JSON writes them: fractions, pass@k
 *  under its k (`pass_at_8`, `call_pass_at_8`), NaN as null, and the standard error of greedy accuracy,
 *  sqrt(p(1 − p) / n). Example: accuracy 0.3 on n 250 → accuracy_se 0.029. */
export function evalSummary(s: Record<string, unknown>): Record<string, number | null> {
  const num = (k: string) => (typeof s[k] === 'number' && Number.isFinite(s[k]) ? s[k] as number : null);
  const acc = num('eval/accuracy');
  const n = num('n') ?? 0;
  const out: Record<string, number | null> = {
    accuracy: acc, accuracy_se: acc !== null && n > 0 ? Math.sqrt((acc * (1 - acc)) / n) : null,
    format_valid: num('eval/format_valid'), name_accuracy: num('eval/name_accuracy'), args_accuracy: num('eval/args_accuracy'),
    no_call_accuracy: num('eval/no_call_accuracy'), call_accuracy: num('eval/call_accuracy'), n,
  };
  const k = num('k');
  if (k !== null && num('eval/pass_at_k') !== null) {
    Object.assign(out, {
      k, [`pass_at_${k}`]: num('eval/pass_at_k'), [`call_pass_at_${k}`]: num('eval/call_pass_at_k'),
      learnable_rows: num('eval/learnable_rows'), pass_gap: num('eval/pass_gap'), pass_at_k_n: num('pass_at_k_n'),
    });
  }
  return out;
}

const BATCH = 32;

/** Greedy evaluation (+ pass@k when `passAtK` > 0). `onProgress(done, total)` after each batch. A row is right when
 *  its output is clean and its calls match (`match`, the rewards' matcher), for greedy answers and samples alike. */
export async function evaluate(engine: EngineClient, policy: Policy, rows: readonly DatasetRow[], opts: {
  passAtK?: number; passAtKTemperature?: number; passAtKRows?: number; seed?: number; match?: MatchMode;
  onProgress?: (done: number, total: number) => void;
} = {}): Promise<EvalOutcome> {
  const cfg = policy.cfg;
  const match = opts.match ?? 'exact';
  const greedy: Scored[] = [];
  const k = opts.passAtK ?? 0;
  const passRows = k > 0 ? rows.slice(0, opts.passAtKRows || rows.length) : [];
  const samplesCorrect: number[] = [];
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
    const perBatch = Math.max(1, Math.floor(BATCH / k) * 2);
    for (let start = 0; start < passRows.length; start += perBatch) {
      const batch = passRows.slice(start, start + perBatch);
      const g = await engine.request('generate', {
        prompts: batch.map((r) => policy.prompt(r).ids), n: k, max_new_tokens: cfg.max_completion_length,
        temperature: opts.passAtKTemperature ?? 1.0, stop_token_ids: policy.stopIds, seed: (opts.seed ?? cfg.seed) + 1 + start,
      });
      batch.forEach((r, i) => {
        samplesCorrect.push(g.completions.slice(i * k, (i + 1) * k)
          .filter((x) => isCorrect(policy.score(r, policy.decode(x.ids)).parsed, r.expected, match)).length);
      });
      done += batch.length;
      opts.onProgress?.(done, total);
    }
  }
  const scores = aggregate(rows, greedy, match);
  const greedyRight = rows.map((r, i) => isCorrect(greedy[i].parsed, r.expected, match));
  if (k > 0) {
    const l = learnability(passRows.map((r, i) => ({ call: r.expected.length > 0, greedy: greedyRight[i], correct: samplesCorrect[i] })), k);
    scores['eval/pass_at_k'] = passRows.length ? l.pass_at_k : 0;
    scores['eval/learnable_rows'] = l.learnable_rows;
    scores['eval/pass_gap'] = l.pass_gap;
    scores['eval/call_pass_at_k'] = l.call_pass_at_k;
    scores.k = k;
    scores.pass_at_k_n = passRows.length;
  }
  return {
    scores,
    answers: greedy.map((s, i) => ({ row_id: rows[i].id, completion: s.text, correct: greedyRight[i],
      ...(i < samplesCorrect.length ? { samples_correct: samplesCorrect[i] } : {}) })),
  };
}
