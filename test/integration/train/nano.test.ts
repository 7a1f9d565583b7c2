// `tooltune demo` from ToolTune Nano, with the real engine. A tiny random model stands in for models/nano/
// (TOOLTUNE_NANO_DIR): it cannot call tools, which is exactly the unlearnable start the gate is for. With the gate
// off and a short SFT asked for by --config, every stage runs: base evaluation, SFT capped at one epoch, the start's
// evaluation, GRPO, the final evaluation; and a resumed run keeps the base evaluation from its checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/train/config';
import type { EvalRecord } from '../../../src/train/events';
import { train } from '../../../src/train/loop';
import { readJsonl } from '../../../src/train/runReader';
import { PYTHON, runCli, tinyModel, writeDomain } from './fixture';

const FIGURES = ['accuracy', 'accuracy_se', 'pass_at_4', 'format_valid', 'name_accuracy', 'args_accuracy', 'no_call_accuracy',
  'call_accuracy', 'call_pass_at_4', 'learnable_rows', 'pass_gap'];
const evals = (run: string) => readJsonl<EvalRecord>(join(run, 'eval.jsonl')).records;

test('demo from Nano: zero-shot base evaluated once; an unlearnable start skips GRPO with the figures named', { timeout: 600_000 }, async () => {
  const nano = await tinyModel();
  const d = writeDomain();
  const r = await runCli(['demo', '--nano', '--quick', '--json', '--tools', d.tools, '--data', d.train, '--eval-data', d.eval, '--out', join(d.dir, 'runs')],
    { env: { TOOLTUNE_NANO_DIR: nano } });
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(last.model, 'nano');
  assert.equal(last.status, 'completed');
  assert.equal(last.steps, 0);
  assert.equal(last.after, null);
  // a random model makes no valid call: call-row pass@4 is 0, under the preset's 10%
  assert.match(last.skipped_grpo, /not learnable: pass@4 on call rows is 0\.0% \(min_start_call_pass_at_k 10\.0%\)/);
  assert.deepEqual(last.base, last.before); // no SFT: the base evaluation is GRPO's start, not evaluated twice
  for (const k of FIGURES) assert.ok(k in last.base, `base.${k}`);
  assert.equal(last.base.n, 4);
  assert.equal(last.base.call_pass_at_4, 0);
  assert.equal(evals(last.run).length, 1);
  assert.match(readFileSync(join(last.run, 'status.json'), 'utf8'), /"skipped_grpo": "the start is not learnable/);
  const log = readFileSync(join(last.run, 'events.log'), 'utf8');
  assert.match(log, /GRPO's start: learnability: .* of rows have 1–3 of 4 samples right; pass@4 − greedy .*; call rows: pass@4 0\.0%/);
  assert.match(log, /warning.*GRPO skipped: the start is not learnable/);
  assert.match(r.stderr, /base\s+GRPO start\s+after GRPO/);
  assert.match(r.stderr, /GRPO skipped: /);
});

test('demo from Nano with --config: base, SFT capped at one epoch, start, GRPO, after; resume keeps the base evaluation', { timeout: 900_000 }, async () => {
  const nano = await tinyModel();
  const d = writeDomain();
  const cfg = join(d.dir, 'nano-demo.json');
  // 50 SFT steps asked, batch 4 over 24 train rows: the one-epoch cap makes it 6
  writeFileSync(cfg, JSON.stringify({ min_start_call_pass_at_k: 0, max_completion_length: 16, sft: { steps: 50, batch_size: 4, learning_rate: 1e-3 } }));
  const r = await runCli(['demo', '--nano', '--quick', '--json', '--config', cfg, '--tools', d.tools, '--data', d.train, '--eval-data', d.eval, '--out', join(d.dir, 'runs')],
    { env: { TOOLTUNE_NANO_DIR: nano } });
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(last.status, 'completed');
  assert.equal(last.skipped_grpo, null);
  assert.equal(last.steps, 4);
  for (const side of ['base', 'before', 'after']) for (const k of FIGURES) assert.ok(k in last[side], `${side}.${k}`);
  const recs = evals(last.run);
  assert.deepEqual(recs.map((e) => [e.step, e.stage ?? null]), [[0, 'base'], [0, null], [4, null]]);
  assert.equal(last.base.accuracy, recs[0]!['eval/accuracy']);
  const log = readFileSync(join(last.run, 'events.log'), 'utf8');
  assert.match(log, /SFT capped at 1 epoch of 24 rows: 6 of 50 steps/);
  assert.match(log, /sft step 6\/6/);
  assert.match(r.stderr, /base\s+after SFT\s+after GRPO/);
  const state = JSON.parse(readFileSync(join(last.run, 'checkpoints', 'step-4', 'trainer_state.json'), 'utf8'));
  assert.deepEqual(state.base_eval, recs[0]);

  // resumed for one more step: the outcome still carries the base evaluation from the checkpoint
  const saved = process.env.TOOLTUNE_NANO_DIR;
  process.env.TOOLTUNE_NANO_DIR = nano;
  try {
    const o = await train({ config: resolveConfig(), inputs: { tools: '', data: '' }, runsDir: join(d.dir, 'runs'), resumeDir: last.run,
      resumeMaxSteps: 5, python: PYTHON, reporter: () => {}, stop: { requested: false } });
    assert.equal(o.status, 'completed', o.error);
    assert.equal(o.steps, 5);
    assert.deepEqual(o.baseEval, recs[0]);
  } finally {
    if (saved === undefined) delete process.env.TOOLTUNE_NANO_DIR; else process.env.TOOLTUNE_NANO_DIR = saved;
  }
});

test('tooltune eval --model nano --samples K: greedy accuracy beside pass@K and the learnability figures', { timeout: 300_000 }, async () => {
  const { evalCommand } = await import('../../../src/cli/commands/eval');
  const nano = await tinyModel();
  const d = writeDomain();
  const saved = process.env.TOOLTUNE_NANO_DIR;
  process.env.TOOLTUNE_NANO_DIR = nano;
  try {
    const logs: string[] = [];
    const errs: string[] = [];
    const io = { log: (s: string) => logs.push(s), error: (s: string) => errs.push(s) };
    const code = await evalCommand(['--tools', d.tools, '--data', d.eval, '--model', 'nano', '--samples', '4', '--max-new-tokens', '12',
      '--python', PYTHON, '--json'], io);
    assert.equal(code, 0, errs.join('\n'));
    const r = JSON.parse(logs.at(-1)!);
    assert.equal(r.model, nano);
    assert.equal(r.codec, 'hermes');                      // a qwen3 folder without an ONNX export: the engine answered
    assert.equal(r.n, 4);
    assert.equal(r.k, 4);
    for (const k of ['accuracy', 'accuracy_se', 'format_valid', 'pass_at_4', 'call_pass_at_4', 'learnable_rows', 'pass_gap', 'call_accuracy']) assert.ok(k in r, k);
    assert.equal(r.call_pass_at_4, 0);                    // a random model calls no tool right (any text is a right no-call)
    assert.equal(r.accuracy, r.overall.accuracy);         // the greedy figures are core's report of the same answers
    assert.equal(r.rows.length, 4);
    for (const row of r.rows) {
      assert.ok(Number.isInteger(row.samples_correct) && row.samples_correct >= 0 && row.samples_correct <= 4, JSON.stringify(row));
      if (row.category !== 'no_call') assert.equal(row.samples_correct, 0);
    }
    assert.equal(r.pass_at_4, r.rows.filter((x: { samples_correct: number }) => x.samples_correct > 0).length / 4);
    // the text report has the pass@K and learnability lines
    const text: string[] = [];
    assert.equal(await evalCommand(['--tools', d.tools, '--data', d.eval, '--model', 'nano', '--samples', '2', '--max-new-tokens', '8', '--python', PYTHON],
      { log: (s) => text.push(s), error: () => {} }), 0);
    assert.match(text.join('\n'), /pass@2 \(2 samples per row at temperature 1, 4 rows\): [\d.]+%; greedy [\d.]+% ± [\d.]+% \(std\. error\)/);
    assert.match(text.join('\n'), /learnability: [\d.]+% of rows have 1–1 of 2 samples right; pass@2 − greedy .*; call rows: pass@2 0\.0%/);
  } finally {
    if (saved === undefined) delete process.env.TOOLTUNE_NANO_DIR; else process.env.TOOLTUNE_NANO_DIR = saved;
  }
});
