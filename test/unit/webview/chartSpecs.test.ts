import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartSpecs, keysOf } from '../../../webview/chartSpecs';
import { toColumns } from '../../../webview/chartData';

test('charts follow the logged keys: one per reward part, eval accuracies together, unlogged charts absent', () => {
  const specs = chartSpecs(['reward', 'reward_std', 'rewards/format/mean', 'rewards/args/mean', 'rewards/args/std', 'kl',
    'clip_ratio/low_mean', 'clip_ratio/high_mean', 'frac_reward_zero_std'], ['eval/accuracy', 'eval/no_call_accuracy']);
  assert.deepEqual(specs.map((s) => s.id), ['reward', 'part:args', 'part:format', 'eval', 'zero_std', 'kl', 'clip']);
  assert.deepEqual(specs[0]!.series, [{ key: 'reward', stdKey: 'reward_std' }]);
  assert.deepEqual(specs.find((s) => s.id === 'eval')!.series.map((s) => s.key), ['eval/accuracy', 'eval/no_call_accuracy']);
  assert.equal(specs.find((s) => s.id === 'clip')!.series.length, 2);
});

test('keysOf ignores keys that only ever hold null', () => {
  const cols = toColumns([{ step: 1, reward: 1 }]);
  cols.values.kl = [null];
  assert.deepEqual(keysOf(cols), ['reward']);
  assert.deepEqual(keysOf(undefined), []);
});

test('rollout rows sort by any column, reward parts included, ties broken by row and sample', async () => {
  const { sortRows } = await import('../../../webview/rolloutTable');
  const row = (row_id: string, sample: number, reward: number, fmt: number) =>
    ({ step: 3, row_id, sample, reward, advantage: reward - 0.5, correct: reward === 1, clean: true, parts: { format: fmt }, call: 'f' });
  const rows = [row('a', 0, 0.5, 0.1), row('b', 1, 1, 0), row('a', 1, 0.5, 0.125)];
  assert.deepEqual(sortRows(rows, { key: 'reward', descending: true }).map((r) => `${r.row_id}${r.sample}`), ['b1', 'a0', 'a1']);
  assert.deepEqual(sortRows(rows, { key: 'part:format', descending: false }).map((r) => `${r.row_id}${r.sample}`), ['b1', 'a0', 'a1']);
  assert.deepEqual(sortRows(rows, { key: 'row_id', descending: false }).map((r) => `${r.row_id}${r.sample}`), ['a0', 'a1', 'b1']);
});

test('y range: air around the data, a band around a flat series, [0, 1] without data', async () => {
  const { yRange } = await import('../../../webview/chartData');
  assert.deepEqual(yRange(0, 0), [-0.1, 0.1]);            // uPlot alone would draw a flat 0 on a 0–100 axis
  assert.deepEqual(yRange(2, 2), [1.8, 2.2]);
  assert.deepEqual(yRange(null, null), [0, 1]);
  const [lo, hi] = yRange(0, 1);
  assert.ok(lo < 0 && hi > 1);
});
