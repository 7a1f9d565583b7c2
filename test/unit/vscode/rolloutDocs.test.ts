import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressToParts, bestOf, diffTitle, documentText, findRollout, partsToAddress, showsRaw } from '../../../src/vscode/rolloutDocs';
import { lcg, rollout } from './runFixture';

test('rollout addresses round-trip, row ids with slashes included', () => {
  const a = { runDir: '/w/.tooltune/runs/r 1', step: 12, rowId: 'weather/7', sample: 3, side: 'model' as const };
  const p = addressToParts(a, true);
  assert.equal(p.path, '/step-12/weather%2F7/3/model.txt');
  assert.deepEqual(partsToAddress(p.path, p.query), a);
  assert.equal(partsToAddress('/bogus', 'run=x'), undefined);
  assert.equal(partsToAddress(p.path, ''), undefined);
});

test('expected side is pretty JSON; model side is the parsed call, or the raw text when nothing parsed', () => {
  const base = rollout(1, 0, 0, lcg(1));
  const parsed = { ...base, parsed: [{ name: 'get_weather', arguments: { city: 'Rome', unit: 'celsius' } }], completion: '<tool_call>…</tool_call>' };
  assert.equal(documentText(parsed, 'expected'), JSON.stringify([{ name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }], null, 2) + '\n');
  assert.equal(documentText(parsed, 'model'), JSON.stringify(parsed.parsed, null, 2) + '\n');
  assert.equal(showsRaw(parsed), false);
  const chatty = { ...base, parsed: [], completion: 'Sure! The weather is nice.', clean: false, correct: false };
  assert.equal(showsRaw(chatty), true);
  assert.equal(documentText(chatty, 'model'), 'Sure! The weather is nice.\n');
  // expected no call and model said nothing parseable: both sides are "[]"-like, no raw text needed
  assert.equal(showsRaw({ ...chatty, expected: [] }), false);
  assert.match(diffTitle(chatty), /w-0 · step 1 #0 · reward .* ✗ unparsed/);
});

test('bestOf picks the highest reward, the lowest sample on ties; findRollout finds one sample', () => {
  const rnd = lcg(3);
  const rs = [0, 1, 2].map((s) => ({ ...rollout(5, 0, s, rnd), reward: [0.5, 1, 1][s]! }));
  assert.equal(bestOf(rs, 'w-0', 5)!.sample, 1);
  assert.equal(bestOf(rs, 'w-0', 6), undefined);
  assert.equal(findRollout(rs, 5, 'w-0', 2)!.sample, 2);
  assert.equal(findRollout(rs, 5, 'w-9', 2), undefined);
});
