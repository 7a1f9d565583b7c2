import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CancelledError, InferenceError, InferenceService } from '../../../src/infer/service';
import type { CompletionRequest } from '../../../src/infer/protocol';

const FAKE = join(__dirname, 'fixtures', 'fake-worker.mjs');
const req = (content: string): CompletionRequest => ({ modelDir: '/nowhere', messages: [{ role: 'user', content }], tools: [] });

test('a request is answered by the worker', async () => {
  const s = new InferenceService({ workerPath: FAKE });
  const r = await s.complete(req('hello'));
  assert.equal(r.text, 'echo:hello');
  assert.equal(s.starts, 1);
  await s.dispose();
});

test('a load starts the worker and answers with the load time; a load that fails rejects with the worker\'s error', async () => {
  const s = new InferenceService({ workerPath: FAKE });
  assert.equal(await s.load({ modelDir: '/models/tuned' }), 42);
  assert.equal(s.starts, 1);
  await assert.rejects(s.load({ modelDir: '/nowhere' }), (e: Error) => e instanceof InferenceError && e.name === 'ModelFolderError' && /no onnx/.test(e.message));
  assert.equal((await s.complete(req('then'))).text, 'echo:then', 'the same worker answers completions after loads');
  assert.equal(s.starts, 1);
  await s.dispose();
});

test('a crashed worker fails its request cleanly and is restarted for the next one', async () => {
  const logs: string[] = [];
  const s = new InferenceService({ workerPath: FAKE, log: (m) => logs.push(m) });
  await s.complete(req('warm up'));
  await assert.rejects(s.complete(req('crash')), (e: Error) => {
    assert.ok(e instanceof InferenceError);
    assert.equal(e.name, 'WorkerCrashError');
    assert.match(e.message, /exited with code 3.*restarts on the next request/);
    return true;
  });
  assert.ok(logs.some((l) => /exited with code 3/.test(l)));
  const r = await s.complete(req('after'));
  assert.equal(r.text, 'echo:after');
  assert.equal(s.starts, 2);
  await s.dispose();
});

test('requests pending when the worker dies all fail; none hangs', async () => {
  const s = new InferenceService({ workerPath: FAKE });
  const slow = s.complete(req('slow'));
  const crash = s.complete(req('crash'));
  await assert.rejects(crash, /exited with code 3/);
  await assert.rejects(slow, /exited with code 3/);
  await s.dispose();
});

test('an abort cancels at once and tells the worker to stop', async () => {
  const logs: string[] = [];
  const s = new InferenceService({ workerPath: FAKE, log: (m) => logs.push(m) });
  const ac = new AbortController();
  const t0 = Date.now();
  const p = s.complete(req('slow'), ac.signal);
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(p, (e: Error) => e instanceof CancelledError);
  assert.ok(Date.now() - t0 < 1000, 'did not wait for the slow request');
  // The worker hears about it (its late answer is dropped), and the service still works.
  for (let i = 0; i < 100 && !logs.some((l) => /^cancel \d+$/.test(l)); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(logs.some((l) => /^cancel \d+$/.test(l)), JSON.stringify(logs));
  assert.equal((await s.complete(req('next'))).text, 'echo:next');
  await s.dispose();
});

test('an already aborted signal never reaches the worker', async () => {
  const s = new InferenceService({ workerPath: FAKE });
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(s.complete(req('x'), ac.signal), CancelledError);
  assert.equal(s.starts, 0);
  await s.dispose();
});

test('a worker-side error keeps its name and message', async () => {
  const s = new InferenceService({ workerPath: FAKE });
  await assert.rejects(s.complete(req('fail')), (e: Error) => e.name === 'ModelFolderError' && /no onnx/.test(e.message));
  await s.dispose();
});

test('dispose fails pending requests and refuses new ones', async () => {
  const s = new InferenceService({ workerPath: FAKE });
  const pending = assert.rejects(s.complete(req('slow')), /disposed/);
  await new Promise((r) => setTimeout(r, 50));
  await s.dispose();
  await pending;
  await assert.rejects(s.complete(req('x')), /disposed/);
});
