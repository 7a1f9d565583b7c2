import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRun } from '../../../src/train/runReader';
import { latestRollouts, snapshot } from '../../../src/vscode/dashboardData';
import { writeRunFixture } from './runFixture';

test('a snapshot holds every step in columns, evals, and the latest step\'s rollouts', () => {
  const d = mkdtempSync(join(tmpdir(), 'tt-dash-'));
  try {
    const dir = writeRunFixture(d, 'r', { steps: 10, rowsPerStep: 2, groupSize: 3, evalEvery: 5 });
    const s = snapshot(readRun(dir));
    assert.deepEqual(s.run, { id: 'r', status: 'completed', step: 10, totalSteps: 10 });
    assert.equal(s.metrics.step.length, 10);
    assert.equal(s.metrics.values.reward!.length, 10);
    assert.ok('rewards/format/mean' in s.metrics.values);
    assert.deepEqual(s.evals.step, [0, 5, 10]);
    assert.equal(s.rollouts.length, 6);
    assert.ok(s.rollouts.every((r) => r.step === 10));
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('latestRollouts of nothing is empty; a row without a parsed call has call ""', () => {
  assert.deepEqual(latestRollouts([]), []);
  const r = latestRollouts([{ step: 1, row_id: 'a', sample: 0, prompt: '', completion: 'hi', parsed: [], expected: [], clean: false, correct: false, reward: 0, parts: {}, advantage: 0 }]);
  assert.equal(r[0]!.call, '');
});
