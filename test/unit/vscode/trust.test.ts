import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectivePythonPath, mayAskPythonExtension, trustGate } from '../../../src/vscode/trust';

test('an untrusted workspace cannot choose the Python executable', () => {
  const v = { globalValue: '/usr/bin/python3', workspaceValue: './evil/python' };
  assert.equal(effectivePythonPath(true, v), './evil/python');            // trusted: the workspace setting wins
  assert.equal(effectivePythonPath(false, v), '/usr/bin/python3');        // untrusted: only the user's own value
  assert.equal(effectivePythonPath(false, { workspaceFolderValue: './evil/python' }), undefined);
  assert.equal(effectivePythonPath(true, { workspaceFolderValue: ' /opt/py ', workspaceValue: '/x' }), '/opt/py');
  assert.equal(effectivePythonPath(true, { globalValue: '  ' }), undefined);
  assert.equal(effectivePythonPath(false, undefined), undefined);
  assert.equal(mayAskPythonExtension(false), false);
  assert.equal(mayAskPythonExtension(true), true);
});

test('every process-starting or model-running feature is refused when untrusted, with the way out', () => {
  for (const f of ['Training', 'Resuming training', 'Evaluation', 'Export', 'Tool-call tests', 'Ghost text', 'Choosing the Python interpreter'] as const) {
    assert.equal(trustGate(true, f), undefined, f);
    const msg = trustGate(false, f)!;
    assert.match(msg, new RegExp(`^${f} `));
    assert.match(msg, /Manage Workspace Trust/);
  }
  assert.match(trustGate(false, 'Tool-call tests')!, /runs this workspace's model/);
  assert.match(trustGate(false, 'Training')!, /starts processes/);
});
