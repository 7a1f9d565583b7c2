import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseToolTest } from '../../../../src/core/tooltest';
import { judgeCase } from '../../../../src/infer/tooltest-runner';
import { caseId, outcomeMessage, outcomeOutput, parseCaseId, selectCases } from '../../../../src/vscode/inference/test-results';

const c = parseToolTest('case: w\nuser: Weather in Paris?\ncall: {"name": "get_weather", "arguments": {"city": "Paris"}}\n').cases[0]!;
const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } } }];

test('a failure message names the mismatch, the schema problem and the raw output', () => {
  const o = judgeCase(c, { text: '<tool_call>…', calls: [{ name: 'get_weather', arguments: { city: 'Lyon', days: 2 } }], clean: true, parseErrors: [] }, tools, 'exact');
  assert.equal(o.status, 'failed');
  const m = outcomeMessage(o);
  assert.match(m, /^w: the model's calls do not match/);
  assert.match(m, /argument city is "Lyon", expected "Paris"/);
  assert.match(m, /Schema problems[\s\S]*unknown argument \/days/);
  assert.match(m, /Model output: "<tool_call>…"/);
  // the diff sides differ exactly where the calls differ
  assert.notEqual(o.expected, o.actual);
  assert.match(o.actual, /"Lyon"/);
});

test('output pane text uses CRLF and a status mark', () => {
  const o = judgeCase(c, { text: 'x', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }], clean: true, parseErrors: [] }, tools, 'exact');
  const t = outcomeOutput(o, 'tuned model');
  assert.match(t, /^\[tuned model\] PASS w \(\d+ ms\)\r\nModel output: "x"\r\n$/);
});

test('case ids round-trip, also for URIs that contain #', () => {
  assert.deepEqual(parseCaseId(caseId('file:///a%23b/x.tooltest', 3)), { fileId: 'file:///a%23b/x.tooltest', index: 3 });
  assert.equal(parseCaseId('file:///x.tooltest'), undefined);
});

test('selectCases: files mean all their cases, cases themselves, exclusions win', () => {
  const files = new Map([['f1', 3], ['f2', 2]]);
  const toObj = (m: Map<string, Set<number>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));
  assert.deepEqual(toObj(selectCases(files, undefined)), { f1: [0, 1, 2], f2: [0, 1] });
  assert.deepEqual(toObj(selectCases(files, ['f1#2', 'f2'])), { f1: [2], f2: [0, 1] });
  assert.deepEqual(toObj(selectCases(files, ['f1'], ['f1#1'])), { f1: [0, 2] });
  assert.deepEqual(toObj(selectCases(files, undefined, ['f2'])), { f1: [0, 1, 2] });
  assert.deepEqual(toObj(selectCases(files, ['f1#7', 'nope'])), {});
});
