// `--model nano` finds the shipped ToolTune Nano (models/nano/) next to the current folder or the installed CLI, or
// where TOOLTUNE_NANO_DIR says; a missing or incomplete folder is an error that names where it looked and the fix.
// Temp folders stand in for the real models/nano/ (built by the pretraining command, not by these tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NANO_FILES, nanoModelDir } from '../../../src/train/nanoModel';
import { resolveModelFolder } from '../../../src/train/modelSource';

function fakeNano(base: string, files: readonly string[] = NANO_FILES): string {
  const dir = join(base, 'models', 'nano');
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f), '{}');
  return dir;
}

test('nanoModelDir: the first base holding a complete models/nano/ wins', () => {
  const a = mkdtempSync(join(tmpdir(), 'tt-nano-a-'));
  const b = mkdtempSync(join(tmpdir(), 'tt-nano-b-'));
  const c = mkdtempSync(join(tmpdir(), 'tt-nano-c-'));
  fakeNano(a, NANO_FILES.filter((f) => f !== 'model.safetensors')); // incomplete: skipped
  const inB = fakeNano(b);
  fakeNano(c);
  assert.equal(nanoModelDir([a, b, c], {}), inB);
});

test('nanoModelDir: a clear error naming the places looked and the rebuild command', () => {
  const empty = mkdtempSync(join(tmpdir(), 'tt-nano-none-'));
  assert.throws(() => nanoModelDir([empty], {}), (e: unknown) => {
    const m = (e as Error).message;
    assert.match(m, /^models\/nano\/ not found: looked in /);
    assert.ok(m.includes(join(empty, 'models', 'nano')), m);
    assert.match(m, /rebuild it with `npm run nano:pretrain`/);
    return true;
  });
});

test('nanoModelDir: TOOLTUNE_NANO_DIR is the only place looked when set', () => {
  const base = mkdtempSync(join(tmpdir(), 'tt-nano-env-'));
  const dir = fakeNano(base);
  assert.equal(nanoModelDir([], { TOOLTUNE_NANO_DIR: dir }), dir);
  const other = mkdtempSync(join(tmpdir(), 'tt-nano-other-'));
  fakeNano(other);
  assert.throws(() => nanoModelDir([other], { TOOLTUNE_NANO_DIR: join(base, 'nope') }), /TOOLTUNE_NANO_DIR=.*nope.*lacks config\.json, model\.safetensors/);
});

test('--model nano resolves to the Nano folder (source "nano") wherever a model is chosen', async () => {
  const dir = fakeNano(mkdtempSync(join(tmpdir(), 'tt-nano-src-')));
  const saved = process.env.TOOLTUNE_NANO_DIR;
  process.env.TOOLTUNE_NANO_DIR = dir;
  try {
    assert.deepEqual(await resolveModelFolder('nano'), { folder: dir, source: 'nano' });
  } finally {
    if (saved === undefined) delete process.env.TOOLTUNE_NANO_DIR; else process.env.TOOLTUNE_NANO_DIR = saved;
  }
});

test('export and test with --model nano keep the shipped folder as built and name the fix', async () => {
  const dir = fakeNano(mkdtempSync(join(tmpdir(), 'tt-nano-cli-')));
  const saved = process.env.TOOLTUNE_NANO_DIR;
  const errs: string[] = [];
  const orig = console.error;
  process.env.TOOLTUNE_NANO_DIR = dir;
  console.error = (...a: unknown[]) => { errs.push(a.join(' ')); };
  try {
    const exportCmd = (await import('../../../src/cli/commands/export')).default;
    assert.equal(await exportCmd(['--model', 'nano']), 2);
    assert.match(errs.join('\n'), /--model nano needs --out DIR/);
    const testCmd = (await import('../../../src/cli/commands/test')).default;
    assert.equal(await testCmd(['cases.tooltest', '--model', 'nano']), 2);
    assert.match(errs.join('\n'), /ToolTune Nano has no ONNX export in models\/nano\/; run `tooltune export --model nano --out DIR` once/);
  } finally {
    console.error = orig;
    if (saved === undefined) delete process.env.TOOLTUNE_NANO_DIR; else process.env.TOOLTUNE_NANO_DIR = saved;
  }
});
