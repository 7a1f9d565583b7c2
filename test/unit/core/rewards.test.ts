// Reward tables: one row per case, each with the reason it scores what it scores (PAPERS.md §1, §3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryReward, computeReward, slmPaperReward, toolrlReward } from '../../../src/core/rewards';
import { getCodec } from '../../../src/core/codecs/index';
import type { ExpectedCall } from '../../../src/core/types';

const hermes = getCodec('hermes');
const json = getCodec('json');
const W: ExpectedCall = { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } };
const T: ExpectedCall = { name: 'set_timer', arguments: { minutes: 5 } };
const call = (name: string, args: Record<string, unknown>) => `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`;
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

test('slm-paper: paper 1 formula, strict gate, over-call scaling', () => {
  const cases: Array<[string, string, ExpectedCall[], number, boolean]> = [
    // exact single call: json + func + args = 0.125 + 0.375 + 0.5
    ['exact', call('get_weather', { city: 'Paris', unit: 'celsius' }), [W], 1, true],
    // one of two arguments wrong: args share 1/2 → 0.125 + 0.375 + 0.25
    ['one wrong value', call('get_weather', { city: 'Paris', unit: 'kelvin' }), [W], 0.75, false],
    // missing argument: share 1/2
    ['missing arg', call('get_weather', { city: 'Paris' }), [W], 0.75, false],
    // invented argument: share 2/3 (extra counts in the denominator)
    ['extra arg', call('get_weather', { city: 'Paris', unit: 'celsius', days: 3 }), [W], 0.125 + 0.375 + 0.5 * 2 / 3, false],
    // wrong tool name: only the json credit
    ['wrong name', call('get_wether', { city: 'Paris', unit: 'celsius' }), [W], 0.125, false],
    // text before the call: strict zero gate
    ['text before', 'Sure! ' + call('get_weather', { city: 'Paris', unit: 'celsius' }), [W], 0, false],
    // broken JSON inside the block: gate
    ['broken json', '<tool_call>\n{"name": "get_weather", "arguments": {</tool_call>', [W], 0, false],
    // empty output: gate
    ['empty', '', [W], 0, false],
    // plain text on a call row: no call made, nothing to credit
    ['no call on call row', 'It is sunny.', [W], 0, false],
    // two expected, one given right: json + 0.375·1/2 + 0.5/2·1
    ['half of parallel', call('get_weather', { city: 'Paris', unit: 'celsius' }), [W, T], 0.125 + 0.1875 + 0.25, false],
    // parallel in the other order: multiset match
    ['parallel swapped', call('set_timer', { minutes: 5 }) + '\n' + call('get_weather', { city: 'Paris', unit: 'celsius' }), [W, T], 1, true],
    // the right call twice: scaled by n_exp/n_pred = 1/2 on func and args
    ['over-call', call('set_timer', { minutes: 5 }) + '\n' + call('set_timer', { minutes: 5 }), [T], 0.125 + 0.5 * (0.375 + 0.5), false],
    // no-call row answered in plain text: full reward
    ['no-call right', 'No tool fits that.', [], 1, true],
    // no-call row answered with a call: format credit only
    ['no-call but called', call('set_timer', { minutes: 5 }), [], 0.125, false],
  ];
  for (const [name, text, expected, reward, correct] of cases) {
    const r = slmPaperReward({ parsed: hermes.parse(text), expected });
    close(r.reward, reward);
    assert.equal(r.correct, correct, name);
    close(r.parts.json! + r.parts.func! + r.parts.args!, r.reward);
  }
});

test('slm-paper: numbers by value, optional and accept, weights configurable', () => {
  const exp: ExpectedCall[] = [{ name: 'f', arguments: { n: 5, unit: 'celsius', to: 'the airport' }, optional: ['unit'], accept: { to: ['airport'] } }];
  // 5.0 == 5, optional unit left out, accepted alternative value
  const r = slmPaperReward({ parsed: json.parse('{"name": "f", "arguments": {"n": 5.0, "to": "airport"}}'), expected: exp });
  close(r.reward, 1);
  assert.equal(r.correct, true);
  // the json credit lowered to 0 and an exact bonus: max 0.875 + 0.1
  const w = slmPaperReward({ parsed: json.parse('{"name": "f", "arguments": {"n": 5, "to": "airport"}}'), expected: exp }, { slmPaper: { json: 0, exactBonus: 0.1 } });
  close(w.reward, 0.975);
  close(w.parts.exact_bonus!, 0.1);
  // json codec: fenced output is not pure JSON → 0
  close(slmPaperReward({ parsed: json.parse('```json\n{"name": "f", "arguments": {"n": 5}}\n```'), expected: exp }).reward, 0);
});

