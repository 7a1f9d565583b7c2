import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRun } from '../../../src/train/runReader';
import { rowChildren, runChildren, runLabel, stepChildren, stepsOfRow } from '../../../src/vscode/runsModel';
import { writeRunFixture } from './runFixture';

test('run → status, evals (latest first) → steps (newest first) → rows → rollouts, from a real run folder', () => {
  const d = mkdtempSync(join(tmpdir(), 'tt-tree-'));
  try {
    const dir = writeRunFixture(d, 'demo-20261122-020000', { steps: 6, rowsPerStep: 2, groupSize: 4, evalEvery: 3 });
    const run = readRun(dir);
    assert.deepEqual(runLabel(run.summary), { label: 'demo-20261122-020000', description: 'completed · step 6/6', icon: 'pass' });
    const kids = runChildren(run.summary, run.evals, run.rollouts, 4);
    assert.equal(kids[0]!.kind, 'info');
    assert.equal((kids[0] as { label: string }).label, 'status: completed');
    const evals = kids.filter((k) => k.kind === 'info').slice(1) as { label: string; description: string }[];
    assert.deepEqual(evals.map((e) => e.label), ['eval @ step 6', 'eval @ step 3', 'eval @ step 0']);
    assert.match(evals[0]!.description, /^exact \d+\.\d% · name .* · no-call .* \(n=200\)$/);
    const steps = kids.filter((k) => k.kind === 'step') as { step: number; rows: number; total: number }[];
    assert.deepEqual(steps.map((s) => s.step), [6, 5, 4, 3]);          // capped at maxSteps, newest first
    assert.equal(steps[0]!.rows, 2);
    assert.equal(steps[0]!.total, 8);
    const rows = stepChildren(dir, 6, run.rollouts);
    assert.deepEqual(rows.map((r) => (r as { rowId: string }).rowId), ['w-0', 'w-1']);
    const rollouts = rowChildren(dir, 6, 'w-1', run.rollouts);
    assert.deepEqual(rollouts.map((r) => (r as { rollout: { sample: number } }).rollout.sample), [0, 1, 2, 3]);
    assert.deepEqual(stepsOfRow('w-1', run.rollouts), [1, 2, 3, 4, 5, 6]);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('a failed run shows its error on the status line', () => {
  const d = mkdtempSync(join(tmpdir(), 'tt-tree-'));
  try {
    const dir = writeRunFixture(d, 'f', { steps: 1, status: { status: 'failed', step: 1, error: 'engine exited' } });
    const run = readRun(dir);
    const [status] = runChildren(run.summary, [], [], 5);
    assert.deepEqual(status, { kind: 'info', runDir: dir, label: 'status: failed', description: 'engine exited', icon: 'error' });
    assert.equal(runLabel(run.summary).icon, 'error');
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('a base evaluation (before SFT) is labelled apart from GRPO\'s start at the same step 0', () => {
  const summary = { dir: '/r', id: 'nano-1', status: 'completed', step: 4, totalSteps: 4 } as Parameters<typeof runChildren>[0];
  const rec = (step: number, stage?: string) => ({ step, time: 0, split: 'eval', n: 4, 'eval/accuracy': 0.5, 'eval/format_valid': 1,
    'eval/name_accuracy': 0.5, 'eval/args_accuracy': 0.5, 'eval/no_call_accuracy': 1, ...(stage ? { stage } : {}) });
  const kids = runChildren(summary, [rec(0, 'base'), rec(0), rec(4)], [], 4) as { label: string }[];
  assert.deepEqual(kids.slice(1).map((k) => k.label), ['eval @ step 4', 'eval @ step 0', 'eval @ base (before SFT)']);
});
