import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelPreloader, type PreloadDeps } from '../../../../src/vscode/inference/preload';
import type { LoadRequest } from '../../../../src/infer/protocol';

const tooltest = { languageId: 'tooltest', uri: { path: '/w/calls.tooltest' } };
const byName = { languageId: 'plaintext', uri: { path: '/w/more.tooltest' } };
const python = { languageId: 'python', uri: { path: '/w/app.py' } };

function setup(over: Partial<PreloadDeps> & { loadMs?: number; fail?: string; model?: string } = {}) {
  const loads: LoadRequest[] = [];
  const logs: string[] = [];
  const deps: PreloadDeps = {
    service: { load: async (r) => { loads.push(r); if (over.fail) throw new Error(over.fail); return over.loadMs ?? 250; } },
    modelDir: async () => over.model ?? '/w/.tooltune/runs/r1/final',
    enabled: () => true,
    log: (m) => logs.push(m),
    ...over,
  };
  return { p: new ModelPreloader(deps), loads, logs };
}

test('opening a .tooltest file loads the newest model ahead of the first suggestion, and says so', async () => {
  const { p, loads, logs } = setup();
  assert.equal(await p.onActiveDocument(tooltest), 'loaded');
  assert.deepEqual(loads, [{ modelDir: '/w/.tooltune/runs/r1/final', variant: 'fp32' }]);
  assert.equal(logs.length, 1);
  assert.deepEqual(logs, ['[inference] ghost text: loaded /w/.tooltune/runs/r1/final (fp32) in 250 ms when calls.tooltest was opened']);
  assert.equal(await p.onActiveDocument(byName), 'loaded', 'a .tooltest name counts without the language mode');
});

test('the variant is the one ghost text will ask for: the int8 head when the run exported it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tooltune-preload-'));
  try {
    mkdirSync(join(dir, 'onnx'));
    writeFileSync(join(dir, 'onnx', 'model_int8.onnx'), '');
    const { p, loads } = setup({ model: dir });
    await p.onActiveDocument(tooltest);
    assert.equal(loads[0]?.variant, 'int8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nothing loads for other files, with no trained model, when turned off or untrusted; a loaded model is not logged again', async () => {
  assert.equal(await setup().p.onActiveDocument(python), 'skipped');
  assert.equal(await setup().p.onActiveDocument(undefined), 'skipped');
  const none = setup({ modelDir: async () => undefined });
  assert.equal(await none.p.onActiveDocument(tooltest), 'skipped');
  const off = setup({ enabled: () => false });
  assert.equal(await off.p.onActiveDocument(tooltest), 'skipped');
  for (const s of [none, off]) assert.equal(s.loads.length, 0);
  const cached = setup({ loadMs: 0 });
  assert.equal(await cached.p.onActiveDocument(tooltest), 'cached');
  assert.deepEqual(cached.logs, []);
});

test('a failed load is logged with the folder and never throws (the first suggestion reports it again)', async () => {
  const { p, logs } = setup({ fail: '/w/.tooltune/runs/r1/final/onnx/model.onnx: not found; run `tooltune export --run …`' });
  assert.equal(await p.onActiveDocument(tooltest), 'failed');
  assert.match(logs[0]!, /could not load \/w\/\.tooltune\/runs\/r1\/final ahead of ghost text: .*model\.onnx: not found; run `tooltune export/);
});
