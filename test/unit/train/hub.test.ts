// The Hugging Face download path, against a local folder served by a fake `fetch` that answers the hub API calls
// @huggingface/hub makes (tree listing, paths-info, ranged resolve, download). No network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadFromHub, looksLikeHubId } from '../../../src/train/hub';

function localHub(files: Record<string, string>) {
  const requests: string[] = [];
  const oid = (p: string) => createHash('sha1').update(files[p]).digest('hex');
  const info = (p: string) => ({ type: 'file', path: p, oid: oid(p), size: Buffer.byteLength(files[p]), lastCommit: { id: 'c'.repeat(40), title: 'x', date: '2026-01-01T00:00:00Z' } });
  const fake: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    requests.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    const json = (v: unknown) => new Response(JSON.stringify(v), { headers: { 'content-type': 'application/json' } });
    if (url.pathname.includes('/tree/')) return json(Object.keys(files).map(info));
    if (url.pathname.includes('/paths-info/')) return json((JSON.parse(String(init?.body)).paths as string[]).map(info));
    const m = /\/resolve\/[^/]+\/(.+)$/.exec(url.pathname);
    const path = m ? decodeURIComponent(m[1]) : '';
    if (!(path in files)) return new Response('not found', { status: 404 });
    const body = Buffer.from(files[path]);
    const range = new Headers(init?.headers).get('Range');
    if (range) return new Response(body.subarray(0, 1), { status: 206, headers: { 'content-range': `bytes 0-0/${body.length}`, etag: `"${oid(path)}"` } });
    return new Response(body, { status: 200, headers: { etag: `"${oid(path)}"` } });
  };
  return { fake, requests };
}

test('hub ids are recognised; folders are not', () => {
  assert.equal(looksLikeHubId('Qwen/Qwen2.5-0.5B-Instruct'), true);
  assert.equal(looksLikeHubId('org/name@v1.0'), true);
  assert.equal(looksLikeHubId('./models/tiny'), false);
  assert.equal(looksLikeHubId('/abs/path'), false);
  assert.equal(looksLikeHubId('demo'), false);
});

test('downloads only config, tokenizer and safetensors files into the HF cache layout, with progress; a second call hits the cache', async () => {
  const files = {
    'config.json': '{"model_type": "qwen3"}', 'tokenizer.json': '{}', 'tokenizer_config.json': '{}',
    'model.safetensors': 'weights', 'pytorch_model.bin': 'PICKLE', 'README.md': '# readme',
  };
  const hub = localHub(files);
  const cacheDir = mkdtempSync(join(tmpdir(), 'tt-hf-'));
  const progress: string[] = [];
  const logged: unknown[] = [];
  const debug = console.debug;
  console.debug = (...a: unknown[]) => { logged.push(a); };
  const folder = await downloadFromHub('org/tiny', { fetch: hub.fake, cacheDir, hubUrl: 'http://hub.test', onProgress: (t, d, n) => progress.push(`${t} ${d}/${n}`) });
  console.debug = debug;
  assert.deepEqual(logged, [], 'nothing written to stdout (it would break --events jsonl)');
  assert.match(folder, /models--org--tiny\/snapshots\/c{40}$/);
  assert.deepEqual(readdirSync(folder).sort(), ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
  assert.equal(readFileSync(join(folder, 'model.safetensors'), 'utf8'), 'weights');
  assert.equal(progress.at(-1), 'download org/tiny 4/4');
  assert.ok(!hub.requests.some((r) => r.includes('pytorch_model.bin')), 'pickles are never fetched');
  const before = hub.requests.filter((r) => r.includes('/resolve/')).length;
  assert.equal(await downloadFromHub('org/tiny', { fetch: hub.fake, cacheDir, hubUrl: 'http://hub.test' }), folder);
  assert.equal(hub.requests.filter((r) => r.includes('/resolve/')).length, before, 'cached files are not downloaded again');
});

test('a repository without safetensors weights is refused with the reason', async () => {
  const hub = localHub({ 'config.json': '{}', 'pytorch_model.bin': 'PICKLE' });
  await assert.rejects(downloadFromHub('org/old', { fetch: hub.fake, cacheDir: mkdtempSync(join(tmpdir(), 'tt-hf-')), hubUrl: 'http://hub.test' }),
    /no safetensors weights; ToolTune never loads pickled \*\.bin files/);
});
