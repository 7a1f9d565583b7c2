import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient, EngineCrashedError, EngineError, findEngineDir } from '../../../src/engine/client';

// A tiny fake engine: LSP-framed JSON-RPC on stdin/stdout, no torch. It answers initialize, echoes generate,
// fails `train_step` with a MethodFailed error, sends a log notification, and dies on `sft_step` after writing a
// traceback to stderr (an engine crash mid-request).
const FAKE = String.raw`
import json, sys
def read():
    headers = {}
    while True:
        line = sys.stdin.buffer.readline()
        if not line: sys.exit(0)
        line = line.decode().strip()
        if not line: break
        k, v = line.split(":", 1); headers[k.lower()] = v.strip()
    return json.loads(sys.stdin.buffer.read(int(headers["content-length"])))
def send(obj):
    b = json.dumps(obj).encode()
    sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(b) + b); sys.stdout.buffer.flush()
print("fake engine starting", file=sys.stderr, flush=True)
while True:
    m = read(); method = m.get("method"); mid = m.get("id"); p = m.get("params")
    if method == "initialize":
        send({"jsonrpc": "2.0", "method": "log", "params": {"level": "info", "message": "hello"}})
        send({"jsonrpc": "2.0", "id": mid, "result": {"protocol_version": p["protocol_version"], "engine_version": "fake", "torch_version": "0", "python_version": "3", "device": "cpu", "device_name": "fake", "dtype": "float32", "world_size": 1, "memory": {"total_bytes": None, "free_bytes": None}}})
    elif method == "generate":
        send({"jsonrpc": "2.0", "id": mid, "result": {"completions": [{"prompt_index": i, "ids": list(reversed(pr)), "logprobs": [0.0]*len(pr), "finish_reason": "stop"} for i, pr in enumerate(p["prompts"])], "tokens_per_second": 1.0, "seconds": 0.0}})
    elif method == "train_step":
        send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32000, "message": "boom", "data": {"type": "ValueError", "message": "boom", "hint": "lower the batch"}}})
    elif method == "sft_step":
        print("Traceback (most recent call last):", file=sys.stderr)
        print("RuntimeError: simulated crash", file=sys.stderr, flush=True)
        sys.exit(3)
    elif method == "shutdown":
        send({"jsonrpc": "2.0", "id": mid, "result": {"ok": True}}); sys.exit(0)
`;

function fakeEngineDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tt-fake-engine-'));
  mkdirSync(join(dir, 'tooltune_engine'));
  writeFileSync(join(dir, 'tooltune_engine', '__init__.py'), '');
  writeFileSync(join(dir, 'tooltune_engine', '__main__.py'), FAKE);
  return dir;
}

const python = process.env.TOOLTUNE_PYTHON ?? '/usr/bin/python3';

test('client: typed requests, notifications, engine errors, clean shutdown', async () => {
  const logs: string[] = [];
  const stderr: string[] = [];
  const client = EngineClient.start({ python, engineDir: fakeEngineDir(), onLog: (n) => logs.push(n.message), onStderr: (l) => stderr.push(l) });
  const init = await client.request('initialize', { protocol_version: 1 });
  assert.equal(init.engine_version, 'fake');
  assert.deepEqual(logs, ['hello']);
  const gen = await client.request('generate', { prompts: [[1, 2, 3], [4]], n: 1, max_new_tokens: 4 });
  assert.deepEqual(gen.completions.map((c) => c.ids), [[3, 2, 1], [4]]);
  await assert.rejects(client.request('train_step', { sequences: [], loss: {} as never }), (e: unknown) => {
    assert.ok(e instanceof EngineError);
    assert.equal(e.code, -32000);
    assert.match(e.message, /boom.*lower the batch/);
    return true;
  });
  assert.equal(client.alive, true);
  await client.dispose();
  assert.equal(client.alive, false);
  assert.ok(stderr.includes('fake engine starting'));
});

test('client: an engine that dies mid-request rejects it with its last stderr lines; later requests fail fast', async () => {
  const client = EngineClient.start({ python, engineDir: fakeEngineDir() });
  await client.request('initialize', { protocol_version: 1 });
  await assert.rejects(client.request('sft_step', { examples: [] }), (e: unknown) => {
    assert.ok(e instanceof EngineCrashedError);
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /exited with code 3 during sft_step/);
    assert.match(e.message, /RuntimeError: simulated crash/);
    return true;
  });
  await assert.rejects(client.request('generate', { prompts: [[1]], n: 1, max_new_tokens: 1 }), EngineCrashedError);
  await client.dispose();
});

test('client: a killed engine rejects pending requests (signal named)', async () => {
  const client = EngineClient.start({ python, engineDir: fakeEngineDir() });
  await client.request('initialize', { protocol_version: 1 });
  const pending = client.request('evaluate_logprobs', { sequences: [] }); // the fake never answers this
  client.kill('SIGKILL');
  await assert.rejects(pending, /killed by SIGKILL during evaluate_logprobs/);
  await client.dispose();
});

test('client: a missing interpreter is reported, not thrown from spawn', async () => {
  const client = EngineClient.start({ python: '/nonexistent/python3', engineDir: fakeEngineDir() });
  await assert.rejects(client.request('initialize', { protocol_version: 1 }), /could not start the engine/);
  await client.dispose();
});

test('findEngineDir walks up from a folder to <repo>/engine when it exists', () => {
  const root = mkdtempSync(join(tmpdir(), 'tt-root-'));
  mkdirSync(join(root, 'engine', 'tooltune_engine'), { recursive: true });
  writeFileSync(join(root, 'engine', 'tooltune_engine', '__main__.py'), '');
  mkdirSync(join(root, 'dist'));
  assert.equal(findEngineDir(join(root, 'dist')), join(root, 'engine'));
  assert.equal(findEngineDir(mkdtempSync(join(tmpdir(), 'tt-none-'))), null);
});
