import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callText, callsInserted, insertText, planJsonl, planKey, planTooltest, spacedJson } from '../../../../src/vscode/inference/completion-plan';

const DOC = [
  'tools: tools.json',         // 0
  '',                          // 1
  'case: weather',             // 2
  'system: Be brief.',         // 3
  'user: Weather in Paris?',   // 4
  '',                          // 5  ← empty line after user: → block suggestion
  'user: Timer 5 minutes',     // 6
  'user: and weather in Rome', // 7
  'call: {"name": "get_weather", "arguments": {"city": "Rome"}}', // 8
  'call: ',                    // 9  ← second call
  '',                          // 10
  'user: Joke please',         // 11
  'expect: []',                // 12
  '',                          // 13
].join('\n');
const WEATHER = { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } };
const TIMER = { name: 'set_timer', arguments: { minutes: 5 } };

test('an empty line right after a user: line plans a block of call: lines with the case prompt', () => {
  const p = planTooltest(DOC, 5, 0)!;
  assert.equal(p.kind, 'tooltest-block');
  assert.deepEqual(p.messages, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Weather in Paris?' }]);
  assert.equal(p.toolsPath, 'tools.json');
  assert.equal(p.stopAt, 'turn');
  assert.equal(insertText(p, [WEATHER, TIMER]),
    'call: {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}\ncall: {"name": "set_timer", "arguments": {"minutes": 5}}');
  // the model making no call suggests the no-call expectation
  assert.equal(insertText(p, []), 'expect: []');
});

test('no block suggestion where the case already has an expectation, or the line above is not user:', () => {
  assert.equal(planTooltest(DOC, 13, 0), undefined);  // after expect: []
  assert.equal(planTooltest(DOC, 10, 0), undefined);  // after call: lines
  assert.equal(planTooltest(DOC, 1, 0), undefined);   // after the file header
});

test('typing after call: completes the next call not yet listed, only if it extends what was typed', () => {
  const p = planTooltest(DOC, 9, 6)!;
  assert.equal(p.kind, 'tooltest-call');
  assert.equal(p.callIndex, 1);
  assert.equal(p.stopAt, 'turn');              // the second call needs the whole answer
  assert.deepEqual(p.messages, [{ role: 'user', content: 'Timer 5 minutes\nand weather in Rome' }]);
  assert.equal(p.startCharacter, 6);
  assert.equal(insertText(p, [WEATHER, TIMER]), callText(TIMER));
  assert.deepEqual(callsInserted(p, [WEATHER, TIMER]), [TIMER]);
  assert.equal(insertText(p, [WEATHER]), undefined);  // the model has no second call
  // a prefix typed by the user must match the suggestion
  const typed = DOC.replace('call: \n', 'call: {"name": "set_t\n');
  const q = planTooltest(typed, 9, 'call: {"name": "set_t'.length)!;
  assert.equal(q.typed, '{"name": "set_t');
  assert.equal(insertText(q, [WEATHER, TIMER]), callText(TIMER));
  const wrong = planTooltest(DOC.replace('call: \n', 'call: {"name": "play\n'), 9, 'call: {"name": "play'.length)!;
  assert.equal(insertText(wrong, [WEATHER, TIMER]), undefined);
});

test('the first call: line of a case stops generation after one call', () => {
  const doc = 'user: Weather in Oslo\ncall: ';
  const p = planTooltest(doc, 1, 6)!;
  assert.equal(p.callIndex, 0);
  assert.equal(p.stopAt, 'call');
});

test('no call-line suggestion with text after the cursor or inside the key', () => {
  const doc = 'user: Weather in Oslo\ncall: {"x"}';
  assert.equal(planTooltest(doc, 1, 7), undefined);
  assert.equal(planTooltest('user: a\ncall: ', 1, 2), undefined);
});

test('JSONL: a row typed up to "expected": gets the model calls as its expected array', () => {
  const line = '{"id": "w-9", "messages": [{"role": "user", "content": "Weather in Paris?"}], "expected":';
  const p = planJsonl(line, 3, line.length)!;
  assert.equal(p.kind, 'jsonl-expected');
  assert.deepEqual(p.messages, [{ role: 'user', content: 'Weather in Paris?' }]);
  assert.equal(p.closeRow, true);
  assert.equal(p.startCharacter, line.length);
  assert.equal(p.endCharacter, line.length);
  assert.equal(insertText(p, [WEATHER], line), ' [{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}]}');
  assert.equal(insertText(p, [], line + ' '), '[]}');
  const full = `${line} ${insertText(p, [WEATHER], line + ' ')}`;
  assert.deepEqual(JSON.parse(full).expected, [WEATHER]);
});

test('JSONL: an existing closing brace stays; per-row tools are used', () => {
  const before = '{"messages": [{"role": "user", "content": "Timer 5"}], "tools": [{"type": "function", "function": {"name": "set_timer", "parameters": {}}}], "expected": ';
  const p = planJsonl(before + '}', 0, before.length)!;
  assert.equal(p.closeRow, false);
  assert.equal(p.inlineTools?.[0]?.function.name, 'set_timer');
  assert.equal(insertText(p, [TIMER], before), '[{"name": "set_timer", "arguments": {"minutes": 5}}]');
  assert.deepEqual(JSON.parse(before + insertText(p, [TIMER], before) + '}').expected, [TIMER]);
});

test('JSONL: no suggestion elsewhere', () => {
  assert.equal(planJsonl('{"messages": [{"role": "user", "content": "x"}], "expected": [', 0, 60), undefined);      // already typing
  assert.equal(planJsonl('{"messages": [], "expected":', 0, 28), undefined);                                            // no messages
  assert.equal(planJsonl('{"messages": [{"role": "assistant", "content": "x"}], "expected":', 0, 63), undefined);     // last turn not user
  assert.equal(planJsonl('{"messages": [{"role": "user", "content": "x"}, "expected":', 0, 58), undefined);           // broken JSON
  assert.equal(planJsonl('{"id": "a"}', 0, 11), undefined);
});

test('spacedJson matches JSON.parse round trips and the sample style', () => {
  const v = { a: [1, 'x', null, true], b: { 'c d': 1.5 }, e: 'quote " and \\' };
  assert.deepEqual(JSON.parse(spacedJson(v)), v);
  assert.equal(spacedJson({ a: [1, 2] }), '{"a": [1, 2]}');
});

test('planKey separates models, tools and prompts', () => {
  const p = planTooltest(DOC, 5, 0)!;
  assert.notEqual(planKey(p, '/m1', 't'), planKey(p, '/m2', 't'));
  assert.notEqual(planKey(p, '/m1', 't'), planKey(p, '/m1', 'u'));
  assert.equal(planKey(p, '/m1', 't'), planKey(planTooltest(DOC, 5, 0)!, '/m1', 't'));
});
