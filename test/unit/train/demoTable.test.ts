import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _private, DEMO_STARTS_FROM_NANO, demoConfig, formatTable, summary } from '../../../src/cli/commands/demo';
import type { EvalRecord } from '../../../src/train/events';

const rec = (acc: number, pass: number, extra: Partial<EvalRecord> = {}): EvalRecord => ({
  step: 0, time: 0, split: 'eval', n: 200, 'eval/accuracy': acc, 'eval/format_valid': 0.99, 'eval/name_accuracy': 0.9,
  'eval/args_accuracy': 0.7, 'eval/no_call_accuracy': NaN, 'eval/pass_at_k': pass, k: 8, ...extra,
});

test('demo summary and base / start / after table', () => {
  const before = summary(rec(0.3, 0.6));
  const after = summary(rec(0.42, 0.65));
  assert.deepEqual(before && [before.accuracy, before.pass_at_k, before.k, before.n], [0.3, 0.6, 8, 200]);
  assert.ok(Math.abs(before!.accuracy_se - Math.sqrt(0.3 * 0.7 / 200)) < 1e-12); // sqrt(p(1-p)/n) = 3.2 points
  const t = formatTable(null, before, after);
  assert.match(t, /base\s+after SFT\s+after GRPO/);
  assert.match(t, /exact match \(greedy\)\s+—\s+30\.0%\s+42\.0%/); // no base evaluation: a dash
  assert.match(t, /± std\. error\s+—\s+3\.2%\s+3\.5%/);
  assert.match(t, /pass@8\s+—\s+60\.0%\s+65\.0%/);
  assert.match(t, /no-call rows\s+—\s+—\s+—/); // nothing to measure is shown as a dash, not 0%
  assert.equal(summary(undefined), null);
  assert.match(formatTable(null, null, null), /\(eval rows: 0\)/);
});

test('the table shows learnability and call rows; a skipped GRPO leaves the after column empty', () => {
  const start = summary(rec(0.2, 0.45, { 'eval/call_accuracy': 0.1, 'eval/call_pass_at_k': 0.35, 'eval/learnable_rows': 0.42, 'eval/pass_gap': 0.25 }));
  const t = formatTable(start, start, null, 'GRPO start');
  assert.match(t, /base\s+GRPO start\s+after GRPO/);
  assert.match(t, /call rows \(greedy\)\s+10\.0%\s+10\.0%\s+—/);
  assert.match(t, /call rows pass@8\s+35\.0%\s+35\.0%\s+—/);
  assert.match(t, /rows 1–7 of 8 right\s+42\.0%\s+42\.0%\s+—/);
  assert.match(t, /pass@8 − greedy \(pts\)\s+\+25\.0\s+\+25\.0\s+—/);
});

test('the demo starts from Nano; --from-scratch keeps the earlier recipe; --config may add a short SFT', async () => {
  const nano = demoConfig({ fromScratch: false, quick: false });
  assert.equal(nano.model, 'nano');
  assert.equal(nano.sft.steps, 0);
  assert.equal(nano.eval.base, true);
  assert.equal(nano.eval.pass_at_k, 8);
  assert.equal(nano.min_start_call_pass_at_k, 0.1);
  const scratch = demoConfig({ fromScratch: true, quick: false });
  assert.equal(scratch.model, 'demo');
  assert.ok(scratch.sft.steps > 0);
  assert.equal(scratch.min_start_call_pass_at_k, 0);
  assert.equal(demoConfig({ fromScratch: false, quick: true }).sft.steps, 0); // --quick adds no SFT to the Nano recipe
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'tt-demo-cfg-')), 'c.json');
  writeFileSync(file, '{ "sft": { "steps": 150 }, "reward": "binary", "model": "elsewhere" }');
  const withSft = demoConfig({ fromScratch: false, quick: false, config: file, steps: 7 });
  assert.deepEqual([withSft.sft.steps, withSft.sft.max_epochs, withSft.reward, withSft.model, withSft.max_steps], [150, 1, 'binary', 'nano', 7]);
});

test('tooltune demo runs the from-scratch recipe until Nano is learnable; --nano and --from-scratch choose', () => {
  assert.equal(_private.parse([]).fromScratch, !DEMO_STARTS_FROM_NANO);
  assert.equal(_private.parse(['--nano']).fromScratch, false);
  assert.equal(_private.parse(['--from-scratch']).fromScratch, true);
});
