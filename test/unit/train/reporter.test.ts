import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrainEvent } from '../../../src/train/events';
import { createReporter, formatDuration } from '../../../src/train/reporter';

function capture(mode: 'jsonl' | 'plain' | 'tty') {
  const out: string[] = []; const err: string[] = [];
  const r = createReporter(mode, { write: (s: string) => out.push(s), columns: 120 }, { write: (s: string) => err.push(s) });
  return { r, out, err };
}
const step: TrainEvent = { type: 'step', metrics: { step: 1, time: 3, reward: 0.25, reward_std: 0.1, frac_reward_zero_std: 0.5, step_time: 2 } };
const ev: TrainEvent = { type: 'eval', record: { step: 0, time: 1, split: 'eval', n: 10, 'eval/accuracy': 0.3, 'eval/format_valid': 0.9, 'eval/name_accuracy': 0.8, 'eval/args_accuracy': 0.5, 'eval/no_call_accuracy': 1, 'eval/pass_at_k': 0.6 } };

test('jsonl: one parseable event per line', () => {
  const { r, out } = capture('jsonl');
  r({ type: 'run_started', run_dir: '/x', name: 'n', config: {}, total_steps: 4 });
  r(step);
  assert.equal(out.length, 2);
  assert.deepEqual(out.map((l) => JSON.parse(l).type), ['run_started', 'step']);
  assert.ok(out.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
});

test('plain: step lines with reward, zero-std share, last eval accuracy and ETA; logs to stderr', () => {
  const { r, out, err } = capture('plain');
  r({ type: 'run_started', run_dir: '/x', name: 'n', config: {}, total_steps: 4 });
  r(ev);
  r(step);
  r({ type: 'log', level: 'warning', message: 'careful' });
  assert.match(out[1], /eval @0: accuracy 30\.0% format 90\.0% names 80\.0% args 50\.0% pass@k 60\.0% \(n=10\)/);
  assert.match(out[2], /^step 1\/4 reward 0\.250 zero-std 50\.0% eval acc 30\.0% ETA \d+s\n$/);
  assert.deepEqual(err, ['warning: careful\n']);
});

test('tty: a redrawn progress bar, cleared before ordinary lines', () => {
  const { r, out } = capture('tty');
  r({ type: 'run_started', run_dir: '/x', name: 'n', config: {}, total_steps: 4 });
  r(step);
  assert.match(out[1], /^\r\x1b\[2K\[#{2,}\.+\] step 1\/4/);
  r({ type: 'phase', phase: 'export' });
  assert.equal(out[2], '\r\x1b[2K');
  assert.equal(out[3], '== export\n');
});

test('durations', () => {
  assert.equal(formatDuration(42), '42s');
  assert.equal(formatDuration(125), '2m05s');
  assert.equal(formatDuration(3 * 3600 + 60), '3h01m');
  assert.equal(formatDuration(NaN), '?');
});
