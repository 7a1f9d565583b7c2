import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, summary } from '../../../src/cli/commands/demo';
import type { EvalRecord } from '../../../src/train/events';

const rec = (acc: number, pass: number): EvalRecord => ({
  step: 0, time: 0, split: 'eval', n: 200, 'eval/accuracy': acc, 'eval/format_valid': 0.99, 'eval/name_accuracy': 0.9,
  'eval/args_accuracy': 0.7, 'eval/no_call_accuracy': NaN, 'eval/pass_at_k': pass, k: 8,
});

test('demo summary and before/after table', () => {
  const before = summary(rec(0.3, 0.6));
  const after = summary(rec(0.42, 0.65));
  assert.deepEqual(before && [before.accuracy, before.pass_at_k, before.k, before.n], [0.3, 0.6, 8, 200]);
  const t = formatTable(before, after);
  assert.match(t, /after SFT\s+after GRPO/);
  assert.match(t, /exact match \(greedy\)\s+30\.0%\s+42\.0%/);
  assert.match(t, /pass@8\s+60\.0%\s+65\.0%/);
  assert.match(t, /no-call rows\s+—\s+—/); // nothing to measure is shown as a dash, not 0%
  assert.equal(summary(undefined), null);
  assert.match(formatTable(null, null), /\(eval rows: 0\)/);
});
