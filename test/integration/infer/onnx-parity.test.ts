// ONNX parity: the exported graph on onnxruntime-node against the engine (PyTorch) on the same inputs — logits
// within 1e-4, identical greedy tokens — for our decode loop and for transformers.js; then the worker end to end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadTokenizer, qwen3TokenizerFolder } from '../../../src/core/tokenizer';
import { PromptRenderer } from '../../../src/core/prompt';
import { readModelFolder } from '../../../src/infer/model-folder';
import { OrtDecoder } from '../../../src/infer/onnx-decoder';
import { TransformersDecoder } from '../../../src/infer/transformers-decoder';
import { buildTinyModel, TINY_CONFIG, TOOLS, type Reference } from './tiny-model';

process.env.XDG_CACHE_HOME ??= mkdtempSync(join(tmpdir(), 'tooltune-xdg-'));
const MAX_NEW = 24;
let dir = '';
let ref: Reference;
let prompt: number[];
let short: number[];
let stop: number[];

before(() => {
  const tok = loadTokenizer(qwen3TokenizerFolder());
  const r = new PromptRenderer(tok);
  prompt = r.promptIds({ messages: [{ role: 'user', content: 'What is the weather in Paris, in celsius? Then put lunch with Ana on 2026-12-01 at 12:30 in my calendar.' }], tools: TOOLS });
  short = r.promptIds({ messages: [{ role: 'user', content: 'Hi' }], tools: [] });
  stop = [r.endOfTurnId, ...tok.stopTokenIds];
  ({ dir, ref } = buildTinyModel({ prompt, short, maxNewTokens: MAX_NEW, stop }));
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, offset = 0): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[offset + i]! - b[i]!));
  return m;
}

const i64 = (xs: number[]) => BigInt64Array.from(xs, (x) => BigInt(x));
function emptyPast(batch: number): Record<string, ort.Tensor> {
  const f: Record<string, ort.Tensor> = {};
  for (let i = 0; i < TINY_CONFIG.num_hidden_layers; i++) for (const k of ['key', 'value']) {
    f[`past_key_values.${i}.${k}`] = new ort.Tensor('float32', new Float32Array(0), [batch, TINY_CONFIG.num_key_value_heads, 0, TINY_CONFIG.head_dim]);
  }
  return f;
}

test('prompt is realistic (~400 tokens with three tools)', () => {
  assert.ok(prompt.length > 300 && prompt.length < 600, `prompt has ${prompt.length} tokens`);
});

test('ONNX last-position logits match the engine within 1e-4 (empty past, one sequence)', async () => {
  const s = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
  const n = prompt.length;
  const r = await s.run({
    input_ids: new ort.Tensor('int64', i64(prompt), [1, n]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
    position_ids: new ort.Tensor('int64', i64(prompt.map((_, i) => i)), [1, n]),
    num_logits_to_keep: new ort.Tensor('int64', i64([1]), []),
    ...emptyPast(1),
  });
  assert.deepEqual(r.logits!.dims, [1, 1, TINY_CONFIG.vocab_size]);
  const d = maxAbsDiff(r.logits!.data as Float32Array, ref.logits);
  assert.ok(d <= 1e-4, `max abs diff ${d}`);
  await s.release();
});

test('ONNX matches the engine on a left-padded batch (positions = cumsum(mask) - 1)', async () => {
  const s = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
  const p = prompt.length;
  const pad = p - short.length;
  const ids = [...new Array(pad).fill(0), ...short, ...prompt];
  const mask = [...new Array(pad).fill(0), ...new Array(short.length).fill(1), ...new Array(p).fill(1)];
  const pos = [...new Array(pad).fill(0), ...short.map((_, i) => i), ...prompt.map((_, i) => i)];
  const r = await s.run({
    input_ids: new ort.Tensor('int64', i64(ids), [2, p]),
    attention_mask: new ort.Tensor('int64', i64(mask), [2, p]),
    position_ids: new ort.Tensor('int64', i64(pos), [2, p]),
    num_logits_to_keep: new ort.Tensor('int64', i64([1]), []),
    ...emptyPast(2),
  });
  const data = r.logits!.data as Float32Array;
  const V = TINY_CONFIG.vocab_size;
  for (let b = 0; b < 2; b++) {
    const d = maxAbsDiff(data, ref.padded[b]!, b * V);
    assert.ok(d <= 1e-4, `row ${b}: max abs diff ${d}`);
  }
  await s.release();
});

/** The engine includes the stop id in its ids; our decoders return the ids before it. */
function engineGreedy(): number[] {
  return ref.finish === 'stop' ? ref.greedy.slice(0, -1) : ref.greedy;
}

test('greedy tokens of our onnxruntime loop equal the engine greedy tokens', async () => {
  const dec = await OrtDecoder.load(readModelFolder(dir));
  const r = await dec.generate(prompt, { maxNewTokens: MAX_NEW, stopIds: stop });
  assert.ok(new Set(engineGreedy()).size >= 3, `the reference is not one repeated token: ${engineGreedy()}`);
  assert.deepEqual(r.ids, engineGreedy());
  assert.equal(r.finishReason, ref.finish);
  assert.equal(r.promptTokens, prompt.length);
  assert.ok(r.firstTokenMs > 0 && r.totalMs >= r.firstTokenMs);
  await dec.dispose();
});

test('greedy tokens of transformers.js equal the engine greedy tokens', async () => {
  const dec = await TransformersDecoder.load(readModelFolder(dir));
  const r = await dec.generate(prompt, { maxNewTokens: MAX_NEW, stopIds: stop });
  assert.deepEqual(r.ids, engineGreedy());
  assert.equal(r.finishReason, ref.finish);
  await dec.dispose();
});

test('int8 head variant: logits close to the engine, same top token, and its greedy tokens measured', async () => {
  const m = readModelFolder(dir, 'int8');
  const { onnxLastLogits, compareLogits } = await import('../../../src/infer/parity');
  const p = compareLogits(await onnxLastLogits(m, prompt), ref.logits);
  let lo = Infinity, hi = -Infinity;
  for (const x of ref.logits) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  const dec = await OrtDecoder.load(m);
  const r = await dec.generate(prompt, { maxNewTokens: MAX_NEW, stopIds: stop });
  await dec.dispose();
  const want = engineGreedy();
  let same = 0;
  while (same < Math.min(r.ids.length, want.length) && r.ids[same] === want[same]) same++;
  console.log(`int8: max |Δlogit| ${p.maxAbsDiff.toExponential(2)} over a logit range of ${(hi - lo).toFixed(2)}; ` +
    `greedy agrees with fp32 for ${same}/${want.length} tokens`);
  // Per-row int8 weights and per-call uint8 activations: errors of a few percent of the logit range.
  assert.ok(p.maxAbsDiff < 0.05 * (hi - lo), `max abs diff ${p.maxAbsDiff} vs range ${hi - lo}`);
  assert.ok(p.sameArgmax, 'the top token is the same as fp32');
});
