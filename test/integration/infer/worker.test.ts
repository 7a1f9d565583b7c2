// The real inference worker end to end: engine init_model → export → load in the worker thread → generate →
// parse; the model cache and its reload when the export changes; cancellation; a bad folder's error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer, qwen3TokenizerFolder } from '../../../src/core/tokenizer';
import { PromptRenderer } from '../../../src/core/prompt';
import { getCodec } from '../../../src/core/codecs';
import { CancelledError, InferenceService } from '../../../src/infer/service';
import type { CompletionRequest } from '../../../src/infer/protocol';
import { buildTinyModel, ROOT, TOOLS } from './tiny-model';

const xdg = mkdtempSync(join(tmpdir(), 'tooltune-xdg-'));
let dir = '';
let svc: InferenceService;
const messages = [{ role: 'user' as const, content: 'Weather in Paris?' }];

before(() => {
  const tok = loadTokenizer(qwen3TokenizerFolder());
  const r = new PromptRenderer(tok);
  const prompt = r.promptIds({ messages, tools: TOOLS });
  ({ dir } = buildTinyModel({ prompt, short: [1], maxNewTokens: 1, stop: [r.endOfTurnId] }));
  svc = new InferenceService({ workerPath: join(ROOT, 'src/infer/worker.ts'), env: { XDG_CACHE_HOME: xdg } });
});
after(async () => {
  await svc?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
  rmSync(xdg, { recursive: true, force: true });
});

test('the worker renders the prompt, generates and parses with the family codec', async () => {
  const req: CompletionRequest = { modelDir: dir, messages, tools: TOOLS, maxNewTokens: 16 };
  const r = await svc.complete(req);
  assert.equal(r.backend, 'ort');
  assert.equal(r.codec, 'hermes');                       // qwen3 → hermes
  assert.ok(r.promptTokens > 200, `prompt ${r.promptTokens} tokens (tools are in it)`);
  assert.ok(r.ids.length > 0 && r.ids.length <= 16);
  const tok = loadTokenizer(dir);
  assert.equal(r.text, tok.decode(r.ids));
  assert.deepEqual({ calls: r.calls, clean: r.clean, errors: r.parseErrors }, (() => {
    const p = getCodec('hermes').parse(r.text); return { calls: p.calls, clean: p.clean, errors: p.errors };
  })());
  assert.ok(r.timings.loadMs > 0, 'first request loads the model');
  assert.ok(r.timings.firstTokenMs > 0 && r.timings.generateMs >= r.timings.firstTokenMs);

  // Cached: same folder, same export → no load, same greedy output.
  const again = await svc.complete(req);
  assert.equal(again.timings.loadMs, 0);
  assert.deepEqual(again.ids, r.ids);

  // transformers.js behind the same interface gives the same greedy tokens.
  const tjs = await svc.complete({ ...req, backend: 'transformers' });
  assert.equal(tjs.backend, 'transformers');
  assert.deepEqual(tjs.ids, r.ids);

  // A new export (the file changes) is picked up: the model reloads.
  const f = join(dir, 'onnx', 'model.onnx');
  utimesSync(f, new Date(), new Date(Date.now() + 5000));
  const reloaded = await svc.complete(req);
  assert.ok(reloaded.timings.loadMs > 0, 'reloaded after the export changed');
  assert.deepEqual(reloaded.ids, r.ids);
  assert.equal(svc.starts, 1);
});

test('a load ahead of time (ghost text\'s preload) makes the next completion skip loading; loading it again is free', async () => {
  utimesSync(join(dir, 'onnx', 'model.onnx'), new Date(), new Date(Date.now() + 10_000)); // a new export: not cached
  assert.ok((await svc.load({ modelDir: dir })) > 0, 'the load did the loading');
  assert.equal(await svc.load({ modelDir: dir }), 0, 'already loaded');
  const r = await svc.complete({ modelDir: dir, messages, tools: TOOLS, maxNewTokens: 4 });
  assert.equal(r.timings.loadMs, 0);
  await assert.rejects(svc.load({ modelDir: join(dir, 'missing') }), /config\.json: not found/);
});

test('a long generation is cancelled between decode steps', async () => {
  const ac = new AbortController();
  const p = svc.complete({ modelDir: dir, messages, tools: TOOLS, maxNewTokens: 4000 }, ac.signal);
  setTimeout(() => ac.abort(), 300);
  await assert.rejects(p, CancelledError);
  // the worker stopped that loop and serves the next request
  const r = await svc.complete({ modelDir: dir, messages, tools: TOOLS, maxNewTokens: 4 });
  assert.equal(r.ids.length <= 4, true);
});

test('a folder without an export fails with the command that fixes it', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'tooltune-noexport-'));
  rmSync(empty, { recursive: true });
  await assert.rejects(svc.complete({ modelDir: empty, messages, tools: [] }), /config\.json: not found/);
  // a model folder that was never exported: the error names `tooltune export`
  mkdirSync(empty);
  copyFileSync(join(dir, 'config.json'), join(empty, 'config.json'));
  await assert.rejects(svc.complete({ modelDir: empty, messages, tools: [] }), /onnx\/model\.onnx: not found; run `tooltune export --model/);
  rmSync(empty, { recursive: true });
});
