// The dashboard's learnability line: how much GRPO can still move the model, from the latest evaluation that ran
// pass@k (src/train/evaluation.ts writes the figures: eval/learnable_rows, eval/pass_gap, eval/call_pass_at_k,
// eval/call_accuracy, with k). Pure, so it is unit-tested; the webview only puts the text on the page.
import type { MetricColumns } from './protocol';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One line about the latest eval record with learnability figures, or '' when no evaluation ran pass@k.
 *  Example: "Learnability (eval at step 0, 250 rows): 42.0% of rows have 1–7 of 8 samples right · pass@8 − greedy
 *  +15.0 points · call rows: pass@8 35.0%, greedy 20.0%". */
export function learnabilityText(evals: MetricColumns | undefined): string {
  const col = (k: string) => evals?.values[k];
  const learnable = col('eval/learnable_rows');
  if (!evals || !learnable) return '';
  let i = learnable.length - 1;
  while (i >= 0 && (learnable[i] === null || learnable[i] === undefined)) i--;
  if (i < 0) return '';
  const at = (k: string) => { const v = col(k)?.[i]; return typeof v === 'number' ? v : null; };
  const k = at('k');
  const kk = k ?? 'k';
  const parts = [`${pct(learnable[i]!)} of rows have 1–${k !== null ? k - 1 : 'k-1'} of ${kk} samples right`];
  const gap = at('eval/pass_gap');
  if (gap !== null) parts.push(`pass@${kk} − greedy ${gap >= 0 ? '+' : ''}${(100 * gap).toFixed(1)} points`);
  const callPass = at('eval/call_pass_at_k');
  const callGreedy = at('eval/call_accuracy');
  if (callPass !== null || callGreedy !== null) {
    parts.push(`call rows: pass@${kk} ${callPass !== null ? pct(callPass) : '—'}, greedy ${callGreedy !== null ? pct(callGreedy) : '—'}`);
  }
  const n = at('pass_at_k_n') ?? at('n');
  return `Learnability (eval at step ${evals.step[i]}${n !== null ? `, ${n} rows` : ''}): ${parts.join(' · ')}`;
}
