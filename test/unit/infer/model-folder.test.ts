import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportFingerprint } from '../../../src/infer/model-folder';
import { ghostTextVariant } from '../../../src/infer/run-models';

test('an export\'s fingerprint changes when the file is rewritten, and names the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tooltune-fp-'));
  try {
    const f = join(dir, 'model.onnx');
    writeFileSync(f, 'a');
    utimesSync(f, new Date(1_000_000), new Date(1_000_000));
    const before = exportFingerprint(f);
    assert.ok(before.startsWith(`${f}:1:`), before);
    assert.equal(exportFingerprint(f), before, 'stable while the file is unchanged');
    writeFileSync(f, 'ab');
    assert.notEqual(exportFingerprint(f), before, 'a re-export is a new version');
    assert.throws(() => exportFingerprint(join(dir, 'missing.onnx')), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ghost text uses the int8-head export when the folder has one, else fp32', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tooltune-variant-'));
  try {
    mkdirSync(join(dir, 'onnx'));
    writeFileSync(join(dir, 'onnx', 'model.onnx'), '');
    assert.equal(ghostTextVariant(dir), 'fp32');
    writeFileSync(join(dir, 'onnx', 'model_int8.onnx'), '');
    assert.equal(ghostTextVariant(dir), 'int8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
