import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRun } from '../../../src/train/runReader';
import { RunWriter, runTimestamp } from '../../../src/train/runWriter';

const metric = (step: number) => ({ step, time: step, reward: step / 10, reward_std: 0 });

test('run folder: name-timestamp, config, status, appended JSONL lines readable by the run reader', () => {
  const root = mkdtempSync(join(tmpdir(), 'tt-runs-'));
  const now = new Date(Date.UTC(2026, 10, 22, 2, 15, 0));
  assert.equal(runTimestamp(now), '20261122-021500');
  const w = RunWriter.create(root, 'weather', { max_steps: 3 }, 3, now);
  assert.equal(w.dir, join(root, 'weather-20261122-021500'));
  // a second run in the same second gets a suffix instead of sharing the folder
  assert.equal(RunWriter.create(root, 'weather', {}, 3, now).dir, join(root, 'weather-20261122-021500-2'));
  w.setStatus({ status: 'running' });
  w.appendMetrics(metric(1));
  w.appendMetrics(metric(2));
  w.appendEval({ step: 2, time: 2, split: 'eval', n: 4, 'eval/accuracy': 0.5, 'eval/format_valid': 1, 'eval/name_accuracy': 1, 'eval/args_accuracy': 0.5, 'eval/no_call_accuracy': 1 });
  w.appendRollouts([{ step: 1, row_id: 'a', sample: 0, prompt: 'p', completion: 'c', parsed: [], expected: [], clean: true, correct: true, reward: 1, parts: {}, advantage: 0 }]);
  w.log('error', 'engine died\nTraceback line');
  const run = readRun(w.dir, () => true);
  assert.equal(run.summary.status, 'running');
  assert.equal(run.metrics.length, 2);
  assert.equal(run.evals[0]['eval/accuracy'], 0.5);
  assert.equal(run.rollouts[0].row_id, 'a');
  assert.match(readFileSync(w.file('events'), 'utf8'), /Z error engine died\n {4}Traceback line\n$/);
  assert.equal(JSON.parse(readFileSync(w.file('status'), 'utf8')).pid, process.pid);
});

test('resume: last complete checkpoint, and records after it dropped (torn lines too)', () => {
  const root = mkdtempSync(join(tmpdir(), 'tt-runs-'));
  const w = RunWriter.create(root, 'r', {}, 5);
  for (const s of [1, 2, 3, 4]) w.appendMetrics(metric(s));
  appendFileSync(w.file('metrics'), '{"step": 5, "rew'); // torn by a crash
  for (const s of [2, 4]) { mkdirSync(w.checkpointDir(s)); writeFileSync(join(w.checkpointDir(s), 'trainer_state.json'), '{}'); }
  mkdirSync(w.checkpointDir(6)); // incomplete: no trainer_state.json
  const again = RunWriter.open(w.dir);
  assert.deepEqual(again.lastCheckpoint(), { step: 4, path: w.checkpointDir(4) });
  const dropped = again.truncateAfter(2);
  assert.equal(dropped.metrics, 3);
  assert.deepEqual(readRun(w.dir).metrics.map((m) => m.step), [1, 2]);
  assert.throws(() => RunWriter.open(join(root, 'nope')), /not a ToolTune run folder/);
});
