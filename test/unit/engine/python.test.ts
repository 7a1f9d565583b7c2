import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCandidates, formatPreflight, preflight, torchInstallFix, withPythonExtension } from '../../../src/engine/python';

test('defaultCandidates: explicit setting, TOOLTUNE_PYTHON, PATH, system, deduplicated', () => {
  const c = defaultCandidates('/opt/py/bin/python', { TOOLTUNE_PYTHON: '/usr/bin/python3' });
  assert.deepEqual(c.map((x) => x.command), ['/opt/py/bin/python', '/usr/bin/python3', 'python3', 'python']);
  assert.equal(c[0].source, 'setting tooltune.pythonPath');
  assert.equal(c[1].source, 'environment variable TOOLTUNE_PYTHON');
  // blank settings are ignored
  assert.deepEqual(defaultCandidates('  ', {}).map((x) => x.command), ['python3', '/usr/bin/python3', 'python']);
});

test('preflight: a missing interpreter and one without torch are explained with a fix; then torch is found', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tt-py-'));
  // A fake "python" that behaves like an interpreter without torch (prints the probe's error line).
  const noTorch = join(dir, 'python-no-torch');
  writeFileSync(noTorch, '#!/bin/sh\necho \'{"python": "3.12.0", "error": "ModuleNotFoundError: No module named torch"}\'\n');
  chmodSync(noTorch, 0o755);
  const r = await preflight([
    { command: join(dir, 'does-not-exist'), source: 'setting tooltune.pythonPath' },
    { command: noTorch, source: 'PATH' },
    { command: '/usr/bin/python3', source: 'system Python' },
  ], { diskPath: dir });
  assert.equal(r.problems[0].message.includes('not found'), true);
  assert.match(r.problems[0].fix, /tooltune\.pythonPath/);
  assert.match(r.problems[1].message, /cannot import torch/);
  assert.match(r.problems[1].fix, /python3-torch/);
  assert.equal(r.ok, true, formatPreflight(r));
  assert.equal(r.python, '/usr/bin/python3');
  assert.match(r.torchVersion ?? '', /^\d+\.\d+/);
  assert.ok(['cpu', 'cuda', 'mps'].includes(r.device ?? ''));
  assert.ok((r.freeDiskBytes ?? 0) > 0);
});

test('preflight: nothing usable → ok false, every candidate explained', async () => {
  const r = await preflight([{ command: '/nonexistent/python', source: 'PATH' }]);
  assert.equal(r.ok, false);
  assert.equal(r.python, null);
  assert.equal(r.problems.length, 1);
  assert.match(formatPreflight(r), /No Python with torch was found/);
});

test('torchInstallFix offers a venv command (never sudo) and names the Debian packages on Linux', () => {
  assert.match(torchInstallFix('python3', 'linux'), /`python3 -m venv ~\/\.tooltune-venv && ~\/\.tooltune-venv\/bin\/pip install torch`/);
  assert.match(torchInstallFix('python3', 'linux'), /python3-torch and libopenblas0-pthread/);
  assert.doesNotMatch(torchInstallFix('python3', 'linux'), /sudo/);
  assert.match(torchInstallFix('python3', 'darwin'), /pip install torch/);
  assert.doesNotMatch(torchInstallFix('python3', 'darwin'), /apt/);
});

test('the Python extension\'s interpreter comes right after the setting, never twice', () => {
  const base = defaultCandidates('/opt/py/bin/python', {});
  const withExt = withPythonExtension(base, '/home/u/.venv/bin/python', true);
  assert.deepEqual(withExt.slice(0, 2).map((c) => c.command), ['/opt/py/bin/python', '/home/u/.venv/bin/python']);
  assert.equal(withExt[1]!.source, 'Python extension (active interpreter)');
  const noSetting = withPythonExtension(defaultCandidates(undefined, {}), '/home/u/.venv/bin/python', false);
  assert.equal(noSetting[0]!.command, '/home/u/.venv/bin/python');
  // already listed (e.g. it is python3 on PATH): the list is unchanged
  assert.deepEqual(withPythonExtension(base, 'python3', true), base);
  assert.deepEqual(withPythonExtension(base, undefined, true), base);
});
