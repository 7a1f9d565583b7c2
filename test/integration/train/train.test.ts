// `tooltune train` end to end with the real engine and a tiny model: the events stream, the run folder, the final
// HF folder with tokenizer and ONNX, and a tokenizer without a chat template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RolloutRecord, StepMetrics, TrainEvent } from '../../../src/train/events';
import { readRun } from '../../../src/train/runReader';
import { copyModel, runCli, tinyConfig, tinyModel, writeDomain } from './fixture';

const TRL_KEYS = ['reward', 'reward_std', 'frac_reward_zero_std', 'completions/mean_length', 'completions/min_length',
  'completions/max_length', 'completions/clipped_ratio', 'entropy', 'clip_ratio/low_mean', 'clip_ratio/high_mean',
  'clip_ratio/region_mean', 'loss', 'grad_norm', 'learning_rate', 'num_tokens', 'step_time', 'hard_pool/size',
  'hard_pool/substitutions', 'rewards/json/mean', 'rewards/func/std', 'rewards/args/mean'];

test('train: 2 real GRPO steps stream parseable events and leave a complete run folder', { timeout: 300_000 }, async () => {
  const model = await tinyModel();
  const d = writeDomain();
  const r = await runCli(['train', '--tools', d.tools, '--data', d.train, '--eval-data', d.eval, '--model', model,
    '--config', tinyConfig(d.dir, { export_onnx: true,
      // two SFT cycles: the second a warm restart with its own schedule and a fresh optimizer
      sft: { steps: 1, batch_size: 2, learning_rate: 1e-3, restarts: [{ steps: 2, learning_rate: 5e-4, warmup_steps: 0 }] } }), '--out', join(d.dir, 'runs'), '--name', 'tiny', '--events', 'jsonl']);
  assert.equal(r.code, 0, r.stderr);
  // every stdout line is one JSON event
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as TrainEvent);
  const types = events.map((e) => e.type);
  assert.equal(types[0], 'phase');
  assert.ok(types.includes('run_started'));
  assert.equal(events.filter((e) => e.type === 'step').length, 2);
  assert.deepEqual(events.filter((e) => e.type === 'sft_step').map((e) => e.type === 'sft_step' && [e.step, e.total]), [[1, 3], [2, 3], [3, 3]]);
  const fin = events.at(-1)!;
  assert.equal(fin.type, 'run_finished');
  assert.equal(fin.type === 'run_finished' && fin.status, 'completed');
  const runDir = fin.type === 'run_finished' ? fin.run_dir : '';
  assert.match(runDir, /tiny-\d{8}-\d{6}$/);

  const run = readRun(runDir);
  assert.equal(run.summary.status, 'completed');
  assert.equal(run.problems.length, 0);
  assert.equal(run.metrics.length, 2);
  for (const k of TRL_KEYS) assert.equal(typeof (run.metrics[0] as StepMetrics)[k], 'number', `metrics key ${k}`);
  assert.deepEqual(run.metrics.map((m) => m.step), [1, 2]);
  assert.ok(run.metrics[1].num_tokens > run.metrics[0].num_tokens, 'num_tokens accumulates');
  // every rollout: 2 steps × 2 rows × 2 samples
  assert.equal(run.rollouts.length, 8);
  const ro = run.rollouts[0] as RolloutRecord;
  assert.ok(ro.prompt.includes('<tools>') && ro.prompt.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n'), ro.prompt.slice(-80));
  assert.equal(typeof ro.advantage, 'number');
  assert.ok(Array.isArray(ro.expected) && 'json' in ro.parts);
  // eval before training, after step 1, and at the end
  assert.deepEqual(run.evals.map((e) => e.step), [0, 1, 2]);
  assert.equal(run.evals[0].n, 2);
  // the final HF folder, with tokenizer files and the ONNX export
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
    assert.ok(existsSync(join(runDir, 'final', f)), `final/${f}`);
  }
  assert.ok(existsSync(join(runDir, 'checkpoints', 'step-2', 'trainer_state.json')));
  assert.match(readFileSync(join(runDir, 'events.log'), 'utf8'), /phase grpo/);
  assert.match(readFileSync(join(runDir, 'events.log'), 'utf8'), /SFT cycle 2\/2: 2 steps from lr 0\.0005, fresh optimizer/);
  assert.ok(existsSync(join(runDir, 'sft', 'model.safetensors')) && existsSync(join(runDir, 'sft', 'tokenizer.json')), 'the SFT weights are a complete HF folder');
  // exported too: the Testing view's "Base model" profile runs it (what GRPO changed)
  assert.ok(existsSync(join(runDir, 'sft', 'onnx', 'model.onnx')), 'sft/onnx/model.onnx');
  const { baseModelDir } = await import('../../../src/infer/run-models');
  assert.equal(baseModelDir(join(runDir, 'final')), join(runDir, 'sft'));
});

test('train: num_iterations 2 makes two updates per generated batch against the sampling-time log-probs', { timeout: 300_000 }, async () => {
  const model = await tinyModel();
  const d = writeDomain();
  const r = await runCli(['train', '--tools', d.tools, '--data', d.train, '--eval-data', d.eval, '--model', model,
    '--config', tinyConfig(d.dir, { num_iterations: 2, lr_scheduler_type: 'linear', sft: { steps: 0 }, eval: { every: 0, max_rows: 2, pass_at_k: 0 } }),
    '--out', join(d.dir, 'runs'), '--name', 'mu2', '--events', 'jsonl']);
  assert.equal(r.code, 0, r.stderr);
  const steps = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as TrainEvent).flatMap((e) => (e.type === 'step' ? [e.metrics] : []));
  assert.equal(steps.length, 2);
  // linear decay over max_steps × μ = 4 optimizer updates; a step reports its last update's rate:
  // step 1 ran updates 0 and 1 (1 − 1/4), step 2 updates 2 and 3 (1 − 3/4). With μ = 1 it would be 1.0 and 0.5.
  assert.ok(Math.abs(steps[0]!.learning_rate / 1e-3 - 0.75) < 1e-9, String(steps[0]!.learning_rate));
  assert.ok(Math.abs(steps[1]!.learning_rate / 1e-3 - 0.25) < 1e-9, String(steps[1]!.learning_rate));
  for (const m of steps) assert.ok(Number.isFinite(m['clip_ratio/region_mean']) && Number.isFinite(m.loss));
});

test('train: a tokenizer without a chat template fails with the fix named', { timeout: 120_000 }, async () => {
  const model = copyModel(await tinyModel());
  const cfgFile = join(model, 'tokenizer_config.json');
  const tc = JSON.parse(readFileSync(cfgFile, 'utf8'));
  delete tc.chat_template;
  writeFileSync(cfgFile, JSON.stringify(tc));
  const d = writeDomain();
  const r = await runCli(['train', '--tools', d.tools, '--data', d.train, '--model', model, '--config', tinyConfig(d.dir), '--out', join(d.dir, 'runs')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /tokenizer_config\.json: has no "chat_template"/);
  assert.match(r.stderr, /instruct\/chat variant/);
});

test('train: bad config and bad arguments are usage errors naming the field', async () => {
  const d = writeDomain();
  const bad = join(d.dir, 'bad.json');
  writeFileSync(bad, '{\n  "num_generations": 1\n}');
  const r = await runCli(['train', '--tools', d.tools, '--data', d.train, '--config', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.json:2:22: num_generations: must be an integer ≥ 2/);
  const u = await runCli(['train', '--data', d.train]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /missing --tools/);
});
