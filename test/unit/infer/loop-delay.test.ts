import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopDelayWatch } from '../../../src/infer/loop-delay';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('LoopDelayWatch sees a synchronous stall during a request, and resets for the next one', async () => {
  const w = new LoopDelayWatch();
  try {
    // work that blocks the thread for ~150 ms in the middle (what a model run on the calling thread would do)
    const blocked = await w.track((async () => { await sleep(20); const end = Date.now() + 150; while (Date.now() < end) { /* busy */ } await sleep(20); return 'a'; })());
    assert.equal(blocked.value, 'a');
    assert.ok(blocked.maxDelayMs >= 100, `a 150 ms stall reads as ${blocked.maxDelayMs} ms`);
    // work that only waits (what a worker-thread request looks like from here): the stall above is not counted again
    const waiting = await w.track(sleep(100).then(() => 'b'));
    assert.equal(waiting.value, 'b');
    assert.ok(waiting.maxDelayMs < 100, `a request that only awaits reads as ${waiting.maxDelayMs} ms`);
  } finally {
    w.dispose();
  }
});
