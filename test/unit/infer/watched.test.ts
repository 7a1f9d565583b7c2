import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopDelayWatch } from '../../../src/infer/loop-delay';
import { watchedInference, type Inference } from '../../../src/infer/watched';
import type { CompletionRequest, CompletionResult, LoadRequest } from '../../../src/infer/protocol';

const result: CompletionResult = { text: 'x', calls: [], clean: true, parseErrors: [], ids: [1, 2, 3], finishReason: 'stop', promptTokens: 5,
  backend: 'ort', codec: 'hermes', timings: { loadMs: 0, promptMs: 1, firstTokenMs: 2, generateMs: 3 } };
const req: CompletionRequest = { modelDir: '/m', variant: 'int8', messages: [{ role: 'user', content: 'hi' }], tools: [], maxNewTokens: 9 };

/** A service whose first load takes 120 ms of "loading" (0 after), and whose completions take 20 ms. */
function fake(calls: string[]): Inference {
  let loaded = false;
  return {
    load: async (r: LoadRequest) => { calls.push(`load ${JSON.stringify(r)}`); await new Promise((res) => setTimeout(res, 20)); const ms = loaded ? 0 : 120; loaded = true; return ms; },
    complete: async (r: CompletionRequest) => { calls.push(`complete ${r.modelDir}`); await new Promise((res) => setTimeout(res, 20)); return result; },
  };
}

test('a completion loads first, and the event loop is reported apart for loading and for generating', async () => {
  const calls: string[] = [];
  const logs: string[] = [];
  const watch = new LoopDelayWatch();
  try {
    const svc = watchedInference(fake(calls), watch, (m) => logs.push(m));
    const first = await svc.complete(req);
    assert.deepEqual(calls, ['load {"modelDir":"/m","variant":"int8"}', 'complete /m'], 'only the model-picking fields go to load');
    assert.equal(first.timings.loadMs, 120, 'the answer still says what loading cost');
    assert.equal(logs.length, 2);
    assert.match(logs[0]!, /^\[inference\] extension host event loop while loading the model \(120 ms\): max delay [\d.]+ ms \(this thread busy [\d.]+ ms/);
    assert.match(logs[1]!, /^\[inference\] extension host event loop while generating 3 tokens: max delay [\d.]+ ms/);
    // loaded now: the load is a no-op and is not logged
    const again = await svc.complete(req);
    assert.equal(again.timings.loadMs, 0);
    assert.equal(logs.length, 3);
    assert.match(logs[2]!, /while generating 3 tokens/);
  } finally {
    watch.dispose();
  }
});

test('a failed load fails the completion without generating', async () => {
  const calls: string[] = [];
  const watch = new LoopDelayWatch();
  try {
    const svc = watchedInference({ ...fake(calls), load: async () => { throw new Error('/m/onnx/model.onnx: not found'); } }, watch, () => undefined);
    await assert.rejects(svc.complete(req), /model\.onnx: not found/);
    assert.deepEqual(calls, []);
  } finally {
    watch.dispose();
  }
});
