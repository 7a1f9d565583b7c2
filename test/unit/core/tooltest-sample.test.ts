// The shipped sample-workspace/calls.tooltest parses cleanly and every expected call is valid for its tools.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseToolTest } from '../../../src/core/tooltest';
import { loadTools } from '../../../src/core/tools';
import { validateCall } from '../../../src/core/validate-call';

const WS = join(__dirname, '../../../sample-workspace');

test('sample-workspace/calls.tooltest parses and matches tools.json', async () => {
  const f = parseToolTest(readFileSync(join(WS, 'calls.tooltest'), 'utf8'), 'calls.tooltest');
  assert.deepEqual(f.diagnostics, []);
  assert.equal(f.tools, 'tools.json');
  assert.ok(f.cases.length >= 10);
  assert.ok(f.cases.some((c) => c.expected?.length === 0), 'has a no-call case');
  assert.ok(f.cases.some((c) => (c.expected?.length ?? 0) >= 2), 'has a parallel-call case');
  const { tools, diagnostics } = await loadTools(join(WS, f.tools!));
  assert.equal(diagnostics.filter((d) => d.severity === 'error').length, 0);
  for (const c of f.cases) {
    assert.ok(c.expected, `${c.name} has an expectation`);
    for (const call of c.expected) assert.deepEqual(validateCall(call, tools).errors, [], `${c.name}: ${call.name}`);
  }
});
