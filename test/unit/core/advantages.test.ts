import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeAdvantages } from '../../../src/core/advantages';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} ≠ ${b}`);

test('group: subtract the group mean, divide by the group std (unbiased) + 1e-4, as TRL does', () => {
  const r = computeAdvantages([1, 0, 0, 1, 0.5, 0.5], 2, 'group');
  const s = Math.SQRT1_2; // std of {0, 1} with n − 1
  assert.deepEqual(r.groupMean, [0.5, 0.5, 0.5]);
  close(r.advantages[0]!, 0.5 / (s + 1e-4));
  close(r.advantages[1]!, -0.5 / (s + 1e-4));
  // zero-spread group: advantages exactly 0, counted
  assert.deepEqual(r.advantages.slice(4), [0, 0]);
  assert.deepEqual(r.zeroStdGroups, [2]);
  close(r.fracRewardZeroStd, 1 / 3);
});

test('batch: divide by the std of the whole batch; none: only centre (Dr. GRPO)', () => {
  const rewards = [1, 0, 0, 0, 2, 2, 2, 4];
  const b = computeAdvantages(rewards, 4, 'batch');
  const mean = rewards.reduce((a, x) => a + x, 0) / 8;
  const std = Math.sqrt(rewards.reduce((a, x) => a + (x - mean) ** 2, 0) / 7);
  close(b.std, std);
  close(b.advantages[0]!, (1 - 0.25) / (std + 1e-4));
  close(b.advantages[7]!, (4 - 2.5) / (std + 1e-4));
  const n = computeAdvantages(rewards, 4, 'none');
  assert.deepEqual(n.advantages, [0.75, -0.25, -0.25, -0.25, -0.5, -0.5, -0.5, 1.5]);
  assert.equal(n.fracRewardZeroStd, 0);
});

test('bad inputs are clear errors', () => {
  assert.throws(() => computeAdvantages([1, 2, 3], 2), /3 rewards do not divide into groups of 2/);
  assert.throws(() => computeAdvantages([1, 2], 0), /groupSize must be a positive integer/);
  assert.throws(() => computeAdvantages([1, NaN], 2), /not a finite number/);
  assert.throws(() => computeAdvantages([1, 2], 2, 'global' as never), /scale_rewards must be one of group, batch, none/);
  assert.equal(computeAdvantages([], 4).fracRewardZeroStd, 0);
});
