import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLoopDelay, LoopDelayWatch, runQueueWaitNs } from '../../../src/infer/loop-delay';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('LoopDelayWatch sees a synchronous stall during a request as delay and as busy time, and resets for the next one', async () => {
  const w = new LoopDelayWatch();
  try {
    // work that blocks the thread for ~150 ms in the middle (what a model run on the calling thread would do)
    const blocked = await w.track((async () => { await sleep(20); const end = Date.now() + 150; while (Date.now() < end) { /* busy */ } await sleep(20); return 'a'; })());
    assert.equal(blocked.value, 'a');
    assert.ok(blocked.maxDelayMs >= 100, `a 150 ms stall reads as ${blocked.maxDelayMs} ms`);
    assert.ok(blocked.busyMs >= 140, `the thread's own work reads as ${blocked.busyMs} ms busy`);
    // work that only waits (what a worker-thread request looks like from here): the stall above is not counted again
    const waiting = await w.track(sleep(100).then(() => 'b'));
    assert.equal(waiting.value, 'b');
    assert.ok(waiting.maxDelayMs < 100, `a request that only awaits reads as ${waiting.maxDelayMs} ms`);
    assert.ok(waiting.busyMs < 50, `and ${waiting.busyMs} ms busy`);
    if (process.platform === 'linux') assert.ok(waiting.waitMs !== undefined && waiting.waitMs >= 0 && waiting.waitMs < 100, `run-queue wait ${waiting.waitMs}`);
  } finally {
    w.dispose();
  }
});

test('run-queue wait is read from the schedstat line (second field, ns); no /proc gives undefined', () => {
  assert.equal(runQueueWaitNs(() => '256409380 59247 15\n'), 59247);
  assert.equal(runQueueWaitNs(() => { throw new Error('ENOENT'); }), undefined);
  assert.equal(runQueueWaitNs(() => ''), undefined);
  if (process.platform === 'linux') assert.ok((runQueueWaitNs() ?? -1) >= 0);
});

test('the log line names the delay and both of its causes', () => {
  assert.equal(describeLoopDelay({ maxDelayMs: 58.84, busyMs: 3.2, waitMs: 61 }),
    'max delay 58.8 ms (this thread busy 3.2 ms, waiting for a CPU core 61.0 ms)');
  assert.equal(describeLoopDelay({ maxDelayMs: 9, busyMs: 1, waitMs: undefined }), 'max delay 9.0 ms (this thread busy 1.0 ms)');
});
