import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrainEvent } from '../../../src/train/events';
import { endMessage, initialState, reduce, statusBarText } from '../../../src/vscode/trainingState';

const fold = (events: TrainEvent[]) => events.reduce(reduce, initialState());

test('status bar text follows the run: starting, SFT, GRPO steps with reward', () => {
  assert.equal(statusBarText(initialState()), '$(sync~spin) ToolTune: starting…');
  const started = fold([{ type: 'run_started', run_dir: '/w/.tooltune/runs/demo-1', name: 'demo', config: {}, total_steps: 500 }]);
  assert.equal(started.runId, 'demo-1');
  assert.equal(statusBarText(reduce(started, { type: 'sft_step', step: 20, total: 300, loss: 1.23456 })), '$(sync~spin) SFT 20/300 · loss 1.235');
  const s = reduce(started, { type: 'step', metrics: { step: 120, time: 1, reward: 0.6234, reward_std: 0.1 } });
  assert.equal(statusBarText(s), '$(sync~spin) step 120/500 · reward 0.62');
  assert.equal(statusBarText({ ...s, status: 'stopping' }), '$(sync~spin) ToolTune: stopping at step 120…');
});

test('resumed runs start counting from the resumed step', () => {
  const s = fold([{ type: 'run_started', run_dir: '/r/x', name: 'x', config: {}, total_steps: 10, resumed_from_step: 4 }]);
  assert.equal(s.step, 4);
});

test('the end message names the outcome, the run and the reason of a failure', () => {
  const base = fold([{ type: 'run_started', run_dir: '/r/demo-2', name: 'demo', config: {}, total_steps: 3 },
    { type: 'step', metrics: { step: 3, time: 1, reward: 0.5, reward_std: 0 } }]);
  const done = reduce(base, { type: 'run_finished', status: 'completed', run_dir: '/r/demo-2', final_dir: '/r/demo-2/final' });
  assert.deepEqual(endMessage(done, 0), { severity: 'info', text: 'ToolTune: training finished (demo-2) after 3 steps, last reward 0.50.' });
  assert.match(endMessage(reduce(base, { type: 'run_finished', status: 'stopped', run_dir: '/r/demo-2' }), 0).text, /stopped at step 3.*checkpoint/);
  const failed = reduce(base, { type: 'run_finished', status: 'failed', run_dir: '/r/demo-2', error: 'CUDA out of memory' });
  assert.deepEqual(endMessage(failed, 1), { severity: 'error', text: 'ToolTune: training failed (demo-2): CUDA out of memory' });
  // killed without a run_finished: the last warning explains it, else the exit code does
  assert.match(endMessage({ ...base, status: 'failed' }, 137).text, /exited with code 137/);
  const warned = reduce({ ...base, status: 'failed' }, { type: 'log', level: 'error', message: 'engine died' });
  assert.match(endMessage(warned, 1).text, /engine died/);
});
