import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseModelDir, runCodec } from '../../../src/infer/run-models';

function run(config: object): { root: string; final: string } {
  const root = mkdtempSync(join(tmpdir(), 'tt-run-'));
  const dir = join(root, '.tooltune', 'runs', 'r-1');
  mkdirSync(join(dir, 'final'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return { root, final: join(dir, 'final') };
}

test('runCodec reads the run config next to final/, ignoring null and other folders', () => {
  const a = run({ model: 'demo', codec: 'json' });
  const b = run({ model: 'demo', codec: null });
  assert.equal(runCodec(a.final), 'json');
  assert.equal(runCodec(b.final), undefined);
  assert.equal(runCodec(a.root), undefined);
  for (const r of [a, b]) rmSync(r.root, { recursive: true });
});

test('baseModelDir finds an exported local base model, relative to the workspace', () => {
  const r = run({ model: 'models/base' });
  const base = join(r.root, 'models', 'base');
  mkdirSync(join(base, 'onnx'), { recursive: true });
  writeFileSync(join(base, 'config.json'), '{}');
  assert.throws(() => baseModelDir(r.final, r.root), /has no ONNX export; run `tooltune export --model/);
  writeFileSync(join(base, 'onnx', 'model.onnx'), '');
  assert.equal(baseModelDir(r.final, r.root), base);
  rmSync(r.root, { recursive: true });
});

test('baseModelDir names the fix for hub ids, the demo model and ToolTune Nano', () => {
  const r = run({ model: 'Qwen/Qwen2.5-0.5B-Instruct' });
  assert.throws(() => baseModelDir(r.final, r.root), /not a local model folder; download or locate it/);
  assert.throws(() => baseModelDir(r.root, r.root), /not a run's final\/ folder/);
  rmSync(r.root, { recursive: true });
  const n = run({ model: 'nano' }); // no SFT: GRPO started from Nano itself
  assert.throws(() => baseModelDir(n.final, n.root), /started from ToolTune Nano \("nano"\) without an SFT warm start; run `tooltune export --model nano --out <folder>`/);
  rmSync(n.root, { recursive: true });
});

test('baseModelDir prefers the run\'s exported SFT warm start (the model GRPO began from), also for demo runs', () => {
  const r = run({ model: 'demo' });
  const sft = join(r.final, '..', 'sft');
  mkdirSync(join(sft, 'onnx'), { recursive: true });
  writeFileSync(join(sft, 'config.json'), '{}');
  assert.throws(() => baseModelDir(r.final, r.root), /SFT warm start .* has no ONNX export; run `tooltune export --model/);
  writeFileSync(join(sft, 'onnx', 'model.onnx'), '');
  assert.equal(baseModelDir(r.final, r.root), join(r.root, '.tooltune', 'runs', 'r-1', 'sft'));
  rmSync(r.root, { recursive: true });
});
