// Ctrl-C, resume and engine crashes, with the real engine and the CLI as a child process (as the extension runs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainEvent } from '../../../src/train/events';
import { readRun } from '../../../src/train/runReader';
import { runCli, tinyConfig, tinyModel, writeDomain } from './fixture';

// Wall-clock metrics differ between any two runs; everything else must be equal.
const TIMING = new Set(['time', 'step_time', 'generate/tokens_per_second']);
const strip = (m: Record<string, unknown>) => Object.fromEntries(Object.entries(m).filter(([k]) => !TIMING.has(k)));
const finished = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as TrainEvent).filter((e) => e.type === 'run_finished').at(-1);

test('SIGINT during GRPO finishes the step, checkpoints it and exits 0 with a readable run folder', { timeout: 300_000 }, async () => {
  const model = await tinyModel();
  const d = writeDomain();
  let sent = false;
  const b = await runCli(['train', '--tools', d.tools, '--data', d.train, '--eval-data', d.eval, '--model', model,
    '--config', tinyConfig(d.dir, { max_steps: 50, save_steps: 0 }), '--out', join(d.dir, 'runs'), '--events', 'jsonl'], {
    onLine: (line, child) => {
      const e = JSON.parse(line) as TrainEvent;
      if (e.type === 'step' && !sent) { sent = true; child.kill('SIGINT'); }
    },
  });
  assert.equal(b.code, 0, b.stderr);
  const fb = finished(b.stdout) as { status: string; run_dir: string };
  assert.equal(fb.status, 'stopped');
  const cut = readRun(fb.run_dir);
  assert.equal(cut.summary.status, 'stopped');
  assert.equal(cut.problems.length, 0);
  const stoppedAt = cut.summary.step;
  // the signal may land while step 2 is running: that step is finished, not torn
  assert.ok(stoppedAt >= 1 && stoppedAt <= 2, `stopped at ${stoppedAt}`);
  assert.equal(cut.metrics.length, stoppedAt);
  assert.equal(cut.rollouts.length, stoppedAt * 4);
  assert.ok(existsSync(join(fb.run_dir, 'checkpoints', `step-${stoppedAt}`, 'trainer_state.json')));
  assert.match(readFileSync(join(fb.run_dir, 'events.log'), 'utf8'), /resume with: tooltune train --resume/);
});

test('--resume continues from the last checkpoint with the same metrics, rollouts and weights as an uninterrupted run', { timeout: 600_000 }, async () => {
  const model = await tinyModel();
  const d = writeDomain();
  // G 4 and a short SFT make some groups disagree, so real updates happen after the resume point (asserted below).
  const cfg = tinyConfig(d.dir, { max_steps: 4, num_generations: 4, save_steps: 0, sft: { steps: 6, batch_size: 4, learning_rate: 3e-3 }, eval: { every: 2, max_rows: 2, pass_at_k: 0 } });
  const common = ['--tools', d.tools, '--data', d.train, '--eval-data', d.eval, '--model', model, '--config', cfg, '--out', join(d.dir, 'runs'), '--events', 'jsonl'];

  const a = await runCli(['train', ...common, '--name', 'whole']);
  assert.equal(a.code, 0, a.stderr);
  const runA = readRun((finished(a.stdout) as { run_dir: string }).run_dir);
  assert.ok(runA.metrics.some((m) => m.grad_norm > 0), 'at least one GRPO step changed the weights');

  // stopped right after SFT, the first eval and the step-0 checkpoint
  let sent = false;
  const b = await runCli(['train', ...common, '--name', 'cut'], {
    onLine: (line, child) => {
      const e = JSON.parse(line) as TrainEvent;
      if (e.type === 'checkpoint' && !sent) { sent = true; child.kill('SIGINT'); }
    },
  });
  assert.equal(b.code, 0, b.stderr);
  const fb = finished(b.stdout) as { status: string; run_dir: string };
  assert.equal(fb.status, 'stopped');

  const c = await runCli(['train', '--resume', fb.run_dir, '--events', 'jsonl']);
  assert.equal(c.code, 0, c.stderr);
  const started = c.stdout.split('\n').map((l) => (l ? JSON.parse(l) as TrainEvent : null)).find((e) => e?.type === 'run_started');
  // SIGINT came with the step-0 checkpoint; step 1 may already have been under way (it is then finished first).
  const from = started?.type === 'run_started' ? started.resumed_from_step ?? -1 : -1;
  assert.ok(from === 0 || from === 1, `resumed from ${from}`);
  assert.ok(runA.metrics.some((m) => m.step > from && m.grad_norm > 0), 'weights changed after the resume point');
  const runB = readRun(fb.run_dir);
  assert.equal(runB.summary.status, 'completed');
  assert.equal(JSON.stringify(runB.metrics.map(strip)), JSON.stringify(runA.metrics.map(strip)));
  assert.equal(JSON.stringify(runB.evals.map(strip)), JSON.stringify(runA.evals.map(strip)));
  assert.equal(JSON.stringify(runB.rollouts), JSON.stringify(runA.rollouts));
  assert.ok(readFileSync(join(fb.run_dir, 'final', 'model.safetensors')).equals(readFileSync(join(runA.summary.dir, 'final', 'model.safetensors'))), 'final weights are bit-for-bit equal');
});

test('an engine killed mid-run marks the run failed, keeps earlier lines, and logs the engine stderr tail', { timeout: 300_000 }, async () => {
  const model = await tinyModel();
  const d = writeDomain();
  let runDir = '';
  let killed = false;
  const r = await runCli(['train', '--tools', d.tools, '--data', d.train, '--eval-data', d.eval, '--model', model,
    '--config', tinyConfig(d.dir, { max_steps: 50 }), '--out', join(d.dir, 'runs'), '--events', 'jsonl'], {
    onLine: (line) => {
      const e = JSON.parse(line) as TrainEvent;
      if (e.type === 'run_started') runDir = e.run_dir;
      if (e.type === 'step' && !killed) {
        killed = true;
        const st = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as { engine_pid: number };
        process.kill(st.engine_pid, 'SIGKILL');
      }
    },
  });
  assert.equal(r.code, 1);
  const f = finished(r.stdout) as { status: string; error: string };
  assert.equal(f.status, 'failed');
  assert.match(f.error, /killed by SIGKILL/);
  const run = readRun(runDir);
  assert.equal(run.summary.status, 'failed');
  assert.ok(run.metrics.length >= 1, 'the step written before the crash is intact');
  assert.equal(run.problems.length, 0);
  const log = readFileSync(join(runDir, 'events.log'), 'utf8');
  assert.match(log, / error the engine process was killed by SIGKILL during \w+/);
  assert.match(log, /last engine stderr lines:/);
});