test('toolrl: format {0,1} + correctness in [-3, 3]', () => {
  const E: ExpectedCall[] = [{ name: 'f', arguments: { a: 1, b: 2 } }];
  const cases: Array<[string, string, ExpectedCall[], number, number]> = [
    // exact: format 1, correctness 3
    ['exact', '{"name": "f", "arguments": {"a": 1, "b": 2}}', E, 1, 3],
    // one value wrong: 6·(1 + 1 + 1)/(1 + 1 + 2) − 3 = 1.5
    ['one value wrong', '{"name": "f", "arguments": {"a": 1, "b": 3}}', E, 1, 1.5],
    // wrong name: r_name 0, nothing paired → −3
    ['wrong name', '{"name": "g", "arguments": {"a": 1, "b": 2}}', E, 1, -3],
    // text after the JSON: format 0, the call still scores correctness 3
    ['unclean', '{"name": "f", "arguments": {"a": 1, "b": 2}} done', E, 0, 3],
    // extra param: param Jaccard 2/3 → 6·(1 + 2/3 + 2)/4 − 3 = 2.5
    ['extra param', '{"name": "f", "arguments": {"a": 1, "b": 2, "c": 0}}', E, 1, 2.5],
    // no-call row, no call ([] in the json codec): +3
    ['no-call right', '[]', [], 1, 3],
    // no-call row, a call: −3
    ['no-call wrong', '{"name": "f", "arguments": {}}', [], 1, -3],
  ];
  for (const [name, text, expected, format, correctness] of cases) {
    const r = toolrlReward({ parsed: json.parse(text), expected });
    close(r.parts.format!, format);
    close(r.parts.correctness!, correctness);
    close(r.reward, format + correctness);
    assert.ok(r.parts.correctness! >= -3 && r.parts.correctness! <= 3, name);
  }
});

test('toolrl weights scale each part (format and correctness) independently', () => {
  const E: ExpectedCall[] = [{ name: 'f', arguments: { a: 1, b: 2 } }];
  const r = toolrlReward({ parsed: json.parse('{"name": "f", "arguments": {"a": 1, "b": 3}}'), expected: E }, { toolrl: { format: 0.5, correctness: 2 } });
  close(r.parts.format!, 0.5);            // 0.5 × 1
  close(r.parts.correctness!, 3);         // 2 × 1.5
  close(r.reward, 3.5);
  const d = toolrlReward({ parsed: json.parse('{"name": "f", "arguments": {"a": 1, "b": 3}}'), expected: E }, { toolrl: { correctness: 0 } });
  close(d.parts.format!, 1);              // an unset weight keeps its default
  close(d.reward, 1);
});

test('binary: 1 only for an exact multiset match of clean output', () => {
  const E: ExpectedCall[] = [{ name: 'f', arguments: { a: 1 } }, { name: 'g', arguments: {} }];
  const cases: Array<[string, string, ExpectedCall[], number]> = [
    // both calls, any order
    ['swapped', '[{"name": "g", "arguments": {}}, {"name": "f", "arguments": {"a": 1}}]', E, 1],
    // one call missing
    ['missing', '{"name": "f", "arguments": {"a": 1}}', E, 0],
    // a third call
    ['extra call', '[{"name": "g", "arguments": {}}, {"name": "f", "arguments": {"a": 1}}, {"name": "g", "arguments": {}}]', E, 0],
    // wrong value
    ['wrong value', '[{"name": "g", "arguments": {}}, {"name": "f", "arguments": {"a": 2}}]', E, 0],
    // no-call row, no call
    ['no-call', '[]', [], 1],
  ];
  for (const [name, text, expected, reward] of cases) {
    const r = binaryReward({ parsed: json.parse(text), expected });
    assert.equal(r.reward, reward, name);
    assert.equal(r.correct, reward === 1, name);
  }
});

test('bfcl matching relaxes strings in every reward', () => {
  const exp: ExpectedCall[] = [{ name: 'f', arguments: { city: 'New York', date: '2026-01-02' } }];
  const parsed = json.parse('{"name": "f", "arguments": {"city": "new york", "date": "2026/01/02"}}');
  assert.equal(computeReward('binary', { parsed, expected: exp }).reward, 0);
  assert.equal(computeReward('binary', { parsed, expected: exp }, { match: 'bfcl' }).reward, 1);
  assert.equal(computeReward('slm-paper', { parsed, expected: exp }, { match: 'bfcl' }).correct, true);
  assert.throws(() => computeReward('nope' as never, { parsed, expected: exp }), /unknown reward "nope"/);
});
