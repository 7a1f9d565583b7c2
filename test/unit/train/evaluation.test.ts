import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getCodec } from '../../../src/core/codecs';
import type { DatasetRow } from '../../../src/core/types';
import { aggregate } from '../../../src/train/evaluation';
import type { Scored } from '../../../src/train/policy';
import { stepSeed } from '../../../src/train/step';
import { holdOut } from '../../../src/train/inputs';

const hermes = getCodec('hermes');
const row = (id: string, expected: DatasetRow['expected']): DatasetRow => ({ id, tools: [], messages: [{ role: 'user', content: id }], expected });
const scored = (text: string): Scored => {
  const parsed = hermes.parse(text);
  return { text, parsed, reward: 0, parts: {}, correct: false, formatValid: parsed.clean };
};

test('eval aggregate: accuracy, format, names, arguments and no-call, per category', () => {
  const rows = [
    row('a', [{ name: 'w', arguments: { city: 'Paris', unit: 'C' } }]),
    row('b', [{ name: 'w', arguments: { city: 'Rome', unit: 'C' } }]),
    row('c', []),
    row('d', [{ name: 't', arguments: { m: 1 } }, { name: 'w', arguments: { city: 'Oslo', unit: 'F' } }]),
  ];
  const call = (name: string, args: object) => `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`;
  const s = aggregate(rows, [
    scored(call('w', { city: 'Paris', unit: 'C' })), // right
    scored(call('w', { city: 'Paris', unit: 'C' })), // right name, 1 of 2 arguments
    scored('No tool is needed.'),                       // right no-call
    scored('garbage <tool_call> {'),                    // unparseable
  ]);
  assert.equal(s.n, 4);
  assert.equal(s['eval/accuracy'], 0.5);
  assert.equal(s['eval/format_valid'], 0.75);
  assert.equal(s['eval/name_accuracy'], 0.75); // a, b, and the no-call row (no calls made)
  assert.equal(s['eval/no_call_accuracy'], 1);
  assert.equal(s['eval/single/accuracy'], 0.5);
  assert.equal(s['eval/parallel/accuracy'], 0);
  assert.equal(s['eval/args_accuracy'], 3 / 7); // 2 + 1 right of 2 + 2 + 3 expected
});

test('sampling seeds depend only on the run seed and the step (resume samples the same)', () => {
  assert.equal(stepSeed(0, 5), stepSeed(0, 5));
  assert.notEqual(stepSeed(0, 5), stepSeed(0, 6));
  assert.notEqual(stepSeed(1, 5), stepSeed(0, 5));
  for (const s of [0, 1, 99999]) assert.ok(stepSeed(s, 123456) >= 0 && stepSeed(s, 123456) < 2 ** 31);
});

test('without an eval file every 10th row is held out', () => {
  const rows = Array.from({ length: 25 }, (_, i) => row(`r${i}`, []));
  const { train, eval: ev } = holdOut(rows);
  assert.deepEqual(ev.map((r) => r.id), ['r9', 'r19']);
  assert.equal(train.length, 23);
  assert.equal(holdOut(rows.slice(0, 5)).eval.length, 0);
});
