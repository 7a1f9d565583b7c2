import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseToolTest } from '../../../src/core/tooltest';
import type { ToolDef } from '../../../src/core/types';
import { alignCalls, caseMessages, judgeCase, prettyCalls, runToolTestText, summaryLine, type ModelAnswer } from '../../../src/infer/tooltest-runner';

const TOOLS: ToolDef[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] } } },
  { type: 'function', function: { name: 'set_timer', parameters: { type: 'object', properties: { minutes: { type: 'integer' } }, required: ['minutes'] } } },
];
const FILE = [
  'tools: tools.json',
  '',
  'case: paris',
  'user: Weather in Paris in celsius?',
  'call: {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}',
  '',
  'case: two calls',
  'system: Be brief.',
  'user: Timer 5 min and weather in Rome',
  'call: {"name": "get_weather", "arguments": {"city": "Rome"}}',
  'call: {"name": "set_timer", "arguments": {"minutes": 5}}',
  '',
  'user: tell me a joke',
  'expect: []',
  '',
  'user: no expectation here',
  '',
].join('\n');
const cases = parseToolTest(FILE, '/ws/a.tooltest').cases;
const ans = (calls: ModelAnswer['calls'], clean = true, text = 'x'): ModelAnswer => ({ text, calls, clean, parseErrors: [] });

test('an exact answer passes; expected/actual are the same pretty JSON', () => {
  const o = judgeCase(cases[0]!, ans([{ name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }]), TOOLS, 'exact');
  assert.equal(o.status, 'passed');
  assert.deepEqual(o.reasons, []);
  assert.equal(o.expected, o.actual);
  assert.deepEqual(o.invalid, []);
});

test('a wrong argument fails with the reason and a diffable pair', () => {
  const o = judgeCase(cases[0]!, ans([{ name: 'get_weather', arguments: { city: 'Paris', unit: 'kelvin' } }]), TOOLS, 'exact');
  assert.equal(o.status, 'failed');
  assert.ok(o.reasons.some((r) => /unit is "kelvin", expected "celsius"/.test(r)), o.reasons.join('; '));
  assert.match(o.actual, /"kelvin"/);
  assert.match(o.expected, /"celsius"/);
  // the schema check flags the invented enum value too
  assert.ok(o.invalid.some((e) => /get_weather: .*unit/.test(e)), o.invalid.join('; '));
});

test('parallel calls pass in any order; the actual side is aligned to the expected order for the diff', () => {
  const answer = ans([{ name: 'set_timer', arguments: { minutes: 5 } }, { name: 'get_weather', arguments: { city: 'Rome' } }]);
  const o = judgeCase(cases[1]!, answer, TOOLS, 'exact');
  assert.equal(o.status, 'passed');
  assert.equal(o.actual, o.expected);
  assert.deepEqual(alignCalls(cases[1]!.expected!, answer.calls, 'exact').map((c) => c.name), ['get_weather', 'set_timer']);
});

test('bfcl mode accepts values the exact mode rejects (file-level match:)', () => {
  const c = parseToolTest('match: bfcl\n\nuser: w\ncall: {"name": "get_weather", "arguments": {"city": "New York"}}\n').cases[0]!;
  const a = ans([{ name: 'get_weather', arguments: { city: 'new york' } }]);
  assert.equal(judgeCase(c, a, TOOLS, 'bfcl').status, 'passed');
  assert.equal(judgeCase(c, a, TOOLS, 'exact').status, 'failed');
});

test('no-call cases: passing means making no call; text around calls fails the strict gate', () => {
  assert.equal(judgeCase(cases[2]!, ans([]), TOOLS, 'exact').status, 'passed');
  const called = judgeCase(cases[2]!, ans([{ name: 'set_timer', arguments: { minutes: 1 } }]), TOOLS, 'exact');
  assert.equal(called.status, 'failed');
  assert.ok(called.reasons.some((r) => /where none was expected/.test(r)));
  const chatty = judgeCase(cases[0]!, ans([{ name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }], false), TOOLS, 'exact');
  assert.equal(chatty.status, 'failed');
});

test('a case without expectation is skipped, still showing the output', () => {
  const o = judgeCase(cases[3]!, ans([], true, 'hello'), TOOLS, 'exact');
  assert.equal(o.status, 'skipped');
  assert.equal(o.output, 'hello');
});

test('unknown tools are schema problems', () => {
  const o = judgeCase(cases[0]!, ans([{ name: 'launch', arguments: {} }]), TOOLS, 'exact');
  assert.ok(o.invalid.some((e) => /unknown tool "launch"/.test(e)));
});

test('caseMessages puts the system message first', () => {
  assert.deepEqual(caseMessages(cases[1]!).map((m) => m.role), ['system', 'user']);
  assert.deepEqual(caseMessages(cases[0]!), [{ role: 'user', content: 'Weather in Paris in celsius?' }]);
});

test('runToolTestText: tools resolved relative to the file and loaded once; errors become errored cases', async () => {
  const loaded: string[] = [];
  const seen: string[] = [];
  const run = await runToolTestText('/ws/a.tooltest', FILE, {
    loadTools: async (p) => { loaded.push(p); return { tools: TOOLS, diagnostics: [] }; },
    complete: async (messages) => {
      const u = messages[messages.length - 1]!.content;
      seen.push(u);
      if (u.startsWith('Timer')) throw new Error('worker crashed');
      return ans(u.startsWith('Weather') ? [{ name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }] : []);
    },
  });
  assert.deepEqual(loaded, ['/ws/tools.json']);
  assert.equal(seen.length, 4);
  assert.deepEqual(run.outcomes.map((o) => o.status), ['passed', 'errored', 'passed', 'skipped']);
  assert.deepEqual(run.outcomes[1]!.reasons, ['worker crashed']);
  assert.match(summaryLine(run.outcomes, 1234), /^2 passed, 0 failed, 1 skipped, 1 errored \(4 cases\) in 1\.2 s$/);
});

test('runToolTestText: a broken tools file errors its cases with file:line, and `only` selects cases', async () => {
  const run = await runToolTestText('/ws/a.tooltest', FILE, {
    loadTools: async (p) => ({ tools: [], diagnostics: [{ file: p, line: 3, column: 5, severity: 'error', message: 'bad schema' }] }),
    complete: async () => { throw new Error('not reached'); },
  }, new Set([0]));
  assert.equal(run.outcomes.length, 1);
  assert.equal(run.outcomes[0]!.status, 'errored');
  assert.deepEqual(run.outcomes[0]!.reasons, ['/ws/tools.json:3:5: bad schema']);
});

test('prettyCalls drops accept/optional (they are matching rules, not output)', () => {
  assert.equal(prettyCalls([{ name: 'f', arguments: { a: 1 }, accept: { a: [1, 2] } } as never]), '[\n  {\n    "name": "f",\n    "arguments": {\n      "a": 1\n    }\n  }\n]');
});
