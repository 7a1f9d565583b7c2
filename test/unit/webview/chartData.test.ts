import { test } from 'node:test';
import assert from 'node:assert/strict';
import { align, appendColumns, chartLines, decimate, ema, toColumns } from '../../../webview/chartData';

const close = (a: (number | null)[], b: number[], eps = 1e-9) =>
  assert.ok(a.length === b.length && a.every((v, i) => Math.abs((v as number) - b[i]!) < eps), `${a} ≉ ${b}`);

test('ema debiases: a constant stays constant and the first point is the raw value', () => {
  close(ema([1, 1, 1], 0.9), [1, 1, 1]);                 // no pull toward 0 at the start
  close(ema([0, 10], 0.5), [0, 5 / 0.75]);               // last = 5, debias 1 − 0.5² = 0.75
  close(ema([3, 7], 0), [3, 7]);                          // weight 0 = raw
});

test('ema passes non-finite and null values through without disturbing the average', () => {
  const out = ema([2, null, NaN, 2], 0.5);
  assert.equal(out[1], null);
  assert.ok(Number.isNaN(out[2] as number));
  close([out[0]!, out[3]!], [2, 2]);
});

test('decimate keeps every point when there is room, otherwise first/min/max per bucket and the last point', () => {
  assert.deepEqual(decimate([1, 2, 3], 10), [0, 1, 2]);
  const ys = Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 50));
  ys[5_000] = 50;                                          // a spike decimation must keep
  const idx = decimate(ys, 600);
  assert.ok(idx.length <= 601, `got ${idx.length}`);
  assert.ok(idx.includes(5_000));
  assert.equal(idx[idx.length - 1], 9_999);
  assert.ok(idx.every((v, i) => i === 0 || v > idx[i - 1]!), 'indices increase');
});

test('toColumns fills keys that appear later with null and skips non-numeric fields', () => {
  const c = toColumns([{ step: 1, time: 0.5, reward: 0.1 }, { step: 2, time: 1, reward: 0.2, kl: 0.01, split: 'eval' }]);
  assert.deepEqual(c.step, [1, 2]);
  assert.deepEqual(c.values.reward, [0.1, 0.2]);
  assert.deepEqual(c.values.kl, [null, 0.01]);
  assert.equal(c.values.split, undefined);
});

test('appendColumns back-fills new keys and pads keys missing from the new rows', () => {
  const a = toColumns([{ step: 1, time: 0, reward: 1 }]);
  appendColumns(a, toColumns([{ step: 2, time: 1, kl: 5 }]));
  assert.deepEqual(a.step, [1, 2]);
  assert.deepEqual(a.values.reward, [1, null]);
  assert.deepEqual(a.values.kl, [null, 5]);
});

test('align puts two runs with different steps onto the union of x values', () => {
  const al = align([
    { label: 'reward', run: 'primary', kind: 'raw', x: [1, 2, 3], y: [0.1, 0.2, 0.3] },
    { label: 'reward', run: 'overlay', kind: 'raw', x: [2, 4], y: [0.5, 0.6] },
  ]);
  assert.deepEqual(al.x, [1, 2, 3, 4]);
  assert.deepEqual(al.ys[0], [0.1, 0.2, 0.3, null]);
  assert.deepEqual(al.ys[1], [null, 0.5, null, 0.6]);
});

test('chartLines gives raw + smoothed lines and a ± std band, on step or wall-time x', () => {
  const cols = toColumns([{ step: 1, time: 10, reward: 0, reward_std: 1 }, { step: 2, time: 20, reward: 10, reward_std: 1 }]);
  const lines = chartLines([{ run: 'primary', cols }], [{ key: 'reward', stdKey: 'reward_std' }], { smoothing: 0.5, xAxis: 'time', maxPoints: 100 });
  assert.deepEqual(lines.map((l) => l.kind), ['raw', 'smooth', 'upper', 'lower']);
  assert.deepEqual(lines[0]!.x, [10, 20]);
  assert.deepEqual(lines[0]!.y, [0, 10]);
  close(lines[1]!.y, [0, 5 / 0.75]);
  close(lines[2]!.y, [1, 5 / 0.75 + 1]);
  // a key the run never logged gives no line at all (its chart is hidden, not drawn empty)
  assert.deepEqual(chartLines([{ run: 'primary', cols }], [{ key: 'kl' }], { smoothing: 0, xAxis: 'step', maxPoints: 10 }), []);
});

test('20,000 steps × 12 series assemble quickly enough to redraw on every step', () => {
  const rows = Array.from({ length: 20_000 }, (_, i) => {
    const r: Record<string, number> = { step: i + 1, time: i * 4 };
    for (let k = 0; k < 12; k++) r[`k${k}`] = Math.sin(i / (k + 3));
    return r;
  });
  const cols = toColumns(rows);
  const t0 = performance.now();
  for (let k = 0; k < 12; k++) align(chartLines([{ run: 'primary', cols }], [{ key: `k${k}` }], { smoothing: 0.6, xAxis: 'step', maxPoints: 1200 }));
  const ms = performance.now() - t0;
  console.log(`chart data for 20,000 steps × 12 charts: ${ms.toFixed(1)} ms`);
  assert.ok(ms < 1_000, `took ${ms} ms`);
});
