import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toColumns } from '../../../webview/chartData';
import { learnabilityText } from '../../../webview/learnability';

test('the learnability line shows the latest eval record that ran pass@k', () => {
  const cases: Array<[string, Record<string, unknown>[], string]> = [
    ['no evaluation yet', [], ''],
    ['greedy-only evaluations: nothing to say', [{ step: 0, 'eval/accuracy': 0.2, n: 250 }], ''],
    // the start's pass@k evaluation, then a greedy-only one at step 25: the start's figures stay shown
    ['start, then greedy only', [
      { step: 0, split: 'eval', n: 250, k: 8, pass_at_k_n: 250, 'eval/accuracy': 0.2, 'eval/learnable_rows': 0.42, 'eval/pass_gap': 0.15, 'eval/call_pass_at_k': 0.35, 'eval/call_accuracy': 0.2 },
      { step: 25, split: 'eval', n: 250, 'eval/accuracy': 0.25 },
    ], 'Learnability (eval at step 0, 250 rows): 42.0% of rows have 1–7 of 8 samples right · pass@8 − greedy +15.0 points · call rows: pass@8 35.0%, greedy 20.0%'],
    // the final evaluation replaces it; a negative gap keeps its sign; no call rows (NaN → null) shows a dash
    ['final', [
      { step: 0, n: 4, k: 4, pass_at_k_n: 4, 'eval/learnable_rows': 0.5, 'eval/pass_gap': 0.25 },
      { step: 300, n: 4, k: 4, pass_at_k_n: 4, 'eval/learnable_rows': 0.25, 'eval/pass_gap': -0.25, 'eval/call_pass_at_k': NaN, 'eval/call_accuracy': 0.5 },
    ], 'Learnability (eval at step 300, 4 rows): 25.0% of rows have 1–3 of 4 samples right · pass@4 − greedy -25.0 points · call rows: pass@4 —, greedy 50.0%'],
  ];
  for (const [name, records, want] of cases) assert.equal(learnabilityText(toColumns(records)), want, name);
  assert.equal(learnabilityText(undefined), '');
});
